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
train_from_bag: train a deployable DSRNet straight from RGB-D rosbag recordings.

bags -> decoded, registered pairs (cached) -> held-out split by time blocks -> fit() in the
persistent work directory ``<out>.work/`` (so --resume continues) -> on success ``<out>`` is
assembled in a temporary directory and renamed into place: model.safetensors + model.json
(``DepthSuperResolver.load(out)``), report.json + report.md (held-out RMSE/MAE against bicubic
on the same frames, data summary), curve.png, panel.png. On any failure: one clear message,
exit status 1, and ``--out`` is left absent (or as empty as it was).
"""
import argparse
import datetime
import json
import os
from pathlib import Path
import shutil
import sys

REPORT_FILES = ('curve.png', 'panel.png', 'metrics.csv', 'metrics.json')


class _DefaultsOnceFormatter(argparse.HelpFormatter):
    """
    Like ArgumentDefaultsHelpFormatter, but add '(default: X)' only where it says something.

    That is, only where the help text does not already state its default, and not for
    None / False (unset options, flags).
    """

    def _get_help_string(self, action):
        text = action.help or ''
        if (
            'default' in text
            or action.default in (None, False, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return text + ' (default: %(default)s)'


def build_parser():
    p = argparse.ArgumentParser(prog='train_from_bag', description=__doc__.strip().split('\n')[0],
                                formatter_class=_DefaultsOnceFormatter)
    g = p.add_argument_group('input')
    g.add_argument(
        '--bag',
        action='append',
        required=True,
        help='rosbag2 directory, .db3/.mcap file, ROS 1 .bag, or a folder of bags (repeatable)',
    )
    g.add_argument(
        '--list-topics', action='store_true', help='print the topic table of each bag and exit'
    )
    g.add_argument('--rgb-topic', help='colour topic (default: automatic when unambiguous)')
    g.add_argument(
        '--depth-topic',
        help='depth topic (default: automatic, preferring aligned/registered depth)',
    )
    g.add_argument('--rgb-info-topic', help='colour CameraInfo (default: sibling camera_info)')
    g.add_argument('--depth-info-topic', help='depth CameraInfo (default: sibling camera_info)')
    g.add_argument('--assume-registered', action='store_true',
                   help='treat depth as registered to colour (skip the frame/intrinsics check)')
    g.add_argument(
        '--slop',
        type=float,
        default=None,
        help='max |t_depth - t_colour| in seconds (default: half the median frame period)',
    )
    g.add_argument('--every', type=int, default=1, help='use every N-th pair')
    g.add_argument(
        '--max-pairs',
        type=int,
        default=1000,
        help='at most this many pairs per bag, spread evenly over it (decoded pairs are held in '
        'memory: 1000 pairs of 1280x720 take about 7 GB); 0 = no limit',
    )
    g.add_argument(
        '--dedup',
        type=float,
        default=0.003,
        help='skip frames whose median relative depth change from the last kept frame is below '
        'this (robot standing still); 0 keeps all',
    )
    g.add_argument(
        '--min-valid',
        type=float,
        default=0.05,
        help='drop depth frames with a smaller valid fraction',
    )
    g.add_argument(
        '--cache-dir',
        default=None,
        help='decoded-pair cache (default: ~/.cache/depth_sr_ros/bags)',
    )
    g.add_argument('--no-cache', action='store_true', help='always decode, store nothing')
    t = p.add_argument_group('training')
    t.add_argument('--out', help='output model directory (must not exist or be empty)')
    t.add_argument(
        '--scale', type=int, default=None, help="upscaling factor (default 4, or the YAML's)"
    )
    t.add_argument('--init', default=None,
                   help='start from this model (a bundled name such as x4, or an exported model '
                        'path) and fine-tune it on the bag: its network, scale and LR recipe are '
                        'kept (--config/--scale, if given, must match it) and the fine-tuning '
                        'schedule is used (docs/TRAINING.md)')
    t.add_argument('--init-blend', type=float, default=None,
                   help='with --init: export this share of the fine-tuned weights, the rest from '
                        'the init model (0.5 by default: less forgetting; 1.0: no blend)')
    t.add_argument('--replay-bag', action='append', default=None,
                   help='with --init: recordings the adapted model must stay good on (the init '
                        "model's own training data, or a sensor you keep using; repeatable). A "
                        'share of the crops (--replay-fraction) comes from their training part '
                        'and the report scores forgetting on their held-out part, where the '
                        'exported blend is chosen (--max-forgetting) unless --init-blend is given')
    t.add_argument('--replay-fraction', type=float, default=None,
                   help="with --replay-bag: share of each step's crops taken from it (0.2 by "
                        'default)')
    t.add_argument('--max-forgetting', type=float, default=None,
                   help='with --replay-bag: export the most fine-tuned blend (1.0, 0.9, ..., 0.1) '
                        'that loses at most this many points (%% vs bicubic) on the replay '
                        "bags' held-out frames (1.5 by default; 0: the fine-tuned weights)")
    t.add_argument('--replay-depth-topic',
                   help='depth topic of the --replay-bag recordings (default: automatic)')
    t.add_argument('--compare-scratch', action='store_true',
                   help='with --init: also train the same network from random weights for as '
                        'many steps and put it in the report')
    t.add_argument(
        '--config',
        default=None,
        help='a DSRNet preset (default lrres_mid_deep: the bundled '
        "blind models' real-time architecture; lrres_mid: 1.6x faster, a little less accurate; "
        'lrres_quality for offline use; fast, quality, deep_bp, lrres_fast, ...: '
        'depth_sr_ros.nets.registry.PRESETS) or a TrainConfig YAML file',
    )
    t.add_argument(
        '--epochs', type=float, default=None, help='epochs of crops (overrides --max-steps)'
    )
    t.add_argument('--max-steps', type=int, default=None,
                   help='training steps (default 3000, or with --init the fine-tuning length)')
    t.add_argument('--lr', type=float, default=None,
                   help='learning rate (default 1e-3 one-cycle, with --init the fine-tuning rate)')
    t.add_argument(
        '--scheme',
        choices=['ctkt', 'dsr_only'],
        default=None,
        help="'ctkt' (default: the cross-task scheme) or 'dsr_only' (DSRNet alone, the baseline; "
        'better on our RGB-D-D data, see models/README.md: train both and compare reports)',
    )
    t.add_argument(
        '--degradation',
        default=None,
        help="how LR training frames are made from the bag's depth: 'blind' (default: every "
        "sampling kernel and sensor effect, drawn per crop), or one of 'bicubic_aa', 'cubic', "
        "'area', 'nearest', 'sensor_like', 'point_sensor', 'smooth' when you know your sensor "
        '(docs/TRAINING.md)',
    )
    t.add_argument('--resume', action='store_true', help='continue the run in <out>.work/')
    g.add_argument('--depth-only', action='store_true',
                   help='ignore colour topics and train DSRNet alone on the depth topic '
                        '(automatic when the bag has no colour topic)')
    t.add_argument('--device', default='auto', help='auto | cpu | cuda[:N]')
    t.add_argument('--seed', type=int, default=0)
    t.add_argument(
        '--val-fraction', type=float, default=0.15, help='held-out share, taken in time blocks'
    )
    t.add_argument('--gap', type=float, default=None,
                   help='also drop training frames within this many seconds of a held-out block')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    return p


def _fail(message, code=1):
    print(f'train_from_bag: error: {message}', file=sys.stderr)
    return code


def _read_options(args):
    from depth_sr_ros.data.bags import BagReadOptions

    return BagReadOptions(
        rgb_topic=args.rgb_topic,
        depth_topic=args.depth_topic,
        rgb_info_topic=args.rgb_info_topic,
        depth_info_topic=args.depth_info_topic,
        slop_s=args.slop,
        every=args.every,
        max_pairs=args.max_pairs or None,
        dedup_threshold=args.dedup,
        assume_registered=args.assume_registered,
        min_valid_fraction=args.min_valid,
        depth_only=args.depth_only,
    )


def list_topics_main(args):
    from depth_sr_ros.data.bags import find_bags, list_topics
    from depth_sr_ros.data.bags.reader import storage_kind
    from depth_sr_ros.data.bags.topics import format_topic_table
    for bag in find_bags(args.bag):
        print(f'# {bag} ({storage_kind(bag)})')
        print(format_topic_table(list_topics(bag)))
    return 0


DEFAULT_CONFIG = 'lrres_mid_deep'


def _train_config(args, data_summary, init=None):
    from depth_sr_ros.data.degradation import EVALUATION
    from depth_sr_ros.nets.registry import PRESETS
    from depth_sr_ros.training import TrainConfig
    from depth_sr_ros.training.init_model import finetune_config, with_replay
    config = args.config or DEFAULT_CONFIG
    yaml_fields = set()
    if config in PRESETS:
        cfg = TrainConfig.from_preset(config, scale=args.scale or (init['scale'] if init else 4))
    else:
        if not Path(config).is_file():
            raise ValueError(
                f'--config must be a preset ({", ".join(sorted(PRESETS))}) or a YAML file; '
                f'{config!r} is neither'
            )
        cfg = TrainConfig.from_yaml(config)
        if args.scale:
            cfg = cfg.replace(scale=args.scale)
        yaml_fields = TrainConfig.fields_in_yaml(config)
    changes = {'device': args.device, 'seed': args.seed, 'data_summary': data_summary}
    if args.degradation is not None:
        changes['degradation'] = args.degradation
    if args.scheme is not None:
        changes['scheme'] = args.scheme
    if args.max_steps is not None:
        changes.update(max_steps=args.max_steps, epochs=0.0)
    if args.epochs is not None:
        changes['epochs'] = args.epochs
    if args.lr is not None:
        changes['lr'] = args.lr
    if args.init_blend is not None:
        changes['init_blend'] = args.init_blend
    if args.replay_fraction is not None:
        changes['replay_fraction'] = args.replay_fraction
    if args.max_forgetting is not None:
        changes['max_forgetting'] = args.max_forgetting
    cfg = cfg.replace(**changes)
    if init:
        given = set(changes) | ({'preset', 'arch'} if args.config else set())
        given |= yaml_fields
        cfg = finetune_config(cfg, init, given | ({'scale'} if args.scale else set()))
        if args.replay_bag:
            cfg = with_replay(cfg, given, ', '.join(args.replay_bag))
    else:
        cfg = cfg.with_scale_crop(yaml_fields)
    recipe = cfg.degradation
    if recipe in EVALUATION and recipe not in cfg.val_degradations:
        cfg = cfg.replace(val_degradations=tuple(cfg.val_degradations) + (recipe,))
    if cfg.epochs <= 0 and cfg.max_steps < cfg.val_every:
        cfg = cfg.replace(val_every=cfg.max_steps)
    return cfg


def _data_summary(read_summary, train, val, args):
    """
    Summarise what went into training (stored in model.json and the report).

    Deterministic for the same data and options (no cache status), as resuming checks it
    against the checkpoint.
    """
    bags = [
        {
            k: b.get(k)
            for k in (
                'bag',
                'storage',
                'rgb_topic',
                'rgb_encoding',
                'depth_topic',
                'depth_encoding',
                'registration',
                'rgb_messages',
                'depth_messages',
                'matched',
                'pairs',
                'dropped',
                'slop_ms',
                'depth_minus_colour_ms_median',
                'size',
                'duration_s',
            )
        }
        for b in read_summary['bags']
    ]
    return {
        'source': 'rosbag',
        'bags': bags,
        'pairs': read_summary['pairs'],
        'dropped': read_summary['dropped'],
        'split': {
            'method': 'time blocks with neighbour gap',
            'val_fraction': args.val_fraction,
            'gap_s': args.gap,
            'train_pairs': len(train),
            'val_pairs': len(val),
            'excluded_gap_pairs': read_summary['pairs'] - len(train) - len(val),
        },
    }


def _markdown_report(report):
    v = report['held_out']
    lines = [
        f"# train_from_bag report: x{report['scale']} DSRNet ({report['config']})",
        '',
        f"Command: `{report['command']}`",
        '',
        '## Held-out frames (time blocks never adjacent to training frames)',
        '',
        '| method | RMSE (cm) | MAE (cm) |',
        '|---|---|---|',
        f"| bicubic | {v.get('bicubic_rmse_cm', float('nan')):.3f} | "
        f"{v.get('bicubic_mae_cm', float('nan')):.3f} |",
        f"| DSRNet (this model) | {v.get('rmse_cm', float('nan')):.3f} | "
        f"{v.get('mae_cm', float('nan')):.3f} |",
        '',
        f"Mean over the LR samplings below. Training LR: `{report['training']['degradation']}`.",
        '',
        '| LR sampling of the held-out frames | bicubic RMSE (cm) | DSRNet RMSE (cm) | change |',
        '|---|---|---|---|',
    ]
    for sampling in report['training']['val_degradations']:
        b, m = v.get(f'bicubic_rmse_cm_{sampling}'), v.get(f'rmse_cm_{sampling}')
        if b is not None and m is not None:
            mark = (
                ' (the training recipe)' if sampling == report['training']['degradation'] else ''
            )
            lines.append(f'| {sampling}{mark} | {b:.3f} | {m:.3f} | {100 * (m / b - 1):+.1f}% |')
    lines += _comparison_lines(report)
    lines += [
        '',
        f"{v.get('frames', 0)} held-out frames; "
        f"RMSE {report['rmse_change_vs_bicubic_pct']:+.1f}% vs bicubic. "
        f"{report['steps']} steps at {report['samples_per_s']:.1f} samples/s "
        f"on {report['device']}.",
        '',
        '## Data',
        '',
        '| bag | storage | colour | depth | registration | pairs | dropped |',
        '|---|---|---|---|---|---|---|',
    ]
    for b in report['data']['bags']:
        dropped = ', '.join(f'{k}: {n}' for k, n in (b['dropped'] or {}).items()) or '-'
        colour = (f"{b['rgb_topic']} ({b['rgb_encoding']})" if b['rgb_topic']
                  else 'none (depth only)')
        lines.append(
            f"| {b['bag']} | {b['storage']} | {colour} | "
            f"{b['depth_topic']} ({b['depth_encoding']}) | {b['registration']} | "
            f"{b['pairs']} | {dropped} |"
        )
    s = report['data']['split']
    lines += ['', f"Split: {s['train_pairs']} training pairs, {s['val_pairs']} held-out pairs, "
              f"{s['excluded_gap_pairs']} left out as gap next to held-out blocks.", '',
              '![learning curve](curve.png)', '', '![before/after](panel.png)', '']
    return '\n'.join(lines)


# How the reference's forgetting relates to the real captures' (benchmarks/research/
# adaptation_blend_sweep.py, benchmarks/results/adaptation_blend_sweep.json).
REFERENCE_CAVEAT = (
    'How to read it: these scenes are real depth the bundled models were trained on, and '
    'forgetting here tracked forgetting on the real ToF captures they were made for (RGB-D-D, '
    'which cannot ship). Adapting the bundled x4 and x8 to Kinect depth for 10 minutes, those '
    'captures lost 0.1-1.1 points more than these scenes where these lost under 3 points, and '
    'up to 3.4 more above that (docs/research/adaptation.md, table 9): read the number as a '
    'lower bound. Lower `--init-blend` to keep more of the init model.')


# With --replay-bag the replayed sensor is protected and these scenes are not: replaying
# RGB-D-D's training captures, they lost 0.0-1.0 points more than RGB-D-D's held-out captures
# (docs/research/adaptation.md, table 19).
REPLAY_REFERENCE_CAVEAT = (
    'How to read it: these scenes are real depth the bundled models were trained on. With '
    '--replay-bag the replayed recordings are protected and these scenes are not, so this '
    'figure can be higher than what your replayed sensor loses: that is in the next section.')


def _comparison_lines(report):
    """
    Return the report's comparison section as lines.

    The init model, adapted (and scratch) on the held-out frames, and the init and adapted
    model on the bundled reference frames (forgetting).
    """
    from depth_sr_ros.training.comparison import comparison_table
    lines = []
    if report.get('depth_only'):
        lines += ['', '## Depth-only data', '', report['depth_only_note']]
    init = report.get('init_model')
    if init:
        lines += ['', f"Started from `{init['name']}` (weights sha256 `{init['sha256']}`), "
                  f"{report['steps']} fine-tuning steps."]
    comp = report.get('comparison')
    if not comp:
        return lines
    samplings = report['training']['val_degradations']
    lines += ['', '## What to choose between (held-out frames, RMSE in cm, change vs bicubic)', '',
              comparison_table(comp['held_out_rows'], samplings)]
    if 'reference' in comp:
        lines += ['', '## Forgetting check: the bundled reference scenes (RMSE in '
                  f"{comp['reference_unit']}, change vs bicubic)", '',
                  f"The {comp['reference_scenes']} Middlebury scenes in models/reference/ "
                  '(Scharstein et al.; what the bundled models were trained on besides '
                  'RGB-D-D).', '',
                  comparison_table(comp['reference_rows'], samplings), '',
                  f"The adapted model is {comp['forgetting_points']:+.1f} points (% vs bicubic, "
                  'mean) worse than the init model here (negative: better).', '',
                  REPLAY_REFERENCE_CAVEAT if 'replay' in comp else REFERENCE_CAVEAT]
    if 'replay' in comp:
        t = report['training']
        lines += ['', '## Forgetting check: your --replay-bag recordings (held-out frames, RMSE '
                  'in cm, change vs bicubic)', '',
                  f"{comp['replay_frames']} held-out frames of {t['replay']}; the other frames "
                  f"were replayed in {t['replay_fraction']:.0%} of the training crops.", '',
                  *_blend_choice_lines(report.get('blend_choice')),
                  comparison_table(comp['replay_rows'], samplings), '',
                  f"The adapted model is {comp['replay_forgetting_points']:+.1f} points (% vs "
                  'bicubic, mean) worse than the init model here (negative: better).']
    return lines


def _blend_choice_lines(choice):
    """Return the --max-forgetting choice as a paragraph (nothing when the blend was fixed)."""
    if not choice:
        return []
    tried = ', '.join(f"{t['blend']:.1f}: {t['forgetting_points']:+.1f}" for t in choice['tried'])
    verdict = ('the most fine-tuned within the limit' if choice['within_limit'] else
               'none was within the limit, so the least fine-tuned was kept')
    return [f"Exported blend {choice['blend']:.1f} x fine-tuned + {1 - choice['blend']:.1f} x "
            f"init weights: {verdict} of {choice['max_forgetting']:g} points lost here "
            f'(--max-forgetting; points lost per blend tried: {tried}).', '']


def _assemble(out, work, result, report):
    """Build the output in a temporary sibling directory, check it loads, rename it into place."""
    from depth_sr_ros.inference import DepthSuperResolver
    tmp = out.parent / f'.{out.name}.tmp-{os.getpid()}'
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        model_dir = Path(result['model_dir'])
        for f in model_dir.iterdir():
            shutil.copy2(f, tmp / f.name)
        for name in REPORT_FILES:
            if (work / name).is_file():
                shutil.copy2(work / name, tmp / name)
        (tmp / 'report.json').write_text(json.dumps(report, indent=2, default=str) + '\n')
        (tmp / 'report.md').write_text(_markdown_report(report))
        DepthSuperResolver.load(
            str(tmp), device='cpu', torchscript=False
        )  # never ship an unloadable model
        if out.exists():
            out.rmdir()            # empty (checked before training)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


DEPTH_ONLY_NOTE = ('The bag has no colour topic, so DSRNet was trained alone on the depth '
                   'frames: each LR input was made from a recorded frame by the training '
                   'degradation and the recorded frame was the target. The model learns your '
                   "sensor's statistics one scale down (its noise, holes and edges at the "
                   'recorded resolution), not detail finer than the sensor records.')


def _scheme_for(args, pairs):
    """Depth-only data trains DSRNet alone; asking for the cross-task scheme there is an error."""
    depth_only = all(p.meta.get('has_rgb', True) is False for p in pairs)
    if depth_only and args.scheme == 'ctkt':
        raise ValueError('--scheme ctkt needs colour for DENet, but the bag has no colour topic '
                         '(depth only); use --scheme dsr_only or leave --scheme out')
    return depth_only


def _read_replay(args, cache):
    """
    (training frames, held-out frames, summary) of the --replay-bag recordings (depth only).

    Split in time blocks like the user's bag: the training part is replayed, the held-out part
    scores forgetting on data the user chose.
    """
    from depth_sr_ros.data.bags import BagReadOptions, read_bags
    from depth_sr_ros.data.splits import split_by_time
    options = BagReadOptions(depth_topic=args.replay_depth_topic, every=args.every,
                             max_pairs=args.max_pairs or None, dedup_threshold=args.dedup,
                             min_valid_fraction=args.min_valid, depth_only=True)
    pairs, summary = read_bags(args.replay_bag, options, cache_dir=cache,
                               progress=not args.quiet)
    if len(pairs) < 3:
        raise ValueError(f'only {len(pairs)} usable depth frame(s) in --replay-bag '
                         f'{", ".join(args.replay_bag)}; need at least 3 to replay some and '
                         f'score forgetting on others (dropped: {summary["dropped"]})')
    train, val = split_by_time(pairs, val_fraction=args.val_fraction, gap_s=args.gap)
    if not train or not val:
        raise ValueError(f'--replay-bag {", ".join(args.replay_bag)}: {len(pairs)} frames give '
                         f'{len(train)} to replay and {len(val)} held out; both must be > 0')
    return train, val, {
        'bags': [{k: b.get(k) for k in ('bag', 'storage', 'depth_topic', 'depth_encoding',
                                        'pairs', 'dropped')} for b in summary['bags']],
        'frames': len(pairs), 'train_frames': len(train), 'held_out_frames': len(val)}


def _compare(result, cfg, val, init, scratch_result, replay_val=()):
    """
    Held-out comparison (bicubic, init as shipped, adapted, scratch) and forgetting.

    Forgetting: on the bundled reference scenes, and on the held-out part of --replay-bag.
    """
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.training import comparison
    adapted = DepthSuperResolver.load(str(result['model_dir']), device='cpu', torchscript=False)
    models = {}
    if init:
        models['init model as shipped'] = DepthSuperResolver.load(init['path'], device='cpu',
                                                                  torchscript=False)
    models['adapted' if init else 'this model'] = adapted
    if scratch_result:
        models['from scratch'] = DepthSuperResolver.load(str(scratch_result['model_dir']),
                                                         device='cpu', torchscript=False)
    held_out = comparison.compare(models, val, cfg.scale, cfg.val_degradations)
    out = {'held_out': comparison.summarise(held_out), 'held_out_rows': held_out}
    if init:
        ref_models = {k: models[k] for k in ('init model as shipped', 'adapted')}
        scenes = comparison.reference_pairs()
        reference = comparison.compare(ref_models, scenes, cfg.scale, cfg.val_degradations,
                                       unit_to_cm=1.0)
        out['reference_scenes'] = len(scenes)
        out['reference_unit'] = comparison.REFERENCE_UNIT
        out['reference'] = comparison.summarise(reference)
        out['reference_rows'] = reference
        out['forgetting_points'] = comparison.forgetting_points(reference, 'init model as shipped',
                                                                'adapted')
    if init and replay_val:
        replay = comparison.compare(ref_models, replay_val, cfg.scale, cfg.val_degradations)
        out['replay'] = comparison.summarise(replay)
        out['replay_rows'] = replay
        out['replay_frames'] = len(replay_val)
        out['replay_forgetting_points'] = comparison.forgetting_points(
            replay, 'init model as shipped', 'adapted')
    return out


def run(args, argv):
    from depth_sr_ros.data.bags import read_bags
    from depth_sr_ros.data.splits import split_by_time
    from depth_sr_ros.training import fit
    from depth_sr_ros.training.init_model import describe_init, record
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return _fail(f'--out {out} exists and is not an empty directory; choose a new one')
    if args.compare_scratch and not args.init:
        return _fail('--compare-scratch compares against --init; give --init too')
    if args.replay_bag and not args.init:
        return _fail('--replay-bag keeps what the --init model knows; give --init too')
    if ((args.replay_fraction is not None or args.max_forgetting is not None
         or args.replay_depth_topic) and not args.replay_bag):
        return _fail('--replay-fraction, --max-forgetting and --replay-depth-topic need '
                     '--replay-bag')
    init = describe_init(args.init) if args.init else None
    work = Path(str(out) + '.work')
    if (work / 'checkpoint.pt').exists() and not args.resume:
        return _fail(
            f'{work} holds an unfinished or earlier run; pass --resume to continue it or delete it'
        )
    if args.resume and not (work / 'checkpoint.pt').exists():
        return _fail(f'--resume: no checkpoint in {work}')
    cache = False if args.no_cache else (args.cache_dir or None)
    pairs, summary = read_bags(
        args.bag, _read_options(args), cache_dir=cache, progress=not args.quiet
    )
    if len(pairs) < 3:
        return _fail(
            f'only {len(pairs)} usable pair(s) in {", ".join(args.bag)}; need at least 3 for '
            f'training and a held-out split (dropped: {summary["dropped"]})'
        )
    depth_only = _scheme_for(args, pairs)
    train, val = split_by_time(pairs, val_fraction=args.val_fraction, gap_s=args.gap)
    if not val:
        return _fail('--val-fraction 0 leaves no held-out frames for the report')
    data = _data_summary(summary, train, val, args)
    data['depth_only'] = depth_only
    replay_train, replay_val = [], []
    if args.replay_bag:
        replay_train, replay_val, data['replay'] = _read_replay(args, cache)
    cfg = _train_config(args, data, init)
    if depth_only and cfg.scheme != 'dsr_only':
        cfg = cfg.replace(scheme='dsr_only')
    if not args.quiet:
        for b in summary['bags']:
            dropped = ', '.join(f'{k} {n}' for k, n in b['dropped'].items()) or 'none'
            source = (f"{b['depth_topic']} only (no colour topic)" if b.get('depth_only') else
                      f"{b['rgb_topic']} + {b['depth_topic']}: {b['matched']} matched within "
                      f"{b['slop_ms']:g} ms")
            print(f"train_from_bag: {b['bag']}: {source}, {b['pairs']} used (dropped: {dropped}); "
                  f"{b['registration']}; cache {b.get('cache', 'off')}", file=sys.stderr)
        start = f"from {init['name']} ({init['sha256'][:12]})" if init else 'from random weights'
        print(f'train_from_bag: {len(pairs)} pairs from {len(summary["bags"])} bag(s): '
              f'{len(train)} train, {len(val)} held-out; x{cfg.scale} {cfg.preset} {start}, '
              f'{cfg.total_steps(len(train))} steps', file=sys.stderr)
        if replay_train:
            print(f'train_from_bag: replaying {len(replay_train)} frames of '
                  f"{', '.join(args.replay_bag)} in {cfg.replay_fraction:.0%} of the crops; "
                  f'forgetting scored on {len(replay_val)} held-out frames of them',
                  file=sys.stderr)
    result = fit(train, val, cfg, work, resume=args.resume, progress=not args.quiet,
                 replay_pairs=replay_train,
                 forgetting_pairs=replay_val if cfg.max_forgetting > 0 else ())
    scratch = None
    if args.compare_scratch:
        # From scratch means the user's recording alone, as in benchmarks/adaptation.py.
        scratch_cfg = cfg.replace(init={}, replay_fraction=0.0, replay='', max_forgetting=0.0,
                                  init_blend=1.0)
        scratch_work = Path(str(out) + '.scratch.work')
        scratch = fit(train, val, scratch_cfg, scratch_work,
                      resume=(scratch_work / 'checkpoint.pt').exists(), progress=not args.quiet)
    v = result['val']
    exported = json.loads((Path(result['model_dir']) / 'model.json').read_text())
    change = 100.0 * (v['rmse_cm'] - v['bicubic_rmse_cm']) / max(v['bicubic_rmse_cm'], 1e-12)
    report = {
        'command': ' '.join(['train_from_bag'] + list(argv)),
        'created': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'scale': cfg.scale,
        'config': args.config or (f'from --init {init["name"]}' if init else DEFAULT_CONFIG),
        'held_out': v,
        'rmse_change_vs_bicubic_pct': change,
        'steps': result['steps'],
        'samples_per_s': result['samples_per_s'],
        'device': result.get('device', cfg.device),
        'work_dir': str(work),
        'data': data,
        'cache': {b['bag']: b.get('cache', 'off') for b in summary['bags']},
        'training': {k: val_ for k, val_ in exported['training'].items()
                     if k != 'data_summary'},
        'blend_choice': exported.get('blend_choice'),
        'init_model': record(init) if init else None,
        'depth_only': depth_only,
        'comparison': _compare(result, cfg, val, init, scratch, replay_val),
    }
    if depth_only:
        report['depth_only_note'] = DEPTH_ONLY_NOTE
    _assemble(out, work, result, report)
    print(
        f'train_from_bag: held-out RMSE {v["rmse_cm"]:.3f} cm '
        f'vs bicubic {v["bicubic_rmse_cm"]:.3f} cm '
        f'({change:+.1f}%), MAE {v["mae_cm"]:.3f} vs {v["bicubic_mae_cm"]:.3f} cm '
        f'on {v["frames"]} frames; '
        f'model and report in {out}'
    )
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    from depth_sr_ros.data.bags import BagError
    from depth_sr_ros.inference.export import ModelLoadError
    try:
        if args.list_topics:
            return list_topics_main(args)
        if not args.out:
            return _fail('--out is required (unless --list-topics)')
        return run(args, argv)
    except (BagError, ValueError, OSError, ModelLoadError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail(
            'interrupted; nothing written to --out (continue with --resume: the run is in '
            f'{args.out}.work)',
            130,
        )
    except Exception as exc:  # noqa: BLE001 - one line for users
        # DEPTH_SR_ROS_DEBUG=1 shows the traceback.
        if os.environ.get('DEPTH_SR_ROS_DEBUG'):
            raise
        return _fail(
            f'unexpected {type(exc).__name__}: {exc} '
            '(set DEPTH_SR_ROS_DEBUG=1 for the traceback); nothing was written to --out'
        )


if __name__ == '__main__':
    sys.exit(main())
