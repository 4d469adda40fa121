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
Done-when check on a bag written by code we did not write.

The writer is Foxglove's `mcap_ros2` (its own CDR serialiser, zstd-compressed chunks, the .mcap
file `ros2 bag record -s mcap` makes): RealSense ROS 2 wrapper topic names, JPEG colour, aligned
16UC1 depth stamped 4 ms after colour, unrelated IMU / tf_static / diagnostics topics.
"""
import json

import cv2
from depth_sr_ros.cli import train_from_bag
from depth_sr_ros.data.synthetic import render_stream, to_uint16_mm
from depth_sr_ros.inference import DepthSuperResolver
import numpy as np
import pytest
from rosbags.typesys import get_typestore, Stores

mcap_ros2_writer = pytest.importorskip('mcap_ros2.writer')

T0 = 1_731_000_000.0
TYPES = ('sensor_msgs/msg/CompressedImage', 'sensor_msgs/msg/Image', 'sensor_msgs/msg/CameraInfo',
         'sensor_msgs/msg/Imu', 'tf2_msgs/msg/TFMessage', 'diagnostic_msgs/msg/DiagnosticArray')


def _msgdef(store, msgtype):
    """
    Return the ROS 2 .msg text (with dependencies) for the mcap schema.

    rosbags spells the Header stamp as ROS 1's builtin `time`; ROS 2 schemas (and mcap_ros2)
    need builtin_interfaces/Time.
    """
    text = store.generate_msgdef(msgtype)[0]
    if 'time stamp' in text and 'MSG: builtin_interfaces/Time' not in text:
        text = text.replace('time stamp', 'builtin_interfaces/Time stamp').rstrip('\n')
        text += '\n' + '=' * 80 + '\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n'
    return text


def _header(t, frame):
    return {'stamp': {'sec': int(t), 'nanosec': int(round((t - int(t)) * 1e9))}, 'frame_id': frame}


def _info(t, frame, K, w, h):
    return {'header': _header(t, frame), 'height': h, 'width': w, 'distortion_model': 'plumb_bob',
            'd': [0.0] * 5, 'k': K.ravel().tolist(), 'r': np.eye(3).ravel().tolist(),
            'p': np.hstack([K, np.zeros((3, 1))]).ravel().tolist(), 'binning_x': 0, 'binning_y': 0,
            'roi': {'x_offset': 0, 'y_offset': 0, 'height': 0, 'width': 0, 'do_rectify': False}}


def write_realsense_mcap(path, n=12, with_depth=True):
    store = get_typestore(Stores.ROS2_JAZZY)
    frames = list(render_stream(n, rate_hz=30.0, width=64, height=48, seed=5))
    with open(path, 'wb') as handle:
        writer = mcap_ros2_writer.Writer(handle)
        schemas = {t: writer.register_msgdef(t, _msgdef(store, t)) for t in TYPES}

        def put(topic, msgtype, msg, t):
            ns = int(t * 1e9)
            writer.write_message(topic, schemas[msgtype], msg, log_time=ns, publish_time=ns)
        put('/tf_static', 'tf2_msgs/msg/TFMessage', {'transforms': [{
            'header': _header(T0, 'camera_link'), 'child_frame_id': 'camera_color_optical_frame',
            'transform': {'translation': {'x': 0.0, 'y': 0.0, 'z': 0.0},
                          'rotation': {'x': -0.5, 'y': 0.5, 'z': -0.5, 'w': 0.5}}}]}, T0)
        for i, f in enumerate(frames):
            t = T0 + i / 30.0
            jpeg = cv2.imencode('.jpg', f.rgb[:, :, ::-1])[1].tobytes()
            put(
                '/camera/camera/color/image_raw/compressed',
                'sensor_msgs/msg/CompressedImage',
                {
                    'header': _header(t, 'camera_color_optical_frame'),
                    'format': 'rgb8; jpeg compressed bgr8',
                    'data': jpeg,
                },
                t + 0.002,
            )
            put('/camera/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo',
                _info(t, 'camera_color_optical_frame', f.K, 64, 48), t + 0.002)
            if with_depth:
                td = t + 0.004
                put(
                    '/camera/camera/aligned_depth_to_color/image_raw',
                    'sensor_msgs/msg/Image',
                    {
                        'header': _header(td, 'camera_color_optical_frame'),
                        'height': 48,
                        'width': 64,
                        'encoding': '16UC1',
                        'is_bigendian': 0,
                        'step': 128,
                        'data': to_uint16_mm(f).tobytes(),
                    },
                    td + 0.003,
                )
                put(
                    '/camera/camera/aligned_depth_to_color/camera_info',
                    'sensor_msgs/msg/CameraInfo',
                    _info(td, 'camera_color_optical_frame', f.K, 64, 48),
                    td + 0.003,
                )
            put(
                '/camera/camera/imu',
                'sensor_msgs/msg/Imu',
                {
                    'header': _header(t, 'camera_imu_optical_frame'),
                    'orientation': {'x': 0.0, 'y': 0.0, 'z': 0.0, 'w': 1.0},
                    'orientation_covariance': [0.0] * 9,
                    'angular_velocity': {'x': 0.0, 'y': 0.0, 'z': 0.0},
                    'angular_velocity_covariance': [0.0] * 9,
                    'linear_acceleration': {'x': 0.0, 'y': 9.8, 'z': 0.0},
                    'linear_acceleration_covariance': [0.0] * 9,
                },
                t,
            )
            put('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray',
                {'header': _header(t, ''), 'status': []}, t)
        writer.finish()
    return frames


def test_train_from_foreign_mcap_then_load_and_upsample(tmp_path, capsys):
    bag = tmp_path / 'realsense.mcap'
    frames = write_realsense_mcap(bag)
    out = tmp_path / 'M'
    code = train_from_bag.main(
        [
            '--bag',
            str(bag),
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
    report = json.loads((out / 'report.json').read_text())
    bag_summary = report['data']['bags'][0]
    assert bag_summary['rgb_topic'] == '/camera/camera/color/image_raw/compressed'
    assert bag_summary['depth_topic'] == '/camera/camera/aligned_depth_to_color/image_raw'
    resolver = DepthSuperResolver.load(str(out))
    lr = to_uint16_mm(frames[0])[::4, ::4].copy()
    sr = resolver.upsample(lr)
    assert sr.shape == (48, 64) and sr.dtype == np.uint16
    assert ((sr > 0) == np.repeat(np.repeat(lr > 0, 4, 0), 4, 1)).all()


def test_foreign_mcap_without_depth_exits_nonzero_and_leaves_no_model(tmp_path, capsys):
    bag = tmp_path / 'colour_only.mcap'
    write_realsense_mcap(bag, n=3, with_depth=False)
    out = tmp_path / 'M'
    assert (
        train_from_bag.main(
            ['--bag', str(bag), '--out', str(out), '--max-steps', '3', '--no-cache', '--quiet']
        )
        == 1
    )
    assert 'no depth topic' in capsys.readouterr().err
    assert not out.exists()
