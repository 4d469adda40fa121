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
Every sampling kernel against an independent reference.

Holes never leak; the blind recipe samples what it says; recipes round-trip through configs.
"""
import cv2
from depth_sr_ros.data.degradation import (
    BlindRecipe,
    DegradationSpec,
    degrade,
    downsample,
    EVALUATION,
    make_recipe,
    RECIPES,
    SAMPLINGS,
    SENSOR_LIKE,
)
from depth_sr_ros.data.normalization import DepthRange, fill_invalid_nearest, valid_range
import numpy as np
import pytest


def _scene(h=64, w=64):
    depth = np.full((h, w), 2.0, np.float32)
    depth[:, w // 2:] = 1.0
    valid = np.ones((h, w), bool)
    valid[8:24, 8:24] = False
    depth[~valid] = 0.0  # sensors write 0 into holes: it must not leak
    return depth, valid


def _smooth_random(h, w, seed=0):
    """Hole-free depth with edges and texture, 0.5..3.5 m."""
    rng = np.random.default_rng(seed)
    d = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 2) * 3 + 0.5
    d[h // 3:, w // 4:w // 2] -= 0.3
    return d


@pytest.mark.parametrize('scale', [2, 4, 8, 16])
def test_cubic_equals_opencv_inter_cubic_and_area_equals_inter_area(scale):
    hr = _smooth_random(64, 96, seed=scale)
    valid = np.ones_like(hr, bool)
    size = (96 // scale, 64 // scale)
    cubic, v1 = downsample(hr, valid, scale, 'cubic')
    area, v2 = downsample(hr, valid, scale, 'area')
    assert v1.all() and v2.all()
    np.testing.assert_allclose(
        cubic, cv2.resize(hr, size, interpolation=cv2.INTER_CUBIC), atol=2e-6
    )
    np.testing.assert_allclose(area, cv2.resize(hr, size, interpolation=cv2.INTER_AREA), atol=2e-6)


def test_bicubic_aa_is_the_antialiased_one():
    """Antialiased bicubic averages fine stripes (mean 1.25) away; plain cubic aliases them."""
    hr = np.ones((64, 64), np.float32)
    hr[:, ::4] = 2.0
    valid = np.ones_like(hr, bool)
    aa, _ = downsample(hr, valid, 4, 'bicubic_aa')
    cubic, _ = downsample(hr, valid, 4, 'cubic')
    assert np.abs(aa - 1.25).max() < 0.1
    assert np.abs(cubic - 1.25).min() > 0.2


@pytest.mark.parametrize('scale', [2, 3, 4, 8])
def test_nearest_picks_the_centre_sample_or_the_given_phase(scale):
    h, w = 8 * scale, 6 * scale
    hr = np.arange(h * w, dtype=np.float32).reshape(h, w) + 1
    valid = np.ones_like(hr, bool)
    lr, _ = downsample(hr, valid, scale, 'nearest')
    ys, xs = np.arange(8) * scale + scale // 2, np.arange(6) * scale + scale // 2
    np.testing.assert_array_equal(lr, hr[np.ix_(ys, xs)])
    lr, _ = downsample(hr, valid, scale, 'nearest', phase=(0, scale - 1))
    np.testing.assert_array_equal(
        lr, hr[np.ix_(np.arange(8) * scale, np.arange(6) * scale + scale - 1)]
    )


def test_random_phase_jitters_around_the_centre_per_frame():
    hr = np.arange(32 * 32, dtype=np.float32).reshape(32, 32) + 1
    valid = np.ones_like(hr, bool)
    spec = RECIPES['nearest']
    assert spec.phase == 'random'
    firsts = {
        float(degrade(hr, valid, 4, spec, np.random.default_rng(i))[0][0, 0]) for i in range(60)
    }
    assert firsts == {
        y * 32 + x + 1.0 for y in (1, 2, 3) for x in (1, 2, 3)
    }  # centre 2, +-1 pixel


@pytest.mark.parametrize('sampling', SAMPLINGS)
def test_holes_do_not_leak_into_lr_values(sampling):
    depth, valid = _scene()
    lr, lr_valid = downsample(depth, valid, 4, sampling)
    assert lr.shape == (16, 16) and lr_valid.shape == (16, 16)
    assert lr_valid.sum() > 0 and not lr_valid[3:5, 3:5].any()
    # cubic kernels ring a little at the step (as OpenCV's do); a leaked 0 would pull far lower
    assert lr[lr_valid].min() >= 1.0 - 0.03 and lr[lr_valid].max() <= 2.0 + 0.03
    around_hole = lr_valid[1:7, 1:7] & ~np.pad(np.ones((2, 2), bool), 2)
    assert np.all(np.abs(lr[1:7, 1:7][around_hole] - 2.0) < 1e-5)   # left half: exactly 2 m


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_every_recipe_keeps_holes_out_of_values(name):
    depth, valid = _scene(96, 96)
    recipe = make_recipe(name)
    for i in range(20):
        rng = np.random.default_rng(i)
        lr, lv = degrade(depth, valid, 4, recipe.sample(rng), rng)
        assert np.all(lr[~lv] == 0) and np.all(lr[lv] > 0)
        assert not lv[3:5, 3:5].any()                         # the HR hole stays a hole
        assert lr[lv].min() > 0.8 and lr[lv].max() < 2.2       # noise is relative and small


@pytest.mark.parametrize('sampling', ['cubic', 'bicubic_aa'])
def test_cubic_overshoot_below_zero_becomes_a_hole_not_a_negative_depth(sampling):
    """
    A cubic overshoot below zero becomes a hole, not a negative depth.

    Middlebury scene 15 (disparity 1 beside 180) gave a 'valid' LR pixel of -0.7 under
    `cubic`; the resolver reads <= 0 as no measurement, so the output had NaN where the scorer
    expected depth. A sensor reports no depth <= 0: such LR pixels are holes.
    """
    depth = np.full((64, 64), 0.05, np.float32)
    depth[:, 31:] = 3.0                                  # the step between two LR samples' taps
    valid = np.ones_like(depth, bool)
    raw, _ = downsample(depth, valid, 4, sampling)
    assert raw.min() < 0                                  # the kernel itself rings below zero here
    lr, lv = degrade(depth, valid, 4, EVALUATION[sampling])
    assert np.all(lr[lv] > 0) and np.all(lr[~lv] == 0) and (~lv).sum() == (raw <= 0).sum()


def test_bicubic_of_constant_is_constant():
    depth = np.full((32, 40), 3.25, np.float32)
    for sampling in SAMPLINGS:
        lr, v = downsample(depth, np.ones_like(depth, bool), 4, sampling)
        assert v.all() and np.allclose(lr, 3.25, atol=1e-5)


def test_size_must_be_multiple_of_scale():
    with pytest.raises(ValueError, match='multiple of scale'):
        downsample(np.zeros((30, 32), np.float32), np.ones((30, 32), bool), 4)


def test_sensor_like_drops_pixels_and_adds_noise():
    depth = np.full((128, 128), 2.0, np.float32)
    depth[:, :64] = 1.0
    valid = np.ones_like(depth, bool)
    clean, clean_valid = degrade(
        depth, valid, 4, DegradationSpec('area'), np.random.default_rng(0)
    )
    noisy, noisy_valid = degrade(depth, valid, 4, SENSOR_LIKE, np.random.default_rng(0))
    assert clean_valid.all() and noisy_valid.sum() < clean_valid.sum()
    assert np.abs(noisy - clean)[noisy_valid].std() > 0
    assert np.all(noisy[~noisy_valid] == 0)


def _step_scene():
    depth = np.full((128, 128), 3.0, np.float32)
    depth[32:96, 32:96] = 1.0                                 # a near box in front of a wall
    return depth, np.ones_like(depth, bool)


def test_flying_pixels_float_between_the_surfaces_only_at_edges():
    depth, valid = _step_scene()
    lr, lv = degrade(
        depth, valid, 4, DegradationSpec('nearest', flying_fraction=1.0), np.random.default_rng(0)
    )
    between = lv & (lr > 1.01) & (lr < 2.99)
    assert between.sum() > 20
    ys, xs = np.nonzero(between)
    near_edge = (np.minimum(np.abs(ys - 8), np.abs(ys - 24)) <= 1) | (
        np.minimum(np.abs(xs - 8), np.abs(xs - 24)) <= 1
    )
    assert near_edge.all()


def test_shadow_band_invalidates_the_far_side_of_a_step():
    depth, valid = _step_scene()
    lr, lv = degrade(
        depth, valid, 4, DegradationSpec('nearest', shadow_width=2), np.random.default_rng(0)
    )
    lost = ~lv
    assert lost.sum() == 2 * 16        # 16 box rows, 2 pixels each, on one side of the box
    assert np.all(lr[lost] == 0) and np.all(depth[::4, ::4][lost[:, :]] == 3.0)


def test_quantisation_mm_and_disparity_and_skipped_for_non_metric():
    depth = np.linspace(0.8, 4.0, 64 * 64, dtype=np.float32).reshape(64, 64)
    valid = np.ones_like(depth, bool)
    mm, _ = degrade(
        depth, valid, 2, DegradationSpec('nearest', quantization='mm'), np.random.default_rng(0)
    )
    np.testing.assert_allclose(mm * 1000, np.round(mm * 1000), atol=1e-3)
    spec = DegradationSpec('nearest', quantization='disparity', disparity_step=2.85e-3)
    disp, _ = degrade(depth, valid, 2, spec, np.random.default_rng(0))
    steps_near = np.unique(np.round(disp[disp < 1.2], 5)).size
    steps_far = np.unique(np.round(disp[disp > 3.6], 5)).size
    assert steps_near > 3 * steps_far                     # steps grow with depth^2
    raw, _ = degrade(depth, valid, 2, DegradationSpec('nearest'), np.random.default_rng(0))
    same, _ = degrade(depth, valid, 2, spec, np.random.default_rng(0), metric=False)
    np.testing.assert_array_equal(same, raw)


def test_blur_is_hole_aware_and_smooths_edges():
    depth, valid = _step_scene()
    valid[0:16, 0:16] = False
    depth[~valid] = 0
    sharp, _ = degrade(depth, valid, 4, DegradationSpec('nearest'), np.random.default_rng(0))
    blurred, bv = degrade(
        depth, valid, 4, DegradationSpec('nearest', blur_sigma=0.6), np.random.default_rng(0)
    )
    assert np.abs(blurred - sharp)[bv].max() > 0.1 and blurred[bv].min() >= 1.0 - 1e-5


def test_blind_recipe_frequencies_match_its_configuration():
    recipe = BlindRecipe(
        sampling_weights={'cubic': 3.0, 'nearest': 1.0},
        noise_prob=0.5,
        hole_prob=0.2,
        quantization_prob=0.0,
        random_phase_prob=1.0,
    )
    rng = np.random.default_rng(0)
    specs = [recipe.sample(rng) for _ in range(4000)]
    share = lambda pred: np.mean([pred(s) for s in specs])   # noqa: E731
    assert abs(share(lambda s: s.sampling == 'cubic') - 0.75) < 0.03
    assert share(lambda s: s.sampling in ('area', 'bicubic_aa')) == 0
    assert share(lambda s: s.sampling == 'nearest' and s.phase == 'random') == share(
        lambda s: s.sampling == 'nearest'
    )
    assert abs(share(lambda s: s.noise_std > 0) - 0.5) < 0.03
    assert abs(share(lambda s: s.hole_blobs > 0) - 0.2) < 0.03
    assert share(lambda s: s.quantization != 'none') == 0
    assert all(1 <= s.hole_blobs <= 3 for s in specs if s.hole_blobs)


def test_recipes_by_name_with_overrides_and_bad_input_is_named():
    assert make_recipe('cubic') == DegradationSpec('cubic')
    assert make_recipe('blind', {'noise_prob': 0.0}).noise_prob == 0.0
    assert make_recipe('blind', make_recipe('blind').to_dict()) == make_recipe('blind')
    with pytest.raises(ValueError, match='unknown degradation'):
        make_recipe('lanczos')
    with pytest.raises(ValueError, match='unknown option'):
        make_recipe('cubic', {'noise': 1})
    with pytest.raises(ValueError, match='sampling'):
        DegradationSpec('lanczos')
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        BlindRecipe(noise_prob=2.0)
    assert set(EVALUATION) >= set(SAMPLINGS)


def test_normalisation_round_trip_and_fill():
    d = np.array([[1.0, 0.0, 3.0], [5.0, 0.0, 0.0]], np.float32)
    v = d > 0
    r = valid_range(d, v)
    assert (r.lo, r.hi) == (1.0, 5.0)
    np.testing.assert_allclose(r.denormalize(r.normalize(d[v])), d[v])
    filled = fill_invalid_nearest(d, v)
    assert filled[0, 1] in (1.0, 3.0) and filled[1, 2] == 3.0 and filled[1, 1] in (3.0, 5.0)
    assert valid_range(d, np.zeros_like(v)) is None
    assert DepthRange(2.0, 2.0).span == 1.0
