"""MSG-Net (Hui, Loy and Tang, "Depth Map Super-Resolution by Deep Multi-Scale Guidance",
ECCV 2016)."""
import math
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


class GaussianLowPass(nn.Module):
    """Fixed (non-trainable) isotropic Gaussian low-pass filter, applied to every channel.

    The kernel is ``exp(-(x² + y²) / (2 σ²))`` on a k x k grid centred on 0, normalised to sum
    1; borders are replicated so that a constant field is left unchanged.

    Args:
        kernel_size: odd size k.
        sigma: standard deviation σ in pixels (> 0).

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: even / non-positive ``kernel_size`` or non-positive ``sigma``.
    """

    def __init__(self, kernel_size: int = 15, sigma: float = 5.0):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0 or not sigma > 0:
            raise ValueError('GaussianLowPass needs an odd positive kernel_size and sigma > 0, '
                             f'found {kernel_size} and {sigma}')
        offsets = torch.arange(kernel_size, dtype=torch.float32) - (kernel_size - 1) / 2
        g = torch.exp(-offsets ** 2 / (2 * sigma ** 2))
        kernel = torch.outer(g, g)
        self.register_buffer('kernel', (kernel / kernel.sum())[None, None], persistent=False)
        self.pad = kernel_size // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> low-pass (B, C, H, W)."""
        c = x.shape[1]
        padded = F.pad(x, (self.pad,) * 4, mode='replicate')
        return F.conv2d(padded, self.kernel.expand(c, 1, -1, -1).to(x.dtype), groups=c)


def _conv_prelu(in_channels: int, out_channels: int, kernel_size: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size,
                                   padding=kernel_size // 2), nn.PReLU())


@MODELS.register_module()
class MSGNet(BaseGenerator):
    """Multi-scale guided network for guided super-resolution of LST.

    Hui, Loy and Tang, "Depth Map Super-Resolution by Deep Multi-Scale Guidance", ECCV 2016.

    Frequency split: the network restores the high frequencies only. The LR input minus its
    Gaussian low-pass is the input of the main branch; the Gaussian low-pass of the bicubic
    interpolated LR is added to the output (the low-frequency part of the HR estimate).

    Guidance branch (the paper's Y-branch), with m = log2(s): the high-pass guidance
    (guidance minus its Gaussian low-pass), min-max scaled to [0, 1] per image and band, goes
    through conv 7x7 (49) and conv 5x5 (C = 32), giving guidance features F_0 at HR; each
    coarser level is ``F_l = maxpool3x3/2(conv5x5(F_{l-1}))`` (C channels) down to l = m-1.

    Main branch: conv 5x5 (64) at LR, then m stages, each ``deconv 5x5 / 2`` (C),
    concatenation with the guidance features of that resolution (2C), conv 5x5 (C), conv 5x5
    (C); then conv 5x5 (C) and a linear conv 5x5 (1). Every hidden layer is followed by a PReLU. This is
    3(m+1) convolutional layers in the main branch, as in the paper.

    ``residual=None`` in the ``Downscaler``: the network adds the low-frequency part itself,
    which is a low-pass of the interpolated LR rather than the plain interpolated LR.

    Deviations: the Y-branch takes the K guidance bands (each high-pass filtered and scaled)
    instead of one intensity image; blurs replicate the border instead of zero padding (zero
    padding would pull the low-pass of a z-scored field toward the mean at tile edges); the
    last layer is linear. Gaussian 15x15, σ = 5 pixels at both resolutions, as the GrokLST
    predecessor's implementation.

    Args:
        scale: scale factor s (2, 4 or 8; any power of two works).
        guidance_channels: number K of HR guidance bands (default 10, GrokLST; configs pass
            the dataset's K).
        channels: width of the guidance features and of the main branch after its stem
            (paper: 32).
        lst_stem_channels: width of the main-branch stem at LR (paper: 64).
        guide_stem_channels: width of the first guidance convolution (paper: 49).
        blur_kernel: odd Gaussian kernel size.
        blur_sigma: Gaussian σ in pixels.
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> HR estimate (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, K < 1 or bad blur settings at construction; inputs of
            the wrong shape in ``forward`` (``check_lr_guidance``).
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Hui, Loy and Tang, "Depth Map Super-Resolution by Deep Multi-Scale Guidance", '
             'ECCV 2016')

    def __init__(self, scale: int, guidance_channels: int = 10, channels: int = 32,
                 lst_stem_channels: int = 64, guide_stem_channels: int = 49,
                 blur_kernel: int = 15, blur_sigma: float = 5.0, init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if guidance_channels < 1:
            raise ValueError(f'MSGNet needs guidance_channels >= 1, found {guidance_channels}')
        self.guidance_channels = guidance_channels
        self.levels = int(round(math.log2(scale)))
        self.low_pass = GaussianLowPass(blur_kernel, blur_sigma)
        c = channels
        self.guide_stem = nn.Sequential(_conv_prelu(guidance_channels, guide_stem_channels, 7),
                                        _conv_prelu(guide_stem_channels, c, 5))
        self.guide_down = nn.ModuleList(
            nn.Sequential(_conv_prelu(c, c, 5), nn.MaxPool2d(3, stride=2, padding=1))
            for _ in range(self.levels - 1))
        self.lst_stem = _conv_prelu(1, lst_stem_channels, 5)
        self.up = nn.ModuleList(
            nn.Sequential(nn.ConvTranspose2d(lst_stem_channels if i == 0 else c, c, 5, stride=2,
                                             padding=2, output_padding=1), nn.PReLU())
            for i in range(self.levels))
        self.fuse = nn.ModuleList(
            nn.Sequential(_conv_prelu(2 * c, c, 5), _conv_prelu(c, c, 5))
            for _ in range(self.levels))
        self.reconstruct = nn.Sequential(_conv_prelu(c, c, 5), nn.Conv2d(c, 1, 5, padding=2))

    def _guidance_pyramid(self, guidance: torch.Tensor) -> List[torch.Tensor]:
        high = guidance - self.low_pass(guidance)
        lo = high.amin(dim=(-2, -1), keepdim=True)
        hi = high.amax(dim=(-2, -1), keepdim=True)
        high = (high - lo) / (hi - lo).clamp_min(1e-6)
        feats = [self.guide_stem(high)]
        for down in self.guide_down:
            feats.append(down(feats[-1]))
        return feats  # feats[l] has resolution HR / 2**l

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalised LR LST (B, 1, h, w) and guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

        Raises:
            ValueError: see ``check_lr_guidance``.
        """
        guide_feats = self._guidance_pyramid(guidance)
        x = self.lst_stem(lr - self.low_pass(lr))
        for i, (up, fuse) in enumerate(zip(self.up, self.fuse)):
            x = up(x)
            x = fuse(torch.cat([guide_feats[self.levels - 1 - i], x], dim=1))
        low = self.low_pass(interpolate_lr(lr, self.scale, 'bicubic'))
        return self.reconstruct(x) + low
