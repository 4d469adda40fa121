"""However depth_sr_node is started, an outside consumer gets each image with its CameraInfo.

The node runs as its own process with a clean environment (no Fast DDS profile variable), started
as the plain executable, through `ros2 run` and through `ros2 launch`; this test process is the
sensors and a consumer with Fast DDS's default transports, subscribed like RViz /
depth_image_proc (reliable, keep last 50). Groups: size changes, encoding changes, rejected
frames, a burst, a publisher restart, two sensors at once, 160x120 -> 640x480 and
320x240 -> 1280x960 (test/pairing_consumer.py). Before the node applied its own Fast DDS
profile, images over 512 KB lost their CameraInfo in several groups here
(docs/pending/26_camera_info_pairing.md).
"""
import pytest

from pairing_consumer import BIN, GROUPS, failures, run_once  # isort: skip


@pytest.mark.parametrize('mode', ['exe', 'ros2_run', 'ros2_launch'])
def test_every_served_image_has_its_camera_info(tmp_path, tiny_model_dir, mode):
    result = run_once(mode, tiny_model_dir, tmp_path)
    if result is None:
        pytest.skip(f'no {BIN / "ros2"} (scripts/setup_ros2_cli.sh needs ../shared/vendor/ros2)')
    report, log = result
    assert set(report) == set(GROUPS), report
    assert not failures(report), f'served images without their CameraInfo: {failures(report)}'
    # every good frame of the paced groups was served (the burst may drop all but the newest)
    for group, r in report.items():
        assert r['served'] >= (2 if group == 'burst' else r['sent'] - 1), (group, r)
    start = next((line for line in log.splitlines() if 'transport:' in line), '')
    assert 'fastdds_shm.xml' in start, log
