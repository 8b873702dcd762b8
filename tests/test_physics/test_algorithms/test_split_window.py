"""Classical LST algorithms: hand values and simulations."""
import numpy as np
import pytest

from groklst.physics.algorithms.mono_window import (
    mono_window, qin_effective_air_temperature, qin_transmittance)
from groklst.physics.algorithms.single_channel import (EFFECTIVE_WAVELENGTH,
                                                       psi_from_atmosphere,
                                                       psi_functions,
                                                       single_channel,
                                                       single_channel_jm)
from groklst.physics.algorithms.split_window import (
    DU2015_COEFFICIENTS, du2015_coefficients, du2015_terms,
    fit_split_window_du2015, split_window, split_window_du2015,
    split_window_jm2014)
from groklst.physics.algorithms.tes import mmd_emin, tes
from groklst.physics.atmosphere import load_lut
from groklst.physics.emissivity import load_emissivity_table
from groklst.physics.planck import planck_bt, planck_radiance
from groklst.physics.rte import rte_forward
from groklst.physics.srf import get_sensor


@pytest.fixture(scope='module')
def lut():
    return load_lut()


@pytest.fixture(scope='module')
def emis():
    return load_emissivity_table()


def _simulate_l8(lut, emis, n, wmax, seed=0):
    """Noise-free L8 BTs from the LOWTRAN LUT (nadir), high-emissivity
    natural surfaces, Ts = T_air - 5 .. + 15 K."""
    rng = np.random.default_rng(seed)
    sensor = get_sensor('landsat8_tirs')
    prof = np.nonzero((lut['kind'] == 'real') & (lut['wvc'] <= wmax))[0]
    e_all = emis['landsat8_tirs'].astype(float)
    ok = np.isin(emis['classes'], ['soil', 'vegetation', 'water']) & (
        e_all.min(1) > 0.95)
    p = rng.choice(prof, n)
    e = e_all[ok][rng.integers(0, ok.sum(), n)]
    ts = lut['t_air'][p] + rng.uniform(-5, 15, n)
    bts = []
    for j, band in enumerate(sensor.bands):
        lsen = rte_forward(band.planck, ts, e[:, j],
                           lut['landsat8_tirs__tau'][p, 0, j],
                           lut['landsat8_tirs__lup'][p, 0, j],
                           lut['landsat8_tirs__ldown'][p, j])
        bts.append(band.brightness_temperature(lsen))
    return bts[0], bts[1], e, lut['wvc'][p], ts, p


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
    t10, t11, e, w, ts, _ = _simulate_l8(lut, emis, 20000, 6.3)
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
    t10, t11, e, w, ts, _ = _simulate_l8(lut, emis, 20000, 6.3)
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
    fit_s = _simulate_l8(lut, emis, 20000, 6.3, seed=0)
    test_s = _simulate_l8(lut, emis, 20000, 6.3, seed=1)
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


def test_single_channel_exact_psi_and_jm2014(lut, emis):
    sensor = get_sensor('landsat8_tirs')
    band = sensor.band('B10')
    t10, _, e, w, ts, p = _simulate_l8(lut, emis, 5000, 3.0, seed=2)
    lsen = band.radiance(t10)
    psi = psi_from_atmosphere(lut['landsat8_tirs__tau'][p, 0, 0],
                              lut['landsat8_tirs__lup'][p, 0, 0],
                              lut['landsat8_tirs__ldown'][p, 0])
    exact = single_channel(lsen, e[:, 0], psi, band.effective_wavelength,
                           t10)
    # with exact atmospheric functions only the Planck linearisation remains
    assert np.sqrt(np.mean((exact - ts)**2)) < 0.3
    fits = single_channel_jm(lsen, e[:, 0], w, brightness_temperature=t10)
    # JM2014 psi fits vs LOWTRAN: documented -1..-2 K bias at w 1-3
    assert np.sqrt(np.mean((fits - ts)**2)) < 3.0
    psi_w = psi_functions(np.array([0.0, 2.0]))
    np.testing.assert_allclose(psi_w[:, 0], [1.01523, 0.20324, -0.27514])
    with pytest.raises(ValueError):
        psi_functions(9.0)


