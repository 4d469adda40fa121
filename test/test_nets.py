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

"""Shapes of every network and head at every scale; masked losses; structure targets."""
from depth_sr_ros.nets import losses as L
from depth_sr_ros.nets.denet import DENet, DENetConfig
from depth_sr_ros.nets.dsrnet import DSRNet
from depth_sr_ros.nets.heads import affinity, side_block_indices, SideOutput
from depth_sr_ros.nets.registry import preset
from depth_sr_ros.nets.spnet import SPNet
import pytest
import torch


@pytest.mark.parametrize('scale', [2, 4, 8, 16])
def test_dsrnet_features_and_output_shapes(scale):
    net = DSRNet(preset('fast', scale))
    lr = torch.rand(2, 1, 6, 5)
    sr, feats = net.forward_with_features(lr, torch.ones_like(lr))
    assert sr.shape == (2, 1, 6 * scale, 5 * scale)
    assert len(feats) == net.cfg.num_blocks
    assert all(f.shape == (2, net.cfg.channels, 6, 5) for f in feats)
    assert torch.equal(sr, net(lr, torch.ones_like(lr)))  # features do not change inference


@pytest.mark.parametrize('stride', [2, 4])
def test_denet_side_outputs_affinity_and_spnet_shapes(stride):
    de = DENet(DENetConfig(channels=8, num_blocks=3, stride=stride))
    rgb = torch.rand(2, 3, 32, 48)
    depth, feats = de(rgb)
    assert depth.shape == (2, 1, 32, 48)
    assert [f.shape for f in feats] == [(2, 8, 32 // stride, 48 // stride)] * 3
    side = SideOutput(8)(feats[0], (32, 48))
    assert side.shape == (2, 1, 32, 48)
    a = affinity(feats[-1], 4)
    assert a.shape == (2, 16, 16)
    assert torch.allclose(
        torch.diagonal(a, dim1=1, dim2=2), torch.ones(2, 16), atol=1e-5
    )  # cosine self-sim
    sp = SPNet(sr_channels=6, de_channels=8, channels=4)
    logits = sp(
        torch.rand(2, 6, 8, 12),
        feats[-1],
        torch.rand(2, 1, 32, 48),
        torch.rand(2, 1, 32, 48),
        (32, 48),
    )
    assert logits.shape == (2, 1, 32, 48)
    assert (
        side_block_indices(1) == [0]
        and side_block_indices(3) == [0, 1, 2]
        and side_block_indices(5) == [0, 1, 4]
    )


def test_spnet_fusion_prefers_the_more_accurate_network():
    sp = SPNet(4, 4, tau=0.02)
    err_sr = torch.zeros(1, 1, 8, 8)
    err_de = torch.ones(1, 1, 8, 8)
    err_de[..., :4] = 0.0
    err_sr[..., :4] = 1.0
    w_sr, w_de = sp.fusion_weights(err_sr, err_de, (8, 8))
    assert torch.allclose(w_sr + w_de, torch.ones_like(w_sr))
    assert (w_sr[..., 4:] > 0.99).all() and (w_de[..., :4] > 0.99).all()


def test_masked_l1_ignores_invalid_pixels_entirely():
    pred = torch.rand(2, 1, 8, 8, requires_grad=True)
    target = torch.rand(2, 1, 8, 8)
    valid = (torch.rand(2, 1, 8, 8) > 0.4).float()
    loss = L.masked_l1(pred, target, valid)
    loss.backward()
    assert (pred.grad[valid == 0] == 0).all()
    assert (pred.grad[valid == 1] != 0).all()
    garbage = torch.where(valid > 0, target, torch.full_like(target, 1e6))
    assert torch.allclose(L.masked_l1(pred, garbage, valid), loss)
    expected = torch.stack(
        [((pred[i] - target[i]).abs() * valid[i]).sum() / valid[i].sum() for i in range(2)]
    ).mean()
    assert torch.allclose(loss, expected)


def test_structure_target_marks_depth_edges_only_between_valid_pixels():
    hr = torch.zeros(1, 1, 8, 8)
    hr[..., 4:] = 1.0
    valid = torch.ones_like(hr)
    edges, evalid = L.structure_target(hr, valid, threshold=0.1)
    assert (
        edges[0, 0, :, 3:5].all()
        and edges[0, 0, :, :3].sum() == 0
        and edges[0, 0, :, 6:].sum() == 0
    )
    valid[..., 3:5] = 0
    edges, evalid = L.structure_target(hr, valid, threshold=0.1)
    assert (evalid[0, 0, :, 2:6] == 0).all()   # no claim about pixels next to missing depth
    logits = torch.zeros_like(hr, requires_grad=True)
    L.structure_loss(logits, edges, evalid).backward()
    assert (logits.grad[evalid == 0] == 0).all()


def test_flying_loss_charges_outputs_floating_off_their_surface_at_steps_only():
    # a vertical step 0.2 -> 1.0 at column 16 of a 32x32 frame; radius 4 (x4)
    target = torch.full((1, 1, 32, 32), 0.2)
    target[..., 16:] = 1.0
    valid = torch.ones_like(target)
    assert L.flying_loss(target.clone(), target, valid, 4).item() == 0.0
    # every step pixel 10% of the step off its surface: inside the margin, free
    near = target + 0.08 * torch.sign(0.6 - target)
    assert L.flying_loss(near, target, valid, 4).item() == pytest.approx(0.0, abs=1e-6)
    # the columns either side of the step float mid-step: (0.5 - 0.1) of the step each
    floating = target.clone()
    floating[..., 15:17] = 0.6
    loss = L.flying_loss(floating, target, valid, 4).item()
    candidates = 8 * 32                   # columns 12..19 lie within 4 pixels of the step
    assert loss == pytest.approx(2 * 32 * 0.4 / candidates, rel=1e-4)
    # flat regions are no candidates, whatever the output does there
    off_step = target.clone()
    off_step[..., :8] = 0.9
    assert L.flying_loss(off_step, target, valid, 4).item() == 0.0
    # invalid target pixels neither form steps nor count
    hole = valid.clone()
    hole[..., 16:] = 0
    assert L.flying_loss(floating, target, hole, 4).item() == 0.0
    floating.requires_grad_(True)
    L.flying_loss(floating, target, valid, 4).backward()
    assert floating.grad[..., 15:17].abs().sum() > 0 and floating.grad[..., :12].abs().sum() == 0
