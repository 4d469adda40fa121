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

"""
Linter findings a person still has to fix, as recorded by scripts/lint_fix.py.

test/lint_residual.json holds, per linter, file and code, how many findings the mechanical fixes
left. The linter tests fail on anything beyond those counts, so nothing new gets in while the
rest is fixed by hand; delete the file when it is empty (then the tests are ament's own).
"""
from collections import Counter
import json
import os
from pathlib import Path
import re

ROOT = Path(__file__).resolve().parents[1]
RESIDUAL = ROOT / 'test' / 'lint_residual.json'
FLAKE8_LINE = re.compile(r'^(\S+?\.py):\d+:\d+: ([A-Z]+\d+) ')


def flake8_findings(errors):
    """(path, code) of each ament_flake8 error line."""
    return [(os.path.normpath(m[1]), m[2]) for m in map(FLAKE8_LINE.match, errors) if m]


def pep257_findings():
    """(path, code) of each ament_pep257 finding under the current directory, ament's selection."""
    from ament_pep257 import main as pep257
    report = pep257.generate_pep257_report(['.'], [], ','.join(pep257._ament_ignore), '',
                                           'ament', '', '')
    return [(os.path.normpath(path), error['category'].split(':')[0])
            for path, errors in report for error in errors]


def as_table(findings):
    """{path: {code: count}} in a stable order."""
    table = {}
    for (path, code), count in sorted(Counter(findings).items()):
        table.setdefault(path, {})[code] = count
    return table


def beyond_residual(linter, findings):
    """List findings of `linter` above the recorded counts ('path: code found N, recorded M')."""
    recorded = json.loads(RESIDUAL.read_text())[linter] if RESIDUAL.exists() else {}
    return [f'{path}: {code} found {count}, recorded {recorded.get(path, {}).get(code, 0)}'
            for path, codes in as_table(findings).items() for code, count in codes.items()
            if count > recorded.get(path, {}).get(code, 0)]
