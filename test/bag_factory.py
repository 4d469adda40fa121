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
Writes small RGB-D test bags with the rosbags Writer from the procedural scene generator.

Independent of the package's decoders: messages are built the way the ROS publishers build
them (image_transport 'compressed' = cv::imencode of BGR; compressed_depth_image_transport =
12-byte ConfigHeader + PNG or RVL (rvl_reference.py, a scalar transcription of the C++ codec),
32FC1 as truncated inverse depth), so reading them back tests
our decoding against the formats, not against itself.
"""
from pathlib import Path
import shutil
import struct

import cv2
from depth_sr_ros.data.synthetic import default_intrinsics, render_frame
import numpy as np
from rosbags.typesys import get_types_from_msg, get_typestore, Stores
import rvl_reference

COLOR_FRAME = 'camera_color_optical_frame'
DEPTH_FRAME = 'camera_depth_optical_frame'


def _typestore(ros1):
    if not ros1:
        return get_typestore(Stores.ROS2_JAZZY)
    store = get_typestore(Stores.ROS1_NOETIC)
    store.register(
        get_types_from_msg('geometry_msgs/TransformStamped[] transforms', 'tf2_msgs/msg/TFMessage')
    )
    return store


class _BagWriter:
    """One interface over rosbag2 (sqlite3/mcap) and ROS 1 writers."""

    def __init__(self, path, storage):
        self.ros1 = storage == 'ros1'
        self.store = _typestore(self.ros1)
        self.conns = {}
        self.seq = 0
        if self.ros1:
            from rosbags.rosbag1 import Writer
            self.writer = Writer(path)
        else:
            from rosbags.rosbag2 import StoragePlugin, Writer
            plugin = {'sqlite3': StoragePlugin.SQLITE3, 'mcap': StoragePlugin.MCAP}[storage]
            self.writer = Writer(path, version=9, storage_plugin=plugin)
        self.writer.open()

    def header(self, stamp, frame_id):
        T = self.store.types
        sec = int(np.floor(stamp))
        time = T['builtin_interfaces/msg/Time'](sec=sec, nanosec=int(round((stamp - sec) * 1e9)))
        if self.ros1:
            self.seq += 1
            return T['std_msgs/msg/Header'](seq=self.seq, stamp=time, frame_id=frame_id)
        return T['std_msgs/msg/Header'](stamp=time, frame_id=frame_id)

    def write(self, topic, msgtype, msg, stamp):
        if topic not in self.conns:
            kw = {'latching': 1} if self.ros1 and topic == '/tf_static' else {}
            self.conns[topic] = self.writer.add_connection(
                topic, msgtype, typestore=self.store, **kw
            )
        data = (self.store.serialize_ros1(msg, msgtype) if self.ros1 else
                self.store.serialize_cdr(msg, msgtype))
        self.writer.write(self.conns[topic], int(round(stamp * 1e9)), data)

    def close(self):
        self.writer.close()


def image_msg(w, header, arr, encoding, step_pad=0, bigendian=False):
    """sensor_msgs/Image with optional row padding and big-endian multi-byte pixels."""
    arr = np.ascontiguousarray(arr)
    if arr.dtype.itemsize > 1:
        arr = arr.astype(arr.dtype.newbyteorder('>' if bigendian else '<'))
    h = arr.shape[0]
    row = arr.reshape(h, -1).view(np.uint8)
    step = row.shape[1] + step_pad
    data = np.zeros((h, step), np.uint8)
    data[:, :row.shape[1]] = row
    data[:, row.shape[1]:] = 0xAB  # garbage in the padding
    return w.store.types['sensor_msgs/msg/Image'](
        header=header,
        height=h,
        width=arr.shape[1],
        encoding=encoding,
        is_bigendian=int(bigendian),
        step=step,
        data=data.ravel(),
    )


def compressed_msg(w, header, fmt, payload):
    return w.store.types['sensor_msgs/msg/CompressedImage'](
        header=header, format=fmt, data=np.frombuffer(payload, np.uint8).copy()
    )


def _image_payload(q, codec):
    """PNG, or RVL (cols, rows, stream) through the scalar transcription of the C++ codec."""
    if codec == 'rvl':
        size = struct.pack('<II', q.shape[1], q.shape[0])
        return size + rvl_reference.compress(q.ravel().tolist())
    ok, png = cv2.imencode('.png', q)
    assert ok
    return png.tobytes()


def compressed_depth_payload_16u(mm, codec='png'):
    return struct.pack('<iff', 0, 0.0, 0.0) + _image_payload(mm.astype(np.uint16), codec)


def compressed_depth_payload_32f(metres, depth_max=10.0, z0=100.0, codec='png'):
    """
    Encode as compressed_depth_image_transport's encoder does.

    q = (ushort)(A / z + B), 0 for invalid/far.
    """
    a = z0 * (z0 + 1.0)
    b = 1.0 - a / depth_max
    ok_px = np.isfinite(metres) & (metres < depth_max) & (metres > 0)
    with np.errstate(divide='ignore', invalid='ignore'):
        q = np.where(ok_px, a / metres + b, 0).astype(np.uint16)
    return struct.pack('<iff', 0, a, b) + _image_payload(q, codec)


def camera_info_msg(w, header, K, width, height):
    T = w.store.types
    P = np.zeros(12)
    P[[0, 1, 2, 4, 5, 6, 8, 9, 10]] = np.asarray(K).ravel()
    fields = {
        'header': header,
        'height': height,
        'width': width,
        'distortion_model': 'plumb_bob',
        'binning_x': 0,
        'binning_y': 0,
        'roi': T['sensor_msgs/msg/RegionOfInterest'](
            x_offset=0, y_offset=0, height=0, width=0, do_rectify=False
        ),
    }
    if w.ros1:
        fields.update(D=np.zeros(5), K=np.asarray(K, float).ravel(), R=np.eye(3).ravel(), P=P)
    else:
        fields.update(d=np.zeros(5), k=np.asarray(K, float).ravel(), r=np.eye(3).ravel(), p=P)
    return T['sensor_msgs/msg/CameraInfo'](**fields)


def tf_static_msg(w, stamp, edges):
    """edges: [(parent, child, 4x4 T_parent_child)]."""
    T = w.store.types
    out = []
    for parent, child, M in edges:
        R = M[:3, :3]
        qw = np.sqrt(max(0.0, 1 + R[0, 0] + R[1, 1] + R[2, 2])) / 2
        qx = (R[2, 1] - R[1, 2]) / (4 * qw)
        qy = (R[0, 2] - R[2, 0]) / (4 * qw)
        qz = (R[1, 0] - R[0, 1]) / (4 * qw)
        tr = T['geometry_msgs/msg/Transform'](
            translation=T['geometry_msgs/msg/Vector3'](x=M[0, 3], y=M[1, 3], z=M[2, 3]),
            rotation=T['geometry_msgs/msg/Quaternion'](x=qx, y=qy, z=qz, w=qw))
        out.append(
            T['geometry_msgs/msg/TransformStamped'](
                header=w.header(stamp, parent), child_frame_id=child, transform=tr
            )
        )
    return T['tf2_msgs/msg/TFMessage'](transforms=out)


def rot_y(a):
    T = np.eye(4)
    T[:3, :3] = [[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]]
    return T


def write_rgbd_bag(
    path,
    storage='sqlite3',
    n=6,
    size=(64, 48),
    rate_hz=15.0,
    seed=0,
    t0=1700000000.0,
    color='rgb8',
    depth='16UC1',
    step_pad=0,
    bigendian=False,
    depth_delay_s=0.0,
    color_topic='/camera/color/image_raw',
    depth_topic='/camera/aligned_depth_to_color/image_raw',
    extra_topics=False,
    depth_extrinsic=None,
    depth_size=None,
    tf_static=True,
    camera_info=True,
    depth_frame=None,
    static=False,
    holes=True,
    also_depth_topic=None,
):
    """
    Write a bag and return its ground truth.

    The ground truth is {'color': [SceneFrame], 'depth': [SceneFrame], 'stamps': [...],
    'T_color_depth', 'path'}.

    color: rgb8 | bgr8 | rgba8 | bgra8 | mono8 | jpeg | png (CompressedImage on
    <topic>/compressed).
    depth: 16UC1 | mono16 | 32FC1 | png16 (CompressedImage) | cdepth16 | cdepth32 (compressedDepth
    png on <topic>/compressedDepth) | rvl16 | rvl32 (compressedDepth rvl) | none.
    depth_extrinsic (T_color_depth, 4x4) renders an unregistered depth
    camera of ``depth_size`` in DEPTH_FRAME, published on /tf_static via camera_link (2 hops).
    static=True: the camera does not move (near-duplicate frames).
    """
    path = Path(path)
    single_file = storage in ('db3', 'mcap-file')
    plugin = {'db3': 'sqlite3', 'mcap-file': 'mcap'}.get(storage, storage)
    out = path.with_name(path.name + '.dir') if single_file else path
    w = _BagWriter(out, plugin)
    W, H = size
    Kc = default_intrinsics(W, H)
    registered = depth_extrinsic is None
    Wd, Hd = (W, H) if registered or depth_size is None else depth_size
    Kd = Kc if registered else default_intrinsics(Wd, Hd, fx=0.85 * Wd)
    dframe = depth_frame or (COLOR_FRAME if registered else DEPTH_FRAME)
    truth = {
        'color': [],
        'depth': [],
        'stamps': [],
        'Kc': Kc,
        'Kd': Kd,
        'T_color_depth': depth_extrinsic,
    }
    if tf_static:
        T_link_color = rot_y(0.0)
        T_link_color[:3, 3] = [0.0, 0.015, 0.0]
        edges = [('camera_link', COLOR_FRAME, T_link_color)]
        if not registered:
            edges.append(('camera_link', DEPTH_FRAME, T_link_color @ depth_extrinsic))
        w.write('/tf_static', 'tf2_msgs/msg/TFMessage', tf_static_msg(w, t0, edges), t0)
    for i in range(n):
        t = 0.0 if static else i / rate_hz
        stamp = t0 + i / rate_hz
        frame = render_frame(W, H, seed=seed, t=t, holes=holes)
        truth['color'].append(frame)
        truth['stamps'].append(stamp)
        hc = w.header(stamp, COLOR_FRAME)
        if color in ('jpeg', 'png'):
            ok, buf = cv2.imencode(
                '.' + ('jpg' if color == 'jpeg' else 'png'), frame.rgb[:, :, ::-1]
            )
            msg = compressed_msg(w, hc, f'rgb8; {color} compressed bgr8', buf.tobytes())
            w.write(color_topic + '/compressed', 'sensor_msgs/msg/CompressedImage', msg, stamp)
        else:
            arr = {'rgb8': frame.rgb, 'bgr8': frame.rgb[:, :, ::-1],
                   'rgba8': np.dstack([frame.rgb, np.full((H, W), 255, np.uint8)]),
                   'bgra8': np.dstack([frame.rgb[:, :, ::-1], np.full((H, W), 7, np.uint8)]),
                   'mono8': frame.rgb.mean(axis=2).astype(np.uint8)}[color]
            w.write(
                color_topic, 'sensor_msgs/msg/Image', image_msg(w, hc, arr, color, step_pad), stamp
            )
        if camera_info:
            w.write(color_topic.rsplit('/', 1)[0] + '/camera_info', 'sensor_msgs/msg/CameraInfo',
                    camera_info_msg(w, hc, Kc, W, H), stamp)
        if depth == 'none':
            continue
        dstamp = stamp + depth_delay_s
        dframe_obj = (
            frame
            if registered
            else render_frame(Wd, Hd, seed=seed, t=t, holes=holes, K=Kd, extrinsic=depth_extrinsic)
        )
        truth['depth'].append(dframe_obj)
        hd = w.header(dstamp, dframe)
        mm = np.where(dframe_obj.valid, np.round(dframe_obj.depth * 1000), 0).astype(np.uint16)
        metres = np.where(dframe_obj.valid, dframe_obj.depth, np.nan).astype(np.float32)
        topics = [depth_topic] + ([also_depth_topic] if also_depth_topic else [])
        for dt in topics:
            if depth in ('16UC1', 'mono16', '32FC1'):
                arr = metres if depth == '32FC1' else mm
                msg = image_msg(w, hd, arr, depth, step_pad, bigendian)
                w.write(dt, 'sensor_msgs/msg/Image', msg, dstamp)
            elif depth == 'png16':
                ok, buf = cv2.imencode('.png', mm)
                w.write(dt + '/compressed', 'sensor_msgs/msg/CompressedImage',
                        compressed_msg(w, hd, '16UC1; png compressed ', buf.tobytes()), dstamp)
            elif depth in ('cdepth16', 'cdepth32', 'rvl16', 'rvl32'):
                codec = 'rvl' if depth.startswith('rvl') else 'png'
                payload = (compressed_depth_payload_16u(mm, codec) if depth.endswith('16')
                           else compressed_depth_payload_32f(metres, codec=codec))
                fmt = f"{'16UC1' if depth.endswith('16') else '32FC1'}; compressedDepth {codec}"
                w.write(
                    dt + '/compressedDepth',
                    'sensor_msgs/msg/CompressedImage',
                    compressed_msg(w, hd, fmt, payload),
                    dstamp,
                )
            else:
                raise ValueError(depth)
            if camera_info:
                w.write(dt.rsplit('/', 1)[0] + '/camera_info', 'sensor_msgs/msg/CameraInfo',
                        camera_info_msg(w, hd, Kd, Wd, Hd), dstamp)
        if extra_topics:
            T = w.store.types
            w.write(
                '/imu/data_raw_count',
                'std_msgs/msg/String',
                T['std_msgs/msg/String'](data=f'{i}'),
                stamp,
            )
            w.write('/camera/infra1/image_rect_raw', 'sensor_msgs/msg/Image',
                    image_msg(w, w.header(stamp, 'camera_infra1_optical_frame'),
                              frame.rgb.mean(axis=2).astype(np.uint8), 'mono8'), stamp)
    w.close()
    if single_file:
        files = sorted(out.glob('*.db3' if plugin == 'sqlite3' else '*.mcap'))
        shutil.move(str(files[0]), str(path))
        shutil.rmtree(out)
    truth['path'] = path
    return truth


def bag_data_file(path):
    """Return the storage file holding the messages (for corruption tests)."""
    path = Path(path)
    if path.is_file():
        return path
    return sorted(p for p in path.iterdir() if p.suffix in ('.db3', '.mcap'))[0]
