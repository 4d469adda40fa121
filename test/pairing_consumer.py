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
Check, as an outside consumer, that depth_sr_node serves every image with its CameraInfo.

Starts depth_sr_node as its own process (plain executable, `ros2 run` or `ros2 launch`) with a
clean environment (no Fast DDS profile variable) and sensor namespaces [front, rear]; this
process is both the sensors and the consumer, subscribed like RViz / depth_image_proc (reliable,
keep last 50, Fast DDS's default transports). It drives the node through behaviour groups (size
changes, encoding changes, rejected frames, a burst, a publisher restart, two sensors at once,
large frames) and reports, per group, the images served and those without a CameraInfo of the
same stamp whose size and K/P are the input's scaled by 4.

Used by test/test_output_pairing.py; also a CLI for repeated runs by hand:

  .venv/bin/python test/pairing_consumer.py --mode exe --runs 5 [--model DIR]
"""
import os
from pathlib import Path
import signal
import subprocess
import sys
import tempfile
import threading
import time

# A consumer with Fast DDS's defaults, like a user's RViz: no profile, nothing from the caller.
TRANSPORT_ENV = ('FASTDDS_DEFAULT_PROFILES_FILE', 'RMW_FASTRTPS_USE_QOS_FROM_XML',
                 'RMW_FASTRTPS_PUBLICATION_MODE', 'FASTDDS_BUILTIN_TRANSPORTS',
                 'FASTRTPS_DEFAULT_PROFILES_FILE', 'ROS_DISABLE_LOANED_MESSAGES',
                 'DEPTH_SR_FASTDDS_PROFILE')
for _name in TRANSPORT_ENV:
    os.environ.pop(_name, None)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from depth_sr_ros.ros.camera_info import scale_camera_info  # noqa: E402
from depth_sr_ros.ros.conversions import array_to_image, mm_to_m  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
import numpy as np  # noqa: E402
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy  # noqa: E402
from ros_helpers import camera_info, header, Probe, ramp_depth_mm, wait_for  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODES = ('exe', 'ros2_run', 'ros2_launch')
SCALE = 4
SENSORS = ('front', 'rear')
CONSUMER_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=50,
                          reliability=ReliabilityPolicy.RELIABLE)
GROUPS = ('sizes', 'encodings', 'rejected', 'burst', 'restart', 'two_sensors', 'large_vga',
          'large_960')
# Resets SIGINT to its default before exec'ing the node, so "Ctrl-C" stops it even when this
# process was started as a background job (SIGINT ignored, inherited across exec).
SIGINT_DEFAULT = ('import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); '
                  'os.execv(sys.argv[1], sys.argv[1:])')


def node_command(mode, model, params_file):
    """Return the argv that starts depth_sr_node in ``mode`` (None when it is unavailable)."""
    node_args = ['--ros-args', '--params-file', str(params_file)]
    if mode == 'exe':
        return [str(BIN / 'depth_sr_node'), *node_args]
    ros2 = BIN / 'ros2'
    if not ros2.exists():
        return None
    if mode == 'ros2_run':
        return [str(ros2), 'run', 'depth_sr_ros', 'depth_sr_node', *node_args]
    return [str(ros2), 'launch', 'depth_sr_ros', 'sr.launch.py', f'params_file:={params_file}']


def write_params(path, model):
    import yaml
    path.write_text(yaml.safe_dump({'/**': {'ros__parameters': {
        'model': str(model), 'torch_threads': 1, 'input_namespaces': list(SENSORS),
        'no_input_warning': 60.0, 'diagnostics_period': 5.0}}}))


def _segment_names(maps):
    """Return the Fast DDS shared-memory segment files named in a /proc/<pid>/maps text."""
    names = []
    for line in maps.splitlines():
        name = line.rsplit(' ', 1)[-1]
        base = os.path.basename(name)
        if (name.startswith('/dev/shm/') and base.startswith(('fastdds_', 'fastrtps_'))
                and '_port' not in base and not base.endswith('_el')):
            names.append(name)
    return names


class NodeProcess:
    """depth_sr_node in its own process group, output in a temporary file."""

    def __init__(self, argv, extra_env=None):
        env = {k: v for k, v in os.environ.items() if k not in TRANSPORT_ENV}
        env.update(OMP_NUM_THREADS='1', OMP_WAIT_POLICY='PASSIVE', **(extra_env or {}))
        self.log = tempfile.TemporaryFile(mode='w+')
        self.proc = subprocess.Popen([sys.executable, '-c', SIGINT_DEFAULT, *argv], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def node_pid(self):
        """
        Return the pid of the depth_sr_node process in the group.

        ros2 run / launch start it as a child.
        """
        for pid in os.listdir('/proc'):
            try:
                if not pid.isdigit() or os.getpgid(int(pid)) != self.proc.pid:
                    continue
                argv = Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')
            except (OSError, ProcessLookupError):
                continue
            if any(a.endswith(b'/depth_sr_node') for a in argv[:2]):
                return int(pid)
        return None

    def shm_segments(self, peers=()):
        """
        Return the sizes (bytes) of the node's own Fast DDS shared-memory segments.

        A reader maps its writers' segments too: ``peers`` (this process's own segments, the
        sensors', with Fast DDS's defaults) are left out. Fast DDS 3.x names them
        /dev/shm/fastdds_<id>, 2.x fastrtps_<id>.
        """
        pid = self.node_pid()
        sizes = set()
        try:
            maps = Path(f'/proc/{pid}/maps').read_text() if pid else ''
        except OSError:
            maps = ''
        for name in _segment_names(maps):
            if name not in peers:
                try:
                    sizes.add(os.path.getsize(name))
                except OSError:
                    pass
        return sorted(sizes)

    def stop(self):
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        return self.proc.poll()


class Consumer:
    """Sensor publishers and output subscriptions of both namespaces on one probe node."""

    def __init__(self, probe):
        self.probe = probe
        self.lock = threading.Lock()
        self.images = {}   # (ns, sec) -> (width, height, encoding, receive time)
        self.infos = {}    # (ns, sec) -> (CameraInfo, receive time)
        self.pubs = {ns: self._publishers(ns) for ns in SENSORS}
        self.subs = []
        self.node_counts = {}  # input topic -> the node's own counters (/diagnostics)
        probe.probe.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)
        for ns in SENSORS:
            self.subs.append(probe.probe.create_subscription(
                Image, f'{ns}/depth_sr/image_raw', self._keep_image(ns), CONSUMER_QOS))
            self.subs.append(probe.probe.create_subscription(
                CameraInfo, f'{ns}/depth_sr/camera_info', self._keep_info(ns), CONSUMER_QOS))

    def _publishers(self, ns):
        return (self.probe.publisher(Image, f'{ns}/depth/image_raw'),
                self.probe.publisher(CameraInfo, f'{ns}/depth/camera_info'))

    def _keep_image(self, ns):
        def cb(msg):
            with self.lock:
                self.images[(ns, msg.header.stamp.sec)] = (msg.width, msg.height, msg.encoding,
                                                           time.monotonic())
        return cb

    def _on_diag(self, msg):
        for status in msg.status:
            values = {kv.key: kv.value for kv in status.values}
            if 'input_topic' in values:
                with self.lock:
                    self.node_counts[values['input_topic']] = {
                        k: values.get(k) for k in ('frames_received', 'frames_published',
                                                   'frames_dropped')}

    def _keep_info(self, ns):
        def cb(msg):
            with self.lock:
                self.infos[(ns, msg.header.stamp.sec)] = (msg, time.monotonic())
        return cb

    def matched(self, timeout):
        pubs = [p for pair in self.pubs.values() for p in pair]
        return wait_for(lambda: all(p.get_subscription_count() for p in pubs)
                        and all(s.get_publisher_count() for s in self.subs), timeout)

    def restart_publishers(self, ns):
        """Destroy and recreate one sensor's publishers (a driver restart)."""
        for pub in self.pubs[ns]:
            self.probe.probe.destroy_publisher(pub)
        self.pubs[ns] = self._publishers(ns)
        wait_for(lambda: all(p.get_subscription_count() for p in self.pubs[ns]), 20)

    def send(self, ns, sec, image, width, height):
        """Send a CameraInfo (pinhole, for width x height), then the image, stamped ``sec``."""
        hdr = header(sec)
        image.header = hdr
        pub_img, pub_info = self.pubs[ns]
        pub_info.publish(camera_info(width, height, hdr))
        time.sleep(0.005)
        pub_img.publish(image)

    def served(self, ns, sec):
        with self.lock:
            return (ns, sec) in self.images


