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

"""RGBDPair: the one in-memory form of a training pair, whatever it was read from."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class RGBDPair:
    """
    An RGB image and the registered high-resolution depth (metres) of one capture.

    ``valid`` marks measured depth; invalid pixels carry no meaning in ``depth``.
    ``timestamp`` orders captures so held-out splits can be taken by time block.
    """

    rgb: np.ndarray          # uint8 HxWx3, RGB order
    depth: np.ndarray        # float32 HxW, metres
    valid: np.ndarray        # bool HxW
    capture_id: str = ''
    timestamp: float = 0.0
    source: str = ''
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or self.rgb.dtype != np.uint8:
            raise ValueError(f'rgb must be uint8 HxWx3, got {self.rgb.dtype} {self.rgb.shape}')
        if self.depth.shape != self.rgb.shape[:2] or self.valid.shape != self.depth.shape:
            raise ValueError(f'rgb {self.rgb.shape[:2]}, depth {self.depth.shape} and valid '
                             f'{self.valid.shape} must have the same size (registered pair)')
        self.depth = np.asarray(self.depth, dtype=np.float32)
        self.valid = np.asarray(self.valid, dtype=bool) & np.isfinite(self.depth)

    @property
    def shape(self):
        return self.depth.shape
