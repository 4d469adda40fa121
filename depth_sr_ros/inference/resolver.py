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
DepthSuperResolver: the one inference API (node, benchmarks and outside tools use it).

Takes raw sensor frames (uint16 mm with 0 invalid, or float32 with NaN/0 invalid), normalises
each frame over its valid pixels, fills holes for the network, runs DSRNet and maps back to
the input's dtype and unit. Invalid input regions stay invalid unless hole filling is asked for.
"""
from dataclasses import dataclass
import warnings

from depth_sr_ros.data.normalization import distance_to_valid, network_input, valid_range
from depth_sr_ros.inference import bundled
from depth_sr_ros.inference.confidence import confidence, DEFAULT_KIND
from depth_sr_ros.inference.edges import apply_edge_mode, check_edge_mode, DEFAULT_EDGE_MODE
from depth_sr_ros.inference.export import load_model
from depth_sr_ros.inference.precision import resolve_cpu_precision
import numpy as np
import torch

_BORDER = 2  # LR pixels of replicate padding so the network sees context at image borders
# Geometric self-ensemble (EDSR+): (transpose, flip rows, flip columns) of each view, in the
# order the first 1, 2, 4 or 8 are used. Every view is undone before the outputs are averaged.
DIHEDRAL_VIEWS = (
    (False, False, False),
    (False, False, True),
    (False, True, False),
    (False, True, True),
    (True, False, False),
    (True, False, True),
    (True, True, False),
    (True, True, True),
)
SELF_ENSEMBLE_CHOICES = (1, 2, 4, 8)
# Recipes whose models learn where a point sample sits inside its LR footprint (off-centre for
# even scales); a flipped view mirrors that position, so the self-ensemble blurs their edges.
POINT_SAMPLED_RECIPES = ('nearest', 'point_sensor')
BACKENDS = ('torch', 'onnxruntime')   # what runs the network (onnx_backend.py for the second)


def select_device(device='auto'):
    """'auto' -> CUDA when present, else CPU; 'cpu', 'cuda', 'cuda:N' as given (validated)."""
    device = (device or 'auto').strip().lower()
    if device == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}"
        ) from None
    if dev.type == 'cuda':
        if not torch.cuda.is_available():
            raise ValueError(
                f'device {device!r} requested but CUDA is not available on this machine'
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f'device {device!r}: only {torch.cuda.device_count()} CUDA device(s)')
    elif dev.type != 'cpu':
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return dev


def check_self_ensemble(views):
    """Check the number of dihedral views to average: 1 (off), 2, 4 or 8."""
    if (
        isinstance(views, bool)
        or not isinstance(views, (int, np.integer))
        or views not in SELF_ENSEMBLE_CHOICES
    ):
        raise ValueError(
            f'self_ensemble must be one of {SELF_ENSEMBLE_CHOICES} (views averaged), '
            f'got {views!r}'
        )
    return int(views)


def self_ensemble_caveat(metadata, views):
    """Why averaging flipped views hurts this model, or None (the node logs it, the API warns)."""
    recipe = metadata.get('degradation')
    if views > 1 and isinstance(recipe, str) and recipe in POINT_SAMPLED_RECIPES:
        return (
            f'self_ensemble={views} with a model trained on point-sampled LR ({recipe!r}): '
            'a flipped view mirrors where each sample sits in its LR pixel, so edges move by '
            'one HR pixel (x4_point under point-sampled LR: 31% -> 16% lower RMSE than '
            'bicubic); use self_ensemble=1'
        )
    return None


def _flip(t, flip_rows, flip_cols):
    dims = [d for d, f in ((-2, flip_rows), (-1, flip_cols)) if f]
    return torch.flip(t, dims) if dims else t


def _view(t, transpose, flip_rows, flip_cols):
    """One dihedral view of (B,C,H,W) tensors: transpose, then flip."""
    return _flip(t.transpose(-1, -2) if transpose else t, flip_rows, flip_cols)


def _unview(t, transpose, flip_rows, flip_cols):
    """Undo :func:`_view`: flip back, then transpose back."""
    t = _flip(t, flip_rows, flip_cols)
    return t.transpose(-1, -2) if transpose else t


def _trace(net, *example):
    """TorchScript-trace and freeze ``net`` (deprecated in torch 2.13, still the fastest here)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        return torch.jit.freeze(torch.jit.trace(net, example, check_trace=False))


@dataclass
class _Prepared:
    x: np.ndarray          # normalised, hole-filled LR depth
    valid: np.ndarray      # LR validity
    rng: object            # DepthRange or None (all-invalid)


