"""MMEngine 0.10.7 compatibility, in one place.

1. Checkpoints load safely and strictly (:mod:`groklst.utils.checkpoint`): every MMEngine
   checkpoint scheme is replaced. Local files and ``http(s)://`` URLs are read with
   ``torch.load(weights_only=True)`` and the allow-list of
   :func:`~groklst.utils.checkpoint.checkpoint_safe_globals`; the other schemes (``pavi://``,
   ``s3://``, ``open-mmlab://``, ...), whose MMEngine loaders unpickle without that restriction,
   are refused. ``Runner.load_checkpoint`` (``load_from``, ``tools/test.py``, ``--resume``) is
   strict by default, and ``Runner.resume`` first checks that the file is a training checkpoint.
2. CPU distributed training (gloo): MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` and its
   DDP wrapper passes ``device_ids=[LOCAL_RANK]``; both fail without CUDA. ``init_cpu_distributed``
   initializes the gloo process group before the Runner (so the Runner skips its own init) and
   ``prepare_cfg_for_device`` sets ``device_ids=None`` in the model wrapper.
3. Checkpoint key layouts: a checkpoint saved under DDP, under MMagic's
   ``MMSeparateDistributedDataParallel`` (each child wrapped: ``generator.module.*``, the layout of
   the GrokLST toolkit, Dai et al., IEEE TGRS 2025) or by a single process loads into a model of
   either kind. :func:`adapt_state_dict_keys` matches checkpoint keys to the model's keys with the
   wrapper segments (``module``) removed; it is installed in front of every MMEngine load
   (``load_from``, ``--resume``, ``mmengine.runner.load_checkpoint``) by :func:`patch_mmengine`.
"""
import logging
import os
import re
from collections import OrderedDict
from typing import Dict, Iterable, List, Optional, Tuple

import torch

from .checkpoint import (CheckpointError, CheckpointMismatchError, check_training_checkpoint,
                         load_state_dict_checked, safe_torch_load, safe_unpickling)

_PATCHED = False
#: MMEngine's own ``Runner.resume``, wrapped by :func:`_runner_resume`.
_MMENGINE_RESUME = None

#: Name under which DDP wrappers (torch DDP, MMDistributedDataParallel and MMagic's per-child
#: MMSeparateDistributedDataParallel) hold the wrapped module: a ``module.`` key segment.
_WRAPPER_SEGMENT = 'module'


# MMEngine logs a scheme loader's name from its 11th character ('load_from_...').
def load_from_local_safely(filename: str, map_location=None):
    """Load a local checkpoint file safely (:func:`~groklst.utils.checkpoint.safe_torch_load`).

    Raises:
        FileNotFoundError: the file does not exist.
        UnsafeCheckpointError: the file needs a Python global outside the allow-list.
        CheckpointError: the file is not a readable torch checkpoint (e.g. truncated by a run
            killed while saving); the message names it.
    """
    return safe_torch_load(filename, map_location=map_location)


def load_from_url_safely(filename: str, map_location=None, model_dir: Optional[str] = None):
    """Download an ``http(s)://`` checkpoint into torch's hub cache (once) and load it safely."""
    with safe_unpickling(filename):
        return torch.hub.load_state_dict_from_url(filename, model_dir=model_dir,
                                                  map_location=map_location, weights_only=True)


def load_from_refused_scheme(filename: str, map_location=None):
    """Loader of the MMEngine schemes groklst does not read (they unpickle unrestricted)."""
    raise CheckpointError(
        f'Checkpoint {filename}: groklst reads local files and http(s) URLs only (loaded with '
        f"torch.load(weights_only=True)); this scheme's MMEngine loader is not safe. Download "
        f'the file and pass its local path.')


def _unwrapped_key(key: str) -> str:
    """``key`` without its DDP wrapper segments (``module.generator.module.w`` -> ``generator.w``)."""
    return '.'.join(part for part in key.split('.') if part != _WRAPPER_SEGMENT)


