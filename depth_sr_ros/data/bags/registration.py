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
Register depth into the colour camera: static transforms from /tf_static + z-buffered reprojection.

Why: training pairs need depth and colour on one pixel grid. Cameras that publish an
aligned/registered depth topic have done this already; otherwise (different frame_id,
intrinsics or size) every depth pixel is back-projected with the depth CameraInfo, moved
with the static transform between the two optical frames and projected with the colour
CameraInfo. Each depth pixel covers the colour pixels its footprint lands on (so upsampling
to a larger colour image leaves no pinholes); where several land on one pixel the nearest
wins (z-buffer, no see-through at occlusions); colour pixels nothing lands on stay invalid.

Pixel convention (``depth_sr_ros.pixel_grid``): pixel (u, v) has its centre at coordinate
(u, v), exactly what CameraInfo K means. Images are assumed rectified (distortion ignored).
"""
from collections import deque

from depth_sr_ros.data.bags.errors import RegistrationError
import numpy as np

MAX_FOOTPRINT = 4        # colour pixels per axis one depth pixel may cover


def transform_matrix(translation, quaternion_xyzw):
    """4x4 homogeneous transform from a translation and a unit quaternion (x, y, z, w)."""
    x, y, z, w = (float(q) for q in quaternion_xyzw)
    n = x * x + y * y + z * z + w * w
    if n < 1e-12:
        raise RegistrationError('transform with a zero quaternion in /tf_static')
    s = 2.0 / n
    T = np.eye(4)
    T[:3, :3] = [[1 - s * (y * y + z * z), s * (x * y - z * w), s * (x * z + y * w)],
                 [s * (x * y + z * w), 1 - s * (x * x + z * z), s * (y * z - x * w)],
                 [s * (x * z - y * w), s * (y * z + x * w), 1 - s * (x * x + y * y)]]
    T[:3, 3] = [float(t) for t in translation]
    return T


def transforms_from_tf_messages(messages):
    """[(parent, child, T_parent_child)] from TFMessage objects (rosbags or rclpy style)."""
    out = []
    for msg in messages:
        for ts in msg.transforms:
            tr, rot = ts.transform.translation, ts.transform.rotation
            out.append((ts.header.frame_id.lstrip('/'), ts.child_frame_id.lstrip('/'),
                        transform_matrix((tr.x, tr.y, tr.z), (rot.x, rot.y, rot.z, rot.w))))
    return out


def lookup_transform(transforms, target_frame, source_frame):
    """
    T_target_source (p_target = T @ p_source) by walking the static tf tree either way.

    Raises RegistrationError naming the missing transform and the frames that are known.
    """
    target_frame, source_frame = target_frame.lstrip('/'), source_frame.lstrip('/')
    if target_frame == source_frame:
        return np.eye(4)
    graph = {}
    for parent, child, T in transforms:
        graph.setdefault(parent, []).append((child, T))  # parent <- child: p_parent = T p_child
        graph.setdefault(child, []).append((parent, np.linalg.inv(T)))
    # BFS from target: accumulate T_target_node
    seen = {target_frame: np.eye(4)}
    queue = deque([target_frame])
    while queue:
        node = queue.popleft()
        for nxt, T_node_nxt in graph.get(node, []):
            if nxt not in seen:
                seen[nxt] = seen[node] @ T_node_nxt
                if nxt == source_frame:
                    return seen[nxt]
                queue.append(nxt)
    known = ', '.join(sorted(graph)) or 'none (no /tf_static in the bag)'
    raise RegistrationError(
        'depth must be registered into the colour camera but the static transform from '
        f"'{source_frame}' to '{target_frame}' is missing from /tf_static "
        f'(frames known: {known}); '
        'record /tf_static, or pass --assume-registered if the depth is already aligned'
    )


def intrinsics(info):
    """3x3 K from a CameraInfo (ROS 2 'k' or ROS 1 'K'); falls back to P when K is all zero."""
    K = np.asarray(
        getattr(info, 'k', None) if hasattr(info, 'k') else info.K, dtype=np.float64
    ).reshape(3, 3)
    if not K.any():
        P = np.asarray(
            getattr(info, 'p', None) if hasattr(info, 'p') else info.P, dtype=np.float64
        ).reshape(3, 4)
        K = P[:, :3].copy()
    if K[0, 0] <= 0 or K[1, 1] <= 0:
        raise RegistrationError(
            f'CameraInfo (frame {info.header.frame_id!r}) has no valid intrinsics: '
            f'K={K.ravel().tolist()}'
        )
    return K


def register_depth(depth, valid, K_depth, K_color, T_color_depth, color_shape):
    """
    Reproject a depth image (metres) into the colour camera.

    Returns (depth float32 HxW of ``color_shape``, valid bool); depth is the z of each point in
    the colour camera frame, nearest surface wins, unobserved pixels are invalid.
    """
    H, W = color_shape
    v, u = np.nonzero(valid)
    z = depth[v, u].astype(np.float64)
    Kd, Kc = np.asarray(K_depth, np.float64), np.asarray(K_color, np.float64)
    y = (v - Kd[1, 2]) / Kd[1, 1]
    x = (u - Kd[0, 2] - Kd[0, 1] * y) / Kd[0, 0]
    P = np.stack([x * z, y * z, z])
    T = np.asarray(T_color_depth, np.float64)
    Pc = T[:3, :3] @ P + T[:3, 3:4]
    zc = Pc[2]
    front = zc > 1e-6
    Pc, zc, z = Pc[:, front], zc[front], z[front]
    yc = Pc[1] / zc
    uc = Kc[0, 0] * Pc[0] / zc + Kc[0, 1] * yc + Kc[0, 2]
    vc = Kc[1, 1] * yc + Kc[1, 2]
    # footprint of a depth pixel in colour pixels (half-widths), from the focal ratio and depth
    # change
    hu = 0.5 * (Kc[0, 0] / Kd[0, 0]) * (z / zc)
    hv = 0.5 * (Kc[1, 1] / Kd[1, 1]) * (z / zc)
    u0, u1 = np.ceil(uc - hu), np.floor(uc + hu)
    v0, v1 = np.ceil(vc - hv), np.floor(vc + hv)
    point = u1 < u0
    u0[point] = u1[point] = np.round(uc[point])
    point = v1 < v0
    v0[point] = v1[point] = np.round(vc[point])
    nu = np.minimum(u1 - u0 + 1, MAX_FOOTPRINT).astype(int)
    nv = np.minimum(v1 - v0 + 1, MAX_FOOTPRINT).astype(int)
    idx_parts, z_parts = [], []
    for a in range(int(nu.max(initial=1))):
        for b in range(int(nv.max(initial=1))):
            m = (a < nu) & (b < nv)
            tu, tv = u0[m] + a, v0[m] + b
            inside = (tu >= 0) & (tu < W) & (tv >= 0) & (tv < H)
            idx_parts.append((tv[inside] * W + tu[inside]).astype(np.int64))
            z_parts.append(zc[m][inside])
    out = np.zeros(H * W, np.float32)
    if idx_parts:
        idx = np.concatenate(idx_parts)
        zz = np.concatenate(z_parts)
        order = np.lexsort((zz, idx))                  # by pixel, nearest first
        idx, zz = idx[order], zz[order]
        first = np.ones(len(idx), bool)
        first[1:] = idx[1:] != idx[:-1]
        out[idx[first]] = zz[first]
    out = out.reshape(H, W)
    return out, out > 0


def needs_registration(
    color_frame, depth_frame, color_shape, depth_shape, K_color=None, K_depth=None
):
    """(bool, why): depth needs reprojection unless frame, size and intrinsics all match."""
    if color_frame and depth_frame and color_frame != depth_frame:
        return True, f"depth frame '{depth_frame}' differs from colour frame '{color_frame}'"
    if tuple(color_shape) != tuple(depth_shape):
        return True, (f'depth size {depth_shape[1]}x{depth_shape[0]} differs from colour size '
                      f'{color_shape[1]}x{color_shape[0]}')
    if (
        K_color is not None
        and K_depth is not None
        and not np.allclose(K_color, K_depth, rtol=1e-3, atol=1e-3)
    ):
        return True, 'depth and colour CameraInfo intrinsics differ'
    return False, 'depth already registered to colour (same frame, size and intrinsics)'
