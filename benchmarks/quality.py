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
The evaluation matrix: every model under every LR sampling, beside baselines measured in one run.

Results: benchmarks/results/quality*.json + .png, panels/ (models/README.md).

For each model (bundled name or exported path) and each held-out set, LR frames are made from the
held-out HR frames under each evaluation sampling of depth_sr_ros.data.degradation.EVALUATION
(bicubic_aa, cubic = the seed authors' cv2 INTER_CUBIC protocol, area, nearest = centre point
sampling, sensor_like = area + depth-dependent noise + dropped pixels + blob holes; seeded per
frame, so every method sees the same frames), then scored on the same pixels (HR valid and LR
valid) for
  nearest             pixel replication of the LR frame (hole-aware)
  bicubic             OpenCV INTER_CUBIC of the raw LR frame (holes as 0: what a plain resize
                      gives)
  bicubic_hole_aware  holes filled with the nearest valid value, bicubic, holes kept invalid
  <model label>       DepthSuperResolver.upsample (the deployment path)
Metrics: RGB-D-D (held out by capture-time blocks) RMSE and MAE in cm; Middlebury (the last 6
scenes by file name, never trained on) MAD and RMSE on the 0..255 disparity scale, as the
field reports it; flying-pixel share near depth steps (training.evaluate.flying_pixel_counts).
Optional cross-sensor set (--kinect): Kinect v1-class structured-light depth (osd_kinect,
sevenscenes_depth), a sensor no bundled model was trained on (refused if a model's metadata
lists the folder), --kinect-frames evenly spaced frames per folder, RMSE in cm; pixels within
one LR pixel of an invalid HR pixel are not scored there (osd_kinect's invalid region is a crop
outline drawn by its authors, not a depth edge: its README asks to mask it out of metrics).
--edge-modes keep snap invalidate scores each model once per edge_mode (labels 'x4@snap', ...;
inference/edges.py; the network runs once per frame): errors over the pixels each output keeps,
and 'removed_pct', the share of scored pixels an 'invalidate' output gave up.
Writes benchmarks/results/quality.json, a heat-map PNG of the matrix and before/after panels.

  .venv/bin/python benchmarks/quality.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --models x2 x4 x8 x16
  (label=path pairs compare arbitrary exported models:
   --models alone=runs/a/model full=runs/b/model;
   a '+seN' suffix scores a model with an N-view self-ensemble: --models x4_cubic x4_cubic+se8)
  The edge_mode matrix (benchmarks/results/quality_edge_modes.json):
  .venv/bin/python benchmarks/quality.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --models x2 x4 x8 x16 \
      --edge-modes keep snap invalidate --out benchmarks/results/quality_edge_modes.json
