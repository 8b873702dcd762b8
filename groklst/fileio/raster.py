"""GeoTIFF reading and writing with rasterio, whole or by windows.

Arrays are always channel-first ``(C, H, W)`` numpy arrays, matching the data
contract in ``groklst/datasets/CONTRACT.md``.  Reading honours the GDAL
scale/offset tags of a band (``value = stored * scale + offset``, e.g. MODIS
LST stored as uint16 with scale 0.02 K): such bands come back as floats in the
physical unit, with their nodata pixels set to NaN.  Writing is atomic: the raster is
written to a temporary file next to the destination and moved into place with
:func:`os.replace` only once it is complete, so an error never leaves a partial
file (or a stale temporary) behind.

Windowed processing with memory bounded by the window size: :class:`RasterGrid`
(CRS, transform, size), :func:`iter_windows` over it, :func:`grown_window` for
neighbourhood operations, :class:`GridReader` (a raster read window by window on
another grid, resampled on the fly when :func:`plan_alignment` allows it) and
:class:`WindowedRasterWriter` (a GeoTIFF written window by window, atomically).
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

__all__ = ['read_raster', 'write_raster', 'apply_scale_offset', 'WRITE_BLOCK', 'RasterGrid',
           'raster_info', 'iter_windows', 'grown_window', 'ALIGN_MODES', 'plan_alignment',
           'GridReader', 'WindowedRasterWriter']

#: Tile size of the GeoTIFFs written here (from 256 px in both directions on); windows that
#: are multiples of it write every tile once.
WRITE_BLOCK = 256

# numpy dtypes GeoTIFF (through GDAL) can hold.  bool is written as uint8.
_WRITABLE_DTYPES = ('uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32',
                    'int64', 'uint64', 'float32', 'float64')


def _as_window(window: Any, height: int, width: int, path: str) -> Window:
    """Turn ``window`` into a rasterio ``Window`` lying inside the raster."""
    if isinstance(window, Window):
        win = window
    else:
        try:
            (r0, r1), (c0, c1) = window
            win = Window.from_slices((int(r0), int(r1)), (int(c0), int(c1)))
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f'{path}: window must be a rasterio Window or '
                f'((row_start, row_stop), (col_start, col_stop)); '
                f'got {window!r}'
            ) from exc
    r0, c0 = int(win.row_off), int(win.col_off)
    h, w = int(win.height), int(win.width)
    if (r0 != win.row_off or c0 != win.col_off or h != win.height
            or w != win.width):
        raise ValueError(f'{path}: window must have integer offsets and '
                         f'sizes; got {win}')
    if h <= 0 or w <= 0 or r0 < 0 or c0 < 0 or r0 + h > height or \
            c0 + w > width:
        raise ValueError(
            f'{path}: window rows {r0}:{r0 + h}, cols {c0}:{c0 + w} is empty '
            f'or outside the raster of {height} x {width} pixels')
    return Window(c0, r0, w, h)


def _band_indexes(bands: Any, count: int, descriptions: Sequence[Any],
                  path: str) -> list[int]:
    """Resolve ``bands`` (1-based ints and/or description strings)."""
    if bands is None:
        return list(range(1, count + 1))
    if isinstance(bands, (int, np.integer, str)):
        bands = [bands]
    indexes = []
    for band in bands:
        if isinstance(band, str):
            if band not in descriptions:
                raise ValueError(
                    f'{path}: no band described as {band!r}; band '
                    f'descriptions are {list(descriptions)}')
            indexes.append(list(descriptions).index(band) + 1)
        elif isinstance(band, (int, np.integer)) and not isinstance(band,
                                                                   bool):
            if not 1 <= int(band) <= count:
                raise ValueError(
                    f'{path}: band index {int(band)} is outside 1..{count} '
                    f'(band indexes are 1-based)')
            indexes.append(int(band))
        else:
            raise ValueError(f'{path}: bands must be 1-based ints or band '
                             f'description strings; got {band!r}')
    if not indexes:
        raise ValueError(f'{path}: bands is empty')
    return indexes


def apply_scale_offset(array: np.ndarray, scales: Sequence[float],
                       offsets: Sequence[float], nodata: Any = None
                       ) -> tuple[np.ndarray, Any]:
    """Physical values of stored pixels: ``array * scale + offset`` per band (GDAL tags).

    Bands whose tags are the identity (scale 1, offset 0) keep their values; when no band has
    other tags the array is returned unchanged (same object, same dtype), so raw digital
    numbers (e.g. Landsat L1 DNs, QA bits) are untouched.  Otherwise the result is float32
    (float64 for float64 input) and pixels equal to ``nodata`` become NaN, since a fill value
    has no physical meaning once scaled.

    Args:
        array: ``(C, H, W)`` stored values.
        scales: one GDAL scale per band (``rasterio`` ``src.scales``).
        offsets: one GDAL offset per band (``src.offsets``).
        nodata: the file's nodata value or None.

    Returns:
        ``(values, nodata)``: the nodata of the result (NaN once scaled, else unchanged).
    """
    scales = [1.0 if s is None else float(s) for s in scales]
    offsets = [0.0 if o is None else float(o) for o in offsets]
    if all(s == 1.0 for s in scales) and all(o == 0.0 for o in offsets):
        return array, nodata
    dtype = np.float64 if array.dtype == np.float64 else np.float32
    out = array.astype(dtype)
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        out[array == nodata] = np.nan
    for i, (scale, offset) in enumerate(zip(scales, offsets)):
        out[i] = out[i] * dtype(scale) + dtype(offset)
    return out, float('nan')


def read_raster(path: str | os.PathLike,
                window: Any = None,
                bands: Any = None,
                out_shape: tuple[int, int] | None = None,
                scale_offset: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """Read a raster (e.g. GeoTIFF) into a channel-first array.

    Args:
        path: File to read.
        window: ``None`` for the whole raster, a ``rasterio.windows.Window``
            or ``((row_start, row_stop), (col_start, col_stop))`` in pixels
            (stop exclusive).  It must lie inside the raster.
        bands: ``None`` for all bands, or a 1-based band index, a band
            description string, or a sequence of those.
        out_shape: ``(height, width)`` to read the window decimated to
            (nearest neighbour, GDAL overviews used where present), e.g. to
            look at the values of a large scene in bounded memory; None reads
            at full resolution.
        scale_offset: apply the bands' GDAL scale/offset tags
            (:func:`apply_scale_offset`). Defaults to True; readers of raw
            digital numbers (Landsat L1 DNs, QA bits) pass False.

    Returns:
        ``(array, profile)``: ``array`` has shape ``(C, H, W)`` and the file's
        dtype (float32 where scale/offset tags were applied); ``profile`` is a
        dict with ``crs`` (``rasterio.crs.CRS`` or None), ``transform``
        (``affine.Affine`` of the returned window, at full resolution),
        ``nodata`` (NaN where scale/offset tags were applied),
        ``scales``/``offsets`` (the tags as stored), ``descriptions``
        (tuple, one entry per returned band, None where unset), ``units``
        (same), ``dtype``, ``count``, ``height``, ``width``, ``driver`` and
        ``path``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file cannot be opened as a raster, its pixel data
            cannot be read (corrupt or truncated file), or ``window`` /
            ``bands`` do not fit the file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'raster file not found: {path}')
    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise ValueError(f'{path}: not a readable raster ({exc})') from exc
    with src:
        indexes = _band_indexes(bands, src.count, src.descriptions, path)
        if window is None:
            win = None
            transform = src.transform
            height, width = src.height, src.width
        else:
            win = _as_window(window, src.height, src.width, path)
            transform = src.window_transform(win)
            height, width = int(win.height), int(win.width)
        shape = None if out_shape is None else (len(indexes), int(out_shape[0]),
                                                int(out_shape[1]))
        try:
            array = src.read(indexes, window=win, out_shape=shape)
        except RasterioIOError as exc:
            raise ValueError(
                f'{path}: raster data cannot be read, the file is corrupt or truncated '
                f'({exc}; {src.count} band(s) of {src.height} x {src.width} '
                f'{src.dtypes[0]} pixels announced by its header)') from exc
        scales = tuple(src.scales[i - 1] for i in indexes)
        offsets = tuple(src.offsets[i - 1] for i in indexes)
        nodata = src.nodata
        if scale_offset:
            array, nodata = apply_scale_offset(array, scales, offsets, nodata)
        profile = {
            'crs': src.crs,
            'transform': transform,
            'nodata': nodata,
            'scales': scales,
            'offsets': offsets,
            'descriptions': tuple(src.descriptions[i - 1] for i in indexes),
            'units': tuple((src.units[i - 1] or None) for i in indexes),
            'dtype': str(array.dtype),
            'count': len(indexes),
            'height': height,
            'width': width,
            'driver': src.driver,
            'path': path,
        }
    return array, profile


