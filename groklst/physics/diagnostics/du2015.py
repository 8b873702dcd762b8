"""Locate the Du et al. (2015) split-window bias on our LOWTRAN simulations.

Du, Ren, Qin, Meng & Zhao (2015), Remote Sens. 7(1):647-665, fitted their
split window (Eq. 2) per water-vapour sub-range on TIGR/MODTRAN 5.2
simulations and report fit RMSEs of 0.34-0.93 K (Table 1).  On our
LOWTRAN7/ECMWF simulations the published coefficients are biased warm.
This module separates the candidate causes:

1. the published Du and Jiménez-Muñoz et al. (2014) coefficient sets on the
   *same* brightness temperatures, per water-vapour bin;
2. both on a blackbody seen through no atmosphere (T10 = T11 = Ts, e = 1),
   where any radiative-transfer model agrees;
3. equation conventions (sign of d_eps, band order, halved difference);
4. Du's functional form refitted by least squares to our simulations
   (:func:`groklst.physics.algorithms.split_window.fit_split_window_du2015`)
   on one seed and scored on another.

Samples: ``groklst.simulation.simulate`` for Landsat-8 TIRS, nadir, no
noise, soil/vegetation/water spectra with band emissivity >= 0.95,
Ts = T_air - 5 ... + 15 K, every LUT profile, then w <= 6.3 g cm-2 (Du's
range). Document: ``docs/physics/du2015_diagnostics.md``; refitted
coefficients: ``data/tables/du2015_lowtran_refit.json``.
"""

from __future__ import annotations

import time

import numpy as np

from groklst.physics.algorithms.split_window import (DU2015_COEFFICIENTS, du2015_coefficients,
                                                     du2015_terms, fit_split_window_du2015,
                                                     save_du2015_table, split_window_du2015,
                                                     split_window_jm2014)
from groklst.physics.atmosphere import load_lut
from groklst.physics.emissivity import load_emissivity_table
from groklst.physics.rte import rte_forward
from groklst.physics.srf import get_sensor
from groklst.simulation.simulator import SimulationConfig, simulate

#: Largest water-vapour column of Du's fits (g cm-2).
W_MAX = 6.3
#: Water-vapour bins of the tables (g cm-2).
BINS = [(0.0, 1.0), (1.0, 2.5), (2.5, 4.5), (4.5, 6.3)]


def landsat8_samples(n: int, seed: int, lut=None, emis=None) -> dict:
    """Noise-free nadir Landsat-8 samples with w <= 6.3 g cm-2.

    Returns:
        dict of (M,) arrays ``t10, t11, e10, e11, w, lst`` (K, g cm-2).
    """
    cfg = SimulationConfig(
        sensor='landsat8_tirs', n_samples=n, seed=seed,
        surface_classes=('soil', 'vegetation', 'water'),
        min_emissivity=0.95, view_angle_range=(0.0, 0.0), noise=False)
    sim = simulate(cfg, lut, emis)
    keep = sim['wvc'] <= W_MAX
    return {'t10': sim['bt_clean'][keep, 0], 't11': sim['bt_clean'][keep, 1],
            'e10': sim['lse'][keep, 0], 'e11': sim['lse'][keep, 1],
            'w': sim['wvc'][keep], 'lst': sim['lst'][keep]}


def _du_variant(s: dict, swap: bool = False, flip_de: bool = False,
                halve: bool = True) -> np.ndarray:
    """Published Du coefficients with one convention changed."""
    t10, t11, e10, e11 = s['t10'], s['t11'], s['e10'], s['e11']
    if swap:
        t10, t11, e10, e11 = t11, t10, e11, e10
    terms = du2015_terms(t10, t11, e10, e11)
    if flip_de:
        terms[:, [3, 6]] *= -1
    if not halve:
        terms[:, 4:7] *= 2
    b = du2015_coefficients(s['w'])
    return np.einsum('nk,kn->n', terms, b)


def _stats(err: np.ndarray) -> tuple[float, float]:
    return float(err.mean()), float(np.sqrt(np.mean(err**2)))


def _driest_blackbodies(lut: dict, k: int = 5, t_min: float = 280.0
                        ) -> list:
    """A blackbody at the surface air temperature seen at nadir through the
    ``k`` driest real LUT profiles with a surface air temperature of at
    least ``t_min`` K: ``(profile, w, Ts, Ts - T10, T10 - T11, Du error,
    JM2014 error)``."""
    sensor = get_sensor('landsat8_tirs')
    real = np.nonzero((lut['kind'] == 'real') & (lut['t_air'] >= t_min))[0]
    rows = []
    for p in real[np.argsort(lut['wvc'][real])[:k]]:
        ts = np.array([float(lut['t_air'][p])])
        bt = [band.brightness_temperature(rte_forward(
            band.planck, ts, 1.0, lut['landsat8_tirs__tau'][p, 0, j],
            lut['landsat8_tirs__lup'][p, 0, j],
            lut['landsat8_tirs__ldown'][p, j]))
              for j, band in enumerate(sensor.bands)]
        one = np.ones(1)
        w = np.array([float(lut['wvc'][p])])
        du = split_window_du2015(bt[0], bt[1], one, one, w)[0]
        jm = split_window_jm2014(bt[0], bt[1], one, one, w)[0]
        rows.append((str(lut['profile'][p]), w[0], ts[0],
                     float(ts[0] - bt[0][0]), float(bt[0][0] - bt[1][0]),
                     float(du - ts[0]), float(jm - ts[0])))
    return rows


