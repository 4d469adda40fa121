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
