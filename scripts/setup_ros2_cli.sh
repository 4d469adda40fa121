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

# Installs the real `ros2` CLI (ros2 launch / run / pkg) into .venv from the vendored upstream
# sources in ../shared/vendor/ros2 (launch, launch_ros, ros2launch, ros2cli, ros2pkg, ros2run,
# composition_interfaces; see that folder's README), for machines without a ROS 2 distribution.
# On a ROS 2 distribution all of these come from the distribution: this script is not needed.
#
#   bash scripts/setup_ros2_cli.sh [--distro kilted|jazzy] [VENDOR_DIR]   (called by setup_venv.sh)
#
# VENDOR_DIR defaults to $DEPTH_SR_ROS2_VENDOR, else ../shared/vendor/ros2 beside the repository.
# Without it: one line saying so, exit 0 (everything else works; launch tests skip).
# Every version it installs is pinned (requirements/ros2-cli.txt and ros2-cli-<distro>.txt; the
# venv and lists per distribution are in scripts/distro.sh; the sources are fixed
# snapshots); any failing step stops it with a non-zero exit. Idempotent: a stamp of the inputs
# skips the build when nothing changed and the result still works.
#
# Result: the venv is an ament prefix holding launch, launch_ros, the ros2 CLI and a
# rosidl-built composition_interfaces (installed like the PyPI ROS wheels: lib/, share/,
# site-packages), depth_sr_ros laid out as ament expects (share/depth_sr_ros/{launch,config,
# models,package.xml} and lib/depth_sr_ros/<executables>, symlinked to this source tree like
# `colcon build --symlink-install`), and .venv/bin/ros2: a wrapper that sets AMENT_PREFIX_PATH
# (the PyPI wheels' bootstrap sets LD_LIBRARY_PATH itself), so nothing needs to be sourced.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/distro.sh"
parse_distro_args "$@"
vendor="${rest[0]:-${DEPTH_SR_ROS2_VENDOR:-$root/../shared/vendor/ros2}}"
py="$venv/bin/python"
pip=("$py" -m pip install --quiet --disable-pip-version-check)
packages=(launch launch_ros ros2launch ros2cli ros2pkg ros2run)

if [ ! -d "$vendor" ]; then
  echo "[setup] no vendored ROS 2 launch/CLI sources at $vendor: skipping $venv/bin/ros2" \
       "(ros2 launch/run tests will skip)"
  exit 0
fi
vendor="$(cd "$vendor" && pwd)"
for name in "${packages[@]}" composition_interfaces; do
  [ -f "$vendor/$name.tar.gz" ] || { echo "[setup] ERROR: $vendor/$name.tar.gz missing" >&2; exit 1; }
done

fail() { echo "[setup] ERROR: $*" >&2; exit 1; }

works() {  # the installed result imports and answers
  AMENT_PREFIX_PATH="$venv" "$py" -c 'import launch, launch_ros, ros2cli, composition_interfaces.srv' 2>/dev/null \
    && [ -x "$venv/bin/ros2" ] && "$venv/bin/ros2" pkg prefix rclpy > /dev/null 2>&1
}

