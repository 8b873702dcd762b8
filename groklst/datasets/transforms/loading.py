"""Loading of one downscaling sample (LR LST, HR LST, HR guidance, validity masks)."""
from typing import Optional, Sequence, Tuple

import functools

import numpy as np
from mmcv.transforms import BaseTransform

from groklst.registry import TRANSFORMS

SPATIAL_KEYS_LR = ('lr_lst', 'lr_mask')
SPATIAL_KEYS_HR = ('gt_lst', 'gt_mask', 'guidance')


def _read_array(path: str, fmt: str, kind: str, window=None, bands=None) -> np.ndarray:
    """Read one array as float32 (C, H, W) from a GeoTIFF, GrokLST .mat or .npz file.

    Args:
        path: file path.
        fmt: 'tif', 'mat' or 'npz'.
        kind: 'lst' or 'guidance' (selects the .mat reader / npz key).
        window: ((row_off, col_off), (height, width)) pixel window for GeoTIFFs, or None.
        bands: guidance band names (.mat / npz) to read in this order.

    Raises:
        ValueError: on an unknown format.
    """
    if fmt == 'tif':
        from groklst.fileio.raster import read_raster
        win = None
        if window is not None:
            from rasterio.windows import Window
            (row, col), (h, w) = window
            win = Window(col, row, w, h)
        arr, _ = read_raster(path, window=win)
    elif fmt == 'mat':
        from groklst.fileio.mat_io import read_mat_guidance, read_mat_lst
        if kind == 'lst':
            arr = read_mat_lst(path)
        else:
            arr = read_mat_guidance(path, bands=tuple(bands)) if bands else read_mat_guidance(path)
    elif fmt == 'npz':
        with np.load(path) as z:
            if kind == 'lst':
                arr = z['lst']
            else:
                arr = np.stack([z[b] for b in bands]) if bands else z['guidance']
        arr = arr[None] if arr.ndim == 2 else arr
    else:
        raise ValueError(f"Unknown raster format '{fmt}' for {path}; expected tif, mat or npz")
    return np.asarray(arr).astype(np.float32, copy=False)


@functools.lru_cache(maxsize=16)
def _read_whole_tif(path: str) -> np.ndarray:
    """Whole GeoTIFF as float32 (C, H, W), cached per process (read-only)."""
    arr = _read_array(path, 'tif', 'lst')
    arr.setflags(write=False)
    return arr


def _read_cached(path: str, window) -> np.ndarray:
    arr = _read_whole_tif(path)
    if window is None:
        return arr.copy()
    (row, col), (h, w) = window
    if row + h > arr.shape[1] or col + w > arr.shape[2]:
        raise ValueError(f'Window {window} exceeds {path} of size {arr.shape[1:]}')
    return arr[:, row:row + h, col:col + w].copy()