def test_mono_window_coefficient_helpers():
    tau = qin_transmittance(1.0, 'high')
    assert tau == pytest.approx(0.974290 - 0.08007 * 1.0)
    ta = qin_effective_air_temperature(300.0, 'midlatitude_summer')
    assert ta == pytest.approx(16.0110 + 0.92621 * 300.0)
    with pytest.raises(ValueError):
        qin_transmittance(3.5)


def test_mono_window_recovers_ts_from_rte_simulation():
    """Forward RTE under the mono-window assumptions, then retrieve.

    Qin et al. (2001) derive the algorithm from the RTE with
    ``L_up = L_down = (1 - tau) B(Ta)`` and a linearised Planck function of
    TM6 (a, b for 0-70 degC).  We simulate at-sensor radiances with the
    exact monochromatic Planck function at the TM6 effective wavelength
    11.457 um (:data:`single_channel.EFFECTIVE_WAVELENGTH`), known Ts, eps,
    tau (Qin's transmittance fit for w 0.4-3 g cm-2) and Ta (Qin's
    mid-latitude-summer fit of T0 = Ts - 0..10 K), so only the Planck
    linearisation error remains.  Measured: max |error| 0.31 K, RMSE
    0.11 K; tolerance 0.5 K (max) / 0.2 K (RMSE).
    """
    rng = np.random.default_rng(0)
    n = 5000
    lam = EFFECTIVE_WAVELENGTH['landsat5_tm6']
    ts = rng.uniform(283.15, 323.15, n)  # 10-50 degC, inside the a/b range
    eps = rng.uniform(0.95, 0.99, n)
    tau = qin_transmittance(rng.uniform(0.4, 3.0, n), 'high')
    ta = qin_effective_air_temperature(ts - rng.uniform(0, 10, n),
                                       'midlatitude_summer')
    l_atm = (1 - tau) * planck_radiance(lam, ta)
    lsen = tau * (eps * planck_radiance(lam, ts) + (1 - eps) * l_atm) + l_atm
    t6 = planck_bt(lam, lsen)
    err = mono_window(t6, eps, tau, ta) - ts
    assert np.abs(err).max() < 0.5
    assert np.sqrt(np.mean(err**2)) < 0.2


def _aster_sky():
    # a mid-latitude-like sky: 60 % of a 255 K blackbody per band
    aster = get_sensor('aster_tir')
    return aster, np.array([0.6 * b.radiance(255.0) for b in aster.bands])


def test_tes_on_mmd_consistent_spectra_within_atbd_accuracy():
    aster, sky = _aster_sky()
    rng = np.random.default_rng(0)
    beta = rng.uniform(0.97, 1.03, (400, 5))
    beta /= beta.mean(-1, keepdims=True)
    mmd = beta.max(-1) - beta.min(-1)
    eps = beta * (mmd_emin(mmd) / beta.min(-1))[:, None]
    eps = eps[eps.max(-1) <= 1.0]
    ts = rng.uniform(280, 320, len(eps))
    bb = np.stack([b.radiance(ts) for b in aster.bands], -1)
    ls = eps * bb + (1 - eps) * sky
    t_hat, e_hat = tes(ls, sky, aster)
    assert np.abs(t_hat - ts).max() < 1.5
    assert np.abs(e_hat - eps).max() < 0.015


def test_tes_on_library_soils_and_water(emis):
    aster, sky = _aster_sky()
    cls = emis['classes']
    sel = np.isin(cls, ['soil', 'water'])
    eps = emis['aster_tir'][sel].astype(float)
    ts = np.random.default_rng(1).uniform(280, 320, len(eps))
    bb = np.stack([b.radiance(ts) for b in aster.bands], -1)
    t_hat, e_hat = tes(eps * bb + (1 - eps) * sky, sky, aster)
    assert np.sqrt(np.mean((t_hat - ts)**2)) < 1.5
    assert np.sqrt(np.mean((e_hat - eps)**2)) < 0.015


