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
Registration of an unregistered depth camera into the colour camera.

It uses tf_static and the CameraInfos.
"""
from bag_factory import rot_y, write_rgbd_bag
import cv2
from depth_sr_ros.data.bags import BagReadOptions, read_bag, RegistrationError
from depth_sr_ros.data.bags.registration import lookup_transform, register_depth, transform_matrix
import numpy as np
import pytest

ALL = BagReadOptions(dedup_threshold=0)


def _extrinsic():
    T = rot_y(0.04)
    T[:3, 3] = [0.05, 0.008, -0.01]          # depth camera 5 cm to the side, slightly turned
    return T


def _edge_band(depth, radius):
    edge = np.zeros(depth.shape, bool)
    jump_x = np.abs(np.diff(depth, axis=1)) > 0.05
    jump_y = np.abs(np.diff(depth, axis=0)) > 0.05
    edge[:, 1:] |= jump_x
    edge[:, :-1] |= jump_x
    edge[1:] |= jump_y
    edge[:-1] |= jump_y
    k = 2 * radius + 1
    return cv2.dilate(edge.astype(np.uint8), np.ones((k, k), np.uint8)) > 0


@pytest.mark.parametrize('depth_size,storage', [((80, 60), 'sqlite3'), ((160, 120), 'ros1')])
def test_unregistered_bag_matches_generator_ground_truth(tmp_path, depth_size, storage):
    """
    Colour 160x120; depth camera of another size/focal length 5 cm away.

    The transform chains via camera_link.
    """
    T = _extrinsic()
    bag = tmp_path / ('b.bag' if storage == 'ros1' else 'b')
    truth = write_rgbd_bag(
        bag,
        storage=storage,
        n=2,
        size=(160, 120),
        depth='16UC1',
        depth_extrinsic=T,
        depth_size=depth_size,
        depth_topic='/camera/depth/image_rect_raw',
        holes=False,
    )
    pairs, summary = read_bag(bag, ALL, progress=False)
    assert 'reprojected' in summary['registration']
    p, g = pairs[0], truth['color'][0]  # g.depth: the scene's depth seen from the colour camera
    assert p.depth.shape == (120, 160)
    assert p.valid.mean() > 0.93                 # only occlusion shadows/border stay invalid
    err = np.abs(p.depth - g.depth)[p.valid]
    assert np.median(err) < 0.004
    # large errors only at true depth discontinuities (one depth pixel of footprint), never
    # behind a foreground object (which a missing z-buffer would produce)
    radius = int(np.ceil(160 / depth_size[0]))
    bad = p.valid & (np.abs(p.depth - g.depth) > 0.05)
    assert (bad & ~_edge_band(g.depth, radius)).sum() <= 0.002 * bad.size


def test_z_buffer_keeps_nearest_surface():
    """Two depth pixels (2 m and 1 m) land on the same colour pixel: the nearer one wins."""
    Kd = np.array([[10.0, 0, 0.5], [0, 10.0, 0.0], [0, 0, 1]])
    depth = np.array([[2.0, 1.0]], np.float32)      # x = -0.1 m and +0.05 m in the depth frame
    T = np.eye(4)
    T[0, 3] = -0.2                                   # colour frame: x/z = -0.15 for both points
    Kc = np.array([[10.0, 0, 3.5], [0, 10.0, 0.0], [0, 0, 1]])   # u = 10 * -0.15 + 3.5 = 2
    d, v = register_depth(depth, depth > 0, Kd, Kc, T, (1, 5))
    assert d[0, 2] == pytest.approx(1.0)
    assert v.sum() == 1
    d, v = register_depth(depth[:, :1], depth[:, :1] > 0, Kd, Kc, T, (1, 5))
    assert d[0, 2] == pytest.approx(2.0)            # alone, the far point is seen there


def test_lookup_transform_chain_and_inverse():
    a = transform_matrix((1, 0, 0), (0, 0, np.sin(0.25), np.cos(0.25)))
    b = transform_matrix((0, 2, 0), (0, 0, 0, 1))
    tfs = [('base', 'cam_a', a), ('base', 'cam_b', b)]
    T = lookup_transform(tfs, 'cam_a', 'cam_b')
    np.testing.assert_allclose(T, np.linalg.inv(a) @ b, atol=1e-12)
    np.testing.assert_allclose(
        lookup_transform(tfs, 'cam_b', 'cam_a'), np.linalg.inv(T), atol=1e-12
    )
    with pytest.raises(RegistrationError, match="'cam_c' to 'cam_a'"):
        lookup_transform(tfs, 'cam_a', 'cam_c')


def test_missing_tf_static_names_the_transform(tmp_path):
    write_rgbd_bag(
        tmp_path / 'b',
        n=2,
        depth_extrinsic=_extrinsic(),
        depth_size=(48, 36),
        tf_static=False,
        depth_topic='/camera/depth/image_rect_raw',
    )
    with pytest.raises(RegistrationError) as err:
        read_bag(tmp_path / 'b', ALL, progress=False)
    msg = str(err.value)
    assert (
        "'camera_depth_optical_frame' to 'camera_color_optical_frame' is missing from /tf_static"
        in msg
    )
    assert '--assume-registered' in msg


def test_missing_camera_info_is_named(tmp_path):
    write_rgbd_bag(
        tmp_path / 'b',
        n=2,
        depth_extrinsic=_extrinsic(),
        depth_size=(48, 36),
        camera_info=False,
        depth_topic='/camera/depth/image_rect_raw',
    )
    with pytest.raises(RegistrationError, match='/camera/depth/camera_info'):
        read_bag(tmp_path / 'b', ALL, progress=False)


def test_assume_registered_skips_registration_but_checks_size(tmp_path):
    write_rgbd_bag(tmp_path / 'same', n=2, depth_frame='some_other_frame')
    pairs, summary = read_bag(
        tmp_path / 'same',
        BagReadOptions(assume_registered=True, dedup_threshold=0),
        progress=False,
    )
    assert summary['registration'].startswith('assumed') and len(pairs) == 2
    write_rgbd_bag(tmp_path / 'diff', n=2, depth_extrinsic=_extrinsic(), depth_size=(48, 36),
                   depth_topic='/camera/depth/image_rect_raw')
    with pytest.raises(RegistrationError, match='differ in size'):
        read_bag(tmp_path / 'diff', BagReadOptions(assume_registered=True), progress=False)