def _scaled_window(window, scale: int):
    (row, col), (h, w) = window
    for v, name in ((row, 'row'), (col, 'col'), (h, 'height'), (w, 'width')):
        if v % scale:
            raise ValueError(f'HR window {name}={v} is not a multiple of scale {scale}')
    return (row // scale, col // scale), (h // scale, w // scale)


def _check_hr_size(what: str, path: str, arr: np.ndarray, lr_path: str, lr_hw, scale: int):
    want = (lr_hw[0] * scale, lr_hw[1] * scale)
    if tuple(arr.shape[-2:]) != want:
        raise ValueError(f'{what} {path} is {tuple(arr.shape[-2:])} and LR {lr_path} is '
                         f'{tuple(lr_hw)}: sizes are not related by scale {scale} '
                         f'(expected {want})')


def fill_invalid(arr: np.ndarray, mask: np.ndarray, fill_value: float = 0.0) -> np.ndarray:
    """Replace invalid pixels of each channel by the value of the nearest valid pixel.

    Nearest-neighbour filling (Euclidean distance transform, ``scipy.ndimage``) keeps values
    near the edge of a cloud or no-data hole close to their valid surroundings, so interpolation
    of the LR field does not drag unrelated values into valid HR pixels next to the hole.
    Filled pixels only feed the convolutions: the masks keep them out of losses and metrics.

    Args:
        arr: (C, H, W) float32.
        mask: (1 or C, H, W) bool, True where valid.
        fill_value: value of a channel without any valid pixel. Defaults to 0.

    Returns:
        (C, H, W) float32, finite everywhere (``fill_value`` where a channel has no valid
        pixel).
    """
    from scipy.ndimage import distance_transform_edt
    out = arr.copy()
    mask = np.broadcast_to(mask, arr.shape)
    for c in range(arr.shape[0]):
        valid = mask[c]
        if valid.all():
            continue
        if not valid.any():
            out[c] = fill_value
            continue
        rows, cols = distance_transform_edt(~valid, return_distances=False, return_indices=True)
        out[c] = arr[c][rows, cols]
    return out


def lr_support_mask(lr_mask: np.ndarray, scale: int, dilation: int = 0) -> np.ndarray:
    """HR pixels whose LR support is valid.

    The LR support of an HR pixel (i, j) is the LR pixel (i // s, j // s) whose s x s block it
    lies in; with ``dilation`` = d it is the (2d + 1) x (2d + 1) LR pixels around that one
    (d = 2 covers the 4 x 4 footprint of bicubic interpolation). An HR pixel over an invalid
    LR pixel (cloud, no data, out-of-range value) sees only filled input, so it is neither
    trained on nor scored.

    Args:
        lr_mask: (1, h, w) bool, True where the LR LST is valid.
        scale: scale factor s.
        dilation: LR pixels added around every invalid LR pixel (>= 0).

    Returns:
        (1, s·h, s·w) bool, True where the HR pixel's LR support is entirely valid.

    Raises:
        ValueError: negative ``dilation``.
    """
    if dilation < 0:
        raise ValueError(f'dilation must be >= 0 LR pixels, got {dilation}')
    invalid = ~np.asarray(lr_mask, bool)
    if dilation and invalid.any():
        from scipy.ndimage import binary_dilation
        size = 2 * int(dilation) + 1
        invalid = binary_dilation(invalid, structure=np.ones((1, size, size), bool))
    return ~invalid.repeat(scale, axis=-2).repeat(scale, axis=-1)


@TRANSFORMS.register_module()
class LoadLSTSample(BaseTransform):
    """Load LR LST, HR LST (reference) and HR guidance of one sample and derive validity masks.

    Reads ``lr_path``, ``gt_path`` (optional), ``guidance_path`` (optional) and, for GeoTIFF scenes,
    ``hr_window`` ((row, col), (H, W)) and ``mask_path`` (uint8 valid mask on the HR grid).
    Formats: ``lr_format`` key of the results ('tif', 'mat', 'npz'). A pixel is valid when it is
    finite, inside ``valid_range`` (K) and, where a mask file is given, flagged valid. Invalid LST
    pixels are filled with the value of the nearest valid pixel of the tile
    (:func:`fill_invalid`; a tile without any valid pixel with the middle of ``valid_range``)
    so nothing non-finite reaches a network; the masks (bool) keep them out of loss and
    metrics. Invalid LR pixels propagate into ``gt_mask``: an HR pixel whose LR support
    (:func:`lr_support_mask`: the LR pixel above it, dilated by ``lr_support_dilation`` LR
    pixels) is invalid is neither trained on nor scored, so a tile whose LR is all invalid
    adds nothing to the loss. Non-finite guidance pixels are filled the same way and make the
    co-located reference pixel invalid.

    Added keys: ``lr_lst`` (1, h, w), ``lr_mask`` (1, h, w), ``gt_lst`` (1, H, W), ``gt_mask``
    (1, H, W), ``guidance`` (K, H, W) float32 (K, H, W); see ``groklst/datasets/CONTRACT.md``.

    Args:
        valid_range: (min, max) plausible LST in K.
        expected_bands: number of guidance bands the model expects; None = from
            ``guidance_bands`` of the results.
        cache_scenes: keep whole GeoTIFF scenes in memory (per worker) and cut windows from
            them: fast for small scenes such as the Landsat-8 demo; leave off for large ones.
        lr_support_dilation: LR pixels by which invalid LR pixels are dilated before they
            mask the HR pixels above them (0: the s x s block only; 2: the bicubic footprint).

    Raises:
        ValueError: guidance band count differs from the expected count; LR and HR sizes are not
            related by ``scale``; a file has the wrong number of LST bands.
    """

    def __init__(self, valid_range: Tuple[float, float] = (200.0, 360.0),
                 expected_bands: Optional[int] = None, cache_scenes: bool = False,
                 lr_support_dilation: int = 0) -> None:
        if int(lr_support_dilation) < 0:
            raise ValueError(f'lr_support_dilation must be >= 0, got {lr_support_dilation}')
        self.valid_range = valid_range
        self.expected_bands = expected_bands
        self.cache_scenes = cache_scenes
        self.lr_support_dilation = int(lr_support_dilation)
        #: fill of a tile without any valid LST pixel (masked everywhere, never trained on)
        self.empty_fill = 0.5 * (float(valid_range[0]) + float(valid_range[1]))

    def _read(self, path, fmt, kind, window=None, bands=None):
        if self.cache_scenes and fmt == 'tif':
            return _read_cached(path, window)
        return _read_array(path, fmt, kind, window=window, bands=bands)

    def _valid(self, arr: np.ndarray) -> np.ndarray:
        lo, hi = self.valid_range
        with np.errstate(invalid='ignore'):
            return np.isfinite(arr) & (arr >= lo) & (arr <= hi)

    def transform(self, results: dict) -> dict:
        fmt = results.get('lr_format', 'tif')
        scale = int(results['scale'])
        hr_window = results.get('hr_window')
        lr_window = _scaled_window(hr_window, scale) if hr_window is not None else None
        bands = results.get('guidance_bands')

        lr = self._read(results['lr_path'], fmt, 'lst', window=lr_window)
        if lr.shape[0] != 1:
            raise ValueError(f"LR LST {results['lr_path']} has {lr.shape[0]} bands, expected 1")
        lr_mask = self._valid(lr)
        h, w = lr.shape[-2:]

        guidance = None
        if results.get('guidance_path'):
            guidance = self._read(results['guidance_path'], fmt, 'guidance',
                                   window=hr_window, bands=bands)
            expected = self.expected_bands or (len(bands) if bands else None)
            if expected is not None and guidance.shape[0] != expected:
                raise ValueError(
                    f"Guidance {results['guidance_path']}: expected {expected} bands "
                    f"({list(bands) if bands else ''}), found {guidance.shape[0]}")
            _check_hr_size('Guidance', results['guidance_path'], guidance, results['lr_path'],
                           (h, w), scale)
            g_valid = np.isfinite(guidance)
            guidance = fill_invalid(guidance, g_valid)
            results['guidance'] = guidance

        if results.get('gt_path'):
            gt = self._read(results['gt_path'], fmt, 'lst', window=hr_window)
            if gt.shape[0] != 1:
                raise ValueError(f"HR LST {results['gt_path']} has {gt.shape[0]} bands, expected 1")
            _check_hr_size('HR LST', results['gt_path'], gt, results['lr_path'], (h, w), scale)
            gt_mask = self._valid(gt)
            if results.get('mask_path'):
                m = self._read(results['mask_path'], 'tif', 'lst', window=hr_window)
                gt_mask &= m > 0
            if guidance is not None:
                gt_mask &= g_valid.all(axis=0, keepdims=True)
            results['gt_lst'] = fill_invalid(gt, gt_mask, self.empty_fill)
            results['gt_mask'] = gt_mask & lr_support_mask(lr_mask, scale,
                                                           self.lr_support_dilation)

        results['lr_lst'] = fill_invalid(lr, lr_mask, self.empty_fill)
        results['lr_mask'] = lr_mask
        results['ori_shape'] = (h * scale, w * scale)
        return results


@TRANSFORMS.register_module()
class NormalizeGuidance(BaseTransform):
    """Normalize each guidance band with statistics fitted on the training split.

    Statistics come from a JSON file written by the dataset tools (key ``guidance`` →
    ``{band: {mean, std, min, max}}``), never from numbers pasted into configs.

    Args:
        stats_file: path of the statistics JSON.
        mode: 'zscore' ((x − mean)/std) or 'minmax' ((x − min)/(max − min)).

    Raises:
        KeyError: a band of the sample has no statistics in the file (names listed).
        ValueError: unknown mode, or a zero std / range.
    """

    def __init__(self, stats_file: str, mode: str = 'zscore') -> None:
        if mode not in ('zscore', 'minmax'):
            raise ValueError(f"mode must be 'zscore' or 'minmax', got {mode!r}")
        from groklst.datasets.stats import load_stats
        self.stats_file = stats_file
        self.stats = load_stats(stats_file)['guidance']
        self.mode = mode

    def transform(self, results: dict) -> dict:
        if results.get('guidance') is None:
            return results
        bands = results['guidance_bands']
        missing = [b for b in bands if b not in self.stats]
        if missing:
            raise KeyError(f'{self.stats_file} has no guidance statistics for bands {missing}; '
                           f'it has {sorted(self.stats)}')
        g = results['guidance'].copy()
        for i, b in enumerate(bands):
            s = self.stats[b]
            if self.mode == 'zscore':
                offset, div = s['mean'], s['std']
            else:
                offset, div = s['min'], s['max'] - s['min']
            if div <= 0:
                raise ValueError(f"{self.stats_file}: band '{b}' has non-positive spread {div}")
            g[i] = (g[i] - offset) / div
        results['guidance'] = g.astype(np.float32)
        return results
