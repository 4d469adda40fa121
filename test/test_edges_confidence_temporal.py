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

"""edge_mode, the confidence map and the temporal filter on frames whose answer is known."""
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.confidence import confidence
from depth_sr_ros.inference.edges import (
    apply_to_output,
    DEFAULT_EDGE_MODE,
    EDGE_MODES,
    flying_mask,
)
from depth_sr_ros.inference.temporal import TemporalFilter
from depth_sr_ros.ros import params
import numpy as np
import pytest

S = 4


def step_with_ramp():
    """64x64 metres: 1.0 left, 2.0 right, two ramp columns (1.33, 1.67) between: flying pixels."""
    d = np.full((64, 64), 1.0, np.float32)
    d[:, 32:] = 2.0
    d[:, 30], d[:, 31] = 4 / 3, 5 / 3
    return d


def test_snap_and_invalidate_act_on_the_ramp_only():
    d = step_with_ramp()
    snapped = apply_to_output(d, S, 'snap')
    np.testing.assert_allclose(snapped[:, 30], 1.0)
    np.testing.assert_allclose(snapped[:, 31], 2.0)
    others = np.ones(64, bool)
    others[30:32] = False
    np.testing.assert_array_equal(snapped[:, others], d[:, others])
    gone = apply_to_output(d, S, 'invalidate')
    assert np.isnan(gone[:, 30:32]).all() and np.isfinite(gone[:, others]).all()
    mm = np.rint(d * 1000).astype(np.uint16)
    gone_mm = apply_to_output(mm, S, 'invalidate')
    assert gone_mm.dtype == np.uint16
    assert (gone_mm[:, 30:32] == 0).all() and (gone_mm[:, others] > 0).all()
    assert apply_to_output(d, S, 'keep') is d


def test_tilted_plane_and_holes_are_not_edges():
    y, x = np.mgrid[0:64, 0:64]
    plane = (1.0 + 0.02 * x + 0.01 * y).astype(np.float32)   # a steep but smooth surface
    assert not flying_mask(plane, np.ones(plane.shape, bool), S)[0].any()
    holed = step_with_ramp()
    holed[:, 10:14] = np.nan
    out = apply_to_output(holed, S, 'snap')
    assert np.isnan(out[:, 10:14]).all()   # the filter never fills holes


def test_bad_edge_mode_is_one_clear_error(tiny_model_dir):
    with pytest.raises(ValueError, match='edge_mode must be one of'):
        apply_to_output(step_with_ramp(), S, 'smooth')
    with pytest.raises(ValueError, match='edge_mode must be one of'):
        DepthSuperResolver.load(str(tiny_model_dir), device='cpu', edge_mode='smooth')


def test_node_parameter_matches_the_resolver():
    assert params.BY_NAME['edge_mode'].default == DEFAULT_EDGE_MODE
    assert params.BY_NAME['edge_mode'].choices == EDGE_MODES


def test_resolver_applies_its_edge_mode(tiny_model_dir):
    lr = np.full((16, 16), 1000, np.uint16)
    lr[:, 8:] = 3000

    def run(mode):
        r = DepthSuperResolver.load(str(tiny_model_dir), device='cpu', edge_mode=mode)
        return r.upsample(lr)
    keep, inv = run('keep'), run('invalidate')
    np.testing.assert_array_equal(inv, apply_to_output(keep, S, 'invalidate'))


def test_confidence_is_low_at_the_step_and_zero_where_invalid():
    lr = np.full((16, 16), 1.0, np.float32)
    lr[:, 8:] = 2.0
    lv = np.ones(lr.shape, bool)
    lv[0, 0] = False
    out = np.repeat(np.repeat(lr, S, 0), S, 1)
    valid = np.repeat(np.repeat(lv, S, 0), S, 1)
    out[~valid] = np.nan
    c = confidence(out, valid, lr, lv, S)
    assert c.dtype == np.float32 and c.shape == out.shape
    assert (c[~valid] == 0).all() and (0 <= c).all() and (c <= 1).all()
    assert c[32, 31] < 0.1 and c[32, 8] > 0.9   # beside the step vs the middle of a flat side


def test_temporal_filter_steadies_noise_and_passes_changes_at_once():
    rng = np.random.default_rng(0)
    scene = step_with_ramp()
    f = TemporalFilter()
    noisy = [scene + rng.normal(0, 0.002, scene.shape).astype(np.float32) for _ in range(20)]
    outs = [f.update(frame) for frame in noisy]
    assert np.std(np.stack(outs[10:]), axis=0).mean() < 0.5 * 0.002
    moved = np.roll(scene, 5, axis=1)           # camera motion: the next output is the new frame
    np.testing.assert_array_equal(f.update(moved), moved)
    obj = moved.copy()
    obj[20:24, 5:9] = 1.5                       # a new object in a still frame appears at once
    np.testing.assert_allclose(f.update(obj)[20:24, 5:9], 1.5)
    hole = obj.copy()
    hole[0:4, 0:4] = np.nan
    assert np.isnan(f.update(hole)[0:4, 0:4]).all()
