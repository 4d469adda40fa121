"""Count multiply-accumulates of a forward pass (convolutions, matmuls, einsums).

Uses torch's aten-level FlopCounterMode, so functional convolutions and einsums inside the
space-to-depth code paths are counted too (module hooks would miss them).
"""
import torch
from torch.utils.flop_counter import FlopCounterMode


def count_macs(model, *inputs):
    """MACs (= FLOPs / 2 of the counted ops) of one forward pass without gradients."""
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(*inputs)
    return counter.get_total_flops() // 2


def count_params(model):
    return sum(p.numel() for p in model.parameters())
