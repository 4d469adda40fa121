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
Count multiply-accumulates of a forward pass (convolutions, matmuls, einsums).

Uses torch's aten-level FlopCounterMode, so functional convolutions and einsums inside the
space-to-depth code paths are counted too (module hooks would miss them).
"""
import torch
from torch.utils.flop_counter import FlopCounterMode


def count_macs(model, *inputs):
    """Count the MACs (= FLOPs / 2 of the counted ops) of one forward pass without gradients."""
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(*inputs)
    return counter.get_total_flops() // 2


def count_params(model):
    return sum(p.numel() for p in model.parameters())
