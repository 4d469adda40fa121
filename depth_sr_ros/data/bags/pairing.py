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
Colour/depth pairing by header stamp (approximate time sync), subsampling, near-duplicate skip.

Why: colour and depth are published separately; depth usually lags colour by a few ms (or
runs at another rate). Each colour frame takes the closest unused depth frame within a
slop (default: half the median colour frame period, so a frame can never pair with its
neighbour's partner); every frame that is not used is counted under a reason, so a user can
see *why* a 10 000-frame bag gave 300 pairs.
"""
from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np

DEFAULT_SLOP_FRACTION = 0.5
FALLBACK_SLOP_S = 0.02            # when a stream has a single frame there is no period to measure


def median_period(stamps):
    """Median spacing of sorted stamps (seconds), None with fewer than two frames."""
    s = np.sort(np.asarray(stamps, dtype=np.float64))
    d = np.diff(s)
    d = d[d > 0]
    return float(np.median(d)) if d.size else None


def default_slop(color_stamps, depth_stamps, fraction=DEFAULT_SLOP_FRACTION):
    """``fraction`` of the slower stream's median frame period."""
    periods = [p for p in (median_period(color_stamps), median_period(depth_stamps)) if p]
    return fraction * max(periods) if periods else FALLBACK_SLOP_S


@dataclass
class Matching:
    """Result of time sync: (colour index, depth index) pairs in colour-time order, drop counts."""

    pairs: list
    dropped: Counter = field(default_factory=Counter)
    slop_s: float = 0.0
    offsets_s: list = field(default_factory=list)     # depth - colour stamp per pair


def match_by_time(color_stamps, depth_stamps, slop_s):
    """Greedy one-to-one matching by smallest |dt| within ``slop_s`` (each frame used once)."""
    if slop_s <= 0:
        raise ValueError(f'slop must be positive, got {slop_s}')
    c = np.asarray(color_stamps, dtype=np.float64)
    d = np.asarray(depth_stamps, dtype=np.float64)
    d_order = np.argsort(d, kind='stable')
    d_sorted = d[d_order]
    cands = []
    lo = np.searchsorted(d_sorted, c - slop_s, side='left')
    hi = np.searchsorted(d_sorted, c + slop_s, side='right')
    for ci in range(len(c)):
        for k in range(lo[ci], hi[ci]):
            cands.append((abs(d_sorted[k] - c[ci]), ci, int(d_order[k])))
    cands.sort()
    used_c, used_d, pairs = set(), set(), []
    for _, ci, di in cands:
        if ci in used_c or di in used_d:
            continue
        used_c.add(ci)
        used_d.add(di)
        pairs.append((ci, di))
    pairs.sort(key=lambda p: (c[p[0]], p[0]))
    dropped = Counter()
    if len(c) - len(pairs):
        dropped['colour_without_depth_within_slop'] = len(c) - len(pairs)
    if len(d) - len(pairs):
        dropped['depth_without_colour_within_slop'] = len(d) - len(pairs)
    return Matching(pairs, dropped, float(slop_s), [float(d[di] - c[ci]) for ci, di in pairs])


def subsample(pairs, every=1, max_pairs=None):
    """
    Keep every ``every``-th pair, then at most ``max_pairs`` spread evenly over the recording.

    Returns (kept pairs, Counter of dropped by reason).
    """
    if every < 1:
        raise ValueError(f'--every must be >= 1, got {every}')
    if max_pairs is not None and max_pairs < 1:
        raise ValueError(f'--max-pairs must be >= 1, got {max_pairs}')
    dropped = Counter()
    kept = list(pairs[::every])
    if len(pairs) - len(kept):
        dropped['every'] = len(pairs) - len(kept)
    if max_pairs and len(kept) > max_pairs:
        idx = np.unique(np.round(np.linspace(0, len(kept) - 1, max_pairs)).astype(int))
        dropped['max_pairs'] = len(kept) - len(idx)
        kept = [kept[i] for i in idx]
    return kept, dropped


class DuplicateFilter:
    """
    Skips frames that barely differ from the last *kept* frame (a robot standing still).

    Compared on 32x24 area-averaged thumbnails (sensor noise averages out): a frame is a
    near-duplicate when the median relative depth change is below ``threshold`` and the mean
    grey-level change is below ``grey_levels``. Comparing with the last kept frame (not the
    previous one) means slow motion still yields frames once it has accumulated.
    ``threshold <= 0`` disables the filter.
    """

    def __init__(self, threshold=0.003, grey_levels=1.5, size=(32, 24)):
        self.threshold, self.grey_levels, self.size = float(threshold), float(grey_levels), size
        self._last = None

    def _thumb(self, rgb, depth, valid):
        v = valid.astype(np.float32)
        num = cv2.resize(
            np.where(valid, depth, 0).astype(np.float32), self.size, interpolation=cv2.INTER_AREA
        )
        den = cv2.resize(v, self.size, interpolation=cv2.INTER_AREA)
        grey = cv2.resize(
            rgb.astype(np.float32).mean(axis=2), self.size, interpolation=cv2.INTER_AREA
        )
        ok = den > 0.5
        return np.where(ok, num / np.maximum(den, 1e-6), 0), ok, grey

    def is_duplicate(self, rgb, depth, valid):
        """Return True if the frame should be skipped; otherwise it becomes the new reference."""
        if self.threshold <= 0:
            return False
        cur = self._thumb(rgb, depth, valid)
        last, self._last = self._last, cur
        if last is None:
            return False
        d0, ok0, g0 = last
        d1, ok1, g1 = cur
        both = ok0 & ok1
        if both.sum() < 0.25 * both.size:
            return False
        rel = np.median(np.abs(d1[both] - d0[both]) / np.maximum(d0[both], 1e-6))
        dup = rel < self.threshold and np.abs(g1 - g0).mean() < self.grey_levels
        if dup:
            self._last = last      # keep comparing with the last kept frame
        return bool(dup)
