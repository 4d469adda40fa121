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

"""Reading RGB-D bags: every storage, every encoding, step padding, big-endian, topic choice."""
from bag_factory import write_rgbd_bag
from depth_sr_ros.data.bags import BagReadOptions, find_bags, list_topics, read_bag, TopicError
from depth_sr_ros.data.bags.topics import format_topic_table
import numpy as np
import pytest

ALL = BagReadOptions(dedup_threshold=0)          # keep every frame: compare with ground truth 1:1
BAG_NAMES = {
    'sqlite3': 'rs',
    'mcap': 'rs',
    'ros1': 'rs.bag',
    'db3': 'rs.db3',
    'mcap-file': 'rs.mcap',
}


def _check_against_truth(pairs, truth, depth_tol=0.0006):
    assert len(pairs) == len(truth['color'])
    for p, g, stamp in zip(pairs, truth['color'], truth['stamps']):
        assert p.rgb.dtype == np.uint8 and p.depth.dtype == np.float32
        np.testing.assert_array_equal(p.valid, g.valid)
        assert np.abs(p.depth - g.depth)[g.valid].max() <= depth_tol
        assert p.timestamp == pytest.approx(stamp, abs=1e-6)


@pytest.mark.parametrize('storage', list(BAG_NAMES))
def test_every_storage_realsense_style(tmp_path, storage):
    """
    Read a RealSense-style bag in every storage.

    RealSense names, compressed colour, aligned 16UC1, unrelated topics, depth 4 ms late.
    """
    bag = tmp_path / BAG_NAMES[storage]
    truth = write_rgbd_bag(
        bag, storage=storage, color='jpeg', extra_topics=True, depth_delay_s=0.004
    )
    pairs, summary = read_bag(bag, ALL, progress=False)
    _check_against_truth(pairs, truth)
    assert summary['rgb_topic'] == '/camera/color/image_raw/compressed'
    assert summary['depth_topic'] == '/camera/aligned_depth_to_color/image_raw'
    assert summary['depth_minus_colour_ms_median'] == pytest.approx(4.0, abs=0.01)
    assert summary['dropped'] == {}
    assert 'already registered' in summary['registration']
    # jpeg is lossy, but colours must be the scene's, in RGB order
    err = np.abs(pairs[0].rgb.astype(int) - truth['color'][0].rgb.astype(int)).mean()
    assert err < 6, err
    assert pairs[0].source == str(bag) and pairs[0].meta['depth_topic'] == summary['depth_topic']


@pytest.mark.parametrize('color', ['rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8', 'png'])
def test_colour_encodings(tmp_path, color):
    truth = write_rgbd_bag(tmp_path / 'b', n=2, color=color)
    pairs, _ = read_bag(tmp_path / 'b', ALL, progress=False)
    g = truth['color'][0].rgb
    expected = (
        np.repeat(g.mean(axis=2).astype(np.uint8)[:, :, None], 3, axis=2)
        if color == 'mono8'
        else g
    )
    np.testing.assert_array_equal(pairs[0].rgb, expected)


@pytest.mark.parametrize('depth,tol', [('16UC1', 0.0006), ('mono16', 0.0006), ('32FC1', 1e-6),
                                       ('png16', 0.0006), ('cdepth16', 0.0006), ('cdepth32', None),
                                       ('rvl16', 0.0006), ('rvl32', None)])
def test_depth_encodings(tmp_path, depth, tol):
    truth = write_rgbd_bag(tmp_path / 'b', n=2, depth=depth, storage='mcap')
    pairs, summary = read_bag(tmp_path / 'b', ALL, progress=False)
    g = truth['color'][0]
    p = pairs[0]
    if depth in ('cdepth32', 'rvl32'):
        # inverse-depth quantisation: step of q is A/z^2 -> error grows with z^2 (about 0.1 mm at
        # 1 m, 6 mm at 8 m with the default A = 100*101); anything else would be a decoding bug
        assert p.valid[g.valid].mean() > 0.99 and not p.valid[~g.valid].any()
        rel = np.abs(p.depth - g.depth)[p.valid] / g.depth[p.valid] ** 2
        assert rel.max() < 1.0 / (100 * 101) + 1e-5
    else:
        _check_against_truth(pairs[:1], {'color': [g], 'stamps': truth['stamps'][:1]}, tol)
    assert (
        summary['depth_encoding']
        .lower()
        .startswith(depth.lower()[:5] if depth.startswith(('16', 'mono', '32')) else '')
    )


@pytest.mark.parametrize('depth', ['16UC1', '32FC1'])
def test_step_padding_and_big_endian(tmp_path, depth):
    truth = write_rgbd_bag(
        tmp_path / 'b', n=2, color='bgr8', depth=depth, step_pad=6, bigendian=True
    )
    pairs, _ = read_bag(tmp_path / 'b', ALL, progress=False)
    _check_against_truth(pairs, truth, 0.0006 if depth == '16UC1' else 1e-6)
    np.testing.assert_array_equal(pairs[1].rgb, truth['color'][1].rgb)


