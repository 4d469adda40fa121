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
Which precision the network body runs in on a CPU.

bfloat16 about halves the default x4's time on CPUs with bf16 instructions (AVX512-BF16 or AMX:
96 -> 54 ms per 160x120 frame on 1 thread here) for a held-out error about 0.1 point worse on
average (docs/research/training_length_and_precision.md); where oneDNN has to emulate bf16 it is
slower than float32, so 'auto' picks it only when the CPU reports the instructions.
"""
from pathlib import Path

CPU_PRECISIONS = ('auto', 'fp32', 'bf16')
NATIVE_BF16_FLAGS = frozenset({'avx512_bf16', 'amx_bf16'})


def cpu_flags(cpuinfo='/proc/cpuinfo'):
    """Return the first processor's feature flags (Linux); empty where /proc/cpuinfo is absent."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith('flags'):
            return frozenset(line.split(':', 1)[1].split())
    return frozenset()


def resolve_cpu_precision(choice, cpuinfo='/proc/cpuinfo'):
    """
    Map 'auto' | 'fp32' | 'bf16' to 'fp32' or 'bf16'.

    'auto' means bf16 only with native instructions.
    """
    if choice not in CPU_PRECISIONS:
        raise ValueError(
            f"cpu_precision must be one of {', '.join(CPU_PRECISIONS)}, got {choice!r}"
        )
    if choice == 'auto':
        return 'bf16' if cpu_flags(cpuinfo) & NATIVE_BF16_FLAGS else 'fp32'
    return choice
