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

"""Small synthetic RGB-D pairs and tiny training configs for fast trainer tests."""
from depth_sr_ros.data.pairs import RGBDPair
from depth_sr_ros.data.synthetic import render_frame
import numpy as np

TINY_ARCH = {'channels': 8, 'hr_channels': 2, 'num_blocks': 2, 'up_kernel': 1, 'refine_convs': 0,
             'tail_channels': 2}


def synthetic_pairs(n=6, width=64, height=48, seed=0):
    pairs = []
    for i in range(n):
        f = render_frame(width=width, height=height, seed=seed, t=i * 0.5)
        pairs.append(RGBDPair(rgb=f.rgb, depth=f.depth, valid=f.valid, capture_id=f'{i:04d}',
                              timestamp=float(i), source='synthetic'))
    return pairs


def write_image_folder(root, pairs):
    """Write pairs in the RGB-D-D layout: rgb/<id>.png + depth/<id>.png (uint16 mm)."""
    import cv2
    (root / 'rgb').mkdir(parents=True)
    (root / 'depth').mkdir()
    for p in pairs:
        cv2.imwrite(
            str(root / 'rgb' / f'{p.capture_id}.png'), cv2.cvtColor(p.rgb, cv2.COLOR_RGB2BGR)
        )
        mm = np.where(p.valid, np.rint(p.depth * 1000), 0).astype(np.uint16)
        cv2.imwrite(str(root / 'depth' / f'{p.capture_id}.png'), mm)
    return root


def tiny_config(**changes):
    from depth_sr_ros.training import TrainConfig

    base = {
        'scale': 4,
        'arch': TINY_ARCH,
        'batch_size': 4,
        'crop': 32,
        'max_steps': 6,
        'warmup_steps': 2,
        'val_every': 3,
        'checkpoint_every': 1,
        'denet_channels': 8,
        'sp_channels': 4,
        'affinity_grid': 4,
        'p1': 0.1,
        'p2': 0.1,
        'threads': 1,
        'device': 'cpu',
    }
    base.update(changes)
    return TrainConfig(**base)
