"""Per-band normalisation statistics over valid pixels, and masked block means.

Used by dataset converters to fit normalisation statistics on the training
split only (never on validation/test pixels), and to degrade HR LST to LR
by Wald's protocol with a valid-pixel mask.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence

import numpy as np

__all__ = ['compute_band_stats', 'load_stats', 'merge_band_stats', 'masked_block_mean',
           'fit_stats']


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


def masked_block_mean(hr: np.ndarray, valid: np.ndarray, scale: int,
                      min_valid_fraction: float) -> np.ndarray:
    """Wald's-protocol degradation with a mask: mean of the valid HR pixels of each block.

    The masked counterpart of :func:`groklst.models.layers.resample.block_mean` (same block
    alignment: LR pixel (i, j) covers HR rows ``s*i .. s*i+s-1`` and columns ``s*j ..
    s*j+s-1``; on fully valid blocks both give the block mean). Wald, Ranchin & Mangolini
    (1997), Photogramm. Eng. Remote Sens. 63:691-699. Sums are taken in float64.

    Args:
        hr: (H, W) HR values, e.g. LST in K (values at invalid pixels are ignored, NaN
            allowed there).
        valid: (H, W) bool, valid HR pixels.
        scale: Block size s; H and W must be multiples of s.
        min_valid_fraction: Lowest valid fraction of a block, in (0, 1].

    Returns:
        (H/s, W/s) float32 block means, NaN where fewer than
        ``ceil(min_valid_fraction * s * s)`` HR pixels are valid.

    Raises:
        ValueError: ``hr`` and ``valid`` not (H, W) of one shape, H or W not a multiple of s,
            or ``min_valid_fraction`` outside (0, 1].
    """
    hr = np.asarray(hr)
    valid = np.asarray(valid, dtype=bool)
    if hr.ndim != 2 or valid.shape != hr.shape:
        raise ValueError(f'masked_block_mean: expected hr and valid of one (H, W) shape, got '
                         f'{hr.shape} and {valid.shape}')
    h, w = hr.shape
    if h % scale or w % scale:
        raise ValueError(f'HR shape {hr.shape} is not a multiple of {scale}')
    if not 0 < min_valid_fraction <= 1:
        raise ValueError(f'threshold must be in (0, 1], got {min_valid_fraction}')
    shape = (h // scale, scale, w // scale, scale)
    count = valid.reshape(shape).sum(axis=(1, 3))
    total = np.where(valid, hr.astype(np.float64), 0.0).reshape(shape).sum(axis=(1, 3))
    need = math.ceil(min_valid_fraction * scale * scale - 1e-9)
    ok = count >= need
    lr = np.full(count.shape, np.nan)
    lr[ok] = total[ok] / count[ok]
    return lr.astype(np.float32)


def fit_stats(dataset_cfg: dict) -> dict:
    """Normalization statistics of a dataset config's training split, pooled over samples.

    Builds the dataset with its pipeline replaced by ``LoadLSTSample`` and pools per-sample
    statistics (:func:`compute_band_stats`, :func:`merge_band_stats`) of the HR LST and LR LST
    over their valid masks (samples with fewer than 2 valid pixels skipped) and of every
    guidance band over its finite pixels, so all pixels are never held at once.

    A dataset with a ``fit_normalization_stats()`` method (``CoarseSceneDataset``) fits its
    statistics itself.

    Args:
        dataset_cfg: Dataset config dict (``type``, ``data_root``, ``split``, ...); ``split``
            must be ``'train'`` or ``'trainval'``.

    Returns:
        ``{'lst': {mean, std, min, max, count}, 'lr_lst': {...}, 'guidance': {band: {...}}
        (when the samples have guidance), 'fitted_on': split, 'n_samples': int}``; LST in K,
        std with n - 1.

    Raises:
        ValueError: the split is not a training split; the dataset's own errors.
    """
    from ..registry import DATASETS
    from ..utils import register_all_modules
    register_all_modules()
    cfg = dict(dataset_cfg, pipeline=[dict(type='LoadLSTSample')], test_mode=False)
    if cfg.get('split') not in ('train', 'trainval'):
        raise ValueError(f"statistics must be fitted on the training split, got "
                         f"{cfg.get('split')}")
    dataset = DATASETS.build(cfg)
    if hasattr(dataset, 'fit_normalization_stats'):  # e.g. CoarseSceneDataset: its own scenes
        return dataset.fit_normalization_stats()
    parts = dict(lst=[], lr_lst=[], guidance=[])
    for i in range(len(dataset)):
        r = dataset[i]
        if r['gt_mask'].sum() >= 2:
            parts['lst'].append(compute_band_stats(r['gt_lst'], r['gt_mask'], ['lst']))
        if r['lr_mask'].sum() >= 2:
            parts['lr_lst'].append(compute_band_stats(r['lr_lst'], r['lr_mask'], ['lr_lst']))
        if r.get('guidance') is not None:
            parts['guidance'].append(compute_band_stats(r['guidance'], None,
                                                        r['guidance_bands']))
    out = dict(lst=merge_band_stats(parts['lst'])['lst'],
               lr_lst=merge_band_stats(parts['lr_lst'])['lr_lst'],
               fitted_on=cfg['split'], n_samples=len(dataset))
    if parts['guidance']:
        out['guidance'] = merge_band_stats(parts['guidance'])
    return out
