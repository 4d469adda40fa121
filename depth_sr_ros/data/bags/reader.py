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
Bags -> RGBDPairs.

Open (rosbag2 sqlite3/mcap directories, single .db3/.mcap, ROS 1 .bag), choose topics, pair
by time, decode, register, skip duplicates and empty frames, cache.

Two passes over each bag: the first reads only header stamps (parsed straight from the
serialized bytes), CameraInfos and /tf_static, so pairing and subsampling are decided before
any image is decoded; the second decodes just the selected frames (tqdm progress bar).
"""
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
import struct

from depth_sr_ros.data.bags import cache as bag_cache
from depth_sr_ros.data.bags.decode import decode_color, decode_depth
from depth_sr_ros.data.bags.errors import BagError, BagReadError, DecodeError, RegistrationError
from depth_sr_ros.data.bags.pairing import default_slop, DuplicateFilter, match_by_time, subsample
from depth_sr_ros.data.bags.registration import (
    intrinsics,
    lookup_transform,
    needs_registration,
    register_depth,
    transforms_from_tf_messages,
)
from depth_sr_ros.data.bags.topics import (
    CAMERA_INFO,
    camera_info_for,
    choose_depth,
    choose_topics,
    classify,
    TopicRow,
)
from depth_sr_ros.data.pairs import RGBDPair
import numpy as np

BAG_SUFFIXES = ('.bag', '.db3', '.mcap')
_REPAIR_HINT = {'mcap': ' (an interrupted recording can be repaired with `mcap recover`)',
                'ros1': ' (an interrupted recording can be repaired with `rosbag reindex`)',
                'sqlite3': ' (try `ros2 bag reindex` on the bag folder)'}
_PEEK_TYPES = ('sensor_msgs/msg/Image', 'sensor_msgs/msg/CompressedImage', CAMERA_INFO)


@dataclass(frozen=True)
class BagReadOptions:
    """Everything that decides which pairs come out of a bag (part of the cache key)."""

    rgb_topic: str = None
    depth_topic: str = None
    rgb_info_topic: str = None
    depth_info_topic: str = None
    slop_s: float = None              # None: half the median frame period
    every: int = 1
    max_pairs: int = None
    dedup_threshold: float = (
        0.003  # median relative depth change; <= 0 keeps near-duplicate frames
    )
    assume_registered: bool = False
    min_valid_fraction: float = 0.05  # depth frames with less valid depth are dropped as empty
    depth_only: bool = False          # ignore colour topics (automatic when the bag has none)

    def to_dict(self):
        return asdict(self)


def find_bags(paths):
    """Expand ``paths`` (bags or folders of bags) to a list of bag paths, in order, no repeats."""
    out = []
    for p in map(Path, paths):
        if not p.exists():
            raise BagReadError(f'{p}: no such file or directory')
        if p.is_file():
            if p.suffix not in BAG_SUFFIXES:
                raise BagReadError(
                    f'{p}: not a bag (expected a rosbag2 directory, a .db3, .mcap or '
                    'ROS 1 .bag file)'
                )
            out.append(p)
        elif (p / 'metadata.yaml').is_file():
            out.append(p)
        else:
            found = sorted(c for c in p.iterdir()
                           if (c.is_dir() and (c / 'metadata.yaml').is_file()) or
                           (c.is_file() and c.suffix in BAG_SUFFIXES))
            if not found:
                raise BagReadError(f'{p}: folder has no metadata.yaml and holds no bags '
                                   '(rosbag2 sub-folders, .db3, .mcap or .bag files)')
            out.extend(found)
    unique = []
    for p in out:
        if p.resolve() not in {u.resolve() for u in unique}:
            unique.append(p)
    return unique


def storage_kind(path):
    """'ros1', 'sqlite3' or 'mcap' (from the suffix or metadata.yaml)."""
    path = Path(path)
    if path.is_file():
        return {'.bag': 'ros1', '.db3': 'sqlite3', '.mcap': 'mcap'}.get(path.suffix, path.suffix)
    try:
        import yaml
        meta = yaml.safe_load((path / 'metadata.yaml').read_text())
        return meta['rosbag2_bagfile_information']['storage_identifier']
    except Exception:   # noqa: BLE001 - informational only
        return 'rosbag2'


@contextmanager
def open_bag(path):
    """
    Open a rosbags AnyReader for one bag.

    Any failure becomes a BagReadError naming the bag.
    """
    from rosbags.highlevel import AnyReader
    from rosbags.typesys import get_typestore, Stores
    path = Path(path)
    store = get_typestore(Stores.ROS1_NOETIC if path.suffix == '.bag' else Stores.ROS2_JAZZY)
    try:
        reader = AnyReader([path], default_typestore=store)
        reader.open()
    except Exception as exc:  # noqa: BLE001 - rosbags raises many types for damaged files
        raise BagReadError(
            f'{path}: cannot open bag ({type(exc).__name__}: {exc}); it may be corrupt, '
            f'truncated or not a bag{_REPAIR_HINT.get(storage_kind(path), "")}'
        ) from exc
    try:
        yield reader
    finally:
        try:
            reader.close()
        except Exception:   # noqa: BLE001
            pass


def _messages(reader, path, connections):
    """reader.messages() with read failures turned into a BagReadError naming the bag."""
    it = reader.messages(connections=connections)
    try:
        while True:
            try:
                item = next(it)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001
                raise BagReadError(
                    f'{path}: reading messages failed ({type(exc).__name__}: {exc}); '
                    'the bag may be truncated or corrupt'
                ) from exc
            yield item
    finally:
        it.close()


def _deserialize(reader, path, raw, conn):
    try:
        return reader.deserialize(raw, conn.msgtype)
    except Exception as exc:  # noqa: BLE001
        raise BagReadError(
            f'{path}: message on {conn.topic} ({conn.msgtype}) cannot be deserialized '
            f'({type(exc).__name__}: {exc}); corrupt bag?'
        ) from exc


def survey(reader, path='bag'):
    """
    Return the TopicRows of every topic.

    Encoding/frame/size come from the first image or info message.
    """
    rows = []
    for name, info in reader.topics.items():
        msg = None
        if info.msgtype in _PEEK_TYPES and info.connections:
            for conn, _, raw in _messages(reader, path, info.connections):
                msg = _deserialize(reader, path, raw, conn)
                break
        kind, enc, frame, w, h = classify(name, info.msgtype, msg)
        rows.append(
            TopicRow(name, info.msgtype or '?', int(info.msgcount or 0), kind, enc, frame, w, h)
        )
    return rows


def list_topics(path):
    """Return the TopicRows of one bag (for --list-topics)."""
    with open_bag(path) as reader:
        return survey(reader, path)


def header_stamp(raw, is_ros2):
    """
    Header stamp (seconds) from serialized bytes without deserializing the image payload.

    ROS 2 CDR: 4-byte encapsulation header, then int32 sec, uint32 nanosec. ROS 1: uint32 seq,
    uint32 sec, uint32 nsec. Returns None for encodings this does not cover.
    """
    if is_ros2:
        if len(raw) < 12 or raw[0] != 0 or raw[1] not in (0, 1):
            return None
        sec, nsec = struct.unpack_from('<iI' if raw[1] == 1 else '>iI', raw, 4)
    else:
        if len(raw) < 12:
            return None
        _, sec, nsec = struct.unpack_from('<III', raw, 0)
    return sec + nsec * 1e-9


def _registration_plan(
    color, depth, color_info, depth_info, infos, tf_msgs, rgb_shape, depth_shape, assume_registered
):
    """(params or None, description). params = (K_depth, K_color, T_color_depth)."""
    if assume_registered:
        if rgb_shape != depth_shape:
            raise RegistrationError(
                f'--assume-registered, but depth ({depth_shape[1]}x{depth_shape[0]}, '
                f'{depth.name}) and colour ({rgb_shape[1]}x{rgb_shape[0]}, {color.name}) '
                'differ in size'
            )
        return None, 'assumed registered (--assume-registered)'
    Kc = intrinsics(infos[color_info.name]) if color_info and color_info.name in infos else None
    Kd = intrinsics(infos[depth_info.name]) if depth_info and depth_info.name in infos else None
    need, why = needs_registration(color.frame_id, depth.frame_id, rgb_shape, depth_shape, Kc, Kd)
    if not need:
        return None, why
    missing = []
    for what, row, info, K in (
        ('colour', color, color_info, Kc),
        ('depth', depth, depth_info, Kd),
    ):
        if K is None:
            missing.append(
                f"the {what} CameraInfo (no '{Path(row.base_name).parent.as_posix()}/camera_info' "
                f"and no CameraInfo with frame_id '{row.frame_id}')"
            )
    if missing:
        raise RegistrationError(
            f'{why}, so depth must be registered into the colour camera, but '
            f'{" and ".join(missing)} is missing; pass --rgb-info-topic/--depth-info-topic '
            'or --assume-registered'
        )
    for what, info_row, shape in (
        ('colour', color_info, rgb_shape),
        ('depth', depth_info, depth_shape),
    ):
        info = infos[info_row.name]
        if (int(info.width), int(info.height)) not in ((shape[1], shape[0]), (0, 0)):
            raise RegistrationError(
                f'{what} CameraInfo {info_row.name} is for {info.width}x{info.height} '
                f'but the {what} images are {shape[1]}x{shape[0]}'
            )
    if not color.frame_id or not depth.frame_id:
        raise RegistrationError(
            f'{why}, but the {"colour" if not color.frame_id else "depth"} images have an '
            'empty frame_id, so no transform can be looked up; pass --assume-registered '
            'if they are aligned'
        )
    T = lookup_transform(transforms_from_tf_messages(tf_msgs), color.frame_id, depth.frame_id)
    distorted = [
        what
        for what, row in (('colour', color_info), ('depth', depth_info))
        if np.any(
            np.asarray(
                getattr(infos[row.name], 'd', None)
                if hasattr(infos[row.name], 'd')
                else infos[row.name].D,
                dtype=np.float64,
            )
        )
    ]
    note = (
        f' (non-zero {" and ".join(distorted)} distortion ignored: images assumed rectified)'
        if distorted
        else ''
    )
    return (
        Kd,
        Kc,
        T,
    ), f'{why}: reprojected into {color.frame_id} using both CameraInfos and /tf_static{note}'


def read_bag(path, options=BagReadOptions(), progress=True):
    """(pairs, summary) of one bag. Raises BagError subclasses with a clear message."""
    path = Path(path)
    with open_bag(path) as reader:
        rows = survey(reader, path)
        if options.depth_only:
            color, depth = None, choose_depth(rows, None, options.depth_topic)
        else:
            color, depth = choose_topics(rows, options.rgb_topic, options.depth_topic)
        if color is None:
            from depth_sr_ros.data.bags.depth_only import read_depth_only
            depth_info = camera_info_for(depth, rows, options.depth_info_topic)
            return read_depth_only(reader, path, depth, depth_info, options, progress)
        if color.name == depth.name:
            raise BagError(f'colour and depth topic are the same ({color.name})')
        color_info = camera_info_for(color, rows, options.rgb_info_topic)
        depth_info = camera_info_for(depth, rows, options.depth_info_topic)
        topics = reader.topics
        image_conns = topics[color.name].connections + topics[depth.name].connections
        extra = [r.name for r in (color_info, depth_info) if r] + [
            r.name for r in rows if r.kind == 'tf_static'
        ]
        extra_conns = [c for name in dict.fromkeys(extra) for c in topics[name].connections]

        # pass 1: stamps, camera infos, static transforms
        stamps = {color.name: [], depth.name: []}
        bag_time_used = 0
        infos, tf_msgs = {}, []
        for conn, t_ns, raw in _messages(reader, path, image_conns + extra_conns):
            if conn.topic in stamps:
                s = header_stamp(raw, reader.is2)
                if s is None:
                    s = _stamp_of(_deserialize(reader, path, raw, conn))
                if s == 0:
                    s, bag_time_used = t_ns * 1e-9, bag_time_used + 1
                stamps[conn.topic].append(s)
            elif conn.msgtype == CAMERA_INFO:
                infos.setdefault(conn.topic, _deserialize(reader, path, raw, conn))
            else:
                tf_msgs.append(_deserialize(reader, path, raw, conn))
        cs, ds = stamps[color.name], stamps[depth.name]
        if not cs or not ds:
            empty = color.name if not cs else depth.name
            raise BagError(f'{path}: topic {empty} has no messages')
        slop = options.slop_s if options.slop_s else default_slop(cs, ds)
        matching = match_by_time(cs, ds, slop)
        if not matching.pairs:
            raise BagError(f'{path}: no colour/depth pairs within slop {slop * 1000:.1f} ms '
                           f'({color.name}: {len(cs)} frames {min(cs):.3f}..{max(cs):.3f} s, '
                           f'{depth.name}: {len(ds)} frames {min(ds):.3f}..{max(ds):.3f} s); '
                           'check the topics or raise --slop')
        selected, dropped = subsample(matching.pairs, options.every, options.max_pairs)
        dropped = matching.dropped + dropped

        # pass 2: decode the selected frames
        want_c = {ci: k for k, (ci, _) in enumerate(selected)}
        want_d = {di: k for k, (_, di) in enumerate(selected)}
        halves, seen, failed = {}, Counter(), set()
        pairs, plan, plan_text, first_error = [], None, None, None
        dedup = DuplicateFilter(options.dedup_threshold)
        from tqdm import tqdm

        bar = tqdm(
            total=len(selected),
            desc=f'decoding {path.name}',
            unit='pair',
            disable=not progress,
            dynamic_ncols=True,
        )
        try:
            for conn, _, raw in _messages(reader, path, image_conns):
                is_color = conn.topic == color.name
                i = seen[conn.topic]
                seen[conn.topic] += 1
                k = (want_c if is_color else want_d).get(i)
                if k is None or k in failed:
                    continue
                try:
                    msg = _deserialize(reader, path, raw, conn)
                    value = (
                        decode_color(msg, conn.msgtype)
                        if is_color
                        else decode_depth(msg, conn.msgtype)
                    )
                except DecodeError as exc:
                    if not pairs and first_error is None:
                        raise DecodeError(f'{path}: {conn.topic} message {i}: {exc}') from exc
                    first_error = first_error or f'{conn.topic} message {i}: {exc}'
                    dropped['undecodable'] += 1
                    failed.add(k)
                    halves.pop(k, None)
                    bar.update(1)
                    continue
                half = halves.setdefault(k, [None, None])
                half[0 if is_color else 1] = value
                if half[0] is None or half[1] is None:
                    continue
                del halves[k]
                bar.update(1)
                rgb, (dm, valid) = half
                if plan_text is None:
                    plan, plan_text = _registration_plan(
                        color,
                        depth,
                        color_info,
                        depth_info,
                        infos,
                        tf_msgs,
                        rgb.shape[:2],
                        dm.shape,
                        options.assume_registered,
                    )
                if plan is not None:
                    dm, valid = register_depth(dm, valid, plan[0], plan[1], plan[2], rgb.shape[:2])
                elif dm.shape != rgb.shape[:2]:
                    raise RegistrationError(
                        f'{path}: depth size changed to {dm.shape[1]}x{dm.shape[0]} '
                        f'while colour is {rgb.shape[1]}x{rgb.shape[0]}'
                    )
                if valid.mean() < options.min_valid_fraction:
                    dropped['empty_depth'] += 1
                    continue
                if dedup.is_duplicate(rgb, dm, valid):
                    dropped['near_duplicate'] += 1
                    continue
                ci, di = selected[k]
                pairs.append(
                    RGBDPair(
                        rgb=rgb,
                        depth=dm,
                        valid=valid,
                        capture_id=f'{path.stem}:{ci:06d}',
                        timestamp=float(cs[ci]),
                        source=str(path),
                        meta={
                            'rgb_topic': color.name,
                            'depth_topic': depth.name,
                            'depth_offset_s': float(ds[di] - cs[ci]),
                        },
                    )
                )
        finally:
            bar.close()
        if halves:
            dropped['incomplete_in_bag'] += len(halves)
    if not pairs:
        if dropped.get('empty_depth'):
            raise BagError(
                f'{path}: all {dropped["empty_depth"]} selected depth frames on {depth.name} '
                'are empty '
                f'(less than {options.min_valid_fraction:.0%} valid pixels after decoding'
                f'{" and registration" if plan is not None else ""})'
            )
        raise BagError(f'{path}: no usable pairs ({dict(dropped)})')
    pairs.sort(key=lambda p: p.timestamp)
    offsets = np.array(matching.offsets_s)
    summary = {
        'bag': str(path),
        'storage': storage_kind(path),
        'rgb_topic': color.name,
        'rgb_type': color.msgtype,
        'rgb_encoding': color.encoding,
        'depth_topic': depth.name,
        'depth_type': depth.msgtype,
        'depth_encoding': depth.encoding,
        'rgb_camera_info': color_info.name if color_info else None,
        'depth_camera_info': depth_info.name if depth_info else None,
        'rgb_messages': len(cs),
        'depth_messages': len(ds),
        'stamps': 'header'
        if not bag_time_used
        else f'bag receive time for {bag_time_used} messages without header stamp',
        'slop_ms': round(slop * 1000, 3),
        'depth_minus_colour_ms_median': round(float(np.median(offsets)) * 1000, 3),
        'matched': len(matching.pairs),
        'pairs': len(pairs),
        'dropped': {k: int(v) for k, v in sorted(dropped.items()) if v},
        'registration': plan_text,
        'size': [int(pairs[0].rgb.shape[1]), int(pairs[0].rgb.shape[0])],
        'duration_s': round(float(max(cs) - min(cs)), 3),
    }
    if first_error:
        summary['first_decode_error'] = first_error
    return pairs, summary


def _stamp_of(msg):
    st = msg.header.stamp
    return st.sec + st.nanosec * 1e-9


def read_bags(paths, options=BagReadOptions(), cache_dir=None, progress=True):
    """
    (pairs, summary) of several bags (or folders of bags), using the decoded-pair cache.

    ``cache_dir=None`` uses :func:`cache.default_cache_dir`; ``False`` disables caching.
    """
    bags = find_bags(paths)
    all_pairs, per_bag = [], []
    for bag in bags:
        entry = None
        if cache_dir is not False:
            entry = bag_cache.cache_path(
                cache_dir or bag_cache.default_cache_dir(), bag, options.to_dict()
            )
            hit = bag_cache.load_pairs(entry, str(bag))
            if hit is not None:
                pairs, summary = hit
                summary['cache'] = 'hit'
                all_pairs += pairs
                per_bag.append(summary)
                continue
        pairs, summary = read_bag(bag, options, progress)
        if entry is not None:
            bag_cache.save_pairs(entry, pairs, summary)
            summary = dict(summary, cache='miss (decoded and stored)')
        all_pairs += pairs
        per_bag.append(summary)
    dropped = Counter()
    for s in per_bag:
        dropped.update(s['dropped'])
    total = {'bags': per_bag, 'pairs': len(all_pairs), 'dropped': dict(sorted(dropped.items())),
             'options': options.to_dict()}
    return all_pairs, total
