"""Fit a downscaler on a user's own coarse LST scenes (no fine LST) and downscale every scene:
the work behind ``tools/fit_scenes.py``.

Stages (each timed and printed):

1. **check** — the scenes CSV and every scene's metadata
   (:func:`groklst.datasets.coarse_scenes.check_scenes`: the checks of ``tools/downscale.py``
   plus georeferenced alignment), then every coarse LST's values
   (:func:`groklst.datasets.coarse_scenes.check_lst_values`, while the normalization statistics
   are fitted). All scenes are checked before anything is trained or written; a failure is one
   error naming the scene and the check.
2. **stats** — normalization statistics of the scenes' coarse LST and fine guidance, written to
   ``WORK_DIR/scene_stats.json`` (with ``checkpoint``: the statistics of the run that made the
   checkpoint, found in ``WORK_DIR`` or beside the checkpoint).
3. **train** — self-supervised training on :class:`groklst.datasets.CoarseSceneDataset` with
   :mod:`groklst.apis.runner`: by default guided detail injection
   (:class:`groklst.models.downscalers.GuidedDetailDownscaler`, Wald's protocol through a
   fitted sensor footprint on native-scale crops); zoo models through the ``Downscaler``
   (Wald's protocol plus native-scale aggregation consistency). The checkpoint with the lowest
   coarse-level RMSE on the held-out blocks is kept (no fine truth is used anywhere). Skipped
   with ``checkpoint`` and for models without trainable parameters (bicubic, TsHARP, DMS, ...).
4. **downscale** — every scene through :func:`groklst.apis.downscale_geotiff` (the tiled,
   blended inference of ``tools/downscale.py``) to ``OUT_DIR/<id>.tif``: fine LST (K, float32,
   nodata NaN) on the scene's guidance grid (its CRS and transform). All outputs are written
   into a hidden folder inside ``OUT_DIR`` and moved into place only when every scene has
   succeeded; on failure nothing is left behind. A scene without any valid coarse pixel over
   its guidance (e.g. fully cloudy) is not trained on and gets an all-no-data output.
"""
from __future__ import annotations

import copy
import os
import os.path as osp
import shutil
import time
import uuid
from typing import Callable, Dict, Optional

__all__ = ['fit_scenes', 'default_config', 'bind_scenes', 'set_iters', 'DEFAULT_CONFIGS',
           'STATS_NAME', 'CONFIG_NAME']

#: The repository root of an editable install (configs/ beside groklst/).
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Config used without ``config``, per scale factor: the NDVI-guided (sensor-agnostic) default,
#: guided detail injection (docs/selfsupervised.md).
DEFAULT_CONFIGS = {
    2: 'configs/selfsup/gdi/gdi_x2_1xb8-1500it_coarse-scenes-ndvi.py',
    4: 'configs/selfsup/gdi/gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py',
}
#: Normalization statistics in the work dir.
STATS_NAME = 'scene_stats.json'
#: The run's config (scenes and statistics bound) in the work dir: train it with
#: ``tools/train.py`` / ``tools/dist_train.sh`` after ``prepare_only``.
CONFIG_NAME = 'fit_scenes_config.py'


def default_config(scale: int) -> str:
    """Path of the default config for ``scale`` (:data:`DEFAULT_CONFIGS`).

    Raises:
        ValueError: no default config for that scale.
    """
    if int(scale) not in DEFAULT_CONFIGS:
        raise ValueError(f'no default self-supervised config for scale {scale} (have '
                         f'{sorted(DEFAULT_CONFIGS)}): pass a config')
    return osp.join(REPO_ROOT, DEFAULT_CONFIGS[int(scale)])


def _walk(node, fn) -> None:
    if isinstance(node, dict):
        fn(node)
        for value in node.values():
            _walk(value, fn)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, fn)


def bind_scenes(cfg, scenes_file: str, stats_file: str, exclude_ids=None):
    """Point a self-supervised config at a scenes CSV and a statistics JSON (in place).

    Every ``CoarseSceneDataset`` gets ``ann_file=scenes_file`` (absolute, no ``data_root``)
    and, when given, ``exclude_ids``; every ``stats_file`` entry (``NormalizeGuidance``, the
    Downscaler's ``lst_norm``) and the top-level ``scenes_file`` / ``stats_file`` become the
    given paths.

    Returns:
        ``cfg``.
    """
    scenes_file, stats_file = osp.abspath(scenes_file), osp.abspath(stats_file)

    def fix(d):
        if d.get('type') == 'CoarseSceneDataset':
            d['ann_file'] = scenes_file
            d.pop('data_root', None)
            if exclude_ids:
                d['exclude_ids'] = list(exclude_ids)
        if 'stats_file' in d:
            d['stats_file'] = stats_file

    for key in list(cfg.keys()):
        _walk(cfg[key], fix)
    cfg.scenes_file = scenes_file
    cfg.stats_file = stats_file
    return cfg


