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
image_transport's compressedDepth payloads (PNG and RVL, 16UC1 and 32FC1) <-> numpy.

Follows image_transport_plugins' compressed_depth_image_transport (codec.cpp) so that its
subscriber plugin decodes what :func:`encode` writes and :func:`decode` reads what its publisher
plugin writes. ROS-free (the bag reader and the node share it); the message is handled as its
two fields, ``format`` and ``data``.

- ``format``: '<encoding>; compressedDepth <png|rvl>'. No ';' (older publishers) means PNG;
  '...; compressedDepth' without a codec name means PNG too.
- ``data``: a 12-byte ConfigHeader {int32 format (0 = INV_DEPTH), float32 depthQuantA,
  float32 depthQuantB} (little-endian), then the image: a PNG, or for RVL uint32 cols, uint32
  rows and the RVL stream (rvl.py).
- 16UC1 (and mono16): millimetres stored as they are (0 invalid); the encoder zeroes depths
  above depth_max (``static_cast<uint16_t>(depth_max * 1000)``).
- 32FC1: inverse depth quantised to uint16: A = z0 * (z0 + 1), B = 1 - A / depth_max,
  q = (uint16)(A / d + B) for d < depth_max, else 0; decoded d = A / (q - B), q = 0 -> NaN.
  Decoded depth is never nearer than the original and at most d^2 / (A - d) farther (0.99 cm at
  10 m with the defaults z0 = 100, depth_max = 10). Where the C++ encoder's float -> uint16
  conversion is undefined (d <= 0, -Inf, or d < A / (65535 - B), 15 cm with the defaults) this
  one writes 0 (invalid) instead of an arbitrary value.

Every bad payload raises :class:`CompressedDepthError` with one line naming the problem.
"""
import struct

import cv2
from depth_sr_ros.data import rvl
import numpy as np

HEADER = struct.Struct('<iff')        # ConfigHeader: format, depthParam[0], depthParam[1]
INV_DEPTH = 0                         # compressionFormat enum value the publisher writes
RVL_SIZE = struct.Struct('<II')       # cols, rows before the RVL stream
CODECS = ('png', 'rvl')
# compressed_depth_image_transport's publisher defaults (its parameters of the same names).
DEPTH_MAX = 10.0
DEPTH_QUANTIZATION = 100.0
PNG_LEVEL = 9
MAX_PIXELS = 2**31 - 1                # the C++ decoder's limit (numPixels must fit an int)


class CompressedDepthError(ValueError):
    """A compressedDepth message cannot be decoded or an image cannot be encoded."""


class TooLarge(CompressedDepthError):
    """The payload's image has more pixels than the caller's ``max_pixels``."""


def is_compressed_depth(fmt):
    """Return True for a compressedDepth ``format`` string (any codec)."""
    return 'compresseddepth' in (fmt or '').lower()


def parse_format(fmt):
    """'32FC1; compressedDepth rvl' -> ('32FC1', 'rvl'); as the C++ decoder reads ``format``."""
    fmt = fmt or ''
    if ';' not in fmt:
        return '', 'png'
    encoding, ending = fmt.split(';', 1)
    ending = ending.lower()
    if 'compresseddepth png' in ending:
        return encoding.strip(), 'png'
    if 'compresseddepth rvl' in ending:
        return encoding.strip(), 'rvl'
    if 'compresseddepth' in ending and 'compresseddepth ' not in ending:
        return encoding.strip(), 'png'
    raise CompressedDepthError(f'unsupported compressedDepth format {fmt!r} (expected '
                               "'<16UC1|32FC1>; compressedDepth <png|rvl>')")


def _bit_depth(encoding):
    enc = encoding.lower()
    if enc in ('', '16uc1', 'mono16'):      # '' = format without an encoding: raw millimetres
        return 16
    if enc == '32fc1':
        return 32
    raise CompressedDepthError(f'compressedDepth of encoding {encoding!r} is not supported '
                               '(16UC1, mono16 or 32FC1)')


def quantization(depth_max=DEPTH_MAX, depth_quantization=DEPTH_QUANTIZATION):
    """(depthQuantA, depthQuantB) in float32 arithmetic, as the C++ encoder computes them."""
    z0, far = np.float32(depth_quantization), np.float32(depth_max)
    a = np.float32(z0 * (z0 + np.float32(1.0)))
    return a, np.float32(np.float32(1.0) - a / far)


def decode(fmt, data, max_pixels=None):
    """
    (format, data) -> (HxW array, encoding): uint16 millimetres or float32 metres (NaN invalid).

    ``max_pixels`` (optional) rejects larger images before their pixels are allocated.
    """
    encoding, codec = parse_format(fmt)
    bits = _bit_depth(encoding)
    data = bytes(data)
    if len(data) <= HEADER.size:
        raise CompressedDepthError(f'compressedDepth message ({fmt!r}) has {len(data)} bytes: '
                                   f'a {HEADER.size}-byte header and an image expected')
    _, quant_a, quant_b = HEADER.unpack_from(data)
    body = data[HEADER.size:]
    image = (_decode_png if codec == 'png' else _decode_rvl)(body, fmt, max_pixels)
    if bits == 16:
        return image, 'mono16' if encoding.lower() == 'mono16' else '16UC1'
    q = image.astype(np.float32)
    with np.errstate(divide='ignore', invalid='ignore'):
        depth = np.float32(quant_a) / (q - np.float32(quant_b))
    depth[image == 0] = np.nan
    return depth.astype(np.float32, copy=False), '32FC1'


def _decode_png(body, fmt, max_pixels):
    buf = np.frombuffer(body, np.uint8)
    if max_pixels:
        _check_png_size(body, fmt, max_pixels)
    try:
        image = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None:
        raise CompressedDepthError(f'compressedDepth PNG ({fmt!r}, {len(body)} bytes) cannot be '
                                   'decoded: corrupt or truncated data')
    if image.dtype != np.uint16 or image.ndim != 2:
        raise CompressedDepthError(f'compressedDepth PNG ({fmt!r}) is {image.dtype} with shape '
                                   f'{image.shape}; expected 16-bit single channel')
    return image


def _check_png_size(body, fmt, max_pixels):
    """Read width x height from the PNG's IHDR chunk so a huge image is refused undecoded."""
    if len(body) >= 24 and body[:8] == b'\x89PNG\r\n\x1a\n' and body[12:16] == b'IHDR':
        w, h = struct.unpack('>II', body[16:24])
        if w * h > max_pixels:
            raise TooLarge(
                f'compressedDepth PNG ({fmt!r}) is {w}x{h}: more than {max_pixels} pixels'
            )


