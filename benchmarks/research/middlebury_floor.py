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
How close to the ground truth issue 13's Middlebury targets are: oracle references, same pixels.

Results: benchmarks/results/middlebury_floor.json, middlebury_scene_sets.json
(docs/research/middlebury.md).

Why: the targets (x4 / x8 / x16 MAD 55% / 50% / 40% below bicubic, `cubic` LR) were set from
the seed paper's table, on other files. This prints, on quality.py's held-out Middlebury scenes
and pixels (HR valid and LR valid), the MAD of hole-aware bicubic from `cubic` LR, the MAD each
target asks for, and the MAD of *oracle* estimates made from the ground truth itself: the GT
blurred by a Gaussian of sigma 0.5..1.5 HR pixels (normalised over valid pixels), and the GT
plus uniform +-0.5 noise (the error of a perfect real-valued estimate of a scene stored as
integers). A target below "GT blurred by 0.7 px" asks for edges within a fraction of a pixel.

Where the error lies: every estimate's MAD is split into the share from *edge* pixels (within 1 HR
pixel of a depth step: the ground truth's 3x3 range exceeds --edge-step disparity units) and
from the *interior* (everything else: surfaces, including fine relief below the step size).
The two parts sum to the MAD. An estimate whose interior part alone exceeds a target MAD cannot
reach that target by better edges alone. --models adds bundled models (or exported paths,
``label=path``, ``+seN``) to the table, run through DepthSuperResolver as in quality.py.

How much the scene set decides (--scenes all): every estimate's MAD per scene is written too.
With --scenes all, all scenes of the folder are scored and a model trained on the folder is
refused (quality.check_unseen), so a model trained without Middlebury shows how its gain over
bicubic differs between quality.py's 6 held-out scenes and the other 18.

  .venv/bin/python benchmarks/research/middlebury_floor.py --middlebury ../shared/data/middlebury
  .venv/bin/python benchmarks/research/middlebury_floor.py --middlebury ../shared/data/middlebury \
      --models x4 x4_cubic --scales 4 --out /tmp/floor_x4.json
"""
import argparse
import json
from pathlib import Path
import shlex
import sys

import cv2
from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import EVALUATION, local_extremes
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import hold_out_last
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.training.evaluate import bicubic_upsample, frame_errors, lr_frames
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quality import check_unseen, MIDDLEBURY_HELD_OUT, parse_model, RESULTS  # noqa: E402

TARGETS = {4: 55.0, 8: 50.0, 16: 40.0}     # issue 13: % below bicubic MAD
SIGMAS = (0.5, 0.7, 1.0, 1.5)


def blurred(hr, hv, sigma):
    w = cv2.GaussianBlur(hv.astype(np.float32), (0, 0), sigma)
    return cv2.GaussianBlur(np.where(hv, hr, 0).astype(np.float32), (0, 0), sigma) / np.maximum(
        w, 1e-6
    )


def edge_zone(hr, hv, step):
    """Pixels within 1 HR pixel of a depth step larger than ``step`` (valid pixels only)."""
    lo, hi = local_extremes(hr, hv, radius=1)
    with np.errstate(over='ignore', invalid='ignore'):
        return hv & ((hi - lo) > step)


def zone_parts(est, hr, mask, edge):
    """Split this frame's MAD into (edge, interior): zone error sums over all scored pixels."""
    err = np.abs(est - hr)
    n = max(int(mask.sum()), 1)
    return float(err[mask & edge].sum()) / n, float(err[mask & ~edge].sum()) / n


