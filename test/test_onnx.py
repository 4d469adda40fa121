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
ONNX export and the onnxruntime backend.

Parity with torch on the bundled models, dynamic sizes, the export CLI, stale files, and
execution-provider choice.
"""
import json

from depth_sr_ros.inference import DepthSuperResolver, onnx_backend, onnx_export
import numpy as np
import pytest

# Largest |ONNX Runtime - torch| in millimetres allowed on the bundled models (float32 both; the
# measured figures are printed by test_parity_with_torch_on_bundled_models and in the report).
PARITY_MM = 0.01


def _scene(w=48, h=36):
    """uint16 mm: slanted plane 0.8-3 m, a step edge, noise and a hole."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w]
    mm = 800 + 40 * x + 10 * y + np.where(x > w // 2, 600, 0) + rng.normal(0, 4, (h, w))
    mm = np.rint(mm).astype(np.uint16)
    mm[h // 3:h // 2, w // 4:w // 3] = 0
    return mm


@pytest.mark.parametrize('name', ['x2', 'x4', 'x8', 'x16'])
def test_parity_with_torch_on_bundled_models(name):
    torch_sr = DepthSuperResolver.load(name, device='cpu', cpu_precision='fp32')
    ort_sr = DepthSuperResolver.load(name, device='cpu', backend='onnxruntime')
    assert ort_sr.backend == 'onnxruntime (CPUExecutionProvider)' and torch_sr.backend == 'torch'
    mm = _scene()
    metres = np.where(mm > 0, mm / 1000.0, np.nan).astype(np.float32)
    a, b = torch_sr.upsample(metres), ort_sr.upsample(metres)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    diff_mm = float(np.nanmax(np.abs(a - b))) * 1000
    print(f'{name}: max |onnxruntime - torch| = {diff_mm:.5f} mm over {np.isfinite(a).sum()} px')
    assert diff_mm <= PARITY_MM
    # uint16 output: rounding to whole millimetres may differ by at most 1 where a value sits on .5
    diff16 = np.abs(torch_sr.upsample(mm).astype(int) - ort_sr.upsample(mm).astype(int))
    assert diff16.max() <= 1 and (diff16 > 0).mean() < 0.001


def test_dynamic_size_batch_and_self_ensemble(tiny_model_dir):
    torch_sr = DepthSuperResolver.load(tiny_model_dir, device='cpu', self_ensemble=2)
    ort_sr = DepthSuperResolver.load(tiny_model_dir, device='cpu', self_ensemble=2,
                                     backend='onnxruntime')
    frames = [_scene(20, 15), _scene(33, 17), _scene(20, 15)]   # two sizes; a batch of two
    for a, b in zip(torch_sr.upsample_batch(frames), ort_sr.upsample_batch(frames)):
        assert a.shape == b.shape
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_cli_writes_onnx_beside_weights_and_backend_uses_it(tiny_model_dir, capsys):
    assert onnx_export.main([str(tiny_model_dir)]) == 0
    path = tiny_model_dir / 'model.onnx'
    assert path.is_file() and f'wrote {path}' in capsys.readouterr().out
    runner = DepthSuperResolver.load(tiny_model_dir, device='cpu', backend='onnxruntime')._runner
    assert runner.source == str(path)
    assert runner.metadata[onnx_export.SCALE_KEY] == '4'
    # a stale file (other weights) is not used: the model is exported again at load time
    meta = json.loads((tiny_model_dir / 'model.json').read_text())
    meta['weights_sha256'] = '0' * 64
    (tiny_model_dir / 'model.json').write_text(json.dumps(meta))
    again = DepthSuperResolver.load(tiny_model_dir, device='cpu', backend='onnxruntime')._runner
    assert again.source == 'exported at load time'


def test_save_model_writes_onnx_in_the_same_atomic_step(tmp_path):
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
    net = DSRNet(DSRNetConfig(scale=2, channels=8, hr_channels=2, num_blocks=1, up_kernel=1))
    path = save_model(tmp_path / 'm', net, onnx=True)
    assert sorted(p.name for p in path.iterdir()) == ['model.json', 'model.onnx',
                                                      'model.safetensors']
    runner = DepthSuperResolver.load(path, device='cpu', backend='onnxruntime')._runner
    assert runner.source == str(path / 'model.onnx')


def test_cli_error_exits_non_zero(tmp_path, capsys):
    assert onnx_export.main([str(tmp_path / 'missing')]) == 1
    assert 'error:' in capsys.readouterr().err


def test_bad_backend_is_refused():
    with pytest.raises(ValueError, match='backend must be one of torch, onnxruntime'):
        DepthSuperResolver.load('x2', device='cpu', backend='tensorrt')


@pytest.mark.parametrize('device,available,expected', [
    ('cpu', ['CPUExecutionProvider'], ['CPUExecutionProvider']),
    ('cpu', ['OpenVINOExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider'],
     ['OpenVINOExecutionProvider', 'CPUExecutionProvider']),
    ('cuda:1', ['TensorrtExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider'],
     ['TensorrtExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider']),
    ('cuda', ['CPUExecutionProvider'], ['CPUExecutionProvider']),
    ('auto', ['CUDAExecutionProvider', 'OpenVINOExecutionProvider', 'CPUExecutionProvider'],
     ['CUDAExecutionProvider', 'OpenVINOExecutionProvider', 'CPUExecutionProvider']),
])
def test_execution_provider_from_device(device, available, expected):
    chosen = onnx_backend.providers_for(device, available)
    assert [p for p, _ in chosen] == expected
    if device == 'cuda:1':
        assert chosen[0][1] == {'device_id': 1}
    with pytest.raises(ValueError, match='device must be'):
        onnx_backend.providers_for('tpu', available)


def test_node_with_the_onnxruntime_backend(tiny_model_dir):
    from depth_sr_ros.ros.conversions import image_to_array
    from ros_helpers import NodeHarness, send_until_served
    from sensor_msgs.msg import CameraInfo, Image
    h = NodeHarness(model=str(tiny_model_dir), backend='onnxruntime')
    try:
        assert h.node.resolver.backend == 'onnxruntime (CPUExecutionProvider)'
        pub_img, pub_info = (h.publisher(Image, 'depth/image_raw'),
                             h.publisher(CameraInfo, 'depth/camera_info'))
        out = h.collect(Image, 'depth_sr/image_raw')
        assert h.connected([pub_img, pub_info], [out])
        lr = _scene(40, 30)
        sr = image_to_array(send_until_served(pub_img, pub_info, out, lr))
        ref = DepthSuperResolver.load(tiny_model_dir, device='cpu').upsample(lr)
        assert np.abs(sr.astype(int) - ref.astype(int)).max() <= 1
    finally:
        h.close()
