"""Radiometry, emissivity and split-window checks against hand computations."""
import math

import numpy as np
import pytest

from groklst.physics.algorithms.split_window import (JM2014_COEFFICIENTS,
                                                     split_window_jm2014)
from groklst.physics.emissivity import (LANDSAT8_EMISSIVITY,
                                        fractional_vegetation_cover,
                                        landsat8_emissivity, ndvi,
                                        ndvi_threshold_emissivity)
from groklst.physics.planck import (LANDSAT8_TIRS, bt_to_radiance_k1k2,
                                    landsat8_dn_to_bt,
                                    landsat8_dn_to_radiance,
                                    landsat8_dn_to_toa_reflectance,
                                    radiance_to_bt_k1k2)


@pytest.mark.parametrize('band', ['B10', 'B11'])
def test_k1k2_round_trip(band):
    k1, k2 = LANDSAT8_TIRS[band]['k1'], LANDSAT8_TIRS[band]['k2']
    bt = np.linspace(200.0, 350.0, 301)
    rad = bt_to_radiance_k1k2(bt, k1, k2)
    assert np.all(rad > 0)
    back = radiance_to_bt_k1k2(rad, k1, k2)
    np.testing.assert_allclose(back, bt, rtol=0, atol=1e-4)


def test_k1k2_invalid_inputs():
    out = radiance_to_bt_k1k2(np.array([0.0, -1.0, np.nan, 8.0]), 774.8853,
                              1321.0789)
    assert np.isnan(out[:3]).all() and np.isfinite(out[3])
    with pytest.raises(ValueError, match='k1'):
        radiance_to_bt_k1k2(8.0, 0.0, 1321.0789)
    with pytest.raises(ValueError, match='k2'):
        bt_to_radiance_k1k2(300.0, 774.8853, -1.0)


def test_dn_to_bt_hand_values():
    # B10: L = 3.342e-4 * 25000 + 0.1 = 8.455; BT = 1321.0789 / ln(774.8853
    # / 8.455 + 1)
    rad = landsat8_dn_to_radiance(np.array([25000], dtype=np.uint16), 'B10')
    assert rad[0] == pytest.approx(8.455, abs=1e-12)
    expected10 = 1321.0789 / math.log(774.8853 / 8.455 + 1)
    assert expected10 == pytest.approx(291.70557, abs=1e-5)
    bt10 = landsat8_dn_to_bt(np.array([25000], dtype=np.uint16), 'B10')
    assert bt10[0] == pytest.approx(expected10, abs=1e-9)
    # B11: L = 3.342e-4 * 22000 + 0.1 = 7.4524
    bt11 = landsat8_dn_to_bt(np.array([22000], dtype=np.uint16), 'B11')
    assert bt11[0] == pytest.approx(
        1201.1442 / math.log(480.8883 / 7.4524 + 1), abs=1e-9)
    assert bt11[0] == pytest.approx(287.18488, abs=1e-5)


def test_dn_fill_and_errors():
    bt = landsat8_dn_to_bt(np.array([0, 25000], dtype=np.uint16), 'B10')
    assert np.isnan(bt[0]) and np.isfinite(bt[1])
    with pytest.raises(ValueError, match='B12'):
        landsat8_dn_to_bt(np.array([1]), 'B12')
    with pytest.raises(ValueError, match='>= 0'):
        landsat8_dn_to_radiance(np.array([-5.0]), 'B10')


def test_toa_reflectance():
    rho = landsat8_dn_to_toa_reflectance(
        np.array([0, 5000, 10000, 55000], dtype=np.uint16))
    assert np.isnan(rho[0])
    np.testing.assert_allclose(rho[1:], [0.0, 0.1, 1.0], atol=1e-12)
    corrected = landsat8_dn_to_toa_reflectance(np.array([10000]),
                                               sun_elevation_deg=30.0)
    assert corrected[0] == pytest.approx(0.2, abs=1e-12)
    with pytest.raises(ValueError, match='sun_elevation'):
        landsat8_dn_to_toa_reflectance(np.array([10000]),
                                       sun_elevation_deg=0.0)


