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
Model-only speed: DepthSuperResolver per frame vs OpenCV bicubic, measured in one run.

Results: benchmarks/results/model_speed*.json, preset_speed.json (models/README.md, "Speed").

For each model, input size (160x120, 320x240) and torch thread count (1, 2): median and p90 ms
per frame for the bare network (eager and TorchScript-frozen), the full
DepthSuperResolver.upsample (normalise, fill, network, map back; TorchScript on, the default)
and cv2.resize INTER_CUBIC of the same frame. With --exports, the same run also times
``onnxruntime``: the network and the full upsample through the onnxruntime backend (ONNX
Runtime CPU provider, as many threads; requirements/onnx.txt; the model's .onnx file, else
exported at load), ``bf16``: the network and upsample with cpu_precision bf16, and ``compile``:
torch.compile (inductor, needs a C++ compiler), to decide which runtime the node should use.
Prints a table and writes benchmarks/results/model_speed.json. ``--presets`` times
architectures without trained weights (random init costs the same as trained weights), any
family, at each ``--scale``.

    .venv/bin/python benchmarks/model_speed.py [--models x4 x2 x8 x16] [--repeats 30] \
        [--exports onnxruntime bf16 compile]
    ... --models x4_cubic x4_cubic+se8 x4+bf16
        ('+seN': the N-view self-ensemble; '+bf16': bfloat16 body)
    .venv/bin/python benchmarks/model_speed.py --presets fast lrres_fast deep_bp --scale 4 8 \
        [--sizes 160x120 320x240] [--threads 1 2] --out benchmarks/results/preset_speed.json
