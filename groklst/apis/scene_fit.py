"""Scene-level fit of per-scene sharpeners on a bounded, seeded random sample of the scene.

TsHARP and DisTrad fit one regression per scene, DMS one global model per scene
(:mod:`groklst.models.classic`). In tiled scene inference the fit is done once, before the
tiles, on LR pixels and their s × s guidance blocks, and every tile is then sharpened with it
(``with model.scene_fit(state)``). A scene of any size is fitted in bounded memory:

1. the LR grid is read in windows and its valid pixels counted (valid: finite and inside the
   loader's valid range);
2. if there are at most ``max_samples`` valid LR pixels, all of them are the sample, and the
   fit equals a fit on the whole scene in one piece exactly; otherwise ``max_samples`` of them
   are drawn uniformly without replacement (``numpy.random.default_rng(seed)``, so a seed gives
   one sample);
3. the guidance blocks of the sampled pixels are read (only the bands the sharpener's fit uses,
   :meth:`~groklst.models.classic.base.PerSceneSharpener.scene_fit_bands`), window by window;
4. the sample, in the scene's row-major order, is laid out as an LR row (1, 1, 1, n) and its
   guidance blocks side by side (1, F, s, s·n), so the sharpener's own block statistics
   (block means, coefficients of variation, homogeneous-pixel selection) apply unchanged.

Memory: ``max_samples`` × F × s² float32 values for the sample (F = 1 for the NDVI regressions,
K for DMS) plus the sharpener's float64 copies during the fit; the counts are one integer per
window.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Tuple

import numpy as np
import torch

from groklst.fileio.raster import iter_windows

from .tiling import lr_valid_mask

__all__ = ['sample_scene', 'fit_sharpener_on_scene', 'DEFAULT_FIT_SAMPLES']

#: LR pixels in the scene-level fit of the per-scene sharpeners (all of them below this count).
DEFAULT_FIT_SAMPLES = 65536


def _window_side(scale: int) -> int:
    """LR side of the sampling windows: 512 HR pixels (bounded guidance reads)."""
    return max(1, 512 // scale)


def sample_scene(read_lr: Callable, read_guidance: Callable, lr_shape: Tuple[int, int],
                 scale: int, valid_range: Tuple[float, float], bands: Sequence[int],
                 max_samples: int = DEFAULT_FIT_SAMPLES, seed: int = 0) -> dict:
    """Valid LR pixels of a scene (all, or a seeded uniform sample) with their guidance blocks.

    Args:
        read_lr: ``read_lr(r0, r1, c0, c1)`` → (r1 − r0, c1 − c0) float32 LR LST in K.
        read_guidance: ``read_guidance(r0, r1, c0, c1, bands)`` → (F, ...) float32 HR guidance.
        lr_shape: (h, w) of the LR grid.
        scale: scale factor s.
        valid_range: (min, max) K of valid LR pixels.
        bands: guidance channels to read (F of them).
        max_samples: most LR pixels in the sample.
        seed: seed of the draw.

    Returns:
        dict with ``lr`` (1, 1, 1, n) float32 K, ``guidance`` (1, F, s, s·n) float32,
        ``positions`` (n,) int64 row-major LR indices (ascending), ``n_valid`` (valid LR pixels
        in the scene) and ``sampled`` (True when n < n_valid).

    Raises:
        ValueError: ``max_samples`` < 1.
    """
    if int(max_samples) != max_samples or max_samples < 1:
        raise ValueError(f'max_samples must be a positive int, got {max_samples}')
    s = int(scale)
    h, w = lr_shape
    windows = [(int(a), int(b), int(c), int(d)) for (a, b), (c, d) in
               (win.toranges() for win in iter_windows(h, w, _window_side(s)))]
    counts = np.array([int(lr_valid_mask(read_lr(*win), valid_range).sum())
                       for win in windows], np.int64)
    n_valid = int(counts.sum())
    take = None  # per window: local ranks among its valid pixels (None: all)
    if n_valid > max_samples:
        ranks = np.sort(np.random.default_rng(seed).choice(n_valid, int(max_samples),
                                                           replace=False))
        bounds = np.concatenate([[0], np.cumsum(counts)])
        which = np.searchsorted(bounds, ranks, side='right') - 1
        take = {int(k): ranks[which == k] - bounds[k] for k in np.unique(which)}
    lrs, blocks, positions = [], [], []
    for k, (r0, r1, c0, c1) in enumerate(windows):
        if counts[k] == 0 or (take is not None and k not in take):
            continue
        lr_w = read_lr(r0, r1, c0, c1)
        flat = np.flatnonzero(lr_valid_mask(lr_w, valid_range))
        if take is not None:
            flat = flat[take[k]]
        ys, xs = np.divmod(flat, c1 - c0)
        g_w = read_guidance(r0 * s, r1 * s, c0 * s, c1 * s, bands)
        f = g_w.shape[0]
        g_w = g_w.reshape(f, r1 - r0, s, c1 - c0, s)
        blocks.append(g_w[:, ys, :, xs, :])  # (n_k, F, s, s)
        lrs.append(lr_w[ys, xs])
        positions.append((ys + r0) * w + xs + c0)
    if positions:
        positions = np.concatenate(positions)
        order = np.argsort(positions, kind='stable')
        positions = positions[order]
        lr = np.concatenate(lrs)[order]
        blocks = np.concatenate(blocks)[order]
    else:
        positions = np.zeros(0, np.int64)
        lr = np.zeros(0, np.float32)
        blocks = np.zeros((0, len(bands), s, s), np.float32)
    n = len(positions)
    guidance = blocks.transpose(1, 2, 0, 3).reshape(len(bands), s, n * s)
    return dict(lr=lr.reshape(1, 1, 1, n), guidance=guidance[None], positions=positions,
                n_valid=n_valid, sampled=n < n_valid)


def fit_sharpener_on_scene(model, read_lr: Callable, read_guidance: Callable,
                           lr_shape: Tuple[int, int], scale: int,
                           valid_range: Tuple[float, float], num_bands: Optional[int],
                           band_names: Optional[Sequence[str]] = None,
                           max_samples: int = DEFAULT_FIT_SAMPLES, seed: int = 0
                           ) -> Optional[dict]:
    """Fit a per-scene sharpener's scene-level model (see the module docstring).

    Returns:
        None when the sharpener has no scene-level fit (it then fits every tile on its own),
        else dict with ``state`` (for ``model.scene_fit``), ``n`` (LR pixels in the fit),
        ``n_valid`` and ``description`` (one line).

    Raises:
        ValueError: the sharpener's band lookup or fit errors (e.g. band names unknown,
            normalized NDVI).
    """
    if num_bands is None:
        raise ValueError('the scene-level fit needs the guidance band count')
    bands = model.scene_fit_bands(num_bands, band_names)
    if bands is None:
        return None
    sample = sample_scene(read_lr, read_guidance, lr_shape, scale, valid_range, bands,
                          max_samples, seed)
    n = sample['lr'].shape[-1]
    if n == 0:  # no valid LR pixel: no tile will be sharpened either
        return dict(state=None, n=0, n_valid=0,
                    description=f'{type(model).__name__}: no valid LR pixel to fit on')
    lr = torch.from_numpy(np.ascontiguousarray(sample['lr']))
    guidance = torch.from_numpy(np.ascontiguousarray(sample['guidance']))
    state = model.fit_scene(lr, guidance, torch.ones_like(lr, dtype=torch.bool))
    how = (f'a random sample of {n} of its {sample["n_valid"]} valid LR pixels (seed {seed})'
           if sample['sampled'] else f'all {n} valid LR pixels')
    return dict(state=state, n=n, n_valid=sample['n_valid'],
                description=f'{type(model).__name__} fitted on the scene: {how}')
