"""Whole-scene LST downscaling: model building and tiled, overlap-blended inference.

A scene is cut into tiles of ``tile`` HR pixels on the HR grid (the matching LR windows are
``tile / s`` LR pixels), tiles go through the model ``batch`` at a time, and the predictions are
blended into one HR map with a separable raised-cosine weight window. Only one batch of tiles
exists at a time, so memory is bounded by ``tile² · batch`` (plus the (H, W) accumulators).

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

Model: Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land Surface
Temperature Downscaling", IEEE TGRS 2025 (MoCoLSK-Net and the benchmark); any groklst
downscaler (``Downscaler`` or a ``PerSceneSharpener``) works.
"""
from __future__ import annotations

import itertools
import os
from typing import Iterator, List, Optional, Tuple

import numpy as np
import torch

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


def tile_starts(size: int, tile: int, stride: int) -> List[int]:
    """Start offsets of tiles of length ``tile`` every ``stride`` covering ``[0, size)``.

    The last tile is flush with the end (its overlap with the previous one may exceed
    ``tile − stride``); ``size <= tile`` gives one tile at 0.
    """
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile + 1, stride))
    if starts[-1] != size - tile:
        starts.append(size - tile)
    return starts


def blend_weights_1d(length: int, overlap: int, ramp_start: bool, ramp_end: bool) -> np.ndarray:
    """Blending weights (length,) of one tile axis (see the module docstring).

    Args:
        length: tile length in HR pixels.
        overlap: overlap O with the neighbouring tiles, HR pixels.
        ramp_start / ramp_end: whether a neighbour lies before / after the tile (no ramp at a
            scene border).

    Returns:
        float64 weights in [0, 1]: 0 over the outer ``O // 4`` pixels, raised cosine over the
        next ``O − 2·(O // 4)``, 1 elsewhere.
    """
    w = np.ones(length)
    if overlap <= 0:
        return w
    margin = overlap // 4
    width = overlap - 2 * margin
    d = np.arange(length, dtype=np.float64)

    def rise(dist):
        t = np.clip((dist + 0.5 - margin) / width, 0.0, 1.0)
        return 0.5 - 0.5 * np.cos(np.pi * t)

    if ramp_start:
        w *= rise(d)
    if ramp_end:
        w *= rise(length - 1 - d)
    return w


def _model_device(model) -> torch.device:
    for t in itertools.chain(model.parameters(), model.buffers()):
        return t.device
    return torch.device('cpu')


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


def _iter_tiles(hr_h, hr_w, tile_h, tile_w, stride_h, stride_w) -> Iterator[Tuple[int, int]]:
    for r in tile_starts(hr_h, tile_h, stride_h):
        for c in tile_starts(hr_w, tile_w, stride_w):
            yield r, c


