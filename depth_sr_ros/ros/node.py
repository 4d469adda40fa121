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
depth_sr_node entry point: start the node, or fail with ONE clear error line (no traceback).

rclpy and torch are imported only when the node really starts, so `--help` and
`--dump-parameters` are instant and work without a ROS installation.
"""
import sys

USAGE = """usage: depth_sr_node [--help] [--dump-parameters] [--ros-args ...]

Super-resolves depth images: subscribes depth/image_raw + depth/camera_info (per input
namespace), publishes depth_sr/image_raw + depth_sr/camera_info (+ optional depth_sr/points,
depth_sr/colorized) and /diagnostics. Parameters: see config/sr.yaml or --dump-parameters.

  --dump-parameters   print every parameter with its default as a params-file YAML and exit
  example: depth_sr_node --ros-args --params-file config/sr.yaml -p model:=/path/to/model

depth_sr_lifecycle_node is the same node as a managed (lifecycle) node: it starts unconfigured;
configure loads the model, activate subscribes and publishes (ros2 lifecycle set ... configure).
"""


def main_lifecycle(argv=None):
    """depth_sr_lifecycle_node: the managed node (lifecycle_node.py)."""
    return main(argv, lifecycle=True)


def main(argv=None, lifecycle=False):
    argv = list(sys.argv[1:] if argv is None else argv)
    own = argv[:argv.index('--ros-args')] if '--ros-args' in argv else argv
    if '-h' in own or '--help' in own:
        print(USAGE, end='')
        return 0
    if '--dump-parameters' in own:
        from depth_sr_ros.ros.params import to_yaml
        print(to_yaml(), end='')
        return 0
    return _run(argv, lifecycle)


def _calm_openmp():
    """
    Idle OpenMP workers sleep instead of spinning, unless the user chose otherwise.

    A robot's CPU is shared with other nodes. With libgomp's default (spinning) wait policy and
    more busy processes than cores, each parallel region waits for descheduled workers: on the
    2-core development VM at load ~6, 160x120 x4 inference took ~1430 ms with 2 torch threads vs
    ~91 ms with OMP_WAIT_POLICY=PASSIVE (same as 1 thread). Must be set before torch loads.
    """
    import os
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')


class _Interrupts:
    """
    SIGINT handler: the first one stops the node (KeyboardInterrupt), later ones are ignored.

    Ctrl-C in a terminal running `ros2 launch` sends SIGINT to the whole process group, and launch
    then sends its own SIGINT to the node: the second one used to land in the middle of the
    clean-up (destroy_node, the worker join) as a KeyboardInterrupt traceback with exit code -2.
    Installed before rclpy.init, so rclpy's own handler (which wakes the executor) chains to it.
    SIGTERM (launch's escalation after its timeout) still ends the process.
    """

    def __init__(self):
        self.count = 0

    def __call__(self, signum, frame):
        self.count += 1
        if self.count == 1:
            raise KeyboardInterrupt


def _run(argv, lifecycle):
    import signal
    signal.signal(signal.SIGINT, _Interrupts())
    try:
        return _serve(argv, lifecycle)
    except KeyboardInterrupt:  # before the node existed (imports, model load): nothing to clean
        return 0
    finally:
        # Python's exit (DDS and torch teardown, ~0.5 s) runs with SIGINT back at SIG_DFL unless
        # it is ignored: launch's own SIGINT arriving then killed the node (exit code -2).
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def error_text(err):
    """Format a set-up error as one line, with a hint where the usual mistake is known."""
    hint = ''
    if "'input_namespaces'" in str(err) and 'STRING_ARRAY' in str(err):
        hint = (' (give a list, e.g. -p "input_namespaces:=[front]"; the launch file also takes '
                'one bare name)')
    return f'{err}{hint}'


def _serve(argv, lifecycle):
    _calm_openmp()
    from depth_sr_ros.inference import ModelLoadError
    from depth_sr_ros.ros import transport_profile
    import rclpy
    from rclpy.exceptions import ParameterException
    from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
    transport_profile.apply()  # before rclpy.init creates the DDS participant
    rclpy.init(args=['depth_sr_node', *argv])
    try:
        if lifecycle:
            from depth_sr_ros.ros.lifecycle_node import DepthSRLifecycleNode as DepthSRNode
        else:
            from depth_sr_ros.ros.sr_node import DepthSRNode
        node = DepthSRNode()
        if lifecycle:
            node.autostart()
    except (ModelLoadError, ValueError, ParameterException) as err:
        print(f'depth_sr_node: error: {error_text(err)}', file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    except KeyboardInterrupt:
        rclpy.try_shutdown()
        return 0
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
