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
Lazy processing over real DDS.

No inference while no output has a subscriber (counted in /diagnostics, which says why the stream
is idle); a subscriber that appears is served from the next input frame the node receives; when
it leaves, inference stops again; lazy:=false (set at run time) processes every frame, watched or
not.
"""
import time

from depth_sr_ros.ros.conversions import array_to_image
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.parameter import Parameter
from ros_helpers import camera_info, header, NodeHarness, ramp_depth_mm, wait_for
from sensor_msgs.msg import CameraInfo, Image


class _Sensor:
    """Publishes CameraInfo + image pairs with increasing stamps and knows what the node got."""

    def __init__(self, h):
        self.h, self.stats = h, h.node.streams[0].stats
        self.pub_img = h.publisher(Image, 'depth/image_raw')
        self.pub_info = h.publisher(CameraInfo, 'depth/camera_info')
        self.lr = ramp_depth_mm(32, 24)
        self.sec = 0
        assert wait_for(lambda: self.pub_img.get_subscription_count() > 0
                        and self.pub_info.get_subscription_count() > 0, 20)

    def send(self):
        """
        Send one frame; return its stamp's seconds once the node received it.

        Retries a frame the best-effort input lost.
        """
        for _ in range(5):
            self.sec += 1
            before = self.stats.received
            hdr = header(self.sec)
            self.pub_info.publish(camera_info(32, 24, hdr))
            time.sleep(0.01)
            self.pub_img.publish(array_to_image(self.lr, '16UC1', hdr))
            if wait_for(lambda: self.stats.received > before, 2.0):
                return self.sec
        raise AssertionError('the node received none of 5 frames')


def _latest(diags, topic='/depth/image_raw'):
    """(values, message) of the newest /diagnostics status for the input topic."""
    for arr in reversed(list(diags.messages)):
        for st in arr.status:
            values = {kv.key: kv.value for kv in st.values}
            if values.get('input_topic') == topic:
                return values, st.message
    return None, None


def _fresh_diagnostics(diags, after):
    """Wait for a /diagnostics message stamped after ``after`` (a probe clock time)."""
    def newer():
        return any(arr.header.stamp.sec + arr.header.stamp.nanosec * 1e-9 > after
                   for arr in list(diags.messages))
    assert wait_for(newer, 5), 'no /diagnostics message'
    return _latest(diags)


def test_no_inference_without_subscribers_then_next_frame_served_then_stops_again(tiny_model_dir):
    h = NodeHarness(model=str(tiny_model_dir), diagnostics_period=0.2)
    try:
        node, stream = h.node, h.node.streams[0]
        diags = h.collect(DiagnosticArray, '/diagnostics')
        sensor = _Sensor(h)
        now = lambda: h.probe.get_clock().now().nanoseconds * 1e-9  # noqa: E731
        # nobody listens: frames arrive and are counted, none is processed
        for _ in range(4):
            sensor.send()
        time.sleep(0.3)
        values, message = _fresh_diagnostics(diags, now())
        assert int(values['frames_received']) >= 4 and int(values['frames_skipped_idle']) >= 4
        assert values['frames_published'] == '0' and values['output_subscribers'] == '0'
        assert message.startswith(
            'idle: no subscriber on /depth_sr/image_raw, /depth_sr/camera_info')
        assert 'lazy' in message and values['lazy'] == 'True'
        # a subscriber appears: the first frame the node receives after it matched is served
        out = h.collect(Image, 'depth_sr/image_raw')
        assert wait_for(lambda: stream.subscribers() > 0 and out.sub.get_publisher_count() > 0, 20)
        sec = sensor.send()
        served = out.with_stamp(sec, timeout=20)
        assert served is not None and (served.width, served.height) == (128, 96)
        assert [m.header.stamp.sec for m in out.messages] == [sec]   # nothing older came out
        skipped_before_leaving = stream.stats.skipped_idle
        # it leaves: inference stops again (frames_published stays, frames_skipped_idle grows)
        h.probe.destroy_subscription(out.sub)
        assert wait_for(lambda: stream.subscribers() == 0, 20)
        published = stream.stats.published
        for _ in range(3):
            sensor.send()
        time.sleep(0.3)
        values, message = _fresh_diagnostics(diags, now())
        assert int(values['frames_published']) == published == 1
        assert int(values['frames_skipped_idle']) >= skipped_before_leaving + 3
        assert message.startswith('idle: ')
        # lazy:=false at run time: every frame is processed without any subscriber
        assert node.set_parameters([Parameter('lazy', value=False)])[0].successful
        for _ in range(2):
            sensor.send()
        assert wait_for(lambda: stream.stats.published >= published + 2, 20)
        values, message = _fresh_diagnostics(diags, now())
        assert values['lazy'] == 'False' and not message.startswith('idle')
    finally:
        h.close()


def test_a_subscriber_on_an_optional_output_alone_wakes_the_stream(tiny_model_dir):
    """Every output counts, not only the image: here depth_sr/colorized alone."""
    h = NodeHarness(model=str(tiny_model_dir), publish_colorized=True, publish_points=True)
    try:
        sensor = _Sensor(h)
        stream = h.node.streams[0]
        color = h.collect(Image, 'depth_sr/colorized')
        assert wait_for(lambda: stream.subscribers() == 1
                        and color.sub.get_publisher_count() > 0, 20)
        sec = sensor.send()
        assert color.with_stamp(sec, timeout=20) is not None
        assert stream.pub_points.get_subscription_count() == 0 and stream.stats.published == 1
        assert stream.stats.skipped_idle == 0
    finally:
        h.close()
