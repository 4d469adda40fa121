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
Choose the edge test's constants (inference/edges.py) on training frames, never held-out ones.

For each model and LR sampling, the network's output (edge_mode keep) on evenly spaced frames of
the RGB-D-D and Middlebury training splits (the complement of quality.py's held-out frames) is
computed once; every candidate EdgeTest is then applied to it with snap and invalidate and
scored like quality.py (flying share at depth steps, RMSE and MAE against keep, share of valid
output pixels removed). Per candidate the worst cell over models, sets and samplings is printed,
so a choice is made on the worst case, not on one image. The chosen constants become EdgeTest's
defaults; benchmarks/quality.py --edge-modes then scores them on the held-out frames.

  .venv/bin/python benchmarks/edge_tuning.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --models x2 x4 x8 x16 --frames 4 \
      --samplings area nearest sensor_like
"""
import argparse
import itertools
import json
from pathlib import Path
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import EVALUATION
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import hold_out_last, split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.edges import apply_to_output, EdgeTest
from depth_sr_ros.training.evaluate import flying_pixel_counts, lr_frames
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import evenly_spaced, MIDDLEBURY_HELD_OUT  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'
GRID = {'radius': (0.5, 0.75, 1.0), 'edge_jump': (0.05,), 'float_tol': (0.15, 0.2),
        'max_gap': (0.5,), 'ramp_share': (0.2, 0.3)}


def training_sets(args):
    sets = {}
    if args.rgbdd:
        pairs = load_image_folder(args.rgbdd, depth_scale=0.001)
        train = split_by_time_blocks(pairs, val_fraction=0.15)[0]
        sets['rgbdd'] = evenly_spaced(train, args.frames)
    if args.middlebury:
        pairs = load_image_folder(args.middlebury, depth_scale=1.0)
        train = hold_out_last(pairs, MIDDLEBURY_HELD_OUT)[0]
        sets['middlebury'] = evenly_spaced(train, args.frames)
    return sets


def cell_outputs(resolver, pairs, sampling):
    """[(hr, hv, mask, keep output)] for one model, set and sampling."""
    out = []
    for hr, hv, lr, lv, _ in lr_frames(pairs, resolver.scale, EVALUATION[sampling]):
        s = resolver.scale
        mask = np.repeat(np.repeat(lv, s, 0), s, 1) & hv
        pred = resolver.upsample(np.where(lv, lr, np.nan).astype(np.float32))
        out.append((hr, hv, mask, pred))
    return out


def score(frames, scale, mode, test):
    """Flying share (%), RMSE and MAE over kept pixels, removed share (%) of scored pixels."""
    fly = cand = removed = scored = 0
    sq, ab, n = 0.0, 0.0, 0
    for hr, hv, mask, pred in frames:
        p = apply_to_output(pred, scale, mode, test) if mode != 'keep' else pred
        f, c = flying_pixel_counts(p, hr, hv, mask, scale)
        fly, cand = fly + f, cand + c
        base = mask & np.isfinite(pred)
        keep = base & np.isfinite(p)
        removed, scored = removed + int((base & ~keep).sum()), scored + int(base.sum())
        d = (p - hr)[keep]
        sq, ab, n = sq + float((d ** 2).sum()), ab + float(np.abs(d).sum()), n + d.size
    return {'flying_pct': 100 * fly / max(cand, 1), 'rmse': (sq / max(n, 1)) ** 0.5,
            'mae': ab / max(n, 1), 'removed_pct': 100 * removed / max(scored, 1)}


def main():
    p = argparse.ArgumentParser(description=__doc__.lstrip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rgbdd')
    p.add_argument('--middlebury')
    p.add_argument('--models', nargs='+', default=['x2', 'x4', 'x8', 'x16'])
    p.add_argument('--frames', type=int, default=10, help='evenly spaced training frames per set')
    p.add_argument('--samplings', nargs='+', default=list(EVALUATION), choices=list(EVALUATION))
    p.add_argument('--out', default=str(RESULTS / 'edge_tuning.json'))
    args = p.parse_args()
    sets = training_sets(args)
    if not sets:
        p.error('give --rgbdd and/or --middlebury')
    cells = []
    for name in args.models:
        r = DepthSuperResolver.load(name, device='cpu')
        for (set_name, pairs), sampling in itertools.product(sets.items(), args.samplings):
            frames = cell_outputs(r, pairs, sampling)
            keep = score(frames, r.scale, 'keep', None)
            cells.append(((name, set_name, sampling), r.scale, frames, keep))
            print(f'cached {name} {set_name} {sampling}: keep {cells[-1][3]}', flush=True)
    rows = []
    for values in itertools.product(*GRID.values()):
        test = EdgeTest(**dict(zip(GRID, values)))
        for mode in ('snap', 'invalidate'):
            worst = {'flying_rgbdd': 0.0, 'flying_middlebury': 0.0, 'rmse_change_pct': -1e9,
                     'mae_change_pct': -1e9, 'removed_pct': 0.0}
            for (name, set_name, sampling), scale, frames, keep in cells:
                m = score(frames, scale, mode, test)
                worst[f'flying_{set_name}'] = max(worst[f'flying_{set_name}'], m['flying_pct'])
                for key in ('rmse', 'mae'):
                    change = 100 * (m[key] / keep[key] - 1)
                    worst[f'{key}_change_pct'] = max(worst[f'{key}_change_pct'], change)
                worst['removed_pct'] = max(worst['removed_pct'], m['removed_pct'])
            rows.append({'mode': mode, 'test': dict(zip(GRID, values)),
                         'worst': {k: round(v, 3) for k, v in worst.items()}})
            print(mode, dict(zip(GRID, values)), rows[-1]['worst'], flush=True)
    keep_rows = {' '.join(c[0]): {k: round(v, 4) for k, v in c[3].items()} for c in cells}
    command = ' '.join(shlex.quote(a) for a in sys.argv)
    result = {'command': command, 'keep': keep_rows, 'grid': rows}
    write_text_atomic(Path(args.out), json.dumps(result, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
