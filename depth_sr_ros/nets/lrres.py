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
LR-space residual DSRNet family ('lrres'): EDSR/RCAN-lite with a pixel-shuffle upsampler.

head conv on [normalised LR depth, validity] -> N residual blocks at LR (optional cheap channel
attention) -> conv + global skip -> one conv to s*s*c channels + pixel-shuffle -> one 3x3 HR conv
to 1 channel, added to bicubic upsampling of the input. Every convolution but the last runs at
LR, so cost grows with the LR size, not the HR size: cheap on CPUs. The last conv starts at
zero, so an untrained net is exactly bicubic. Same contract as the DBPN-style DSRNet:
``forward(lr, lr_valid)`` and ``forward_with_features(lr, lr_valid)`` -> (sr, LR features of
``feature_taps`` evenly spaced blocks) for the training-only cross-task heads.
"""
from dataclasses import dataclass

from depth_sr_ros.nets.arch_config import ArchConfig
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class LRResConfig(ArchConfig):
    """
    Architecture of the 'lrres' family; stored in exported models' metadata.

    channels: LR feature width. num_blocks: residual blocks at LR. attention: squeeze-excite
    channel attention in each block (RCAN), reduction ``attention_reduction``. up_channels: HR
    channels after the pixel-shuffle (the final conv's input). up_kernel: kernel of the LR
    conv that makes the s*s*up_channels sub-pixel maps (1 keeps x8/x16 cheap).
    feature_taps: how many block outputs (evenly spaced, always including the last) are
    exposed to training heads; the heads use taps 1, 2 and N.
    """

    scale: int = 4
    family: str = 'lrres'
    channels: int = 32
    num_blocks: int = 4
    attention: bool = False
    attention_reduction: int = 8
    up_channels: int = 4
    up_kernel: int = 3
    feature_taps: int = 3

    FAMILY = 'lrres'
    POSITIVE = ('channels', 'num_blocks', 'attention_reduction', 'up_channels', 'feature_taps')
    LABEL = 'lrres'

    def __post_init__(self):
        self.check_common()
        if self.feature_taps > self.num_blocks:
            raise ValueError(
                f'feature_taps ({self.feature_taps}) must be <= num_blocks ({self.num_blocks})'
            )

    def tap_indices(self):
        """0-based blocks whose outputs are exposed: evenly spaced, the last one included."""
        n, k = self.num_blocks, self.feature_taps
        return [((i + 1) * n + k - 1) // k - 1 for i in range(k)]


class _ChannelAttention(nn.Module):
    """RCAN channel attention: global average -> 1x1 squeeze -> 1x1 excite -> sigmoid gate."""

    def __init__(self, c, reduction):
        super().__init__()
        mid = max(1, c // reduction)
        self.squeeze = nn.Conv2d(c, mid, 1)
        self.excite = nn.Conv2d(mid, c, 1)

    def forward(self, x):
        w = F.relu(self.squeeze(x.mean((2, 3), keepdim=True)))
        return x * torch.sigmoid(self.excite(w))


class _ResBlock(nn.Module):
    """conv-ReLU-conv (+ channel attention) with an identity skip (EDSR: no batch norm)."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.channels
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.attention = (
            _ChannelAttention(c, cfg.attention_reduction) if cfg.attention else nn.Identity()
        )

    def forward(self, x):
        return x + self.attention(self.conv2(F.relu(self.conv1(x))))


class LRResNet(nn.Module):
    """Depth SR with all but the last convolution at LR. Input: normalised LR depth + validity."""

    def __init__(self, cfg: LRResConfig):
        super().__init__()
        self.cfg = cfg
        c, s = cfg.channels, cfg.scale
        self.head = nn.Conv2d(2, c, 3, padding=1)
        self.blocks = nn.ModuleList(_ResBlock(cfg) for _ in range(cfg.num_blocks))
        self.body_tail = nn.Conv2d(c, c, 3, padding=1)
        self.up = nn.Conv2d(c, cfg.up_channels * s * s, cfg.up_kernel, padding=cfg.up_kernel // 2)
        self.tail = nn.Conv2d(cfg.up_channels, 1, 3, padding=1)
        nn.init.zeros_(self.tail.weight)  # start as exact bicubic upsampling
        nn.init.zeros_(self.tail.bias)
        self._taps = frozenset(cfg.tap_indices())

    @property
    def scale(self):
        return self.cfg.scale

    @property
    def num_features(self):
        """Length of the feature list of forward_with_features."""
        return self.cfg.feature_taps

    @property
    def feature_channels(self):
        """Channels of every exposed feature map (all at the LR size)."""
        return self.cfg.channels

    def _run(self, lr, lr_valid, with_features: bool):
        # The body may run in a reduced precision (the resolver's bf16 path); the bicubic base and
        # the sum stay in the input's precision, so depth itself is never rounded to 8 bits.
        head = self.head(torch.cat([lr, lr_valid], dim=1).to(self.head.weight.dtype))
        x = head
        feats = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if with_features and i in self._taps:
                feats.append(x)
        x = self.body_tail(x) + head
        base = F.interpolate(lr, scale_factor=self.cfg.scale, mode='bicubic', align_corners=False)
        sr = base + self.tail(F.pixel_shuffle(self.up(x), self.cfg.scale)).to(base.dtype)
        return sr, feats

    def forward(self, lr, lr_valid):
        """(B,1,h,w) normalised depth + validity -> (B,1,h*s,w*s). Exactly what deployment runs."""
        return self._run(lr, lr_valid, False)[0]

    def forward_with_features(self, lr, lr_valid):
        """
        Return the same output plus the LR-space features of the tapped blocks.

        The features feed the training-only heads.
        """
        return self._run(lr, lr_valid, True)
