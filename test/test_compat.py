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
The Humble fallbacks of depth_sr_ros/ros/compat.py, run for real.

On real rclpy nodes of this distribution with the newer API hidden (as rclpy 3.3 lacks it), each
fallback must behave like the API it replaces. Humble itself has no PyPI wheels, so this is how
its code paths run here.
"""
import warnings

from depth_sr_ros.ros import compat
import pytest
from rcl_interfaces.msg import IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import Probe, wait_for
from std_msgs.msg import String

NEWER_THAN_HUMBLE = ('add_pre_set_parameters_callback', 'add_post_set_parameters_callback')


def humble_like(cls):
    """Return a subclass of ``cls`` on which the Iron+ parameter-callback methods do not exist."""
    def missing(self):
        raise AttributeError('not in Humble (rclpy 3.3)')
    hidden = {name: property(missing) for name in NEWER_THAN_HUMBLE}
    return type(f'HumbleLike{cls.__name__}', (cls,), hidden)


@pytest.fixture
def probe():
    p = Probe()
    yield p
    p.close()


def test_only_the_humble_like_node_lacks_the_newer_methods(probe):
    node = humble_like(Node)('humble_like', context=probe.context)
    try:
        assert not any(hasattr(node, name) for name in NEWER_THAN_HUMBLE)
        assert all(hasattr(probe.probe, name) for name in NEWER_THAN_HUMBLE)
    finally:
        node.destroy_node()


@pytest.mark.parametrize('modules, taken', [
    (compat.EVENT_MODULES, 'rclpy.event_handler'),
    (('rclpy.not_before_iron', 'rclpy.qos_event'), 'rclpy.qos_event')],
    ids=['this_distro', 'humble_qos_event'])
def test_incompatible_qos_callbacks_fire_from_either_module(probe, modules, taken):
    """
    Humble has the callback containers in rclpy.qos_event.

    Here that module is the one taken when the first name does not import (Iron+ keep it as a
    deprecated alias).
    """
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)   # "importing 'qos_event' is deprecated"
        events = compat.first_module(modules)
    assert events.__name__ == taken
    seen = {'publisher': [], 'subscription': []}
    node = probe.probe
    best_effort = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
    node.create_publisher(String, 'compat_qos', best_effort,
                          event_callbacks=events.PublisherEventCallbacks(
                              incompatible_qos=seen['publisher'].append))
    node.create_subscription(String, 'compat_qos', lambda m: None,
                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE),
                             event_callbacks=events.SubscriptionEventCallbacks(
                                 incompatible_qos=seen['subscription'].append))
    assert wait_for(lambda: seen['publisher'] and seen['subscription'], 10), seen
    assert 'RELIABILITY' in seen['subscription'][0].last_policy_kind.name


def _parameter_node(cls, context):
    node = cls('compat_params', context=context)
    node.declare_parameter('x', 1, ParameterDescriptor(
        integer_range=[IntegerRange(from_value=0, to_value=10, step=1)]))
    node.declare_parameter('fixed', 5, ParameterDescriptor(read_only=True))
    return node


@pytest.mark.parametrize('humble', [False, True],
                         ids=['post_set_callback', 'humble_on_set_fallback'])
def test_parameter_callbacks_validate_then_apply_alike(probe, humble):
    node = _parameter_node(humble_like(Node) if humble else Node, probe.context)
    applied = []

    def validate(params):
        bad = [p.name for p in params if p.name == 'x' and p.value == 7]
        return SetParametersResult(successful=not bad, reason='x=7 is refused' if bad else '')
    try:
        compat.add_parameter_callbacks(node, validate, lambda params: applied.extend(
            (p.name, p.value) for p in params))
        assert node.set_parameters([Parameter('x', value=3)])[0].successful
        assert applied == [('x', 3)] and node.get_parameter('x').value == 3
        refused = node.set_parameters([Parameter('x', value=7)])[0]
        assert not refused.successful and refused.reason == 'x=7 is refused'
        assert not node.set_parameters([Parameter('x', value=11)])[0].successful   # out of range
        assert not node.set_parameters([Parameter('fixed', value=6)])[0].successful  # read-only
        both = [Parameter('x', value=4), Parameter('fixed', value=6)]
        assert not node.set_parameters_atomically(both).successful
        assert applied == [('x', 3)] and node.get_parameter('x').value == 3
        assert node.set_parameters_atomically([Parameter('x', value=9)]).successful
        assert applied == [('x', 3), ('x', 9)] and node.get_parameter('x').value == 9
    finally:
        node.destroy_node()


def test_depth_sr_node_runtime_parameters_on_the_humble_path(tiny_model_dir):
    """
    The node itself built on the Humble-like API.

    Run-time changes apply, bad ones are refused with the reason and change nothing.
    """
    from depth_sr_ros.ros.sr_node import DepthSRNode
    h = Probe(lambda ctx: [humble_like(DepthSRNode)(context=ctx, parameter_overrides=[
        Parameter('model', value=str(tiny_model_dir))])])
    try:
        node = h.nodes[0]
        assert not hasattr(node, 'add_post_set_parameters_callback')
        assert node.set_parameters([Parameter('fill_holes', value=3)])[0].successful
        assert node.resolver.fill_holes == 3 and node.cfg['fill_holes'] == 3
        bad = node.set_parameters([Parameter('self_ensemble', value=3)])[0]
        assert not bad.successful and 'self_ensemble' in bad.reason
        assert node.resolver.self_ensemble == 1 and node.cfg['self_ensemble'] == 1
        assert node.set_parameters([Parameter('self_ensemble', value=2)])[0].successful
        assert node.resolver.self_ensemble == 2
        assert not node.set_parameters([Parameter('model', value='x2')])[0].successful  # read-only
    finally:
        h.close()


def test_matched_publisher_count_fallback_counts_like_get_publisher_count(probe):
    node = probe.probe
    sub = node.create_subscription(String, 'compat_count', lambda m: None, 10)

    class HumbleSubscription:   # what Humble's Subscription offers: no get_publisher_count
        topic_name = sub.topic_name
    assert compat.matched_publisher_count(sub, node) == 0
    assert compat.matched_publisher_count(HumbleSubscription(), node) == 0
    node.create_publisher(String, 'compat_count', 10)
    assert wait_for(lambda: compat.matched_publisher_count(sub, node) == 1, 10)
    assert compat.matched_publisher_count(HumbleSubscription(), node) == 1
