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

"""Shared fixtures: keep torch to one thread per test process so parallel work stays fair."""
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def tiny_model_dir(tmp_path):
    """Return an exported (untrained) tiny DSRNet x4 model directory."""
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
    torch.manual_seed(0)
    net = DSRNet(DSRNetConfig(scale=4, channels=8, hr_channels=2, num_blocks=2, up_kernel=1))
    return save_model(tmp_path / 'tiny_x4', net, {'training_data': 'none (test model)'})


ROS_MARK = 'ros'


def pytest_configure(config):
    config.addinivalue_line('markers', f'{ROS_MARK}: ROS-facing (set automatically on every test '
                            'module that uses test/ros_helpers.py); scripts/test.sh runs these on '
                            'each further distribution (-m ros)')


def _uses_ros_helpers(module):
    return any(getattr(v, '__name__', None) == 'ros_helpers'
               or getattr(v, '__module__', None) == 'ros_helpers' for v in vars(module).values())


def pytest_collection_modifyitems(config, items):
    """
    Mark every test of a module that uses ros_helpers as ROS-facing.

    The one rule for "ROS-facing": every test that talks over DDS goes through ros_helpers
    (its domain isolation), so a module using it is ROS-facing, whoever wrote it.
    """
    for item in items:
        module = getattr(item, 'module', None)
        if module is not None and _uses_ros_helpers(module):
            item.add_marker(ROS_MARK)
