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
Render procedural RGB-D scenes (data/synthetic.py) into an image folder for training.

Why: unlimited depth with exact, clean edges (piecewise-planar and spherical surfaces, like
Middlebury's disparity maps) as an extra training source beside real captures; the folder has
the same layout as ../shared/data sets (rgb/<id>.png, depth/<id>.png uint16 mm, 0 = invalid),
so `train --train-only <folder>` uses it unchanged.

  .venv/bin/python scripts/render_synthetic_folder.py runs/synthetic --scenes 60 --views 5
"""
import argparse
from pathlib import Path
import sys

import cv2
from depth_sr_ros.data.synthetic import render_frame, to_uint16_mm
from tqdm import tqdm


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument('out', help='folder to create (rgb/ and depth/)')
    p.add_argument('--scenes', type=int, default=60, help='scene layouts (seeds)')
    p.add_argument('--views', type=int, default=5, help='camera poses per scene, 2 s apart')
    p.add_argument('--width', type=int, default=512)
    p.add_argument('--height', type=int, default=384)
    p.add_argument(
        '--no-holes', action='store_true', help='render without sensor-like invalid regions'
    )
    args = p.parse_args(argv)
    if args.scenes < 1 or args.views < 1:
        print('render_synthetic_folder: --scenes and --views must be >= 1', file=sys.stderr)
        return 2
    out = Path(args.out)
    (out / 'rgb').mkdir(parents=True, exist_ok=True)
    (out / 'depth').mkdir(parents=True, exist_ok=True)
    jobs = [(s, v) for s in range(args.scenes) for v in range(args.views)]
    for seed, view in tqdm(jobs, desc='render', unit='frame'):
        frame = render_frame(
            args.width, args.height, seed=seed, t=2.0 * view, holes=not args.no_holes
        )
        name = f'{seed:04d}_{view:02d}.png'
        cv2.imwrite(str(out / 'rgb' / name), cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(out / 'depth' / name), to_uint16_mm(frame))
    print(f'render_synthetic_folder: {len(jobs)} frames in {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
