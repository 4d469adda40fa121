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
CameraInfo for the super-resolved image: the package's one pixel-centre rule applied to ROS fields.

RViz's DepthCloud and depth_image_proc read fx, fy, cx, cy from **P** and reject images whose
size differs from CameraInfo width/height (or ROI) divided by binning, so K, P (incl. Tx),
width, height and ROI all scale by s; binning, D, R, distortion model, stamp and frame_id are
kept. The maths lives in :func:`depth_sr_ros.pixel_grid.scale_intrinsics`.
"""
import copy

from depth_sr_ros.pixel_grid import scale_intrinsics
import numpy as np

# Outcomes of scale_camera_info (the node warns once about the last two).
OK, P_FROM_K, NO_INTRINSICS = 'ok', 'p_from_k', 'no_intrinsics'


def scale_camera_info(info, s, image_width=None, image_height=None):
    """
    Return (CameraInfo for the image upscaled by ``s``, outcome).

    outcome: OK; P_FROM_K (P was all zeros and was derived from K, as downstream tools read P);
    NO_INTRINSICS (K and P all zeros: passed through with only the sizes scaled).
    If ``info`` has no width/height (0), they are taken from the LR image size (times binning).
    """
    out = copy.deepcopy(info)
    K = np.asarray(info.k, dtype=np.float64)
    P = np.asarray(info.p, dtype=np.float64)
    if not K.any() and not P.any():
        outcome = NO_INTRINSICS
    else:
        outcome = OK if P.any() else P_FROM_K
        K2, P2 = scale_intrinsics(K, P, s)
        out.k = K2.reshape(-1).tolist()
        out.p = P2.reshape(-1).tolist()
    bx, by = max(info.binning_x, 1), max(info.binning_y, 1)
    width = info.width or (image_width or 0) * bx
    height = info.height or (image_height or 0) * by
    out.width, out.height = int(width * s), int(height * s)
    roi = info.roi
    out.roi.x_offset, out.roi.y_offset = roi.x_offset * s, roi.y_offset * s
    out.roi.width, out.roi.height = roi.width * s, roi.height * s
    return out, outcome


def expected_image_size(info):
    """(width, height) of the image a CameraInfo describes (ROI if set, divided by binning)."""
    bx, by = max(info.binning_x, 1), max(info.binning_y, 1)
    w = info.roi.width or info.width
    h = info.roi.height or info.height
    return w // bx, h // by


def projection(info):
    """
    (fx, fy, cx, cy) in the pixel grid of the published image, from P (as depth_image_proc does).

    Binning and ROI are folded in with the centre-aligned convention, so points computed with
    these values land where RViz's DepthCloud puts them.
    """
    P = np.asarray(info.p, dtype=np.float64).reshape(3, 4)
    if not P.any():
        P = np.hstack([np.asarray(info.k, dtype=np.float64).reshape(3, 3), np.zeros((3, 1))])
    bx, by = max(info.binning_x, 1), max(info.binning_y, 1)
    fx, fy = P[0, 0] / bx, P[1, 1] / by
    cx = (P[0, 2] - info.roi.x_offset + 0.5) / bx - 0.5
    cy = (P[1, 2] - info.roi.y_offset + 0.5) / by - 0.5
    return fx, fy, cx, cy


def stamp_skew_s(info, image):
    """Seconds between the stamps of ``info`` and ``image`` (messages with a header)."""
    a, b = info.header.stamp, image.header.stamp
    return abs((a.sec - b.sec) + (a.nanosec - b.nanosec) * 1e-9)
