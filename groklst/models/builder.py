"""Building registered parts (fusion necks, reconstruction heads) inside a host network.

A host (e.g. ``MoCoLSKNet``, ``AHMF``) takes a part as a config dict such as
``neck=dict(type='MoCoLSKBlock', pool_type='max')``; it sets the arguments that follow from its
own layout (a neck's width ``dim``, a head's ``in_channels`` / ``out_channels`` / ``scale``) and
may hand down its own hyper-parameters as defaults for the parts that take them.
"""
import inspect
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import torch.nn as nn

from groklst.registry import MODELS

__all__ = ['build_part', 'per_stage_cfgs']

PartCfg = Mapping[str, Any]


def _part_class(cfg: PartCfg, owner: str) -> type:
    if not isinstance(cfg, Mapping) or 'type' not in cfg:
        raise TypeError(f'{owner}: a part config must be a dict with a "type" key, found {cfg!r}')
    part_type = cfg['type']
    cls = part_type if isinstance(part_type, type) else MODELS.get(part_type)
    if cls is None:
        raise KeyError(f'{owner}: {part_type!r} is not registered in groklst.registry.MODELS')
    return cls


def build_part(cfg: PartCfg,
               kind: str,
               fixed: Mapping[str, Any],
               defaults: Optional[Mapping[str, Any]] = None,
               owner: str = 'model',
               base: Optional[type] = None) -> nn.Module:
    """Build a registered neck or head from ``cfg`` for a host network.

    Args:
        cfg: ``dict(type=NAME, **arguments)`` with NAME registered in ``MODELS`` (or a class).
        kind: the ``model_kind`` the part's class must declare, ``'neck'`` or ``'head'``.
        fixed: arguments set by the host (e.g. ``dim=C``); ``cfg`` may repeat them only with
            the same value.
        defaults: host hyper-parameters handed to the part when its constructor has a
            parameter of that name and ``cfg`` does not set it (``MoCoLSKNet`` hands down
            ``lsk_kernels``, ``pool_type``, ... so that ``block_types='C'`` and
            ``neck=dict(type='MoCoLSKCSBlock')`` build the same module).
        owner: host name used in error messages.
        base: a class the part's class must derive from (e.g. the two-stage
            :class:`~groklst.models.heads.base.BaseReconstructionHead` that ``MoCoLSKNet``
            needs).

    Returns:
        The built module; ``cfg`` is not modified.

    Raises:
        TypeError: ``cfg`` not a dict with a ``type``; a class not derived from ``base``.
        KeyError: the type is not registered.
        ValueError: the class is not of ``kind``, or ``cfg`` contradicts a fixed argument.
    """
    cls = _part_class(cfg, owner)
    found = getattr(cls, 'model_kind', None)
    if found != kind:
        raise ValueError(f'{owner} needs a {kind} here, but {cls.__name__} is of kind {found!r}; '
                         f'see tools/analysis/list_models.py --kind {kind}')
    if base is not None and not issubclass(cls, base):
        raise TypeError(f'{owner} needs a {kind} derived from {base.__name__}, found '
                        f'{cls.__name__}')
    built = dict(cfg)
    for key, value in fixed.items():
        if key in built and built[key] != value:
            raise ValueError(f'{owner} sets {key}={value!r} of its {kind} {cls.__name__}, '
                             f'found {key}={built[key]!r} in the config')
        built[key] = value
    if defaults:
        params = inspect.signature(cls).parameters
        for key, value in defaults.items():
            param = params.get(key)
            if key not in built and param is not None and param.kind in (
                    param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
                built[key] = value
    return MODELS.build(built)


def per_stage_cfgs(cfg: Union[PartCfg, Sequence[PartCfg]], num: int, name: str,
                   owner: str = 'model') -> List[Dict[str, Any]]:
    """One config per stage from one dict (used for every stage) or a sequence of ``num`` dicts.

    Raises:
        ValueError: a sequence whose length is not ``num``.
        TypeError: an entry that is not a dict.
    """
    cfgs = [cfg] * num if isinstance(cfg, Mapping) else list(cfg)
    if len(cfgs) != num:
        raise ValueError(f'{owner}: {name} needs one dict or one per stage ({num}), found '
                         f'{len(cfgs)}')
    for c in cfgs:
        if not isinstance(c, Mapping):
            raise TypeError(f'{owner}: every {name} entry must be a dict, found {c!r}')
    return [dict(c) for c in cfgs]
