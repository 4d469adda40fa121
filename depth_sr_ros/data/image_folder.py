"""RGB-D image folders (``rgb/<id>.jpg|png`` + ``depth/<id>.png``) -> RGBDPairs.

Covers the RGB-D-D layout (uint16 millimetres, ids are capture times YYYYMMDDhhmmss) and the
Middlebury layout (uint8 disparity-like values, larger = nearer). Depth units are a parameter;
0 is invalid in both.
"""
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from depth_sr_ros.data.pairs import RGBDPair

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


def load_image_folder(root, depth_scale=0.001, max_pairs=None, progress=False):
    """Read every ``depth/<id>.png`` with a matching ``rgb/<id>.*``.

    depth_scale: metres per stored unit (0.001 for millimetre PNGs). For disparity-like data
    (Middlebury) pass 1.0: the values are then "units", which per-image normalisation makes
    irrelevant for training; metrics are reported in the same units.
    """
    root = Path(root)
    depth_dir, rgb_dir = root / 'depth', root / 'rgb'
    if not depth_dir.is_dir() or not rgb_dir.is_dir():
        raise FileNotFoundError(f'{root}: expected rgb/ and depth/ sub-folders')
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
        rgb_path = _find_rgb(rgb_dir, capture_id)
        if rgb_path is None:
            continue
        raw = cv2.imread(str(depth_path), cv2.IMREAD_UNCHANGED)
        bgr = cv2.imread(str(rgb_path), cv2.IMREAD_COLOR)
        if raw is None or bgr is None or raw.ndim != 2:
            raise ValueError(f'{depth_path} / {rgb_path}: unreadable or not single-channel depth')
        if bgr.shape[:2] != raw.shape:
            bgr = cv2.resize(bgr, (raw.shape[1], raw.shape[0]), interpolation=cv2.INTER_AREA)
        depth = raw.astype(np.float32) * float(depth_scale)
        pairs.append(RGBDPair(rgb=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), depth=depth, valid=raw > 0,
                              capture_id=capture_id, timestamp=_timestamp(capture_id, index),
                              source=str(root), meta={'depth_scale': float(depth_scale)}))
        if max_pairs and len(pairs) >= max_pairs:
            break
    pairs.sort(key=lambda p: (p.timestamp, p.capture_id))
    return pairs
