"""Split-window LST (groklst.physics.algorithms.split_window): Jiménez-Muñoz et al. (2014) and
Du et al. (2015) by hand and on LOWTRAN simulations, bad inputs, the coefficient fit and its
table files."""
import numpy as np
import pytest

from groklst.physics.algorithms.split_window import (
    DU2015_COEFFICIENTS, JM2014_COEFFICIENTS, du2015_coefficients, du2015_terms,
    fit_split_window_du2015, split_window, split_window_du2015, split_window_jm2014)
from tests.fixtures.landsat8_simulation import simulate_l8


def test_split_window_dispatch_is_the_jm2014_function():
    args = (np.array([300.0]), np.array([298.0]), np.array([0.97]),
            np.array([0.975]))
    np.testing.assert_array_equal(split_window(*args, 2.0, 'jm2014'),
                                  split_window_jm2014(*args, 2.0))
    with pytest.raises(ValueError, match='unknown'):
        split_window(*args, 2.0, 'xyz')


def test_demo_builder_uses_the_one_split_window_implementation():
    from groklst.datasets.converters import landsat8_demo
    assert landsat8_demo.split_window_jm2014 is split_window_jm2014


def test_split_window_on_default_simulation(lut, emis):
    """The default simulate() domain includes ECMWF columns up to 9.7
    g cm-2; both methods must accept them (extrapolation, not an error)."""
    from groklst.simulation import SimulationConfig, simulate
    sim = simulate(SimulationConfig(n_samples=5000, seed=3), lut=lut,
                   emis_table=emis)
    assert sim['wvc'].max() > 8.0  # the case that used to raise
    bt, lse = sim['bt'], sim['lse']
    for method in ('jm2014', 'du2015'):
        lst = split_window(bt[:, 0], bt[:, 1], lse[:, 0], lse[:, 1],
                           sim['wvc'], method)
        assert lst.shape == (5000,) and np.all(np.isfinite(lst))


@pytest.mark.parametrize('method', ['jm2014', 'du2015'])
@pytest.mark.parametrize('bad', [-0.1, np.nan, 10.5, np.inf])
def test_split_window_rejects_bad_water_vapour(method, bad):
    args = (np.array([300.0, 301.0]), np.array([298.0, 299.0]),
            np.array([0.97, 0.97]), np.array([0.975, 0.975]))
    with pytest.raises(ValueError, match=r'\[0, 10\] g cm-2') as info:
        split_window(*args, np.array([1.0, bad]), method)
    assert repr(float(bad)) in str(info.value)
    # 10 g cm-2 itself is legal
    assert np.all(np.isfinite(split_window(*args, 10.0, method)))


def test_du2015_hand_value_and_ranges():
    # w = 1.0 -> sub-range (0, 2.5).  T10 = 300, T11 = 298, e10 = e11 = 0.97
    b = DU2015_COEFFICIENTS[(0.0, 2.5)]
    a = 0.03 / 0.97
    expected = (b[0] + (b[1] + b[2] * a) * 299.0 + (b[4] + b[5] * a) * 1.0 +
                b[7] * 4.0)
    got = split_window_du2015(np.array([300.0]), np.array([298.0]),
                              np.array([0.97]), np.array([0.97]),
                              np.array([1.0]))
    assert got[0] == pytest.approx(expected, abs=1e-9)
    # overlap 2.0-2.5 goes to the nearest centre: 2.2 -> (0, 2.5) (centre
    # 1.25, distance 0.95) vs (2.0, 3.5) (centre 2.75, distance 0.55)
    c = du2015_coefficients(np.array([2.2, 3.4, 6.0, np.nan]))
    assert c[0, 0] == DU2015_COEFFICIENTS[(2.0, 3.5)][0]
    assert c[0, 1] == DU2015_COEFFICIENTS[(3.0, 4.5)][0]
    assert c[0, 2] == DU2015_COEFFICIENTS[(5.0, 6.3)][0]
    assert c[0, 3] == DU2015_COEFFICIENTS[(0.0, 6.3)][0]


