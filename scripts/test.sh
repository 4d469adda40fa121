#!/usr/bin/env bash
# The README's test command: set up .venv (Kilted) and .venv-jazzy, run the whole suite on Kilted
# and the ROS-facing tests (pytest marker `ros`, set by test/conftest.py on every module that uses
# test/ros_helpers.py) on Jazzy, then prove the package builds and installs as a ROS 2
# ament_python package with colcon. CI runs exactly this. Arguments go to both pytest runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/distro.sh
bash scripts/setup_venv.sh
bash scripts/setup_venv.sh --distro jazzy
t0=$SECONDS
.venv/bin/python -m pytest -q -p no:cacheprovider test "$@"
echo "[test] kilted, whole suite: $((SECONDS - t0)) s"
select_distro jazzy
t0=$SECONDS
"$venv/bin/python" -m pytest -q -p no:cacheprovider -m ros test "$@"
echo "[test] jazzy, ROS-facing tests: $((SECONDS - t0)) s"
bash scripts/check_colcon_install.sh
