"""Count multiply-accumulates of convolutions and linear layers with forward hooks."""
import torch
import torch.nn as nn


def count_macs(model, *inputs):
    """MACs of one forward pass (conv + linear; activations and resampling are not counted)."""
    total = 0

    def conv_hook(module, _inp, out):
        nonlocal total
        kh, kw = module.kernel_size
        total += out.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module, _inp, out):
        nonlocal total
        total += out.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
    return total


def count_params(model):
    return sum(p.numel() for p in model.parameters())
