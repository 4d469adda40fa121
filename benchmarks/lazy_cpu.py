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
CPU time of depth_sr_node with nobody subscribed to its output, lazy:=false against lazy:=true.

lazy:=false runs every frame through the network (the behaviour before the lazy parameter);
both are measured in the same run.

The node runs as a real process (`depth_sr_node`); this script is the sensor: it publishes 16UC1
+ CameraInfo with sensor-data QoS at --rate Hz and subscribes only to /diagnostics (not an
output, so it does not wake a lazy node). Per run: start the node, wait until it subscribed,
--warmup seconds of input, then the node process's user+sys CPU time (/proc/<pid>/stat) over
--seconds of input, with the node's own counters (/diagnostics) over the same window as a check
(lazy:=true: frames received, none published). CPU time counts only the node's work, so it is
less sensitive to other load than wall time; still, run it on an idle machine.
Prints a table and writes benchmarks/results/lazy_cpu.json (atomically).

  .venv/bin/python benchmarks/lazy_cpu.py [--seconds 60] [--rate 15] [--size 160x120] [--model x4]
"""
import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import threading
import time

from depth_sr_ros.atomic import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    """Return user + system CPU time of process ``pid`` (all its threads) in seconds."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS   # utime, stime (fields 14, 15)


class Sensor:
    """Publishes depth frames at a fixed rate and keeps the node's latest /diagnostics values."""

    def __init__(self):
        from diagnostic_msgs.msg import DiagnosticArray
        import rclpy
        from rclpy.qos import qos_profile_sensor_data
        from sensor_msgs.msg import CameraInfo, Image
        rclpy.init()
        self.node = rclpy.create_node('lazy_cpu_benchmark')
        self.pub_img = self.node.create_publisher(Image, 'depth/image_raw',
                                                  qos_profile_sensor_data)
        self.pub_info = self.node.create_publisher(CameraInfo, 'depth/camera_info',
                                                   qos_profile_sensor_data)
        self.diag, self.diag_count = None, 0
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)
        self.thread = threading.Thread(target=self._spin, daemon=True)
        self.thread.start()

    def _spin(self):
        import rclpy
        try:
            rclpy.spin(self.node)
        except Exception:  # context shut down while spinning
            pass

    def _on_diag(self, msg):
        for st in msg.status:
            if 'depth_sr_node' in st.name:
                self.diag = {kv.key: kv.value for kv in st.values}
                self.diag_count += 1

    def wait_ready(self, proc, timeout=180):
        """Until the node subscribed to the input and published diagnostics."""
        end = time.monotonic() + timeout
        while not (self.pub_img.get_subscription_count() and self.diag_count):
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit('depth_sr_node did not come up (see its error above)')
            time.sleep(0.05)

    def counters(self, wait_s=1.5):
        """Return the node's cumulative frame counters from a /diagnostics message after now."""
        seen = self.diag_count
        end = time.monotonic() + wait_s + 5
        while self.diag_count < seen + 2 and time.monotonic() < end:  # a full period after now
            time.sleep(0.02)
        d = self.diag or {}
        return {
            k: int(d.get(k, 0))
            for k in ('frames_received', 'frames_published', 'frames_skipped_idle')
        }

    def stream(self, frames, rate, seconds):
        """Publish (CameraInfo, image) pairs, fresh stamps, at ``rate`` Hz; returns the count."""
        period, start, i = 1.0 / rate, time.monotonic(), 0
        while True:
            due = start + i * period
            if due - start >= seconds:
                return i
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            info, img = frames[i % len(frames)]
            now = time.time()
            info.header.stamp.sec = img.header.stamp.sec = int(now)
            info.header.stamp.nanosec = img.header.stamp.nanosec = int((now % 1) * 1e9)
            self.pub_info.publish(info)
            self.pub_img.publish(img)
            i += 1

    def close(self):
        import rclpy
        self.node.destroy_node()
        rclpy.try_shutdown()
        self.thread.join(timeout=5)


