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
Does a Fisher-weighted merge keep more of the fine-tuned gain per point forgotten than a blend.

A weight blend moves every weight the same share of the way back to the init model. Fisher
merging (Matena and Raffel, NeurIPS 2022) weighs each weight by how much each task's loss
depends on it: with diagonal Fishers F_init (the init model on the bundled reference scenes,
models/reference/, the data it knew) and F_adapted (the adapted model on the user's training
frames), each normalised to mean 1,

    w = (a F_adapted w_adapted + (1 - a) F_init w_init) / (a F_adapted + (1 - a) F_init)

(plus a small floor on both Fishers, so weights neither task cares about take the plain
blend). With ``--power p`` both Fishers are raised to p first (renormalised): p = 0 is the plain
blend, p = 1 the Fisher merge. ``fisher_init`` uses F_init only (F_adapted = 1): weights the old
data needs stay, the rest move. Each merge is scored like the blend sweep, beside the plain
blends of the same run: % lower RMSE than bicubic on the Kinect set's held-out frames (mean over
the four LR samplings) and points lost on RGB-D-D's held-out captures, and each family's gain
at 2 points lost is interpolated (``gain_at_2_points_lost``).

  .venv/bin/python benchmarks/research/adaptation_fisher_merge.py --work /work/adapt_runs \
      --sets ../shared/data/osd_kinect ../shared/data/sevenscenes_depth --scale 8 \
      --tag _warmup_cosine_crop192b4 --crop 192 --batch 4 --rgbdd ../shared/data/rgbdd_dev \
      --alphas 0.3 0.5 0.7 0.9 --blends 0.4 0.5 0.6 --scratch-tag _onecycle_crop192b4 \
      --out benchmarks/results/adaptation_fisher_merge_x8.json
