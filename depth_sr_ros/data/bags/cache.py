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
On-disk cache of decoded pairs, so re-running with other training options skips decoding.

Key: a hash of the bag's files (names, sizes, mtimes and the first MiB of each) plus every
option that changes which pairs come out (topics, slop, subsampling, registration...). The
value is one uncompressed .npz per bag (decoding is the slow part; zlib would add most of
it back), written to a temporary file and renamed, so a killed run never leaves a torn entry.
A corrupt or unreadable entry is ignored and rebuilt.
"""
import hashlib
import json
import os
from pathlib import Path

from depth_sr_ros.atomic import atomic_path
from depth_sr_ros.data.pairs import RGBDPair
import numpy as np

CACHE_VERSION = 1
_HEAD_BYTES = 1 << 20


def default_cache_dir():
    """
    Return the bag cache directory.

    $DEPTH_SR_ROS_CACHE, else $XDG_CACHE_HOME/depth_sr_ros/bags, else
    ~/.cache/depth_sr_ros/bags.
    """
    if os.environ.get('DEPTH_SR_ROS_CACHE'):
        return Path(os.environ['DEPTH_SR_ROS_CACHE'])
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return Path(base) / 'depth_sr_ros' / 'bags'


def bag_fingerprint(path):
    """
    Identify a bag's content without reading it all.

    Per file: name, size, mtime, head hash.
    """
    path = Path(path)
    files = sorted(p for p in path.rglob('*') if p.is_file()) if path.is_dir() else [path]
    out = []
    for f in files:
        st = f.stat()
        with open(f, 'rb') as handle:
            head = hashlib.sha256(handle.read(_HEAD_BYTES)).hexdigest()
        out.append(
            [
                str(f.relative_to(path)) if path.is_dir() else f.name,
                st.st_size,
                st.st_mtime_ns,
                head,
            ]
        )
    return out


def cache_key(bag_path, options):
    """Hex key of (bag content, options dict)."""
    blob = json.dumps(
        {'version': CACHE_VERSION, 'bag': bag_fingerprint(bag_path), 'options': options},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def cache_path(cache_dir, bag_path, options):
    return Path(cache_dir) / f'{Path(bag_path).name}-{cache_key(bag_path, options)}.npz'


def save_pairs(path, pairs, summary):
    """Write pairs + summary atomically (temporary file in the same folder, then rename)."""
    shapes = {p.shape for p in pairs}
    arrays = {'summary': np.array(json.dumps(summary, default=str)),
              'capture_id': np.array([p.capture_id for p in pairs]),
              'timestamp': np.array([p.timestamp for p in pairs], dtype=np.float64),
              'meta': np.array([json.dumps(p.meta, default=str) for p in pairs])}
    if len(shapes) == 1:  # one stack per array: fast to load
        arrays.update(
            rgb=np.stack([p.rgb for p in pairs]),
            depth=np.stack([p.depth for p in pairs]),
            valid=np.stack([p.valid for p in pairs]),
        )
    else:
        for i, p in enumerate(pairs):
            arrays.update({f'rgb_{i}': p.rgb, f'depth_{i}': p.depth, f'valid_{i}': p.valid})
    with atomic_path(path) as tmp, open(tmp, 'wb') as handle:
        np.savez(handle, **arrays)


def load_pairs(path, source):
    """(pairs, summary) from a cache entry, or None if absent or unreadable."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            summary = json.loads(str(z['summary']))
            ids, stamps, metas = z['capture_id'], z['timestamp'], z['meta']
            if 'rgb' in z.files:
                rgbs, depths, valids = z['rgb'], z['depth'], z['valid']
            else:
                rgbs, depths, valids = (
                    [z[f'{k}_{i}'] for i in range(len(ids))] for k in ('rgb', 'depth', 'valid')
                )
            pairs = []
            for i in range(len(ids)):
                rgb, depth, valid = rgbs[i], depths[i], valids[i]
                pairs.append(
                    RGBDPair(
                        rgb=rgb,
                        depth=depth,
                        valid=valid,
                        capture_id=str(ids[i]),
                        timestamp=float(stamps[i]),
                        source=source,
                        meta=json.loads(str(metas[i])),
                    )
                )
    except Exception:   # noqa: BLE001 - any damage means "not cached"; the bag is decoded again
        return None
    return pairs, summary
