"""Shared building blocks for the downscaling generators (convs, attention, residual groups,
DBPN projections, pyramid pooling, Dynamic MLP, LSK / MoCoLSK)."""
from .activation import build_activation
from .attention import CALayer
from .conv import PROJECTION_CONV_PARAMS, default_conv, per_sample_conv2d, projection_conv
from .dynamic_mlp import (DynamicMLPA, DynamicMLPB, DynamicMLPC, DynamicMLPFusion,
                          build_dynamic_mlp)
from .lsk import LSKBlock, LSKSpatialSelection, MCWGPathway, MoCoLSKBlock
from .pooling import PyramidPoolingTokens, pyramid_pool_tokens
from .projection import DenseProjection
from .residual import RCAB, ResBlock, ResidualGroup
from .upsample import OneStepUpsampler, PixelShuffleUpsampler

__all__ = [
    'build_activation', 'CALayer', 'PROJECTION_CONV_PARAMS', 'default_conv', 'per_sample_conv2d',
    'projection_conv', 'DynamicMLPA', 'DynamicMLPB', 'DynamicMLPC', 'DynamicMLPFusion',
    'build_dynamic_mlp', 'LSKBlock', 'LSKSpatialSelection', 'MCWGPathway', 'MoCoLSKBlock',
    'PyramidPoolingTokens', 'pyramid_pool_tokens', 'DenseProjection', 'RCAB', 'ResBlock',
    'ResidualGroup', 'PixelShuffleUpsampler', 'OneStepUpsampler'
]
