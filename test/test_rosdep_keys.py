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
Every dependency key of package.xml resolves for `rosdep install` where the README promises it.

Checked offline against ../shared/rosdep/ (a copy of the rosdistro rules and distribution files):
Humble on Ubuntu jammy, Jazzy and Kilted on Ubuntu noble. A key resolves when it is a ROS
package released in that distribution or a system key with a rule for that Ubuntu release.
"""
import functools
import gzip
from pathlib import Path
import xml.etree.ElementTree as ElementTree

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ROSDEP = ROOT.parent / 'shared' / 'rosdep'
PLATFORMS = [('humble', 'ubuntu', 'jammy'), ('jazzy', 'ubuntu', 'noble'),
             ('kilted', 'ubuntu', 'noble')]
DEPEND_TAGS = ('depend', 'build_depend', 'build_export_depend', 'buildtool_depend',
               'buildtool_export_depend', 'exec_depend', 'test_depend', 'doc_depend')
INSTALLERS = ('apt', 'pip', 'source')
LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)   # libyaml: 10x faster on these files

if not ROSDEP.is_dir():
    pytest.skip(f'{ROSDEP} absent: rosdep keys not checked', allow_module_level=True)


def package_keys(path=ROOT / 'package.xml'):
    """(tag, key) for every dependency; conditional ones would need per-distro evaluation."""
    root = ElementTree.parse(path).getroot()
    deps = [el for el in root if el.tag in DEPEND_TAGS]
    conditional = [el.text for el in deps if el.get('condition')]
    assert not conditional, f'conditional keys need per-distro evaluation here: {conditional}'
    return [(el.tag, el.text.strip()) for el in deps]


@functools.lru_cache(maxsize=None)
def load_rules():
    """Rules of base.yaml and python.yaml: what rosdep knows about system keys."""
    rules = {}
    for name in ('base.yaml', 'python.yaml'):
        rules.update(yaml.load((ROSDEP / name).read_text(), Loader=LOADER))
    return rules


@functools.lru_cache(maxsize=None)
def released_packages(distro):
    """Names of the ROS packages a distribution releases (repositories with a release version)."""
    with gzip.open(ROSDEP / f'{distro}-distribution.yaml.gz', 'rt') as handle:
        data = yaml.load(handle, Loader=LOADER)
    packages = set()
    for name, repo in data['repositories'].items():
        release = repo.get('release') or {}
        if release.get('version'):
            packages.update(release.get('packages', [name]))
    return packages


def system_rule_resolves(rule, os_name, release):
    """Whether rosdep finds something to install (or nothing needed) for os_name/release."""
    if not isinstance(rule, dict) or rule.get(os_name) is None:
        return False
    os_rule = rule[os_name]
    if not isinstance(os_rule, dict):
        return True                      # a package list for every release
    if release in os_rule:
        return os_rule[release] is not None
    if '*' in os_rule:
        return os_rule['*'] is not None
    return any(key in INSTALLERS for key in os_rule)  # e.g. {pip: {packages: [...]}}


@pytest.mark.parametrize('distro,os_name,release', PLATFORMS)
def test_every_key_resolves(distro, os_name, release):
    rules = load_rules()
    released = released_packages(distro)
    unresolved = [f'{tag} {key}' for tag, key in package_keys()
                  if key not in released and not system_rule_resolves(rules.get(key), os_name,
                                                                      release)]
    assert not unresolved, f'no rosdep rule for {distro} ({os_name} {release}): {unresolved}'


def test_the_check_rejects_what_rosdep_cannot_install():
    """The resolver tells 'null here', 'not listed' and 'no such key' from a real rule."""
    rules = load_rules()
    assert system_rule_resolves(rules['python3-torch'], 'ubuntu', 'noble')
    assert not system_rule_resolves(rules['python3-torch'], 'ubuntu', 'focal')   # null there
    assert system_rule_resolves(rules['python3-rosbags-pip'], 'ubuntu', 'jammy')  # pip rule
    assert not system_rule_resolves(rules['python3-numpy'], 'macos', 'sonoma')   # no macos
    assert 'python3-safetensors' not in rules and 'python3-onnxruntime' not in rules
    assert 'rclpy' in released_packages('humble')
    assert 'depth_sr_ros' not in released_packages('humble')


def test_imported_ros_packages_are_declared():
    """Each ROS package the installed code imports is a dependency (rcl_interfaces was not)."""
    declared = {key for _, key in package_keys()}
    sources = [*ROOT.joinpath('depth_sr_ros').rglob('*.py'), *ROOT.joinpath('launch').glob('*.py')]
    imported = set()
    for source in sources:
        for line in source.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] in ('import', 'from'):
                imported.add(words[1].split('.')[0])
    ros_packages = released_packages('kilted')
    missing = sorted((imported & ros_packages) - declared - {'depth_sr_ros'})
    assert not missing, f'imported ROS packages missing from package.xml: {missing}'
