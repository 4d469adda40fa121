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
The node's parameters in one table: name, default, description, range, read-only.

Kept as plain data so `depth_sr_node --dump-parameters` (and the launch/params-file contract
test) can list them without starting ROS; :func:`declare` turns each row into a declared rclpy
parameter with a ParameterDescriptor.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    default: object
    description: str
    read_only: bool = True
    value_range: tuple = None    # (min, max) for numbers
    choices: tuple = None        # allowed string values (checked at start-up)


PARAMS = (
    Param(
        'model',
        'x4',
        'Bundled model name (models/<name>.safetensors in the package share) or '
        'the path of an exported model (directory, .safetensors or .json). No downloads. '
        'Which one for which sensor (measured matrix in models/README.md): x4 (default) for '
        'any sensor: trained on every sampling with noise and holes, and better than bicubic '
        'under every sampling on structured-light (Kinect) depth it never saw; x4_point for '
        'point-sampled depth (decimation, LiDAR-like, many structured-light pipelines); '
        'x4_cubic, x8_cubic, x16_cubic for LR made by cv2.resize INTER_CUBIC (benchmark files); '
        'the specialists are offline class (x4_point ~5 fps, x8_cubic ~2 fps, x4_cubic ~3 fps '
        'at 160x120 on 1 thread); x2, x8, x16 for other factors.',
    ),
    Param(
        'scale',
        0,
        "Required upscale factor; 0 accepts the model's own scale. A model with "
        'another scale fails at start-up.',
        value_range=(0, 16),
    ),
    Param(
        'device',
        'auto',
        "Inference device: 'auto' (CUDA when present), 'cpu', 'cuda' or 'cuda:N'.",
    ),
    Param('fp16', True, 'Run the network in float16 on CUDA (ignored on CPU).'),
    Param(
        'cpu_precision',
        'auto',
        "Network body on the CPU: 'fp32', 'bf16' (about 2x faster on CPUs "
        'with bfloat16 instructions, AVX512-BF16 or AMX; slower on others; held-out error '
        'about 0.1 point worse on average, depth itself stays float32) or '
        "'auto' (bf16 exactly when the CPU has those instructions). Ignored on CUDA.",
        choices=('auto', 'fp32', 'bf16'),
    ),
    Param(
        'torch_threads', 0, "torch intra-op threads; 0 keeps torch's default.",
        value_range=(0, 256),
    ),
    Param(
        'input_namespaces',
        [''],
        'One entry per depth sensor; "" = the node\'s own namespace. '
        'Entry "front" reads front/depth/image_raw (+camera_info) and publishes '
        'front/depth_sr/image_raw (+camera_info). All streams share one model and are batched.',
    ),
    Param(
        'output_encoding',
        'same',
        "'same' as the input, or force '16UC1' (mm, 0 invalid) / '32FC1' (m, NaN invalid).",
        choices=('same', '16UC1', '32FC1'),
    ),
    Param(
        'lazy',
        True,
        'Run the network only while an output (image, camera_info, points, '
        'colorized, ...) of the stream has a subscriber; the input stays subscribed, so the '
        'first subscriber gets output from the next input frame. /diagnostics says when a '
        'stream is idle. false processes every frame, watched or not (a steady load, for '
        'measuring).',
        read_only=False,
    ),
    Param(
        'min_depth',
        0.0,
        'Input depths below this (metres) are treated as invalid; 0 = no limit.',
        read_only=False,
        value_range=(0.0, 1000.0),
    ),
    Param(
        'max_depth',
        0.0,
        'Input depths above this (metres) are treated as invalid; 0 = no limit.',
        read_only=False,
        value_range=(0.0, 1000.0),
    ),
    Param(
        'fill_holes',
        0,
        'Hole filling: 0 keeps every invalid input pixel invalid; N > 0 fills '
        'output pixels within N LR pixels of valid data (never the middle of a large hole).',
        read_only=False,
        value_range=(0, 64),
    ),
    Param(
        'self_ensemble',
        1,
        'Average 1 (off), 2, 4 or 8 flipped/transposed views of each frame '
        '(geometric self-ensemble) at that many times the inference cost: lower error when '
        'each LR sample is centred on its pixel (cubic, area, antialiased resizing), higher '
        'when the sensor point-samples off-centre (decimation), because a flip mirrors where '
        'the sample sits (measured in models/README.md). Offline or GPU use.',
        read_only=False,
        value_range=(1, 8),
        choices=(1, 2, 4, 8),
    ),
    Param(
        'edge_mode',
        'keep',
        'Output pixels that float between the two sides of a depth step '
        "(the flying pixels of a point cloud): 'keep' them, 'snap' them to the nearer side, or "
        "'invalidate' them (0 / NaN). Test and measured effect: depth_sr_ros/inference/"
        'edges.py, models/README.md.',
        read_only=False,
        choices=('keep', 'snap', 'invalidate'),
    ),
    Param(
        'publish_confidence',
        False,
        'Also publish depth_sr/confidence: 32FC1, 0..1 per output '
        'pixel (same size and stamp as the depth; 0 where the depth is invalid), higher = more '
        'likely right; threshold it to keep only trusted pixels (depth_sr_ros/inference/'
        'confidence.py).',
    ),
    Param(
        'temporal_filter',
        False,
        'Motion-gated running average of each output pixel for a '
        'mostly static camera (less flicker on noisy sensors); a change larger than 2% of the '
        "frame's depth range, or camera motion, passes through at once "
        '(depth_sr_ros/inference/temporal.py).',
        read_only=False,
    ),
    Param(
        'max_input_pixels',
        640 * 480,
        'Input images with more pixels are rejected (cause '
        'too_large) to protect memory and latency.',
        value_range=(1, 100_000_000),
    ),
    Param(
        'publish_points',
        False,
        'Also publish depth_sr/points: organised PointCloud2 (x, y, z '
        'float32, NaN invalid) from the SR depth and the scaled CameraInfo.',
    ),
    Param(
        'publish_colorized', False, 'Also publish depth_sr/colorized: rgb8 colour-mapped preview.'
    ),
    Param(
        'colorized_min_depth',
        0.0,
        'Colour range start (m) of the preview; min = max = 0 picks '
        'the range per frame (2nd-98th percentile).',
        read_only=False,
        value_range=(0.0, 1000.0),
    ),
    Param(
        'colorized_max_depth',
        0.0,
        'Colour range end (m) of the preview; see colorized_min_depth.',
        read_only=False,
        value_range=(0.0, 1000.0),
    ),
    Param(
        'diagnostics_period', 1.0, 'Seconds between /diagnostics messages.',
        value_range=(0.1, 60.0),
    ),
    Param(
        'no_input_warning',
        5.0,
        'Warn (throttled) when no input arrived for this many seconds, '
        'naming the resolved topic and its QoS.',
        value_range=(0.5, 3600.0),
    ),
    Param(
        'camera_info_max_stamp_skew',
        0.5,
        'An input CameraInfo stamped more than this many '
        'seconds from its image (a static or stale camera_info publisher) is counted in '
        "/diagnostics and logged (throttled); the pair is still published, with the image's "
        'stamp. 0 = no check.',
        read_only=False,
        value_range=(0.0, 3600.0),
    ),
    # compressedDepth in and out, and the ONNX Runtime backend (ros/transport.py,
    # inference/onnx_backend.py).
    Param(
        'input_transport',
        'raw',
        "'raw' subscribes to depth/image_raw (sensor_msgs/Image); "
        "'compressedDepth' to depth/image_raw/compressedDepth (sensor_msgs/CompressedImage "
        "from image_transport's compressedDepth plugin: PNG or RVL, 16UC1 or 32FC1).",
        choices=('raw', 'compressedDepth'),
    ),
    Param(
        'output_compressed',
        False,
        'Also publish depth_sr/image_raw/compressedDepth, as '
        "image_transport's compressedDepth publisher does (its subscriber plugin decodes it).",
    ),
    Param(
        'output_compressed_format',
        'png',
        "Codec of the compressed output: 'png' (image_transport's default) or 'rvl'.",
        choices=('png', 'rvl'),
    ),
    Param(
        'output_compressed_png_level',
        1,
        'zlib level of the PNG output, 0-9. image_transport '
        'defaults to 9, which costs about 25x the time of 1 on a 640x480 frame for 12% fewer '
        'bytes (synthetic slanted plane with 5% holes), so the node defaults to 1.',
        value_range=(0, 9),
    ),
    Param(
        'output_compressed_depth_max',
        10.0,
        'Depths beyond this (m) become invalid in the '
        "compressed output, and 32FC1 is quantised for this range (compressedDepth's depth_max "
        'parameter, same default).',
        value_range=(0.1, 65.0),
    ),
    Param(
        'backend',
        'torch',
        "What runs the network: 'torch', or 'onnxruntime' (the model's "
        'ONNX file; execution provider from device: CPU, or CUDA / TensorRT / OpenVINO where '
        'installed). cpu_precision and fp16 apply to torch only.',
        choices=('torch', 'onnxruntime'),
    ),
)

