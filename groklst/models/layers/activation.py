"""Activation factory shared by the layer modules.

Layers accept an activation *description* rather than a module instance so that every block
owns a fresh module (important for parametric activations such as ``PReLU``) and so that the
choice can be written in an MMEngine config.
"""
import copy
from typing import Mapping, Union

import torch.nn as nn

ActCfg = Union[None, str, Mapping, nn.Module]


def build_activation(act_cfg: ActCfg) -> nn.Module:
    """Build an activation module from a light-weight description.

    Args:
        act_cfg: one of
            * ``None`` -> ``nn.Identity()``;
            * a ``torch.nn`` class name, e.g. ``'ReLU'`` or ``'GELU'``;
            * a dict ``dict(type='LeakyReLU', negative_slope=0.2)`` whose other keys are passed
              to the constructor;
            * an ``nn.Module`` instance, which is deep-copied (never shared).

    Returns:
        nn.Module: an element-wise activation; it maps a tensor of any shape, e.g.
        (B, C, H, W), to a tensor of the same shape.

    Raises:
        ValueError: when ``type`` is missing or does not name an ``nn.Module`` class of
            ``torch.nn``.
        TypeError: when ``act_cfg`` has an unsupported type.
    """
    if act_cfg is None:
        return nn.Identity()
    if isinstance(act_cfg, nn.Module):
        return copy.deepcopy(act_cfg)
    if isinstance(act_cfg, str):
        cfg = {'type': act_cfg}
    elif isinstance(act_cfg, Mapping):
        cfg = dict(act_cfg)
    else:
        raise TypeError(
            f'act_cfg must be None, a str, a dict or an nn.Module, found {type(act_cfg).__name__}')
    if 'type' not in cfg:
        raise ValueError(f"act_cfg dict needs a 'type' key, found keys {sorted(cfg)}")
    name = cfg.pop('type')
    cls = getattr(nn, name, None) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(f'act_cfg type {name!r} is not an activation class of torch.nn')
    return cls(**cfg)
