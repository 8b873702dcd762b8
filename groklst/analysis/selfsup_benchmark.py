"""The self-supervised downscaling benchmark of ``docs/selfsupervised.md``: every method fitted
on the benchmark's coarse scenes with :func:`groklst.apis.fit_scenes` and scored with
:func:`groklst.evaluation.scenes.score_scenes` against the fine reference (read by the scorer
only), plus the speed check of issue 15 (100 scenes of 64 × 64 coarse pixels at x4).

The benchmark itself is built by ``tools/dataset_converters/selfsup_benchmark.py``
(:mod:`groklst.datasets.converters.selfsup_benchmark`): ``BENCH/<protocol>/<degradation>/
SCENES.csv`` (10 guidance bands) and ``SCENES_ndvi.csv`` (NDVI), references in
``BENCH/reference/<protocol>/``.
"""
from __future__ import annotations

import csv
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

__all__ = ['METHODS', 'PROTOCOL_SCALES', 'method_config', 'run_selfsup_benchmark',
           'run_supervised_reference', 'format_table', 'write_speed_scenes', 'run_speed_check']

#: Scale factor of each benchmark protocol.
PROTOCOL_SCALES = {'p120': 4, 'p240': 4, 'p60x2': 2}

#: Methods of the table: (label, guidance set 'ndvi' or '10band', config pattern with {s} the
#: scale factor, config overrides). Bicubic reads the NDVI scenes only for their grid. A method
#: with ``reuses`` changes only inference settings (projection, band limit): it applies the
#: checkpoint of that method's run in the same cell instead of fitting again.
_GDI = 'configs/selfsup/gdi/gdi_x{s}_1xb8-1500it_coarse-scenes-%s.py'
_ZOO = 'configs/selfsup/%s_x{s}_1xb8-800it_coarse-scenes%s.py'
_WALD_ONLY = {'train_dataloader.dataset.native_fraction': 0.0}
_SENSOR_LR = {'train_dataloader.dataset.degradation': dict(type='SensorDegradation')}
METHODS: Dict[str, dict] = {
    'bicubic': dict(label='bicubic', guidance='ndvi',
                    config='configs/selfsup/classic/bicubic_x{s}_coarse-scenes.py'),
    'bicubic-hard': dict(label='bicubic + hard projection', guidance='ndvi',
                         config='configs/selfsup/classic/bicubic_x{s}_coarse-scenes.py',
                         options={'model.consistency': 'hard'}),
    'tsharp': dict(label='TsHARP (NDVI)', guidance='ndvi',
                   config='configs/selfsup/classic/tsharp_x{s}_coarse-scenes-ndvi.py'),
    'dms-ndvi': dict(label='DMS (NDVI)', guidance='ndvi',
                     config='configs/selfsup/classic/dms_x{s}_coarse-scenes-ndvi.py'),
    'dms-10band': dict(label='DMS (10 bands)', guidance='10band',
                       config='configs/selfsup/classic/dms_x{s}_coarse-scenes-10band.py'),
    'gdi-ndvi': dict(label='GDI NDVI (default)', guidance='ndvi', config=_GDI % 'ndvi'),
    'gdi-ndvi-hard': dict(label='GDI NDVI + hard projection', guidance='ndvi',
                          config=_GDI % 'ndvi', reuses='gdi-ndvi',
                          options={'model.consistency': 'hard'}),
    'gdi-ndvi-80m': dict(label='GDI NDVI, band limit capped at 80 m (prior found with the '
                               'reference)', guidance='ndvi', config=_GDI % 'ndvi',
                         reuses='gdi-ndvi',
                         options={'model.band_limit': dict(factor=1.0, max_m=80.0)}),
    'gdi-10band': dict(label='GDI 10 bands', guidance='10band', config=_GDI % '10band'),
    'gdi-10band-hard': dict(label='GDI 10 bands + hard projection', guidance='10band',
                            config=_GDI % '10band', reuses='gdi-10band',
                            options={'model.consistency': 'hard'}),
}
# the scale-invariance recipe of the zoo: as configured (Wald + native-scale consistency), with
# the hard projection (same fit), trained on Wald samples only (no consistency term), and with
# training LR′ made by the sensor model instead of the box mean (validation unchanged)
for _key, _name, _cfg in (
        ('mocolsk-ndvi', 'MoCoLSK-small NDVI', ('mocolsk/mocolsk-small', '-ndvi')),
        ('fdsr-ndvi', 'FDSR NDVI', ('fdsr/fdsr', '-ndvi')),
        ('srcnn', 'SRCNN', ('srcnn/srcnn', ''))):
    METHODS[_key] = dict(label=f'{_name} (Wald + consistency)', guidance='ndvi',
                         config=_ZOO % _cfg)
    METHODS[f'{_key}-hard'] = dict(label=f'{_name} + hard projection', guidance='ndvi',
                                   config=_ZOO % _cfg, reuses=_key,
                                   options={'model.consistency': 'hard'})
    METHODS[f'{_key}-wald'] = dict(label=f'{_name} (Wald only, no consistency term)',
                                   guidance='ndvi', config=_ZOO % _cfg, options=_WALD_ONLY)
    METHODS[f'{_key}-sensor'] = dict(label=f'{_name} (LR′ by the sensor model + consistency)',
                                     guidance='ndvi', config=_ZOO % _cfg,
                                     options=_SENSOR_LR)


