"""Scene downscaling memory benchmark: synthetic sparse scenes of any size, one (model, size) run
with its peak RSS and throughput, and the table (``tools/analysis/benchmark_scene_memory.py``).

Scenes (:func:`build_scene`, x4, EPSG:32616, 30 m guidance):

- ``guidance.tif``: S x S x 10 float32 (the demo's band names :data:`BANDS`), tiled 256 x 256,
  DEFLATE, *sparse*: only every 32nd block row and column holds a periodic texture
  (reflectances, NDVI in [-0.2, 0.8]); the unwritten blocks read as 0 (valid values). At
  20000 x 20000 the file is a few MB on disk but 16 GB as float32.
- ``lr.tif``: (S/4) x (S/4) float32 LR LST, a smooth field around 300 K, valid everywhere.
- ``lr_patches.tif``: the same LR, NaN except ``deep_tiles`` x ``deep_tiles`` patches of
  :data:`PATCH` LR px placed inside single tiles spread over the scene (:func:`patch_starts`):
  a deep model computes those tiles only (tiles without a valid LR pixel are skipped) but
  reads, blends and writes the whole S x S output, so its memory is that of the full-size scene
  (a CPU cannot run MoCoLSK over 4e8 pixels in a benchmark).

Models (:data:`CONFIGS`): ``bicubic`` and ``tsharp`` of the Landsat-8 demo over the whole scene
with ``lr.tif``; ``mocolsk`` (the demo MoCoLSK config) with ``lr_patches.tif``, with a given
checkpoint or seeded random weights of the config (memory does not depend on the weights); when
the demo's stats.json is missing, normalization statistics of the synthetic guidance are written
to the work dir and used instead (:func:`mocolsk_downscaler`).

:func:`run_scene` calls :func:`groklst.apis.downscale_geotiff` with the default tiling (256 / 32
/ batch 4); run it in a fresh process per (model, size) so that the peak RSS (``getrusage``
ru_maxrss: imports, model and downscaling) belongs to that run alone. Throughput: output HR
pixels of the computed tiles per second of downscaling (reading, fitting, blending, writing the
COG).
"""
import json
import os
import os.path as osp
import platform
import resource
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = ['CONFIGS', 'BANDS', 'SCALE', 'TILE', 'OVERLAP', 'BATCH', 'PATCH', 'MIN_SIZE',
           'check_size', 'patch_starts', 'build_scene', 'mocolsk_downscaler', 'run_scene',
           'to_markdown']

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Model name -> config, relative to the repository root.
CONFIGS = dict(
    bicubic='configs/classic/bicubic_x4_landsat8-demo.py',
    tsharp='configs/classic/tsharp_x4_landsat8-demo.py',
    mocolsk='configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py')
BANDS = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi', 'ndwi', 'ndbi']
SCALE, TILE, OVERLAP, BATCH = 4, 256, 32, 4
PATCH = 48  # LR px of a valid patch for the deep model: 192 HR px, inside one tile
#: Smallest scene side (HR px): two tiles, so that a patch fits inside one tile.
MIN_SIZE = 2 * TILE


def check_size(size: int) -> int:
    """``size`` if it is a multiple of :data:`SCALE` and at least :data:`MIN_SIZE`.

    Raises:
        ValueError: otherwise (message: expected and found).
    """
    if int(size) != size or size % SCALE or size < MIN_SIZE:
        raise ValueError(f'scene sizes must be multiples of {SCALE} and >= {MIN_SIZE} HR px, '
                         f'got {size}')
    return int(size)


def _tile_starts(size: int) -> List[int]:
    """Regular tile starts (HR) of the default tiling over ``size`` px."""
    return list(range(0, size - TILE + 1, TILE - OVERLAP))


def patch_starts(size: int, n: int) -> List[int]:
    """HR starts of the deep model's ``n`` patches per axis: each [start, start + 4 PATCH) lies
    inside one regular tile (the inner ones where there are any), spread over the scene."""
    regular = _tile_starts(size)[1:-1] or _tile_starts(size)
    picks = sorted({regular[round(i * (len(regular) - 1) / max(n - 1, 1))] for i in range(n)})
    return [t + OVERLAP for t in picks]  # [t + 32, t + 224) lies in tile t only


