"""Collections of coarse-LST scenes with fine guidance (no fine LST): the scenes CSV, per-scene
metadata checks and georeferenced alignment, windowed reading, value checks and normalization
statistics. Used by :class:`groklst.datasets.CoarseSceneDataset` and
:mod:`groklst.apis.fit_scenes`.

Scenes CSV (header required, one row per scene)::

    id,lr_lst,guidance
    2021-07-04_h08v05,lst/2021-07-04_h08v05.tif,guidance/h08v05.tif
    2021-07-05_h08v05,lst/2021-07-05_h08v05.tif,red_nir/h08v05_ndvi.tif;dem/h08v05.tif

* ``id``: unique, usable as a file name (it names the output ``<id>.tif``).
* ``lr_lst``: the coarse LST GeoTIFF (1 band, K; NaN or the declared nodata = no data).
* ``guidance``: one multi-band GeoTIFF, or several single- or multi-band GeoTIFFs joined with
  ``;`` (bands stacked in the given order, in the order of the config's ``guidance_bands``).
* Relative paths are relative to the folder of the CSV.

Each scene is checked as ``tools/downscale.py`` checks its inputs
(:func:`groklst.apis.geotiff.check_scene_inputs`: one band of LST, guidance files on one grid,
one CRS for LST and guidance, no rotation, overlapping extents, LR pixel = s × guidance pixel,
LR lattice on whole guidance pixels, guidance band count and names); scenes may differ in size
and CRS. The coarse lattice may be offset from the guidance lattice by any whole number of fine
pixels (not only 0): every window is placed by georeference.

Geometry of one scene (all integers): the guidance origin lies ``offset = (off_r, off_c)`` fine
pixels from the LR origin, so coarse pixel (R, C) covers guidance rows
``R·s − off_r … R·s − off_r + s − 1`` (and columns alike). ``region`` is the box of coarse
pixels whose s × s block lies entirely on the guidance grid (the pixels a training sample may
use as a target).
"""
from __future__ import annotations

import csv
import math
import os
import zlib
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple

import numpy as np

__all__ = ['read_scenes_csv', 'check_scenes', 'SceneReader', 'check_lst_values',
           'fit_scene_stats', 'heldout_blocks', 'guidance_window', 'LST_PLAUSIBLE_MEDIAN']

#: Median LST (K) a real scene must have: coldest Antarctic surfaces (~180 K) to hottest
#: deserts (~345 K), with margin; outside it the units are almost certainly not Kelvin.
LST_PLAUSIBLE_MEDIAN = (150.0, 360.0)
#: Rows per strip when statistics stream over a raster.
_STRIP_ROWS = 512


def _scene_error(msg: str):
    from groklst.apis.geotiff import SceneCheckError
    return SceneCheckError(msg)


