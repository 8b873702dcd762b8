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
* where the guidance files carry no band descriptions, the order cannot be checked: the caller
  may state it (``guidance_bands``, ``--guidance-bands``), else a warning names the order that
  is assumed;
* no output path (the GeoTIFF, the preview) resolves to an input (LR, guidance, reference),
  also through symbolic or hard links or relative paths;
* after a pass over the LR (by windows): at least one valid LR pixel (finite, inside the
  loader's valid range) lies over the guidance extent.

Memory: nothing holds a whole scene. The LR is read in bands of tile rows, the guidance tile by
tile (only for guided models), through :class:`groklst.fileio.raster.GridReader` on the model
grid (the LR lattice cut to the guidance extent, the guidance padded with NaN to whole LR
pixels) or, with ``resample_lr``, through a window-by-window warp of the LR; the tiling engine
(:mod:`groklst.apis.tiling`) blends inside bounded bands and writes finished rows to a
:class:`groklst.fileio.raster.WindowedRasterWriter` (COG mode); GDAL's block cache is bounded
(``gdal_cache_mb``). Per-scene sharpeners fit on a bounded sample (:mod:`groklst.apis.scene_fit`).

The output is on the guidance grid (CRS, transform, size), float32, nodata NaN, band description
``LST``, units ``K``, a tiled (256 × 256), LZW-compressed Cloud-Optimized GeoTIFF (overviews
optional). It and the optional preview PNG are written to temporary files in the destination
folder and moved into place with ``os.replace`` only when both are complete; on any error the
temporary files are removed and nothing is left behind.
"""
from __future__ import annotations

import math
import os
import time
import uuid
from contextlib import ExitStack
from typing import Callable, Optional, Sequence, Tuple

import numpy as np
import rasterio
from affine import Affine

from rasterio.windows import Window

from groklst.fileio.raster import (DEFAULT_GDAL_CACHE_MB, GridReader, RasterGrid,
                                   WindowedRasterWriter, gdal_cache_limit, iter_windows)

from .inference import model_scene_info, same_band_names
from .scene_fit import DEFAULT_FIT_SAMPLES
from .tiling import DEFAULT_CHUNK_WIDTH, check_tiling, downscale_windows, lr_valid_mask

__all__ = ['SceneCheckError', 'check_scene_inputs', 'check_output_paths', 'downscale_geotiff']

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


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: equal after resolving links and relative parts, or the
    same inode (hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def check_output_paths(outputs: Sequence[Tuple[str, Optional[str]]],
                       inputs: Sequence[Tuple[str, Optional[str]]]) -> None:
    """Refuse output paths that are inputs or each other.

    Args:
        outputs: (label, path) of every file to be written, e.g. ``('--out', 'o.tif')``; None
            paths are skipped.
        inputs: (label, path) of every file read, e.g. ``('LR', 'lr.tif')``.

    Raises:
        SceneCheckError: an output resolves to an input or to another output (same path after
            resolving symbolic links, ``..`` and relative parts, or a hard link to it);
            an output path is a directory.
    """
    outputs = [(k, os.fspath(p)) for k, p in outputs if p is not None]
    inputs = [(k, os.fspath(p)) for k, p in inputs if p is not None]
    for k, p in outputs:
        if os.path.isdir(p):
            raise SceneCheckError(f'{k} {p}: expected a file path, found a directory')
        for what, q in inputs:
            if _same_file(p, q):
                raise SceneCheckError(
                    f'{k} {p} is the input {what} {q}' + (
                        '' if os.path.abspath(p) == os.path.abspath(q) else
                        f' (both resolve to {os.path.realpath(q)})') +
                    ': refusing to overwrite an input; choose another output path')
    for a in range(len(outputs)):
        for b in range(a + 1, len(outputs)):
            if _same_file(outputs[a][1], outputs[b][1]):
                raise SceneCheckError(f'{outputs[a][0]} {outputs[a][1]} and {outputs[b][0]} '
                                      f'{outputs[b][1]} are the same file; choose two paths')


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
                       resample_lr: bool = False,
                       guidance_bands: Optional[Sequence[str]] = None) -> dict:
    """Run every metadata check (see the module docstring) without reading pixels.

    Args:
        lr_path: LR LST GeoTIFF (1 band, K).
        guidance_paths: one or more HR guidance GeoTIFFs, bands stacked in the given order.
        info: :func:`groklst.apis.inference.model_scene_info` of the model.
        resample_lr: allow resampling the LR to the exact ratio / lattice.
        guidance_bands: the band names of the guidance files in stacked order, as stated by the
            caller (``--guidance-bands``); checked against the files' band descriptions where
            they have any and against the model's bands.

    Returns:
        dict with ``lr`` and ``guidance`` (lists of) metadata dicts, ``needs_resample`` (bool),
        ``offset`` ((row, col) of the guidance origin on the LR lattice, in guidance pixels),
        ``band_names`` (the guidance band names in stacked order where known: the model's,
        else the stated ones, else the files' descriptions; None otherwise) and ``warnings``
        (messages to show, e.g. the assumed band order).

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
    k = sum(g['count'] for g in gs)
    names = ', '.join(g['path'] for g in gs)
    desc = [d for g in gs for d in g['descriptions']]
    stated = [str(b) for b in guidance_bands] if guidance_bands is not None else None
    if stated is not None:
        if len(stated) != k:
            raise SceneCheckError(f'--guidance-bands names {len(stated)} bands {stated}; '
                                  f'expected one name per band of {names}: found {k} bands')
        if any(desc) and not same_band_names(desc, stated):
            raise SceneCheckError(f'--guidance-bands {stated} contradict the band descriptions '
                                  f'{list(desc)} of {names}')
    band_names, warnings = None, []
    if info['uses_guidance']:
        bands = info['guidance_bands']
        want = info['guidance_channels'] or (len(bands) if bands else None)
        if want is not None and k != want:
            raise SceneCheckError(
                f'guidance band count: the model was trained with {want} bands'
                + (f' {bands}' if bands else '') + f'; found {k} in {names}')
        if bands and any(desc) and not same_band_names(desc, bands):
            raise SceneCheckError(
                f'guidance band order: the model was trained with bands {list(bands)} in this '
                f'order; the band descriptions of {names} are {list(desc)}')
        if bands and stated is not None and not same_band_names(stated, bands):
            raise SceneCheckError(
                f'guidance band order: the model was trained with bands {list(bands)} in this '
                f'order; --guidance-bands states {stated} for {names}')
        if stated is None and not any(desc):
            assumed = (f'the model\'s order {list(bands)}' if bands else
                       f'the order the model was trained with ({k} bands; the config names '
                       f'none)')
            warnings.append(f'warning: the guidance {names} carries no band descriptions, so '
                            f'its band order cannot be checked; assuming {assumed}; state the '
                            f'order with --guidance-bands NAME ... (API: guidance_bands=)')
        if bands:
            band_names = list(bands)
        elif stated is not None:
            band_names = stated
        elif all(desc):
            band_names = list(desc)
    return dict(lr=lr, guidance=gs, needs_resample=needs_resample,
                offset=(int(round(off_r)), int(round(off_c))), band_names=band_names,
                warnings=warnings)


def _open_sources(checked: dict, scale: int, stack: ExitStack, log: Callable) -> dict:
    """Window readers of the LR and the guidance on the model grid (see the module docstring).

    Returns:
        dict with ``read_lr(r0, r1, c0, c1)`` (LR grid), ``read_guidance(r0, r1, c0, c1,
        bands=None)`` (HR model grid), ``lr_shape`` (h, w), ``origin`` ((row0, col0) of the
        guidance grid on the HR model grid) and ``num_bands`` (K).
    """
    g0 = checked['guidance'][0]
    hg, wg = g0['height'], g0['width']
    lr_meta = checked['lr']
    if checked['needs_resample']:
        lr_grid = RasterGrid(g0['crs'], g0['transform'] * Affine.scale(scale),
                             math.ceil(hg / scale), math.ceil(wg / scale))
        mode = 'average' if abs(lr_grid.transform.a) >= abs(lr_meta['transform'].a) \
            else 'bilinear'
        log(f'resampled LR {lr_meta["path"]} from {abs(lr_meta["transform"].a):g} x '
            f'{abs(lr_meta["transform"].e):g} to {abs(lr_grid.transform.a):g} x '
            f'{abs(lr_grid.transform.e):g} map units ({scale} x the guidance pixel) with {mode} '
            f'resampling: {(lr_meta["height"], lr_meta["width"])} -> {lr_grid.shape} px')
        r0 = c0 = 0
    else:
        # the LR lattice cut to the guidance extent; the guidance padded to whole LR pixels
        off_r, off_c = checked['offset']
        lr_r0, lr_c0 = math.floor(off_r / scale), math.floor(off_c / scale)
        lr_r1, lr_c1 = math.ceil((off_r + hg) / scale), math.ceil((off_c + wg) / scale)
        lr_grid = RasterGrid(lr_meta['crs'], lr_meta['transform'] *
                             Affine.translation(lr_c0, lr_r0), lr_r1 - lr_r0, lr_c1 - lr_c0)
        mode = 'same'
        r0, c0 = off_r - lr_r0 * scale, off_c - lr_c0 * scale
    lr_reader = stack.enter_context(GridReader(lr_meta['path'], lr_grid, mode, np.float32))
    hr_grid = RasterGrid(g0['crs'], g0['transform'] * Affine.translation(-c0, -r0),
                         lr_grid.height * scale, lr_grid.width * scale)
    g_reader = stack.enter_context(
        GridReader([g['path'] for g in checked['guidance']], hr_grid, 'same', np.float32))

    def read_lr(a, b, c, d):
        return lr_reader.read(Window(c, a, d - c, b - a))

    def read_guidance(a, b, c, d, bands=None):
        return g_reader.read_bands(Window(c, a, d - c, b - a), bands)

    return dict(read_lr=read_lr, read_guidance=read_guidance, lr_reader=lr_reader,
                lr_shape=lr_grid.shape, origin=(r0, c0), num_bands=g_reader.count)


def downscale_geotiff(model, lr_path: str, guidance_paths: Sequence[str], out_path: str,
                      tile: int = 256, overlap: int = 32, batch: int = 4,
                      preview: Optional[str] = None, resample_lr: bool = False,
                      reference_path: Optional[str] = None, progress: bool = True,
                      log: Callable = print, guidance_bands: Optional[Sequence[str]] = None,
                      fit_samples: int = DEFAULT_FIT_SAMPLES, fit_seed: int = 0,
                      overviews: bool = False, gdal_cache_mb: int = DEFAULT_GDAL_CACHE_MB,
                      chunk_width: int = DEFAULT_CHUNK_WIDTH) -> dict:
    """Check, align, downscale and write one scene, by windows (bounded memory at any size).

    This is the scene API for other tools (e.g. writing fine LST for many scenes): build the
    model once with :func:`groklst.apis.inference.init_downscaler`, then call this per scene.

    Args:
        model: a downscaler from :func:`groklst.apis.inference.init_downscaler`.
        lr_path: LR LST GeoTIFF, 1 band in K, nodata (or NaN) = no data.
        guidance_paths: HR guidance GeoTIFF(s), bands stacked in the given order; their grid is
            the output grid.
        out_path: output GeoTIFF (float32 LST in K, nodata NaN, description ``LST``; a tiled,
            compressed COG); must not be an input.
        tile, overlap, batch: tiling in HR pixels, see
            :func:`groklst.apis.inference.downscale_scene`.
        preview: optional PNG: LR | prediction (| reference | error) with colour bars in K
            (decimated to at most 1500 px a side).
        resample_lr: resample the LR to the exact ratio / lattice when needed (printed).
        reference_path: optional HR LST GeoTIFF on the guidance grid, shown in the preview.
        progress: tqdm progress bar.
        log: where messages (and warnings) go.
        guidance_bands: names of the guidance bands in stacked order (checked against the
            files' descriptions and the model's bands; see :func:`check_scene_inputs`).
        fit_samples, fit_seed: scene-level fit of per-scene sharpeners
            (:mod:`groklst.apis.scene_fit`).
        overviews: add overviews to the output COG.
        gdal_cache_mb: bound of GDAL's block cache while reading and writing, MB.
        chunk_width: HR width of the tiling engine's column chunks (memory only).

    Returns:
        dict with ``out``, ``preview``, ``shape`` (H, W), ``valid_fraction`` of the output,
        ``resampled`` (bool), ``seconds`` (downscaling time), ``scene_fit`` (how a per-scene
        sharpener was fitted, or None), ``tiles`` (tiles in the grid) and ``computed`` (tiles
        run through the model; tiles without valid LR pixels are skipped).

    Raises:
        SceneCheckError: a failed input check, an output path that is an input (nothing
            written, nothing read beyond the headers).
        ValueError: bad ``tile`` / ``overlap`` / ``batch`` (nothing written).
    """
    info = model_scene_info(model)
    s = info['scale']
    out_path = os.fspath(out_path)
    guidance_paths = [os.fspath(p) for p in guidance_paths]
    check_output_paths(
        [('--out', out_path), ('--preview', preview)],
        [('LR', lr_path)] + [('guidance', p) for p in guidance_paths] +
        [('reference', reference_path)])
    # tiling arguments are checked here too, so that a bad value fails before any reading
    check_tiling(tile, overlap, batch, s)
    checked = check_scene_inputs(lr_path, guidance_paths, info, resample_lr, guidance_bands)
    g0 = checked['guidance'][0]
    hg, wg = g0['height'], g0['width']
    if not info['uses_guidance']:
        log(f'{type(getattr(model, "generator", None) or model).__name__} does not use '
            f'guidance: the guidance only defines the output grid')
    for message in checked['warnings']:
        log(message)
    if resample_lr and not checked['needs_resample']:
        log(f'LR {lr_path} is already on an x{s} lattice of the guidance grid: not resampled')
    if reference_path is not None:
        ref_meta = _meta(reference_path)
        if (ref_meta['height'], ref_meta['width']) != (hg, wg) or \
                not ref_meta['transform'].almost_equals(g0['transform']) or \
                None not in (ref_meta['crs'], g0['crs']) and ref_meta['crs'] != g0['crs']:
            raise SceneCheckError(f'{reference_path}: expected the guidance grid '
                                  f'({hg} x {wg} px, {g0["crs"]}), found '
                                  f'{ref_meta["height"]} x {ref_meta["width"]} px, '
                                  f'{ref_meta["crs"]}')

    directory = os.path.dirname(os.path.abspath(out_path))
    tmp_png = None
    pixel_size = guidance_pixel_metres(g0, model)
    with gdal_cache_limit(gdal_cache_mb), ExitStack() as stack:
        src = _open_sources(checked, s, stack, log)
        h, w = src['lr_shape']
        if not any(lr_valid_mask(src['lr_reader'].read(win), info['valid_range']).any()
                   for win in iter_windows(h, w, 512)):  # stops at the first valid window
            lo, hi = info['valid_range']
            raise SceneCheckError(f'{lr_path}: expected valid LR LST ({lo:g}..{hi:g} K) over '
                                  f'the guidance extent, found none')
        os.makedirs(directory, exist_ok=True)
        writer = stack.enter_context(WindowedRasterWriter(
            out_path, 1, hg, wg, 'float32', g0['crs'], g0['transform'], nodata=float('nan'),
            band_descriptions=['LST'], units='K', cog=True, overviews=overviews))
        try:
            r0, c0 = src['origin']

            def write(r, c, block):  # model grid -> guidance grid
                a, b = max(r, r0), min(r + block.shape[0], r0 + hg)
                e, f = max(c, c0), min(c + block.shape[1], c0 + wg)
                if b > a and f > e:
                    writer.write(block[None, a - r:b - r, e - c:f - c],
                                 Window(e - c0, a - r0, f - e, b - a))
                    counts['valid'] += int(np.isfinite(block[a - r:b - r,
                                                             e - c:f - c]).sum())

            counts = dict(valid=0)
            t0 = time.perf_counter()
            res = downscale_windows(
                model, src['read_lr'], src['read_guidance'] if info['uses_guidance'] else
                None, (h, w), write, info, tile=tile, overlap=overlap, batch=batch,
                progress=progress, band_names=checked['band_names'],
                num_guidance_bands=src['num_bands'], fit_samples=fit_samples,
                fit_seed=fit_seed, chunk_width=chunk_width, pixel_size=pixel_size)
            seconds = time.perf_counter() - t0
            tmp_tif = writer.finish()
            if res['scene_fit']:
                log(res['scene_fit'])
            if preview is not None:
                from groklst.visualization import save_lst_panel
                pdir = os.path.dirname(os.path.abspath(preview))
                os.makedirs(pdir, exist_ok=True)
                tmp_png = os.path.join(pdir, f'.{os.path.basename(preview)}.'
                                             f'{uuid.uuid4().hex}.tmp.png')
                panels = [_decimated(src['lr_reader'])]
                for path in [tmp_tif] + ([reference_path] if reference_path else []):
                    with GridReader(path, RasterGrid(g0['crs'], g0['transform'], hg, wg),
                                    'same', np.float32) as reader:
                        panels.append(_decimated(reader))
                save_lst_panel(tmp_png, panels[0], panels[1],
                               panels[2] if reference_path else None,
                               title=f'{os.path.basename(out_path)} (x{s})')
            writer.commit()  # both temporary files are complete: move them
            if tmp_png is not None:
                os.replace(tmp_png, preview)
        except BaseException:
            for path in ((tmp_png, tmp_png + '.aux.xml') if tmp_png else ()):
                if os.path.exists(path):
                    os.remove(path)
            raise  # the writer removes its own temporary files
    valid = counts['valid'] / float(hg * wg)
    log(f'downscaled {lr_path} (x{s}) -> {out_path}: {hg} x {wg} px, '
        f'{100 * valid:.1f} % valid, {seconds:.2f} s' + (f'; preview {preview}' if preview
                                                         else ''))
    return dict(out=out_path, preview=preview, shape=(hg, wg), valid_fraction=valid,
                resampled=checked['needs_resample'], seconds=seconds,
                scene_fit=res['scene_fit'], tiles=res['tiles'], computed=res['computed'])


def _decimated(reader: GridReader, max_side: int = 1500) -> np.ndarray:
    """The first band of ``reader``'s grid decimated by ceil(max(height, width) / max_side)."""
    return reader.read_decimated(max(1, math.ceil(max(reader.grid.shape) / max_side)))