def _check_nodata(nodata: Any, dtype: np.dtype, path: str) -> Any:
    """Validate that ``nodata`` can be stored in ``dtype``."""
    if nodata is None:
        return None
    try:
        value = float(nodata)
    except (TypeError, ValueError) as exc:
        raise ValueError(f'{path}: nodata must be a number or None; got '
                         f'{nodata!r}') from exc
    if np.issubdtype(dtype, np.floating):
        return value
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f'{path}: nodata {nodata!r} cannot be stored in an '
                         f'integer raster of dtype {dtype}')
    info = np.iinfo(dtype)
    if not info.min <= int(value) <= info.max:
        raise ValueError(f'{path}: nodata {nodata!r} is outside the range '
                         f'{info.min}..{info.max} of dtype {dtype}')
    return int(value)


def _per_band(values: Any, count: int, what: str, path: str) -> list | None:
    """Expand a str or a sequence of per-band strings to ``count`` entries."""
    if values is None:
        return None
    if isinstance(values, str):
        return [values] * count
    values = list(values)
    if len(values) != count:
        raise ValueError(f'{path}: {what} has {len(values)} entries, '
                         f'expected one per band ({count})')
    for value in values:
        if value is not None and not isinstance(value, str):
            raise ValueError(f'{path}: {what} entries must be str or None; '
                             f'got {value!r}')
    return values


