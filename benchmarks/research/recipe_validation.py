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
Collect recipe/architecture pilots validated *inside the training captures* into one table.

Results: benchmarks/results/recipe_validation_*.json + .png (--out; docs/research/*.md cite
each file).

Recipes and architectures are chosen on this table, never on the held-out frames: each pilot is
an ordinary `train --validation inner` run (RGB-D-D training captures split again by capture
time; the held-out blocks and the last 6 Middlebury scenes are untouched), whose last
validation row holds RMSE under every evaluation sampling beside hole-aware bicubic on the
same frames and pixels. Writes a JSON table and a heat map of "% lower RMSE than bicubic".

With --middlebury, each pilot is also scored on the *inner* Middlebury scenes: the 6 scenes
before the 6 held-out ones (by file name), which a pilot trained with --hold-out-last 12 never
saw; MAD (0..255) under --middlebury-samplings beside hole-aware bicubic (quality.py's scoring).
A pilot whose training saw those scenes (hold-out-last < 12) is refused.
With --extra-samplings (e.g. sensor_like), each pilot is also scored under those evaluation
samplings on its own inner validation frames (the RGB-D-D training captures split again).
A run given as label=run_dir+seN is scored with an N-view self-ensemble: its RGB-D-D row is
then recomputed on the inner frames (the training log scored the plain network).

  .venv/bin/python benchmarks/research/recipe_validation.py \
      --runs blind=runs/pilots/x4_fast_blind \
      cubic=runs/pilots/x4_fast_cubic --out benchmarks/results/recipe_validation_x4.json
  ... --middlebury ../shared/data/middlebury --middlebury-samplings cubic nearest
"""
import argparse
import json
from pathlib import Path
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.training.reports import label_cells, save_png
import numpy as np

# quality.py's scorer (imported lazily: torch)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def last_row(run_dir):
    data = json.loads((Path(run_dir) / 'metrics.json').read_text())
    rows = [r for r in data['history'] if 'rmse_cm' in r]
    if not rows:
        raise SystemExit(f'{run_dir}: no validation row yet')
    return rows[-1], data['final']


def table(runs):
    out = {}
    for label, run_dir, options in runs:
        row, final = last_row(run_dir)
        samplings = [k[len('rmse_cm_'):] for k in row if k.startswith('rmse_cm_')]
        cfg = json.loads((Path(run_dir) / 'model' / 'model.json').read_text())['training'] \
            if (Path(run_dir) / 'model' / 'model.json').exists() else {}
        out[label] = {'run': str(run_dir), 'step': row['step'], 'preset': cfg.get('preset'),
                      'arch': cfg.get('arch'), 'degradation': cfg.get('degradation'),
                      'samples_per_s': final.get('samples_per_s'),
                      'rmse_cm': {s: row[f'rmse_cm_{s}'] for s in samplings},
                      'bicubic_rmse_cm': {s: row[f'bicubic_rmse_cm_{s}'] for s in samplings},
                      'gain_pct': {s: 100 * (1 - row[f'rmse_cm_{s}'] / row[f'bicubic_rmse_cm_{s}'])
                                   for s in samplings},
                      'frames': row.get('frames'), **options}
    return out


INNER_MIDDLEBURY = 6   # scenes scored, just before quality.py's 6 held-out ones


def data_summary(row):
    return json.loads((Path(row['run']) / 'model' / 'model.json').read_text())['training'][
        'data_summary'
    ]


def score_against_bicubic(row, label, pairs, samplings, factor):
    """Return {sampling: quality.score cells of the row's model and hole-aware bicubic}."""
    from depth_sr_ros.data.degradation import EVALUATION
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.training.evaluate import lr_frames
    from quality import BASELINE, baselines, resolver_method, score

    resolver = DepthSuperResolver.load(
        Path(row['run']) / 'model',
        device='cpu',
        self_ensemble=row['self_ensemble'],
        cpu_precision=row.get('cpu_precision', 'fp32'),
    )
    methods = {BASELINE: baselines()[BASELINE], label: resolver_method(resolver)}
    cells = {}
    for sampling in samplings:
        cell = score(lr_frames(pairs, resolver.scale, EVALUATION[sampling]), methods, factor)
        cells[sampling] = (cell[label], cell[BASELINE])
    return cells


def inner_middlebury_scenes(folder):
    """
    Return the inner Middlebury scenes.

    The INNER_MIDDLEBURY scenes before quality.py's held-out ones, by file name.
    """
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import hold_out_last
    from quality import MIDDLEBURY_HELD_OUT
    kept = hold_out_last(load_image_folder(folder, depth_scale=1.0), MIDDLEBURY_HELD_OUT)[0]
    return hold_out_last(kept, INNER_MIDDLEBURY)[1]


def inner_rgbdd_frames(folders, val_fraction=0.15):
    """Return the inner validation captures: the held-out split's training captures split again."""
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import split_by_time_blocks
    pairs = [p for f in folders for p in load_image_folder(f, depth_scale=0.001)]
    train = split_by_time_blocks(pairs, val_fraction=val_fraction)[0]
    return split_by_time_blocks(train, val_fraction=val_fraction)[1]


def check_middlebury_unseen(label, summary):
    """Refuse a run whose training saw the inner Middlebury scenes (hold-out-last < 12)."""
    from quality import MIDDLEBURY_HELD_OUT
    needed = MIDDLEBURY_HELD_OUT + INNER_MIDDLEBURY
    if summary.get('train_only_folders') and summary.get('train_only_held_out_last', 0) < needed:
        raise SystemExit(
            f'{label}: trained with --hold-out-last {summary.get("train_only_held_out_last")}; '
            f'the inner Middlebury scenes need --hold-out-last {needed}'
        )


def check_inner_validation(label, summary, val_fraction=0.15):
    """Refuse a run that was not validated inside its training captures at ``val_fraction``."""
    if (
        'twice' not in summary.get('split', '')
        or f'val_fraction={val_fraction})' not in summary['split']
    ):
        raise SystemExit(f'{label}: not an inner-validation run with val_fraction {val_fraction}')


def inner_middlebury(rows, folder, samplings):
    """Add MAD on the inner Middlebury scenes (-12..-7 by file name) to every row, in place."""
    scenes = inner_middlebury_scenes(folder)
    for label, row in rows.items():
        check_middlebury_unseen(label, data_summary(row))
        row['middlebury_inner'] = {'scenes': [p.capture_id for p in scenes]}
        for sampling, (model, bicubic) in score_against_bicubic(
            row, label, scenes, samplings, 1.0
        ).items():
            row['middlebury_inner'][sampling] = {
                'mad': model['mae'],
                'bicubic_mad': bicubic['mae'],
                'gain_pct': 100 * (1 - model['mae'] / bicubic['mae']),
            }


def extra_samplings(rows, samplings=None, val_fraction=0.15):
    """Score each row on its inner RGB-D-D frames under ``samplings`` (None: its own), in place."""
    cache = {}
    for label, row in rows.items():
        summary = data_summary(row)
        check_inner_validation(label, summary, val_fraction)
        key = tuple(summary['folders'])
        if key not in cache:
            cache[key] = inner_rgbdd_frames(key, val_fraction)
        todo = list(row['rmse_cm']) if samplings is None else samplings
        for sampling, (model, bicubic) in score_against_bicubic(
            row, label, cache[key], todo, 100.0
        ).items():
            row['rmse_cm'][sampling] = model['rmse']
            row['bicubic_rmse_cm'][sampling] = bicubic['rmse']
            row['gain_pct'][sampling] = 100 * (1 - model['rmse'] / bicubic['rmse'])


def heatmap(path, rows, title):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = list(rows)
    samplings = list(next(iter(rows.values()))['gain_pct'])
    data = np.array([[rows[lab]['gain_pct'].get(s, np.nan) for s in samplings] for lab in labels])
    fig, ax = plt.subplots(figsize=(1.4 * len(samplings) + 3, 0.45 * len(labels) + 1.6))
    vmax = np.nanmax(np.abs(data))
    im = ax.imshow(data, cmap='RdYlGn', vmin=-vmax, vmax=vmax, aspect='auto')
    ax.set_xticks(range(len(samplings)), samplings, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    label_cells(ax, data, '{:.1f}', lambda v: abs(v) > 0.7 * vmax)
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03, label='% lower RMSE than hole-aware bicubic')
    fig.tight_layout()
    save_png(fig, path)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        '--runs',
        nargs='+',
        required=True,
        help="label=run_dir pairs ('+seN': N-view self-ensemble)",
    )
    p.add_argument('--out', required=True)
    p.add_argument(
        '--middlebury', help='Middlebury folder: also score the inner scenes (see above)'
    )
    p.add_argument('--middlebury-samplings', nargs='+', default=['cubic'])
    p.add_argument('--extra-samplings', nargs='+', default=[],
                   help="more evaluation samplings scored on each pilot's inner RGB-D-D frames")
    args = p.parse_args()
    from quality import parse_model
    rows = table([parse_model(r) for r in args.runs])
    ensembles = {label: row for label, row in rows.items() if row['self_ensemble'] > 1}
    if ensembles:
        extra_samplings(ensembles)   # the training log scored the plain network: rescore
    if args.extra_samplings:
        extra_samplings(rows, args.extra_samplings)
    if args.middlebury:
        inner_middlebury(rows, args.middlebury, args.middlebury_samplings)
    out = {'protocol': __doc__.lstrip().split('\n\n')[2].replace('\n', ' '),
           'command': ' '.join(shlex.quote(a) for a in sys.argv), 'runs': rows}
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    heatmap(
        Path(args.out).with_suffix('.png'),
        rows,
        f'inner validation (training captures only): {Path(args.out).name}',
    )
    samplings = list(next(iter(rows.values()))['gain_pct'])
    mb = args.middlebury_samplings if args.middlebury else []
    print('| run | step | ' + ' | '.join(samplings) + ' | mean | '
          + ''.join(f'Middlebury inner {s} MAD | ' for s in mb))
    print('|---' * (len(samplings) + 3 + len(mb)) + '|')
    for label, r in rows.items():
        cells = ' | '.join(f"{r['rmse_cm'][s]:.3f} ({r['gain_pct'][s]:+.1f}%)" for s in samplings)
        mb_cells = ''.join(
            f"{r['middlebury_inner'][s]['mad']:.3f} "
            f"({r['middlebury_inner'][s]['gain_pct']:+.1f}%) | "
            for s in mb
        )
        print(
            f"| {label} | {r['step']} | {cells} | "
            f"{np.mean(list(r['gain_pct'].values())):+.1f}% | {mb_cells}"
        )
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
