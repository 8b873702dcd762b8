"""Building blocks shared by several generators: activations, convolutions, channel and window
attention, residual groups, a coarse sensor's footprint, DBPN projections, sub-pixel upsamplers,
transformer blocks and LR/HR resampling.

Blocks particular to one model live beside it (``backbones/mocolsk/``,
``backbones/sisr/*_blocks.py``).
"""
from .activation import build_activation
from .attention import CALayer, SpatialAttention
from .conv import (PROJECTION_CONV_PARAMS, default_conv, depthwise_layout, per_sample_conv2d,
                   projection_conv, same_layout)
from .footprint import SensorFootprint, fill_from_neighbours, footprint_weights_1d, gaussian_blur
from .projection import DenseProjection
from .residual import RCAB, ResBlock, ResidualGroup
from .transformer import (LayerNorm2d, Mlp, MultiHeadAttention, SwinTransformerBlock,
                          init_transformer_weights)
from .upsample import OneStepUpsampler, PixelShuffleUpsampler
from .window_attention import (WindowAttention, grid_partition, grid_reverse, pad_to_multiple,
                               relative_position_index, shifted_window_mask, window_partition,
                               window_reverse)

__all__ = [
    'build_activation', 'SensorFootprint', 'fill_from_neighbours', 'footprint_weights_1d',
    'gaussian_blur', 'CALayer', 'SpatialAttention', 'PROJECTION_CONV_PARAMS', 'default_conv',
    'depthwise_layout', 'per_sample_conv2d', 'projection_conv', 'same_layout', 'DenseProjection',
    'RCAB', 'ResBlock', 'ResidualGroup', 'LayerNorm2d', 'Mlp', 'MultiHeadAttention',
    'SwinTransformerBlock',
    'init_transformer_weights', 'OneStepUpsampler', 'PixelShuffleUpsampler', 'WindowAttention',
    'grid_partition', 'grid_reverse', 'pad_to_multiple', 'relative_position_index',
    'shifted_window_mask', 'window_partition', 'window_reverse'
]
