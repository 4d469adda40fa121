#!/usr/bin/env bash
# The README's test command: set up .venv, run the whole suite, then prove the package builds
# and installs as a ROS 2 ament_python package with colcon. CI runs exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup_venv.sh
.venv/bin/python -m pytest -q -p no:cacheprovider test "$@"
bash scripts/check_colcon_install.sh
