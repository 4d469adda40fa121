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
An input CameraInfo stamped far from its image, over real DDS.

Such a CameraInfo (from a static or stale camera_info publisher) is counted per frame in
/diagnostics (WARN), logged once (throttled) on /rosout, the pair still published with the
image's stamp; camera_info_max_stamp_skew moves the limit at run time and 0 turns the check off.
"""
from depth_sr_ros.ros.conversions import array_to_image
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rcl_interfaces.msg import Log
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, QoSProfile
from ros_helpers import camera_info, header, NodeHarness, ramp_depth_mm, wait_for
from sensor_msgs.msg import CameraInfo, Image

W, H = 40, 30


def _send(h, pubs, outs, info_stamp, image_stamp):
    """
    Send a CameraInfo, then an image; return the served (image, CameraInfo).

    The CameraInfo is stamped ``info_stamp`` (sec, nanosec), the image ``image_stamp``.
    """
    lr = ramp_depth_mm(W, H)
    pubs[1].publish(camera_info(W, H, header(*info_stamp)))
    wait_for(lambda: h.node.streams[0].info is not None
             and h.node.streams[0].info.header.stamp.sec == info_stamp[0], 5)
    pubs[0].publish(array_to_image(lr, '16UC1', header(*image_stamp)))
    img = outs[0].with_stamp(image_stamp[0])
    info = outs[1].with_stamp(image_stamp[0])
    assert img is not None and info is not None, 'pair not served'
    return img, info


def _latest_status(diags, after_count):
    """
    Return the stream's values and status from the newest /diagnostics message.

    That is the newest one whose skew count reached ``after_count``.
    """
    for arr in reversed(list(diags.messages)):
        for st in arr.status:
            kv = {v.key: v.value for v in st.values}
            if int(kv.get('frames_camera_info_stamp_skew', -1)) >= after_count:
                return kv, st
    return None


def test_skewed_camera_info_is_counted_logged_once_and_still_paired(tiny_model_dir):
    h = NodeHarness(model=str(tiny_model_dir), diagnostics_period=0.2)
    try:
        pubs = (h.publisher(Image, 'depth/image_raw'),
                h.publisher(CameraInfo, 'depth/camera_info'))
        outs = (h.collect(Image, 'depth_sr/image_raw'),
                h.collect(CameraInfo, 'depth_sr/camera_info'))
        diags = h.collect(DiagnosticArray, '/diagnostics')
        logs = h.collect(Log, '/rosout', QoSProfile(depth=100,
                                                    durability=DurabilityPolicy.TRANSIENT_LOCAL))
        assert h.connected(pubs, outs + (diags,))
        stats = h.node.streams[0].stats

        _send(h, pubs, outs, (10, 0), (10, 0))                  # same stamp
        _send(h, pubs, outs, (10, 0), (10, 400_000_000))        # 0.4 s: inside the 0.5 s default
        assert stats.info_stamp_skew == 0
        img, info = _send(h, pubs, outs, (10, 0), (12, 0))      # 2 s: a stale CameraInfo
        assert info.header.stamp == img.header.stamp           # paired, with the image's stamp
        _send(h, pubs, outs, (0, 0), (13, 0))                   # stamp 0: a static publisher
        assert stats.info_stamp_skew == 2
        kv, status = wait_for(lambda: _latest_status(diags, 2), 5)
        assert status.level == DiagnosticStatus.WARN
        assert 'stamped far from the image' in status.message
        assert kv['frames_camera_info_size_mismatch'] == kv['frames_without_camera_info'] == '0'

        def warned():
            return [m.msg for m in list(logs.messages) if m.name == 'depth_sr_node'
                    and 'camera_info_max_stamp_skew' in m.msg]
        assert wait_for(warned, 5), 'no log line about the stamp'
        assert len(warned()) == 1 and '/depth/camera_info' in warned()[0]    # throttled: once
        assert '2.000 s' in warned()[0]

        def limit(seconds):
            change = Parameter('camera_info_max_stamp_skew', value=seconds)
            return h.node.set_parameters([change])[0]
        assert limit(5.0).successful
        _send(h, pubs, outs, (10, 0), (14, 0))                  # 4 s: inside the new limit
        assert limit(0.0).successful
        _send(h, pubs, outs, (0, 0), (15, 0))                   # check off
        assert stats.info_stamp_skew == 2
        assert not limit(-1.0).successful                       # out of range
    finally:
        h.close()