def test_jm2014_split_window_on_lowtran_simulations_within_published_error(
        lut, emis):
    # Jimenez-Munoz et al. (2014) report split-window errors below 1.5 K;
    # on LOWTRAN/ECMWF simulations (w <= 6.3) we measure ~0.5 K RMSE.
    t10, t11, e, w, ts, _ = simulate_l8(lut, emis, 20000, 6.3)
    err = split_window_jm2014(t10, t11, e[:, 0], e[:, 1], w) - ts
    rmse = np.sqrt(np.mean(err**2))
    assert rmse < 1.5, rmse
    dry = w < 3
    assert np.sqrt(np.mean(err[dry]**2)) < 1.0


@pytest.mark.xfail(strict=True, reason=(
    'Du et al. (2015) report fit RMSE 0.34-0.93 K (Table 1) on TIGR/MODTRAN '
    'simulations; on our LOWTRAN7/ECMWF simulations (20000 samples, nadir, '
    'w <= 6.3 g cm-2, seed 0) we measure RMSE 1.78 K with a warm bias of '
    '+1.55 K (w < 1: bias +1.05 K, RMSE 1.09 K; 2.5-4.5: +2.67 K; 4.5-6.3: '
    '+3.13 K).  Coefficients and the delta-emissivity convention were '
    're-checked against independent transcriptions (no error found).  The '
    'offset is in the published coefficients: a blackbody under a '
    'transparent atmosphere already comes out 1.0-1.7 K warm, and Du\'s '
    'form refitted to our simulations meets the published RMSE (test '
    'below); see docs/physics/README.md "Du et al. (2015) discrepancy".'))
def test_du2015_split_window_on_lowtran_simulations_published_rmse(lut,
                                                                   emis):
    t10, t11, e, w, ts, _ = simulate_l8(lut, emis, 20000, 6.3)
    err = split_window_du2015(t10, t11, e[:, 0], e[:, 1], w) - ts
    # Du et al. (2015): accuracy better than 1.0 K (largest sub-range fit
    # RMSE 0.93 K).
    assert np.sqrt(np.mean(err**2)) < 1.0


def test_fit_split_window_du2015_recovers_known_coefficients():
    # LST generated by Eq. 2 with the published table -> the fit returns
    # that table (residual ~0) and the refitted retrieval reproduces it.
    rng = np.random.default_rng(3)
    n = 4000
    t10 = rng.uniform(260, 320, n)
    t11 = t10 - rng.uniform(0, 4, n)
    e10 = rng.uniform(0.95, 0.99, n)
    e11 = e10 + rng.uniform(-0.01, 0.01, n)
    w = rng.uniform(0, 6.3, n)
    for key, row in DU2015_COEFFICIENTS.items():
        m = (w >= key[0]) & (w <= key[1])
        lst = split_window_du2015(t10[m], t11[m], e10[m], e11[m], w[m],
                                  coefficients={key: row})
        fit = fit_split_window_du2015(t10[m], t11[m], e10[m], e11[m], lst,
                                      w[m], subranges=[key])
        np.testing.assert_allclose(fit[key][:8], row[:8], rtol=1e-6,
                                   atol=1e-6)
        assert fit[key][8] < 1e-8
    assert du2015_terms(t10, t11, e10, e11).shape == (n, 8)
    # default layout: the published keys, each with its fit RMSE
    fit = fit_split_window_du2015(t10, t11, e10, e11,
                                  split_window_du2015(t10, t11, e10, e11, w),
                                  w)
    assert list(fit) == list(DU2015_COEFFICIENTS)
    assert all(len(row) == 9 for row in fit.values())