def _geotiff_profile(path: str, count: int, height: int, width: int, dtype: np.dtype,
                     crs: Any, transform: Any, nodata: Any) -> dict:
    """The creation profile of an LZW GeoTIFF (256 x 256 tiles from 256 px on) after checking
    ``crs``, ``transform`` and ``nodata`` (the checks of :func:`write_raster`)."""
    if np.dtype(dtype).name not in _WRITABLE_DTYPES:
        raise ValueError(f'{path}: dtype {np.dtype(dtype)} cannot be written to '
                         f'GeoTIFF; expected one of {_WRITABLE_DTYPES}')
    try:
        crs_obj = CRS.from_user_input(crs)
    except Exception as exc:  # rasterio raises CRSError and friends
        raise ValueError(f'{path}: invalid crs {crs!r} ({exc})') from exc
    if isinstance(transform, Affine):
        affine = transform
    else:
        try:
            coeffs = [float(v) for v in transform]
        except (TypeError, ValueError) as exc:
            raise ValueError(f'{path}: transform must be an Affine or 6 '
                             f'numbers; got {transform!r}') from exc
        if len(coeffs) not in (6, 9):
            raise ValueError(f'{path}: transform must have 6 (or 9) '
                             f'coefficients, got {len(coeffs)}')
        affine = Affine(*coeffs[:6])
    if affine.is_degenerate:
        raise ValueError(f'{path}: transform {tuple(affine)[:6]} is '
                         f'degenerate (zero pixel size)')
    dtype = np.dtype(dtype)
    profile = {
        'driver': 'GTiff',
        'height': height,
        'width': width,
        'count': count,
        'dtype': dtype.name,
        'crs': crs_obj,
        'transform': affine,
        'nodata': _check_nodata(nodata, dtype, path),
        'compress': 'lzw',
        'predictor': 3 if np.issubdtype(dtype, np.floating) else 2,
        'interleave': 'band',
    }
    if height >= WRITE_BLOCK and width >= WRITE_BLOCK:
        profile.update(tiled=True, blockxsize=WRITE_BLOCK, blockysize=WRITE_BLOCK)
    return profile


