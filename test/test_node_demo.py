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
The demo path of scripts/demo.sh.

A real depth_sr_node process fed by the demo player over DDS writes the before/after picture and
prints latency and throughput.
"""
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

from depth_sr_ros.pixel_grid import scale_intrinsics
from depth_sr_ros.ros.demo_player import _lr_intrinsics
import numpy as np
import ros_helpers  # noqa: F401  (isolated ROS_DOMAIN_ID / localhost discovery for the children)

EXE = str(Path(sys.executable).parent / 'depth_sr_node')
ROOT = Path(__file__).resolve().parents[1]


def _processes_with_env(marker):
    """Pids of live processes whose environment holds ``marker`` (NAME=value, inherited)."""
    pids = []
    for environ in Path('/proc').glob('[0-9]*/environ'):
        try:
            if marker.encode() in environ.read_bytes().split(b'\0'):
                pids.append(int(environ.parent.name))
        except OSError:          # the process ended while we looked
            pass
    return pids


def test_lr_intrinsics_invert_the_pixel_centre_rule():
    K = np.array([[576.0, 0, 319.5], [0, 576.0, 239.5], [0, 0, 1]])
    K_lr = _lr_intrinsics(K, 4)
    np.testing.assert_allclose(K_lr, [[144, 0, 79.5], [0, 144, 59.5], [0, 0, 1]])
    np.testing.assert_allclose(scale_intrinsics(K_lr, np.zeros(12), 4)[0], K)


def test_demo_player_against_node_process(tiny_model_dir, tmp_path):
    node = subprocess.Popen(
        [EXE, '--ros-args', '-p', f'model:={tiny_model_dir}', '-p', 'torch_threads:=1'],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out = subprocess.run(
            [
                sys.executable,
                '-m',
                'depth_sr_ros.ros.demo_player',
                '--frames',
                '8',
                '--width',
                '32',
                '--height',
                '24',
                '--out',
                str(tmp_path),
                '--node-pid',
                str(node.pid),
                '--connect-timeout',
                '60',
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        node.send_signal(signal.SIGINT)
        try:
            node.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            node.kill()
            node.communicate()
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'end-to-end latency ms: median' in out.stdout and 'output throughput' in out.stdout
    png = tmp_path / 'before_after.png'
    assert png.is_file() and png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert not list(tmp_path.glob('.*.tmp.png'))


def test_demo_script_leaves_nothing_running_even_with_sigint_ignored(tiny_model_dir, tmp_path):
    """
    scripts/demo.sh end to end, started the way nohup or `cmd &` in a script start it.

    SIGINT is then ignored for good in the demo and everything it starts; ros2 launch and the
    node must still be gone when the script returns.
    """
    marker = f'DEPTH_SR_DEMO_TEST={os.getpid()}-{time.monotonic_ns()}'
    # a user's shell: without the library path the PyPI ROS wheels' bootstrap set for this test's
    # Python (maybe the Jazzy venv) and its done-flag, which would break the Kilted .venv's
    env = {k: v for k, v in os.environ.items()
           if k not in ('LD_LIBRARY_PATH', 'PYTHONPATH', 'VIRTUAL_ENV', 'AMENT_PREFIX_PATH')
           and not k.startswith('_ROS_WHEELS')}
    env.update({'DEMO_MODEL': str(tiny_model_dir), 'DEMO_OUT': str(tmp_path / 'out'),
                marker.split('=')[0]: marker.split('=')[1]})
    out = subprocess.run(
        ['bash', str(ROOT / 'scripts' / 'demo.sh'), '--frames', '8', '--width', '32',
         '--height', '24', '--connect-timeout', '60'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=400,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert out.returncode == 0, (out.stdout[-2000:], out.stderr[-2000:])
    assert (tmp_path / 'out' / 'before_after.png').is_file()
    deadline = time.monotonic() + 5      # an exiting process may linger a moment as a zombie
    while _processes_with_env(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _processes_with_env(marker)
    for pid in left:             # not to leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, out.stdout[-2000:]
