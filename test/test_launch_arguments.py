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
The launch arguments users expect, through the real `ros2 launch`.

log_level, use_sim_time and the RViz fixed frame (test/test_ros2_launch.py has the helpers).
rviz2 cannot be installed here, so a stand-in rviz2 package (an executable that writes down its
command line) sits on AMENT_PREFIX_PATH: what launch hands rviz2 is what is checked.
"""
import os
from pathlib import Path
import stat
import time

from builtin_interfaces.msg import Time
from depth_sr_ros.ros.conversions import array_to_image
from diagnostic_msgs.msg import DiagnosticArray
import pytest
from ros_helpers import camera_info, header, Probe, ramp_depth_mm, wait_for
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image
from test_launch_contract import _literals, ROOT
from test_ros2_launch import _serve_a_ramp, DEFAULT_QOS, launch, NOISE, ROS2
import yaml

pytestmark = pytest.mark.skipif(not ROS2.exists(),
                                reason='no .venv/bin/ros2 (see test_ros2_launch.py)')

RVIZ2 = """#!/bin/sh
# stand-in rviz2: writes its arguments, then the content of each --params-file it was given
out="$DEPTH_SR_TEST_RVIZ_ARGS"
printf '%s\\n' "$@" > "$out.tmp"
prev=''
for arg in "$@"; do
  if [ "$prev" = '--params-file' ]; then cat "$arg" >> "$out.tmp"; fi
  prev="$arg"
done
mv "$out.tmp" "$out"
"""
SIM_START = 4242


def _fake_rviz2(prefix):
    (prefix / 'share/ament_index/resource_index/packages').mkdir(parents=True)
    (prefix / 'share/ament_index/resource_index/packages/rviz2').write_text('')
    exe = prefix / 'lib/rviz2/rviz2'
    exe.parent.mkdir(parents=True)
    exe.write_text(RVIZ2)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)


def test_default_fixed_frame_is_the_rviz_configs():
    _, lit = _literals()
    rviz = yaml.safe_load((ROOT / lit['RVIZ_CONFIG']).read_text())['Visualization Manager']
    assert lit['FIXED_FRAME'] == rviz['Global Options']['Fixed Frame']


def test_log_level_use_sim_time_and_rviz_fixed_frame(tmp_path):
    """
    Check that log_level, use_sim_time and the RViz fixed frame reach the node and rviz2.

    log_level:=warn hides the node's INFO start-up line but not its warnings; use_sim_time:=true
    makes the node's clock (its /diagnostics stamps and timers) follow /clock; rviz2 gets
    -d <config> -f <fixed_frame> and use_sim_time.
    """
    _fake_rviz2(tmp_path / 'prefix')
    args_file = tmp_path / 'rviz2_args'
    env = {'AMENT_PREFIX_PATH': f"{tmp_path / 'prefix'}:{os.environ.get('AMENT_PREFIX_PATH', '')}",
           'DEPTH_SR_TEST_RVIZ_ARGS': str(args_file)}
    run = launch('log_level:=warn', 'use_sim_time:=true', 'use_rviz:=true',
                 'fixed_frame:=camera_depth_optical_frame', env=env)
    probe = Probe()
    try:
        clock = probe.publisher(Clock, '/clock')
        started = time.monotonic()

        def tick():   # simulated time from SIM_START, advancing with the wall clock
            t = SIM_START + time.monotonic() - started
            clock.publish(Clock(clock=Time(sec=int(t), nanosec=int(t % 1 * 1e9))))
        probe.probe.create_timer(0.05, tick)
        diags = probe.collect(DiagnosticArray, '/diagnostics', DEFAULT_QOS)
        _serve_a_ramp(probe, run, 4, also=(diags,))
        # a CameraInfo stamped 50 s before its image: the node warns (visible at log_level warn)
        pub_img = probe.publisher(Image, 'depth/image_raw')
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        lr = ramp_depth_mm(32, 24)
        for sec in range(100, 110):
            pub_info.publish(camera_info(32, 24, header(sec - 50)))
            time.sleep(0.02)
            pub_img.publish(array_to_image(lr, '16UC1', header(sec)))
            if wait_for(lambda: 'camera_info_max_stamp_skew' in run.output(), 1.0):
                break
        stamps = wait_for(lambda: [m.header.stamp.sec for m in list(diags.messages)], 20)
        assert stamps, f'no /diagnostics (its timer runs on the simulated clock):\n{run.output()}'
        assert all(SIM_START <= s < SIM_START + 600 for s in stamps), stamps
        assert wait_for(args_file.exists, 20), f'rviz2 was not started:\n{run.output()}'
    finally:
        probe.close()
        rc = run.interrupt()
    text = run.output()
    assert rc == 0 and not any(n in text for n in NOISE), text
    node_lines = [line for line in text.splitlines() if '[depth_sr_node]: ' in line]  # its logger
    warned = [line for line in node_lines if 'camera_info_max_stamp_skew' in line]
    assert len(warned) == 1 and '[WARN]' in warned[0], text
    assert not any('[INFO]' in line for line in node_lines), text
    rviz = args_file.read_text().splitlines()
    assert rviz[0] == '-d' and Path(rviz[1]).resolve() == ROOT / 'config/depth_sr.rviz', rviz
    assert rviz[2:4] == ['-f', 'camera_depth_optical_frame'], rviz
    assert 'use_sim_time: true' in [line.strip() for line in rviz], rviz
    run.assert_no_orphans()


@pytest.mark.parametrize('arg, expect', [
    ('log_level:=verbose', 'log_level:=verbose is not one of'),
    ('use_sim_time:=maybe', 'use_sim_time:=maybe is not true or false')])
def test_bad_values_end_the_launch_with_one_clear_line(arg, expect):
    run = launch(arg)
    rc = run.wait(timeout=60)
    text = run.output()
    assert rc != 0 and expect in text and 'process started' not in text, text
    run.assert_no_orphans()
