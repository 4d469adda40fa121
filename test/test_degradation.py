import numpy as np
import pytest

from depth_sr_ros.data.degradation import SENSOR_LIKE, DegradationSpec, degrade, downsample
from depth_sr_ros.data.normalization import DepthRange, fill_invalid_nearest, valid_range


def _scene(h=64, w=64):
    depth = np.full((h, w), 2.0, np.float32)
    depth[:, w // 2:] = 1.0
    valid = np.ones((h, w), bool)
    valid[8:24, 8:24] = False
    depth[~valid] = 0.0  # sensors write 0 into holes: it must not leak
    return depth, valid


@pytest.mark.parametrize('mode', ['bicubic', 'area', 'nearest'])
def test_holes_do_not_leak_into_lr_values(mode):
    depth, valid = _scene()
    lr, lr_valid = downsample(depth, valid, 4, mode)
    assert lr.shape == (16, 16) and lr_valid.shape == (16, 16)
    assert lr_valid.sum() > 0 and not lr_valid[3:5, 3:5].any()
    assert lr[lr_valid].min() >= 1.0 - 1e-6 and lr[lr_valid].max() <= 2.0 + 1e-6


def test_bicubic_of_constant_is_constant():
    depth = np.full((32, 40), 3.25, np.float32)
    lr, v = downsample(depth, np.ones_like(depth, bool), 4, 'bicubic')
    assert v.all() and np.allclose(lr, 3.25, atol=1e-5)


def test_size_must_be_multiple_of_scale():
    with pytest.raises(ValueError, match='multiple of scale'):
        downsample(np.zeros((30, 32), np.float32), np.ones((30, 32), bool), 4)


def test_sensor_like_drops_pixels_and_adds_noise():
    depth = np.full((128, 128), 2.0, np.float32)
    depth[:, :64] = 1.0
    valid = np.ones_like(depth, bool)
    clean, clean_valid = degrade(depth, valid, 4, DegradationSpec(mode='area'), np.random.default_rng(0))
    noisy, noisy_valid = degrade(depth, valid, 4, SENSOR_LIKE, np.random.default_rng(0))
    assert clean_valid.all() and noisy_valid.sum() < clean_valid.sum()
    assert np.abs(noisy - clean)[noisy_valid].std() > 0
    assert np.all(noisy[~noisy_valid] == 0)


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match='degradation mode'):
        DegradationSpec(mode='lanczos')


def test_normalisation_round_trip_and_fill():
    d = np.array([[1.0, 0.0, 3.0], [5.0, 0.0, 0.0]], np.float32)
    v = d > 0
    r = valid_range(d, v)
    assert (r.lo, r.hi) == (1.0, 5.0)
    np.testing.assert_allclose(r.denormalize(r.normalize(d[v])), d[v])
    filled = fill_invalid_nearest(d, v)
    assert filled[0, 1] in (1.0, 3.0) and filled[1, 2] == 3.0 and filled[1, 1] in (3.0, 5.0)
    assert valid_range(d, np.zeros_like(v)) is None
    assert DepthRange(2.0, 2.0).span == 1.0
