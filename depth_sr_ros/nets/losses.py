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
Masked losses. Invalid ground-truth pixels never contribute.

Every loss is a per-sample masked mean, then a mean over samples: so the loss of a batch split
across DDP ranks averages to exactly the single-process loss.
"""
import torch
import torch.nn.functional as F


def masked_mean(x, weight):
    """Per-sample weighted mean over C,H,W, then mean over the batch (0 where weight is 0)."""
    num = (x * weight).flatten(1).sum(1)
    den = weight.flatten(1).sum(1)
    return (num / den.clamp_min(1e-6)).mean()


def masked_l1(pred, target, valid):
    return masked_mean((pred - target).abs(), valid)


def structure_target(hr, valid, threshold=0.08):
    """
    Edge map of the normalised HR depth.

    Gradient magnitude (central differences) > threshold.
    """
    gx = F.pad(hr[..., :, 2:] - hr[..., :, :-2], (1, 1, 0, 0)) / 2
    gy = F.pad(hr[..., 2:, :] - hr[..., :-2, :], (0, 0, 1, 1)) / 2
    vx = F.pad(valid[..., :, 2:] * valid[..., :, :-2], (1, 1, 0, 0))
    vy = F.pad(valid[..., 2:, :] * valid[..., :-2, :], (0, 0, 1, 1))
    mag = torch.sqrt((gx * vx) ** 2 + (gy * vy) ** 2)
    return (mag > threshold).float(), valid * vx * vy


def structure_loss(logits, edges, valid):
    """Class-balanced BCE (edges are rare), masked."""
    pos = (edges * valid).flatten(1).sum(1).view(-1, 1, 1, 1)
    tot = valid.flatten(1).sum(1).view(-1, 1, 1, 1).clamp_min(1)
    w_pos = (tot - pos) / tot
    weight = valid * torch.where(edges > 0, w_pos, 1 - w_pos)
    bce = F.binary_cross_entropy_with_logits(logits, edges, reduction='none')
    return masked_mean(bce, weight)


def affinity_loss(student, teacher, row_weight):
    """
    L1 between affinity matrices (B,n,n).

    Rows weighted by (B,n) student-where-taught weights.
    """
    diff = (student - teacher.detach()).abs().mean(2)   # (B, n)
    return masked_mean(diff[:, None], row_weight[:, None])
