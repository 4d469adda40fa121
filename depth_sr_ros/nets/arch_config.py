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
What every DSRNet family's config shares.

The checks of the common fields and the dict round trip of model metadata (nets/dsrnet.py
DSRNetConfig, nets/lrres.py LRResConfig).
"""
from dataclasses import asdict, fields

SCALES = (2, 4, 8, 16)


class ArchConfig:
    """
    Mixin for a family's frozen config dataclass (fields ``scale``, ``family``, ``up_kernel``).

    FAMILY: the tag the config must carry; POSITIVE: fields that must be >= 1; LABEL: how error
    messages name the config.
    """

    FAMILY = ''
    POSITIVE = ()
    LABEL = ''

    def check_common(self):
        if self.family != self.FAMILY:
            raise ValueError(
                f'{type(self).__name__} family must be {self.FAMILY!r}, got {self.family!r}'
            )
        if self.scale not in SCALES:
            raise ValueError(f'scale must be one of {SCALES}, got {self.scale}')
        for name in self.POSITIVE:
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be >= 1')
        if self.up_kernel % 2 != 1:
            raise ValueError('up_kernel must be odd')

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f'unknown {cls.LABEL} config keys: {sorted(unknown)}')
        return cls(**data)
