"""SUFT (Shi, Ye, Xu, Zhang, Qin and Xu, "Symmetric Uncertainty-Aware Feature Transmission for
Depth Super-Resolution", ACM MM 2022)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import DenseProjection, ResBlock, ResidualGroup, default_conv
from groklst.registry import MODELS

_LRELU = dict(type='LeakyReLU', negative_slope=0.2)


class SymmetricUncertaintyTransmission(nn.Module):
    """SUFT bridge: guidance features gated by the symmetric uncertainty of the LST features.

    Shi et al., ACM MM 2022 (Sec. 3.2). The LR LST features are up-projected to HR twice: as
    they are, and horizontally flipped (own up-projection, result flipped back). Where the two
    disagree the LST is uncertain; the channel mean and max of ``|a - b|`` go through a 7x7
    conv and are min-max normalised per image to an attention map in [0, 1] that scales the
    HR guidance features. LST and scaled guidance features are concatenated and
    down-projected back to LR.

    Args:
        lst_channels: C_l, width of the LST features.
        guide_channels: C_g, width of the guidance features.
        scale: scale factor s (2, 4 or 8; DBPN projection geometry).

    Shapes:
        lst (B, C_l, h, w), guide (B, C_g, s*h, s*w) -> (B, C_l + C_g, h, w).
    """

    def __init__(self, lst_channels: int, guide_channels: int, scale: int):
        super().__init__()
        self.up = DenseProjection(lst_channels, lst_channels, scale, up=True)
        self.up_flipped = DenseProjection(lst_channels, lst_channels, scale, up=True)
        self.down = DenseProjection(lst_channels + guide_channels, lst_channels + guide_channels,
                                    scale, up=False)
        self.uncertainty = nn.Conv2d(2, 1, 7, padding=3)

    def forward(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """(B, C_l, h, w) and (B, C_g, s*h, s*w) -> (B, C_l + C_g, h, w)."""
        lst_hr = self.up(lst)
        mirrored = self.up_flipped(lst.flip(-1)).flip(-1)
        diff = (lst_hr - mirrored).abs()
        att = self.uncertainty(torch.cat([diff.mean(1, keepdim=True),
                                          diff.amax(1, keepdim=True)], dim=1))
        low = att.amin(dim=(2, 3), keepdim=True)
        high = att.amax(dim=(2, 3), keepdim=True)
        att = (att - low) / (high - low + 1e-12)
        return self.down(torch.cat([lst_hr, guide * att], dim=1))


@MODELS.register_module()
class SUFT(BaseGenerator):
    """SUFT: LR LST trunk fed with uncertainty-gated HR guidance features.

    Shi et al., "Symmetric Uncertainty-Aware Feature Transmission for Depth Super-Resolution",
    ACM MM 2022.

    LST trunk at LR: conv-LeakyReLU (F), then four RCAN residual groups of widths F, 2F, 3F,
    4F; between them three :class:`SymmetricUncertaintyTransmission` bridges each append F
    gated guidance channels. Guidance branch at HR: conv-LeakyReLU (F) and three EDSR residual
    blocks, one per bridge. A DBPN up-projection takes the 4F features to HR, two residual
    groups refine them and conv-LeakyReLU-conv gives one channel. The network predicts the
    residual over the bicubic LST, which the ``Downscaler`` adds (``residual='bicubic'``).

    Deviations: K guidance bands instead of RGB; widths follow F (the original hard-codes
    32/64/96/128 for F = 32).

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        num_feats: width F (paper 32).
        n_resblocks: RCABs per trunk residual group (paper 4).
        n_tail_groups: residual groups at HR (paper 2).
        n_tail_blocks: RCABs per HR residual group (paper 8).
        reduction: channel-attention reduction (paper 16).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale; in ``forward`` inputs that :func:`check_lr_guidance`
            rejects.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Shi et al., "Symmetric Uncertainty-Aware Feature Transmission for Depth '
             'Super-Resolution", ACM MM 2022')

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 num_feats: int = 32,
                 n_resblocks: int = 4,
                 n_tail_groups: int = 2,
                 n_tail_blocks: int = 8,
                 reduction: int = 16,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.guidance_channels = guidance_channels
        f = num_feats
        self.lst_in = nn.Sequential(default_conv(1, f, 3), nn.LeakyReLU(0.2, inplace=True))
        self.guide_in = nn.Sequential(default_conv(guidance_channels, f, 3),
                                      nn.LeakyReLU(0.2, inplace=True))
        self.lst_groups = nn.ModuleList(
            ResidualGroup(i * f, n_resblocks, reduction=reduction, act_cfg=_LRELU)
            for i in range(1, 5))
        self.guide_blocks = nn.ModuleList(ResBlock(f, act_cfg=_LRELU) for _ in range(3))
        self.bridges = nn.ModuleList(
            SymmetricUncertaintyTransmission(i * f, f, scale) for i in range(1, 4))
        self.up = DenseProjection(4 * f, 4 * f, scale, up=True)
        self.tail = nn.Sequential(
            *[ResidualGroup(4 * f, n_tail_blocks, reduction=reduction, act_cfg=_LRELU)
              for _ in range(n_tail_groups)],
            default_conv(4 * f, f, 3), nn.LeakyReLU(0.2, inplace=True), default_conv(f, 1, 3))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        feat = self.lst_groups[0](self.lst_in(lr))
        guide = self.guide_in(guidance)
        for bridge, guide_block, group in zip(self.bridges, self.guide_blocks,
                                              self.lst_groups[1:]):
            guide = guide_block(guide)
            feat = group(bridge(feat, guide))
        return self.tail(self.up(feat))
