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
End-to-end latency and sustained rate of depth_sr_node over real DDS, then an overload phase.

Beside the bare model and OpenCV bicubic measured in the same run; the overload phase feeds 2x
the sustainable rate.
Results: benchmarks/results/node_latency*.json (docs/research/node_performance.md).

The node runs as a real process (`depth_sr_node`), this script is the sensor and the consumer:
it publishes 16UC1 + CameraInfo with sensor-data QoS and receives depth_sr/image_raw. Latency =
receive wall time - header stamp (same machine clock). Figures:
  * unloaded latency: one frame in flight at a time (median / p90),
  * max sustained rate: output rate while frames arrive faster than the node can serve them,
  * at 15 Hz (160x120 only, the sensor rate of the issue's target),
  * overload: input at 2x the sustained rate for --overload-seconds: latency per window, frames
    dropped (not queued), node RSS start/end, node still alive.
Prints a table and writes benchmarks/results/node_latency.json (atomically).

  .venv/bin/python benchmarks/node_latency.py [--model x4|PATH] [--overload-seconds 60]
      [--node-param edge_mode:=invalidate --node-param publish_confidence:=true]
"""
import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import threading
import time

# Same OpenMP wait policy the node sets for itself (see depth_sr_ros/ros/node.py), so the bare
# model timing below is measured like the node runs; must be set before torch loads.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

from depth_sr_ros.atomic import write_text_atomic  # noqa: E402
# E402: the line below loads torch, so it must follow the environment setting above.
from depth_sr_ros.inference.precision import CPU_PRECISIONS, resolve_cpu_precision  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = ((160, 120), (320, 240))


def rss_mb(pid):
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float('nan')


def stats_ms(values):
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return {'n': 0}
    return {'n': int(v.size), 'median': float(np.median(v)), 'p90': float(np.percentile(v, 90)),
            'max': float(v.max())}


def conversion_timings(repeats=20):
    """Return median ms of numpy -> Image and back for SR-sized outputs (no per-pixel Python)."""
    from depth_sr_ros.ros.conversions import array_to_image, image_to_array
    out = {}
    for w, h in ((640, 480), (1280, 960)):
        for enc, arr in (
            ('16UC1', np.full((h, w), 1234, np.uint16)),
            ('32FC1', np.full((h, w), 1.5, np.float32)),
        ):
            msg = array_to_image(arr, enc)
            for name, fn in (
                ('to_msg', lambda: array_to_image(arr, enc)),
                ('from_msg', lambda: image_to_array(msg)),
            ):
                t = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    fn()
                    t.append((time.perf_counter() - t0) * 1e3)
                out[f'{w}x{h} {enc} {name}'] = float(np.median(t))
    return out


def bare_timings(model, width, height, frame, repeats, threads, cpu_precision='auto'):
    """Median ms of DepthSuperResolver.upsample and cv2.resize bicubic on the same frame."""
    import cv2
    from depth_sr_ros.inference import DepthSuperResolver
    import torch
    if threads:
        torch.set_num_threads(threads)
    r = DepthSuperResolver.load(model, device='cpu', cpu_precision=cpu_precision)
    for _ in range(3):  # trace, then the TorchScript profiling runs
        r.upsample(frame)
    s = r.scale

    def med(fn):
        t = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            t.append((time.perf_counter() - t0) * 1e3)
        return float(np.median(t))
    return {'upsample_ms': med(lambda: r.upsample(frame)),
            'cv2_bicubic_ms': med(lambda: cv2.resize(frame, (width * s, height * s),
                                                     interpolation=cv2.INTER_CUBIC)),
            'scale': s, 'model_id': r.model_id}


class Sensor:
    """Publishes depth frames, records when each super-resolved frame comes back."""

    def __init__(self):
        from diagnostic_msgs.msg import DiagnosticArray
        import rclpy
        from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
        from sensor_msgs.msg import CameraInfo, Image
        rclpy.init()
        self.node = rclpy.create_node('depth_sr_benchmark')
        self.pub_img = self.node.create_publisher(
            Image, 'depth/image_raw', qos_profile_sensor_data
        )
        self.pub_info = self.node.create_publisher(
            CameraInfo, 'depth/camera_info', qos_profile_sensor_data
        )
        rel = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.sub = self.node.create_subscription(Image, 'depth_sr/image_raw', self._on_out, rel)
        self.diag = None
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, rel)
        self.lock = threading.Lock()
        self.received = {}  # stamp ns -> receive wall time
        self.thread = threading.Thread(target=self._spin, daemon=True)
        self.thread.start()

    def _spin(self):
        import rclpy
        try:
            rclpy.spin(self.node)
        except Exception:
            pass

    def _on_out(self, msg):
        t = time.time()
        with self.lock:
            self.received[msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec] = t

    def _on_diag(self, msg):
        for st in msg.status:
            if 'depth_sr_node' in st.name:
                self.diag = {kv.key: kv.value for kv in st.values}

    def wait_connected(self, proc, timeout=120):
        end = time.monotonic() + timeout
        while not (self.pub_img.get_subscription_count() and self.sub.get_publisher_count()):
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit('depth_sr_node did not come up (see its error above)')
            time.sleep(0.05)
        time.sleep(0.5)

    def send(self, msgs):
        """Publish (info, image) with a fresh stamp; returns the stamp in ns."""
        now = time.time()
        info, img = msgs
        info.header.stamp.sec = img.header.stamp.sec = int(now)
        info.header.stamp.nanosec = img.header.stamp.nanosec = int((now % 1) * 1e9)
        self.pub_info.publish(info)
        self.pub_img.publish(img)
        return img.header.stamp.sec * 10**9 + img.header.stamp.nanosec

    def latency_ms(self, stamps):
        with self.lock:
            return [(self.received[k] - k / 1e9) * 1e3 for k in stamps if k in self.received]

    def closed_loop(self, frames, n, timeout=10.0):
        """One frame in flight: latencies without queueing or contention from the next frame."""
        out = []
        for i in range(n):
            k = self.send(frames[i % len(frames)])
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                with self.lock:
                    if k in self.received:
                        break
                time.sleep(0.001)
            out += self.latency_ms([k])
            time.sleep(0.02)
        return out

    def open_loop(self, frames, rate, seconds, on_tick=None):
        """Publish at ``rate`` for ``seconds``; return [(send time, stamp)] and the output rate."""
        sent, period, start = [], 1.0 / rate, time.monotonic()
        i = 0
        while True:
            due = start + i * period
            if due - start >= seconds:
                break
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent.append((time.monotonic() - start, self.send(frames[i % len(frames)])))
            if on_tick:
                on_tick(time.monotonic() - start)
            i += 1
        time.sleep(1.0)
        with self.lock:
            times = sorted(self.received[k] for _, k in sent if k in self.received)
        rate_out = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        return sent, rate_out

    def close(self):
        import rclpy
        self.node.destroy_node()
        rclpy.try_shutdown()
        self.thread.join(timeout=5)


def make_frames(width, height, n=8):
    from depth_sr_ros.data.synthetic import render_frame, to_uint16_mm
    from depth_sr_ros.ros.conversions import array_to_image
    from depth_sr_ros.ros.demo_player import _camera_info
    from std_msgs.msg import Header
    out, arrays = [], []
    for i in range(n):
        f = render_frame(width, height, seed=1, t=i / 15.0)
        d = to_uint16_mm(f)
        hdr = Header(frame_id='depth_optical_frame')
        out.append((_camera_info(f.K, width, height, hdr), array_to_image(d, '16UC1', hdr)))
        arrays.append(d)
    return out, arrays


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.lstrip().splitlines()[0])
    p.add_argument('--model', default='x4', help='bundled name or exported model path')
    p.add_argument('--overload-seconds', type=float, default=60.0)
    p.add_argument('--saturation-seconds', type=float, default=10.0)
    p.add_argument('--closed-loop-frames', type=int, default=30)
    p.add_argument(
        '--torch-threads', type=int, default=0, help='node and bare model; 0 = torch default'
    )
    p.add_argument(
        '--cpu-precision',
        default='auto',
        choices=CPU_PRECISIONS,
        help="node and bare model (the node's cpu_precision parameter; default as the node's)",
    )
    p.add_argument('--node-param', action='append', default=[], metavar='NAME:=VALUE',
                   help='extra node parameter, repeatable (e.g. edge_mode:=invalidate '
                        'publish_confidence:=true: the node publishes and times them too)')
    p.add_argument('--out', default=str(ROOT / 'benchmarks/results/node_latency.json'))
    args = p.parse_args(argv)
    from tqdm import tqdm

    os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    exe = str(Path(sys.executable).parent / 'depth_sr_node')
    node = subprocess.Popen(
        [
            exe,
            '--ros-args',
            '-p',
            f'model:={args.model}',
            '-p',
            f'torch_threads:={args.torch_threads}',
            '-p',
            'max_input_pixels:=1000000',
            '-p',
            f'cpu_precision:={args.cpu_precision}',
        ]
        + [a for param in args.node_param for a in ('-p', param)]
    )
    sensor = Sensor()
    results = {
        'model': args.model,
        'node_params': args.node_param,
        'torch_threads': args.torch_threads,
        'cpu_count': os.cpu_count(),
        'cpu_precision': f'{args.cpu_precision} -> {resolve_cpu_precision(args.cpu_precision)}',
        'omp_wait_policy': os.environ.get('OMP_WAIT_POLICY'),
        'load_average_start': os.getloadavg()[0],
        'sizes': {},
    }
    try:
        results['conversion_ms'] = conversion_timings()
        frames = {size: make_frames(*size) for size in SIZES}
        sensor.wait_connected(node)
        for (w, h) in SIZES:
            msgs, arrays = frames[(w, h)]
            bare = bare_timings(
                args.model, w, h, arrays[0], 20, args.torch_threads, args.cpu_precision
            )
            s = bare['scale']
            print(f'[bench] {w}x{h} -> {w * s}x{h * s}: closed loop ...', flush=True)
            closed = stats_ms(sensor.closed_loop(msgs, args.closed_loop_frames))
            flood = 1e3 / max(closed['median'], 1.0) * 3  # well above what the node can serve
            sent, sustained = sensor.open_loop(msgs, flood, args.saturation_seconds)
            row = {'output': f'{w * s}x{h * s}', **bare, 'latency_ms_unloaded': closed,
                   'max_sustained_hz': sustained, 'saturation_input_hz': flood,
                   'latency_ms_saturated': stats_ms(sensor.latency_ms([k for _, k in sent]))}
            if (w, h) == SIZES[0]:
                sent15, rate15 = sensor.open_loop(msgs, 15.0, args.saturation_seconds)
                row['at_15hz'] = {
                    'output_hz': rate15,
                    'sent': len(sent15),
                    'received': len(sensor.latency_ms([k for _, k in sent15])),
                    'latency_ms': stats_ms(sensor.latency_ms([k for _, k in sent15])),
                }
            results['sizes'][f'{w}x{h}'] = row
        # overload: 2x the sustainable rate at the small size for a minute
        msgs, _ = frames[SIZES[0]]
        rate = 2 * results['sizes'][f'{SIZES[0][0]}x{SIZES[0][1]}']['max_sustained_hz']
        rss = [(0.0, rss_mb(node.pid))]
        bar = tqdm(
            total=int(args.overload_seconds), desc=f'[bench] overload at {rate:.1f} Hz', unit='s'
        )

        def tick(t):
            if t - rss[-1][0] >= 5.0:
                rss.append((t, rss_mb(node.pid)))
            if int(t) > bar.n:
                bar.update(int(t) - bar.n)
        sent, out_rate = sensor.open_loop(msgs, rate, args.overload_seconds, tick)
        bar.close()
        rss.append((args.overload_seconds, rss_mb(node.pid)))
        windows = []
        edges = np.arange(0, args.overload_seconds + 1e-9, 10.0)
        for a, b in zip(edges[:-1], edges[1:]):
            keys = [k for t, k in sent if a <= t < b]
            windows.append({'from_s': float(a), 'to_s': float(b), 'sent': len(keys),
                            'latency_ms': stats_ms(sensor.latency_ms(keys))})
        received = len(sensor.latency_ms([k for _, k in sent]))
        results['overload'] = {
            'input_hz': rate,
            'seconds': args.overload_seconds,
            'sent': len(sent),
            'received': received,
            'dropped': len(sent) - received,
            'output_hz': out_rate,
            'windows': windows,
            'latency_ms': stats_ms(sensor.latency_ms([k for _, k in sent])),
            'rss_mb_start': rss[0][1],
            'rss_mb_end': rss[-1][1],
            'rss_mb_max': max(r for _, r in rss),
            'node_alive': node.poll() is None,
            'node_diagnostics': sensor.diag,
        }
    finally:
        sensor.close()
        if node.poll() is None:
            node.send_signal(2)
            try:
                node.wait(timeout=20)
            except subprocess.TimeoutExpired:
                node.kill()
    results['load_average_end'] = os.getloadavg()[0]
    report(results)
    out = Path(args.out)
    write_text_atomic(out, json.dumps(results, indent=2))
    print(f'[bench] wrote {out}')
    return 0


def report(r):
    print(
        f"\nmodel {r['model']} ({r.get('cpu_precision', 'fp32')}), {r['cpu_count']} CPUs, "
        f"torch threads {r['torch_threads'] or 'default'}, "
        f"1-min load average {r['load_average_start']:.1f} -> "
        f"{r.get('load_average_end', float('nan')):.1f}"
    )
    print(f"{'input -> output':<22}{'bare SR ms':>11}{'cv2 bicubic ms':>15}{'e2e median':>11}"
          f"{'e2e p90':>9}{'max rate Hz':>12}{'sat. p90 ms':>12}")
    for size, row in r['sizes'].items():
        lu, ls = row['latency_ms_unloaded'], row['latency_ms_saturated']
        print(
            f"{size + ' -> ' + row['output']:<22}{row['upsample_ms']:>11.1f}"
            f"{row['cv2_bicubic_ms']:>15.2f}"
            f"{lu.get('median', float('nan')):>11.1f}{lu.get('p90', float('nan')):>9.1f}"
            f"{row['max_sustained_hz']:>12.1f}{ls.get('p90', float('nan')):>12.1f}"
        )
        if 'at_15hz' in row:
            a = row['at_15hz']
            print(
                f"  at 15 Hz input: output {a['output_hz']:.1f} Hz, "
                f"{a['received']}/{a['sent']} frames, "
                f"latency median {a['latency_ms'].get('median', float('nan')):.1f} ms "
                f"p90 {a['latency_ms'].get('p90', float('nan')):.1f} ms"
            )
    if 'conversion_ms' in r:
        print(
            'Image <-> numpy ms: '
            + ', '.join(f'{k} {v:.2f}' for k, v in r['conversion_ms'].items())
        )
    o = r.get('overload')
    if o:
        print(
            f"overload {o['input_hz']:.1f} Hz for {o['seconds']:.0f} s: sent {o['sent']}, "
            f"published {o['received']} ({o['output_hz']:.1f} Hz), dropped {o['dropped']}; "
            f"latency median {o['latency_ms'].get('median', float('nan')):.1f} "
            f"p90 {o['latency_ms'].get('p90', float('nan')):.1f} "
            f"max {o['latency_ms'].get('max', float('nan')):.1f} ms; "
            f"RSS {o['rss_mb_start']:.0f} -> "
            f"{o['rss_mb_end']:.0f} MB (max {o['rss_mb_max']:.0f}); node alive: {o['node_alive']}"
        )
        for w in o['windows']:
            lat = w['latency_ms']
            print(
                f"  {w['from_s']:>4.0f}-{w['to_s']:<4.0f}s  sent {w['sent']:>4}  latency median "
                f"{lat.get('median', float('nan')):7.1f}  "
                f"p90 {lat.get('p90', float('nan')):7.1f} ms"
            )


if __name__ == '__main__':
    sys.exit(main())