def _temporary_path(path: str) -> str:
    """A fresh hidden name next to ``path`` (same filesystem, so ``os.replace`` is atomic)."""
    directory = os.path.dirname(os.path.abspath(path))
    return os.path.join(directory, f'.{os.path.basename(path)}.{uuid.uuid4().hex}.tmp')


def _remove_temporary(tmp_path: str) -> None:
    for leftover in (tmp_path, tmp_path + '.aux.xml'):
        if os.path.exists(leftover):
            os.remove(leftover)


def write_raster(path: str | os.PathLike,
                 array: np.ndarray,
                 crs: Any,
                 transform: Any,
                 nodata: float | int | None = None,
                 band_descriptions: Sequence[str | None] | None = None,
                 units: str | Sequence[str | None] | None = None) -> str:
    """Write a channel-first array as an LZW-compressed GeoTIFF, atomically.

    The data go to a temporary file in the destination directory which
    replaces ``path`` (``os.replace``) only after it has been written and
    closed; on any error the temporary file is removed and an existing file
    at ``path`` is left untouched.

    Args:
        path: Destination file; its directory must exist.
        array: ``(C, H, W)`` array of a GeoTIFF-compatible dtype (bool is
            stored as uint8).
        crs: Anything ``rasterio.crs.CRS.from_user_input`` accepts (a CRS,
            ``'EPSG:32616'``, an EPSG int, WKT).
        transform: ``affine.Affine`` or its 6 (or 9) coefficients in Affine
            order ``(a, b, c, d, e, f)``.
        nodata: Nodata value (``float('nan')`` allowed for float rasters).
        band_descriptions: One description per band, or None.
        units: One unit string for all bands, one per band, or None.

    Returns:
        The destination path as ``str``.

    Raises:
        FileNotFoundError: the destination directory does not exist.
        ValueError: wrong ``array`` ndim / dtype / empty shape, invalid
            ``crs`` or ``transform``, ``nodata`` not representable in the
            dtype, or a per-band list of the wrong length.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f'cannot write {path}: directory {directory} '
                                f'does not exist')
    array = np.asarray(array)
    if array.ndim != 3:
        raise ValueError(f'{path}: expected a (C, H, W) array with ndim 3, '
                         f'got ndim {array.ndim} with shape {array.shape}')
    if 0 in array.shape:
        raise ValueError(f'{path}: array shape {array.shape} has an empty '
                         f'dimension')
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    count, height, width = array.shape
    profile = _geotiff_profile(path, count, height, width, array.dtype, crs,
                               transform, nodata)
    descriptions = _per_band(band_descriptions, count, 'band_descriptions',
                             path)
    unit_list = _per_band(units, count, 'units', path)

    # A fresh hidden name in the destination folder (same filesystem, so
    # os.replace is atomic); created by GDAL with the usual permissions.
    tmp_path = _temporary_path(path)
    try:
        with rasterio.open(tmp_path, 'w', **profile) as dst:
            dst.write(array)
            for i in range(count):
                if descriptions is not None and descriptions[i] is not None:
                    dst.set_band_description(i + 1, descriptions[i])
                if unit_list is not None and unit_list[i] is not None:
                    dst.set_band_unit(i + 1, unit_list[i])
        os.replace(tmp_path, path)
    except BaseException:
        _remove_temporary(tmp_path)
        raise
    return path


# ---------------------------------------------------------------------------------------------
# Windowed processing: a raster grid, windows over it, rasters read on it, windowed writing
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RasterGrid:
    """The pixel grid of a raster: CRS, affine transform and size (no pixels).

    Attributes:
        crs: ``rasterio.crs.CRS`` or None (not georeferenced).
        transform: ``affine.Affine`` of the top-left pixel corner.
        height, width: Size in pixels.
    """
    crs: Any
    transform: Affine
    height: int
    width: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.width

    @property
    def pixel_size(self) -> tuple[float, float]:
        """(x, y) pixel size in map units, positive."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in map units (north-up grids)."""
        x0, y0 = self.transform * (0, 0)
        x1, y1 = self.transform * (self.width, self.height)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def same_as(self, other: 'RasterGrid') -> bool:
        """Same CRS, size and (to 1e-9 of a pixel) transform."""
        return (self.crs == other.crs and self.shape == other.shape
                and self.transform.almost_equals(other.transform))

    def describe(self) -> str:
        crs = self.crs.to_string() if self.crs is not None else 'no CRS'
        return (f'{crs}, {self.height} x {self.width} px of {self.pixel_size[0]:g} x '
                f'{self.pixel_size[1]:g}, origin ({self.transform.c:.3f}, '
                f'{self.transform.f:.3f})')


