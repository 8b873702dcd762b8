"""Split-window LST algorithms for Landsat-8 TIRS (the ONE implementation).

Two coefficient families:

* ``'jm2014'``: Jiménez-Muñoz et al. (2014), :func:`split_window_jm2014`;
* ``'du2015'``: Du et al. (2015), coefficients by water-vapour range
  (:func:`split_window_du2015`).

Callers: the demo-dataset builder
(``groklst.datasets.converters.landsat8_demo``) imports and calls
:func:`split_window_jm2014` directly; the scene retrieval
(``groklst.apis.retrieval``, behind ``tools/retrieve.py``) calls the
dispatcher :func:`split_window` (which, for ``'jm2014'``, calls the same
function).  Both methods validate their inputs with the same
:func:`validate_split_window_inputs`.

Water-vapour range
------------------
Both methods accept a total column water vapour ``0 <= w <= 10`` g cm-2
(:data:`WVC_RANGE`).  The real ECMWF profiles of the committed LOWTRAN
lookup table reach 9.71 g cm-2, so simulated sets contain such columns.
Columns above an algorithm's calibration range are legal inputs but are
extrapolations with larger error: Du et al. (2015) fitted 0-6.3 g cm-2
(their Table 1), and our LOWTRAN/ECMWF check of JM2014 covers
w <= 6.3 g cm-2 only (``tests/physics/test_algorithms.py``).  Negative, NaN,
infinite or > 10 g cm-2 columns raise ``ValueError`` (> 10 g cm-2 does not
occur on Earth and usually means a unit error, e.g. kg m-2 = mm passed as
g cm-2).

Jiménez-Muñoz et al. (2014)
---------------------------

Jiménez-Muñoz, J. C., Sobrino, J. A., Skoković, D., Mattar, C., Cristóbal, J.
(2014), "Land surface temperature retrieval methods from Landsat-8 thermal
infrared sensor data", IEEE Geosci. Remote Sens. Lett. 11(10):1840-1843,
doi:10.1109/LGRS.2014.2312032, split-window equation and its coefficients
(fitted on simulations with the GAPRI atmospheric profile database):

    LST = T10 + c1 (T10 - T11) + c2 (T10 - T11)**2 + c0
          + (c3 + c4 w)(1 - eps) + (c5 + c6 w) d_eps

with ``eps = (eps10 + eps11) / 2``, ``d_eps = eps10 - eps11`` and ``w`` the
total column water vapour in g cm-2.

Coefficients c0..c6 = -0.268, 1.378, 0.183, 54.300, -2.238, -129.200, 16.400.
The letter itself (IEEE, paywalled) could not be opened from this workspace;
the values were checked against two independent public implementations of
this algorithm found by code search (a Google Earth Engine script and a
Jupyter notebook, both quoting Jiménez-Muñoz et al. 2014) which agree digit
for digit with the values above.  The table/equation number in the letter is
therefore not verified here.

Caveat: stray light affects TIRS band 11 more than band 10 in data processed
before the 2017 stray-light correction (this includes pre-collection scenes
such as the demo scene); see Cristóbal et al. (2018), Remote Sens. 10(3):431,
who call split-window retrievals impractical for that reason.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_range

__all__ = ['JM2014_COEFFICIENTS', 'WVC_RANGE', 'split_window_jm2014',
           'validate_split_window_inputs',
           'DU2015_COEFFICIENTS', 'DU2015_N_COEFFICIENTS',
           'du2015_coefficients', 'du2015_terms', 'split_window_du2015',
           'fit_split_window_du2015', 'save_du2015_table',
           'load_du2015_table', 'split_window', 'SPLIT_WINDOW_METHODS']

#: Split-window coefficients of Jiménez-Muñoz et al. (2014), see module
#: docstring; c0 in K, c1 dimensionless, c2 in K-1, c3/c5 in K, c4/c6 in
#: K per g cm-2.
JM2014_COEFFICIENTS = {
    'c0': -0.268,
    'c1': 1.378,
    'c2': 0.183,
    'c3': 54.300,
    'c4': -2.238,
    'c5': -129.200,
    'c6': 16.400,
}

#: Water-vapour columns (g cm-2) accepted by both split-window methods (see
#: the module docstring: above the calibration range = larger error, above
#: 10 g cm-2 = rejected as a likely unit error).
WVC_RANGE = (0.0, 10.0)


def validate_split_window_inputs(where, bt10, bt11, emis10, emis11, wvc,
                                 allow_none_wvc: bool = False):
    """Shared input check of :func:`split_window_jm2014` and
    :func:`split_window_du2015`.

    Returns:
        ``(t10, t11, e10, e11, w)`` as float64 arrays (``w`` is None when
        ``wvc`` is None and ``allow_none_wvc``).

    Raises:
        ValueError: shapes differ; ``wvc`` has the wrong shape, is NaN /
            infinite, negative or > 10 g cm-2; finite emissivities outside
            (0, 1]; finite brightness temperatures <= 0 K.
    """
    t10 = np.asarray(bt10, dtype=np.float64)
    t11 = np.asarray(bt11, dtype=np.float64)
    e10 = np.asarray(emis10, dtype=np.float64)
    e11 = np.asarray(emis11, dtype=np.float64)
    shapes = {'bt10': t10.shape, 'bt11': t11.shape, 'emis10': e10.shape,
              'emis11': e11.shape}
    if len(set(shapes.values())) != 1:
        raise ValueError(f'{where}: input shapes differ: {shapes}')
    if wvc is None and allow_none_wvc:
        w = None
    else:
        if wvc is None:
            raise ValueError(f'{where}: wvc (g cm-2) is required')
        if np.ndim(wvc) and np.shape(wvc) != t10.shape:
            raise ValueError(f'{where}: wvc must be a scalar or have shape '
                             f'{t10.shape}, got {np.shape(wvc)}')
        lo, hi = WVC_RANGE
        w = check_range(wvc, 'water-vapour column wvc', where, low=lo,
                        high=hi, unit='g cm-2',
                        hint='> 10 g cm-2 suggests kg m-2 or mm units')
    for name, e in (('emis10', e10), ('emis11', e11)):
        check_range(e, name, where, low=0.0, high=1.0, low_open=True,
                    allow_nan=True)
    for name, t in (('bt10', t10), ('bt11', t11)):
        check_range(t, name, where, low=0.0, low_open=True, allow_nan=True,
                    unit='K', hint='brightness temperature in kelvin')
    return t10, t11, e10, e11, w


def split_window_jm2014(bt10, bt11, emis10, emis11, wvc,
                        coefficients: dict | None = None) -> np.ndarray:
    """Land surface temperature by the Jiménez-Muñoz et al. 2014 split window.

    Args:
        bt10: TIRS band 10 at-sensor brightness temperature in K, shape S.
        bt11: TIRS band 11 brightness temperature in K, shape S.
        emis10: Band 10 surface emissivity (unitless), shape S.
        emis11: Band 11 surface emissivity (unitless), shape S.
        wvc: Total column water vapour in g cm-2: a scalar or an array of
            shape S, all finite values within :data:`WVC_RANGE` (0-10;
            above ~6 g cm-2 the fit extrapolates, see module docstring).
        coefficients: Optional override of :data:`JM2014_COEFFICIENTS`
            (keys ``c0``..``c6``).

    Returns:
        float64 LST in K of shape S.  NaN inputs propagate to NaN.

    Raises:
        ValueError: shapes differ; ``wvc`` is non-finite or outside 0-10
            g cm-2 (the message names the range and the offending
            value); finite emissivities outside (0, 1]; finite brightness
            temperatures <= 0 K; missing coefficients.
    """
    t10, t11, e10, e11, w = validate_split_window_inputs(
        'split_window_jm2014', bt10, bt11, emis10, emis11, wvc)
    coef = dict(JM2014_COEFFICIENTS)
    if coefficients is not None:
        coef.update(coefficients)
    try:
        c0, c1, c2, c3, c4, c5, c6 = (float(coef[f'c{i}']) for i in range(7))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f'split_window_jm2014: bad coefficients ({exc})') \
            from exc

    diff = t10 - t11
    eps = 0.5 * (e10 + e11)
    deps = e10 - e11
    return (t10 + c1 * diff + c2 * diff**2 + c0 + (c3 + c4 * w) * (1 - eps) +
            (c5 + c6 * w) * deps)


# ---------------------------------------------------------------------------
# Du et al. (2015)
# ---------------------------------------------------------------------------
#: Du, C., Ren, H., Qin, Q., Meng, J., Zhao, S. (2015), "A practical
#: split-window algorithm for estimating land surface temperature from
#: Landsat 8 data", Remote Sens. 7(1):647-665, Table 1 (coefficients b0..b7
#: fitted on TIGR simulations per water-vapour sub-range, with the fit RMSE
#: in K).  Values cross-checked against the transcription of that table in
#: the GRASS GIS add-on i.landsat8.swlst (N. Alexandris) and, in a later
#: re-check, against four further public implementations (all identical),
#: including the Eq. 2 convention de = e10 - e11.  On our LOWTRAN7/ECMWF
#: simulations these coefficients show a warm bias (+1.55 K, RMSE 1.78 K
#: for w <= 6.3) that is not explained by a transcription error or by the
#: radiative-transfer model: a blackbody under a transparent atmosphere
#: already comes out 1.0-1.7 K warm, while Du's form refitted to our
#: simulations (:func:`fit_split_window_du2015`) meets the published fit
#: RMSEs; see docs/physics/README.md, "Du et al. (2015) discrepancy", and
#: tools/retrieval/du2015_diagnostics.py.  Keys are the sub-ranges
#: (g cm-2); the last row is the all-range fit.
DU2015_COEFFICIENTS = {
    (0.0, 2.5): (-2.78009, 1.01408, 0.15833, -0.34991, 4.04487, 3.55414,
                 -8.88394, 0.09152, 0.34),
    (2.0, 3.5): (11.00824, 0.95995, 0.17243, -0.28852, 7.11492, 0.42684,
                 -6.62025, -0.06381, 0.60),
    (3.0, 4.5): (9.62610, 0.96202, 0.13834, -0.17262, 7.87883, 5.17910,
                 -13.26611, -0.07603, 0.71),
    (4.0, 5.5): (0.61258, 0.99124, 0.10051, -0.09664, 7.85758, 6.86626,
                 -15.00742, -0.01185, 0.86),
    (5.0, 6.3): (-0.34808, 0.98123, 0.05599, -0.03518, 11.96444, 9.06710,
                 -14.74085, -0.20471, 0.93),
    (0.0, 6.3): (-0.41165, 1.00522, 0.14543, -0.27297, 4.06655, -6.92512,
                 -18.27461, 0.24468, 0.87),
}
#: Number of Du et al. (2015) coefficients b0..b7 (the tables' 9th entry is
#: the fit RMSE in K).
DU2015_N_COEFFICIENTS = 8


def _du2015_table(table) -> tuple[list, np.ndarray, np.ndarray]:
    """Split a Du-style coefficient table into its water-vapour sub-ranges
    and its all-range row.

    ``table`` maps ``(lo, hi)`` g cm-2 to ``(b0, ..., b7[, rmse])``; the
    all-range row is the key spanning every other key (it must exist).  A
    one-row table is its own sub-range and all-range row.

    Returns:
        ``(subranges, sub_rows (S, 8), all_row (8,))``.

    Raises:
        ValueError: empty table, no all-range key, or a row with fewer
            than 8 coefficients.
    """
    keys = [(float(lo), float(hi)) for lo, hi in table]
    if not keys:
        raise ValueError('a Du (2015) coefficient table needs at least one '
                         'water-vapour range; found an empty table')
    lo_all = min(k[0] for k in keys)
    hi_all = max(k[1] for k in keys)
    if (lo_all, hi_all) not in keys:
        raise ValueError(
            f'a Du (2015) coefficient table needs water-vapour sub-ranges '
            f'plus one all-range key ({lo_all}, {hi_all}) spanning them; '
            f'found keys {sorted(keys)}')
    rows = {}
    for key, row in zip(keys, table.values()):
        row = np.asarray(row, dtype=np.float64)
        if row.ndim != 1 or row.size < DU2015_N_COEFFICIENTS:
            raise ValueError(
                f'Du (2015) coefficients for {key} g cm-2 need at least '
                f'{DU2015_N_COEFFICIENTS} values b0..b7; found shape '
                f'{row.shape}')
        rows[key] = row[:DU2015_N_COEFFICIENTS]
    subs = [k for k in keys if k != (lo_all, hi_all)] or keys
    return subs, np.stack([rows[k] for k in subs]), rows[(lo_all, hi_all)]


def du2015_coefficients(wvc, table=None) -> np.ndarray:
    """Per-pixel Du et al. (2015) coefficients b0..b7, shape
    ``(8,) + wvc.shape``.

    A column inside several overlapping sub-ranges takes the sub-range
    whose centre is nearest (ties: the lower one).  ``wvc=None`` or NaN
    takes the all-range row (``[0, 6.3]`` for the published table);
    columns above the all-range upper limit take the top sub-range
    (extrapolation, flagged by Du et al. as outside the fit).

    Args:
        wvc: Column water vapour (g cm-2), scalar or any shape, within
            :data:`WVC_RANGE`, NaN allowed; or None.
        table: Coefficient table keyed by water-vapour sub-range, as
            :data:`DU2015_COEFFICIENTS` (the default) or the output of
            :func:`fit_split_window_du2015`.

    Raises:
        ValueError: ``wvc`` outside :data:`WVC_RANGE`; a malformed table
            (see :func:`_du2015_table`).
    """
    subs, sub_rows, all_row = _du2015_table(
        DU2015_COEFFICIENTS if table is None else table)
    if wvc is None:
        return all_row.copy()
    w = check_range(wvc, 'water-vapour column wvc', 'du2015_coefficients',
                    low=WVC_RANGE[0], high=WVC_RANGE[1], allow_nan=True,
                    unit='g cm-2')
    lows = np.array([k[0] for k in subs])
    highs = np.array([k[1] for k in subs])
    centres = (lows + highs) / 2
    wc = np.clip(w, lows.min(), highs.max())
    inside = (wc[..., None] >= lows) & (wc[..., None] <= highs)
    dist = np.where(inside, np.abs(wc[..., None] - centres), np.inf)
    out = np.moveaxis(sub_rows[np.argmin(dist, axis=-1)], -1, 0)
    nan = ~np.isfinite(w)
    if np.any(nan):
        out = np.where(nan[None], all_row.reshape((-1,) + (1,) * w.ndim),
                       out)
    return out


def du2015_terms(t10, t11, e10, e11) -> np.ndarray:
    """Regressors of the Du et al. (2015, Eq. 2) split window, shape
    ``S + (8,)``: ``1, Tm, a Tm, c Tm, Td, a Td, c Td, (T10 - T11)**2`` with
    ``Tm = (T10 + T11)/2``, ``Td = (T10 - T11)/2``, ``a = (1 - e)/e``,
    ``c = de/e**2``, ``e = (e10 + e11)/2``, ``de = e10 - e11``; LST is
    their dot product with b0..b7.  Inputs are float arrays of one shape S
    (BT in K, emissivities in (0, 1]) and are not validated here.
    """
    eps = 0.5 * (e10 + e11)
    a = (1 - eps) / eps
    c = (e10 - e11) / eps**2
    tm = 0.5 * (t10 + t11)
    td = 0.5 * (t10 - t11)
    return np.stack([np.ones_like(tm), tm, a * tm, c * tm, td, a * td,
                     c * td, (t10 - t11)**2], axis=-1)


def split_window_du2015(bt10, bt11, emis10, emis11, wvc=None,
                        coefficients=None) -> np.ndarray:
    """LST (K) by the Du et al. (2015) split window.

    ``LST = b0 + (b1 + b2 (1-e)/e + b3 de/e^2) (T10+T11)/2
    + (b4 + b5 (1-e)/e + b6 de/e^2) (T10-T11)/2 + b7 (T10-T11)^2``
    with ``e = (e10 + e11)/2`` and ``de = e10 - e11`` (Du et al. 2015,
    Eq. 2); coefficients from :func:`du2015_coefficients`.

    Args:
        bt10, bt11: TIRS band 10/11 brightness temperatures (K), shape S.
        emis10, emis11: Band emissivities in (0, 1], shape S.
        wvc: Column water vapour (g cm-2), scalar or shape S, within
            :data:`WVC_RANGE` (0-10; above 6.3 the top sub-range is
            extrapolated), or None for the all-range coefficients.
        coefficients: None for the published table
            (:data:`DU2015_COEFFICIENTS`), or a table of the same layout,
            e.g. refitted to another radiative-transfer model with
            :func:`fit_split_window_du2015`.

    Returns:
        float64 LST in K, shape S (NaN BT/emissivity propagate).

    Raises:
        ValueError: as :func:`validate_split_window_inputs`; a malformed
            ``coefficients`` table.
    """
    t10, t11, e10, e11, w = validate_split_window_inputs(
        'split_window_du2015', bt10, bt11, emis10, emis11, wvc,
        allow_none_wvc=True)
    b = du2015_coefficients(w, coefficients)
    terms = du2015_terms(t10, t11, e10, e11)
    return np.einsum('...k,k...->...', terms, b)


def fit_split_window_du2015(bt10, bt11, emis10, emis11, lst, wvc,
                            subranges=None) -> dict:
    """Least-squares Du et al. (2015) coefficients per water-vapour
    sub-range: the least-squares fit Du et al. (2015) made to their
    TIGR/MODTRAN simulations, applied to simulations of any
    radiative-transfer model (e.g. ours, tools/retrieval/du2015_diagnostics.py).

    Each sub-range (and the all-range row) is fitted by ordinary least
    squares (``numpy.linalg.lstsq``) of ``lst`` on :func:`du2015_terms`
    over the samples with ``lo <= wvc <= hi``.

    Args:
        bt10, bt11: Simulated TIRS B10/B11 brightness temperatures (K),
            shape (N,).
        emis10, emis11: Band emissivities in (0, 1], shape (N,).
        lst: True LST (K), shape (N,).
        wvc: Column water vapour (g cm-2), shape (N,), within
            :data:`WVC_RANGE`.
        subranges: ``(lo, hi)`` pairs in g cm-2 including one all-range
            pair spanning the others; default: the keys of
            :data:`DU2015_COEFFICIENTS`.

    Returns:
        ``{(lo, hi): (b0, ..., b7, rmse)}`` with the fit RMSE in K, usable
        as ``coefficients=`` of :func:`split_window_du2015`.

    Raises:
        ValueError: inputs invalid (see :func:`validate_split_window_inputs`),
            ``lst`` not finite or of another shape, non-finite BT or
            emissivity, or a sub-range with fewer than 9 samples (8
            coefficients need at least 9 for a residual).
    """
    where = 'fit_split_window_du2015'
    t10, t11, e10, e11, w = validate_split_window_inputs(
        where, bt10, bt11, emis10, emis11, wvc)
    y = np.asarray(lst, dtype=np.float64)
    if y.shape != t10.shape:
        raise ValueError(f'{where}: lst must have the brightness '
                         f'temperatures\' shape {t10.shape}; found {y.shape}')
    terms = du2015_terms(t10, t11, e10, e11)
    finite = np.isfinite(terms).all(-1)
    if not (finite.all() and np.isfinite(y).all()):
        raise ValueError(f'{where}: brightness temperatures, emissivities '
                         f'and lst must be finite; '
                         f'{int((~finite).sum() + (~np.isfinite(y)).sum())} '
                         f'non-finite values found')
    keys = list(DU2015_COEFFICIENTS) if subranges is None else [
        (float(lo), float(hi)) for lo, hi in subranges]
    out = {}
    for lo, hi in keys:
        m = (w >= lo) & (w <= hi)
        n = int(m.sum())
        if n <= DU2015_N_COEFFICIENTS:
            raise ValueError(
                f'{where}: water-vapour sub-range [{lo}, {hi}] g cm-2 has '
                f'{n} samples; at least {DU2015_N_COEFFICIENTS + 1} are '
                f'needed to fit {DU2015_N_COEFFICIENTS} coefficients')
        b, *_ = np.linalg.lstsq(terms[m], y[m], rcond=None)
        rmse = float(np.sqrt(np.mean((terms[m] @ b - y[m])**2)))
        out[(lo, hi)] = tuple(float(v) for v in b) + (rmse,)
    _du2015_table(out)  # the same layout check as when it is used
    return out


def save_du2015_table(table: dict, path: str, source: str = '') -> None:
    """Write a Du-style coefficient table (as :data:`DU2015_COEFFICIENTS` or
    the output of :func:`fit_split_window_du2015`) to a JSON file:
    ``{"source": ..., "rows": [{"wvc_range": [lo, hi], "coefficients":
    [b0..b7], "rmse": r | null}, ...]}``.

    Raises:
        ValueError: a malformed table (see :func:`_du2015_table`).
    """
    import json
    _du2015_table(table)
    rows = []
    for (lo, hi), row in table.items():
        row = [float(v) for v in row]
        rows.append({'wvc_range': [float(lo), float(hi)],
                     'coefficients': row[:DU2015_N_COEFFICIENTS],
                     'rmse': row[DU2015_N_COEFFICIENTS]
                     if len(row) > DU2015_N_COEFFICIENTS else None})
    with open(path, 'w') as f:
        json.dump({'source': source, 'rows': rows}, f, indent=1)


def load_du2015_table(path: str) -> dict:
    """Read a table written by :func:`save_du2015_table`.

    Returns:
        ``{(lo, hi): (b0, ..., b7[, rmse])}`` for ``coefficients=`` of
        :func:`split_window_du2015`.

    Raises:
        ValueError: the file is not such a table (message names the file and
            what was expected).
    """
    import json
    try:
        with open(path) as f:
            doc = json.load(f)
        table = {}
        for row in doc['rows']:
            lo, hi = (float(v) for v in row['wvc_range'])
            vals = tuple(float(v) for v in row['coefficients'])
            if row.get('rmse') is not None:
                vals += (float(row['rmse']),)
            table[(lo, hi)] = vals
        _du2015_table(table)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(
            f'{path}: expected a Du (2015) coefficient table (JSON with '
            f'"rows" of "wvc_range" [lo, hi] g cm-2 and 8 "coefficients", '
            f'as written by save_du2015_table); {type(err).__name__}: '
            f'{err}') from err
    return table


SPLIT_WINDOW_METHODS = ('jm2014', 'du2015')


def split_window(bt10, bt11, emis10, emis11, wvc, method: str = 'jm2014',
                 coefficients=None) -> np.ndarray:
    """Landsat-8 split-window LST (K) by ``method`` in
    :data:`SPLIT_WINDOW_METHODS`.  ``wvc`` in g cm-2 (scalar or per pixel,
    0-10, see :func:`validate_split_window_inputs`); ``coefficients``: a
    Du-style table replacing the published one (``'du2015'`` only).

    Raises:
        ValueError: unknown ``method``, ``coefficients`` with ``'jm2014'``,
            or invalid inputs.
    """
    if method == 'jm2014':
        if coefficients is not None:
            raise ValueError("split_window: a coefficient table applies to "
                             "method 'du2015' only, got method 'jm2014'")
        return split_window_jm2014(bt10, bt11, emis10, emis11, wvc)
    if method == 'du2015':
        return split_window_du2015(bt10, bt11, emis10, emis11, wvc,
                                   coefficients)
    raise ValueError(f'unknown split-window method {method!r}; expected one '
                     f'of {SPLIT_WINDOW_METHODS}')
