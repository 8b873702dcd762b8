"""Whole-scene LST downscaling: model building and tiled, overlap-blended inference.

A scene is cut into tiles of ``tile`` HR pixels on the HR grid (the matching LR windows are
``tile / s`` LR pixels), tiles go through the model ``batch`` at a time, and the predictions are
blended into one HR map with a separable raised-cosine weight window. The engine
(:mod:`groklst.apis.tiling`) reads its inputs and writes its output by windows: besides one batch
of tiles it holds one band of tile rows of a column chunk, so its memory does not grow with the
scene (:func:`downscale_scene` itself takes and returns whole arrays; the GeoTIFF path,
:func:`groklst.apis.downscale_geotiff`, never holds a whole scene).

Weight window (one axis; the 2-D window is the outer product). With overlap ``O`` between
neighbouring tiles, a tile gives weight 0 to its outer ``m = O // 4`` pixels next to an inner
tile edge (context only), then rises as a raised cosine ``½ − ½·cos(π·t)`` over the next
``O − 2m`` pixels, and is 1 further in. Scene borders get no ramp. The rising ramp of one tile and
the falling ramp of its neighbour sum to exactly 1, and the accumulated weights are divided out
anyway, so the blend is a partition of unity. A model whose receptive field reaches at most
``m`` HR pixels (e.g. bicubic interpolation of the LR at x4 reaches 6–7 HR px, covered by the
default ``overlap=32`` with ``m = 8``) gives the same output tiled as in one piece; models with a
wider or global receptive field (pyramid pooling in MoCoLSK-Net, attention over the whole input)
differ by a little near tile edges, which the ramp smooths out.

No-data: LR pixels that are non-finite or outside the loader's plausible range (``valid_range``
of the config's ``LoadLSTSample``, default 200–360 K) and guidance pixels that are non-finite in
any band are filled as the data loader fills them for training (nearest valid pixel of the
tile, :func:`groklst.datasets.transforms.loading.fill_invalid`), the guidance is normalized with
the config's ``NormalizeGuidance`` statistics, and after blending the output is NaN over the
s × s HR block of every invalid LR pixel and (for guided models) at every invalid guidance
pixel.

Per-scene sharpeners with a scene-level fit (TsHARP, DisTrad, DMS's global model) are fitted
once on the scene (all valid LR pixels, or a seeded random sample of ``fit_samples`` of them,
:mod:`groklst.apis.scene_fit`) and every tile is sharpened with that fit; sharpeners without one
(PixTransform-fit) fit every tile on its own.

Model: Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land Surface
Temperature Downscaling", IEEE TGRS 2025 (MoCoLSK-Net and the benchmark); any groklst
downscaler (``Downscaler`` or a ``PerSceneSharpener``) works.
"""
from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

from .scene_fit import DEFAULT_FIT_SAMPLES
from .tiling import (DEFAULT_CHUNK_WIDTH, blend_weights_1d, check_tiling, downscale_windows,
                     tile_starts)

__all__ = ['init_downscaler', 'downscale_scene', 'model_scene_info', 'tile_starts',
           'blend_weights_1d']

DEFAULT_VALID_RANGE = (200.0, 360.0)  # K, as LoadLSTSample's default


def _load_config(config):
    from mmengine.config import Config
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return Config(config)
    path = os.fspath(config)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    return Config.fromfile(path)


def init_downscaler(config, checkpoint: Optional[str] = None, device: str = 'cpu'):
    """Build a downscaling model from a config and (for learned models) a checkpoint.

    Args:
        config: config file path, ``mmengine.Config`` or dict with a ``model`` entry.
        checkpoint: checkpoint file (``state_dict`` as saved by MMEngine, or a bare state dict).
            Not needed by models without trainable parameters (bicubic / bilinear
            ``Downscaler``) nor by per-scene sharpeners (TsHARP, DMS, ...), which fit on the
            scene they sharpen.
        device: torch device string.

    Returns:
        The model in eval mode on ``device``, with the config attached as ``model.cfg`` (read by
        :func:`downscale_scene` for guidance bands, guidance normalization and the LR valid
        range).

    Raises:
        FileNotFoundError: config or checkpoint file missing.
        ValueError: the config has no ``model``; a model with trainable parameters and no
            checkpoint (their weights would be random).
    """
    from mmengine.runner.checkpoint import load_checkpoint

    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = _load_config(config)
    if 'model' not in cfg:
        raise ValueError(f'config {getattr(cfg, "filename", None) or "<dict>"} has no `model`')
    model = MODELS.build(cfg.model)
    from groklst.models.classic.base import PerSceneSharpener
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if checkpoint is not None:
        if not os.path.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint file not found: {checkpoint}')
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True, logger='silent')
    elif n_params and not isinstance(model, PerSceneSharpener):
        raise ValueError(
            f'{type(model).__name__} of config {getattr(cfg, "filename", None) or "<dict>"} has '
            f'{n_params} trainable parameters but no checkpoint was given: pass the trained '
            f'weights (--checkpoint); only interpolation baselines and per-scene sharpeners run '
            f'without one')
    model.cfg = cfg
    return model.to(device).eval()


