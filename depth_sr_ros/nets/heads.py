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
Training-only heads shared by both networks: side outputs (output space) and affinity.

Side outputs turn block features into depth maps at HR; affinities are cosine similarities of
feature vectors pooled to a common grid, so DSRNet (LR features) and DENet (half-res features)
compare position-by-position regardless of their resolutions and widths.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SideOutput(nn.Module):
    """1x1 conv to one channel, bilinear to the HR size."""

    def __init__(self, channels):
        super().__init__()
        self.proj = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, 1, 1),
        )

    def forward(self, feat, size):
        return F.interpolate(self.proj(feat), size=size, mode='bilinear', align_corners=False)


def affinity(feat, grid):
    """(B,C,h,w) -> (B, g*g, g*g) cosine similarities of features average-pooled to g x g."""
    pooled = F.adaptive_avg_pool2d(feat, grid).flatten(2)          # (B, C, g*g)
    pooled = F.normalize(pooled, dim=1, eps=1e-6)
    return torch.einsum('bcn,bcm->bnm', pooled, pooled)


def side_block_indices(num_blocks):
    """Blocks 1, 2 and N (METHOD.md), de-duplicated for N < 3."""
    return sorted({0, min(1, num_blocks - 1), num_blocks - 1})
