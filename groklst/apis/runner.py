"""Train and test a model from its config: the work behind ``tools/train.py`` and ``tools/test.py``.

A run config is the model config plus the run's choices: ``cfg_options`` overrides (dotted keys,
as ``--cfg-options``), the work dir (default ``work_dirs/<config name>``), mixed precision, the
launcher, and the checkpoint to start from. Checkpoints are selected on the val split during
training (best RMSE); :func:`test` reads the test split only.

Every checkpoint a run starts from enters the config through :func:`use_checkpoint`; MMEngine's
Runner loads it (``load_or_resume``) with the loaders installed by
:func:`groklst.utils.patch_mmengine`.
"""
import copy
import json
import os.path as osp
from typing import Dict, Optional, Union

from mmengine.config import Config
from mmengine.runner import Runner

from groklst.fileio.text import write_text
from groklst.utils import (init_cpu_distributed, prepare_cfg_for_device, register_all_modules,
                           shutdown_distributed)

ConfigLike = Union[str, Config]

#: Entries a test run drops: it needs no training state, schedule or validation.
TRAIN_ONLY_KEYS = ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                   'val_dataloader', 'val_cfg', 'val_evaluator')

#: Launchers accepted by MMEngine (``--launcher``).
LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


class MissingCheckpointError(ValueError):
    """A model with trainable parameters was to be tested without a checkpoint."""


