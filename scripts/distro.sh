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

# Sourced by scripts/setup_venv.sh, scripts/setup_ros2_cli.sh and scripts/test.sh: the one place
# that maps a tested ROS 2 distribution to its venv and pinned PyPI wheel lists.
#   kilted (default): .venv/        requirements/ros-pypi.txt        ros2-cli-kilted.txt
#   jazzy:            .venv-jazzy/  requirements/ros-pypi-jazzy.txt  ros2-cli-jazzy.txt
# Call `select_distro NAME`; it sets distro, venv (absolute, unless VENV is set), ros_req, cli_req.
select_distro() {
  distro="$1"
  case "$distro" in
    kilted) ros_req=requirements/ros-pypi.txt; venv_name=.venv ;;
    jazzy) ros_req=requirements/ros-pypi-jazzy.txt; venv_name=.venv-jazzy ;;
    *) echo "[setup] ERROR: --distro $distro: one of kilted, jazzy" >&2; return 2 ;;
  esac
  cli_req="requirements/ros2-cli-$distro.txt"
  venv="${VENV:-$root/$venv_name}"
}

# parse_distro_args "$@": takes --distro NAME / --distro=NAME (default kilted) and leaves the
# other arguments in the array `rest`.
parse_distro_args() {
  local name=kilted
  rest=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --distro)
        [ $# -ge 2 ] || { echo '[setup] ERROR: --distro needs a name' >&2; return 2; }
        name="$2"
        shift 2 ;;
      --distro=*) name="${1#--distro=}"; shift ;;
      *) rest+=("$1"); shift ;;
    esac
  done
  select_distro "$name"
}
