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
Depth Image <-> numpy.

Validation causes, padded steps, big-endian data, units, and speed path.
"""
import array
import sys

from depth_sr_ros.ros import conversions as conv
import numpy as np
import pytest
from sensor_msgs.msg import Image


def _msg(arr, encoding, step=None, bigendian=False):
    kind = conv.DEPTH_ENCODINGS[encoding][0]
    bpp = conv.DEPTH_ENCODINGS[encoding][1]
    h, w = arr.shape
    step = step or w * bpp
    rows = np.zeros((h, step), np.uint8)
    rows[:, : w * bpp] = (
        np.ascontiguousarray(arr, dtype=np.dtype(('>' if bigendian else '<') + kind))
        .view(np.uint8)
        .reshape(h, -1)
    )
    rows[:, w * bpp:] = 0xAB  # padding bytes must never leak into pixels
    m = Image(height=h, width=w, encoding=encoding, is_bigendian=bigendian, step=step)
    m.data = array.array('B', rows.tobytes())
    return m


@pytest.mark.parametrize(
    'encoding,dtype', [('16UC1', np.uint16), ('32FC1', np.float32), ('mono16', np.uint16)]
)
@pytest.mark.parametrize('bigendian', [False, True])
def test_decode_respects_step_and_byte_order(encoding, dtype, bigendian):
    rng = np.random.default_rng(0)
    arr = (rng.random((5, 7)) * 5000).astype(dtype)
    m = _msg(arr, encoding, step=7 * arr.itemsize + 6, bigendian=bigendian)
    out = conv.image_to_array(m, use_cv_bridge=False)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)
    out[0, 0] = 1  # an owned, writable copy
    assert out.flags.writeable


def test_encode_roundtrip_and_header():
    from std_msgs.msg import Header
    arr = np.arange(12, dtype=np.uint16).reshape(3, 4)
    h = Header(frame_id='cam')
    h.stamp.sec, h.stamp.nanosec = 5, 7
    m = conv.array_to_image(arr, '16UC1', h, use_cv_bridge=False)
    assert (m.width, m.height, m.step, m.encoding, m.is_bigendian) == (4, 3, 8, '16UC1', False)
    assert m.header.frame_id == 'cam' and m.header.stamp.nanosec == 7
    np.testing.assert_array_equal(conv.image_to_array(m, use_cv_bridge=False), arr)
    f = np.array([[1.5, np.nan]], np.float32)
    m = conv.array_to_image(f, '32FC1', use_cv_bridge=False)
    np.testing.assert_array_equal(conv.image_to_array(m, use_cv_bridge=False), f)


def test_encode_rejects_mismatched_dtype():
    with pytest.raises(ValueError, match='32FC1 needs a 2-D float32'):
        conv.array_to_image(np.zeros((2, 2), np.uint16), '32FC1')
    with pytest.raises(ValueError, match="'rgb8'"):
        conv.array_to_image(np.zeros((2, 2), np.uint16), 'rgb8')


def _good():
    return _msg(np.ones((4, 6), np.uint16), '16UC1')


@pytest.mark.parametrize('cause,edit', [
    ('encoding', lambda m: setattr(m, 'encoding', 'rgb8')),
    ('zero_size', lambda m: setattr(m, 'width', 0)),
    ('zero_size', lambda m: setattr(m, 'height', 0)),
    ('bad_step', lambda m: setattr(m, 'step', 11)),
    ('bad_length', lambda m: setattr(m, 'data', m.data[:-2])),
    ('bad_length', lambda m: setattr(m, 'step', 14)),
    ('too_large', lambda m: None),
])
def test_rejections_name_their_cause(cause, edit):
    m = _good()
    edit(m)
    with pytest.raises(conv.ImageRejected) as err:
        conv.image_to_array(
            m, max_pixels=23 if cause == 'too_large' else None, use_cv_bridge=False
        )
    assert err.value.cause == cause
    assert cause in conv.CAUSES


def test_units_round_and_clamp():
    m = np.array([[0.0, np.nan, np.inf, -1.0, 0.0004, 0.0006, 1.2344, 1.2346, 70.0]], np.float32)
    mm = conv.m_to_mm(m)
    np.testing.assert_array_equal(mm, [[0, 0, 0, 0, 1, 1, 1234, 1235, 65535]])
    back = conv.mm_to_m(np.array([[0, 1000, 65535]], np.uint16))
    assert np.isnan(back[0, 0]) and back[0, 1] == 1.0 and back[0, 2] == pytest.approx(65.535)
    assert conv.to_encoding(np.array([[1500]], np.uint16), '32FC1')[0, 0] == pytest.approx(1.5)


def test_mask_range():
    d = np.array([[100, 500, 3000, 9000]], np.uint16)
    np.testing.assert_array_equal(conv.mask_range(d.copy(), 0.2, 5.0), [[0, 500, 3000, 0]])
    f = np.array([[0.1, 0.5, 9.0]], np.float32)
    out = conv.mask_range(f.copy(), 0.2, 5.0)
    assert np.isnan(out[0, 0]) and out[0, 1] == 0.5 and np.isnan(out[0, 2])
    np.testing.assert_array_equal(conv.mask_range(d.copy()), d)


def test_cv_bridge_and_numpy_paths_agree():
    pytest.importorskip('cv_bridge')  # only on a ROS 2 distribution
    rng = np.random.default_rng(1)
    for enc, arr in [('16UC1', (rng.random((6, 9)) * 9000).astype(np.uint16)),
                     ('32FC1', (rng.random((6, 9)) * 9).astype(np.float32))]:
        for big in (False, True):
            m = _msg(arr, enc, step=arr.shape[1] * arr.itemsize + 4, bigendian=big)
            np.testing.assert_array_equal(conv.image_to_array(m, use_cv_bridge=True),
                                          conv.image_to_array(m, use_cv_bridge=False))
        a = conv.array_to_image(arr, enc, use_cv_bridge=True)
        b = conv.array_to_image(arr, enc, use_cv_bridge=False)
        assert (a.width, a.height, a.encoding, a.step) == (b.width, b.height, b.encoding, b.step)
        if sys.byteorder == 'little':
            assert bytes(a.data) == bytes(b.data)
