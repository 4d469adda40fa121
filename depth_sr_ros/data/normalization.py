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
Per-image min-max normalisation over valid pixels, and hole filling for the network input.

The statistics come from the *LR* frame because that is all the node has at run time; the
trainer applies the same transform to the HR target so the network never sees HR statistics.
"""
from dataclasses import dataclass

import cv2
import numpy as np

NORMALIZATION_ID = 'per_image_minmax_over_lr_valid'


@dataclass(frozen=True)
class DepthRange:
    """Affine map between depth units and the network's [0, 1] range."""

    lo: float
    hi: float

    @property
    def span(self):
        # A flat frame (one depth everywhere) still needs an invertible map.
        return self.hi - self.lo if self.hi > self.lo else 1.0

    def normalize(self, depth):
        return (depth - self.lo) / self.span

    def denormalize(self, x):
        return x * self.span + self.lo


def valid_range(depth, valid):
    """Return the DepthRange over the valid pixels; ``None`` when there are none."""
    values = depth[valid]
    if values.size == 0:
        return None
    return DepthRange(float(values.min()), float(values.max()))


def network_input(depth, valid, rng):
    """
    Turn LR depth into what DSRNet sees.

    Normalised by ``rng``, holes filled with the nearest valid value (float32). One function
    so training, inference and analysis cannot drift apart.
    """
    return fill_invalid_nearest(np.where(valid, rng.normalize(depth), 0).astype(np.float32), valid)


def fill_invalid_nearest(image, valid):
    """
    Copy the nearest valid pixel into every invalid one.

    The network and bicubic upsampling both look at neighbourhoods; a zero (or NaN) in a hole
    would make a fake edge, while nearest-valid filling keeps the hole flat. Uses OpenCV's
    distance transform with labels (one pass, any hole size).
    """
    if valid.all() or not valid.any():
        return image.copy()
    invalid = (~valid).astype(np.uint8)
    _, labels = cv2.distanceTransformWithLabels(invalid, cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    # Each zero pixel of `invalid` (a valid pixel) got its own label; map label -> pixel value.
    valid_labels = labels[valid]
    lookup = np.zeros(labels.max() + 1, dtype=image.dtype)
    lookup[valid_labels] = image[valid]
    return lookup[labels]


def distance_to_valid(valid):
    """Euclidean distance (pixels) from each pixel to the nearest valid one."""
    if valid.all():
        return np.zeros(valid.shape, np.float32)
    return cv2.distanceTransform((~valid).astype(np.uint8), cv2.DIST_L2, 5)
