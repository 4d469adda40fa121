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
sensor_msgs/Image <-> numpy for depth, via cv_bridge where a ROS distribution provides it.

One module owns both paths. Every incoming image is validated here first (encoding, size,
step, data length) so a bad message raises :class:`ImageRejected` naming the cause instead of
crashing the node or decoding garbage. Decoding then uses cv_bridge when it imports, else an
equivalent numpy path that honours ``step`` (padded rows) and ``is_bigendian``. Outgoing images
get ``data`` assigned once from bytes (rclpy is slow with per-element payload handling).

Units: 16UC1 / mono16 = millimetres with 0 invalid; 32FC1 = metres with NaN invalid
(0.0 is not "invalid" for 32FC1 in depth_image_proc, so it is never emitted for "no data").
"""
import array

import numpy as np

# encoding -> (numpy dtype without byte order, bytes per pixel)
DEPTH_ENCODINGS = {'16UC1': ('u2', 2), 'mono16': ('u2', 2), '32FC1': ('f4', 4)}
OUTPUT_ENCODINGS = ('16UC1', '32FC1')

# Rejection causes (diagnostics keys); the node counts and logs each once, throttled.
CAUSES = ('encoding', 'zero_size', 'too_large', 'bad_step', 'bad_length', 'compressed')

_BRIDGE = None  # False once we know cv_bridge is absent


class ImageRejected(ValueError):
    """An incoming image cannot be decoded; ``cause`` is one of :data:`CAUSES`."""

    def __init__(self, cause, message):
        super().__init__(message)
        self.cause = cause


def cv_bridge():
    """Return a shared CvBridge, or None where the distribution's cv_bridge is not importable."""
    global _BRIDGE
    if _BRIDGE is None:
        try:
            from cv_bridge import CvBridge
            _BRIDGE = CvBridge()
        except ImportError:
            _BRIDGE = False
    return _BRIDGE or None


def validate_image(msg, max_pixels=None):
    """Raise :class:`ImageRejected` unless ``msg`` is a decodable depth image."""
    if msg.encoding not in DEPTH_ENCODINGS:
        raise ImageRejected('encoding', f'encoding {msg.encoding!r} is not a depth encoding '
                                        f"(expected one of {', '.join(DEPTH_ENCODINGS)})")
    if msg.width == 0 or msg.height == 0:
        raise ImageRejected('zero_size', f'image has zero size ({msg.width}x{msg.height})')
    if max_pixels and msg.width * msg.height > max_pixels:
        raise ImageRejected('too_large', f'image {msg.width}x{msg.height} has more than '
                                         f'max_input_pixels={max_pixels} pixels')
    bpp = DEPTH_ENCODINGS[msg.encoding][1]
    if msg.step < msg.width * bpp:
        raise ImageRejected('bad_step', f'step {msg.step} < width*bytes_per_pixel = '
                                        f'{msg.width}*{bpp} for {msg.encoding}')
    if len(msg.data) != msg.height * msg.step:
        raise ImageRejected('bad_length', f'data length {len(msg.data)} != height*step = '
                                          f'{msg.height}*{msg.step}')


def image_to_array(msg, max_pixels=None, use_cv_bridge=True):
    """
    Convert a validated depth Image to an HxW array (uint16 mm or float32 m).

    The array is an owned copy in native byte order.
    """
    validate_image(msg, max_pixels)
    bridge = cv_bridge() if use_cv_bridge else None
    if bridge is not None:
        out = np.asarray(bridge.imgmsg_to_cv2(msg, desired_encoding='passthrough'))
        return np.array(out, dtype=out.dtype.newbyteorder('='), copy=True)
    kind, bpp = DEPTH_ENCODINGS[msg.encoding]
    raw = np.frombuffer(msg.data, dtype=np.uint8).reshape(msg.height, msg.step)
    rows = raw[:, :msg.width * bpp]
    order = '>' if msg.is_bigendian else '<'
    # .view needs contiguous rows; copying the used bytes is one vectorised pass.
    pixels = np.ascontiguousarray(rows).view(np.dtype(order + kind))
    return pixels.astype(np.dtype('=' + kind), copy=True)


