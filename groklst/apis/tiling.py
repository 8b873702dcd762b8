"""Tiled, overlap-blended scene inference by windows, with memory bounded by the tile size.

The engine :func:`downscale_windows` reads its inputs through two callables (LR windows on the
model's LR grid, guidance windows on the HR grid) and hands finished blocks of the HR output
to a third, so the same code serves arrays in memory (:func:`groklst.apis.downscale_scene`)
and GeoTIFFs read and written by windows (:func:`groklst.apis.downscale_geotiff`).

Tiles: the HR grid is cut into ``tile`` × ``tile`` tiles every ``tile − overlap`` pixels (the
last tile flush with the edge, :func:`tile_starts`); each tile's LR window is ``tile / s`` LR
pixels. Predictions are blended with the separable weight window of :func:`blend_weights_1d`
and the accumulated weights are divided out.

Order and memory: the tile columns are grouped into column chunks about ``chunk_width`` HR
pixels wide; chunks are processed left to right, and inside a chunk tile rows top to bottom.
The engine holds one band of the chunk (tile rows × chunk width: the blending accumulators, the
guidance validity and the band's LR window), one batch of tiles, and, for every tile row, the
``overlap`` columns that the last tile of a chunk shares with the next chunk. Rows of a chunk
are written out as soon as no later tile touches them. Nothing scales with the scene width, and
only the ``overlap``-wide carry scales with its height.

Exactness: every output pixel receives the same weighted predictions, added in the same order
(tile rows, then tile columns) as when the scene is blended in one array, so the output does
not depend on ``chunk_width`` as long as the model's prediction of a tile does not depend on
which other tiles share its batch (true for interpolation, the per-scene sharpeners and, up to
the float rounding of batched BLAS kernels, for networks).
"""
from __future__ import annotations

import itertools
import time
from collections import deque
from contextlib import nullcontext
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import torch

__all__ = ['tile_starts', 'blend_weights_1d', 'column_chunks', 'check_tiling',
           'downscale_windows', 'lr_valid_mask', 'DEFAULT_CHUNK_WIDTH']

