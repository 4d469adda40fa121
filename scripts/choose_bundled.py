"""Install the default-recipe runs into models/ (called by scripts/train_default_models.sh).

For each scale the recipe trains DSRNet twice with the same data, budget and seed: the full
cross-task scheme (`full`) and DSRNet alone (`dsr_only`). Both are bundled (`x<s>_ctkt`,
`x<s>_alone`, a few hundred kB each) so users can compare them on their own data, and `x<s>`
(what the node loads by default) is the one with the lower held-out RMSE: we ship the better
model, whichever scheme made it. Writes models/selection.json with both runs' held-out figures.

  .venv/bin/python scripts/choose_bundled.py --runs-dir runs/default --scales 4 8 2 --quality
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'scripts'))
from bundle_model import main as bundle  # noqa: E402

from depth_sr_ros.atomic import write_text_atomic  # noqa: E402

ARMS = {'full': 'ctkt', 'dsr_only': 'alone'}


def held_out(run_dir):
    val = json.loads((run_dir / 'metrics.json').read_text())['final']['val']
    return {k: val[k] for k in ('rmse_cm', 'mae_cm', 'bicubic_rmse_cm', 'bicubic_mae_cm', 'frames')}


def choose(runs_dir, tag, scale, name, keep_both):
    runs = {arm: runs_dir / f'x{scale}_{tag}_{arm}_s0' for arm in ARMS}
    missing = [str(r) for r in runs.values() if not (r / 'model' / 'model.json').exists()]
    if missing:
        raise SystemExit(f'choose_bundled: error: unfinished run(s): {", ".join(missing)}')
    figures = {arm: held_out(run) for arm, run in runs.items()}
    best = min(figures, key=lambda arm: figures[arm]['rmse_cm'])
    if keep_both:
        for arm, suffix in ARMS.items():
            bundle(runs[arm] / 'model', f'{name}_{suffix}')
    bundle(runs[best] / 'model', name)
    return {'scale': scale, 'shipped_as': name, 'chosen': best, 'scheme_of_chosen': ARMS[best],
            'held_out': figures, 'runs': {arm: str(run) for arm, run in runs.items()}}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--runs-dir', type=Path, default=ROOT / 'runs' / 'default')
    p.add_argument('--scales', type=int, nargs='+', default=[4, 8, 2])
    p.add_argument('--quality', action='store_true', help='also install x4_quality from the quality runs')
    args = p.parse_args()
    rows = [choose(args.runs_dir, 'default', s, f'x{s}', keep_both=True) for s in args.scales]
    if args.quality:
        rows.append(choose(args.runs_dir, 'quality', 4, 'x4_quality', keep_both=False))
    path = ROOT / 'models' / 'selection.json'
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update({r['shipped_as']: r for r in rows})
    write_text_atomic(path, json.dumps(previous, indent=2, sort_keys=True) + '\n')
    print('| model | shipped scheme | held-out RMSE cm: full scheme | DSRNet alone | bicubic |')
    print('|---|---|---|---|---|')
    for r in rows:
        h = r['held_out']
        print(f"| {r['shipped_as']} | {r['scheme_of_chosen']} | {h['full']['rmse_cm']:.3f} | "
              f"{h['dsr_only']['rmse_cm']:.3f} | {h['full']['bicubic_rmse_cm']:.3f} |")


if __name__ == '__main__':
    main()