def compute(n: int = 40000) -> dict:
    """All four studies on ``n`` samples drawn per seed (fit: seed 0, test: seed 1).

    Returns:
        dict with ``test`` (samples of :func:`landsat8_samples`), the LST estimates ``du``,
        ``jm`` and ``du_refit`` (K) on them, ``refit`` (coefficients per sub-range, as
        :data:`DU2015_COEFFICIENTS`), ``sub_refit`` (sub-range -> (n, test RMSE K)), the rows of
        ``blackbody``, ``dry`` and ``variants`` (name, (bias, RMSE) K), ``n_fit`` and
        ``seconds``.
    """
    lut, emis = load_lut(), load_emissivity_table()
    t0 = time.perf_counter()
    fit_s = landsat8_samples(n, 0, lut, emis)
    test_s = landsat8_samples(n, 1, lut, emis)
    args = lambda s: (s['t10'], s['t11'], s['e10'], s['e11'])  # noqa: E731
    du = split_window_du2015(*args(test_s), test_s['w'])
    jm = split_window_jm2014(*args(test_s), test_s['w'])
    refit = fit_split_window_du2015(*args(fit_s), fit_s['lst'], fit_s['w'])
    du_refit = split_window_du2015(*args(test_s), test_s['w'],
                                   coefficients=refit)
    sub_refit = {}
    for key in DU2015_COEFFICIENTS:
        m = (test_s['w'] >= key[0]) & (test_s['w'] <= key[1])
        b = np.asarray(refit[key][:8])
        est = du2015_terms(*(a[m] for a in args(test_s))) @ b
        sub_refit[key] = (int(m.sum()), _stats(est - test_s['lst'][m])[1])
    blackbody = []
    for t in (270.0, 300.0, 320.0):
        one = np.array([t])
        row = [t]
        for wvc in (None, np.array([0.0])):
            row.append(float(split_window_du2015(one, one, 1.0 + 0 * one,
                                                 1.0 + 0 * one, wvc)[0] - t))
        row.append(float(split_window_jm2014(one, one, 1.0 + 0 * one,
                                             1.0 + 0 * one, 0.0)[0] - t))
        blackbody.append(row)
    dry = _driest_blackbodies(lut)
    variants = [(name, _stats(_du_variant(test_s, **kw) - test_s['lst']))
                for name, kw in [
                    ('as coded (Eq. 2, d_eps = e10 - e11, halved T10 - T11)',
                     {}),
                    ('d_eps sign flipped', {'flip_de': True}),
                    ('bands swapped (T11 - T10, e11 - e10)', {'swap': True}),
                    ('T10 - T11 not halved', {'halve': False})]]
    return {'test': test_s, 'du': du, 'jm': jm, 'refit': refit,
            'du_refit': du_refit, 'sub_refit': sub_refit,
            'blackbody': blackbody, 'dry': dry, 'variants': variants,
            'n_fit': fit_s['lst'].size, 'seconds': time.perf_counter() - t0}


