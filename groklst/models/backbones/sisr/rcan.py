"""RCAN (Zhang, Li, Li, Wang, Zhong and Fu, "Image Super-Resolution Using Very Deep Residual
Channel Attention Networks", ECCV 2018)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, ResidualGroup, default_conv
from groklst.registry import MODELS


@MODELS.register_module()
class RCAN(BaseGenerator):
    """RCAN: residual-in-residual trunk of channel-attention blocks, pixel-shuffle upsampler.

    Zhang et al., "Image Super-Resolution Using Very Deep Residual Channel Attention Networks",
    ECCV 2018.

    head conv (in -> F) -> ``n_resgroups`` residual groups (each ``n_resblocks`` RCABs and a
    conv, short skip) -> conv, plus the long skip -> x2 pixel-shuffle stages -> conv
    (F -> in). No image-level skip (``residual=None``). Defaults are the paper's: 10 groups of
    20 RCABs, 64 features, reduction 16. The DIV2K mean shift is dropped (the ``Downscaler``
    standardizes the LST).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width F.
        n_resgroups: number of residual groups.
        n_resblocks: RCABs per group.
        reduction: channel-attention reduction ratio.
        kernel_size: odd kernel size.
        res_scale: residual scale of the RCABs.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or invalid block arguments.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Zhang et al., "Image Super-Resolution Using Very Deep Residual Channel Attention '
             'Networks", ECCV 2018')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resgroups: int = 10,
                 n_resblocks: int = 20,
                 reduction: int = 16,
                 kernel_size: int = 3,
                 res_scale: float = 1.0,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.head = default_conv(in_channels, n_feats, kernel_size)
        self.body = nn.Sequential(
            *[ResidualGroup(n_feats, n_resblocks, kernel_size, reduction, res_scale=res_scale)
              for _ in range(n_resgroups)],
            default_conv(n_feats, n_feats, kernel_size))
        self.tail = nn.Sequential(
            PixelShuffleUpsampler(scale, n_feats, kernel_size),
            default_conv(n_feats, in_channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        return self.tail(feat + self.body(feat))
