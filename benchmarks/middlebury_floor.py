"""How close to the ground truth issue 13's Middlebury targets are: oracle references on the same pixels.

Why: the targets (x4 / x8 / x16 MAD 55% / 50% / 40% below bicubic, `cubic` LR) were set from
the seed paper's table, on other files. This prints, on quality.py's held-out Middlebury scenes
and pixels (HR valid and LR valid), the MAD of hole-aware bicubic from `cubic` LR, the MAD each
target asks for, and the MAD of *oracle* estimates made from the ground truth itself: the GT
blurred by a Gaussian of sigma 0.5..1.5 HR pixels (normalised over valid pixels), and the GT
plus uniform +-0.5 noise (the error of a perfect real-valued estimate of a scene stored as
integers). A target below "GT blurred by 0.7 px" asks for edges within a fraction of a pixel.

  .venv/bin/python benchmarks/middlebury_floor.py --middlebury ../shared/data/middlebury
"""
import argparse
import json
import shlex
import sys
from pathlib import Path

import cv2
import numpy as np

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.degradation import EVALUATION
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import hold_out_last
from depth_sr_ros.training.evaluate import bicubic_upsample, frame_errors, lr_frames

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import MIDDLEBURY_HELD_OUT, RESULTS  # noqa: E402

TARGETS = {4: 55.0, 8: 50.0, 16: 40.0}     # issue 13: % below bicubic MAD
SIGMAS = (0.5, 0.7, 1.0, 1.5)


def blurred(hr, hv, sigma):
    w = cv2.GaussianBlur(hv.astype(np.float32), (0, 0), sigma)
    return cv2.GaussianBlur(np.where(hv, hr, 0).astype(np.float32), (0, 0), sigma) / np.maximum(w, 1e-6)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--middlebury', required=True)
    p.add_argument('--scales', type=int, nargs='+', default=[4, 8, 16])
    p.add_argument('--out', default=str(RESULTS / 'middlebury_floor.json'))
    args = p.parse_args()
    scenes = hold_out_last(load_image_folder(args.middlebury, depth_scale=1.0), MIDDLEBURY_HELD_OUT)[1]
    out = {'protocol': __doc__.split('\n\n')[1].replace('\n', ' '),
           'command': ' '.join(shlex.quote(a) for a in sys.argv),
           'scenes': [s.capture_id for s in scenes], 'scales': {}}
    for scale in args.scales:
        mads = {}
        for hr, hv, lr, lv, _ in lr_frames(scenes, scale, EVALUATION['cubic']):
            mask = hv & np.repeat(np.repeat(lv, scale, 0), scale, 1)
            rng = np.random.default_rng(0)
            estimates = {'bicubic_hole_aware': bicubic_upsample(lr, lv, scale),
                         'gt_plus_uniform_0.5': hr + rng.uniform(-0.5, 0.5, hr.shape).astype(np.float32)}
            estimates.update({f'gt_blurred_sigma_{s}': blurred(hr, hv, s) for s in SIGMAS})
            for name, est in estimates.items():
                mads.setdefault(name, []).append(frame_errors(est, hr, hv, mask)[1])
        row = {name: float(np.mean(v)) for name, v in mads.items()}
        target = TARGETS.get(scale)
        if target is not None:
            row['target_mad'] = row['bicubic_hole_aware'] * (1 - target / 100)
        out['scales'][str(scale)] = row
        print(f'x{scale}: ' + ', '.join(f'{k} {v:.3f}' for k, v in row.items()))
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
