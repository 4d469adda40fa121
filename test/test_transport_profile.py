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
transport_profile.apply: the node gives itself the shipped Fast DDS profile.

It is set under the variable the installed Fast DDS reads, unless the user configured Fast DDS or
chose another RMW. (Whether the profile then takes effect on the wire:
test/test_output_pairing.py.)
"""
from depth_sr_ros.ros import transport_profile as tp
import pytest

SHIPPED = str(tp.shipped_profile())


@pytest.fixture(params=[2, 3, None])
def major(request, monkeypatch):
    monkeypatch.setattr(tp, 'fastdds_major', lambda env: request.param)
    return request.param


def test_shipped_profile_exists():
    assert tp.shipped_profile().is_file()


def test_clean_environment_gets_the_shipped_profile_under_the_right_name(major):
    env = {}
    line = tp.apply(env)
    want = {2: {tp.LEGACY_PROFILE_ENV}, 3: {tp.PROFILE_ENV}}.get(
        major, {tp.PROFILE_ENV, tp.LEGACY_PROFILE_ENV})
    assert env == {name: SHIPPED for name in want}
    assert SHIPPED in line and tp.in_force() == line


@pytest.mark.parametrize('user', [{tp.PROFILE_ENV: '/mine.xml'},
                                  {tp.LEGACY_PROFILE_ENV: '/mine.xml'},
                                  {'RMW_FASTRTPS_USE_QOS_FROM_XML': '1'},
                                  {'FASTDDS_BUILTIN_TRANSPORTS': 'LARGE_DATA'}])
def test_user_configuration_wins(major, user):
    env = dict(user)
    line = tp.apply(env)
    assert SHIPPED not in env.values() and 'configured by the environment' in line
    if '/mine.xml' in user.values():  # passed on under the name(s) this Fast DDS reads
        names = tp.profile_variables(major)
        assert all(env[name] == '/mine.xml' for name in names) and '/mine.xml' in line
    else:
        assert set(env) == set(user)


def test_opt_out_other_rmw_and_own_path(major, tmp_path):
    env = {tp.CHOICE_ENV: 'none'}
    assert 'defaults' in tp.apply(env) and set(env) == {tp.CHOICE_ENV}
    env = {'RMW_IMPLEMENTATION': 'rmw_cyclonedds_cpp'}
    assert 'rmw_cyclonedds_cpp' in tp.apply(env) and set(env) == {'RMW_IMPLEMENTATION'}
    own = tmp_path / 'own.xml'
    own.write_text('<dds/>')
    env = {tp.CHOICE_ENV: str(own)}
    assert str(own) in tp.apply(env) and str(own) in env.values()
    env = {tp.CHOICE_ENV: str(tmp_path / 'missing.xml')}
    assert 'not found' in tp.apply(env) and set(env) == {tp.CHOICE_ENV}


def test_fastdds_major_from_the_environment(monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(metadata, 'version', missing)
    assert tp.fastdds_major({'ROS_DISTRO': 'jazzy'}) == 2
    assert tp.fastdds_major({'ROS_DISTRO': 'humble'}) == 2
    assert tp.fastdds_major({'ROS_DISTRO': 'kilted'}) == 3
    assert tp.fastdds_major({}) is None


def test_fastdds_major_of_this_venv():
    """This venv's wheels: Kilted's ros-fastdds 3.x or Jazzy's ros-fastrtps 2.14."""
    from importlib import metadata
    names = {d.metadata['Name'].lower() for d in metadata.distributions()}
    expect = 3 if 'ros-fastdds' in names else 2 if 'ros-fastrtps' in names else None
    assert tp.fastdds_major({}) == expect
