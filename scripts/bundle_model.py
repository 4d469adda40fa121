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
Copy an exported model into models/ under a bundled name (verifies it loads first).

  .venv/bin/python scripts/bundle_model.py runs/default/x4/model x4
"""
from pathlib import Path
import shutil
import sys

from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.export import model_files

MODELS = Path(__file__).resolve().parents[1] / 'models'


def main(src, name):
    resolver = DepthSuperResolver.load(src, device='cpu')
    weights, meta = model_files(src)
    for source, suffix in ((weights, '.safetensors'), (meta, '.json')):
        tmp = MODELS / f'.{name}{suffix}.tmp'
        shutil.copyfile(source, tmp)
        tmp.replace(MODELS / f'{name}{suffix}')
    print(f'bundled {src} as models/{name}.safetensors (x{resolver.scale}, {resolver.model_id})')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__.lstrip())
    main(Path(sys.argv[1]), sys.argv[2])
