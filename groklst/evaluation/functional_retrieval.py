"""Accuracy of retrieved LST / LSE over samples (numpy; torch tensors accepted).

Pooled over the ``n`` samples ``i`` with predictions ``p_i`` and references ``r_i`` (K for LST):
RMSE, MAE, BIAS (= mean(p - r)) and the Pearson correlation are those of
:mod:`groklst.evaluation.functional` (CC there, reported as ``PCC`` here, the name used by the
retrieval literature, e.g. Xie et al. 2025, arXiv:2504.07481); the coefficient of
determination is ``R2 = 1 - sum((p - r)^2) / sum((r - mean r)^2)``.

Humidity-binned errors split the samples by water-vapour column (g cm-2) into half-open bins
``[e_k, e_{k+1})``; the default edges 0-1-2-3-4-5-inf follow the humidity classes used to report
single-channel / split-window errors (Jiménez-Muñoz et al. 2014, IEEE GRSL 11(10)), the last bin
being the "extreme humidity" case of Xie et al. 2025.
"""
import math
from typing import Dict, Sequence

import numpy as np

from .functional import lst_metrics, valid_pixels

__all__ = ['DEFAULT_WVC_BINS', 'REGRESSION_NAMES', 'r2_score', 'regression_metrics',
           'bin_label', 'binned_errors']

#: Default water-vapour bin edges, g cm-2.
DEFAULT_WVC_BINS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, math.inf)
#: Keys of :func:`regression_metrics`.
REGRESSION_NAMES = ('RMSE', 'MAE', 'BIAS', 'PCC', 'R2', 'n')


def r2_score(pred, ref) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot`` over finite samples.

    Args:
        pred, ref (array-like): same shape, any units (e.g. K).

    Returns:
        float: R2 (<= 1; may be negative); NaN when ``ref`` is constant.

    Raises:
        ValueError: shape mismatch or fewer than 2 finite samples.
    """
    p, r = valid_pixels(pred, ref)
    if p.size < 2:
        raise ValueError(f'R2 needs at least 2 finite samples, got {p.size}')
    ss_tot = float(np.sum((r - r.mean()) ** 2))
    ss_res = float(np.sum((p - r) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan


def regression_metrics(pred, ref) -> Dict[str, float]:
    """RMSE, MAE, BIAS (units of the inputs), PCC, R2 and the sample count ``n``.

    Args:
        pred, ref (array-like): same shape (e.g. (N,)); non-finite pairs are left out.

    Returns:
        dict[str, float]: keys :data:`REGRESSION_NAMES`; with fewer than 2 finite samples
        every metric is NaN (``n`` still counts them), so an empty humidity bin never raises.

    Raises:
        ValueError: shape mismatch.
    """
    p, r = valid_pixels(pred, ref)
    if p.size < 2:
        out = {k: math.nan for k in REGRESSION_NAMES}
        if p.size == 1:
            d = float(p[0] - r[0])
            out.update(RMSE=abs(d), MAE=abs(d), BIAS=d)
        out['n'] = int(p.size)
        return out
    m = lst_metrics(p, r)
    return dict(RMSE=m['RMSE'], MAE=m['MAE'], BIAS=m['BIAS'], PCC=m['CC'], R2=r2_score(p, r),
                n=int(p.size))


def bin_label(lo: float, hi: float) -> str:
    """Short label of a bin, e.g. ``'0-1'``, ``'5-inf'``, ``'0.5-1.5'``."""
    def fmt(v: float) -> str:
        return 'inf' if math.isinf(v) else f'{v:g}'
    return f'{fmt(lo)}-{fmt(hi)}'


def binned_errors(pred, ref, key, edges: Sequence[float] = DEFAULT_WVC_BINS
                  ) -> Dict[str, Dict[str, float]]:
    """RMSE, MAE, BIAS and count per bin of ``key`` (e.g. WVC in g cm-2).

    Args:
        pred, ref (array-like): (N,) predictions and references (e.g. LST in K).
        key (array-like): (N,) binning variable.
        edges: increasing bin edges; bin k is ``edges[k] <= key < edges[k+1]``.

    Returns:
        dict: ``{bin_label: {'RMSE', 'MAE', 'BIAS', 'n'}}`` in the order of the bins; NaN
        metrics for bins without a sample.

    Raises:
        ValueError: shapes differ, or fewer than 2 edges / edges not increasing.
    """
    p = np.asarray(pred.detach().cpu() if hasattr(pred, 'detach') else pred, np.float64)
    r = np.asarray(ref.detach().cpu() if hasattr(ref, 'detach') else ref, np.float64)
    k = np.asarray(key.detach().cpu() if hasattr(key, 'detach') else key, np.float64)
    if not p.shape == r.shape == k.shape:
        raise ValueError(f'pred {p.shape}, ref {r.shape} and key {k.shape} must have one shape')
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) <= 0):
        raise ValueError(f'bin edges must be >= 2 increasing numbers, got {list(edges)}')
    out = {}
    for lo, hi in zip(e[:-1], e[1:]):
        sel = (k >= lo) & (k < hi) & np.isfinite(p) & np.isfinite(r)
        n = int(sel.sum())
        if n:
            d = p[sel] - r[sel]
            row = dict(RMSE=float(np.sqrt(np.mean(d * d))), MAE=float(np.abs(d).mean()),
                       BIAS=float(d.mean()), n=n)
        else:
            row = dict(RMSE=math.nan, MAE=math.nan, BIAS=math.nan, n=0)
        out[bin_label(lo, hi)] = row
    return out
