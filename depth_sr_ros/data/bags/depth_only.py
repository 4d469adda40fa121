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
Bags with a depth topic and no colour topic -> depth-only RGBDPairs (black RGB).

Many sensors have no colour camera. Their recordings still train DSRNet alone: the LR input
is made from each recorded frame by the chosen degradation and the recorded frame is the
target, so the model learns the sensor's own statistics one scale down. Pairs carry
``meta['has_rgb'] = False`` (as depth-only image folders do), so the cross-task scheme, which
needs colour for DENet, refuses them.
"""
from collections import Counter

from depth_sr_ros.data.bags.decode import decode_depth
from depth_sr_ros.data.bags.errors import BagError, DecodeError
from depth_sr_ros.data.bags.pairing import DuplicateFilter, subsample
from depth_sr_ros.data.pairs import RGBDPair
import numpy as np

REGISTRATION_NOTE = 'depth only (no colour topic): DSRNet alone on the recorded depth'


def read_depth_only(reader, path, depth, depth_info, options, progress=True):
    """(pairs, summary) of one bag's depth topic ``depth`` (a TopicRow); ``reader`` is open."""
    from depth_sr_ros.data.bags.reader import (
        _deserialize,
        _messages,
        _stamp_of,
        header_stamp,
        storage_kind,
    )
    from tqdm import tqdm
    conns = reader.topics[depth.name].connections
    stamps, bag_time_used = [], 0
    for conn, t_ns, raw in _messages(reader, path, conns):
        s = header_stamp(raw, reader.is2)
        if s is None:
            s = _stamp_of(_deserialize(reader, path, raw, conn))
        if s == 0:
            s, bag_time_used = t_ns * 1e-9, bag_time_used + 1
        stamps.append(s)
    if not stamps:
        raise BagError(f'{path}: topic {depth.name} has no messages')
    selected, dropped = subsample([(i, i) for i in range(len(stamps))], options.every,
                                  options.max_pairs)
    dropped = Counter(dropped)
    wanted = {i for i, _ in selected}
    dedup = DuplicateFilter(options.dedup_threshold)
    pairs, first_error = [], None
    bar = tqdm(total=len(selected), desc=f'decoding {path.name}', unit='frame',
               disable=not progress, dynamic_ncols=True)
    try:
        for i, (conn, _, raw) in enumerate(_messages(reader, path, conns)):
            if i not in wanted:
                continue
            bar.update(1)
            try:
                dm, valid = decode_depth(_deserialize(reader, path, raw, conn), conn.msgtype)
            except DecodeError as exc:
                if not pairs and first_error is None:
                    raise DecodeError(f'{path}: {conn.topic} message {i}: {exc}') from exc
                first_error = first_error or f'{conn.topic} message {i}: {exc}'
                dropped['undecodable'] += 1
                continue
            black = np.zeros(dm.shape + (3,), np.uint8)
            if valid.mean() < options.min_valid_fraction:
                dropped['empty_depth'] += 1
                continue
            if dedup.is_duplicate(black, dm, valid):
                dropped['near_duplicate'] += 1
                continue
            pairs.append(RGBDPair(rgb=black, depth=dm, valid=valid,
                                  capture_id=f'{path.stem}:{i:06d}', timestamp=float(stamps[i]),
                                  source=str(path),
                                  meta={'depth_topic': depth.name, 'has_rgb': False}))
    finally:
        bar.close()
    if not pairs:
        raise BagError(f'{path}: no usable depth frames on {depth.name} ({dict(dropped)})')
    summary = {
        'bag': str(path), 'storage': storage_kind(path),
        'rgb_topic': None, 'rgb_type': None, 'rgb_encoding': None,
        'depth_topic': depth.name, 'depth_type': depth.msgtype, 'depth_encoding': depth.encoding,
        'rgb_camera_info': None, 'depth_camera_info': depth_info.name if depth_info else None,
        'rgb_messages': 0, 'depth_messages': len(stamps),
        'stamps': 'header' if not bag_time_used
        else f'bag receive time for {bag_time_used} messages without header stamp',
        'slop_ms': 0.0, 'depth_minus_colour_ms_median': None,
        'matched': len(stamps), 'pairs': len(pairs),
        'dropped': {k: int(v) for k, v in sorted(dropped.items()) if v},
        'registration': REGISTRATION_NOTE, 'depth_only': True,
        'size': [int(pairs[0].depth.shape[1]), int(pairs[0].depth.shape[0])],
        'duration_s': round(float(max(stamps) - min(stamps)), 3),
    }
    if first_error:
        summary['first_decode_error'] = first_error
    return sorted(pairs, key=lambda p: p.timestamp), summary
