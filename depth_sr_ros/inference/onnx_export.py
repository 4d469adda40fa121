"""DSRNet -> ONNX (model.onnx beside model.safetensors), for ONNX Runtime, TensorRT, OpenVINO.

What the graph holds: the network exactly as DepthSuperResolver runs it, i.e. inputs
``lr`` (N,1,H,W float32: depth normalised to [0, 1] over the frame's valid range, holes
filled) and ``lr_valid`` (N,1,H,W float32, 1 = measured), output ``sr`` (N,1,sH,sW float32,
normalised), with the bicubic base and the residual sum **inside** (they are part of the
module's forward). N, H and W are dynamic. The per-frame normalisation, hole filling, the
2-pixel border padding and the mapping back to millimetres/metres stay **outside**, in
resolver.py, shared by both backends: they are data-dependent numpy steps (valid-range
statistics, a distance transform) that cost little next to the network and would make the graph
depend on ops TensorRT and OpenVINO handle poorly; keeping one implementation means torch and
ONNX Runtime can differ only in the network.

The file records the safetensors' SHA-256 (metadata_props) so a stale model.onnx is refused.

    python -m depth_sr_ros.inference.onnx_export x4 [x2 ...|/path/to/model_dir]
"""
import argparse
import sys
import warnings
from pathlib import Path

import torch

from depth_sr_ros.atomic import atomic_path
from depth_sr_ros.inference.export import ModelLoadError, load_model, model_files

ONNX_NAME = 'model.onnx'
INPUTS = ('lr', 'lr_valid')
OUTPUT = 'sr'
OPSET = 18
WEIGHTS_KEY = 'depth_sr_ros.weights_sha256'
SCALE_KEY = 'depth_sr_ros.scale'


def onnx_file(path):
    """The ONNX file that belongs to a model directory / .safetensors / .json path."""
    weights, _ = model_files(path)
    return weights.with_name(ONNX_NAME) if weights.name == 'model.safetensors' \
        else weights.with_suffix('.onnx')


def to_onnx_bytes(net, weights_sha256='', opset=OPSET):
    """Serialised ONNX model of ``net`` (float32, eval) with dynamic batch, height and width."""
    try:
        import onnx
        import onnxscript  # noqa: F401  (torch.onnx's exporter needs it; fail with our message)
    except ImportError as err:
        raise ModelLoadError(f'ONNX export needs onnx and onnxscript ({err.name} is missing): '
                             'pip install -r requirements/onnx.txt') from None
    net = net.float().eval()
    example = (torch.rand(1, 1, 20, 24), torch.ones(1, 1, 20, 24))
    n, h, w = (torch.export.Dim(name, min=1, max=8192) for name in ('batch', 'height', 'width'))
    shapes = {'lr': {0: n, 2: h, 3: w}, 'lr_valid': {0: n, 2: h, 3: w}}
    with warnings.catch_warnings(), torch.inference_mode(False):
        warnings.simplefilter('ignore')
        program = torch.onnx.export(net, example, dynamo=True, dynamic_shapes=shapes,
                                    input_names=list(INPUTS), output_names=[OUTPUT],
                                    opset_version=opset, verbose=False)
    model = program.model_proto
    for key, value in ((WEIGHTS_KEY, weights_sha256), (SCALE_KEY, str(net.cfg.scale))):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return onnx.ModelProto.SerializeToString(model)


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
