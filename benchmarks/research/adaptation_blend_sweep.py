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
  reference  the procedural reference frames bundled with the package (what train_from_bag
             reports as forgetting; the only forgetting proxy on a user's machine), and the
             same scenes without holes and at 640x480 (reference_no_holes, reference_640)
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


# The bundled reference (holes, 320x240) and two variants, to see whether any procedural frames
# show the forgetting real captures do.
REFERENCE_VARIANTS = {'reference': {'holes': True, 'size': (240, 320)},
                      'reference_no_holes': {'holes': False, 'size': (240, 320)},
                      'reference_640': {'holes': True, 'size': (480, 640)}}


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
    p.add_argument('--out', required=True)
    args = p.parse_args()
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import split_by_time_blocks
    from depth_sr_ros.training import comparison
    rgbdd_train, rgbdd_val = split_by_time_blocks(
        load_image_folder(args.rgbdd, depth_scale=0.001), val_fraction=ad.VAL_FRACTION)
    inner = ad._subset(split_by_time_blocks(rgbdd_train, val_fraction=ad.VAL_FRACTION)[1],
                       args.inner_frames)
    cache = Path(args.work) / 'scores'
    out = {'command': ad._command().replace('benchmarks/adaptation.py',
                                            'benchmarks/research/adaptation_blend_sweep.py'),
           'rows': []}
    for scale in args.scales:
        steps, _ = ad.budget_steps(args.work, scale)
        for folder in args.sets:
            name = Path(folder).name
            adapted = ad._model_at(ad.run_dir(args.work, folder, scale, 'adapted'), steps, 10)
            scratch = ad._model_at(ad.run_dir(args.work, folder, scale, 'scratch'), steps, 10)
            models = {'shipped': f'x{scale}', 'scratch': str(scratch)}
            for a in args.alphas:
                models[f'blend{a:g}'] = str(adapted if a == 1.0 else
                                            ad.blend_model(adapted, f'x{scale}', a))
            print(f'x{scale} {name}: {sorted(models)}', file=sys.stderr, flush=True)
            held = ad.score_models(ad.frames_by_sampling(ad.load_set(folder)[1], scale), models,
                                   cache=(cache, f'{name}_x{scale}'))['mean']
            blends = {k: v for k, v in models.items() if k != 'scratch'}
            rg = ad.score_models(ad.frames_by_sampling(rgbdd_val, scale), blends,
                                 hole_margin_lr=0, cache=(cache, f'rgbdd_x{scale}'))['mean']
            inn = ad.score_models(ad.frames_by_sampling(inner, scale), blends, hole_margin_lr=0,
                                  cache=(cache, f'pilot_rgbdd_inner_x{scale}'))['mean']
            refs = {variant: reference_gains(blends, scale, comparison.reference_pairs(**v))
                    for variant, v in REFERENCE_VARIANTS.items()}
            for label in blends:
                row = {'set': name, 'scale': scale, 'model': label,
                       'held_out_gain': held[label]['gain_pct'],
                       'scratch_gain': held['scratch']['gain_pct'],
                       'shipped_gain': held['shipped']['gain_pct'],
                       'forget_rgbdd': rg['shipped']['gain_pct'] - rg[label]['gain_pct'],
                       'forget_inner': inn['shipped']['gain_pct'] - inn[label]['gain_pct'],
                       **{f'forget_{variant}': ref['shipped'] - ref[label]
                          for variant, ref in refs.items()}}
                out['rows'].append(row)
                print(f"x{scale} {name:18s} {label:9s} gain {row['held_out_gain']:+6.2f} "
                      f"(shipped {row['shipped_gain']:+.2f}, scratch {row['scratch_gain']:+.2f}) "
                      f"forget rgbdd {row['forget_rgbdd']:+5.2f} inner {row['forget_inner']:+5.2f}"
                      f" reference {row['forget_reference']:+5.2f}", flush=True)
            from depth_sr_ros.atomic import write_text_atomic
            write_text_atomic(Path(args.out), json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
