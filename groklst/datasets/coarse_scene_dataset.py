"""Self-supervised training samples from a user's own coarse LST scenes (no fine LST anywhere).

Wald, Ranchin & Mangolini (1997, Photogramm. Eng. Remote Sens. 63:691-699): a downscaler
trained to go from the coarse LST degraded by s back to the coarse LST (scale invariance) is
applied to go from the coarse LST to the fine grid; the aggregation-consistency term
(:class:`groklst.models.losses.AggregationConsistencyLoss`) ties the native-scale output to the
coarse LST it came from.
"""
from __future__ import annotations

import zlib
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset

from groklst.registry import DATASETS, TRANSFORMS

from .base import build_pipeline
from .coarse_scenes import (SceneReader, check_scenes, fit_scene_stats, heldout_blocks,
                            read_scenes_csv)
from .transforms.loading import fill_invalid

__all__ = ['CoarseSceneDataset', 'SPLITS', 'NATIVE_KINDS', 'SCENE_WEIGHTS']

#: Splits: 'train' (random crops outside the held-out blocks), 'val' and 'test' (both the
#: held-out blocks, at the coarse level: the self-supervised criterion of model selection).
SPLITS = ('train', 'val', 'test')
#: Kinds of native-scale samples: 'consistency' (the Downscaler's aggregation-consistency loss)
#: or 'native_wald' (guided detail injection,
#: :class:`groklst.models.downscalers.GuidedDetailDownscaler`, which degrades the coarse crop
#: itself; its held-out validation samples are native-scale too).
NATIVE_KINDS = ('consistency', 'native_wald')
#: How training crops are spread over the scenes.
SCENE_WEIGHTS = ('uniform', 'valid_pixels')


