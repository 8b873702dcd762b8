"""Windowed raster I/O with bounded memory: readers of float32 windows on a pixel grid, an LR
warp by windows, and a single-band GeoTIFF written by windows and finished as a Cloud-Optimized
GeoTIFF.

Scene inference (:mod:`groklst.apis`) never holds a whole scene: it reads the windows it needs
(a tile of guidance, a band of LR rows) and writes finished rows of the output. Memory then
depends on the window sizes, not on the scene size. GDAL's own block cache is bounded with
:func:`gdal_cache_limit` (by default GDAL may cache 5 % of the machine's memory of decoded
blocks, which grows with the scene).

Values: windows are float32 in the units of the file after GDAL's scale/offset tags are applied
(``value = raw · scale + offset``); pixels equal to the file's nodata value (compared before
scaling) and pixels outside the file are NaN.
"""
from __future__ import annotations

import math
import os
import uuid
from contextlib import contextmanager
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

__all__ = ['RasterWindowReader', 'ResampledWindowReader', 'GeoTIFFWindowWriter',
           'gdal_cache_limit', 'read_decimated', 'grid_windows', 'DEFAULT_GDAL_CACHE_MB']

#: GDAL block cache during windowed scene I/O, MB: a few tiles of 10-band guidance blocks.
DEFAULT_GDAL_CACHE_MB = 64


@contextmanager
def gdal_cache_limit(megabytes: int = DEFAULT_GDAL_CACHE_MB) -> Iterator[None]:
    """Bound GDAL's block cache (``GDAL_CACHEMAX``, MB) inside the ``with`` block."""
    with rasterio.Env(GDAL_CACHEMAX=int(megabytes)):
        yield


def _open(path: str):
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'raster file not found: {path}')
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise ValueError(f'{path}: not a readable raster ({exc})') from exc


def _to_float(raw: np.ndarray, nodata, scales, offsets) -> np.ndarray:
    """(C, h, w) raw pixels -> float32 with nodata -> NaN, then scale / offset per band."""
    arr = raw.astype(np.float32)
    if nodata is not None and not math.isnan(nodata):
        arr[arr == np.float32(nodata)] = np.nan
    for i, (sc, off) in enumerate(zip(scales, offsets)):
        if sc != 1 or off != 0:
            arr[i] = arr[i] * np.float32(sc) + np.float32(off)
    return arr


class RasterWindowReader:
    """Float32 windows of one or several co-registered rasters (bands stacked in file order) on
    a pixel grid that may extend beyond the files.

    Grid pixel (row, col) is file pixel (row − ``offset[0]``, col − ``offset[1]``); grid pixels
    outside the files are NaN, as are nodata pixels. GDAL scale/offset tags are applied.

    Args:
        paths: one path or a list of rasters on one grid (same size; the caller checks CRS and
            transform).
        offset: (row, col) of file pixel (0, 0) on the grid.

    Attributes:
        count: total band count; ``height``, ``width``: size of the files;
        ``descriptions``: band descriptions, stacked.

    Raises:
        FileNotFoundError / ValueError: a file missing or not a raster; files of different
            sizes.

    Use as a context manager (or call :meth:`close`): the files stay open between reads.
    """

    def __init__(self, paths, offset: Tuple[int, int] = (0, 0)):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.offset = (int(offset[0]), int(offset[1]))
        self._datasets = []
        try:
            for p in self.paths:
                self._datasets.append(_open(p))
        except BaseException:
            self.close()
            raise
        d0 = self._datasets[0]
        self.height, self.width = d0.height, d0.width
        for p, d in zip(self.paths, self._datasets):
            if (d.height, d.width) != (self.height, self.width):
                self.close()
                raise ValueError(f'{p}: expected {self.height} x {self.width} px as '
                                 f'{self.paths[0]}, found {d.height} x {d.width}')
        # global band b -> (dataset index, 1-based band index)
        self._bands = [(i, b + 1) for i, d in enumerate(self._datasets) for b in range(d.count)]
        self.count = len(self._bands)
        self.descriptions = tuple(desc for d in self._datasets for desc in d.descriptions)

    def close(self) -> None:
        for d in self._datasets:
            d.close()
        self._datasets = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, r0: int, r1: int, c0: int, c1: int,
             bands: Optional[Sequence[int]] = None) -> np.ndarray:
        """Grid window rows [r0, r1), cols [c0, c1) of ``bands`` (0-based, stacked order; None:
        all) → float32 (len(bands), r1 − r0, c1 − c0), NaN outside the files and at nodata.

        Raises:
            ValueError: an empty window; a band index out of range; unreadable pixel data.
        """
        if r1 <= r0 or c1 <= c0:
            raise ValueError(f'empty window rows {r0}:{r1}, cols {c0}:{c1}')
        bands = list(range(self.count)) if bands is None else [int(b) for b in bands]
        for b in bands:
            if not 0 <= b < self.count:
                raise ValueError(f'band {b} outside 0..{self.count - 1} of {self.paths}')
        out = np.full((len(bands), r1 - r0, c1 - c0), np.nan, np.float32)
        fr0, fc0 = max(r0 - self.offset[0], 0), max(c0 - self.offset[1], 0)
        fr1 = min(r1 - self.offset[0], self.height)
        fc1 = min(c1 - self.offset[1], self.width)
        if fr1 <= fr0 or fc1 <= fc0:
            return out
        win = Window(fc0, fr0, fc1 - fc0, fr1 - fr0)
        dst = (slice(None), slice(fr0 + self.offset[0] - r0, fr1 + self.offset[0] - r0),
               slice(fc0 + self.offset[1] - c0, fc1 + self.offset[1] - c0))
        # consecutive bands of one file are read in one call
        k = 0
        while k < len(bands):
            ds_i, first = self._bands[bands[k]]
            idx = [first]
            while k + len(idx) < len(bands) and self._bands[bands[k + len(idx)]] == \
                    (ds_i, idx[-1] + 1):
                idx.append(idx[-1] + 1)
            d = self._datasets[ds_i]
            try:
                raw = d.read(idx, window=win)
            except RasterioIOError as exc:
                raise ValueError(f'{self.paths[ds_i]}: raster data cannot be read, the file is '
                                 f'corrupt or truncated ({exc})') from exc
            out[(slice(k, k + len(idx)),) + dst[1:]] = _to_float(
                raw, d.nodata, [d.scales[i - 1] for i in idx], [d.offsets[i - 1] for i in idx])
            k += len(idx)
        return out


