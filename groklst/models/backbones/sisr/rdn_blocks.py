"""Residual dense block of RDN.

Zhang, Tian, Kong, Zhong and Fu, "Residual Dense Network for Image Super-Resolution",
CVPR 2018.
"""
import torch
import torch.nn as nn

from groklst.models.layers.activation import ActCfg, build_activation
from groklst.models.layers.conv import default_conv


class DenseConvLayer(nn.Module):
    """One densely connected layer: ``cat([x, act(conv(x))])`` (Zhang et al., RDN, CVPR 2018).

    Args:
        in_channels: input channels C_in.
        growth: channels G added by the layer.
        kernel_size: odd kernel size of the convolution.
        act_cfg: activation after the convolution (see ``build_activation``). Default ReLU.

    Shapes:
        (B, C_in, H, W) -> (B, C_in + G, H, W).
    """

    def __init__(self, in_channels: int, growth: int, kernel_size: int = 3,
                 act_cfg: ActCfg = 'ReLU'):
        super().__init__()
        self.conv = default_conv(in_channels, growth, kernel_size)
        self.act = build_activation(act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) -> (B, C_in + G, H, W)."""
        return torch.cat([x, self.act(self.conv(x))], dim=1)


class ResidualDenseBlock(nn.Module):
    """Residual dense block (RDB) of RDN (Zhang et al., CVPR 2018, Sec. 3.2).

    ``n_layers`` densely connected conv + ReLU layers (contiguous memory), a 1x1 local feature
    fusion back to ``channels`` and a local residual connection::

        out = x + LFF(cat[x, F_1, ..., F_C])

    Args:
        channels: input/output channels G0.
        growth: growth rate G (channels produced by every dense layer).
        n_layers: number C of dense layers (>= 1).
        kernel_size: odd kernel size of the dense layers.
        act_cfg: activation of the dense layers. Default ReLU.

    Shapes:
        (B, G0, H, W) -> (B, G0, H, W).

    Raises:
        ValueError: if ``n_layers`` < 1 or a width is not positive.
    """

    def __init__(self, channels: int, growth: int = 64, n_layers: int = 8,
                 kernel_size: int = 3, act_cfg: ActCfg = 'ReLU'):
        super().__init__()
        if n_layers < 1 or channels < 1 or growth < 1:
            raise ValueError('ResidualDenseBlock needs positive channels, growth and n_layers, '
                             f'found {channels}, {growth}, {n_layers}')
        self.dense = nn.Sequential(*[
            DenseConvLayer(channels + i * growth, growth, kernel_size, act_cfg)
            for i in range(n_layers)
        ])
        self.fusion = nn.Conv2d(channels + n_layers * growth, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, G0, H, W) -> (B, G0, H, W)."""
        return x + self.fusion(self.dense(x))
