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
The README's own commands for real.

`ros2 launch depth_sr_ros sr.launch.py` (every documented argument) and `ros2 run depth_sr_ros
...`, with the ros2 CLI built from ../shared/vendor/ros2 into .venv (scripts/setup_ros2_cli.sh).
Everything goes over real DDS in this process's isolated domain (test/ros_helpers.py); a probe
node in this process is the sensor and the consumer.

Each launch runs in its own process group, like a terminal job: "Ctrl-C" is SIGINT to the group.
"""
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import tempfile
import time

from depth_sr_ros.ros.conversions import array_to_image, image_to_array
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import pytest
from rclpy.qos import QoSProfile
from ros_helpers import camera_info, header, Probe, ramp_depth_mm, send_until_served, wait_for
from sensor_msgs.msg import CameraInfo, Image
import yaml

ROOT = Path(__file__).resolve().parents[1]
ROS2 = Path(sys.executable).parent / 'ros2'
pytestmark = pytest.mark.skipif(
    not ROS2.exists(),
    reason='no .venv/bin/ros2: ../shared/vendor/ros2 is absent, so scripts/setup_ros2_cli.sh '
    'could not build ros2 launch/run (on a ROS 2 distribution, source it instead)',
)
DEFAULT_QOS = QoSProfile(
    depth=10
)  # what a normal consumer (depth_image_proc, RViz) subscribes with
NOISE = ('Traceback', 'KeyboardInterrupt', 'exit code -2')


# Starts ros2 with SIGINT at its default, as from a terminal. A test run started as a background
# job of a script (as CI may start it) inherits SIGINT *ignored*, and Python - hence ros2 launch -
# keeps it ignored: "Ctrl-C" would then never reach launch.
SIGINT_DEFAULT = ('import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); '
                  'os.execv(sys.argv[1], sys.argv[1:])')


class Launched:
    """`ros2 <args>` in its own process group, output in a temporary file."""

    def __init__(self, *args, env=None):
        self.log = tempfile.TemporaryFile(mode='w+')
        full_env = dict(os.environ, OMP_WAIT_POLICY='PASSIVE', **(env or {}))
        self.proc = subprocess.Popen(
            [sys.executable, '-c', SIGINT_DEFAULT, str(ROS2), *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=full_env,
            cwd=ROOT,
        )
        self.pgid = self.proc.pid

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def group_alive(self):
        try:
            os.killpg(self.pgid, 0)
            return True
        except ProcessLookupError:
            return False

    def node_pids(self):
        return [int(p) for p in re.findall(r'process started with pid \[(\d+)\]', self.output())]

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f'ros2 still running after {timeout} s:\n{self.output()}')

    def interrupt(self, whole_group=True, timeout=40):
        """
        Send Ctrl-C (SIGINT to the process group) or SIGINT to ros2 launch alone.

        Returns the exit code.
        """
        if whole_group:
            os.killpg(self.pgid, signal.SIGINT)
        else:
            self.proc.send_signal(signal.SIGINT)
        return self.wait(timeout)

    def assert_no_orphans(self):
        pids = self.node_pids()
        assert wait_for(lambda: not self.group_alive(), 10), (
            f'processes left in the launch group:\n{self.output()}'
        )
        assert all(not Path(f'/proc/{p}').exists() for p in pids), f'node processes left: {pids}'

    def kill(self):
        if self.group_alive():
            os.killpg(self.pgid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def launch(*args, env=None):
    return Launched('launch', 'depth_sr_ros', 'sr.launch.py', *args, env=env)


def _check_pair(img, info, lr, scale, encoding='16UC1'):
    h, w = lr.shape
    assert (img.width, img.height, img.encoding) == (w * scale, h * scale, encoding)
    assert img.header.frame_id == 'depth_optical_frame'
    assert info is not None and info.header.stamp == img.header.stamp
    assert (info.width, info.height) == (w * scale, h * scale)
    src = camera_info(w, h, header(0))
    fx, cx, cy = src.k[0], src.k[2], src.k[5]
    np.testing.assert_allclose([info.k[0], info.k[2], info.k[5]],
                               [scale * fx, scale * (cx + 0.5) - 0.5, scale * (cy + 0.5) - 0.5])
    np.testing.assert_allclose(
        [info.p[0], info.p[2], info.p[6]], [info.k[0], info.k[2], info.k[5]]
    )


def _serve_a_ramp(
    probe,
    run,
    scale,
    inputs=('depth/image_raw', 'depth/camera_info'),
    outputs=('depth_sr/image_raw', 'depth_sr/camera_info'),
    encoding='16UC1',
    also=(),
):
    """
    Send a ramp frame until it is served; return (served image, LR frame).

    An outside client on the node's input and output topics (``also``: more collectors that
    must connect too) sends the frame and checks the image/CameraInfo pair.
    """
    pub_img = probe.publisher(Image, inputs[0])
    pub_info = probe.publisher(CameraInfo, inputs[1])
    out_img = probe.collect(Image, outputs[0], DEFAULT_QOS)
    out_info = probe.collect(CameraInfo, outputs[1], DEFAULT_QOS)
    assert probe.connected([pub_img, pub_info], [out_img, out_info, *also], timeout=90), (
        run.output()
    )
    lr = ramp_depth_mm(32, 24)
    img = send_until_served(pub_img, pub_info, out_img, lr, out_info)
    _check_pair(
        img, out_info.with_stamp(img.header.stamp.sec, timeout=5), lr, scale, encoding=encoding
    )
    return img, lr


def test_defaults_serve_an_outside_client_and_ctrl_c_is_clean_even_with_use_rviz_and_no_rviz2():
    run = launch('use_rviz:=true')
    probe = Probe()
    try:
        img, lr = _serve_a_ramp(probe, run, 4)
        sr = image_to_array(img)
        assert sr.max() <= lr.max() and (sr == 0).any()       # the invalid hole stays invalid (0)
    finally:
        probe.close()
        rc = run.interrupt(whole_group=True)
    text = run.output()
    assert rc == 0, text
    assert not any(n in text for n in NOISE), text
    assert 'process has finished cleanly' in text, text
    rviz = [line for line in text.splitlines() if 'rviz2' in line]
    assert len(rviz) == 1 and 'not installed' in rviz[0] and 'apt install' in rviz[0], text
    run.assert_no_orphans()


def test_every_launch_argument_does_what_it_says(tmp_path):
    """
    Check every launch argument in one launch, then SIGINT to ros2 launch alone.

    The arguments: model, namespace, params_file, output_encoding, input_namespaces (one bare
    name) and the input_topic / input_info_topic remaps.
    """
    params = tmp_path / 'params.yaml'
    params.write_text(
        yaml.safe_dump(
            {'/**': {'ros__parameters': {'publish_colorized': True, 'no_input_warning': 60.0}}}
        )
    )
    run = launch(
        'model:=x2',
        'namespace:=robot',
        f'params_file:={params}',
        'output_encoding:=32FC1',
        'input_namespaces:=front',
        'input_topic:=/cam/depth',
        'input_info_topic:=/cam/info',
    )
    probe = Probe()
    try:
        out_color = probe.collect(Image, '/robot/front/depth_sr/colorized', DEFAULT_QOS)
        img, lr = _serve_a_ramp(
            probe,
            run,
            2,
            inputs=('/cam/depth', '/cam/info'),
            outputs=('/robot/front/depth_sr/image_raw', '/robot/front/depth_sr/camera_info'),
            encoding='32FC1',
            also=(out_color,),
        )
        depth = image_to_array(img)
        assert (
            np.isnan(depth).any() and np.nanmax(depth) <= lr.max() / 1000 + 1e-3
        )  # metres, NaN invalid
        assert out_color.wait(1, timeout=10), (
            'params_file (publish_colorized: true) was not applied'
        )
    finally:
        probe.close()
        rc = run.interrupt(whole_group=False)
    text = run.output()
    assert rc == 0 and not any(n in text for n in NOISE), text
    run.assert_no_orphans()


def test_two_sensor_namespaces_relative_remap_matching_pairs_and_info_size_mismatch_diagnosed():
    """
    Serve two sensor namespaces with a relative input_topic remap.

    input_namespaces:="[front, rear]" with input_topic:=cam/depth (applied inside each sensor
    namespace); two 640x480 output streams reach a default-QoS consumer as complete pairs; a rear
    CameraInfo of another size is published scaled as received and counted in /diagnostics.
    """
    run = launch('input_namespaces:=[front, rear]', 'input_topic:=cam/depth')
    probe = Probe()
    try:
        pubs, outs = {}, {}
        for s in ('front', 'rear'):
            pubs[s] = (
                probe.publisher(Image, f'{s}/cam/depth'),
                probe.publisher(CameraInfo, f'{s}/depth/camera_info'),
            )
            outs[s] = (probe.collect(Image, f'{s}/depth_sr/image_raw', DEFAULT_QOS),
                       probe.collect(CameraInfo, f'{s}/depth_sr/camera_info', DEFAULT_QOS))
        diags = probe.collect(DiagnosticArray, '/diagnostics')
        assert probe.connected(
            [p for pair in pubs.values() for p in pair],
            [c for pair in outs.values() for c in pair] + [diags],
            timeout=90,
        ), run.output()
        lr = ramp_depth_mm(160, 120)
        send_until_served(*pubs['front'], outs['front'][0], lr)
        for rnd in range(3):              # bursts of 4 frames per sensor at 15 Hz
            for f in range(4):
                hdr = header(100 + rnd, f * 1000)
                for s in ('front', 'rear'):
                    pubs[s][1].publish(
                        camera_info(*((160, 120) if s == 'front' else (200, 150)), hdr)
                    )
                    pubs[s][0].publish(array_to_image(lr, '16UC1', hdr))
                time.sleep(1 / 15)
            time.sleep(1.0)
        time.sleep(2.5)                   # two diagnostics periods after the last frame

        def published(stream):
            for arr in reversed(diags.messages):
                for st in arr.status:
                    values = {kv.key: kv.value for kv in st.values}
                    if values.get('input_topic') == f'/{stream}/cam/depth':
                        return values, st
            return None, None
        for s in ('front', 'rear'):
            values, status = published(s)
            assert values is not None, f'no diagnostics for {s}'
            imgs = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in outs[s][0].messages}
            infos = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in outs[s][1].messages}
            n, no_info = int(values['frames_published']), int(values['frames_without_camera_info'])
            # every image the node published arrived, and every CameraInfo it published with one
            # (only a frame that came before any input CameraInfo goes out without)
            assert n >= 4 and len(imgs) == n and infos <= imgs and len(infos) == n - no_info, \
                (s, n, no_info, len(imgs), len(infos))
            assert no_info <= 1
            assert {(m.width, m.height) for m in outs[s][0].messages} == {(640, 480)}
        values, status = published('rear')
        assert (
            int(values['frames_camera_info_size_mismatch']) >= 1
            and 'another image size' in status.message
        )
        assert {(m.width, m.height) for m in outs['rear'][1].messages} == {(800, 600)}
        assert published('front')[0]['frames_camera_info_size_mismatch'] == '0'
    finally:
        probe.close()
        rc = run.interrupt()
    assert rc == 0, run.output()
    run.assert_no_orphans()


VGA_PUBLISHER = r"""
import sys, time
import numpy as np, rclpy
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image
from depth_sr_ros.ros.conversions import array_to_image
rclpy.init()
node = rclpy.create_node('vga_sensor')
pub_img = node.create_publisher(Image, 'depth/image_raw', qos_profile_sensor_data)
pub_info = node.create_publisher(CameraInfo, 'depth/camera_info', qos_profile_sensor_data)
depth = np.rint(
    np.linspace(1000, 3000, 640, dtype=np.float32)[None, :] + np.zeros((480, 1), np.float32)
).astype(np.uint16)
for sec in range(1, 1000):
    img = array_to_image(depth, '16UC1', None)
    img.header.stamp.sec, img.header.frame_id = sec, 'depth_optical_frame'
    info = CameraInfo(header=img.header, width=640, height=480, distortion_model='plumb_bob')
    info.k = [512.0, 0.0, 319.5, 0.0, 512.0, 239.5, 0.0, 0.0, 1.0]
    pub_info.publish(info)
    pub_img.publish(img)
    time.sleep(0.2)