def adapt_state_dict_keys(state_dict: Dict[str, torch.Tensor], model_keys: Iterable[str]
                          ) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """Rename checkpoint keys to the key layout of the model that will load them.

    Keys are compared with their ``module.`` segments (added by DDP wrappers) removed, so that

    - a checkpoint of a DDP-wrapped model (``module.generator.conv.weight``) loads into a plain
      model (``generator.conv.weight``), and a plain checkpoint into a wrapped model;
    - a checkpoint of the GrokLST toolkit (MMagic, every child wrapped on its own:
      ``generator.module.conv.weight``) loads into a groklst model (``generator.conv.weight``).

    A key already present in the model is kept as is (so a real submodule called ``module`` is
    never renamed); a key whose unwrapped form matches no model key, or matches several, is
    kept unchanged (``load_state_dict`` then reports it as unexpected). Values are not copied.

    Args:
        state_dict: checkpoint ``state_dict`` (name -> tensor).
        model_keys: keys of ``model.state_dict()``.

    Returns:
        ``(adapted, renamed)``: the re-keyed ``OrderedDict`` (the input's ``_metadata`` kept) and
        the list of ``'old -> new'`` renames made.
    """
    model_keys = list(model_keys)
    present = set(model_keys)
    by_unwrapped: Dict[str, Optional[str]] = {}
    for key in model_keys:
        bare = _unwrapped_key(key)
        by_unwrapped[bare] = None if bare in by_unwrapped else key  # None: ambiguous
    adapted: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    renamed = []
    for key, value in state_dict.items():
        new = key
        if key not in present:
            new = by_unwrapped.get(_unwrapped_key(key)) or key
            if new in adapted:  # two checkpoint keys for one model key: keep both unchanged
                new = key
        if new != key:
            renamed.append(f'{key} -> {new}')
        adapted[new] = value
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is not None:
        adapted._metadata = metadata
    return adapted, renamed


def state_dict_from_checkpoint(checkpoint) -> Dict[str, torch.Tensor]:
    """The weights of a loaded checkpoint: its ``state_dict`` entry, or the dict itself.

    Raises:
        TypeError: ``checkpoint`` is not a dict.
    """
    if not isinstance(checkpoint, dict):
        raise TypeError(f'a checkpoint must be a dict (MMEngine checkpoint or state dict), got '
                        f'{type(checkpoint).__name__}')
    return checkpoint['state_dict'] if 'state_dict' in checkpoint else checkpoint


def _load_checkpoint_to_model_any_layout(model, checkpoint, strict=False, logger=None,
                                         revise_keys=[(r'^module\.', '')],
                                         source: str = 'the checkpoint'):
    """Drop-in for ``mmengine.runner.checkpoint._load_checkpoint_to_model``: applies the
    caller's ``revise_keys`` first, then :func:`adapt_state_dict_keys` against ``model``
    (unwrapped from DDP), and loads through
    :func:`~groklst.utils.checkpoint.load_state_dict_checked` (``config_buffers`` may be absent;
    with ``strict`` a mismatch is one
    :class:`~groklst.utils.checkpoint.CheckpointMismatchError` naming ``source``, without it a
    warning).
    """
    from mmengine.logging import print_log
    from mmengine.model import is_model_wrapper
    if is_model_wrapper(model):
        model = model.module
    state_dict = state_dict_from_checkpoint(checkpoint)
    metadata = getattr(state_dict, '_metadata', OrderedDict())
    for pattern, replacement in revise_keys:
        state_dict = OrderedDict((re.sub(pattern, replacement, k), v)
                                 for k, v in state_dict.items())
    state_dict._metadata = metadata
    state_dict, renamed = adapt_state_dict_keys(state_dict, model.state_dict().keys())
    if renamed:
        print_log(f'checkpoint keys adapted to the model layout ({len(renamed)} renamed, e.g. '
                  f'{renamed[0]})', logger='current')
    load_state_dict_checked(model, state_dict, source, strict=strict,
                            log=lambda msg: print_log(msg, logger='current',
                                                      level=logging.WARNING))
    return checkpoint


def _load_checkpoint_file_to_model(model, filename, map_location=None, strict=True,
                                   logger=None, revise_keys=[(r'^module\.', '')]):
    """Drop-in for ``mmengine.runner.load_checkpoint``, strict unless told otherwise (MMEngine's
    own default is lenient), whose errors name ``filename``."""
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location, logger)
    return _load_checkpoint_to_model_any_layout(model, checkpoint, strict, logger, revise_keys,
                                                source=str(filename))


