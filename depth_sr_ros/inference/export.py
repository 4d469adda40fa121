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
The deployable artefact: DSRNet weights (safetensors) + metadata (JSON).

Loading never executes code from the files: safetensors holds only tensors, the JSON only data,
and the architecture is rebuilt from a validated family config (nets/registry.py; metadata
without a 'family' is the original 'dbpn' DSRNet).
"""
import hashlib
import json
import os
from pathlib import Path
import shutil
import tempfile

from depth_sr_ros import __version__
from depth_sr_ros.data.normalization import NORMALIZATION_ID
from depth_sr_ros.nets.registry import build_dsrnet, config_from_dict
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

FORMAT = 'depth_sr_ros.dsrnet/1'
WEIGHTS_NAME = 'model.safetensors'
METADATA_NAME = 'model.json'


class ModelLoadError(ValueError):
    """A model file is missing, corrupt or incompatible; the message says which and why."""


def save_model(directory, net, metadata=None, onnx=False):
    """
    Write ``directory/model.safetensors`` + ``model.json`` atomically (temp dir, then rename).

    ``metadata`` adds training data summary, degradation, validation metrics, etc.; the
    architecture, scale, normalisation, format and package version are always recorded.
    onnx=True also writes ``model.onnx`` (onnx_export.py) in the same atomic step.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(metadata or {})
    meta.update(format=FORMAT, architecture=net.cfg.to_dict(), scale=net.cfg.scale,
                normalization=NORMALIZATION_ID, package_version=__version__)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{directory.name}.', dir=directory.parent))
    try:
        state = {k: v.detach().to('cpu').contiguous() for k, v in net.state_dict().items()}
        save_file(state, str(tmp / WEIGHTS_NAME))
        meta['weights_sha256'] = sha256_file(tmp / WEIGHTS_NAME)
        (tmp / METADATA_NAME).write_text(json.dumps(meta, indent=2, sort_keys=True) + '\n')
        if onnx:
            from depth_sr_ros.inference.onnx_export import ONNX_NAME, to_onnx_bytes
            (tmp / ONNX_NAME).write_bytes(to_onnx_bytes(net, meta['weights_sha256']))
        if directory.exists():
            old = directory.with_name(f'.{directory.name}.old')
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def model_files(path):
    """(weights, metadata) paths for a model directory, a .safetensors file or a .json file."""
    path = Path(path)
    if path.is_dir():
        return path / WEIGHTS_NAME, path / METADATA_NAME
    if path.suffix == '.safetensors':
        return path, path.with_suffix('.json')
    if path.suffix == '.json':
        return path.with_suffix('.safetensors'), path
    raise ModelLoadError(f'{path}: not a model directory, .safetensors or .json file')


def load_model(path, device='cpu'):
    """Rebuild the DSRNet (any family) of an exported model: (net in eval mode, metadata)."""
    weights, meta_path = model_files(path)
    for f in (weights, meta_path):
        if not f.is_file():
            raise ModelLoadError(f'model file not found: {f}')
    try:
        meta = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f'{meta_path}: not valid JSON model metadata ({exc})') from None
    if not isinstance(meta, dict) or meta.get('format') != FORMAT:
        raise ModelLoadError(
            f'{meta_path}: not a depth_sr_ros model (format is '
            f'{meta.get("format") if isinstance(meta, dict) else None!r}, expected {FORMAT!r})'
        )
    try:
        cfg = config_from_dict(meta['architecture'])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f'{meta_path}: bad architecture description ({exc})') from None
    try:
        state = load_file(str(weights), device='cpu')
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelLoadError(f'{weights}: corrupt or not a safetensors file ({exc})') from None
    net = build_dsrnet(cfg)
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ModelLoadError(
            f'{weights}: weights do not match the architecture in {meta_path.name} ({first})'
        ) from None
    meta.setdefault('model_id', f'{_model_name(path)}@{meta.get("weights_sha256", "")[:12]}')
    return net.to(device).eval(), meta


def _model_name(path):
    """Name a model for logs: its folder, or a weights file's stem (the folder for model.*)."""
    path = Path(path)
    if path.suffix in ('.safetensors', '.json', '.onnx'):
        return path.parent.name if path.stem == 'model' else path.stem
    return path.name


def sha256_file(path):
    """Hex sha256 of a file (the weights id recorded in model.json)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()
