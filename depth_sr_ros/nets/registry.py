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
DSRNet families and named presets in one place, and the one factory that builds them.

A family is a (config dataclass, network class) pair; the config's ``family`` field names it
in model metadata, so export/load can rebuild any family from data alone (no code in files).
Metadata from before families existed has no ``family`` and means 'dbpn'.
"""
from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
from depth_sr_ros.nets.lrres import LRResConfig, LRResNet

FAMILIES = {
    'dbpn': (DSRNetConfig, DSRNet),
    'lrres': (LRResConfig, LRResNet),
}

# name -> (family, scale-independent fields); `preset_config(name, scale)` fills the scale in.
# GMAC/params at 160x120 per scale: docs/ARCHITECTURE.md (counted with nets/macs.py).
PRESETS = {
    'fast': (
        'dbpn',
        {'channels': 32, 'hr_channels': 4, 'num_blocks': 3, 'up_kernel': 1, 'refine_convs': 1},
    ),
    'quality': (
        'dbpn',
        {'channels': 64, 'hr_channels': 8, 'num_blocks': 4, 'up_kernel': 3, 'refine_convs': 1},
    ),
    # Nearer the paper's DBPN: more and wider projection blocks (offline/GPU class on CPUs).
    'deep_bp': (
        'dbpn',
        {
            'channels': 64,
            'hr_channels': 12,
            'num_blocks': 6,
            'up_kernel': 3,
            'refine_convs': 1,
            'tail_channels': 8,
        },
    ),
    # Same x4 budget as 'fast' (1.15 vs 1.16 GMAC), but plain LR 3x3 convs run ~2x faster per MAC.
    'lrres_fast': ('lrres', {'channels': 30, 'num_blocks': 3, 'up_channels': 4, 'up_kernel': 1}),
    # The blind models' architecture from 2026-11-26 until 2026-11-27: twice lrres_fast's depth
    # (2.4 GMAC at x4).
    'lrres_mid': ('lrres', {'channels': 32, 'num_blocks': 6, 'up_channels': 4, 'up_kernel': 1}),
    # lrres_mid with 10 blocks (3.8 GMAC at x4, 21 fps on 1 thread): the most depth the real-time
    # contract leaves room for; the bundled blind models' architecture since 2026-11-27; blind x4
    # pilot +2.5 points inner RGB-D-D over lrres_mid (docs/research/architecture.md).
    'lrres_mid_deep': (
        'lrres',
        {'channels': 32, 'num_blocks': 10, 'up_channels': 4, 'up_kernel': 1},
    ),
    'lrres_quality': (
        'lrres',
        {'channels': 48, 'num_blocks': 6, 'attention': True, 'up_channels': 8, 'up_kernel': 1},
    ),
    # Offline specialists: 1.8x lrres_quality's width x depth squared in cost (~3.5x); inner
    # cubic-LR pilot +1.5 points RGB-D-D, +2.4 Middlebury over lrres_quality at equal steps.
    'lrres_large': (
        'lrres',
        {'channels': 64, 'num_blocks': 12, 'attention': True, 'up_channels': 8, 'up_kernel': 1},
    ),
    # Twice lrres_large's depth (2x its cost); inner cubic-LR pilot at x4, 3000 steps: +0.5 points
    # RGB-D-D, +0.4 Middlebury over lrres_large (docs/research/architecture.md).
    'lrres_xl': (
        'lrres',
        {'channels': 64, 'num_blocks': 24, 'attention': True, 'up_channels': 8, 'up_kernel': 1},
    ),
}


def config_from_dict(data):
    """Architecture metadata (a dict) -> the family's validated config; no 'family' = 'dbpn'."""
    if not isinstance(data, dict):
        raise ValueError(f'architecture must be a mapping, got {type(data).__name__}')
    family = data.get('family', 'dbpn')
    if family not in FAMILIES:
        raise ValueError(f'unknown DSRNet family {family!r}; known: {sorted(FAMILIES)}')
    return FAMILIES[family][0].from_dict(data)


def build_dsrnet(cfg):
    """Build the network of a family config (a config object or its dict)."""
    if isinstance(cfg, dict):
        cfg = config_from_dict(cfg)
    return FAMILIES[cfg.family][1](cfg)


def preset_config(name, scale, overrides=None):
    """
    Config of a named preset at a scale, with field overrides.

    An override ``family`` other than the preset's drops the preset's fields: the overrides
    then describe the whole architecture (missing fields take that family's defaults).
    """
    if name not in PRESETS:
        raise ValueError(f'unknown DSRNet preset {name!r}; choose from {sorted(PRESETS)}')
    family, fields = PRESETS[name]
    overrides = dict(overrides or {})
    if overrides.get('family', family) != family:
        fields = {}
    return config_from_dict({'family': family, **fields, **overrides, 'scale': scale})


def preset(name, scale):
    """Config of a named preset at a scale (no overrides)."""
    return preset_config(name, scale)
