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
The bundled models.

Names, scales, default, metadata, size, and that each one beats bicubic.
"""
import json
import sys

from depth_sr_ros.data.degradation import degrade, EVALUATION, make_recipe
from depth_sr_ros.data.synthetic import render_frame
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.bundled import bundled_names, DEFAULT_MODEL, models_dir
from depth_sr_ros.training.evaluate import bicubic_upsample, frame_errors
import numpy as np
import pytest

sys.path.insert(0, str(models_dir().parent / 'benchmarks'))
from quality import HEADLINE  # noqa: E402  (the matrix's headline metric per held-out set)

# name -> (scale, the LR sampling the model card recommends it for; None = every sampling)
SHIPPED = {'x2': (2, None), 'x4': (4, None), 'x8': (8, None), 'x16': (16, None),
           'x4_cubic': (4, 'cubic'), 'x4_point': (4, 'nearest'), 'x8_cubic': (8, 'cubic'),
           'x16_cubic': (16, 'cubic')}
SAMPLINGS = ('bicubic_aa', 'cubic', 'area', 'nearest')
# Models of the previous recipe kept because they still win the smooth-sampling rows of the matrix.
# (x4_smooth was retired on 2026-12-04: it won no cell of the x4 matrix; CHANGELOG.rst.)
LEGACY = {'x2_smooth': 2, 'x8_smooth': 8, 'x4_quality': 4}
SHIPPED.update({name: (scale, 'area') for name, scale in LEGACY.items()})


def test_the_bundled_set_is_what_the_model_card_lists():
    assert set(bundled_names()) == set(SHIPPED)
    card = (models_dir() / 'README.md').read_text()
    assert all(f'`{name}`' in card for name in SHIPPED)


def test_default_is_x4_and_the_node_config_uses_it():
    import yaml  # here, not at the top: the import block ends with quality (benchmarks/)
    assert DEFAULT_MODEL == 'x4'
    default = DepthSuperResolver.load(device='cpu')
    assert (
        default.scale == 4
        and default.model_id == DepthSuperResolver.load('x4', device='cpu').model_id
    )
    root = models_dir().parent
    params = yaml.safe_load((root / 'config' / 'sr.yaml').read_text())
    (node_params,) = [v['ros__parameters'] for v in params.values()]
    assert node_params['model'] == 'x4'


@pytest.mark.parametrize('name', sorted(SHIPPED))
def test_bundled_model_metadata_and_size(name):
    scale, sampling = SHIPPED[name]
    weights, meta = models_dir() / f'{name}.safetensors', models_dir() / f'{name}.json'
    assert weights.stat().st_size < 20e6
    info = json.loads(meta.read_text())
    assert info['scale'] == scale
    assert (
        info['training']['data_summary']['train_only_pairs'] > 0
        and info['training']['scheme'] == 'dsr_only'
    )
    val = info['validation']      # held-out RGB-D-D frames, as stored at the end of training
    if name in LEGACY:            # 2026-11-25 recipe: antialiased bicubic + sensor-like area crops
        assert info['training']['sensor_like_fraction'] > 0
        assert val['rmse_cm'] < 0.8 * val['bicubic_rmse_cm']
        return
    # the stored recipe is complete: the current code rebuilds exactly it (even if a recipe's
    # defaults changed since the model was trained)
    recipe = make_recipe(info['degradation'], info['degradation_recipe'])
    assert json.loads(json.dumps(recipe.to_dict())) == info['degradation_recipe']
    assert info['degradation'] == info['training']['degradation']
    if sampling is None:          # a blind model: better than bicubic under every sampling
        assert info['degradation'] == 'blind'
        for s in SAMPLINGS:
            assert val[f'rmse_cm_{s}'] < 0.95 * val[f'bicubic_rmse_cm_{s}'], s
    else:  # a specialist: clearly better than bicubic under the sampling it is
        # recommended for (whether it still wins a row is judged by the matrix, below)
        assert (
            val[f'rmse_cm_{sampling}']
            < (0.8 if scale < 16 else 0.9) * val[f'bicubic_rmse_cm_{sampling}']
        )


def committed_matrix():
    return json.loads(
        (models_dir().parent / 'benchmarks' / 'results' / 'quality.json').read_text()
    )


def test_the_committed_matrix_scores_exactly_the_bundled_weights():
    """
    The model card's matrix and recommendations come from quality.json.

    Every bundled model is in it at its scale, under the hash of the weights shipped now (a
    retrained model forces a rerun).
    """
    scored = {}
    for cell in committed_matrix()['results']:
        for label, model_id in cell['models'].items():
            # ids are <name>@<sha256[:12]>; files measured before 2026-12-04 name the weights file
            name, digest = model_id.split('@')
            scored.setdefault(label, set()).add((cell['scale'],
                                                 name.removesuffix('.safetensors'), digest))
    for name in bundled_names():
        digest = json.loads((models_dir() / f'{name}.json').read_text())['weights_sha256'][:12]
        assert scored.get(name) == {(SHIPPED[name][0], name, digest)}, name


def cells_won(name, candidates):
    """
    Return the (set, sampling) cells of the committed matrix that ``name`` wins.

    In those cells ``name`` has the lowest headline error (quality.HEADLINE) of ``candidates``.
    """
    scale, wins = SHIPPED[name][0], []
    for cell in committed_matrix()['results']:
        if cell['scale'] != scale:
            continue
        key = HEADLINE[cell['set']]
        scores = {m: cell['methods'][m][key] for m in candidates if m in cell['methods']}
        if min(scores, key=scores.get) == name:
            wins.append((cell['set'], cell['sampling']))
    return wins


@pytest.mark.parametrize(
    'name', sorted(n for n, (_, sampling) in SHIPPED.items() if sampling is not None)
)
def test_every_model_beside_the_blind_ones_still_wins_a_row_of_the_matrix(name):
    """
    A specialist or an older model ships only while it wins a cell of the matrix.

    It must be the best model of its scale in at least one cell of the matrix (a sampling on
    RGB-D-D or on Middlebury); else the blind model replaces it and it is retired
    (models/README.md, CHANGELOG.rst).
    """
    scale = SHIPPED[name][0]
    wins = cells_won(name, [n for n, (s, _) in SHIPPED.items() if s == scale])
    assert wins, f'{name} wins no cell of the x{scale} matrix'


@pytest.mark.parametrize('name', sorted(SHIPPED))
def test_bundled_model_beats_bicubic_on_unseen_synthetic_scenes(name):
    """
    Beat bicubic on three procedural scenes (never trained on).

    With LR made the way the model is meant for: lower RMSE than bicubic at the same pixels, on
    average (one scene alone can go either way for a specialist: x4_point is 1% better than
    bicubic on seed 11, 25-28% on the others).
    """
    scale, sampling = SHIPPED[name]
    resolver = DepthSuperResolver.load(name, device='cpu')
    assert resolver.scale == scale
    ratios = []
    for seed, t in ((11, 0.7), (3, 0.2), (5, 1.5)):
        frame = render_frame(width=640, height=480, seed=seed, t=t)
        hr, hv = frame.depth.astype(np.float32), frame.valid
        lr, lv = degrade(hr, hv, scale, EVALUATION[sampling or 'area'], np.random.default_rng(0))
        sr = resolver.upsample(np.where(lv, lr, 0).astype(np.float32))
        bic = bicubic_upsample(lr, lv, scale)
        mask = np.isfinite(sr) & np.isfinite(bic) & (sr > 0)
        ratios.append(frame_errors(sr, hr, hv, mask)[0] / frame_errors(bic, hr, hv, mask)[0])
    assert np.mean(ratios) < 0.95, ratios


@pytest.mark.parametrize('name', bundled_names())
def test_every_bundled_model_loads_at_the_scale_its_name_says(name):
    """Any family, any scale (x2..x16): a name x<s>[_...] is served by DepthSuperResolver at s."""
    resolver = DepthSuperResolver.load(name, device='cpu', torchscript=False)
    assert name.startswith(f'x{resolver.scale}') and resolver.scale in (2, 4, 8, 16)
    assert resolver.upsample(np.full((6, 8), 1500, np.uint16)).shape == (
        6 * resolver.scale,
        8 * resolver.scale,
    )
