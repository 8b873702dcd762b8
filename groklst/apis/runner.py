"""Train and test a model from its config: the work behind ``tools/train.py`` and ``tools/test.py``.

A run config is the model config plus the run's choices: ``cfg_options`` overrides (dotted keys,
as ``--cfg-options``), the work dir (default ``work_dirs/<config name>``), mixed precision, the
launcher, and the checkpoint to start from. Checkpoints are selected on the val split during
training (best RMSE); :func:`test` reads the test split only.

Every checkpoint a run starts from enters the config through :func:`use_checkpoint`; MMEngine's
Runner loads it (``load_or_resume``) with the loaders installed by
:func:`groklst.utils.patch_mmengine`.

Mistakes are caught before anything is built or written: a missing config file, an override or
config key nothing would use (:mod:`groklst.utils.config_check`), a dataset whose files are
unusable (checked when the datasets are built, before iteration 1), a checkpoint that is unsafe
or does not fit, an evaluation without any valid pixel. Each is one of :data:`USER_ERRORS`,
whose message is one line naming the problem; the tools print it and exit with status 2
(:func:`format_user_error`).
"""
import copy
import difflib
import glob
import json
import os.path as osp
import re
from typing import Dict, Optional, Union

from mmengine.config import Config
from mmengine.runner import Runner

from groklst.datasets.validation import DatasetValidationError
from groklst.evaluation.metrics.lst_metric import NoValidPixelsError
from groklst.fileio.mat_io import MatVariableError
from groklst.fileio.text import write_text
from groklst.utils import (init_cpu_distributed, prepare_cfg_for_device, register_all_modules,
                           shutdown_distributed)
from groklst.utils.checkpoint import CheckpointError
from groklst.utils.config_check import ConfigKeyError, check_cfg_options, check_config

ConfigLike = Union[str, Config]

#: Entries a test run drops: it needs no training state, schedule or validation.
TRAIN_ONLY_KEYS = ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                   'val_dataloader', 'val_cfg', 'val_evaluator')

#: Launchers accepted by MMEngine (``--launcher``).
LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


class MissingCheckpointError(ValueError):
    """A model with trainable parameters was to be tested without a checkpoint."""


class ConfigFileNotFoundError(FileNotFoundError):
    """The config file of a run does not exist (the message names the closest existing one)."""


#: Errors that are the user's to fix (config, overrides, data, checkpoint), each with a message
#: naming the problem: tools print :func:`format_user_error` and exit with status 2 (with
#: ``--debug`` they show the traceback instead).
USER_ERRORS = (ConfigKeyError, ConfigFileNotFoundError, DatasetValidationError,
               MatVariableError, CheckpointError, MissingCheckpointError, NoValidPixelsError,
               FileNotFoundError)


def format_user_error(err: BaseException) -> str:
    """The one line a tool prints for a :data:`USER_ERRORS` error (whitespace runs, newlines
    included, collapsed)."""
    msg = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return re.sub(r'\s+', ' ', msg).strip() or type(err).__name__


def _missing_config(path: str) -> ConfigFileNotFoundError:
    """The error for a config path that does not exist, naming the closest config file (same
    folder, else anywhere under ``configs/``)."""
    folder = osp.dirname(path)
    pool = glob.glob(osp.join(folder, '*.py')) if folder and osp.isdir(folder) else []
    pool = pool or glob.glob(osp.join('configs', '**', '*.py'), recursive=True)
    names = {osp.basename(p): p for p in pool if '_base_' not in p.split(osp.sep)}
    match = difflib.get_close_matches(osp.basename(path), list(names), n=1, cutoff=0.6)
    hint = f'; did you mean {names[match[0]]}?' if match else ''
    return ConfigFileNotFoundError(f'config file {path} not found{hint}')


def load_config(config: ConfigLike, cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None, launcher: str = 'none') -> Config:
    """The config of a run: ``config`` (a path, or a Config that is copied, never modified) with
    ``cfg_options`` merged, ``launcher`` set and ``work_dir`` resolved (argument, else the
    config's own, else ``work_dirs/<config file name>``).

    Raises:
        ConfigFileNotFoundError: (a ``FileNotFoundError``) ``config`` is a path that does not
            exist; the closest config file is named.
        ConfigKeyError: (a ``KeyError`` and ``ValueError``) a ``cfg_options`` key that would
            change nothing (:func:`~groklst.utils.config_check.check_cfg_options`).
        ValueError: unknown launcher; a Config without file name and no work dir anywhere.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        if not osp.isfile(config):
            raise _missing_config(config)
        cfg = Config.fromfile(config)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
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
        ConfigKeyError: an unknown key, type or constructor argument in the config
            (:func:`~groklst.utils.config_check.check_config`).
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
    check_config(cfg)
    prepare_cfg_for_device(cfg)
    return cfg


def test_config(config: ConfigLike, checkpoint: Optional[str] = None,
                work_dir: Optional[str] = None, cfg_options: Optional[dict] = None,
                show_dir: Optional[str] = None, max_show: Optional[int] = None,
                launcher: str = 'none') -> Config:
    """The config of a test run: the training entries (:data:`TRAIN_ONLY_KEYS`) dropped, the
    weights of ``checkpoint`` (None: none, for models without trainable parameters) and, with
    ``show_dir``, an ``LSTVisualizationHook`` writing up to ``max_show`` LR | prediction |
    reference | error panels there.

    Raises:
        as :func:`load_config` and :func:`~groklst.utils.config_check.check_config`.
    """
    cfg = load_config(config, cfg_options, work_dir, launcher)
    use_checkpoint(cfg, checkpoint)
    for key in TRAIN_ONLY_KEYS:
        cfg.pop(key, None)
    if show_dir:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='LSTVisualizationHook', out_dir=show_dir, max_samples=max_show)]
    check_config(cfg)
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

    Raises:
        :data:`USER_ERRORS`: e.g. :class:`~groklst.utils.config_check.ConfigKeyError` before
        anything is built, :class:`~groklst.datasets.validation.DatasetValidationError` when a
        dataset is built (before iteration 1), :class:`NoValidPixelsError` at a validation
        without valid pixels.
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
        NoValidPixelsError: the test split holds no valid pixel (no metric, nothing written).
        DatasetValidationError: an unusable test file (found when the dataset is built).
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
