"""Atomic checkpoints (temp file + rename) loaded with weights_only=True (no code execution)."""
import os
import tempfile
from pathlib import Path

import torch

CHECKPOINT_NAME = 'checkpoint.pt'


def save_checkpoint(path, state):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', dir=path.parent)
    os.close(fd)
    try:
        torch.save(state, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(path):
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as exc:  # torch raises several types for truncated/corrupt files
        raise ValueError(f'{path}: unreadable checkpoint ({type(exc).__name__}: {exc})') from None