def method_config(method: str, scale: int, repo_root: str) -> str:
    """Config file of ``method`` at ``scale``.

    Raises:
        ValueError: unknown method, or no config for that scale.
    """
    if method not in METHODS:
        raise ValueError(f'unknown method {method!r}; expected one of {sorted(METHODS)}')
    path = osp.join(repo_root, METHODS[method]['config'].format(s=scale))
    if not osp.isfile(path):
        raise ValueError(f'{method} has no config for x{scale} ({path})')
    return path


def _reference_dir(bench: str, proto: str) -> str:
    """The fine reference folder of protocol ``proto`` (read by the scorer only).

    Raises:
        ValueError: unknown protocol.
        FileNotFoundError: the benchmark has no reference folder for it.
    """
    if proto not in PROTOCOL_SCALES:
        raise ValueError(f'unknown protocol {proto!r}; expected one of '
                         f'{sorted(PROTOCOL_SCALES)}')
    ref = osp.join(bench, 'reference', proto)
    if not osp.isdir(ref):
        raise FileNotFoundError(f'{ref}: no reference folder (build the benchmark first)')
    return ref


def _scenes_csv(bench: str, proto: str, deg: str, guidance: str) -> str:
    """The scenes CSV of one cell: NDVI guidance ('ndvi') or the 10 bands.

    Raises:
        FileNotFoundError: the CSV is missing.
    """
    name = 'SCENES_ndvi.csv' if guidance == 'ndvi' else 'SCENES.csv'
    scenes = osp.join(bench, proto, deg, name)
    if not osp.isfile(scenes):
        raise FileNotFoundError(f'{scenes} not found (build the benchmark first)')
    return scenes


def _score_row(out_dir: str, ref: str, scenes: str, ids: Optional[Sequence[str]] = None,
               **row) -> dict:
    """``row`` plus the pooled RMSE, MAE, BIAS, CC and n_pixels of ``out_dir``."""
    from groklst.evaluation.scenes import score_scenes
    m = score_scenes(out_dir, [ref], scenes_csv=scenes, ids=ids)
    return dict(row, **{k: m[k] for k in ('RMSE', 'MAE', 'BIAS', 'CC', 'n_pixels')})


def run_selfsup_benchmark(bench: str, work_root: str, protocols: Sequence[str] = ('p120',),
                          degradations: Sequence[str] = ('sensor',),
                          methods: Sequence[str] = ('bicubic', 'gdi-ndvi'),
                          iters: Optional[int] = None, log: Callable = print) -> List[dict]:
    """Fit every method on every protocol × degradation and score it.

    Args:
        bench: benchmark root (``tools/dataset_converters/selfsup_benchmark.py --out``).
        work_root: ``WORK/<protocol>_<degradation>/<method>/{work,out}`` are written.
        protocols, degradations, methods: what to run (:data:`PROTOCOL_SCALES`,
            'wald' / 'sensor', :data:`METHODS`).
        iters: training iterations of learned methods (default: the configs').
        log: where messages go.

    Returns:
        one row per run: ``protocol, degradation, method, label, RMSE, MAE, BIAS, CC,
        n_pixels, seconds`` (fit and write, s) and ``checkpoint``.

    Raises:
        FileNotFoundError: a scenes CSV or reference folder of the benchmark missing.
        ValueError: unknown protocol or method, or a method that ``reuses`` another listed
            without it (or before it).
    """
    from groklst.apis.fit_scenes import REPO_ROOT, fit_scenes
    for i, method in enumerate(methods):
        base = METHODS.get(method, {}).get('reuses')
        if base and base not in methods[:i]:
            raise ValueError(f'{method} applies the checkpoint of {base}: list {base} before it')
    rows = []
    fitted = {}  # (protocol, degradation, method) -> checkpoint of a learned run
    for proto in protocols:
        ref = _reference_dir(bench, proto)
        s = PROTOCOL_SCALES[proto]
        for deg in degradations:
            for method in methods:
                if method not in METHODS:
                    raise ValueError(f'unknown method {method!r}; expected one of '
                                     f'{sorted(METHODS)}')
                if not osp.isfile(osp.join(REPO_ROOT, METHODS[method]['config'].format(s=s))):
                    log(f'[benchmark] {proto}: {method} has no x{s} config, skipped')
                    continue
                config = method_config(method, s, REPO_ROOT)
                spec = METHODS[method]
                scenes = _scenes_csv(bench, proto, deg, spec['guidance'])
                run = osp.join(work_root, f'{proto}_{deg}', method)
                checkpoint = None
                if spec.get('reuses'):
                    checkpoint = fitted[(proto, deg, spec['reuses'])]
                log(f'[benchmark] {proto} {deg} {method}: {osp.relpath(config, REPO_ROOT)}'
                    + (f' with {checkpoint}' if checkpoint else ''))
                t0 = time.perf_counter()
                res = fit_scenes(scenes, osp.join(run, 'work'), osp.join(run, 'out'),
                                 config=config, iters=iters, checkpoint=checkpoint,
                                 cfg_options=dict(spec.get('options') or {}), progress=False,
                                 log=lambda *a: None)
                if res.get('checkpoint'):
                    fitted[(proto, deg, method)] = res['checkpoint']
                seconds = time.perf_counter() - t0
                row = _score_row(osp.join(run, 'out'), ref, scenes, protocol=proto,
                                 degradation=deg, method=method, label=spec['label'],
                                 seconds=seconds, checkpoint=res['checkpoint'])
                log(f"[benchmark] {proto} {deg} {method}: RMSE {row['RMSE']:.4f} K "
                    f"({seconds:.0f} s)")
                rows.append(row)
    return rows


