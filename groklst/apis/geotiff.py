"""GeoTIFF in, GeoTIFF out: checks, LR/guidance grid alignment and atomic writing around
:func:`groklst.apis.inference.downscale_scene`.

Every check runs on the files' metadata before any pixel is downscaled, and each failure is one
:class:`SceneCheckError` naming the file, what was expected and what was found:

* the LR LST has exactly one band;
* all guidance files share one grid (CRS, transform, size);
* LR and guidance have the same CRS (no silent reprojection);
* neither grid is rotated, and their extents overlap;
* the LR pixel size is exactly ``s`` × the guidance pixel size (s = the model's scale factor) and
  the LR pixel lattice falls on whole guidance pixels; with ``resample_lr`` a mismatch is
  resolved by resampling the LR onto an s × lattice anchored at the guidance origin
  (``rasterio.warp.reproject``, average resampling when coarsening, bilinear when refining);
* for guided models: the guidance band count equals the model's K and, where the files carry
  band descriptions, names and order equal the config's ``guidance_bands``;
* after reading: at least one valid LR pixel (finite, inside the loader's valid range) lies over
  the guidance extent.

The output is on the guidance grid (CRS, transform, size), float32, nodata NaN, band description
``LST``, units ``K``. It and the optional preview PNG are written to temporary files in the
destination folder and moved into place with ``os.replace`` only when both are complete; on any
error the temporary files are removed and nothing is left behind.
"""
from __future__ import annotations

import math
import os
import time
import uuid
from typing import Callable, Optional, Sequence

import numpy as np
import rasterio
from affine import Affine

from groklst.fileio.raster import read_raster, write_raster

from .inference import downscale_scene, model_scene_info

__all__ = ['SceneCheckError', 'check_scene_inputs', 'downscale_geotiff']

_TOL = 1e-6  # relative tolerance on pixel sizes
_ALIGN_TOL = 1e-3  # tolerance on lattice offsets, in guidance pixels


class SceneCheckError(ValueError):
    """Input rasters do not fit the model or each other (message: file, expected, found)."""


def _meta(path: str) -> dict:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise SceneCheckError(f'{path}: file not found')
    try:
        with rasterio.open(path) as src:
            return dict(path=path, crs=src.crs, transform=src.transform, height=src.height,
                        width=src.width, count=src.count, descriptions=src.descriptions,
                        bounds=src.bounds, nodata=src.nodata)
    except rasterio.errors.RasterioIOError as exc:
        raise SceneCheckError(f'{path}: not a readable raster ({exc})') from exc


def _pixel_size(m: dict):
    t = m['transform']
    if t.b != 0 or t.d != 0:
        raise SceneCheckError(f'{m["path"]}: expected a north-up grid (no rotation), found '
                              f'transform {tuple(t)[:6]}')
    return t.a, t.e


def guidance_pixel_metres(g_meta: dict, model=None) -> Optional[float]:
    """Guidance pixel size in metres from its georeference (square pixels of a projected CRS,
    any linear unit converted), or None where it cannot be known (geographic or missing CRS,
    non-square pixels) and ``model`` does not need it.

    Raises:
        SceneCheckError: ``model`` reads metres (``needs_pixel_size`` true) and the guidance is
            not on square pixels of a projected CRS.
    """
    crs = g_meta.get('crs')
    a, e = _pixel_size(g_meta)
    needs = bool(getattr(model, 'needs_pixel_size', False))
    problem = None
    if crs is None:
        problem = 'no CRS'
    elif not crs.is_projected:
        problem = f'a geographic CRS ({crs.to_string()})'
    elif not math.isclose(abs(a), abs(e), rel_tol=_TOL):
        problem = f'non-square pixels ({abs(a):g} x {abs(e):g})'
    if problem is None:
        factor = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
        return abs(a) * float(factor)
    if needs:
        raise SceneCheckError(
            f"{g_meta['path']}: {type(model).__name__} needs the guidance pixel size in metres: "
            f'expected square pixels in a projected CRS, found {problem}; reproject the '
            f'guidance (e.g. gdalwarp -t_srs EPSG:326xx) first')
    return None


