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
What a training run leaves for people.

Metrics CSV/JSON, a learning curve, a before/after panel.
"""
import csv
import json
from pathlib import Path

from depth_sr_ros.atomic import atomic_path, write_text_atomic
import numpy as np


def write_metrics(run_dir, history, final):
    """history: list of dict rows (one per validation); final: summary dict."""
    run_dir = Path(run_dir)
    keys = sorted({k for row in history for k in row}, key=lambda k: (k != 'step', k))
    with atomic_path(run_dir / 'metrics.csv') as tmp, open(tmp, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(history)
    write_text_atomic(
        run_dir / 'metrics.json', json.dumps({'final': final, 'history': history}, indent=2) + '\n'
    )


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def learning_curve(path, history, title=''):
    """Training loss and held-out RMSE (with the bicubic line) against steps."""
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    steps = [r['step'] for r in history]
    for key in ('l_dsr', 'l_de', 'l_struc', 'l_p', 'l_a'):
        ys = [r.get(key) for r in history]
        if any(y is not None for y in ys):
            ax1.plot(steps, [np.nan if y is None else y for y in ys], label=key)
    ax1.set_yscale('log')
    ax1.set_xlabel('step')
    ax1.set_title('training losses (normalised depth)')
    ax1.legend(fontsize=8)
    val = [r for r in history if 'rmse_cm' in r]
    if val:
        ax2.plot([r['step'] for r in val], [r['rmse_cm'] for r in val], 'o-', label='DSRNet')
        ax2.axhline(val[-1]['bicubic_rmse_cm'], color='gray', ls='--', label='bicubic')
        ax2.set_xlabel('step')
        ax2.set_ylabel('held-out RMSE (cm)')
        ax2.legend(fontsize=8)
    ax2.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def before_after_panel(path, lr, bicubic, sr, hr, hr_valid, title=''):
    """LR (nearest), bicubic, DSRNet, HR and both absolute-error maps, one colour range."""
    plt = _pyplot()
    s = hr.shape[0] // lr.shape[0]
    lr_up = np.repeat(np.repeat(np.where(lr > 0, lr, np.nan), s, 0), s, 1)
    gt = np.where(hr_valid, hr, np.nan)
    lo, hi = np.nanpercentile(gt, 1), np.nanpercentile(gt, 99)
    err_b, err_s = np.abs(bicubic - gt), np.abs(sr - gt)
    emax = np.nanpercentile(err_b, 99) if np.isfinite(err_b).any() else 1.0
    panels = [
        ('LR input (nearest)', lr_up, 'turbo', lo, hi),
        ('bicubic', bicubic, 'turbo', lo, hi),
        ('DSRNet', sr, 'turbo', lo, hi),
        ('HR ground truth', gt, 'turbo', lo, hi),
        ('|bicubic - HR|', err_b, 'magma', 0, emax),
        ('|DSRNet - HR|', err_s, 'magma', 0, emax),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.4))
    for ax, (name, img, cmap, vmin, vmax) in zip(axes.flat, panels):
        im = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(name, fontsize=9)
        ax.axis('off')
        fig.colorbar(im, ax=ax, fraction=0.035)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def label_cells(ax, data, fmt, is_dark):
    """Write each finite value of a heat map into its cell, white on dark cells."""
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha='center', va='center', fontsize=7,
                    color='white' if is_dark(v) else 'black')


def save_png(fig, path):
    """Write a matplotlib figure atomically (a reader never sees half a PNG) and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100, format='png')
    _pyplot().close(fig)
