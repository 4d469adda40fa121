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
QoS per REP 2003.

Sensor-data style subscriptions (best effort, keep last 1: always the newest frame), reliable
publishers (keep last 5), `qos_overrides.<topic>.*` parameters enabled, incompatible-QoS events
logged once per topic.
"""
import threading

from depth_sr_ros.ros.compat import PublisherEventCallbacks, SubscriptionEventCallbacks
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.qos_overriding_options import QoSOverridingOptions

# Depth 1: a frame that arrives while one waits replaces it (the node counts it as dropped).
SENSOR_IN = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                       reliability=ReliabilityPolicy.BEST_EFFORT,
                       durability=DurabilityPolicy.VOLATILE)
# Depth 5, not 1: a reliable keep-last-1 writer replaces a sample its reader has not acknowledged
# yet, so a consumer that is a little slow (two VGA streams, a busy CPU) lost CameraInfos and
# images the node had published and got unmatched pairs (benchmarks/output_pairs.py: 9 of 44
# pairs incomplete with depth 1, see docs/NODE.md). 5 rides out such stalls; a consumer that
# keeps up sees no extra latency (keep-last never blocks the node).
RELIABLE_OUT = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=5,
                          reliability=ReliabilityPolicy.RELIABLE,
                          durability=DurabilityPolicy.VOLATILE)
OVERRIDES = QoSOverridingOptions.with_default_policies()


def describe(qos):
    """'best_effort, keep_last(1), volatile' for log messages."""
    hist = qos.history.name.lower()
    if qos.history == HistoryPolicy.KEEP_LAST:
        hist += f'({qos.depth})'
    return f'{qos.reliability.name.lower()}, {hist}, {qos.durability.name.lower()}'


class _Once:
    """
    Logs the first incompatible-QoS event of one endpoint.

    Locked: a multi-threaded executor can run two events of one endpoint at once (seen on
    Jazzy: the warning came out twice).
    """

    def __init__(self, logger, topic, role):
        self.logger, self.topic, self.role, self.done = logger, topic, role, False
        self._lock = threading.Lock()

    def __call__(self, event):
        with self._lock:
            if self.done:
                return
            self.done = True
        self.logger.warning(
            f'{self.role} {self.topic}: incompatible QoS with a peer (policy '
            f'{getattr(event.last_policy_kind, "name", event.last_policy_kind)}); no data will '
            f'flow. Override with qos_overrides.{self.topic}.{self.role}.* parameters.')


def subscription_events(logger, topic):
    return SubscriptionEventCallbacks(incompatible_qos=_Once(logger, topic, 'subscription'))


def publisher_events(logger, topic):
    return PublisherEventCallbacks(incompatible_qos=_Once(logger, topic, 'publisher'))
