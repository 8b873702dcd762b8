"""Shared building blocks for the downscaling generators (convs, attention, residual groups,
DBPN projections, pyramid pooling, Dynamic MLP, LSK / MoCoLSK)."""
from .activation import build_activation
from .attention import CALayer, SpatialAttention
from .conv import PROJECTION_CONV_PARAMS, default_conv, per_sample_conv2d, projection_conv
from .dynamic_mlp import (DynamicMLPA, DynamicMLPB, DynamicMLPC, DynamicMLPFusion,
                          build_dynamic_mlp)
from .lsk import LSKBlock, LSKSpatialSelection, MCWGPathway, MoCoLSKBlock
from .pooling import PyramidPoolingTokens, pyramid_pool_tokens
from .projection import DenseProjection
from .residual import RCAB, ResBlock, ResidualGroup
from .upsample import OneStepUpsampler, PixelShuffleUpsampler

__all__ = [
    'build_activation', 'CALayer', 'SpatialAttention', 'PROJECTION_CONV_PARAMS', 'default_conv', 'per_sample_conv2d',
    'projection_conv', 'DynamicMLPA', 'DynamicMLPB', 'DynamicMLPC', 'DynamicMLPFusion',
    'build_dynamic_mlp', 'LSKBlock', 'LSKSpatialSelection', 'MCWGPathway', 'MoCoLSKBlock',
    'PyramidPoolingTokens', 'pyramid_pool_tokens', 'DenseProjection', 'RCAB', 'ResBlock',
    'ResidualGroup', 'PixelShuffleUpsampler', 'OneStepUpsampler'
]

# Blocks of the SISR zoo (RDN, SAN, HAN).
from .dense import DenseConvLayer, ResidualDenseBlock  # noqa: E402
from .holistic import ChannelSpatialAttention, LayerAttention  # noqa: E402
from .soca import SecondOrderChannelAttention, covariance_pool, newton_schulz_sqrtm  # noqa: E402

__all__ += [
    'DenseConvLayer', 'ResidualDenseBlock', 'ChannelSpatialAttention', 'LayerAttention',
    'SecondOrderChannelAttention', 'covariance_pool', 'newton_schulz_sqrtm'
]

# Transformer blocks of the SISR zoo (SwinIR, ACT, NGswin, DCTLSA, OmniSR, SAFMN, HAUNet).
from .transformer import (LayerNorm2d, Mlp, MultiHeadAttention,  # noqa: E402
                          SwinTransformerBlock, init_transformer_weights)
from .window_attention import (WindowAttention, grid_partition, grid_reverse,  # noqa: E402
                               pad_to_multiple, relative_position_index, shifted_window_mask,
                               window_partition, window_reverse)

__all__ += [
    'LayerNorm2d', 'Mlp', 'MultiHeadAttention', 'SwinTransformerBlock', 'init_transformer_weights',
    'WindowAttention',
    'grid_partition', 'grid_reverse', 'pad_to_multiple', 'relative_position_index',
    'shifted_window_mask', 'window_partition', 'window_reverse'
]
