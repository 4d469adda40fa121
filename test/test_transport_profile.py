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


LOCALHOST_VARIANT = str(tp.shipped_profile().with_name(tp.LOCALHOST_PROFILE))


@pytest.mark.parametrize('discovery', [{'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST'},
                                       {'ROS_LOCALHOST_ONLY': '1'}])
@pytest.mark.parametrize('launched', [False, True])
def test_localhost_discovery_gets_the_variant_and_asks_rmw_for_nothing(
        major, discovery, launched):
    env = dict(discovery, **({tp.PROFILE_ENV: SHIPPED} if launched else {}))
    line = tp.apply(env)
    assert all(env[name] == LOCALHOST_VARIANT for name in tp.profile_variables(major))
    assert env['ROS_AUTOMATIC_DISCOVERY_RANGE'] == 'SYSTEM_DEFAULT'
    assert 'ROS_LOCALHOST_ONLY' not in env and 'localhost-only discovery' in line


@pytest.mark.parametrize('env', [
    {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST', 'ROS_STATIC_PEERS': '192.168.1.7'},
    {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST', tp.PROFILE_ENV: '/mine.xml'},
    {'ROS_AUTOMATIC_DISCOVERY_RANGE': 'SUBNET'},
    {'ROS_LOCALHOST_ONLY': '1', 'ROS_AUTOMATIC_DISCOVERY_RANGE': 'SUBNET'}])
def test_localhost_variant_only_where_it_is_needed(major, env):
    before = dict(env)
    tp.apply(env)
    assert LOCALHOST_VARIANT not in env.values()
    assert {k: env[k] for k in before} == before   # the discovery settings are the user's


def test_localhost_variant_matches_the_shipped_profile():
    """The variant differs only in its discovery settings: same transports and segment."""
    import xml.etree.ElementTree as ET
    ns = {'d': 'http://www.eprosima.com'}

    def transports(path):
        root = ET.parse(path).getroot()
        return sorted((d.findtext('d:transport_id', namespaces=ns),
                       d.findtext('d:type', namespaces=ns),
                       d.findtext('d:segment_size', namespaces=ns))
                      for d in root.iter('{http://www.eprosima.com}transport_descriptor'))
    assert transports(SHIPPED) == transports(LOCALHOST_VARIANT)
    root = ET.parse(LOCALHOST_VARIANT).getroot()
    peers = [a.text for a in root.iter('{http://www.eprosima.com}address')]
    assert peers == ['127.0.0.1']


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
