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

"""The CameraInfo rule and the degradation must agree on where pixel centres are."""
from depth_sr_ros.data.degradation import downsample
from depth_sr_ros.pixel_grid import scale_intrinsics
import numpy as np


def test_scale_intrinsics_values():
    K = [500.0, 0, 319.5, 0, 510.0, 239.5, 0, 0, 1]
    P = [500.0, 0, 319.5, -25.0, 0, 510.0, 239.5, 0, 0, 0, 1, 0]
    K4, P4 = scale_intrinsics(K, P, 4)
    assert K4[0, 0] == 2000 and K4[1, 1] == 2040
    assert K4[0, 2] == 4 * (319.5 + 0.5) - 0.5 == 1279.5
    assert K4[1, 2] == 959.5
    assert P4[0, 3] == -100.0 and P4[2, 2] == 1 and P4[2, 3] == 0
    np.testing.assert_array_equal(P4[:, :3], K4)


def test_zero_projection_is_derived_from_k():
    K = np.array([[100.0, 0, 40], [0, 100, 30], [0, 0, 1]])
    _, P2 = scale_intrinsics(K, np.zeros(12), 2)
    assert P2[0, 0] == 200 and P2[0, 2] == 80.5 and P2[0, 3] == 0


def test_projection_matches_area_degradation():
    """Render HR column coordinates, downsample like the trainer, project like the node."""
    s, h, w = 4, 32, 48
    u = np.tile(np.arange(w, dtype=np.float32), (h, 1))
    lr_u, _ = downsample(u, np.ones_like(u, bool), s, sampling='area')
    K_lr = np.array([[50.0, 0, 5.5], [0, 50, 3.5], [0, 0, 1]])
    K_hr, _ = scale_intrinsics(K_lr, np.zeros(12), s)
    for x_over_z in (-0.1, 0.0, 0.05):
        col_lr = K_lr[0, 0] * x_over_z + K_lr[0, 2]        # where the LR camera sees the ray
        col_hr = K_hr[0, 0] * x_over_z + K_hr[0, 2]        # where the scaled CameraInfo says
        # The HR coordinate stored at LR column col_lr (linear in the column) equals col_hr.
        i = int(col_lr)
        frac = col_lr - i
        stored = (1 - frac) * lr_u[0, i] + frac * lr_u[0, i + 1]
        assert abs(stored - col_hr) < 1e-4