def array_to_image(depth, encoding, header=None, use_cv_bridge=True):
    """Convert an HxW uint16 (16UC1/mono16) or float32 (32FC1) array to a little-endian Image."""
    from sensor_msgs.msg import Image
    kind, bpp = DEPTH_ENCODINGS.get(encoding, (None, None))
    if kind is None:
        raise ValueError(
            f'cannot encode depth as {encoding!r}; use one of {", ".join(DEPTH_ENCODINGS)}'
        )
    depth = np.asarray(depth)
    if depth.ndim != 2 or depth.dtype != np.dtype(kind):
        raise ValueError(
            f'{encoding} needs a 2-D {np.dtype(kind)} array, got {depth.dtype} {depth.shape}'
        )
    bridge = cv_bridge() if use_cv_bridge else None
    if bridge is not None:
        msg = bridge.cv2_to_imgmsg(np.ascontiguousarray(depth), encoding=encoding)
    else:
        msg = Image()
        msg.height, msg.width = depth.shape
        msg.encoding = encoding
        msg.is_bigendian = False
        msg.step = depth.shape[1] * bpp
        msg.data = array.array(
            'B', np.ascontiguousarray(depth, dtype=np.dtype('<' + kind)).tobytes()
        )
    if header is not None:
        msg.header = header
    return msg


def mm_to_m(depth_mm):
    """uint16 millimetres (0 invalid) -> float32 metres (NaN invalid)."""
    out = depth_mm.astype(np.float32) * np.float32(0.001)
    out[depth_mm == 0] = np.nan
    return out


def m_to_mm(depth_m):
    """float32 metres (NaN/Inf/<=0 invalid) -> uint16 millimetres (0 invalid), rounded, clamped."""
    with np.errstate(invalid='ignore'):
        valid = np.isfinite(depth_m) & (depth_m > 0)
        mm = np.clip(np.rint(np.where(valid, depth_m, 0) * 1000.0), 1, 65535).astype(np.uint16)
    mm[~valid] = 0
    return mm


def to_encoding(depth, encoding):
    """Convert a depth array (uint16 mm or float32 m) to the dtype/unit of ``encoding``."""
    want = np.dtype(DEPTH_ENCODINGS[encoding][0])
    if depth.dtype == want:
        return depth
    return mm_to_m(depth) if want == np.float32 else m_to_mm(depth)


def mask_range(depth, min_m=0.0, max_m=0.0):
    """Mark depths outside [min_m, max_m] metres invalid (max_m <= 0: no upper limit), in place."""
    if min_m <= 0 and max_m <= 0:
        return depth
    scale = 1000.0 if depth.dtype == np.uint16 else 1.0
    invalid_value = 0 if depth.dtype == np.uint16 else np.nan
    with np.errstate(invalid='ignore'):
        out = np.zeros(depth.shape, bool)
        if min_m > 0:
            out |= depth < min_m * scale
        if max_m > 0:
            out |= depth > max_m * scale
    depth[out] = invalid_value
    return depth


def valid_mask(depth):
    """Return True where a depth array holds a measurement (uint16: > 0; float32: finite, > 0)."""
    if depth.dtype == np.uint16:
        return depth > 0
    with np.errstate(invalid='ignore'):
        return np.isfinite(depth) & (depth > 0)


def rgb_to_image(rgb, header=None):
    """HxWx3 uint8 RGB array -> rgb8 sensor_msgs/Image (data assigned once)."""
    from sensor_msgs.msg import Image
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'rgb8 needs an HxWx3 uint8 array, got {rgb.shape}')
    msg = Image(height=rgb.shape[0], width=rgb.shape[1], encoding='rgb8', is_bigendian=False,
                step=rgb.shape[1] * 3)
    msg.data = array.array('B', rgb.tobytes())
    if header is not None:
        msg.header = header
    return msg
