"""Degradations of Wald's-protocol training: box mean with its validity threshold, sensor model
(PSF, bias, noise, context), by hand."""
import numpy as np
import pytest

from groklst.datasets.transforms.degradation import BoxDegradation, SensorDegradation
from groklst.registry import TRANSFORMS


def test_box_mean_and_valid_fraction_threshold():
    x = np.arange(64, dtype=np.float64).reshape(8, 8) + 280.0
    x[0, 0] = np.nan  # 1 of 16 invalid in the first block: 15/16 = 0.94 >= 0.9
    x[4:6, 0] = np.nan  # 2 of 16 in the third block: 0.875 < 0.9
    lr = TRANSFORMS.build(dict(type='BoxDegradation'))(x, 4)
    assert lr.shape == (2, 2)
    assert lr[0, 0] == pytest.approx(np.nanmean(x[:4, :4]))
    assert np.isnan(lr[1, 0])
    assert lr[1, 1] == pytest.approx(x[4:, 4:].mean())
    assert not np.isnan(BoxDegradation(min_valid_fraction=0.8)(x, 4)[1, 0])
    with pytest.raises(ValueError, match='min_valid_fraction'):
        BoxDegradation(min_valid_fraction=0)


def test_sensor_psf_on_a_linear_field_equals_the_box_mean_plus_bias():
    deg = SensorDegradation(psf_fwhm=1.5, noise_sd=0.0, bias_mean=0.3)
    m = deg.context(4)
    assert m == 4  # 4 sigma of a 1.5 px FWHM + 0.5 px jitter + half a pixel
    n = 6 + 2 * m
    rr, cc = np.mgrid[0:4 * n, 0:4 * n]
    field = 290.0 + 0.05 * rr - 0.03 * cc
    lr = deg(field, 4, np.random.default_rng(0))
    assert lr.shape == (6, 6)
    box = BoxDegradation()(field, 4)[m:m + 6, m:m + 6]
    np.testing.assert_allclose(lr, box + 0.3, atol=1e-4)


def test_sensor_noise_level_and_blur():
    deg = SensorDegradation(psf_fwhm=1.5, noise_sd=0.4)
    m = deg.context(2)
    flat = np.full((2 * (40 + 2 * m), 2 * (40 + 2 * m)), 300.0)
    lr = deg(flat, 2, np.random.default_rng(1))
    assert lr.mean() == pytest.approx(300.0, abs=0.05)
    assert lr.std() == pytest.approx(0.4, rel=0.1)
    # a sharp edge is blurred over more than one coarse pixel (a box mean keeps it sharp)
    edge = flat.copy()
    edge[:, edge.shape[1] // 2:] += 10.0
    quiet = SensorDegradation(psf_fwhm=1.5, noise_sd=0.0)
    row = quiet(edge, 2, np.random.default_rng(2))[5]
    assert ((row > 300.5) & (row < 309.5)).sum() >= 2
    with pytest.raises(ValueError, match='context'):
        quiet(np.full((8, 8), 300.0), 2)
