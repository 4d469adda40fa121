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
DepthSRLifecycleNode: depth_sr_node as a managed (lifecycle) node.

It is for bringup systems (nav2's lifecycle manager, launch_ros LifecycleNode) that load heavy
nodes in order.

Each transition runs one set-up step of DepthSRNode, so both nodes behave the same once active:
  configure   read parameters, load and warm the model (device and precision logged), create the
              output publishers (lifecycle publishers: silent until active) and /diagnostics
  activate    enable the publishers, subscribe to the inputs, start the inference worker
  deactivate  unsubscribe, stop inference, drop waiting frames; the model stays loaded
  cleanup     destroy publishers and timers, release the model (and CUDA memory)
  shutdown    from any state: deactivate and clean up as needed; the process stays up (finalized)
A configure that fails (bad model, scale mismatch, bad namespace) logs the node's usual one-line
error and leaves the node unconfigured. Parameters are declared at construction (so they can be
set while unconfigured) and read by configure. /diagnostics is a plain publisher: it also reports
an inactive node.

Parameter autostart (read-only, default false): at start the node configures itself and, when that
succeeded, activates itself, with the same transitions (and transition events) a manager's
ChangeState calls would make, and no service call a slow DDS discovery could lose.
"""
from depth_sr_ros.ros.node import error_text
from depth_sr_ros.ros.sr_node import DepthSRNode
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn


class DepthSRLifecycleNode(DepthSRNode, LifecycleNode):
    """The managed depth_sr_node; starts unconfigured."""

    def __init__(self, **kwargs):
        LifecycleNode.__init__(self, 'depth_sr_node', **kwargs)  # not DepthSRNode's set-up
        self._init_state()
        try:
            self._declare()
            self.declare_parameter('autostart', False, ParameterDescriptor(
                description='Configure, then activate, at start (instead of waiting for a '
                'lifecycle manager).', read_only=True))
        except BaseException:
            LifecycleNode.destroy_node(self)
            raise

    def autostart(self):
        """Configure and activate now if the autostart parameter says so."""
        if self.get_parameter('autostart').value:
            if self.trigger_configure() == TransitionCallbackReturn.SUCCESS:
                self.trigger_activate()

    def create_output_publisher(self, *args, **kwargs):
        return self.create_lifecycle_publisher(*args, **kwargs)

    def destroy_output_publisher(self, publisher):
        return self.destroy_lifecycle_publisher(publisher)

    def on_configure(self, state):
        try:
            self._configure()
        except Exception as err:  # the transition fails; the node stays up, unconfigured
            known = isinstance(err, ValueError)  # ModelLoadError is a ValueError
            self.get_logger().error('configure failed: ' + (
                error_text(err) if known else f'{type(err).__name__}: {err}'))
            self._cleanup()
            return TransitionCallbackReturn.FAILURE
        return super().on_configure(state)

    def on_activate(self, state):
        result = super().on_activate(state)  # publishers first: no frame is processed unseen
        self._activate()
        self.get_logger().info('active')
        return result

    def on_deactivate(self, state):
        self._deactivate()
        self.get_logger().info('inactive: input unsubscribed, waiting frames dropped')
        return super().on_deactivate(state)

    def on_cleanup(self, state):
        self._cleanup()
        self.get_logger().info('unconfigured: model released')
        return super().on_cleanup(state)

    def on_shutdown(self, state):
        self._cleanup()
        return super().on_shutdown(state)

    def on_error(self, state):
        self._cleanup()  # back to unconfigured with nothing held
        return super().on_error(state)