def downscale_scene(model, lr_lst: np.ndarray, guidance: Optional[np.ndarray],
                    tile: int = 256, overlap: int = 32, batch: int = 4,
                    progress: bool = True, pixel_size: Optional[float] = None) -> np.ndarray:
    """Downscale a whole LR LST scene onto the HR grid by tiled, overlap-blended inference.

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
        pixel_size: HR (guidance) pixel size in metres, handed to the model as the data
            samples' ``hr_pixel_size`` (models whose output depends on metres, e.g. the band
            limit of :class:`groklst.models.downscalers.GuidedDetailDownscaler`, need it);
            None: not known.

    Returns:
        (s·h, s·w) float32 HR LST in K, NaN over the s × s block of every invalid LR pixel, at
        invalid guidance pixels of guided models, and where a tile had no valid LR pixel.

    Raises:
        ValueError: shapes (LR not 2-D, guidance not (K, s·h, s·w), wrong K for the model),
            ``tile`` / ``overlap`` / ``batch`` out of range.
    """
    from tqdm import tqdm

    from groklst.datasets.transforms.loading import fill_invalid
    from groklst.structures import LSTDataSample

    info = model_scene_info(model)
    s = info['scale']
    if int(tile) != tile or tile <= 0 or tile % s:
        raise ValueError(f'tile must be a positive multiple of the scale factor {s}, got {tile}')
    if int(overlap) != overlap or overlap < 0 or overlap % s or 2 * overlap > tile:
        raise ValueError(f'overlap must be a multiple of {s} in [0, tile/2 = {tile // 2}], '
                         f'got {overlap}')
    if int(batch) != batch or batch < 1:
        raise ValueError(f'batch must be a positive int, got {batch}')
    lr, g = _check_arrays(lr_lst, guidance, s, info)
    use_g = g if info['uses_guidance'] else None
    h, w = lr.shape
    hr_h, hr_w = h * s, w * s
    lo, hi = info['valid_range']
    with np.errstate(invalid='ignore'):
        lr_valid = np.isfinite(lr) & (lr >= lo) & (lr <= hi)
    g_valid = np.isfinite(use_g).all(axis=0) if use_g is not None else None

    tile_h, tile_w = min(tile, hr_h), min(tile, hr_w)
    stride = tile - overlap
    acc = np.zeros((hr_h, hr_w), np.float32)
    wsum = np.zeros((hr_h, hr_w), np.float32)
    n_tiles = len(tile_starts(hr_h, tile_h, stride)) * len(tile_starts(hr_w, tile_w, stride))
    device = _model_device(model)
    was_training = model.training
    model.eval()

    def run(items):
        lrs, gs, samples = [], [], []
        for r, c in items:
            lr_t = lr[None, r // s:(r + tile_h) // s, c // s:(c + tile_w) // s]
            m_t = lr_valid[None, r // s:(r + tile_h) // s, c // s:(c + tile_w) // s]
            lrs.append(fill_invalid(lr_t, m_t))
            sample = LSTDataSample()
            if pixel_size is not None:
                sample.set_metainfo(dict(hr_pixel_size=float(pixel_size)))
            sample.lr_mask = torch.from_numpy(m_t.copy()).to(device)
            samples.append(sample)
            if use_g is not None:
                g_t = use_g[:, r:r + tile_h, c:c + tile_w]
                g_t = fill_invalid(g_t, g_valid[None, r:r + tile_h, c:c + tile_w])
                if info['normalize_guidance'] is not None:
                    g_t = info['normalize_guidance'].transform(
                        dict(guidance=g_t, guidance_bands=info['guidance_bands']))['guidance']
                gs.append(g_t)
        inputs = dict(lr=torch.from_numpy(np.stack(lrs)).to(device),
                      guidance=torch.from_numpy(np.stack(gs)).to(device) if gs else None)
        with torch.no_grad():
            pred = model(inputs, samples, mode='tensor')
        pred = pred.detach().float().cpu().numpy()[:, 0]
        for (r, c), p in zip(items, pred):
            wy = blend_weights_1d(tile_h, overlap, r > 0, r + tile_h < hr_h)
            wx = blend_weights_1d(tile_w, overlap, c > 0, c + tile_w < hr_w)
            wt = np.outer(wy, wx).astype(np.float32)
            acc[r:r + tile_h, c:c + tile_w] += wt * p
            wsum[r:r + tile_h, c:c + tile_w] += wt

    try:
        pending = []
        bar = tqdm(total=n_tiles, desc='downscaling tiles', unit='tile', disable=not progress)
        for r, c in _iter_tiles(hr_h, hr_w, tile_h, tile_w, stride, stride):
            lr_ok = lr_valid[r // s:(r + tile_h) // s, c // s:(c + tile_w) // s].any()
            g_ok = g_valid is None or g_valid[r:r + tile_h, c:c + tile_w].any()
            if lr_ok and g_ok:  # otherwise every HR pixel of the tile is no-data
                pending.append((r, c))
            else:
                bar.update(1)
            if len(pending) == batch:
                run(pending)
                bar.update(len(pending))
                pending = []
        if pending:
            run(pending)
            bar.update(len(pending))
        bar.close()
    finally:
        model.train(was_training)

    out = np.full((hr_h, hr_w), np.nan, np.float32)
    np.divide(acc, wsum, out=out, where=wsum > 0)
    invalid = np.repeat(np.repeat(~lr_valid, s, axis=0), s, axis=1)
    if g_valid is not None:
        invalid |= ~g_valid
    out[invalid] = np.nan
    return out

