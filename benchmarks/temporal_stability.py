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
Does the output flicker? Static held-out scenes seen through a new sensor_like draw every frame.

Each scene is one held-out HR frame (RGB-D-D capture-time blocks as in benchmarks/quality.py;
Kinect v1 frames, no model trained on them, evenly spaced as quality.py --kinect picks them),
seen --frames times; every frame's LR is made by the sensor_like recipe (area + depth-dependent
noise + dropped pixels + blob holes) with its own seed, so noise, dropouts and holes are drawn
anew as a real sensor gives them. Per method (hole-aware bicubic; each model with edge_mode keep,
'model@<mode>' with each of --edge-modes, and with --temporal-filter keep behind TemporalFilter):
  temporal std   per-pixel standard deviation over the frames where that pixel is valid
                 (pixels valid in at least half of them), mean over the frame and over depth-step
                 pixels (truth's local range > 5% of the frame's range within s pixels), in cm;
  rmse           the per-frame RMSE against the truth, mean over frames, in cm;
  validity flips share of (pixel, frame) pairs whose validity differs from the previous frame.
Step response: 10 frames of one scene, then 10 of another (a scene cut) or of the same scene
moved by one LR pixel (a shift); a frame is settled when its RMSE is within 5% of the stateless
model's mean RMSE on the new scene; 'frames to settle' counts the frames after the change before
every later frame is settled (0 = the first new frame already is). The stateless resolver
settles in 0 by construction; the figure matters for the temporal filter.
Writes benchmarks/results/temporal_stability.json and a bar plot beside it.

  .venv/bin/python benchmarks/temporal_stability.py --rgbdd ../shared/data/rgbdd_dev \
      --kinect ../shared/data/osd_kinect ../shared/data/sevenscenes_depth \
      --models x2 x4 x8 x16 --frames 30 --temporal-filter