"""
import argparse
import itertools
import json
from pathlib import Path
import platform
import shlex
import sys

import cv2
from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import EVALUATION
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import hold_out_last, split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.edges import apply_to_output, EDGE_MODES
from depth_sr_ros.training.evaluate import (
    bicubic_upsample,
    flying_pixel_counts,
    frame_errors,
    lr_frames,
    naive_bicubic_upsample,
    nearest_upsample,
)
from depth_sr_ros.training.reports import before_after_panel, label_cells, save_png
import numpy as np

RESULTS = Path(__file__).resolve().parent / 'results'
MIDDLEBURY_HELD_OUT = 6   # last N Middlebury scenes (by file name) are never trained on
BASELINE = 'bicubic_hole_aware'
# The headline metric per set: RMSE for RGB-D-D (cm), MAD for Middlebury (the field's).
HEADLINE = {'rgbdd': 'rmse', 'middlebury': 'mae', 'kinect': 'rmse'}
SET_TITLES = {'rgbdd': 'RGB-D-D RMSE', 'middlebury': 'Middlebury MAD', 'kinect': 'Kinect RMSE'}


def held_out(args):
    sets = {}
    if args.rgbdd:
        pairs = load_image_folder(args.rgbdd, depth_scale=0.001)
        sets['rgbdd'] = (
            split_by_time_blocks(pairs, val_fraction=args.val_fraction)[1],
            100.0,
            'cm',
            0,
        )
    if args.middlebury:
        pairs = load_image_folder(args.middlebury, depth_scale=1.0)
        sets['middlebury'] = (
            hold_out_last(pairs, MIDDLEBURY_HELD_OUT)[1],
            1.0,
            'disparity units (0..255)',
            0,
        )
    if args.kinect:
        frames = [
            p
            for folder in args.kinect
            for p in evenly_spaced(
                load_image_folder(folder, depth_scale=0.001, depth_only=True), args.kinect_frames
            )
        ]
        sets['kinect'] = (frames, 100.0, 'cm', 1)
    return sets


def evenly_spaced(pairs, n):
    """Pick n pairs spread over the whole (time-ordered) folder, first and last included."""
    if n <= 0 or n >= len(pairs):
        return list(pairs)
    return [pairs[i] for i in np.linspace(0, len(pairs) - 1, n).round().astype(int)]


def check_unseen(label, metadata, folders):
    """Refuse a model whose training data (model.json 'training_data') included a ``folders``."""
    data = metadata.get('training_data', {})
    if folders and not data:
        print(
            f'warning: {label} records no training data; cannot check that it never saw {folders}',
            file=sys.stderr,
        )
    seen = {
        Path(v).name
        for key in ('folders', 'train_only_folders', 'depth_only_folders')
        for v in data.get(key) or []
    }
    for folder in folders:
        if Path(folder).resolve().name in seen:
            raise SystemExit(
                f'{label} was trained on {folder}: its scores there would not be held out'
            )


def hole_margin_mask(hv, margin):
    """HR-valid pixels at least ``margin`` pixels (Chebyshev) away from every invalid HR pixel."""
    if margin <= 0:
        return hv
    invalid = cv2.dilate(
        (~hv).astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    )
    return hv & (invalid == 0)


def parse_model(token):
    """
    Parse a --models token into (label, path, DepthSuperResolver.load options).

    'name', 'path' or 'label=path', each optionally followed by '+seN' (N-view self-ensemble),
    '+bf16' (network body in bfloat16 on the CPU) and/or '+ort' (the onnxruntime backend).
    """
    options = {'self_ensemble': 1, 'cpu_precision': 'fp32'}
    while True:
        base, sep, suffix = token.rpartition('+')
        if sep and suffix == 'bf16':
            options['cpu_precision'] = 'bf16'
        elif sep and suffix == 'ort':
            options['backend'] = 'onnxruntime'
        elif sep and suffix.startswith('se') and suffix[2:].isdigit():
            options['self_ensemble'] = int(suffix[2:])
        else:
            break
        token = base
    label, path = (
        token.split('=', 1)
        if '=' in token
        else (Path(token).name if '/' in token else token, token)
    )
    if options['self_ensemble'] > 1:
        label += f"+se{options['self_ensemble']}"
    if options['cpu_precision'] == 'bf16':
        label += '+bf16'
    if options.get('backend') == 'onnxruntime':
        label += '+ort'
    return label, path, options


def score(frames, methods, factor, hole_margin_lr=0):
    """
    Score every method on ``frames``: errors, flying-pixel and removed shares per method.

    methods: label -> fn(lr, lr_valid, scale) -> HR estimate (NaN = no output). Scored pixels: HR
    valid, LR valid, and (hole_margin_lr > 0) that many LR pixels away from any invalid HR pixel.
    """
    per = {m: [] for m in methods}
    flying = {m: [0, 0] for m in methods}
    removed = {m: [0, 0] for m in methods}
    for hr, hv, lr, lv, _ in frames:
        s = hr.shape[0] // lr.shape[0]
        mask = hole_margin_mask(hv, hole_margin_lr * s) & np.repeat(np.repeat(lv, s, 0), s, 1)
        if not mask.any():
            continue
        for label, fn in methods.items():
            pred = fn(lr, lv, s)
            kept = mask & np.isfinite(pred)   # all of mask, unless an edge_mode invalidated pixels
            removed[label][0] += int((mask & hv).sum() - (kept & hv).sum())
            removed[label][1] += int((mask & hv).sum())
            rmse, mae = frame_errors(pred, hr, hv, kept)
            per[label].append((rmse * factor, mae * factor))
            f, c = flying_pixel_counts(pred, hr, hv, mask, s)
            flying[label][0] += f
            flying[label][1] += c
    return {
        m: {
            'rmse': float(np.mean([r for r, _ in v])),
            'mae': float(np.mean([a for _, a in v])),
            'flying_pct': 100.0 * flying[m][0] / max(flying[m][1], 1),
            'flying_candidates': flying[m][1],
            'removed_pct': 100.0 * removed[m][0] / max(removed[m][1], 1),
            'frames': len(v),
        }
        for m, v in per.items()
    }


def resolver_method(resolver):
    return lambda lr, lv, s: resolver.upsample(np.where(lv, lr, np.nan).astype(np.float32))


def edge_mode_methods(label, resolver, edge_modes):
    """
    Return {label@mode: method} for every edge mode in ``edge_modes``.

    The network runs once per frame (edge_mode keep), then each mode is applied to that output
    (inference/edges.py), as the resolver itself would apply it.
    """
    resolver.edge_mode = 'keep'
    last = {}

    def keep(lr, lv, s):
        if last.get('lr') is not lr:
            last.update(lr=lr, out=resolver_method(resolver)(lr, lv, s))
        return last['out']
    return {f'{label}@{m}': (lambda lr, lv, s, m=m: apply_to_output(keep(lr, lv, s), s, m))
            for m in edge_modes}


def baselines():
    return {'nearest': nearest_upsample,
            'bicubic': lambda lr, lv, s: naive_bicubic_upsample(np.where(lv, lr, 0), s),
            BASELINE: bicubic_upsample}


def gain(cell, label):
    """% lower headline error than hole-aware bicubic on the same frames and pixels."""
    key = HEADLINE[cell['set']]
    return 100.0 * (1 - cell['methods'][label][key] / cell['methods'][BASELINE][key])


def recommendations(cells, labels_by_scale):
    """Per scale, set and sampling: the model with the largest gain (what the card recommends)."""
    out = {}
    for cell in cells:
        labels = labels_by_scale[cell['scale']]
        best = max(labels, key=lambda lab: gain(cell, lab))
        out.setdefault(f"x{cell['scale']}", {}).setdefault(cell['set'], {})[cell['sampling']] = {
            'model': best, 'gain_pct': round(gain(cell, best), 1)}
    return out


def heatmap(path, cells, labels_by_scale, title):
    """Two heat maps: % lower error than hole-aware bicubic, and flying-pixel share."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    columns = sorted({(c['set'], c['sampling']) for c in cells},
                     key=lambda k: (list(SET_TITLES).index(k[0]), list(EVALUATION).index(k[1])))
    rows = [(s, lab) for s in sorted(labels_by_scale) for lab in labels_by_scale[s]]
    flying_rows = [
        (s, lab) for s in sorted(labels_by_scale) for lab in [BASELINE] + labels_by_scale[s]
    ]
    index = {(c['scale'], c['set'], c['sampling']): c for c in cells}
    gains = np.full((len(rows), len(columns)), np.nan)
    fly = np.full((len(flying_rows), len(columns)), np.nan)
    for (i, (s, lab)), (j, (st, sp)) in itertools.product(enumerate(rows), enumerate(columns)):
        if (s, st, sp) in index:
            gains[i, j] = gain(index[(s, st, sp)], lab)
    for (i, (s, lab)), (j, (st, sp)) in itertools.product(
        enumerate(flying_rows), enumerate(columns)
    ):
        if (s, st, sp) in index:
            fly[i, j] = index[(s, st, sp)]['methods'][lab]['flying_pct']
    col_names = [f'{SET_TITLES[st]}\n{sp}' for st, sp in columns]
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(1.25 * len(columns) * 2 + 4, 0.42 * len(flying_rows) + 2.5),
        gridspec_kw={'width_ratios': [1, 1]},
    )
    for ax, data, names, cmap, label, fmt in (
        (
            axes[0],
            gains,
            rows,
            'RdYlGn',
            '% lower than hole-aware bicubic (higher is better)',
            '{:.0f}',
        ),
        (
            axes[1],
            fly,
            flying_rows,
            'magma_r',
            'flying pixels at depth steps, % (lower is better)',
            '{:.1f}',
        ),
    ):
        vmax = np.nanmax(np.abs(data)) if np.isfinite(data).any() else 1
        im = ax.imshow(
            data, cmap=cmap, aspect='auto', vmin=-vmax if cmap == 'RdYlGn' else 0, vmax=vmax
        )
        ax.set_xticks(range(len(columns)), col_names, fontsize=7)
        ax.set_yticks(
            range(len(names)),
            [lab if lab.startswith(f'x{s}') else f'x{s} {lab}' for s, lab in names],
            fontsize=8,
        )
        label_cells(
            ax,
            data,
            fmt,
            (lambda v: abs(v) > 0.7 * vmax) if cmap == 'RdYlGn' else (lambda v: v > 0.6 * vmax),
        )
        ax.set_title(label, fontsize=9)
        fig.colorbar(im, ax=ax, fraction=0.03)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    save_png(fig, path)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        '--rgbdd', help='RGB-D-D style folder (uint16 mm); held out by capture-time blocks'
    )
    p.add_argument('--middlebury', help='Middlebury style folder (uint8 disparity)')
    p.add_argument(
        '--models',
        nargs='+',
        default=['x2', 'x4', 'x8'],
        help="names, paths or label=path; suffix '+seN' = N-view self-ensemble, "
        "'+bf16' = bfloat16 body, '+ort' = onnxruntime backend",
    )
    p.add_argument(
        '--kinect',
        nargs='+',
        help='cross-sensor set: Kinect-class depth folders (uint16 mm, rgb/ optional) '
        'that no scored model was trained on, e.g. ../shared/data/osd_kinect '
        '../shared/data/sevenscenes_depth',
    )
    p.add_argument(
        '--kinect-frames',
        type=int,
        default=40,
        help='evenly spaced frames per --kinect folder (0 = all)',
    )
    p.add_argument('--val-fraction', type=float, default=0.15)
    p.add_argument('--samplings', nargs='+', default=list(EVALUATION), choices=list(EVALUATION),
                   help='how held-out LR frames are made (each one is scored separately)')
    p.add_argument('--edge-modes', nargs='+', choices=EDGE_MODES,
                   help="score each model under these edge_modes (labels 'x4@snap', ...); "
                        "default: the resolver's default edge_mode only")
    p.add_argument('--out', default=str(RESULTS / 'quality.json'))
    p.add_argument(
        '--panels',
        nargs='*',
        default=['rgbdd:nearest', 'middlebury:cubic'],
        help="set:sampling cells that get a before/after panel of each scale's first model",
    )
    args = p.parse_args()
    sets = held_out(args)
    if not sets:
        p.error('give --rgbdd, --middlebury and/or --kinect')
    by_scale = {}
    for label, path, options in map(parse_model, args.models):
        r = DepthSuperResolver.load(path, device='cpu', **options)
        check_unseen(label, r.metadata, args.kinect or [])
        if args.edge_modes:
            for mode_label, method in edge_mode_methods(label, r, args.edge_modes).items():
                by_scale.setdefault(r.scale, []).append((mode_label, r, method))
        else:
            by_scale.setdefault(r.scale, []).append((label, r, resolver_method(r)))
    out = {
        'protocol': '\n\n'.join(__doc__.lstrip().split('\n\n')[:3]),
        'command': ' '.join(shlex.quote(a) for a in sys.argv),
        'machine': f'{platform.machine()} {platform.processor()}, torch threads default',
        'results': [],
    }
    out_path = Path(args.out)
    panels = out_path.parent / 'panels'
    panels.mkdir(parents=True, exist_ok=True)
    for scale, resolvers in sorted(by_scale.items()):
        for (set_name, (pairs, factor, unit, margin)), sampling in itertools.product(
            sets.items(), args.samplings
        ):
            frames = lr_frames(pairs, scale, EVALUATION[sampling])
            methods = baselines()
            methods.update({label: method for label, _, method in resolvers})
            cell = {
                'scale': scale,
                'set': set_name,
                'sampling': sampling,
                'unit': unit,
                'held_out_frames': len(frames),
                'methods': score(frames, methods, factor, margin),
                'models': {label: r.model_id for label, r, _ in resolvers},
            }
            out['results'].append(cell)
            key = HEADLINE[set_name]
            print(f'x{scale} {set_name}, {sampling} LR ({len(frames)} held-out frames, {unit}; '
                  f'{"RMSE" if key == "rmse" else "MAD"} is the headline)')
            for m, v in cell['methods'].items():
                print(
                    f"   {m:20s} RMSE {v['rmse']:8.3f}  MAE/MAD {v['mae']:8.3f}  "
                    f"flying {v['flying_pct']:5.1f}%  "
                    f"removed {v['removed_pct']:4.2f}%  ({gain(cell, m):+5.1f}% vs hole-aware "
                    'bicubic)',
                    flush=True,
                )
            if f'{set_name}:{sampling}' in args.panels:
                hr, hv, lr, lv, pair = frames[len(frames) // 2]
                label, r, method = resolvers[0]
                before_after_panel(
                    panels / f'x{scale}_{set_name}_{sampling}_{label}.png',
                    np.where(lv, lr, 0),
                    bicubic_upsample(lr, lv, scale),
                    method(lr, lv, scale),
                    hr,
                    hv,
                    f'{set_name} held-out {pair.capture_id}, x{scale} {sampling} LR, '
                    f'model {label}',
                )
    labels_by_scale = {s: [lab for lab, _, _ in rs] for s, rs in by_scale.items()}
    out['recommendations'] = recommendations(out['results'], labels_by_scale)
    write_text_atomic(out_path, json.dumps(out, indent=2) + '\n')
    heatmap(out_path.with_suffix('.png'), out['results'], labels_by_scale,
            f'held-out frames; {out_path.name}; {out["machine"]}')
    print(f'wrote {out_path}, {out_path.with_suffix(".png")} and {panels}/')


if __name__ == '__main__':
    main()
