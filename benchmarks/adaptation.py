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
Adapting a bundled model to a sensor it never saw, against it as shipped and from scratch.

Sets: Kinect v1-class depth no bundled model was trained on (osd_kinect: registered RGB-D,
sevenscenes_depth: depth only), each split by time blocks (data.splits, 15% held out). Arms,
all DSRNet alone (lrres_mid_deep, batch 16, crop 96, the bundled 'blind' LR recipe):
  shipped   the bundled xK as is
  adapted   fine-tuned from the bundled xK (init_model.FINETUNE_*: warm-up, then constant lr)
  scratch   the same network from random weights, lr 1e-3 (the bundled recipe's), same schedule
Budgets are wall-clock minutes on 1 thread, turned into steps with a rate measured for the
configuration (``rate``: process CPU time of 1-thread steps, which a loaded machine barely
changes; ``rate --wall`` for an idle machine). The schedule ignores the run's length, so the 2-
and 5-minute models are snapshots of the 10-minute run. Scored (quality.py's scorer: RMSE per
LR sampling, % lower than hole-aware bicubic on the same pixels, flying pixels; pixels within
one LR pixel of an invalid HR pixel not scored, as for Kinect in quality.py) on the held-out
frames, and on RGB-D-D's held-out captures for forgetting (shipped vs adapted, 10 minutes).

  B=benchmarks/adaptation.py; W=/work/adapt_runs
  .venv/bin/python $B rate --scale 4 --set ../shared/data/osd_kinect --work $W
  .venv/bin/python $B pilot --set ../shared/data/osd_kinect --scale 4 --lrs 1e-4 3e-4 1e-3 \
      --work $W
  .venv/bin/python $B train --set ../shared/data/osd_kinect --scale 4 --arm adapted --work $W
  .venv/bin/python $B report --sets ../shared/data/osd_kinect ../shared/data/sevenscenes_depth \
      --rgbdd ../shared/data/rgbdd_dev --scales 4 8 --work $W \
      --out benchmarks/results/adaptation.json
  .venv/bin/python $B pilot --set ../shared/data/osd_kinect --scale 4 --lrs 3e-4 --steps 1000 \
      --pulls 0 3e-5 1e-4 3e-4 1e-3 --rgbdd ../shared/data/rgbdd_dev --blend 0.3 0.5 --work $W \
      --out benchmarks/results/adaptation_pilot_pull.json          # L2-SP (init_pull) vs blend
Every subcommand is resumable (runs continue from their checkpoint; finished ones are skipped).
"""
import argparse
import json
import os
from pathlib import Path
import shlex
import sys
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'
BUDGET_MINUTES = (2, 5, 10)
SAMPLINGS = ('bicubic_aa', 'cubic', 'area', 'nearest')
SCRATCH_LR = 1e-3
CROP, BATCH = 96, 16      # HR crop side and batch of every arm unless a run says otherwise
VAL_FRACTION = 0.15


def load_set(folder):
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import split_by_time_blocks
    pairs = load_image_folder(folder, depth_scale=0.001, depth_only=True)
    return split_by_time_blocks(pairs, val_fraction=VAL_FRACTION)


def base_config(scale, arm, steps, snapshots=(), lr=None, pull=0.0, params='all', replay=0.0,
                schedule='warmup_constant', crop=CROP, batch=BATCH, init=None,
                replay_source='middlebury'):
    """
    Return one arm's TrainConfig.

    'adapted': network, scale and recipe of the bundled xK (or of ``init``, a model path).
    """
    from depth_sr_ros.training import init_model as im
    from depth_sr_ros.training import TrainConfig
    cfg = TrainConfig(scheme='dsr_only', preset='lrres_mid_deep', scale=scale, batch_size=batch,
                      crop=crop, threads=1, device='cpu', lr_schedule=schedule,
                      init_blend=1.0,      # runs keep the trained weights; blends are scored
                      lr_warmup_steps=im.FINETUNE_WARMUP_STEPS, max_steps=steps,
                      val_every=10 ** 9, checkpoint_every=200, snapshot_steps=tuple(snapshots))
    init = im.describe_init(init or f'x{scale}')
    if arm == 'adapted':
        return im.apply_init(cfg.replace(lr=lr or im.FINETUNE_LR, init_pull=pull,
                                         finetune_params=params, replay_fraction=replay,
                                         replay=f'{replay_source}_train' if replay else ''), init)
    # Scratch: the bundled model's network and recipe, random weights.
    return im.apply_init(cfg.replace(lr=lr or SCRATCH_LR), init).replace(init={})


def run_dir(work, name, scale, arm, tag=''):
    return Path(work) / f'{Path(name).name}_x{scale}_{arm}{tag}'


def variant_tag(pull, params, replay=0.0, schedule='warmup_constant'):
    """Run-directory suffix of a fine-tuning variant (none for the default: no pull, all)."""
    return ((f'_pull{pull:g}' if pull else '') + (f'_{params}' if params != 'all' else '')
            + (f'_replay{replay:g}' if replay else '')
            + (f'_{schedule}' if schedule != 'warmup_constant' else ''))


def rgbdd_split(folder):
    """(training captures, held-out captures) of an RGB-D-D folder, as quality.py splits it."""
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import split_by_time_blocks
    return split_by_time_blocks(load_image_folder(folder, depth_scale=0.001),
                                val_fraction=VAL_FRACTION)


def rgbdd_inner(rgbdd_train, frames):
    """``frames`` captures of the inner held-out blocks of RGB-D-D's training part (selection)."""
    from depth_sr_ros.data.splits import split_by_time_blocks
    return _subset(split_by_time_blocks(rgbdd_train, val_fraction=VAL_FRACTION)[1], frames)


def middlebury_split(folder):
    """(training scenes, held-out scenes) of a Middlebury folder, as quality.py splits it."""
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.splits import hold_out_last
    from quality import MIDDLEBURY_HELD_OUT
    return hold_out_last(load_image_folder(folder, depth_scale=1.0), MIDDLEBURY_HELD_OUT)


def replay_frames(folder, scenes=0, source='middlebury'):
    """
    Training frames to replay: Middlebury's training scenes (not quality.py's held-out ones).

    ``scenes``: the first N only. ``source='rgbdd'``: RGB-D-D's training captures instead, the
    data the bundled models were made for; its research agreement keeps it out of the package,
    so this is an oracle for what rehearsal could do, not a product option.
    """
    kept = rgbdd_split(folder)[0] if source == 'rgbdd' else middlebury_split(folder)[0]
    return kept[:scenes] if scenes else kept


def train_run(train_pairs, cfg, directory, replay_pairs=()):
    """fit() resumably; returns the directory (skips a finished run)."""
    from depth_sr_ros.training import fit
    if (directory / 'model' / 'model.json').is_file():
        return directory
    resume = (directory / 'checkpoint.pt').is_file()
    print(f'{directory.name}: {"resuming" if resume else "starting"} {cfg.max_steps} steps',
          file=sys.stderr, flush=True)
    fit(train_pairs, [], cfg, directory, resume=resume, progress=True, replay_pairs=replay_pairs)
    return directory


# -- rate ----------------------------------------------------------------------------------
def measure_rate(scale, folder, steps=40, warmup=5, crop=CROP, batch=BATCH):
    """(CPU steps/min, wall steps/min) of the training step on 1 thread."""
    from depth_sr_ros.data.crops import CropBatches
    from depth_sr_ros.training.system import CTKTSystem
    import torch
    torch.set_num_threads(1)
    cfg = base_config(scale, 'adapted', 1, crop=crop, batch=batch)
    pairs = load_set(folder)[0]
    system = CTKTSystem(cfg)
    opt = torch.optim.Adam(system.parameters(), lr=cfg.lr)
    batches = CropBatches(pairs, cfg.scale, cfg.crop, cfg.batch_size, 0, cfg.recipe())
    cpu = wall = 0.0
    for step in range(warmup + steps):
        c0, w0 = time.process_time(), time.perf_counter()
        out = system(batches.batch(step, 0, 1), 'dsr_only')
        opt.zero_grad(set_to_none=True)
        out['total'].backward()
        opt.step()
        if step >= warmup:
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
    return 60.0 * steps / cpu, 60.0 * steps / wall


def cmd_rate(args):
    """
    Measure the steps per minute of one configuration; write <work>/rate_x<scale>[_crop].json.

    With --crop/--batch other than every arm's, both configurations are timed in this process
    and the written rate is rate_x<scale>.json's (the budget of the other runs) times their
    ratio, so the budgets of the two stay comparable whatever the machine's speed today.
    """
    crop = (args.crop, args.batch) != (CROP, BATCH)
    cpu, wall = measure_rate(args.scale, args.set, args.steps, crop=args.crop, batch=args.batch)
    load = os.getloadavg()[0]
    row = {'scale': args.scale, 'crop': args.crop, 'batch': args.batch,
           'steps_per_min_cpu': cpu, 'steps_per_min_wall': wall,
           'timed_steps': args.steps, 'load_average': load, 'threads': 1,
           'data': args.set, 'clock': 'wall' if args.wall else 'cpu',
           'measured': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
    if crop:
        base = json.loads((Path(args.work) / f'rate_x{args.scale}.json').read_text())
        ref_cpu, ref_wall = measure_rate(args.scale, args.set, args.steps)
        ratio = cpu / ref_cpu if base['clock'] == 'cpu' else wall / ref_wall
        key = 'steps_per_min_wall' if base['clock'] == 'wall' else 'steps_per_min_cpu'
        row.update({'clock': base['clock'], key: base[key] * ratio,
                    'scaled': {'from': f'rate_x{args.scale}.json', 'ratio': ratio,
                               'measured_here': {'this': [cpu, wall], 'crop 96 x 16': [
                                   ref_cpu, ref_wall]}}})
    path = Path(args.work) / f'rate_x{args.scale}{crop_tag(args.crop, args.batch)}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=2) + '\n')
    print(json.dumps(row))


def init_tag(init):
    """Run-directory suffix of an init model other than the bundled one (its folder's name)."""
    if not init:
        return ''
    path = Path(init)
    return f'_init-{path.parent.name if path.name == "model" else path.name}'


def crop_tag(crop, batch):
    """File and run-directory suffix of a crop and batch other than every arm's default."""
    return '' if (crop, batch) == (CROP, BATCH) else f'_crop{crop}b{batch}'


def budget_steps(work, scale, crop=CROP, batch=BATCH):
    """{minutes: steps} from the measured rate of this scale (and crop and batch)."""
    row = json.loads((Path(work) / f'rate_x{scale}{crop_tag(crop, batch)}.json').read_text())
    rate = row['steps_per_min_wall' if row['clock'] == 'wall' else 'steps_per_min_cpu']
    return {m: int(round(m * rate)) for m in BUDGET_MINUTES}, row


# -- scoring -------------------------------------------------------------------------------
def frames_by_sampling(pairs, scale):
    from depth_sr_ros.training.evaluate import sampling_frames
    return sampling_frames(pairs, scale, SAMPLINGS)


def _score_one(frames, path, hole_margin_lr, cache):
    """
    Score one model: {sampling: {'model': cell, 'baseline': cell}}.

    Cached by its weights' sha256 (snapshots never change, so a rerun of ``report`` only scores
    new models).
    """
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.inference.bundled import resolve
    from depth_sr_ros.inference.export import model_files, sha256_file
    from quality import BASELINE, baselines, resolver_method, score
    sha = sha256_file(model_files(resolve(str(path)))[0])[:16]
    entry = None
    if cache is not None:
        entry = Path(cache[0]) / f'{cache[1]}_{sha}_m{hole_margin_lr}.json'
        if entry.is_file():
            return json.loads(entry.read_text())
    resolver = DepthSuperResolver.load(str(path), device='cpu')
    methods = {BASELINE: baselines()[BASELINE], 'model': resolver_method(resolver)}
    out = {}
    for name, f in frames.items():
        cells = score(f, methods, 100.0, hole_margin_lr)
        out[name] = {'model': cells['model'], 'baseline': cells[BASELINE]}
    if entry is not None:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps(out) + '\n')
    return out


def score_models(frames, models, hole_margin_lr=1, cache=None):
    """
    Score models per sampling and as the mean over samplings.

    Per cell: RMSE (cm), % lower RMSE than hole-aware bicubic on the same frames and pixels,
    flying-pixel share; ``models``: label -> model path or name.
    ``cache``: (directory, key prefix naming the frames) to reuse earlier scores.
    """
    from quality import BASELINE
    per = {name: {} for name in frames}
    for label, path in models.items():
        print(f'  scoring {label} ({path})', file=sys.stderr, flush=True)
        for name, cells in _score_one(frames, path, hole_margin_lr, cache).items():
            per[name][BASELINE] = cells['baseline']
            per[name][label] = cells['model']
    mean = {}
    for label in [BASELINE] + list(models):
        for n in per:
            cell = per[n][label]
            cell['gain_pct'] = 100.0 * (1 - cell['rmse'] / per[n][BASELINE]['rmse'])
        cells = [per[n][label] for n in per]
        mean[label] = {k: float(np.mean([c[k] for c in cells]))
                       for k in ('rmse', 'gain_pct', 'flying_pct')}
    return {'per_sampling': per, 'mean': mean}


# -- pilot ---------------------------------------------------------------------------------
def blend_model(adapted, init, alpha, label=None):
    """
    Write <adapted>_blend<label> beside ``adapted`` and return its path.

    Weights alpha * adapted + (1 - alpha) * init (init_model.blended, what train_from_bag exports
    with init_blend < 1); ``alpha`` may be a function of the weight name, then ``label`` names it
    (in the directory and the metadata).
    """
    from depth_sr_ros.inference.export import load_model, save_model
    from depth_sr_ros.training.init_model import blended, describe_init
    adapted = Path(adapted)
    label = label or f'{alpha:g}'
    out = adapted.with_name(f'{adapted.name}_blend{label}')
    if (out / 'model.json').is_file():
        return out
    net, meta = load_model(adapted)
    meta = {k: v for k, v in meta.items() if k not in ('weights_sha256', 'model_id')}
    meta['init_model'] = {**meta.get('init_model', {}),
                          'blend': label if callable(alpha) else alpha}
    return save_model(out, blended(net, describe_init(init), alpha), meta)


def cmd_pilot(args):
    """Learning rates for fine-tuning, chosen on an inner split of the training frames only."""
    from depth_sr_ros.data.splits import split_by_time_blocks
    train, _ = load_set(args.set)
    inner_train, inner_val = split_by_time_blocks(train, val_fraction=VAL_FRACTION)
    rows = {}
    # run directories: _lr<lr>[_steps<n> unless 300, the first pilot's][_pull<strength>]
    tags = [(lr, pull, params, f'_lr{lr:g}' + (f'_steps{args.steps}' if args.steps != 300 else '')
             + variant_tag(pull, params))
            for lr in args.lrs for pull in args.pulls for params in args.params]
    for lr, pull, params, tag in tags:
        cfg = base_config(args.scale, 'adapted', args.steps, lr=lr, pull=pull, params=params)
        d = run_dir(args.work, args.set, args.scale, 'pilot', tag)
        rows[tag[1:]] = str(train_run(inner_train, cfg, d) / 'model')
    for lr, pull, params, tag in tags:
        for alpha in args.blend:
            d = run_dir(args.work, args.set, args.scale, 'pilot', tag)
            blend = blend_model(d / 'model', f'x{args.scale}', alpha)
            rows[f'{tag[1:]}_blend{alpha:g}'] = str(blend)
    frames = frames_by_sampling(inner_val, args.scale)
    key = f'pilot_{Path(args.set).name}_x{args.scale}'
    scored = score_models(frames, {f'x{args.scale}': f'x{args.scale}', **rows},
                          cache=(Path(args.work) / 'scores', key))
    out = {'set': args.set, 'scale': args.scale, 'steps': args.steps,
           'inner_val_frames': len(inner_val), 'inner_train_frames': len(inner_train),
           'scores': scored, 'command': _command()}
    if args.rgbdd:
        # Forgetting, on captures the bundled model trained on (the inner blocks of RGB-D-D's
        # training part), never on its held-out captures, which only report.
        inner = rgbdd_inner(rgbdd_split(args.rgbdd)[0], args.rgbdd_frames)
        out['rgbdd_inner_frames'] = len(inner)
        out['rgbdd_inner'] = score_models(
            frames_by_sampling(inner, args.scale), {f'x{args.scale}': f'x{args.scale}', **rows},
            hole_margin_lr=0,
            cache=(Path(args.work) / 'scores', f'pilot_rgbdd_inner_x{args.scale}'))
    path = Path(args.out or Path(args.work) / f'pilot_{Path(args.set).name}_x{args.scale}.json')
    path.write_text(json.dumps(out, indent=2) + '\n')
    forgetting = out.get('rgbdd_inner', {}).get('mean', {})
    lines = {**scored['mean'], **{f'rgbdd {k}': v for k, v in forgetting.items()}}
    for label, m in lines.items():
        print(f"{label:12s} RMSE {m['rmse']:.3f} cm  gain {m['gain_pct']:+.1f}%  "
              f"flying {m['flying_pct']:.1f}%")


# -- train ---------------------------------------------------------------------------------
def cmd_train(args):
    steps, _ = budget_steps(args.work, args.scale, args.crop, args.batch)
    train, _ = load_set(args.set)
    # A schedule that depends on the run's length has no prefixes to snapshot.
    snapshots = ([steps[m] for m in BUDGET_MINUTES[:-1]]
                 if args.schedule == 'warmup_constant' else [])
    cfg = base_config(args.scale, args.arm, steps[BUDGET_MINUTES[-1]], snapshots, lr=args.lr,
                      pull=args.pull, params=args.params, replay=args.replay_fraction,
                      schedule=args.schedule, crop=args.crop, batch=args.batch,
                      init=args.init, replay_source=args.replay_source).replace(seed=args.seed)
    if args.replay_fraction and not args.replay:
        raise SystemExit('--replay-fraction needs --replay <folder>')
    replay = (replay_frames(args.replay, args.replay_scenes, args.replay_source)
              if args.replay_fraction else ())
    tag = (variant_tag(args.pull, args.params, args.replay_fraction, args.schedule)
           + ('' if args.replay_source == 'middlebury' else f'_{args.replay_source}')
           + (f'_lr{args.lr:g}' if args.lr else '') + (f'_seed{args.seed}' if args.seed else '')
           + (f'_s{args.replay_scenes}' if args.replay_scenes else '')
           + crop_tag(args.crop, args.batch) + init_tag(args.init))
    train_run(train, cfg, run_dir(args.work, args.set, args.scale, args.arm, tag), replay)


def _command():
    return ' '.join(['benchmarks/adaptation.py'] + [shlex.quote(a) for a in sys.argv[1:]])


def _model_at(directory, steps, minutes):
    final = directory / 'model'
    if minutes == BUDGET_MINUTES[-1]:
        return final if (final / 'model.json').is_file() else None
    snap = directory / f'model_step{steps[minutes]}'
    return snap if (snap / 'model.json').is_file() else None


def _subset(pairs, n):
    """Pick n frames spread evenly over ``pairs`` (0: all); for smoke runs of the report."""
    from quality import evenly_spaced
    return evenly_spaced(pairs, n)


def cmd_report(args):
    results = {'protocol': __doc__.lstrip(), 'command': _command(), 'rates': {}, 'cells': [],
               'forgetting': []}
    rgbdd = None
    if args.rgbdd:
        rgbdd = _subset(rgbdd_split(args.rgbdd)[1], args.max_frames)
    for scale in args.scales:
        if not (Path(args.work) / f'rate_x{scale}.json').is_file():
            continue
        steps, rate = budget_steps(args.work, scale)
        results['rates'][f'x{scale}'] = {**rate, 'budget_steps': steps}
        adapted_models = {}
        for folder in args.sets:
            val = _subset(load_set(folder)[1], args.max_frames)
            models = {'shipped': f'x{scale}'}
            for arm in ('adapted', 'scratch'):
                d = run_dir(args.work, folder, scale, arm)
                for m in BUDGET_MINUTES:
                    path = _model_at(d, steps, m)
                    if path is not None:
                        models[f'{arm}_{m}min'] = str(path)
            name = Path(folder).name
            reached = [m for m in BUDGET_MINUTES if f'adapted_{m}min' in models]
            for m in reached:
                for alpha in args.blend:
                    models[f'adapted_blend{alpha:g}_{m}min'] = str(
                        blend_model(models[f'adapted_{m}min'], f'x{scale}', alpha))
            print(f'scoring x{scale} {name}: {sorted(models)}', file=sys.stderr, flush=True)
            scored = score_models(frames_by_sampling(val, scale), models,
                                  cache=(Path(args.work) / 'scores', f'{name}_x{scale}'))
            results['cells'].append({'set': name, 'scale': scale, 'held_out_frames': len(val),
                                     'models': models, 'steps': steps, **scored})
            if reached:      # forgetting of the longest adaptation finished so far
                longest = reached[-1]
                adapted_models[f'{name}_{longest}min'] = models[f'adapted_{longest}min']
                for alpha in args.blend:
                    adapted_models[f'{name}_blend{alpha:g}_{longest}min'] = \
                        models[f'adapted_blend{alpha:g}_{longest}min']
        if rgbdd:
            models = {'shipped': f'x{scale}',
                      **{f'adapted_on_{k}': v for k, v in adapted_models.items()}}
            print(f'scoring forgetting x{scale} on RGB-D-D: {sorted(models)}', file=sys.stderr,
                  flush=True)
            scored = score_models(frames_by_sampling(rgbdd, scale), models, hole_margin_lr=0,
                                  cache=(Path(args.work) / 'scores', f'rgbdd_x{scale}'))
            results['forgetting'].append({'set': 'rgbdd_dev held-out captures', 'scale': scale,
                                          'frames': len(rgbdd), **scored})
    out = Path(args.out)
    from depth_sr_ros.atomic import write_text_atomic
    write_text_atomic(out, json.dumps(results, indent=2) + '\n')
    print_tables(results)


def print_tables(results):
    """
    Print Markdown tables (what docs/research/adaptation.md quotes).

    % lower RMSE than hole-aware bicubic per sampling and the mean, RMSE and flying-pixel share
    (means over samplings).
    """
    head = ('| model | ' + ' | '.join(SAMPLINGS) + ' | mean | RMSE (cm) | flying |\n|'
            + '---|' * (len(SAMPLINGS) + 4))
    for cell in results['cells']:
        print(f"\nx{cell['scale']} {cell['set']}, {cell['held_out_frames']} held-out frames\n")
        print(head)
        for label, m in cell['mean'].items():
            per = ' | '.join(f"{cell['per_sampling'][s][label]['gain_pct']:+.1f}"
                             for s in SAMPLINGS)
            print(f"| {label} | {per} | **{m['gain_pct']:+.1f}** | {m['rmse']:.3f} | "
                  f"{m['flying_pct']:.1f}% |")
    for f in results['forgetting']:
        print(f"\nforgetting x{f['scale']}, {f['set']} ({f['frames']} frames)\n\n{head}")
        for label, m in f['mean'].items():
            per = ' | '.join(f"{f['per_sampling'][s][label]['gain_pct']:+.1f}" for s in SAMPLINGS)
            print(f"| {label} | {per} | **{m['gain_pct']:+.1f}** | {m['rmse']:.3f} | "
                  f"{m['flying_pct']:.1f}% |")


def add_crop_args(parser):
    parser.add_argument('--crop', type=int, default=CROP,
                        help='HR crop side (a multiple of scale)')
    parser.add_argument('--batch', type=int, default=BATCH,
                        help='crops per step; other than 96 and 16, files and run directory '
                             'get _crop<C>b<B> and the budget its own rate (rate --crop --batch)')


def cmd_split_folder(args):
    """
    Link the training part of a set's depth into ``--out``/depth (a folder_to_bag input).

    The same time-block split as every arm (load_set; for RGB-D-D the same as rgbdd_split), so
    a bag of it never holds a frame the benchmark scores.
    """
    train, held_out = load_set(args.set)
    depth = Path(args.out) / 'depth'
    depth.mkdir(parents=True, exist_ok=False)
    for pair in train:
        (depth / f'{pair.capture_id}.png').symlink_to(
            (Path(args.set) / 'depth' / f'{pair.capture_id}.png').resolve())
    print(f'{len(train)} training captures linked in {depth} ({len(held_out)} held out, left out)')


def cmd_score(args):
    """
    Score exported models (``train_from_bag`` outputs) like every arm, beside the shipped one.

    On the set's held-out frames (gain and flying pixels per sampling and mean) and RGB-D-D's
    held-out captures (points lost against the shipped model); rows are added to ``--out``
    (replacing rows of the same set, scale and label), with each model's blend choice.
    """
    from depth_sr_ros.atomic import write_text_atomic
    models = {'shipped': f'x{args.scale}'}
    for item in args.models:
        label, _, path = item.partition('=')
        models[label] = path
    name, cache = Path(args.set).name, Path(args.work) / 'scores'
    held = score_models(frames_by_sampling(load_set(args.set)[1], args.scale), models,
                        cache=(cache, f'{name}_x{args.scale}'))
    rg = score_models(frames_by_sampling(rgbdd_split(args.rgbdd)[1], args.scale), models,
                      hole_margin_lr=0, cache=(cache, f'rgbdd_x{args.scale}'))['mean']
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.is_file() else {'commands': [], 'rows': []}
    results['commands'].append(_command())
    results['rows'] = [r for r in results['rows']
                       if (r['set'], r['scale'], r['model']) not in
                       {(name, args.scale, label) for label in models}]
    for label, path in models.items():
        meta_file = Path(path) / 'model.json'
        meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        row = {'set': name, 'scale': args.scale, 'model': label, 'path': path,
               'held_out_gain': held['mean'][label]['gain_pct'],
               'held_out_flying_pct': held['mean'][label]['flying_pct'],
               'held_out_gain_per_sampling': {n: held['per_sampling'][n][label]['gain_pct']
                                              for n in held['per_sampling']},
               'forget_rgbdd': rg['shipped']['gain_pct'] - rg[label]['gain_pct'],
               'blend_choice': meta.get('blend_choice'),
               'steps': meta.get('steps')}
        results['rows'].append(row)
        print(f"x{args.scale} {name:18s} {label:12s} gain {row['held_out_gain']:+6.2f} "
              f"forget rgbdd {row['forget_rgbdd']:+5.2f} blend "
              f"{(row['blend_choice'] or {}).get('blend', '-')}", flush=True)
    write_text_atomic(out, json.dumps(results, indent=2) + '\n')


def cmd_tables(args):
    print_tables(json.loads(Path(args.results).read_text()))


def main():
    from depth_sr_ros.training.config import FINETUNE_GROUPS
    p = argparse.ArgumentParser(description=__doc__.lstrip().split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('rate', help='training steps per minute on 1 thread')
    r.add_argument('--scale', type=int, required=True)
    r.add_argument('--steps', type=int, default=40)
    r.add_argument('--set', required=True, help='training crops from this folder')
    r.add_argument('--wall', action='store_true',
                   help='budget by wall-clock steps/min (an idle machine)')
    add_crop_args(r)
    r.add_argument('--work', required=True)
    q = sub.add_parser('pilot', help='fine-tuning learning rates on an inner split')
    q.add_argument('--set', required=True)
    q.add_argument('--scale', type=int, default=4)
    q.add_argument('--lrs', type=float, nargs='+', default=[1e-4, 3e-4, 1e-3])
    q.add_argument('--steps', type=int, default=400)
    q.add_argument('--out', default=None, help='default: <work>/pilot_<set>_x<scale>.json')
    q.add_argument('--params', nargs='+', default=['all'],
                   choices=FINETUNE_GROUPS,
                   help='which parameters fine-tuning trains (TrainConfig.finetune_params)')
    q.add_argument('--pulls', type=float, nargs='+', default=[0.0],
                   help='L2-SP strengths (TrainConfig.init_pull) to try with each lr')
    q.add_argument('--rgbdd', default=None, help='also score forgetting on inner RGB-D-D captures')
    q.add_argument('--rgbdd-frames', type=int, default=20)
    q.add_argument('--blend', type=float, nargs='*', default=[],
                   help='also score alpha * adapted + (1 - alpha) * init weights for these alphas')
    q.add_argument('--work', required=True)
    t = sub.add_parser('train', help='one arm: the 10-minute run with 2- and 5-minute snapshots')
    t.add_argument('--set', required=True)
    t.add_argument('--scale', type=int, required=True)
    t.add_argument('--arm', choices=('adapted', 'scratch'), required=True)
    t.add_argument('--lr', type=float, default=None, help='default: init_model.FINETUNE_LR / 1e-3')
    t.add_argument('--params', default='all', choices=FINETUNE_GROUPS,
                   help='parameters the adapted arm trains; its run directory gets the suffix')
    t.add_argument('--pull', type=float, default=0.0,
                   help='L2-SP strength (adapted arm); its run directory gets a _pull suffix')
    t.add_argument('--replay', default=None,
                   help='Middlebury style folder: replay its training scenes (adapted arm)')
    t.add_argument('--replay-source', default='middlebury', choices=('middlebury', 'rgbdd'),
                   help="'rgbdd': --replay is an RGB-D-D folder, its training captures replayed "
                        '(an oracle: that data cannot ship); run directory gets _rgbdd')
    t.add_argument('--replay-fraction', type=float, default=0.0,
                   help='share of crops from the replay scenes; run directory gets _replay<f>')
    t.add_argument('--replay-scenes', type=int, default=0,
                   help='replay only the first N of the 18 scenes (run directory suffix _s<N>)')
    t.add_argument('--seed', type=int, default=0, help='another seed: crops, init of scratch')
    t.add_argument('--schedule', default='warmup_constant',
                   choices=('warmup_constant', 'warmup_cosine', 'onecycle'),
                   help='learning-rate schedule (default: the fine-tuning one, constant after '
                        'warm-up; warmup_cosine / onecycle decay over the 10-minute budget and '
                        'leave no 2- and 5-minute snapshots)')
    add_crop_args(t)
    t.add_argument('--init', default=None,
                   help='adapted arm: start from this model path instead of the bundled xK '
                        '(run directory suffix _init-<its folder>)')
    t.add_argument('--work', required=True)
    s = sub.add_parser('report', help='score every finished model; write the results file')
    s.add_argument('--sets', nargs='+', required=True)
    s.add_argument('--rgbdd', default=None, help='RGB-D-D folder for forgetting')
    s.add_argument('--scales', type=int, nargs='+', default=[4, 8])
    s.add_argument('--work', required=True)
    s.add_argument('--out', default=str(RESULTS / 'adaptation.json'))
    s.add_argument('--blend', type=float, nargs='*', default=[0.5],
                   help='also score each adapted model blended with the init weights (alphas)')
    s.add_argument('--max-frames', type=int, default=0,
                   help='score only N evenly spaced frames per set (smoke runs; 0 = all)')
    f = sub.add_parser('split-folder', help="a set's training part as a depth-only folder")
    f.add_argument('--set', required=True)
    f.add_argument('--out', required=True, help='new folder (depth/<id>.png links)')
    c = sub.add_parser('score', help='score exported models (train_from_bag outputs) as the arms')
    c.add_argument('--set', required=True)
    c.add_argument('--scale', type=int, required=True)
    c.add_argument('--rgbdd', required=True)
    c.add_argument('--models', nargs='+', required=True, help='label=model directory')
    c.add_argument('--work', required=True, help='for the score cache')
    c.add_argument('--out', required=True)
    m = sub.add_parser('tables', help='markdown tables of a results file')
    m.add_argument('results', nargs='?', default=str(RESULTS / 'adaptation.json'))
    args = p.parse_args()
    commands = {'rate': cmd_rate, 'pilot': cmd_pilot, 'train': cmd_train, 'report': cmd_report,
                'tables': cmd_tables, 'split-folder': cmd_split_folder,
                'score': cmd_score}
    commands[args.cmd](args)


if __name__ == '__main__':
    main()
