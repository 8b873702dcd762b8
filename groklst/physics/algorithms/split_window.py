"""Split-window LST algorithm of Jiménez-Muñoz et al. (2014) for Landsat-8.

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

__all__ = ['JM2014_COEFFICIENTS', 'WVC_RANGE', 'split_window_jm2014']

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

#: Water-vapour columns (g cm-2) accepted by :func:`split_window_jm2014`.  The
#: coefficients were fitted for terrestrial atmospheres; columns beyond ~8
#: g cm-2 do not occur on Earth and indicate a unit error (e.g. kg m-2 = mm).
WVC_RANGE = (0.0, 8.0)


def split_window_jm2014(bt10, bt11, emis10, emis11, wvc,
                        coefficients: dict | None = None) -> np.ndarray:
    """Land surface temperature by the Jiménez-Muñoz et al. 2014 split window.

    Args:
        bt10: TIRS band 10 at-sensor brightness temperature in K, shape S.
        bt11: TIRS band 11 brightness temperature in K, shape S.
        emis10: Band 10 surface emissivity (unitless), shape S.
        emis11: Band 11 surface emissivity (unitless), shape S.
        wvc: Total column water vapour in g cm-2: a scalar or an array of
            shape S, all finite values within :data:`WVC_RANGE` (0-8).
        coefficients: Optional override of :data:`JM2014_COEFFICIENTS`
            (keys ``c0``..``c6``).

    Returns:
        float64 LST in K of shape S.  NaN inputs propagate to NaN.

    Raises:
        ValueError: shapes differ; ``wvc`` is non-finite or outside 0-8
            g cm-2; finite emissivities outside (0, 1]; finite brightness
            temperatures <= 0 K; missing coefficients.
    """
    t10 = np.asarray(bt10, dtype=np.float64)
    t11 = np.asarray(bt11, dtype=np.float64)
    e10 = np.asarray(emis10, dtype=np.float64)
    e11 = np.asarray(emis11, dtype=np.float64)
    shapes = {'bt10': t10.shape, 'bt11': t11.shape, 'emis10': e10.shape,
              'emis11': e11.shape}
    if len(set(shapes.values())) != 1:
        raise ValueError(f'split_window_jm2014: input shapes differ: {shapes}')
    w = np.asarray(wvc, dtype=np.float64)
    if w.ndim and w.shape != t10.shape:
        raise ValueError(f'split_window_jm2014: wvc must be a scalar or have '
                         f'shape {t10.shape}, got {w.shape}')
    lo, hi = WVC_RANGE
    if not np.all(np.isfinite(w)) or np.any(w < lo) or np.any(w > hi):
        raise ValueError(
            f'split_window_jm2014: water-vapour column must be finite and in '
            f'[{lo}, {hi}] g cm-2; got min {np.min(w)!r}, max {np.max(w)!r}')
    for name, e in (('emis10', e10), ('emis11', e11)):
        finite = e[np.isfinite(e)]
        if finite.size and (finite.min() <= 0 or finite.max() > 1):
            raise ValueError(f'split_window_jm2014: {name} must lie in '
                             f'(0, 1]; got range [{finite.min()}, '
                             f'{finite.max()}]')
    for name, t in (('bt10', t10), ('bt11', t11)):
        finite = t[np.isfinite(t)]
        if finite.size and finite.min() <= 0:
            raise ValueError(f'split_window_jm2014: {name} must be > 0 K '
                             f'(brightness temperature in kelvin); got '
                             f'minimum {finite.min()}')
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
