"""Planck, band Planck and RTE round trips with the issue's tolerances."""
import numpy as np
import pytest
import torch

from groklst.physics.planck import (C1, C2, BandPlanck, band_radiance_exact,
                                    effective_wavelength, fit_k1k2,
                                    planck_bt, planck_bt_torch,
                                    planck_radiance, planck_radiance_torch)
from groklst.physics.rte import (rte_forward, rte_forward_torch, rte_inverse,
                                 rte_inverse_torch)
from groklst.physics.srf import get_sensor


def test_constants_and_hand_value():
    assert C1 == pytest.approx(1.191042972e8, rel=1e-9)
    assert C2 == pytest.approx(14387.7688, rel=1e-8)
    # B(10 um, 300 K) = c1 / (1e5 * (exp(c2 / 3000) - 1))
    expected = 1.191042972e8 / (1e5 * (np.exp(14387.7688 / 3000) - 1))
    assert planck_radiance(10.0, 300.0) == pytest.approx(expected, rel=1e-8)
    assert planck_radiance(10.0, 300.0) == pytest.approx(9.9240, abs=1e-3)


def test_planck_inverse_of_forward_below_1e6_kelvin():
    lam = np.linspace(3.0, 15.0, 61)[:, None]
    temp = np.linspace(180.0, 400.0, 221)[None, :]
    back = planck_bt(lam, planck_radiance(lam, temp))
    assert np.abs(back - temp).max() < 1e-6
    assert np.isnan(planck_bt(10.0, [0.0, -1.0, np.nan])).all()


def test_planck_torch_matches_numpy_and_grad():
    temp = torch.linspace(200, 350, 31, dtype=torch.float64,
                          requires_grad=True)
    rad = planck_radiance_torch(11.0, temp)
    np.testing.assert_allclose(rad.detach().numpy(),
                               planck_radiance(11.0, temp.detach().numpy()),
                               rtol=1e-12)
    back = planck_bt_torch(11.0, rad)
    assert (back - temp).abs().max().item() < 1e-6
    back.sum().backward()  # d(T(L(T)))/dT = 1
    np.testing.assert_allclose(temp.grad.numpy(), 1.0, atol=1e-9)


@pytest.fixture(scope='module')
def tirs():
    return get_sensor('landsat8_tirs')


def test_band_planck_round_trip_and_exactness(tirs):
    band = tirs.band('B10').planck
    temp = np.linspace(180.0, 420.0, 2401)
    rad = band.radiance(temp)
    np.testing.assert_allclose(
        rad, band_radiance_exact(band.wavelength, band.response, temp),
        rtol=1e-9)
    assert np.abs(band.brightness_temperature(rad) - temp).max() < 1e-6


def test_band_planck_torch(tirs):
    band = tirs.band('B11').planck
    temp = torch.linspace(240, 340, 101, dtype=torch.float64)
    rad = band.radiance_torch(temp).requires_grad_(True)
    back = band.brightness_temperature_torch(rad)
    assert (back - temp).abs().max().item() < 1e-6
    back.sum().backward()
    _, der = band._hermite(temp.numpy())
    np.testing.assert_allclose(rad.grad.numpy(), 1.0 / der, rtol=1e-6)


@pytest.mark.parametrize('sensor', ['landsat8_tirs', 'aster_tir',
                                    'modis_terra_tir', 'gf5_vimi_tir',
                                    'sdgsat1_tis'])
def test_band_vs_effective_wavelength_bt_within_02K(sensor):
    temp = np.linspace(240.0, 340.0, 101)
    for band in get_sensor(sensor).bands:
        lam = effective_wavelength(band.wavelength, band.response)
        err = np.abs(planck_bt(lam, band.radiance(temp)) - temp).max()
        if sensor == 'sdgsat1_tis' and band.name == 'B1':
            # 8-10.5 um is too wide for a one-wavelength Planck: ~0.93 K
            # (no other single wavelength does better: test below).
            assert 0.2 < err < 1.5
        else:
            assert err < 0.2, (sensor, band.name, err)


def test_no_single_wavelength_fits_sdgsat1_b1():
    # groklst.physics.diagnostics.band_wavelengths (docs/physics/band_wavelengths.md,
    # tools/retrieval/band_wavelength_check.py): the minimax wavelength of
    # every band is within 0.05 um of the SRF mean and no better than 0.9 K
    # for SDGSAT-1 TIS B1 (0.933 K at 9.247 um), so the 0.2 K target cannot
    # hold for that band; every other band meets it either way.
    from groklst.physics.diagnostics.band_wavelengths import band_rows
    rows = band_rows()
    assert len(rows) == sum(len(get_sensor(s).bands) for s in
                            ['landsat8_tirs', 'aster_tir', 'modis_terra_tir',
                             'gf5_vimi_tir', 'sdgsat1_tis'])
    for sensor, band, lam, err, best, best_err in rows:
        assert abs(best - lam) < 0.05 and best_err <= err + 1e-9
        if (sensor, band) == ('sdgsat1_tis', 'B1'):
            assert best_err > 0.9
        else:
            assert best_err < 0.2


def test_fitted_k1k2_close_to_usgs(tirs):
    # USGS B10: K1 = 774.8853, K2 = 1321.0789; B11: 480.8883, 1201.1442.
    k1, k2 = fit_k1k2(tirs.band('B10').planck)
    assert k1 == pytest.approx(774.8853, rel=5e-3)
    assert k2 == pytest.approx(1321.0789, abs=2.0)
    k1, k2 = fit_k1k2(tirs.band('B11').planck)
    assert k1 == pytest.approx(480.8883, rel=5e-3)
    assert k2 == pytest.approx(1201.1442, abs=2.0)


def test_rte_inverse_recovers_ts_exactly(tirs):
    rng = np.random.default_rng(0)
    band = tirs.band('B10').planck
    n = 500
    ts = rng.uniform(250, 330, n)
    eps = rng.uniform(0.9, 1.0, n)
    tau = rng.uniform(0.3, 0.95, n)
    lup = rng.uniform(0.1, 4.0, n)
    ldn = rng.uniform(0.2, 6.0, n)
    lsen = rte_forward(band, ts, eps, tau, lup, ldn)
    back = rte_inverse(band, lsen, eps, tau, lup, ldn)
    assert np.abs(back - ts).max() < 1e-6
    # torch path, differentiable
    args = [torch.as_tensor(a) for a in (eps, tau, lup, ldn)]
    t_ts = torch.as_tensor(ts).requires_grad_(True)
    l_t = rte_forward_torch(band, t_ts, *args)
    np.testing.assert_allclose(l_t.detach().numpy(), lsen, rtol=1e-10)
    back_t = rte_inverse_torch(band, l_t, *args)
    assert (back_t - t_ts).abs().max().item() < 1e-6
    back_t.sum().backward()
    np.testing.assert_allclose(t_ts.grad.numpy(), 1.0, atol=1e-6)


def test_rte_rejects_bad_inputs(tirs):
    band = tirs.band('B10').planck
    with pytest.raises(ValueError, match='emissivity'):
        rte_forward(band, 300.0, 1.2, 0.8, 1.0, 2.0)
    with pytest.raises(ValueError, match='tau'):
        rte_inverse(band, 9.0, 0.97, 0.0, 1.0, 2.0)


def test_bandplanck_validation():
    with pytest.raises(ValueError):
        BandPlanck([10.0, 9.0], [1.0, 1.0])
    with pytest.raises(ValueError):
        BandPlanck([9.0, 10.0], [0.0, 0.0])
