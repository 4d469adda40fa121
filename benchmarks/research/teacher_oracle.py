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
How much could DENet (RGB -> depth) teach DSRNet at all? An upper bound on per-pixel transfer.

Results: benchmarks/results/teacher_oracle.json (docs/research/cross_task_ablation.md).

Loads a finished cross-task run (its checkpoint holds DENet beside DSRNet) and, on the held-out
frames of the same split, compares per pixel |DSR - GT| with |DE - GT| (both in the training
normalisation, converted back to cm): the share of pixels where DE is closer (where the per-pixel
role exchange makes DSRNet a student), and the RMSE of an oracle that picks, per pixel, whichever
network is closer. A per-pixel oracle gains something from any second estimate whose errors
differ, so the same oracle is also built with plain bicubic upsampling of the LR input (which
knows nothing DSRNet does not) as a control: DE's real contribution is the gap between the two.

  .venv/bin/python benchmarks/research/teacher_oracle.py --data ../shared/data/rgbdd_dev \
      --runs runs/default/x8_default_full_s0 runs/default/x4_default_full_s0
"""
import argparse
import json
from pathlib import Path
import platform
import shlex
import sys

from depth_sr_ros.atomic import write_text_atomic
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.normalization import network_input, valid_range
from depth_sr_ros.data.splits import split_by_time_blocks
from depth_sr_ros.training import TrainConfig
from depth_sr_ros.training.checkpoint import load_checkpoint
from depth_sr_ros.training.evaluate import lr_frames
from depth_sr_ros.training.system import CTKTSystem
import numpy as np
import torch
import torch.nn.functional as F

RESULTS = Path(__file__).resolve().parents[1] / 'results'


def normalised_frames(pairs, scale):
    """Full held-out frames prepared exactly like training samples (LR-range normalisation)."""
    for hr, hv, lr, lv, pair in lr_frames(pairs, scale):
        rng = valid_range(lr, lv)
        if rng is None:
            continue
        h, w = hr.shape
        rgb = np.ascontiguousarray(pair.rgb[:h, :w].transpose(2, 0, 1), dtype=np.float32) / 255.0
        lr_n = network_input(lr, lv, rng)
        yield (torch.from_numpy(rgb)[None], torch.from_numpy(lr_n)[None, None],
               torch.from_numpy(lv)[None, None], rng.normalize(hr), hv, rng.span * 100.0)


@torch.no_grad()
def analyse(run_dir, pairs):
    state = load_checkpoint(Path(run_dir) / 'checkpoint.pt')
    cfg = TrainConfig.from_dict(state['config'])
    if cfg.scheme != 'ctkt':
        raise SystemExit(f'teacher_oracle: error: {run_dir} trained DSRNet alone; it has no DENet')
    system = CTKTSystem(cfg)
    system.load_state_dict(state['system'])
    system.eval()
    rmse = {'dsr': [], 'de': [], 'oracle': [], 'bicubic': [], 'oracle_bicubic_control': []}
    de_better = total = 0
    for rgb, lr, lv, hr, hv, span_cm in normalised_frames(pairs, cfg.scale):
        sr = system.dsr(lr, lv)[0, 0].numpy()
        de = system.de(rgb)[0][0, 0].numpy()
        bic = F.interpolate(lr, scale_factor=cfg.scale, mode='bicubic', align_corners=False)[
            0, 0
        ].numpy()
        e_sr, e_de = np.abs(sr - hr)[hv] * span_cm, np.abs(de - hr)[hv] * span_cm
        e_bic = np.abs(bic - hr)[hv] * span_cm
        for key, err in (
            ('dsr', e_sr),
            ('de', e_de),
            ('oracle', np.minimum(e_sr, e_de)),
            ('bicubic', e_bic),
            ('oracle_bicubic_control', np.minimum(e_sr, e_bic)),
        ):
            rmse[key].append(float(np.sqrt(np.mean(err ** 2))))
        de_better += int((e_de < e_sr).sum())
        total += e_sr.size
    return {
        'run': str(run_dir),
        'scale': cfg.scale,
        'frames': len(rmse['dsr']),
        'rmse_cm': {k: float(np.mean(v)) for k, v in rmse.items()},
        'note': 'raw network outputs on full frames (no hole handling), '
        'so DSR differs slightly from the deployment-path validation figure',
        'de_closer_pixel_share': de_better / max(total, 1),
        'oracle_gain_pct': float(100 * (1 - np.mean(rmse['oracle']) / np.mean(rmse['dsr']))),
        'control_gain_pct': float(
            100 * (1 - np.mean(rmse['oracle_bicubic_control']) / np.mean(rmse['dsr']))
        ),
    }


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        '--data', required=True, help='the RGB-D folder the runs were trained on (uint16 mm)'
    )
    p.add_argument('--runs', nargs='+', required=True, help='cross-task run directories')
    p.add_argument('--val-fraction', type=float, default=0.15)
    p.add_argument('--out', default=str(RESULTS / 'teacher_oracle.json'))
    args = p.parse_args()
    torch.set_num_threads(1)
    val = split_by_time_blocks(
        load_image_folder(args.data, depth_scale=0.001), val_fraction=args.val_fraction
    )[1]
    rows = [analyse(run, val) for run in args.runs]
    out = {
        'protocol': '\n'.join(__doc__.lstrip().split('\n\n')[:2])
        + ' Held-out: split_by_time_blocks of --data; bicubic LR; '
        'full frames cropped to a multiple of the scale.',
        'command': ' '.join(shlex.quote(a) for a in sys.argv),
        'machine': platform.machine(),
        'results': rows,
    }
    write_text_atomic(args.out, json.dumps(out, indent=2) + '\n')
    print(
        '| run | x | frames | RMSE DSR cm | RMSE DE cm | oracle DSR/DE cm (gain) | DE closer on | '
        'control: oracle DSR/bicubic cm (gain) |'
    )
    print('|---|---|---|---|---|---|---|---|')
    for r in rows:
        m = r['rmse_cm']
        print(
            f"| {Path(r['run']).name} | {r['scale']} | {r['frames']} | "
            f"{m['dsr']:.3f} | {m['de']:.3f} | "
            f"{m['oracle']:.3f} ({r['oracle_gain_pct']:.1f}%) | "
            f"{100 * r['de_closer_pixel_share']:.1f}% | "
            f"{m['oracle_bicubic_control']:.3f} ({r['control_gain_pct']:.1f}%) |"
        )
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
