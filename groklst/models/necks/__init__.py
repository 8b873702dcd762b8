"""Fusion necks: registered modules that fuse LST and guidance features of one width, swappable
in config (``neck=dict(type=...)`` of ``MoCoLSKNet`` and ``AHMF``).

MoCoLSK 'S' (:class:`MoCoLSKBlock`), MoCoLSK-CS 'C' (:class:`MoCoLSKCSBlock`), MoCoLSK-Ex
(:class:`MoCoLSKExBlock`), SK-M, LSK-M, LSK-CS-M (:mod:`.concat`) and the identity baseline
(:class:`IdentityFusion`); ``tools/analysis/list_models.py --kind neck`` lists them.
"""
from .base import BaseFusionNeck
from .concat import ConcatFusion, LSKCSMBlock, LSKMBlock, SKMBlock
from .identity import IdentityFusion
from .mocolsk import MoCoLSKBlock, MoCoLSKCSBlock, MoCoLSKExBlock

__all__ = ['BaseFusionNeck', 'ConcatFusion', 'IdentityFusion', 'LSKCSMBlock', 'LSKMBlock',
           'MoCoLSKBlock', 'MoCoLSKCSBlock', 'MoCoLSKExBlock', 'SKMBlock']
