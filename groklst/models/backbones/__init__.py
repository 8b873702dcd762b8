"""Generators (backbones); importing a module registers it in ``groklst.registry.MODELS``."""
from .mocolsk_net import MoCoLSKBridge, MoCoLSKNet

__all__ = ['MoCoLSKBridge', 'MoCoLSKNet']
from . import gisr, sisr  # noqa: F401,E402
