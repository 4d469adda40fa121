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
Every HR -> LR degradation in one module: sampling kernels, sensor effects, the blind recipe.

Why so many: a model only helps under the degradations it was trained on. Real low-resolution
depth is made in different ways, and the field's benchmark files in yet another:

  bicubic_aa  antialiased bicubic (PIL / MATLAB ``imresize``): what many SR papers call "bicubic".
  cubic       cubic *without* antialiasing, ``cv2.resize(hr, (w//s, h//s), interpolation=
              INTER_CUBIC)``: the seed paper's authors' own published Middlebury test files are
              made exactly this way (aliased, jagged edges). On hole-free input this equals
              OpenCV to float precision (torch's bicubic, a=-0.75, clamped borders, no antialias).
  area        box average over each LR pixel's footprint (= INTER_AREA for integer factors):
              a ToF pixel integrating the light of its footprint.
  nearest     point sampling (interval decimation, LiDAR-like, many structured-light
              pipelines); phase 'centre' takes HR pixel ``i*s + s//2``, 'random' jitters that
              by -1, 0 or +1 HR pixel per axis per frame: a sensor samples at its own pixel
              centre, which for even s falls between two HR pixels, plus small registration
              error. (Offsets of up to s/2 were tried first: the model then cannot know where
              its samples sit and blurs edges; it lost to the jittered one on validation.)

All sampling is hole-aware (invalid HR pixels never leak into LR values: normalised
convolution, or validity of the sampled pixel) and centre-aligned (see
:mod:`depth_sr_ros.pixel_grid`), the convention the node's CameraInfo scaling uses. Sensor
effects are applied after sampling, in this order: optical blur (before sampling, on HR),
mixed/flying pixels across depth discontinuities, structured-light shadow bands beside edges,
depth-dependent noise, quantisation (1 mm steps, or disparity-like steps growing with depth^2),
isolated dropouts and blob holes. Noise is relative to the frame's depth range and quantisation
is metric, so it is skipped for non-metric data (Middlebury disparity units).

A *recipe* makes one :class:`DegradationSpec` per training crop: a fixed spec always returns
itself; :class:`BlindRecipe` samples sampling kernel and effects with documented
probabilities (its fields). ``make_recipe(name, params)`` is the one way configs name them.
"""
from dataclasses import asdict, dataclass, field, fields, replace

import cv2
import numpy as np
import torch
import torch.nn.functional as F

SAMPLINGS = ('bicubic_aa', 'cubic', 'area', 'nearest')
QUANTIZATIONS = ('none', 'mm', 'disparity')


@dataclass(frozen=True)
class DegradationSpec:
    """
    One fixed way LR frames are made from HR ones (fields are its knobs, all off by default).

    sampling: one of SAMPLINGS. phase: 'centre' or 'random' (nearest only).
    blur_sigma: Gaussian optical blur before sampling, sigma in LR pixels (0 = none).
    flying_fraction: share of LR pixels at depth discontinuities replaced by a random mix of the
      near and far depth around them (ToF mixed pixels / flying pixels).
    shadow_width: LR pixels invalidated on the far side of depth steps along the rows (the
      projector shadow of structured light); the side is random per frame.
    edge_jump: a discontinuity is a local depth range above this share of the frame's range.
    noise_std / noise_depth_quadratic: Gaussian noise, relative to the frame's depth range,
      the second part growing with (relative depth)^2 (ToF/stereo behaviour).
    quantization: 'none', 'mm' (1 mm steps) or 'disparity' (steps in inverse depth of
      ``disparity_step`` 1/m, i.e. depth steps of about disparity_step * z^2; Kinect v1 ~ 2.85e-3).
    drop_prob: share of LR pixels dropped to invalid. hole_blobs: random elliptical holes.
    min_valid_fraction: an LR pixel is valid if at least this share of its footprint was.
    """

    sampling: str = 'bicubic_aa'
    phase: str = 'centre'
    blur_sigma: float = 0.0
    flying_fraction: float = 0.0
    shadow_width: int = 0
    edge_jump: float = 0.05
    noise_std: float = 0.0
    noise_depth_quadratic: float = 0.0
    quantization: str = 'none'
    disparity_step: float = 2.85e-3
    drop_prob: float = 0.0
    hole_blobs: int = 0
    min_valid_fraction: float = 0.5

    def __post_init__(self):
        if self.sampling not in SAMPLINGS:
            raise ValueError(
                f'degradation sampling must be one of {SAMPLINGS}, got {self.sampling!r}'
            )
        if self.phase not in ('centre', 'random'):
            raise ValueError(f"degradation phase must be 'centre' or 'random', got {self.phase!r}")
        if self.quantization not in QUANTIZATIONS:
            raise ValueError(f'degradation quantization must be one of {QUANTIZATIONS}, '
                             f'got {self.quantization!r}')

    @property
    def sensor_effects(self):
        return bool(self.flying_fraction or self.shadow_width or self.noise_std
                    or self.noise_depth_quadratic or self.quantization != 'none'
                    or self.drop_prob or self.hole_blobs)

    def sample(self, rng):
        """Return self: a fixed spec is its own recipe."""
        return self

    def to_dict(self):
        return {'kind': 'fixed', **asdict(self)}


@dataclass(frozen=True)
class BlindRecipe:
    """
    Samples a DegradationSpec per crop so one model serves every sensor (the default).

    sampling_weights: relative frequency of each sampling kernel.
    random_phase_prob: share of 'nearest' crops with a jittered sampling phase.
    Each effect is switched on with its *_prob, then its strength is drawn uniformly from its
    (low, high) range (integers inclusive).
    """

    # Chosen by inner validation on 2026-11-26 (docs/research/degradation.md): the point and
    # non-antialiased kernels are the hard ones, so they get 0.35 each; each sensor effect is on
    # for about half as many crops as before (mean gain over 5 samplings 20.5% -> 21.3%, worst
    # cell 14.7 -> 17.1).
    sampling_weights: dict = field(default_factory=lambda: {
        'bicubic_aa': 0.15, 'cubic': 0.35, 'area': 0.15, 'nearest': 0.35})
    random_phase_prob: float = 0.25
    blur_prob: float = 0.1
    blur_sigma: tuple = (0.2, 0.6)
    flying_prob: float = 0.08
    flying_fraction: tuple = (0.2, 0.8)
    shadow_prob: float = 0.05
    shadow_width: tuple = (1, 2)
    noise_prob: float = 0.2
    noise_std: tuple = (0.0, 0.006)
    noise_depth_quadratic: tuple = (0.0, 0.006)
    quantization_prob: float = 0.1
    disparity_quantization_share: float = 0.5
    disparity_step: tuple = (1.0e-3, 3.0e-3)
    drop_prob: float = 0.12
    drop_rate: tuple = (0.0, 0.02)
    hole_prob: float = 0.12
    hole_blobs: tuple = (1, 3)

    def __post_init__(self):
        weights = self.sampling_weights
        if not isinstance(weights, dict) or not weights or set(weights) - set(SAMPLINGS):
            raise ValueError(
                f'blind sampling_weights must map some of {SAMPLINGS} to weights, got {weights!r}'
            )
        if min(weights.values()) < 0 or sum(weights.values()) <= 0:
            raise ValueError('blind sampling_weights must be >= 0 with a positive sum')
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith('_prob') or f.name.endswith('_share'):
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f'blind {f.name} must be in [0, 1], got {value}')
            elif isinstance(value, (tuple, list)):
                if len(value) != 2 or value[0] > value[1]:
                    raise ValueError(f'blind {f.name} must be a (low, high) pair, got {value!r}')
                object.__setattr__(self, f.name, tuple(value))

    def _draw(self, rng, prob, bounds, integer=False):
        if rng.random() >= prob:
            return 0
        lo, hi = bounds
        return int(rng.integers(lo, hi + 1)) if integer else float(rng.uniform(lo, hi))

    def sample(self, rng):
        names = list(self.sampling_weights)
        w = np.asarray([self.sampling_weights[n] for n in names], float)
        sampling = names[int(rng.choice(len(names), p=w / w.sum()))]
        phase = (
            'random'
            if sampling == 'nearest' and rng.random() < self.random_phase_prob
            else 'centre'
        )
        quantization = 'none'
        if rng.random() < self.quantization_prob:
            quantization = (
                'disparity' if rng.random() < self.disparity_quantization_share else 'mm'
            )
        noisy = rng.random() < self.noise_prob
        return DegradationSpec(
            sampling=sampling,
            phase=phase,
            blur_sigma=self._draw(rng, self.blur_prob, self.blur_sigma),
            flying_fraction=self._draw(rng, self.flying_prob, self.flying_fraction),
            shadow_width=self._draw(rng, self.shadow_prob, self.shadow_width, integer=True),
            noise_std=float(rng.uniform(*self.noise_std)) if noisy else 0.0,
            noise_depth_quadratic=float(rng.uniform(*self.noise_depth_quadratic))
            if noisy
            else 0.0,
            quantization=quantization,
            disparity_step=float(rng.uniform(*self.disparity_step)),
            drop_prob=self._draw(rng, self.drop_prob, self.drop_rate),
            hole_blobs=self._draw(rng, self.hole_prob, self.hole_blobs, integer=True),
        )

    def to_dict(self):
        return {'kind': 'blind', **asdict(self)}


BICUBIC_AA = DegradationSpec('bicubic_aa')
CUBIC = DegradationSpec('cubic')
AREA = DegradationSpec('area')
NEAREST = DegradationSpec('nearest')
SENSOR_LIKE = DegradationSpec('area', noise_std=0.002, noise_depth_quadratic=0.002,
                              drop_prob=0.01, hole_blobs=2)

# Named recipes for configs, the trainer's --degradation and train_from_bag.
# The blind recipe's effect probabilities before 2026-11-26 (each effect about twice as often):
# 'smooth' keeps them (the x*_smooth models trained with them). 'point_sensor' uses today's blind
# defaults since 2026-11-26 (inner validation: +29.8% vs +27.7% under point LR,
# benchmarks/results/recipe_validation_point_x4.json); models store the recipe they trained with.
FULL_EFFECTS = {
    'random_phase_prob': 0.5,
    'blur_prob': 0.2,
    'flying_prob': 0.15,
    'shadow_prob': 0.1,
    'noise_prob': 0.4,
    'quantization_prob': 0.2,
    'drop_prob': 0.25,
    'hole_prob': 0.25,
}

RECIPES = {
    'blind': BlindRecipe(),
    'bicubic_aa': BICUBIC_AA,
    'cubic': CUBIC,
    'area': AREA,
    'nearest': DegradationSpec('nearest', phase='random'),
    'sensor_like': SENSOR_LIKE,
    # point sampling with the effects of a structured-light or LiDAR-like sensor
    'point_sensor': BlindRecipe(sampling_weights={'nearest': 1.0}),
    # integrating sampling (a ToF pixel averaging its footprint) with sensor effects
    'smooth': BlindRecipe(sampling_weights={'bicubic_aa': 0.5, 'area': 0.5}, **FULL_EFFECTS),
}

# What every benchmark scores (the evaluation matrix's columns); deterministic specs.
EVALUATION = {'bicubic_aa': BICUBIC_AA, 'cubic': CUBIC, 'area': AREA, 'nearest': NEAREST,
              'sensor_like': SENSOR_LIKE}


def make_recipe(name='blind', params=None):
    """Return the recipe ``name`` (one of RECIPES) with ``params`` overriding its fields."""
    if name not in RECIPES:
        raise ValueError(f'unknown degradation {name!r}; choose from {sorted(RECIPES)}')
    base = RECIPES[name]
    params = dict(params or {})
    params.pop('kind', None)
    known = {f.name for f in fields(base)}
    unknown = set(params) - known
    if unknown:
        raise ValueError(f'unknown option(s) {sorted(unknown)} for degradation {name!r}; '
                         f'known: {sorted(known)}')
    return replace(base, **params)


# -- sampling --------------------------------------------------------------------------------

def _resize(x, size, sampling):
    """Centre-aligned downsampling of a (1,1,H,W) tensor."""
    if sampling == 'bicubic_aa':
        return F.interpolate(x, size=size, mode='bicubic', align_corners=False, antialias=True)
    if sampling == 'cubic':
        return F.interpolate(x, size=size, mode='bicubic', align_corners=False, antialias=False)
    return F.interpolate(x, size=size, mode='area')


def downsample(
    depth_hr, valid_hr, scale, sampling='bicubic_aa', min_valid_fraction=0.5, phase=(None, None)
):
    """
    Hole-aware centre-aligned downsampling.

    Filters: LR value = resample(depth * valid) / resample(valid) (normalised convolution), so
    invalid pixels carry no weight; an LR pixel is valid where enough of its box footprint was.
    Where the kernel's support was complete the value is exactly the plain resize (OpenCV's);
    where holes cut it, the value is clamped to the frame's valid range (cubic lobes divided
    by a small weight sum would overshoot). nearest: the HR pixel at ``phase`` (default the
    centre, ``s//2``) of each footprint, valid where that pixel was. HR size must be a
    multiple of scale.
    """
    h, w = depth_hr.shape
    if h % scale or w % scale:
        raise ValueError(f'HR size {h}x{w} is not a multiple of scale {scale}')
    size = (h // scale, w // scale)
    if sampling == 'nearest':
        oy = scale // 2 if phase[0] is None else int(phase[0])
        ox = scale // 2 if phase[1] is None else int(phase[1])
        return (depth_hr[oy::scale, ox::scale].copy(), valid_hr[oy::scale, ox::scale].copy())
    if sampling not in SAMPLINGS:
        raise ValueError(f'degradation sampling must be one of {SAMPLINGS}, got {sampling!r}')
    d = torch.from_numpy(np.where(valid_hr, depth_hr, 0).astype(np.float32))[None, None]
    m = torch.from_numpy(valid_hr.astype(np.float32))[None, None]
    num = _resize(d, size, sampling)[0, 0].numpy()
    den = _resize(m, size, sampling)[0, 0].numpy()
    coverage = F.interpolate(m, size=size, mode='area')[0, 0].numpy()
    valid_lr = (coverage >= max(min_valid_fraction, 1e-6)) & (np.abs(den) > 1e-6)
    with np.errstate(divide='ignore', invalid='ignore'):
        depth_lr = np.where(valid_lr, num / den, 0).astype(np.float32)
    cut = valid_lr & (np.abs(den - 1.0) > 1e-5)
    if cut.any():
        lo, hi = depth_hr[valid_hr].min(), depth_hr[valid_hr].max()
        depth_lr[cut] = np.clip(depth_lr[cut], lo, hi)
    return depth_lr, valid_lr


def _blur(depth, valid, sigma):
    """Hole-aware Gaussian blur (normalised convolution); sigma in pixels."""
    k = int(2 * np.ceil(3 * sigma) + 1)
    num = cv2.GaussianBlur(np.where(valid, depth, 0).astype(np.float32), (k, k), sigma,
                           borderType=cv2.BORDER_REFLECT)
    den = cv2.GaussianBlur(valid.astype(np.float32), (k, k), sigma, borderType=cv2.BORDER_REFLECT)
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(valid & (den > 1e-6), num / den, depth).astype(np.float32)


# -- sensor effects on LR ---------------------------------------------------------------------

def local_extremes(depth, valid, radius=1):
    """
    Return min and max over the valid pixels of each (2r+1)^2 window.

    Invalid pixels are ignored; a window without valid pixels gives +max / -max. Shared by the
    flying-pixel degradation and the flying-pixel metric (training/evaluate.py), so both see
    depth steps the same way.
    """
    big = np.float32(np.finfo(np.float32).max)
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    lo = cv2.erode(
        np.where(valid, depth, big).astype(np.float32), kernel, borderType=cv2.BORDER_REPLICATE
    )
    hi = cv2.dilate(
        np.where(valid, depth, -big).astype(np.float32), kernel, borderType=cv2.BORDER_REPLICATE
    )
    return lo, hi


def _flying_pixels(depth, valid, fraction, jump, rng):
    """Mix near and far depth at discontinuities, as a pixel straddling an edge reports."""
    lo, hi = local_extremes(depth, valid)
    with np.errstate(over='ignore', invalid='ignore'):   # invalid pixels see +-max: not edges
        edge = valid & ((hi - lo) > jump)
    pick = edge & (rng.random(depth.shape) < fraction)
    a = rng.random(depth.shape).astype(np.float32)
    return np.where(pick, a * lo + (1 - a) * hi, depth).astype(np.float32)


def _shadow_band(depth, valid, width, jump, rng):
    """
    Invalidate ``width`` pixels on the far side of row-wise depth steps (projector shadow).

    The projector's side is random: for a left-hand one the rows are mirrored, shadowed,
    mirrored back.
    """
    mirror = rng.random() >= 0.5
    d, v = (depth[:, ::-1], valid[:, ::-1]) if mirror else (depth, valid)
    step = np.zeros(d.shape, bool)
    step[:, 1:] = v[:, 1:] & v[:, :-1] & (d[:, 1:] - d[:, :-1] > jump)   # far surface to the right
    shadow = np.zeros_like(step)
    for k in range(width):
        shadow[:, k:] |= step[:, :step.shape[1] - k]
    return valid & ~(shadow[:, ::-1] if mirror else shadow)


def _quantize(depth, valid, spec):
    if spec.quantization == 'mm':
        return np.round(depth / 1e-3) * 1e-3
    inv = 1.0 / np.maximum(depth, 1e-3)
    q = np.maximum(np.round(inv / spec.disparity_step), 1) * spec.disparity_step
    return np.where(valid, 1.0 / q, depth).astype(np.float32)


def _blob_holes(shape, count, rng):
    """Random elliptical holes, a few LR pixels across: what dark/specular surfaces give."""
    mask = np.zeros(shape, np.uint8)
    h, w = shape
    for _ in range(count):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(1, max(2, w // 12))), int(rng.integers(1, max(2, h // 12))))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return mask.astype(bool)


def degrade(depth_hr, valid_hr, scale, spec=BICUBIC_AA, rng=None, metric=True):
    """
    Make the (depth_lr, valid_lr) a sensor of 1/scale resolution would have given.

    ``metric``: depth is in metres (quantisation applies); False for disparity-like units.
    """
    rng = rng if rng is not None else np.random.default_rng()
    if spec.blur_sigma > 0 and valid_hr.any():
        depth_hr = _blur(depth_hr, valid_hr, spec.blur_sigma * scale)
    phase = (None, None)
    if spec.sampling == 'nearest' and spec.phase == 'random':
        jitter = rng.integers(-1, 2, size=2)
        phase = tuple(int(np.clip(scale // 2 + j, 0, scale - 1)) for j in jitter)
    depth_lr, valid_lr = downsample(
        depth_hr, valid_hr, scale, spec.sampling, spec.min_valid_fraction, phase
    )
    if not spec.sensor_effects or not valid_lr.any():
        return _positive_only(depth_lr, valid_lr)
    values = depth_lr[valid_lr]
    lo, hi = float(values.min()), float(values.max())
    span = max(hi - lo, 1e-6)
    jump = spec.edge_jump * span
    if spec.flying_fraction:
        depth_lr = _flying_pixels(depth_lr, valid_lr, spec.flying_fraction, jump, rng)
    if spec.shadow_width:
        valid_lr = _shadow_band(depth_lr, valid_lr, spec.shadow_width, jump, rng)
    if spec.noise_std or spec.noise_depth_quadratic:
        rel = (depth_lr - lo) / span
        sigma = spec.noise_std + spec.noise_depth_quadratic * rel ** 2
        depth_lr = depth_lr + (rng.standard_normal(depth_lr.shape) * sigma * span).astype(
            np.float32
        )
    if spec.quantization != 'none' and metric:
        depth_lr = _quantize(depth_lr, valid_lr, spec)
    if spec.drop_prob:
        valid_lr = valid_lr & (rng.random(valid_lr.shape) >= spec.drop_prob)
    if spec.hole_blobs:
        valid_lr = valid_lr & ~_blob_holes(valid_lr.shape, spec.hole_blobs, rng)
    return _positive_only(depth_lr, valid_lr)


def _positive_only(depth_lr, valid_lr):
    """
    Turn depth <= 0 into holes.

    A sensor reports no depth <= 0 (the resolver reads it as 'no measurement'): cubic
    overshoot beside a near-zero surface, or noise, makes such values, so they become holes.
    """
    valid_lr = valid_lr & (depth_lr > 0)
    return np.where(valid_lr, depth_lr, 0).astype(np.float32), valid_lr