def run_supervised_reference(bench: str, work_root: str, config: str, checkpoint: str,
                             protocols: Sequence[str] = ('p120',),
                             degradations: Sequence[str] = ('sensor',),
                             label: str = 'supervised reference', log: Callable = print
                             ) -> List[dict]:
    """Apply a model trained *with* fine LST (e.g. the demo MoCoLSK of ``make demo``) to the
    benchmark's 10-band scenes and score it: the issue's supervised reference row.

    Nothing is fitted on the scenes; the model is built once and every scene of a protocol with
    the model's scale factor goes through :func:`groklst.apis.downscale_geotiff` (the tiled path
    of ``tools/downscale.py``). Protocols of another scale are skipped, and so are scenes without
    a valid coarse pixel (fully cloudy: they score no pixel). The guidance files are taken to
    hold the model's bands in its order (the benchmark's 10 bands are the demo's).

    Args:
        bench, work_root: as :func:`run_selfsup_benchmark` (outputs in
            ``WORK/<protocol>_<degradation>/supervised/out``).
        config, checkpoint: the supervised model.
        protocols, degradations: cells to run.
        label: the table label.
        log: where messages go.

    Returns:
        rows as :func:`run_selfsup_benchmark` (``method='supervised'``).

    Raises:
        FileNotFoundError: config, checkpoint, scenes CSV or reference folder missing.
        ValueError: a protocol unknown; the scenes fail the model's input checks.
    """
    from groklst.apis.geotiff import downscale_geotiff
    from groklst.apis.inference import init_downscaler, model_scene_info
    from groklst.apis.tiling import lr_valid_mask
    from groklst.datasets.coarse_scenes import read_scenes_csv
    from groklst.fileio.raster import read_raster
    model = init_downscaler(config, checkpoint)
    info = model_scene_info(model)
    scale = info['scale']
    rows = []
    for proto in protocols:
        if PROTOCOL_SCALES.get(proto, scale) != scale:
            log(f'[benchmark] {proto}: the supervised model is x{scale}, skipped')
            continue
        ref = _reference_dir(bench, proto)
        for deg in degradations:
            scenes = _scenes_csv(bench, proto, deg, '10band')
            out = osp.join(work_root, f'{proto}_{deg}', 'supervised', 'out')
            os.makedirs(out, exist_ok=True)
            t0 = time.perf_counter()
            done = []
            for scene in read_scenes_csv(scenes):
                lr, _ = read_raster(scene['lr_lst'])
                if not lr_valid_mask(lr, info['valid_range']).any():
                    continue  # fully cloudy: no valid coarse pixel, nothing to score
                downscale_geotiff(model, scene['lr_lst'], scene['guidance'],
                                  osp.join(out, f"{scene['id']}.tif"), progress=False,
                                  log=lambda *a: None)
                done.append(scene['id'])
            rows.append(_score_row(out, ref, scenes, ids=done, protocol=proto,
                                   degradation=deg, method='supervised', label=label,
                                   seconds=time.perf_counter() - t0, checkpoint=checkpoint))
            log(f"[benchmark] {proto} {deg} supervised: RMSE {rows[-1]['RMSE']:.4f} K")
    return rows