def check_scene_inputs(lr_path: str, guidance_paths: Sequence[str], info: dict,
                       resample_lr: bool = False) -> dict:
    """Run every metadata check (see the module docstring) without reading pixels.

    Args:
        lr_path: LR LST GeoTIFF (1 band, K).
        guidance_paths: one or more HR guidance GeoTIFFs, bands stacked in the given order.
        info: :func:`groklst.apis.inference.model_scene_info` of the model.
        resample_lr: allow resampling the LR to the exact ratio / lattice.

    Returns:
        dict with ``lr`` and ``guidance`` (lists of) metadata dicts, ``needs_resample`` (bool),
        ``offset`` ((row, col) of the guidance origin on the LR lattice, in guidance pixels).

    Raises:
        SceneCheckError: the first failed check.
    """
    s = info['scale']
    lr = _meta(lr_path)
    if lr['count'] != 1:
        raise SceneCheckError(f'{lr_path}: expected 1 band (LR LST in K), found {lr["count"]}')
    if not guidance_paths:
        raise SceneCheckError('no guidance file given: the guidance defines the output grid')
    gs = [_meta(p) for p in guidance_paths]
    g0 = gs[0]
    for g in gs[1:]:
        if (g['crs'] != g0['crs'] or not g['transform'].almost_equals(g0['transform'])
                or (g['height'], g['width']) != (g0['height'], g0['width'])):
            raise SceneCheckError(
                f'{g["path"]}: expected the grid of {g0["path"]} ({g0["crs"]}, '
                f'{g0["height"]} x {g0["width"]} px, transform {tuple(g0["transform"])[:6]}), '
                f'found {g["crs"]}, {g["height"]} x {g["width"]} px, transform '
                f'{tuple(g["transform"])[:6]}')
    for m in (lr, g0):
        if m['crs'] is None:
            raise SceneCheckError(f'{m["path"]}: expected a georeferenced raster, found no CRS')
    if lr['crs'] != g0['crs']:
        raise SceneCheckError(
            f'CRS mismatch: {lr_path} has {lr["crs"].to_string()} but guidance {g0["path"]} '
            f'has {g0["crs"].to_string()}; expected the same CRS (reproject the LR first, e.g. '
            f'gdalwarp -t_srs {g0["crs"].to_string()})')
    (lax, lay), (gax, gay) = _pixel_size(lr), _pixel_size(g0)
    lb, gb = lr['bounds'], g0['bounds']
    if min(lb.right, gb.right) <= max(lb.left, gb.left) or \
            min(lb.top, gb.top) <= max(lb.bottom, gb.bottom):
        raise SceneCheckError(
            f'extents do not overlap: {lr_path} covers x {lb.left:.3f}..{lb.right:.3f}, '
            f'y {lb.bottom:.3f}..{lb.top:.3f}; guidance {g0["path"]} covers x '
            f'{gb.left:.3f}..{gb.right:.3f}, y {gb.bottom:.3f}..{gb.top:.3f}')
    ratio = (lax / gax, lay / gay)
    ratio_ok = all(abs(r - s) <= _TOL * s for r in ratio)
    # guidance origin measured on the LR lattice, in guidance pixels
    off_c = (g0['transform'].c - lr['transform'].c) / gax
    off_r = (g0['transform'].f - lr['transform'].f) / gay
    aligned = all(abs(o - round(o)) <= _ALIGN_TOL for o in (off_c, off_r))
    needs_resample = not (ratio_ok and aligned)
    if needs_resample and not resample_lr:
        if not ratio_ok:
            raise SceneCheckError(
                f'resolution ratio: expected LR pixels {s} x the guidance pixels (model scale '
                f'factor {s}): guidance {g0["path"]} has {abs(gax):g} x {abs(gay):g}, so the LR '
                f'should have {abs(gax) * s:g} x {abs(gay) * s:g}; found {lr_path} with '
                f'{abs(lax):g} x {abs(lay):g} (ratio {abs(ratio[0]):.4g} x {abs(ratio[1]):.4g});'
                f' pass --resample-lr to resample the LR to the exact ratio')
        raise SceneCheckError(
            f'grid alignment: expected the guidance origin of {g0["path"]} on whole guidance '
            f'pixels of the LR lattice of {lr_path}; found an offset of ({off_r:.4f}, '
            f'{off_c:.4f}) guidance pixels (row, col); pass --resample-lr to resample the LR')
    if info['uses_guidance']:
        k = sum(g['count'] for g in gs)
        bands = info['guidance_bands']
        want = info['guidance_channels'] or (len(bands) if bands else None)
        names = ', '.join(g['path'] for g in gs)
        if want is not None and k != want:
            raise SceneCheckError(
                f'guidance band count: the model was trained with {want} bands'
                + (f' {bands}' if bands else '') + f'; found {k} in {names}')
        desc = [d for g in gs for d in g['descriptions']]
        if bands and any(d for d in desc):
            got = [(d or '').lower() for d in desc]
            if got != [b.lower() for b in bands]:
                raise SceneCheckError(
                    f'guidance band order: the model was trained with bands {list(bands)} in '
                    f'this order; the band descriptions of {names} are {list(desc)}')
    return dict(lr=lr, guidance=gs, needs_resample=needs_resample,
                offset=(int(round(off_r)), int(round(off_c))))


