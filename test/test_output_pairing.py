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
However depth_sr_node is started, an outside consumer gets each image with its CameraInfo.

The node runs as its own process with a clean environment (no Fast DDS profile variable), started
as the plain executable, through `ros2 run` and through `ros2 launch`; this test process is the
sensors and a consumer with Fast DDS's default transports, subscribed like RViz /
depth_image_proc (reliable, keep last 50). Groups: size changes, encoding changes, rejected
frames, a burst, a publisher restart, two sensors at once, 160x120 -> 640x480 and
320x240 -> 1280x960 (test/pairing_consumer.py). Before the node applied its own Fast DDS
profile, images over 512 KB lost their CameraInfo in several groups here
(docs/research/camera_info_pairing.md).
"""
from pairing_consumer import BIN, failures, GROUPS, run_once
import pytest

# ROS-facing although it talks DDS through pairing_consumer, not ros_helpers: run on Jazzy too
pytestmark = pytest.mark.ros


@pytest.mark.parametrize('mode', ['exe', 'ros2_run', 'ros2_launch'])
def test_every_served_image_has_its_camera_info(tmp_path, tiny_model_dir, mode):
    result = run_once(mode, tiny_model_dir, tmp_path)
    if result is None:
        pytest.skip(f'no {BIN / "ros2"} (scripts/setup_ros2_cli.sh needs ../shared/vendor/ros2)')
    report, log, segments = result
    # the mechanism's precondition: every segment of the node holds a 2.4 MB output image
    # (Fast DDS's default is 512 KB; it recycles unread buffers when full). This runs with
    # localhost-only discovery (ros_helpers), where rmw_fastrtps would add a default 512 KB one.
    assert segments and min(segments) >= 16 * 2**20, (segments, log)
    assert set(report) == set(GROUPS) | {'node_counts'}, report
    assert not failures(report), (
        f'served images without their CameraInfo: {failures(report)}; '
        f"node counts {report['node_counts']}; node log:\n{log[-3000:]}")
    # every paced frame was served (within 3 tries: the input is best effort); of the frames
    # sent without waiting, the burst may drop all but the newest, two sensors at once not
    for group in GROUPS:
        r = report[group]
        assert r['missed'] == 0, (group, r)
        assert r['served'] >= (2 if group == 'burst' else r['sent'] // 2), (group, r)
    start = next((line for line in log.splitlines() if 'transport:' in line), '')
    # ros_helpers sets localhost-only discovery, so the node takes the profile's localhost variant
    assert 'fastdds_shm_localhost.xml' in start, log
