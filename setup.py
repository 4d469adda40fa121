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

"""ament_python package: the ROS-free core (depth_sr_ros.*) plus the rclpy node and tools."""
from glob import glob
import os

from setuptools import find_packages, setup

package_name = 'depth_sr_ros'


def _files(pattern):
    return [path for path in glob(pattern) if os.path.isfile(path)]


def _requirements(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'requirements', name)
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith('#')]


setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/launch', _files('launch/*.launch.py')),
        ('share/' + package_name + '/config', _files('config/*.yaml') + _files('config/*.rviz')
         + _files('config/*.xml')),
        ('share/' + package_name + '/models', _files('models/*')),
        ('share/' + package_name + '/models/reference', _files('models/reference/*')),
        ('share/' + package_name + '/models/reference/middlebury/depth',
         _files('models/reference/middlebury/depth/*.png')),
    ],
    # torch and friends come from pip on every platform; rclpy & co. from the ROS
    # distribution (or requirements/ros-pypi.txt where there is none), so they are not
    # listed here: pip must never replace a distribution's rclpy.
    install_requires=['setuptools'],
    extras_require={'core': _requirements('core.txt'), 'onnx': _requirements('onnx.txt')},
    zip_safe=True,
    maintainer='depth_sr_ros developers',
    maintainer_email='depth-sr-ros@example.org',
    description='Single depth super-resolution for ROS 2, trained with cross-task '
                'knowledge transfer from RGB (CTKT, CVPR 2021).',
    license='Apache-2.0',
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [
            'depth_sr_node = depth_sr_ros.ros.node:main',
            'depth_sr_lifecycle_node = depth_sr_ros.ros.node:main_lifecycle',
            'train_from_bag = depth_sr_ros.cli.train_from_bag:main',
            'train = depth_sr_ros.cli.train:main',
            'folder_to_bag = depth_sr_ros.cli.folder_to_bag:main',
        ],
    },
)
