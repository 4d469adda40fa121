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
Architecture study: validation quality against CPU cost, one Pareto chart and table.

Results: benchmarks/results/architecture_study_*.json + .png (docs/research/architecture.md).

Quality comes from inner-validation pilots (research/recipe_validation.py: the same data,
recipe, budget and seed per architecture, validated on blocks of the training captures, never
on the held-out frames); cost from benchmarks/model_speed.py --presets on the idle machine
(DepthSuperResolver.upsample median ms, random weights cost the same) and nets/macs.py.
When the pilots were scored on the inner Middlebury scenes (recipe_validation.py --middlebury),
their MAD gain is a second panel and a table column.

  .venv/bin/python benchmarks/research/architecture_study.py \
      --validation benchmarks/results/recipe_validation_x4.json \
      --speed benchmarks/results/preset_speed.json \
      --pilots fast=fast_blind_anyphase lrres_fast=lrres_fast_blind_anyphase \
               lrres_mid=lrres_mid_blind_anyphase \
      --out benchmarks/results/architecture_study_x4.json
"""
import argparse
import json
from pathlib import Path
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.training.reports import save_png
import numpy as np


def speed_rows(speed, preset, scale):
    return {(r['input'], r['threads']): r for r in speed['rows']
            if r['model'].split(':')[-1] == preset and r['scale'] == scale}


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        '--validation',
        required=True,
        help='recipe_validation JSON with one pilot per architecture',
    )
    p.add_argument('--speed', required=True, help='model_speed --presets JSON')
    p.add_argument('--pilots', nargs='+', required=True, help='preset=pilot-label pairs')
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--out', required=True)
    args = p.parse_args()
    val = json.loads(Path(args.validation).read_text())['runs']
    speed = json.loads(Path(args.speed).read_text())
    rows = []
    for preset, label in (x.split('=', 1) for x in args.pilots):
        by = speed_rows(speed, preset, args.scale)
        if not by:
            raise SystemExit(f'{args.speed}: no x{args.scale} timing for preset {preset}')
        any_row = next(iter(by.values()))
        gains = val[label]['gain_pct']
        mb = {
            k: v['gain_pct']
            for k, v in val[label].get('middlebury_inner', {}).items()
            if k != 'scenes'
        }
        rows.append(
            {
                'preset': preset,
                'pilot': label,
                'family': any_row['family'],
                'params': any_row['params'],
                'gmac_160x120': by.get(('160x120', 1), any_row)['gmac'],
                'gain_pct': gains,
                'mean_gain_pct': float(np.mean(list(gains.values()))),
                'middlebury_inner_gain_pct': mb,
                'upsample_ms': {
                    f'{k[0]} {k[1]}thr': r['upsample']['median_ms'] for k, r in sorted(by.items())
                },
            }
        )
    out = {
        'protocol': __doc__.lstrip().split('\n\n')[2].replace('\n', ' '),
        'command': ' '.join(shlex.quote(a) for a in sys.argv),
        'speed_meta': speed.get('meta'),
        'rows': rows,
    }
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    mb_samplings = sorted({k for r in rows for k in r['middlebury_inner_gain_pct']})
    panels = [
        (
            'mean_gain_pct',
            '% lower RMSE than bicubic\n(RGB-D-D inner validation, mean over samplings)',
        )
    ]
    panels += [
        (f'mb:{k}', f'% lower MAD than bicubic\n(inner Middlebury scenes, {k} LR)')
        for k in mb_samplings
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.2), squeeze=False)
    for ax, (key, ylabel) in zip(axes[0], panels):
        for r in rows:
            ms = r['upsample_ms'].get('160x120 1thr')
            y = r['middlebury_inner_gain_pct'][key[3:]] if key.startswith('mb:') else r[key]
            ax.scatter(ms, y, s=40 + 30 * r['gmac_160x120'])
            ax.annotate(
                f"{r['preset']}\n{r['gmac_160x120']:.2f} GMAC, {r['params'] / 1e3:.0f}k",
                (ms, y),
                fontsize=7,
                xytext=(5, 5),
                textcoords='offset points',
            )
        ax.axvline(
            1000 / 15, color='gray', ls='--', lw=1, label="15 fps (the default model's contract)"
        )
        ax.set_xlabel(
            f'ms per 160x120 frame, x{args.scale}, 1 thread (DepthSuperResolver.upsample, idle VM)'
        )
        ax.set_ylabel(ylabel)
        ax.set_title(f'x{args.scale} architectures: quality vs CPU cost', fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, Path(args.out).with_suffix('.png'))
    cols = sorted({k for r in rows for k in r['upsample_ms']})
    print(
        '| preset | family | params | GMAC (160x120) | mean gain | '
        + ''.join(f'Middlebury inner {k} | ' for k in mb_samplings)
        + ' | '.join(f'ms {c}' for c in cols)
        + ' |'
    )
    print('|---' * (5 + len(mb_samplings) + len(cols)) + '|')
    for r in rows:
        print(
            f"| {r['preset']} | {r['family']} | {r['params']:,} | {r['gmac_160x120']:.2f} | "
            f"{r['mean_gain_pct']:+.1f}% | "
            + ''.join(f"{r['middlebury_inner_gain_pct'][k]:+.1f}% | " for k in mb_samplings)
            + ' | '.join(f"{r['upsample_ms'].get(c, float('nan')):.1f}" for c in cols)
            + ' |'
        )
    print(f'wrote {args.out} and {Path(args.out).with_suffix(".png")}')


if __name__ == '__main__':
    main()
