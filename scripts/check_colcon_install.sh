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

# Builds the package with colcon (as on a ROS 2 distribution) into a temporary workspace,
# sources its setup and checks what `ros2 run` / `ros2 launch` would rely on: the executables in
# lib/depth_sr_ros and launch/, config/, models/ in the share directory found via the ament index.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/src/depth_sr_ros"
# Copy the package as git sees it (tracked + untracked, not ignored), never .venv or build output.
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$ws/src/depth_sr_ros")
export PATH="$root/.venv/bin:$PATH"
(cd "$ws" && colcon --log-base log build \
   --event-handlers console_direct- > build.log 2>&1) || { cat "$ws/build.log"; echo "[colcon] build FAILED"; exit 1; }
set +u
# shellcheck disable=SC1091
source "$ws/install/setup.bash"
set -u
lib="$ws/install/depth_sr_ros/lib/depth_sr_ros"
for exe in depth_sr_node train_from_bag; do
  [ -x "$lib/$exe" ] || { echo "[colcon] missing executable $lib/$exe"; ls -l "$lib" || true; exit 1; }
  "$lib/$exe" --help > /dev/null || { echo "[colcon] '$exe --help' failed"; exit 1; }
done
cd "$ws"   # away from the source tree so the installed package is the one imported
python - <<'PY'
import os
from ament_index_python.packages import get_package_share_directory
share = get_package_share_directory('depth_sr_ros')
assert share.startswith(os.environ['COLCON_PREFIX_PATH'].split(':')[0]) or '/install/' in share, share
for sub, pattern in [('launch', '.launch.py'), ('config', '.yaml'), ('config', '.rviz'), ('models', '')]:
    path = os.path.join(share, sub)
    names = os.listdir(path) if os.path.isdir(path) else []
    assert any(n.endswith(pattern) for n in names), f'{path} has no *{pattern}: {names}'
from depth_sr_ros.training.comparison import reference_pairs
assert len(reference_pairs()) == 18, 'the forgetting reference scenes are not installed'
print('[colcon] ok:', share, sorted(os.listdir(share)))
PY