def _read_float(path: str) -> np.ndarray:
    arr, prof = read_raster(path)
    arr = arr.astype(np.float32)
    if prof['nodata'] is not None and not math.isnan(prof['nodata']):
        arr[arr == np.float32(prof['nodata'])] = np.nan
    return arr


def _resample_lr(lr_meta: dict, g_meta: dict, scale: int, log: Callable) -> np.ndarray:
    """Warp the LR onto the s × lattice anchored at the guidance origin; (ceil(H/s), ceil(W/s))."""
    from rasterio.warp import Resampling, reproject
    src = _read_float(lr_meta['path'])[0]
    dst_t = g_meta['transform'] * Affine.scale(scale)
    shape = (math.ceil(g_meta['height'] / scale), math.ceil(g_meta['width'] / scale))
    dst = np.full(shape, np.nan, np.float32)
    coarsen = abs(dst_t.a) >= abs(lr_meta['transform'].a)
    method = Resampling.average if coarsen else Resampling.bilinear
    reproject(src, dst, src_transform=lr_meta['transform'], src_crs=lr_meta['crs'],
              src_nodata=np.nan, dst_transform=dst_t, dst_crs=g_meta['crs'], dst_nodata=np.nan,
              resampling=method)
    log(f'resampled LR {lr_meta["path"]} from {abs(lr_meta["transform"].a):g} x '
        f'{abs(lr_meta["transform"].e):g} to {abs(dst_t.a):g} x {abs(dst_t.e):g} map units '
        f'({scale} x the guidance pixel) with {method.name} resampling: {src.shape} -> '
        f'{shape} px')
    return dst


def _align(checked: dict, scale: int, log: Callable):
    """LR on the model grid and guidance padded to it, plus the crop back to the guidance grid.

    Returns:
        (lr (h, w), guidance (K, s·h, s·w), (row0, col0)) with the guidance grid at
        ``[row0:row0 + H, col0:col0 + W]`` of the model grid.
    """
    g0 = checked['guidance'][0]
    hg, wg = g0['height'], g0['width']
    guidance = np.concatenate([_read_float(g['path']) for g in checked['guidance']])
    if checked['needs_resample']:
        lr = _resample_lr(checked['lr'], g0, scale, log)
        r0 = c0 = 0
    else:
        full = _read_float(checked['lr']['path'])[0]
        off_r, off_c = checked['offset']
        lr_r0, lr_c0 = math.floor(off_r / scale), math.floor(off_c / scale)
        lr_r1, lr_c1 = math.ceil((off_r + hg) / scale), math.ceil((off_c + wg) / scale)
        lr = np.full((lr_r1 - lr_r0, lr_c1 - lr_c0), np.nan, np.float32)
        sr0, sc0 = max(lr_r0, 0), max(lr_c0, 0)
        sr1, sc1 = min(lr_r1, full.shape[0]), min(lr_c1, full.shape[1])
        if sr1 > sr0 and sc1 > sc0:
            lr[sr0 - lr_r0:sr1 - lr_r0, sc0 - lr_c0:sc1 - lr_c0] = full[sr0:sr1, sc0:sc1]
        r0, c0 = off_r - lr_r0 * scale, off_c - lr_c0 * scale
    hh, ww = lr.shape[0] * scale, lr.shape[1] * scale
    padded = np.full((guidance.shape[0], hh, ww), np.nan, np.float32)
    padded[:, r0:r0 + hg, c0:c0 + wg] = guidance
    return lr, padded, (r0, c0)


def _preview_view(a: np.ndarray, max_side: int = 1500) -> np.ndarray:
    step = max(1, math.ceil(max(a.shape) / max_side))
    return a[::step, ::step]


