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

"""atomic_path: the target is replaced only by a complete write; a failed write leaves nothing."""
from depth_sr_ros.atomic import atomic_path, write_text_atomic
import pytest


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / 'sub' / 'metrics.json'
    write_text_atomic(target, 'old')
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == target.parent and tmp.suffix == '.json' and tmp != target
            tmp.write_text('half')
            raise RuntimeError('crash mid-write')
    assert target.read_text() == 'old'
    assert sorted(p.name for p in target.parent.iterdir()) == ['metrics.json']
    write_text_atomic(target, 'new')
    assert target.read_text() == 'new'


def test_written_files_get_the_usual_permissions(tmp_path):
    """Reports and model files must be readable like any other file, not mkstemp's 0600."""
    import os
    mask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / 'report.json', '{}')
    finally:
        os.umask(mask)
    assert (tmp_path / 'report.json').stat().st_mode & 0o777 == 0o644
