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
How well each confidence candidate (inference/confidence.py) orders pixels by their error.

Sparsification (the depth-uncertainty literature's test): remove the least confident pixels in
steps of 2% and track the RMSE of the rest; the oracle removes the pixels with the largest true
error first, a random ordering keeps the RMSE flat. AUSE = area between a candidate's curve and
the oracle's (curves divided by the frame's full RMSE, fractions 0..0.98, averaged over frames);
lower is better, and the target is at most half of the random ordering's AUSE. Frames: the
held-out frames of benchmarks/quality.py (RGB-D-D capture-time blocks, last 6 Middlebury scenes)
under every evaluation sampling; output of DepthSuperResolver with its default edge_mode;
pixels scored as in quality.py (HR valid, output valid).

  .venv/bin/python benchmarks/confidence_eval.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --models x2 x4 x8 x16 --max-frames 12
"""
import argparse
import itertools
import json
from pathlib import Path
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import EVALUATION
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.confidence import CONFIDENCE_KINDS, uncertainty
from depth_sr_ros.training.evaluate import lr_frames
from depth_sr_ros.training.reports import save_png
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import evenly_spaced, held_out  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'
FRACTIONS = np.arange(0.0, 1.0, 0.02)


def sparsification(err, order):
    """
    Return the sparsification curve of one frame.

    RMSE of the pixels left after removing the first FRACTIONS of ``order`` (most doubtful
    first), divided by the full RMSE.
    """
    sq = err[order] ** 2
    n = sq.size
    tail = np.cumsum(sq[::-1])[::-1]   # tail[k] = sum of squares from position k on
    starts = np.minimum((FRACTIONS * n).astype(int), n - 1)
    rmse = np.sqrt(tail[starts] / (n - starts))
    return rmse / max(np.sqrt(sq.mean()), 1e-12)


def ause(curve, oracle):
    return float(np.trapz(curve - oracle, FRACTIONS))


def frame_curves(pred, hr, mask, lr, lv, scale, rng):
    """{ordering: curve} for one frame (None without scored pixels)."""
    valid = np.isfinite(pred)
    keep = mask & valid
    if keep.sum() < 100:
        return None
    err = np.abs(pred - hr)[keep]
    curves = {'oracle': sparsification(err, np.argsort(-err, kind='stable')),
              'random': sparsification(err, rng.permutation(err.size))}
    for kind in CONFIDENCE_KINDS:
        u = uncertainty(np.where(valid, pred, 0), valid, lr, lv, scale, kind)[keep]
        curves[kind] = sparsification(err, np.argsort(-u, kind='stable'))
    return curves


def plot(path, cell):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for name, curve in cell['curves'].items():
        label = name if name in ('oracle', 'random') else f"{name} (AUSE {cell['ause'][name]:.3f})"
        ax.plot(100 * FRACTIONS, curve, lw=2 if name in ('oracle', 'combined') else 1, label=label)
    ax.set_xlabel('% of pixels removed (least confident first)')
    ax.set_ylabel('RMSE of the rest / full RMSE')
    ax.set_title(f"x{cell['scale']} {cell['set']} {cell['sampling']} held-out, sparsification",
                 fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.lstrip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rgbdd')
    p.add_argument('--middlebury')
    p.add_argument('--models', nargs='+', default=['x2', 'x4', 'x8', 'x16'])
    p.add_argument('--samplings', nargs='+', default=list(EVALUATION), choices=list(EVALUATION))
    p.add_argument('--max-frames', type=int, default=0,
                   help='N evenly spaced held-out frames per set (0 = all)')
    p.add_argument('--plot-cell', default='x4:rgbdd:sensor_like',
                   help='model:set:sampling plotted')
    p.add_argument('--out', default=str(RESULTS / 'confidence.json'))
    args = p.parse_args()
    sets = held_out(argparse.Namespace(rgbdd=args.rgbdd, middlebury=args.middlebury, kinect=None,
                                       val_fraction=0.15, kinect_frames=0))
    if not sets:
        p.error('give --rgbdd and/or --middlebury')
    out = {'protocol': '\n\n'.join(__doc__.lstrip().split('\n\n')[:2]),
           'command': ' '.join(shlex.quote(a) for a in sys.argv), 'fractions': FRACTIONS.tolist(),
           'results': []}
    for name in args.models:
        r = DepthSuperResolver.load(name, device='cpu')
        for (set_name, (pairs, *_)), sampling in itertools.product(sets.items(), args.samplings):
            pairs = evenly_spaced(pairs, args.max_frames)
            per = []
            frames = lr_frames(pairs, r.scale, EVALUATION[sampling])
            for i, (hr, hv, lr, lv, _) in enumerate(frames):
                pred = r.upsample(np.where(lv, lr, np.nan).astype(np.float32))
                mask = hv & np.repeat(np.repeat(lv, r.scale, 0), r.scale, 1)
                curves = frame_curves(pred, hr, mask, lr, lv, r.scale, np.random.default_rng(i))
                if curves is not None:
                    per.append(curves)
            curves = {k: np.mean([c[k] for c in per], axis=0) for k in per[0]}
            aus = {k: ause(v, curves['oracle']) for k, v in curves.items() if k != 'oracle'}
            cell = {'model': name, 'scale': r.scale, 'edge_mode': r.edge_mode, 'set': set_name,
                    'sampling': sampling, 'frames': len(per), 'ause': aus,
                    'ratio_to_random': {k: v / aus['random'] for k, v in aus.items()},
                    'curves': {k: v.round(4).tolist() for k, v in curves.items()}}
            out['results'].append(cell)
            scores = '  '.join(f'{k} {v:.4f} ({cell["ratio_to_random"][k]:.2f}x random)'
                               for k, v in aus.items())
            print(f'{name} {set_name} {sampling} ({len(per)} frames): {scores}',
                  flush=True)
            if f'{name}:{set_name}:{sampling}' == args.plot_cell:
                plot(Path(args.out).with_suffix('.png'), {**cell, 'curves': curves})
    write_text_atomic(Path(args.out), json.dumps(out, indent=1) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
