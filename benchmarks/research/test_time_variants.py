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

r"""
Test-time variants of one pilot, scored on its *inner* frames: what inference alone can add.

Results: benchmarks/results/test_time_variants_x4.json (docs/research/self_ensemble.md).

For a pilot trained with ``--validation inner --hold-out-last 12`` (recipe_validation.py's
protocol), scores under one LR sampling, beside hole-aware bicubic on the same frames and pixels:
  plain        DepthSuperResolver.upsample (the deployment path)
  se2/se4/se8  the geometric self-ensemble (DepthSuperResolver(self_ensemble=N), EDSR+)
  ibp1/ibp3    iterative back-projection onto the known degradation: add the bicubic upsampling
               of (LR - downsample(SR)) once / three times (Irani-Peleg); only meaningful when
               the LR was made by that exact downsampling, as in the benchmark files
  mean_with_B  the average of this pilot's and a second pilot's output (--second): a two-model
               ensemble, i.e. how much of the error is training noise rather than bias
on the RGB-D-D inner validation frames (RMSE, cm) and the 6 inner Middlebury scenes (MAD).

  .venv/bin/python benchmarks/research/test_time_variants.py --run runs/pilots/x4_large \
      --second runs/pilots/x4_large_lr1 --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --out benchmarks/results/test_time_variants_x4.json
"""
import argparse
import json
from pathlib import Path
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import downsample, EVALUATION
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.training.evaluate import lr_frames
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quality import BASELINE, baselines, resolver_method, score  # noqa: E402
from recipe_validation import (  # noqa: E402
    check_inner_validation,
    check_middlebury_unseen,
    data_summary,
    inner_middlebury_scenes,
    inner_rgbdd_frames,
)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def back_projection(resolver, sampling, iterations):
    """SR, then ``iterations`` corrections by the upsampled LR residual under ``sampling``."""
    s = resolver.scale

    def fn(lr, lv, _):
        sr = resolver.upsample(np.where(lv, lr, np.nan).astype(np.float32)).astype(np.float32)
        valid = np.isfinite(sr)
        for _ in range(iterations):
            lr_hat, v_hat = downsample(
                np.where(valid, sr, 0).astype(np.float32), valid, s, sampling
            )
            residual = np.where(lv & v_hat, lr - lr_hat, 0).astype(np.float32)
            up = F.interpolate(
                torch.from_numpy(residual)[None, None],
                scale_factor=s,
                mode='bicubic',
                align_corners=False,
            )[0, 0].numpy()
            sr = np.where(valid, sr + up, np.nan).astype(np.float32)
        return sr
    return fn


def inner_sets(rgbdd, middlebury):
    sets = {}
    if rgbdd:
        sets['rgbdd'] = (inner_rgbdd_frames([rgbdd]), 100.0, 'rmse')
    if middlebury:
        sets['middlebury'] = (inner_middlebury_scenes(middlebury), 1.0, 'mae')
    return sets


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        '--run', required=True, help='pilot run directory (inner validation, --hold-out-last 12)'
    )
    p.add_argument(
        '--second', help='a second pilot of the same scale: also score the two-model mean'
    )
    p.add_argument('--rgbdd')
    p.add_argument('--middlebury')
    p.add_argument('--sampling', default='cubic', choices=list(EVALUATION))
    p.add_argument('--out', required=True)
    args = p.parse_args()
    for run in filter(None, (args.run, args.second)):   # never score frames a pilot trained on
        summary = data_summary({'run': run})
        check_inner_validation(run, summary)
        check_middlebury_unseen(run, summary)
    plain = DepthSuperResolver.load(Path(args.run) / 'model', device='cpu')
    methods = {BASELINE: baselines()[BASELINE], 'plain': resolver_method(plain)}
    for views in (2, 4, 8):
        methods[f'se{views}'] = resolver_method(
            DepthSuperResolver.load(Path(args.run) / 'model', device='cpu', self_ensemble=views))
    if args.sampling in ('cubic', 'bicubic_aa', 'area'):
        methods.update(
            ibp1=back_projection(plain, args.sampling, 1),
            ibp3=back_projection(plain, args.sampling, 3),
        )
    if args.second:
        other = resolver_method(DepthSuperResolver.load(Path(args.second) / 'model', device='cpu'))
        here = methods['plain']
        methods['second'] = other
        methods['mean_with_second'] = lambda lr, lv, s: 0.5 * (here(lr, lv, s) + other(lr, lv, s))
    out = {
        'command': ' '.join(shlex.quote(a) for a in sys.argv),
        'sampling': args.sampling,
        'sets': {},
    }
    for name, (pairs, factor, key) in inner_sets(args.rgbdd, args.middlebury).items():
        cell = score(lr_frames(pairs, plain.scale, EVALUATION[args.sampling]), methods, factor)
        base = cell[BASELINE][key]
        out['sets'][name] = {
            m: {key: c[key], 'gain_pct': 100 * (1 - c[key] / base)} for m, c in cell.items()
        }
        print(
            f'{name} ({key}, {len(pairs)} frames, {args.sampling} LR): '
            + ', '.join(
                f'{m} {c[key]:.4f} ({100 * (1 - c[key] / base):+.2f}%)' for m, c in cell.items()
            ),
            flush=True,
        )
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