def set_iters(cfg, iters: int):
    """Set the number of training iterations (in place): ``train_cfg.max_iters``, schedulers
    whose ``T_max`` / ``end`` was the old length, and validation / checkpoint / log intervals
    no longer than the run.

    Raises:
        ValueError: ``iters`` < 1.
    """
    iters = int(iters)
    if iters < 1:
        raise ValueError(f'iters must be >= 1, got {iters}')
    old = cfg.train_cfg.get('max_iters')
    cfg.train_cfg.max_iters = iters
    if cfg.train_cfg.get('val_interval'):
        cfg.train_cfg.val_interval = min(int(cfg.train_cfg.val_interval), iters)
    for name in ('checkpoint', 'logger'):
        hook = (cfg.get('default_hooks') or {}).get(name)
        if hook and hook.get('interval'):
            hook['interval'] = min(int(hook['interval']), iters)
    scheds = cfg.get('param_scheduler') or []
    for sched in scheds if isinstance(scheds, (list, tuple)) else [scheds]:
        for key in ('T_max', 'end'):
            if old is not None and sched.get(key) == old:
                sched[key] = iters
    return cfg


def _timer(log: Callable):
    times: Dict[str, float] = {}
    state = dict(name=None, t0=None)

    def stage(name: Optional[str]):
        now = time.perf_counter()
        if state['name'] is not None:
            times[state['name']] = now - state['t0']
            log(f"[fit_scenes] stage {state['name']}: {times[state['name']]:.1f} s")
        state.update(name=name, t0=now)
        return times

    return stage


def _model_facts(cfg) -> dict:
    """Scale, guidance use and trainable parameter count of the config's model (built with a
    placeholder LST normalization: no statistics file is needed yet)."""
    from groklst.models.classic.base import PerSceneSharpener
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    mcfg = copy.deepcopy(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else cfg.model)
    if 'lst_norm' in mcfg:
        mcfg['lst_norm'] = dict(mean=0.0, std=1.0)
    model = MODELS.build(mcfg)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return dict(scale=int(model.scale), uses_guidance=bool(getattr(model, 'uses_guidance',
                                                                   False)),
                trainable=bool(n_params) and not isinstance(model, PerSceneSharpener),
                n_params=int(n_params), name=type(getattr(model, 'generator', None) or
                                                     model).__name__,
                needs_pixel_size=bool(getattr(model, 'needs_pixel_size', False)), model=model)


def _best_checkpoint(runner) -> Optional[str]:
    from mmengine.hooks import CheckpointHook
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook) and getattr(hook, 'best_ckpt_path', None):
            return hook.best_ckpt_path
    last = osp.join(runner.work_dir, 'last_checkpoint')
    if osp.isfile(last):
        with open(last) as fh:
            return fh.read().strip() or None
    return None


def _write_no_data(path: str, meta: dict) -> None:
    """An all-no-data LST output on the guidance grid of a scene without valid coarse LST."""
    import numpy as np
    import rasterio

    from groklst.fileio.raster import write_raster
    with rasterio.open(meta['guidance_paths'][0]) as src:
        crs, transform = src.crs, src.transform
    h, w = meta['guidance_shape']
    write_raster(path, np.full((1, h, w), np.nan, np.float32), crs, transform,
                 nodata=float('nan'), band_descriptions=['LST'], units='K')


def _find_stats(work_dir: str, checkpoint: str) -> str:
    for folder in (work_dir, osp.dirname(osp.abspath(checkpoint))):
        path = osp.join(folder, STATS_NAME)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'{STATS_NAME} not found in the work dir {work_dir} nor beside the checkpoint '
        f'{checkpoint}: the normalization statistics of the run that made the checkpoint are '
        f'needed (use that run\'s --work-dir)')


