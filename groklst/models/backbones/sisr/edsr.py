"""EDSR (Lim, Son, Kim, Nah and Lee, "Enhanced Deep Residual Networks for Single Image
Super-Resolution", CVPRW 2017)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, ResBlock, default_conv
from groklst.registry import MODELS


@MODELS.register_module()
class EDSR(BaseGenerator):
    """EDSR: a BN-free residual trunk at LR followed by a pixel-shuffle upsampler.

    Lim et al., "Enhanced Deep Residual Networks for Single Image Super-Resolution",
    CVPRW 2017.

    head conv (in -> F) -> ``n_resblocks`` residual blocks (conv-ReLU-conv, residual scaled by
    ``res_scale``) -> conv, plus a long skip from the head -> x2 pixel-shuffle stages
    (log2 s of them) -> conv (F -> in). No image-level skip (``residual=None`` in the
    ``Downscaler``).

    Defaults are the paper's EDSR *baseline* (16 blocks, 64 features, residual scale 1), the
    size used in the GrokLST benchmark; the paper's large EDSR is ``n_resblocks=32,
    n_feats=256, res_scale=0.1``. The DIV2K mean shift of the paper is dropped: the
    ``Downscaler`` standardizes the LST.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width F.
        n_resblocks: number of residual blocks.
        res_scale: residual scaling inside the blocks.
        kernel_size: odd kernel size of every convolution.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or an even kernel size.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Lim et al., "Enhanced Deep Residual Networks for Single Image Super-Resolution", '
             'CVPRW 2017')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resblocks: int = 16,
                 res_scale: float = 1.0,
                 kernel_size: int = 3,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.head = default_conv(in_channels, n_feats, kernel_size)
        self.body = nn.Sequential(
            *[ResBlock(n_feats, kernel_size, res_scale=res_scale) for _ in range(n_resblocks)],
            default_conv(n_feats, n_feats, kernel_size))
        self.tail = nn.Sequential(
            PixelShuffleUpsampler(scale, n_feats, kernel_size),
            default_conv(n_feats, in_channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        return self.tail(feat + self.body(feat))