def raster_info(path: str | os.PathLike) -> dict:
    """The metadata of a raster without its pixels.

    Returns:
        ``dict(path, grid=RasterGrid, count, dtype, nodata, descriptions, units)``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: not a readable raster.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'raster file not found: {path}')
    try:
        with rasterio.open(path) as src:
            return dict(path=path, grid=RasterGrid(src.crs, src.transform, src.height,
                                                   src.width),
                        count=src.count, dtype=src.dtypes[0], nodata=src.nodata,
                        descriptions=src.descriptions, units=src.units)
    except RasterioIOError as exc:
        raise ValueError(f'{path}: not a readable raster ({exc})') from exc


def iter_windows(height: int, width: int, size: int):
    """Row-major ``size`` x ``size`` windows covering a ``height`` x ``width`` raster (the last
    row / column of windows is cut at the raster's edge).

    Yields:
        ``rasterio.windows.Window``.

    Raises:
        ValueError: a non-positive size.
    """
    if int(size) != size or size <= 0 or height <= 0 or width <= 0:
        raise ValueError(f'windows need a positive integer size and raster, got size {size} '
                         f'for {height} x {width} px')
    for r0 in range(0, height, size):
        for c0 in range(0, width, size):
            yield Window(c0, r0, min(size, width - c0), min(size, height - r0))


def grown_window(window: Window, margin: int, height: int, width: int
                 ) -> tuple[Window, tuple[slice, slice]]:
    """``window`` grown by ``margin`` px on every side, cut at the raster's edges, and the slices
    that take the original window back out of the grown one (for neighbourhood operations such
    as a mask dilation, whose result inside the window then equals that on the whole raster).

    Returns:
        ``(grown window, (row slice, col slice))``.
    """
    r0, c0 = int(window.row_off), int(window.col_off)
    r1, c1 = r0 + int(window.height), c0 + int(window.width)
    g0, h0 = max(r0 - margin, 0), max(c0 - margin, 0)
    g1, h1 = min(r1 + margin, height), min(c1 + margin, width)
    return (Window(h0, g0, h1 - h0, g1 - g0),
            (slice(r0 - g0, r1 - g0), slice(c0 - h0, c1 - h0)))


#: How a raster is brought onto another grid by :class:`GridReader`.
ALIGN_MODES = ('same', 'bilinear', 'average')


def plan_alignment(info: dict, grid: RasterGrid, role: str) -> str:
    """How a single-band raster can be read on ``grid``, after the checks of scene inputs.

    ``'same'`` when its grid equals ``grid``; otherwise it is resampled: ``'bilinear'`` when its
    pixels are at least as large as the grid's (a coarse field such as a reanalysis water-vapour
    column), ``'average'`` when they are smaller (aggregation). Reprojection is never done.

    Args:
        info: :func:`raster_info` of the raster.
        grid: The target grid.
        role: What the raster is (e.g. ``'--wvc'``), for the messages.

    Returns:
        One of :data:`ALIGN_MODES`.

    Raises:
        ValueError: more than one band; no CRS (or not the grid's CRS: reproject it first, the
            message gives the gdalwarp command); a rotated grid; no overlap with ``grid``.
    """
    path, g = info['path'], info['grid']
    if info['count'] != 1:
        raise ValueError(f'{role} {path}: expected 1 band, found {info["count"]}')
    if g.same_as(grid):
        return 'same'
    if g.crs is None or grid.crs is None:
        raise ValueError(f'{role} {path}: expected a georeferenced raster on the grid of the '
                         f'brightness temperatures ({grid.describe()}); found {g.describe()}')
    if g.crs != grid.crs:
        raise ValueError(f'{role} {path}: CRS {g.crs.to_string()} differs from the brightness '
                         f'temperatures\' {grid.crs.to_string()}; expected the same CRS '
                         f'(reproject it first, e.g. gdalwarp -t_srs {grid.crs.to_string()})')
    for what, t in ((path, g.transform), ('the brightness temperatures', grid.transform)):
        if t.b != 0 or t.d != 0:
            raise ValueError(f'{role}: expected north-up grids, {what} has the rotated '
                             f'transform {tuple(t)[:6]}')
    a, b = g.bounds, grid.bounds
    if min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]):
        raise ValueError(f'{role} {path}: extent x {a[0]:.3f}..{a[2]:.3f}, y {a[1]:.3f}..'
                         f'{a[3]:.3f} does not overlap the brightness temperatures\' x '
                         f'{b[0]:.3f}..{b[2]:.3f}, y {b[1]:.3f}..{b[3]:.3f}')
    coarser = min(g.pixel_size) >= min(grid.pixel_size) * (1 - 1e-9)
    return 'bilinear' if coarser else 'average'


class GridReader:
    """Windows of a single-band raster on a target grid, as float64 with NaN for nodata, in
    physical units (the band's GDAL scale/offset tags applied, as :func:`read_raster` does).

    Rasters on the grid are read directly; others are resampled on the fly through a
    ``rasterio.vrt.WarpedVRT`` (bilinear or average, :func:`plan_alignment`), so that a window
    costs memory in proportion to its own size. Pixels of the grid outside the raster read as
    NaN. Use as a context manager (or call :meth:`close`).

    Args:
        path: The raster.
        grid: Target grid.
        mode: One of :data:`ALIGN_MODES` (usually from :func:`plan_alignment`).

    Raises:
        FileNotFoundError, ValueError: as :func:`raster_info`; an unknown mode.
    """

    def __init__(self, path: str, grid: RasterGrid, mode: str = 'same') -> None:
        if mode not in ALIGN_MODES:
            raise ValueError(f'unknown alignment {mode!r}; expected one of {ALIGN_MODES}')
        info = raster_info(path)
        self.path, self.grid, self.mode = info['path'], grid, mode
        self.nodata = info['nodata']
        self._src = rasterio.open(self.path)
        scale, offset = self._src.scales[0], self._src.offsets[0]
        self._scale = 1.0 if scale is None else float(scale)
        self._offset = 0.0 if offset is None else float(offset)
        self._vrt = None
        if mode != 'same':
            from rasterio.enums import Resampling
            from rasterio.vrt import WarpedVRT
            src_nodata = self.nodata
            if src_nodata is None and np.issubdtype(np.dtype(info['dtype']), np.floating):
                src_nodata = float('nan')
            self._vrt = WarpedVRT(self._src, crs=grid.crs, transform=grid.transform,
                                  height=grid.height, width=grid.width,
                                  resampling=getattr(Resampling, mode), dtype='float64',
                                  src_nodata=src_nodata, nodata=float('nan'))

    def read(self, window: Window) -> np.ndarray:
        """(h, w) float64 values of ``window`` of the grid, NaN where nodata or uncovered."""
        if self._vrt is not None:  # the VRT maps nodata to NaN; scale/offset commute with it
            arr = self._vrt.read(1, window=window).astype(np.float64)
        else:
            arr = self._src.read(1, window=window).astype(np.float64)
            if self.nodata is not None and not math.isnan(self.nodata):
                arr[arr == self.nodata] = np.nan
        if self._scale != 1.0 or self._offset != 0.0:
            arr = arr * self._scale + self._offset
        return arr

    def close(self) -> None:
        if self._vrt is not None:
            self._vrt.close()
        self._src.close()

    def __enter__(self) -> 'GridReader':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class WindowedRasterWriter:
    """A GeoTIFF written window by window, which appears at its path only when complete.

    The pixels go to a hidden temporary file next to ``path``; :meth:`commit` moves it into
    place (``os.replace``), :meth:`abort` (or leaving the ``with`` block by an exception)
    removes it, so a failure never leaves a partial file. Windows that are multiples of
    :data:`WRITE_BLOCK` write every tile once. Pixels never written hold the nodata value
    (0 without one). Band descriptions and units are set as by :func:`write_raster`.

    Args:
        path: Destination file; its folder must exist.
        count, height, width: Bands and size.
        dtype: A GeoTIFF dtype (:func:`write_raster`).
        crs, transform, nodata, band_descriptions, units: As :func:`write_raster`.

    Raises:
        FileNotFoundError: the destination folder does not exist.
        ValueError: as :func:`write_raster`; :meth:`write` of an array whose shape is not
            ``(count, window height, window width)``.
    """

    def __init__(self, path: str | os.PathLike, count: int, height: int, width: int,
                 dtype: Any, crs: Any, transform: Any, nodata: float | int | None = None,
                 band_descriptions: Sequence[str | None] | None = None,
                 units: str | Sequence[str | None] | None = None) -> None:
        self.path = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f'cannot write {self.path}: directory {directory} does '
                                    'not exist')
        dtype = np.dtype(np.uint8 if np.dtype(dtype) == np.bool_ else dtype)
        self.profile = _geotiff_profile(self.path, count, height, width, dtype, crs,
                                        transform, nodata)
        self.descriptions = _per_band(band_descriptions, count, 'band_descriptions',
                                      self.path)
        self.units = _per_band(units, count, 'units', self.path)
        self.tmp_path = _temporary_path(self.path)
        self._dst = rasterio.open(self.tmp_path, 'w', **self.profile)
        self._done = False

    def write(self, array: np.ndarray, window: Window) -> None:
        """Write ``array`` (count, h, w) (cast to the file's dtype) to ``window``."""
        array = np.asarray(array)
        want = (self.profile['count'], int(window.height), int(window.width))
        if array.shape != want:
            raise ValueError(f'{self.path}: window {window} needs an array of shape {want}, '
                             f'got {array.shape}')
        self._dst.write(array.astype(self.profile['dtype'], copy=False), window=window)

    def commit(self) -> str:
        """Close the file and move it to its path; returns the path."""
        if self._done:
            return self.path
        try:
            for i in range(self.profile['count']):
                if self.descriptions is not None and self.descriptions[i] is not None:
                    self._dst.set_band_description(i + 1, self.descriptions[i])
                if self.units is not None and self.units[i] is not None:
                    self._dst.set_band_unit(i + 1, self.units[i])
            self._dst.close()
            os.replace(self.tmp_path, self.path)
        except BaseException:
            self.abort()
            raise
        self._done = True
        return self.path

    def abort(self) -> None:
        """Close and remove the temporary file; the destination is left as it was."""
        if not self._dst.closed:
            self._dst.close()
        _remove_temporary(self.tmp_path)
        self._done = True

    def __enter__(self) -> 'WindowedRasterWriter':
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
