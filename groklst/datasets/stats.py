"""Per-band normalisation statistics over valid pixels.

Used by dataset converters to fit normalisation statistics on the training
split only (never on validation/test pixels).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence

import numpy as np

__all__ = ['compute_band_stats', 'load_stats', 'merge_band_stats']


def _as_chw(array, what: str) -> np.ndarray:
    arr = np.asarray(array)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f'{what} must be (H, W) or (C, H, W), got shape '
                         f'{arr.shape}')
    return arr


def _valid(arr: np.ndarray, mask, what: str) -> np.ndarray:
    """Boolean (C, H, W) array: inside ``mask`` and finite."""
    valid = np.isfinite(arr) if np.issubdtype(arr.dtype, np.floating) \
        else np.ones(arr.shape, dtype=bool)
    if mask is None:
        return valid
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        if not np.issubdtype(m.dtype, np.integer):
            raise ValueError(f'{what}: mask must be boolean or 0/1 integers, '
                             f'got dtype {m.dtype}')
        m = m != 0
    if m.ndim == 2:
        m = m[None]
    if m.ndim != 3 or m.shape[1:] != arr.shape[1:] or \
            m.shape[0] not in (1, arr.shape[0]):
        raise ValueError(f'{what}: mask shape {np.shape(mask)} does not match '
                         f'array shape {arr.shape} (expected (H, W), '
                         f'(1, H, W) or (C, H, W))')
    return valid & m


def compute_band_stats(arrays, masks=None,
                       band_names: Sequence[str] | None = None
                       ) -> dict[str, dict[str, float]]:
    """Mean, sample standard deviation, min and max of each band.

    Pixels count when they are inside the mask and finite.  Several arrays
    (e.g. tiles) can be pooled: pass lists of arrays and masks; every array
    must have the same number of bands.  Accumulation is in float64.

    Args:
        arrays: One ``(C, H, W)`` or ``(H, W)`` array, or a list/tuple of
            them (their H, W may differ).
        masks: ``None`` (all finite pixels), one boolean mask per array of
            shape ``(H, W)``, ``(1, H, W)`` or ``(C, H, W)``, or a list of
            such masks matching ``arrays``.
        band_names: Names of the C bands; defaults to ``band_0`` ...

    Returns:
        ``{name: {'mean', 'std', 'min', 'max', 'count'}}`` with Python floats
        (``count`` an int).  ``std`` uses ``n - 1`` degrees of freedom.

    Raises:
        ValueError: bad shapes, band-count mismatch between arrays, a masks
            list of the wrong length, wrong number of band names, or a band
            with fewer than 2 valid pixels (std undefined).
    """
    pooled = isinstance(arrays, (list, tuple))
    array_list = list(arrays) if pooled else [arrays]
    if not array_list:
        raise ValueError('compute_band_stats: no arrays given')
    if masks is None:
        mask_list = [None] * len(array_list)
    elif pooled:
        if not isinstance(masks, (list, tuple)) or \
                len(masks) != len(array_list):
            raise ValueError(f'compute_band_stats: got {len(array_list)} '
                             f'arrays, masks must be a list of the same '
                             f'length')
        mask_list = list(masks)
    else:
        mask_list = [masks]

    values: list[list[np.ndarray]] | None = None
    n_bands = None
    for k, (arr, mask) in enumerate(zip(array_list, mask_list)):
        what = f'arrays[{k}]' if pooled else 'array'
        chw = _as_chw(arr, what)
        if n_bands is None:
            n_bands = chw.shape[0]
            values = [[] for _ in range(n_bands)]
        elif chw.shape[0] != n_bands:
            raise ValueError(f'compute_band_stats: {what} has {chw.shape[0]} '
                             f'bands, expected {n_bands}')
        valid = _valid(chw, mask, what)
        for b in range(n_bands):
            values[b].append(chw[b][valid[b]].astype(np.float64))

    if band_names is None:
        band_names = [f'band_{b}' for b in range(n_bands)]
    band_names = list(band_names)
    if len(band_names) != n_bands:
        raise ValueError(f'compute_band_stats: {len(band_names)} band names '
                         f'for {n_bands} bands')
    stats = {}
    for name, parts in zip(band_names, values):
        v = np.concatenate(parts)
        if v.size < 2:
            raise ValueError(f'compute_band_stats: band {name!r} has '
                             f'{v.size} valid pixels; need at least 2')
        stats[name] = {
            'mean': float(v.mean()),
            'std': float(v.std(ddof=1)),
            'min': float(v.min()),
            'max': float(v.max()),
            'count': int(v.size),
        }
    return stats


def load_stats(path) -> dict:
    """Read a statistics JSON written by a dataset converter.

    The file holds ``{'lst': {mean, std, min, max}, 'guidance': {band:
    {mean, std, min, max}}, 'lr_lst_x{s}': {...}, 'fitted_on': 'train',
    ...}`` (see ``data/README.md``).

    Args:
        path: The ``stats.json`` file.

    Returns:
        The parsed dict.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not valid JSON, is not an object, has no
            ``lst`` entry, or an entry that should be statistics lacks a
            finite mean/std/min/max.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'normalization statistics {path} not found: build the dataset '
            f'(data/README.md) or fit them with '
            f'tools/dataset_converters/compute_stats.py')
    try:
        with open(path, encoding='utf-8') as f:
            stats = json.load(f)
    except json.JSONDecodeError as exc:
        raise ValueError(f'{path}: not valid JSON ({exc})') from exc
    if not isinstance(stats, dict):
        raise ValueError(f'{path}: expected a JSON object, got '
                         f'{type(stats).__name__}')
    if 'lst' not in stats:
        raise ValueError(f"{path} has no 'lst' statistics (keys: "
                         f'{sorted(stats)})')

    def check(entry, where):
        if not isinstance(entry, dict):
            raise ValueError(f'{path}: {where} must be an object with mean, '
                             f'std, min, max; got {entry!r}')
        for key in ('mean', 'std', 'min', 'max'):
            value = entry.get(key)
            if not isinstance(value, (int, float)) or not math.isfinite(
                    value):
                raise ValueError(f'{path}: {where}.{key} must be a finite '
                                 f'number, got {value!r}')

    for key, entry in stats.items():
        if key == 'lst' or key.startswith('lr_lst'):
            check(entry, key)
        elif key == 'guidance':
            if not isinstance(entry, dict):
                raise ValueError(f'{path}: guidance must map band names to '
                                 f'statistics')
            for band, band_stats in entry.items():
                check(band_stats, f'guidance.{band}')
    return stats


