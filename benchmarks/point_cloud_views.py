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
Before/after picture of flying pixels: oblique 3-D views of one held-out capture's point cloud.

What a user sees in RViz: the same held-out RGB-D-D capture (capture-time blocks as in
benchmarks/quality.py), LR made by --sampling, upsampled by hole-aware bicubic, by the model
with edge_mode keep and with --edge-mode, and the HR truth, each back-projected with nominal
pinhole intrinsics (horizontal field of view --hfov, centre-aligned) and drawn from the side,
so points hanging between a foreground edge and the background show as streaks. The title of
each view gives its flying-pixel share (training.evaluate.flying_pixel_counts on that frame).

  .venv/bin/python benchmarks/point_cloud_views.py --rgbdd ../shared/data/rgbdd_dev --model x4 \
      --sampling sensor_like --edge-mode invalidate --out docs/img/point_cloud_edges_x4.png
"""
import argparse
import math
from pathlib import Path

from depth_sr_ros.data.degradation import EVALUATION, local_extremes
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.edges import apply_to_output, EDGE_MODES
from depth_sr_ros.training.evaluate import bicubic_upsample, flying_pixel_counts, lr_frames
from depth_sr_ros.training.reports import save_png
import numpy as np


def back_project(depth, hfov_deg, stride):
    """(x, y, z) of the valid pixels (every ``stride``-th row and column), metres."""
    h, w = depth.shape
    f = (w / 2) / math.tan(math.radians(hfov_deg) / 2)
    v, u = np.mgrid[0:h:stride, 0:w:stride]
    z = depth[::stride, ::stride]
    ok = np.isfinite(z) & (z > 0)
    return (u[ok] - (w - 1) / 2) * z[ok] / f, (v[ok] - (h - 1) / 2) * z[ok] / f, z[ok]


def most_steps(pairs, scale):
    """Index of the frame with the largest share of depth-step pixels (the clearest picture)."""
    def share(pair):
        lo, hi = local_extremes(pair.depth, pair.valid, radius=scale)
        span = float(np.ptp(pair.depth[pair.valid]))
        with np.errstate(over='ignore', invalid='ignore'):
            return float((pair.valid & (hi - lo > 0.05 * span)).mean())
    return int(np.argmax([share(p) for p in pairs]))


def main():
    p = argparse.ArgumentParser(description=__doc__.lstrip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rgbdd', required=True)
    p.add_argument('--model', default='x4')
    p.add_argument('--sampling', default='sensor_like', choices=list(EVALUATION))
    p.add_argument('--edge-mode', default='invalidate', choices=EDGE_MODES)
    p.add_argument('--frame', type=int, default=-1,
                   help='held-out frame index (-1 = the one with most depth-step pixels)')
    p.add_argument('--hfov', type=float, default=69.0,
                   help='nominal horizontal field of view, degrees')
    p.add_argument('--stride', type=int, default=2)
    p.add_argument('--elev', type=float, default=35.0)
    p.add_argument('--azim', type=float, default=-120.0)
    p.add_argument('--out', default='docs/img/point_cloud_edges_x4.png')
    args = p.parse_args()
    pairs = load_image_folder(args.rgbdd, depth_scale=0.001)
    held = split_by_time_blocks(pairs, val_fraction=0.15)[1]
    r = DepthSuperResolver.load(args.model, device='cpu', edge_mode='keep')
    s = r.scale
    pair = held[most_steps(held, s) if args.frame < 0 else args.frame]
    hr, hv, lr, lv, _ = lr_frames([pair], s, EVALUATION[args.sampling])[0]
    keep = r.upsample(np.where(lv, lr, np.nan).astype(np.float32))
    views = [('hole-aware bicubic', bicubic_upsample(lr, lv, s)),
             (f'{args.model}, edge_mode keep', keep),
             (f'{args.model}, edge_mode {args.edge_mode}',
              apply_to_output(keep, s, args.edge_mode)),
             ('HR truth', np.where(hv, hr, np.nan))]
    mask = hv & np.repeat(np.repeat(lv, s, 0), s, 1)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(16, 4.6))
    z_all = hr[hv]
    lo, hi = np.percentile(z_all, [1, 99])
    for i, (title, depth) in enumerate(views):
        ax = fig.add_subplot(1, len(views), i + 1, projection='3d')
        x, y, z = back_project(depth, args.hfov, args.stride)
        ax.scatter(x, z, -y, c=z, cmap='viridis', vmin=lo, vmax=hi, s=0.4, linewidths=0)
        ax.set_ylim(lo, hi)
        if title != 'HR truth':
            f, c = flying_pixel_counts(depth, hr, hv, mask, s)
            title += f'\nflying {100 * f / max(c, 1):.1f}% of step pixels'
        ax.set_title(title, fontsize=9)
        ax.view_init(elev=args.elev, azim=args.azim)
        ax.set_xlabel('x (m)', fontsize=7)
        ax.set_ylabel('depth (m)', fontsize=7)
        ax.set_zticks([])
        ax.tick_params(labelsize=6)
    fig.suptitle(f'held-out RGB-D-D capture {pair.capture_id}, x{s} {args.sampling} LR, '
                 'oblique view (nominal intrinsics)', fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save_png(fig, Path(args.out))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
