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
Organised PointCloud2 (x, y, z float32, NaN for invalid) from depth and its CameraInfo.

Same maths as depth_image_proc's point_cloud_xyz (fx, fy, cx, cy read from P), vectorised.
"""
import array

from depth_sr_ros.ros.camera_info import projection
from depth_sr_ros.ros.conversions import valid_mask
import numpy as np


def depth_to_xyz(depth, info):
    """
    Project HxW depth (uint16 mm / float32 m) to points.

    The result is HxWx3 float32 metres in the optical frame, NaN where invalid.
    """
    fx, fy, cx, cy = projection(info)
    if fx == 0 or fy == 0:
        raise ValueError(
            'CameraInfo has no focal length (K and P are zero): cannot compute points'
        )
    h, w = depth.shape
    valid = valid_mask(depth)
    z = depth.astype(np.float32) * (
        np.float32(0.001) if depth.dtype == np.uint16 else np.float32(1)
    )
    z[~valid] = np.nan
    u = (np.arange(w, dtype=np.float32) - np.float32(cx)) / np.float32(fx)
    v = (np.arange(h, dtype=np.float32) - np.float32(cy)) / np.float32(fy)
    xyz = np.empty((h, w, 3), np.float32)
    xyz[..., 0] = u[None, :] * z
    xyz[..., 1] = v[:, None] * z
    xyz[..., 2] = z
    return xyz


def xyz_to_cloud(xyz, header):
    """HxWx3 float32 -> organised sensor_msgs/PointCloud2 (is_dense False: NaN marks invalid)."""
    from sensor_msgs.msg import PointCloud2, PointField
    h, w, _ = xyz.shape
    msg = PointCloud2(header=header, height=h, width=w, is_bigendian=False, is_dense=False,
                      point_step=12, row_step=12 * w)
    msg.fields = [PointField(name=n, offset=4 * i, datatype=PointField.FLOAT32, count=1)
                  for i, n in enumerate('xyz')]
    msg.data = array.array('B', np.ascontiguousarray(xyz, dtype='<f4').tobytes())
    return msg