def _find_test_dataset(cfg) -> dict:
    loader = cfg.get('test_dataloader') or {}
    return loader.get('dataset') or {}


def same_band_names(a: Sequence[Optional[str]], b: Sequence[Optional[str]]) -> bool:
    """Whether two band-name lists are the same bands in the same order, ignoring case (a
    missing name, e.g. a GeoTIFF band without a description, matches only another missing
    one)."""
    return [(n or '').lower() for n in a] == [(n or '').lower() for n in b]


def model_scene_info(model) -> dict:
    """What scene inference needs to know about a model and its config.

    Returns:
        dict with ``scale`` (int), ``uses_guidance`` (bool), ``guidance_channels`` (K the
        generator expects, or None), ``guidance_bands`` (band names of the training data, in
        order, or None), ``normalize_guidance`` (the config's ``NormalizeGuidance`` transform
        instance, or None: guidance used as given) and ``valid_range`` ((min, max) K of valid LR
        pixels).

    Raises:
        ValueError: the model has no ``scale``.
    """
    from groklst.registry import TRANSFORMS
    scale = getattr(model, 'scale', None)
    if scale is None:
        raise ValueError(f'{type(model).__name__} has no `scale` attribute: not a downscaler')
    uses_guidance = bool(getattr(model, 'uses_guidance', False))
    gen = getattr(model, 'generator', None)
    channels = getattr(gen, 'guidance_channels', None) if gen is not None else \
        getattr(model, 'guidance_channels', None)
    info = dict(scale=int(scale), uses_guidance=uses_guidance, guidance_channels=channels,
                guidance_bands=None, normalize_guidance=None, valid_range=DEFAULT_VALID_RANGE)
    cfg = getattr(model, 'cfg', None)
    if cfg is None:
        return info
    dataset = _find_test_dataset(cfg)
    bands = dataset.get('guidance_bands') or cfg.get('guidance_bands')
    info['guidance_bands'] = list(bands) if bands else None
    pipeline = dataset.get('pipeline') or cfg.get('test_pipeline') or []
    for step in pipeline:
        kind = step.get('type')
        if kind == 'LoadLSTSample' and step.get('valid_range') is not None:
            info['valid_range'] = tuple(float(v) for v in step['valid_range'])
        elif kind == 'NormalizeGuidance' and uses_guidance:
            info['normalize_guidance'] = TRANSFORMS.build(dict(step))
    return info


def _check_arrays(lr_lst, guidance, scale: int, info: dict):
    lr = np.asarray(lr_lst)
    if lr.ndim == 3 and lr.shape[0] == 1:
        lr = lr[0]
    if lr.ndim != 2:
        raise ValueError(f'LR LST must be (h, w) in K, got shape {lr.shape}')
    h, w = lr.shape
    if guidance is None:
        if info['uses_guidance']:
            raise ValueError('the model is guided but no guidance (K, H, W) was given')
        return lr.astype(np.float32, copy=False), None
    g = np.asarray(guidance)
    if g.ndim == 2:
        g = g[None]
    if g.ndim != 3:
        raise ValueError(f'guidance must be (K, H, W), got shape {g.shape}')
    if g.shape[1:] != (h * scale, w * scale):
        raise ValueError(f'guidance is {g.shape[1:]} (H, W) but LR LST is {(h, w)}: expected '
                         f'{(h * scale, w * scale)} at scale {scale}')
    if info['uses_guidance']:
        k = info['guidance_channels'] or (len(info['guidance_bands'])
                                          if info['guidance_bands'] else None)
        if k is not None and g.shape[0] != k:
            raise ValueError(f'guidance has {g.shape[0]} bands but the model expects {k}'
                             + (f' ({info["guidance_bands"]})' if info['guidance_bands'] else ''))
    return lr.astype(np.float32, copy=False), g.astype(np.float32, copy=False)