def test_du2015_diagnostics_write_their_tables(tmp_path):
    from groklst.physics.diagnostics import du2015
    res = du2015.compute(5000)
    refit = tmp_path / 'refit.json'
    du2015.save_refit(res, str(refit))
    text = '\n'.join(du2015.markdown_lines(res, 5000))
    assert '"wvc_range"' in refit.read_text()
    for head in ('## 1.', '## 2.', '## 3.', '## 4.'):
        assert head in text
    # a blackbody through warm dry atmospheres: JM2014 within 0.3 K, the
    # published Du coefficients > 1 K warm (docs: +1.55 ... +1.77 K)
    assert len(res['dry']) == 5
    for _, w, ts, d10, dt, e_du, e_jm in res['dry']:
        assert w < 1.5 and ts >= 280 and abs(e_jm) < 0.3 and e_du > 1.0
    # blackbody, no atmosphere: Du 0-2.5 row at 300 K is +1.44 K
    assert res['blackbody'][1][2] == pytest.approx(
        -2.78009 + 1.01408 * 300 - 300, abs=1e-9)


def test_tes_errors_on_the_library_follow_the_mmd_relation(emis):
    # TES's absolute level comes from eps_min(MMD) (Gillespie et al. 1998,
    # Eq. 6).  Library spectra that follow that relation within 0.015 meet
    # the ATBD accuracy; the rest carry the relation's error.  Measured over
    # all natural classes: obeying 0.41 K / 0.0088, not obeying 1.91 K /
    # 0.0386 (groklst.physics.diagnostics.tes, tools/retrieval/tes_diagnostics.py).
    from groklst.physics.diagnostics.tes import run_tes
    natural = np.isin(emis['classes'], ['npv', 'rock', 'soil', 'vegetation',
                                        'water'])
    res = run_tes(emis['aster_tir'][natural].astype(float))
    ok = np.abs(res['rel']) <= 0.015
    assert 0.3 < ok.mean() < 0.9
    rmse = (lambda x: np.sqrt(np.mean(x**2)))
    assert rmse(res['ts_err'][ok]) < 1.5 and rmse(res['eps_err'][ok]) < 0.015
    assert rmse(res['eps_err'][~ok]) > 0.015
    # the emissivity error of a spectrum tracks its relation error
    mean_err = res['eps_err'].mean(-1)
    assert np.corrcoef(mean_err, res['rel'])[0, 1] > 0.8


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


def test_committed_du2015_refit_table_matches_a_fresh_fit():
    # data/tables/du2015_lowtran_refit.json is made by
    # tools/retrieval/du2015_diagnostics.py from the committed LUT
    import os.path as osp
    from groklst.physics.algorithms.split_window import load_du2015_table
    from groklst.physics.diagnostics.du2015 import landsat8_samples
    from tests.fixtures.paths import ROOT as root
    committed = load_du2015_table(
        osp.join(root, 'data', 'tables', 'du2015_lowtran_refit.json'))
    s = landsat8_samples(40000, 0)
    fresh = fit_split_window_du2015(s['t10'], s['t11'], s['e10'], s['e11'],
                                    s['lst'], s['w'])
    assert list(committed) == list(fresh)
    for key in fresh:
        np.testing.assert_allclose(committed[key], fresh[key], rtol=1e-6,
                                   atol=1e-6)
    # and it retrieves held-out simulations without the published bias
    test = landsat8_samples(20000, 1)
    err = split_window(test['t10'], test['t11'], test['e10'], test['e11'],
                       test['w'], 'du2015', coefficients=committed) - \
        test['lst']
    assert abs(err.mean()) < 0.05 and np.sqrt(np.mean(err**2)) < 0.4
