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
Done-when check on a bag whose messages come from real ROS 2.

The sensor_msgs are built with rclpy's message classes and serialized by the rmw (what
`ros2 bag record` stores): RealSense topic names, JPEG colour, aligned 16UC1 depth stamped
5 ms after colour, unrelated topics.
"""
import json

import cv2
from depth_sr_ros.cli import train_from_bag
from depth_sr_ros.data.bags import BagReadOptions, read_bag
from depth_sr_ros.data.synthetic import render_stream, to_uint16_mm
import numpy as np
import pytest
from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import get_typestore, Stores

# ROS 2's Python message stack: without it the module is skipped (rosbags is a core dependency).
rclpy_serialization = pytest.importorskip('rclpy.serialization')
sensor_msgs = pytest.importorskip('sensor_msgs.msg')
DiagnosticArray = pytest.importorskip('diagnostic_msgs.msg').DiagnosticArray

T0 = 1_731_000_000


def _stamp(header, t):
    header.stamp.sec = int(t)
    header.stamp.nanosec = int(round((t - int(t)) * 1e9))


def _write_ros2_bag(path, n=12, with_depth=True, storage=StoragePlugin.MCAP):
    store = get_typestore(Stores.ROS2_JAZZY)
    ser = rclpy_serialization.serialize_message
    frames = list(render_stream(n, rate_hz=30.0, width=64, height=48, seed=3))
    with Writer(path, version=9, storage_plugin=storage) as w:
        conns = {}

        def put(topic, msgtype, msg, t):
            if topic not in conns:
                conns[topic] = w.add_connection(topic, msgtype, typestore=store)
            w.write(conns[topic], int(t * 1e9), ser(msg))
        for i, f in enumerate(frames):
            t = T0 + i / 30.0
            c = sensor_msgs.CompressedImage()
            _stamp(c.header, t)
            c.header.frame_id = 'camera_color_optical_frame'
            c.format = 'rgb8; jpeg compressed bgr8'
            c.data = cv2.imencode('.jpg', f.rgb[:, :, ::-1])[1].tobytes()
            put(
                '/camera/camera/color/image_raw/compressed',
                'sensor_msgs/msg/CompressedImage',
                c,
                t + 0.001,
            )
            info = sensor_msgs.CameraInfo()
            info.header = c.header
            info.width, info.height = 64, 48
            info.k = f.K.ravel().tolist()
            info.p = np.hstack([f.K, np.zeros((3, 1))]).ravel().tolist()
            put('/camera/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo', info, t + 0.001)
            put('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray', DiagnosticArray(), t)
            if with_depth:
                d = sensor_msgs.Image()
                _stamp(d.header, t + 0.005)
                d.header.frame_id = 'camera_color_optical_frame'
                d.height, d.width, d.encoding, d.step = 48, 64, '16UC1', 128
                d.data = to_uint16_mm(f).tobytes()
                put(
                    '/camera/camera/aligned_depth_to_color/image_raw',
                    'sensor_msgs/msg/Image',
                    d,
                    t + 0.007,
                )
                info.header = d.header
                put(
                    '/camera/camera/aligned_depth_to_color/camera_info',
                    'sensor_msgs/msg/CameraInfo',
                    info,
                    t + 0.007,
                )
            ir = sensor_msgs.Image()
            _stamp(ir.header, t)
            ir.height, ir.width, ir.encoding, ir.step = 48, 64, 'mono8', 64
            ir.data = f.rgb[:, :, 1].tobytes()
            put('/camera/camera/infra1/image_rect_raw', 'sensor_msgs/msg/Image', ir, t)
    return frames


def test_rclpy_serialized_bag_reads_exactly(tmp_path):
    frames = _write_ros2_bag(tmp_path / 'rs', n=4, storage=StoragePlugin.SQLITE3)
    pairs, s = read_bag(tmp_path / 'rs', BagReadOptions(dedup_threshold=0), progress=False)
    assert s['rgb_topic'] == '/camera/camera/color/image_raw/compressed'
    assert s['depth_topic'] == '/camera/camera/aligned_depth_to_color/image_raw'
    assert s['depth_minus_colour_ms_median'] == pytest.approx(5.0, abs=0.01)
    for p, f, i in zip(pairs, frames, range(4)):
        assert p.timestamp == pytest.approx(T0 + i / 30.0, abs=1e-6)  # header stamp, not bag time
        np.testing.assert_array_equal(p.valid, f.valid)
        assert np.abs(p.depth - f.depth)[f.valid].max() <= 0.0005 + 1e-6


def test_done_when_train_from_ros2_bag_then_load(tmp_path, capsys):
    _write_ros2_bag(tmp_path / 'rs')
    out = tmp_path / 'M'
    code = train_from_bag.main(
        [
            '--bag',
            str(tmp_path / 'rs'),
            '--out',
            str(out),
            '--scale',
            '4',
            '--max-steps',
            '3',
            '--cache-dir',
            str(tmp_path / 'cache'),
            '--quiet',
        ]
    )
    assert code == 0, capsys.readouterr().err
    from depth_sr_ros.inference import DepthSuperResolver
    sr = DepthSuperResolver.load(str(out))
    assert sr.scale == 4 and sr.upsample(np.full((12, 16), 1.5, np.float32)).shape == (48, 64)
    report = json.loads((out / 'report.json').read_text())
    assert report['data']['bags'][0]['rgb_encoding'] == 'rgb8; jpeg compressed bgr8'

    _write_ros2_bag(tmp_path / 'no_depth', n=3, with_depth=False)
    empty = tmp_path / 'M2'
    assert (
        train_from_bag.main(
            [
                '--bag',
                str(tmp_path / 'no_depth'),
                '--out',
                str(empty),
                '--max-steps',
                '3',
                '--no-cache',
                '--quiet',
            ]
        )
        == 1
    )
    assert 'no depth topic' in capsys.readouterr().err
    assert not empty.exists() and not (tmp_path / 'M2.work').exists()
