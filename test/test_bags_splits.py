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

"""Held-out split by time blocks: sizes, blocks spread over time, no neighbours on both sides."""
from types import SimpleNamespace

from depth_sr_ros.data.splits import split_by_time, split_by_time_blocks
import pytest


def _frames(n, dt=1 / 15, t0=100.0):
    return [SimpleNamespace(timestamp=t0 + i * dt, capture_id=str(i)) for i in range(n)]


def _index(frames):
    return sorted(int(f.capture_id) for f in frames)


def test_fraction_blocks_and_gap_neighbours():
    frames = _frames(200)
    train, val = split_by_time_blocks(
        frames[::-1], val_fraction=0.15, blocks=3
    )  # input order irrelevant
    vi, ti = _index(val), _index(train)
    assert len(vi) == 30
    assert not set(vi) & set(ti)
    # three contiguous runs spread over the recording
    runs = [[vi[0]]]
    for i in vi[1:]:
        (runs[-1].append(i) if i == runs[-1][-1] + 1 else runs.append([i]))
    assert len(runs) == 3
    assert runs[0][0] < 60 and 60 < runs[1][0] < 140 and runs[2][-1] > 140
    # no validation frame has a training neighbour
    for i in vi:
        assert i - 1 not in ti and i + 1 not in ti
    assert len(ti) == 200 - 30 - 6
    assert [f.timestamp for f in train] == sorted(f.timestamp for f in train)


def test_gap_seconds_removes_more_frames():
    frames = _frames(100)
    train, val = split_by_time_blocks(frames, val_fraction=0.2, blocks=1, gap_s=0.5)
    vt = [f.timestamp for f in val]
    assert all(min(abs(f.timestamp - t) for t in vt) > 0.5 for f in train)
    assert len(train) == 100 - 20 - 2 * 7      # 0.5 s at 15 Hz = 7 frames each side


def test_split_by_time_auto_and_edge_cases():
    train, val = split_by_time(_frames(40), val_fraction=0.15)
    assert len(val) == 6 and len(train) == 40 - 6 - 2
    train, val = split_by_time(_frames(10), val_fraction=0.0)
    assert len(train) == 10 and val == []
    with pytest.raises(ValueError, match='too few'):
        split_by_time(_frames(2))
    with pytest.raises(ValueError, match='val_fraction'):
        split_by_time(_frames(20), val_fraction=1.0)
