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
Topic discovery: what each topic holds, the table users see, and the automatic colour/depth choice.

Why: real bags hold many image topics (RealSense: color, depth, aligned depth, infra1/2, each
maybe also compressed). We pick automatically only when the choice is unambiguous, preferring
a depth topic already registered to the colour camera; otherwise we stop and show the
candidates so the user can pass --rgb-topic / --depth-topic.
"""
from dataclasses import dataclass
import posixpath

from depth_sr_ros.data.bags.decode import (
    COLOR_ENCODINGS,
    COMPRESSED,
    compressed_source_encoding,
    DEPTH_ENCODINGS,
    IMAGE,
    is_compressed_depth_format,
)
from depth_sr_ros.data.bags.errors import TopicError

CAMERA_INFO = 'sensor_msgs/msg/CameraInfo'
TF_MESSAGE = 'tf2_msgs/msg/TFMessage'
TRANSPORT_SUFFIXES = ('/compressed', '/compressedDepth', '/theora', '/zstd', '/ffmpeg')
REGISTERED_HINTS = ('aligned', 'registered', 'depth_to_rgb', 'depth_to_color')
COLOR_HINTS = ('color', 'colour', 'rgb')
IR_HINTS = ('infra', '/ir/', 'infrared')
NOT_COLOR_HINTS = IR_HINTS + ('depth',)


@dataclass
class TopicRow:
    """One topic of a bag, with what its first message says."""

    name: str
    msgtype: str
    count: int
    kind: str = 'other'          # 'color' | 'depth' | 'camera_info' | 'tf_static' | 'other'
    encoding: str = ''           # Image.encoding or CompressedImage.format
    frame_id: str = ''
    width: int = 0
    height: int = 0

    @property
    def base_name(self):
        """Topic without its image_transport suffix (/x/image_raw/compressed -> /x/image_raw)."""
        for suffix in TRANSPORT_SUFFIXES:
            if self.name.endswith(suffix):
                return self.name[:-len(suffix)]
        return self.name


def classify(name, msgtype, msg):
    """(kind, encoding, frame_id, width, height) of a topic from its first message (or None)."""
    if msgtype == TF_MESSAGE:
        return ('tf_static' if name.rstrip('/').endswith('tf_static') else 'other'), '', '', 0, 0
    if msg is None:
        return 'other', '', '', 0, 0
    frame = msg.header.frame_id.lstrip('/') if hasattr(msg, 'header') else ''
    if msgtype == CAMERA_INFO:
        return (
            'camera_info',
            msg.distortion_model if hasattr(msg, 'distortion_model') else '',
            frame,
            int(msg.width),
            int(msg.height),
        )
    if msgtype == IMAGE:
        enc = msg.encoding.lower()
        kind = (
            'depth' if enc in DEPTH_ENCODINGS else 'color' if enc in COLOR_ENCODINGS else 'other'
        )
        return kind, msg.encoding, frame, int(msg.width), int(msg.height)
    if msgtype == COMPRESSED:
        fmt = msg.format
        source = compressed_source_encoding(fmt)
        if is_compressed_depth_format(fmt) or source in DEPTH_ENCODINGS:
            kind = 'depth'
        elif 'depth' in name.lower() and 'png' in fmt.lower():
            kind = 'depth'  # bare 'png' on a depth topic: 16-bit PNG of millimetres
        else:
            kind = 'color'
        return kind, fmt, frame, 0, 0
    return 'other', '', frame, 0, 0


def format_topic_table(rows):
    """Format the topic table printed by --list-topics and by topic errors."""
    head = ('topic', 'type', 'kind', 'encoding', 'count', 'frame_id', 'size')
    lines = [head]
    for r in sorted(rows, key=lambda r: r.name):
        size = f'{r.width}x{r.height}' if r.width else ''
        lines.append((r.name, r.msgtype, r.kind, r.encoding, str(r.count), r.frame_id, size))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return '\n'.join(
        '  '.join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines
    )


def _prefer(candidates, predicate):
    """Keep the candidates matching ``predicate`` if any do."""
    kept = [r for r in candidates if predicate(r)]
    return kept or candidates


def _collapse_transports(candidates):
    """
    Count the same stream recorded raw and compressed once.

    Prefer the raw Image.
    """
    bases = {r.base_name for r in candidates}
    if len(bases) == 1 and len(candidates) > 1:
        raw = [r for r in candidates if r.msgtype == IMAGE]
        return raw[:1] or candidates[:1]
    return candidates


def _pick(kind, rows, candidates):
    if len(candidates) == 1:
        return candidates[0]
    listing = format_topic_table(candidates if candidates else rows)
    if not candidates:
        raise TopicError(f'no {kind} topic in the bag; topics found:\n{listing}')
    flag = '--rgb-topic' if kind == 'colour' else '--depth-topic'
    raise TopicError(f'{len(candidates)} candidate {kind} topics, cannot choose automatically; '
                     f'pass {flag}. Candidates:\n{listing}')


def _named(rows, name, kind):
    by_name = {r.name: r for r in rows}
    if name not in by_name:
        raise TopicError(
            f'{kind} topic {name!r} is not in the bag; topics found:\n{format_topic_table(rows)}'
        )
    row = by_name[name]
    wanted = 'color' if kind == 'colour' else 'depth'
    if row.kind != wanted:
        raise TopicError(
            f'{kind} topic {name!r} holds {row.msgtype} ({row.encoding or "no encoding"}), '
            f'which is not a {kind} image; topics found:\n{format_topic_table(rows)}'
        )
    return row


def choose_topics(rows, rgb_topic=None, depth_topic=None):
    """
    (colour row, depth row): the named topics, or the unambiguous automatic choice.

    A bag without any colour topic gives (None, depth row): a depth-only recording.

    Colour: drop mono8 / infrared streams when a colour stream exists, prefer names saying
    color/rgb, count raw+compressed copies of one stream once. Depth: prefer topics already
    registered to colour (aligned/registered names, or same frame_id and size as colour).
    """
    if rgb_topic:
        color = _named(rows, rgb_topic, 'colour')
    else:
        cands = [r for r in rows if r.kind == 'color']
        if not cands and any(r.kind == 'depth' for r in rows):
            return None, choose_depth(rows, None, depth_topic)
        cands = _prefer(cands, lambda r: r.encoding.lower() != 'mono8')
        cands = _prefer(cands, lambda r: not any(h in r.name.lower() for h in NOT_COLOR_HINTS))
        cands = _prefer(cands, lambda r: any(h in r.name.lower() for h in COLOR_HINTS))
        color = _pick('colour', rows, _collapse_transports(cands))
    return color, choose_depth(rows, color, depth_topic)


def choose_depth(rows, color, depth_topic=None):
    """
    Return the depth row.

    ``depth_topic``, or the automatic choice (preferring registration to ``color`` when there
    is a colour row).
    """
    if depth_topic:
        depth = _named(rows, depth_topic, 'depth')
    else:
        cands = [r for r in rows if r.kind == 'depth']
        cands = _prefer(
            cands, lambda r: not any(h in r.name.lower() for h in IR_HINTS)
        )  # mono16 IR streams
        cands = _prefer(cands, lambda r: any(h in r.name.lower() for h in REGISTERED_HINTS))
        cands = _prefer(
            cands,
            lambda r: (
                color is not None
                and bool(r.frame_id)
                and r.frame_id == color.frame_id
                and (
                    not r.width
                    or not color.width
                    or (r.width, r.height) == (color.width, color.height)
                )
            ),
        )
        depth = _pick('depth', rows, _collapse_transports(cands))
    return depth


def camera_info_for(image_row, rows, explicit=None):
    """
    Return the CameraInfo row of an image topic.

    ``explicit``, the sibling ``camera_info``, or the only CameraInfo with the image's
    frame_id. None when there is none.
    """
    infos = [r for r in rows if r.kind == 'camera_info']
    if explicit:
        for r in infos:
            if r.name == explicit:
                return r
        raise TopicError(f'camera_info topic {explicit!r} is not a CameraInfo topic of the bag; '
                         f'topics found:\n{format_topic_table(rows)}')
    sibling = posixpath.join(posixpath.dirname(image_row.base_name), 'camera_info')
    for r in infos:
        if r.name == sibling:
            return r
    same_frame = [r for r in infos if image_row.frame_id and r.frame_id == image_row.frame_id]
    return same_frame[0] if len(same_frame) == 1 else None
