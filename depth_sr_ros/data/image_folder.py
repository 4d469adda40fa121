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
RGB-D image folders (``rgb/<id>.jpg|png`` + ``depth/<id>.png``) -> RGBDPairs.

Covers the RGB-D-D layout (uint16 millimetres, ids are capture times YYYYMMDDhhmmss) and the
Middlebury layout (uint8 disparity-like values, larger = nearer). Depth units are a parameter;
0 is invalid in both. Depth-only folders (no ``rgb/``, e.g. 7-Scenes) load with a black RGB
image and ``meta['has_rgb'] = False``: usable by DSRNet alone, not by DENet.
"""
from datetime import datetime
from pathlib import Path

import cv2
from depth_sr_ros.data.pairs import RGBDPair
import numpy as np

RGB_SUFFIXES = ('.jpg', '.jpeg', '.png')


def _timestamp(capture_id, index):
    """Capture time from a YYYYMMDDhhmmss id; else the file's rank (keeps folder order)."""
    try:
        return datetime.strptime(capture_id[:14], '%Y%m%d%H%M%S').timestamp()
    except ValueError:
        return float(index)


def _find_rgb(rgb_dir, capture_id):
    for suffix in RGB_SUFFIXES:
        path = rgb_dir / f'{capture_id}{suffix}'
        if path.is_file():
            return path
    return None


def load_image_folder(root, depth_scale=0.001, max_pairs=None, progress=False, depth_only=False):
    """
    Read every ``depth/<id>.png`` with a matching ``rgb/<id>.*``.

    depth_scale: metres per stored unit (0.001 for millimetre PNGs); None picks by the PNG's
    type: uint16 -> millimetres, uint8 -> 1.0. For disparity-like data (Middlebury) 1.0: the
    values are then "units", which per-image normalisation makes irrelevant for training;
    metrics are reported in the same units. ``meta['metric']`` is True for uint16 (metric)
    depth, so metric-only degradations (quantisation) know when they apply.
    depth_only: accept depth without RGB (all depth PNGs, black RGB).
    """
    root = Path(root)
    depth_dir, rgb_dir = root / 'depth', root / 'rgb'
    if not depth_dir.is_dir() or (not depth_only and not rgb_dir.is_dir()):
        raise FileNotFoundError(
            f'{root}: expected rgb/ and depth/ sub-folders'
            + ('' if depth_only else ' (depth-only folders: use depth_only=True)')
        )
    depth_files = sorted(depth_dir.glob('*.png'))
    if not depth_files:
        raise FileNotFoundError(f'{depth_dir}: no depth PNGs')
    pairs = []
    iterator = depth_files
    if progress:
        from tqdm import tqdm
        iterator = tqdm(depth_files, desc=f'reading {root.name}', unit='pair')
    for index, depth_path in enumerate(iterator):
        capture_id = depth_path.stem
        rgb_path = None if depth_only else _find_rgb(rgb_dir, capture_id)
        if rgb_path is None and not depth_only:
            continue
        raw = cv2.imread(str(depth_path), cv2.IMREAD_UNCHANGED)
        bgr = cv2.imread(str(rgb_path), cv2.IMREAD_COLOR) if rgb_path else None
        if raw is None or raw.ndim != 2 or (rgb_path and bgr is None):
            raise ValueError(f'{depth_path} / {rgb_path}: unreadable or not single-channel depth')
        if bgr is None:
            bgr = np.zeros(raw.shape + (3,), np.uint8)
        if bgr.shape[:2] != raw.shape:
            bgr = cv2.resize(bgr, (raw.shape[1], raw.shape[0]), interpolation=cv2.INTER_AREA)
        scale = (
            depth_scale if depth_scale is not None else (0.001 if raw.dtype == np.uint16 else 1.0)
        )
        depth = raw.astype(np.float32) * float(scale)
        pairs.append(RGBDPair(rgb=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), depth=depth, valid=raw > 0,
                              capture_id=capture_id, timestamp=_timestamp(capture_id, index),
                              source=str(root), meta={'depth_scale': float(scale),
                                                      'metric': raw.dtype == np.uint16,
                                                      'has_rgb': rgb_path is not None}))
        if max_pairs and len(pairs) >= max_pairs:
            break
    pairs.sort(key=lambda p: (p.timestamp, p.capture_id))
    return pairs
