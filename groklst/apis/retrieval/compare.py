"""Learned vs classical LST retrievals on one real scene: consistency statistics, no truth.

On a Landsat-8/9 Level-1 scene, every learned retriever (shipped ``mlp``, ``pinn``, ``sftl``)
and the two classical algorithms -- split window (Jiménez-Muñoz et al. 2014) and single
channel (JM 2014 psi), the references -- run on the same inputs (one documented
scene-wide water-vapour column, view zenith 0 deg, NDVI-threshold emissivities, the quality-band
mask), window by window (:func:`~.engine.retrieval_windows`). On the pixels every method
retrieved, the per-pixel difference ``d = LST_method - LST_reference`` (each learned model
against each reference, and single channel against split window) is summarised overall and
by NDVI class (water < 0 <= bare soil < 0.2 <= mixed <= 0.5 < vegetation: the classes of the
NDVI-threshold emissivity, Sobrino et al. 2008): median of d, IQR of d (p75 - p25), p95 of |d|,
and the fraction of those pixels the learned model flags outside its training domain. The
statistics come from 0.01 K histograms accumulated per window (exact to 0.01 K, memory
independent of the scene size; differences beyond +-100 K fall in the end bins).

There is no ground truth: the table measures how far the methods agree, not which is right.
A small difference means the learned model behaves like the algorithm on this scene; a large
one says that at least one of them is off, and the out-of-domain fraction says how much of the
scene the model never saw in training.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from ...physics.emissivity import NDVI_SOIL, NDVI_VEGETATION, NDVI_WATER
from .engine import DEFAULT_WINDOW, build_method, retrieval_windows
from .inputs import ImageInputs
from .methods import QA_OUT_OF_DOMAIN, SingleChannelMethod, SplitWindowMethod

__all__ = ['NDVI_CLASSES', 'REFERENCES', 'REFERENCE', 'ndvi_class', 'DiffHistogram',
           'compare_on_scene', 'comparison_table', 'comparison_panel']

#: NDVI classes of the comparison, those of the NDVI-threshold emissivity
#: (:func:`~groklst.physics.emissivity.ndvi_threshold_emissivity`): (name, low, high) with
#: water NDVI < 0 <= bare soil < 0.2 <= mixed <= 0.5 < vegetation.
NDVI_CLASSES = (('water', -math.inf, NDVI_WATER), ('bare soil', NDVI_WATER, NDVI_SOIL),
                ('mixed', NDVI_SOIL, NDVI_VEGETATION), ('vegetation', NDVI_VEGETATION, math.inf))
#: The classical retrievals every learned model is compared with (first: the panel's reference).
REFERENCES = ('split_window', 'single_channel')
REFERENCE = REFERENCES[0]


def ndvi_class(nd: np.ndarray) -> np.ndarray:
    """Index into :data:`NDVI_CLASSES` per pixel (-1 where NDVI is NaN)."""
    out = np.full(nd.shape, -1, np.int8)
    out[nd < NDVI_WATER] = 0
    out[(nd >= NDVI_WATER) & (nd < NDVI_SOIL)] = 1
    out[(nd >= NDVI_SOIL) & (nd <= NDVI_VEGETATION)] = 2
    out[nd > NDVI_VEGETATION] = 3
    return out


class DiffHistogram:
    """Histograms of differences d (0.01 K bins over +-100 K) and of |d|, with their quantiles.

    Example: ``h.add(d); h.stats()`` -> ``{'n', 'median', 'iqr', 'p95_abs'}`` (K).
    """

    STEP, LIMIT = 0.01, 100.0

    def __init__(self) -> None:
        n = int(round(2 * self.LIMIT / self.STEP))
        self.signed = np.zeros(n, np.int64)
        self.absolute = np.zeros(n // 2, np.int64)
        self.ood = 0

    def add(self, d: np.ndarray, ood: Optional[np.ndarray] = None) -> None:
        d = d[np.isfinite(d)]
        i = np.clip(np.floor((d + self.LIMIT) / self.STEP).astype(np.int64), 0,
                    self.signed.size - 1)
        self.signed += np.bincount(i, minlength=self.signed.size)
        j = np.clip(np.floor(np.abs(d) / self.STEP).astype(np.int64), 0,
                    self.absolute.size - 1)
        self.absolute += np.bincount(j, minlength=self.absolute.size)
        if ood is not None:
            self.ood += int(np.count_nonzero(ood))

    @staticmethod
    def _quantile(hist: np.ndarray, q: float, lo: float, step: float) -> float:
        """The nearest-rank q-quantile of the binned values (the ceil(q n)-th smallest value),
        as the centre of its 0.01 K bin."""
        k = int(np.searchsorted(np.cumsum(hist), q * hist.sum()))
        return lo + (min(k, hist.size - 1) + 0.5) * step

    def stats(self) -> Dict[str, float]:
        n = int(self.signed.sum())
        if n == 0:
            return dict(n=0, median=math.nan, iqr=math.nan, p95_abs=math.nan,
                        ood_fraction=math.nan)
        q = [self._quantile(self.signed, p, -self.LIMIT, self.STEP) for p in (0.25, 0.5, 0.75)]
        return dict(n=n, median=q[1], iqr=q[2] - q[0],
                    p95_abs=self._quantile(self.absolute, 0.95, 0.0, self.STEP),
                    ood_fraction=self.ood / n)


def compare_on_scene(inputs: ImageInputs, learned: Sequence[str] = ('mlp', 'pinn', 'sftl'),
                     window: int = DEFAULT_WINDOW, preview: int = 600,
                     log: Callable[[str], None] = print) -> dict:
    """Every learned model against both classical retrievals, and the two against each other.

    Args:
        inputs: Scene inputs providing the Landsat-8 B10 / B11 inputs and ``ndvi``
            (:class:`~.inputs.Landsat8L1Inputs`).
        learned: Shipped learned methods to compare (those of
            :data:`~.weights.SHIPPED_METHODS` that run on B10 / B11).
        window: Window size in px.
        preview: Longest side (px) of the maps kept for the panel (every k-th pixel).

    Returns:
        ``dict(rows=[{method, reference, ndvi_class, n, median, iqr, p95_abs, ood_fraction}],
        maps={name: (h', w') float32 decimated LST}, ood={name: bool map}, ndvi_class=(h', w'),
        pixels, compared, methods=[names])``; rows for every learned model against
        ``split_window`` and ``single_channel`` and for ``single_channel`` against
        ``split_window``, each overall (``'all'``) and per NDVI class.

    Raises:
        ValueError: an unknown method; the errors of the inputs.
    """
    methods = [SplitWindowMethod(), SingleChannelMethod()] + \
        [build_method(n, log=log) for n in learned]
    names = [m.name for m in methods]
    pairs = [(n, r) for n in names[2:] for r in REFERENCES] + [(names[1], names[0])]
    classes = ['all'] + [k[0] for k in NDVI_CLASSES]
    hists = {(n, r, c): DiffHistogram() for n, r in pairs for c in classes}
    g = inputs.grid
    step = max(1, math.ceil(max(g.shape) / preview))
    small = (math.ceil(g.height / step), math.ceil(g.width / step))
    maps = {n: np.full(small, np.nan, np.float32) for n in names}
    ood_maps = {n: np.zeros(small, bool) for n in names}
    cls_map = np.full(small, -1, np.int8)
    compared = 0
    for win, results, values in retrieval_windows(inputs, methods, window, extra=['ndvi'],
                                                  log=log):
        lst = {n: results[n][0][0] for n in names}
        ood = {n: (results[n][1] & QA_OUT_OF_DOMAIN) > 0 for n in names}
        both = np.logical_and.reduce([np.isfinite(v) for v in lst.values()])
        cls = ndvi_class(values['ndvi'])
        compared += int(both.sum())
        for n, r in pairs:
            d = lst[n] - lst[r]
            hists[(n, r, 'all')].add(d[both], ood[n][both])
            for k, cname in enumerate(classes[1:]):
                sel = both & (cls == k)
                hists[(n, r, cname)].add(d[sel], ood[n][sel])
        r0, c0 = int(win.row_off), int(win.col_off)
        rows = np.arange(r0 + (-r0) % step, r0 + int(win.height), step)
        cols = np.arange(c0 + (-c0) % step, c0 + int(win.width), step)
        if rows.size and cols.size:
            ix = np.ix_(rows - r0, cols - c0)
            out = np.ix_(rows // step, cols // step)
            for n in names:
                maps[n][out] = np.where(both[ix], lst[n][ix], np.nan)
                ood_maps[n][out] = ood[n][ix] & both[ix]
            cls_map[out] = np.where(both[ix], cls[ix], -1)
    rows_out = []
    for n, r in pairs:
        for cname in classes:
            st = hists[(n, r, cname)].stats()
            if n in REFERENCES:
                st['ood_fraction'] = math.nan  # classical: no training domain
            rows_out.append(dict(method=n, reference=r, ndvi_class=cname, **st))
    log(f'compared {compared} px retrieved by every method ({", ".join(names)}) of '
        f'{g.height * g.width}')
    return dict(rows=rows_out, maps=maps, ood=ood_maps, ndvi_class=cls_map, step=step,
                pixels=g.height * g.width, compared=compared, methods=names)


def comparison_table(result: dict) -> str:
    """Markdown: the overall table (median, IQR, p95 of |d| in K; out-of-domain share of the
    learned model) and the same by NDVI class (``median / IQR / p95`` per cell)."""
    classes = [k[0] for k in NDVI_CLASSES]
    overall = [r for r in result['rows'] if r['ndvi_class'] == 'all']
    lines = ['| method | reference | n px | median d (K) | IQR d (K) | p95 abs(d) (K) | '
             'out of domain |', '|---|---|---|---|---|---|---|']
    for r in overall:
        ood = '-' if math.isnan(r['ood_fraction']) else f'{100 * r["ood_fraction"]:.2f} %'
        lines.append(f'| {r["method"]} | {r["reference"]} | {r["n"]} | {r["median"]:+.2f} | '
                     f'{r["iqr"]:.2f} | {r["p95_abs"]:.2f} | {ood} |')
    n_cls = {c: next(r['n'] for r in result['rows'] if r['ndvi_class'] == c) for c in classes}
    lines += ['', '| method − reference | ' + ' | '.join(
        f'{c} (n {n_cls[c]})' for c in classes) + ' |', '|---|' + '---|' * len(classes)]
    for r in overall:
        cells = []
        for c in classes:
            row = next(x for x in result['rows'] if (x['method'], x['reference'],
                                                      x['ndvi_class']) ==
                       (r['method'], r['reference'], c))
            cells.append('-' if row['n'] == 0 else
                         f'{row["median"]:+.2f} / {row["iqr"]:.2f} / {row["p95_abs"]:.2f}')
        lines.append(f'| {r["method"]} − {r["reference"]} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def comparison_panel(result: dict, path: str, title: str = '') -> str:
    """PNG: the LST maps of every method, their differences to the split window, the NDVI
    classes and each learned model's out-of-domain pixels (decimated for display)."""
    from ...visualization.panels import save_map_grid
    names = result['methods']
    panels: List[dict] = [dict(title=f'{n} LST', data=result['maps'][n], kind='lst')
                          for n in names]
    panels += [dict(title='NDVI class', data=result['ndvi_class'], kind='class',
                    labels=[c[0] for c in NDVI_CLASSES],
                    colors=['#2c7bb6', '#a6611a', '#dfc27d', '#1a9641'])]
    panels += [dict(title=f'{n} − split window', data=result['maps'][n] -
                    result['maps'][REFERENCE], kind='diff') for n in names[1:]]
    share = {r['method']: r['ood_fraction'] for r in result['rows']
             if r['ndvi_class'] == 'all' and r['reference'] == REFERENCE}
    compared = np.isfinite(result['maps'][REFERENCE])
    panels += [dict(title=f'{n} out of domain ({100 * share[n]:.2f} %)',
                    data=np.where(compared, result['ood'][n], np.nan), kind='mask')
               for n in names[2:]]
    return save_map_grid(path, panels, ncols=len(names), title=title)
