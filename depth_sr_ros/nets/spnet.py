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
SPNet: uncertainty fusion of F_sr^N and F_de^N, then a small structure CNN -> edge logits.

The structure CNN runs at half the HR size; its logits are bilinearly resized to HR.

The fusion weight of each network at a position is softmax(-U / tau) over the two networks'
per-pixel errors U = |D - D_hr| (pooled to the feature grid): where one network is more
accurate its features dominate. L_struc flows back into both networks' last features.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SPNet(nn.Module):
    """Fuse the two networks' last features by their errors and predict HR edge logits."""

    def __init__(self, sr_channels, de_channels, channels=16, tau=0.02):
        super().__init__()
        self.tau = tau
        self.proj_sr = nn.Conv2d(sr_channels, channels, 1)
        self.proj_de = nn.Conv2d(de_channels, channels, 1)
        self.structure = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, 1, 3, padding=1))

    def fusion_weights(self, err_sr, err_de, size):
        """(B,1,H,W) error maps -> (w_sr, w_de) at ``size``, summing to 1."""
        u = torch.cat(
            [F.adaptive_avg_pool2d(err_sr, size), F.adaptive_avg_pool2d(err_de, size)], 1
        )
        w = torch.softmax(-u / self.tau, dim=1)
        return w[:, :1], w[:, 1:]

    def forward(self, feat_sr, feat_de, err_sr, err_de, hr_size):
        size = feat_sr.shape[-2:]
        de = F.interpolate(feat_de, size=size, mode='bilinear', align_corners=False)
        w_sr, w_de = self.fusion_weights(err_sr.detach(), err_de.detach(), size)
        fused = w_sr * self.proj_sr(feat_sr) + w_de * self.proj_de(de)
        # The structure CNN runs at half the HR size (4x cheaper; edges are 1-2 px wide anyway).
        half = (max(hr_size[0] // 2, size[0]), max(hr_size[1] // 2, size[1]))
        fused = F.interpolate(fused, size=half, mode='bilinear', align_corners=False)
        return F.interpolate(
            self.structure(fused), size=hr_size, mode='bilinear', align_corners=False
        )
