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
Issue 26: a reliable input's next good frame is served after a stream of too-large ones.

Issue 26 saw on Jazzy: after a sustained stream of too-large frames into a node whose input was
overridden to reliable, the next good frame was not served. Here the node runs as its own process
(the plain executable, no Fast DDS profile) with that override; 4 s of 1280x960 frames at 15 Hz
(all rejected as too_large), then the first good frame must be served. Runs on every tested
distribution (scripts/test.sh).
"""
from pathlib import Path
import signal
import subprocess
import sys
import time

from depth_sr_ros.ros.conversions import array_to_image
from ros_helpers import camera_info, header, Probe, ramp_depth_mm
from sensor_msgs.msg import CameraInfo, Image

EXE = str(Path(sys.executable).parent / 'depth_sr_node')
RELIABLE_INPUT = 'qos_overrides./depth/image_raw.subscription.reliability:=reliable'


def test_good_frame_served_after_a_sustained_too_large_stream_on_a_reliable_input(tiny_model_dir):
    proc = subprocess.Popen([EXE, '--ros-args', '-p', f'model:={tiny_model_dir}',
                             '-p', RELIABLE_INPUT],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    probe = Probe()
    served = None
    try:
        pub_img = probe.publisher(Image, 'depth/image_raw')
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        out = probe.collect(Image, 'depth_sr/image_raw')
        assert probe.connected([pub_img, pub_info], [out], timeout=60), 'node never matched'
        big = ramp_depth_mm(1280, 960)
        for sec in range(100, 160):
            pub_info.publish(camera_info(1280, 960, header(sec)))
            pub_img.publish(array_to_image(big, '16UC1', header(sec)))
            time.sleep(1 / 15)
        small = ramp_depth_mm(40, 30)
        for sec in range(300, 305):      # reliable input: the first one should already do
            pub_info.publish(camera_info(40, 30, header(sec)))
            pub_img.publish(array_to_image(small, '16UC1', header(sec)))
            served = out.with_stamp(sec, timeout=3.0)
            if served is not None:
                break
    finally:
        probe.close()
        proc.send_signal(signal.SIGINT)
        try:
            text, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            text, _ = proc.communicate()
    assert served is not None and served.header.stamp.sec == 300, text
    assert (served.width, served.height) == (160, 120)
    assert not any(m.header.stamp.sec < 300 for m in out.messages)   # no big one was served
    assert text.count('dropped frame (too_large)') == 1, text    # logged once (throttled)
    assert proc.returncode == 0, text
