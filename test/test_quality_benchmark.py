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
benchmarks/quality.py's cross-sensor (Kinect) set.

Frame choice, the hole margin, the unseen check, and one real run of the script on a small
depth-only folder with a bundled model.
"""
import json
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / 'benchmarks'
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS / 'research'))   # one-off research scripts (middlebury_floor)
import quality  # noqa: E402
from training_helpers import synthetic_pairs, write_image_folder  # noqa: E402


def test_evenly_spaced_keeps_first_and_last_and_all_when_asked_for_more():
    pairs = list(range(250))
    picked = quality.evenly_spaced(pairs, 40)
    assert len(picked) == 40 and picked[0] == 0 and picked[-1] == 249
    assert np.all(np.diff(picked) >= 6)
    assert (
        quality.evenly_spaced(pairs, 0) == pairs
        and quality.evenly_spaced(pairs[:5], 40) == pairs[:5]
    )


def test_hole_margin_drops_exactly_the_pixels_near_invalid_ones():
    hv = np.ones((20, 20), bool)
    hv[10, 10] = False
    kept = quality.hole_margin_mask(hv, 4)
    assert not kept[6:15, 6:15].any()          # the 9x9 square around the hole
    assert kept.sum() == 400 - 81
    assert np.array_equal(quality.hole_margin_mask(hv, 0), hv)


def test_a_model_trained_on_the_folder_is_refused():
    meta = {
        'training_data': {
            'folders': ['/data/rgbdd_dev'],
            'depth_only_folders': ['/data/sevenscenes_depth'],
        }
    }
    with pytest.raises(SystemExit, match='sevenscenes_depth'):
        quality.check_unseen('m', meta, ['../shared/data/sevenscenes_depth'])
    quality.check_unseen('m', meta, ['../shared/data/osd_kinect'])  # not trained on: fine
    quality.check_unseen('m', meta, ['../shared/data/sevenscenes'])  # a prefix is another folder


def test_quality_scores_a_depth_only_kinect_folder(tmp_path):
    folder = write_image_folder(tmp_path / 'kinect', synthetic_pairs(n=3, width=128, height=96))
    for png in (folder / 'rgb').iterdir():     # depth-only, like 7-Scenes
        png.unlink()
    (folder / 'rgb').rmdir()
    out = tmp_path / 'results' / 'q.json'
    run = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / 'quality.py'),
            '--kinect',
            str(folder),
            '--kinect-frames',
            '2',
            '--models',
            'x4',
            '--samplings',
            'cubic',
            'nearest',
            '--panels',
            'kinect:nearest',
            '--out',
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    cells = json.loads(out.read_text())['results']
    assert [(c['set'], c['sampling'], c['held_out_frames']) for c in cells] == [
        ('kinect', 'cubic', 2), ('kinect', 'nearest', 2)]
    for cell in cells:
        assert set(cell['methods']) == {'nearest', 'bicubic', 'bicubic_hole_aware', 'x4'}
        assert all(np.isfinite(m['rmse']) and m['rmse'] > 0 for m in cell['methods'].values())
    assert out.with_suffix('.png').stat().st_size > 0
    assert (out.parent / 'panels' / 'x4_kinect_nearest_x4.png').exists()


def test_middlebury_floor_splits_gains_by_scene_group():
    import middlebury_floor

    mads = {
        'bicubic_hole_aware': [1.0, 1.0, 2.0],
        'm': [0.5, 0.7, 1.8],
        'gt_blurred_sigma_0.5': [0.1, 0.1, 0.1],
    }
    out = middlebury_floor.per_scene(['a', 'b', 'c'], mads, held_out_ids=['c'], model_labels=['m'])
    assert out['groups'] == {'held_out': ['c'], 'other': ['a', 'b']}
    assert out['gain_pct_by_group']['m'] == pytest.approx({'held_out': 10.0, 'other': 40.0})
    assert out['mad']['b'] == {'bicubic_hole_aware': 1.0, 'm': 0.7, 'gt_blurred_sigma_0.5': 0.1}


def test_flying_pixel_masks_give_the_height_of_the_steps_a_ramp_floats_on():
    """The flying-pixel test that quality.py counts and research/flying_steps.py inspects."""
    from depth_sr_ros.training.evaluate import flying_pixel_counts, flying_pixel_masks
    hr = np.full((32, 32), 1.0, np.float32)
    hr[:, 16:] = 1.3                                   # one 0.3 m step
    hv = np.ones_like(hr, bool)
    ramp = hr.copy()
    ramp[:, 15:17] = 1.15                              # the output floats half way at the step
    flying, candidates, jump = flying_pixel_masks(ramp, hr, hv, hv, scale=2)
    assert flying.sum() == 2 * 32 and np.allclose(jump[flying], 0.3)
    assert candidates.sum() == 4 * 32                  # 2 px either side of the step, scale 2
    assert flying_pixel_counts(ramp, hr, hv, hv, scale=2) == (2 * 32, 4 * 32)
    assert flying_pixel_masks(hr, hr, hv, hv, scale=2)[0].sum() == 0


def test_model_tokens_name_the_variant_scored():
    """
    '+seN' and '+bf16' in any order become DepthSuperResolver.load options.

    They also stay in the label.
    """
    assert quality.parse_model('x4') == ('x4', 'x4', {'self_ensemble': 1, 'cpu_precision': 'fp32'})
    assert quality.parse_model('x4+bf16') == (
        'x4+bf16',
        'x4',
        {'self_ensemble': 1, 'cpu_precision': 'bf16'},
    )
    for token in ('x4_cubic+se8+bf16', 'x4_cubic+bf16+se8'):
        assert quality.parse_model(token) == ('x4_cubic+se8+bf16', 'x4_cubic',
                                              {'self_ensemble': 8, 'cpu_precision': 'bf16'})
    assert quality.parse_model('long=runs/a+b/model+se2') == (
        'long+se2',
        'runs/a+b/model',
        {'self_ensemble': 2, 'cpu_precision': 'fp32'},
    )


def test_edge_modes_score_one_network_output_and_report_removed_pixels():
    """
    --edge-modes: every mode is applied to the same keep output.

    Invalidate's removed share is the share of scored pixels it turned invalid, and its errors
    are over the rest.
    """
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.inference.edges import apply_to_output, EDGE_MODES
    r = DepthSuperResolver.load('x4', device='cpu')
    y, x = np.mgrid[0:64, 0:64]
    hr = np.where((x - 32) ** 2 + (y - 32) ** 2 < 15 ** 2, 1.0, 2.0).astype(np.float32)  # a disc
    hv = np.ones(hr.shape, bool)
    lr = hr.reshape(16, 4, 16, 4).mean(axis=(1, 3))      # area sampling: mixed LR pixels
    lv = np.ones(lr.shape, bool)
    methods = quality.edge_mode_methods('m', r, EDGE_MODES)
    assert list(methods) == ['m@keep', 'm@snap', 'm@invalidate']
    methods['plain'] = quality.resolver_method(r)
    cell = quality.score([(hr, hv, lr, lv, None)], methods, 1.0)
    assert cell['m@keep'] == cell['plain']
    keep = quality.resolver_method(r)(lr, lv, 4)
    gone = np.isnan(apply_to_output(keep, 4, 'invalidate'))
    assert 0 < gone.mean() < 0.1                          # some ramp pixels at the disc's rim
    assert cell['m@invalidate']['removed_pct'] == pytest.approx(100 * gone.mean())
    assert cell['m@keep']['removed_pct'] == cell['m@snap']['removed_pct'] == 0
    expected = float(np.sqrt(np.mean((keep - hr)[~gone] ** 2)))
    assert cell['m@invalidate']['rmse'] == pytest.approx(expected)
