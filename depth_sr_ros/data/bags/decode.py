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
Image / CompressedImage / compressedDepth messages -> numpy (RGB uint8, depth metres + valid).

Why our own decoder: rosbags-image ignores ``step``, decodes 16-bit PNG CompressedImage to 8
bits and cannot read ``compressedDepth``. Here rows are sliced by ``step`` (padding dropped),
``is_bigendian`` picks the byte order, and compressedDepth (PNG and RVL, 16UC1 and 32FC1) goes
through depth_sr_ros.data.compressed_depth, the codec the node shares.
"""
import cv2
from depth_sr_ros.data import compressed_depth
from depth_sr_ros.data.bags.errors import DecodeError
import numpy as np

IMAGE = 'sensor_msgs/msg/Image'
COMPRESSED = 'sensor_msgs/msg/CompressedImage'

# encoding -> (channels, numpy dtype letter+size)
COLOR_ENCODINGS = {'rgb8': (3, 'u1'), 'bgr8': (3, 'u1'), 'rgba8': (4, 'u1'), 'bgra8': (4, 'u1'),
                   'mono8': (1, 'u1'), '8uc3': (3, 'u1'), '8uc1': (1, 'u1')}
DEPTH_ENCODINGS = {'16uc1': (1, 'u2'), 'mono16': (1, 'u2'), '32fc1': (1, 'f4')}
is_compressed_depth_format = compressed_depth.is_compressed_depth


def compressed_source_encoding(fmt):
    """
    Return the encoding of the image before compression ('' if absent).

    'rgb8; jpeg compressed bgr8' -> 'rgb8'.
    """
    fmt = (fmt or '').strip()
    return fmt.split(';', 1)[0].strip().lower() if ';' in fmt else ''


def image_array(msg):
    """Raw sensor_msgs/Image -> HxW or HxWxC array, honouring ``step`` and ``is_bigendian``."""
    enc = msg.encoding.lower()
    spec = COLOR_ENCODINGS.get(enc) or DEPTH_ENCODINGS.get(enc)
    if spec is None:
        raise DecodeError(f'unsupported Image encoding {msg.encoding!r} (supported: '
                          f'{", ".join(sorted(set(COLOR_ENCODINGS) | set(DEPTH_ENCODINGS)))})')
    channels, kind = spec
    h, w, step = int(msg.height), int(msg.width), int(msg.step)
    itemsize = int(kind[1])
    row_bytes = w * channels * itemsize
    if h == 0 or w == 0:
        raise DecodeError(f'empty Image ({w}x{h}, encoding {msg.encoding})')
    if step < row_bytes:
        raise DecodeError(f'Image step {step} is smaller than width*bytes_per_pixel = {row_bytes} '
                          f'({w}x{h} {msg.encoding})')
    data = np.asarray(msg.data, dtype=np.uint8).ravel()
    need = step * (h - 1) + row_bytes
    if data.size < need:
        raise DecodeError(f'Image data has {data.size} bytes, expected {step * h} '
                          f'(height {h} x step {step}, {msg.encoding}): truncated message')
    if data.size < step * h:   # last row's padding may be omitted
        data = np.concatenate([data, np.zeros(step * h - data.size, np.uint8)])
    rows = data[:step * h].reshape(h, step)[:, :row_bytes]
    order = '>' if msg.is_bigendian else '<'
    dtype = np.dtype(order + kind)
    arr = np.ascontiguousarray(rows).view(dtype).reshape(h, w, channels)
    arr = arr.astype(dtype.newbyteorder('='), copy=False)
    return arr[:, :, 0] if channels == 1 else arr


def _to_rgb(arr, order):
    """
    Convert HxW / HxWx3 / HxWx4 uint8 in ``order`` ('rgb' or 'bgr') to HxWx3 RGB uint8.

    The result has its own memory.
    """
    if arr.ndim == 2:
        return np.repeat(arr[:, :, None], 3, axis=2)
    rgb = arr[:, :, :3]
    if order == 'bgr':
        rgb = rgb[:, :, ::-1]
    return np.ascontiguousarray(rgb)


def decode_color(msg, msgtype):
    """Colour message -> uint8 HxWx3 RGB."""
    if msgtype == IMAGE:
        enc = msg.encoding.lower()
        if enc not in COLOR_ENCODINGS:
            raise DecodeError(f'Image encoding {msg.encoding!r} is not a colour encoding '
                              f'(supported: {", ".join(sorted(COLOR_ENCODINGS))})')
        arr = image_array(msg)
        return _to_rgb(arr, 'bgr' if enc.startswith('bgr') or enc == '8uc3' else 'rgb')
    if msgtype == COMPRESSED:
        if is_compressed_depth_format(msg.format):
            raise DecodeError(
                f'compressedDepth message (format {msg.format!r}) on the colour topic'
            )
        img = _imdecode(msg, 'colour')
        if img.dtype == np.uint16:
            img = np.round(img / 257.0).astype(np.uint8)
        if img.dtype != np.uint8:
            raise DecodeError(f'colour CompressedImage decodes to {img.dtype}, expected 8-bit')
        return _to_rgb(img, 'bgr')  # OpenCV decodes colour as BGR(A) whatever the source order
    raise DecodeError(f'unsupported colour message type {msgtype}')


def decode_depth(msg, msgtype):
    """
    Depth message -> (float32 HxW metres, bool HxW valid).

    16UC1/mono16 are millimetres with 0 invalid; 32FC1 is metres with NaN/Inf invalid. Depth
    <= 0 is also marked invalid: a measured distance of zero is no measurement for training.
    """
    if msgtype == IMAGE:
        enc = msg.encoding.lower()
        if enc not in DEPTH_ENCODINGS:
            raise DecodeError(f'Image encoding {msg.encoding!r} is not a depth encoding '
                              f'(supported: 16UC1, mono16 (millimetres), 32FC1 (metres))')
        return depth_to_metres(image_array(msg))
    if msgtype == COMPRESSED:
        if is_compressed_depth_format(msg.format):
            return decode_compressed_depth(msg)
        img = _imdecode(msg, 'depth')
        if img.dtype != np.uint16 or img.ndim != 2:
            raise DecodeError(
                f'depth CompressedImage (format {msg.format!r}) decodes to '
                f'{img.dtype} with shape {img.shape}; expected a 16-bit single-channel '
                'PNG of millimetres (lossy 8-bit formats cannot carry depth)'
            )
        return depth_to_metres(img)
    raise DecodeError(f'unsupported depth message type {msgtype}')


def depth_to_metres(arr):
    """uint16 millimetres or float32 metres -> (float32 metres, valid)."""
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) * np.float32(0.001), arr > 0
    depth = arr.astype(np.float32, copy=False)
    valid = np.isfinite(depth) & (depth > 0)
    return np.where(valid, depth, np.float32(0)), valid


def decode_compressed_depth(msg):
    """compressed_depth_image_transport payload (PNG or RVL) -> (metres, valid)."""
    try:
        depth, _ = compressed_depth.decode(msg.format, np.asarray(msg.data, np.uint8).tobytes())
    except compressed_depth.CompressedDepthError as err:
        raise DecodeError(str(err)) from None
    return depth_to_metres(depth)


def _imdecode(msg, what):
    data = np.asarray(msg.data, dtype=np.uint8).ravel()
    if data.size == 0:
        raise DecodeError(f'empty {what} CompressedImage (format {msg.format!r})')
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise DecodeError(f'{what} CompressedImage (format {msg.format!r}) cannot be decoded: '
                          'corrupt or unsupported codec')
    return img
