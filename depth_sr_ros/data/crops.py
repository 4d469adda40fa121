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
Training samples: random crops + flips of RGB-D pairs, degraded to LR, normalised by LR stats.

Every batch is a pure function of (seed, step): a resumed run sees exactly the batches the
killed run would have seen, and DDP ranks take disjoint slices of the same global batch.
"""
from dataclasses import dataclass

from depth_sr_ros.data.degradation import BICUBIC_AA, degrade
from depth_sr_ros.data.normalization import network_input, valid_range
import numpy as np
import torch


@dataclass
class Sample:
    """One training sample, all arrays float32 except masks (bool)."""

    rgb: np.ndarray       # 3xHxW in [0, 1]
    hr: np.ndarray        # HxW normalised by the LR frame's range
    hr_valid: np.ndarray  # HxW
    lr: np.ndarray        # hxw normalised, holes filled
    lr_valid: np.ndarray  # hxw


def make_sample(pair, scale, crop, rng, recipe=BICUBIC_AA):
    """
    Crop, flip, degrade and normalise one training sample.

    Crop ``crop`` x ``crop`` HR pixels (a multiple of scale), flip, degrade by a spec drawn
    from ``recipe`` (data.degradation), normalise.

    Returns None when the crop holds too little valid depth to learn from.
    """
    h, w = pair.shape
    size = min(crop, h - h % scale, w - w % scale)
    size -= size % scale
    y = int(rng.integers(0, h - size + 1))
    x = int(rng.integers(0, w - size + 1))
    rgb = pair.rgb[y:y + size, x:x + size]
    depth = pair.depth[y:y + size, x:x + size]
    valid = pair.valid[y:y + size, x:x + size]
    if rng.random() < 0.5:
        rgb, depth, valid = rgb[:, ::-1], depth[:, ::-1], valid[:, ::-1]
    spec = recipe.sample(rng)
    depth = np.ascontiguousarray(depth)
    valid = np.ascontiguousarray(valid)
    lr, lr_valid = degrade(depth, valid, scale, spec, rng, metric=pair.meta.get('metric', True))
    rng_lr = valid_range(lr, lr_valid)
    if rng_lr is None or lr_valid.mean() < 0.5 or valid.mean() < 0.5:
        return None
    lr_n = network_input(lr, lr_valid, rng_lr)
    hr_n = np.where(valid, rng_lr.normalize(depth), 0).astype(np.float32)
    return Sample(rgb=np.ascontiguousarray(rgb.transpose(2, 0, 1), dtype=np.float32) / 255.0,
                  hr=hr_n, hr_valid=valid, lr=lr_n, lr_valid=lr_valid)


class CropBatches:
    """
    Global batch number ``step`` -> dict of tensors (B, C, H, W).

    Deterministic in (seed, step).
    """

    def __init__(self, pairs, scale, crop, batch_size, seed=0, recipe=BICUBIC_AA, replay=(),
                 replay_fraction=0.0):
        if not pairs:
            raise ValueError('no training pairs')
        if replay_fraction > 0 and not replay:
            raise ValueError('replay_fraction > 0 needs replay frames')
        self.pairs = pairs
        # Replay: a share of the crops comes from frames the init model learned (fine-tuning).
        self.replay, self.replay_fraction = list(replay), float(replay_fraction)
        self.scale, self.crop, self.batch_size, self.seed = scale, crop, batch_size, seed
        self.recipe = recipe

    def samples(self, step, index):
        """Sample ``index`` of global batch ``step`` (retries until a crop has enough depth)."""
        rng = np.random.default_rng([self.seed, step, index])
        # No draw without replay, so runs without it keep their exact crops.
        pool = (self.replay if self.replay_fraction > 0 and rng.random() < self.replay_fraction
                else self.pairs)
        for _ in range(20):
            pair = pool[int(rng.integers(len(pool)))]
            sample = make_sample(pair, self.scale, self.crop, rng, self.recipe)
            if sample is not None:
                return sample
        raise ValueError('could not find a crop with >= 50% valid depth in 20 tries; '
                         'are the depth maps mostly invalid?')

    def batch(self, step, rank=0, world_size=1):
        """Return this rank's slice (indices rank, rank+world, ...) of global batch ``step``."""
        items = [self.samples(step, i) for i in range(rank, self.batch_size, world_size)]
        return collate(items)


def collate(items):
    def stack(name, channel_axis=True):
        arr = np.stack([getattr(s, name) for s in items])
        t = torch.from_numpy(np.ascontiguousarray(arr)).float()
        return t if not channel_axis else t[:, None]
    return {'rgb': torch.from_numpy(np.stack([s.rgb for s in items])),
            'hr': stack('hr'), 'hr_valid': stack('hr_valid'),
            'lr': stack('lr'), 'lr_valid': stack('lr_valid')}
