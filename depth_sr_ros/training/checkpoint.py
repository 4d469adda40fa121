"""Atomic checkpoints (temp file + rename) loaded with weights_only=True (no code execution)."""
import torch

from depth_sr_ros.atomic import atomic_path

CHECKPOINT_NAME = 'checkpoint.pt'


def save_checkpoint(path, state):
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path):
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as exc:  # torch raises several types for truncated/corrupt files
        raise ValueError(f'{path}: unreadable checkpoint ({type(exc).__name__}: {exc})') from None