class ResampledWindowReader:
    """Float32 windows of a one-band raster warped onto another grid of the same CRS, window by
    window (``rasterio.warp.reproject`` of the source pixels around each window).

    Each call reads only the source pixels under the requested window plus ``margin`` pixels,
    so the result equals warping the whole raster at once for resampling kernels that reach at
    most ``margin`` source pixels (nearest, bilinear, cubic, average).

    Args:
        path: source raster (band 1).
        dst_transform: transform of the destination grid (pixel (0, 0) at its origin).
        dst_crs: CRS of the destination grid (the caller checks it equals the source's).
        resampling: ``rasterio.enums.Resampling`` member.
        margin: source pixels read beyond the window on every side.
    """

    def __init__(self, path: str, dst_transform: Affine, dst_crs, resampling,
                 margin: int = 2):
        self.path = os.fspath(path)
        self._ds = _open(self.path)
        self.dst_transform = dst_transform
        self.dst_crs = dst_crs
        self.resampling = resampling
        self.margin = int(margin)

    def close(self) -> None:
        if self._ds is not None:
            self._ds.close()
            self._ds = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, r0: int, r1: int, c0: int, c1: int, bands=None) -> np.ndarray:
        """Destination rows [r0, r1), cols [c0, c1) → float32 (1, r1 − r0, c1 − c0), NaN where
        the source has no data."""
        from rasterio.warp import reproject
        src = self._ds
        dst = np.full((1, r1 - r0, c1 - c0), np.nan, np.float32)
        dst_t = self.dst_transform * Affine.translation(c0, r0)
        inv = ~src.transform
        xs, ys = [], []
        for col, row in ((0, 0), (c1 - c0, 0), (0, r1 - r0), (c1 - c0, r1 - r0)):
            x, y = inv * (dst_t * (col, row))
            xs.append(x)
            ys.append(y)
        sc0 = max(math.floor(min(xs)) - self.margin, 0)
        sc1 = min(math.ceil(max(xs)) + self.margin, src.width)
        sr0 = max(math.floor(min(ys)) - self.margin, 0)
        sr1 = min(math.ceil(max(ys)) + self.margin, src.height)
        if sr1 <= sr0 or sc1 <= sc0:
            return dst
        win = Window(sc0, sr0, sc1 - sc0, sr1 - sr0)
        try:
            raw = src.read([1], window=win)
        except RasterioIOError as exc:
            raise ValueError(f'{self.path}: raster data cannot be read, the file is corrupt or '
                             f'truncated ({exc})') from exc
        arr = _to_float(raw, src.nodata, src.scales[:1], src.offsets[:1])
        reproject(arr, dst, src_transform=src.window_transform(win), src_crs=src.crs,
                  src_nodata=np.nan, dst_transform=dst_t, dst_crs=self.dst_crs,
                  dst_nodata=np.nan, resampling=self.resampling)
        return dst


