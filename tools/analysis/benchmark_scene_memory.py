"""Scene downscaling memory benchmark: peak RSS and throughput of tools/downscale.py's API on a
20000 x 20000 10-band scene against a 2000 x 2000 one (bounded memory at any scene size).

    python tools/analysis/benchmark_scene_memory.py [--work-dir work_dirs/scene_memory]
        [--sizes 2000 20000] [--models bicubic tsharp mocolsk] [--deep-tiles 3]
        [--out docs/benchmarks/scene_memory.md]

Scenes (built once per size in ``--work-dir``, x4, EPSG:32616, 30 m guidance):

- ``guidance.tif``: S x S x 10 float32 (the demo's band names), tiled 256 x 256, DEFLATE,
  *sparse*: only every 32nd block row and column holds a periodic texture (reflectances, NDVI in
  [-0.2, 0.8]); the unwritten blocks read as 0 (valid values). At 20000 x 20000 the file is a
  few MB on disk but 16 GB as float32.
- ``lr.tif``: (S/4) x (S/4) float32 LR LST, a smooth field around 300 K, valid everywhere.
- ``lr_patches.tif``: the same LR, NaN except ``--deep-tiles`` x ``--deep-tiles`` patches of 48
  LR px placed inside single tiles spread over the scene (first, middle and last regular tile
  rows and columns): the deep model computes those tiles only (tiles without a valid LR pixel
  are skipped), but reads, blends and writes the whole S x S output, so its memory is that of
  the full-size scene (a CPU cannot run MoCoLSK over 4e8 pixels in a benchmark).

Models: ``bicubic`` (configs/classic/bicubic_x4_landsat8-demo.py) and ``tsharp``
(configs/classic/tsharp_x4_landsat8-demo.py) over the whole scene with ``lr.tif``; ``mocolsk``
(configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py) with ``lr_patches.tif``, with the
demo checkpoint if ``--checkpoint`` is given, else with seeded random weights of the demo config
(memory does not depend on the weights); when the demo's stats.json is missing, normalization
statistics of the synthetic guidance are written to the work dir and used instead.

Each (model, size) runs in a fresh child process (``--run-one``) calling
:func:`groklst.apis.downscale_geotiff` with the default tiling (256 / 32 / batch 4), so the
peak RSS (``getrusage`` ru_maxrss: imports, model and downscaling) belongs to that run alone;
the child also reports its RSS after building the model (``setup``). Throughput: output HR
pixels of the computed tiles per second of downscaling (reading, fitting, blending, writing the
COG). The table reports the load average of the machine before each run: other processes on the
same cores slow the figures down (not the memory).
"""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = dict(
    bicubic='configs/classic/bicubic_x4_landsat8-demo.py',
    tsharp='configs/classic/tsharp_x4_landsat8-demo.py',
    mocolsk='configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py')