stamp="$venv/.depth_sr_ros-ros2-cli.sha256"
want=$(cat "$vendor"/*.tar.gz "$root/requirements/ros2-cli.txt" "$root/$cli_req" \
  "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! works; then
  rm -f "$stamp"
  t0=$SECONDS
  echo "[setup] installing ros2 launch/run/pkg from $vendor (pinned; builds composition_interfaces, ~1-2 min)"
  # the runtime list as -r, not -c (pip refuses a constraint with an extra: rclpy[fastrtps])
  "${pip[@]}" -r "$root/requirements/ros2-cli.txt" -r "$root/$cli_req" -r "$root/$ros_req" \
    -c "$root/requirements/core.txt" -c "$root/requirements/dev.txt" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) \
    || fail "pip install -r requirements/ros2-cli.txt -r $cli_req failed"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for name in "${packages[@]}" composition_interfaces; do
    tar -xzf "$vendor/$name.tar.gz" -C "$work" || fail "cannot extract $name.tar.gz"
    [ -f "$work/$name/package.xml" ] || fail "$name.tar.gz has no $name/package.xml"
  done
  # Pure-Python ament packages: a plain (non-editable) install; their data_files (ament index
  # markers, package.xml) land in the venv prefix, which serves as the ament prefix.
  "${pip[@]}" --no-deps --no-build-isolation "${packages[@]/#/$work/}" || fail "pip install of the vendored launch/ros2cli sources failed"

  # The wheels' generator_py cmake exports hard-code the wheel builder's include paths.
  inc_py=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  inc_np=$("$py" -c 'import numpy; print(numpy.get_include())')
  [ -f "$inc_py/Python.h" ] || fail "Python headers not found at $inc_py (install python3-dev)"
  shopt -s nullglob
  exports=("$venv"/share/*/cmake/export_*__rosidl_generator_pyExport.cmake)
  shopt -u nullglob
  [ "${#exports[@]}" -gt 0 ] || fail "no rosidl_generator_py cmake exports in $venv/share: the ROS wheels changed"
  sed -i -e "s#/opt/python/cp311-cp311/include/python3.11#$inc_py#g" \
         -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#$inc_np#g" "${exports[@]}"
  left=$(grep -l "/opt/python" "$venv"/share/*/cmake/*.cmake || true)
  [ -z "$left" ] || fail "wheel cmake files still name the wheel builder's /opt/python paths: $left"

  # composition_interfaces (.srv package): the rosidl toolchain, installed into the venv prefix.
  (
    export AMENT_PREFIX_PATH="$venv" CMAKE_PREFIX_PATH="$venv" PATH="$venv/bin:$PATH"
    cmake -S "$work/composition_interfaces" -B "$work/build" -DCMAKE_INSTALL_PREFIX="$venv" \
      -DCMAKE_PREFIX_PATH="$venv" -DPython3_EXECUTABLE="$py" -DBUILD_TESTING=OFF \
      -DCMAKE_BUILD_TYPE=Release > "$work/build.log" 2>&1 \
      && cmake --build "$work/build" -j "$(nproc)" >> "$work/build.log" 2>&1 \
      && cmake --install "$work/build" >> "$work/build.log" 2>&1
  ) || { tail -n 40 "$work/build.log" >&2; fail "building composition_interfaces failed (log above)"; }
  AMENT_PREFIX_PATH="$venv" "$py" -c 'import launch_ros, composition_interfaces.srv' \
    || fail "launch_ros / composition_interfaces do not import after the build"
  echo "$want" > "$stamp.new"
  built=1
  echo "[setup] ros2 CLI built in $((SECONDS - t0)) s"
fi

# .venv/bin/ros2: the ros2cli console script, with the venv as the ament prefix.
cat > "$venv/bin/ros2.new" <<'EOF'
#!/bin/sh
# Generated by scripts/setup_ros2_cli.sh: the ros2 CLI (launch, run, pkg) of this venv, with the
# venv as the ament prefix. LD_LIBRARY_PATH is set by the PyPI ROS wheels' own bootstrap.
venv="$(cd "$(dirname "$0")/.." && pwd)"
export AMENT_PREFIX_PATH="$venv${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
exec "$venv/bin/python" -c 'import sys; sys.argv[0] = "ros2"; from ros2cli.cli import main; sys.exit(main())' "$@"
EOF
chmod +x "$venv/bin/ros2.new"
mv -f "$venv/bin/ros2.new" "$venv/bin/ros2"

# depth_sr_ros in the ament layout `ros2 run` / `ros2 launch` look up (symlinks into this tree).
mkdir -p "$venv/share/ament_index/resource_index/packages" "$venv/share/depth_sr_ros" "$venv/lib/depth_sr_ros"
rel="$(realpath -m --relative-to="$venv/share/depth_sr_ros" "$root")"
: > "$venv/share/ament_index/resource_index/packages/depth_sr_ros"
for item in package.xml config models; do
  ln -sfn "$rel/$item" "$venv/share/depth_sr_ros/$item"
done
# launch/ as a real folder of file links: `ros2 launch` searches the share folder with os.walk,
# which does not descend into a symlinked folder.
rm -rf "$venv/share/depth_sr_ros/launch"
mkdir "$venv/share/depth_sr_ros/launch"
for file in "$root"/launch/*.launch.py; do
  ln -s "../$rel/launch/$(basename "$file")" "$venv/share/depth_sr_ros/launch/"
done
for exe in depth_sr_node depth_sr_lifecycle_node train_from_bag train folder_to_bag; do
  if [ -x "$venv/bin/$exe" ]; then ln -sfn "../../bin/$exe" "$venv/lib/depth_sr_ros/$exe"; fi
done

"$venv/bin/ros2" pkg prefix rclpy > /dev/null || fail "$venv/bin/ros2 does not run"
if [ -n "${built:-}" ]; then mv -f "$stamp.new" "$stamp"; fi
echo "[setup] ok: $venv/bin/ros2 (launch, run, pkg) from $vendor"
