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
Training throughput (samples/s, data preparation included) per phase, measured in one run.

Covers DSRNet alone and the full cross-task scheme, each at 1 and 2 torch threads.
Results: benchmarks/results/train_speed.json (docs/TRAINING.md, "How long training takes").

  .venv/bin/python benchmarks/train_speed.py --data ../shared/data/rgbdd_dev [--scale 4] \
      [--steps 40]
Writes benchmarks/results/train_speed.json.
"""
import argparse
import json
import os
from pathlib import Path
import platform
import tempfile

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

from depth_sr_ros.atomic import write_text_atomic  # noqa: E402
from depth_sr_ros.data.image_folder import load_image_folder  # noqa: E402
from depth_sr_ros.training import fit, TrainConfig  # noqa: E402
import torch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument('--data', required=True)
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--steps', type=int, default=40)
    args = p.parse_args()
    pairs = load_image_folder(args.data)[:40]
    rows = []
    arms = [('dsr_only', {'scheme': 'dsr_only'}),
            ('ctkt warm-up (DSRNet + DENet)', {'scheme': 'ctkt', 'warmup_steps': args.steps}),
            ('ctkt transfer (+ SPNet, L_P, L_A)', {'scheme': 'ctkt', 'warmup_steps': 0})]
    for threads in (1, 2):
        for label, opts in arms:
            cfg = TrainConfig(
                scale=args.scale,
                max_steps=args.steps,
                val_every=10**9,
                checkpoint_every=10**9,
                threads=threads,
                device='cpu',
                **opts,
            )
            with tempfile.TemporaryDirectory() as run_dir:
                res = fit(pairs, [], cfg, run_dir, progress=False)
            rows.append(
                {
                    'arm': label,
                    'threads': threads,
                    'scale': args.scale,
                    'samples_per_s': res['samples_per_s'],
                    'batch': cfg.batch_size,
                    'crop': cfg.crop,
                }
            )
            print(
                f'x{args.scale} {label:34s} threads {threads}: '
                f"{res['samples_per_s']:6.1f} samples/s "
                f'({cfg.batch_size} x {cfg.crop}x{cfg.crop} crops per step)'
            )
    out = {'machine': f'{platform.machine()} {os.cpu_count()} CPUs', 'torch': torch.__version__,
           'load_average_start': os.getloadavg()[0], 'rows': rows}
    write_text_atomic(RESULTS / 'train_speed.json', json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
