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
Per-pixel confidence of a super-resolved depth frame: 0..1, higher = more likely right.

No second network and no retraining: each candidate is an uncertainty u (depth units) that costs
a few filters over the HR frame, mapped to confidence exp(-u / (TAU * span)), span = the
frame's valid output depth range; invalid output pixels get 0. Candidates (benchmarks/
confidence_eval.py measures how well each one orders the pixels by their error):
  disagreement  |output - hole-aware bicubic of the input|, max over a 3x3 window: where the
                network moved far from the smooth interpolation it made an edge or a detail
  local_range   max - min of the output over the (2s+1)^2 window: distance to a discontinuity
  local_std     standard deviation of the output over the (2s+1)^2 window
  combined      disagreement + local_range / 2
"""
import cv2
from depth_sr_ros.data.degradation import local_extremes
from depth_sr_ros.data.normalization import fill_invalid_nearest
import numpy as np
import torch
import torch.nn.functional as F

CONFIDENCE_KINDS = ('disagreement', 'local_range', 'local_std', 'combined')
DEFAULT_KIND = 'combined'
TAU = 0.02   # uncertainty of 2% of the frame's depth range -> confidence 1/e


def hole_aware_bicubic(lr, lr_valid, scale):
    """Holes filled with the nearest valid value, then centre-aligned bicubic (float32 HR)."""
    filled = fill_invalid_nearest(np.where(lr_valid, lr, 0).astype(np.float32), lr_valid)
    with torch.inference_mode():
        up = F.interpolate(torch.from_numpy(filled)[None, None], scale_factor=scale,
                           mode='bicubic', align_corners=False)[0, 0].numpy()
    return up


def _window_max(x, radius):
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    return cv2.dilate(x, kernel, borderType=cv2.BORDER_REPLICATE)


def uncertainty(out, valid, lr, lr_valid, scale, kind=DEFAULT_KIND):
    """Return u per HR pixel in depth units (float32; invalid: 0) for one of CONFIDENCE_KINDS."""
    if kind not in CONFIDENCE_KINDS:
        raise ValueError(f'confidence kind must be one of {CONFIDENCE_KINDS}, got {kind!r}')
    depth = np.where(valid, out, 0).astype(np.float32)
    terms = []
    if kind in ('disagreement', 'combined'):
        bic = hole_aware_bicubic(lr, lr_valid, scale)
        terms.append(_window_max(np.where(valid, np.abs(depth - bic), 0).astype(np.float32), 1))
    if kind in ('local_range', 'combined'):
        lo, hi = local_extremes(depth, valid, radius=scale)
        with np.errstate(over='ignore', invalid='ignore'):
            rng = np.where(valid, hi - lo, 0).astype(np.float32)
        terms.append(rng if kind == 'local_range' else 0.5 * rng)
    if kind == 'local_std':
        k = (2 * scale + 1, 2 * scale + 1)
        w = cv2.boxFilter(valid.astype(np.float32), -1, k, normalize=False)
        s1 = cv2.boxFilter(depth, -1, k, normalize=False)
        s2 = cv2.boxFilter(depth * depth, -1, k, normalize=False)
        mean = s1 / np.maximum(w, 1)
        terms.append(np.sqrt(np.maximum(s2 / np.maximum(w, 1) - mean * mean, 0)))
    return np.where(valid, sum(terms), 0).astype(np.float32)


def confidence(out, valid, lr, lr_valid, scale, kind=DEFAULT_KIND):
    """float32 0..1 per HR pixel: exp(-u / (TAU * span)); 0 where the output is invalid."""
    values = out[valid]
    if values.size == 0:
        return np.zeros(out.shape, np.float32)
    span = max(float(values.max() - values.min()), 1e-6)
    u = uncertainty(out, valid, lr, lr_valid, scale, kind)
    return np.where(valid, np.exp(-u / (TAU * span)), 0).astype(np.float32)
