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
Issue 3's ablation: whether cross-task transfer makes DSRNet better than itself trained alone.

Results: benchmarks/results/ablation_*.json + .png (docs/research/cross_task_ablation.md).

Trains the same DSRNet config with the same budget and seeds under several arms (DSRNet alone,
the full CTKT scheme, component and granularity variants) on an RGB-D image folder split by
capture time, evaluates every run on the held-out frames beside bicubic (same frames, same
pixels), and writes benchmarks/results/ablation_x<scale>.json + a PNG chart.

Each (arm, seed) is an ordinary resumable fit() run under --runs-dir; finished runs are reused,
so the command can be re-run after an interruption and only missing work is done.

  .venv/bin/python benchmarks/research/ablation.py --data ../shared/data/rgbdd_dev --scale 8 \
      --steps 3000 --seeds 0 1 2 --arms dsr_only full --jobs 2
"""
import argparse
from concurrent.futures import ThreadPoolExecutor
import json
from pathlib import Path
import shlex
import subprocess
import sys

from depth_sr_ros.atomic import write_text_atomic
import numpy as np

ROOT = Path(__file__).resolve().parents[2]

# Arm -> TrainConfig overrides. 'full' is the scheme as configured by default (per-pixel roles,
# DE + SP + L_P + L_A); the others each change one thing.
ARMS = {
    'dsr_only': {'scheme': 'dsr_only'},
    'full': {'scheme': 'ctkt'},
    'no_la': {'scheme': 'ctkt', 'w_a': 0.0},
    'no_lp': {'scheme': 'ctkt', 'w_p': 0.0},
    'no_sp': {'scheme': 'ctkt', 'use_sp': False},
    'sp_only': {'scheme': 'ctkt', 'w_p': 0.0, 'w_a': 0.0},
    'global': {'scheme': 'ctkt', 'granularity': 'global'},
    'global_frozen': {'scheme': 'ctkt', 'granularity': 'global', 'teacher_update': 'frozen'},
    'per_sample': {'scheme': 'ctkt', 'granularity': 'per_sample'},
    'side_roles': {'scheme': 'ctkt', 'role_source': 'side'},
}


def run_tag(args):
    """Run-directory prefix: scale, then what changes the data (subset), then --tag."""
    return (f'x{args.scale}' + (f'_n{args.train_subset}' if args.train_subset else '')
            + (f'_{args.tag}' if args.tag else ''))


def run_one(args, arm, seed):
    """Train one (arm, seed) in a subprocess (one torch thread each, so --jobs run in parallel)."""
    tag = run_tag(args)
    run_dir = Path(args.runs_dir) / f'{tag}_{arm}_s{seed}'
    done = run_dir / 'metrics.json'
    if done.exists() and (run_dir / 'model' / 'model.json').exists():
        return arm, seed, json.loads(done.read_text())['final']
    opts = {
        'scale': args.scale,
        'max_steps': args.steps,
        'seed': seed,
        'val_every': args.steps,
        'checkpoint_every': 250,
        'threads': 1,
        'crop': args.crop,
        **ARMS[arm],
        **json.loads(args.extra),
    }
    cmd = [
        sys.executable,
        '-m',
        'depth_sr_ros.cli.train',
        '--data',
        args.data,
        '--run-dir',
        str(run_dir),
        '--options',
        json.dumps(opts),
        '--resume',
        '--no-progress',
        '--train-subset',
        str(args.train_subset),
        '--hold-out-last',
        str(args.hold_out_last),
    ]
    for folder in args.train_only:
        cmd += ['--train-only', folder]
    log = Path(args.runs_dir) / f'{tag}_{arm}_s{seed}.log'
    with open(log, 'a') as handle:
        code = subprocess.call(cmd, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    if code != 0:
        raise RuntimeError(f'{arm} seed {seed} failed (exit {code}); see {log}')
    return arm, seed, json.loads(done.read_text())['final']


def summarise(results, args):
    out = {'scale': args.scale, 'protocol': protocol(args)}
    by_arm = {}
    for arm, seed, final in results:
        by_arm.setdefault(arm, []).append((seed, final['val']))
    first = next(iter(by_arm.values()))[0][1]
    out['bicubic'] = {'rmse': first['bicubic_rmse_cm'], 'mae': first['bicubic_mae_cm']}
    for arm, runs in by_arm.items():
        runs.sort()
        rmse = [v['rmse_cm'] for _, v in runs]
        mae = [v['mae_cm'] for _, v in runs]
        out[arm] = {
            'rmse': float(np.mean(rmse)),
            'rmse_sd': float(np.std(rmse, ddof=1)) if len(rmse) > 1 else None,
            'rmse_seeds': rmse,
            'mae': float(np.mean(mae)),
            'mae_seeds': mae,
            'seeds': [s for s, _ in runs],
            'vs_bicubic_pct': 100 * (1 - np.mean(rmse) / out['bicubic']['rmse']),
        }
    return out


def protocol(args):
    subset = (
        f' (training on only {args.train_subset} of them, evenly spaced in time)'
        if args.train_subset
        else ''
    )
    extra = json.loads(args.extra)
    also = (
        f'; also trained on {", ".join(args.train_only)} '
        f'(all but the last {args.hold_out_last} images)'
        if args.train_only
        else ''
    )
    recipe = extra.get('degradation', 'blind')
    val_lr = extra.get('val_degradations', ['bicubic_aa', 'cubic', 'area', 'nearest'])
    degradation = (
        f"training LR recipe '{recipe}' (depth_sr_ros.data.degradation); validation LR "
        f"{', '.join(val_lr)} "
        '(RMSE = mean over them)'
    )
    return (
        f'data {args.data}, split_by_time_blocks(val_fraction={args.val_fraction}) '
        f'of the captures{subset}{also}; '
        f'x{args.scale}, {degradation} (centre-aligned, hole-aware); '
        f'{extra.get("preset", "fast")} DSRNet; overrides {args.extra}; '
        f'{args.steps} steps of {extra.get("batch_size", 16)} crops {args.crop}x{args.crop}, '
        f'Adam 1e-3 OneCycle; '
        f'RMSE/MAE in cm on full held-out frames (HR valid & output valid pixels), '
        f'mean over frames; '
        f'same frames and pixels for bicubic. '
        f'Command: {" ".join(shlex.quote(a) for a in sys.argv)}'
    )


def chart(summary, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    arms = [a for a in ARMS if a in summary]
    fig, ax = plt.subplots(figsize=(1.4 * len(arms) + 2, 3.6))
    for i, arm in enumerate(arms):
        ax.bar(
            i,
            summary[arm]['rmse'],
            yerr=summary[arm]['rmse_sd'] or 0,
            color='C0' if arm == 'dsr_only' else 'C1',
        )
        ax.scatter(
            [i] * len(summary[arm]['rmse_seeds']),
            summary[arm]['rmse_seeds'],
            color='k',
            s=10,
            zorder=3,
        )
    ax.axhline(summary['bicubic']['rmse'], color='gray', ls='--', label='bicubic')
    ax.set_xticks(range(len(arms)), arms, rotation=20)
    lo = min(min(summary[a]['rmse_seeds']) for a in arms)
    ax.set_ylim(lo * 0.95, summary['bicubic']['rmse'] * 1.03)
    ax.set_ylabel('held-out RMSE (cm)')
    ax.legend()
    ax.set_title(f"x{summary['scale']}: mean +- SD over seeds (dots)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument('--data', required=True, help='RGB-D image folder (rgb/ + depth/, uint16 mm)')
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--steps', type=int, default=3000)
    p.add_argument('--crop', type=int, default=96)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--arms', nargs='+', default=['dsr_only', 'full'], choices=sorted(ARMS))
    p.add_argument('--val-fraction', type=float, default=0.15)
    p.add_argument('--extra', default='{}', help='JSON TrainConfig overrides applied to every arm')
    p.add_argument(
        '--train-subset',
        type=int,
        default=0,
        help='train on only N captures (evenly spaced in time): the data-starved regime',
    )
    p.add_argument('--train-only', action='append', default=[],
                   help='extra image folder for training only (e.g. Middlebury), passed to train')
    p.add_argument(
        '--hold-out-last',
        type=int,
        default=0,
        help='leave the last N images of each --train-only folder out (quality.py scores them)',
    )
    p.add_argument(
        '--tag', default='', help='suffix for run names and the result file (one per recipe)'
    )
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--runs-dir', default=str(ROOT / 'runs' / 'ablation'))
    p.add_argument('--out', default=None, help='default benchmarks/results/ablation_x<scale>.json')
    args = p.parse_args()
    Path(args.runs_dir).mkdir(parents=True, exist_ok=True)
    work = [(arm, seed) for seed in args.seeds for arm in args.arms]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda w: run_one(args, *w), work))
    summary = summarise(results, args)
    suffix = run_tag(args)[len(f'x{args.scale}'):]
    out = Path(
        args.out or ROOT / 'benchmarks' / 'results' / f'ablation_x{args.scale}{suffix}.json'
    )
    write_text_atomic(out, json.dumps(summary, indent=2) + '\n')
    chart(summary, out.with_suffix('.png'))
    print(f"x{args.scale}  bicubic RMSE {summary['bicubic']['rmse']:.3f} cm")
    for arm in [a for a in ARMS if a in summary]:
        s = summary[arm]
        sd = f" +- {s['rmse_sd']:.3f}" if s['rmse_sd'] is not None else ''
        print(
            f"  {arm:14s} RMSE {s['rmse']:.3f}{sd} cm  MAE {s['mae']:.3f} cm  "
            f"({s['vs_bicubic_pct']:+.1f}% vs bicubic)  "
            f"seeds {[round(x, 3) for x in s['rmse_seeds']]}"
        )
    print(f'wrote {out} and {out.with_suffix(".png")}')


if __name__ == '__main__':
    main()