def format_table(rows: Sequence[dict]) -> str:
    """Markdown table of :func:`run_selfsup_benchmark` rows: RMSE (K) and its change against
    bicubic of the same protocol and degradation (when bicubic was run), per column
    ``protocol (degradation)``."""
    cols = []
    for r in rows:
        key = (r['protocol'], r['degradation'])
        if key not in cols:
            cols.append(key)
    methods = []
    for r in rows:
        if r['method'] not in methods:
            methods.append(r['method'])
    cell = {(r['method'], r['protocol'], r['degradation']): r for r in rows}
    head = '| method | ' + ' | '.join(f'{p} ({d})' for p, d in cols) + ' |'
    lines = [head, '|---|' + '---|' * len(cols)]
    for m in methods:
        label = next(r['label'] for r in rows if r['method'] == m)
        vals = []
        for p, d in cols:
            r = cell.get((m, p, d))
            if r is None:
                vals.append('')
                continue
            base = cell.get(('bicubic', p, d))
            rel = '' if base is None or m == 'bicubic' else \
                f" ({100 * (r['RMSE'] / base['RMSE'] - 1):+.1f} %)"
            vals.append(f"{r['RMSE']:.3f}{rel}")
        lines.append(f'| {label} | ' + ' | '.join(vals) + ' |')
    return '\n'.join(lines)


def write_speed_scenes(root: str, n: int = 100, coarse: int = 64, scale: int = 4,
                       seed: int = 0) -> str:
    """Synthetic scenes for the speed check: ``n`` scenes of ``coarse`` × ``coarse`` coarse
    pixels (30 m guidance of ``scale·coarse`` pixels, UTM 33N), NDVI guidance and a coarse LST
    that is the block mean of a fine LST driven by NDVI, with a cloud in some scenes. Only
    times: nothing is scored.

    Returns:
        the scenes CSV (``root/SCENES.csv``).
    """
    from affine import Affine

    from groklst.fileio.raster import write_raster
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'lr'), exist_ok=True)
    os.makedirs(osp.join(root, 'guidance'), exist_ok=True)
    hw = coarse * scale
    yy, xx = np.mgrid[0:hw, 0:hw].astype(np.float32)
    rows = []
    for k in range(n):
        fx, fy, ph = rng.uniform(0.02, 0.2, 2).tolist() + [float(rng.uniform(0, 6.3))]
        ndvi = (0.45 + 0.3 * np.sin(fx * xx + ph) * np.cos(fy * yy)
                + 0.05 * rng.standard_normal((hw, hw))).astype(np.float32)
        lst = 300.0 - 12.0 * ndvi + 2.0 * np.sin(0.01 * (xx + yy) + ph)
        lr = lst.reshape(coarse, scale, coarse, scale).mean(axis=(1, 3)).astype(np.float32)
        if k % 3 == 0:  # a cloud of a quarter of the side
            side = max(1, coarse // 4)
            r0, c0 = rng.integers(0, coarse - side, 2)
            lr[r0:r0 + side, c0:c0 + side] = np.nan
        x0, y0 = 400000.0 + 10000.0 * k, 5000000.0
        g_t = Affine(30.0, 0, x0, 0, -30.0, y0)
        sid = f's{k:03d}'
        write_raster(osp.join(root, 'lr', f'{sid}.tif'), lr[None], 'EPSG:32633',
                     g_t * Affine.scale(scale), nodata=float('nan'), band_descriptions=['lst'],
                     units='K')
        write_raster(osp.join(root, 'guidance', f'{sid}.tif'), ndvi[None], 'EPSG:32633', g_t,
                     nodata=float('nan'), band_descriptions=['ndvi'])
        rows.append((sid, f'lr/{sid}.tif', f'guidance/{sid}.tif'))
    path = osp.join(root, 'SCENES.csv')
    with open(path, 'w', newline='') as fh:
        w = csv.writer(fh)
        w.writerow(['id', 'lr_lst', 'guidance'])
        w.writerows(rows)
    return path


def run_speed_check(root: str, n: int = 100, iters: Optional[int] = None,
                    config: Optional[str] = None, log: Callable = print) -> dict:
    """Write :func:`write_speed_scenes` under ``root`` and fit + write them with the default
    config (or ``config``); returns :func:`groklst.apis.fit_scenes`'s result (``seconds`` per
    stage and ``total``) with ``n_scenes``."""
    from groklst.apis.fit_scenes import fit_scenes
    t0 = time.perf_counter()
    scenes = write_speed_scenes(osp.join(root, 'scenes'), n=n)
    log(f'[speed] {n} scenes of 64 x 64 coarse px written in {time.perf_counter() - t0:.1f} s')
    res = fit_scenes(scenes, osp.join(root, 'work'), osp.join(root, 'out'), config=config,
                     iters=iters, progress=False, log=log)
    res['n_scenes'] = n
    return res