"""
import argparse
import json
from pathlib import Path
import shlex
import sys
import warnings

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import degrade, local_extremes, SENSOR_LIKE
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.edges import apply_to_output, EDGE_MODES
from depth_sr_ros.inference.temporal import TemporalFilter
from depth_sr_ros.training.evaluate import bicubic_upsample
from depth_sr_ros.training.reports import save_png
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import evenly_spaced  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'
STEP_FRAMES = 10


def scenes(args):
    """[(name, hr, hv)] in metres."""
    out = []
    if args.rgbdd:
        pairs = load_image_folder(args.rgbdd, depth_scale=0.001)
        val = evenly_spaced(split_by_time_blocks(pairs, val_fraction=0.15)[1], args.scenes)
        out += [(f'rgbdd/{p.capture_id}', p.depth, p.valid) for p in val]
    for folder in args.kinect or []:
        pairs = load_image_folder(folder, depth_scale=0.001, depth_only=True)
        pairs = evenly_spaced(pairs, args.scenes)
        out += [(f'{Path(folder).name}/{p.capture_id}', p.depth, p.valid) for p in pairs]
    return out


def crop(hr, hv, scale, shift=0):
    """HR cropped to a multiple of scale and one LR pixel narrower, ``shift`` LR pixels in."""
    h, w = (hr.shape[0] // scale) * scale, (hr.shape[1] // scale - 1) * scale
    x = shift * scale
    return hr[:h, x:x + w], hv[:h, x:x + w]


def sequence(hr, hv, scale, n, seed):
    """Return n (lr, lv) sensor_like frames of one static scene, each with its own draw."""
    return [degrade(hr, hv, scale, SENSOR_LIKE, np.random.default_rng([seed, t]))
            for t in range(n)]


def methods(resolver, use_filter, edge_modes):
    """
    Return {label: fn(list of (lr, lv)) -> list of HR outputs}; filters start fresh per sequence.

    'model' is edge_mode keep; 'model@<mode>' applies another edge_mode to the same outputs.
    """
    s = resolver.scale
    resolver.edge_mode = 'keep'
    cache = {}

    def model(frames):
        if cache.get('frames') is not frames:
            inputs = [np.where(lv, lr, np.nan).astype(np.float32) for lr, lv in frames]
            cache.update(frames=frames, out=[resolver.upsample(x) for x in inputs])
        return cache['out']
    out = {'bicubic': lambda frames: [bicubic_upsample(lr, lv, s) for lr, lv in frames],
           'model': model}
    for mode in edge_modes:
        if mode != 'keep':
            out[f'model@{mode}'] = (lambda frames, m=mode:
                                    [apply_to_output(o, s, m) for o in model(frames)])
    if use_filter:
        def filtered(frames):
            f = TemporalFilter()
            return [f.update(o) for o in model(frames)]
        out['model+filter'] = filtered
    return out


def flicker(outputs, hr, hv, scale):
    stack = np.stack(outputs)
    valid = np.isfinite(stack)
    counted = hv & (valid.sum(0) >= len(outputs) / 2)
    with warnings.catch_warnings():   # pixels never valid: NaN, not counted
        warnings.simplefilter('ignore', RuntimeWarning)
        std = np.nanstd(np.where(valid, stack, np.nan), axis=0)
    lo, hi = local_extremes(hr, hv, radius=scale)
    with np.errstate(over='ignore', invalid='ignore'):
        step = counted & ((hi - lo) > 0.05 * float(hr[hv].max() - hr[hv].min()))
    rmse = [frame_rmse(o, hr, hv) for o in outputs]
    return {'temporal_std_cm': 100 * float(std[counted].mean()),
            'temporal_std_steps_cm': 100 * float(std[step].mean()) if step.any() else None,
            'rmse_cm': 100 * float(np.mean(rmse)),
            'validity_flips_pct': 100 * float((valid[1:] != valid[:-1])[:, hv].mean())}


def frame_rmse(out, hr, hv):
    return float(np.sqrt(np.mean(((out - hr) ** 2)[hv & np.isfinite(out)])))


def settle(outputs, truth, steady_rmse):
    """Frames after the change before every later frame is within 5% of the steady RMSE."""
    after = outputs[STEP_FRAMES:]
    hr, hv = truth
    ok = [frame_rmse(o, hr, hv) <= 1.05 * steady_rmse for o in after]
    late = [i for i, good in enumerate(ok) if not good]
    return late[-1] + 1 if late else 0


def step_response(fns, first, second, scale, seed):
    """{label: frames to settle} for STEP_FRAMES of ``first`` then STEP_FRAMES of ``second``."""
    frames = sequence(*first, scale, STEP_FRAMES, seed)
    frames += sequence(*second, scale, STEP_FRAMES, seed + 1)
    steady = fns['model'](frames[STEP_FRAMES:])
    hr, hv = second
    steady_rmse = float(np.mean([frame_rmse(o, hr, hv) for o in steady]))
    return {label: settle(fn(frames), second, steady_rmse)
            for label, fn in fns.items() if label != 'bicubic'}


def plot(path, rows):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    models = sorted({r['model'] for r in rows}, key=lambda m: int(m.lstrip('x').split('_')[0]))
    labels = list(rows[0]['methods'])
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, key, title in ((axes[0], 'temporal_std_cm', 'all pixels'),
                           (axes[1], 'temporal_std_steps_cm', 'depth-step pixels')):
        width = 0.8 / len(labels)
        for j, label in enumerate(labels):
            vals = [np.mean([r['methods'][label][key] for r in rows if r['model'] == m])
                    for m in models]
            ax.bar(np.arange(len(models)) + j * width, vals, width, label=label)
        ax.set_xticks(np.arange(len(models)) + 0.4 - width / 2, models)
        ax.set_ylabel('temporal std, cm (lower = steadier)')
        ax.set_title(f'static held-out scenes, sensor_like noise: {title}', fontsize=8)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.lstrip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rgbdd')
    p.add_argument('--kinect', nargs='*')
    p.add_argument('--models', nargs='+', default=['x2', 'x4', 'x8', 'x16'])
    p.add_argument('--frames', type=int, default=30)
    p.add_argument('--scenes', type=int, default=2, help='evenly spaced scenes per set')
    p.add_argument('--edge-modes', nargs='*', default=['invalidate'], choices=EDGE_MODES,
                   help="also score the model's outputs under these edge_modes ('model' is keep)")
    p.add_argument('--temporal-filter', action='store_true',
                   help='also score the model behind TemporalFilter')
    p.add_argument('--out', default=str(RESULTS / 'temporal_stability.json'))
    args = p.parse_args()
    if args.frames < 2:
        p.error('--frames must be at least 2')
    views = scenes(args)
    if not views:
        p.error('give --rgbdd and/or --kinect')
    rows, steps = [], []
    for name in args.models:
        r = DepthSuperResolver.load(name, device='cpu')
        fns = methods(r, args.temporal_filter, args.edge_modes)
        for k, (scene, hr0, hv0) in enumerate(views):
            hr, hv = crop(hr0, hv0, r.scale)
            frames = sequence(hr, hv, r.scale, args.frames, k)
            row = {'model': name, 'scene': scene,
                   'methods': {label: flicker(fn(frames), hr, hv, r.scale)
                               for label, fn in fns.items()}}
            rows.append(row)
            print(name, scene, json.dumps(row['methods']), flush=True)
        (_, a, av), (_, b, bv) = views[0], views[-1]
        cut = step_response(fns, crop(a, av, r.scale), crop(b, bv, r.scale), r.scale, 1000)
        shifted = crop(a, av, r.scale, shift=1)
        shift = step_response(fns, crop(a, av, r.scale), shifted, r.scale, 2000)
        steps.append({'model': name, 'scene_cut': cut, 'shift_1_lr_pixel': shift})
        print(name, 'frames to settle', steps[-1], flush=True)
    out = {'protocol': '\n\n'.join(__doc__.lstrip().split('\n\n')[:2]),
           'command': ' '.join(shlex.quote(a) for a in sys.argv), 'frames': args.frames,
           'scenes': rows, 'step_response': steps}
    out_path = Path(args.out)
    write_text_atomic(out_path, json.dumps(out, indent=1) + '\n')
    plot(out_path.with_suffix('.png'), rows)
    print(f'wrote {out_path} and {out_path.with_suffix(".png")}')


if __name__ == '__main__':
    main()
