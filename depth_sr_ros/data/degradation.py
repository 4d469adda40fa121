"""HR -> LR degradation for training: bicubic (the field's protocol) or sensor-like.

Hole-aware: invalid HR pixels never leak into LR values. Resampling is centre-aligned
(see :mod:`depth_sr_ros.pixel_grid`), the convention the node's CameraInfo scaling uses.
"""
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

MODES = ('bicubic', 'area', 'nearest')


@dataclass(frozen=True)
class DegradationSpec:
    """How LR frames are made from HR ones.

    mode: 'bicubic' (antialiased, MATLAB-imresize-like: the field's protocol), 'area' (what a
    ToF pixel integrating over its footprint does) or 'nearest' (point sampling).
    noise_std: Gaussian depth noise relative to the frame's depth range.
    noise_depth_quadratic: extra noise growing with depth^2 (ToF/stereo behaviour), relative.
    drop_prob: fraction of LR pixels dropped to invalid (isolated missing returns).
    hole_blobs: number of random blob-shaped holes per LR frame (specular/dark surfaces).
    min_valid_fraction: an LR pixel is valid if at least this fraction of its footprint was.
    """

    mode: str = 'bicubic'
    noise_std: float = 0.0
    noise_depth_quadratic: float = 0.0
    drop_prob: float = 0.0
    hole_blobs: int = 0
    min_valid_fraction: float = 0.5

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f'degradation mode must be one of {MODES}, got {self.mode!r}')

    @property
    def sensor_like(self):
        return bool(self.noise_std or self.noise_depth_quadratic or self.drop_prob or self.hole_blobs)

    def to_dict(self):
        return asdict(self)


BICUBIC = DegradationSpec()
SENSOR_LIKE = DegradationSpec(mode='area', noise_std=0.002, noise_depth_quadratic=0.002,
                              drop_prob=0.01, hole_blobs=2)


def _resize(x, size, mode):
    """Centre-aligned downsampling of a (1,1,H,W) tensor."""
    if mode == 'bicubic':
        return F.interpolate(x, size=size, mode='bicubic', align_corners=False, antialias=True)
    if mode == 'area':
        return F.interpolate(x, size=size, mode='area')
    return x  # nearest is handled by index sampling in degrade()


def downsample(depth_hr, valid_hr, scale, mode='bicubic', min_valid_fraction=0.5):
    """Hole-aware centre-aligned downsampling (normalised convolution).

    LR value = resample(depth * valid) / resample(valid), so invalid pixels carry no weight;
    an LR pixel is valid where enough of its footprint was. HR size must be a multiple of scale.
    """
    h, w = depth_hr.shape
    if h % scale or w % scale:
        raise ValueError(f'HR size {h}x{w} is not a multiple of scale {scale}')
    size = (h // scale, w // scale)
    if mode == 'nearest':
        # Point sampling at the LR pixel centre, (i + 0.5) * s - 0.5 rounded up: index i*s + s//2.
        off = scale // 2
        return (depth_hr[off::scale, off::scale].copy(), valid_hr[off::scale, off::scale].copy())
    d = torch.from_numpy(np.where(valid_hr, depth_hr, 0).astype(np.float32))[None, None]
    m = torch.from_numpy(valid_hr.astype(np.float32))[None, None]
    num = _resize(d, size, mode)[0, 0].numpy()
    den = _resize(m, size, mode)[0, 0].numpy()
    # Coverage is measured with the box footprint so bicubic's negative lobes don't matter.
    coverage = F.interpolate(m, size=size, mode='area')[0, 0].numpy()
    valid_lr = coverage >= max(min_valid_fraction, 1e-6)
    with np.errstate(divide='ignore', invalid='ignore'):
        depth_lr = np.where(valid_lr & (np.abs(den) > 1e-6), num / den, 0).astype(np.float32)
    valid_lr &= np.abs(den) > 1e-6
    # Bicubic overshoot must not push depth outside the HR values it came from.
    if valid_hr.any():
        lo, hi = depth_hr[valid_hr].min(), depth_hr[valid_hr].max()
        depth_lr = np.clip(depth_lr, lo, hi)
    return depth_lr, valid_lr


def _blob_holes(shape, count, rng):
    """Random elliptical holes, a few LR pixels across: what dark/specular surfaces give."""
    import cv2
    mask = np.zeros(shape, np.uint8)
    h, w = shape
    for _ in range(count):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(1, max(2, w // 12))), int(rng.integers(1, max(2, h // 12))))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return mask.astype(bool)


def degrade(depth_hr, valid_hr, scale, spec=BICUBIC, rng=None):
    """Make the (depth_lr, valid_lr) a sensor of 1/scale resolution would have given."""
    rng = rng if rng is not None else np.random.default_rng()
    depth_lr, valid_lr = downsample(depth_hr, valid_hr, scale, spec.mode, spec.min_valid_fraction)
    if not spec.sensor_like or not valid_lr.any():
        return depth_lr, valid_lr
    values = depth_lr[valid_lr]
    lo, hi = float(values.min()), float(values.max())
    span = max(hi - lo, 1e-6)
    if spec.noise_std or spec.noise_depth_quadratic:
        rel = (depth_lr - lo) / span
        sigma = spec.noise_std + spec.noise_depth_quadratic * rel ** 2
        depth_lr = depth_lr + (rng.standard_normal(depth_lr.shape) * sigma * span).astype(np.float32)
    if spec.drop_prob:
        valid_lr = valid_lr & (rng.random(valid_lr.shape) >= spec.drop_prob)
    if spec.hole_blobs:
        valid_lr = valid_lr & ~_blob_holes(valid_lr.shape, spec.hole_blobs, rng)
    depth_lr = np.where(valid_lr, depth_lr, 0).astype(np.float32)
    return depth_lr, valid_lr
