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
Shared helpers for tests that talk over real DDS.

Isolation: every test process gets its own ROS_DOMAIN_ID (derived from the pid) and localhost-only
discovery, set at import before any rclpy context exists; subprocesses inherit it. Every wait is
bounded; contexts are shut down in ``close``.
"""
import os
import threading
import time

os.environ['ROS_DOMAIN_ID'] = str(1 + os.getpid() % 200)
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_LOCALHOST_ONLY', None)
DOMAIN_ID = int(os.environ['ROS_DOMAIN_ID'])

from depth_sr_ros.ros.compat import matched_publisher_count  # noqa: E402
from depth_sr_ros.ros.conversions import array_to_image  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import rclpy  # noqa: E402
from rclpy.context import Context  # noqa: E402
from rclpy.executors import MultiThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import CameraInfo  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


def wait_for(predicate, timeout=10.0, interval=0.01):
    """Poll ``predicate`` until true or ``timeout`` seconds; returns its last value."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def header(sec, nanosec=0, frame_id='depth_optical_frame'):
    h = Header(frame_id=frame_id)
    h.stamp.sec, h.stamp.nanosec = sec, nanosec
    return h


def camera_info(width, height, hdr, fx=None):
    """
    Return a pinhole CameraInfo whose principal point is the image centre.

    The pixels are centre-aligned.
    """
    fx = fx or 0.8 * width
    info = CameraInfo(header=hdr, width=width, height=height, distortion_model='plumb_bob')
    info.d = [0.0] * 5
    info.k = [fx, 0.0, (width - 1) / 2, 0.0, fx, (height - 1) / 2, 0.0, 0.0, 1.0]
    info.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    info.p = [fx, 0.0, (width - 1) / 2, 0.0, 0.0, fx, (height - 1) / 2, 0.0, 0.0, 0.0, 1.0, 0.0]
    return info


def ramp_depth_mm(width, height, hole=True):
    """uint16 mm depth: a smooth ramp 1-3 m with an invalid (0) rectangle in the middle."""
    x = np.linspace(1000, 3000, width, dtype=np.float32)
    y = np.linspace(0, 200, height, dtype=np.float32)[:, None]
    d = np.rint(x[None, :] + y).astype(np.uint16)
    if hole:
        d[height // 3:height // 2, width // 3:width // 2] = 0
    return d


def send_until_served(pub_img, pub_info, out, lr, out_info=None, sec0=1, tries=40):
    """
    Publish (CameraInfo, image) pairs until ``out`` got an image; return that image.

    The stamps are sec0, sec0+1, ...; with ``out_info``, the image's CameraInfo must have
    arrived too. The input is best effort, so the first frames after discovery may be lost - and
    an image that reaches the node before any CameraInfo is rightly published without one.
    """
    h, w = lr.shape

    def served():
        infos = {m.header.stamp.sec for m in out_info.messages} if out_info is not None else None
        return next(
            (m for m in list(out.messages) if infos is None or m.header.stamp.sec in infos), None
        )
    for sec in range(sec0, sec0 + tries):
        hdr = header(sec)
        pub_info.publish(camera_info(w, h, hdr))
        time.sleep(0.02)
        pub_img.publish(array_to_image(lr, '16UC1', hdr))
        img = wait_for(served, 1.0)
        if img is not None:
            return img
    pytest.fail('no output frame (with its CameraInfo) arrived')


class Collector:
    """Subscribes to a topic and keeps every message (thread-safe)."""

    def __init__(self, node, msg_type, topic, qos=RELIABLE):
        self.messages = []
        self._lock = threading.Lock()
        self.sub = node.create_subscription(msg_type, topic, self._on, qos)

    def _on(self, msg):
        with self._lock:
            self.messages.append(msg)

    def wait(self, count=1, timeout=20.0):
        """Wait until ``count`` messages arrived; returns the list (may be shorter on timeout)."""
        wait_for(lambda: len(self.messages) >= count, timeout)
        with self._lock:
            return list(self.messages)

    def with_stamp(self, sec, timeout=20.0):
        """Wait for the message whose header stamp has ``sec`` seconds; None on timeout."""
        def find():
            with self._lock:
                return next((m for m in self.messages if m.header.stamp.sec == sec), None)
        return wait_for(find, timeout)


class Probe:
    """
    A probe node in a fresh rclpy context, spun on a background executor.

    Optionally with more nodes, e.g. a DepthSRNode built by ``make_nodes(context)``.
    """

    def __init__(self, make_nodes=None):
        self.context = Context()
        rclpy.init(context=self.context, domain_id=DOMAIN_ID)
        try:
            self.nodes = list(make_nodes(self.context)) if make_nodes else []
            self.probe = Node('probe', context=self.context)
        except BaseException:
            rclpy.try_shutdown(context=self.context)
            raise
        self.executor = MultiThreadedExecutor(num_threads=2, context=self.context)
        for n in self.nodes + [self.probe]:
            self.executor.add_node(n)
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _spin(self):
        try:
            self.executor.spin()
        except Exception:  # context shut down while spinning
            pass

    def publisher(self, msg_type, topic, qos=RELIABLE):
        return self.probe.create_publisher(msg_type, topic, qos)

    def collect(self, msg_type, topic, qos=RELIABLE):
        return Collector(self.probe, msg_type, topic, qos)

    def connected(self, pubs, collectors, timeout=10.0):
        """Wait until every probe publisher and subscription is matched with a peer."""
        return wait_for(lambda: all(p.get_subscription_count() > 0 for p in pubs)
                        and all(matched_publisher_count(c.sub, self.probe) for c in collectors),
                        timeout)

    def close(self):
        self.executor.shutdown(timeout_sec=5.0)
        for n in self.nodes + [self.probe]:
            n.destroy_node()
        rclpy.try_shutdown(context=self.context)
        self._thread.join(timeout=5.0)


class NodeHarness(Probe):
    """DepthSRNode (parameters given as keyword arguments) + a probe node in one context."""

    def __init__(self, **params):
        from depth_sr_ros.ros.sr_node import DepthSRNode
        overrides = [Parameter(k, value=v) for k, v in params.items()]
        super().__init__(lambda ctx: [DepthSRNode(context=ctx, parameter_overrides=overrides)])
        self.node = self.nodes[0]
