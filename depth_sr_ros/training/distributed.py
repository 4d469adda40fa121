"""torch.distributed set-up: torchrun's env -> process group (NCCL on GPUs, gloo on CPU)."""
import os

import torch
import torch.distributed as dist


def init_from_env():
    """(rank, world_size); initialises the default group when launched by torchrun."""
    world = int(os.environ.get('WORLD_SIZE', '1'))
    if world <= 1:
        return 0, 1
    if not dist.is_initialized():
        backend = 'nccl' if torch.cuda.is_available() else 'gloo'
        dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size()


def all_mean(values, world_size):
    """Average a list of floats over ranks (identity in one process)."""
    if world_size <= 1:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t)
    return (t / world_size).tolist()


def local_device(device, rank):
    """On CUDA with several ranks each process takes its own GPU."""
    if device.type == 'cuda' and dist.is_initialized():
        return torch.device('cuda', int(os.environ.get('LOCAL_RANK', rank)))
    return device
