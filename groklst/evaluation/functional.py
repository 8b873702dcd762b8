"""Pixel-wise accuracy metrics of downscaled LST (numpy; torch tensors are accepted too).

Definitions follow Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for
Land Surface Temperature Downscaling", IEEE TGRS 2025 (arXiv:2409.19835), Eq. 11-16, and the
metric classes of the authors' toolkit (``groklst/evaluation/metrics/{rmse,mae,bias,cc,rsd}.py``
of GrokLST). With ``p_i`` the predicted (downscaled) LST, ``r_i`` the reference HR LST, both
in K, over the ``n`` valid pixels ``i``:

- ``RMSE = sqrt(mean((p - r)^2))``                       [K]
- ``MAE  = mean(|p - r|)``                               [K]
- ``BIAS = mean(p - r)``   (positive: prediction too warm) [K]
- ``CC   = sum((p - mean p)(r - mean r)) / sqrt(sum((p - mean p)^2) sum((r - mean r)^2))``
  (Pearson correlation, unitless)
- ``RSD  = |sigma_p - sigma_r| / sigma_r`` with ``sigma = sqrt(sum((x - mean x)^2) / (n - 1))``
  (relative difference of the sample standard deviations, unitless; 0 is best)

A pixel is valid where ``mask`` is True (all pixels when ``mask`` is None) **and** both
``pred`` and ``ref`` are finite. All arithmetic is float64.

:func:`pixel_moments`, :func:`merge_moments` and :func:`metrics_from_moments` give the same
metrics for pixels pooled over many images without keeping the pixels: each image is reduced
to a few float64 sufficient statistics (count, means, centred second moments, sums of the
error), which are merged with the pairwise update of Chan, Golub & LeVeque (1979). This is
algebraically identical to accumulating ``n, Σp, Σr, Σp², Σr², Σpr, Σ|p−r|`` but does not
lose precision to cancellation at LST magnitudes (~300 K).
"""
import math
from typing import Dict, Iterable, Tuple

import numpy as np

__all__ = ['METRIC_NAMES', 'MOMENT_FIELDS', 'valid_pixels', 'rmse', 'mae', 'bias', 'cc',
           'rsd', 'lst_metrics', 'pixel_moments', 'merge_moments', 'metrics_from_moments']

#: Metric keys, in the order of the paper's tables.
METRIC_NAMES: Tuple[str, ...] = ('RMSE', 'MAE', 'BIAS', 'CC', 'RSD')

#: Fields of the sufficient statistics of :func:`pixel_moments`: count, mean of pred, mean of
#: ref, Σ(p−p̄)², Σ(r−r̄)², Σ(p−p̄)(r−r̄), Σ|p−r|, Σ(p−r)², Σ(p−r).
MOMENT_FIELDS: Tuple[str, ...] = (
    'n', 'mean_p', 'mean_r', 'm2_p', 'm2_r', 'c_pr', 'sum_abs', 'sum_sq', 'sum_diff')


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):  # torch.Tensor on any device
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def valid_pixels(pred, ref, mask=None) -> Tuple[np.ndarray, np.ndarray]:
    """Float64 1-D vectors of the valid pixels of ``pred`` and ``ref``.

    Args:
        pred (array-like): predicted LST in K, any shape (e.g. (1, H, W)).
        ref (array-like): reference LST in K, same shape.
        mask (array-like | None): same shape; truthy = valid. ``None``: all valid.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(p, r)`` of length n >= 0: the pixels where the
        mask holds and both arrays are finite.

    Raises:
        ValueError: shapes differ (both shapes are named).
    """
    pred = _to_numpy(pred).astype(np.float64, copy=False)
    ref = _to_numpy(ref).astype(np.float64, copy=False)
    if pred.shape != ref.shape:
        raise ValueError(f'pred shape {pred.shape} != ref shape {ref.shape}')
    valid = np.isfinite(pred) & np.isfinite(ref)
    if mask is not None:
        mask = _to_numpy(mask)
        if mask.shape != pred.shape:
            raise ValueError(f'mask shape {mask.shape} != pred/ref shape {pred.shape}')
        valid &= mask.astype(bool, copy=False)
    return pred[valid], ref[valid]


