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
depth_sr_node with image_transport's compressedDepth over real DDS.

PNG and RVL, 16UC1 and 32FC1 in; the compressed output decoded by our decoder equals the raw
output (16UC1) or stays within the 32FC1 quantisation bound; bad payloads are counted and the
node keeps working.
"""
import array

from depth_sr_ros.data import compressed_depth
from depth_sr_ros.ros.conversions import image_to_array
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import pytest
from ros_helpers import camera_info, header, NodeHarness, Probe, ramp_depth_mm, wait_for
from sensor_msgs.msg import CameraInfo, CompressedImage, Image

W, H, S = 40, 30, 4
IN_TOPIC = 'depth/image_raw/compressedDepth'
OUT_TOPIC = 'depth_sr/image_raw/compressedDepth'


@pytest.fixture
def harness_factory(tiny_model_dir):
    made = []

    def make(**params):
        h = NodeHarness(model=str(tiny_model_dir), input_transport='compressedDepth', **params)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def _compressed(depth, encoding, codec, sec):
    fmt, data = compressed_depth.encode(depth, encoding, codec)
    msg = CompressedImage(header=header(sec), format=fmt)
    msg.data = array.array('B', data)
    return msg


def _io(h, compressed_out=True):
    pub = h.publisher(CompressedImage, IN_TOPIC)
    pub_info = h.publisher(CameraInfo, 'depth/camera_info')
    out_raw = h.collect(Image, 'depth_sr/image_raw')
    out_cmp = h.collect(CompressedImage, OUT_TOPIC) if compressed_out else None
    assert h.connected([pub, pub_info], [c for c in (out_raw, out_cmp) if c])
    return pub, pub_info, out_raw, out_cmp


def _send_until_served(pub, pub_info, out, make_msg, sec0):
    """Best-effort input: resend (new stamps) until the output of a sent stamp lands."""
    for sec in range(sec0, sec0 + 30):
        pub_info.publish(camera_info(W, H, header(sec)))
        wait_for(lambda: False, 0.02)
        pub.publish(make_msg(sec))
        msg = out.with_stamp(sec, timeout=1.0)
        if msg is not None:
            return sec, msg
    pytest.fail('no output frame arrived')


@pytest.mark.parametrize('codec', ['png', 'rvl'])
@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_compressed_in_and_out(harness_factory, codec, encoding):
    h = harness_factory(output_compressed=True, output_compressed_format=codec)
    assert h.node.streams[0].sub_image.topic_name == '/' + IN_TOPIC
    pub, pub_info, out_raw, out_cmp = _io(h)
    lr = ramp_depth_mm(W, H)
    if encoding == '32FC1':
        lr = np.where(lr > 0, lr / 1000.0, np.nan).astype(np.float32)
    sec, raw_msg = _send_until_served(pub, pub_info, out_raw,
                                      lambda s: _compressed(lr, encoding, codec, s), 10)
    assert raw_msg.encoding == encoding and (raw_msg.width, raw_msg.height) == (W * S, H * S)
    raw = image_to_array(raw_msg)
    # the node super-resolved exactly what the compressed input decodes to
    sent, _ = compressed_depth.decode(f'{encoding}; compressedDepth {codec}',
                                      compressed_depth.encode(lr, encoding, codec)[1])
    np.testing.assert_array_equal(raw, h.node.resolver.upsample(sent))
    cmp_msg = out_cmp.with_stamp(sec)
    assert cmp_msg is not None, 'no compressedDepth output'
    assert cmp_msg.format == f'{encoding}; compressedDepth {codec}'
    assert cmp_msg.header.frame_id == raw_msg.header.frame_id
    decoded, enc = compressed_depth.decode(cmp_msg.format, cmp_msg.data)
    assert enc == encoding and decoded.shape == raw.shape
    if encoding == '16UC1':
        np.testing.assert_array_equal(decoded, raw)     # lossless (all depths < depth_max 10 m)
    else:
        valid = np.isfinite(raw)
        np.testing.assert_array_equal(np.isfinite(decoded), valid)
        err = decoded[valid] - raw[valid]
        bound = raw[valid] ** 2 / (10100 - raw[valid])        # compressed_depth.py's docstring
        assert (err >= -1e-6).all() and (err <= bound + 1e-6).all()


def test_bad_payloads_are_counted_and_the_next_good_frame_is_processed(harness_factory):
    h = harness_factory()
    diags = h.collect(DiagnosticArray, '/diagnostics')
    pub, pub_info, out_raw, _ = _io(h, compressed_out=False)
    assert h.node.count_publishers('/' + OUT_TOPIC) == 0      # output_compressed defaults off
    stats = h.node.streams[0].stats
    good = ramp_depth_mm(W, H)
    _, data = compressed_depth.encode(good, '16UC1', 'rvl')
    for n, payload in enumerate([data[:len(data) // 2], data[:12] + b'\x01' * 40]):
        bad = CompressedImage(header=header(50 + n), format='16UC1; compressedDepth rvl')
        bad.data = array.array('B', payload)
        before = stats.rejected['compressed']
        # best effort: resend until counted
        assert wait_for(lambda: pub.publish(bad) or stats.rejected['compressed'] > before, 10,
                        interval=0.1), f'bad payload {n} not counted'
    _send_until_served(pub, pub_info, out_raw, lambda s: _compressed(good, '16UC1', 'png', s), 60)

    def reported():
        for arr in list(diags.messages):
            for st in arr.status:
                kv = {v.key: v.value for v in st.values}
                if int(kv.get('rejected_compressed', 0)) >= 2:
                    return kv
    kv = wait_for(reported, 5)
    assert kv, 'diagnostics never reported the rejected payloads'
    assert kv['input_topic'] == '/' + IN_TOPIC and kv['backend'] == 'torch'


def test_remapping_the_image_topic_moves_the_compressed_subscription(tiny_model_dir):
    """As image_transport: the base topic is resolved first, then /compressedDepth appended."""
    from depth_sr_ros.ros.sr_node import DepthSRNode
    from rclpy.parameter import Parameter
    params = [Parameter('model', value=str(tiny_model_dir)),
              Parameter('input_transport', value='compressedDepth')]
    p = Probe(lambda ctx: [DepthSRNode(context=ctx, parameter_overrides=params, namespace='robot',
                                       cli_args=['--ros-args', '-r',
                                                 'depth/image_raw:=camera/depth/image_rect_raw'])])
    try:
        sub = p.nodes[0].streams[0].sub_image
        assert sub.topic_name == '/robot/camera/depth/image_rect_raw/compressedDepth'
        assert sub.msg_type is CompressedImage
    finally:
        p.close()
