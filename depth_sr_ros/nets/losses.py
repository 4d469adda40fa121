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


def flying_loss(pred, target, valid, radius, edge_jump=0.05, surface_tol=0.1, margin=0.1):
    """
    Hinge on output pixels near depth steps that leave their true surface (flying pixels).

    The training-time form of training.evaluate.flying_pixel_counts: per pixel, lo / hi = min /
    max valid target in the (2r+1)^2 window; a step if hi - lo > edge_jump x the sample's valid
    range; a candidate if the target lies on one of the surfaces. The loss is
    relu(|pred - target| - margin x step) / step, so an output within ``margin`` of the step
    from its surface costs nothing and one floating mid-step costs about 0.4 whatever the step's
    height (plain L1 weighs a mid-step pixel by the step's height, and most pixels by nothing).
    """
    v = valid > 0
    far = torch.finfo(target.dtype).max
    hi = F.max_pool2d(torch.where(v, target, -far), 2 * radius + 1, stride=1, padding=radius)
    lo = -F.max_pool2d(torch.where(v, -target, -far), 2 * radius + 1, stride=1, padding=radius)
    jump = torch.where(v, hi - lo, torch.zeros_like(target))
    span = (torch.where(v, target, -far).flatten(1).amax(1)
            - torch.where(v, target, far).flatten(1).amin(1)).clamp_min(0)
    step = v & (jump > edge_jump * span.view(-1, 1, 1, 1))
    on_surface = torch.minimum((target - lo).abs(), (target - hi).abs()) <= surface_tol * jump
    candidates = (step & on_surface).float()
    err = F.relu((pred - target).abs() - margin * jump) / jump.clamp_min(1e-6)
    return masked_mean(torch.where(candidates > 0, err, torch.zeros_like(err)), candidates)


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
