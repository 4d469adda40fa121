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
compressedDepth codec (PNG and RVL, 16UC1 and 32FC1) against image_transport_plugins' C++.

The byte-level RVL cases were worked out by hand from rvl_codec.cpp (nibbles of 3 payload bits,
lowest group first, high bit = more; 8 nibbles per 32-bit word from the top, words stored
little-endian; zigzag deltas to the previous non-zero pixel); rvl_reference.py is a scalar
transcription of the same C++ used as a second oracle on random images.
"""
import struct

import cv2
from depth_sr_ros.data import compressed_depth as cd
from depth_sr_ros.data import rvl
import numpy as np
import pytest
import rvl_reference

# (pixels, stream bytes) worked by hand; see each comment for the nibbles.
HAND_STREAMS = [
    # zeros 2 | nonzeros 2 | 5: zigzag 10 = 0xA,0x1 | 7: delta 2, zigzag 4 | zeros 1 | nonzeros 0
    # nibbles 2 2 A 1 4 1 0 (+1 padding) -> word 0x22A14100
    ([0, 0, 5, 7, 0], bytes([0x00, 0x41, 0xA1, 0x22])),
    # zeros 0 | nonzeros 1 | 300: zigzag 600 = groups 0,3,1,1 -> 8 B 9 1 ; word 0x018B9100
    ([300], bytes([0x00, 0x91, 0x8B, 0x01])),
    # 10: zigzag 20 -> C 2 | 4: delta -6, zigzag 11 -> B 1 ; word 0x02C2B100
    ([10, 4], bytes([0x00, 0xB1, 0xC2, 0x02])),
    # 40000: zigzag 80000 -> 8 8 A C B 2 fills word 1 exactly (0x0188ACB2); then zeros 1,
    # nonzeros 0 -> word 2 = 0x10000000
    ([40000, 0], bytes([0xB2, 0xAC, 0x88, 0x01, 0x00, 0x00, 0x00, 0x10])),
    # all zero: zeros 9 -> 9 1 | nonzeros 0 ; word 0x91000000
    ([0] * 9, bytes([0x00, 0x00, 0x00, 0x91])),
]


@pytest.mark.parametrize('pixels,stream', HAND_STREAMS)
def test_rvl_matches_hand_computed_streams(pixels, stream):
    assert rvl.encode(np.array(pixels, np.uint16)) == stream
    assert rvl_reference.compress(pixels) == stream
    np.testing.assert_array_equal(rvl.decode(stream, len(pixels)), pixels)


def _depth_like(rng, h, w):
    """Smooth depth with holes, far-range jumps and full-range extremes (uint16 mm)."""
    y, x = np.mgrid[0:h, 0:w]
    mm = 800 + 7 * x + 3 * y + rng.integers(-4, 5, (h, w))
    mm[rng.random((h, w)) < 0.15] = 0
    mm[:, w // 2:] += 30000
    mm.flat[:3] = [65535, 1, 65535][:mm.size]
    return np.clip(mm, 0, 65535).astype(np.uint16)


@pytest.mark.parametrize('shape', [(1, 1), (3, 5), (24, 32)])
def test_rvl_equals_scalar_transcription_of_upstream(shape):
    rng = np.random.default_rng(sum(shape))
    for img in (_depth_like(rng, *shape), rng.integers(0, 65536, shape).astype(np.uint16),
                np.zeros(shape, np.uint16), np.full(shape, 9, np.uint16)):
        stream = rvl.encode(img)
        assert stream == rvl_reference.compress(img.ravel().tolist())
        np.testing.assert_array_equal(rvl.decode(stream, img.size), img.ravel())
        assert rvl_reference.decompress(stream, img.size) == img.ravel().tolist()


def test_rvl_vga_round_trip_and_size():
    img = _depth_like(np.random.default_rng(0), 480, 640)
    stream = rvl.encode(img)
    np.testing.assert_array_equal(rvl.decode(stream, img.size).reshape(img.shape), img)
    assert len(stream) < img.nbytes            # it compresses


@pytest.mark.parametrize('codec', cd.CODECS)
def test_16uc1_round_trip_and_upstream_depth_max_filter(codec):
    mm = _depth_like(np.random.default_rng(1), 48, 64)
    fmt, data = cd.encode(mm, '16UC1', codec)
    assert fmt == f'16UC1; compressedDepth {codec}'
    assert struct.unpack('<iff', data[:12]) == (0, 0.0, 0.0)
    out, enc = cd.decode(fmt, data)
    assert enc == '16UC1' and out.dtype == np.uint16
    np.testing.assert_array_equal(out, np.where(mm > 10000, 0, mm))   # depth_max 10 m default
    fmt, data = cd.encode(mm, '16UC1', codec, depth_max=70.0)
    np.testing.assert_array_equal(cd.decode(fmt, data)[0], mm)


def test_png_payload_is_a_16bit_png_after_the_header():
    mm = _depth_like(np.random.default_rng(2), 8, 9)
    _, data = cd.encode(mm, '16UC1', 'png', depth_max=70.0)
    np.testing.assert_array_equal(cv2.imdecode(np.frombuffer(data[12:], np.uint8),
                                               cv2.IMREAD_UNCHANGED), mm)


def test_rvl_payload_layout():
    mm = _depth_like(np.random.default_rng(3), 5, 7)
    _, data = cd.encode(mm, '16UC1', 'rvl', depth_max=70.0)
    assert struct.unpack('<II', data[12:20]) == (7, 5)
    assert data[20:] == rvl_reference.compress(mm.ravel().tolist())


@pytest.mark.parametrize('codec', cd.CODECS)
def test_32fc1_quantisation_matches_upstream_and_error_bound(codec):
    rng = np.random.default_rng(4)
    metres = rng.uniform(0.2, 12.0, (40, 50)).astype(np.float32)
    metres[rng.random(metres.shape) < 0.1] = np.nan
    metres[0, :4] = [np.inf, 0.0, -1.0, 0.05]     # invalid, zero, negative, too near for uint16
    fmt, data = cd.encode(metres, '32FC1', codec)
    assert fmt == f'32FC1; compressedDepth {codec}'
    a, b = struct.unpack('<iff', data[:12])[1:]
    assert (a, b) == (100 * 101, pytest.approx(1 - 100 * 101 / 10.0))
    out, enc = cd.decode(fmt, data)
    assert enc == '32FC1' and out.dtype == np.float32
    kept = np.isfinite(metres) & (metres > 0) & (metres < 10.0) & (metres >= 0.16)
    np.testing.assert_array_equal(np.isfinite(out), kept)
    err = (out - metres)[kept].astype(np.float64)
    d = metres[kept].astype(np.float64)
    bound = d ** 2 / (a - d)
    assert err.min() >= -1e-6 * d.max()           # never nearer (float32 rounding aside)
    assert (err <= bound * 1.001 + 1e-6).all()
    assert err.max() > 0.5 * bound.max()           # the bound is tight, not vacuous
    # the same quantised values as the C++ formula (float32 A / d + B, truncated)
    q = (np.float32(a) / metres[kept] + np.float32(b)).astype(np.uint16)
    expected = np.float32(a) / (q.astype(np.float32) - np.float32(b))
    np.testing.assert_array_equal(out[kept], expected)


def test_32fc1_decodes_payloads_written_by_the_factory_encoder():
    from bag_factory import compressed_depth_payload_32f
    metres = np.random.default_rng(5).uniform(0.5, 9.0, (6, 7)).astype(np.float32)
    for codec in cd.CODECS:
        out, _ = cd.decode(f'32FC1; compressedDepth {codec}',
                           compressed_depth_payload_32f(metres, codec=codec))
        assert np.all(np.abs(out - metres) <= metres ** 2 / (10100 - metres) + 1e-6)


@pytest.mark.parametrize('fmt,codec,encoding', [
    ('16UC1; compressedDepth png', 'png', '16UC1'), ('32FC1; compressedDepth rvl', 'rvl', '32FC1'),
    ('16UC1; compressedDepth', 'png', '16UC1'), ('compressedDepth', 'png', ''),
    ('mono16; compressedDepth rvl', 'rvl', 'mono16')])
def test_format_strings_as_upstream_parses_them(fmt, codec, encoding):
    assert cd.parse_format(fmt) == (encoding, codec)


def _payloads():
    mm = _depth_like(np.random.default_rng(6), 12, 16)
    return {c: cd.encode(mm, '16UC1', c) for c in cd.CODECS}


@pytest.mark.parametrize('codec', cd.CODECS)
def test_truncated_and_garbage_payloads_raise_one_clear_error(codec):
    fmt, data = _payloads()[codec]
    bad = {'empty': b'', 'header only': data[:12], 'truncated': data[:len(data) // 2],
           'garbage': data[:12] + bytes(np.random.default_rng(7).integers(0, 256, 300, np.uint8)),
           'zero size': data[:12] + struct.pack('<II', 0, 5) + data[20:]}
    for name, payload in bad.items():
        if name == 'zero size' and codec == 'png':
            continue
        with pytest.raises(cd.CompressedDepthError) as info:
            cd.decode(fmt, payload)
        text = str(info.value)
        assert '\n' not in text and 'compressedDepth' in text, (name, text)
    with pytest.raises(cd.CompressedDepthError, match='unsupported compressedDepth format'):
        cd.decode('16UC1; compressedDepth zstd', data)
    with pytest.raises(cd.CompressedDepthError, match='encoding'):
        cd.decode('rgb8; compressedDepth png', data)


def test_size_limits_refuse_before_allocating():
    fmt, data = _payloads()['rvl']
    huge = data[:12] + struct.pack('<II', 100000, 100000) + data[20:]
    with pytest.raises(cd.CompressedDepthError, match='reports size 100000x100000'):
        cd.decode(fmt, huge)
    with pytest.raises(cd.CompressedDepthError, match='more than 100 pixels'):
        cd.decode(fmt, data, max_pixels=100)
    fmt, data = _payloads()['png']
    with pytest.raises(cd.CompressedDepthError, match='more than 100 pixels'):
        cd.decode(fmt, data, max_pixels=100)
