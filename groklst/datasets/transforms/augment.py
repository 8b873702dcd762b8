"""Geometric and band augmentations that keep LR LST, HR LST, guidance and masks aligned.

Randomness comes from NumPy's global generator, which MMEngine re-seeds per dataloader worker
(``worker_init_fn`` with seed + worker id + rank), so workers never repeat each other's draws.
"""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from groklst.registry import TRANSFORMS

from .loading import SPATIAL_KEYS_HR, SPATIAL_KEYS_LR


def _spatial_items(results: dict):
    for key in SPATIAL_KEYS_LR + SPATIAL_KEYS_HR:
        if results.get(key) is not None:
            yield key, key in SPATIAL_KEYS_HR


@TRANSFORMS.register_module()
class PairedRandomCrop(BaseTransform):
    """Crop an HR patch of ``gt_patch_size`` and the co-located LR patch of ``gt_patch_size/scale``.

    The LR crop origin is drawn on the LR grid and multiplied by the scale, so the HR crop stays
    exactly aligned with its LR pixels (Wald's protocol alignment).

    Args:
        gt_patch_size: HR patch side in pixels; must be a multiple of the sample's scale.

    Raises:
        ValueError: the patch size is not a multiple of the scale, or larger than the sample.
    """

    def __init__(self, gt_patch_size: int) -> None:
        self.gt_patch_size = gt_patch_size

    @cache_randomness
    def _origin(self, h: int, w: int, lr_patch: int):
        return (np.random.randint(0, h - lr_patch + 1), np.random.randint(0, w - lr_patch + 1))

    def transform(self, results: dict) -> dict:
        scale = int(results['scale'])
        if self.gt_patch_size % scale:
            raise ValueError(f'gt_patch_size {self.gt_patch_size} is not a multiple of scale {scale}')
        lr_patch = self.gt_patch_size // scale
        h, w = results['lr_lst'].shape[-2:]
        if lr_patch > h or lr_patch > w:
            raise ValueError(f'LR patch {lr_patch} larger than LR sample {(h, w)} '
                             f"({results.get('sample_id')})")
        top, left = self._origin(h, w, lr_patch)
        for key, is_hr in _spatial_items(results):
            f = scale if is_hr else 1
            results[key] = results[key][..., top * f:(top + lr_patch) * f,
                                        left * f:(left + lr_patch) * f].copy()
        results['crop_origin_lr'] = (int(top), int(left))
        return results


@TRANSFORMS.register_module()
class PairedFlipRot(BaseTransform):
    """Random horizontal/vertical flips and 90° rotation applied identically to every spatial key.

    Args:
        flip_prob: probability of each flip (horizontal, vertical).
        rot90_prob: probability of transposing H and W (a 90° rotation with a flip).
    """

    def __init__(self, flip_prob: float = 0.5, rot90_prob: float = 0.5) -> None:
        self.flip_prob = flip_prob
        self.rot90_prob = rot90_prob

    @cache_randomness
    def _draw(self):
        return (np.random.rand() < self.flip_prob, np.random.rand() < self.flip_prob,
                np.random.rand() < self.rot90_prob)

    def transform(self, results: dict) -> dict:
        hflip, vflip, transpose = self._draw()
        for key, _ in _spatial_items(results):
            a = results[key]
            if hflip:
                a = a[..., ::-1]
            if vflip:
                a = a[..., ::-1, :]
            if transpose:
                a = np.swapaxes(a, -1, -2)
            results[key] = np.ascontiguousarray(a)
        results['flip_rot'] = (bool(hflip), bool(vflip), bool(transpose))
        return results


@TRANSFORMS.register_module()
class RandomBandDrop(BaseTransform):
    """Randomly drop guidance bands, each with its own rate (GrokLST's band-loss augmentation).

    With ``zero_fill=True`` a dropped band is set to 0 in place (the band mean after z-score
    normalization, so put this after ``NormalizeGuidance``) and the band count is kept; otherwise
    dropped bands are removed and at least ``min_kept`` bands are kept. ``band_keep_mask`` (K,)
    records which of the original bands survived.

    Args:
        drop_rates: {band name: drop probability}; bands not listed are never dropped.
        zero_fill: fill dropped bands with zeros instead of removing them.
        min_kept: minimum number of bands kept when removing.
    """

    def __init__(self, drop_rates: Dict[str, float], zero_fill: bool = True,
                 min_kept: int = 1) -> None:
        self.drop_rates = dict(drop_rates)
        self.zero_fill = zero_fill
        self.min_kept = min_kept

    @cache_randomness
    def _draw(self, n: int):
        return np.random.rand(n), np.random.permutation(n)

    def transform(self, results: dict) -> dict:
        g = results.get('guidance')
        if g is None:
            return results
        bands = list(results['guidance_bands'])
        u, order = self._draw(len(bands))
        keep = np.array([u[i] >= self.drop_rates.get(b, 0.0) for i, b in enumerate(bands)])
        if not self.zero_fill and keep.sum() < self.min_kept:
            for i in order:
                if keep.sum() >= self.min_kept:
                    break
                keep[i] = True
        results['band_keep_mask'] = keep
        if self.zero_fill:
            g = g.copy()
            g[~keep] = 0.0
        else:
            g = g[keep]
            results['guidance_bands'] = [b for b, k in zip(bands, keep) if k]
        results['guidance'] = np.ascontiguousarray(g)
        return results


@TRANSFORMS.register_module()
class PadBands(BaseTransform):
    """Pad the guidance band axis back to ``num_bands`` (after band removal), split before/after.

    Args:
        num_bands: target band count K.
        value: constant used for padded bands.

    Raises:
        ValueError: the sample already has more than ``num_bands`` bands.
    """

    def __init__(self, num_bands: int, value: float = 0.0) -> None:
        self.num_bands = num_bands
        self.value = value

    def transform(self, results: dict) -> dict:
        g = results.get('guidance')
        if g is None:
            return results
        c = g.shape[0]
        if c > self.num_bands:
            raise ValueError(f'Cannot pad {c} guidance bands down to {self.num_bands}')
        before = (self.num_bands - c) // 2
        after = self.num_bands - c - before
        results['guidance'] = np.pad(g, ((before, after), (0, 0), (0, 0)),
                                     constant_values=self.value).astype(np.float32)
        return results

