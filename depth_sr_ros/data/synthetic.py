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
Procedural RGB-D scenes: consistent colour and depth for tests, demo streams and bag fixtures.

Why: tests and demos need RGB-D data whose ground truth is known exactly (registration,
encodings, pairing) without shipping datasets. The scene (chosen by ``seed``) has a floor,
a back wall with a doorway onto a far wall, a side wall, a few boxes and spheres at 1-5 m.
Plane textures (tiles, posters, stripes) make colour edges that are *not* depth edges, one
box is painted close to the wall colour (a depth edge with a weak colour edge), so a model
cannot just copy RGB edges. ``holes=True`` adds sensor-like invalid regions: light-absorbing
dark material, specular highlights, out-of-range far areas seen through the doorway, grazing
incidence and the occlusion shadow beside depth discontinuities. Depth is the z-depth of
one ray per pixel centre, so edges are clean (no flying pixels).

Conventions: camera axes x right, y down, z forward (ROS optical frame); pixel (u, v) has its
centre at coordinate (u, v) (``depth_sr_ros.pixel_grid``), so the default principal point is
((W-1)/2, (H-1)/2). Everything is vectorised numpy (no per-pixel Python loops).
"""
from dataclasses import dataclass
from typing import Iterator

import numpy as np

MAX_RANGE_M = 8.0          # beyond this the "sensor" returns nothing when holes=True
_GRAZING_COS = 0.12        # |cos(incidence)| below this is a dropped return when holes=True
_SHADOW_JUMP_M = 0.15      # depth jump that casts an occlusion shadow when holes=True


@dataclass
class SceneFrame:
    """One rendered RGB-D frame of a procedural scene (colour and depth share one camera)."""

    rgb: np.ndarray      # uint8 HxWx3 RGB
    depth: np.ndarray    # float32 HxW metres (0 where invalid)
    valid: np.ndarray    # bool HxW
    K: np.ndarray        # 3x3 float64 intrinsics (centre-aligned pixel convention)
    stamp: float         # seconds


def default_intrinsics(width, height, fx=None):
    """Pinhole K with square pixels and the principal point at the image centre."""
    fx = 0.9 * width if fx is None else float(fx)
    return np.array([[fx, 0.0, (width - 1) / 2.0],
                     [0.0, fx, (height - 1) / 2.0],
                     [0.0, 0.0, 1.0]])


def _rot_x(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], dtype=np.float64)


def _rot_y(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=np.float64)


class _Scene:
    """Object layout and palette for one seed (world axes = camera axes at rest)."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.cam_height = rng.uniform(1.0, 1.4)             # floor at y = +cam_height
        self.wall_z = rng.uniform(4.6, 5.4)
        self.side_x = -rng.uniform(2.2, 3.0)
        self.far_z = self.wall_z + 6.0                      # seen through the doorway
        self.door_x = (rng.uniform(-0.6, 0.8), 0.0)
        self.door_x = (self.door_x[0], self.door_x[0] + rng.uniform(0.8, 1.1))
        self.door_top = self.cam_height - 2.1
        self.floor_cols = rng.uniform(0.25, 0.8, (2, 3))
        self.wall_col = rng.uniform(0.55, 0.85, 3)
        self.side_col = rng.uniform(0.3, 0.7, 3)
        self.posters = []                                   # (x0, x1, y0, y1, colour, dark)
        for k in range(3):
            x0 = rng.uniform(-2.0, 1.6)
            y0 = rng.uniform(self.cam_height - 2.4, self.cam_height - 1.3)
            col = rng.uniform(0.05, 0.95, 3)
            dark = k == 0
            if dark:
                col = np.full(3, 0.03)
            self.posters.append(
                (x0, x0 + rng.uniform(0.4, 0.9), y0, y0 + rng.uniform(0.3, 0.7), col, dark)
            )
        self.boxes = []                                     # (centre, half, yaw, colour)
        for k in range(3):
            half = rng.uniform(0.2, 0.45, 3)
            centre = np.array(
                [rng.uniform(-1.6, 1.6), self.cam_height - half[1], rng.uniform(1.8, 4.0)]
            )
            col = self.wall_col * rng.uniform(0.9, 1.0) if k == 0 else rng.uniform(0.1, 0.9, 3)
            self.boxes.append((centre, half, rng.uniform(-0.7, 0.7), col))
        self.spheres = []                                   # (centre, radius, colour)
        for k in range(2):
            r = rng.uniform(0.18, 0.4)
            if k == 1:   # resting on top of the first box
                c0, h0, _, _ = self.boxes[0]
                centre = np.array([c0[0], c0[1] - h0[1] - r, c0[2]])
            else:
                centre = np.array(
                    [rng.uniform(-1.2, 1.2), self.cam_height - r, rng.uniform(1.4, 3.2)]
                )
            self.spheres.append((centre, r, rng.uniform(0.2, 0.95, 3)))
        self.phase = rng.uniform(0, 2 * np.pi, 4)
        self.light = np.array([0.4, 0.8, 0.45])   # direction the light travels (down, forward)
        self.light /= np.linalg.norm(self.light)

    def camera_pose(self, t):
        """World-from-camera rotation and position: slow, smooth, periodic motion."""
        p = self.phase
        pos = np.array([0.25 * np.sin(2 * np.pi * t / 12 + p[0]),
                        0.03 * np.sin(2 * np.pi * t / 7 + p[1]),
                        0.3 * np.sin(2 * np.pi * t / 17 + p[2])])
        yaw = 0.12 * np.sin(2 * np.pi * t / 15 + p[3])
        pitch = 0.1 + 0.02 * np.sin(2 * np.pi * t / 9 + p[0])   # looking slightly down
        return _rot_y(yaw) @ _rot_x(-pitch), pos


