"""Residual blocks of EDSR and RCAN.

* :class:`ResBlock` - Lim et al., "Enhanced Deep Residual Networks for Single Image
  Super-Resolution", CVPRW 2017.
* :class:`RCAB`, :class:`ResidualGroup` - Zhang et al., "Image Super-Resolution Using Very Deep
  Residual Channel Attention Networks", ECCV 2018.
"""
from typing import Callable

import torch
import torch.nn as nn

from .activation import ActCfg, build_activation
from .attention import CALayer
from .conv import default_conv

ConvFactory = Callable[..., nn.Module]


class ResBlock(nn.Module):
    """EDSR residual block: conv -> act -> conv, scaled by ``res_scale``, plus identity.

    Lim et al., CVPRW 2017.

    Args:
        n_feats: channels C (kept constant).
        kernel_size: odd kernel size of both convolutions.
        bias: convolution bias.
        act_cfg: activation description (see ``build_activation``). Default ReLU.
        res_scale: multiplier of the residual branch.
        conv: factory ``conv(in, out, k, bias=...)``; defaults to :func:`default_conv`.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: from ``conv`` for an even ``kernel_size``.
    """

    def __init__(self,
                 n_feats: int,
                 kernel_size: int = 3,
                 bias: bool = True,
                 act_cfg: ActCfg = 'ReLU',
                 res_scale: float = 1.0,
                 conv: ConvFactory = default_conv):
        super().__init__()
        self.body = nn.Sequential(
            conv(n_feats, n_feats, kernel_size, bias=bias),
            build_activation(act_cfg),
            conv(n_feats, n_feats, kernel_size, bias=bias),
        )
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        res = self.body(x)
        if self.res_scale != 1:  # x * 1.0 is exact: skip a full-size multiply and its backward
            res = res * self.res_scale
        return x + res


class RCAB(ResBlock):
    """Residual channel attention block (Zhang et al., RCAN, ECCV 2018).

    conv -> act -> conv -> channel attention, scaled by ``res_scale``, plus identity.

    Args:
        n_feats: channels C (kept constant).
        kernel_size: odd kernel size of both convolutions.
        reduction: channel-attention reduction ratio.
        bias: convolution bias.
        act_cfg: activation between the convolutions (see ``build_activation``). Default ReLU
            as in RCAN; MoCoLSK-Net uses ``dict(type='LeakyReLU', negative_slope=0.2)``.
        res_scale: multiplier of the residual branch.
        conv: factory ``conv(in, out, k, bias=...)``; defaults to :func:`default_conv`.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: for an even ``kernel_size`` or non-positive ``reduction``.
    """

    def __init__(self,
                 n_feats: int,
                 kernel_size: int = 3,
                 reduction: int = 16,
                 bias: bool = True,
                 act_cfg: ActCfg = 'ReLU',
                 res_scale: float = 1.0,
                 conv: ConvFactory = default_conv):
        super().__init__(n_feats, kernel_size, bias=bias, act_cfg=act_cfg, res_scale=res_scale,
                         conv=conv)
        self.body.append(CALayer(n_feats, reduction))


class ResidualGroup(nn.Module):
    """Residual group of RCAN: ``n_blocks`` RCABs and a closing conv, with a long skip.

    Zhang et al., ECCV 2018.

    Args:
        n_feats: channels C (kept constant).
        n_blocks: number of RCABs (>= 0; 0 leaves only the closing convolution).
        kernel_size: odd kernel size of every convolution.
        reduction: channel-attention reduction ratio of the RCABs.
        act_cfg: activation inside the RCABs (see ``build_activation``). Default ReLU.
        res_scale: residual scale of the RCABs.
        conv: convolution factory; defaults to :func:`default_conv`.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: if ``n_blocks`` < 0, for an even ``kernel_size`` or non-positive
            ``reduction``.
    """

    def __init__(self,
                 n_feats: int,
                 n_blocks: int = 4,
                 kernel_size: int = 3,
                 reduction: int = 16,
                 act_cfg: ActCfg = 'ReLU',
                 res_scale: float = 1.0,
                 conv: ConvFactory = default_conv):
        super().__init__()
        if n_blocks < 0:
            raise ValueError(f'n_blocks must be >= 0, found {n_blocks}')
        blocks = [
            RCAB(n_feats, kernel_size, reduction, act_cfg=act_cfg, res_scale=res_scale,
                 conv=conv) for _ in range(n_blocks)
        ]
        blocks.append(conv(n_feats, n_feats, kernel_size, bias=True))
        self.body = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x + self.body(x)