def run_once(sensor, frames, lazy, args):
    exe = str(Path(sys.executable).parent / 'depth_sr_node')
    node = subprocess.Popen([exe, '--ros-args', '-p', f'model:={args.model}',
                             '-p', f'torch_threads:={args.torch_threads}',
                             '-p', f'lazy:={str(lazy).lower()}', '-p', 'diagnostics_period:=0.5'])
    try:
        sensor.wait_ready(node)
        sensor.stream(frames, args.rate, args.warmup)
        before, cpu0, t0 = sensor.counters(), cpu_seconds(node.pid), time.monotonic()
        sent = sensor.stream(frames, args.rate, args.seconds)
        cpu1, t1 = cpu_seconds(node.pid), time.monotonic()
        after = sensor.counters()
    finally:
        if node.poll() is None:
            node.send_signal(2)
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                node.kill()
    cpu = cpu1 - cpu0
    return {'lazy': lazy, 'cpu_seconds': cpu, 'wall_seconds': t1 - t0,
            'cpu_percent_of_one_core': 100 * cpu / (t1 - t0), 'frames_sent': sent,
            **{k: after[k] - before[k] for k in after}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.lstrip().splitlines()[0])
    p.add_argument('--seconds', type=float, default=60.0, help='measured window per run')
    p.add_argument('--warmup', type=float, default=5.0, help='seconds of input before the window')
    p.add_argument('--rate', type=float, default=15.0, help='input frames per second')
    p.add_argument('--size', default='160x120', help='input WxH')
    p.add_argument('--model', default='x4', help='bundled name or exported model path')
    p.add_argument('--torch-threads', type=int, default=1, help="the node's torch_threads")
    p.add_argument('--repeats', type=int, default=1, help='runs per setting, alternating')
    p.add_argument('--out', default=str(ROOT / 'benchmarks/results/lazy_cpu.json'))
    args = p.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split('x'))

    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # as the node sets for itself
    os.environ.setdefault('ROS_DOMAIN_ID', str(100 + os.getpid() % 50))
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    sys.path.insert(0, str(ROOT / 'benchmarks'))
    from node_latency import make_frames
    frames, _ = make_frames(width, height)
    sensor = Sensor()
    results = {'command': ' '.join([Path(sys.executable).name, *sys.argv]), 'model': args.model,
               'input': f'{width}x{height} 16UC1 at {args.rate:g} Hz', 'seconds': args.seconds,
               'torch_threads': args.torch_threads, 'cpu_count': os.cpu_count(),
               'load_average_start': os.getloadavg()[0], 'runs': []}
    try:
        for _ in range(args.repeats):
            for lazy in (False, True):
                print(f'[bench] lazy:={str(lazy).lower()} for {args.seconds:g} s ...', flush=True)
                results['runs'].append(run_once(sensor, frames, lazy, args))
    finally:
        sensor.close()
    results['load_average_end'] = os.getloadavg()[0]
    for lazy in (False, True):
        runs = [r for r in results['runs'] if r['lazy'] is lazy]
        results[f'lazy_{str(lazy).lower()}_cpu_percent'] = \
            sum(r['cpu_percent_of_one_core'] for r in runs) / len(runs)
    results['cpu_ratio_lazy_true_to_false'] = (results['lazy_true_cpu_percent']
                                               / max(results['lazy_false_cpu_percent'], 1e-9))
    report(results)
    out = Path(args.out)
    write_text_atomic(out, json.dumps(results, indent=2) + '\n')
    print(f'[bench] wrote {out}')
    return 0


def report(r):
    print(f"\ndepth_sr_node, model {r['model']}, input {r['input']}, no output subscriber, "
          f"torch threads {r['torch_threads']}, {r['cpu_count']} CPUs, 1-min load average "
          f"{r['load_average_start']:.1f} -> {r['load_average_end']:.1f}")
    print(f"{'lazy':<7}{'window s':>9}{'CPU s':>8}{'CPU % of 1 core':>17}{'sent':>6}"
          f"{'received':>10}{'published':>11}{'skipped idle':>14}")
    for x in r['runs']:
        print(f"{str(x['lazy']).lower():<7}{x['wall_seconds']:>9.1f}{x['cpu_seconds']:>8.2f}"
              f"{x['cpu_percent_of_one_core']:>17.1f}{x['frames_sent']:>6}"
              f"{x['frames_received']:>10}{x['frames_published']:>11}"
              f"{x['frames_skipped_idle']:>14}")
    print(f"lazy:=true uses {100 * r['cpu_ratio_lazy_true_to_false']:.1f}% of the CPU time of "
          'lazy:=false')


if __name__ == '__main__':
    sys.exit(main())
