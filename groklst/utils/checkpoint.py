"""Safe and strict checkpoint loading.

Safe: every checkpoint is read with ``torch.load(weights_only=True)``, whose unpickler builds
tensors, numbers, strings and plain containers only, plus :func:`checkpoint_safe_globals`: the
few other objects that MMEngine and groklst training checkpoints carry, found by saving and
resuming real runs (downscaling and retrieval configs, with param schedulers, EMA, AMP and the
RNG-state hook). A pickle that needs any other Python global (e.g. an object whose
``__reduce__`` calls ``os.system``) is refused before anything in it runs, with
:class:`UnsafeCheckpointError` naming the file and the global. There is no switch back to
unsafe loading.

Strict: with :func:`load_state_dict_checked` every key of the model comes from the checkpoint
and every key of the checkpoint has its place in the model, with its shape. Two documented
cases keep their values from the config: the model's ``config_buffers`` (GrokLST checkpoints
hold no LST statistics) and the parameters a fine-tuning strategy inserted (adapters, LoRA
factors) when the checkpoint is the plain pre-trained model. Anything else missing, unexpected
or reshaped is one :class:`CheckpointMismatchError`. :func:`check_training_checkpoint` tells a
training checkpoint (what ``--resume`` needs) from a weights-only file.
"""
import contextlib
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Set

import torch
import torch.nn as nn

__all__ = ['CheckpointError', 'UnsafeCheckpointError', 'CheckpointMismatchError',
           'checkpoint_safe_globals', 'safe_unpickling', 'safe_torch_load',
           'config_buffer_keys', 'load_state_dict_checked', 'check_training_checkpoint']

#: At most this many keys of each kind are named in a mismatch error (the counts are total).
_SHOWN_KEYS = 5


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used; the message names the file."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint whose pickle needs a Python global outside the allow-list (loading it with
    plain ``pickle`` could run arbitrary code)."""


class CheckpointMismatchError(CheckpointError, RuntimeError):
    """Checkpoint weights that do not match the model (missing, unexpected or reshaped keys), or
    a file that is not the training checkpoint a resume needs. Also a ``RuntimeError``, what
    torch and MMEngine raise for a strict mismatch."""


def _history_buffer_attribute(owner, name: str):
    """Stand-in for ``getattr`` while unpickling: only HistoryBuffer's statistics methods.

    MMEngine's ``HistoryBuffer`` pickles its ``{'min': HistoryBuffer.min, ...}`` table, and
    pickle writes a method as ``getattr(HistoryBuffer, 'min')``. Allowing ``getattr`` itself
    would hand any attribute of any allowed object to the pickle; this allows public functions
    defined on ``HistoryBuffer`` and nothing else.

    Raises:
        pickle.UnpicklingError: any other lookup.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if owner is HistoryBuffer and isinstance(name, str) and not name.startswith('_') \
            and callable(vars(HistoryBuffer).get(name)):
        return getattr(HistoryBuffer, name)
    qualified = f'{getattr(owner, "__module__", "?")}.{getattr(owner, "__qualname__", owner)}'
    raise pickle.UnpicklingError(f'attribute lookup GLOBAL {qualified}.{name} is not allowed')


def checkpoint_safe_globals() -> List:
    """Python globals, beyond those ``torch.load(weights_only=True)`` always allows (tensors,
    ``OrderedDict``, ``Counter``), that MMEngine / groklst checkpoints need.

    - ``mmengine.logging.HistoryBuffer`` (the message hub's logged scalars) and its statistics
      methods, through :func:`_history_buffer_attribute` in place of ``getattr``;
    - numpy arrays, scalars and numeric dtypes (inside ``HistoryBuffer``, numpy scalars in
      ``meta`` / runtime info), under the module names of numpy 2 (``numpy._core``) and numpy 1
      (``numpy.core``; GrokLST checkpoints were saved with numpy 1);
    - ``mmengine.config.ConfigDict``, a dict subclass: groklst's runs store the config as text,
      but checkpoints of other MMEngine-based toolkits may keep config sections in ``meta``.

    Returns:
        entries for :func:`torch.serialization.safe_globals` (objects, or ``(object, name)``
        pairs binding the name a pickle uses to the object it gets).
    """
    import numpy as np
    from mmengine.config import ConfigDict
    from mmengine.logging.history_buffer import HistoryBuffer
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1
        from numpy.core import multiarray
    entries: List = [HistoryBuffer, ConfigDict, np.ndarray, np.dtype,
                     (_history_buffer_attribute, 'builtins.getattr')]
    for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        entries += [(multiarray._reconstruct, f'{module}._reconstruct'),
                    (multiarray.scalar, f'{module}.scalar')]
    numeric = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
               np.uint64, np.float16, np.float32, np.float64)
    entries += [type(np.dtype(t)) for t in numeric]  # numpy 2 dtype instances are of these types
    return entries