def _guidance_block(h: int, w: int) -> np.ndarray:
    """(10, h, w) float32 texture with a 32-px period (compresses to almost nothing)."""
    y, x = np.mgrid[0:h, 0:w]
    refl = np.stack([0.05 + 0.01 * i + 0.2 * ((x + 3 * i) % 32) / 32 + 0.05 * (y % 32) / 32
                     for i in range(7)]).astype(np.float32)
    green, red, nir, swir = refl[2], refl[3], refl[4], refl[5]
    ndvi = np.clip((nir - red) / (nir + red), -0.2, 0.8)
    return np.concatenate([refl, ndvi[None], ((green - nir) / (green + nir))[None],
                           ((swir - nir) / (swir + nir))[None]]).astype(np.float32)


def build_scene(folder: str, size: int, deep_tiles: int) -> Dict[str, str]:
    """Write ``guidance.tif``, ``lr.tif`` and ``lr_patches.tif`` of one size into ``folder``
    (skipped when all three are there; each appears only when complete).

    Returns:
        ``{'guidance', 'lr', 'lr_patches'}`` -> path.

    Raises:
        ValueError: a bad ``size`` (:func:`check_size`).
    """
    import rasterio
    from affine import Affine
    from rasterio.windows import Window
    size = check_size(size)
    os.makedirs(folder, exist_ok=True)
    paths = {k: osp.join(folder, f'{k}.tif') for k in ('guidance', 'lr', 'lr_patches')}
    if all(osp.isfile(p) for p in paths.values()):
        return paths
    t_hr = Affine(30.0, 0.0, 400000.0, 0.0, -30.0, 3500000.0)
    common = dict(driver='GTiff', crs='EPSG:32616', dtype='float32', tiled=True,
                  blockxsize=256, blockysize=256, compress='deflate', BIGTIFF='IF_SAFER')
    with rasterio.open(paths['guidance'] + '.part', 'w', height=size, width=size, count=10,
                       transform=t_hr, sparse_ok=True, predictor=3, **common) as dst:
        for i, b in enumerate(BANDS):
            dst.set_band_description(i + 1, b)
        for r in range(0, size, 32 * 256):
            for c in range(0, size, 32 * 256):
                h, w = min(256, size - r), min(256, size - c)
                dst.write(_guidance_block(h, w), window=Window(c, r, w, h))
    os.replace(paths['guidance'] + '.part', paths['guidance'])
    n = size // SCALE
    starts = [s // SCALE for s in patch_starts(size, deep_tiles)]
    for key in ('lr', 'lr_patches'):
        with rasterio.open(paths[key] + '.part', 'w', height=n, width=n, count=1,
                           transform=t_hr * Affine.scale(SCALE), nodata=float('nan'),
                           predictor=3, **common) as dst:
            for r in range(0, n, 256):
                h = min(256, n - r)
                y, x = np.mgrid[r:r + h, 0:n]
                lr = np.round(300 + 5 * np.sin(x / 37.0) * np.cos(y / 53.0), 2).astype(np.float32)
                if key == 'lr_patches':
                    keep = np.zeros_like(lr, bool)
                    for a in starts:
                        for b in starts:
                            keep[max(a - r, 0):max(a + PATCH - r, 0), b:b + PATCH] = True
                    lr[~keep] = np.nan
                dst.write(lr[None], window=Window(0, r, n, h))
        os.replace(paths[key] + '.part', paths[key])
    return paths


def mocolsk_downscaler(work_dir: str, checkpoint: Optional[str] = None) -> Tuple[object, list]:
    """The demo MoCoLSK downscaler (synthetic statistics if the demo's are missing; seeded
    random weights without ``checkpoint``) and notes saying which substitutes were used."""
    import torch
    from mmengine.config import Config

    from groklst.apis import init_downscaler
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS['mocolsk']))
    notes = []
    stats = cfg.get('stats_file')
    if not stats or not osp.isfile(stats):
        stats = osp.join(work_dir, 'synthetic_stats.json')
        with open(stats, 'w') as f:
            json.dump({'lst': {'mean': 300.0, 'std': 5.0, 'min': 280.0, 'max': 320.0},
                       'guidance': {b: {'mean': 0.1, 'std': 0.1, 'min': -1.0, 'max': 1.0}
                                    for b in BANDS}}, f)
        cfg.model.lst_norm.stats_file = stats
        for step in cfg.test_dataloader.dataset.pipeline:
            if step.get('type') == 'NormalizeGuidance':
                step['stats_file'] = stats
        notes.append('synthetic normalization statistics (demo stats.json missing)')
    if checkpoint is None:
        torch.manual_seed(0)
        checkpoint = osp.join(work_dir, 'mocolsk_demo_random.pth')
        torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}},
                   checkpoint)
        notes.append('seeded random weights of the demo config (no demo checkpoint)')
    return init_downscaler(cfg, checkpoint), notes