def _decode_rvl(body, fmt, max_pixels):
    if len(body) < RVL_SIZE.size:
        raise CompressedDepthError(f'compressedDepth RVL ({fmt!r}) has {len(body)} bytes after '
                                   'the header: no image size')
    cols, rows = RVL_SIZE.unpack_from(body)
    if cols == 0 or rows == 0:
        raise CompressedDepthError(f'compressedDepth RVL ({fmt!r}) reports size {cols}x{rows}')
    if cols * rows > MAX_PIXELS:
        raise CompressedDepthError(f'compressedDepth RVL ({fmt!r}) reports size {cols}x{rows}: '
                                   f'more than {MAX_PIXELS} pixels, corrupt data')
    if max_pixels and cols * rows > max_pixels:
        raise TooLarge(f'compressedDepth RVL ({fmt!r}) is {cols}x{rows}: more than {max_pixels} '
                       'pixels')
    try:
        flat = rvl.decode(body[RVL_SIZE.size:], cols * rows)
    except rvl.RvlError as err:
        raise CompressedDepthError(f'compressedDepth RVL ({fmt!r}, {cols}x{rows}): '
                                   f'{err}') from None
    return flat.reshape(rows, cols)


def encode(depth, encoding, codec='png', depth_max=DEPTH_MAX,
           depth_quantization=DEPTH_QUANTIZATION, png_level=PNG_LEVEL):
    """
    Encode HxW uint16 mm (16UC1/mono16) or float32 m (32FC1) -> (format, data bytes).

    As encodeCompressedDepthImage with the publisher plugin's parameters of the same names.
    """
    if codec not in CODECS:
        raise CompressedDepthError(f'compressedDepth codec {codec!r} is not one of '
                                   f'{", ".join(CODECS)}')
    bits = _bit_depth(encoding)
    depth = np.asarray(depth)
    want = np.uint16 if bits == 16 else np.float32
    if depth.ndim != 2 or depth.dtype != want or 0 in depth.shape:
        raise CompressedDepthError(f'{encoding} compressedDepth needs a non-empty 2-D '
                                   f'{np.dtype(want)} array, got {depth.dtype} {depth.shape}')
    header_a = header_b = np.float32(0.0)
    if bits == 32:
        header_a, header_b = quantization(depth_max, depth_quantization)
        image = _quantize(depth, header_a, header_b, np.float32(depth_max))
    else:
        limit = int(depth_max * 1000.0)                # static_cast<uint16_t>(depth_max * 1000)
        image = depth.copy()
        image[image > min(limit, 65535)] = 0
    if codec == 'png':
        ok, png = cv2.imencode('.png', image, [cv2.IMWRITE_PNG_COMPRESSION, int(png_level)])
        if not ok:
            raise CompressedDepthError('cv2.imencode (png) failed on the depth image')
        body = png.tobytes()
    else:
        rows, cols = image.shape
        body = RVL_SIZE.pack(cols, rows) + rvl.encode(image)
    header = HEADER.pack(INV_DEPTH, header_a, header_b)
    return f'{encoding}; compressedDepth {codec}', header + body


def _quantize(depth, quant_a, quant_b, depth_max):
    """float32 metres -> uint16 inverse depth, 0 where invalid, beyond depth_max or too near."""
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        q = quant_a / depth + quant_b                  # float32 throughout, as in C++
        ok = (depth < depth_max) & (depth > 0) & (q >= 0) & (q < 65536)
    return np.where(ok, np.trunc(np.where(ok, q, 0)), 0).astype(np.uint16)
