#!/usr/bin/env bash
# The README's main job on a fresh machine: set up .venv, start depth_sr_node (bundled default
# model, or DEMO_MODEL=<name or path>) as a real process, play a procedural depth stream into it
# at 15 Hz (160x120 16UC1 + CameraInfo) over real DDS, and write demo_out/before_after.png plus
# end-to-end latency and throughput. Exits non-zero (with the node's one-line reason) on failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup_venv.sh
# An isolated DDS domain on this machine only, so the demo never talks to a real robot.
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$((100 + $$ % 100))}"
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
unset ROS_LOCALHOST_ONLY
model="${DEMO_MODEL:-x4}"
out="${DEMO_OUT:-demo_out}"
echo "[demo] starting depth_sr_node (model $model, ROS_DOMAIN_ID=$ROS_DOMAIN_ID)"
# no_input_warning 20 s: the player renders its scene (a few seconds) before it starts sending.
.venv/bin/depth_sr_node --ros-args --params-file config/sr.yaml -p "model:=$model" -p no_input_warning:=20.0 &
node_pid=$!
stop_node() {
  if kill -0 "$node_pid" 2>/dev/null; then
    kill -INT "$node_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$node_pid" 2>/dev/null || true
  fi
}
trap stop_node EXIT
status=0
.venv/bin/python -m depth_sr_ros.ros.demo_player --out "$out" --node-pid "$node_pid" "$@" || status=$?
if [ "$status" -ne 0 ] && ! kill -0 "$node_pid" 2>/dev/null; then
  wait "$node_pid" || echo "[demo] depth_sr_node failed (exit $?); see its error line above" >&2
fi
exit "$status"
