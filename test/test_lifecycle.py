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
depth_sr_lifecycle_node as a real process, driven over DDS as a lifecycle manager does.

Driven from this process with the lifecycle_msgs services (ChangeState, GetState,
GetAvailableTransitions): the full cycle, frames waiting at deactivate are dropped, a bad model
fails configure and leaves the node up and unconfigured.
"""
from pathlib import Path
import re
import signal
import subprocess
import sys
import tempfile
import time

from depth_sr_ros.ros.conversions import array_to_image
from diagnostic_msgs.msg import DiagnosticArray
from lifecycle_msgs.srv import ChangeState, GetAvailableTransitions, GetState
from ros_helpers import camera_info, header, Probe, ramp_depth_mm, send_until_served, wait_for
from sensor_msgs.msg import CameraInfo, Image

EXE = str(Path(sys.executable).parent / 'depth_sr_lifecycle_node')
NODE = '/depth_sr_node'
INPUT, OUTPUT = '/depth/image_raw', '/depth_sr/image_raw'


class _Managed:
    """The node process and a lifecycle client for it (the probe node's service clients)."""

    def __init__(self, probe, *ros_args):
        self.log = tempfile.TemporaryFile(mode='w+')
        self.proc = subprocess.Popen([EXE, '--ros-args', '-p', 'torch_threads:=1', *ros_args],
                                     stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.probe = probe.probe
        self.clients = {name: self.probe.create_client(srv, f'{NODE}/{name}') for name, srv in (
            ('change_state', ChangeState), ('get_state', GetState),
            ('get_available_transitions', GetAvailableTransitions))}
        assert all(c.wait_for_service(timeout_sec=60) for c in self.clients.values()), \
            self.output()

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def _call(self, name, request, timeout=120):
        future = self.clients[name].call_async(request)
        assert wait_for(future.done, timeout), f'{name}: no response\n{self.output()}'
        return future.result()

    def state(self):
        return self._call('get_state', GetState.Request()).current_state.label

    def transitions(self):
        reply = self._call('get_available_transitions', GetAvailableTransitions.Request())
        return {t.transition.label for t in reply.available_transitions}

    def change(self, label):
        request = ChangeState.Request()
        request.transition.label = label
        return self._call('change_state', request).success

    def graph(self, publishers=None, subscribers=None):
        """Wait until the graph shows this many publishers on OUTPUT / subscribers on INPUT."""
        def shown():
            pubs, subs = self.probe.count_publishers(OUTPUT), self.probe.count_subscribers(INPUT)
            return publishers in (None, pubs) and subscribers in (None, subs)
        return wait_for(shown, 20)

    def stop(self):
        """SIGINT; returns (exit code, output)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.output()


def _take(collector):
    """Return the messages collected so far; the collector starts empty again."""
    with collector._lock:
        taken, collector.messages = collector.messages, []
    return taken


def _latest_diagnostics(diags):
    for arr in reversed(list(diags.messages)):
        for st in arr.status:
            values = {kv.key: kv.value for kv in st.values}
            if values.get('input_topic') == INPUT:
                return values, st.message
    return None, None


def test_full_cycle_over_the_lifecycle_services(tiny_model_dir):
    probe = Probe()
    node = None
    try:
        node = _Managed(probe, '-p', f'model:={tiny_model_dir}', '-p', 'diagnostics_period:=0.2')
        pub_img = probe.publisher(Image, INPUT)
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        out = probe.collect(Image, OUTPUT)
        out_info = probe.collect(CameraInfo, 'depth_sr/camera_info')
        diags = probe.collect(DiagnosticArray, '/diagnostics')
        lr = ramp_depth_mm(32, 24)
        # unconfigured: nothing loaded, no topics
        assert node.state() == 'unconfigured'
        assert node.transitions() == {'configure', 'shutdown'}
        assert node.graph(publishers=0, subscribers=0)
        # configure: model loaded and warmed (device, precision logged); publishers, no input
        assert node.change('configure') and node.state() == 'inactive'
        assert re.search(r'x4 on cpu \(\w+', node.output()), node.output()
        assert node.transitions() == {'activate', 'cleanup', 'shutdown'}
        assert node.graph(publishers=1, subscribers=0)
        assert wait_for(lambda: _latest_diagnostics(diags)[1] is not None, 10)
        assert _latest_diagnostics(diags)[1].startswith('inactive')
        # activate: frames flow
        assert node.change('activate') and node.state() == 'active'
        assert node.transitions() == {'deactivate', 'shutdown'}
        assert probe.connected([pub_img, pub_info], [out, out_info], timeout=60), node.output()
        img = send_until_served(pub_img, pub_info, out, lr, out_info, sec0=1)
        assert (img.width, img.height) == (128, 96)
        # deactivate while a frame (A) is in inference and another (B) waits: A is not
        # published, B is dropped (never published, not even after activate)
        big = ramp_depth_mm(320, 240)
        time.sleep(0.6)                              # diagnostics (every 0.2 s) up to date
        received = int(_latest_diagnostics(diags)[0]['frames_received'])
        published = int(_latest_diagnostics(diags)[0]['frames_published'])
        for sec in (100, 101):                       # A, B
            pub_info.publish(camera_info(320, 240, header(sec)))
            pub_img.publish(array_to_image(big, '16UC1', header(sec)))
            time.sleep(0.05)
        assert node.change('deactivate') and node.state() == 'inactive'
        assert node.graph(subscribers=0)
        time.sleep(0.5)
        values, message = _latest_diagnostics(diags)
        assert int(values['frames_received']) == received + 2, 'A and B did not both arrive'
        assert int(values['frames_published']) == published, 'A finished before deactivate'
        assert message.startswith('inactive')
        for sec in range(200, 205):                  # inactive: no output
            pub_info.publish(camera_info(32, 24, header(sec)))
            pub_img.publish(array_to_image(lr, '16UC1', header(sec)))
            time.sleep(0.05)
        time.sleep(0.5)
        assert not [m for m in out.messages if m.header.stamp.sec >= 100]
        # activate again: new frames flow, A and B never come out
        assert node.change('activate') and node.state() == 'active'
        assert node.graph(subscribers=1)
        seen = _take(out) + _take(out_info)
        img = send_until_served(pub_img, pub_info, out, lr, out_info, sec0=300)
        assert img.header.stamp.sec >= 300
        seen += out.messages + out_info.messages
        assert not [m for m in seen if 100 <= m.header.stamp.sec < 300]
        # cleanup (from inactive, as the state machine requires): model released, publishers
        # gone; configure loads it again
        assert not node.change('cleanup') and node.state() == 'active'
        assert node.change('deactivate') and node.change('cleanup')
        assert node.state() == 'unconfigured'
        assert node.graph(publishers=0, subscribers=0)
        assert node.change('configure') and node.state() == 'inactive'
        assert node.output().count('x4 on cpu (') == 2
        # shutdown (from inactive): finalized, the process stays up until stopped
        assert node.change('shutdown') and node.state() == 'finalized'
        assert node.graph(publishers=0, subscribers=0)
        assert node.proc.poll() is None
    finally:
        probe.close()
        rc, text = node.stop() if node else (0, '')
    assert rc == 0 and 'Traceback' not in text, text


def test_shutdown_from_active(tiny_model_dir):
    """(From inactive: the full cycle; from unconfigured: the bad-model test.)."""
    probe = Probe()
    node = None
    try:
        node = _Managed(probe, '-p', f'model:={tiny_model_dir}')
        assert node.change('configure') and node.change('activate')
        assert node.graph(publishers=1, subscribers=1)
        assert node.change('shutdown') and node.state() == 'finalized'
        assert node.graph(publishers=0, subscribers=0)
    finally:
        probe.close()
        rc, text = node.stop() if node else (0, '')
    assert rc == 0 and 'Traceback' not in text, text


def test_bad_model_fails_configure_and_the_node_stays_up_unconfigured():
    probe = Probe()
    node = None
    try:
        node = _Managed(probe, '-p', 'model:=does_not_exist')
        assert node.state() == 'unconfigured'
        assert not node.change('configure')
        assert node.state() == 'unconfigured' and node.proc.poll() is None
        assert node.transitions() == {'configure', 'shutdown'}
        assert not node.change('configure')           # the same again: still up
        errors = [line for line in node.output().splitlines() if 'configure failed' in line]
        assert len(errors) == 2
        assert all("no bundled model named 'does_not_exist'" in e for e in errors)
        assert node.graph(publishers=0, subscribers=0)
        assert node.change('shutdown') and node.state() == 'finalized'   # from unconfigured
    finally:
        probe.close()
        rc, text = node.stop() if node else (0, '')
    assert rc == 0 and 'Traceback' not in text, text


def test_a_configure_failing_after_the_first_sensor_leaves_no_publisher_behind(tiny_model_dir):
    """
    In-process (the transition called directly): a bad second sensor undoes the first.

    The second input_namespaces entry is not a valid name; the first sensor's publishers, already
    made, are destroyed with the model.
    """
    from depth_sr_ros.ros.lifecycle_node import DepthSRLifecycleNode
    from rclpy.lifecycle import TransitionCallbackReturn
    from rclpy.parameter import Parameter
    overrides = [Parameter('model', value=str(tiny_model_dir)),
                 Parameter('input_namespaces', value=['front', 'bad name'])]
    h = Probe(lambda ctx: [DepthSRLifecycleNode(context=ctx, parameter_overrides=overrides)])
    try:
        node = h.nodes[0]
        topic = '/front/depth_sr/image_raw'
        created, make = [], node.create_output_publisher

        def recording(msg_type, name, *args, **kwargs):
            created.append(node.resolve_topic_name(name))
            return make(msg_type, name, *args, **kwargs)
        node.create_output_publisher = recording
        assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
        assert node._state_machine.current_state[1] == 'unconfigured'
        assert topic in created                                     # it got that far
        assert node.resolver is None and node.streams == []
        assert wait_for(lambda: h.probe.count_publishers(topic) == 0, 10)
        assert topic not in {p.topic_name for p in node.publishers}
    finally:
        h.close()
