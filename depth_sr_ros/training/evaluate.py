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
Held-out evaluation: DSRNet through the deployment path beside bicubic, on the same pixels.

LR frames are made with one or more evaluation samplings (data.degradation.EVALUATION,
deterministic per frame) from HR frames cropped to a multiple of the scale; both methods are
scored on pixels valid in the HR ground truth and in both outputs, per frame, then averaged
over frames (the field's convention).
"""
from depth_sr_ros.data.degradation import BICUBIC_AA, degrade, EVALUATION, local_extremes
from depth_sr_ros.data.normalization import fill_invalid_nearest, valid_range
import numpy as np
import torch
import torch.nn.functional as F


def crop_to_scale(pair_depth, valid, scale):
    h, w = pair_depth.shape
    return pair_depth[:h - h % scale, :w - w % scale], valid[:h - h % scale, :w - w % scale]


def nearest_upsample(lr, lr_valid, scale):
    """Pixel replication: no interpolation, so no flying pixels, but blocky edges."""
    up = np.repeat(np.repeat(lr, scale, 0), scale, 1).astype(np.float32)
    mask = np.repeat(np.repeat(lr_valid, scale, 0), scale, 1)
    return np.where(mask, up, np.nan).astype(np.float32)


def bicubic_upsample(lr, lr_valid, scale):
    """
    Upsample with the bicubic baseline, on the same footing as the network.

    Holes filled with the nearest valid value, bicubic (centre-aligned), clamped to the LR
    range, invalid where LR was.
    """
    rng = valid_range(lr, lr_valid)
    if rng is None:
        return np.full((lr.shape[0] * scale, lr.shape[1] * scale), np.nan, np.float32)
    filled = fill_invalid_nearest(np.where(lr_valid, lr, 0).astype(np.float32), lr_valid)
    up = F.interpolate(torch.from_numpy(filled)[None, None], scale_factor=scale, mode='bicubic',
                       align_corners=False)[0, 0].numpy()
    up = np.clip(up, rng.lo, rng.hi)
    mask = np.repeat(np.repeat(lr_valid, scale, 0), scale, 1)
    return np.where(mask, up, np.nan).astype(np.float32)


def lr_frames(pairs, scale, spec=BICUBIC_AA, seed=0):
    """Deterministic (hr, hr_valid, lr, lr_valid, pair) tuples for evaluation."""
    out = []
    for i, pair in enumerate(pairs):
        hr, hv = crop_to_scale(pair.depth, pair.valid, scale)
        lr, lv = degrade(hr, hv, scale, spec, np.random.default_rng([seed, i]),
                         metric=pair.meta.get('metric', True))
        out.append((hr, hv, lr, lv, pair))
    return out


def frame_errors(pred, hr, hr_valid, mask):
    diff = (pred - hr)[mask & hr_valid]
    if diff.size == 0:
        return None
    return float(np.sqrt(np.mean(diff ** 2))), float(np.mean(np.abs(diff)))


def evaluate(resolver, frames, unit_to_cm=100.0):
    """
    Return RMSE/MAE (cm) of the network and bicubic.

    resolver: a DepthSuperResolver.
    """
    scale = resolver.scale
    rows = []
    for hr, hv, lr, lv, _ in frames:
        lr_in = np.where(lv, lr, np.nan).astype(np.float32)
        sr = resolver.upsample(lr_in)
        bic = bicubic_upsample(lr, lv, scale)
        mask = np.isfinite(sr) & np.isfinite(bic)
        a, b = frame_errors(sr, hr, hv, mask), frame_errors(bic, hr, hv, mask)
        if a is not None and b is not None:
            rows.append(a + b)
    if not rows:
        raise ValueError('no held-out frame had valid pixels to evaluate')
    r = np.asarray(rows) * unit_to_cm
    return {'rmse_cm': float(r[:, 0].mean()), 'mae_cm': float(r[:, 1].mean()),
            'bicubic_rmse_cm': float(r[:, 2].mean()), 'bicubic_mae_cm': float(r[:, 3].mean()),
            'frames': len(rows)}


def evaluate_samplings(resolver, frames_by_sampling, unit_to_cm=100.0):
    """
    Run evaluate() under each sampling.

    '<key>_<sampling>' columns, plus the plain keys as the mean over samplings (what one blind
    model is selected on).
    """
    row = {}
    for name, frames in frames_by_sampling.items():
        row.update({f'{k}_{name}': v for k, v in evaluate(resolver, frames, unit_to_cm).items()})
    for key in ('rmse_cm', 'mae_cm', 'bicubic_rmse_cm', 'bicubic_mae_cm', 'frames'):
        row[key] = float(np.mean([row[f'{key}_{name}'] for name in frames_by_sampling]))
    row['frames'] = int(row['frames'])
    return row


def sampling_frames(pairs, scale, samplings):
    """Return {sampling: lr_frames} for the named evaluation samplings."""
    return {name: lr_frames(pairs, scale, EVALUATION[name]) for name in samplings}


def flying_pixel_counts(
    pred, hr, hr_valid, mask, scale, edge_jump=0.05, surface_tol=0.1, float_tol=0.2
):
    """
    (flying, candidates): pixels near depth steps whose output floats between the surfaces.

    What RViz's point cloud shows as "flying pixels": points hanging in the air between a
    foreground edge and the background. Test, per HR pixel p that is scored (``mask``):
      - window: the (2s+1)^2 HR neighbourhood of p (s = scale); lo, hi = min/max valid HR
        depth there; it is a *step* if hi - lo > edge_jump * (the frame's valid HR range);
      - candidate: p lies on one of the two surfaces (|gt - lo| or |gt - hi| <= surface_tol *
        (hi - lo)), i.e. the truth itself does not float;
      - flying: the output is finite and farther than float_tol * (hi - lo) from both lo and hi.
    Summed over frames, the share flying / candidates is reported (lower is better).
    """
    flying, candidates, _ = flying_pixel_masks(
        pred, hr, hr_valid, mask, scale, edge_jump, surface_tol, float_tol
    )
    return int(flying.sum()), int(candidates.sum())


def flying_pixel_masks(
    pred, hr, hr_valid, mask, scale, edge_jump=0.05, surface_tol=0.1, float_tol=0.2
):
    """
    Return (flying, candidates, step height) per HR pixel.

    The test of ``flying_pixel_counts``, with the step height (hi - lo of the window) for
    diagnostics such as benchmarks/research/flying_steps.py.
    """
    scored = mask & hr_valid & np.isfinite(pred)
    if not scored.any():
        return scored, scored, np.zeros(hr.shape, np.float32)
    lo, hi = local_extremes(hr, hr_valid, radius=scale)
    values = hr[hr_valid]
    with np.errstate(over='ignore', invalid='ignore'):   # pixels without valid neighbours: +-max
        jump = np.where(hr_valid, hi - lo, 0).astype(np.float32)
    step = scored & (jump > edge_jump * float(values.max() - values.min()))
    on_surface = np.minimum(np.abs(hr - lo), np.abs(hr - hi)) <= surface_tol * jump
    candidates = step & on_surface
    p = np.where(candidates, pred, 0)
    flying = candidates & (np.minimum(np.abs(p - lo), np.abs(p - hi)) > float_tol * jump)
    return flying, candidates, jump


def naive_bicubic_upsample(lr, scale):
    """
    Upsample as a plain image resize does (OpenCV INTER_CUBIC, holes as 0).

    The baseline users would otherwise deploy. Holes bleed into their neighbours.
    """
    import cv2
    h, w = lr.shape
    return cv2.resize(lr.astype(np.float32), (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