def merge_band_stats(parts: Sequence[dict]) -> dict:
    """Pool per-band statistics of several pixel sets (e.g. one per tile) without their pixels.

    Each part is ``{name: {'mean','std','min','max','count'}}`` as returned by
    :func:`compute_band_stats`; means and variances are merged with the pairwise update of
    Chan, Golub & LeVeque (1979, "Updating formulae and a pairwise algorithm for computing sample
    variances"). The result has the same layout (std with n − 1).

    Raises:
        ValueError: no parts, or parts with different band names.
    """
    if not parts:
        raise ValueError('merge_band_stats: nothing to merge')
    names = list(parts[0])
    acc = {}
    for part in parts:
        if list(part) != names:
            raise ValueError(f'merge_band_stats: bands {list(part)} differ from {names}')
        for name, s in part.items():
            n_b, mean_b = s['count'], s['mean']
            m2_b = s['std'] ** 2 * (n_b - 1)
            if name not in acc:
                acc[name] = [n_b, mean_b, m2_b, s['min'], s['max']]
                continue
            n_a, mean_a, m2_a, lo, hi = acc[name]
            n = n_a + n_b
            delta = mean_b - mean_a
            acc[name] = [n, mean_a + delta * n_b / n, m2_a + m2_b + delta ** 2 * n_a * n_b / n,
                         min(lo, s['min']), max(hi, s['max'])]
    return {name: {'mean': float(mean), 'std': float((m2 / (n - 1)) ** 0.5), 'min': float(lo),
                   'max': float(hi), 'count': int(n)}
            for name, (n, mean, m2, lo, hi) in acc.items()}
