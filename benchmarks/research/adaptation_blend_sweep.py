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
Which weight blend of an adapted model to export, and can a user's machine choose it.

For each 10-minute adapted run of ``benchmarks/adaptation.py`` (its --work folder) and each
blend alpha (alpha x adapted + (1 - alpha) x shipped weights), scores:
  held_out   the Kinect set's held-out frames (what the user gains), % lower RMSE than bicubic
  rgbdd      RGB-D-D's held-out captures (forgetting, what the issue's target is measured on)
  inner      RGB-D-D captures from its training part (a selection set that is not the target)
  middlebury Middlebury's 6 held-out scenes and its first 18 (middlebury_train, what the
             bundled models trained on and what train_from_bag now scores as its forgetting
             reference, models/reference/), and the last 6 of the 18 (middlebury_last6, what
             a 12-scene replay leaves unseen), with --middlebury
  reference  seeded procedural frames (what train_from_bag reported as forgetting before it
             shipped the Middlebury scenes), and the same scenes without holes and at 640x480
             (reference_no_holes, reference_640)
and prints forgetting (points of gain lost vs the shipped model) against the gain kept, so a
rule like "the largest alpha whose reference forgetting stays under T" can be checked.

  .venv/bin/python benchmarks/research/adaptation_blend_sweep.py --work /work/adapt_runs \
      --sets ../shared/data/osd_kinect ../shared/data/sevenscenes_depth \
      --rgbdd ../shared/data/rgbdd_dev --scales 4 8 \
      --alphas 0.2 0.3 0.35 0.4 0.45 0.5 0.6 0.8 1.0 \
      --out benchmarks/results/adaptation_blend_sweep.json