"""


def test_best_effort_vga_input_from_another_process_is_served_and_empty_namespace_list_works():
    """
    Serve a sensor process publishing 640x480 16UC1 best effort (sensor-data QoS, as drivers do).

    The sensor uses the shipped Fast DDS profile, as docs/NODE.md tells users to set; the launch
    gives it to the node. input_namespaces:="[]" means the node's own namespace.
    """
    from depth_sr_ros.ros.transport_profile import fastdds_major, profile_variables
    profile = {name: str(ROOT / 'config/fastdds_shm.xml')  # the name this Fast DDS reads
               for name in profile_variables(fastdds_major(os.environ))}
    run = launch('model:=x2', 'input_namespaces:=[]')
    sensor = subprocess.Popen(
        [sys.executable, '-c', VGA_PUBLISHER],
        env=dict(os.environ, **profile),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    probe = Probe()
    try:
        out_info = probe.collect(CameraInfo, 'depth_sr/camera_info', DEFAULT_QOS)
        out_img = probe.collect(Image, 'depth_sr/image_raw', DEFAULT_QOS)
        assert out_info.wait(1, timeout=120), f'no VGA frame served:\n{run.output()}'
        assert (out_info.messages[0].width, out_info.messages[0].height) == (1280, 960)
        img = out_img.wait(1, timeout=20)
        assert img and (img[0].width, img[0].height, img[0].encoding) == (1280, 960, '16UC1')
    finally:
        probe.close()
        sensor.terminate()
        sensor.wait(timeout=20)
        rc = run.interrupt()
    assert rc == 0, run.output()
    run.assert_no_orphans()


def _lifecycle_state(probe, timeout=60, attempts=6):
    """
    Ask the node's get_state service.

    The request is repeated (it is idempotent): under load, a call made as soon as
    wait_for_service returns can go unanswered when the service's reply writer has not yet
    discovered this client's reply reader (seen once in a full-suite run).
    """
    from lifecycle_msgs.srv import GetState
    client = probe.probe.create_client(GetState, '/depth_sr_node/get_state')
    assert client.wait_for_service(timeout_sec=timeout)
    for _ in range(attempts):
        future = client.call_async(GetState.Request())
        if wait_for(future.done, 10):
            return future.result().current_state.label
        client.remove_pending_request(future)
    raise AssertionError(f'get_state: no answer to {attempts} requests')


def test_lifecycle_launch_drives_the_managed_node_to_active_or_leaves_it_to_a_manager():
    """
    lifecycle:=true: configured and activated by the launch, or left to a manager.

    Configured and activated by the launch: frames served; the lazy:=false argument reaches the
    node as a boolean. With autostart:=false it waits unconfigured (no model loaded, no output
    topic).
    """
    run = launch('lifecycle:=true', 'model:=x2', 'lazy:=false')
    probe = Probe()
    try:
        diags = probe.collect(DiagnosticArray, '/diagnostics')
        _serve_a_ramp(probe, run, 2)
        assert _lifecycle_state(probe) == 'active'
        assert wait_for(lambda: diags.messages, 10)
        assert {kv.key: kv.value for kv in diags.messages[-1].status[0].values}['lazy'] == 'False'
    finally:
        probe.close()
        rc = run.interrupt()
    text = run.output()
    assert rc == 0 and not any(n in text for n in NOISE), text
    assert 'depth_sr_lifecycle_node' in text
    run.assert_no_orphans()
    run = launch('lifecycle:=true', 'autostart:=false', 'model:=x2')
    probe = Probe()
    try:
        assert _lifecycle_state(probe) == 'unconfigured'
        time.sleep(1.0)
        assert _lifecycle_state(probe) == 'unconfigured'
        assert probe.probe.count_publishers('/depth_sr/image_raw') == 0
    finally:
        probe.close()
        rc = run.interrupt()
    assert rc == 0 and not any(n in run.output() for n in NOISE), run.output()
    run.assert_no_orphans()


def test_bad_model_ends_the_launch_nonzero_with_the_nodes_one_line_error():
    run = launch('model:=does_not_exist')
    rc = run.wait(timeout=120)
    text = run.output()
    assert rc != 0, text
    errors = [line for line in text.splitlines() if 'depth_sr_node: error:' in line]
    assert len(errors) == 1 and "'does_not_exist'" in errors[0], text
    assert 'Traceback' not in text and 'exited with code 2' in text, text
    run.assert_no_orphans()


def test_absolute_input_topic_with_several_sensor_namespaces_is_refused_clearly():
    run = launch('input_namespaces:=[front, rear]', 'input_topic:=/cam/depth')
    rc = run.wait(timeout=60)
    text = run.output()
    assert rc != 0 and 'input_topic:=/cam/depth is absolute' in text and 'relative' in text, text
    assert 'process started' not in text
    run.assert_no_orphans()


def test_ros2_run_depth_sr_node_and_ros2_pkg():
    prefix = subprocess.run(
        [str(ROS2), 'pkg', 'prefix', 'depth_sr_ros'], capture_output=True, text=True, timeout=60
    )
    assert prefix.returncode == 0 and Path(prefix.stdout.strip()) == Path(sys.prefix), prefix
    run = Launched('run', 'depth_sr_ros', 'depth_sr_node', '--ros-args', '-p', 'model:=x2')
    probe = Probe()
    try:
        _serve_a_ramp(probe, run, 2)
    finally:
        probe.close()
        rc = run.interrupt()
    assert rc == 0 and 'Traceback' not in run.output(), run.output()


def test_ros2_run_train_from_bag(tmp_path):
    from bag_factory import write_rgbd_bag
    help_run = subprocess.run([str(ROS2), 'run', 'depth_sr_ros', 'train_from_bag', '--help'],
                              capture_output=True, text=True, timeout=60)
    flat = ' '.join(help_run.stdout.split())
    assert help_run.returncode == 0 and '--max-steps' in flat
    assert '(default: None)' not in flat and not re.search(r'default[^()]*\)\s*\(default', flat), (
        flat
    )
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, n=12, size=(64, 48))
    out = tmp_path / 'model'
    train = subprocess.run(
        [
            str(ROS2),
            'run',
            'depth_sr_ros',
            'train_from_bag',
            '--bag',
            str(bag),
            '--out',
            str(out),
            '--scale',
            '4',
            '--max-steps',
            '3',
            '--dedup',
            '0',
            '--quiet',
            '--cache-dir',
            str(tmp_path / 'cache'),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, OMP_WAIT_POLICY='PASSIVE'),
    )
    assert train.returncode == 0, train.stdout + train.stderr
    assert (out / 'model.safetensors').is_file() and (out / 'report.json').is_file()
    from depth_sr_ros.inference import DepthSuperResolver
    assert DepthSuperResolver.load(out).scale == 4