def _block_all(valid: np.ndarray, s: int) -> np.ndarray:
    """(…, s·h, s·w) bool → (…, h, w): every pixel of the s × s block valid."""
    *lead, hh, ww = valid.shape
    return valid.reshape(*lead, hh // s, s, ww // s, s).all(axis=(-3, -1))


def _block_mean_all_valid(x: np.ndarray, s: int) -> np.ndarray:
    """(C, s·h, s·w) → (C, h, w) block means; NaN where any pixel of the block is NaN
    (the guidance area-averaged onto the coarse grid)."""
    c, hh, ww = x.shape
    return x.reshape(c, hh // s, s, ww // s, s).mean(axis=(2, 4), dtype=np.float64) \
        .astype(np.float32)


@DATASETS.register_module()
class CoarseSceneDataset(BaseDataset):
    """Samples of coarse LST scenes for self-supervised downscaling (Wald's protocol on the
    user's own coarse LST, plus native-scale aggregation-consistency samples).

    Scenes come from a scenes CSV (``id,lr_lst,guidance``; format, checks and geometry:
    :mod:`groklst.datasets.coarse_scenes`). All scenes are checked (metadata only) when the
    dataset is built; pixels are read per sample in windows placed by georeference, with at
    most ``cache_scenes`` scenes' files open: memory does not grow with the number of scenes.
    **No fine-scale LST is ever read**: the coarse LST is the only temperature input.

    Sample kinds (metainfo ``sample_kind``, which selects the loss in the ``Downscaler``):

    * ``'reconstruction'`` — Wald's protocol at the coarse level. Target ``gt_lst`` (1, P, P):
      a crop of the coarse LST (K) of ``crop_size`` = P coarse pixels, ``gt_mask`` its valid
      pixels; input ``lr_lst`` (1, P/s, P/s): the target degraded by ``degradation``
      (:class:`~groklst.datasets.transforms.BoxDegradation` by default: block mean, a pixel
      valid when ≥ 90 % of its block is; or
      :class:`~groklst.datasets.transforms.SensorDegradation`), read with the context the
      degradation needs; ``guidance`` (K, P, P): the fine guidance area-averaged onto the
      coarse grid (a coarse guidance pixel is valid when all its fine pixels are).
    * ``'consistency'`` — native scale. Input ``lr_lst`` (1, P/s, P/s): a crop of the coarse
      LST itself; ``guidance`` (K, P, P): the fine guidance under it; target ``gt_lst`` = the
      same coarse crop (the aggregation-consistency target).

    * ``'native_wald'`` (``native_kind='native_wald'``) — native scale for guided detail
      injection: input ``lr_lst`` (1, P, P) a crop of P = ``crop_size`` coarse pixels (less
      when no sampled scene is that large: the largest multiple of s that fits one), its
      valid mask ``lr_mask``, ``guidance`` (K, s·P, s·P) the fine guidance under it, target
      ``gt_lst`` = the crop; the model makes LR′ from the crop itself. Its 'val'/'test' samples
      are P-pixel windows centred on each held-out block (its context), scored only inside the
      block.

    'reconstruction' and 'consistency' samples have the same input shapes, so one batch may mix
    them. The share of native-scale samples is ``native_fraction``. Masks: a target pixel counts
    only where the coarse LST is finite, not nodata and inside ``valid_range``, its guidance is
    valid (guided models) and, for 'reconstruction', its LR′ pixel is valid; invalid input
    pixels are filled from the nearest valid pixel (never trained on). Pixels of held-out blocks
    are no data in every training sample.

    Splits: 'train' has ``samples_per_epoch`` items; with ``scene_weights='uniform'`` item i
    uses scene ``i mod n`` (every scene not in ``exclude_ids`` equally often), with
    ``'valid_pixels'`` the items are shared among the scenes in proportion to their valid coarse
    pixels (largest remainders; a nearly cloudy scene gets few crops); a random crop (trying to
    avoid held-out blocks) and a random kind (NumPy's global generator, re-seeded per worker by
    MMEngine; works with ``DefaultSampler`` and ``InfiniteSampler``, under DDP too). 'val' and
    'test' are the held-out blocks (:func:`groklst.datasets.coarse_scenes.heldout_blocks`:
    ``val_fraction`` of the whole ``val_block_size`` blocks of every scene, at most
    ``val_max_blocks``, spatially disjoint from training), as deterministic 'reconstruction'
    samples: checkpoints are selected at the coarse level, never on fine truth.

    Args:
        ann_file: scenes CSV (relative to ``data_root`` when given).
        scale: scale factor s.
        guidance_bands: band names of the guidance, in order (statistics keys; checked against
            the files' band descriptions where present).
        split: 'train', 'val' or 'test'.
        crop_size: P, side of a 'reconstruction' target in coarse pixels (multiple of s).
        native_fraction: share of 'consistency' samples in 'train', [0, 1].
        degradation: config of the degradation (registered in ``TRANSFORMS``).
        samples_per_epoch: length of 'train'.
        val_fraction: share of held-out blocks per scene, [0, 1).
        val_block_size: side of a held-out block in coarse pixels (multiple of s; default P).
        val_max_blocks: at most this many held-out blocks per scene (None: no limit), so that
            validation stays short on large scenes.
        seed: seed of the held-out blocks and of the validation LR′ of random degradations.
        valid_range: (min, max) K of a valid LST pixel.
        use_guidance: read the guidance (guided models); False for single-image models (the
            guidance files still define the grid and are checked).
        cache_scenes: scenes whose files stay open per process.
        max_crop_tries: random crops tried per 'train' sample before one that touches a
            held-out block is accepted (its held-out pixels are no data then).
        exclude_ids: scene ids checked but never sampled (e.g. scenes without a valid pixel,
            the ``empty`` list of :func:`~groklst.datasets.coarse_scenes.fit_scene_stats`).
        native_kind: kind of the native-scale samples, one of :data:`NATIVE_KINDS`.
        scene_weights: one of :data:`SCENE_WEIGHTS` ('valid_pixels' reads every scene's
            coarse LST once, when the dataset is built).

    Raises:
        SceneCheckError: a bad scenes CSV or scene (first failure, scene id named).
        ValueError: bad arguments (crop sizes not multiples of s, fractions out of range,
            unknown split).
    """

    METAINFO = dict(dataset_name='CoarseSceneDataset')

    def __init__(self, ann_file: str, scale: int, guidance_bands: Optional[Sequence[str]],
                 split: str = 'train', crop_size: int = 64, native_fraction: float = 0.5,
                 degradation: Optional[dict] = None, samples_per_epoch: int = 1000,
                 val_fraction: float = 0.1, val_block_size: Optional[int] = None,
                 val_max_blocks: Optional[int] = 8, seed: int = 0,
                 valid_range: Tuple[float, float] = (200.0, 360.0),
                 use_guidance: bool = True, cache_scenes: int = 8, max_crop_tries: int = 10,
                 exclude_ids: Optional[Sequence[str]] = None,
                 native_kind: str = 'consistency', scene_weights: str = 'uniform',
                 **kwargs) -> None:
        self.scale = s = int(scale)
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        self.split = split
        self.guidance_bands = list(guidance_bands) if guidance_bands else []
        if use_guidance and not self.guidance_bands:
            raise ValueError('a guided CoarseSceneDataset needs guidance_bands')
        self.crop_size = int(crop_size)
        self.val_block_size = int(val_block_size or crop_size)
        for name, v in (('crop_size', self.crop_size), ('val_block_size', self.val_block_size)):
            if v <= 0 or v % s:
                raise ValueError(f'{name} must be a positive multiple of the scale {s}, got {v}')
        if not 0 <= native_fraction <= 1:
            raise ValueError(f'native_fraction must be in [0, 1], got {native_fraction}')
        if not 0 <= val_fraction < 1:
            raise ValueError(f'val_fraction must be in [0, 1), got {val_fraction}')
        if int(samples_per_epoch) < 1:
            raise ValueError(f'samples_per_epoch must be >= 1, got {samples_per_epoch}')
        self.native_fraction = float(native_fraction)
        if native_kind not in NATIVE_KINDS:
            raise ValueError(f'native_kind must be one of {NATIVE_KINDS}, got {native_kind!r}')
        if scene_weights not in SCENE_WEIGHTS:
            raise ValueError(f'scene_weights must be one of {SCENE_WEIGHTS}, got '
                             f'{scene_weights!r}')
        self.native_kind = native_kind
        self.scene_weights = scene_weights
        deg = degradation or dict(type='BoxDegradation')
        self.degradation = TRANSFORMS.build(deg) if isinstance(deg, dict) else deg
        self.samples_per_epoch = int(samples_per_epoch)
        self.val_fraction = float(val_fraction)
        self.val_max_blocks = val_max_blocks
        self.seed = int(seed)
        self.valid_range = (float(valid_range[0]), float(valid_range[1]))
        self.use_guidance = bool(use_guidance)
        self.cache_scenes = int(cache_scenes)
        self.max_crop_tries = max(1, int(max_crop_tries))
        self.exclude_ids = set(exclude_ids or ())
        self.scenes: List[dict] = []
        self._reader: Optional[SceneReader] = None
        kwargs['pipeline'] = build_pipeline(kwargs.get('pipeline', []))
        super().__init__(ann_file=ann_file, **kwargs)

    # ------------------------------------------------------------------ index
    def load_data_list(self) -> List[dict]:
        rows = read_scenes_csv(self.ann_file)
        self.scenes = check_scenes(rows, self.scale, self.guidance_bands or None,
                                   self.use_guidance)
        n_files = 1 + max(len(sc['guidance_paths']) for sc in self.scenes)
        self._reader = SceneReader(max_open_files=max(1, self.cache_scenes) * n_files)
        for sc in self.scenes:
            sc['heldout'] = heldout_blocks(sc, self.val_block_size, self.val_fraction,
                                           self.seed, self.val_max_blocks)
        used = [k for k, sc in enumerate(self.scenes) if sc['id'] not in self.exclude_ids]
        if not used:
            raise ValueError(f'{self.ann_file}: every scene is excluded (exclude_ids)')
        # 'native_wald' crops: crop_size, or less when no sampled scene is that large
        sides = [min(r1 - r0, c1 - c0) for k in used
                 for (r0, r1), (c0, c1) in [self.scenes[k]['region']]]
        self.native_crop = max(self.scale, min(self.crop_size,
                                               max(sides) // self.scale * self.scale))
        if self.split == 'train':
            if self.scene_weights == 'uniform':
                picks = [used[i % len(used)] for i in range(self.samples_per_epoch)]
            else:
                picks = self._weighted_picks(used)
            return [dict(scene=k, item=i) for i, k in enumerate(picks)]
        items = [dict(scene=k, origin=o) for k in used for o in self.scenes[k]['heldout']]
        if not items:
            raise ValueError(
                f'{self.ann_file}: no held-out block for the {self.split} split: every scene '
                f'is smaller than 2 x 2 blocks of val_block_size={self.val_block_size} coarse '
                f'px (or val_fraction=0); lower val_block_size')
        return items

    def _valid_pixels(self, sc: dict) -> int:
        (r0, r1), (c0, c1) = sc['region']
        return int(self._valid(self._reader.coarse(sc, (r0, r1), (c0, c1))).sum())

    def _weighted_picks(self, used: List[int]) -> List[int]:
        """Scene index of every 'train' item, shared in proportion to valid coarse pixels
        (largest remainders, every scene with a valid pixel at least once when there are enough
        items)."""
        counts = np.array([self._valid_pixels(self.scenes[k]) for k in used], np.float64)
        if counts.sum() == 0:
            raise ValueError(f'{self.ann_file}: no valid coarse pixel in any sampled scene')
        n = self.samples_per_epoch
        quota = counts / counts.sum() * n
        alloc = np.floor(quota).astype(int)
        rest = n - alloc.sum()
        order = np.argsort(-(quota - alloc), kind='stable')
        alloc[order[:rest]] += 1
        return [k for k, a in zip(used, alloc) for _ in range(int(a))]

    def fit_normalization_stats(self, log=None) -> dict:
        """Normalization statistics of the scenes (coarse LST, fine guidance):
        :func:`groklst.datasets.coarse_scenes.fit_scene_stats`, values checked on the way."""
        return fit_scene_stats(self.scenes, self.guidance_bands or None, self.valid_range,
                               self.use_guidance, scale=self.scale, log=log)

    # ------------------------------------------------------------- sampling
    def _valid(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self.valid_range
        with np.errstate(invalid='ignore'):
            return np.isfinite(x) & (x >= lo) & (x <= hi)

    def _hide_heldout(self, sc: dict, x: np.ndarray, r0: int, c0: int) -> None:
        """Set the pixels of held-out blocks in a coarse window at (r0, c0) to NaN."""
        b = self.val_block_size
        h, w = x.shape
        for br, bc in sc['heldout']:
            ra, rb = max(br, r0), min(br + b, r0 + h)
            ca, cb = max(bc, c0), min(bc + b, c0 + w)
            if rb > ra and cb > ca:
                x[ra - r0:rb - r0, ca - c0:cb - c0] = np.nan

    def _touches_heldout(self, sc: dict, r0: int, c0: int, size: int) -> bool:
        b = self.val_block_size
        return any(br < r0 + size and r0 < br + b and bc < c0 + size and c0 < bc + b
                   for br, bc in sc['heldout'])

    def _random_origin(self, sc: dict, size: int) -> Tuple[int, int]:
        (r0, r1), (c0, c1) = sc['region']
        origin = (r0, c0)
        for _ in range(self.max_crop_tries):
            origin = (int(np.random.randint(r0, max(r0, r1 - size) + 1)),
                      int(np.random.randint(c0, max(c0, c1 - size) + 1)))
            if not self._touches_heldout(sc, origin[0], origin[1], size):
                break
        return origin

    def _coarse_guidance(self, sc, rows, cols):
        """Fine guidance under coarse rows × cols, averaged onto the coarse grid, and its
        per-coarse-pixel validity (all fine pixels valid in every band)."""
        g = self._reader.guidance(sc, rows, cols, self.scale)
        g_ok = _block_all(np.isfinite(g).all(axis=0), self.scale)
        return _block_mean_all_valid(g, self.scale), g_ok

    def _reconstruction(self, sc: dict, r0: int, c0: int, size: int, hide: bool, rng):
        s, m = self.scale, self.degradation.context(self.scale)
        pad = m * s
        rows, cols = (r0 - pad, r0 + size + pad), (c0 - pad, c0 + size + pad)
        coarse = self._reader.coarse(sc, rows, cols)
        coarse[~self._valid(coarse)] = np.nan
        if hide:
            self._hide_heldout(sc, coarse, rows[0], cols[0])
        lr = self.degradation(coarse, s, rng).astype(np.float32)[None]
        target = coarse[pad:pad + size, pad:pad + size][None]
        lr_mask = self._valid(lr)
        gt_mask = self._valid(target) & np.repeat(np.repeat(lr_mask, s, 1), s, 2)
        out = dict(lr_lst=fill_invalid(lr, lr_mask), lr_mask=lr_mask)
        if self.use_guidance:
            g, g_ok = self._coarse_guidance(sc, (r0, r0 + size), (c0, c0 + size))
            gt_mask &= g_ok[None]
            out['guidance'] = fill_invalid(g, np.isfinite(g))
        out.update(gt_lst=fill_invalid(target.astype(np.float32), gt_mask), gt_mask=gt_mask)
        return out

    def _consistency(self, sc: dict, r0: int, c0: int, size: int, hide: bool = True):
        s = self.scale
        rows, cols = (r0, r0 + size), (c0, c0 + size)
        lr = self._reader.coarse(sc, rows, cols)
        lr[~self._valid(lr)] = np.nan
        if hide:
            self._hide_heldout(sc, lr, r0, c0)
        lr = lr[None].astype(np.float32)
        lr_mask = self._valid(lr)
        gt_mask = lr_mask.copy()
        out = dict(lr_lst=fill_invalid(lr, lr_mask), lr_mask=lr_mask)
        if self.use_guidance:
            g = self._reader.guidance(sc, rows, cols, s)
            g_ok = np.isfinite(g).all(axis=0)
            gt_mask &= _block_all(g_ok, s)[None]
            out['guidance'] = fill_invalid(g, g_ok[None])
        out.update(gt_lst=out['lr_lst'].copy(), gt_mask=gt_mask)
        return out

    def _native_wald_val(self, sc: dict, r0: int, c0: int):
        """A held-out block at (r0, c0) in a window of about ``crop_size`` coarse pixels
        centred on it (margins: multiples of s), scored inside the block only."""
        s, b = self.scale, self.val_block_size
        margin = max(0, (self.native_crop - b) // 2) // s * s
        size = b + 2 * margin
        out = self._consistency(sc, r0 - margin, c0 - margin, size, hide=False)
        inside = np.zeros_like(out['gt_mask'])
        inside[:, margin:margin + b, margin:margin + b] = True
        out['gt_mask'] = out['gt_mask'] & inside
        return out

    def prepare_data(self, idx: int):
        info = self.get_data_info(idx)
        sc = self.scenes[info['scene']]
        s = self.scale
        wald = self.native_kind == 'native_wald'
        if self.split == 'train':
            native = np.random.rand() < self.native_fraction
            if native:
                size = self.native_crop if wald else self.crop_size // s
                r0, c0 = self._random_origin(sc, size)
                results = self._consistency(sc, r0, c0, size)
            else:
                r0, c0 = self._random_origin(sc, self.crop_size)
                results = self._reconstruction(sc, r0, c0, self.crop_size, True, None)
            kind = self.native_kind if native else 'reconstruction'
        elif wald:
            r0, c0 = info['origin']
            results = self._native_wald_val(sc, r0, c0)
            kind = self.native_kind
        else:
            r0, c0 = info['origin']
            rng = np.random.default_rng([self.seed, zlib.crc32(sc['id'].encode()), r0, c0])
            results = self._reconstruction(sc, r0, c0, self.val_block_size, False, rng)
            kind = 'reconstruction'
        results.update(scale=s, sample_kind=kind, scene_id=sc['id'],
                       sample_id=f"{sc['id']}:{kind}:{r0},{c0}",
                       guidance_bands=list(self.guidance_bands) if self.use_guidance else [],
                       lr_path=sc['lr_path'])
        return self.pipeline(results)