def depth_image(width, height, kind='16UC1'):
    """
    Return a ramp depth Image of one of the encodings the node takes.

    Also the variants it must decode: big-endian, padded rows.
    """
    mm = ramp_depth_mm(width, height)
    if kind.startswith('32FC1'):
        msg = array_to_image(mm_to_m(mm), '32FC1')
    else:
        msg = array_to_image(mm, '16UC1')
    if kind.endswith('_be'):
        dtype = '>f4' if kind.startswith('32FC1') else '>u2'
        arr = mm_to_m(mm) if kind.startswith('32FC1') else mm
        msg.data = arr.astype(dtype).tobytes()
        msg.is_bigendian = True
    elif kind.endswith('_padded'):
        pad = 8
        rows = np.frombuffer(bytes(msg.data), np.uint8).reshape(height, msg.step)
        msg.data = np.hstack([rows, np.zeros((height, pad), np.uint8)]).tobytes()
        msg.step += pad
    return msg


def bad_image(cause):
    if cause == 'encoding':
        msg = array_to_image(ramp_depth_mm(160, 120), '16UC1')
        msg.encoding = 'rgb8'
    elif cause == 'too_large':
        msg = array_to_image(ramp_depth_mm(704, 480, hole=False), '16UC1')
    else:  # bad_length
        msg = array_to_image(ramp_depth_mm(160, 120), '16UC1')
        msg.data = bytes(msg.data)[:-10]
    return msg


