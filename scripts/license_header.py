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
Check or add the copyright + Apache-2.0 header of every source file (*.py, *.sh).

The rule is ament_copyright's (not on PyPI, so not runnable here): after an optional shebang or
coding line, the first comment block holds a 'Copyright <years> <holder>' line followed by the
Apache-2.0 notice. An SPDX identifier line sits between the two. Directories starting with '.'
or '_' are skipped, as ament_copyright does, and so are those holding AMENT_IGNORE or
COLCON_IGNORE (colcon's build/, install/, log/) and empty files.

  python scripts/license_header.py --check [paths...]   exit 1 listing the files without it
  python scripts/license_header.py --add [paths...]     add it where missing (idempotent)
"""
import argparse
import os
from pathlib import Path
import re
import shutil
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
HOLDER = 'depth_sr_ros developers'
YEAR = 2026
NOTICE = """Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License."""
HEADER_LINES = [f'Copyright {YEAR} {HOLDER}', 'SPDX-License-Identifier: Apache-2.0', '',
                *NOTICE.splitlines()]
HEADER = '\n'.join(('# ' + line).rstrip() for line in HEADER_LINES) + '\n'
COPYRIGHT_LINE = re.compile(r'^copyright(\s+\(c\))?\s+\d{4}(-\d{4})?(,\s*\d{4}(-\d{4})?)*,?\s+\S',
                            re.IGNORECASE)
SUFFIXES = ('.py', '.sh')
IGNORE_MARKERS = {'AMENT_IGNORE', 'COLCON_IGNORE'}   # e.g. colcon's build/, install/, log/


def source_files(paths):
    """Files to check under paths, skipping '.'/'_' and AMENT_IGNORE/COLCON_IGNORE directories."""
    for path in paths:
        path = Path(path)
        if path.is_file():
            yield path
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            if IGNORE_MARKERS & set(filenames):
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if d[0] not in '._')
            for name in sorted(filenames):
                if name.endswith(SUFFIXES):
                    yield Path(dirpath) / name


def _preamble_end(lines):
    """Index of the first line after the shebang / coding lines."""
    index = 0
    while index < len(lines) and lines[index].startswith('#') and (
            lines[index].startswith('#!') or 'coding:' in lines[index]
            or 'coding=' in lines[index]):
        index += 1
    return index


def has_header(text):
    """Whether the first comment block has a copyright line followed by the Apache notice."""
    lines = text.splitlines()
    index = _preamble_end(lines)
    while index < len(lines) and not lines[index].strip():
        index += 1
    block = []
    while index < len(lines) and lines[index].startswith('#'):
        block.append(lines[index][1:].strip())
        index += 1
    for position, line in enumerate(block):
        if COPYRIGHT_LINE.match(line):
            rest = ' '.join(' '.join(block[position + 1:]).split())
            return ' '.join(NOTICE.split()) in rest
    return False


def add_header(text):
    """Text with the header after the shebang / coding lines (unchanged if it has one)."""
    if not text.strip() or has_header(text):
        return text
    lines = text.splitlines(keepends=True)
    index = _preamble_end(lines)
    preamble, body = ''.join(lines[:index]), ''.join(lines[index:]).lstrip('\n')
    return preamble + ('\n' if preamble else '') + HEADER + '\n' + body


def rewrite(path, text):
    """Write path atomically, keeping the mode of the file it replaces (scripts stay runnable)."""
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', dir=path.parent)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0].strip())
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--check', action='store_true', help='list files without the header')
    mode.add_argument('--add', action='store_true', help='add the header where it is missing')
    parser.add_argument('paths', nargs='*', default=[str(ROOT)])
    args = parser.parse_args(argv)
    missing = []
    for path in source_files(args.paths):
        text = path.read_text(encoding='utf-8')
        if not text.strip() or has_header(text):
            continue
        if args.add:
            rewrite(path, add_header(text))
            print(f'added: {path}')
        else:
            missing.append(path)
    for path in missing:
        print(f'{path}: no copyright/Apache-2.0 header', file=sys.stderr)
    if args.check:
        print(f'{len(missing)} files without the header')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