def test_topic_table_and_auto_choice_prefers_aligned_depth(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=3, extra_topics=True, also_depth_topic='/camera/depth/image_rect_raw')
    rows = list_topics(bag)
    table = format_topic_table(rows)
    assert '/camera/infra1/image_rect_raw' in table and 'mono8' in table and '16UC1' in table
    by = {r.name: r for r in rows}
    assert (
        by['/camera/color/image_raw'].count == 3
        and by['/camera/color/image_raw'].frame_id == 'camera_color_optical_frame'
    )
    _, summary = read_bag(bag, ALL, progress=False)
    assert summary['depth_topic'] == '/camera/aligned_depth_to_color/image_raw'


def test_ambiguous_depth_lists_candidates_and_explicit_topic_resolves(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(
        bag, n=3, depth_topic='/cam/depth_a/image_raw', also_depth_topic='/cam/depth_b/image_raw'
    )
    with pytest.raises(TopicError) as err:
        read_bag(bag, ALL, progress=False)
    msg = str(err.value)
    assert (
        '--depth-topic' in msg
        and '/cam/depth_a/image_raw' in msg
        and '/cam/depth_b/image_raw' in msg
    )
    assert '16UC1' in msg
    pairs, summary = read_bag(
        bag,
        BagReadOptions(depth_topic='/cam/depth_b/image_raw', dedup_threshold=0),
        progress=False,
    )
    assert summary['depth_topic'] == '/cam/depth_b/image_raw' and len(pairs) == 3


def test_wrong_explicit_topics(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=2)
    with pytest.raises(TopicError, match="'/nope' is not in the bag"):
        read_bag(bag, BagReadOptions(depth_topic='/nope'), progress=False)
    with pytest.raises(TopicError, match='not a depth image'):
        read_bag(bag, BagReadOptions(depth_topic='/camera/color/image_raw'), progress=False)


def test_several_bags_and_folder_of_bags(tmp_path):
    folder = tmp_path / 'bags'
    folder.mkdir()
    write_rgbd_bag(folder / 'a', n=2)
    write_rgbd_bag(folder / 'b.bag', n=2, storage='ros1')
    (folder / 'notes.txt').write_text('not a bag')
    assert [p.name for p in find_bags([folder])] == ['a', 'b.bag']
    assert [p.name for p in find_bags([folder / 'a', folder, folder / 'a'])] == ['a', 'b.bag']


def _row(name, kind, enc, frame='f', msgtype='sensor_msgs/msg/Image'):
    from depth_sr_ros.data.bags.topics import TopicRow
    return TopicRow(name, msgtype, 10, kind, enc, frame, 64, 48)


def test_auto_choice_on_common_camera_layouts():
    from depth_sr_ros.data.bags.topics import choose_topics
    azure = [_row('/rgb/image_raw', 'color', 'bgra8', 'rgb_camera_link'),
             _row('/depth/image_raw', 'depth', '16UC1', 'depth_camera_link'),
             _row('/ir/image_raw', 'depth', 'mono16', 'depth_camera_link'),
             _row('/depth_to_rgb/image_raw', 'depth', '16UC1', 'rgb_camera_link')]
    c, d = choose_topics(azure)
    assert (c.name, d.name) == ('/rgb/image_raw', '/depth_to_rgb/image_raw')
    c, d = choose_topics(azure[:3])  # unregistered only: IR (mono16) is not taken for depth
    assert d.name == '/depth/image_raw'
    realsense = [
        _row('/camera/color/image_raw', 'color', 'rgb8', 'c'),
        _row(
            '/camera/color/image_raw/compressed',
            'color',
            'jpeg',
            'c',
            'sensor_msgs/msg/CompressedImage',
        ),
        _row('/camera/infra1/image_rect_raw', 'color', 'mono8', 'i1'),
        _row('/camera/depth/image_rect_raw', 'depth', '16UC1', 'd'),
        _row('/camera/aligned_depth_to_color/image_raw', 'depth', '16UC1', 'c'),
    ]
    c, d = choose_topics(realsense)
    assert (c.name, d.name) == (
        '/camera/color/image_raw',
        '/camera/aligned_depth_to_color/image_raw',
    )


def test_read_bags_concatenates_bags_with_per_bag_summaries(tmp_path):
    from depth_sr_ros.data.bags import read_bags
    write_rgbd_bag(tmp_path / 'a', n=3, t0=1000.0)
    write_rgbd_bag(tmp_path / 'b.bag', storage='ros1', n=2, t0=2000.0, depth='32FC1')
    pairs, summary = read_bags(
        [tmp_path / 'b.bag', tmp_path / 'a'], ALL, cache_dir=False, progress=False
    )
    assert [s['storage'] for s in summary['bags']] == ['ros1', 'sqlite3']
    assert summary['pairs'] == 5 and len(pairs) == 5
    assert sorted({p.source for p in pairs}) == sorted(
        [str(tmp_path / 'a'), str(tmp_path / 'b.bag')]
    )
    assert len({p.capture_id for p in pairs}) == 5
