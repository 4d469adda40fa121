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
The installed depth_sr_node executable as a real process.

The shipped params file is accepted and frames flow over DDS; bad set-ups fail with one clear
error line and a non-zero exit.
"""
from pathlib import Path
import signal
import subprocess
import sys

from depth_sr_ros.ros.conversions import image_to_array
import pytest
from ros_helpers import Probe, ramp_depth_mm, send_until_served
from sensor_msgs.msg import CameraInfo, Image

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).parent / 'depth_sr_node')


def _run_failing(*ros_args):
    out = subprocess.run(
        [EXE, '--ros-args', *ros_args], capture_output=True, text=True, timeout=60
    )
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    return out.returncode, lines


def test_params_file_run_processes_frames(tiny_model_dir):
    proc = subprocess.Popen([EXE, '--ros-args', '--params-file', str(ROOT / 'config/sr.yaml'),
                             '-p', f'model:={tiny_model_dir}', '-p', 'torch_threads:=1'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe = Probe()
    try:
        pub_img = probe.publisher(Image, 'depth/image_raw')
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        out_img = probe.collect(Image, 'depth_sr/image_raw')
        out_info = probe.collect(CameraInfo, 'depth_sr/camera_info')
        assert probe.connected([pub_img, pub_info], [out_img, out_info], timeout=60), \
            'node never matched the probe topics'
        lr = ramp_depth_mm(32, 24)
        # best-effort input: repeat until an output with its CameraInfo arrives (an image that
        # reaches the node before any CameraInfo is rightly published without one)
        img = send_until_served(pub_img, pub_info, out_img, lr, out_info, sec0=5, tries=20)
        assert (img.width, img.height, img.encoding) == (128, 96, '16UC1')
        assert image_to_array(img).max() <= lr.max()
        info = out_info.with_stamp(img.header.stamp.sec, timeout=5)
        assert info is not None and (info.width, info.height) == (128, 96)
    finally:
        probe.close()
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert 'Traceback' not in err


@pytest.mark.parametrize(
    'kind',
    [
        'garbage_file',
        'missing_name',
        'scale_mismatch',
        'bad_encoding_param',
        'bad_precision_param',
        'bad_namespace',
    ],
)
def test_start_up_failure_is_one_clear_line(tmp_path, tiny_model_dir, kind):
    if kind == 'garbage_file':
        bad = tmp_path / 'broken'
        bad.mkdir()
        (bad / 'model.safetensors').write_bytes(b'not a safetensors file')
        (bad / 'model.json').write_text('{"format": "depth_sr_ros.dsrnet/1"}')
        args, expect = ['-p', f'model:={bad}'], str(bad)
    elif kind == 'missing_name':
        args, expect = ['-p', 'model:=no_such_model'], "no bundled model named 'no_such_model'"
    elif kind == 'scale_mismatch':
        args, expect = ['-p', f'model:={tiny_model_dir}', '-p', 'scale:=2'], 'scale=2'
    elif kind == 'bad_namespace':
        args, expect = (
            ['-p', f'model:={tiny_model_dir}', '-p', "input_namespaces:=['bad name']"],
            "'bad name'",
        )
    elif kind == 'bad_precision_param':
        args, expect = (
            ['-p', f'model:={tiny_model_dir}', '-p', 'cpu_precision:=fp16'],
            'cpu_precision',
        )
    else:
        args, expect = (
            ['-p', f'model:={tiny_model_dir}', '-p', 'output_encoding:=rgb8'],
            'output_encoding',
        )
    rc, lines = _run_failing(*args)
    assert rc != 0
    errors = [line for line in lines if 'depth_sr_node: error:' in line]
    assert len(errors) == 1 and expect in errors[0], lines
    assert not any('Traceback' in line for line in lines), lines


def test_help_and_dump_parameters_without_ros():
    out = subprocess.run([EXE, '--help'], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and 'depth_sr/image_raw' in out.stdout
    out = subprocess.run([EXE, '--dump-parameters'], capture_output=True, text=True, timeout=30)
    import yaml
    dumped = yaml.safe_load(out.stdout)['/**']['ros__parameters']
    shipped = yaml.safe_load((ROOT / 'config/sr.yaml').read_text())['/**']['ros__parameters']
    assert dumped == shipped