def test_fit_split_window_du2015_errors():
    t = np.full(20, 300.0)
    e = np.full(20, 0.97)
    w = np.linspace(0.0, 1.0, 20)
    with pytest.raises(ValueError, match=r'\[2\.0, 3\.5\] g cm-2 has 0 '
                       r'samples; at least 9'):
        fit_split_window_du2015(t, t - 1, e, e, t, w)
    with pytest.raises(ValueError, match=r'lst must have .*\(20,\); found '
                       r'\(19,\)'):
        fit_split_window_du2015(t, t - 1, e, e, t[:19], w)
    bad = t.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match='must be finite; 1 non-finite'):
        fit_split_window_du2015(t, t - 1, e, e, bad, w)
    with pytest.raises(ValueError, match='all-range key'):
        split_window_du2015(t, t - 1, e, e, w,
                            coefficients={(0.0, 2.5): (0.0,) * 8,
                                          (2.0, 6.3): (0.0,) * 8})
    with pytest.raises(ValueError, match='at least 8 values'):
        du2015_coefficients(1.0, {(0.0, 2.5): (0.0,) * 8,
                                  (0.0, 6.3): (1.0, 2.0)})


def test_du2015_form_refitted_to_lowtran_meets_published_fit_rmse(lut,
                                                                   emis):
    # The published coefficients are biased on our simulations (xfail
    # above); Du's functional form itself is not: refitted per sub-range on
    # one seed (fit_split_window_du2015) it scores below every published
    # fit RMSE (0.34-0.93 K) on another seed.  Measured (20000 samples):
    # 0.09 / 0.23 / 0.27 / 0.64 / 0.80 K per sub-range, 0.40 K all-range;
    # tools/retrieval/du2015_diagnostics.py has the full table.
    fit_s = simulate_l8(lut, emis, 20000, 6.3, seed=0)
    test_s = simulate_l8(lut, emis, 20000, 6.3, seed=1)
    fit = fit_split_window_du2015(fit_s[0], fit_s[1], fit_s[2][:, 0],
                                  fit_s[2][:, 1], fit_s[4], fit_s[3])
    t10, t11, e, w, ts, _ = test_s
    for key, published in DU2015_COEFFICIENTS.items():
        m = (w >= key[0]) & (w <= key[1])
        est = du2015_terms(t10[m], t11[m], e[m, 0], e[m, 1]) @ np.asarray(
            fit[key][:8])
        rmse = np.sqrt(np.mean((est - ts[m])**2))
        assert rmse < published[8], (key, rmse, published[8])
    err = split_window_du2015(t10, t11, e[:, 0], e[:, 1], w,
                              coefficients=fit) - ts
    assert abs(err.mean()) < 0.05
    assert np.sqrt(np.mean(err**2)) < 0.5


def test_du2015_table_files_round_trip_and_errors(tmp_path):
    from groklst.physics.algorithms.split_window import (load_du2015_table,
                                                         save_du2015_table)
    path = str(tmp_path / 'du.json')
    save_du2015_table(DU2015_COEFFICIENTS, path, source='Du et al. 2015')
    assert load_du2015_table(path) == DU2015_COEFFICIENTS
    t = np.array([300.0, 290.0])
    e = np.array([0.97, 0.98])
    np.testing.assert_array_equal(
        split_window(t, t - 1.5, e, e, 2.0, 'du2015',
                     coefficients=load_du2015_table(path)),
        split_window(t, t - 1.5, e, e, 2.0, 'du2015'))
    with pytest.raises(ValueError, match="method 'du2015' only"):
        split_window(t, t - 1.5, e, e, 2.0, 'jm2014',
                     coefficients=DU2015_COEFFICIENTS)
    bad = tmp_path / 'bad.json'
    bad.write_text('{"rows": [{"wvc_range": [0, 2.5], "coefficients": [1]}]}')
    with pytest.raises(ValueError, match=r'bad\.json: expected a Du \(2015\) '
                       r'coefficient table.*at least 8 values'):
        load_du2015_table(str(bad))
    with pytest.raises(ValueError, match='missing.json: expected'):
        load_du2015_table(str(tmp_path / 'missing.json'))


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
