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
Every rclpy API this package uses that is newer than Humble (rclpy 3.3), with its fallback.

The package is tested on Kilted and Jazzy, which take the first branch of each helper; Humble
(no PyPI wheels, so not run here) takes the fallback. test/test_compat.py runs every fallback on
real rclpy nodes with the newer API hidden and checks it behaves like the newer one. The list of
APIs checked against Humble is in docs/ARCHITECTURE.md ("Distributions and Humble compatibility").
"""
import importlib


def first_module(names):
    """Import and return the first of ``names`` that imports (newest name first)."""
    for name in names[:-1]:
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
    return importlib.import_module(names[-1])


# Iron renamed rclpy.qos_event to rclpy.event_handler (QoSEventHandler became EventHandler); the
# two callback containers used here kept their names and their incompatible_qos argument.
EVENT_MODULES = ('rclpy.event_handler', 'rclpy.qos_event')
_events = first_module(EVENT_MODULES)
PublisherEventCallbacks = _events.PublisherEventCallbacks
SubscriptionEventCallbacks = _events.SubscriptionEventCallbacks


def add_parameter_callbacks(node, validate, apply):
    """
    Run ``validate`` before a parameter change and ``apply`` once it is accepted.

    Signatures: ``validate(params) -> SetParametersResult`` and ``apply(params)``.

    Iron+ (rclpy 3.7): an on-set callback plus a post-set callback, which runs after rclpy stored
    the values. Humble has only on-set callbacks: :func:`validate_then_apply`.
    """
    if hasattr(node, 'add_post_set_parameters_callback'):
        node.add_on_set_parameters_callback(validate)
        node.add_post_set_parameters_callback(apply)
    else:
        validate_then_apply(node, validate, apply)


def validate_then_apply(node, validate, apply):
    """
    Humble fallback: one on-set callback that applies the change when ``validate`` accepts it.

    Equivalent for this package: rclpy checks read-only flags and ranges before any on-set
    callback, ``apply`` only reads the values handed to it, and it is the node's last-added on-set
    callback, which Humble runs first. The one difference: another on-set callback added earlier
    (rclpy's own use_sim_time check) could still refuse a change set atomically together with one
    of ours after ``apply`` ran.
    """
    def on_set(params):
        result = validate(params)
        if result.successful:
            apply(params)
        return result
    node.add_on_set_parameters_callback(on_set)
    return on_set


def matched_publisher_count(subscription, node):
    """
    Count the publishers matched with ``subscription``.

    Subscription.get_publisher_count (Iron+, rclpy 4.0), else Humble's count of the topic's
    publishers (also counts QoS-incompatible ones).
    """
    if hasattr(subscription, 'get_publisher_count'):
        return subscription.get_publisher_count()
    return node.count_publishers(subscription.topic_name)
