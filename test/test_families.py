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
DSRNet families and presets.

Shapes at every scale, bicubic start, export/load, old metadata, cross-task heads on any family,
TorchScript, MAC counts.
"""
import json

from depth_sr_ros.inference import DepthSuperResolver, load_model, save_model
from depth_sr_ros.inference.bundled import models_dir
from depth_sr_ros.nets.lrres import LRResConfig
from depth_sr_ros.nets.macs import count_macs
from depth_sr_ros.nets.registry import (
    build_dsrnet,
    config_from_dict,
    FAMILIES,
    preset,
    preset_config,
    PRESETS,
)
import numpy as np
import pytest
import torch
import torch.nn.functional as F

SCALES = [2, 4, 8, 16]
TINY = {
    'dbpn': {
        'family': 'dbpn',
        'channels': 8,
        'hr_channels': 2,
        'num_blocks': 2,
        'up_kernel': 1,
        'tail_channels': 2,
    },
    'lrres': {
        'family': 'lrres',
        'channels': 8,
        'num_blocks': 3,
        'attention': True,
        'up_channels': 2,
    },
}


def _randomise(net, seed=1):
    """Non-trivial weights everywhere (incl. the zero-initialised last conv)."""
    torch.manual_seed(seed)
    for p in net.parameters():
        p.data.normal_(0, 0.05)
    return net


@pytest.mark.parametrize('scale', SCALES)
@pytest.mark.parametrize('name', sorted(PRESETS))
def test_every_preset_at_every_scale_has_the_contract_shapes_and_starts_as_bicubic(name, scale):
    net = build_dsrnet(preset(name, scale)).eval()
    assert net.scale == scale and net.cfg.family == PRESETS[name][0]
    lr = torch.rand(2, 1, 5, 7)
    sr, feats = net.forward_with_features(lr, torch.ones_like(lr))
    assert sr.shape == (2, 1, 5 * scale, 7 * scale)
    assert len(feats) == net.num_features and all(
        f.shape == (2, net.feature_channels, 5, 7) for f in feats
    )
    bicubic = F.interpolate(lr, scale_factor=scale, mode='bicubic', align_corners=False)
    assert torch.equal(sr, bicubic)                              # zero-initialised last conv
    assert torch.equal(net(lr, torch.ones_like(lr)), sr)         # features do not change inference


def test_lrres_taps_are_evenly_spaced_and_include_the_last_block():
    assert LRResConfig(num_blocks=8, feature_taps=3).tap_indices() == [2, 5, 7]
    assert LRResConfig(num_blocks=3, feature_taps=3).tap_indices() == [0, 1, 2]
    assert LRResConfig(num_blocks=5, feature_taps=1).tap_indices() == [4]
    with pytest.raises(ValueError, match='feature_taps'):
        LRResConfig(num_blocks=2, feature_taps=3)


def test_config_from_dict_defaults_to_dbpn_and_rejects_unknown_families_and_keys():
    assert config_from_dict({'scale': 4, 'channels': 8}).family == 'dbpn'
    with pytest.raises(ValueError, match='unknown DSRNet family'):
        config_from_dict({'family': 'transformer', 'scale': 4})
    with pytest.raises(ValueError, match='unknown lrres config keys'):
        config_from_dict({'family': 'lrres', 'scale': 4, 'hr_channels': 4})
    for family, (cfg_cls, _) in FAMILIES.items():
        cfg = cfg_cls(scale=8)
        assert config_from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_preset_overrides_and_family_switch():
    assert preset_config('lrres_fast', 4, {'num_blocks': 6}).num_blocks == 6
    switched = preset_config('fast', 8, {'family': 'lrres', 'channels': 16})
    assert switched == LRResConfig(scale=8, channels=16)  # the dbpn preset's fields are dropped
    with pytest.raises(ValueError, match='unknown DSRNet preset'):
        preset_config('huge', 4)


@pytest.mark.parametrize('family', sorted(TINY))
def test_export_load_round_trip_is_bit_identical(family, tmp_path):
    net = _randomise(build_dsrnet({**TINY[family], 'scale': 4})).eval()
    path = save_model(tmp_path / family, net, {'note': 'test'})
    meta = json.loads((path / 'model.json').read_text())
    assert meta['architecture']['family'] == family and meta['scale'] == 4
    loaded, _ = load_model(path)
    assert type(loaded) is type(net) and loaded.cfg == net.cfg
    lr = torch.rand(1, 1, 9, 11)
    assert torch.equal(loaded(lr, torch.ones_like(lr)), net(lr, torch.ones_like(lr)))


def test_metadata_without_family_loads_as_dbpn(tmp_path):
    net = _randomise(build_dsrnet({**TINY['dbpn'], 'scale': 2})).eval()
    path = save_model(tmp_path / 'old', net)
    meta = json.loads((path / 'model.json').read_text())
    del meta['architecture']['family']  # as written before families existed
    (path / 'model.json').write_text(json.dumps(meta))
    loaded, _ = load_model(path)
    lr = torch.rand(1, 1, 6, 6)
    assert loaded.cfg.family == 'dbpn' and torch.equal(
        loaded(lr, torch.ones_like(lr)), net(lr, torch.ones_like(lr))
    )


def test_bundled_models_predate_families_and_load_as_dbpn():
    names = sorted(
        p.stem for p in models_dir().glob('*.json') if 'architecture' in json.loads(p.read_text())
    )
    assert names
    for name in names:
        if 'family' not in json.loads((models_dir() / f'{name}.json').read_text())['architecture']:
            assert load_model(models_dir() / f'{name}.safetensors')[0].cfg.family == 'dbpn'


@pytest.mark.parametrize('scale', [4, 16])
def test_resolver_runs_a_new_family_traced_like_eager(scale, tmp_path):
    """
    Serve every frame size from one trace.

    DepthSuperResolver traces with torch.jit.trace; one trace must serve every frame size.
    """
    net = _randomise(build_dsrnet({**TINY['lrres'], 'scale': scale}))
    path = save_model(tmp_path / 'lrres', net)
    traced = DepthSuperResolver.load(path, device='cpu')
    eager = DepthSuperResolver.load(path, device='cpu', torchscript=False)
    assert traced.scale == scale
    for h, w in ((12, 17), (7, 9), (20, 5)):
        y, x = np.mgrid[0:h, 0:w]
        frame = (1000 + 20 * x + 7 * y).astype(np.uint16)
        out = traced.upsample(frame)
        assert out.shape == (h * scale, w * scale)
        np.testing.assert_array_equal(out, eager.upsample(frame))


def _hand_count_lrres(cfg, h, w):
    """
    Count the MACs of LRResNet by hand, by its definition.

    LR convs per LR pixel, attention per image, HR tail.
    """
    c, s, k = cfg.channels, cfg.scale, cfg.up_kernel
    per_lr_pixel = (
        9 * 2 * c
        + cfg.num_blocks * 2 * 9 * c * c
        + 9 * c * c
        + k * k * c * cfg.up_channels * s * s
    )
    mid = max(1, c // cfg.attention_reduction)
    attention = cfg.num_blocks * 2 * c * mid if cfg.attention else 0
    return h * w * per_lr_pixel + attention + (h * s) * (w * s) * 9 * cfg.up_channels


@pytest.mark.parametrize(
    'cfg',
    [
        preset('lrres_fast', 4),
        preset('lrres_quality', 8),
        LRResConfig(
            scale=16, channels=12, num_blocks=2, attention=True, up_kernel=3, feature_taps=2
        ),
    ],
)
def test_macs_of_the_lrres_family_match_a_hand_count(cfg):
    h, w = 12, 16
    assert count_macs(
        build_dsrnet(cfg), torch.rand(1, 1, h, w), torch.ones(1, 1, h, w)
    ) == _hand_count_lrres(cfg, h, w)


def test_lrres_fast_fits_the_same_budget_as_fast():
    x, v = torch.rand(1, 1, 120, 160), torch.ones(1, 1, 120, 160)
    macs = {
        name: count_macs(build_dsrnet(preset(name, 4)), x, v)
        for name in ('fast', 'lrres_fast', 'lrres_quality')
    }
    assert (
        1.0e9 <= macs['lrres_fast'] <= 1.2e9 and abs(macs['lrres_fast'] / macs['fast'] - 1) < 0.05
    )
    assert 4 <= macs['lrres_quality'] / macs['lrres_fast'] <= 6


def _batch(scale, b=2, lr_size=(6, 8)):
    h, w = lr_size
    torch.manual_seed(0)
    hr = torch.rand(b, 1, h * scale, w * scale)
    return {
        'hr': hr,
        'hr_valid': torch.ones_like(hr),
        'rgb': torch.rand(b, 3, h * scale, w * scale),
        'lr': F.avg_pool2d(hr, scale),
        'lr_valid': torch.ones(b, 1, h, w),
    }


@pytest.mark.parametrize('phase', ['warmup', 'transfer'])
def test_cross_task_system_trains_a_new_family_one_step(phase):
    """Heads, DENet depth and SPNet are sized from the family's feature list, not DBPN fields."""
    from depth_sr_ros.training.system import CTKTSystem
    from training_helpers import tiny_config
    cfg = tiny_config(scheme='ctkt', arch={**TINY['lrres'], 'num_blocks': 5, 'feature_taps': 3})
    system = CTKTSystem(cfg)
    assert (
        system.dsr.cfg.family == 'lrres'
        and len(system.de.blocks) == 3
        and system.side_idx == [0, 1, 2]
    )
    out = system(_batch(cfg.scale), phase)
    out['total'].backward()
    assert torch.isfinite(out['total'])
    assert system.dsr.tail.weight.grad.abs().sum() > 0  # L_DSR (the rest is 0 at init)
    assert all(h.proj[0].weight.grad.abs().sum() > 0 for h in system.side_sr)
    if phase == 'transfer':
        assert out['dsr_student_frac'] > 0 and system.sp.proj_sr.weight.grad.abs().sum() > 0
        assert (
            system.dsr.blocks[0].conv1.weight.grad.abs().sum() > 0
        )  # distillation reaches DSRNet


def test_x16_new_family_trains_exports_and_serves(tmp_path):
    """
    x16 end to end.

    A smoke fit (DSRNet alone), export, DepthSuperResolver at the model's scale.
    """
    from depth_sr_ros.training import fit
    from training_helpers import synthetic_pairs, tiny_config
    pairs = synthetic_pairs(n=4, width=128, height=96)
    cfg = tiny_config(
        scale=16,
        crop=64,
        scheme='dsr_only',
        preset='lrres_fast',
        arch={},
        max_steps=2,
        batch_size=2,
        val_every=2,
        checkpoint_every=2,
    )
    fit(pairs[:3], pairs[3:], cfg, tmp_path / 'run', progress=False)
    resolver = DepthSuperResolver.load(tmp_path / 'run' / 'model', device='cpu')
    assert resolver.scale == 16 and resolver.net.cfg.family == 'lrres'
    assert resolver.upsample(np.full((6, 8), 1500, np.uint16)).shape == (96, 128)