BANDS = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi', 'ndwi', 'ndbi']
SCALE, TILE, OVERLAP, BATCH = 4, 256, 32, 4
PATCH = 48  # LR px of a valid patch for the deep model: 192 HR px, inside one tile


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--work-dir', default='work_dirs/scene_memory')
    p.add_argument('--sizes', type=int, nargs='+', default=[2000, 20000])
    p.add_argument('--models', nargs='+', default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument('--checkpoint', default=None, help='demo MoCoLSK checkpoint (optional)')
    p.add_argument('--deep-tiles', type=int, default=3,
                   help='valid LR patches per axis for the deep model (default 3: 9 tiles)')
    p.add_argument('--out', default=None, help='write the table (markdown) here')
    p.add_argument('--run-one', nargs=2, metavar=('MODEL', 'SIZE'), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def _tile_rows(size: int):
    """Regular tile starts (HR) of the default tiling over ``size`` px."""
    stride = TILE - OVERLAP
    return list(range(0, size - TILE + 1, stride))


def patch_starts(size: int, n: int):
    """HR starts of the deep model's patches: inside single regular tiles, spread out."""
    regular = _tile_rows(size)[1:-1] or _tile_rows(size)
    picks = sorted({regular[round(i * (len(regular) - 1) / max(n - 1, 1))] for i in range(n)})
    return [t + OVERLAP for t in picks]  # [t + 32, t + 224) lies in tile t only


def build_scene(folder: str, size: int, deep_tiles: int) -> dict:
    """Write guidance.tif, lr.tif and lr_patches.tif for one size (skipped when present)."""
    import rasterio
    from affine import Affine
    from rasterio.windows import Window
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
                y, x = np.mgrid[0:h, 0:w]
                # a texture with a 32-px period: compresses to almost nothing
                refl = np.stack([0.05 + 0.01 * i + 0.2 * ((x + 3 * i) % 32) / 32 +
                                 0.05 * (y % 32) / 32 for i in range(7)]).astype(np.float32)
                red, nir, swir = refl[3], refl[4], refl[5]
                ndvi = np.clip((nir - red) / (nir + red), -0.2, 0.8)
                block = np.concatenate([refl, ndvi[None], ((refl[2] - nir) / (refl[2] + nir))[None],
                                        ((swir - nir) / (swir + nir))[None]]).astype(np.float32)
                dst.write(block, window=Window(c, r, w, h))
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


def _mocolsk(work_dir: str, checkpoint):
    """The demo MoCoLSK config (synthetic statistics if the demo's are missing) and weights."""
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


def run_one(args) -> dict:
    """Child process: one model on one size; prints a JSON line."""
    name, size = args.run_one[0], int(args.run_one[1])
    from groklst.apis import downscale_geotiff, init_downscaler
    folder = osp.join(args.work_dir, str(size))
    paths = build_scene(folder, size, args.deep_tiles)
    if name == 'mocolsk':
        model, notes = _mocolsk(args.work_dir, args.checkpoint)
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


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.run_one:
        print('RESULT ' + json.dumps(run_one(args)), flush=True)
        return 0
    os.makedirs(args.work_dir, exist_ok=True)
    for size in args.sizes:
        if size % SCALE or size < 4 * TILE:
            raise SystemExit(f'sizes must be multiples of {SCALE} and >= {4 * TILE}')
        t0 = time.perf_counter()
        build_scene(osp.join(args.work_dir, str(size)), size, args.deep_tiles)
        print(f'scene {size} x {size}: built in {time.perf_counter() - t0:.1f} s')
    rows = []
    for name in args.models:
        for size in args.sizes:
            load = os.getloadavg()[0]
            cmd = [sys.executable, osp.abspath(__file__), '--run-one', name, str(size),
                   '--work-dir', args.work_dir, '--deep-tiles', str(args.deep_tiles)]
            if args.checkpoint:
                cmd += ['--checkpoint', args.checkpoint]
            r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                               env=dict(os.environ, PYTHONPATH=ROOT))
            line = [x for x in r.stdout.splitlines() if x.startswith('RESULT ')]
            if r.returncode or not line:
                print(r.stdout + r.stderr, file=sys.stderr)
                raise SystemExit(f'{name} at {size}: child failed (exit {r.returncode})')
            row = json.loads(line[0][7:])
            row['load'] = load
            rows.append(row)
            print(f"{name:8s} {size:6d}: peak RSS {row['peak_mb']:.0f} MB (after setup "
                  f"{row['setup_mb']:.0f} MB), {row['computed']}/{row['tiles']} tiles, "
                  f"{row['seconds']:.1f} s, {row['mpx_per_s']:.2f} Mpx/s, load {load:.2f}",
                  flush=True)
    table = _table(rows, args)
    print(table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table)
    return 0


def _table(rows, args) -> str:
    by = {(r['model'], r['size']): r for r in rows}
    small, big = min(args.sizes), max(args.sizes)
    lines = ['| model | scene (HR px) | tiles computed | peak RSS (MB) | RSS after setup (MB) | '
             'downscaling (s) | throughput (HR Mpx/s) | load avg (1 min) |',
             '|---|---|---|---|---|---|---|---|']
    for r in rows:
        lines.append(f"| {r['model']} | {r['size']} x {r['size']} | {r['computed']} / "
                     f"{r['tiles']} | {r['peak_mb']:.0f} | {r['setup_mb']:.0f} | "
                     f"{r['seconds']:.1f} | {r['mpx_per_s']:.2f} | {r['load']:.2f} |")
    lines.append('')
    for m in args.models:
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


if __name__ == '__main__':
    sys.exit(main())