def read_scenes_csv(path: str) -> List[dict]:
    """Parse a scenes CSV (module docstring).

    Returns:
        ``[{'id', 'lr_lst' (abs path), 'guidance' (list of abs paths), 'row' (line number)}]``.

    Raises:
        SceneCheckError: file missing, no header ``id,lr_lst,guidance``, no row, an empty
            field, a duplicate id or an id that is not a plain file name.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise _scene_error(f'scenes file {path} not found')
    root = os.path.dirname(os.path.abspath(path))
    with open(path, newline='', encoding='utf-8-sig') as fh:
        reader = csv.DictReader(fh)
        cols = [c.strip() for c in (reader.fieldnames or [])]
        if not {'id', 'lr_lst', 'guidance'} <= set(cols):
            raise _scene_error(f'{path}: expected a header with the columns id,lr_lst,guidance; '
                               f'found {cols}')
        reader.fieldnames = cols
        rows = list(reader)
    if not rows:
        raise _scene_error(f'{path}: expected at least one scene row, found none')
    scenes, seen = [], {}
    for line, row in enumerate(rows, start=2):
        sid = (row.get('id') or '').strip()
        lr = (row.get('lr_lst') or '').strip()
        guid = [g.strip() for g in (row.get('guidance') or '').split(';') if g.strip()]
        if not sid or not lr or not guid:
            raise _scene_error(f'{path} line {line}: expected id, lr_lst and guidance, found '
                               f'{dict(row)}')
        if sid in ('.', '..') or os.sep in sid or '/' in sid or sid != os.path.basename(sid):
            raise _scene_error(f'{path} line {line}: id {sid!r} must be a plain file name (it '
                               f'names the output <id>.tif)')
        if sid in seen:
            raise _scene_error(f'{path} line {line}: duplicate id {sid!r} (first on line '
                               f'{seen[sid]})')
        seen[sid] = line
        scenes.append(dict(id=sid, lr_lst=os.path.join(root, lr),
                           guidance=[os.path.join(root, g) for g in guid], row=line))
    return scenes


def check_scenes(scenes: Sequence[dict], scale: int, guidance_bands: Optional[Sequence[str]],
                 uses_guidance: bool = True) -> List[dict]:
    """Metadata checks and geometry of every scene, without reading pixels.

    Args:
        scenes: rows of :func:`read_scenes_csv`.
        scale: scale factor s (coarse pixel = s × guidance pixel).
        guidance_bands: band names the model expects (count and, where the files carry band
            descriptions, names and order are checked), or None.
        uses_guidance: whether the model reads the guidance (False: it only defines the grid).

    Returns:
        one dict per scene: ``id, lr_path, guidance_paths, lr_shape (H, W), guidance_shape
        (Hg, Wg), offset (off_r, off_c), region ((r0, r1), (c0, c1))`` in coarse pixels,
        ``lr_nodata``, ``guidance_nodata`` (per file), ``crs``.

    Raises:
        SceneCheckError: the first failing scene, its id and the failed check in the message;
            a scene without a coarse pixel entirely on the guidance grid.
    """
    from groklst.apis.geotiff import check_scene_inputs
    info = dict(scale=int(scale), uses_guidance=bool(uses_guidance), guidance_channels=None,
                guidance_bands=list(guidance_bands) if guidance_bands else None)
    out = []
    for sc in scenes:
        try:
            checked = check_scene_inputs(sc['lr_lst'], sc['guidance'], info, resample_lr=False)
        except ValueError as exc:
            raise _scene_error(f"scene {sc['id']}: {exc}") from exc
        lr, g0 = checked['lr'], checked['guidance'][0]
        off_r, off_c = checked['offset']
        s = int(scale)
        r0 = max(0, -(-off_r // s))
        r1 = min(lr['height'], (off_r + g0['height']) // s)
        c0 = max(0, -(-off_c // s))
        c1 = min(lr['width'], (off_c + g0['width']) // s)
        if r1 <= r0 or c1 <= c0:
            raise _scene_error(
                f"scene {sc['id']}: expected at least one coarse pixel of {sc['lr_lst']} whose "
                f'{s} x {s} block lies on the guidance grid of {sc["guidance"][0]}; found none '
                f'(guidance origin at ({off_r}, {off_c}) fine pixels of the LR lattice, '
                f'guidance {g0["height"]} x {g0["width"]} px)')
        out.append(dict(id=sc['id'], lr_path=sc['lr_lst'], guidance_paths=list(sc['guidance']),
                        lr_shape=(lr['height'], lr['width']),
                        guidance_shape=(g0['height'], g0['width']), offset=(off_r, off_c),
                        region=((r0, r1), (c0, c1)), lr_nodata=lr['nodata'],
                        guidance_nodata=[g['nodata'] for g in checked['guidance']],
                        crs=str(lr['crs'])))
    return out


def heldout_blocks(scene: dict, block: int, fraction: float, seed: int = 0,
                   max_blocks: Optional[int] = None) -> List[Tuple[int, int]]:
    """Held-out (validation) blocks of one scene: spatially disjoint from training.

    The scene's ``region`` is cut into whole ``block`` × ``block`` coarse-pixel blocks from its
    top-left corner (the remainder at the right and bottom stays training ground); of ``n``
    blocks, ``max(1, round(fraction · n))`` (at most ``n − 1`` and ``max_blocks``; none when
    ``n < 2`` or ``fraction == 0``) are drawn by a generator seeded with ``seed`` and the scene
    id (CRC-32), so the split does not depend on the order of the CSV.

    Returns:
        sorted ``(row, col)`` coarse-pixel origins of the held-out blocks.
    """
    (r0, r1), (c0, c1) = scene['region']
    nr, nc = (r1 - r0) // block, (c1 - c0) // block
    n = nr * nc
    if n < 2 or fraction <= 0:
        return []
    k = min(n - 1, max(1, int(round(fraction * n))))
    if max_blocks is not None:
        k = min(k, int(max_blocks))
    if k < 1:
        return []
    rng = np.random.default_rng([int(seed), zlib.crc32(scene['id'].encode())])
    picks = sorted(rng.choice(n, size=k, replace=False).tolist())
    return [(r0 + (i // nc) * block, c0 + (i % nc) * block) for i in picks]


class SceneReader:
    """Windowed reads of scene rasters with an LRU cache of open files.

    Only the pixels of a window are read (GDAL reads the blocks it needs); at most
    ``max_open_files`` files stay open, least recently used closed first (per process: the
    cache is emptied in a forked dataloader worker, whose handles must not be shared with the
    parent). Memory is bounded by the windows read, whatever the number of scenes. Windows may
    reach past the raster: outside pixels are NaN, as are nodata pixels.

    Args:
        max_open_files: files kept open (>= 1).

    Raises:
        ValueError: ``max_open_files`` < 1.
    """

    def __init__(self, max_open_files: int = 16) -> None:
        if int(max_open_files) < 1:
            raise ValueError(f'max_open_files must be >= 1, got {max_open_files}')
        self.max_open_files = int(max_open_files)
        self._open: 'OrderedDict[str, object]' = OrderedDict()
        self._pid = os.getpid()

    def _handle(self, path: str):
        import rasterio
        if self._pid != os.getpid():  # forked: never reuse the parent's handles
            self._open = OrderedDict()
            self._pid = os.getpid()
        if path in self._open:
            self._open.move_to_end(path)
            return self._open[path]
        src = rasterio.open(path)
        self._open[path] = src
        while len(self._open) > self.max_open_files:
            _, old = self._open.popitem(last=False)
            old.close()
        return src

    def close(self) -> None:
        """Close every open file."""
        if self._pid == os.getpid():
            for src in self._open.values():
                src.close()
        self._open = OrderedDict()

    def __getstate__(self):  # open files never travel to another process
        return dict(max_open_files=self.max_open_files)

    def __setstate__(self, state):
        self.__init__(state['max_open_files'])

    def read(self, path: str, rows: Tuple[int, int], cols: Tuple[int, int],
             nodata=None) -> np.ndarray:
        """Pixels ``rows[0]:rows[1]`` × ``cols[0]:cols[1]`` of every band, (C, h, w) float32;
        NaN outside the raster and where equal to ``nodata`` (the file's own when None)."""
        from rasterio.windows import Window
        src = self._handle(path)
        (a, b), (c, d) = rows, cols
        out = np.full((src.count, b - a, d - c), np.nan, np.float32)
        ra, rb = max(a, 0), min(b, src.height)
        ca, cb = max(c, 0), min(d, src.width)
        if rb > ra and cb > ca:
            arr = src.read(window=Window(ca, ra, cb - ca, rb - ra)).astype(np.float32)
            nd = src.nodata if nodata is None else nodata
            if nd is not None and not math.isnan(nd):
                arr[arr == np.float32(nd)] = np.nan
            out[:, ra - a:rb - a, ca - c:cb - c] = arr
        return out

    def coarse(self, scene: dict, rows, cols) -> np.ndarray:
        """Coarse LST (h, w) K of coarse-pixel rows × cols of a scene (NaN = no data)."""
        return self.read(scene['lr_path'], rows, cols, scene['lr_nodata'])[0]

    def guidance(self, scene: dict, rows, cols, scale: int) -> np.ndarray:
        """Fine guidance (K, s·h, s·w) under coarse-pixel rows × cols of a scene, placed by
        georeference (the scene's ``offset``); NaN outside the guidance grid and at nodata."""
        off_r, off_c = scene['offset']
        fr = (rows[0] * scale - off_r, rows[1] * scale - off_r)
        fc = (cols[0] * scale - off_c, cols[1] * scale - off_c)
        return np.concatenate([self.read(p, fr, fc, nd) for p, nd in
                               zip(scene['guidance_paths'], scene['guidance_nodata'])])


def check_lst_values(values: np.ndarray, source: str,
                     plausible_median: Tuple[float, float] = LST_PLAUSIBLE_MEDIAN) -> None:
    """Check that LST values are in Kelvin before anything is trained on them.

    Minimal plausibility check of the coarse LST of a scene (its finite, non-nodata pixels):
    the median must lie in ``plausible_median`` K; otherwise the error suggests the likely unit
    (°C, scaled integers such as MODIS DN × 0.02 or K × 100).

    Args:
        values: LST values (any shape); non-finite values are ignored.
        source: file named in the error.
        plausible_median: (min, max) K.

    Raises:
        ValueError: no finite value, or an implausible median.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise ValueError(f'{source}: expected LST values in K, found no valid pixel (all nodata '
                         f'or NaN)')
    med = float(np.median(v))
    lo, hi = plausible_median
    if lo <= med <= hi:
        return
    if -90.0 <= med <= 70.0:
        hint = 'this looks like degrees Celsius: add 273.15'
    elif med > 1000.0:
        hint = ('this looks like scaled integers (e.g. MODIS LST digital numbers x 0.02 K, or '
                'K x 100): apply the product\'s scale factor and offset first')
    else:
        hint = 'expected Kelvin'
    raise ValueError(f'{source}: LST median {med:.6g} is outside the plausible range '
                     f'{lo:g}-{hi:g} K; {hint}')


def _strips(height: int):
    for a in range(0, height, _STRIP_ROWS):
        yield a, min(height, a + _STRIP_ROWS)


def guidance_window(scene: dict, scale: int) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """Coarse-pixel rows and columns ((r0, r1), (c0, c1)) of the scene's LR raster that touch
    its guidance grid (partly covered pixels included), clipped to the raster."""
    (off_r, off_c), (hg, wg) = scene['offset'], scene['guidance_shape']
    h, w = scene['lr_shape']
    rows = (max(0, off_r // scale), min(h, -(-(off_r + hg) // scale)))
    cols = (max(0, off_c // scale), min(w, -(-(off_c + wg) // scale)))
    return rows, cols


def fit_scene_stats(scenes: Sequence[dict], guidance_bands: Optional[Sequence[str]],
                    valid_range: Tuple[float, float] = (200.0, 360.0),
                    use_guidance: bool = True, scale: Optional[int] = None,
                    reader: Optional[SceneReader] = None, log=None) -> dict:
    """Check the LST values of every scene and fit normalization statistics on the scenes.

    Streams every raster in strips of rows (bounded memory), one scene at a time: each coarse
    LST with a finite pixel goes through :func:`check_lst_values`; the statistics pool the
    coarse LST pixels inside ``valid_range`` (key ``lst``: the Downscaler's normalization) and,
    with ``use_guidance``, every finite fine guidance pixel per band (key ``guidance``:
    ``NormalizeGuidance``). No fine-scale LST exists or is read.

    A scene without a valid coarse pixel over its guidance grid (e.g. fully cloudy) is not an
    error: it is listed in ``empty`` (it has nothing to train on, and its output is all no
    data); only a collection where every scene is empty is.

    Args:
        scenes: from :func:`check_scenes`.
        guidance_bands: band names in order (the statistics keys), required with guidance.
        valid_range: plausible LST (K) of a valid pixel.
        use_guidance: also fit guidance statistics.
        scale: scale factor s (to find the coarse pixels over the guidance grid; None: any
            valid pixel of the raster counts).
        reader: a :class:`SceneReader` (default: a new one).
        log: optional callable for one line per scene.

    Returns:
        ``{'lst': {mean, std, min, max, count}, 'guidance': {band: {...}}, 'fitted_on':
        'coarse scenes', 'n_scenes' (= 'n_samples'): int, 'valid_range': [lo, hi],
        'valid_pixels': {id: valid coarse pixels over the guidance grid}, 'empty': [ids]}``.

    Raises:
        SceneCheckError: a scene's LST fails :func:`check_lst_values`; no scene has a valid
            pixel; no finite guidance pixel; the band count differs from ``guidance_bands``.
    """
    from .stats import compute_band_stats, merge_band_stats
    reader = reader or SceneReader(max_open_files=4)
    lo, hi = valid_range
    lst_parts, g_parts = [], []
    bands = list(guidance_bands) if guidance_bands else None
    if use_guidance and not bands:
        raise ValueError('guidance statistics need the guidance band names (guidance_bands)')
    counts, empty = {}, []
    for sc in scenes:
        h, w = sc['lr_shape']
        (gr0, gr1), (gc0, gc1) = guidance_window(sc, scale) if scale else ((0, h), (0, w))
        finite, parts, n_on = [], [], 0
        for a, b in _strips(h):
            x = reader.coarse(sc, (a, b), (0, w))
            finite.append(x[np.isfinite(x)])
            with np.errstate(invalid='ignore'):
                ok = np.isfinite(x) & (x >= lo) & (x <= hi)
            n_on += int(ok[max(gr0 - a, 0):max(gr1 - a, 0), gc0:gc1].sum())
            if ok.sum() >= 2:
                parts.append(compute_band_stats(x, ok, ['lst']))
        finite = np.concatenate(finite)
        if finite.size:
            try:
                check_lst_values(finite, f"scene {sc['id']}: {sc['lr_path']}")
            except ValueError as exc:
                raise _scene_error(str(exc)) from exc
        counts[sc['id']] = n_on
        if n_on == 0:
            empty.append(sc['id'])
            if log is not None:
                log(f"scene {sc['id']}: no valid coarse LST pixel ({lo:g}-{hi:g} K) over the "
                    f'guidance grid: nothing to train on, its output will be all no data')
            continue
        if parts:
            lst_parts.append(merge_band_stats(parts))
        if use_guidance:
            gh, gw = sc['guidance_shape']
            for a, b in _strips(gh):
                g = np.concatenate([reader.read(p, (a, b), (0, gw), nd) for p, nd in
                                    zip(sc['guidance_paths'], sc['guidance_nodata'])])
                if g.shape[0] != len(bands):
                    raise _scene_error(f"scene {sc['id']}: expected {len(bands)} guidance bands "
                                       f'{bands}, found {g.shape[0]}')
                if np.isfinite(g).all(axis=0).sum() >= 2:
                    g_parts.append(compute_band_stats(g, None, bands))
        if log is not None:
            log(f"scene {sc['id']}: coarse LST median {float(np.median(finite)):.2f} K, "
                f'{n_on} valid coarse pixels over the guidance grid')
    reader.close()
    if not lst_parts:
        raise _scene_error(f'no scene has a valid coarse LST pixel ({lo:g}-{hi:g} K) over its '
                           f'guidance grid ({len(scenes)} scene(s) checked)')
    out = dict(lst=merge_band_stats(lst_parts)['lst'], fitted_on='coarse scenes',
               n_scenes=len(scenes), n_samples=len(scenes), valid_range=[float(lo), float(hi)],
               valid_pixels=counts, empty=empty)
    if use_guidance:
        if not g_parts:
            raise _scene_error('no finite guidance pixel in any scene')
        out['guidance'] = merge_band_stats(g_parts)
    return out
