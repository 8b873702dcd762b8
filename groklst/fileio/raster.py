"""GeoTIFF reading and writing with rasterio.

Arrays are always channel-first ``(C, H, W)`` numpy arrays, matching the data
contract in ``groklst/datasets/CONTRACT.md``.  Reading honours the GDAL
scale/offset tags of a band (``value = stored * scale + offset``, e.g. MODIS
LST stored as uint16 with scale 0.02 K): such bands come back as floats in the
physical unit, with their nodata pixels set to NaN.  Writing is atomic: the raster is
written to a temporary file next to the destination and moved into place with
:func:`os.replace` only once it is complete, so an error never leaves a partial
file (or a stale temporary) behind.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

__all__ = ['read_raster', 'write_raster', 'apply_scale_offset']

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
    if array.dtype.name not in _WRITABLE_DTYPES:
        raise ValueError(f'{path}: dtype {array.dtype} cannot be written to '
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
    count, height, width = array.shape
    nodata = _check_nodata(nodata, array.dtype, path)
    descriptions = _per_band(band_descriptions, count, 'band_descriptions',
                             path)
    unit_list = _per_band(units, count, 'units', path)

    profile = {
        'driver': 'GTiff',
        'height': height,
        'width': width,
        'count': count,
        'dtype': array.dtype.name,
        'crs': crs_obj,
        'transform': affine,
        'nodata': nodata,
        'compress': 'lzw',
        'predictor': 3 if np.issubdtype(array.dtype, np.floating) else 2,
        'interleave': 'band',
    }
    if height >= 256 and width >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)

    # A fresh hidden name in the destination folder (same filesystem, so
    # os.replace is atomic); created by GDAL with the usual permissions.
    tmp_path = os.path.join(
        directory, f'.{os.path.basename(path)}.{uuid.uuid4().hex}.tmp')
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
        for leftover in (tmp_path, tmp_path + '.aux.xml'):
            if os.path.exists(leftover):
                os.remove(leftover)
        raise
    return path
