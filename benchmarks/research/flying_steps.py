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
Which depth steps a model leaves flying pixels on: step heights, per folder and procedural scene.

Results: none: prints a table (docs/research/cross_sensor.md quotes it).

Why: the cross-sensor matrix (quality.py --kinect) found the blind x2 leaving more flying pixels
than bicubic under point sampling on Kinect frames. This prints, for one model and one sampling,
the flying-pixel share of the model and of hole-aware bicubic (training.evaluate's test, pixels
scored as in quality.py's Kinect set) and the height of the step (max - min of the ground truth
in the test's window) at the pixels each one leaves flying, beside the heights of all candidate
step pixels (10th / 50th / 90th percentile, metres). Small heights at the model's flying pixels
mean it smooths mid-sized steps into ramps. --synthetic adds N procedural scenes
(data/synthetic.py, seeds 100..) as a sensor-free reference.

  .venv/bin/python benchmarks/research/flying_steps.py --model x2 --sampling nearest \
      --folders ../shared/data/osd_kinect ../shared/data/sevenscenes_depth --frames 8 --synthetic 6
"""
import argparse
from pathlib import Path
import sys

from depth_sr_ros.data.degradation import degrade, EVALUATION
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.synthetic import render_frame
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.training.evaluate import bicubic_upsample, flying_pixel_masks, lr_frames
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quality import evenly_spaced, hole_margin_mask  # noqa: E402


def report(name, frames, resolver, scale):
    stats = {'model': [[], 0, 0], 'bicubic': [[], 0, 0]}
    all_steps = []
    for hr, hv, lr, lv in frames:
        mask = hole_margin_mask(hv, scale) & np.repeat(np.repeat(lv, scale, 0), scale, 1)
        for key, pred in (
            ('bicubic', bicubic_upsample(lr, lv, scale)),
            ('model', resolver.upsample(np.where(lv, lr, np.nan).astype(np.float32))),
        ):
            flying, candidates, jump = flying_pixel_masks(pred, hr, hv, mask, scale)
            stats[key][0].extend(jump[flying])
            stats[key][1] += int(flying.sum())
            stats[key][2] += int(candidates.sum())
        all_steps.extend(jump[candidates])

    def pct(v):
        return np.percentile(v, [10, 50, 90]).round(3).tolist() if len(v) else []
    print(
        f'{name} ({len(frames)} frames): candidates {len(all_steps)}, '
        f'step heights {pct(all_steps)} m'
    )
    for key, (heights, f, c) in stats.items():
        print(
            f'  {key:8s} flying {100 * f / max(c, 1):5.1f}%  step heights there {pct(heights)} m'
        )


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument('--model', default='x2')
    p.add_argument('--sampling', default='nearest', choices=list(EVALUATION))
    p.add_argument(
        '--folders', nargs='*', default=[], help='depth folders (uint16 mm; rgb/ optional)'
    )
    p.add_argument('--frames', type=int, default=8, help='evenly spaced frames per folder')
    p.add_argument(
        '--synthetic', type=int, default=0, help='procedural scenes to add as a reference'
    )
    args = p.parse_args()
    resolver = DepthSuperResolver.load(args.model, device='cpu')
    scale, spec = resolver.scale, EVALUATION[args.sampling]
    print(f'{args.model} (x{scale}), {args.sampling} LR')
    for folder in args.folders:
        pairs = evenly_spaced(
            load_image_folder(folder, depth_scale=0.001, depth_only=True), args.frames
        )
        frames = [(hr, hv, lr, lv) for hr, hv, lr, lv, _ in lr_frames(pairs, scale, spec)]
        report(Path(folder).name, frames, resolver, scale)
    if args.synthetic:
        frames = []
        for i in range(args.synthetic):
            f = render_frame(width=640, height=480, seed=100 + i, t=0.3 * i)
            hr, hv = f.depth.astype(np.float32), f.valid
            frames.append((hr, hv) + degrade(hr, hv, scale, spec, np.random.default_rng(i)))
        report('procedural scenes', frames, resolver, scale)


if __name__ == '__main__':
    main()
