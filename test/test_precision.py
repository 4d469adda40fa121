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
Reduced precision on the CPU (cpu_precision).

When 'auto' picks bf16, and that bf16 rounds only the predicted residual, never depth itself, at
a cost the matrix calls negligible.
"""
from depth_sr_ros.data.degradation import degrade, EVALUATION
from depth_sr_ros.data.synthetic import render_frame
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.precision import cpu_flags, resolve_cpu_precision
from depth_sr_ros.nets.registry import build_dsrnet, preset_config
from depth_sr_ros.training.evaluate import frame_errors
import numpy as np
import pytest
import torch

CPUINFO = 'processor\t: 0\nflags\t\t: fpu sse2 avx2 {extra}\nbogomips\t: 5000\n'


def test_auto_picks_bf16_only_when_the_cpu_reports_bf16_instructions(tmp_path):
    for extra, want in (
        ('avx512f avx512_bf16', 'bf16'),
        ('amx_tile amx_bf16', 'bf16'),
        ('avx512f', 'fp32'),
    ):
        info = tmp_path / f'cpuinfo_{want}_{len(extra)}'
        info.write_text(CPUINFO.format(extra=extra))
        assert resolve_cpu_precision('auto', cpuinfo=info) == want, extra
        assert resolve_cpu_precision('fp32', cpuinfo=info) == 'fp32'
        assert resolve_cpu_precision('bf16', cpuinfo=info) == 'bf16'
    missing = tmp_path / 'no_such_file'  # not Linux: no flags, so fp32
    assert (
        cpu_flags(missing) == frozenset()
        and resolve_cpu_precision('auto', cpuinfo=missing) == 'fp32'
    )
    with pytest.raises(ValueError, match='cpu_precision'):
        resolve_cpu_precision('fp16')


def test_cpu_precision_is_ignored_on_cuda_and_checked_everywhere():
    net = build_dsrnet(preset_config('lrres_mid', 4)).eval()
    r = DepthSuperResolver(
        net, {}, torch.device('cuda'), cpu_precision='bf16'
    )  # nothing runs on it
    assert r.precision == 'fp32' and net.head.weight.dtype == torch.float32
    with pytest.raises(ValueError, match='cpu_precision'):
        DepthSuperResolver(net, {}, torch.device('cpu'), cpu_precision='half')


def test_bf16_rounds_the_residual_not_the_depth():
    """
    On a 1-5 m ramp the bf16 body moves the bundled x4's output by about 1.4 mm on average.

    Depth itself in bf16 (8-bit mantissa) would add about 4 mm more.
    """
    ramp = np.tile(np.linspace(1000, 5000, 160, dtype=np.float32), (120, 1)).astype(np.uint16)
    fp32 = DepthSuperResolver.load('x4', device='cpu')
    bf16 = DepthSuperResolver.load('x4', device='cpu', cpu_precision='bf16')
    assert (fp32.precision, bf16.precision) == ('fp32', 'bf16')
    raw = bf16.upsample(ramp)
    assert raw.dtype == np.uint16 and raw.shape == (480, 640)
    a, b = fp32.upsample(ramp).astype(np.float64), raw.astype(np.float64)
    assert np.all(b > 0)
    assert np.abs(a - b).mean() < 2.5


def test_bf16_error_on_unseen_scenes_is_within_two_percent_of_fp32():
    fp32 = DepthSuperResolver.load('x4', device='cpu')
    bf16 = DepthSuperResolver.load('x4', device='cpu', cpu_precision='bf16')
    for seed, t in ((11, 0.7), (3, 0.2)):
        frame = render_frame(width=640, height=480, seed=seed, t=t)
        hr, hv = frame.depth.astype(np.float32), frame.valid
        lr, lv = degrade(hr, hv, 4, EVALUATION['cubic'], np.random.default_rng(0))
        lr = np.where(lv, lr, 0).astype(np.float32)
        a, b = fp32.upsample(lr), bf16.upsample(lr)
        mask = np.isfinite(a) & np.isfinite(b)
        ra, rb = frame_errors(a, hr, hv, mask)[0], frame_errors(b, hr, hv, mask)[0]
        assert rb < 1.02 * ra, (seed, ra, rb)
