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
Optional motion-gated temporal filter for a camera that mostly looks at static scenes.

Per pixel it keeps a running average of the super-resolved output. A new value within ``gate``
(a share of the frame's depth range) of the average is blended in (a running mean over the last
frames, at least weight ``alpha``); a value farther away - motion, a new object, a scene cut -
replaces the average at once. The share of pixels that moved so is watched: a frame where it
exceeds ``motion_factor`` times its usual level (a running mean over still frames, at least
``motion_share``) is camera motion or a scene cut, and every average restarts, so the small
changes that come with the motion are not delayed either. What remains filtered is a change below
the gate in an otherwise still frame, which is treated as noise and settles geometrically with
``alpha``. An invalid output pixel stays invalid (the filter never fills holes) and leaves its
average untouched; a new frame size restarts.
"""
import numpy as np


class TemporalFilter:
    """update(output) -> filtered output, same dtype (uint16 0 / float32 NaN = invalid)."""

    def __init__(self, alpha=0.25, gate=0.02, motion_share=0.01, motion_factor=3.0):
        if not 0 < alpha <= 1:
            raise ValueError(f'temporal filter alpha must be in (0, 1], got {alpha!r}')
        if gate < 0:
            raise ValueError(f'temporal filter gate must be >= 0, got {gate!r}')
        self.alpha, self.gate = float(alpha), float(gate)
        self.motion_share, self.motion_factor = float(motion_share), float(motion_factor)
        self.reset()

    def reset(self):
        self._mean = None
        self._count = None
        self._usual = None   # usual share of moved pixels in a still frame

    def update(self, out):
        valid = out > 0 if out.dtype == np.uint16 else np.isfinite(out)
        depth = out.astype(np.float32)
        if self._mean is None or self._mean.shape != out.shape:
            return self._restart(out, depth, valid)
        values = depth[valid]
        span = float(values.max() - values.min()) if values.size else 0.0
        with np.errstate(invalid='ignore'):
            close = valid & (np.abs(depth - self._mean) <= self.gate * span)
        fresh = valid & ~close       # moved, or no average yet (NaN compares False): restart
        share = float((fresh & np.isfinite(self._mean)).sum()) / max(int(valid.sum()), 1)
        if self._usual is None:                 # first comparison: learn the level, capped
            self._usual = min(share, 0.1)
        elif share > max(self.motion_share, self.motion_factor * self._usual):
            return self._restart(out, depth, valid)
        else:
            self._usual = 0.8 * self._usual + 0.2 * share
        self._count = np.where(close, self._count + 1, np.where(fresh, 1.0, self._count))
        weight = np.maximum(1.0 / np.maximum(self._count, 1.0), self.alpha)
        self._mean = np.where(close, self._mean + weight * (depth - self._mean),
                              np.where(fresh, depth, self._mean)).astype(np.float32)
        if out.dtype == np.uint16:
            return np.where(valid, np.clip(np.rint(self._mean), 1, 65535), 0).astype(np.uint16)
        return np.where(valid, self._mean, np.nan).astype(np.float32)

    def _restart(self, out, depth, valid):
        self._mean = np.where(valid, depth, np.nan).astype(np.float32)
        self._count = valid.astype(np.float32)
        return out
