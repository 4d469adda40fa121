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
launch/sr.launch.py against what `ros2 launch` cannot show here.

The params file equals the parameters a real node declares (with descriptions), the launch
arguments name real parameters and topics, the RViz config (rviz2 is not installable here) shows
the node's topics, and the shipped Fast DDS profile says what docs/NODE.md says. The launch file
itself runs for real, with every argument, in test/test_ros2_launch.py (the ast checks below are
what remains where ../shared/vendor/ros2 is absent and those tests skip).
"""
import ast
import importlib.util
from pathlib import Path

from ros_helpers import NodeHarness
import yaml

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ROOT / 'launch/sr.launch.py'


def _literals():
    tree = ast.parse(LAUNCH.read_text())
    out = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return tree, out


def _console_scripts():
    tree = ast.parse((ROOT / 'setup.py').read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == 'entry_points':
            eps = ast.literal_eval(node.value)['console_scripts']
            return dict(line.replace(' ', '').split('=') for line in eps)
    raise AssertionError('setup.py has no entry_points')


def _declared_parameters(node, plain_node):
    """
    Return the parameters the node itself declares.

    That is, minus rclpy's built-ins (those of a plain Node) and the qos_overrides.* ones rclpy
    adds for QoSOverridingOptions.
    """
    names = set(node._parameters) - set(plain_node._parameters)
    return {n for n in names if not n.startswith('qos_overrides.')}


def test_launch_file_contract(tiny_model_dir):
    tree, lit = _literals()
    assert lit['PACKAGE'] == 'depth_sr_ros'
    # the executable is a console script whose target is importable
    scripts = _console_scripts()
    for name in ('EXECUTABLE', 'LIFECYCLE_EXECUTABLE'):
        assert lit[name] in scripts
        module, func = scripts[lit[name]].split(':')
        assert callable(getattr(importlib.import_module(module), func))
    # the Node / LifecycleNode action that starts it uses those literals, and rviz2 gets the
    # shipped config
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    kw = [{k.arg: k.value for k in c.keywords} for c in calls]
    sr = [k for k in kw if isinstance(k.get('package'), ast.Name) and k['package'].id == 'PACKAGE']
    assert len(sr) == 1
    chosen = [a.value for a in ast.walk(tree) if isinstance(a, ast.Assign) and any(
        isinstance(n, ast.Name) and n.id == sr[0]['executable'].id
        for n in ast.walk(a.targets[0]))]
    assert len(chosen) == 1 and {n.id for n in ast.walk(chosen[0]) if isinstance(n, ast.Name)} \
        >= {'Node', 'EXECUTABLE', 'LifecycleNode', 'LIFECYCLE_EXECUTABLE'}
    assert {'parameters', 'remappings', 'namespace'} <= set(sr[0])
    assert any(
        isinstance(k.get('executable'), ast.Constant) and k['executable'].value == 'rviz2'
        for k in kw
    )
    # launch arguments
    declared = {c.args[0].value for c in ast.walk(tree) if isinstance(c, ast.Call)
                and getattr(c.func, 'id', '') == 'DeclareLaunchArgument' and c.args
                and isinstance(c.args[0], ast.Constant)}
    assert {'params_file', 'namespace', 'use_rviz', 'rviz_config'} <= declared
    # files it points at exist in the package (and are installed by setup.py's data_files)
    params_file, rviz = ROOT / lit['PARAMS_FILE'], ROOT / lit['RVIZ_CONFIG']
    assert params_file.is_file() and rviz.is_file()
    shipped = yaml.safe_load(params_file.read_text())['/**']['ros__parameters']

    h = NodeHarness(model=str(tiny_model_dir))
    try:
        node = h.node
        params = _declared_parameters(node, h.probe)
        overrides = {n for n in node._parameters if n.startswith('qos_overrides.')}
        topics = (
            {s.sub_image.topic_name for s in node.streams}
            | {s.sub_info.topic_name for s in node.streams}
            | {s.pub_image.topic_name for s in node.streams}
            | {s.pub_info.topic_name for s in node.streams}
        )
        descriptors = node.describe_parameters(sorted(params))
    finally:
        h.close()
    # params file keys == the node's declared parameters, and every one has a description
    assert set(shipped) == params
    assert all(d.description for d in descriptors)
    # launch overrides name real parameters; remapped topics are the node's topics
    assert set(lit['PARAM_ARGS']) <= params
    assert 'qos_overrides./depth/image_raw.subscription.reliability' in overrides
    assert {'/' + t for t in lit['TOPIC_ARGS'].values()} == topics
    # the RViz config shows the node's input and output topics in the depth optical frame
    rv = yaml.safe_load(rviz.read_text())['Visualization Manager']
    shown = {d['Topic']['Value'] for d in rv['Displays'] if isinstance(d.get('Topic'), dict)}
    assert topics - {'/depth/camera_info', '/depth_sr/camera_info'} <= shown
    assert {'/depth_sr/colorized', '/depth_sr/points'} <= shown
    assert rv['Global Options']['Fixed Frame'] == 'depth_optical_frame'


def test_fastdds_profile_is_what_the_docs_say():
    """
    Check the profile: 16 MB shared-memory segment + UDPv4, builtin transports off.

    It is the default participant profile, installed with the package and named by the launch
    file.
    """
    import xml.etree.ElementTree as ET
    _, lit = _literals()
    path = ROOT / lit['FASTDDS_PROFILE']
    ns = {'d': 'http://www.eprosima.com'}
    root = ET.parse(path).getroot()
    kinds = {
        t.findtext('d:transport_id', namespaces=ns): t
        for t in root.iterfind('.//d:transport_descriptor', ns)
    }
    types = {tid: t.findtext('d:type', namespaces=ns) for tid, t in kinds.items()}
    assert sorted(types.values()) == ['SHM', 'UDPv4']
    shm = next(t for t in kinds.values() if t.findtext('d:type', namespaces=ns) == 'SHM')
    assert int(shm.findtext('d:segment_size', namespaces=ns)) == 16 * 1024 * 1024
    part = root.find('.//d:participant', ns)
    assert part.get('is_default_profile') == 'true'
    assert part.findtext('d:rtps/d:useBuiltinTransports', namespaces=ns) == 'false'
    assert {e.text for e in part.iterfind('d:rtps/d:userTransports/d:transport_id', ns)} == set(
        types
    )
    assert "_files('config/*.xml')" in (ROOT / 'setup.py').read_text()
