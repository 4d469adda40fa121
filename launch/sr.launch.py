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
Launch depth_sr_node (and optionally RViz) for one or more depth sensors.

  ros2 launch depth_sr_ros sr.launch.py
  ros2 launch depth_sr_ros sr.launch.py model:=/path/to/model.safetensors device:=cuda \
      use_rviz:=true
  ros2 launch depth_sr_ros sr.launch.py input_topic:=/camera/depth/image_rect_raw \
      input_info_topic:=/camera/depth/camera_info
  ros2 launch depth_sr_ros sr.launch.py input_namespaces:="[front, rear]"
  ros2 launch depth_sr_ros sr.launch.py use_sim_time:=true log_level:=debug use_rviz:=true \
      fixed_frame:=camera_depth_optical_frame
  ros2 launch depth_sr_ros sr.launch.py lifecycle:=true autostart:=false  # lifecycle manager

Settings come from params_file (default: the package's config/sr.yaml); model, device,
input_namespaces and output_encoding override it only when given (non-empty).
input_namespaces takes a YAML list ("[front, rear]"), one bare name (front) or "[]" (= the
node's own namespace). With input_namespaces, a relative topic argument (input_topic:=cam/depth)
is applied inside every sensor namespace (front/cam/depth, rear/cam/depth); an absolute one only
with a single namespace (several sensors cannot share one input topic).

When depth_sr_node exits on its own (bad model, crash) the launch ends with it, non-zero when
the node failed. The node gets the Fast DDS profile config/fastdds_shm.xml (16 MB shared-memory
segments, so VGA and larger frames cross processes; see docs/NODE.md) unless
FASTDDS_DEFAULT_PROFILES_FILE is already set; fastdds_profile:='' leaves Fast DDS's defaults.

lifecycle:=true starts the managed node (depth_sr_lifecycle_node) and, with autostart:=true (the
default), has it configure and, once configure succeeded, activate itself (its autostart
parameter: no service call that a slow DDS discovery could lose); autostart:=false leaves it
unconfigured for a lifecycle manager (nav2's lifecycle_manager, `ros2 lifecycle set`). A managed
node whose configure fails (bad model) logs the error and stays up, unconfigured.
"""
import os

from ament_index_python.packages import (
    get_package_prefix,
    get_package_share_directory,
    PackageNotFoundError,
)
from launch import LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    EmitEvent,
    LogInfo,
    OpaqueFunction,
    RegisterEventHandler,
)
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node
import yaml

# Plain literals (test/test_launch_contract.py reads them without launch_ros).
PACKAGE = 'depth_sr_ros'
EXECUTABLE = 'depth_sr_node'
LIFECYCLE_EXECUTABLE = 'depth_sr_lifecycle_node'
PARAMS_FILE = 'config/sr.yaml'        # relative to the package share directory
RVIZ_CONFIG = 'config/depth_sr.rviz'  # relative to the package share directory
FASTDDS_PROFILE = 'config/fastdds_shm.xml'  # relative to the package share directory
PROFILE_ENV = 'FASTDDS_DEFAULT_PROFILES_FILE'
# launch argument -> the node topic it remaps (relative names: they follow `namespace`).
TOPIC_ARGS = {
    'input_topic': 'depth/image_raw',
    'input_info_topic': 'depth/camera_info',
    'output_topic': 'depth_sr/image_raw',
    'output_info_topic': 'depth_sr/camera_info',
}
# launch arguments that override the params file when non-empty -> node parameter names.
PARAM_ARGS = {
    'model': 'bundled model name or exported model path',
    'device': 'auto | cpu | cuda | cuda:N',
    'cpu_precision': 'auto | fp32 | bf16 (network body on the CPU)',
    'input_namespaces': 'YAML list of sensor namespaces, e.g. "[front, rear]", or one name',
    'output_encoding': 'same | 16UC1 | 32FC1',
    'lazy': 'true | false (true: no inference while no output has a subscriber)',
    'input_transport': 'raw | compressedDepth (subscribe to <image topic>/compressedDepth)',
    'output_compressed': 'true | false (also publish depth_sr/image_raw/compressedDepth)',
    'backend': "torch | onnxruntime (the model's ONNX file)",
    'edge_mode': 'keep | snap | invalidate (output pixels floating across a depth step)',
    'publish_confidence': 'true | false (also publish depth_sr/confidence, 32FC1 0..1)',
}
# PARAM_ARGS given to the node as booleans
BOOL_ARGS = ('lazy', 'output_compressed', 'publish_confidence')
LOG_LEVELS = ('debug', 'info', 'warn', 'error', 'fatal')
FIXED_FRAME = 'depth_optical_frame'   # the RViz config's Fixed Frame (config/depth_sr.rviz)
TRUE, FALSE = ('true', '1', 'yes', 'on'), ('false', '0', 'no', 'off')


class LaunchArgumentError(ValueError):
    """A launch argument that cannot work; ends the launch with this one-line message."""


def _namespaces(text):
    """
    Parse input_namespaces:=... into a list of str.

    '[front, rear]', 'front', 'front, rear', '[]' -> [''].
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise LaunchArgumentError(
            f'input_namespaces:={text!r} is not a YAML list ({err.problem})'
        ) from None
    if isinstance(value, str):
        value = [v.strip() for v in value.split(',')]
    if not isinstance(value, list) or not all(
        isinstance(v, (str, int)) or v is None for v in value
    ):
        raise LaunchArgumentError(
            f'input_namespaces:={text!r} must be a list of names, e.g. "[front, rear]"'
        )
    names = ['' if v is None else str(v) for v in value]
    return names or ['']  # '[]': no sensor namespaces = the node's own namespace


def _file_namespaces(path):
    """input_namespaces as set in the params file (any node section), or None."""
    try:
        with open(path) as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError):
        return None  # the node reports an unreadable params file itself
    for section in data.values() if isinstance(data, dict) else ():
        params = section.get('ros__parameters') if isinstance(section, dict) else None
        if isinstance(params, dict) and isinstance(params.get('input_namespaces'), list):
            return [str(v) for v in params['input_namespaces']] or ['']
    return None


def _remaps(context, namespaces):
    """Remap rules for the topic arguments, applied per sensor namespace."""
    rules = []
    for arg, topic in TOPIC_ARGS.items():
        value = LaunchConfiguration(arg).perform(context)
        if value == topic:
            continue
        for ns in namespaces:
            prefix = f'{ns.strip("/")}/' if ns.strip('/') else ''
            if value.startswith('/') and len(namespaces) > 1:
                raise LaunchArgumentError(
                    f'{arg}:={value} is absolute but input_namespaces has {len(namespaces)} '
                    f'sensors ({", ".join(namespaces)}); give a relative name (resolved inside '
                    'each sensor namespace) or start one launch per sensor'
                )
            rules.append((prefix + topic, value if value.startswith('/') else prefix + value))
    return rules


def _bool(name, text):
    """Parse a true/false argument value as bool; anything else ends the launch naming it."""
    value = text.strip().lower()
    if value not in TRUE + FALSE:
        raise LaunchArgumentError(f'{name}:={text} is not true or false')
    return value in TRUE


def _flag(name, context):
    """Read a true/false launch argument as bool."""
    return _bool(name, LaunchConfiguration(name).perform(context))


def _log_level(context):
    """
    Check log_level:=LEVEL or LOGGER:=LEVEL (rcl's --log-level forms).

    Checked here because rcl would end the node with a long error instead.
    """
    value = LaunchConfiguration('log_level').perform(context).strip()
    if value.rpartition(':=')[2].lower() not in LOG_LEVELS:
        raise LaunchArgumentError(f'log_level:={value} is not one of {", ".join(LOG_LEVELS)} '
                                  '(optionally LOGGER:=LEVEL)')
    return value


def _rviz_available():
    try:
        get_package_prefix('rviz2')
        return True
    except PackageNotFoundError:
        return False


def _start(context):
    overrides = {}
    for name in PARAM_ARGS:
        value = LaunchConfiguration(name).perform(context)
        if value != '':
            overrides[name] = _namespaces(value) if name == 'input_namespaces' else value
            if name in BOOL_ARGS:
                overrides[name] = _bool(name, value)
    namespaces = (overrides.get('input_namespaces')
                  or _file_namespaces(LaunchConfiguration('params_file').perform(context)) or [''])
    env = {}
    profile = LaunchConfiguration('fastdds_profile').perform(context)
    if profile and not os.environ.get(PROFILE_ENV):
        env[PROFILE_ENV] = profile
    elif not profile:
        env['DEPTH_SR_FASTDDS_PROFILE'] = 'none'  # the node would otherwise apply its own
    overrides['use_sim_time'] = _flag('use_sim_time', context)
    lifecycle = _flag('lifecycle', context)
    if lifecycle:
        overrides['autostart'] = _flag('autostart', context)
    node_action, executable = ((LifecycleNode, LIFECYCLE_EXECUTABLE) if lifecycle
                               else (Node, EXECUTABLE))
    # --log-level through `arguments`, which every launch_ros version passes on (Humble included)
    node = node_action(package=PACKAGE, executable=executable, name='depth_sr_node',
                       namespace=LaunchConfiguration('namespace'), output='screen',
                       emulate_tty=True,
                       parameters=[LaunchConfiguration('params_file'), overrides],
                       arguments=['--ros-args', '--log-level', _log_level(context)],
                       remappings=_remaps(context, namespaces), additional_env=env)

    def node_exited(event, ctx):
        if ctx.is_shutdown:          # launch is stopping it (Ctrl-C): nothing to report
            return None
        if event.returncode != 0:  # the node's own one-line error is already on screen
            raise RuntimeError(
                f'{EXECUTABLE} exited with code {event.returncode}; ending the launch'
            )
        return [EmitEvent(event=Shutdown(reason=f'{EXECUTABLE} exited'))]

    actions = [node, RegisterEventHandler(OnProcessExit(target_action=node, on_exit=node_exited))]
    if _flag('use_rviz', context):
        if _rviz_available():
            actions.append(
                Node(
                    package='rviz2',
                    executable='rviz2',
                    name='depth_sr_rviz',
                    output='screen',
                    arguments=[
                        '-d',
                        LaunchConfiguration('rviz_config'),
                        '-f',
                        LaunchConfiguration('fixed_frame'),
                    ],
                    parameters=[{'use_sim_time': overrides['use_sim_time']}],
                )
            )
        else:
            distro = os.environ.get('ROS_DISTRO', '<distro>')
            actions.insert(
                0,
                LogInfo(
                    msg=f"use_rviz:=true but package 'rviz2' is not installed: starting "
                    f'{EXECUTABLE} without RViz (install it: sudo apt install '
                    f'ros-{distro}-rviz2)'
                ),
            )
    return actions


def generate_launch_description():
    share = get_package_share_directory(PACKAGE)
    args = [
        DeclareLaunchArgument(
            'params_file',
            default_value=os.path.join(share, PARAMS_FILE),
            description='parameters YAML (/**: ros__parameters:)',
        ),
        DeclareLaunchArgument('namespace', default_value='', description='node namespace'),
        DeclareLaunchArgument('use_rviz', default_value='false', description='also start RViz'),
        DeclareLaunchArgument(
            'lifecycle',
            default_value='false',
            description=f'start the managed node ({LIFECYCLE_EXECUTABLE})',
        ),
        DeclareLaunchArgument(
            'autostart',
            default_value='true',
            description='with lifecycle:=true, configure and activate it at '
            'start (false: leave it unconfigured for a lifecycle manager)',
        ),
        DeclareLaunchArgument(
            'rviz_config',
            default_value=os.path.join(share, RVIZ_CONFIG),
            description='RViz config to open',
        ),
        DeclareLaunchArgument(
            'fixed_frame',
            default_value=FIXED_FRAME,
            description="RViz's fixed frame (rviz2 -f): the frame_id of your "
            'depth images, or a frame TF connects them to',
        ),
        DeclareLaunchArgument(
            'use_sim_time',
            default_value='false',
            description='true: the node (and RViz) take time from /clock '
            '(simulation, ros2 bag play --clock)',
        ),
        DeclareLaunchArgument(
            'log_level',
            default_value='info',
            description=f'node log level: {" | ".join(LOG_LEVELS)}, or '
            'LOGGER:=LEVEL for one logger',
        ),
        DeclareLaunchArgument(
            'fastdds_profile',
            default_value=os.path.join(share, FASTDDS_PROFILE),
            description=f'Fast DDS XML profile given to the node as {PROFILE_ENV} '
            '(16 MB shared-memory segments for large frames) unless that variable '
            "is already set; '' = Fast DDS defaults",
        ),
    ]
    args += [DeclareLaunchArgument(name, default_value='', description=f'{text}; '
                                   "'' keeps the params file value")
             for name, text in PARAM_ARGS.items()]
    args += [
        DeclareLaunchArgument(
            arg, default_value=topic, description=f'remap the node topic {topic}'
        )
        for arg, topic in TOPIC_ARGS.items()
    ]
    return LaunchDescription(args + [OpaqueFunction(function=_start)])