"""
import argparse
import json
import os
from pathlib import Path
import sys

os.environ.setdefault('OMP_NUM_THREADS', '1')
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import adaptation as ad  # noqa: E402

FLOOR = 1e-3      # added to both mean-1 Fishers: weights neither task uses take the plain blend
LIMIT = 2.0       # points lost on RGB-D-D the issue allows


def family(label):
    """'blend', 'fisher', 'fisher_init', ... : a label without its alpha."""
    if label in ('shipped', 'scratch'):
        return label
    return label.rstrip('0123456789.').rstrip('_')


def gain_at_limit(rows, limit=LIMIT):
    """
    Held-out gain of each merge family at ``limit`` points lost, by linear interpolation.

    Between the two merges of the family (and the shipped model, 0 lost) that bracket the limit;
    None when none of the family forgets that much.
    """
    out = {}
    shipped = next(r for r in rows if r['model'] == 'shipped')
    for name in sorted({family(r['model']) for r in rows} - {'shipped', 'scratch'}):
        pts = sorted([(0.0, shipped['held_out_gain'])]
                     + [(r['forget_rgbdd'], r['held_out_gain']) for r in rows
                        if family(r['model']) == name])
        out[name] = next((g0 + (limit - f0) / (f1 - f0) * (g1 - g0)
                          for (f0, g0), (f1, g1) in zip(pts, pts[1:]) if f0 <= limit < f1),
                         None)
    return out


def diagonal_fisher(net, pairs, scale, crop, recipe, samples, seed=0):
    """Mean squared gradient of the training loss per weight, one crop at a time."""
    import torch
    from depth_sr_ros.data.crops import CropBatches
    from depth_sr_ros.nets.losses import masked_l1
    batches = CropBatches(pairs, scale, crop, 1, seed, recipe)
    net.eval()
    fisher = {n: torch.zeros_like(p) for n, p in net.named_parameters()}
    for i in range(samples):
        b = batches.batch(i)
        net.zero_grad(set_to_none=True)
        masked_l1(net(b['lr'], b['lr_valid']), b['hr'], b['hr_valid']).backward()
        for n, p in net.named_parameters():
            fisher[n] += p.grad.detach() ** 2
    return fisher


def normalised(fisher, power):
    """Fisher ** power, scaled to mean 1 over all weights."""
    raised = {n: f ** power for n, f in fisher.items()}
    total = sum(f.sum() for f in raised.values())
    count = sum(f.numel() for f in raised.values())
    return {n: f * (count / total) for n, f in raised.items()}


def fisher_merged(adapted, init, f_adapted, f_init, alpha):
    """Return a copy of ``adapted`` merged with ``init`` weight by weight (module docstring)."""
    import copy
    base, out = init.state_dict(), copy.deepcopy(adapted)
    merged = {}
    for k, v in adapted.state_dict().items():
        if k not in f_init or not v.is_floating_point():
            merged[k] = v
            continue
        fa = alpha * ((f_adapted[k] if f_adapted is not None else 1.0) + FLOOR)
        fi = (1 - alpha) * (f_init[k] + FLOOR)
        merged[k] = (fa * v + fi * base[k]) / (fa + fi)
    out.load_state_dict(merged)
    return out


def save_merge(adapted_dir, net, meta, label):
    """Write <adapted_dir>_<label> (once; later runs reuse it) and return its path."""
    from depth_sr_ros.inference.export import save_model
    out = Path(adapted_dir).with_name(f'{Path(adapted_dir).name}_{label}')
    if not (out / 'model.json').is_file():
        meta = {k: v for k, v in meta.items() if k not in ('weights_sha256', 'model_id')}
        meta['init_model'] = {**meta.get('init_model', {}), 'blend': label}
        save_model(out, net, meta)
    return out


def main():
    """Merge, score and write the results file (module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument('--work', required=True)
    p.add_argument('--sets', nargs='+', required=True)
    p.add_argument('--scale', type=int, required=True)
    p.add_argument('--tag', default='_warmup_cosine')
    p.add_argument('--crop', type=int, default=ad.CROP)
    p.add_argument('--batch', type=int, default=ad.BATCH)
    p.add_argument('--rgbdd', required=True)
    p.add_argument('--alphas', type=float, nargs='+', required=True)
    p.add_argument('--blends', type=float, nargs='*', default=[0.4, 0.5])
    p.add_argument('--samples', type=int, default=256, help='crops per Fisher estimate')
    p.add_argument('--power', type=float, default=1.0, help='Fisher ** power (0: plain blend)')
    p.add_argument('--scratch-tag', default=None,
                   help="also score the from-scratch run of this suffix, e.g. '_onecycle'")
    p.add_argument('--out', required=True)
    args = p.parse_args()
    import copy

    import torch
    from depth_sr_ros.atomic import write_text_atomic
    from depth_sr_ros.inference.export import load_model
    from depth_sr_ros.training.comparison import reference_pairs
    from depth_sr_ros.training.init_model import describe_init, load_init_weights
    torch.set_num_threads(1)
    rgbdd_val = ad.rgbdd_split(args.rgbdd)[1]
    steps, _ = ad.budget_steps(args.work, args.scale, args.crop, args.batch)
    cache = Path(args.work) / 'scores'
    init_desc = describe_init(f'x{args.scale}')
    out = {'command': ad._command().replace('benchmarks/adaptation.py',
                                            'benchmarks/research/adaptation_fisher_merge.py'),
           'samples': args.samples, 'floor': FLOOR, 'power': args.power, 'rows': []}
    for folder in args.sets:
        name = Path(folder).name
        adapted_dir = ad._model_at(ad.run_dir(args.work, folder, args.scale, 'adapted',
                                              args.tag), steps, 10)
        adapted, meta = load_model(adapted_dir)
        init = load_init_weights(copy.deepcopy(adapted), init_desc)
        train, held_out = ad.load_set(folder)
        cfg = ad.base_config(args.scale, 'adapted', 1, crop=args.crop, batch=args.batch)
        recipe = cfg.recipe()
        print(f'x{args.scale} {name}: Fishers ({args.samples} crops each)', file=sys.stderr,
              flush=True)
        f_init = normalised(diagonal_fisher(init, reference_pairs(), args.scale, args.crop,
                                            recipe, args.samples), args.power)
        f_adapted = normalised(diagonal_fisher(adapted, train, args.scale, args.crop, recipe,
                                               args.samples), args.power)
        models = {'shipped': f'x{args.scale}', 'blend1': str(adapted_dir)}
        if args.scratch_tag is not None:
            models['scratch'] = str(ad._model_at(ad.run_dir(
                args.work, folder, args.scale, 'scratch', args.scratch_tag), steps, 10))
        for b in args.blends:
            models[f'blend{b:g}'] = str(ad.blend_model(adapted_dir, f'x{args.scale}', b))
        tag = '' if args.power == 1 else f'_p{args.power:g}_'
        for a in args.alphas:
            for label, fa in ((f'fisher{tag}{a:g}', f_adapted),
                              (f'fisher_init{tag}{a:g}', None)):
                net = fisher_merged(adapted, init, fa, f_init, a)
                models[label] = str(save_merge(adapted_dir, net, meta, label))
        held = ad.score_models(ad.frames_by_sampling(held_out, args.scale),
                               models, cache=(cache, f'{name}_x{args.scale}'))['mean']
        rg = ad.score_models(ad.frames_by_sampling(rgbdd_val, args.scale), models,
                             hole_margin_lr=0, cache=(cache, f'rgbdd_x{args.scale}'))['mean']
        for label in models:
            row = {'set': name, 'scale': args.scale, 'variant': args.tag, 'model': label,
                   'held_out_gain': held[label]['gain_pct'],
                   'held_out_flying_pct': held[label]['flying_pct'],
                   'shipped_gain': held['shipped']['gain_pct'],
                   'forget_rgbdd': rg['shipped']['gain_pct'] - rg[label]['gain_pct']}
            out['rows'].append(row)
            print(f"x{args.scale} {name:18s} {label:16s} gain {row['held_out_gain']:+6.2f} "
                  f"(shipped {row['shipped_gain']:+.2f}) forget rgbdd "
                  f"{row['forget_rgbdd']:+5.2f}", flush=True)
        rows = [r for r in out['rows'] if r['set'] == name]
        out.setdefault('gain_at_2_points_lost', {})[name] = {
            **gain_at_limit(rows), 'scratch': held.get('scratch', {}).get('gain_pct')}
        print(f'x{args.scale} {name} at {LIMIT:g} points lost: '
              f"{out['gain_at_2_points_lost'][name]}", flush=True)
        write_text_atomic(Path(args.out), json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