def _runner_load_checkpoint(self, filename: str, map_location='cpu', strict: bool = True,
                            revise_keys=[(r'^module\.', '')]):
    """``Runner.load_checkpoint`` (``load_from``, ``tools/test.py``, ``--resume``), strict by
    default; during :func:`_runner_resume` the file must be a training checkpoint and a
    weight mismatch says so."""
    from mmengine.model import is_model_wrapper
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    resuming = getattr(self, '_groklst_resuming', None) == filename
    if resuming:
        check_training_checkpoint(checkpoint, str(filename))
    self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
    model = self.model.module if is_model_wrapper(self.model) else self.model
    try:
        checkpoint = _load_checkpoint_to_model_any_layout(
            model, checkpoint, strict, revise_keys=revise_keys, source=str(filename))
    except CheckpointMismatchError as err:
        if not resuming:
            raise
        raise CheckpointMismatchError(f'Cannot resume from {filename}: it is not a training '
                                      f'checkpoint of this config. {err}') from None
    self._has_loaded = True
    self.logger.info(f'Load checkpoint from {filename}')
    return checkpoint


def _runner_resume(self, filename: str, *args, **kwargs):
    """``Runner.resume`` that marks ``filename`` for :func:`_runner_load_checkpoint`."""
    self._groklst_resuming = filename
    try:
        return _MMENGINE_RESUME(self, filename, *args, **kwargs)
    finally:
        self._groklst_resuming = None


def patch_mmengine() -> None:
    """Install the safe checkpoint schemes, the key-layout adapter, strict Runner loading and
    the resume check (idempotent)."""
    global _PATCHED, _MMENGINE_RESUME
    if _PATCHED:
        return
    import mmengine.runner as mm_runner_pkg
    import mmengine.runner.checkpoint as mm_checkpoint
    import mmengine.runner.runner as mm_runner
    loader = mm_checkpoint.CheckpointLoader
    for prefix in list(loader._schemes):
        if prefix not in ('', 'http://', 'https://'):
            loader.register_scheme(prefixes=prefix, loader=load_from_refused_scheme, force=True)
    loader.register_scheme(prefixes='', loader=load_from_local_safely, force=True)
    loader.register_scheme(prefixes=('http://', 'https://'), loader=load_from_url_safely,
                           force=True)
    # Runner and the package imported the functions by name: replace them in every module.
    mm_checkpoint._load_checkpoint_to_model = _load_checkpoint_to_model_any_layout
    mm_runner._load_checkpoint_to_model = _load_checkpoint_to_model_any_layout
    mm_checkpoint.load_checkpoint = _load_checkpoint_file_to_model
    mm_runner_pkg.load_checkpoint = _load_checkpoint_file_to_model
    _MMENGINE_RESUME = mm_runner.Runner.resume
    mm_runner.Runner.load_checkpoint = _runner_load_checkpoint
    mm_runner.Runner.resume = _runner_resume
    _PATCHED = True


def init_cpu_distributed(launcher: str) -> None:
    """Initialize a gloo process group for ``launcher='pytorch'`` when CUDA is unavailable.

    Reads RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set by torchrun. With CUDA available nothing is
    done and MMEngine initializes NCCL as usual.
    """
    import torch.distributed as dist
    if launcher == 'none' or torch.cuda.is_available() or dist.is_initialized():
        return
    if launcher != 'pytorch':
        raise ValueError(f"CPU distributed runs support launcher 'pytorch' (torchrun), "
                         f'got {launcher!r}')
    dist.init_process_group(backend='gloo', rank=int(os.environ['RANK']),
                            world_size=int(os.environ['WORLD_SIZE']))


def shutdown_distributed() -> None:
    """Wait for every rank, then destroy the default process group (no-op when not distributed).

    Without it a gloo rank that finishes first can exit while its peer's communication threads are
    still alive, and the C++ runtime aborts the process (``terminate called without an active
    exception``, SIGABRT) after a successful run.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def prepare_cfg_for_device(cfg) -> None:
    """Adapt a config in place for a CPU-only machine: DDP without device ids, gloo backend."""
    if torch.cuda.is_available():
        return
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    env = cfg.get('env_cfg') or {}
    env.setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.env_cfg = env
