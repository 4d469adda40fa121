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
RVL (run length + variable length) coding of uint16 depth, as compressed_depth_image_transport.

Wilson's RVL, bit for bit as image_transport_plugins' rvl_codec.cpp: the pixels are coded as
alternating runs (number of zeros, number of non-zeros, then each non-zero pixel as the
zigzag-coded difference to the previous non-zero pixel); every number is a variable-length
code of 3-bit groups, lowest group first, in 4-bit nibbles whose high bit says "more follows";
nibbles fill 32-bit words from the most significant end and the words are stored in the
machine's byte order (little-endian on every platform ROS 2 runs on). The last word is padded
with zero nibbles. Vectorised with numpy so a 640x480 frame costs milliseconds, not seconds.

The C++ decoder trusts its input; this one checks it (a stream that runs out, or whose runs
overshoot the pixel count) and raises :class:`RvlError` instead.
"""
import numpy as np

_WORD = np.dtype('<u4')
_NIBBLE_LIMITS = 8 ** np.arange(1, 11, dtype=np.int64)   # values from 8**k on need k+1 nibbles


class RvlError(ValueError):
    """An RVL stream is truncated or inconsistent with the pixel count it should hold."""


def _runs(flat):
    """(zeros, nonzeros) run lengths in the encoder's order: pairs, zeros first, from pixel 0."""
    nonzero = flat != 0
    edges = np.flatnonzero(np.diff(nonzero.view(np.int8))) + 1
    starts = np.concatenate(([0], edges))
    lengths = np.diff(np.concatenate((starts, [flat.size])))
    if nonzero[0]:
        lengths = np.concatenate(([0], lengths))  # the encoder always opens with a zero run
    if lengths.size % 2:
        lengths = np.concatenate((lengths, [0]))  # ... and closes every pair with a non-zero run
    return lengths.reshape(-1, 2)


def _nibbles(values):
    """Variable-length code of non-negative ints (< 2**32) -> uint8 nibbles in stream order."""
    count = (1 + np.searchsorted(_NIBBLE_LIMITS, values, side='right')).astype(np.uint8)
    k = np.arange(int(count.max()), dtype=np.uint8)
    groups = ((values.astype(np.uint32)[:, None] >> (3 * k.astype(np.uint32))) & 7)
    groups = groups.astype(np.uint8)                          # row = value, lowest bits first
    groups |= (k < count[:, None] - 1).view(np.uint8) << 3    # "more follows"
    return groups[k < count[:, None]]


def encode(depth):
    """
    Encode HxW (or flat) uint16 -> RVL bytes (no size prefix).

    Identical to RvlCodec::CompressRVL.
    """
    flat = np.ascontiguousarray(depth, dtype=np.uint16).ravel()
    if flat.size == 0:
        return b''
    pairs = _runs(flat)
    pixels = flat[flat != 0].astype(np.int64)
    delta = np.diff(np.concatenate(([0], pixels)))    # to the previous non-zero pixel, from 0
    zigzag = (delta << 1) ^ (delta >> 63)
    # Stream order: zeros_i, nonzeros_i, then the nonzeros_i values of run i.
    per_pair = 2 + pairs[:, 1]
    header_at = np.cumsum(per_pair) - per_pair
    values = np.empty(int(per_pair.sum()), np.int64)
    values[header_at] = pairs[:, 0]
    values[header_at + 1] = pairs[:, 1]
    is_value = np.ones(values.size, bool)
    is_value[header_at] = False
    is_value[header_at + 1] = False
    values[is_value] = zigzag
    nibbles = _nibbles(values)
    pad = (-nibbles.size) % 8
    nibbles = np.concatenate((nibbles, np.zeros(pad, np.uint8))).reshape(-1, 8).astype(np.uint32)
    shifts = np.arange(28, -1, -4, dtype=np.uint32)   # first nibble in the most significant end
    words = np.bitwise_or.reduce(nibbles << shifts, axis=1)
    return words.astype(_WORD).tobytes()


def _values(stream):
    """All complete variable-length numbers in the stream (padding nibbles decode as zeros)."""
    if len(stream) % 4:
        raise RvlError(f'RVL stream of {len(stream)} bytes is not a whole number of 32-bit words')
    words = np.frombuffer(stream, _WORD).astype(np.uint32)
    shifts = np.arange(28, -1, -4, dtype=np.uint32)
    nibbles = ((words[:, None] >> shifts) & 0xF).ravel().astype(np.int64)
    ends = np.flatnonzero((nibbles & 0x8) == 0)       # the last nibble of every number
    if ends.size == 0:
        return np.zeros(0, np.int64)
    nibbles = nibbles[:ends[-1] + 1]
    starts = np.concatenate(([0], ends[:-1] + 1))
    index = np.arange(nibbles.size) - np.repeat(starts, ends - starts + 1)
    if index.max(initial=0) > 10:                     # 11 nibbles = 33 bits: beyond an int
        raise RvlError('RVL stream holds a number longer than 32 bits: corrupt data')
    return np.add.reduceat((nibbles & 0x7) << (3 * index), starts)


def decode(stream, num_pixels):
    """RVL bytes -> flat uint16 array of ``num_pixels``, as RvlCodec::DecompressRVL (checked)."""
    values = _values(bytes(stream))
    seq = values.tolist()                              # Python ints: the run walk is sequential
    runs = []                                          # (zeros, nonzeros, first value index)
    at, left, size = 0, num_pixels, len(seq)
    while left > 0:
        if at + 2 > size:
            raise RvlError(f'RVL stream ends with {left} of {num_pixels} pixels undecoded: '
                           'truncated data')
        zeros, nonzeros = seq[at], seq[at + 1]
        left -= zeros + nonzeros
        if left < 0:
            raise RvlError(f'RVL runs cover more than the {num_pixels} pixels of the image: '
                           'corrupt data or wrong image size')
        runs.append((zeros, nonzeros, at + 2))
        at += 2 + nonzeros
        if at > size:
            raise RvlError(f'RVL stream ends inside a run of {nonzeros} pixels: truncated data')
    out = np.zeros(num_pixels, np.uint16)
    if not runs:
        return out
    runs = np.array(runs, np.int64)
    lengths = runs[:, 1]
    if lengths.sum():
        positive = values[_ranges(runs[:, 2], lengths)]
        delta = (positive >> 1) ^ -(positive & 1)
        pixels = np.cumsum(delta) & 0xFFFF             # uint16 arithmetic wraps as in C++
        first_nonzero = np.cumsum(runs[:, 0] + lengths) - lengths
        out[_ranges(first_nonzero, lengths)] = pixels
    return out


def _ranges(starts, lengths):
    """Concatenated aranges [start, start + length) without a Python loop."""
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + offsets