def _rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def run_scene(name: str, size: int, work_dir: str, deep_tiles: int = 3,
              checkpoint: Optional[str] = None) -> dict:
    """One model (:data:`CONFIGS` key) on the scene of one size (built under
    ``work_dir/<size>`` if needed); the output is removed afterwards.

    Returns:
        dict: ``model``, ``size``, ``setup_mb`` (RSS after building the model, MB), ``peak_mb``
        (peak RSS of this process, MB), ``seconds`` (downscaling), ``tiles``, ``computed``,
        ``hr_px`` (HR pixels of the computed tiles), ``mpx_per_s``, ``scene_fit``, ``notes``.

    Raises:
        ValueError: an unknown model or a bad size.
    """
    from groklst.apis import downscale_geotiff, init_downscaler
    if name not in CONFIGS:
        raise ValueError(f'unknown model {name!r}; expected one of {list(CONFIGS)}')
    folder = osp.join(work_dir, str(size))
    paths = build_scene(folder, size, deep_tiles)
    if name == 'mocolsk':
        model, notes = mocolsk_downscaler(work_dir, checkpoint)
        lr = paths['lr_patches']
    else:
        model, notes = init_downscaler(osp.join(ROOT, CONFIGS[name])), []
        lr = paths['lr']
    setup = _rss_mb()
    out = osp.join(folder, f'out_{name}.tif')
    t0 = time.perf_counter()
    res = downscale_geotiff(model, lr, [paths['guidance']], out, tile=TILE, overlap=OVERLAP,
                            batch=BATCH, progress=False, log=lambda m: None)
    wall = time.perf_counter() - t0
    os.remove(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hr_px = size * size if name != 'mocolsk' else res['computed'] * TILE * TILE
    return dict(model=name, size=size, setup_mb=setup, peak_mb=peak, seconds=wall,
                tiles=res['tiles'], computed=res['computed'], hr_px=hr_px,
                mpx_per_s=hr_px / wall / 1e6, scene_fit=res['scene_fit'], notes=notes)


def to_markdown(rows: Sequence[dict], sizes: Sequence[int], models: Sequence[str]) -> str:
    """The table of :func:`run_scene` rows (each with the machine's ``load`` before the run)
    and, per model, the ratio of the peak RSS at the largest size to that at the smallest."""
    by = {(r['model'], r['size']): r for r in rows}
    small, big = min(sizes), max(sizes)
    lines = ['| model | scene (HR px) | tiles computed | peak RSS (MB) | RSS after setup (MB) | '
             'downscaling (s) | throughput (HR Mpx/s) | load avg (1 min) |',
             '|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['model']} | {r['size']} x {r['size']} | {r['computed']} / "
                     f"{r['tiles']} | {r['peak_mb']:.0f} | {r['setup_mb']:.0f} | "
                     f"{r['seconds']:.1f} | {r['mpx_per_s']:.2f} | {r['load']:.2f} |")
    lines.append('')
    for m in models:
        if (m, small) in by and (m, big) in by:
            a, b = by[(m, small)]['peak_mb'], by[(m, big)]['peak_mb']
            lines.append(f'- {m}: peak RSS at {big} px / at {small} px = {b / a:.3f} '
                         f'({b - a:+.0f} MB)')
    notes = sorted({n for r in rows for n in r['notes']} |
                   {r['scene_fit'] for r in rows if r['scene_fit']})
    lines += [f'- {n}' for n in notes]
    lines.append(f'- machine: {platform.processor() or platform.machine()}, '
                 f'{os.cpu_count()} CPUs; torch threads from OMP_NUM_THREADS='
                 f'{os.environ.get("OMP_NUM_THREADS", "unset")}')
    return '\n'.join(lines) + '\n'
