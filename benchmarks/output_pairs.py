"""Does a normal consumer get matching image + CameraInfo pairs from depth_sr_node with two streams?
Results: --out, by convention benchmarks/results/output_pairs_<label>.json (docs/NODE.md, "QoS").

Starts depth_sr_node as a real process with input_namespaces [front, rear] (bundled x4 model:
160x120 in -> 640x480 out, so two VGA output streams) and acts as both sensors and a consumer
subscribed with ROS's default QoS (reliable, keep last 10), like depth_image_proc or RViz. Each
round publishes --burst frames per sensor at --rate Hz, then pauses. Per stream it counts what the
node says it published (/diagnostics frames_published) against the images, CameraInfos and
complete pairs (same stamp) the consumer received. Writes JSON to --out (atomically).

  .venv/bin/python benchmarks/output_pairs.py --label after [--rounds 10] [--fastdds-profile]
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_LOCALHOST_ONLY', None)
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--label', required=True)
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--burst', type=int, default=4, help='frames per sensor per round')
    ap.add_argument('--rate', type=float, default=15.0)
    ap.add_argument('--fastdds-profile', action='store_true',
                    help='give the node and this script config/fastdds_shm.xml')
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args(argv)
    if args.fastdds_profile:
        os.environ['FASTDDS_DEFAULT_PROFILES_FILE'] = str(ROOT / 'config/fastdds_shm.xml')

    import numpy as np
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.executors import MultiThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import QoSProfile
    from sensor_msgs.msg import CameraInfo, Image

    from depth_sr_ros.atomic import write_text_atomic
    from depth_sr_ros.ros.conversions import array_to_image

    exe = str(Path(sys.executable).parent / 'depth_sr_node')
    node_proc = subprocess.Popen([exe, '--ros-args', '-p', 'model:=x4', '-p', 'input_namespaces:=[front, rear]',
                                  '-p', 'no_input_warning:=60.0'], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
    streams = ('front', 'rear')
    rclpy.init()
    probe = Node('pair_consumer')
    lock = threading.Lock()
    got = {s: {'image': set(), 'info': set()} for s in streams}
    published = {}

    def keep(stream, kind):
        def cb(msg):
            with lock:
                got[stream][kind].add((msg.header.stamp.sec, msg.header.stamp.nanosec))
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
        subs.append(probe.create_subscription(Image, f'{s}/depth_sr/image_raw', keep(s, 'image'), default_qos))
        subs.append(probe.create_subscription(CameraInfo, f'{s}/depth_sr/camera_info', keep(s, 'info'), default_qos))
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
                raise SystemExit(f'node never matched: {node_proc.stderr.read() if node_proc.poll() is not None else ""}')
            time.sleep(0.1)
        time.sleep(1.0)
        w, h = 160, 120
        depth = np.rint(np.linspace(1000, 3000, w, dtype=np.float32)[None, :] + np.zeros((h, 1), np.float32)).astype(np.uint16)
        sent = 0
        for r in range(args.rounds):
            for f in range(args.burst):
                for s in streams:
                    img = array_to_image(depth, '16UC1', None)
                    img.header.stamp.sec, img.header.stamp.nanosec = 1000 + r, f * 1000
                    img.header.frame_id = f'{s}_depth_optical_frame'
                    info = CameraInfo(header=img.header, width=w, height=h, distortion_model='plumb_bob')
                    info.k = [128.0, 0.0, 79.5, 0.0, 128.0, 59.5, 0.0, 0.0, 1.0]
                    info.p = [128.0, 0.0, 79.5, 0.0, 0.0, 128.0, 59.5, 0.0, 0.0, 0.0, 1.0, 0.0]
                    pubs[s][1].publish(info)
                    pubs[s][0].publish(img)
                sent += 1
                time.sleep(1.0 / args.rate)
            time.sleep(1.5)
        time.sleep(3.0)  # two diagnostics periods after the last frame
        with lock:
            report = {}
            for s in streams:
                images, infos = got[s]['image'], got[s]['info']
                report[s] = {'sent': sent, 'node_published': published.get(s), 'images_received': len(images),
                             'infos_received': len(infos), 'pairs_matched': len(images & infos)}
    finally:
        executor.shutdown(timeout_sec=5)
        probe.destroy_node()
        rclpy.try_shutdown()
        node_proc.terminate()
        try:
            node_proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            node_proc.kill()
    total_pub = sum(v['node_published'] or 0 for v in report.values())
    result = {'label': args.label, 'fastdds_profile': args.fastdds_profile, 'rounds': args.rounds,
              'burst': args.burst, 'rate_hz': args.rate, 'streams': report,
              'images_lost': total_pub - sum(v['images_received'] for v in report.values()),
              'infos_lost': total_pub - sum(v['infos_received'] for v in report.values()),
              'pairs_incomplete': total_pub - sum(v['pairs_matched'] for v in report.values())}
    print(json.dumps(result, indent=1))
    if args.out:
        write_text_atomic(args.out, json.dumps(result, indent=1) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
