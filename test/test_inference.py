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

"""The inference API: dtypes, units, invalid handling, determinism, loading errors."""
import json

import cv2
from depth_sr_ros.inference import DepthSuperResolver, ModelLoadError, save_model
from depth_sr_ros.inference.bundled import resolve
from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
import numpy as np
import pytest


def _ramp(h=30, w=41):
    y, x = np.mgrid[0:h, 0:w]
    return (1000 + 20 * x + 7 * y).astype(np.uint16)


def test_uint16_and_float32_shapes_units_and_invalid(tiny_model_dir):
    r = DepthSuperResolver.load(tiny_model_dir, device='cpu')
    mm = _ramp()
    mm[5:9, 6:12] = 0
    out = r.upsample(mm)
    assert out.shape == (120, 164) and out.dtype == np.uint16
    assert (out[20:36, 24:48] == 0).all()              # the hole stays a hole
    assert (out[(np.repeat(np.repeat(mm, 4, 0), 4, 1) > 0)] > 0).all()  # valid stays valid
    metres = mm.astype(np.float32) / 1000
    metres[mm == 0] = np.nan
    out_m = r.upsample(metres)
    assert out_m.dtype == np.float32 and np.isnan(out_m[20:36, 24:48]).all()
    np.testing.assert_allclose(out_m[out > 0] * 1000, out[out > 0], atol=1.0)


def test_untrained_model_is_bicubic_in_input_units(tiny_model_dir):
    """The reconstruction starts at zero: output = bicubic upsampling, in the input's unit."""
    r = DepthSuperResolver.load(tiny_model_dir, device='cpu')
    mm = _ramp()
    expected = cv2.resize(mm.astype(np.float32), None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    out = r.upsample(mm).astype(np.float32)
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(out[inner] - expected[inner]).max() <= 1.0


def test_all_invalid_and_bad_inputs(tiny_model_dir):
    r = DepthSuperResolver.load(tiny_model_dir, device='cpu')
    assert (r.upsample(np.zeros((4, 5), np.uint16)) == 0).all()
    assert np.isnan(r.upsample(np.full((4, 5), np.nan, np.float32))).all()
    with pytest.raises(ValueError, match='2-D'):
        r.upsample(np.zeros((4, 5, 1), np.uint16))
    with pytest.raises(ValueError, match='dtype'):
        r.upsample(np.zeros((4, 5), np.float64))
    with pytest.raises(ValueError, match='non-empty'):
        r.upsample(np.zeros((0, 5), np.uint16))


def test_deterministic_and_batch_equals_single(tiny_model_dir):
    r = DepthSuperResolver.load(tiny_model_dir, device='cpu')
    a, b = _ramp(), _ramp()[::-1].copy()
    single = [r.upsample(a), r.upsample(b)]
    batch = r.upsample_batch([a, b, np.zeros((3, 3), np.uint16)])
    np.testing.assert_array_equal(single[0], r.upsample(a))
    np.testing.assert_allclose(batch[0].astype(int), single[0].astype(int), atol=1)
    np.testing.assert_allclose(batch[1].astype(int), single[1].astype(int), atol=1)
    assert batch[2].shape == (12, 12) and (batch[2] == 0).all()


def test_fill_holes_fills_only_near_valid_data(tiny_model_dir):
    mm = _ramp(40, 40)
    mm[10:30, 10:30] = 0  # a 20-pixel hole
    r = DepthSuperResolver.load(tiny_model_dir, device='cpu', fill_holes=3)
    out = r.upsample(mm)
    assert (out[4 * 11, 4 * 20] > 0)            # 2 px inside the hole edge: filled
    assert (out[4 * 20, 4 * 20] == 0)           # the middle stays invalid


def test_export_round_trip_and_metadata(tmp_path):
    net = DSRNet(DSRNetConfig(scale=2, channels=8, hr_channels=2, num_blocks=1))
    path = save_model(tmp_path / 'm', net, {'validation': {'rmse_cm': 1.0}})
    meta = json.loads((path / 'model.json').read_text())
    assert meta['scale'] == 2 and meta['architecture']['channels'] == 8
    assert meta['validation'] == {'rmse_cm': 1.0} and len(meta['weights_sha256']) == 64
    r = DepthSuperResolver.load(path / 'model.safetensors', device='cpu')
    # named by its folder whether loaded by the folder or by its weights file (as the README does)
    assert r.scale == 2 and r.model_id == f"m@{meta['weights_sha256'][:12]}"
    assert DepthSuperResolver.load(path, device='cpu').model_id == r.model_id
    assert not list(tmp_path.glob('.m.*'))  # no temp leftovers


def test_load_errors_are_clear(tmp_path, tiny_model_dir):
    with pytest.raises(ModelLoadError, match='not found'):
        DepthSuperResolver.load(tmp_path / 'nothing.safetensors')
    bad = tmp_path / 'bad'
    bad.mkdir()
    (bad / 'model.safetensors').write_bytes(b'not a safetensors file at all')
    (bad / 'model.json').write_text((tiny_model_dir / 'model.json').read_text())
    with pytest.raises(ModelLoadError, match='corrupt'):
        DepthSuperResolver.load(bad)
    mismatch = tmp_path / 'mismatch'
    mismatch.mkdir()
    (mismatch / 'model.safetensors').write_bytes(
        (tiny_model_dir / 'model.safetensors').read_bytes()
    )
    meta = json.loads((tiny_model_dir / 'model.json').read_text())
    meta['architecture']['channels'] = 16
    (mismatch / 'model.json').write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match='do not match'):
        DepthSuperResolver.load(mismatch)
    with pytest.raises(ModelLoadError, match='no bundled model named'):
        resolve('x99')
    with pytest.raises(ValueError, match='device'):
        DepthSuperResolver.load(tiny_model_dir, device='tpu')


