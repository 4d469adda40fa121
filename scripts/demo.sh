#!/usr/bin/env bash

# Copyright 2026 depth_sr_ros developers
# SPDX-License-Identifier: Apache-2.0
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# The README's main job on a fresh machine: set up .venv, start depth_sr_node (bundled default
# model, or DEMO_MODEL=<name or path>) with `ros2 launch depth_sr_ros sr.launch.py` when
# .venv/bin/ros2 exists (else the console script) as a real process, play a procedural depth stream into it
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
# Large frames between processes: Fast DDS with 16 MB shared-memory segments (docs/NODE.md), for
# the node and the player alike, unless you set your own profile.
export FASTDDS_DEFAULT_PROFILES_FILE="${FASTDDS_DEFAULT_PROFILES_FILE:-$root/config/fastdds_shm.xml}"
# no_input_warning 20 s: the player renders its scene (a few seconds) before it starts sending.
params=$(mktemp --suffix=.yaml)
.venv/bin/python - "$params" <<'PY'
import sys, yaml
cfg = yaml.safe_load(open('config/sr.yaml'))
cfg['/**']['ros__parameters']['no_input_warning'] = 20.0
yaml.safe_dump(cfg, open(sys.argv[1], 'w'))
PY
# Job control: the node gets its own process group with SIGINT not ignored (a plain background
# job of a script ignores SIGINT, and ros2 launch would then never shut down on it).
set -m
if [ -x .venv/bin/ros2 ]; then
  # The command a user types (ros2 CLI from ../shared/vendor/ros2, see scripts/setup_ros2_cli.sh).
  echo "[demo] ros2 launch depth_sr_ros sr.launch.py model:=$model (ROS_DOMAIN_ID=$ROS_DOMAIN_ID)"
  .venv/bin/ros2 launch depth_sr_ros sr.launch.py "model:=$model" "params_file:=$params" &
else
  echo "[demo] starting depth_sr_node (model $model, ROS_DOMAIN_ID=$ROS_DOMAIN_ID; no .venv/bin/ros2)"
  .venv/bin/depth_sr_node --ros-args --params-file "$params" -p "model:=$model" &
fi
node_pid=$!
set +m
stop_node() {
  # The whole process group, as Ctrl-C would: ros2 launch and the node it started. SIGINT is
  # ignored for good when this script itself was started with it ignored (nohup, `cmd &` in a
  # script), so SIGTERM follows, then SIGKILL; nothing of the demo outlives it.
  local signal
  for signal in INT TERM KILL; do
    kill -0 -- "-$node_pid" 2>/dev/null || break
    kill "-$signal" -- "-$node_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 -- "-$node_pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -f "$params"
}
trap stop_node EXIT
status=0
.venv/bin/python -m depth_sr_ros.ros.demo_player --out "$out" --node-pid "$node_pid" "$@" || status=$?
if [ "$status" -ne 0 ] && ! kill -0 "$node_pid" 2>/dev/null; then
  wait "$node_pid" || echo "[demo] depth_sr_node failed (exit $?); see its error line above" >&2
fi
exit "$status"
