"""launch/sr.launch.py against the package: what it would start must exist and match the node.

launch_ros is not installable here; where it is importable the launch description is loaded for
real, otherwise the file is parsed with `ast` and its literal contract checked. Either way the
node's declared parameters (from a real in-process node) must equal the shipped params file.
"""
import ast
import importlib.util
from pathlib import Path

import yaml

from ros_helpers import NodeHarness  # isort: skip

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ROOT / 'launch/sr.launch.py'


def _literals():
    tree = ast.parse(LAUNCH.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
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
    """Parameters the node itself declares: minus rclpy's built-ins (those of a plain Node) and
    the qos_overrides.* ones rclpy adds for QoSOverridingOptions."""
    names = set(node._parameters) - set(plain_node._parameters)
    return {n for n in names if not n.startswith('qos_overrides.')}


def test_launch_file_contract(tiny_model_dir):
    tree, lit = _literals()
    assert lit['PACKAGE'] == 'depth_sr_ros'
    # the executable is a console script whose target is importable
    scripts = _console_scripts()
    assert lit['EXECUTABLE'] in scripts
    module, func = scripts[lit['EXECUTABLE']].split(':')
    assert callable(getattr(importlib.import_module(module), func))
    # the Node(...) that starts it uses those literals, and rviz2 gets the shipped config
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'id', '') == 'Node']
    kw = [{k.arg: k.value for k in c.keywords} for c in calls]
    sr = [k for k in kw if isinstance(k.get('executable'), ast.Name) and k['executable'].id == 'EXECUTABLE']
    assert len(sr) == 1 and sr[0]['package'].id == 'PACKAGE'
    assert {'parameters', 'remappings', 'namespace'} <= set(sr[0])
    assert any(isinstance(k.get('executable'), ast.Constant) and k['executable'].value == 'rviz2'
               and 'condition' in k for k in kw)
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
        topics = {s.sub_image.topic_name for s in node.streams} | {s.sub_info.topic_name for s in node.streams} \
            | {s.pub_image.topic_name for s in node.streams} | {s.pub_info.topic_name for s in node.streams}
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


def test_launch_description_loads_where_launch_ros_exists():
    """Real load of the launch file on a ROS 2 distribution; here the ast contract above stands in."""
    if importlib.util.find_spec('launch_ros') is None:
        # Not a skip: prove at least that the file is valid Python and defines the entry point.
        tree = ast.parse(LAUNCH.read_text())
        assert 'generate_launch_description' in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        return
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument
    spec = importlib.util.spec_from_file_location('sr_launch', LAUNCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ld = mod.generate_launch_description()
    names = {a.name for a in ld.entities if isinstance(a, DeclareLaunchArgument)}
    assert {'params_file', 'model', 'device', 'use_rviz', 'rviz_config'} <= names
    ctx = LaunchContext()
    for a in ld.entities:
        if isinstance(a, DeclareLaunchArgument):
            a.visit(ctx)
    started = mod._start(ctx)
    assert started[0].node_executable == 'depth_sr_node'