#: HR pixels per column chunk (see the module docstring).
DEFAULT_CHUNK_WIDTH = 2048


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
    """Blending weights (length,) of one tile axis.

    With overlap ``O`` between neighbouring tiles, a tile gives weight 0 to its outer
    ``m = O // 4`` pixels next to an inner tile edge (context only), then rises as a raised
    cosine ``½ − ½·cos(π·t)`` over the next ``O − 2m`` pixels, and is 1 further in; scene
    borders get no ramp. The rising ramp of a tile and the falling ramp of its neighbour sum to
    exactly 1.

    Args:
        length: tile length in HR pixels.
        overlap: overlap O with the neighbouring tiles, HR pixels.
        ramp_start / ramp_end: whether a neighbour lies before / after the tile.

    Returns:
        float64 weights in [0, 1].
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


def column_chunks(starts: Sequence[int], tile: int, chunk_width: int) -> List[Tuple[int, int]]:
    """Group tile columns into chunks ``[(j0, j1), ...]`` (tile columns j0..j1 − 1).

    A chunk spans at most ``max(chunk_width, tile)`` HR pixels. No chunk starts at the last,
    flush tile column (whose start is not on the regular stride), so that only the last tile
    column of a chunk reaches into the next chunk.
    """
    n = len(starts)
    chunks, j0 = [], 0
    while j0 < n:
        j1 = j0 + 1
        while j1 < n and starts[j1] + tile - starts[j0] <= chunk_width:
            j1 += 1
        if j1 == n - 1:
            j1 = n
        chunks.append((j0, j1))
        j0 = j1
    return chunks


def check_tiling(tile, overlap, batch, scale: int) -> None:
    """Check the tiling arguments of scene inference (HR pixels).

    Raises:
        ValueError: ``tile`` not a positive multiple of s, ``overlap`` not a multiple of s in
            [0, tile/2], or ``batch`` not a positive int.
    """
    if int(tile) != tile or tile <= 0 or tile % scale:
        raise ValueError(f'tile must be a positive multiple of the scale factor {scale}, '
                         f'got {tile}')
    if int(overlap) != overlap or overlap < 0 or overlap % scale or 2 * overlap > tile:
        raise ValueError(f'overlap must be a multiple of {scale} in [0, tile/2 = {tile // 2}], '
                         f'got {overlap}')
    if int(batch) != batch or batch < 1:
        raise ValueError(f'batch must be a positive int, got {batch}')


def lr_valid_mask(lr: np.ndarray, valid_range: Tuple[float, float]) -> np.ndarray:
    """Valid LR pixels: a bool array of ``lr``'s shape, True where the LR LST (K) is finite and
    inside ``valid_range`` (lo, hi) K (the rule of ``LoadLSTSample``)."""
    lo, hi = valid_range
    with np.errstate(invalid='ignore'):
        return np.isfinite(lr) & (lr >= lo) & (lr <= hi)


class _HeapTrimmer:
    """Hands freed heap memory back to the system at most once per ``interval`` seconds.

    glibc's malloc raises its mmap threshold after large blocks are freed, so the float64
    temporaries of thousands of tiles end up on the heap, and freed heap memory is kept: over a
    long scene the RSS creeps up (measured: +80 MB after 8100 TsHARP tiles) although nothing is
    alive. ``malloc_trim(0)`` returns it. A no-op where glibc is not the C library.
    """

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self._last = time.monotonic()
        try:
            import ctypes
            self._trim = ctypes.CDLL('libc.so.6').malloc_trim
        except (OSError, AttributeError):
            self._trim = None

    def __call__(self) -> None:
        if self._trim is not None and time.monotonic() - self._last >= self.interval:
            self._trim(0)
            self._last = time.monotonic()


def _model_device(model) -> torch.device:
    for t in itertools.chain(model.parameters(), model.buffers()):
        return t.device
    return torch.device('cpu')


class _Band:
    """Blending accumulators of one band of tile rows inside one column chunk."""

    def __init__(self, rows: int, x0: int, x1: int):
        self.x0 = x0
        self.acc = np.zeros((rows, x1 - x0), np.float32)
        self.wsum = np.zeros((rows, x1 - x0), np.float32)
        self.g_valid = np.ones((rows, x1 - x0), bool)
        self.top = None  # HR row of the band's first row

    def move_to(self, top: int) -> None:
        """Let the band start at HR row ``top``, keeping the rows it shares with the old one."""
        if self.top is not None:
            shift = top - self.top
            for a, fill in ((self.acc, 0), (self.wsum, 0), (self.g_valid, True)):
                keep = a.shape[0] - shift
                if keep > 0:
                    a[:keep] = a[shift:]
                a[max(keep, 0):] = fill
        self.top = top


def downscale_windows(model, read_lr: Callable, read_guidance: Optional[Callable],
                      lr_shape: Tuple[int, int], write: Callable, info: dict,
                      tile: int = 256, overlap: int = 32, batch: int = 4,
                      progress: bool = True, band_names: Optional[Sequence[str]] = None,
                      num_guidance_bands: Optional[int] = None, fit_samples: int = 65536,
                      fit_seed: int = 0, chunk_width: int = DEFAULT_CHUNK_WIDTH,
                      pixel_size: Optional[float] = None) -> dict:
    """Tiled, overlap-blended downscaling of a scene read and written by windows.

    Args:
        model: a groklst downscaler (``Downscaler`` or ``PerSceneSharpener``).
        read_lr: ``read_lr(r0, r1, c0, c1)`` → (r1 − r0, c1 − c0) float32 LR LST in K on the
            model's LR grid (NaN or out-of-range = no data).
        read_guidance: ``read_guidance(r0, r1, c0, c1, bands=None)`` → (K, r1 − r0, c1 − c0)
            float32 HR guidance in physical units (NaN = no data), or None for single-image
            models.
        lr_shape: (h, w) of the LR grid; the HR grid is (s·h, s·w).
        write: ``write(row, col, block)`` receives finished (n, m) float32 blocks of the HR
            output (NaN = no data), each pixel exactly once.
        info: :func:`groklst.apis.inference.model_scene_info` of the model.
        tile, overlap, batch: tiling (checked by :func:`check_tiling`).
        progress: tqdm progress bar.
        band_names: guidance band names in channel order, when known (sharpeners look bands
            up by name; passed to them as data-sample metainfo).
        num_guidance_bands: K (needed by the scene-level fit of sharpeners).
        fit_samples, fit_seed: the scene-level fit of per-scene sharpeners
            (:func:`groklst.apis.scene_fit.fit_sharpener_on_scene`).
        chunk_width: HR width of the column chunks (memory ∝ tile × chunk_width).
        pixel_size: HR pixel size in metres, passed as the data samples' ``hr_pixel_size``
            metainfo (read by models whose output depends on metres, e.g. the band limit of
            :class:`groklst.models.downscalers.GuidedDetailDownscaler`); None: not known.

    Returns:
        dict with ``tiles`` (tiles in the grid), ``computed`` (tiles run through the model) and
        ``scene_fit`` (the sharpener's scene-level fit description, or None).

    Raises:
        ValueError: bad tiling arguments; a guided model without ``read_guidance``.
    """
    from tqdm import tqdm

    from groklst.datasets.transforms.loading import fill_invalid
    from groklst.models.classic.base import PerSceneSharpener
    from groklst.structures import LSTDataSample

    from .scene_fit import fit_sharpener_on_scene

    s = info['scale']
    check_tiling(tile, overlap, batch, s)
    use_g = info['uses_guidance']
    if use_g and read_guidance is None:
        raise ValueError('the model is guided but no guidance was given')
    h, w = lr_shape
    hr_h, hr_w = h * s, w * s
    th, tw = min(tile, hr_h), min(tile, hr_w)
    stride = tile - overlap
    rows = tile_starts(hr_h, th, stride)
    cols = tile_starts(hr_w, tw, stride)
    chunks = column_chunks(cols, tw, chunk_width)
    valid_range = info['valid_range']
    normalize = info['normalize_guidance']
    device = _model_device(model)

    fit = None
    if isinstance(model, PerSceneSharpener) and use_g:
        fit = fit_sharpener_on_scene(model, read_lr, read_guidance, lr_shape, s, valid_range,
                                     num_guidance_bands, band_names, fit_samples, fit_seed)
    state = fit['state'] if fit is not None else None

    metainfo = dict(guidance_bands=list(band_names)) if band_names else {}
    if pixel_size is not None:
        metainfo['hr_pixel_size'] = float(pixel_size)

    def sample_for(mask):
        sample = LSTDataSample(metainfo=metainfo) if metainfo else LSTDataSample()
        sample.lr_mask = torch.from_numpy(mask.copy()).to(device)
        return sample

    def ops():
        """Reading side: the processing order as a stream of operations."""
        for ci, (j0, j1) in enumerate(chunks):
            x0, x1 = cols[j0], cols[j1 - 1] + tw
            fin1 = cols[j1] if j1 < len(cols) else hr_w  # final columns [x0, fin1)
            for i, r in enumerate(rows):
                lr_band = read_lr(r // s, (r + th) // s, x0 // s, x1 // s)
                valid_band = lr_valid_mask(lr_band, valid_range)
                yield ('row', ci, i, x0, x1)
                for j in range(j0, j1):
                    c = cols[j]
                    lc0 = (c - x0) // s
                    m_t = valid_band[None, :, lc0:lc0 + tw // s]
                    if not m_t.any():  # no valid LR pixel: every HR pixel is no-data
                        yield ('skip', i, j)
                        continue
                    g_t = gv_t = None
                    if use_g:
                        g_t = read_guidance(r, r + th, c, c + tw)
                        gv_t = np.isfinite(g_t).all(axis=0)
                        if not gv_t.any():
                            yield ('gvalid', i, j, c, gv_t)
                            continue
                        g_t = fill_invalid(g_t, gv_t[None])
                        if normalize is not None:
                            g_t = normalize.transform(dict(
                                guidance=g_t, guidance_bands=info['guidance_bands']))['guidance']
                    lr_t = fill_invalid(lr_band[None, :, lc0:lc0 + tw // s], m_t)
                    # the last tile of a chunk hands its overlap with the next chunk on
                    carry_at = cols[j1] if j == j1 - 1 and j1 < len(cols) else None
                    yield ['tile', i, j, c, lr_t, m_t, g_t, gv_t, carry_at, None]
                last = i == len(rows) - 1
                yield ('end_row', r, rows[i + 1] if not last else hr_h, x0, fin1, valid_band,
                       j1 < len(cols))

    band = _Band(th, 0, 0)
    trim = _HeapTrimmer()
    carry_in, carry_out = {}, {}
    n_tiles = len(rows) * len(cols)
    counts = dict(computed=0)
    bar = tqdm(total=n_tiles, desc='downscaling tiles', unit='tile', disable=not progress)

    def apply(op):
        nonlocal band, carry_in, carry_out
        kind = op[0]
        if kind == 'row':
            _, ci, i, x0, x1 = op
            if i == 0:
                band = _Band(th, x0, x1)
                carry_in, carry_out = carry_out, {}
            band.move_to(rows[i])
            if i in carry_in:  # tile (i, j0 - 1) of the previous chunk, added in tile order
                wp, wt = carry_in.pop(i)
                band.acc[:, :wp.shape[1]] += wp
                band.wsum[:, :wt.shape[1]] += wt
        elif kind == 'skip':
            bar.update(1)
        elif kind == 'gvalid':
            _, i, j, c, gv_t = op
            band.g_valid[:, c - band.x0:c - band.x0 + tw] = gv_t
            bar.update(1)
        elif kind == 'tile':
            _, i, j, c, _, _, _, gv_t, carry_at, pred = op
            r = rows[i]
            wy = blend_weights_1d(th, overlap, r > 0, r + th < hr_h)
            wx = blend_weights_1d(tw, overlap, c > 0, c + tw < hr_w)
            wt = np.outer(wy, wx).astype(np.float32)
            wp = wt * pred
            sl = (slice(None), slice(c - band.x0, c - band.x0 + tw))
            band.acc[sl] += wp
            band.wsum[sl] += wt
            if gv_t is not None:
                band.g_valid[sl] = gv_t
            if carry_at is not None:
                carry_out[i] = (wp[:, carry_at - c:].copy(), wt[:, carry_at - c:].copy())
            counts['computed'] += 1
            bar.update(1)
        elif kind == 'end_row':
            _, r, r_next, x0, fin1, valid_band, _ = op
            n, m = r_next - r, fin1 - x0
            acc, wsum = band.acc[:n, :m], band.wsum[:n, :m]
            out = np.full((n, m), np.nan, np.float32)
            np.divide(acc, wsum, out=out, where=wsum > 0)
            lr_ok = valid_band[:n // s, :m // s]
            invalid = ~np.repeat(np.repeat(lr_ok, s, axis=0), s, axis=1)
            if use_g:
                invalid |= ~band.g_valid[:n, :m]
            out[invalid] = np.nan
            write(r, x0, out)
            trim()

    def run_batch(tiles):
        inputs = dict(lr=torch.from_numpy(np.stack([t[4] for t in tiles])).to(device),
                      guidance=torch.from_numpy(np.stack([t[6] for t in tiles])).to(device)
                      if use_g else None)
        samples = [sample_for(t[5]) for t in tiles]
        with torch.no_grad():
            pred = model(inputs, samples, mode='tensor')
        pred = pred.detach().float().cpu().numpy()[:, 0]
        for t, p in zip(tiles, pred):
            t[9] = p
            t[4] = t[6] = None  # inputs no longer needed

    was_training = model.training
    model.eval()
    queue: deque = deque()
    pending: list = []
    try:
        with model.scene_fit(state) if fit is not None else nullcontext():
            for op in ops():
                queue.append(op)
                if op[0] == 'tile':
                    pending.append(op)
                    if len(pending) == batch:
                        run_batch(pending)
                        pending = []
                while queue and not (queue[0][0] == 'tile' and queue[0][9] is None):
                    apply(queue.popleft())
            if pending:
                run_batch(pending)
            while queue:
                apply(queue.popleft())
    finally:
        bar.close()
        model.train(was_training)
    return dict(tiles=n_tiles, computed=counts['computed'],
                scene_fit=None if fit is None else fit['description'])