def load_config(config: ConfigLike, cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None, launcher: str = 'none') -> Config:
    """The config of a run: ``config`` (a path, or a Config that is copied, never modified) with
    ``cfg_options`` merged, ``launcher`` set and ``work_dir`` resolved (argument, else the
    config's own, else ``work_dirs/<config file name>``).

    Raises:
        FileNotFoundError: ``config`` is a path that does not exist.
        ValueError: unknown launcher; a Config without file name and no work dir anywhere.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        if not osp.isfile(config):
            raise FileNotFoundError(f'config file {config} not found')
        cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    work_dir = work_dir or cfg.get('work_dir')
    if not work_dir:
        if not cfg.filename:
            raise ValueError('give a work_dir: the config has no file name to name one after')
        work_dir = osp.join('work_dirs', osp.splitext(osp.basename(cfg.filename))[0])
    cfg.work_dir = work_dir
    return cfg


def use_checkpoint(cfg: Config, load_from: Optional[str], resume: bool = False) -> Config:
    """Make the run start from checkpoint ``load_from`` (weights only), or continue it with
    ``resume`` (weights, optimizer, schedulers, iteration; ``load_from=None`` resumes from the
    work dir's ``last_checkpoint``). The one place where a checkpoint enters a run config.

    Returns:
        ``cfg``, modified in place.
    """
    cfg.load_from = load_from
    cfg.resume = bool(resume)
    return cfg


def use_amp(cfg: Config) -> Config:
    """Mixed precision: fp16 ``AmpOptimWrapper`` (dynamic loss scale) on CUDA, bf16 autocast
    (``CPUBF16OptimWrapper``) on the CPU. Returns ``cfg``, modified in place."""
    import torch
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    else:
        cfg.optim_wrapper.type = 'CPUBF16OptimWrapper'
    return cfg


def train_config(config: ConfigLike, work_dir: Optional[str] = None,
                 cfg_options: Optional[dict] = None, resume: Union[bool, str, None] = None,
                 load_from: Optional[str] = None, amp: bool = False,
                 launcher: str = 'none') -> Config:
    """The config of a training run (see :func:`load_config`).

    Args:
        resume: ``True`` (or ``'auto'``) continues from the work dir's ``last_checkpoint``; a
            path continues from that checkpoint; ``None``/``False`` keeps the config's choice.
        load_from: initialise the weights from this checkpoint (a fresh schedule).
        amp: mixed precision (:func:`use_amp`).

    Raises:
        ValueError: both ``resume`` and ``load_from`` given; see :func:`load_config`.
    """
    if resume and load_from:
        raise ValueError('give either resume or load_from, not both: resume continues a run '
                         '(from its checkpoint), load_from starts a new one from weights')
    cfg = load_config(config, cfg_options, work_dir, launcher)
    if amp:
        use_amp(cfg)
    if resume is True or resume == 'auto':
        use_checkpoint(cfg, None, resume=True)
    elif resume:
        use_checkpoint(cfg, resume, resume=True)
    elif load_from:
        use_checkpoint(cfg, load_from)
    prepare_cfg_for_device(cfg)
    return cfg


def test_config(config: ConfigLike, checkpoint: Optional[str] = None,
                work_dir: Optional[str] = None, cfg_options: Optional[dict] = None,
                show_dir: Optional[str] = None, max_show: Optional[int] = None,
                launcher: str = 'none') -> Config:
    """The config of a test run: the training entries (:data:`TRAIN_ONLY_KEYS`) dropped, the
    weights of ``checkpoint`` (None: none, for models without trainable parameters) and, with
    ``show_dir``, an ``LSTVisualizationHook`` writing up to ``max_show`` LR | prediction |
    reference | error panels there."""
    cfg = load_config(config, cfg_options, work_dir, launcher)
    use_checkpoint(cfg, checkpoint)
    for key in TRAIN_ONLY_KEYS:
        cfg.pop(key, None)
    if show_dir:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='LSTVisualizationHook', out_dir=show_dir, max_samples=max_show)]
    prepare_cfg_for_device(cfg)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """An MMEngine Runner of a run config (groklst modules registered, CPU process group
    initialised for ``launcher='pytorch'`` without CUDA)."""
    register_all_modules()
    init_cpu_distributed(cfg.launcher)
    return Runner.from_cfg(cfg)


def train(config: ConfigLike, work_dir: Optional[str] = None,
          cfg_options: Optional[dict] = None, resume: Union[bool, str, None] = None,
          load_from: Optional[str] = None, amp: bool = False, launcher: str = 'none') -> Runner:
    """Train the model of ``config`` (arguments of :func:`train_config`); logs and checkpoints
    go to the work dir. Returns the Runner after training.

    Example::

        train('configs/retrieval/mlp_l8-b10-singlechannel_sim.py', 'work_dirs/mlp',
              cfg_options={'train_cfg.max_iters': 40})
    """
    runner = build_runner(train_config(config, work_dir, cfg_options, resume, load_from, amp,
                                       launcher))
    runner.train()
    shutdown_distributed()
    return runner


def test(config: ConfigLike, checkpoint: Optional[str] = None, work_dir: Optional[str] = None,
         cfg_options: Optional[dict] = None, out: Optional[str] = None,
         show_dir: Optional[str] = None, max_show: Optional[int] = None,
         launcher: str = 'none') -> Dict[str, float]:
    """Test the model of ``config`` with the weights of ``checkpoint`` on its test split.

    Metrics of downscaling configs (K, valid pixels only): RMSE, MAE, BIAS, CC, RSD per image
    then averaged, and pooled over all pixels; retrieval configs report theirs (LST in K). With
    ``out``, rank 0 also writes them to that JSON file.

    Returns:
        the metrics dict of ``Runner.test``.

    Raises:
        MissingCheckpointError: the model has trainable parameters and no checkpoint is given
            (only interpolation and per-scene models need none).
    """
    runner = build_runner(test_config(config, checkpoint, work_dir, cfg_options, show_dir,
                                      max_show, launcher))
    n_params = sum(p.numel() for p in runner.model.parameters() if p.requires_grad)
    if n_params and not checkpoint:
        name = config if isinstance(config, str) else (config.filename or 'the config')
        raise MissingCheckpointError(f'{name} has {n_params} trainable parameters: give a '
                                     'CHECKPOINT')
    metrics = runner.test()
    if out and runner.rank == 0:
        write_text(out, json.dumps({k: float(v) for k, v in metrics.items()}, indent=2))
    shutdown_distributed()
    return metrics


# ``test`` and ``test_config`` are API functions, not tests: keep pytest from collecting them
# where a test module imports them by name.
test.__test__ = False
test_config.__test__ = False
