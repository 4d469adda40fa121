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
Edge handling after the network: what happens to output pixels that float across a depth step.

A point between a foreground edge and the background is what RViz shows as a flying pixel and
what a mapper integrates as an obstacle. ``edge_mode`` decides what the resolver does with them:

  keep        the network's output unchanged
  snap        a flying pixel takes the depth of the nearer side of its step (lo or hi below)
  invalidate  a flying pixel becomes invalid (0 in uint16, NaN in float32), as mappers prefer

Discontinuity test, per valid output pixel p of the super-resolved depth d (invalid pixels are
ignored in every window; s = scale, span = max - min of the frame's valid output depth):
  lo, hi    min and max of d over the (2r+1)^2 window around p, r = ceil(radius * s) HR pixels
  step      hi - lo > edge_jump * span
  between   float_tol * (hi - lo) < min(d(p) - lo, hi - d(p)) <= max_gap * (hi - lo): p lies
            on neither side of the step
  narrow    at most ramp_share of the window's pixels are 'between' too: an edge's ramp is a
            thin band, a tilted plane or a smooth bump is 'between' everywhere
p is flying when all of them hold. keep leaves it, snap sets it to lo or hi (the nearer),
invalidate removes it. The constants (EdgeTest's defaults) were chosen on training frames of
RGB-D-D and Middlebury (benchmarks/edge_tuning.py, benchmarks/results/edge_tuning.json) and
scored on the held-out ones (benchmarks/quality.py --edge-modes, results/quality_edge_modes.json).
Cost: two min/max filters and one box filter (OpenCV) and a few element-wise passes over the
HR frame (benchmarks/edge_speed.py).
"""
from dataclasses import dataclass
import math

import cv2
from depth_sr_ros.data.degradation import local_extremes
import numpy as np

EDGE_MODES = ('keep', 'snap', 'invalidate')
DEFAULT_EDGE_MODE = 'keep'


@dataclass(frozen=True)
class EdgeTest:
    """The discontinuity test's constants (module docstring)."""

    radius: float = 1.0
    edge_jump: float = 0.05
    float_tol: float = 0.15
    max_gap: float = 0.5
    ramp_share: float = 0.3


DEFAULT_TEST = EdgeTest()


def check_edge_mode(mode):
    """One of EDGE_MODES, else a ValueError naming the choices."""
    if mode not in EDGE_MODES:
        raise ValueError(f'edge_mode must be one of {EDGE_MODES}, got {mode!r}')
    return mode


def flying_mask(depth, valid, scale, test=DEFAULT_TEST):
    """(flying, lo, hi): output pixels that pass the discontinuity test, and their step's sides."""
    values = depth[valid]
    if values.size == 0:
        return np.zeros(depth.shape, bool), depth, depth
    span = float(values.max() - values.min())
    r = max(1, math.ceil(test.radius * scale))
    lo, hi = local_extremes(depth, valid, radius=r)
    with np.errstate(over='ignore', invalid='ignore'):   # windows without valid pixels: +-max
        jump = np.where(valid, hi - lo, 0).astype(np.float32)
        between = valid & (jump > test.edge_jump * span)
        gap = np.minimum(depth - lo, hi - depth)
        between &= (gap > test.float_tol * jump) & (gap <= test.max_gap * jump)
    if test.ramp_share < 1 and between.any():
        k = (2 * r + 1, 2 * r + 1)
        share = cv2.boxFilter(between.astype(np.float32), -1, k, borderType=cv2.BORDER_REPLICATE)
        between &= share <= test.ramp_share
    return between, lo, hi


def apply_edge_mode(depth, valid, scale, mode, test=DEFAULT_TEST):
    """float32 HR depth and validity -> (depth, valid) after ``mode`` (check_edge_mode)."""
    if check_edge_mode(mode) == 'keep':
        return depth, valid
    flying, lo, hi = flying_mask(depth, valid, scale, test)
    if not flying.any():
        return depth, valid
    if mode == 'invalidate':
        return depth, valid & ~flying
    nearer = np.where(depth - lo <= hi - depth, lo, hi)
    return np.where(flying, nearer, depth).astype(np.float32), valid


def apply_to_output(out, scale, mode, test=DEFAULT_TEST):
    """Do the same on a finished output frame (uint16 0 = invalid, or float32 NaN = invalid)."""
    if check_edge_mode(mode) == 'keep':
        return out
    valid = out > 0 if out.dtype == np.uint16 else np.isfinite(out)
    depth, keep = apply_edge_mode(out.astype(np.float32), valid, scale, mode, test)
    if out.dtype == np.uint16:
        return np.where(keep, np.clip(np.rint(depth), 1, 65535), 0).astype(np.uint16)
    return np.where(keep, depth, np.nan).astype(np.float32)
