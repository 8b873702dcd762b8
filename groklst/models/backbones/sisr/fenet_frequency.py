"""FENet, frequency-based (Behjati et al., "Frequency-Based Enhancement Network for Efficient
Super-Resolution", IEEE Access 10, 2022).

Not to be confused with FeNet (Wang et al., TGRS 2022, the lattice-block network registered as
``FeNet``); this one is registered as ``FENet``.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import weight_norm

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import default_conv
from groklst.registry import MODELS


def _wn_conv(in_channels: int, out_channels: int, kernel_size: int, bias: bool = True,
             groups: int = 1) -> nn.Module:
    """Weight-normalised "same" convolution (Salimans and Kingma, NeurIPS 2016)."""
    return weight_norm(default_conv(in_channels, out_channels, kernel_size, bias=bias,
                                    groups=groups))


class FrequencyEnhancement(nn.Module):
    """Frequency enhancement (FE) operation of FENet (Behjati et al., IEEE Access 2022).

    The low-frequency part of the input is its 4x4 average, upsampled back (nearest); the
    high-frequency residual ``x - low`` gates a 3x3 conv of the input,
    ``k3(x) * sigmoid(k2(high) + x)``, and a last 3x3 conv mixes the result (all bias-free).

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, pool: int = 4):
        super().__init__()
        self.pool = pool
        self.k2 = _wn_conv(channels, channels, 3, bias=False)
        self.k3 = _wn_conv(channels, channels, 3, bias=False)
        self.k4 = _wn_conv(channels, channels, 3, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        low = F.interpolate(F.avg_pool2d(x, self.pool), size=x.shape[-2:], mode='nearest')
        gate = torch.sigmoid(self.k2(x - low) + x)
        return self.k4(self.k3(x) * gate)


class FrequencyEnhancementBlock(nn.Module):
    """Frequency-based enhancement block (FEB): two half-width paths from 1x1 convs - a
    low-frequency path (ReLU, 3x3, ReLU) and a high-frequency path (ReLU, FE, ReLU) - are
    concatenated, fused by a 1x1 conv and added to the input (bias-free, weight-normalised).

    Shapes:
        (B, C, H, W) -> (B, C, H, W), C even.
    """

    def __init__(self, channels: int):
        super().__init__()
        half = channels // 2
        self.path_1 = _wn_conv(channels, half, 1, bias=False)
        self.path_2 = _wn_conv(channels, half, 1, bias=False)
        self.k1 = _wn_conv(half, half, 3, bias=False)
        self.high = FrequencyEnhancement(half)
        self.fuse = _wn_conv(2 * half, channels, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        low = F.relu(self.k1(F.relu(self.path_1(x))))
        high = F.relu(self.high(F.relu(self.path_2(x))))
        return x + self.fuse(torch.cat([low, high], dim=1))


class _GroupedShuffleUpsampler(nn.Sequential):
    """FENet's (CARN-style) upsampler: per x2 stage a weight-normalised grouped 3x3 conv
    C -> 4C, ReLU, pixel shuffle 2. (B, C, H, W) -> (B, C, s*H, s*W), s a power of two.
    (The shared :class:`~groklst.models.layers.PixelShuffleUpsampler` has no grouping, weight
    norm or activation before the shuffle, so this layout is kept here.)"""

    def __init__(self, scale: int, channels: int, groups: int):
        layers = []
        for _ in range(int(math.log2(scale))):
            layers += [_wn_conv(channels, 4 * channels, 3, groups=groups), nn.ReLU(),
                       nn.PixelShuffle(2)]
        super().__init__(*layers)


@MODELS.register_module()
class FENet(BaseGenerator):
    """FENet: a light SR network of frequency-based enhancement blocks.

    Behjati et al., "Frequency-Based Enhancement Network for Efficient Super-Resolution",
    IEEE Access 10, 2022.

    weight-normalised conv 3x3 (in -> C) -> ``n_blocks`` FEBs; the entry features and every
    block output are concatenated and reduced by a 1x1 conv + ReLU, plus the last block's
    output -> grouped pixel-shuffle upsampler -> conv 3x3 (C -> in). The network predicts a
    residual over the bicubically upsampled LR (configs set ``residual='bicubic'``, as in the
    reference). Defaults are the paper's: C=64, 12 FEBs, upsampler groups 4; weight
    normalisation throughout as in the reference.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width C (even, divisible by ``group``).
        n_blocks: number of FEBs.
        group: groups of the upsampler convs.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, odd ``n_feats`` or ``n_feats`` not divisible by
            ``group``.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Behjati et al., "Frequency-Based Enhancement Network for Efficient '
             'Super-Resolution", IEEE Access 2022')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_blocks: int = 12,
                 group: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_feats % 2 or n_feats % group:
            raise ValueError(f'n_feats must be even and divisible by group {group}, found '
                             f'{n_feats}')
        self.entry = _wn_conv(in_channels, n_feats, 3)
        self.body = nn.ModuleList([FrequencyEnhancementBlock(n_feats) for _ in range(n_blocks)])
        self.reduction = nn.Sequential(_wn_conv(n_feats * (n_blocks + 1), n_feats, 1),
                                       nn.ReLU())
        self.upsample = _GroupedShuffleUpsampler(scale, n_feats, group)
        self.exit = _wn_conv(n_feats, in_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> residual (B, C, s*h, s*w)."""
        feat = self.entry(x)
        outs = [feat]
        for block in self.body:
            feat = block(feat)
            outs.append(feat)
        feat = self.reduction(torch.cat(outs, dim=1)) + feat
        return self.exit(self.upsample(feat))
