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
Best-effort large depth frames between two local processes: how many of them arrive.

With and without the shipped Fast DDS profile (config/fastdds_shm.xml): how many frames a
subscriber in another process receives.
Results: benchmarks/results/large_frames.json (docs/NODE.md, "Large frames").

A publisher process sends --frames 16UC1 frames of each size with sensor-data QoS (best effort,
keep last) at --rate Hz after discovery; this process subscribes with sensor-data QoS and counts.
No depth_sr_node involved: this is the transport alone. Writes JSON to --out (atomically).

  .venv/bin/python benchmarks/large_frames.py [--frames 60] \
      [--out benchmarks/results/large_frames.json]
"""
import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import threading

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / 'config/fastdds_shm.xml'
SIZES = ((512, 384), (640, 480), (1280, 960))

PUBLISHER = r"""
import sys, time
import numpy as np, rclpy
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image
from depth_sr_ros.ros.conversions import array_to_image
w, h, n, rate = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
rclpy.init()
node = rclpy.create_node('large_frame_sensor')
pub = node.create_publisher(Image, 'large/image_raw', qos_profile_sensor_data)
end = time.monotonic() + 60
while pub.get_subscription_count() == 0 and time.monotonic() < end:
    time.sleep(0.05)
time.sleep(1.0)  # let discovery settle on both sides
depth = np.full((h, w), 1500, np.uint16)
for i in range(n):
    img = array_to_image(depth, '16UC1', None)
    img.header.stamp.sec = i + 1
    pub.publish(img)
    time.sleep(1.0 / rate)
time.sleep(1.0)
node.destroy_node()
rclpy.shutdown()
"""


def measure(width, height, frames, rate, env):
    import rclpy
    from rclpy.context import Context
    from rclpy.qos import qos_profile_sensor_data
    from sensor_msgs.msg import Image
    got = set()
    lock = threading.Lock()
    ctx = Context()
    rclpy.init(context=ctx)
    node = rclpy.create_node('large_frame_consumer', context=ctx)

    def on_image(msg):
        with lock:
            got.add(msg.header.stamp.sec)
    node.create_subscription(Image, 'large/image_raw', on_image, qos_profile_sensor_data)
    from rclpy.executors import SingleThreadedExecutor
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(node)
    spin = threading.Thread(target=ex.spin, daemon=True)
    spin.start()
    pub = subprocess.Popen(
        [sys.executable, '-c', PUBLISHER, str(width), str(height), str(frames), str(rate)], env=env
    )
    try:
        pub.wait(timeout=120 + frames / rate)
    finally:
        if pub.poll() is None:
            pub.kill()
        ex.shutdown(timeout_sec=5)
        node.destroy_node()
        rclpy.try_shutdown(context=ctx)
    return len(got)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.lstrip().split('\n')[0])
    ap.add_argument('--frames', type=int, default=60)
    ap.add_argument('--rate', type=float, default=10.0)
    ap.add_argument('--profile', choices=['none', 'shipped'], default=None,
                    help='internal: run one configuration in this process')
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args(argv)
    if args.profile is not None:  # child: one configuration, results on stdout
        env = dict(os.environ)
        res = {f'{w}x{h}': measure(w, h, args.frames, args.rate, env) for w, h in SIZES}
        print(json.dumps(res), flush=True)
        # Seen here: with the profile, a process that created and shut down three rclpy contexts
        # in turn aborts in Fast DDS's static destructors at exit ('terminate called without an
        # active exception'), after all results are in. A process with one context (the node)
        # exits cleanly. Leave without running those destructors.
        os._exit(0)
    base = dict(
        os.environ,
        ROS_DOMAIN_ID=os.environ.get('ROS_DOMAIN_ID', str(150 + os.getpid() % 50)),
        ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST',
    )
    base.pop('ROS_LOCALHOST_ONLY', None)
    base.pop('FASTDDS_DEFAULT_PROFILES_FILE', None)
    result = {'frames_sent_per_size': args.frames, 'rate_hz': args.rate, 'received': {}}
    for profile in ('none', 'shipped'):
        env = dict(
            base,
            **({'FASTDDS_DEFAULT_PROFILES_FILE': str(PROFILE)} if profile == 'shipped' else {}),
        )
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                '--profile',
                profile,
                '--frames',
                str(args.frames),
                '--rate',
                str(args.rate),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        result['received'][profile] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=1))
    if args.out:
        from depth_sr_ros.atomic import write_text_atomic
        write_text_atomic(args.out, json.dumps(result, indent=1) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
