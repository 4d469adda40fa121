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
`train`: train DSRNet (cross-task scheme or alone) from RGB-D image folders.

  train --data ../shared/data/rgbdd_dev --run-dir runs/x4 --scale 4 --max-steps 6000
  torchrun --nproc_per_node 2 -m depth_sr_ros.cli.train --data ... --run-dir ...   (DDP)

The run directory gets checkpoint.pt (resumable with --resume), metrics.csv/json, curve.png,
panel.png and model/ (model.safetensors + model.json for DepthSuperResolver.load).
"""
import argparse
import json
from pathlib import Path
import sys


def build_parser():
    p = argparse.ArgumentParser(prog='train', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', action='append', required=True,
                   help='image folder with rgb/ and depth/ (repeatable)')
    p.add_argument(
        '--depth-scale', type=float, default=0.001, help='metres per depth unit (default mm)'
    )
    p.add_argument(
        '--train-only',
        action='append',
        default=[],
        help='extra image folder used for training only, never held out (repeatable); its '
        'units do not matter (per-image normalisation; uint16 = mm, uint8 = disparity-like), '
        'e.g. Middlebury',
    )
    p.add_argument(
        '--depth-only',
        action='append',
        default=[],
        help='extra depth-only folder (depth/ without rgb/, e.g. 7-Scenes) for training only; '
        'DSRNet alone (--scheme dsr_only) can use it, DENet cannot',
    )
    p.add_argument(
        '--degradation',
        default=None,
        help="LR recipe: 'blind' (default: sampling kernel and sensor effects drawn per crop), "
        "'bicubic_aa', 'cubic', 'area', 'nearest', 'sensor_like', 'point_sensor', 'smooth' "
        '(depth_sr_ros.data.degradation.RECIPES)',
    )
    p.add_argument(
        '--validation',
        choices=['held_out', 'inner'],
        default='held_out',
        help="'held_out': report on the held-out capture blocks; 'inner': hold out capture "
        'blocks of the *training* captures instead and train on the rest (choose '
        'recipes this way, never by the held-out frames)',
    )
    p.add_argument(
        '--hold-out-last',
        type=int,
        default=0,
        help='leave the last N images (by file name) of each --train-only folder out of '
        'training, for evaluation elsewhere (benchmarks/quality.py holds out 6 Middlebury scenes)',
    )
    p.add_argument(
        '--train-only-weight',
        type=int,
        default=1,
        help='draw each --train-only image this many times as often as a capture (default 1); '
        'a few clean Middlebury scenes among hundreds of captures otherwise hardly count',
    )
    p.add_argument('--run-dir', required=True, help='where checkpoints, reports and model/ go')
    p.add_argument('--init', default=None,
                   help='fine-tune this model (bundled name such as x4, or an exported model '
                        'path): its network, scale and LR recipe are kept (--config/--scale, if '
                        'given, must match) and the fine-tuning schedule is used unless --options '
                        'sets it')
    p.add_argument(
        '--config',
        default=None,
        help='DSRNet preset (default lrres_mid_deep, the bundled default '
        "x4's and the other blind models' real-time architecture; lrres_mid: 1.6x faster; "
        'depth_sr_ros.nets.registry.PRESETS: fast, quality, deep_bp, lrres_fast, '
        'lrres_quality, ...) or a YAML of training options',
    )
    p.add_argument('--scale', type=int, default=None)
    p.add_argument('--max-steps', type=int, default=None)
    p.add_argument('--epochs', type=float, default=None)
    p.add_argument('--scheme', choices=['ctkt', 'dsr_only'], default=None)
    p.add_argument('--device', default=None, help='auto | cpu | cuda[:N]')
    p.add_argument('--seed', type=int, default=None)
    p.add_argument('--options', default='{}', help='JSON object of further TrainConfig fields')
    p.add_argument(
        '--val-fraction',
        type=float,
        default=0.15,
        help='held-out share, taken by capture-time blocks',
    )
    p.add_argument(
        '--train-subset',
        type=int,
        default=0,
        help='keep only N training pairs, evenly spaced in time (data-starved experiments)',
    )
    p.add_argument('--resume', action='store_true', help='continue the checkpoint in --run-dir')
    p.add_argument('--no-progress', action='store_true')
    return p


def make_config(args):
    from depth_sr_ros.nets.registry import PRESETS
    from depth_sr_ros.training import TrainConfig
    config = args.config or 'lrres_mid_deep'
    if config in PRESETS:
        cfg = TrainConfig(preset=config)
        given = set()
    else:
        cfg = TrainConfig.from_yaml(config)
        given = TrainConfig.fields_in_yaml(config)
    changes = json.loads(args.options)
    if not isinstance(changes, dict):
        raise ValueError('--options must be a JSON object')
    for key in ('scale', 'max_steps', 'epochs', 'scheme', 'device', 'seed', 'degradation'):
        value = getattr(args, key)
        if value is not None:
            changes[key] = value
    if args.init:
        from depth_sr_ros.training.init_model import describe_init, finetune_config
        init = describe_init(args.init)
        if 'scale' not in changes and config in PRESETS:
            cfg = cfg.replace(scale=init['scale'])
        given |= set(changes) | ({'preset', 'arch'} if args.config else set())
        return finetune_config(cfg.replace(**changes), init, given)
    return cfg.replace(**changes)


def assemble_pairs(args, scheme):
    """
    Return (train, val, data_summary) from the folders in ``args``.

    A --train-only image appears --train-only-weight times in ``train`` (crops are drawn
    uniformly over that list).
    """
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import hold_out_last, split_by_time_blocks
    pairs = []
    for folder in args.data:
        pairs += load_image_folder(
            folder, depth_scale=args.depth_scale, progress=not args.no_progress
        )
    train, val = split_by_time_blocks(pairs, val_fraction=args.val_fraction)
    if args.validation == 'inner':
        train, val = split_by_time_blocks(train, val_fraction=args.val_fraction)
    if args.train_subset and args.train_subset < len(train):
        import numpy as np

        train = [
            train[i] for i in np.linspace(0, len(train) - 1, args.train_subset).round().astype(int)
        ]
    if args.train_only_weight < 1:
        raise ValueError(f'--train-only-weight must be >= 1, got {args.train_only_weight}')
    extra = []
    for folder in args.train_only:
        extra += (
            hold_out_last(
                load_image_folder(folder, depth_scale=None, progress=not args.no_progress),
                args.hold_out_last,
            )[0]
            * args.train_only_weight
        )
    if args.depth_only and scheme != 'dsr_only':
        raise ValueError(
            '--depth-only folders have no RGB for DENet: use them with --scheme dsr_only'
        )
    for folder in args.depth_only:
        extra += load_image_folder(
            folder, depth_scale=None, progress=not args.no_progress, depth_only=True
        )
    train = train + extra
    summary = {'folders': [str(Path(d)) for d in args.data],
               'train_only_folders': [str(Path(d)) for d in args.train_only],
               'depth_only_folders': [str(Path(d)) for d in args.depth_only],
               'train_pairs': len({id(p) for p in train}),
               'train_only_pairs': len({id(p) for p in extra}),
               'train_only_held_out_last': args.hold_out_last,
               'train_only_weight': args.train_only_weight,
               'val_pairs': len(val),
               'split': f'split_by_time_blocks(val_fraction={args.val_fraction})'
                        + (' twice: validation on blocks of the training captures'
                           if args.validation == 'inner' else '')}
    return train, val, summary


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        from depth_sr_ros.training import fit
        cfg = make_config(args)
        train, val, summary = assemble_pairs(args, cfg.scheme)
        cfg = cfg.replace(data_summary={**cfg.data_summary, **summary})
        result = fit(
            train, val, cfg, args.run_dir, resume=args.resume, progress=not args.no_progress
        )
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f'train: error: {exc}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            'train: interrupted; the last checkpoint in --run-dir can be continued with --resume',
            file=sys.stderr,
        )
        return 130
    val = result.get('val', {})
    if val:
        print(
            f"held-out RMSE {val['rmse_cm']:.3f} cm (bicubic {val['bicubic_rmse_cm']:.3f}), "
            f"MAE {val['mae_cm']:.3f} cm (bicubic {val['bicubic_mae_cm']:.3f}) "
            f"on {val['frames']} frames"
        )
    print(
        f"{result['steps']} steps, {result['samples_per_s']:.1f} samples/s; "
        f"model: {result.get('model_dir')}"
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
