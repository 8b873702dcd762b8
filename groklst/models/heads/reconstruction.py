"""Reconstruction heads: LR features -> HR LST (residual), registered for ``head=dict(type=...)``.

* :class:`UpProjectionHead`: a DBPN up-projection (Haris et al., "Deep Back-Projection Networks
  for Super-Resolution", CVPR 2018) between RCAN residual groups, then a conv head; the
  reconstruction of MoCoLSK-Net (Dai et al., IEEE TGRS 2025).
* :class:`PixelShuffleHead`: sub-pixel upsampling (Shi et al., "Real-Time Single Image and Video
  Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016) and an
  output conv, the tail of EDSR / RCAN (Lim et al., CVPRW 2017).
"""
import torch.nn as nn

from groklst.models.layers import (DenseProjection, PixelShuffleUpsampler, ResidualGroup,
                                   default_conv)
from groklst.models.layers.activation import ActCfg
from groklst.registry import MODELS

from .base import BaseReconstructionHead

__all__ = ['UpProjectionHead', 'PixelShuffleHead']

_LRELU = dict(type='LeakyReLU', negative_slope=0.2)


@MODELS.register_module()
class UpProjectionHead(BaseReconstructionHead):
    """DBPN up-projection reconstruction with a conv head (MoCoLSK-Net's, Dai et al., TGRS 2025).

    ``reconstruction``: an RCAN residual group (Zhang et al., ECCV 2018) of ``n_resblocks``
    RCABs at LR, a DBPN up-projection unit C_in -> C_in to HR (Haris et al., CVPR 2018) and
    ``n_hr_groups`` residual groups of ``2 * n_resblocks`` RCABs at HR. ``out``: 3x3 conv
    (C_in -> ``mid_channels``), LeakyReLU(0.2), 3x3 conv (-> C_out).

    Args:
        in_channels: C_in, width of the LR features (kept through the reconstruction).
        out_channels: C_out.
        scale: scale factor s in (2, 4, 8) (DBPN projection geometry).
        mid_channels: width between the two output convs (MoCoLSK: its base width C).
        n_resblocks: RCABs of the LR group (the HR groups have twice as many).
        n_hr_groups: residual groups at HR.
        reduction: channel-attention reduction ratio of the RCABs.
        act_cfg: activation inside the RCABs (default LeakyReLU(0.2) as in MoCoLSK-Net).

    Shapes:
        (B, C_in, h, w) -> (B, C_out, s·h, s·w).

    Raises:
        ValueError: a scale outside (2, 4, 8) or invalid group sizes.
    """

    supported_scales = (2, 4, 8)
    paper = ('Haris et al., "Deep Back-Projection Networks for Super-Resolution", CVPR 2018 '
             '(the reconstruction of MoCoLSK-Net, Dai et al., IEEE TGRS 2025)')

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 scale: int,
                 mid_channels: int = 32,
                 n_resblocks: int = 4,
                 n_hr_groups: int = 2,
                 reduction: int = 16,
                 act_cfg: ActCfg = _LRELU):
        super().__init__(in_channels, out_channels, scale)
        group = dict(kernel_size=3, reduction=reduction, act_cfg=act_cfg)
        width = in_channels
        self.reconstruction = nn.Sequential(
            ResidualGroup(width, n_resblocks, **group),
            DenseProjection(width, width, scale, up=True),
            *[ResidualGroup(width, 2 * n_resblocks, **group) for _ in range(n_hr_groups)],
        )
        self.out = nn.Sequential(
            default_conv(width, mid_channels, 3),
            nn.LeakyReLU(0.2),
            default_conv(mid_channels, out_channels, 3),
        )


@MODELS.register_module()
class PixelShuffleHead(BaseReconstructionHead):
    """Pixel-shuffle upsampler and an output conv (the EDSR / RCAN tail).

    ``reconstruction``: :class:`~groklst.models.layers.PixelShuffleUpsampler` (x2 stages of conv
    C_in -> 4 C_in and pixel shuffle for powers of two; one conv C_in -> 9 C_in and shuffle 3
    for x3; Shi et al., CVPR 2016). ``out``: a ``kernel_size`` conv C_in -> C_out.

    Args:
        in_channels: C_in.
        out_channels: C_out.
        scale: scale factor s in (2, 3, 4, 8).
        kernel_size: odd kernel size of every conv.

    Shapes:
        (B, C_in, h, w) -> (B, C_out, s·h, s·w).

    Raises:
        ValueError: a scale outside (2, 3, 4, 8) or an even ``kernel_size``.
    """

    supported_scales = (2, 3, 4, 8)
    paper = ('Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient '
             'Sub-Pixel Convolutional Neural Network", CVPR 2016 (EDSR / RCAN tail)')

    def __init__(self, in_channels: int, out_channels: int, scale: int, kernel_size: int = 3):
        super().__init__(in_channels, out_channels, scale)
        self.reconstruction = PixelShuffleUpsampler(scale, in_channels, kernel_size)
        self.out = default_conv(in_channels, out_channels, kernel_size)