def markdown_lines(res: dict, n: int) -> list:
    """The document of :func:`compute` (``n`` samples drawn per seed), as markdown lines."""
    s = res['test']
    lines = [
        '# Du et al. (2015) split window on LOWTRAN7 simulations: where the '
        'bias is', '',
        'Generated by `.venv/bin/python tools/retrieval/du2015_diagnostics.py`'
        f' ({res["seconds"]:.0f} s). Samples: `simulate()` for Landsat-8 '
        'TIRS, nadir, no noise, soil/vegetation/water with band emissivity '
        '>= 0.95, Ts = T_air - 5 ... + 15 K, all LUT profiles, kept where '
        f'w <= {W_MAX} g cm-2: {res["n_fit"]} fit samples (seed 0) and '
        f'{s["lst"].size} test samples (seed 1) of {n} drawn each.', '',
        '## 1. Published coefficient sets on the same brightness temperatures',
        '',
        '| w (g cm-2) | n | Du 2015 bias / RMSE (K) | JM2014 bias / RMSE (K) '
        '| mean Du - JM (K) | mean T10 - T11 (K) |',
        '|---|---:|---:|---:|---:|---:|']
    for lo, hi in BINS + [(0.0, W_MAX)]:
        m = (s['w'] >= lo) & (s['w'] <= hi if hi == W_MAX else s['w'] < hi)
        bd, rd = _stats(res['du'][m] - s['lst'][m])
        bj, rj = _stats(res['jm'][m] - s['lst'][m])
        name = 'all' if (lo, hi) == (0.0, W_MAX) else f'{lo:g}-{hi:g}'
        lines.append(
            f'| {name} | {m.sum()} | {bd:+.2f} / {rd:.2f} | {bj:+.2f} / '
            f'{rj:.2f} | {np.mean(res["du"][m] - res["jm"][m]):+.2f} | '
            f'{np.mean(s["t10"][m] - s["t11"][m]):.2f} |')
    lines += [
        '', '## 2. Blackbody, no atmosphere (T10 = T11 = Ts, e10 = e11 = 1)',
        '', 'Any radiative-transfer model gives T10 = T11 = Ts here; the '
        'correct retrieval is Ts.', '',
        '| Ts (K) | Du all-range row, error (K) | Du 0-2.5 row (w = 0), '
        'error (K) | JM2014 (w = 0), error (K) |', '|---:|---:|---:|---:|']
    for t, a, b, c in res['blackbody']:
        lines.append(f'| {t:.0f} | {a:+.2f} | {b:+.2f} | {c:+.2f} |')
    lines += ['', 'The same blackbody (Ts = surface air temperature) seen '
              'through the five driest real profiles of the LOWTRAN LUT with a '
              'surface air temperature of at least 280 K:', '',
              '| profile | w (g cm-2) | Ts (K) | Ts - T10 (K) | T10 - T11 (K) '
              '| Du error (K) | JM2014 error (K) |',
              '|---|---:|---:|---:|---:|---:|---:|']
    for name, w, ts, d10, dt, e_du, e_jm in res['dry']:
        lines.append(f'| {name} | {w:.2f} | {ts:.1f} | {d10:.2f} | '
                     f'{dt:.2f} | {e_du:+.2f} | {e_jm:+.2f} |')
    lines += ['', '## 3. Equation conventions (published Du coefficients, '
              'test samples)', '', '| convention | bias (K) | RMSE (K) |',
              '|---|---:|---:|']
    for name, (b, r) in res['variants']:
        lines.append(f'| {name} | {b:+.2f} | {r:.2f} |')
    lines += ['', '## 4. Du\'s form refitted to our simulations', '',
              'Least squares per sub-range on the seed-0 samples '
              '(`fit_split_window_du2015`), scored on the seed-1 samples of '
              'the same sub-range.', '',
              '| sub-range (g cm-2) | published fit RMSE (K) | refit, fit '
              'RMSE (K) | refit, test n | refit, test RMSE (K) |',
              '|---|---:|---:|---:|---:|']
    for key, pub in DU2015_COEFFICIENTS.items():
        nt, rt = res['sub_refit'][key]
        lines.append(f'| {key[0]:g}-{key[1]:g} | {pub[8]:.2f} | '
                     f'{res["refit"][key][8]:.2f} | {nt} | {rt:.2f} |')
    bd, rd = _stats(res['du'] - s['lst'])
    br, rr = _stats(res['du_refit'] - s['lst'])
    lines += ['', f'With the sub-range selection of `split_window_du2015`: '
              f'published coefficients bias {bd:+.2f} K, RMSE {rd:.2f} K; '
              f'refitted coefficients bias {br:+.2f} K, RMSE {rr:.2f} K.', '',
              'Coefficients b0..b7 (published | refitted):', '',
              '| sub-range | ' + ' | '.join(f'b{k}' for k in range(8)) + ' |',
              '|---|' + '---:|' * 8]
    for key, pub in DU2015_COEFFICIENTS.items():
        for label, row in (('published', pub), ('refit', res['refit'][key])):
            lines.append(f'| {key[0]:g}-{key[1]:g} {label} | ' + ' | '.join(
                f'{v:.4f}' for v in row[:8]) + ' |')
    lines.append('')
    return lines


def save_refit(res: dict, path: str) -> None:
    """Write the refitted coefficients of :func:`compute` to ``path`` (JSON of
    :func:`~groklst.physics.algorithms.split_window.save_du2015_table`, loadable by
    ``load_du2015_table``), naming how they were made."""
    save_du2015_table(
        res['refit'], path,
        source=f'Du et al. (2015) Eq. 2 refitted by least squares '
               f'(fit_split_window_du2015) to {res["n_fit"]} noise-free nadir '
               f'LOWTRAN7 samples (simulate seed 0, w <= {W_MAX} g cm-2); made '
               f'by tools/retrieval/du2015_diagnostics.py')
