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
DSRNet: depth-only super-resolution with back-projection blocks (the deployed network).

Follows the CTKT framework figure: conv block -> N back-projection blocks -> conv block -> D_sr.
Each block is a DBPN-style up-projection then down-projection with error feedback, but made
cheap for CPUs: up-projection is a convolution at LR followed by pixel-shuffle, down-projection
is a stride-s convolution, so most work happens at LR and no transposed convolution runs at HR.
The network predicts a residual over bicubic upsampling of its input. Family name 'dbpn' in the
registry (nets/registry.py), which also holds the named presets.
"""
from dataclasses import dataclass

from depth_sr_ros.nets.arch_config import ArchConfig
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class DSRNetConfig(ArchConfig):
    """
    Architecture of DSRNet; stored in every exported model's metadata.

    channels: LR feature width. hr_channels: HR feature width inside the projection units.
    num_blocks: N back-projection blocks (features of each are exposed for training heads).
    up_kernel: kernel of the main up-projection convolution (1 = cheapest).
    refine_convs: 3x3 LR convolutions at the start of each block (cheap context at LR).
    tail_channels: HR channels the block features are mixed down to (1x1, done at LR in
    space-to-depth layout) before the final 3x3 HR convolution; keeps HR work small.
    family: always 'dbpn'; model metadata written before families existed lacks it.
    """

    scale: int = 4
    channels: int = 32
    hr_channels: int = 4
    num_blocks: int = 3
    up_kernel: int = 3
    refine_convs: int = 0
    tail_channels: int = 4
    family: str = 'dbpn'

    FAMILY = 'dbpn'
    POSITIVE = ('channels', 'hr_channels', 'num_blocks', 'tail_channels')
    LABEL = 'DSRNet'

    def __post_init__(self):
        self.check_common()


def __getattr__(name):
    """Old import path: presets moved to nets/registry.py (all families in one place)."""
    if name in ('PRESETS', 'preset'):
        from depth_sr_ros.nets import registry
        return getattr(registry, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


class _Up(nn.Module):
    """
    LR features (C) -> HR features (c): conv at LR, then (conceptually) pixel-shuffle.

    The output stays in space-to-depth layout (B, c*s*s, h, w): the same numbers a pixel-shuffle
    would spread over HR pixels, but every later op runs at LR speed. PReLU's per-channel
    weight is repeated over the s*s sub-pixels so the result is exactly the HR computation.
    """

    def __init__(self, c_in, c_out, scale, kernel):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out * scale * scale, kernel, padding=kernel // 2)
        self.act = nn.PReLU(c_out)
        self.sub = scale * scale

    def forward(self, x):
        return F.prelu(self.conv(x), self.act.weight.repeat_interleave(self.sub))


class _Down(nn.Module):
    """
    HR features (c) -> LR features (C): a stride-s convolution over each LR pixel's footprint.

    Applied to the space-to-depth layout it is a 1x1 convolution with the same weights
    reshaped (pixel_unshuffle's channel order is c_idx*s*s + dy*s + dx, the weight's order).
    """

    def __init__(self, c_in, c_out, scale):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, scale, stride=scale)
        self.act = nn.PReLU(c_out)

    def forward(self, x):
        w = self.conv.weight
        y = F.conv2d(x, w.reshape(w.shape[0], -1, 1, 1), self.conv.bias)
        return self.act(y)


class BackProjectionBlock(nn.Module):
    """
    Up-projection then down-projection, each with DBPN error feedback.

    up:   H0 = up(L);  e = down(H0) - L;  H = H0 + up_e(e)
    down: L0 = down(H); e = up(L0) - H;   L' = L0 + down_e(e)
    Returns (L', H): LR features for the next block and HR features (space-to-depth layout)
    for reconstruction.
    """

    def __init__(self, cfg):
        super().__init__()
        C, c, s = cfg.channels, cfg.hr_channels, cfg.scale
        self.refine = nn.Sequential(*[
            m for _ in range(cfg.refine_convs)
            for m in (nn.Conv2d(C, C, 3, padding=1), nn.PReLU(C))])
        self.up = _Up(C, c, s, cfg.up_kernel)
        self.up_down = _Down(c, C, s)
        self.up_err = _Up(C, c, s, 1)
        self.down = _Down(c, C, s)
        self.down_up = _Up(C, c, s, 1)
        self.down_err = _Down(c, C, s)

    def forward(self, lr_feat, need_lr_out: bool = True):
        lr_feat = self.refine(lr_feat) + lr_feat if len(self.refine) else lr_feat
        h0 = self.up(lr_feat)
        hr = h0 + self.up_err(self.up_down(h0) - lr_feat)
        if not need_lr_out:  # the last block's down-projection only feeds training heads
            return lr_feat, hr
        l0 = self.down(hr)
        lr_out = l0 + self.down_err(self.down_up(l0) - hr)
        return lr_out, hr


class DSRNet(nn.Module):
    """Depth super-resolution network. Input: normalised LR depth (holes filled) + LR validity."""

    def __init__(self, cfg: DSRNetConfig):
        super().__init__()
        self.cfg = cfg
        C = cfg.channels
        self.head = nn.Sequential(nn.Conv2d(2, C, 3, padding=1), nn.PReLU(C))
        self.blocks = nn.ModuleList(BackProjectionBlock(cfg) for _ in range(cfg.num_blocks))
        # Reconstruction conv block: 1x1 mix of all blocks' HR features (run at LR in
        # space-to-depth layout, as _Up does), pixel-shuffle, then one 3x3 HR convolution.
        self.tail_mix = nn.Conv2d(cfg.hr_channels * cfg.num_blocks, cfg.tail_channels, 1)
        self.tail_act = nn.PReLU(cfg.tail_channels)
        self.tail = nn.Conv2d(cfg.tail_channels, 1, 3, padding=1)
        nn.init.zeros_(self.tail.weight)  # start as exact bicubic upsampling
        nn.init.zeros_(self.tail.bias)

    @property
    def scale(self):
        return self.cfg.scale

    @property
    def num_features(self):
        """Length of the feature list of forward_with_features (one per block)."""
        return self.cfg.num_blocks

    @property
    def feature_channels(self):
        """Channels of every exposed feature map (all at the LR size)."""
        return self.cfg.channels

    def _run(self, lr, lr_valid, with_features: bool):
        # Body in the weights' precision, bicubic base and sum in the input's (see lrres.py).
        x = self.head(torch.cat([lr, lr_valid], dim=1).to(self.head[0].weight.dtype))
        feats, hr_feats = [], []
        last = len(self.blocks) - 1
        for i, block in enumerate(self.blocks):
            x, hr = block(x, with_features or i < last)
            feats.append(x)
            hr_feats.append(hr)
        base = F.interpolate(lr, scale_factor=self.cfg.scale, mode='bicubic', align_corners=False)
        sr = base + self.tail(
            F.pixel_shuffle(self._mix(torch.cat(hr_feats, dim=1)), self.cfg.scale)
        ).to(base.dtype)
        return sr, feats

    def _mix(self, hr_feats):
        """1x1 HR convolution N*c -> tail_channels applied in space-to-depth layout."""
        b, _, h, w = hr_feats.shape
        sub = self.cfg.scale ** 2
        weight = self.tail_mix.weight.view(self.cfg.tail_channels, -1)  # (t, N*c)
        x = hr_feats.view(b, -1, sub, h, w)  # (B, N*c, s*s, h, w)
        y = torch.einsum('tc,bcshw->btshw', weight, x)
        y = y + self.tail_mix.bias.view(1, -1, 1, 1, 1)
        y = F.prelu(y.reshape(b, -1, h, w), self.tail_act.weight.repeat_interleave(sub))
        return y

    def forward(self, lr, lr_valid):
        """(B,1,h,w) normalised depth + validity -> (B,1,h*s,w*s). Exactly what deployment runs."""
        return self._run(lr, lr_valid, False)[0]

    def forward_with_features(self, lr, lr_valid):
        """Return the same output plus the LR-space features F_sr^1..F_sr^N (training heads)."""
        return self._run(lr, lr_valid, True)