def downscale_geotiff(model, lr_path: str, guidance_paths: Sequence[str], out_path: str,
                      tile: int = 256, overlap: int = 32, batch: int = 4,
                      preview: Optional[str] = None, resample_lr: bool = False,
                      reference_path: Optional[str] = None, progress: bool = True,
                      log: Callable = print) -> dict:
    """Check, align, downscale and write one scene.

    Args:
        model: a downscaler from :func:`groklst.apis.inference.init_downscaler`.
        lr_path: LR LST GeoTIFF, 1 band in K, nodata (or NaN) = no data.
        guidance_paths: HR guidance GeoTIFF(s); their grid is the output grid.
        out_path: output GeoTIFF (float32 LST in K, nodata NaN, description ``LST``).
        tile, overlap, batch: tiling in HR pixels, see
            :func:`groklst.apis.inference.downscale_scene`.
        preview: optional PNG: LR | prediction (| reference | error) with colour bars in K.
        resample_lr: resample the LR to the exact ratio / lattice when needed (printed).
        reference_path: optional HR LST GeoTIFF on the guidance grid, shown in the preview.
        progress: tqdm progress bar.
        log: where messages go.

    Returns:
        dict with ``out``, ``preview``, ``shape`` (H, W), ``valid_fraction`` of the output,
        ``resampled`` (bool) and ``seconds`` (downscaling time).

    Raises:
        SceneCheckError: a failed input check (nothing written).
        ValueError: bad ``tile`` / ``overlap`` / ``batch`` (nothing written).
    """
    info = model_scene_info(model)
    s = info['scale']
    out_path = os.fspath(out_path)
    if os.path.isdir(out_path):
        raise SceneCheckError(f'--out {out_path}: expected a file path, found a directory')
    # tiling arguments are checked here too, so that a bad value fails before any reading
    if int(tile) != tile or tile <= 0 or tile % s:
        raise ValueError(f'tile must be a positive multiple of the scale factor {s}, got {tile}')
    if int(overlap) != overlap or overlap < 0 or overlap % s or 2 * overlap > tile:
        raise ValueError(f'overlap must be a multiple of {s} in [0, tile/2 = {tile // 2}], '
                         f'got {overlap}')
    checked = check_scene_inputs(lr_path, list(guidance_paths), info, resample_lr)
    g0 = checked['guidance'][0]
    if not info['uses_guidance']:
        log(f'{type(getattr(model, "generator", None) or model).__name__} does not use '
            f'guidance: the guidance only defines the output grid')
    if resample_lr and not checked['needs_resample']:
        log(f'LR {lr_path} is already on an x{s} lattice of the guidance grid: not resampled')
    reference = None
    if reference_path is not None:
        ref_meta = _meta(reference_path)
        if (ref_meta['height'], ref_meta['width']) != (g0['height'], g0['width']) or \
                not ref_meta['transform'].almost_equals(g0['transform']):
            raise SceneCheckError(f'{reference_path}: expected the guidance grid '
                                  f'({g0["height"]} x {g0["width"]} px), found '
                                  f'{ref_meta["height"]} x {ref_meta["width"]} px')
        reference = _read_float(reference_path)[0]
    lr, guidance, (r0, c0) = _align(checked, s, log)
    lo, hi = info['valid_range']
    with np.errstate(invalid='ignore'):
        n_valid = int((np.isfinite(lr) & (lr >= lo) & (lr <= hi)).sum())
    if n_valid == 0:
        raise SceneCheckError(f'{lr_path}: expected valid LR LST ({lo:g}..{hi:g} K) over the '
                              f'guidance extent, found none')
    t0 = time.perf_counter()
    pred = downscale_scene(model, lr, guidance, tile=tile, overlap=overlap, batch=batch,
                           progress=progress, pixel_size=guidance_pixel_metres(g0, model))
    seconds = time.perf_counter() - t0
    pred = pred[r0:r0 + g0['height'], c0:c0 + g0['width']]

    directory = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(directory, exist_ok=True)
    tag = uuid.uuid4().hex
    tmp_tif = os.path.join(directory, f'.{os.path.basename(out_path)}.{tag}.tmp.tif')
    tmp_png = None
    try:
        write_raster(tmp_tif, pred[None], crs=g0['crs'], transform=g0['transform'],
                     nodata=float('nan'), band_descriptions=['LST'], units='K')
        if preview is not None:
            from groklst.visualization import save_lst_panel
            pdir = os.path.dirname(os.path.abspath(preview))
            os.makedirs(pdir, exist_ok=True)
            tmp_png = os.path.join(pdir, f'.{os.path.basename(preview)}.{tag}.tmp.png')
            save_lst_panel(tmp_png, _preview_view(lr), _preview_view(pred),
                           None if reference is None else _preview_view(reference),
                           title=f'{os.path.basename(out_path)} (x{s})')
        os.replace(tmp_tif, out_path)  # both temporary files are complete: move them
        tmp_tif = None
        if tmp_png is not None:
            os.replace(tmp_png, preview)
    except BaseException:
        for leftover in (tmp_tif, tmp_png):
            for path in ((leftover, leftover + '.aux.xml') if leftover else ()):
                if os.path.exists(path):
                    os.remove(path)
        raise
    valid = float(np.isfinite(pred).mean())
    log(f'downscaled {lr_path} (x{s}) -> {out_path}: {pred.shape[0]} x {pred.shape[1]} px, '
        f'{100 * valid:.1f} % valid, {seconds:.2f} s' + (f'; preview {preview}' if preview
                                                         else ''))
    return dict(out=out_path, preview=preview, shape=pred.shape, valid_fraction=valid,
                resampled=checked['needs_resample'], seconds=seconds)
