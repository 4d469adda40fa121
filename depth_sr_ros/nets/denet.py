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
DENet: monocular depth estimation from RGB (training-only teacher/student of DSRNet).

conv block -> N residual blocks -> conv block -> D_de, as in the CTKT figure. Works at 1/4
(default) or 1/2 resolution (strided stem) to stay cheap on CPUs; block features
F_de^1..F_de^N are exposed for the side-output heads, the affinity loss and SPNet.
"""
from dataclasses import asdict, dataclass

import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class DENetConfig:
    channels: int = 32
    num_blocks: int = 3
    stride: int = 4  # features at 1/stride resolution (2 or 4); 4 keeps DENet ~DSRNet's cost

    def to_dict(self):
        return asdict(self)


class _Residual(nn.Module):
    """Residual block: relu(x + conv-ReLU-conv(x)), ``c`` channels throughout."""

    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(c, c, 3, padding=1))

    def forward(self, x):
        return F.relu(x + self.body(x))


class DENet(nn.Module):
    """RGB (B,3,H,W) in [0,1] -> (depth (B,1,H,W) in the LR-normalised range, [F_de^i])."""

    def __init__(self, cfg: DENetConfig = DENetConfig()):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        if cfg.stride not in (2, 4):
            raise ValueError(f'DENet stride must be 2 or 4, got {cfg.stride}')
        second = 2 if cfg.stride == 4 else 1
        self.head = nn.Sequential(
            nn.Conv2d(3, c, 3, stride=2, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c, c, 3, stride=second, padding=1),
            nn.ReLU(inplace=True),
        )
        self.blocks = nn.ModuleList(_Residual(c) for _ in range(cfg.num_blocks))
        self.tail = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(c, 1, 3, padding=1))

    def forward(self, rgb):
        x = self.head(rgb)
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(x)
        depth = F.interpolate(
            self.tail(x), size=rgb.shape[-2:], mode='bilinear', align_corners=False
        )
        return depth, feats
