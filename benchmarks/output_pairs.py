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
Check whether a normal consumer gets matching image + CameraInfo pairs from depth_sr_node.

Results: --out, by convention benchmarks/results/output_pairs_<label>.json (docs/NODE.md, "QoS").

Starts depth_sr_node as a real process with input_namespaces [front, rear] (bundled x4 model:
160x120 in -> 640x480 out, so two VGA output streams) and acts as both sensors and a consumer
subscribed with ROS's default QoS (reliable, keep last 10), like depth_image_proc or RViz, with
Fast DDS's default transports. Each round publishes --burst frames per sensor at --rate Hz, then
pauses. Per stream it counts what the node says it published (/diagnostics frames_published)
against the images, CameraInfos and complete pairs (same stamp) the consumer received, plus the
output rate and the end-to-end latency (consumer receive time - input stamp, same clock).

--compare runs the node twice in one invocation: with Fast DDS's defaults
(DEPTH_SR_FASTDDS_PROFILE=none, what the node did before it applied its own profile) and as it
starts by default now (its own 16 MB shared-memory profile), so the cost of the fix is measured
against a baseline of the same run. Writes JSON to --out (atomically).

  .venv/bin/python benchmarks/output_pairs.py --label after [--rounds 10] [--fastdds-profile]
  .venv/bin/python benchmarks/output_pairs.py --label fix_cost --compare --rounds 10
