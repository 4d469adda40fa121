"""Launch depth_sr_node (and optionally RViz) for one or more depth sensors.

  ros2 launch depth_sr_ros sr.launch.py
  ros2 launch depth_sr_ros sr.launch.py model:=/path/to/model.safetensors device:=cuda use_rviz:=true
  ros2 launch depth_sr_ros sr.launch.py input_topic:=/camera/depth/image_rect_raw \
      input_info_topic:=/camera/depth/camera_info
  ros2 launch depth_sr_ros sr.launch.py input_namespaces:="[front, rear]"

Settings come from params_file (default: the package's config/sr.yaml); model, device,
input_namespaces and output_encoding override it only when given (non-empty).
"""
import os

import yaml
from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

# Plain literals, read by test/test_launch_contract.py where launch_ros is not installed.
PACKAGE = 'depth_sr_ros'
EXECUTABLE = 'depth_sr_node'
PARAMS_FILE = 'config/sr.yaml'        # relative to the package share directory
RVIZ_CONFIG = 'config/depth_sr.rviz'  # relative to the package share directory
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
    'input_namespaces': 'YAML list of sensor namespaces, e.g. "[front, rear]"',
    'output_encoding': 'same | 16UC1 | 32FC1',
}


def _start(context):
    overrides = {}
    for name in PARAM_ARGS:
        value = LaunchConfiguration(name).perform(context)
        if value != '':
            overrides[name] = yaml.safe_load(value) if name == 'input_namespaces' else value
    remaps = [(topic, LaunchConfiguration(arg).perform(context)) for arg, topic in TOPIC_ARGS.items()]
    node = Node(package=PACKAGE, executable=EXECUTABLE, name='depth_sr_node',
                namespace=LaunchConfiguration('namespace'), output='screen', emulate_tty=True,
                parameters=[LaunchConfiguration('params_file'), overrides],
                remappings=[(a, b) for a, b in remaps if a != b])
    rviz = Node(package='rviz2', executable='rviz2', name='depth_sr_rviz', output='screen',
                arguments=['-d', LaunchConfiguration('rviz_config')],
                condition=IfCondition(LaunchConfiguration('use_rviz')))
    return [node, rviz]


def generate_launch_description():
    share = get_package_share_directory(PACKAGE)
    args = [
        DeclareLaunchArgument('params_file', default_value=os.path.join(share, PARAMS_FILE),
                              description='parameters YAML (/**: ros__parameters:)'),
        DeclareLaunchArgument('namespace', default_value='', description='node namespace'),
        DeclareLaunchArgument('use_rviz', default_value='false', description='also start RViz'),
        DeclareLaunchArgument('rviz_config', default_value=os.path.join(share, RVIZ_CONFIG),
                              description='RViz config to open'),
    ]
    args += [DeclareLaunchArgument(name, default_value='', description=f'{text}; '
                                   "'' keeps the params file value")
             for name, text in PARAM_ARGS.items()]
    args += [DeclareLaunchArgument(arg, default_value=topic, description=f'remap the node topic {topic}')
             for arg, topic in TOPIC_ARGS.items()]
    return LaunchDescription(args + [OpaqueFunction(function=_start)])
