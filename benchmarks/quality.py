"""Held-out quality of exported models beside bicubic baselines, measured in one run.

For each model (bundled name or exported path): LR frames are made from held-out HR frames with
the field's protocol (antialiased bicubic, centre-aligned, hole-aware) and, with
--degradations sensor_like, also sensor-like (area sampling, depth-dependent noise, dropped
pixels, blob holes; seeded per frame, so every method sees the same frames), then scored on the same
pixels (HR valid and LR valid) for
  bicubic             OpenCV INTER_CUBIC of the raw LR frame (holes as 0: what a plain resize gives)
  bicubic_hole_aware  holes filled with the nearest valid value, bicubic, holes kept invalid
  <model label>       DepthSuperResolver.upsample (the deployment path)
RGB-D-D: RMSE and MAE in cm (uint16 mm data). Middlebury: MAD and RMSE on the 0..255 disparity
scale. Writes benchmarks/results/quality.json and before/after panels.

  .venv/bin/python benchmarks/quality.py --rgbdd ../shared/data/rgbdd_dev \
      --middlebury ../shared/data/middlebury --models x2 x4 x8
  (label=path pairs compare arbitrary exported models: --models alone=runs/a/model full=runs/b/model)
"""
import argparse
import itertools
import json
import platform
import shlex
import sys
from pathlib import Path

import numpy as np

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import BICUBIC, SENSOR_LIKE
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import hold_out_last, split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.training.evaluate import bicubic_upsample, frame_errors, lr_frames, naive_bicubic_upsample
from depth_sr_ros.training.reports import before_after_panel

RESULTS = Path(__file__).resolve().parent / 'results'
DEGRADATIONS = {'bicubic': BICUBIC, 'sensor_like': SENSOR_LIKE}
MIDDLEBURY_HELD_OUT = 6   # last N Middlebury scenes (by file name) are never trained on


def held_out(args):
    sets = {}
    if args.rgbdd:
        pairs = load_image_folder(args.rgbdd, depth_scale=0.001)
        sets['rgbdd'] = (split_by_time_blocks(pairs, val_fraction=args.val_fraction)[1], 100.0, 'cm')
    if args.middlebury:
        pairs = load_image_folder(args.middlebury, depth_scale=1.0)
        sets['middlebury'] = (hold_out_last(pairs, MIDDLEBURY_HELD_OUT)[1], 1.0, 'disparity units (0..255)')
    return sets


def score(frames, methods, factor):
    """methods: label -> fn(lr, lr_valid, scale) -> HR estimate (NaN = no output)."""
    per = {m: [] for m in methods}
    for hr, hv, lr, lv, _ in frames:
        s = hr.shape[0] // lr.shape[0]
        mask = hv & np.repeat(np.repeat(lv, s, 0), s, 1)
        if not mask.any():
            continue
        for label, fn in methods.items():
            rmse, mae = frame_errors(fn(lr, lv, s), hr, hv, mask)
            per[label].append((rmse * factor, mae * factor))
    return {m: {'rmse': float(np.mean([r for r, _ in v])), 'mae': float(np.mean([a for _, a in v])),
                'frames': len(v)} for m, v in per.items()}


def resolver_method(resolver):
    return lambda lr, lv, s: resolver.upsample(np.where(lv, lr, np.nan).astype(np.float32))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rgbdd', help='RGB-D-D style folder (uint16 mm); held out by capture-time blocks')
    p.add_argument('--middlebury', help='Middlebury style folder (uint8 disparity)')
    p.add_argument('--models', nargs='+', default=['x2', 'x4', 'x8'], help='names, paths or label=path')
    p.add_argument('--val-fraction', type=float, default=0.15)
    p.add_argument('--degradations', nargs='+', default=['bicubic'], choices=sorted(DEGRADATIONS),
                   help='how held-out LR frames are made (each one is scored separately)')
    p.add_argument('--out', default=str(RESULTS / 'quality.json'))
    args = p.parse_args()
    sets = held_out(args)
    models = [m.split('=', 1) if '=' in m else (Path(m).name if '/' in m else m, m) for m in args.models]
    by_scale = {}
    for label, path in models:
        r = DepthSuperResolver.load(path, device='cpu')
        by_scale.setdefault(r.scale, []).append((label, r))
    out = {'protocol': __doc__.split('\n\n')[0], 'command': ' '.join(shlex.quote(a) for a in sys.argv),
           'machine': f'{platform.machine()} {platform.processor()}', 'results': []}
    panels = Path(args.out).parent / 'panels'
    panels.mkdir(parents=True, exist_ok=True)
    for scale, resolvers in sorted(by_scale.items()):
        for (set_name, (pairs, factor, unit)), degradation in itertools.product(sets.items(), args.degradations):
            frames = lr_frames(pairs, scale, DEGRADATIONS[degradation])
            methods = {'bicubic': lambda lr, lv, s: naive_bicubic_upsample(np.where(lv, lr, 0), s),
                       'bicubic_hole_aware': bicubic_upsample}
            methods.update({label: resolver_method(r) for label, r in resolvers})
            res = score(frames, methods, factor)
            out['results'].append({'scale': scale, 'set': set_name, 'degradation': degradation,
                                   'unit': unit, 'held_out_frames': len(frames),
                                   'methods': res,
                                   'models': {label: r.model_id for label, r in resolvers}})
            base = res['bicubic_hole_aware']['rmse']
            print(f'x{scale} {set_name}, {degradation} LR ({len(frames)} held-out frames, {unit})')
            for m, v in res.items():
                print(f"   {m:20s} RMSE {v['rmse']:8.3f}  MAE/MAD {v['mae']:8.3f}  "
                      f"({100 * (1 - v['rmse'] / base):+5.1f}% RMSE vs hole-aware bicubic)")
            hr, hv, lr, lv, pair = frames[len(frames) // 2]
            label, r = resolvers[0]
            before_after_panel(panels / f'x{scale}_{set_name}_{degradation}_{label}.png', np.where(lv, lr, 0),
                               bicubic_upsample(lr, lv, scale), resolver_method(r)(lr, lv, scale), hr, hv,
                               f'{set_name} held-out {pair.capture_id}, x{scale} {degradation} LR, model {label}')
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    print(f'wrote {args.out} and {panels}/')


if __name__ == '__main__':
    main()
