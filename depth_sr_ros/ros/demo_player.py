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
Demo depth sensor + viewer: plays a procedural scene into a running depth_sr_node over real DDS.

Renders HR frames of `depth_sr_ros.data.synthetic` (ground truth), makes the LR sensor frames
with the package's hole-aware degradation, publishes them at the sensor rate as 16UC1 + CameraInfo
(sensor-data QoS, like a driver), receives depth_sr/image_raw + camera_info, then writes a
before/after PNG (LR nearest, bicubic, SR, HR ground truth, one colour range) and prints
end-to-end latency (receive time - header stamp) and throughput. Used by scripts/demo.sh.
"""
import argparse
import os
from pathlib import Path
import sys
import threading
import time

from depth_sr_ros.atomic import atomic_path
from depth_sr_ros.data.degradation import downsample
from depth_sr_ros.data.synthetic import render_frame
from depth_sr_ros.pixel_grid import scale_principal_point
import numpy as np


def _lr_intrinsics(K_hr, s):
    """Inverse of the pixel-centre rule: intrinsics of the 1/s image the degradation makes."""
    K = np.array(K_hr, dtype=np.float64).reshape(3, 3)
    K[0, 0] /= s
    K[1, 1] /= s
    K[0, 2] = scale_principal_point(K[0, 2], 1.0 / s)
    K[1, 2] = scale_principal_point(K[1, 2], 1.0 / s)
    return K


def render_frames(n, width, height, scale, rate_hz, seed=0):
    """Render n (hr_m, hr_valid, lr_mm, K_lr) tuples of a smooth camera path (tqdm progress)."""
    from tqdm import tqdm
    frames = []
    for i in tqdm(range(n), desc='[demo] rendering scene', unit='frame'):
        f = render_frame(width * scale, height * scale, seed=seed, t=i / rate_hz, holes=True)
        lr, lv = downsample(f.depth, f.valid, scale, sampling='area')
        lr_mm = np.where(lv, np.clip(np.rint(lr * 1000), 1, 65535), 0).astype(np.uint16)
        frames.append((f.depth, f.valid, lr_mm, _lr_intrinsics(f.K, scale)))
    return frames


def _camera_info(K, width, height, hdr):
    from sensor_msgs.msg import CameraInfo
    info = CameraInfo(header=hdr, width=width, height=height, distortion_model='plumb_bob')
    info.d = [0.0] * 5
    info.k = K.reshape(-1).tolist()
    info.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    info.p = np.hstack([K, np.zeros((3, 1))]).reshape(-1).tolist()
    return info


def _alive(pid):
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def play(args):
    from depth_sr_ros.ros.compat import matched_publisher_count
    from depth_sr_ros.ros.conversions import array_to_image, image_to_array
    import rclpy
    from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import CameraInfo, Image
    from std_msgs.msg import Header

    frames = render_frames(args.frames, args.width, args.height, args.scale, args.rate, args.seed)
    rclpy.init()
    node = rclpy.create_node('depth_sr_demo_player')
    received, lock = {}, threading.Lock()   # stamp ns -> (receive wall time, Image)

    def on_image(msg):
        t = time.time()
        with lock:
            received[msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec] = (t, msg)

    out_qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    pub_img = node.create_publisher(Image, 'depth/image_raw', qos_profile_sensor_data)
    pub_info = node.create_publisher(CameraInfo, 'depth/camera_info', qos_profile_sensor_data)
    sub = node.create_subscription(Image, 'depth_sr/image_raw', on_image, out_qos)
    spinner = threading.Thread(target=_spin, args=(node,), daemon=True)
    spinner.start()
    try:
        print(f'[demo] waiting for depth_sr_node on {pub_img.topic_name} ...', flush=True)
        end = time.monotonic() + args.connect_timeout
        while not (pub_img.get_subscription_count() and matched_publisher_count(sub, node)):
            if not _alive(args.node_pid):
                print(
                    '[demo] depth_sr_node exited before it was ready (see its error above)',
                    file=sys.stderr,
                )
                return 1
            if time.monotonic() > end:
                print(
                    f'[demo] no depth_sr_node matched within {args.connect_timeout:.0f} s',
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.05)
        time.sleep(0.5)  # let the reverse (reliable) match settle too
        sent = {}
        period = 1.0 / args.rate
        print(
            f'[demo] playing {len(frames)} frames {args.width}x{args.height} 16UC1 '
            f'at {args.rate:g} Hz',
            flush=True,
        )
        start = time.monotonic()
        for i, (_, _, lr_mm, K) in enumerate(frames):
            delay = start + i * period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            now = time.time()
            hdr = Header(frame_id='depth_optical_frame')
            hdr.stamp.sec, hdr.stamp.nanosec = int(now), int((now % 1) * 1e9)
            pub_info.publish(_camera_info(K, args.width, args.height, hdr))
            pub_img.publish(array_to_image(lr_mm, '16UC1', hdr))
            sent[hdr.stamp.sec * 10**9 + hdr.stamp.nanosec] = i
        play_s = time.monotonic() - start
        time.sleep(1.0)  # trailing outputs
        with lock:
            got = {k: v for k, v in received.items() if k in sent}
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        spinner.join(timeout=5)
    if not got:
        print('[demo] no super-resolved frame came back', file=sys.stderr)
        return 1
    lat = np.array([(t - k / 1e9) * 1e3 for k, (t, _) in got.items()])
    first, last = min(t for t, _ in got.values()), max(t for t, _ in got.values())
    rate = (len(got) - 1) / (last - first) if len(got) > 1 else float('nan')
    print(f'[demo] frames sent {len(sent)} in {play_s:.1f} s, received {len(got)} '
          f'({len(sent) - len(got)} dropped by the node to stay on the newest frame)')
    print(
        f'[demo] end-to-end latency ms: median {np.median(lat):.1f}  '
        f'p90 {np.percentile(lat, 90):.1f}  max {lat.max():.1f}'
    )
    print(f'[demo] output throughput: {rate:.1f} Hz (input {args.rate:g} Hz)')
    key = max(got)
    sr = image_to_array(got[key][1])
    hr, hv, lr_mm, _ = frames[sent[key]]
    return write_picture(Path(args.out), hr, hv, lr_mm, sr, args.scale)


def _spin(node):
    import rclpy
    try:
        rclpy.spin(node)
    except Exception:  # shut down while spinning
        pass


def write_picture(out_dir, hr, hv, lr_mm, sr_mm, scale):
    """before_after.png via the trainer's panel (same colour range for all), written atomically."""
    import matplotlib
    matplotlib.use('Agg')
    from depth_sr_ros.training.evaluate import bicubic_upsample, frame_errors
    from depth_sr_ros.training.reports import before_after_panel
    lr = lr_mm.astype(np.float32) / 1000
    lv = lr_mm > 0
    bic = bicubic_upsample(lr, lv, scale)
    sr = np.where(sr_mm > 0, sr_mm.astype(np.float32) / 1000, np.nan)
    mask = np.isfinite(sr) & np.isfinite(bic)
    eb, es = frame_errors(bic, hr, hv, mask), frame_errors(sr, hr, hv, mask)
    title = (
        f'x{scale} {lr.shape[1]}x{lr.shape[0]} -> {sr.shape[1]}x{sr.shape[0]} over DDS; '
        f'RMSE vs HR: bicubic {eb[0] * 100:.1f} cm, SR {es[0] * 100:.1f} cm'
        if eb and es
        else ''
    )
    final = out_dir / 'before_after.png'
    with atomic_path(final) as tmp:
        before_after_panel(tmp, np.where(lv, lr, 0), bic, sr, hr, hv, title)
    print(f'[demo] wrote {final}  ({title})')
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument(
        '--frames', type=int, default=60, help='frames to play (default 60 = 4 s at 15 Hz)'
    )
    p.add_argument('--rate', type=float, default=15.0, help='sensor rate in Hz')
    p.add_argument('--width', type=int, default=160)
    p.add_argument('--height', type=int, default=120)
    p.add_argument('--scale', type=int, default=4, help='HR ground truth = LR size x scale')
    p.add_argument('--seed', type=int, default=0, help='scene choice')
    p.add_argument('--out', default='demo_out')
    p.add_argument('--node-pid', type=int, default=None, help='abort if this process exits')
    p.add_argument('--connect-timeout', type=float, default=90.0)
    args = p.parse_args(argv)
    if args.frames < 1 or args.rate <= 0 or args.width < 2 or args.height < 2:
        p.error('frames >= 1, rate > 0 and a size of at least 2x2 are required')
    return play(args)


if __name__ == '__main__':
    sys.exit(main())
