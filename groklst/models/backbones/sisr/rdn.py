"""RDN (Zhang, Tian, Kong, Zhong and Fu, "Residual Dense Network for Image Super-Resolution",
CVPR 2018)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, default_conv
from groklst.registry import MODELS

from .rdn_blocks import ResidualDenseBlock


@MODELS.register_module()
class RDN(BaseGenerator):
    """RDN: residual dense blocks with global feature fusion, pixel-shuffle upsampler.

    Zhang et al., "Residual Dense Network for Image Super-Resolution", CVPR 2018.

    Shallow features F_-1 = conv(in -> G0) and F_0 = conv(F_-1); D residual dense blocks
    (C layers of growth G each); global feature fusion ``conv3x3(conv1x1(cat[F_1..F_D]))``
    plus F_-1 (global residual learning); x2 pixel-shuffle stages; conv (G0 -> in). No
    image-level skip (``residual=None``). Defaults are the paper's D = 16, C = 8, G = 64,
    G0 = 64. The upsampler works on G0 channels (the paper's layout when G = G0); x8 chains
    three x2 stages, as the paper's x4 chains two.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: G0, width of the trunk.
        n_blocks: D, number of residual dense blocks.
        n_layers: C, dense layers per block.
        growth: G, growth rate.
        kernel_size: odd kernel size.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or non-positive sizes.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Zhang et al., "Residual Dense Network for Image Super-Resolution", CVPR 2018')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_blocks: int = 16,
                 n_layers: int = 8,
                 growth: int = 64,
                 kernel_size: int = 3,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_blocks < 1:
            raise ValueError(f'RDN needs n_blocks >= 1, found {n_blocks}')
        self.sfe1 = default_conv(in_channels, n_feats, kernel_size)
        self.sfe2 = default_conv(n_feats, n_feats, kernel_size)
        self.blocks = nn.ModuleList([
            ResidualDenseBlock(n_feats, growth, n_layers, kernel_size) for _ in range(n_blocks)
        ])
        self.gff = nn.Sequential(
            nn.Conv2d(n_blocks * n_feats, n_feats, 1),
            default_conv(n_feats, n_feats, kernel_size))
        self.tail = nn.Sequential(
            PixelShuffleUpsampler(scale, n_feats, kernel_size),
            default_conv(n_feats, in_channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        shallow = self.sfe1(x)
        feat = self.sfe2(shallow)
        local = []
        for block in self.blocks:
            feat = block(feat)
            local.append(feat)
        return self.tail(self.gff(torch.cat(local, dim=1)) + shallow)