def _pixels(pred, ref, mask, min_n: int, name: str) -> Tuple[np.ndarray, np.ndarray]:
    p, r = valid_pixels(pred, ref, mask)
    if p.size < min_n:
        what = 'no valid pixel' if p.size == 0 else f'only {p.size} valid pixel(s)'
        raise ValueError(f'{name} needs at least {min_n} valid pixel(s); got {what} '
                         f'(mask and finite values of pred/ref considered)')
    return p, r


def _cc(p: np.ndarray, r: np.ndarray) -> float:
    dp, dr = p - p.mean(), r - r.mean()
    den = math.sqrt(float(np.dot(dp, dp)) * float(np.dot(dr, dr)))
    return float(np.dot(dp, dr)) / den if den > 0 else math.nan


def _rsd(p: np.ndarray, r: np.ndarray) -> float:
    sp, sr = float(np.std(p, ddof=1)), float(np.std(r, ddof=1))
    return abs(sp - sr) / sr if sr > 0 else math.nan


def rmse(pred, ref, mask=None) -> float:
    """Root mean square error ``sqrt(mean((pred - ref)^2))`` over valid pixels (paper Eq. 11-16).

    Args:
        pred, ref (array-like): same shape, e.g. (1, H, W), LST in K.
        mask (array-like | None): valid pixels (bool); non-finite pixels are always excluded.

    Returns:
        float: RMSE in K.

    Raises:
        ValueError: shape mismatch, or no valid pixel.
    """
    p, r = _pixels(pred, ref, mask, 1, 'RMSE')
    d = p - r
    return math.sqrt(float(np.dot(d, d)) / d.size)


def mae(pred, ref, mask=None) -> float:
    """Mean absolute error ``mean(|pred - ref|)`` over valid pixels (paper Eq. 11-16).

    Args / Raises: as :func:`rmse`. Returns: float, MAE in K.
    """
    p, r = _pixels(pred, ref, mask, 1, 'MAE')
    return float(np.abs(p - r).mean())


def bias(pred, ref, mask=None) -> float:
    """Mean signed error ``mean(pred - ref)`` over valid pixels (paper Eq. 11-16).

    Positive when the prediction is warmer than the reference.
    Args / Raises: as :func:`rmse`. Returns: float, BIAS in K.
    """
    p, r = _pixels(pred, ref, mask, 1, 'BIAS')
    return float((p - r).mean())


def cc(pred, ref, mask=None) -> float:
    """Pearson correlation coefficient of pred and ref over valid pixels (paper Eq. 11-16).

    Args: as :func:`rmse`.

    Returns:
        float: CC in [-1, 1] (unitless); NaN when pred or ref is constant.

    Raises:
        ValueError: shape mismatch, or fewer than 2 valid pixels.
    """
    p, r = _pixels(pred, ref, mask, 2, 'CC')
    return _cc(p, r)


def rsd(pred, ref, mask=None) -> float:
    """Relative standard-deviation difference ``|σ_pred − σ_ref| / σ_ref`` (paper Eq. 11-16).

    σ is the sample standard deviation (divisor n − 1) over the valid pixels.

    Args: as :func:`rmse`.

    Returns:
        float: RSD >= 0 (unitless, 0 = same spatial variability); NaN when ``ref`` is
        constant (σ_ref = 0).

    Raises:
        ValueError: shape mismatch, or fewer than 2 valid pixels.
    """
    p, r = _pixels(pred, ref, mask, 2, 'RSD')
    return _rsd(p, r)