#: torch's weights-only unpickler messages, with the global they name.
_REFUSAL_PATTERNS = (
    r'GLOBAL (\S+) was not an allowed global',
    r'unsupported GLOBAL (\S+) whose module',
    r'attribute lookup GLOBAL (\S+) is not allowed',
    r'reduce for unrecognized function (.+?)(?: which belongs|\n|$)',
    r'Can only build .* but got (.+?)\s*$',
    r'Can only create new object .* but got (.+?)\s*$',
)


def _refused_global(message: str) -> Optional[str]:
    """The global a weights-only refusal names, or None when ``message`` is no refusal."""
    for pattern in _REFUSAL_PATTERNS:
        found = re.search(pattern, message, flags=re.MULTILINE)
        if found:
            return found.group(1).strip()
    return None


@contextlib.contextmanager
def safe_unpickling(source: str):
    """Context in which ``torch.load(..., weights_only=True)`` accepts
    :func:`checkpoint_safe_globals`, and its errors become ours, naming ``source``.

    Raises:
        UnsafeCheckpointError: the pickle needs a global outside the allow-list; the message
            names ``source`` and the global.
        CheckpointError: not a readable torch checkpoint (corrupt or truncated).
    """
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            yield
    except pickle.UnpicklingError as err:
        offending = _refused_global(str(err))
        if offending is not None:
            raise UnsafeCheckpointError(
                f'Checkpoint {source} refused: it needs the Python object {offending}, which '
                f'is not part of a groklst/MMEngine checkpoint (tensors, numbers, containers, '
                f'MMEngine log buffers, numpy arrays); unpickling it could run arbitrary code. '
                f'Load only checkpoints from sources you trust.') from None
        raise _unreadable(source, err) from err
    except (RuntimeError, EOFError) as err:
        raise _unreadable(source, err) from err