BY_NAME = {p.name: p for p in PARAMS}


def names():
    return [p.name for p in PARAMS]


def declare(node):
    """Declare every parameter on ``node``; returns {name: value} (params-file values applied)."""
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
    from rclpy.parameter import Parameter
    values = {}
    for p in PARAMS:
        desc = ParameterDescriptor(name=p.name, description=p.description, read_only=p.read_only)
        if p.choices:
            desc.additional_constraints = 'one of: ' + ', '.join(str(c) for c in p.choices)
        if p.value_range is not None:
            if isinstance(p.default, float):
                desc.floating_point_range = [FloatingPointRange(from_value=float(p.value_range[0]),
                                                                to_value=float(p.value_range[1]))]
            else:
                desc.integer_range = [
                    IntegerRange(from_value=p.value_range[0], to_value=p.value_range[1], step=1)
                ]
        default = p.default
        if isinstance(default, list):
            desc.type = Parameter.Type.STRING_ARRAY.value
        values[p.name] = node.declare_parameter(p.name, default, desc).value
        check(p.name, values[p.name])
    return values


def check(name, value):
    """Raise ValueError naming the parameter when ``value`` is not allowed (choices)."""
    p = BY_NAME[name]
    if p.choices and value not in p.choices:
        raise ValueError(
            f"parameter {name}={value!r} is not one of {', '.join(str(c) for c in p.choices)}"
        )


def to_yaml():
    """Return the params file text listing every parameter with its default (config/sr.yaml)."""
    import yaml
    return yaml.safe_dump({'/**': {'ros__parameters': {p.name: p.default for p in PARAMS}}},
                          sort_keys=False, default_flow_style=None)