"""
import argparse
import json
import os
from pathlib import Path
import platform
import statistics
import sys
import time

# The node's OpenMP wait policy (spinning threads collapse on a loaded CPU); before torch loads.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import cv2  # noqa: E402
from depth_sr_ros.atomic import write_text_atomic  # noqa: E402
from depth_sr_ros.inference import DepthSuperResolver  # noqa: E402
from depth_sr_ros.inference.bundled import bundled_names  # noqa: E402
from depth_sr_ros.inference.resolver import _trace  # noqa: E402
from depth_sr_ros.nets.macs import count_macs, count_params  # noqa: E402
from depth_sr_ros.nets.registry import build_dsrnet, preset, PRESETS  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results'
SIZES = [(160, 120), (320, 240)]


def _time(fn, repeats):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {'median_ms': statistics.median(times), 'p90_ms': times[int(0.9 * (len(times) - 1))]}


def _frame(w, h, seed=0):
    """Return a smooth scene with a step edge and a few holes, uint16 millimetres."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    depth = 1500 + 3 * x + 2 * y + np.where(x > w // 2, -400, 0) + rng.normal(0, 3, (h, w))
    depth = depth.astype(np.uint16)
    depth[h // 4:h // 4 + 5, w // 4:w // 4 + 7] = 0
    return depth


def _variant(name, threads, backend='torch', cpu_precision='fp32', onnx_cache=None):
    """
    Return the model under another runtime.

    The onnxruntime backend (``threads`` ORT threads) or a torch precision; a preset's ONNX bytes
    are exported once and cached across thread counts.
    """
    if isinstance(name, tuple):
        base = _resolver(name)
        if backend == 'torch':
            return DepthSuperResolver(base.net, base.metadata, torch.device('cpu'),
                                      cpu_precision=cpu_precision)
        from depth_sr_ros.inference.onnx_backend import OnnxRunner
        from depth_sr_ros.inference.onnx_export import to_onnx_bytes
        key = _label(name)
        if key not in onnx_cache:
            onnx_cache[key] = to_onnx_bytes(base.net)
        return DepthSuperResolver(base.net, base.metadata, torch.device('cpu'),
                                  runner=OnnxRunner(onnx_cache[key], 'cpu', threads))
    from quality import parse_model
    _, path, options = parse_model(name)
    options.update(cpu_precision=cpu_precision, backend=backend)
    return DepthSuperResolver.load(path, device='cpu', **options)


def _compiled_runner(net, x, v):
    """torch.compile (inductor) of the eager net; None when it cannot build here."""
    try:
        compiled = torch.compile(net)
        with torch.inference_mode():
            compiled(x, v)
        return lambda: compiled(x, v)
    except Exception as exc:  # noqa: BLE001 - a missing compiler is a result, not a crash
        print(f'torch.compile unavailable: {type(exc).__name__}: {str(exc)[:120]}')
        return None


def _resolver(name):
    """
    Return a DepthSuperResolver for ``name``.

    ``name``: a bundled name / model path, or ('preset', name, scale) for a randomly initialised
    preset.
    """
    if isinstance(name, tuple):
        _, preset_name, scale = name
        torch.manual_seed(0)
        net = build_dsrnet(preset(preset_name, scale)).eval()
        return DepthSuperResolver(
            net, {'model_id': f'{preset_name} x{scale} (random init)'}, torch.device('cpu')
        )
    from quality import parse_model
    _, path, options = parse_model(name)
    return DepthSuperResolver.load(path, device='cpu', **options)


def _label(name):
    """Return the preset's name, or the model as given ('x4_cubic+se8': 8-view self-ensemble)."""
    return f'{name[1]}' if isinstance(name, tuple) else str(name)


def run(models, repeats, exports=(), sizes=SIZES, thread_counts=(1, 2)):
    rows = []
    onnx_cache = {}
    for name in models:
        for threads in thread_counts:
            torch.set_num_threads(threads)
            cv2.setNumThreads(threads)
            resolver = _resolver(name)
            ort = (_variant(name, threads, 'onnxruntime', onnx_cache=onnx_cache)
                   if 'onnxruntime' in exports else None)
            bf16 = _variant(name, threads, cpu_precision='bf16') if 'bf16' in exports else None
            eager = resolver.net
            s = resolver.scale
            for w, h in sizes:
                depth = _frame(w, h)
                x = torch.rand(1, 1, h, w)
                v = torch.ones(1, 1, h, w)
                traced = _trace(eager, x, v)
                with torch.inference_mode():
                    net_eager = _time(lambda: eager(x, v), repeats)
                    net_ts = _time(lambda: traced(x, v), repeats)
                    extra = {}
                    if ort is not None:
                        extra['net_onnxruntime'] = _time(lambda: ort._runner(x, v), repeats)
                    if bf16 is not None:
                        extra['net_bf16'] = _time(lambda: bf16.net(x, v), repeats)
                    if 'compile' in exports:
                        compiled = _compiled_runner(eager, x, v)
                        extra['net_torch_compile'] = _time(compiled, repeats) if compiled else None
                full = _time(lambda: resolver.upsample(depth), repeats)
                if ort is not None:
                    extra['upsample_onnxruntime'] = _time(lambda: ort.upsample(depth), repeats)
                if bf16 is not None:
                    extra['upsample_bf16'] = _time(lambda: bf16.upsample(depth), repeats)
                bicubic = _time(
                    lambda: cv2.resize(depth, (w * s, h * s), interpolation=cv2.INTER_CUBIC),
                    repeats,
                )
                rows.append(
                    dict(
                        model=_label(name),
                        model_id=resolver.model_id,
                        family=eager.cfg.family,
                        params=count_params(eager),
                        scale=s,
                        input=f'{w}x{h}',
                        output=f'{w * s}x{h * s}',
                        threads=threads,
                        gmac=count_macs(eager, x, v) / 1e9,
                        net_eager=net_eager,
                        net_torchscript=net_ts,
                        **extra,
                        upsample=full,
                        opencv_bicubic=bicubic,
                        fps_upsample=1000 / full['median_ms'],
                    )
                )
                r = rows[-1]
                print(
                    f"{_label(name):>13} x{s} {r['input']:>8} thr={threads}  "
                    f"GMAC {r['gmac']:.2f}  "
                    f"net eager {net_eager['median_ms']:7.1f} ms  "
                    f"net TS {net_ts['median_ms']:7.1f} ms  "
                    + ''.join(f"{k} {v['median_ms']:7.1f} ms  " for k, v in extra.items() if v)
                    + f"upsample {full['median_ms']:7.1f} ms "
                    f"(p90 {full['p90_ms']:.1f}, {r['fps_upsample']:.1f} fps)  "
                    f"cv2 bicubic {bicubic['median_ms']:.2f} ms",
                    flush=True,
                )
    return rows


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def _size(text):
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'size must be WxH, e.g. 160x120, got {text!r}') from None
    return w, h


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.lstrip(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        '--models',
        nargs='+',
        default=None,
        help='bundled names or model paths (default: all bundled, unless --presets is given)',
    )
    parser.add_argument(
        '--presets',
        nargs='+',
        default=[],
        choices=sorted(PRESETS),
        help='also time these architecture presets with random weights (nets/registry.py)',
    )
    parser.add_argument(
        '--scale', nargs='+', type=int, default=[4], help='scales of the --presets (default 4)'
    )
    parser.add_argument(
        '--sizes', nargs='+', type=_size, default=SIZES, help='input WxH (default 160x120 320x240)'
    )
    parser.add_argument(
        '--threads', nargs='+', type=int, default=[1, 2], help='torch thread counts (default 1 2)'
    )
    parser.add_argument('--repeats', type=int, default=30)
    parser.add_argument('--exports', nargs='*', default=[],
                        choices=['onnxruntime', 'bf16', 'compile'],
                        help='also time the onnxruntime backend, the bf16 body, torch.compile')
    parser.add_argument('--out', type=Path, default=RESULTS / 'model_speed.json')
    args = parser.parse_args()
    models = args.models if args.models is not None else ([] if args.presets else bundled_names())
    models = list(models) + [('preset', name, s) for name in args.presets for s in args.scale]
    if not models:
        parser.error('no bundled models found; pass --models <exported model path> or --presets')
    rows = run(models, args.repeats, args.exports, args.sizes, args.threads)
    meta = {
        'command': 'python benchmarks/model_speed.py ' + ' '.join(sys.argv[1:]),
        'machine': f'{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or "cpu"}',
        'torch': torch.__version__,
        'opencv': cv2.__version__,
        'onnxruntime': _version('onnxruntime'),
        'note': 'median/p90 over repeats after 2 warm-up calls; '
        'upsample = DepthSuperResolver.upsample '
        '(TorchScript on) on a uint16 frame with holes; cv2 bicubic on the same '
        'frame; *_onnxruntime / *_bf16: the onnxruntime backend (CPU provider) / the '
        'bf16 body',
    }
    write_text_atomic(args.out, json.dumps({'meta': meta, 'rows': rows}, indent=2) + '\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
