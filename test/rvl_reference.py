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
A line-by-line scalar transcription of image_transport_plugins' rvl_codec.cpp (test oracle).

Deliberately unvectorised and written from the C++ loops (int32 words, nibble counter, uint16
wrap-around), so the numpy codec in depth_sr_ros/data/rvl.py is checked against an independent
reading of the upstream algorithm. Only for small test images: it is slow.
"""
import struct


def compress(pixels):
    """RvlCodec::CompressRVL: list of uint16 -> bytes (words stored little-endian)."""
    words, state = [], {'word': 0, 'n': 0}

    def encode_vle(value):
        while True:
            nibble = value & 0x7
            value >>= 3
            if value:
                nibble |= 0x8
            state['word'] = ((state['word'] << 4) | nibble) & 0xFFFFFFFF
            state['n'] += 1
            if state['n'] == 8:
                words.append(state['word'])
                state['word'], state['n'] = 0, 0
            if not value:
                break

    i, end, previous = 0, len(pixels), 0
    while i != end:
        zeros = 0
        while i != end and not pixels[i]:
            i += 1
            zeros += 1
        encode_vle(zeros)
        nonzeros, p = 0, i
        while p != end and pixels[p]:
            p += 1
            nonzeros += 1
        encode_vle(nonzeros)
        for _ in range(nonzeros):
            current = pixels[i]
            i += 1
            delta = current - previous
            positive = ((delta << 1) ^ (delta >> 31)) & 0xFFFFFFFF
            encode_vle(positive)
            previous = current
    if state['n']:
        words.append((state['word'] << 4 * (8 - state['n'])) & 0xFFFFFFFF)
    return b''.join(struct.pack('<I', w) for w in words)


def decompress(data, num_pixels):
    """RvlCodec::DecompressRVL: bytes -> list of uint16 (trusts its input, like the C++)."""
    words = list(struct.unpack(f'<{len(data) // 4}I', data[:len(data) // 4 * 4]))
    state = {'word': 0, 'n': 0, 'at': 0}

    def decode_vle():
        value, bits = 0, 29
        while True:
            if not state['n']:
                state['word'] = words[state['at']]
                state['at'] += 1
                state['n'] = 8
            nibble = state['word'] & 0xF0000000
            value |= ((nibble << 1) & 0xFFFFFFFF) >> bits
            state['word'] = (state['word'] << 4) & 0xFFFFFFFF
            state['n'] -= 1
            bits -= 3
            if not nibble & 0x80000000:
                return value

    out, previous, left = [], 0, num_pixels
    while left:
        zeros = decode_vle()
        left -= zeros
        out.extend([0] * zeros)
        nonzeros = decode_vle()
        left -= nonzeros
        for _ in range(nonzeros):
            positive = decode_vle()
            delta = (positive >> 1) ^ -(positive & 1)
            current = (previous + delta) & 0xFFFF
            out.append(current)
            previous = current
    return out
