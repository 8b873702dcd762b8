"""DAGF (Zhong, Liu, Jiang, Zhao and Ji, "Deep Attentional Guided Image Filtering", IEEE TNNLS
2023), for guided LST downscaling."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.models.layers.window_attention import pad_to_multiple
from groklst.registry import MODELS


def _conv(cin: int, cout: int, kernel_size: int = 3, act: bool = True) -> nn.Sequential:
    layers = [nn.Conv2d(cin, cout, kernel_size, padding=kernel_size // 2)]
    if act:
        layers.append(nn.PReLU())
    return nn.Sequential(*layers)


class ResUnit(nn.Module):
    """conv-PReLU-conv plus identity, then PReLU: (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(_conv(channels, channels), _conv(channels, channels, act=False))
        self.act = nn.PReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return self.act(self.body(x) + x)


class Downsample2(nn.Sequential):
    """3x3 conv, pixel-unshuffle by 2, 1x1 conv: (B, C, H, W) -> (B, C, H/2, W/2)."""

    def __init__(self, channels: int):
        super().__init__(_conv(channels, channels), nn.PixelUnshuffle(2),
                         _conv(4 * channels, channels, 1))


class TinyUNet(nn.Module):
    """Two-level U-Net of DAGF's weight network (pixel-unshuffle down, pixel-shuffle up), with a
    global skip: (B, C, H, W) -> (B, C, H, W); H, W multiples of 4; C even."""

    def __init__(self, channels: int):
        super().__init__()
        c = channels
        self.enc1 = nn.Sequential(_conv(c, c // 2), nn.PixelUnshuffle(2))  # -> 2c, H/2
        self.enc2 = nn.Sequential(_conv(2 * c, c), nn.PixelUnshuffle(2))  # -> 4c, H/4
        self.mid = nn.Sequential(_conv(4 * c, 4 * c), _conv(4 * c, 4 * c))
        self.dec1 = nn.Sequential(_conv(4 * c, 8 * c), nn.PixelShuffle(2))  # -> 2c, H/2
        self.dec2 = nn.Sequential(_conv(2 * c, 4 * c), nn.PixelShuffle(2))  # -> c, H

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        d1 = self.dec1(self.mid(e2) + e2)
        return self.dec2(d1 + e1) + x


class AttentionalFilter(nn.Module):
    """Attentional kernel learning + guided filtering step of DAGF (Zhong et al., TNNLS 2023,
    Sec. III-B/C): x2 upsampling of the running estimate by per-pixel k×k kernels.

    Kernels predicted from the target (LST) features and from the guidance features (softmax
    over the k² taps) are mixed by a pixel-wise weight map ``a`` (weight network on both):
    ``W = a W_target + (1 − a) W_guide``, squashed by ``tanh(W) / c`` (c learnt, init k²/2) and
    divided by ``max(1, Σ|W|)``. The estimate, refined by residual units and upsampled ×2
    (nearest), is filtered with W over its k×k neighbourhood taken on the LR grid (dilation 2).

    Shapes:
        target/guide features (B, F, H, W), estimate (B, F, H/2, W/2) -> (B, F, H, W).
    """

    def __init__(self, channels: int, kernel_size: int = 3, n_res: int = 2):
        super().__init__()
        taps = kernel_size ** 2
        self.kernel_size = kernel_size
        self.target_kernel = nn.Sequential(_conv(channels, channels, 1),
                                           _conv(channels, taps, 1, act=False))
        self.guide_kernel = nn.Sequential(_conv(channels, channels, 1),
                                          _conv(channels, taps, 1, act=False))
        self.weight_net = nn.Sequential(_conv(2 * channels, channels), TinyUNet(channels),
                                        _conv(channels, 1))
        self.kernel_scale = nn.Parameter(torch.tensor([0.5 * taps]))
        self.refine = nn.Sequential(*[ResUnit(channels) for _ in range(n_res)])

    def forward(self, target: torch.Tensor, guide: torch.Tensor,
                estimate: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        b, c, h, w = target.shape
        mix = self.weight_net(torch.cat([target, guide], 1))
        kernel = (mix * self.target_kernel(target).softmax(1)
                  + (1 - mix) * self.guide_kernel(guide).softmax(1))
        kernel = torch.tanh(kernel) / (self.kernel_scale + 1e-8)
        kernel = kernel / kernel.abs().sum(1, keepdim=True).add(1e-4).clamp_min(1.0)
        up = F.interpolate(self.refine(estimate), scale_factor=2, mode='nearest')
        k = self.kernel_size
        patches = F.unfold(up, k, dilation=2, padding=(k // 2) * 2).view(b, c, k * k, h, w)
        return torch.einsum('bkhw,bckhw->bchw', kernel, patches)


@MODELS.register_module()
class DAGF(BaseGenerator):
    """DAGF: deep attentional guided image filtering, coarse to fine over a feature pyramid.

    Zhong, Liu, Jiang, Zhao and Ji, "Deep Attentional Guided Image Filtering", IEEE TNNLS 2023
    (code: github.com/zhwzhong/DAGF).

    The LR LST is interpolated (bicubic) to the guidance grid; heads turn it and the guidance
    into F-channel features, and ``num_pyramid - 1`` pixel-unshuffle downsamplers build two
    pyramids (HR/2^{P-1} ... HR). From the coarsest level up, the LR LST resampled (nearest) to
    half the level size, concatenated with the previous estimate, gives an F-channel estimate
    that :class:`AttentionalFilter` upsamples ×2 with kernels from both pyramids. Multi-scale
    fusion merges each level's result with the ×2-upsampled coarser one (gated by a learnt
    scale, init 0), and a conv maps the finest result to the residual to the bicubic LR
    (``residual='bicubic'`` in the ``Downscaler``). Only the final output is produced (the
    official code also returns intermediate outputs for deep supervision).

    Since all filtering happens on the HR pyramid, any scale works. Deviations: K guidance
    bands; the switchable/adaptive normalisations of the official code are left out; inputs
    are padded (replicate) to a multiple of 4·2^{P-1} at HR and cropped back.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_feats: feature width F (paper 32; even).
        num_pyramid: pyramid levels P (paper 3).
        kernel_size: filter kernel size k (paper 3).
        n_res: residual units refining the estimate at each level (paper 2).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> residual (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, odd ``n_feats``, ``num_pyramid`` < 1, or inputs of the
            wrong shape.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Zhong et al., "Deep Attentional Guided Image Filtering", IEEE TNNLS 2023')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 32,
                 num_pyramid: int = 3, kernel_size: int = 3, n_res: int = 2, init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_feats % 2 or num_pyramid < 1:
            raise ValueError(f'n_feats must be even and num_pyramid >= 1, found {n_feats} and '
                             f'{num_pyramid}')
        self.guidance_channels = guidance_channels
        self.num_pyramid = num_pyramid
        self.lst_head = nn.Sequential(_conv(1, n_feats, act=False), _conv(n_feats, n_feats, 1))
        self.guide_head = nn.Sequential(_conv(guidance_channels, n_feats, act=False),
                                        _conv(n_feats, n_feats, 1))
        self.lst_down = nn.ModuleList(Downsample2(n_feats) for _ in range(num_pyramid - 1))
        self.guide_down = nn.ModuleList(Downsample2(n_feats) for _ in range(num_pyramid - 1))
        self.init = nn.ModuleList(
            nn.Sequential(_conv(1 if i == 0 else 1 + n_feats, n_feats), _conv(n_feats, n_feats,
                                                                             act=False))
            for i in range(num_pyramid))
        self.filters = nn.ModuleList(
            AttentionalFilter(n_feats, kernel_size, n_res) for _ in range(num_pyramid))
        self.level_conv = nn.ModuleList(_conv(n_feats, n_feats) for _ in range(num_pyramid))
        self.fuse_conv = nn.ModuleList(_conv(n_feats, n_feats) for _ in range(num_pyramid - 1))
        self.fuse_scale = nn.Parameter(torch.zeros(max(num_pyramid - 1, 1)))
        self.out_conv = _conv(n_feats, 1)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> residual (B, 1, s*h,
        s*w) to add to the bicubic-upsampled LR."""
        hr_multiple = 4 * 2 ** (self.num_pyramid - 1)
        lr_multiple = hr_multiple // math.gcd(hr_multiple, self.scale)
        lr, (h, w) = pad_to_multiple(lr, lr_multiple, mode='replicate')
        guidance, _ = pad_to_multiple(guidance, lr_multiple * self.scale, mode='replicate')
        lst_feats = [self.lst_head(interpolate_lr(lr, self.scale, 'bicubic'))]
        guide_feats = [self.guide_head(guidance)]
        for lst_down, guide_down in zip(self.lst_down, self.guide_down):
            lst_feats.append(lst_down(lst_feats[-1]))
            guide_feats.append(guide_down(guide_feats[-1]))
        estimate, fused = None, None
        for i in range(self.num_pyramid):
            target, guide = lst_feats[-1 - i], guide_feats[-1 - i]
            half = F.interpolate(lr, size=(target.shape[-2] // 2, target.shape[-1] // 2),
                                 mode='nearest')
            if estimate is not None:
                half = torch.cat([half, estimate], 1)
            estimate = self.filters[i](target, guide, self.init[i](half))
            level = self.level_conv[i](estimate)
            if fused is not None:
                up = F.interpolate(fused, scale_factor=2, mode='nearest')
                level = self.fuse_conv[i - 1](self.fuse_scale[i - 1] * up + level)
            fused = level
        return self.out_conv(fused)[..., :h * self.scale, :w * self.scale]
