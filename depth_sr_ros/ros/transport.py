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
image_transport's compressedDepth for the node: input subscription and compressed output.

The node cannot use image_transport itself (no Python API; not installable here), so it speaks
the wire format directly: ``<image topic>/compressedDepth`` with sensor_msgs/CompressedImage
whose payload depth_sr_ros.data.compressed_depth encodes and decodes exactly as
compressed_depth_image_transport does. A ROS 2 subscriber with image_transport reads the
output with transport hint ``compressedDepth`` (e.g. ``image_transport republish``).
"""
import array
from collections import namedtuple

from depth_sr_ros.data import compressed_depth
from depth_sr_ros.ros.conversions import image_to_array, ImageRejected
from sensor_msgs.msg import CompressedImage, Image

RAW, COMPRESSED_DEPTH = 'raw', 'compressedDepth'
INPUT_TRANSPORTS = (RAW, COMPRESSED_DEPTH)
SUFFIX = '/compressedDepth'
CAUSE = 'compressed'   # rejection cause (diagnostics key) of an undecodable compressed payload

# What the node needs of a decoded compressed frame (a raw Image has the same attributes).
Frame = namedtuple('Frame', 'header encoding width height')


def input_type(transport):
    return CompressedImage if transport == COMPRESSED_DEPTH else Image


def input_topic(node, image_topic, transport):
    """
    depth/image_raw -> <resolved depth/image_raw>/compressedDepth for the compressed transport.

    As image_transport does, the base topic is resolved (namespace and remapping) before the
    suffix is added, so remapping depth/image_raw moves the compressed subscription along.
    """
    if transport != COMPRESSED_DEPTH:
        return image_topic
    return node.resolve_topic_name(image_topic) + SUFFIX


def decode(msg, max_pixels=None):
    """
    Image or compressedDepth CompressedImage -> (depth array, Frame-like description).

    Raises ImageRejected (cause 'compressed' for a bad payload, 'too_large' above max_pixels).
    """
    if isinstance(msg, Image):
        return image_to_array(msg, max_pixels), msg
    try:
        depth, encoding = compressed_depth.decode(msg.format, msg.data, max_pixels)
    except compressed_depth.TooLarge as err:
        raise ImageRejected('too_large', str(err)) from None
    except compressed_depth.CompressedDepthError as err:
        raise ImageRejected(CAUSE, str(err)) from None
    height, width = depth.shape
    return depth, Frame(msg.header, encoding, width, height)


def compressed_message(depth, encoding, header, cfg):
    """
    Encode a uint16 mm / float32 m array as the compressedDepth publisher's CompressedImage.

    It uses the node's output_compressed_* parameters (``cfg``).
    """
    fmt, data = compressed_depth.encode(depth, encoding, cfg['output_compressed_format'],
                                        depth_max=cfg['output_compressed_depth_max'],
                                        png_level=cfg['output_compressed_png_level'])
    msg = CompressedImage(header=header, format=fmt)
    msg.data = array.array('B', data)     # one assignment: rclpy is slow with per-item payloads
    return msg