class DepthSuperResolver:
    """
    Super-resolve depth frames with an exported DSRNet.

    fill_holes: 0 keeps every invalid input pixel invalid in the output; N > 0 also fills
    holes, but only output pixels within N LR pixels of valid data (never the middle of a
    large hole). half: run the network body in fp16 on CUDA (ignored on CPU). cpu_precision:
    'fp32', 'bf16' (the body in bfloat16 through oneDNN: about 2x faster where the CPU has bf16
    instructions, slower where it has not) or 'auto' (bf16 only with those instructions; see
    precision.py); ignored on CUDA. With fp16 or bf16 the bicubic base and the sum stay float32,
    so depth itself is never rounded, only the predicted residual. torchscript: trace and freeze
    the network on first use (same outputs; ~8% faster at 160x120 on 2 threads, slower on 320x240
    and larger frames, where torchscript=False is better: docs/research/node_performance.md).
    self_ensemble: average the outputs of 1 (off), 2, 4 or 8 flipped/transposed views of each
    frame (EDSR+) for that many times the cost: more accurate when LR samples are centred on
    their pixels (cubic, area, antialiased), less when a sensor point-samples off-centre, since
    a flip mirrors where the sample sits (docs/research/self_ensemble.md; warns for point-trained
    models).
    runner: a callable standing in for the network (onnx_backend.OnnxRunner); ``net`` then only
    supplies the scale, and half / cpu_precision / torchscript do not apply.
    edge_mode: 'keep', 'snap' or 'invalidate' output pixels that float across a depth step
    (inference/edges.py: the test, and why the default).
    """

    def __init__(
        self,
        net,
        metadata,
        device,
        fill_holes=0,
        half=False,
        torchscript=True,
        self_ensemble=1,
        cpu_precision='fp32',
        runner=None,
        edge_mode=DEFAULT_EDGE_MODE,
    ):
        self.net = net
        self.edge_mode = check_edge_mode(edge_mode)
        self._runner = runner if runner is not None else None if torchscript else net
        self.backend = f'onnxruntime ({runner.provider})' if runner is not None else 'torch'
        if runner is not None:
            half, cpu_precision = False, 'fp32'
        self.metadata = metadata
        self.self_ensemble = self_ensemble
        self.device = device
        self.fill_holes = float(fill_holes)
        self.half = bool(half) and device.type == 'cuda'
        if self.half:
            self.net.half()
        bf16 = resolve_cpu_precision(cpu_precision) == 'bf16' and device.type == 'cpu'
        if bf16:
            self.net.to(torch.bfloat16).to(memory_format=torch.channels_last)
        self.precision = 'fp16' if self.half else 'bf16' if bf16 else 'fp32'

    @classmethod
    def load(
        cls,
        name_or_path=None,
        device='auto',
        fill_holes=0,
        half=False,
        torchscript=True,
        self_ensemble=1,
        cpu_precision='fp32',
        backend='torch',
        edge_mode=DEFAULT_EDGE_MODE,
    ):
        """
        None = the bundled default model, a name = a bundled model, a path = an exported model.

        backend 'onnxruntime' runs the network from its ONNX file (execution provider from
        ``device``, see onnx_backend.py); frames then stay on the host for torch.
        """
        check_self_ensemble(self_ensemble)
        check_edge_mode(edge_mode)
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        dev = select_device(device) if backend == 'torch' else torch.device('cpu')
        path = bundled.resolve(name_or_path)
        net, meta = load_model(path, device=dev)
        runner = None
        if backend == 'onnxruntime':
            from depth_sr_ros.inference.onnx_backend import load_runner
            runner = load_runner(path, net, meta, device)
        return cls(net, meta, dev, fill_holes=fill_holes, half=half, torchscript=torchscript,
                   self_ensemble=self_ensemble, cpu_precision=cpu_precision, runner=runner,
                   edge_mode=edge_mode)

    @property
    def self_ensemble(self):
        return self._self_ensemble

    @self_ensemble.setter
    def self_ensemble(self, views):
        self._self_ensemble = check_self_ensemble(views)
        caveat = self_ensemble_caveat(self.metadata, self._self_ensemble)
        if caveat:
            warnings.warn(caveat, stacklevel=2)

    @property
    def scale(self):
        return self.net.scale

    @property
    def model_id(self):
        return self.metadata.get('model_id', '')

    def upsample(self, depth):
        """
        Upsample one frame; same dtype and unit.

        HxW uint16 (mm, 0 invalid) or float32 (NaN/0 invalid) -> (H*s)x(W*s).
        """
        return self.upsample_batch([depth])[0]

    def upsample_batch(self, frames):
        """Several frames at once; frames of equal size share one forward pass."""
        prepared = [self._prepare(f) for f in frames]
        outputs = [None] * len(frames)
        groups = {}
        for i, p in enumerate(prepared):
            if p.rng is None:
                outputs[i] = self._invalid_like(frames[i])
            else:
                groups.setdefault(p.x.shape, []).append(i)
        for idx in groups.values():
            sr = self._infer(
                np.stack([prepared[i].x for i in idx]), np.stack([prepared[i].valid for i in idx])
            )
            for k, i in enumerate(idx):
                outputs[i] = self._finish(frames[i], prepared[i], sr[k])
        return outputs

    def confidence(self, depth, output, kind=DEFAULT_KIND):
        """
        Return float32 0..1 per pixel of ``output`` = upsample(depth), 0 where it is invalid.

        inference/confidence.py describes the measure and how well it predicts the error.
        """
        lr_valid, out_valid = self._validity(depth), self._validity(output)
        return confidence(output.astype(np.float32), out_valid, depth.astype(np.float32), lr_valid,
                          self.scale, kind)

    # -- steps -------------------------------------------------------------------------------
    @staticmethod
    def _validity(depth):
        if not isinstance(depth, np.ndarray):
            raise ValueError(f'depth must be a numpy array, got {type(depth).__name__}')
        if depth.ndim != 2:
            raise ValueError(f'depth must be a 2-D HxW array, got shape {depth.shape}')
        if depth.shape[0] < 1 or depth.shape[1] < 1:
            raise ValueError(f'depth must be non-empty, got shape {depth.shape}')
        if depth.dtype == np.uint16:
            return depth > 0
        if depth.dtype == np.float32:
            return np.isfinite(depth) & (depth > 0)
        raise ValueError(f'depth dtype must be uint16 (mm) or float32, got {depth.dtype}')

    def _prepare(self, depth):
        valid = self._validity(depth)
        d = depth.astype(np.float32)
        rng = valid_range(d, valid)
        if rng is None:
            return _Prepared(None, valid, None)
        x = network_input(d, valid, rng)
        return _Prepared(x, valid, rng)

    def _infer(self, x, valid):
        pad = ((0, 0), (_BORDER, _BORDER), (_BORDER, _BORDER))
        x = np.pad(x, pad, mode='edge')
        v = np.pad(valid.astype(np.float32), pad, mode='edge')
        with (
            torch.inference_mode()
        ):  # float32 in: the net casts its body's input to its weights' dtype
            xt = torch.from_numpy(x)[:, None].to(self.device)
            vt = torch.from_numpy(v)[:, None].to(self.device)
            if self._runner is None:
                # Traced graphs keep sizes symbolic, so one trace serves every frame size.
                self._runner = _trace(self.net, xt, vt)
            if self.self_ensemble == 1:   # the real-time path: no extra HR-sized passes
                sr = self._runner(xt, vt)
            else:
                views = DIHEDRAL_VIEWS[:self.self_ensemble]
                sr = sum(
                    _unview(self._runner(_view(xt, *k), _view(vt, *k)), *k) for k in views
                ) / len(views)
            sr = sr[:, 0].float().cpu().numpy()
        b = _BORDER * self.scale
        return sr[:, b:-b, b:-b]

    def _output_validity(self, valid):
        s = self.scale
        if self.fill_holes > 0:
            valid = distance_to_valid(valid) <= self.fill_holes
        return np.repeat(np.repeat(valid, s, axis=0), s, axis=1)

    def _finish(self, frame, prep, sr):
        depth = np.clip(prep.rng.denormalize(sr), prep.rng.lo, prep.rng.hi)
        valid = self._output_validity(prep.valid)
        depth, valid = apply_edge_mode(depth.astype(np.float32), valid, self.scale, self.edge_mode)
        if frame.dtype == np.uint16:
            out = np.clip(np.rint(depth), 1, 65535).astype(np.uint16)
            out[~valid] = 0
            return out
        out = depth.astype(np.float32)
        out[~valid] = np.nan
        return out

    def _invalid_like(self, frame):
        shape = (frame.shape[0] * self.scale, frame.shape[1] * self.scale)
        if frame.dtype == np.uint16:
            return np.zeros(shape, np.uint16)
        return np.full(shape, np.nan, np.float32)
