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
Does a blend weight per layer group keep more of the gain than one blend for every weight.

For one 10-minute adapted run of ``benchmarks/adaptation.py`` (``--work``, ``--tag``), exports
models whose weights are alpha_g x adapted + (1 - alpha_g) x shipped, with alpha_g per group
(``head``: input conv + first two residual blocks; ``mid``: the other residual blocks;
``tail``: body tail, upsampler, output conv), and scores each like the blend sweep: % lower RMSE
than bicubic on the Kinect set's held-out frames and points lost on RGB-D-D's held-out captures.

  .venv/bin/python benchmarks/research/adaptation_group_blend.py --work /work/adapt_runs \
      --set ../shared/data/osd_kinect --scale 8 --tag _warmup_cosine \
      --rgbdd ../shared/data/rgbdd_dev --blends 1,0,0 0,1,0 0,0,1 \
      --out benchmarks/results/adaptation_group_blend.json
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

GROUP_NAMES = ('head', 'mid', 'tail')


def group_of(name):
    """Return 'head', 'tail' (init_model.FINETUNE_PARAMS' groups) or 'mid' for a weight name."""
    from depth_sr_ros.training.init_model import FINETUNE_PARAMS
    return next((g for g in ('head', 'tail') if FINETUNE_PARAMS[g](name)), 'mid')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument('--work', required=True)
    p.add_argument('--set', required=True)
    p.add_argument('--scale', type=int, required=True)
    p.add_argument('--tag', default='')
    p.add_argument('--scratch-tag', default='')
    p.add_argument('--rgbdd', required=True)
    p.add_argument('--blends', nargs='+', required=True,
                   help='head,mid,tail alphas, e.g. 1,0.3,0.3')
    p.add_argument('--out', required=True)
    args = p.parse_args()
    from depth_sr_ros.atomic import write_text_atomic
    rgbdd_val = ad.rgbdd_split(args.rgbdd)[1]
    steps, _ = ad.budget_steps(args.work, args.scale)
    name = Path(args.set).name
    adapted = ad._model_at(ad.run_dir(args.work, args.set, args.scale, 'adapted', args.tag),
                           steps, 10)
    scratch = ad._model_at(ad.run_dir(args.work, args.set, args.scale, 'scratch',
                                      args.scratch_tag), steps, 10)
    models = {'shipped': f'x{args.scale}', 'scratch': str(scratch)}
    for b in args.blends:
        weight = dict(zip(GROUP_NAMES, (float(a) for a in b.split(','))))
        label = 'g' + '_'.join(f'{a:g}' for a in weight.values())
        models[b] = str(ad.blend_model(adapted, f'x{args.scale}',
                                       lambda name, w=weight: w[group_of(name)], label))
    cache = (Path(args.work) / 'scores')
    held = ad.score_models(ad.frames_by_sampling(ad.load_set(args.set)[1], args.scale), models,
                           cache=(cache, f'{name}_x{args.scale}'))['mean']
    kept = {k: v for k, v in models.items() if k != 'scratch'}
    rg = ad.score_models(ad.frames_by_sampling(rgbdd_val, args.scale), kept, hole_margin_lr=0,
                         cache=(cache, f'rgbdd_x{args.scale}'))['mean']
    out = {'command': ad._command().replace('benchmarks/adaptation.py',
                                            'benchmarks/research/adaptation_group_blend.py'),
           'rows': []}
    for label in kept:
        row = {'set': name, 'scale': args.scale, 'variant': args.tag, 'blend': label,
               'held_out_gain': held[label]['gain_pct'],
               'scratch_gain': held['scratch']['gain_pct'],
               'forget_rgbdd': rg['shipped']['gain_pct'] - rg[label]['gain_pct']}
        out['rows'].append(row)
        print(f"x{args.scale} {name} {label:14s} gain {row['held_out_gain']:+6.2f} "
              f"(scratch {row['scratch_gain']:+.2f}) forget rgbdd {row['forget_rgbdd']:+5.2f}",
              flush=True)
    write_text_atomic(Path(args.out), json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
