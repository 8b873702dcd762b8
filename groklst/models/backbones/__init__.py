"""Generators (backbones); importing a module registers it in ``groklst.registry.MODELS``."""
from . import gisr, sisr
from .mocolsk import MoCoLSKBridge, MoCoLSKNet

__all__ = ['MoCoLSKBridge', 'MoCoLSKNet', 'gisr', 'sisr']