def safe_torch_load(filename: str, map_location=None):
    """``torch.load(filename, weights_only=True)`` with :func:`checkpoint_safe_globals` allowed.

    Args:
        filename: a local checkpoint file.
        map_location: as :func:`torch.load`.

    Returns:
        the unpickled checkpoint.

    Raises:
        FileNotFoundError: the file does not exist.
        UnsafeCheckpointError, CheckpointError: as :func:`safe_unpickling`.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} not found')
    with safe_unpickling(filename):
        return torch.load(filename, map_location=map_location, weights_only=True)


def _unreadable(source: str, err: Exception) -> CheckpointError:
    size = f' ({osp.getsize(source)} bytes)' if osp.isfile(source) else ''
    return CheckpointError(
        f'Checkpoint {source}{size} cannot be read: corrupt or truncated (a run killed while '
        f'saving?); resume from an earlier checkpoint. torch.load said: {err}')


def config_buffer_keys(module: nn.Module) -> List[str]:
    """Keys of the buffers that ``module``'s submodules declare in ``config_buffers``: set from
    the config (the ``Downscaler``'s ``lst_mean`` / ``lst_std`` from ``lst_norm``), so a
    checkpoint may lack them (checkpoints of the GrokLST toolkit hold generator weights only)."""
    own = set(module.state_dict())
    keys = []
    for prefix, sub in module.named_modules():
        for name in getattr(sub, 'config_buffers', ()):
            key = f'{prefix}.{name}' if prefix else name
            if key in own:
                keys.append(key)
    return keys


def _finetune_inserted_keys(module: nn.Module) -> Set[str]:
    """Keys of the parameters and buffers that a fine-tuning strategy inserted beside a wrapped
    layer: everything of a module holding a ``base_layer`` that is not inside that layer."""
    from groklst.models.finetune.strategies import BASE_LAYER
    keys = set()
    for prefix, sub in module.named_modules():
        if isinstance(getattr(sub, BASE_LAYER, None), nn.Module):
            head = f'{prefix}.' if prefix else ''
            keys.update(head + k for k in sub.state_dict()
                        if not k.startswith(BASE_LAYER + '.'))
    return keys


def _listing(what: str, keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:_SHOWN_KEYS]) + (', ...' if len(keys) > _SHOWN_KEYS else '')
    return f'{len(keys)} {what} ({shown})'


def _short_error(message: str) -> str:
    """torch's size-mismatch message as ``key: checkpoint (a, b), model (c, d)``."""
    found = re.search(r'size mismatch for (\S+): copying a param with shape '
                      r'torch\.Size\(\[(.*?)\]\) from checkpoint, the shape in current model is '
                      r'torch\.Size\(\[(.*?)\]\)', message)
    if found:
        return f'{found.group(1)}: checkpoint ({found.group(2)}), model ({found.group(3)})'
    return re.sub(r'\s+', ' ', message).strip()


def load_state_dict_checked(module: nn.Module, state_dict: Dict[str, torch.Tensor],
                            source: str, strict: bool = True,
                            log: Optional[Callable[[str], None]] = None) -> None:
    """Load ``state_dict`` into ``module``; with ``strict`` every key must match (shape
    included).

    The module's load pre-/post-hooks run as in ``nn.Module.load_state_dict`` (e.g.
    ``FinetuneModel`` renames plain keys to its wrapped layout). Allowed to be missing:

    - BatchNorm ``num_batches_tracked`` counters (older checkpoints lack them; MMEngine allows
      it too);
    - :func:`config_buffer_keys`: they keep the config's values (``log`` is told);
    - the parameters a fine-tuning strategy inserted (adapters, LoRA factors), all of them
      together: the checkpoint is then the plain pre-trained model and they keep their identity
      initialisation (``log`` is told).

    Args:
        module: the model (already unwrapped from DDP).
        state_dict: weights with keys in the model's layout.
        source: checkpoint name for messages.
        strict: raise on a mismatch; otherwise ``log`` it.
        log: called with each one-line note or (not strict) the mismatch.

    Raises:
        CheckpointMismatchError: (``strict``) missing, unexpected or reshaped keys; the message
            gives the total of each and names the first few. The module may be partly loaded
            then.
    """
    log = log or (lambda msg: None)
    metadata = getattr(state_dict, '_metadata', None)
    state_dict = OrderedDict(state_dict)
    if metadata is not None:
        state_dict._metadata = metadata
    missing: List[str] = []
    unexpected: List[str] = []
    errors: List[str] = []

    def load(mod, local, prefix=''):
        meta = {} if metadata is None else metadata.get(prefix[:-1], {})
        mod._load_from_state_dict(local, prefix, meta, True, missing, unexpected, errors)
        for name, child in mod._modules.items():
            if child is not None:
                head = f'{prefix}{name}.'
                load(child, {k: v for k, v in local.items() if k.startswith(head)}, head)
        incompatible = nn.modules.module._IncompatibleKeys(missing, unexpected)
        for hook in mod._load_state_dict_post_hooks.values():
            hook(mod, incompatible)

    load(module, state_dict)
    # report in the order of the model's and the checkpoint's keys, not of the traversal
    own = {k: i for i, k in enumerate(module.state_dict())}
    given = {k: i for i, k in enumerate(state_dict)}
    missing = sorted((k for k in missing if not k.endswith('num_batches_tracked')),
                     key=lambda k: own.get(k, len(own)))
    unexpected = sorted(unexpected, key=lambda k: given.get(k, len(given)))
    kept = [k for k in config_buffer_keys(module) if k in missing]
    if kept:
        missing = [k for k in missing if k not in kept]
        log(f'{source} has no {", ".join(kept)}; the values of the config are used (e.g. a '
            f'GrokLST checkpoint, which carries no LST statistics)')
    inserted = _finetune_inserted_keys(module)
    if inserted and inserted.issubset(missing):
        missing = [k for k in missing if k not in inserted]
        log(f'{source} holds the plain pre-trained model: the {len(inserted)} tensors the '
            f'fine-tuning strategy inserted (adapters / LoRA) keep their initialisation')
    if missing or unexpected or errors:
        parts = []
        if missing:
            parts.append(_listing('missing keys', missing))
        if unexpected:
            parts.append(_listing('unexpected keys', unexpected))
        if errors:
            parts.append(_listing('reshaped or unloadable weights',
                                  [_short_error(e) for e in errors]))
        message = (f'Checkpoint {source} does not match {type(module).__name__}: '
                   f'{"; ".join(parts)}.')
        if not strict:
            log(message)
            return
        raise CheckpointMismatchError(f'{message} Was it trained with another config?')


def check_training_checkpoint(checkpoint, source: str) -> None:
    """Check that ``checkpoint`` can be resumed from: an MMEngine training checkpoint with
    ``meta`` (``epoch``, ``iter``), ``state_dict`` and ``message_hub``.

    Raises:
        CheckpointMismatchError: what is missing, and what the file looks like instead.
    """
    if not isinstance(checkpoint, dict):
        found = f'a {type(checkpoint).__name__}'
    else:
        meta = checkpoint.get('meta')
        lacking = [k for k in ('state_dict', 'message_hub') if k not in checkpoint]
        if not isinstance(meta, dict) or not {'epoch', 'iter'} <= set(meta):
            lacking.insert(0, "meta['epoch'/'iter']")
        if not lacking:
            return
        weights_only = 'state_dict' not in checkpoint and all(
            isinstance(v, torch.Tensor) for v in checkpoint.values())
        found = 'a weights-only file (a state dict)' if weights_only else \
            f'a dict without {", ".join(lacking)}'
    raise CheckpointMismatchError(
        f'Cannot resume from {source}: it is {found}, not a training checkpoint (one saved by '
        f'tools/train.py: meta, state_dict, message_hub, optimizer). To start training from its '
        f'weights, pass it as load_from (e.g. --cfg-options load_from={source}), not --resume.')