@pytest.mark.parametrize('scale', [2, 4, 8, 16])
@pytest.mark.parametrize('preset_name', ['fast', 'quality'])
def test_dsrnet_shapes_and_features(scale, preset_name):
    from depth_sr_ros.nets.registry import preset
    import torch
    net = DSRNet(preset(preset_name, scale))
    x, v = torch.rand(2, 1, 5, 7), torch.ones(2, 1, 5, 7)
    sr, feats = net.forward_with_features(x, v)
    assert sr.shape == (2, 1, 5 * scale, 7 * scale)
    assert len(feats) == net.cfg.num_blocks and feats[0].shape == (2, net.cfg.channels, 5, 7)
    assert torch.equal(net(x, v), sr)


def test_fast_preset_fits_the_deployment_budget():
    """The fast x4 config must stay within ~1.5 GMAC per 160x120 -> 640x480 frame."""
    from depth_sr_ros.nets.macs import count_macs
    from depth_sr_ros.nets.registry import preset
    import torch

    macs = count_macs(
        DSRNet(preset('fast', 4)), torch.rand(1, 1, 120, 160), torch.ones(1, 1, 120, 160)
    )
    assert 0.5e9 < macs <= 1.5e9


def test_torchscript_path_matches_eager(tiny_model_dir):
    import torch
    traced = DepthSuperResolver.load(tiny_model_dir, device='cpu')
    eager = DepthSuperResolver.load(tiny_model_dir, device='cpu', torchscript=False)
    for p in list(traced.net.parameters()) + list(eager.net.parameters()):
        torch.manual_seed(1)
        p.data.normal_(0, 0.05)  # non-trivial weights, identical in both
    frames = [_ramp(), _ramp(17, 23), _ramp(40, 9)]  # one trace, several sizes
    for f in frames:
        np.testing.assert_array_equal(traced.upsample(f), eager.upsample(f))


def _random_lrres_model(tmp_path):
    """Return an exported lrres x4 net with random (non-zero) output conv: not flip-equivariant."""
    from depth_sr_ros.nets.lrres import LRResConfig, LRResNet
    import torch
    torch.manual_seed(1)
    net = LRResNet(LRResConfig(scale=4, channels=8, num_blocks=2, up_channels=2, feature_taps=2))
    torch.nn.init.normal_(net.tail.weight, std=0.3)
    return save_model(tmp_path / 'random_x4', net, {'training_data': 'none (test model)'})


def _flip_sensitive_frame():
    y, x = np.mgrid[0:24, 0:24].astype(np.float32)
    depth = 1.0 + 0.02 * x + 0.005 * y * y + 0.3 * (x > 0.7 * y + 5)   # a slanted step on a ramp
    return depth.astype(np.float32)


def test_self_ensemble_of_8_views_is_dihedral_equivariant(tmp_path):
    """
    Averaging all 8 views, each undone, makes the output commute with flips and transposes.

    A view left un-undone, or one net pass, would not (checked: the plain net is not).
    """
    model = _random_lrres_model(tmp_path)
    plain = DepthSuperResolver.load(model, device='cpu')
    ensemble = DepthSuperResolver.load(model, device='cpu', self_ensemble=8)
    depth = _flip_sensitive_frame()
    for transform in (np.transpose, np.fliplr, np.flipud):
        moved = np.ascontiguousarray(transform(depth))
        np.testing.assert_allclose(
            ensemble.upsample(moved), transform(ensemble.upsample(depth)), atol=1e-5
        )
        assert np.abs(plain.upsample(moved) - transform(plain.upsample(depth))).max() > 1e-3
    # Two views (identity + column flip) commute with the column flip only.
    two = DepthSuperResolver.load(model, device='cpu', self_ensemble=2)
    np.testing.assert_allclose(
        two.upsample(np.ascontiguousarray(depth[:, ::-1])), two.upsample(depth)[:, ::-1], atol=1e-5
    )
    assert np.abs(two.upsample(np.ascontiguousarray(depth.T)) - two.upsample(depth).T).max() > 1e-3


def test_self_ensemble_keeps_holes_units_and_rejects_bad_counts(tmp_path):
    model = _random_lrres_model(tmp_path)
    r = DepthSuperResolver.load(model, device='cpu', self_ensemble=4)
    mm = _ramp()
    mm[5:9, 6:12] = 0
    out = r.upsample(mm)
    assert out.dtype == np.uint16 and out.shape == (120, 164)
    assert (out[20:36, 24:48] == 0).all()
    for bad in (0, 3, 16, True, 2.0):
        with pytest.raises(ValueError, match='self_ensemble'):
            DepthSuperResolver.load(model, device='cpu', self_ensemble=bad)


def test_self_ensemble_warns_for_models_trained_on_point_sampled_lr(tmp_path):
    """Flipping mirrors where a point sample sits in its LR pixel: such models must say so."""
    import warnings

    from depth_sr_ros.nets.lrres import LRResConfig, LRResNet
    net = LRResNet(LRResConfig(scale=4, channels=8, num_blocks=2, up_channels=2, feature_taps=2))
    point = save_model(tmp_path / 'point', net, {'degradation': 'point_sensor'})
    cubic = save_model(tmp_path / 'cubic', net, {'degradation': 'cubic'})
    with pytest.warns(UserWarning, match='point-sampled LR'):
        r = DepthSuperResolver.load(point, device='cpu', self_ensemble=4)
    with pytest.warns(UserWarning, match='self_ensemble=2'):
        r.self_ensemble = 2
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        r.self_ensemble = 1
        DepthSuperResolver.load(point, device='cpu')
        DepthSuperResolver.load(cubic, device='cpu', self_ensemble=8)