class Drive:
    """Runs the behaviour groups; stamps are 1000 * (group index + 1) + frame."""

    def __init__(self, consumer, serve_timeout=8.0):
        self.c = consumer
        self.serve_timeout = serve_timeout
        self.sent = {g: [] for g in GROUPS}    # (ns, sec, width, height) of good frames
        self.missed = {g: 0 for g in GROUPS}   # paced frames not served after 3 tries
        self.next_sec = {}

    def _sec(self, group):
        base = 1000 * (GROUPS.index(group) + 1)
        sec = self.next_sec.get(group, base)
        self.next_sec[group] = sec + 1
        return sec

    def frame(self, group, ns='front', size=(160, 120), kind='16UC1', wait=True):
        """Send one good frame; with ``wait``, resend (new stamp) until it is served."""
        for _ in range(3):
            sec = self._sec(group)
            self.c.send(ns, sec, depth_image(*size, kind), *size)
            self.sent[group].append((ns, sec) + tuple(size))
            if not wait or wait_for(lambda: self.c.served(ns, sec), self.serve_timeout):
                return sec
        self.missed[group] += 1
        return None

    def bad(self, group, cause):
        sec = self._sec(group)
        msg = bad_image(cause)
        self.c.send('front', sec, msg, msg.width, msg.height)
        time.sleep(0.1)

    def run(self, groups=GROUPS):
        for group in groups:
            getattr(self, f'_{group}')()

    def _sizes(self):
        for size in ((160, 120), (200, 150), (83, 61), (160, 120)):
            for _ in range(2):
                self.frame('sizes', size=size)

    def _encodings(self):
        for kind in ('16UC1', '32FC1', '16UC1_be', '32FC1_be', '16UC1_padded', '16UC1'):
            self.frame('encodings', kind=kind)

    def _rejected(self):
        self.frame('rejected')
        for cause in ('encoding', 'too_large', 'bad_length'):
            self.bad('rejected', cause)
            self.frame('rejected')

    def _burst(self):
        for _ in range(10):
            self.frame('burst', wait=False)
            time.sleep(0.01)
        last = self.sent['burst'][-1][1]
        wait_for(lambda: self.c.served('front', last), self.serve_timeout)
        self.frame('burst')

    def _restart(self):
        self.frame('restart')
        self.c.restart_publishers('front')
        for _ in range(3):
            self.frame('restart')

    def _two_sensors(self):
        for _ in range(3):
            self.frame('two_sensors', ns='front', wait=False)
            self.frame('two_sensors', ns='rear', wait=False)
            sent = self.sent['two_sensors'][-2:]
            wait_for(lambda: all(self.c.served(ns, sec) for ns, sec, _, _ in sent),
                     self.serve_timeout)

    def _large_vga(self):
        for _ in range(3):
            self.frame('large_vga', size=(160, 120))

    def _large_960(self):
        for _ in range(3):  # both sensors at once: two 2.4 MB images back to back
            self.frame('large_960', ns='front', size=(320, 240), wait=False)
            self.frame('large_960', ns='rear', size=(320, 240), wait=False)
            sent = self.sent['large_960'][-2:]
            wait_for(lambda: all(self.c.served(ns, sec) for ns, sec, _, _ in sent),
                     self.serve_timeout)

    def report(self, settle=2.0):
        """{group: {'served': n, 'unpaired': [...], 'wrong': [...]}} after ``settle`` seconds."""
        time.sleep(settle)
        with self.c.lock:
            images, infos = dict(self.c.images), dict(self.c.infos)
        out = {}
        for group, frames in self.sent.items():
            if not frames:
                continue
            served = unpaired = 0
            wrong, lags = [], []
            for ns, sec, w, h in frames:
                if (ns, sec) not in images:
                    continue
                served += 1
                iw, ih, _, t_img = images[(ns, sec)]
                if (ns, sec) not in infos:
                    unpaired += 1
                    continue
                info, t_info = infos[(ns, sec)]
                lags.append(t_info - t_img)
                want, _ = scale_camera_info(camera_info(w, h, header(sec)), SCALE)
                size = (w * SCALE, h * SCALE)
                if ((info.width, info.height) != size or (iw, ih) != size
                        or not np.allclose(info.k, want.k) or not np.allclose(info.p, want.p)):
                    wrong.append(sec)
            out[group] = {'sent': len(frames), 'served': served, 'missed': self.missed[group],
                          'unpaired': unpaired,
                          'wrong': wrong, 'max_info_lag_s': round(max(lags, default=0.0), 3)}
        return out


