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
Held-out splits by time block, with a gap, so no neighbouring frames sit on both sides.

Why: consecutive frames of a stream are near copies; a random split would put the twin of
every validation frame in the training set and report a memorised, optimistic error. Taking
whole blocks of time for validation and dropping the frames bordering each block (and any
within ``gap_s`` of it) keeps the held-out numbers honest for bags and time-stamped folders.
"""
import numpy as np


def _auto_blocks(n_val):
    """
    Return the number of held-out blocks.

    A few blocks spread over the recording (scene variety), each long enough to matter.
    """
    return int(max(1, min(4, n_val // 8)))


def split_by_time_blocks(pairs, val_fraction=0.15, blocks=None, gap_s=None):
    """
    Split ``pairs`` (anything with ``.timestamp``) into (train, val), both time-ordered.

    ``blocks`` validation blocks of consecutive frames (in time order) are spread evenly over
    the timeline, together about ``val_fraction`` of the frames. The frames directly before
    and after each block are dropped from training, and so is every frame within ``gap_s``
    seconds of a block (``None``: neighbours only). ``val_fraction=0`` returns (all, []).
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f'val_fraction must be in [0, 1), got {val_fraction}')
    if gap_s is not None and gap_s < 0:
        raise ValueError(f'gap_s must be >= 0, got {gap_s}')
    ordered = sorted(pairs, key=lambda p: p.timestamp)
    n = len(ordered)
    if val_fraction == 0.0 or n == 0:
        return ordered, []
    n_val = max(1, int(round(val_fraction * n)))
    if n < 3 or n - n_val < 2:
        raise ValueError(
            f'{n} pairs are too few for a held-out split with val_fraction={val_fraction} '
            '(need at least one training frame besides the gap frames)'
        )
    k = _auto_blocks(n_val) if blocks is None else int(blocks)
    if k < 1:
        raise ValueError(f'blocks must be >= 1, got {blocks}')
    k = min(k, n_val)
    sizes = [n_val // k + (1 if i < n_val % k else 0) for i in range(k)]
    is_val = np.zeros(n, bool)
    for i, size in enumerate(sizes):
        centre = (i + 0.5) * n / k                       # centre of the i-th of k equal segments
        start = int(np.clip(round(centre - size / 2), 0, n - size))
        is_val[start:start + size] = True
    excluded = np.zeros(n, bool)
    excluded[1:] |= is_val[:-1] & ~is_val[1:]           # frame right after a block
    excluded[:-1] |= is_val[1:] & ~is_val[:-1]          # frame right before a block
    if gap_s:
        stamps = np.array([p.timestamp for p in ordered], dtype=np.float64)
        val_stamps = np.sort(stamps[is_val])
        pos = np.searchsorted(val_stamps, stamps)
        before = np.abs(stamps - val_stamps[np.clip(pos - 1, 0, len(val_stamps) - 1)])
        after = np.abs(val_stamps[np.clip(pos, 0, len(val_stamps) - 1)] - stamps)
        excluded |= np.minimum(before, after) <= gap_s
    excluded &= ~is_val
    train = [p for p, v, x in zip(ordered, is_val, excluded) if not v and not x]
    val = [p for p, v in zip(ordered, is_val) if v]
    if not train:
        raise ValueError(f'no training frames left after the held-out split of {n} pairs '
                         f'(gap_s={gap_s}); lower val_fraction or gap_s')
    return train, val


def split_by_time(pairs, val_fraction=0.15, gap_s=None):
    """Time-block split with an automatic number of blocks (see :func:`split_by_time_blocks`)."""
    return split_by_time_blocks(pairs, val_fraction=val_fraction, blocks=None, gap_s=gap_s)


def hold_out_last(pairs, n):
    """
    (kept, held_out): the last ``n`` pairs in load (file-name) order are held out.

    For image sets without a timeline (Middlebury scenes): the bundled models train on the
    first scenes and `benchmarks/quality.py` scores the last ``n`` nobody trained on.
    """
    if n < 0:
        raise ValueError(f'hold-out count must be >= 0, got {n}')
    if n >= len(pairs) and pairs:
        raise ValueError(f'cannot hold out the last {n} of only {len(pairs)} pairs')
    return (list(pairs[:len(pairs) - n]), list(pairs[len(pairs) - n:])) if n else (list(pairs), [])