"""
import argparse
import json
import os
from pathlib import Path
import sys

os.environ.setdefault('OMP_NUM_THREADS', '1')
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import adaptation as ad  # noqa: E402


# The procedural reference train_from_bag reported before the Middlebury scenes (holes, 320x240)
# and two variants, to see whether any procedural frames show the forgetting real captures do.
REFERENCE_VARIANTS = {'reference': {'holes': True, 'size': (240, 320)},
                      'reference_no_holes': {'holes': False, 'size': (240, 320)},
                      'reference_640': {'holes': True, 'size': (480, 640)}}
PROCEDURAL_SEEDS = (101, 202, 303, 404, 505, 606)


def procedural_pairs(size, holes):
    """Seeded procedural scenes (data/synthetic.py), exact depth."""
    from depth_sr_ros.data.pairs import RGBDPair
    from depth_sr_ros.data.synthetic import render_frame
    frames = [render_frame(width=size[1], height=size[0], seed=seed, t=0.5, holes=holes)
              for seed in PROCEDURAL_SEEDS]
    return [RGBDPair(rgb=f.rgb, depth=f.depth, valid=f.valid, capture_id=f'reference_{seed}',
                     meta={'metric': True}) for f, seed in zip(frames, PROCEDURAL_SEEDS)]


def reference_gains(models, scale, pairs):
    """{label: % lower RMSE than bicubic} on procedural frames, as train_from_bag scores them."""
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.training import comparison
    from depth_sr_ros.training.config import TrainConfig
    resolvers = {k: DepthSuperResolver.load(str(v), device='cpu', torchscript=False)
                 for k, v in models.items()}
    rows = comparison.compare(resolvers, pairs, scale, TrainConfig().val_degradations)
    return {k: comparison.gain_pct(r) for k, r in rows.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument('--work', required=True)
    p.add_argument('--sets', nargs='+', required=True)
    p.add_argument('--rgbdd', required=True)
    p.add_argument('--scales', type=int, nargs='+', default=[4, 8])
    p.add_argument('--alphas', type=float, nargs='+', required=True)
    p.add_argument('--inner-frames', type=int, default=20)
    p.add_argument('--tag', default='',
                   help="adapted runs of a variant: run directory suffix, e.g. '_replay0.25'")
    p.add_argument('--scratch-tag', nargs='+', default=[''],
                   help="from-scratch runs of a variant, e.g. '_onecycle' (the first is "
                        'scratch_gain; all are in scratch_gains)')
    p.add_argument('--middlebury', help='Middlebury style folder: also score forgetting there')
    p.add_argument('--init', default=None,
                   help="the adapted runs' init model path (train --init); default bundled xK")
    p.add_argument('--out', required=True)
    args = p.parse_args()
    rgbdd_train, rgbdd_val = ad.rgbdd_split(args.rgbdd)
    inner = ad.rgbdd_inner(rgbdd_train, args.inner_frames)
    cache = Path(args.work) / 'scores'
    real_refs = {}
    if args.middlebury:
        kept, held = ad.middlebury_split(args.middlebury)
        real_refs = {'middlebury': held, 'middlebury_train': kept,
                     'middlebury_last6': kept[12:]}   # the 6 scenes a 12-scene replay leaves
    out = {'command': ad._command().replace('benchmarks/adaptation.py',
                                            'benchmarks/research/adaptation_blend_sweep.py'),
           'rows': []}
    for scale in args.scales:
        steps, _ = ad.budget_steps(args.work, scale)
        for folder in args.sets:
            name = Path(folder).name
            adapted = ad._model_at(ad.run_dir(args.work, folder, scale, 'adapted', args.tag),
                                   steps, 10)
            scratch = {}
            for t in args.scratch_tag:
                run = ad.run_dir(args.work, folder, scale, 'scratch', t)
                scratch[f'scratch{t}'] = str(ad._model_at(run, steps, 10))
            init = args.init or f'x{scale}'       # 'shipped' is the init model
            models = {'shipped': init, **scratch}
            for a in args.alphas:
                models[f'blend{a:g}'] = str(adapted if a == 1.0 else
                                            ad.blend_model(adapted, init, a))
            print(f'x{scale} {name}: {sorted(models)}', file=sys.stderr, flush=True)
            held = ad.score_models(ad.frames_by_sampling(ad.load_set(folder)[1], scale), models,
                                   cache=(cache, f'{name}_x{scale}'))['mean']
            blends = {k: v for k, v in models.items() if k not in scratch}
            # scratch too: what a model trained on the user's sensor alone does there
            rg = ad.score_models(ad.frames_by_sampling(rgbdd_val, scale), models,
                                 hole_margin_lr=0, cache=(cache, f'rgbdd_x{scale}'))['mean']
            inn = ad.score_models(ad.frames_by_sampling(inner, scale), blends, hole_margin_lr=0,
                                  cache=(cache, f'pilot_rgbdd_inner_x{scale}'))['mean']
            real = {k: ad.score_models(ad.frames_by_sampling(v, scale), blends,
                                       hole_margin_lr=0, cache=(cache, f'{k}_x{scale}'))['mean']
                    for k, v in real_refs.items()}
            refs = {variant: reference_gains(blends, scale, procedural_pairs(**v))
                    for variant, v in REFERENCE_VARIANTS.items()}
            for label in blends:
                row = {'set': name, 'scale': scale, 'model': label, 'variant': args.tag,
                       'scratch_variant': args.scratch_tag,
                       'held_out_gain': held[label]['gain_pct'],
                       'scratch_gain': held[f'scratch{args.scratch_tag[0]}']['gain_pct'],
                       'scratch_gains': {k: held[k]['gain_pct'] for k in scratch},
                       'scratch_forget_rgbdd': {k: rg['shipped']['gain_pct'] - rg[k]['gain_pct']
                                                for k in scratch},
                       'shipped_gain': held['shipped']['gain_pct'],
                       'forget_rgbdd': rg['shipped']['gain_pct'] - rg[label]['gain_pct'],
                       'forget_inner': inn['shipped']['gain_pct'] - inn[label]['gain_pct'],
                       **{f'forget_{k}': r['shipped']['gain_pct'] - r[label]['gain_pct']
                          for k, r in real.items()},
                       **{f'forget_{variant}': ref['shipped'] - ref[label]
                          for variant, ref in refs.items()}}
                out['rows'].append(row)
                print(f"x{scale} {name:18s} {label:9s} gain {row['held_out_gain']:+6.2f} "
                      f"(shipped {row['shipped_gain']:+.2f}, scratch {row['scratch_gain']:+.2f}) "
                      f"forget rgbdd {row['forget_rgbdd']:+5.2f} inner {row['forget_inner']:+5.2f}"
                      f" reference {row['forget_reference']:+5.2f}"
                      + ''.join(f" {k} {row[f'forget_{k}']:+5.2f}" for k in real), flush=True)
            from depth_sr_ros.atomic import write_text_atomic
            write_text_atomic(Path(args.out), json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
