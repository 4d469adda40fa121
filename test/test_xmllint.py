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
package.xml is a valid format-3 manifest (REP 149), checked offline.

ament_xmllint validates against package_format3.xsd fetched from the network; no xsd ships in
a reachable package and there is no network at test time, so this uses catkin_pkg (the parser
rosdep, bloom and colcon use; it rejects invalid manifests and warns on unknown or misplaced
content) strictly, plus the element order and value forms the xsd fixes.
"""
from pathlib import Path
import re
import xml.etree.ElementTree as ElementTree

from catkin_pkg.package import parse_package
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The xsd's <xs:sequence> for format 3: each group in this order, dependencies in any order.
ORDER = [{'name'}, {'version'}, {'description'}, {'maintainer'}, {'license'}, {'url'},
         {'author'},
         {'build_depend', 'build_export_depend', 'buildtool_depend', 'buildtool_export_depend',
          'exec_depend', 'depend', 'doc_depend', 'test_depend', 'conflict', 'replace'},
         {'group_depend'}, {'member_of_group'}, {'export'}]
REQUIRED = ('name', 'version', 'description', 'maintainer', 'license')


def order_errors(root):
    """Elements out of the xsd's order, or not in it at all."""
    errors, group = [], 0
    for element in root:
        if not isinstance(element.tag, str):
            continue                       # comments
        matches = [i for i, tags in enumerate(ORDER) if element.tag in tags]
        if not matches:
            errors.append(f'<{element.tag}> is not a format-3 element')
        elif matches[0] < group:
            errors.append(f'<{element.tag}> after an element that must follow it')
        else:
            group = matches[0]
    return errors


@pytest.mark.linter
def test_package_xml_is_a_valid_format3_manifest():
    path = ROOT / 'package.xml'
    text = path.read_text()
    assert 'href="http://download.ros.org/schema/package_format3.xsd"' in text
    root = ElementTree.fromstring(text)    # well-formed
    assert root.tag == 'package' and root.get('format') == '3'
    assert not order_errors(root)
    assert all(len(root.findall(tag)) >= 1 for tag in REQUIRED)
    assert re.fullmatch(r'[a-z](_?[a-z0-9]+)*', root.findtext('name'))
    assert re.fullmatch(r'\d+\.\d+\.\d+', root.findtext('version'))
    warnings = []
    package = parse_package(str(path), warnings=warnings)
    assert not warnings, warnings
    assert package.name == 'depth_sr_ros'


def test_the_check_rejects_misordered_and_unknown_elements():
    bad = ElementTree.fromstring('<package format="3"><version>1.0.0</version><name>x</name>'
                                 '<exec_depend>a</exec_depend><license>MIT</license>'
                                 '<run_depend>b</run_depend></package>')
    assert order_errors(bad) == ['<name> after an element that must follow it',
                                 '<license> after an element that must follow it',
                                 '<run_depend> is not a format-3 element']