def run_once(mode, model, tmp, extra_env=None, groups=GROUPS, settle=2.0):
    """
    Start the node in ``mode`` and drive the groups.

    Returns (report, node output, sizes of the shm segments the node maps), or None when the
    mode is unavailable.
    """
    params = Path(tmp) / 'pairing_params.yaml'
    write_params(params, model)
    argv = node_command(mode, model, params)
    if argv is None:
        return None
    node = NodeProcess(argv, extra_env)
    probe = Probe()
    # this process's own segments, before any data from the node maps the node's here too
    own = set(_segment_names(Path('/proc/self/maps').read_text()))
    try:
        consumer = Consumer(probe)
        if not consumer.matched(90):
            raise RuntimeError(f'node never matched the consumer:\n{node.output()}')
        drive = Drive(consumer)
        drive.run(groups)
        segments = node.shm_segments(peers=own)
        report = drive.report(max(settle, 5.5))  # past one diagnostics period (5 s)
        report['node_counts'] = dict(consumer.node_counts)
        return report, node.output(), segments
    finally:
        probe.close()
        node.stop()


def failures(report):
    """
    Return the failed groups.

    Those are groups with a served image lacking its CameraInfo (or with a wrong one), a paced
    frame never served, or nothing served.
    """
    return {
        g: r
        for g, r in report.items()
        if g in GROUPS and (r['unpaired'] or r['wrong'] or r['missed'] or r['served'] == 0)
    }


def main(argv=None):
    import argparse
    import json
    ap = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    ap.add_argument('--mode', choices=MODES, default='exe')
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--model', default=None, help='model dir (default: a tiny untrained x4)')
    ap.add_argument('--env', action='append', default=[], help='NAME=VALUE for the node')
    ap.add_argument('--groups', default=','.join(GROUPS))
    ap.add_argument('--settle', type=float, default=2.0, help='seconds to wait for late pairs')
    args = ap.parse_args(argv)
    extra_env = dict(kv.split('=', 1) for kv in args.env)
    clean = 0
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or tiny_model(Path(tmp))
        for i in range(args.runs):
            result = run_once(args.mode, model, tmp, extra_env, args.groups.split(','),
                              args.settle)
            if result is None:
                print(f'{args.mode}: unavailable (no {BIN / "ros2"})')
                return 0
            report, log, segments = result
            bad = failures(report)
            if not segments or min(segments) < 16 * 2**20:  # a 512 KB one too: not fixed
                bad['node_shm_segment'] = segments
            clean += not bad
            groups = [r for g, r in report.items() if g in GROUPS]
            total = {k: sum(r[k] for r in groups) for k in ('sent', 'served', 'unpaired')}
            print(json.dumps({'run': i + 1, 'mode': args.mode, 'clean': not bad, **total,
                              'node_shm_segments': segments, 'failed_groups': bad}), flush=True)
            start = [line for line in log.splitlines() if 'transport' in line.lower()]
            if start and i == 0:
                print('node:', start[0], flush=True)
            if bad:
                print('node counters (/diagnostics):', json.dumps(report['node_counts']))
                print('node log (warnings):', *[line for line in log.splitlines()
                                                if 'WARN' in line or 'ERROR' in line][-8:],
                      sep='\n  ', flush=True)
    print(f'{args.mode}: {clean} of {args.runs} runs clean')
    return 0 if clean == args.runs else 1


def tiny_model(tmp):
    """Return the tests' tiny untrained x4 model (test/conftest.py's recipe)."""
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
    import torch
    torch.manual_seed(0)
    net = DSRNet(DSRNetConfig(scale=4, channels=8, hr_channels=2, num_blocks=2, up_kernel=1))
    return save_model(tmp / 'tiny_x4', net, {'training_data': 'none (test model)'})


if __name__ == '__main__':
    sys.exit(main())
