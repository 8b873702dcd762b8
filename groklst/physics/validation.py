"""Shared input validation for the thermal-physics code (one place).

Every public function of :mod:`groklst.physics` and
:mod:`groklst.simulation` that checks a physical input range goes through
:func:`check_range` (values) or :func:`check_interval` (``(low, high)``
settings), so that bad input gives one kind of error everywhere: a
``ValueError`` naming the caller, the quantity, the accepted range with its
unit, and the first offending value.

The thresholds themselves (e.g. 150 K as the lowest plausible brightness
temperature) are chosen by the callers and documented there.
"""

from __future__ import annotations

import numpy as np

__all__ = ['check_range', 'check_interval']


def _fmt_range(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return (f'{"(" if low_open else "["}{low:g}, {high:g}'
                f'{")" if high_open else "]"}')
    if low is not None:
        return f'{">" if low_open else ">="} {low:g}'
    if high is not None:
        return f'{"<" if high_open else "<="} {high:g}'
    return 'finite'


def check_range(value, name: str, where: str, *, low: float | None = None,
                high: float | None = None, low_open: bool = False,
                high_open: bool = False, allow_nan: bool = False,
                unit: str = '', hint: str = '') -> np.ndarray:
    """Return ``value`` as float64 after checking it lies in a range.

    Args:
        value: Scalar or array-like.
        name: Name of the quantity in the message (e.g. ``'wvc'``).
        where: Name of the calling function (message prefix).
        low, high: Bounds (``None``: unbounded on that side).
        low_open, high_open: Exclude the bound itself.
        allow_nan: If True, NaN entries are skipped (no-data pixels that
            should propagate); if False, NaN/inf raise.
        unit: Unit appended to the range in the message.
        hint: Extra text appended to the message (e.g. a likely unit
            error).

    Returns:
        ``np.asarray(value, dtype=np.float64)``.

    Raises:
        ValueError: some entry is outside the range (or not finite when
            ``allow_nan`` is False); the message names ``where``, ``name``,
            the range and the first offending value.
    """
    arr = np.asarray(value, dtype=np.float64)
    rng = _fmt_range(low, high, low_open, high_open)
    unit_s = f' {unit}' if unit else ''
    hint_s = f' ({hint})' if hint else ''
    finite = np.isfinite(arr)
    if not allow_nan and not np.all(finite):
        bad = float(arr[~finite].flat[0])
        raise ValueError(f'{where}: {name} must be finite and in {rng}'
                         f'{unit_s}; got {bad!r}{hint_s}')
    vals = arr[finite]
    bad_mask = np.zeros(vals.shape, dtype=bool)
    if low is not None:
        bad_mask |= (vals <= low) if low_open else (vals < low)
    if high is not None:
        bad_mask |= (vals >= high) if high_open else (vals > high)
    if np.any(bad_mask):
        bad = vals[bad_mask].flat[0]
        raise ValueError(f'{where}: {name} must be in {rng}{unit_s}; got '
                         f'{float(bad)!r}{hint_s}')
    return arr


def check_interval(interval, name: str, where: str, *,
                   low: float | None = None, high: float | None = None,
                   unit: str = '') -> tuple[float, float]:
    """Check a ``(lo, hi)`` setting: two finite numbers with ``lo <= hi``,
    both inside ``[low, high]`` when given.

    Returns:
        ``(float(lo), float(hi))``.

    Raises:
        ValueError: not a pair, non-finite, reversed (``lo > hi``) or outside
            ``[low, high]``.
    """
    try:
        lo, hi = (float(v) for v in interval)
    except (TypeError, ValueError) as exc:
        raise ValueError(f'{where}: {name} must be a pair (lo, hi); got '
                         f'{interval!r}') from exc
    unit_s = f' {unit}' if unit else ''
    check_range([lo, hi], name, where, low=low, high=high, unit=unit)
    if lo > hi:
        raise ValueError(f'{where}: {name} is reversed: lo={lo!r} > '
                         f'hi={hi!r}{unit_s}; expected lo <= hi')
    return lo, hi
