"""torch.distributed set-up: torchrun's env -> process group (NCCL on GPUs, gloo on CPU).

Tear-down matters as much as set-up. gloo runs each collective on its own C++ worker threads; a
finished all_reduce's work object (which holds the tensor, and so its Python object) is released
by the worker thread a moment after the caller has been woken up. If the process then exits while
the process group is still alive, that release can land in interpreter finalization: the worker
thread needs the GIL, Python 3.11 ends such a thread (pthread_exit), the forced unwind meets a
noexcept C++ frame and std::terminate aborts the process ("terminate called without an active
exception", SIGABRT). destroy_process_group() only prevents it when it really destroys the group
(which joins those threads), i.e. when nothing else still holds it - but the DistributedDataParallel
wrapper does, from reference cycles that only the garbage collector frees. So fit() drops its DDP
wrapper and collects before returning, and a group created here is destroyed at exit
while the interpreter is still whole (shutdown, registered with atexit).
"""
import atexit
import gc
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
        atexit.register(shutdown)
    return dist.get_rank(), dist.get_world_size()


def shutdown():
    """Destroy the default process group (joining gloo's worker threads) if it still exists; a no-op
    otherwise. Registered with atexit by init_from_env, so it runs before interpreter finalization."""
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.destroy_process_group()


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
