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
The transport, backend and output launch arguments reach the node through the real `ros2 launch`.

input_transport:=compressedDepth moves the input to <image topic>/compressedDepth, and
output_compressed:=true / publish_confidence:=true (booleans) add their outputs; edge_mode and
backend arrive as the node's parameters (its /diagnostics and start-up line say so).
"""
import array

from depth_sr_ros.data import compressed_depth
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import pytest
from ros_helpers import camera_info, header, Probe, ramp_depth_mm, wait_for
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from test_ros2_launch import DEFAULT_QOS, launch, NOISE, ROS2

pytestmark = pytest.mark.skipif(not ROS2.exists(),
                                reason='no .venv/bin/ros2 (see test_ros2_launch.py)')


def _compressed(depth, sec):
    fmt, data = compressed_depth.encode(depth, '16UC1', 'rvl')
    msg = CompressedImage(header=header(sec), format=fmt)
    msg.data = array.array('B', data)
    return msg


def test_compressed_input_and_outputs_and_confidence_through_launch_arguments():
    run = launch('model:=x2', 'input_transport:=compressedDepth', 'output_compressed:=true',
                 'publish_confidence:=true', 'edge_mode:=invalidate', 'backend:=torch',
                 'lazy:=false')
    probe = Probe()
    try:
        diags = probe.collect(DiagnosticArray, '/diagnostics')
        pub = probe.publisher(CompressedImage, 'depth/image_raw/compressedDepth')
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        outs = {name: probe.collect(kind, f'depth_sr/{name}', DEFAULT_QOS) for name, kind in (
            ('image_raw', Image), ('image_raw/compressedDepth', CompressedImage),
            ('confidence', Image), ('camera_info', CameraInfo))}
        assert probe.connected([pub, pub_info], list(outs.values()), timeout=90), run.output()
        assert probe.probe.count_publishers('/depth/image_raw') == 0
        lr = ramp_depth_mm(32, 24)
        for sec in range(1, 40):
            pub_info.publish(camera_info(32, 24, header(sec)))
            wait_for(lambda: False, 0.02)
            pub.publish(_compressed(lr, sec))
            if wait_for(lambda: all(c.messages for c in outs.values()), 1.0):
                break
        assert all(c.messages for c in outs.values()), run.output()
        img = outs['image_raw'].messages[-1]
        cmp_msg = outs['image_raw/compressedDepth'].messages[-1]
        conf = outs['confidence'].messages[-1]
        assert (img.width, img.height) == (64, 48)
        decoded, _ = compressed_depth.decode(cmp_msg.format, bytes(cmp_msg.data))
        assert decoded.shape == (48, 64) and 'compressedDepth' in cmp_msg.format
        assert (conf.encoding, conf.width, conf.height) == ('32FC1', 64, 48)
        values = np.frombuffer(bytes(conf.data), np.float32)
        assert np.all((values >= 0) & (values <= 1))
        assert wait_for(lambda: diags.messages, 10)
        kv = {v.key: v.value for v in diags.messages[-1].status[0].values}
        assert kv['backend'] == 'torch' and kv['lazy'] == 'False'
    finally:
        probe.close()
        rc = run.interrupt()
    text = run.output()
    assert rc == 0 and not any(n in text for n in NOISE), text
    assert 'inputs: /depth/image_raw/compressedDepth' in text, text
    run.assert_no_orphans()
