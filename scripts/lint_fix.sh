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

# Mechanical, behaviour-preserving fixes towards the ROS 2 linters (scripts/lint_fix.py says
# which), then the linter tests, which list what is left for a person. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup_venv.sh > /dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/lint-fix.txt \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
.venv/bin/python scripts/lint_fix.py
OMP_NUM_THREADS=1 .venv/bin/python -m pytest -q -p no:cacheprovider test/test_copyright.py \
  test/test_flake8.py test/test_pep257.py test/test_xmllint.py || {
  echo "[lint_fix] left for a person: the failures above"; exit 1; }
