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
The one pixel-centre convention shared by degradation, resampling and CameraInfo scaling.

Pixel centres are aligned: LR pixel i covers HR pixels [i*s, (i+1)*s) and its centre lies at
HR coordinate (i + 0.5) * s - 0.5. torch ``interpolate(..., align_corners=False)`` and
``cv2.resize`` sample this way, so the node's CameraInfo and the trainer's LR images agree.
(image_proc's resize uses cx' = s*cx, which is only right for top-left sampling.)
"""
import numpy as np


def scale_principal_point(c, s):
    """Map a principal-point coordinate through an upscale by ``s`` (centre-aligned)."""
    return s * (c + 0.5) - 0.5


def scale_intrinsics(K, P, s):
    """
    Return (K', P') for an image upscaled by ``s``.

    K is 3x3 (or 9 values), P is 3x4 (or 12). fx, fy and the skew scale by s, cx, cy follow
    :func:`scale_principal_point`, and P's Tx/Ty (fx*baseline terms) scale by s. If P is all
    zeros it is derived from K (P = [K | 0]), as downstream tools read P.
    """
    K = np.asarray(K, dtype=np.float64).reshape(3, 3)
    P = np.asarray(P, dtype=np.float64).reshape(3, 4)
    if not P.any():
        P = np.hstack([K, np.zeros((3, 1))])
    K2, P2 = K.copy(), P.copy()
    for M in (K2, P2):
        M[0, 0] *= s
        M[0, 1] *= s
        M[1, 1] *= s
        M[0, 2] = scale_principal_point(M[0, 2], s)
        M[1, 2] = scale_principal_point(M[1, 2], s)
    P2[0, 3] *= s
    P2[1, 3] *= s
    return K2, P2


def lr_to_hr_index(i, s):
    """Return the first HR pixel index covered by LR pixel ``i`` (nearest-neighbour source)."""
    return np.asarray(i) * s