"""
import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import threading
import time

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_LOCALHOST_ONLY', None)
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
# The consumer keeps Fast DDS's defaults (like a user's RViz) unless --fastdds-profile.
for _name in ('FASTDDS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE',
              'DEPTH_SR_FASTDDS_PROFILE'):
    os.environ.pop(_name, None)
# --compare: (label, environment given to the node)
VARIANTS = (('fastdds_defaults', {'DEPTH_SR_FASTDDS_PROFILE': 'none'}),
            ('node_profile', {}))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.lstrip().split('\n')[0])
    ap.add_argument('--label', required=True)
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--burst', type=int, default=4, help='frames per sensor per round')
    ap.add_argument('--rate', type=float, default=15.0)
    ap.add_argument('--fastdds-profile', action='store_true',
                    help='give this script (the consumer) config/fastdds_shm.xml too')
    ap.add_argument('--compare', action='store_true',
                    help='run the node with Fast DDS defaults, then with its own profile')
    ap.add_argument('--model', default='x4')
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args(argv)
    if args.fastdds_profile:
        from depth_sr_ros.ros import transport_profile
        major = transport_profile.fastdds_major(os.environ)
        for name in transport_profile.profile_variables(major):
            os.environ[name] = str(ROOT / 'config/fastdds_shm.xml')
    from depth_sr_ros.atomic import write_text_atomic

    variants = VARIANTS if args.compare else (('as_started', {}),)
    runs = {name: measure(args, env) for name, env in variants}
    result = {'label': args.label, 'consumer_fastdds_profile': args.fastdds_profile,
              'model': args.model, 'rounds': args.rounds, 'burst': args.burst,
              'rate_hz': args.rate, 'runs': runs}
    print(json.dumps(result, indent=1))
    if args.out:
        write_text_atomic(args.out, json.dumps(result, indent=1) + '\n')
    return 0


def measure(args, node_env):
    """One node process with ``node_env`` added to its environment; returns its figures."""
    from depth_sr_ros.ros.conversions import array_to_image
    from diagnostic_msgs.msg import DiagnosticArray
    import numpy as np
    import rclpy
    from rclpy.executors import MultiThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import QoSProfile
    from sensor_msgs.msg import CameraInfo, Image

    exe = str(Path(sys.executable).parent / 'depth_sr_node')
    node_proc = subprocess.Popen([exe, '--ros-args', '-p', f'model:={args.model}',
                                  '-p', 'input_namespaces:=[front, rear]',
                                  '-p', 'no_input_warning:=60.0'], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, **node_env))
    streams = ('front', 'rear')
    rclpy.init()
    probe = Node('pair_consumer')
    lock = threading.Lock()
    got = {s: {'image': {}, 'info': {}} for s in streams}   # stamp -> receive wall time (ns)
    published = {}

    def keep(stream, kind):
        def cb(msg):
            now = time.time_ns()
            with lock:
                got[stream][kind][(msg.header.stamp.sec, msg.header.stamp.nanosec)] = now
        return cb

    def on_diag(msg):
        for st in msg.status:
            values = {kv.key: kv.value for kv in st.values}
            for s in streams:
                if values.get('input_topic') == f'/{s}/depth/image_raw':
                    published[s] = int(values['frames_published'])

    default_qos = QoSProfile(depth=10)  # reliable, keep last 10, volatile: rclpy's default
    pubs, subs = {}, []
    for s in streams:
        pubs[s] = (probe.create_publisher(Image, f'{s}/depth/image_raw', default_qos),
                   probe.create_publisher(CameraInfo, f'{s}/depth/camera_info', default_qos))
        subs.append(probe.create_subscription(Image, f'{s}/depth_sr/image_raw', keep(s, 'image'),
                                              default_qos))
        subs.append(probe.create_subscription(CameraInfo, f'{s}/depth_sr/camera_info',
                                              keep(s, 'info'), default_qos))
    probe.create_subscription(DiagnosticArray, '/diagnostics', on_diag, 10)
    executor = MultiThreadedExecutor(num_threads=2)
    executor.add_node(probe)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        end = time.monotonic() + 120
        while not (all(p.get_subscription_count() for pair in pubs.values() for p in pair)
                   and all(sub.get_publisher_count() for sub in subs)):
            if time.monotonic() > end or node_proc.poll() is not None:
                err = node_proc.stderr.read() if node_proc.poll() is not None else ''
                raise SystemExit(f'node never matched: {err}')
            time.sleep(0.1)
        time.sleep(1.0)
        w, h = 160, 120
        depth = np.rint(np.linspace(1000, 3000, w, dtype=np.float32)[None, :]
                        + np.zeros((h, 1), np.float32)).astype(np.uint16)
        sent = 0
        t_first = time.time_ns()
        for r in range(args.rounds):
            for f in range(args.burst):
                stamp = time.time_ns()
                for s in streams:
                    img = array_to_image(depth, '16UC1', None)
                    img.header.stamp.sec, img.header.stamp.nanosec = divmod(stamp, 10**9)
                    img.header.frame_id = f'{s}_depth_optical_frame'
                    info = CameraInfo(header=img.header, width=w, height=h,
                                      distortion_model='plumb_bob')
                    info.k = [128.0, 0.0, 79.5, 0.0, 128.0, 59.5, 0.0, 0.0, 1.0]
                    info.p = [128.0, 0.0, 79.5, 0.0, 0.0, 128.0, 59.5, 0.0, 0.0, 0.0, 1.0, 0.0]
                    pubs[s][1].publish(info)
                    pubs[s][0].publish(img)
                sent += 1
                time.sleep(1.0 / args.rate)
            time.sleep(1.5)
        time.sleep(3.0)  # two diagnostics periods after the last frame
        with lock:
            report, latencies, last = {}, [], t_first
            for s in streams:
                images, infos = got[s]['image'], got[s]['info']
                for (sec, nsec), t in images.items():
                    latencies.append((t - (sec * 10**9 + nsec)) / 1e6)
                    last = max(last, t)
                report[s] = {'sent': sent, 'node_published': published.get(s),
                             'images_received': len(images), 'infos_received': len(infos),
                             'pairs_matched': len(images.keys() & infos.keys())}
    finally:
        executor.shutdown(timeout_sec=5)
        probe.destroy_node()
        rclpy.try_shutdown()
        node_proc.terminate()
        try:
            _, err = node_proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            node_proc.kill()
            _, err = node_proc.communicate()
    total_pub = sum(v['node_published'] or 0 for v in report.values())
    lat = np.asarray(latencies) if latencies else np.full(1, np.nan)
    busy_s = args.rounds * args.burst / args.rate  # time frames were arriving (pauses excluded)
    return {'node_env': node_env, 'streams': report,
            'transport': next((line.split('transport: ', 1)[1] for line in err.splitlines()
                               if 'transport: ' in line), None),
            'images_lost': total_pub - sum(v['images_received'] for v in report.values()),
            'infos_lost': total_pub - sum(v['infos_received'] for v in report.values()),
            'pairs_incomplete': total_pub - sum(v['pairs_matched'] for v in report.values()),
            'output_hz_per_stream': round(total_pub / len(streams) / busy_s, 2),
            'latency_ms': {'n': int(len(latencies)), 'median': round(float(np.median(lat)), 1),
                           'p90': round(float(np.percentile(lat, 90)), 1),
                           'max': round(float(lat.max()), 1)}}


if __name__ == '__main__':
    sys.exit(main())