def _plane_hit(o, d, axis, value):
    """Ray parameter (z-depth) where rays o + l*d meet the plane x[axis] = value (inf if none)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        lam = (np.float32(value - o[axis])) / d[axis]
    return np.where(lam > 1e-6, lam, np.float32(np.inf))


def _sphere_hit(o, d, dd, centre, r):
    """Nearest ray parameter on a sphere; ``dd`` = |d|^2 per ray. Rays are (3, N)."""
    oc = (o - centre).astype(np.float32)
    b = 2.0 * (oc[0] * d[0] + oc[1] * d[1] + oc[2] * d[2])
    c = np.float32(oc @ oc - r * r)
    disc = b * b - 4 * dd * c
    with np.errstate(invalid='ignore'):
        lam = (-b - np.sqrt(disc)) / (2 * dd)
    return np.where((disc > 0) & (lam > 1e-6), lam, np.float32(np.inf))


def _box_hit(o, d, centre, half, yaw):
    """Slab test in the box frame; returns (lambda, axis of the entry face, local ray dirs)."""
    Rb = _rot_y(yaw)
    ol = Rb.T @ (o - centre)
    dl = (Rb.T.astype(np.float32) @ d)
    tn, tf = [], []
    with np.errstate(divide='ignore', invalid='ignore'):
        for a in range(3):
            t1 = (np.float32(-half[a] - ol[a])) / dl[a]
            t2 = (np.float32(half[a] - ol[a])) / dl[a]
            tn.append(np.fmin(t1, t2))
            tf.append(np.fmax(t1, t2))
    tmin = np.fmax(np.fmax(tn[0], tn[1]), tn[2])
    tmax = np.fmin(np.fmin(tf[0], tf[1]), tf[2])
    hit = (tmax >= tmin) & (tmin > 1e-6)
    axis = np.where(tn[0] == tmin, 0, np.where(tn[1] == tmin, 1, 2))
    return np.where(hit, tmin, np.float32(np.inf)), axis, dl


def _render(scene, R, pos, K, width, height, holes):
    """Ray-cast every pixel centre; returns (rgb float HxWx3, depth, valid). Rays are (3, N)."""
    u, v = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    u, v = u.ravel(), v.ravel()
    y = (v - np.float32(K[1, 2])) / np.float32(K[1, 1])
    x = (u - np.float32(K[0, 2]) - np.float32(K[0, 1]) * y) / np.float32(K[0, 0])
    dc = np.stack([x, y, np.ones_like(x)])            # camera rays with z = 1: lambda == z-depth
    d = R.astype(np.float32) @ dc
    dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    o = pos
    N = d.shape[1]

    lams, kinds = [], []
    # planes: floor, back wall (with doorway), side wall, far wall
    lams.append(_plane_hit(o, d, 1, scene.cam_height))
    kinds.append(('floor',))
    lam = _plane_hit(o, d, 2, scene.wall_z)
    with np.errstate(invalid='ignore'):
        px = np.float32(o[0]) + lam * d[0]
        py = np.float32(o[1]) + lam * d[1]
    door = (px > scene.door_x[0]) & (px < scene.door_x[1]) & (py > scene.door_top)
    lams.append(np.where(door, np.float32(np.inf), lam))
    kinds.append(('wall',))
    lams.append(_plane_hit(o, d, 0, scene.side_x))
    kinds.append(('side',))
    lams.append(_plane_hit(o, d, 2, scene.far_z))
    kinds.append(('far',))
    box_axes = []
    for i, (c, h, yaw, _) in enumerate(scene.boxes):
        lam, axis, dl = _box_hit(o, d, c, h, yaw)
        lams.append(lam)
        kinds.append(('box', i))
        box_axes.append((axis, dl))
    for i, (c, r, _) in enumerate(scene.spheres):
        lams.append(_sphere_hit(o, d, dd, c, r))
        kinds.append(('sphere', i))

    depth = lams[0].copy()
    idx = np.zeros(N, np.int8)
    for k in range(1, len(lams)):
        closer = lams[k] < depth
        depth = np.where(closer, lams[k], depth)
        idx[closer] = k
    hit = np.isfinite(depth)
    depth = np.where(hit, depth, np.float32(0))
    P = o.astype(np.float32)[:, None] + depth * d       # world hit points (3, N)
    n = np.zeros_like(P)
    col = np.zeros_like(P)
    invalid = ~hit
    spec = np.zeros(N, np.float32)
    for k, kind in enumerate(kinds):
        m = np.flatnonzero((idx == k) & hit)
        if not len(m):
            continue
        p = P[:, m]
        if kind[0] == 'floor':
            n[1, m] = -1
            tile = (np.floor(p[0] / 0.6) + np.floor(p[2] / 0.6)).astype(int) % 2
            grain = 0.9 + 0.1 * np.sin(p[0] * 23.0 + 3 * np.sin(p[2] * 4.0))
            grout = (np.abs(((p[[0, 2]] / 0.6) + 0.5) % 1 - 0.5) < 0.02).any(axis=0)
            c = scene.floor_cols[tile].T * grain
            c[:, grout] = 0.15
            col[:, m] = c
        elif kind[0] == 'wall':
            n[2, m] = -1
            c = np.repeat(scene.wall_col[:, None], len(m), axis=1)
            band = np.abs(p[1] - (scene.cam_height - 0.9)) < 0.05       # painted dado rail
            c[:, band] = scene.wall_col[:, None] * 0.55
            dark = np.zeros(len(m), bool)
            for x0, x1, y0, y1, pc, is_dark in scene.posters:
                inside = (p[0] > x0) & (p[0] < x1) & (p[1] > y0) & (p[1] < y1)
                c[:, inside] = pc[:, None]
                if is_dark:
                    dark |= inside
            col[:, m] = c
            if holes:
                invalid[m[dark]] = True                               # light-absorbing material
        elif kind[0] == 'side':
            n[0, m] = 1
            stripe = np.floor(p[2] / 0.35).astype(int) % 2
            col[:, m] = scene.side_col[:, None] * (0.75 + 0.25 * stripe)
        elif kind[0] == 'far':
            n[2, m] = -1
            col[:, m] = 0.35
        elif kind[0] == 'box':
            c0, h, yaw, bc = scene.boxes[kind[1]]
            axis, dl = box_axes[kind[1]]
            a = axis[m]
            nl = np.zeros((3, len(m)), np.float32)
            nl[a, np.arange(len(m))] = -np.sign(dl[a, m])
            Rb = _rot_y(yaw)
            n[:, m] = Rb @ nl
            local = Rb.T @ (p - c0[:, None])
            stripe = np.abs(((local[0] + local[1] + local[2]) / 0.25) % 1 - 0.5) < 0.12
            c = np.repeat(bc[:, None], len(m), axis=1)
            c[:, stripe] = (bc * 0.6 + 0.4 * (1 - bc))[:, None]
            col[:, m] = c
        else:
            sc, r, scol = scene.spheres[kind[1]]
            nn = (p - sc[:, None]) / r
            n[:, m] = nn
            col[:, m] = scol[:, None]
            view = -d[:, m] / np.sqrt(dd[m])
            hvec = -scene.light[:, None] + view
            hvec /= np.sqrt((hvec * hvec).sum(axis=0))
            spec[m] = np.clip((nn * hvec).sum(axis=0), 0, 1) ** 60

    lambert = np.clip(-(scene.light.astype(np.float32) @ n), 0, 1)
    rgb = np.clip(col * (0.35 + 0.65 * lambert) + spec * 0.9, 0, 1)

    if holes:
        invalid |= spec > 0.5                                       # specular saturation
        invalid |= depth > MAX_RANGE_M                              # out of range
        cos_inc = np.abs(n[0] * d[0] + n[1] * d[1] + n[2] * d[2]) / np.sqrt(dd)
        invalid |= cos_inc < _GRAZING_COS                           # grazing incidence
        dd2 = depth.reshape(height, width)
        shadow = np.zeros((height, width), bool)
        jump = (dd2[:, :-1] - dd2[:, 1:]) > _SHADOW_JUMP_M  # far on the left, near on the right
        w = max(1, int(round(width / 160)))
        for s in range(w):  # occlusion shadow on the far side
            shadow[:, : width - 1 - s] |= jump[:, s:]
        invalid |= shadow.ravel()
    depth = np.where(invalid, np.float32(0), depth)
    return (rgb.T.reshape(height, width, 3), depth.reshape(height, width).astype(np.float32),
            ~invalid.reshape(height, width))


def render_frame(width=640, height=480, seed=0, t=0.0, holes=True, fx=None, K=None,
                 extrinsic=None) -> SceneFrame:
    """
    Render the scene of ``seed`` seen at time ``t`` (seconds).

    ``K`` overrides the default intrinsics (``fx`` only sets the focal length).
    ``extrinsic`` (4x4) places this camera relative to the moving nominal camera
    (T_nominal_from_this, optical axes): render a second, unregistered sensor of the same rig
    with it, e.g. a depth camera 5 cm to the side.
    """
    if width < 2 or height < 2:
        raise ValueError(f'image size must be at least 2x2, got {width}x{height}')
    scene = _Scene(seed)
    R, pos = scene.camera_pose(t)
    if extrinsic is not None:
        T = np.asarray(extrinsic, dtype=np.float64)
        if T.shape != (4, 4):
            raise ValueError(f'extrinsic must be a 4x4 transform, got shape {T.shape}')
        pos = pos + R @ T[:3, 3]
        R = R @ T[:3, :3]
    K = (
        default_intrinsics(width, height, fx)
        if K is None
        else np.asarray(K, dtype=np.float64).reshape(3, 3)
    )
    rgb, depth, valid = _render(scene, R, pos, K, width, height, holes)
    return SceneFrame(rgb=np.round(rgb * 255).astype(np.uint8), depth=depth, valid=valid,
                      K=K.copy(), stamp=float(t))


def render_stream(n, rate_hz=15.0, **kw) -> Iterator[SceneFrame]:
    """``n`` consecutive frames at ``rate_hz`` (t = i / rate_hz): a smooth camera path."""
    if rate_hz <= 0:
        raise ValueError(f'rate_hz must be positive, got {rate_hz}')
    for i in range(int(n)):
        yield render_frame(t=i / rate_hz, **kw)


def to_uint16_mm(frame) -> np.ndarray:
    """16UC1 millimetres (rounded, clamped to 1..65535 where valid), 0 where invalid."""
    mm = np.clip(np.round(frame.depth.astype(np.float64) * 1000.0), 1, 65535)
    return np.where(frame.valid, mm, 0).astype(np.uint16)


def to_float32_m(frame) -> np.ndarray:
    """32FC1 metres, NaN where invalid (0.0 is a valid value in 32FC1, never 'no data')."""
    return np.where(frame.valid, frame.depth, np.nan).astype(np.float32)
