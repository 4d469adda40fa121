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

"""rgb8 colour-mapped depth preview for people watching in RViz (invalid pixels black)."""
import cv2
from depth_sr_ros.ros.conversions import valid_mask
import numpy as np


def colour_range(depth_m, valid, lo=0.0, hi=0.0):
    """(lo, hi) metres: the fixed range if hi > lo, else the frame's 2nd-98th percentile."""
    if hi > lo:
        return float(lo), float(hi)
    if not valid.any():
        return 0.0, 1.0
    a, b = np.percentile(depth_m[valid], [2, 98])
    return float(a), float(max(b, a + 1e-3))


def colorize(depth, lo=0.0, hi=0.0):
    """Map HxW depth (uint16 mm / float32 m) to HxWx3 uint8 RGB (TURBO colour map, near = blue)."""
    valid = valid_mask(depth)
    m = depth.astype(np.float32) * (
        np.float32(0.001) if depth.dtype == np.uint16 else np.float32(1)
    )
    lo, hi = colour_range(m, valid, lo, hi)
    x = np.where(valid, (m - lo) / (hi - lo), 0)
    u8 = np.clip(np.rint(x * 255), 0, 255).astype(np.uint8)
    rgb = cv2.cvtColor(cv2.applyColorMap(u8, cv2.COLORMAP_TURBO), cv2.COLOR_BGR2RGB)
    rgb[~valid] = 0
    return rgb
