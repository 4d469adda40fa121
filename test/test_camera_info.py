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

"""CameraInfo scaling follows the pixel-centre rule on K, P (incl. Tx), sizes and ROI."""
from depth_sr_ros.ros.camera_info import (
    expected_image_size,
    NO_INTRINSICS,
    OK,
    P_FROM_K,
    projection,
    scale_camera_info,
)
import numpy as np
import pytest
from sensor_msgs.msg import CameraInfo


def _info():
    i = CameraInfo(width=160, height=120, distortion_model='plumb_bob')
    i.header.frame_id = 'depth_optical'
    i.header.stamp.sec = 3
    i.k = [100.0, 0.0, 79.5, 0.0, 101.0, 59.5, 0.0, 0.0, 1.0]
    i.p = [100.0, 0.0, 79.5, -5.0, 0.0, 101.0, 59.5, 0.0, 0.0, 0.0, 1.0, 0.0]
    i.d = [0.1, -0.2, 0.0, 0.0, 0.01]
    i.r = [1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0]
    return i


def test_scaled_values():
    out, outcome = scale_camera_info(_info(), 4)
    assert outcome == OK
    # cx' = 4*(79.5+0.5)-0.5 = 319.5: the image centre stays the image centre.
    np.testing.assert_allclose(out.k, [400, 0, 319.5, 0, 404, 239.5, 0, 0, 1])
    np.testing.assert_allclose(out.p, [400, 0, 319.5, -20, 0, 404, 239.5, 0, 0, 0, 1, 0])
    assert (out.width, out.height) == (640, 480)
    assert list(out.d) == [0.1, -0.2, 0.0, 0.0, 0.01] and out.distortion_model == 'plumb_bob'
    assert out.header.frame_id == 'depth_optical' and out.header.stamp.sec == 3
    assert expected_image_size(out) == (640, 480)


def test_p_from_k_and_no_intrinsics():
    i = _info()
    i.p = [0.0] * 12
    out, outcome = scale_camera_info(i, 2)
    assert outcome == P_FROM_K
    np.testing.assert_allclose(out.p, [200, 0, 159.5, 0, 0, 202, 119.5, 0, 0, 0, 1, 0])
    i.k = [0.0] * 9
    out, outcome = scale_camera_info(i, 2)
    assert outcome == NO_INTRINSICS
    assert not any(out.k) and not any(out.p) and (out.width, out.height) == (320, 240)


def test_roi_binning_and_missing_size():
    i = _info()
    i.binning_x = i.binning_y = 2
    i.roi.x_offset, i.roi.y_offset, i.roi.width, i.roi.height = 10, 20, 80, 60
    out, _ = scale_camera_info(i, 4)
    assert (out.binning_x, out.binning_y) == (2, 2)
    assert (out.roi.x_offset, out.roi.y_offset, out.roi.width, out.roi.height) == (
        40,
        80,
        320,
        240,
    )
    assert expected_image_size(out) == (160, 120) == tuple(4 * v for v in expected_image_size(i))
    j = _info()
    j.width = j.height = 0
    out, _ = scale_camera_info(j, 4, image_width=160, image_height=120)
    assert (out.width, out.height) == (640, 480)


def test_projection_folds_binning_and_roi():
    i = _info()
    assert projection(i) == pytest.approx((100, 101, 79.5, 59.5))
    i.binning_x = i.binning_y = 2
    i.roi.x_offset = 10
    fx, fy, cx, cy = projection(i)
    assert (fx, fy) == pytest.approx((50, 50.5))
    assert cx == pytest.approx((79.5 - 10 + 0.5) / 2 - 0.5)
