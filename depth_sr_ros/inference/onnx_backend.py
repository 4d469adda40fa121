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
The network through ONNX Runtime: a drop-in for the torch module inside DepthSuperResolver.

Everything around the network (normalisation, hole filling, self-ensemble views, mapping back
to mm/m) stays in resolver.py; only ``net(lr, lr_valid)`` runs here, on the ONNX file beside
the weights (onnx_export.py). A missing or stale file (its recorded weights hash differs) is
replaced by an export in memory at load time (under a second; needs torch and onnx), so a
bundled model needs no file; ``python -m depth_sr_ros.inference.onnx_export`` writes one for
other runtimes (TensorRT's trtexec).

Execution provider from ``device``, first installed one wins, CPU always last (never required):
  cpu         OpenVINO (CPU) > CPU
  cuda[:N]    TensorRT > CUDA (device N) > CPU
  auto        TensorRT > CUDA > OpenVINO > CPU
onnxruntime (CPU) is pinned in requirements/onnx.txt; onnxruntime-gpu (CUDA, TensorRT) and
onnxruntime-openvino are alternative wheels of the same module, installed instead of it.
"""
from depth_sr_ros.inference.export import ModelLoadError
from depth_sr_ros.inference.onnx_export import INPUTS, onnx_file, to_onnx_bytes, WEIGHTS_KEY
import numpy as np
import torch

TENSORRT, CUDA = 'TensorrtExecutionProvider', 'CUDAExecutionProvider'
OPENVINO, CPU = 'OpenVINOExecutionProvider', 'CPUExecutionProvider'


def _ort():
    try:
        import onnxruntime
    except ImportError:
        raise ModelLoadError('backend onnxruntime needs the onnxruntime package: '
                             'pip install -r requirements/onnx.txt (or onnxruntime-gpu)') from None
    return onnxruntime


def providers_for(device, available):
    """ONNX Runtime providers (with options) for ``device``, restricted to ``available``."""
    device = (device or 'auto').strip().lower()
    if device == 'cpu':
        wanted = [(OPENVINO, {'device_type': 'CPU'})]
    elif device == 'auto' or device.startswith('cuda'):
        index = device.partition(':')[2] or '0'
        if not index.isdigit():
            raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}")
        wanted = [(TENSORRT, {'device_id': int(index)}), (CUDA, {'device_id': int(index)})]
        if device == 'auto':
            wanted.append((OPENVINO, {'device_type': 'CPU'}))
    else:
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    return [p for p in wanted if p[0] in available] + [(CPU, {})]


class OnnxRunner:
    """Callable like the torch net: (lr, lr_valid) float32 tensors -> sr tensor (on the CPU)."""

    def __init__(self, data, device='cpu', threads=None):
        ort = _ort()
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        providers = providers_for(device, ort.get_available_providers())
        try:
            self.session = ort.InferenceSession(data, options, providers=providers)
        except Exception as err:  # noqa: BLE001 - ORT raises its own exception types
            raise ModelLoadError(f'ONNX Runtime cannot load the model: {str(err).splitlines()[0]}')
        self.provider = self.session.get_providers()[0]
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        self._names = [i.name for i in self.session.get_inputs()]

    def __call__(self, lr, lr_valid):
        feeds = {name: np.ascontiguousarray(t.detach().cpu().numpy(), np.float32)
                 for name, t in zip(INPUTS, (lr, lr_valid)) if name in self._names}
        return torch.from_numpy(self.session.run(None, feeds)[0])


def load_runner(model_path, net, metadata, device='cpu', threads=None):
    """
    Return an OnnxRunner for the model at ``model_path``.

    The model is exported in memory if the file is absent or stale.
    """
    sha = metadata.get('weights_sha256', '')
    path = onnx_file(model_path)
    if path.is_file():
        runner = OnnxRunner(path.read_bytes(), device, threads)
        if runner.metadata.get(WEIGHTS_KEY) == sha:
            runner.source = str(path)
            return runner
    runner = OnnxRunner(to_onnx_bytes(net, sha), device, threads)
    runner.source = 'exported at load time'
    return runner
