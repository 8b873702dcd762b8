"""MoCoLSK-Net (Dai et al., "GrokLST", IEEE TGRS 2025) and its own parts.

* :mod:`.network`: the generator :class:`MoCoLSKNet`, its stage bridge and the ``block_types``
  shorthand of the paper's ablations;
* :mod:`.lsk`: LSK spatial selection (Li et al., ICCV 2023), SK channel selection (Li et al.,
  CVPR 2019) and LSK-CS;
* :mod:`.mcwg`: the Modality-Conditioned Weight Generation pathway;
* :mod:`.dynamic_mlp`: Dynamic MLP A/B/C (Yang et al., CVPR 2022);
* :mod:`.pooling`: pyramid pooling into tokens (PSPNet's bins).

The fusion modules built from these parts are registered necks (:mod:`groklst.models.necks`),
so that other dual-branch generators can use them from config.
"""
from .dynamic_mlp import (DynamicMLPA, DynamicMLPB, DynamicMLPC, DynamicMLPFusion,
                          build_dynamic_mlp)
from .lsk import (ChannelSelection, LSKBlock, LSKChannelSelection, LSKSpatialSelection,
                  SelectiveKernelConv)
from .mcwg import MCWGPathway
from .network import (BLOCK_TYPES, MoCoLSKBridge, MoCoLSKNet, block_type_neck,
                      canonical_block_type)
from .pooling import PyramidPoolingTokens, pyramid_pool_tokens

__all__ = [
    'BLOCK_TYPES', 'ChannelSelection', 'DynamicMLPA', 'DynamicMLPB', 'DynamicMLPC',
    'DynamicMLPFusion', 'LSKBlock', 'LSKChannelSelection', 'LSKSpatialSelection', 'MCWGPathway',
    'MoCoLSKBridge', 'MoCoLSKNet', 'PyramidPoolingTokens', 'SelectiveKernelConv',
    'block_type_neck', 'build_dynamic_mlp', 'canonical_block_type', 'pyramid_pool_tokens'
]