def fit_scenes(scenes: str, work_dir: str, out_dir: str, config: Optional[str] = None,
               scale: Optional[int] = None, iters: Optional[int] = None,
               checkpoint: Optional[str] = None, device: Optional[str] = None,
               tile: int = 256, overlap: int = 64, batch: int = 4, prepare_only: bool = False,
               cfg_options: Optional[dict] = None, progress: bool = True,
               log: Callable = print) -> dict:
    """Fit a downscaler self-supervised on coarse LST scenes and downscale them (module doc).

    Args:
        scenes: scenes CSV ``id,lr_lst,guidance`` (:mod:`groklst.datasets.coarse_scenes`).
        work_dir: training run folder (log, checkpoints, ``scene_stats.json``, the bound
            config ``fit_scenes_config.py``).
        out_dir: output folder; ``<id>.tif`` per scene.
        config: model config file (or an ``mmengine.Config``, used on a copy); default
            :func:`default_config` of ``scale``.
        scale: scale factor s (default 4 without ``config``; with it, must match).
        iters: training iterations (default: the config's).
        checkpoint: fitted weights: skip training and apply them (statistics from
            ``work_dir`` or beside the checkpoint).
        device: torch device for the downscaling (default CUDA when available); training
            uses MMEngine's choice.
        tile, overlap, batch: tiled inference (HR pixels), see
            :func:`groklst.apis.downscale_scene`. The default overlap (64, twice that of
            ``tools/downscale.py``) leaves a context margin of 16 HR pixels, the reach of the
            GDI footprint at x4 (⌈3σ + ½⌉ = 4 coarse pixels at σ ≈ 0.9).
        prepare_only: stop after writing the statistics and ``fit_scenes_config.py`` (train
            that config with ``tools/train.py`` or ``tools/dist_train.sh``, then call again
            with ``checkpoint``).
        cfg_options: more dotted-key overrides of the config.
        progress: progress bars.
        log: where messages go.

    Returns:
        dict with ``outputs`` ({id: path}), ``checkpoint`` (used, or None), ``stats_file``,
        ``config_file``, ``seconds`` ({stage: s}, with ``total``).

    Raises:
        SceneCheckError: a bad scenes CSV or scene (nothing trained or written).
        ValueError: bad arguments (scale mismatch, iters < 1, tile/overlap), a scene whose LST
            is not in K (nothing trained or written).
        FileNotFoundError: config, checkpoint or the statistics of a checkpoint missing.
    """
    from mmengine.config import Config

    from groklst.datasets.coarse_scenes import (check_scenes, fit_scene_stats, heldout_blocks,
                                                read_scenes_csv)
    from groklst.fileio.json_io import write_json

    from .geotiff import SceneCheckError, downscale_geotiff
    from .inference import init_downscaler
    from .runner import build_runner, train_config
    from .tiling import check_tiling

    t_start = time.perf_counter()
    stage = _timer(log)
    stage('check')
    # ---------------------------------------------------------------- arguments and config
    if config is None:
        config = default_config(4 if scale is None else scale)
        log(f'[fit_scenes] config: {osp.relpath(config, REPO_ROOT)} (the NDVI default for '
            f'x{4 if scale is None else scale})')
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
        config = cfg.filename or '<Config>'
    elif not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} not found')
    else:
        cfg = Config.fromfile(config)
    # MMEngine re-formats a config's text with yapf wherever a Runner logs, dumps or checkpoints
    # it (seconds of CPU each time); the fitted run's text only changes layout without it
    cfg = Config(cfg.to_dict(), cfg_text=cfg.text, filename=cfg.filename,
                 format_python_code=False)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    facts = _model_facts(cfg)
    s = facts['scale']
    if scale is not None and int(scale) != s:
        raise ValueError(f'--scale {scale} but the config {config} is for x{s}')
    if iters is not None and int(iters) < 1:
        raise ValueError(f'iters must be >= 1, got {iters}')
    check_tiling(tile, overlap, batch, s)  # before any training, not after it
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file {checkpoint} not found')
    if osp.isfile(out_dir):
        raise SceneCheckError(f'--out-dir {out_dir}: expected a folder, found a file')
    train_ds = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    val_ds = (cfg.get('val_dataloader') or {}).get('dataset') or {}
    bands = train_ds.get('guidance_bands') or cfg.get('guidance_bands')
    use_guidance = bool(train_ds.get('use_guidance', True)) and facts['uses_guidance']
    # ---------------------------------------------------------------- every scene, metadata
    rows = read_scenes_csv(scenes)
    metas = check_scenes(rows, s, bands if facts['uses_guidance'] else None,
                         facts['uses_guidance'])
    if facts['needs_pixel_size']:  # e.g. GDI's band limit in metres: projected CRS needed
        from .geotiff import _meta, guidance_pixel_metres
        for m in metas:
            try:
                guidance_pixel_metres(_meta(m['guidance_paths'][0]), facts['model'])
            except SceneCheckError as exc:
                raise SceneCheckError(f"scene {m['id']}: {exc}") from exc
    log(f"[fit_scenes] {len(metas)} scene(s) checked: {facts['name']} x{s}, guidance "
        f"{list(bands) if facts['uses_guidance'] and bands else 'only defines the grid'}")
    train = facts['trainable'] and checkpoint is None
    # ---------------------------------------------------------------- values and statistics
    stage('stats')
    valid_range = tuple(train_ds.get('valid_range', (200.0, 360.0)))
    need_guidance_stats = use_guidance and bool(bands)
    stats = fit_scene_stats(metas, bands if need_guidance_stats else None, valid_range,
                            need_guidance_stats, scale=s, log=log if len(metas) <= 20 else None)
    empty = set(stats['empty'])
    if empty:
        log(f'[fit_scenes] {len(empty)} scene(s) without a valid coarse pixel over the guidance '
            f'(not trained on; outputs all no data): {sorted(empty)}')
    if checkpoint is not None and facts['trainable']:
        stats_file = _find_stats(work_dir, checkpoint)
        log(f'[fit_scenes] normalization statistics of the checkpoint\'s run: {stats_file}')
    else:
        stats_file = osp.join(work_dir, STATS_NAME)
        os.makedirs(work_dir, exist_ok=True)
        write_json(stats_file, stats, indent=2)
        log(f"[fit_scenes] statistics -> {stats_file}: coarse LST mean "
            f"{stats['lst']['mean']:.2f} K, std {stats['lst']['std']:.2f} K")
    validate = False
    if train:
        block = int(val_ds.get('val_block_size') or val_ds.get('crop_size') or 0)
        if block:
            n_val = sum(len(heldout_blocks(m, block, float(val_ds.get('val_fraction', 0.1)),
                                           int(val_ds.get('seed', 0)),
                                           val_ds.get('val_max_blocks')))
                        for m in metas if m['id'] not in empty)
            validate = n_val > 0
            log(f'[fit_scenes] {n_val} held-out block(s) of {block} x {block} coarse px for '
                'checkpoint selection' if validate else
                '[fit_scenes] the scenes are too small for held-out blocks: no validation, '
                'the last checkpoint is used')
    bind_scenes(cfg, scenes, stats_file, exclude_ids=sorted(empty))
    if iters is not None and cfg.get('train_cfg'):
        set_iters(cfg, iters)
    config_file = osp.join(work_dir, CONFIG_NAME)
    # ---------------------------------------------------------------- training
    stage('train')
    used = checkpoint
    if train:
        run_cfg = copy.deepcopy(cfg)
        if not validate:
            for key in ('val_dataloader', 'val_cfg', 'val_evaluator'):
                run_cfg[key] = None
            run_cfg.train_cfg.pop('val_interval', None)
            run_cfg.default_hooks.checkpoint.save_best = None
        if progress:
            run_cfg.custom_hooks = list(run_cfg.get('custom_hooks') or []) + [
                dict(type='TrainProgressBarHook', desc='fitting')]
        run_cfg.work_dir = work_dir
        run_cfg.dump(config_file)
        if prepare_only:
            log(f'[fit_scenes] prepared {config_file}: train it with tools/train.py or '
                f'tools/dist_train.sh, then rerun with --checkpoint')
            return dict(outputs={}, checkpoint=None, stats_file=stats_file,
                        config_file=config_file, seconds=dict(stage(None)))
        runner = build_runner(train_config(run_cfg, work_dir))
        runner.train()
        used = _best_checkpoint(runner)
        if used is None:
            raise RuntimeError(f'training in {work_dir} produced no checkpoint')
        log(f'[fit_scenes] selected checkpoint: {used}')
    elif not facts['trainable']:
        log(f"[fit_scenes] {facts['name']} has nothing to train")
    if prepare_only and not train:
        log('[fit_scenes] --prepare-only: nothing to train, nothing written but the statistics')
        return dict(outputs={}, checkpoint=used, stats_file=stats_file, config_file=None,
                    seconds=dict(stage(None)))
    # ---------------------------------------------------------------- downscaling
    stage('downscale')
    if device is None:
        import torch
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    model = init_downscaler(cfg, used if facts['trainable'] else None, device=device)
    os.makedirs(out_dir, exist_ok=True)
    staging = osp.join(out_dir, f'.fit_scenes.{uuid.uuid4().hex}.tmp')
    os.makedirs(staging)
    outputs = {}
    try:
        for k, m in enumerate(metas, start=1):
            log(f"[fit_scenes] scene {k}/{len(metas)}: {m['id']}")
            dst = osp.join(staging, f"{m['id']}.tif")
            if m['id'] in empty:
                _write_no_data(dst, m)
                continue
            downscale_geotiff(model, m['lr_path'], m['guidance_paths'], dst, tile=tile,
                              overlap=overlap, batch=batch, progress=progress, log=log)
        for m in metas:
            dst = osp.join(out_dir, f"{m['id']}.tif")
            os.replace(osp.join(staging, f"{m['id']}.tif"), dst)
            outputs[m['id']] = dst
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    seconds = dict(stage(None))
    seconds['total'] = time.perf_counter() - t_start
    log(f"[fit_scenes] {len(outputs)} scene(s) -> {out_dir}; total {seconds['total']:.1f} s ("
        + ', '.join(f'{k} {v:.1f} s' for k, v in seconds.items() if k != 'total') + ')')
    return dict(outputs=outputs, checkpoint=used, stats_file=stats_file,
                config_file=config_file if train else None, seconds=seconds)
