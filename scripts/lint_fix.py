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
Bring the tree as close to the ROS 2 linters (ament_flake8, ament_pep257, copyright) as a tool can.

Mechanical and behaviour-preserving only; safe to run again (a second run changes nothing):
  1. the copyright + Apache-2.0 header on every *.py / *.sh (scripts/license_header.py);
  2. '# isort: skip' dropped, then ruff's safe fixes in flake8-import-order's google order
     (ament's), single quotes, dict() -> {}, unused imports, docstring layout (summary on the
     second line, closing quotes alone, final period); files that read their own __doc__ at run
     time keep their docstrings (their output would change);
  3. each statement ament_flake8 flags for layout (over 99 columns, indentation, blank lines,
     semicolons): `ruff format` of that statement only (quotes preserved), so the rest of the
     file keeps its layout; lines inside multi-line strings are left alone (their value).
  4. what the linters still report (long strings and comments, multi-line docstring summaries,
     names) is written to test/lint_residual.json: the linter tests allow exactly that much, so
     nothing new gets in while a person fixes the rest (then runs this again to lower it).
"""
import contextlib
import io
import json
import os
from pathlib import Path
import re
import subprocess
import sys
import tokenize

import ament_flake8
from ament_flake8.main import main_with_errors

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / 'scripts'), str(ROOT / 'test')]
import license_header  # noqa: E402  (scripts/ is not a package)
import lint_residual  # noqa: E402  (nor is test/)

RUFF_CONFIG = ROOT / 'scripts' / 'lint_fix_ruff.toml'
ISORT_SKIP = re.compile(r'^([ \t]*(?:from|import) .*?)  # isort: skip$', re.MULTILINE)
AMENT_FLAKE8_CONFIG = Path(ament_flake8.__file__).parent / 'configuration' / 'ament_flake8.ini'


def ruff(*args):
    command = [sys.executable, '-m', 'ruff', *args, '--config', str(RUFF_CONFIG)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def python_files():
    return [p for p in license_header.source_files([ROOT]) if p.suffix == '.py']


def drop_isort_skips(paths):
    """flake8-import-order checks every import; an isort skip only hides it from the sorter."""
    for path in paths:
        text = path.read_text(encoding='utf-8')
        fixed = ISORT_SKIP.sub(r'\1', text)
        if fixed != text:
            license_header.rewrite(path, fixed)


def multiline_string_lines(text):
    """1-based numbers of the lines inside multi-line strings (formatting would change them)."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and token.start[0] != token.end[0]:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines


def layout_errors(paths):
    """{path: lines} ament_flake8 flags for layout (length, indentation, blank lines, ';')."""
    command = [sys.executable, '-m', 'flake8', '--config', str(AMENT_FLAKE8_CONFIG),
               '--select=E1,E2,E3,E501,E70', '--format=%(path)s:%(row)d', *map(str, paths)]
    rows = {}
    output = subprocess.run(command, capture_output=True, text=True).stdout
    for path, row in re.findall(r'^(.+\.py):(\d+)$', output, re.MULTILINE):  # not show-source
        rows.setdefault(Path(path), set()).add(int(row))
    return rows


def reformat_flagged_statements(paths, passes=3):
    """
    `ruff format` only the statements flake8 flags, bottom up so earlier rows keep their numbers.

    A formatted statement can move rows below it; the next pass re-checks, until nothing changes.
    """
    for _ in range(passes):
        changed = False
        for path, rows in layout_errors(paths).items():
            before = path.read_text(encoding='utf-8')
            skip = multiline_string_lines(before)
            for row in sorted(rows - skip, reverse=True):
                lines = path.read_text(encoding='utf-8').splitlines()
                if row > len(lines):
                    continue
                span = f'--range={row}:1-{row}:{len(lines[row - 1]) + 1}'
                result = ruff('format', span, str(path))
                if result.returncode != 0:
                    print(f'{path}:{row}: ruff format failed: {result.stderr.strip()}')
            changed |= path.read_text(encoding='utf-8') != before
        if not changed:
            return


def strip_trailing_blank_lines(path):
    """W391: a file ends with exactly one newline."""
    text = path.read_text(encoding='utf-8')
    if text.strip() and text != text.rstrip('\n') + '\n':
        license_header.rewrite(path, text.rstrip('\n') + '\n')


def record_residual():
    """Write what the linters still report to test/lint_residual.json (the tests' allowance)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        quiet = io.TextIOWrapper(io.BytesIO())   # flake8 writes to sys.stdout.buffer
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            _, errors = main_with_errors(argv=[])
            pep257 = lint_residual.pep257_findings()
    finally:
        os.chdir(cwd)
    residual = {'flake8': lint_residual.as_table(lint_residual.flake8_findings(errors)),
                'pep257': lint_residual.as_table(pep257)}
    license_header.rewrite(lint_residual.RESIDUAL, json.dumps(residual, indent=1) + '\n')
    for linter, table in residual.items():
        total = sum(sum(codes.values()) for codes in table.values())
        print(f'{linter}: {total} findings left in {len(table)} files (test/lint_residual.json)')


def main():
    for path in license_header.source_files([ROOT]):
        text = path.read_text(encoding='utf-8')
        if text.strip() and not license_header.has_header(text):
            license_header.rewrite(path, license_header.add_header(text))
    files = python_files()
    drop_isort_skips(files)
    reads_doc = [p for p in files if '__doc__' in p.read_text(encoding='utf-8')]
    others = [p for p in files if p not in reads_doc]
    for group, extra in ((others, []), (reads_doc, ['--ignore', 'D'])):
        if group:
            result = ruff('check', '--fix', '--exit-zero', '--quiet', *extra, *map(str, group))
            if result.stderr.strip():
                print(result.stderr.strip())
    for path in files:
        strip_trailing_blank_lines(path)
    reformat_flagged_statements(files)
    print(f'lint_fix: {len(files)} Python files; docstrings kept in {len(reads_doc)} that read '
          'their own __doc__:')
    for path in reads_doc:
        print(f'  {path.relative_to(ROOT)}')
    record_residual()
    return 0


if __name__ == '__main__':
    sys.exit(main())
