"""CODON (Yang, Cong, Zhang, Ye, Huang and Zhou, "CODON: On Orchestrating Cross-Domain
Attentions for Depth Super-Resolution", IJCV 2022)."""
import math

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import default_conv
from groklst.models.layers.attention import SpatialAttention
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


def _conv(in_channels: int, out_channels: int, kernel_size: int) -> nn.Conv2d:
    return default_conv(in_channels, out_channels, kernel_size, bias=False)


class MultiScaleConv(nn.Module):
    """Multi-scale conv unit of CODON: parallel 3x3 and 5x5 conv-ReLU (C -> C each), a 5x5
    conv-ReLU on their concatenation (2C -> 2C) and a 1x1 conv back to C (no biases).

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.small = _conv(channels, channels, 3)
        self.large = _conv(channels, channels, 5)
        self.merge = _conv(2 * channels, 2 * channels, 5)
        self.reduce = _conv(2 * channels, channels, 1)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        both = torch.cat([self.act(self.small(x)), self.act(self.large(x))], dim=1)
        return self.reduce(self.act(self.merge(both)))


class CrossDomainAttention(nn.Module):
    """Cross-domain attention (CAC) of CODON (Sec. 3.2).

    From the concatenated LST and guidance features (B, 2C, H, W): a channel gate (shared MLP
    2C -> 2C/r -> C on the spatial mean and on the spatial max, summed, sigmoid) times a
    spatial gate (5x5 conv on the channel mean and max, sigmoid) gives one (B, C, H, W)
    attention that re-weights both domains.

    Shapes:
        lst, guide (B, C, H, W) -> attention (B, C, H, W) in (0, 1).
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, 2 * channels // reduction)
        self.mlp = nn.Sequential(nn.Conv2d(2 * channels, hidden, 1), nn.ReLU(inplace=True),
                                 nn.Conv2d(hidden, channels, 1))
        self.spatial = SpatialAttention(kernel_size=5)

    def forward(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """Two (B, C, H, W) -> (B, C, H, W)."""
        both = torch.cat([guide, lst], dim=1)
        channel = torch.sigmoid(self.mlp(both.mean(dim=(2, 3), keepdim=True)) +
                                self.mlp(both.amax(dim=(2, 3), keepdim=True)))
        return channel * self.spatial(both)


@MODELS.register_module()
class CODON(BaseGenerator):
    """CODON: cross-domain attention orchestration on the bicubically upsampled LST.

    Yang et al., "CODON: On Orchestrating Cross-Domain Attentions for Depth Super-Resolution",
    IJCV 2022.

    Both inputs work at HR: the bicubic LST and the guidance each pass two conv-ReLU layers
    (C features), then ``n_cross`` rounds in which each domain goes through its multi-scale
    conv unit (weights shared across rounds, one unit per domain), a cross-domain attention
    (one per round) re-weights both, and each adds its entry features back. The two domains are
    concatenated, reduced by conv-ReLU, refined by ``n_fuse`` rounds of a shared multi-scale
    unit with a skip to the fused entry, and mapped to one channel (conv-ReLU, conv). The
    network predicts the residual over the bicubic LST, which the ``Downscaler`` adds
    (``residual='bicubic'``). Convolutions have no bias and are initialised N(0, 2 / (k^2 C_out))
    as in the original (the attention layers keep PyTorch's default).

    Scales: the original code has separate x4 and x8 networks that differ only in the bicubic
    factor; since everything after the upsampling is scale-independent, x2 is the same network
    after an x2 bicubic upsampling. Other deviations: K guidance bands instead of RGB; the
    unused attention modules of the original are left out.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        num_feats: width C (paper 64).
        n_cross: cross-domain rounds (paper 5).
        n_fuse: fusion rounds (paper 3).
        reduction: channel-attention reduction (paper 16).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale or a round count < 1; in ``forward`` inputs that
            :func:`check_lr_guidance` rejects.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Yang et al., "CODON: On Orchestrating Cross-Domain Attentions for Depth '
             'Super-Resolution", IJCV 2022')

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 num_feats: int = 64,
                 n_cross: int = 5,
                 n_fuse: int = 3,
                 reduction: int = 16,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_cross < 1 or n_fuse < 1:
            raise ValueError(f'n_cross and n_fuse must be >= 1, found {n_cross}, {n_fuse}')
        self.guidance_channels = guidance_channels
        c = num_feats
        relu = nn.ReLU(inplace=True)
        self.lst_in = nn.Sequential(_conv(1, c, 3), relu, _conv(c, c, 3), relu)
        self.guide_in = nn.Sequential(_conv(guidance_channels, c, 3), relu, _conv(c, c, 3), relu)
        self.lst_unit = MultiScaleConv(c)
        self.guide_unit = MultiScaleConv(c)
        self.attentions = nn.ModuleList(CrossDomainAttention(c, reduction)
                                        for _ in range(n_cross))
        self.fuse_in = nn.Sequential(_conv(2 * c, c, 3), relu)
        self.fuse_unit = MultiScaleConv(c)
        self.n_fuse = n_fuse
        self.tail = nn.Sequential(_conv(c, c, 3), relu, _conv(c, 1, 3))
        skip = {id(m) for m in self.attentions.modules()}  # attention keeps the default init
        for m in self.modules():
            if isinstance(m, nn.Conv2d) and id(m) not in skip:
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_out))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        lst_entry = self.lst_in(interpolate_lr(lr, self.scale, 'bicubic'))
        guide_entry = self.guide_in(guidance)
        lst, guide = lst_entry, guide_entry
        for attention in self.attentions:
            lst, guide = self.lst_unit(lst), self.guide_unit(guide)
            weight = attention(lst, guide)
            lst = lst * weight + lst_entry
            guide = guide * weight + guide_entry
        fused_entry = self.fuse_in(torch.cat([lst, guide], dim=1))
        fused = fused_entry
        for _ in range(self.n_fuse):
            fused = self.fuse_unit(fused) + fused_entry
        return self.tail(fused)
