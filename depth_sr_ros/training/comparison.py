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
What a user adapting a model chooses between, scored on the same frames.

On the held-out frames of their data, under every LR sampling: bicubic, the init model as
shipped, the adapted model (and one trained from scratch when asked). And on a fixed
reference set, the init and the adapted model, so forgetting shows. The reference set is real
depth the bundled models were trained on and that may ship: the 18 Middlebury training scenes
(models/reference/, with their citation). Forgetting there tracks forgetting on the RGB-D-D
captures, which cannot ship; seeded procedural scenes did not: they improved while RGB-D-D
was forgotten (docs/research/adaptation.md, table 9).
"""
from depth_sr_ros.training.evaluate import evaluate_samplings, sampling_frames

REFERENCE_FOLDER = ('reference', 'middlebury')   # under the bundled models' directory
REFERENCE_UNIT = 'disparity units (0..255)'


def reference_folder():
    """Return the reference scenes' folder: share/depth_sr_ros/models/reference/middlebury."""
    from depth_sr_ros.inference.bundled import models_dir
    return models_dir().joinpath(*REFERENCE_FOLDER)


def reference_pairs():
    """Load the bundled reference scenes (uint8 disparity; per-image normalisation as always)."""
    from depth_sr_ros.data.image_folder import load_image_folder
    return load_image_folder(reference_folder(), depth_scale=1.0, depth_only=True)


def gain_pct(row, sampling=None):
    """% lower RMSE than bicubic on the same pixels (``sampling`` None: mean over samplings)."""
    suffix = f'_{sampling}' if sampling else ''
    return 100.0 * (1.0 - row[f'rmse_cm{suffix}'] / max(row[f'bicubic_rmse_cm{suffix}'], 1e-12))


def compare(resolvers, pairs, scale, samplings, unit_to_cm=100.0):
    """
    Return {label: evaluate_samplings row} for label -> DepthSuperResolver, same LR frames.

    ``unit_to_cm``: the pairs' depth unit in cm (1.0 keeps the reference's disparity units).
    """
    frames = sampling_frames(pairs, scale, samplings)
    return {label: evaluate_samplings(r, frames, unit_to_cm) for label, r in resolvers.items()}


def comparison_table(rows, samplings):
    """Markdown: per sampling, RMSE (cm) of bicubic and each model, with % change vs bicubic."""
    labels = list(rows)
    head = '| LR sampling | bicubic | ' + ' | '.join(labels) + ' |'
    lines = [head, '|' + '---|' * (len(labels) + 2)]
    for sampling in list(samplings) + [None]:
        first = rows[labels[0]]
        suffix = f'_{sampling}' if sampling else ''
        cells = [f"{rows[k][f'rmse_cm{suffix}']:.3f} ({-gain_pct(rows[k], sampling):+.1f}%)"
                 for k in labels]
        name = sampling or '**mean**'
        lines.append(f"| {name} | {first[f'bicubic_rmse_cm{suffix}']:.3f} | " + ' | '.join(cells)
                     + ' |')
    return '\n'.join(lines)


def summarise(rows):
    """{label: {'rmse_cm', 'bicubic_rmse_cm', 'gain_pct'}} (means over samplings)."""
    return {k: {'rmse_cm': float(r['rmse_cm']), 'bicubic_rmse_cm': float(r['bicubic_rmse_cm']),
                'gain_pct': float(gain_pct(r))} for k, r in rows.items()}


def forgetting_points(reference_rows, init_label, adapted_label):
    """Points of gain over bicubic lost on the reference set (positive = forgot)."""
    return float(gain_pct(reference_rows[init_label]) - gain_pct(reference_rows[adapted_label]))