def lst_metrics(pred, ref, mask=None) -> Dict[str, float]:
    """All five metrics of one image at once.

    Args:
        pred, ref (array-like): same shape, e.g. (1, H, W), LST in K.
        mask (array-like | None): valid pixels (bool); non-finite pixels are always excluded.

    Returns:
        dict[str, float]: keys :data:`METRIC_NAMES` (``RMSE``, ``MAE``, ``BIAS`` in K;
        ``CC``, ``RSD`` unitless, NaN in the degenerate cases of :func:`cc` / :func:`rsd`).

    Raises:
        ValueError: shape mismatch, or fewer than 2 valid pixels.
    """
    p, r = _pixels(pred, ref, mask, 2, 'lst_metrics')
    d = p - r
    return dict(RMSE=math.sqrt(float(np.dot(d, d)) / d.size), MAE=float(np.abs(d).mean()),
                BIAS=float(d.mean()), CC=_cc(p, r), RSD=_rsd(p, r))


def pixel_moments(pred, ref, mask=None) -> Tuple[float, ...]:
    """Float64 sufficient statistics of the valid pixels of one image (may be empty).

    Args:
        pred, ref (array-like): same shape, LST in K. mask (array-like | None): valid pixels.

    Returns:
        tuple[float, ...]: values of :data:`MOMENT_FIELDS`; all zeros when no pixel is valid.

    Raises:
        ValueError: shape mismatch.
    """
    p, r = valid_pixels(pred, ref, mask)
    n = p.size
    if n == 0:
        return (0.0,) * len(MOMENT_FIELDS)
    mp, mr = float(p.mean()), float(r.mean())
    dp, dr, d = p - mp, r - mr, p - r
    return (float(n), mp, mr, float(np.dot(dp, dp)), float(np.dot(dr, dr)),
            float(np.dot(dp, dr)), float(np.abs(d).sum()), float(np.dot(d, d)),
            float(d.sum()))


def merge_moments(moments: Iterable[Tuple[float, ...]]) -> Tuple[float, ...]:
    """Combine statistics of disjoint pixel sets into those of their union.

    Args:
        moments (Iterable[tuple]): outputs of :func:`pixel_moments` (or of this function).

    Returns:
        tuple[float, ...]: statistics of all pixels together (:data:`MOMENT_FIELDS`).
    """
    n, mp, mr, m2p, m2r, cpr, s_abs, s_sq, s_d = (0.0,) * 9
    for nb, mpb, mrb, m2pb, m2rb, cprb, s_absb, s_sqb, s_db in moments:
        if nb <= 0:
            continue
        tot = n + nb
        dp, dr = mpb - mp, mrb - mr
        w = n * nb / tot
        m2p += m2pb + dp * dp * w
        m2r += m2rb + dr * dr * w
        cpr += cprb + dp * dr * w
        mp += dp * nb / tot
        mr += dr * nb / tot
        s_abs += s_absb
        s_sq += s_sqb
        s_d += s_db
        n = tot
    return (n, mp, mr, m2p, m2r, cpr, s_abs, s_sq, s_d)


def metrics_from_moments(moments: Tuple[float, ...]) -> Dict[str, float]:
    """The five metrics of the pixels summarized by ``moments`` (see :func:`lst_metrics`).

    Args:
        moments (tuple): :data:`MOMENT_FIELDS` values, e.g. from :func:`merge_moments`.

    Returns:
        dict[str, float]: keys :data:`METRIC_NAMES`; all NaN when n = 0, CC and RSD NaN when
        n < 2 or in the degenerate cases of :func:`cc` / :func:`rsd`. Never raises.
    """
    n, _, _, m2p, m2r, cpr, s_abs, s_sq, s_d = moments
    out = dict.fromkeys(METRIC_NAMES, math.nan)
    if n <= 0:
        return out
    out.update(RMSE=math.sqrt(s_sq / n), MAE=s_abs / n, BIAS=s_d / n)
    if n >= 2:
        den = math.sqrt(m2p * m2r)
        out['CC'] = cpr / den if den > 0 else math.nan
        sp, sr = math.sqrt(m2p / (n - 1)), math.sqrt(m2r / (n - 1))
        out['RSD'] = abs(sp - sr) / sr if sr > 0 else math.nan
    return out
