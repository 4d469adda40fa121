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
What the extra outputs cost per frame beside the network: edge_mode, confidence, filter.

The speed contract is the default x4 at 160x120 in >= 15 fps on 1 thread (66.7 ms per frame,
network ~50 ms). This times, on one frame of that size (a held-out RGB-D-D capture, area
sampled, or a procedural scene without --rgbdd), the resolver with edge_mode keep (the network
path), and separately each extra step on its 640x480 output: snap, invalidate, confidence
(each candidate) and TemporalFilter.update; median of --repeats after a warm-up. Timing
figures are only meaningful on an idle machine.

  OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/edge_speed.py \
      --rgbdd ../shared/data/rgbdd_dev --threads 1 --repeats 50
"""
import argparse
import json
from pathlib import Path
import shlex
import sys
import time

import cv2
from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import AREA, degrade
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.synthetic import render_frame
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.confidence import CONFIDENCE_KINDS
from depth_sr_ros.inference.edges import apply_to_output
from depth_sr_ros.inference.temporal import TemporalFilter
import numpy as np
import torch

RESULTS = Path(__file__).resolve().parent / 'results'


def lr_frame(args, scale):
    """Return a 120x160 float32 LR frame (metres, NaN invalid)."""
    if args.rgbdd:
        pair = load_image_folder(args.rgbdd, depth_scale=0.001)[-1]
        hr, hv = pair.depth, pair.valid
    else:
        f = render_frame(width=640, height=480, seed=0, t=0.0)
        hr, hv = f.depth.astype(np.float32), f.valid
    hr = cv2.resize(np.where(hv, hr, 0), (160 * scale, 120 * scale),
                    interpolation=cv2.INTER_NEAREST)
    lr, lv = degrade(hr, hr > 0, scale, AREA, np.random.default_rng(0))
    return np.where(lv, lr, np.nan).astype(np.float32)


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main():
    p = argparse.ArgumentParser(description=__doc__.lstrip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='x4')
    p.add_argument('--rgbdd', help='frame from this RGB-D-D folder (else a procedural scene)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--repeats', type=int, default=50)
    p.add_argument('--out', default=str(RESULTS / 'edge_speed.json'))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    r = DepthSuperResolver.load(args.model, device='cpu', edge_mode='keep')
    lr = lr_frame(args, r.scale)
    out = r.upsample(lr)
    rows = {'network (edge_mode keep)': median_ms(lambda: r.upsample(lr), args.repeats)}
    for mode in ('snap', 'invalidate'):
        rows[f'edge_mode {mode}'] = median_ms(lambda m=mode: apply_to_output(out, r.scale, m),
                                              args.repeats)
    for kind in CONFIDENCE_KINDS:
        rows[f'confidence {kind}'] = median_ms(lambda k=kind: r.confidence(lr, out, k),
                                               args.repeats)
    tf = TemporalFilter()
    rows['temporal filter'] = median_ms(lambda: tf.update(out), args.repeats)
    for name, ms in rows.items():
        print(f'{name:28s} {ms:7.2f} ms')
    write_text_atomic(Path(args.out), json.dumps({
        'command': ' '.join(shlex.quote(a) for a in sys.argv), 'threads': args.threads,
        'input': '160x120', 'model': args.model, 'median_ms': rows}, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
