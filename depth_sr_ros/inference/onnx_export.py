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
DSRNet -> ONNX (model.onnx beside model.safetensors), for ONNX Runtime, TensorRT, OpenVINO.

What the graph holds: the network exactly as DepthSuperResolver runs it, i.e. inputs
``lr`` (N,1,H,W float32: depth mapped to [0, 1] by the min and max of the frame's valid pixels,
holes filled with the nearest valid value; data/normalization.py) and ``lr_valid`` (N,1,H,W
float32, 1 = measured), output ``sr`` (N,1,sH,sW float32, same normalisation), with the bicubic
base and the residual sum **inside** (they are part of the module's forward). N, H and W are
dynamic. The per-frame normalisation, hole filling, the 2-pixel replicate border and the mapping
back to millimetres/metres (and invalid pixels back to 0/NaN) stay **outside**, in resolver.py,
shared by both backends: they are data-dependent numpy steps (min/max over a mask, a distance
transform) that cost little next to the network and map poorly onto TensorRT; with one
implementation, torch and ONNX Runtime can differ only in the network.

The file records the weights' SHA-256 (metadata_props); onnx_backend.py does not use a file
whose hash differs from the weights beside it.

    python -m depth_sr_ros.inference.onnx_export x4 [x2 ...|/path/to/model_dir]
"""
import argparse
import importlib.util
import io
from pathlib import Path
import sys
import warnings

from depth_sr_ros.atomic import atomic_path
from depth_sr_ros.inference.export import load_model, model_files, ModelLoadError
import torch

ONNX_NAME = 'model.onnx'
INPUTS = ('lr', 'lr_valid')
OUTPUT = 'sr'
OPSET = 18
WEIGHTS_KEY = 'depth_sr_ros.weights_sha256'
SCALE_KEY = 'depth_sr_ros.scale'


def available():
    """Return True where the onnx package is installed (the trainer exports model.onnx too)."""
    return importlib.util.find_spec('onnx') is not None


def onnx_file(path):
    """Return the ONNX file that belongs to a model directory / .safetensors / .json path."""
    weights, _ = model_files(path)
    return weights.with_name(ONNX_NAME) if weights.name == 'model.safetensors' \
        else weights.with_suffix('.onnx')


def to_onnx_bytes(net, weights_sha256='', opset=OPSET):
    """
    Serialise ``net`` (float32, eval) to ONNX with dynamic batch, height and width.

    Uses torch.onnx's TorchScript-based exporter (dynamo=False): 0.6-0.9 s per model here
    against about 40 s for the torch.export-based one (which also needs onnxscript), with the
    same outputs (max difference 1e-6 on normalised depth, x4). The exporter is deprecated in
    torch; should a release drop it, pass dynamo=True with ``dynamic_shapes`` instead.
    """
    try:
        import onnx
    except ImportError:
        raise ModelLoadError('ONNX export needs the onnx package: '
                             'pip install -r requirements/onnx.txt') from None
    net = net.float().eval()
    example = (torch.rand(1, 1, 20, 24), torch.ones(1, 1, 20, 24))
    axes = {name: {0: 'batch', 2: 'height', 3: 'width'} for name in INPUTS}
    axes[OUTPUT] = {0: 'batch', 2: 'out_height', 3: 'out_width'}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False):
        warnings.simplefilter('ignore')      # the exporter's own deprecation notice
        torch.onnx.export(net, example, buffer, dynamo=False, opset_version=opset,
                          input_names=list(INPUTS), output_names=[OUTPUT], dynamic_axes=axes)
    model = onnx.load_from_string(buffer.getvalue())
    for key, value in ((WEIGHTS_KEY, weights_sha256), (SCALE_KEY, str(net.cfg.scale))):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return model.SerializeToString()


def export_onnx(model_path, out=None):
    """Write the ONNX file of an exported model (default: beside its weights); returns its path."""
    net, meta = load_model(model_path)
    out = Path(out) if out else onnx_file(model_path)
    data = to_onnx_bytes(net, meta.get('weights_sha256', ''))
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out


def main(argv=None):
    from depth_sr_ros.inference import bundled
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('models', nargs='+', help='bundled names or exported model paths')
    parser.add_argument('--out', type=Path, default=None,
                        help='output file (one model only; default: beside the weights)')
    args = parser.parse_args(argv)
    if args.out and len(args.models) > 1:
        parser.error('--out takes one model')
    try:
        for name in args.models:
            print(f'wrote {export_onnx(bundled.resolve(name), args.out)}')
    except (ModelLoadError, OSError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
