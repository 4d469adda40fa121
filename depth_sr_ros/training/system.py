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
CTKTSystem: DSRNet + (training-only) DENet, side heads, affinity and SPNet, and their losses.

One nn.Module so DDP can wrap it; ``forward(batch, phase, dsr_student_global)`` returns a dict
of loss terms whose 'total' is what the optimiser minimises. Teacher outputs are detached.
"""
from depth_sr_ros.nets import losses as L
from depth_sr_ros.nets.denet import DENet, DENetConfig
from depth_sr_ros.nets.heads import affinity, side_block_indices, SideOutput
from depth_sr_ros.nets.registry import build_dsrnet
from depth_sr_ros.nets.spnet import SPNet
from depth_sr_ros.training.roles import pooled_rows, student_maps
import torch
import torch.nn as nn

PHASES = ('dsr_only', 'warmup', 'transfer')


class _ScaleGrad(torch.autograd.Function):
    """Identity forward; multiplies the gradient by ``factor`` (p1 for L_struc into the nets)."""

    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def scale_grad(x, factor):
    return _ScaleGrad.apply(x, factor)


class CTKTSystem(nn.Module):
    """DSRNet, plus DENet, side heads and SPNet for the cross-task scheme; forward gives losses."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.dsr = build_dsrnet(cfg.dsrnet_config())
        if cfg.scheme == 'dsr_only':
            return
        # Any DSRNet family: its exposed feature list (length and width) sizes DENet and the heads.
        n, c_sr = self.dsr.num_features, self.dsr.feature_channels
        self.de = DENet(
            DENetConfig(channels=cfg.denet_channels, num_blocks=n, stride=cfg.denet_stride)
        )
        self.side_idx = side_block_indices(n)
        self.side_sr = nn.ModuleList(SideOutput(c_sr) for _ in self.side_idx)
        self.side_de = nn.ModuleList(SideOutput(cfg.denet_channels) for _ in self.side_idx)
        if cfg.use_sp:
            self.sp = SPNet(c_sr, cfg.denet_channels, cfg.sp_channels, cfg.sp_tau)

    def forward(self, batch, phase, dsr_student_global=False):
        hr, valid = batch['hr'], batch['hr_valid']
        if phase == 'dsr_only':
            sr = self.dsr(batch['lr'], batch['lr_valid'])
            loss = L.masked_l1(sr, hr, valid)
            out = {'total': loss, 'l_dsr': loss.detach()}
            if self.cfg.flying_weight:
                l_fly = L.flying_loss(sr, hr, valid, self.cfg.scale)
                out.update(total=loss + self.cfg.flying_weight * l_fly, l_fly=l_fly.detach())
            return out
        sr, f_sr = self.dsr.forward_with_features(batch['lr'], batch['lr_valid'])
        de, f_de = self.de(batch['rgb'])
        err_sr, err_de = (sr - hr).abs(), (de - hr).abs()
        l_dsr, l_de = L.masked_mean(err_sr, valid), L.masked_mean(err_de, valid)
        out = {'l_dsr': l_dsr.detach(), 'l_de': l_de.detach()}
        size = hr.shape[-2:]
        # Side heads learn to read (detached) features against D_hr in every phase, so the
        # teacher's side outputs mean something when distillation starts.
        heads = sum(
            L.masked_l1(h(f_sr[i].detach(), size), hr, valid)
            for h, i in zip(self.side_sr, self.side_idx)
        )
        heads = heads + sum(L.masked_l1(h(f_de[i].detach(), size), hr, valid)
                            for h, i in zip(self.side_de, self.side_idx))
        out['l_heads'] = heads.detach()
        if phase == 'warmup':
            out['total'] = l_dsr + l_de + heads
            return out
        cfg = self.cfg
        dsr_st, de_st = student_maps(cfg.granularity, err_sr, err_de, valid, dsr_student_global)
        frozen = cfg.granularity == 'global' and cfg.teacher_update == 'frozen'
        dsr_taught, de_taught = bool(dsr_st.any()), bool(de_st.any())
        if frozen:
            # The literal teacher is not updated at all: no term may reach its parameters (a
            # zero-valued gradient would still move them through Adam's momentum).
            f_sr = f_sr if dsr_taught else [f.detach() for f in f_sr]
            f_de = f_de if de_taught else [f.detach() for f in f_de]
        total = heads
        if dsr_taught or not frozen:
            total = total + l_dsr
        if de_taught or not frozen:
            total = total + l_de
        l_p, l_a = self._distill(f_sr, f_de, dsr_st, de_st, size, hr, valid)
        total = total + cfg.p2 * (cfg.w_p * l_p + cfg.w_a * l_a)
        out.update(l_p=l_p.detach(), l_a=l_a.detach(),
                   dsr_student_frac=(dsr_st.sum() / valid.sum().clamp_min(1)).detach())
        if cfg.use_sp:
            # Only a student's features receive L_struc (scaled by p1); SPNet learns at full rate.
            fs = scale_grad(f_sr[-1], cfg.p1) if dsr_taught else f_sr[-1].detach()
            fd = scale_grad(f_de[-1], cfg.p1) if de_taught else f_de[-1].detach()
            logits = self.sp(fs, fd, err_sr, err_de, size)
            edges, evalid = L.structure_target(hr, valid, cfg.edge_threshold)
            l_struc = L.structure_loss(logits, edges, evalid)
            total = total + l_struc
            out['l_struc'] = l_struc.detach()
        out['total'] = total
        return out

    def _distill(self, f_sr, f_de, dsr_st, de_st, size, hr=None, valid=None):
        """
        Return the distillation losses L_P (side outputs) and L_A (affinities).

        Each network is pulled toward the detached other where it is the student. With
        ``role_source='side'`` (per-pixel only) the L_P roles of each level come from that
        level's side-output errors: a side output is only pulled toward the other network's
        where the other's *side output* is closer to D_hr.
        """
        g = self.cfg.affinity_grid
        rows_sr, rows_de = pooled_rows(dsr_st, g), pooled_rows(de_st, g)
        side_roles = (
            self.cfg.role_source == 'side'
            and self.cfg.granularity == 'per_pixel'
            and hr is not None
        )
        l_p = l_a = 0.0
        for k, i in enumerate(self.side_idx):
            s_sr = self.side_sr[k](f_sr[i], size)
            s_de = self.side_de[k](f_de[i], size)
            p_sr, p_de = dsr_st, de_st
            if side_roles:
                p_sr, p_de = student_maps('per_pixel', (s_sr - hr).abs(), (s_de - hr).abs(), valid)
            l_p = (
                l_p
                + L.masked_l1(s_sr, s_de.detach(), p_sr)
                + L.masked_l1(s_de, s_sr.detach(), p_de)
            )
            a_sr, a_de = affinity(f_sr[i], g), affinity(f_de[i], g)
            l_a = l_a + L.affinity_loss(a_sr, a_de, rows_sr) + L.affinity_loss(a_de, a_sr, rows_de)
        n = len(self.side_idx)
        return l_p / n, l_a / n
