"""The training loop: Algorithm 1 (warm-up, role exchange), checkpoints, DDP, reports."""
