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
torch.distributed set-up: torchrun's env -> process group (NCCL on GPUs, gloo on CPU).

Tear-down matters as much as set-up. gloo runs each collective on its own C++ worker threads. A
finished all_reduce wakes the caller first; the worker drops its reference to the work object
(and so to the tensor) a moment later. When the caller's tensor was a Python temporary (all_mean
below), that last reference owns the tensor's Python object, so the worker needs the GIL to free
it. If the process is already in interpreter finalization by then - a rank with nothing left to
do after its last collective, e.g. rank 1 right after the final validation - Python 3.11 ends the
thread that asks for the GIL (pthread_exit), the forced unwind meets a noexcept C++ frame and
std::terminate aborts the process: "terminate called without an active exception", SIGABRT, after
all the work was done. It needs the worker to be descheduled in that window, so it shows up under
CPU load (reproduced here in a 30-line script: 1 in 30 under load, same message).

destroy_process_group() does not prevent it: the group's worker threads outlive it here (measured:
the thread count stays the same after destroy + gc.collect in a fit() rank). So a process that
created the group here waits at exit, while the interpreter is still whole (atexit runs before
finalization), until no thread but its own is runnable - with the GIL released, so a worker
waiting for it finishes its release - bounded to a few seconds (shutdown()).
"""
import atexit
import gc
import os
import threading
import time

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


def shutdown(timeout=5.0):
    """
    Destroy the default process group if it still exists, then wait for other threads.

    Wait (GIL released) until every other thread of the process is blocked, so no gloo worker
    is left half-way through freeing a Python-owned tensor when finalization starts. Registered
    with atexit by init_from_env.
    """
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.destroy_process_group()
    wait_until_other_threads_idle(timeout)


def _runnable_threads():
    """Native ids of this process's threads (but the caller) that are running or runnable."""
    me = threading.get_native_id()
    busy = []
    for tid in os.listdir('/proc/self/task'):
        if int(tid) == me:
            continue
        try:
            with open(f'/proc/self/task/{tid}/stat') as handle:
                state = handle.read().rsplit(')', 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # the thread ended meanwhile
        if state == 'R':
            busy.append(int(tid))
    return busy


def wait_until_other_threads_idle(timeout=5.0, settle=0.02):
    """
    Sleep (releasing the GIL) until no other thread is runnable twice in a row.

    Return True when idle, False after ``timeout``. Without /proc (not Linux) it only sleeps
    ``settle``.
    """
    if not os.path.isdir('/proc/self/task'):
        time.sleep(settle)
        return True
    end = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < end:
        time.sleep(settle)   # a worker waiting for the GIL gets it now and finishes
        quiet = quiet + 1 if not _runnable_threads() else 0
        if quiet >= 2:
            return True
    return False


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
