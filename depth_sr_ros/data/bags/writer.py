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
Write registered RGB-D pairs as a rosbag2 (what an aligned RealSense recording looks like).

Why: folder data (RGB-D-D, Middlebury layouts) then flows through the same bag path as real
recordings. Topics: /camera/color/image_raw (rgb8 Image) or .../compressed (JPEG), the
registered depth on /camera/aligned_depth_to_color/image_raw (16UC1 millimetres, 0 invalid),
and a CameraInfo beside each; both images in one optical frame. The bag is written to a
temporary directory and renamed into place, so a failure never leaves a half bag.
"""
import os
from pathlib import Path
import shutil

import cv2
import numpy as np

COLOR_TOPIC = '/camera/color/image_raw'
DEPTH_TOPIC = '/camera/aligned_depth_to_color/image_raw'
COLOR_INFO_TOPIC = '/camera/color/camera_info'
DEPTH_INFO_TOPIC = '/camera/aligned_depth_to_color/camera_info'
FRAME_ID = 'camera_color_optical_frame'
DEPTH_ONLY_TOPIC = '/camera/depth/image_raw'          # a depth camera without colour
DEPTH_ONLY_INFO_TOPIC = '/camera/depth/camera_info'
DEPTH_ONLY_FRAME_ID = 'camera_depth_optical_frame'


class RGBDBagWriter:
    """Context manager: ``with RGBDBagWriter(out) as w: w.write(rgb, depth_mm, K, stamp)``."""

    def __init__(
        self, out, storage='sqlite3', compressed=False, jpeg_quality=95, frame_id=FRAME_ID
    ):
        from rosbags.rosbag2 import StoragePlugin, Writer
        from rosbags.typesys import get_typestore, Stores
        self.out = Path(out)
        if self.out.exists():
            raise FileExistsError(f'{self.out} exists; choose a new output path')
        plugins = {'sqlite3': StoragePlugin.SQLITE3, 'mcap': StoragePlugin.MCAP}
        if storage not in plugins:
            raise ValueError(f'storage must be one of {sorted(plugins)}, got {storage!r}')
        self.tmp = self.out.with_name(f'.{self.out.name}.tmp-{os.getpid()}')
        self.store = get_typestore(Stores.ROS2_JAZZY)
        self.compressed, self.jpeg_quality, self.frame_id = compressed, int(jpeg_quality), frame_id
        self.writer = Writer(self.tmp, version=9, storage_plugin=plugins[storage])
        self.conns = {}
        self.count = 0

    def __enter__(self):
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.writer.open()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self.writer.close()
        finally:
            if exc_type is None:
                os.replace(self.tmp, self.out)
            elif self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def _conn(self, topic, msgtype):
        if topic not in self.conns:
            self.conns[topic] = self.writer.add_connection(topic, msgtype, typestore=self.store)
        return self.conns[topic]

    def _header(self, stamp):
        T = self.store.types
        sec = int(np.floor(stamp))
        nsec = min(int(round((stamp - sec) * 1e9)), 999_999_999)
        return T['std_msgs/msg/Header'](
            stamp=T['builtin_interfaces/msg/Time'](sec=sec, nanosec=nsec), frame_id=self.frame_id
        )

    def _info(self, header, K, width, height):
        T = self.store.types
        K = np.asarray(K, np.float64).reshape(3, 3)
        P = np.hstack([K, np.zeros((3, 1))]).ravel()
        roi = T['sensor_msgs/msg/RegionOfInterest'](
            x_offset=0, y_offset=0, height=0, width=0, do_rectify=False
        )
        return T['sensor_msgs/msg/CameraInfo'](
            header=header,
            height=height,
            width=width,
            distortion_model='plumb_bob',
            d=np.zeros(5),
            k=K.ravel(),
            r=np.eye(3).ravel(),
            p=P,
            binning_x=0,
            binning_y=0,
            roi=roi,
        )

    def _write(self, topic, msgtype, msg, stamp):
        self.writer.write(
            self._conn(topic, msgtype),
            int(round(stamp * 1e9)),
            self.store.serialize_cdr(msg, msgtype),
        )

    def write(self, rgb, depth_mm, K, stamp):
        """
        Write one registered pair.

        rgb uint8 HxWx3 (RGB), depth uint16 HxW millimetres, K 3x3, stamp s. ``rgb=None``: a
        depth-only frame on DEPTH_ONLY_TOPIC (a sensor without colour).
        """
        if rgb is None:
            return self._write_depth_only(depth_mm, K, stamp)
        T = self.store.types
        h, w = depth_mm.shape
        if rgb.shape[:2] != (h, w) or depth_mm.dtype != np.uint16:
            raise ValueError(
                f'need rgb HxWx3 and uint16 depth of one size, got {rgb.shape} and '
                f'{depth_mm.dtype} '
                f'{depth_mm.shape}'
            )
        header = self._header(stamp)
        if self.compressed:
            ok, buf = cv2.imencode(
                '.jpg', rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality]
            )
            if not ok:
                raise ValueError('JPEG encoding failed')
            msg = T['sensor_msgs/msg/CompressedImage'](
                header=header, format='rgb8; jpeg compressed bgr8', data=buf.ravel()
            )
            self._write(COLOR_TOPIC + '/compressed', 'sensor_msgs/msg/CompressedImage', msg, stamp)
        else:
            msg = T['sensor_msgs/msg/Image'](
                header=header,
                height=h,
                width=w,
                encoding='rgb8',
                is_bigendian=0,
                step=w * 3,
                data=np.ascontiguousarray(rgb).ravel(),
            )
            self._write(COLOR_TOPIC, 'sensor_msgs/msg/Image', msg, stamp)
        depth = np.ascontiguousarray(depth_mm, dtype='<u2')
        msg = T['sensor_msgs/msg/Image'](
            header=header,
            height=h,
            width=w,
            encoding='16UC1',
            is_bigendian=0,
            step=w * 2,
            data=depth.view(np.uint8).ravel(),
        )
        self._write(DEPTH_TOPIC, 'sensor_msgs/msg/Image', msg, stamp)
        info = self._info(header, K, w, h)
        self._write(COLOR_INFO_TOPIC, 'sensor_msgs/msg/CameraInfo', info, stamp)
        self._write(DEPTH_INFO_TOPIC, 'sensor_msgs/msg/CameraInfo', info, stamp)
        self.count += 1

    def _write_depth_only(self, depth_mm, K, stamp):
        if depth_mm.dtype != np.uint16 or depth_mm.ndim != 2:
            raise ValueError(f'need uint16 HxW depth, got {depth_mm.dtype} {depth_mm.shape}')
        T = self.store.types
        h, w = depth_mm.shape
        header = self._header(stamp)
        header.frame_id = DEPTH_ONLY_FRAME_ID
        depth = np.ascontiguousarray(depth_mm, dtype='<u2')
        msg = T['sensor_msgs/msg/Image'](header=header, height=h, width=w, encoding='16UC1',
                                         is_bigendian=0, step=w * 2,
                                         data=depth.view(np.uint8).ravel())
        self._write(DEPTH_ONLY_TOPIC, 'sensor_msgs/msg/Image', msg, stamp)
        info = self._info(header, K, w, h)
        self._write(DEPTH_ONLY_INFO_TOPIC, 'sensor_msgs/msg/CameraInfo', info, stamp)
        self.count += 1
