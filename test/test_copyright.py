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
Every source file carries the copyright + Apache-2.0 header (ament_copyright's rule).

ament_copyright is not on PyPI, so scripts/license_header.py applies its rule; the unit tests
below pin what that rule accepts and rejects.
"""
import importlib.util
from pathlib import Path
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location('license_header',
                                               ROOT / 'scripts' / 'license_header.py')
license_header = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(license_header)


@pytest.mark.linter
def test_copyright():
    out = subprocess.run([sys.executable, str(ROOT / 'scripts/license_header.py'), '--check'],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_rule_accepts_ament_headers_and_rejects_partial_ones():
    ament_style = ('# Copyright 2015-2017, 2026 Open Source Robotics Foundation, Inc.\n#\n'
                   + ''.join(f'# {line}'.rstrip() + '\n' for line in
                             license_header.NOTICE.splitlines()) + '\nimport os\n')
    assert license_header.has_header(ament_style)
    assert license_header.has_header('#!/usr/bin/env bash\n\n' + license_header.HEADER)
    no_notice = '# Copyright 2026 depth_sr_ros developers\n# SPDX-License-Identifier: Apache-2.0\n'
    assert not license_header.has_header(no_notice)
    notice_in_docstring = '"""Copyright 2026 x\n\n' + license_header.NOTICE + '\n"""\n'
    assert not license_header.has_header(notice_in_docstring)
    cut = license_header.HEADER.replace('limitations under the License.', '')
    assert not license_header.has_header(cut)


def test_add_keeps_shebang_and_code_and_is_idempotent(tmp_path):
    script = tmp_path / 'run.sh'
    script.write_text('#!/usr/bin/env bash\nset -euo pipefail\necho ok\n')
    script.chmod(0o755)
    module = tmp_path / 'pkg' / 'mod.py'
    module.parent.mkdir()
    module.write_text('"""Doc."""\nX = 1\n')
    empty = tmp_path / 'pkg' / '__init__.py'
    empty.write_text('')
    built = tmp_path / 'build' / 'pkg' / 'mod.py'       # colcon output: not a source file
    built.parent.mkdir(parents=True)
    built.write_text('X = 1\n')
    (tmp_path / 'build' / 'COLCON_IGNORE').write_text('')
    assert license_header.main(['--check', str(tmp_path)]) == 1
    assert license_header.main(['--add', str(tmp_path)]) == 0
    text = script.read_text()
    assert text.startswith('#!/usr/bin/env bash\n\n# Copyright 2026 depth_sr_ros developers\n')
    assert text.endswith('\n\nset -euo pipefail\necho ok\n') and script.stat().st_mode & 0o111
    assert module.read_text() == license_header.HEADER + '\n"""Doc."""\nX = 1\n'
    assert empty.read_text() == '' and built.read_text() == 'X = 1\n'
    assert license_header.main(['--check', str(tmp_path)]) == 0
    before = {p: p.read_text() for p in (script, module)}
    license_header.main(['--add', str(tmp_path)])
    assert {p: p.read_text() for p in (script, module)} == before