def per_scene(ids, mads, held_out_ids, model_labels):
    """
    Tabulate the MAD per scene of every estimate, and each model's gain over bicubic by group.

    Groups: the held-out scenes vs the others (gain from the mean MADs of the group).
    """
    table = {sid: {name: v[i] for name, v in mads.items()} for i, sid in enumerate(ids)}
    groups = {
        'held_out': [s for s in ids if s in held_out_ids],
        'other': [s for s in ids if s not in held_out_ids],
    }
    gains = {}
    for label in [m for m in model_labels if m in mads]:
        for group, members in groups.items():
            if members:
                bic = np.mean([table[s]['bicubic_hole_aware'] for s in members])
                gains.setdefault(label, {})[group] = 100 * (
                    1 - np.mean([table[s][label] for s in members]) / bic
                )
    for sid in ids:
        print(
            f'  {sid}{" (held out)" if sid in held_out_ids else ""}: '
            f'bicubic {table[sid]["bicubic_hole_aware"]:.3f}, '
            + ', '.join(f'{m} {table[sid][m]:.3f}' for m in model_labels if m in table[sid])
        )
    for label, g in gains.items():
        print(f'  {label}: ' + ', '.join(f'{k} scenes {v:+.1f}% vs bicubic' for k, v in g.items()))
    return {'mad': table, 'gain_pct_by_group': gains, 'groups': groups}


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument('--middlebury', required=True)
    p.add_argument('--scales', type=int, nargs='+', default=[4, 8, 16])
    p.add_argument(
        '--models',
        nargs='*',
        default=[],
        help='bundled names or label=path, optional +seN / +bf16',
    )
    p.add_argument(
        '--edge-step', type=float, default=2.0, help='disparity units; see "Where the error lies"'
    )
    p.add_argument(
        '--scenes',
        choices=['held_out', 'all'],
        default='held_out',
        help="held_out: quality.py's last 6 scenes; "
        'all: every scene (models trained on the folder are refused)',
    )
    p.add_argument('--out', default=str(RESULTS / 'middlebury_floor.json'))
    args = p.parse_args()
    models = {label: DepthSuperResolver.load(path, device='cpu', **options)
              for label, path, options in map(parse_model, args.models)}
    every_scene = load_image_folder(args.middlebury, depth_scale=1.0)
    held_out = hold_out_last(every_scene, MIDDLEBURY_HELD_OUT)[1]
    held_out_ids = [s.capture_id for s in held_out]
    if args.scenes == 'all':
        for label, r in models.items():
            check_unseen(label, r.metadata, [args.middlebury])
    scenes = every_scene if args.scenes == 'all' else held_out
    out = {
        'protocol': __doc__.lstrip().split('\n\n')[2].replace('\n', ' '),
        'command': ' '.join(shlex.quote(a) for a in sys.argv),
        'scenes': [s.capture_id for s in scenes],
        'held_out_scenes': held_out_ids,
        'edge_step': args.edge_step,
        'scales': {},
        'zones': {},
        'per_scene': {},
    }
    for scale in args.scales:
        mads, parts, edge_share, ids = {}, {}, [], []
        for hr, hv, lr, lv, scene in lr_frames(scenes, scale, EVALUATION['cubic']):
            ids.append(scene.capture_id)
            mask = hv & np.repeat(np.repeat(lv, scale, 0), scale, 1)
            rng = np.random.default_rng(0)
            estimates = {
                'bicubic_hole_aware': bicubic_upsample(lr, lv, scale),
                'gt_plus_uniform_0.5': hr + rng.uniform(-0.5, 0.5, hr.shape).astype(np.float32),
            }
            estimates.update({f'gt_blurred_sigma_{s}': blurred(hr, hv, s) for s in SIGMAS})
            estimates.update({label: r.upsample(np.where(lv, lr, np.nan).astype(np.float32))
                              for label, r in models.items() if r.scale == scale})
            edge = edge_zone(hr, hv, args.edge_step)
            edge_share.append(float((mask & edge).sum()) / max(int(mask.sum()), 1))
            for name, est in estimates.items():
                mads.setdefault(name, []).append(frame_errors(est, hr, hv, mask)[1])
                parts.setdefault(name, []).append(zone_parts(est, hr, mask, edge))
        row = {name: float(np.mean(v)) for name, v in mads.items()}
        zones = {
            'edge_pixel_share': float(np.mean(edge_share)),
            'parts': {
                name: {
                    'edge': float(np.mean([e for e, _ in v])),
                    'interior': float(np.mean([i for _, i in v])),
                }
                for name, v in parts.items()
            },
        }
        out['zones'][str(scale)] = zones
        out['per_scene'][str(scale)] = per_scene(ids, mads, held_out_ids, list(models))
        target = TARGETS.get(scale)
        if target is not None:
            row['target_mad'] = row['bicubic_hole_aware'] * (1 - target / 100)
        out['scales'][str(scale)] = row
        print(f'x{scale}: ' + ', '.join(f'{k} {v:.3f}' for k, v in row.items()))
        print(
            f'  x{scale} MAD = edge + interior '
            f'({100 * zones["edge_pixel_share"]:.1f}% of pixels are edge): '
            + ', '.join(
                f'{k} {z["edge"]:.3f} + {z["interior"]:.3f}' for k, z in zones['parts'].items()
            )
        )
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
