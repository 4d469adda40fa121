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
Can a training-time loss remove flying pixels: a fine-tuning pilot on the bundled model.

Fine-tunes the bundled x<scale> on its own training data (RGB-D-D's training time blocks and the
first 18 Middlebury scenes, its recipe, the fine-tuning schedule of init_model) for --steps
steps, once per --weights value of TrainConfig.flying_weight (nets.losses.flying_loss; 0 is the
control: the same extra training without the term). Scores the shipped model and each arm on
RGB-D-D's 44 held-out captures (RMSE) and Middlebury's 6 held-out scenes (MAD) under the five
samplings of the quality matrix, edge_mode keep: error change against the shipped model per
cell, and the flying-pixel share (training.evaluate.flying_pixel_counts).

  .venv/bin/python benchmarks/research/flying_loss_pilot.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --scale 4 --steps 2000 --weights 0 0.3 1 \
      --work /work/flying_runs --out benchmarks/results/flying_loss_pilot.json

One arm per process is fine (--weights 0.3): runs resume, scores are cached by weights hash.
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

SAMPLINGS = ('bicubic_aa', 'cubic', 'area', 'nearest', 'sensor_like')
HEADLINE = {'rgbdd': 'rmse', 'middlebury': 'mae'}


def splits(rgbdd, middlebury):
    """
    Return (training pairs, {set: held-out pairs}), each folder read once.

    Training: what the bundled models were trained on (RGB-D-D's training blocks + the first 18
    Middlebury scenes); held out: RGB-D-D's held-out blocks and the last 6 Middlebury scenes.
    """
    rgbdd_train, rgbdd_val = ad.rgbdd_split(rgbdd)
    mb_train, mb_held = ad.middlebury_split(middlebury)
    return rgbdd_train + mb_train, {'rgbdd': rgbdd_val, 'middlebury': mb_held}


def train_arm(pairs, scale, steps, weight, work):
    from depth_sr_ros.training import init_model as im
    from depth_sr_ros.training import TrainConfig
    cfg = TrainConfig(scheme='dsr_only', scale=scale, batch_size=16, crop=96, threads=1,
                      device='cpu', lr_schedule='warmup_constant', init_blend=1.0,
                      lr=im.FINETUNE_LR, lr_warmup_steps=im.FINETUNE_WARMUP_STEPS,
                      max_steps=steps, val_every=10 ** 9, checkpoint_every=200,
                      flying_weight=weight)
    cfg = im.apply_init(cfg, im.describe_init(f'x{scale}'))
    directory = Path(work) / f'x{scale}_steps{steps}_fly{weight:g}'
    return ad.train_run(pairs, cfg, directory) / 'model'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument('--rgbdd', required=True)
    p.add_argument('--middlebury', required=True)
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--steps', type=int, default=2000)
    p.add_argument('--weights', type=float, nargs='+', default=[0.0, 0.3, 1.0])
    p.add_argument('--work', required=True)
    p.add_argument('--out', required=True)
    args = p.parse_args()
    from depth_sr_ros.training.evaluate import sampling_frames
    pairs, held_out = splits(args.rgbdd, args.middlebury)
    models = {'shipped': f'x{args.scale}'}
    for w in args.weights:
        models[f'fly{w:g}'] = str(train_arm(pairs, args.scale, args.steps, w, args.work))
    cache = Path(args.work) / 'scores'
    out = {'command': ' '.join(['benchmarks/research/flying_loss_pilot.py'] + sys.argv[1:]),
           'steps': args.steps, 'scale': args.scale, 'training_pairs': len(pairs), 'sets': {}}
    for name, frames in held_out.items():
        by_sampling = sampling_frames(frames, args.scale, SAMPLINGS)
        cells = {label: ad._score_one(by_sampling, path, 0, (cache, f'{name}_x{args.scale}'))
                 for label, path in models.items()}
        key = HEADLINE[name]
        rows = {}
        for label, per in cells.items():
            ship = cells['shipped']
            rows[label] = {
                s: {'error': per[s]['model'][key], 'bicubic': per[s]['baseline'][key],
                    'change_vs_shipped_pct': 100.0 * (per[s]['model'][key]
                                                      / ship[s]['model'][key] - 1),
                    'flying_pct': per[s]['model']['flying_pct']} for s in SAMPLINGS}
            worst = max(r['change_vs_shipped_pct'] for r in rows[label].values())
            fly = [r['flying_pct'] for r in rows[label].values()]
            print(f'{name:10s} {label:8s} {key} change vs shipped: worst {worst:+5.2f}% | '
                  'flying ' + ' '.join(f'{f:4.1f}' for f in fly) + ' %', flush=True)
        out['sets'][name] = {'frames': len(frames), 'metric': key, 'rows': rows}
    from depth_sr_ros.atomic import write_text_atomic
    write_text_atomic(Path(args.out), json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
