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
depth_sr_node over real DDS.

Round trips, CameraInfo, two streams, optional outputs, bad input.
"""
from depth_sr_ros.inference.precision import resolve_cpu_precision
from depth_sr_ros.ros.conversions import array_to_image, image_to_array
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import pytest
from ros_helpers import camera_info, header, NodeHarness, ramp_depth_mm, wait_for
from sensor_msgs.msg import CameraInfo, Image, PointCloud2

W, H, S = 40, 30, 4


@pytest.fixture
def harness_factory(tiny_model_dir):
    made = []

    def make(**params):
        h = NodeHarness(model=str(tiny_model_dir), **params)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def _io(h, ns=''):
    pre = f'{ns}/' if ns else ''
    pub_img = h.publisher(Image, f'{pre}depth/image_raw')
    pub_info = h.publisher(CameraInfo, f'{pre}depth/camera_info')
    out_img = h.collect(Image, f'{pre}depth_sr/image_raw')
    out_info = h.collect(CameraInfo, f'{pre}depth_sr/camera_info')
    assert h.connected([pub_img, pub_info], [out_img, out_info])
    return pub_img, pub_info, out_img, out_info


def _send(pub_img, pub_info, depth, encoding, sec, info=True):
    hdr = header(sec)
    if info:
        pub_info.publish(camera_info(depth.shape[1], depth.shape[0], hdr))
        wait_for(lambda: False, 0.05)  # let the info land before its image (both best effort)
    pub_img.publish(array_to_image(depth, encoding, hdr))


def test_16uc1_round_trip_with_camera_info(harness_factory):
    h = harness_factory()
    pub_img, pub_info, out_img, out_info = _io(h)
    lr = ramp_depth_mm(W, H)
    _send(pub_img, pub_info, lr, '16UC1', sec=11)
    img = out_img.with_stamp(11)
    assert img is not None, 'no output image'
    assert (img.width, img.height, img.encoding) == (W * S, H * S, '16UC1')
    assert img.header.frame_id == 'depth_optical_frame' and img.header.stamp.sec == 11
    sr = image_to_array(img)
    hole = np.repeat(np.repeat(lr == 0, S, 0), S, 1)
    assert (sr[hole] == 0).all() and (sr[~hole] > 0).all()   # invalid stays invalid, nothing else
    valid = lr[lr > 0]
    assert valid.min() <= sr[~hole].min() and sr[~hole].max() <= valid.max()
    info = out_info.with_stamp(11)
    assert info is not None, 'no output CameraInfo'
    fx, cx, cy = 0.8 * W, (W - 1) / 2, (H - 1) / 2
    np.testing.assert_allclose(
        info.k, [S * fx, 0, S * (cx + 0.5) - 0.5, 0, S * fx, S * (cy + 0.5) - 0.5, 0, 0, 1]
    )
    np.testing.assert_allclose(info.p[:4], [S * fx, 0, (W * S - 1) / 2, 0])
    assert (info.width, info.height) == (W * S, H * S)
    assert info.header.frame_id == img.header.frame_id


@pytest.mark.parametrize('cpu_precision', ['fp32', 'bf16'])
def test_32fc1_round_trip_nan_invalid(harness_factory, cpu_precision):
    h = harness_factory(cpu_precision=cpu_precision)
    assert h.node.resolver.precision == cpu_precision
    pub_img, pub_info, out_img, _ = _io(h)
    lr = ramp_depth_mm(W, H).astype(np.float32) / 1000
    lr[lr == 0] = np.nan
    _send(pub_img, pub_info, lr, '32FC1', sec=21)
    img = out_img.with_stamp(21)
    assert (
        img is not None and img.encoding == '32FC1' and (img.width, img.height) == (W * S, H * S)
    )
    sr = image_to_array(img)
    hole = np.repeat(np.repeat(np.isnan(lr), S, 0), S, 1)
    assert np.isnan(sr[hole]).all() and np.isfinite(sr[~hole]).all()
    assert not (sr == 0).any()   # 0.0 is never emitted for "no data" in 32FC1
    assert np.nanmin(lr) - 1e-4 <= sr[~hole].min() and sr[~hole].max() <= np.nanmax(lr) + 1e-4


def test_forced_output_encoding(harness_factory):
    h = harness_factory(output_encoding='16UC1')
    pub_img, pub_info, out_img, _ = _io(h)
    lr = ramp_depth_mm(W, H).astype(np.float32) / 1000
    lr[lr == 0] = np.nan
    hole = np.repeat(np.repeat(np.isnan(lr), S, 0), S, 1)
    _send(pub_img, pub_info, lr, '32FC1', sec=22)
    img = out_img.with_stamp(22)
    assert img is not None and img.encoding == '16UC1'
    mm = image_to_array(img)
    assert (mm[hole] == 0).all() and abs(int(mm[~hole].min()) - 1000) < 5


def test_two_streams_one_node(harness_factory):
    h = harness_factory(input_namespaces=['front', 'rear'])
    front = _io(h, 'front')
    rear = _io(h, 'rear')
    lr = ramp_depth_mm(W, H)
    _send(*front[:2], lr, '16UC1', sec=31)
    _send(*rear[:2], np.ascontiguousarray(lr[:, ::-1]), '16UC1', sec=32)
    a, b = front[2].with_stamp(31), rear[2].with_stamp(32)
    assert a is not None and b is not None
    assert front[3].with_stamp(31) is not None and rear[3].with_stamp(32) is not None
    # each stream got its own frame back (mirror images), not the other's
    fa, fb = image_to_array(a), image_to_array(b)
    assert fa[5, 5] < fa[5, -5] and fb[5, 5] > fb[5, -5]
    assert (
        front[2].with_stamp(32, timeout=0.2) is None
        and rear[2].with_stamp(31, timeout=0.2) is None
    )
    # frames waiting on both streams at once go through one upsample_batch call
    fs, rs = h.node.streams
    h.node._process([(fs, array_to_image(lr, '16UC1', header(33))),
                     (rs, array_to_image(lr, '16UC1', header(34)))])
    assert fs.stats.batched == rs.stats.batched == 1
    assert front[2].with_stamp(33) is not None and rear[2].with_stamp(34) is not None


def test_optional_outputs(harness_factory):
    h = harness_factory(publish_points=True, publish_colorized=True,
                        colorized_min_depth=1.0, colorized_max_depth=3.5)
    pub_img, pub_info, out_img, _ = _io(h)
    pts = h.collect(PointCloud2, 'depth_sr/points')
    col = h.collect(Image, 'depth_sr/colorized')
    assert h.connected([], [pts, col])
    lr = ramp_depth_mm(W, H)
    _send(pub_img, pub_info, lr, '16UC1', sec=41)
    cloud, preview, img = pts.with_stamp(41), col.with_stamp(41), out_img.with_stamp(41)
    assert cloud is not None and preview is not None and img is not None
    assert (cloud.width, cloud.height, cloud.point_step, cloud.is_dense) == (
        W * S,
        H * S,
        12,
        False,
    )
    assert [f.name for f in cloud.fields] == ['x', 'y', 'z']
    xyz = np.frombuffer(bytes(cloud.data), '<f4').reshape(H * S, W * S, 3)
    sr = image_to_array(img)
    invalid = sr == 0
    assert np.isnan(xyz[invalid]).all() and np.isfinite(xyz[~invalid]).all()
    np.testing.assert_allclose(xyz[~invalid][:, 2], sr[~invalid] / 1000.0, rtol=1e-6)
    # x = (u - cx') z / fx' with the scaled intrinsics: the centre column sits at x ~ 0
    fx, cx = S * 0.8 * W, (W * S - 1) / 2
    u = np.arange(W * S)
    np.testing.assert_allclose(xyz[0, :, 0], (u - cx) * xyz[0, :, 2] / fx, rtol=1e-4, atol=1e-6)
    assert preview.encoding == 'rgb8' and (preview.width, preview.height) == (W * S, H * S)
    rgb = np.frombuffer(bytes(preview.data), np.uint8).reshape(H * S, W * S, 3)
    assert (rgb[invalid] == 0).all() and rgb[~invalid].any(axis=-1).all()


def test_image_without_camera_info_is_still_published(harness_factory):
    h = harness_factory()
    pub_img, pub_info, out_img, out_info = _io(h)
    _send(pub_img, pub_info, ramp_depth_mm(W, H), '16UC1', sec=51, info=False)
    assert out_img.with_stamp(51) is not None
    assert out_info.with_stamp(51, timeout=0.5) is None
    assert h.node.streams[0].stats.missing_info == 1


def _bad(cause):
    good = array_to_image(ramp_depth_mm(W, H), '16UC1')
    if cause == 'encoding':
        good.encoding = 'rgb8'
    elif cause == 'bad_length':
        good.data = good.data[:-2]
    elif cause == 'bad_step':
        good.step = W  # < width * 2 bytes
    elif cause == 'zero_size':
        good.width = 0
    elif cause == 'too_large':
        pass  # the node runs with max_input_pixels below W*H for this case
    return good


@pytest.mark.parametrize('causes', [('encoding', 'bad_length', 'bad_step', 'zero_size')])
def test_bad_inputs_are_counted_and_the_next_good_frame_is_processed(harness_factory, causes):
    h = harness_factory()
    pub_img, pub_info, out_img, _ = _io(h)
    diags = h.collect(DiagnosticArray, '/diagnostics')
    stats = h.node.streams[0].stats
    for sec, cause in enumerate(causes, start=60):
        msg = _bad(cause)
        msg.header = header(sec)
        pub_img.publish(msg)
        assert wait_for(lambda: stats.rejected[cause] == 1, 10), f'{cause} not counted'
        _send(pub_img, pub_info, ramp_depth_mm(W, H), '16UC1', sec=sec + 100)
        assert out_img.with_stamp(sec + 100) is not None, f'good frame after {cause} not processed'
    assert [m.header.stamp.sec for m in out_img.messages] == [
        s + 100 for s in range(60, 60 + len(causes))
    ]
    # all-invalid input: published as an all-invalid output (correct data), counted separately
    _send(pub_img, pub_info, np.zeros((H, W), np.uint16), '16UC1', sec=90)
    empty = out_img.with_stamp(90)
    assert empty is not None and not image_to_array(empty).any() and stats.all_invalid == 1
    # the counts reach /diagnostics with the model id and device

    def counted():
        for arr in list(diags.messages):
            for st in arr.status:
                kv = {v.key: v.value for v in st.values}
                if kv.get('rejected_bad_step') == '1' and kv.get('frames_all_invalid') == '1':
                    return kv
    kv = wait_for(counted, 5)
    assert kv, 'diagnostics never reported the rejections'
    assert kv['rejected_encoding'] == kv['rejected_zero_size'] == kv['rejected_bad_length'] == '1'
    assert kv['device'] == 'cpu' and kv['model_id'] and kv['input_topic'] == '/depth/image_raw'
    assert kv['precision'] == resolve_cpu_precision('auto')     # the default, cpu_precision: auto


def test_too_large_rejected(harness_factory):
    h = harness_factory(max_input_pixels=W * H - 1)
    pub_img, pub_info, out_img, _ = _io(h)
    _send(pub_img, pub_info, ramp_depth_mm(W, H), '16UC1', sec=70)
    stats = h.node.streams[0].stats
    assert wait_for(lambda: stats.rejected['too_large'] == 1, 10)
    small = ramp_depth_mm(W // 2, H // 2)
    _send(pub_img, pub_info, small, '16UC1', sec=71)
    img = out_img.with_stamp(71)
    assert img is not None and (img.width, img.height) == (W // 2 * S, H // 2 * S)
    assert out_img.with_stamp(70, timeout=0.1) is None


def test_runtime_parameters_and_read_only(harness_factory):
    from rclpy.parameter import Parameter
    h = harness_factory()
    pub_img, pub_info, out_img, _ = _io(h)
    ok = h.node.set_parameters([Parameter('max_depth', value=2.0)])[0]
    assert ok.successful
    refused = h.node.set_parameters([Parameter('model', value='other')])[0]
    assert not refused.successful
    lr = ramp_depth_mm(W, H, hole=False)   # 1.0 .. 3.2 m
    _send(pub_img, pub_info, lr, '16UC1', sec=81)
    img = out_img.with_stamp(81)
    assert img is not None
    sr = image_to_array(img)
    far = np.repeat(np.repeat(lr > 2000, S, 0), S, 1)
    assert (sr[far] == 0).all() and (sr[~far] > 0).all() and sr.max() <= 2000


def test_self_ensemble_is_set_at_run_time_and_bad_counts_are_refused(harness_factory):
    from rclpy.parameter import Parameter
    h = harness_factory()
    pub_img, pub_info, out_img, _ = _io(h)
    assert h.node.resolver.self_ensemble == 1
    refused = h.node.set_parameters([Parameter('self_ensemble', value=3)])[0]
    assert not refused.successful and 'self_ensemble' in refused.reason
    assert h.node.set_parameters([Parameter('self_ensemble', value=8)])[0].successful
    assert h.node.resolver.self_ensemble == 8
    lr = ramp_depth_mm(W, H)
    _send(pub_img, pub_info, lr, '16UC1', sec=91)
    img = out_img.with_stamp(91)
    assert img is not None and (img.width, img.height) == (W * S, H * S)
    np.testing.assert_array_equal(
        image_to_array(img) > 0, np.repeat(np.repeat(lr > 0, S, 0), S, 1)
    )


def test_self_ensemble_on_a_point_sampled_model_is_logged(tmp_path):
    """Asking a point-trained model for the self-ensemble works but warns on /rosout."""
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.lrres import LRResConfig, LRResNet
    from rcl_interfaces.msg import Log
    from rclpy.parameter import Parameter
    from rclpy.qos import DurabilityPolicy, QoSProfile
    import torch
    torch.manual_seed(0)
    net = LRResNet(LRResConfig(scale=4, channels=8, num_blocks=2, up_channels=2, feature_taps=2))
    h = NodeHarness(
        model=str(save_model(tmp_path / 'point', net, {'degradation': 'point_sensor'}))
    )
    try:
        logs = h.collect(
            Log, '/rosout', QoSProfile(depth=100, durability=DurabilityPolicy.TRANSIENT_LOCAL)
        )
        assert h.node.set_parameters([Parameter('self_ensemble', value=2)])[0].successful
        assert h.node.resolver.self_ensemble == 2
        assert wait_for(lambda: [m for m in list(logs.messages) if 'point-sampled LR' in m.msg
                                 and m.level == Log.WARN], 10)
    finally:
        h.close()


def test_warnings_reach_rosout(harness_factory):
    """No-input and incompatible-QoS warnings are logged (once) with the resolved topic."""
    from rcl_interfaces.msg import Log
    from rclpy.qos import DurabilityPolicy, QoSProfile
    h = harness_factory(no_input_warning=0.5)
    logs = h.collect(
        Log, '/rosout', QoSProfile(depth=100, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    )
    # a subscriber asking for transient_local cannot match the node's volatile publisher
    h.collect(
        Image,
        'depth_sr/image_raw',
        QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL),
    )

    def said(text):
        return [m.msg for m in list(logs.messages) if text in m.msg and m.name == 'depth_sr_node']
    assert wait_for(lambda: said('no image on /depth/image_raw'), 10)
    assert 'best_effort, keep_last(1)' in said('no image on')[0]
    assert wait_for(lambda: said('incompatible QoS'), 10)
    assert 'publisher /depth_sr/image_raw' in said('incompatible QoS')[0]
    assert 'qos_overrides./depth_sr/image_raw.publisher' in said('incompatible QoS')[0]
    wait_for(lambda: False, 0.5)
    assert len(said('incompatible QoS')) == 1


def test_mono16_input_is_published_as_16uc1(harness_factory):
    h = harness_factory()
    pub_img, pub_info, out_img, _ = _io(h)
    lr = ramp_depth_mm(W, H)
    _send(pub_img, pub_info, lr, 'mono16', sec=95)
    img = out_img.with_stamp(95)
    assert img is not None and img.encoding == '16UC1'
    assert (image_to_array(img) == 0).sum() == (lr == 0).sum() * S * S


def test_confidence_output_and_edge_mode_at_run_time(harness_factory):
    from rclpy.parameter import Parameter
    h = harness_factory(publish_confidence=True, edge_mode='invalidate')
    assert h.node.resolver.edge_mode == 'invalidate'
    pub_img, pub_info, out_img, _ = _io(h)
    conf = h.collect(Image, 'depth_sr/confidence')
    assert h.connected([], [conf])
    lr = ramp_depth_mm(W, H)
    _send(pub_img, pub_info, lr, '16UC1', sec=71)
    c, img = conf.with_stamp(71), out_img.with_stamp(71)
    assert c is not None and img is not None
    assert (c.encoding, c.width, c.height) == ('32FC1', W * S, H * S)
    assert c.header.frame_id == img.header.frame_id
    c, sr = image_to_array(c), image_to_array(img)
    assert (0 <= c).all() and (c <= 1).all() and (c[sr == 0] == 0).all() and (c[sr > 0] > 0).all()
    refused = h.node.set_parameters([Parameter('edge_mode', value='smooth')])[0]
    assert not refused.successful and 'edge_mode' in refused.reason
    assert h.node.set_parameters([Parameter('edge_mode', value='snap')])[0].successful
    assert h.node.resolver.edge_mode == 'snap'
    assert h.node.set_parameters([Parameter('temporal_filter', value=True)])[0].successful
    for sec in (72, 73):   # the filtered stream still publishes every frame, with confidence
        _send(pub_img, pub_info, lr, '16UC1', sec=sec)
        assert out_img.with_stamp(sec) is not None and conf.with_stamp(sec) is not None
