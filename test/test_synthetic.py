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

"""The procedural RGB-D generator: determinism, geometry, holes, stream smoothness, encodings."""
from depth_sr_ros.data.synthetic import (
    default_intrinsics,
    render_frame,
    render_stream,
    SceneFrame,
    to_float32_m,
    to_uint16_mm,
)
import numpy as np
import pytest


def test_frame_types_and_intrinsics():
    f = render_frame(64, 48, seed=3, t=0.5)
    assert isinstance(f, SceneFrame)
    assert f.rgb.shape == (48, 64, 3) and f.rgb.dtype == np.uint8
    assert f.depth.shape == (48, 64) and f.depth.dtype == np.float32
    assert f.valid.shape == (48, 64) and f.valid.dtype == bool
    assert f.stamp == 0.5
    # centre-aligned convention: principal point at the image centre ((W-1)/2, (H-1)/2)
    np.testing.assert_allclose(f.K[:, 2], [31.5, 23.5, 1.0])
    assert np.all(f.depth[~f.valid] == 0)
    d = f.depth[f.valid]
    assert d.min() > 0.5 and d.max() < 8.0


def test_deterministic_per_seed_and_time():
    a = render_frame(80, 60, seed=1, t=0.2)
    b = render_frame(80, 60, seed=1, t=0.2)
    c = render_frame(80, 60, seed=2, t=0.2)
    np.testing.assert_array_equal(a.rgb, b.rgb)
    np.testing.assert_array_equal(a.depth, b.depth)
    assert np.abs(a.depth - c.depth).mean() > 0.05


def test_holes_are_sensor_like_and_optional():
    with_holes = render_frame(160, 120, seed=0, holes=True)
    no_holes = render_frame(160, 120, seed=0, holes=False)
    assert no_holes.valid.all()
    frac = 1 - with_holes.valid.mean()
    assert 0.02 < frac < 0.4, frac
    # holes only remove measurements, they never change the measured values
    v = with_holes.valid
    np.testing.assert_array_equal(with_holes.depth[v], no_holes.depth[v])
    # the far area through the doorway is out of range and dropped
    assert (no_holes.depth > 8.0).any() and not (with_holes.depth > 8.0).any()


def test_colour_edges_are_not_all_depth_edges():
    f = render_frame(160, 120, seed=0, holes=False)
    grey = f.rgb.astype(np.float32).mean(axis=2)
    colour_edge = np.abs(np.diff(grey, axis=1)) > 25
    depth_edge = np.abs(np.diff(f.depth, axis=1)) > 0.05
    texture_only = colour_edge & ~depth_edge
    assert texture_only.sum() > 0.5 * colour_edge.sum() > 0
    assert depth_edge.sum() > 20


def test_moving_camera_along_its_axis_reduces_z_depth_exactly():
    K = np.array([[60.0, 0, 32.0], [0, 60.0, 24.0], [0, 0, 1]])
    base = render_frame(64, 48, seed=4, t=1.0, K=K, holes=False)
    T = np.eye(4)
    T[2, 3] = 0.3     # 30 cm forward along the optical axis
    fwd = render_frame(64, 48, seed=4, t=1.0, K=K, holes=False, extrinsic=T)
    assert fwd.depth[24, 32] == pytest.approx(base.depth[24, 32] - 0.3, abs=1e-4)
    same = render_frame(64, 48, seed=4, t=1.0, K=K, holes=False, extrinsic=np.eye(4))
    np.testing.assert_array_equal(same.depth, base.depth)


def test_stream_is_smooth_but_moving():
    frames = list(render_stream(4, rate_hz=15.0, width=64, height=48, seed=0, holes=False))
    assert [f.stamp for f in frames] == pytest.approx([0, 1 / 15, 2 / 15, 3 / 15])
    diffs = [np.abs(a.depth - b.depth).mean() for a, b in zip(frames, frames[1:])]
    assert all(0 < x < 0.1 for x in diffs), diffs


def test_encodings():
    f = render_frame(64, 48, seed=0)
    mm = to_uint16_mm(f)
    assert mm.dtype == np.uint16
    assert np.all((mm == 0) == ~f.valid)
    assert np.abs(mm[f.valid] / 1000.0 - f.depth[f.valid]).max() <= 0.0005 + 1e-6
    m = to_float32_m(f)
    assert m.dtype == np.float32
    assert np.all(np.isnan(m) == ~f.valid)
    np.testing.assert_array_equal(m[f.valid], f.depth[f.valid])


def test_bad_arguments():
    with pytest.raises(ValueError, match='extrinsic'):
        render_frame(16, 12, extrinsic=np.eye(3))
    with pytest.raises(ValueError, match='size'):
        render_frame(1, 12)
    with pytest.raises(ValueError, match='rate_hz'):
        list(render_stream(2, rate_hz=0))


def test_default_intrinsics():
    K = default_intrinsics(640, 480)
    assert K[0, 0] == K[1, 1] == pytest.approx(576.0)
    assert default_intrinsics(640, 480, fx=500)[0, 0] == 500
