"""FDSR (He, Ruan, Li, Li, Ouyang, Wang and Liu, "Towards Fast and Accurate Real-World Depth
Super-Resolution: Benchmark Dataset and Baseline", CVPR 2021)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, default_conv
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


class MultiScaleResBlock(nn.Module):
    """FDSR multi-scale residual block: a 3x3 conv and a dilated (d = 2) 3x3 conv in parallel,
    each with LeakyReLU(0.2), summed, fused by a 1x1 conv and added to the input.

    He et al., CVPR 2021 (Fig. 3, "MSRB").

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.local = default_conv(channels, channels, 3)
        self.wide = default_conv(channels, channels, 3, dilation=2)
        self.fuse = nn.Conv2d(channels, channels, 1)
        self.act = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x + self.fuse(self.act(self.local(x)) + self.act(self.wide(x)))


class OctaveConv(nn.Module):
    """Octave convolution + LeakyReLU(0.2) on a (high, low) frequency feature pair.

    Chen et al., "Drop an Octave: Reducing Spatial Redundancy in Convolutional Neural Networks
    with Octave Convolution", ICCV 2019; used in FDSR's guidance branch (He et al., CVPR 2021).

    A fraction ``alpha`` of the channels is kept at half resolution (the low-frequency part).
    High -> high and low -> low are 3x3 convs; high -> low convolves the 2x2 average-pooled
    high part; low -> high convolves the low part and upsamples it (nearest) to the high size.

    Args:
        in_channels, out_channels: total widths (high + low).
        alpha_in: low fraction of the input (0: input is a single tensor).
        alpha_out: low fraction of the output (0: only the high part is produced).

    Shapes:
        high (B, C_hi, H, W) [, low (B, C_lo, H // 2, W // 2)] -> (high', low' or None).
    """

    def __init__(self, in_channels: int, out_channels: int, alpha_in: float, alpha_out: float):
        super().__init__()
        lo_in, lo_out = int(alpha_in * in_channels), int(alpha_out * out_channels)
        hi_in, hi_out = in_channels - lo_in, out_channels - lo_out
        self.high_to_high = default_conv(hi_in, hi_out, 3, bias=False)
        self.high_to_low = default_conv(hi_in, lo_out, 3, bias=False) if lo_out else None
        self.low_to_high = default_conv(lo_in, hi_out, 3, bias=False) if lo_in else None
        self.low_to_low = default_conv(lo_in, lo_out, 3, bias=False) if lo_in and lo_out \
            else None
        self.act = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, high: torch.Tensor, low: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """(high, low) -> (high, low); see the class docstring for the shapes."""
        out_high = self.high_to_high(high)
        out_low = None
        if self.high_to_low is not None:
            out_low = self.high_to_low(F.avg_pool2d(high, 2))
        if low is not None and self.low_to_high is not None:
            out_high = out_high + F.interpolate(self.low_to_high(low), size=high.shape[-2:],
                                                mode='nearest')
            if self.low_to_low is not None:
                out_low = out_low + self.low_to_low(low)
        return self.act(out_high), None if out_low is None else self.act(out_low)


@MODELS.register_module()
class FDSR(BaseGenerator):
    """FDSR: fast depth SR with a high-frequency guidance branch and multi-scale residual blocks.

    He et al., "Towards Fast and Accurate Real-World Depth Super-Resolution: Benchmark Dataset
    and Baseline", CVPR 2021.

    The LR LST is upsampled bicubically; LST and guidance are rearranged space-to-depth by
    ``unshuffle`` (4) so that the whole network runs at HR/4. The guidance branch (conv, then
    three octave convolutions with a quarter of the channels at half resolution) passes its
    high-frequency part into the LST branch before each of four multi-scale residual blocks
    (widths F, F + F_hi, F + 2 F_hi, F + 3 F_hi with F_hi = F - F/4). Two x2 pixel-shuffle
    stages return to HR; the network predicts the residual over the bicubic LST, which the
    ``Downscaler`` adds (``residual='bicubic'``).

    Deviations: K guidance bands instead of RGB; the last octave convolution produces only the
    high part (its low output is unused in the original); the low -> high upsampling resizes to
    the exact high size so that odd HR/4 sizes work. The scale enters only through the bicubic
    upsampling, so x2/x4/x8 all work; the HR size must be a multiple of ``unshuffle``.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        num_feats: width F (paper 32).
        unshuffle: space-to-depth factor (a power of two; paper 4).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale or ``unshuffle``; in ``forward`` inputs that
            :func:`check_lr_guidance` rejects or an HR size not divisible by ``unshuffle``.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('He et al., "Towards Fast and Accurate Real-World Depth Super-Resolution: '
             'Benchmark Dataset and Baseline", CVPR 2021')

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 num_feats: int = 32,
                 unshuffle: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if unshuffle < 2 or unshuffle & (unshuffle - 1):
            raise ValueError(f'unshuffle must be a power of two >= 2, found {unshuffle}')
        self.guidance_channels = guidance_channels
        self.unshuffle = unshuffle
        feats = num_feats
        hi = feats - int(0.25 * feats)
        self.lst_in = default_conv(unshuffle**2, feats, 3)
        self.guide_in = default_conv(guidance_channels * unshuffle**2, feats, 3)
        self.guide_octaves = nn.ModuleList([
            OctaveConv(feats, feats, 0.0, 0.25),
            OctaveConv(feats, feats, 0.25, 0.25),
            OctaveConv(feats, hi, 0.25, 0.0),
        ])
        self.blocks = nn.ModuleList(MultiScaleResBlock(feats + i * hi) for i in range(4))
        self.reconstruct = nn.Sequential(
            nn.LeakyReLU(0.2),
            default_conv(feats + 3 * hi, 4 * feats, 3), nn.PixelShuffle(2),
            *([PixelShuffleUpsampler(unshuffle // 2, feats)] if unshuffle > 2 else []),
            default_conv(feats, 1, 3))
        self.act = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        if guidance.shape[-2] % self.unshuffle or guidance.shape[-1] % self.unshuffle:
            raise ValueError(f'FDSR needs an HR size divisible by {self.unshuffle}, found '
                             f'{tuple(guidance.shape[-2:])}')
        up = interpolate_lr(lr, self.scale, 'bicubic')
        feat = self.blocks[0](self.act(self.lst_in(F.pixel_unshuffle(up, self.unshuffle))))
        high = self.act(self.guide_in(F.pixel_unshuffle(guidance, self.unshuffle)))
        low = None
        for octave, block in zip(self.guide_octaves, self.blocks[1:]):
            high, low = octave(high, low)
            feat = block(torch.cat([feat, high], dim=1))
        return self.reconstruct(feat)