class GeoTIFFWindowWriter:
    """A single-band float32 GeoTIFF written by windows, finished as a Cloud-Optimized GeoTIFF.

    Windows go to an uncompressed, tiled, sparse temporary GeoTIFF next to ``path`` (windows may
    come in any order and need not match its blocks; blocks that stay nodata are not stored).
    :meth:`finish` converts it with GDAL's COG driver into ``path``: 256 × 256 tiles, LZW with
    the floating-point predictor, nodata NaN, the band description and unit, overviews
    optional; the temporary is then removed. Memory is bounded by GDAL's block cache
    (:func:`gdal_cache_limit`), not by the raster size.

    Args:
        path: destination (typically a hidden temporary that the caller renames into place).
        height, width: raster size, pixels.
        crs, transform: georeferencing.
        description, units: band description and unit (or None).
        overviews: build overviews in the COG (GDAL's ``OVERVIEWS=AUTO``).

    Use as a context manager: leaving it with an exception (or :meth:`abort`) removes every
    file it made; leaving it normally without :meth:`finish` does too.
    """

    BLOCK = 256

    def __init__(self, path: str, height: int, width: int, crs, transform: Affine,
                 description: Optional[str] = None, units: Optional[str] = None,
                 overviews: bool = False):
        self.path = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f'cannot write {self.path}: directory {directory} does not '
                                    f'exist')
        self.height, self.width = int(height), int(width)
        self.overviews = bool(overviews)
        self._raw = os.path.join(directory,
                                 f'.{os.path.basename(self.path)}.{uuid.uuid4().hex}.raw.tif')
        profile = dict(driver='GTiff', height=self.height, width=self.width, count=1,
                       dtype='float32', crs=crs, transform=transform, nodata=float('nan'),
                       tiled=True, blockxsize=self.BLOCK, blockysize=self.BLOCK,
                       sparse_ok=True, BIGTIFF='IF_SAFER')
        self._dst = rasterio.open(self._raw, 'w', **profile)
        if description:
            self._dst.set_band_description(1, description)
        if units:
            self._dst.set_band_unit(1, units)
        self._done = False

    def write(self, row: int, col: int, block: np.ndarray) -> None:
        """Write a (h, w) float32 block with its top-left pixel at (row, col)."""
        block = np.asarray(block, np.float32)
        h, w = block.shape
        if row < 0 or col < 0 or row + h > self.height or col + w > self.width:
            raise ValueError(f'{self.path}: block rows {row}:{row + h}, cols {col}:{col + w} '
                             f'outside {self.height} x {self.width}')
        self._dst.write(block[None], window=Window(col, row, w, h))

    def finish(self) -> str:
        """Convert the written raster to the COG at ``path``; returns ``path``."""
        import rasterio.shutil
        self._dst.close()
        rasterio.shutil.copy(self._raw, self.path, driver='COG', COMPRESS='LZW',
                             PREDICTOR='YES', BLOCKSIZE=self.BLOCK, BIGTIFF='IF_SAFER',
                             OVERVIEWS='AUTO' if self.overviews else 'NONE')
        self._remove(self._raw)
        self._done = True
        return self.path

    @staticmethod
    def _remove(path: str) -> None:
        for p in (path, path + '.aux.xml'):
            if os.path.exists(p):
                os.remove(p)

    def abort(self) -> None:
        """Close and remove the temporary and any partial ``path``."""
        if not self._dst.closed:
            self._dst.close()
        self._remove(self._raw)
        if not self._done:
            self._remove(self.path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None or not self._done:
            self.abort()


def read_decimated(read: Callable[[int, int, int, int], np.ndarray], height: int, width: int,
                   step: int, rows_per_read: int = 256) -> np.ndarray:
    """``a[::step, ::step]`` of a (height, width) raster read by windows (for previews).

    ``read(r0, r1, c0, c1)`` returns the (r1 − r0, c1 − c0) window. With ``step`` 1 the raster
    is read in bands of ``rows_per_read`` rows, otherwise one row per kept row, so memory is one
    band or one row.
    """
    out = np.empty((math.ceil(height / step), math.ceil(width / step)), np.float32)
    if step == 1:
        for r in range(0, height, rows_per_read):
            r1 = min(r + rows_per_read, height)
            out[r:r1] = read(r, r1, 0, width)
        return out
    for i, r in enumerate(range(0, height, step)):
        out[i] = read(r, r + 1, 0, width)[0, ::step]
    return out


def grid_windows(height: int, width: int, side: int) -> List[Tuple[int, int, int, int]]:
    """Row-major (r0, r1, c0, c1) windows of at most ``side`` × ``side`` covering the raster."""
    return [(r, min(r + side, height), c, min(c + side, width))
            for r in range(0, height, side) for c in range(0, width, side)]
