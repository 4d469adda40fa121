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
Markdown tables of an evaluation matrix (benchmarks/quality.py JSON), for the model card.

Results: reads benchmarks/results/quality.json (or any quality.py JSON); prints the tables
of models/README.md.

Prints, per scale and held-out set, every method under every LR sampling (headline metric:
RMSE cm for RGB-D-D and Kinect, MAD for Middlebury; "% lower than hole-aware bicubic" beside
it; flying-pixel share), then the recommended model per sampling. Numbers are copied, never
retyped. Retired models (RETIRED) stay in the JSON, as measured, and are left out of the tables.

  .venv/bin/python benchmarks/matrix_tables.py benchmarks/results/quality.json
"""
import json
from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import BASELINE, HEADLINE  # noqa: E402

UNITS = {'rmse': 'RMSE, cm', 'mae': 'MAD, 0..255'}
# Scored in a committed matrix but no longer bundled (CHANGELOG.rst): left out of the tables.
RETIRED = {'x4_smooth'}
SET_NAMES = {'rgbdd': 'RGB-D-D held-out captures', 'middlebury': 'Middlebury held-out scenes',
             'kinect': 'Kinect frames (a sensor never trained on)'}


def main(path):
    data = json.loads(Path(path).read_text())
    cells = data['results']
    for scale in sorted({c['scale'] for c in cells}):
        for set_name in SET_NAMES:
            row_cells = [c for c in cells if c['scale'] == scale and c['set'] == set_name]
            if not row_cells:
                continue
            key = HEADLINE[set_name]
            unit = UNITS[key]
            samplings = [c['sampling'] for c in row_cells]
            frames = row_cells[0]['held_out_frames']
            print(
                f'\n**x{scale}, {SET_NAMES[set_name]} ({frames} frames), {unit}; '
                f'% = lower than hole-aware bicubic; flying pixels at depth steps in brackets**\n'
            )
            print('| method | ' + ' | '.join(samplings) + ' |')
            print('|---' * (len(samplings) + 1) + '|')
            for method in row_cells[0]['methods']:
                if method in RETIRED:
                    continue
                out = []
                for c in row_cells:
                    m, b = c['methods'][method], c['methods'][BASELINE]
                    gain = 100 * (1 - m[key] / b[key])
                    pct = '' if method == BASELINE else f' ({gain:+.0f}%)'
                    out.append(f"{m[key]:.3f}{pct} [{m['flying_pct']:.1f}%]")
                label = 'bicubic (holes as 0)' if method == 'bicubic' else method
                print(f'| {label} | ' + ' | '.join(out) + ' |')
    print('\n**Recommended model per LR sampling (largest gain over hole-aware bicubic)**\n')
    recs_by_scale = data['recommendations']
    samplings = list(next(iter(next(iter(recs_by_scale.values())).values())))
    print('| scale | set | ' + ' | '.join(samplings) + ' |')
    print('|---' * (len(samplings) + 2) + '|')
    for scale, sets in recs_by_scale.items():
        for set_name, recs in sets.items():
            print(
                f'| {scale} | {set_name} | '
                + ' | '.join(
                    f"{recs[s]['model']} ({recs[s]['gain_pct']:+.0f}%)" for s in samplings
                )
                + ' |'
            )


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / 'results' / 'quality.json')