def test_split_window_hand_computation():
    # T10 = 300, T11 = 298, eps10 = 0.970, eps11 = 0.975, w = 2:
    # dT = 2, eps = 0.9725, d_eps = -0.005
    # 300 + 1.378*2 + 0.183*4 - 0.268 + (54.3 - 2.238*2)*0.0275
    #     + (-129.2 + 16.4*2)*(-0.005) = 305.07216
    lst = split_window_jm2014(np.array([300.0]), np.array([298.0]),
                              np.array([0.970]), np.array([0.975]), 2.0)
    assert lst[0] == pytest.approx(305.07216, abs=1e-9)
    assert JM2014_COEFFICIENTS == {'c0': -0.268, 'c1': 1.378, 'c2': 0.183,
                                   'c3': 54.3, 'c4': -2.238, 'c5': -129.2,
                                   'c6': 16.4}
    # blackbody, equal BTs: LST = T10 + c0
    bb = split_window_jm2014(290.0, 290.0, 1.0, 1.0, 3.0)
    assert float(bb) == pytest.approx(290.0 - 0.268, abs=1e-12)
    # per-pixel water vapour and NaN propagation
    out = split_window_jm2014(np.array([300.0, np.nan]),
                              np.array([298.0, 290.0]),
                              np.array([0.970, 0.98]),
                              np.array([0.975, 0.98]), np.array([2.0, 1.0]))
    assert out[0] == pytest.approx(305.07216, abs=1e-9) and np.isnan(out[1])


@pytest.mark.parametrize('wvc', [-0.1, 10.5, float('nan'), float('inf')])
def test_split_window_rejects_bad_wvc(wvc):
    with pytest.raises(ValueError, match='water-vapour'):
        split_window_jm2014(300.0, 298.0, 0.97, 0.975, wvc)


def test_split_window_rejects_bad_shapes_and_values():
    with pytest.raises(ValueError, match='shapes differ'):
        split_window_jm2014(np.zeros((2, 2)) + 300, np.zeros((2, 3)) + 298,
                            np.full((2, 2), 0.97), np.full((2, 2), 0.97), 2.0)
    with pytest.raises(ValueError, match='wvc'):
        split_window_jm2014(np.full(3, 300.0), np.full(3, 298.0),
                            np.full(3, 0.97), np.full(3, 0.97),
                            np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match='emis10'):
        split_window_jm2014(300.0, 298.0, 1.2, 0.97, 2.0)
    with pytest.raises(ValueError, match='bt11'):
        split_window_jm2014(300.0, -1.0, 0.97, 0.97, 2.0)


def test_emissivity_thresholds():
    b10, b11 = LANDSAT8_EMISSIVITY['B10'], LANDSAT8_EMISSIVITY['B11']
    values = np.array([-0.1, 0.1, 0.35, 0.6, np.nan])
    e10, e11 = landsat8_emissivity(values)
    # NDVI < 0: water
    assert e10[0] == 0.991 and e11[0] == 0.986
    # 0 <= NDVI < 0.2: bare soil
    assert e10[1] == b10['soil'] == 0.9668
    assert e11[1] == b11['soil'] == 0.9747
    # NDVI > 0.5: full vegetation
    assert e10[3] == b10['vegetation'] == 0.9863
    assert e11[3] == b11['vegetation'] == 0.9896
    # 0.2 <= NDVI <= 0.5: Pv = ((0.35 - 0.2) / 0.3)**2 = 0.25, plus cavity
    pv = 0.25
    hand10 = 0.9863 * pv + 0.9668 * (1 - pv) + (1 - 0.9668) * 0.9863 * \
        0.55 * (1 - pv)
    hand11 = 0.9896 * pv + 0.9747 * (1 - pv) + (1 - 0.9747) * 0.9896 * \
        0.55 * (1 - pv)
    assert e10[2] == pytest.approx(hand10, abs=1e-12)
    assert e11[2] == pytest.approx(hand11, abs=1e-12)
    assert np.isnan(e10[4]) and np.isnan(e11[4])


def test_emissivity_threshold_edges_and_errors():
    eps = ndvi_threshold_emissivity(np.array([0.0, 0.2, 0.5]), 0.96, 0.99,
                                    0.99)
    assert eps[0] == 0.96  # NDVI = 0 is soil, not water
    assert eps[1] == pytest.approx(0.96 + 0.04 * 0.99 * 0.55)  # Pv = 0
    assert eps[2] == pytest.approx(0.99)  # Pv = 1, continuous with veg
    no_cavity = ndvi_threshold_emissivity(0.2, 0.96, 0.99, 0.99,
                                          cavity_factor=0.0)
    assert float(no_cavity) == pytest.approx(0.96)
    np.testing.assert_allclose(
        fractional_vegetation_cover(np.array([-1.0, 0.2, 0.35, 0.5, 0.9])),
        [0.0, 0.0, 0.25, 1.0, 1.0])
    with pytest.raises(ValueError, match='emis_soil'):
        ndvi_threshold_emissivity(0.3, 1.5, 0.99, 0.99)
    with pytest.raises(ValueError, match='thresholds'):
        ndvi_threshold_emissivity(0.3, 0.96, 0.99, 0.99, ndvi_soil=0.6)


def test_ndvi():
    out = ndvi(np.array([0.1, 0.0, 0.2]), np.array([0.3, 0.0, 0.2]))
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1]) and out[2] == 0
    with pytest.raises(ValueError, match='shapes'):
        ndvi(np.zeros(2), np.zeros(3))