def downscale_scene(model, lr_lst: np.ndarray, guidance: Optional[np.ndarray],
                    tile: int = 256, overlap: int = 32, batch: int = 4,
                    progress: bool = True, guidance_bands: Optional[Sequence[str]] = None,
                    fit_samples: int = DEFAULT_FIT_SAMPLES, fit_seed: int = 0,
                    chunk_width: int = DEFAULT_CHUNK_WIDTH,
                    pixel_size: Optional[float] = None) -> np.ndarray:
    """Downscale a whole LR LST scene held in memory onto the HR grid by tiled, overlap-blended
    inference (the engine of :func:`groklst.apis.tiling.downscale_windows`, which
    :func:`groklst.apis.downscale_geotiff` runs on windows of GeoTIFFs).

    Args:
        model: a groklst downscaler (``Downscaler`` or ``PerSceneSharpener``), ideally from
            :func:`init_downscaler` (then the config's guidance normalization and LR valid range
            are applied; without ``model.cfg`` the guidance is used as given).
        lr_lst: (h, w) LR LST in K, NaN (or any value outside the valid range) = no data.
        guidance: (K, s·h, s·w) HR guidance in physical units (as stored in the GeoTIFF, before
            normalization), NaN = no data; None for single-image models.
        tile: tile size in HR pixels, a positive multiple of the scale factor s (a scene smaller
            than ``tile`` is one tile).
        overlap: overlap of neighbouring tiles in HR pixels, a multiple of s with
            ``0 <= 2·overlap <= tile``.
        batch: tiles per forward pass (memory ∝ tile² · batch).
        progress: show a tqdm progress bar.
        guidance_bands: names of the guidance bands in channel order, if known; checked
            against the model's (case-insensitive) and used by sharpeners that look bands up by
            name.
        fit_samples, fit_seed: per-scene sharpeners with a scene-level fit (TsHARP, DisTrad,
            DMS) fit it on all valid LR pixels when there are at most ``fit_samples``, else on
            a random sample of ``fit_samples`` of them drawn with ``fit_seed``
            (:mod:`groklst.apis.scene_fit`); then every tile is sharpened with that fit.
        chunk_width: HR width of the column chunks of the tiling engine (memory only).
        pixel_size: HR (guidance) pixel size in metres, handed to the model as the data
            samples' ``hr_pixel_size`` (models whose output depends on metres, e.g. the band
            limit of :class:`groklst.models.downscalers.GuidedDetailDownscaler`, need it);
            None: not known.

    Returns:
        (s·h, s·w) float32 HR LST in K, NaN over the s × s block of every invalid LR pixel, at
        invalid guidance pixels of guided models, and where a tile had no valid LR pixel.

    Raises:
        ValueError: shapes (LR not 2-D, guidance not (K, s·h, s·w), wrong K for the model),
            ``tile`` / ``overlap`` / ``batch`` out of range, ``guidance_bands`` of another
            length or order than the model's.
    """
    info = model_scene_info(model)
    s = info['scale']
    check_tiling(tile, overlap, batch, s)
    lr, g = _check_arrays(lr_lst, guidance, s, info)
    use_g = g if info['uses_guidance'] else None
    names = None
    if use_g is not None and guidance_bands is not None:
        names = [str(b) for b in guidance_bands]
        if len(names) != g.shape[0]:
            raise ValueError(f'guidance_bands names {len(names)} bands {names}; the guidance '
                             f'has {g.shape[0]}')
        if info['guidance_bands'] and not same_band_names(names, info['guidance_bands']):
            raise ValueError(f'guidance band order: the model was trained with bands '
                             f'{list(info["guidance_bands"])} in this order; guidance_bands '
                             f'are {names}')
    if use_g is not None and info['guidance_bands']:
        names = list(info['guidance_bands'])
    out = np.full((lr.shape[0] * s, lr.shape[1] * s), np.nan, np.float32)

    def read_lr(r0, r1, c0, c1):
        return lr[r0:r1, c0:c1]

    def read_guidance(r0, r1, c0, c1, bands=None):
        sub = use_g if bands is None else use_g[list(bands)]
        return sub[:, r0:r1, c0:c1]

    def write(r, c, block):
        out[r:r + block.shape[0], c:c + block.shape[1]] = block

    downscale_windows(model, read_lr, read_guidance if use_g is not None else None, lr.shape,
                      write, info, tile=tile, overlap=overlap, batch=batch, progress=progress,
                      band_names=names, num_guidance_bands=None if use_g is None else g.shape[0],
                      fit_samples=fit_samples, fit_seed=fit_seed, chunk_width=chunk_width,
                      pixel_size=pixel_size)
    return out
