"""CTNet (Wang, Zhou, Lu and Di, "Contextual Transformation Network for Lightweight Remote
Sensing Image Super-Resolution", IEEE TGRS 2022 (early access 2021))."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import default_conv
from groklst.registry import MODELS


class ContextualFeatureExtraction(nn.Module):
    """Context gate of a contextual transformation layer.

    ``k = conv1x1(x)``; the same features pooled by 2 (``conv1x1(avgpool(x))``, nearest
    upsampled back) give a context; the output is ``k * sigmoid(k + context)``.

    Shapes:
        (B, C_in, H, W) -> (B, C_out, H, W).
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.local = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.context = nn.Sequential(
            nn.AvgPool2d(2, stride=2), nn.Conv2d(in_channels, out_channels, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        local = self.local(x)
        if min(x.shape[-2:]) >= 2:
            context = F.interpolate(self.context(x), size=local.shape[-2:], mode='nearest')
        else:  # a 1-pixel map has no 2x2 context: the gate sees the local term only
            context = torch.zeros_like(local)
        return local * torch.sigmoid(local + context)


class ContextualTransformationLayer(nn.Module):
    """Contextual transformation layer, CTL (Wang et al., CTNet, Sec. III-B).

    Ghost-style split: ceil(C_out / 2) channels come from the context-gated 1x1 transform, as
    many again from a cheap depth-wise 3x3 conv of those; a parallel 1x1 conv of the input
    enhances the concatenation, which is cut to C_out channels.

    Shapes:
        (B, C_in, H, W) -> (B, C_out, H, W).
    """

    def __init__(self, in_channels: int, out_channels: int, relu: bool = True):
        super().__init__()
        self.out_channels = out_channels
        primary = math.ceil(out_channels / 2)
        act = (lambda: nn.ReLU(inplace=True)) if relu else nn.Identity
        self.primary = nn.Sequential(ContextualFeatureExtraction(in_channels, primary), act())
        self.cheap = nn.Sequential(
            nn.Conv2d(primary, primary, 3, padding=1, groups=primary, bias=False), act())
        self.enhance = nn.Sequential(nn.Conv2d(in_channels, 2 * primary, 1, bias=False), act())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.primary(x)
        out = torch.cat([first, self.cheap(first)], dim=1) + self.enhance(x)
        return out[:, :self.out_channels]


class ContextualTransformationBlock(nn.Module):
    """Contextual transformation block, CTB: CTL (C -> C/2, ReLU), CTL (C/2 -> C), identity.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.expand = ContextualTransformationLayer(channels, channels // 2, relu=True)
        self.project = ContextualTransformationLayer(channels // 2, channels, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.project(self.expand(x))


class ContextEnhancement(nn.Module):
    """Context enhancement module, CEM (Wang et al., CTNet, Sec. III-C).

    Spatial attention from a reduced (C/4) branch: strided conv, max pooling (7, stride 3),
    three 3x3 convs, bilinear upsampling, plus a 1x1 shortcut of the reduced features; a 1x1
    conv back to C and a sigmoid give the mask that rescales the input. On maps smaller than
    the pooling window (small LR tiles at x8) the window is clipped to the map, i.e. it
    becomes a global max pooling - an extension, the paper assumes 48 px or larger inputs.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()
        f = max(1, channels // 4)
        self.reduce = nn.Conv2d(channels, f, 1)
        self.shortcut = nn.Conv2d(f, f, 1)
        self.down = nn.Conv2d(f, f, 3, stride=2)
        self.range = nn.Conv2d(f, f, 3, padding=1)
        self.refine = nn.Sequential(
            nn.Conv2d(f, f, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(f, f, 3, padding=1))
        self.expand = nn.Conv2d(f, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        reduced = self.reduce(x)
        # Pad tiny maps so the 3x3 stride-2 conv has one valid position.
        pad_h, pad_w = max(0, 3 - reduced.shape[-2]), max(0, 3 - reduced.shape[-1])
        down = self.down(F.pad(reduced, (0, pad_w, 0, pad_h), mode='replicate')
                         if pad_h or pad_w else reduced)
        kh, kw = min(7, down.shape[-2]), min(7, down.shape[-1])
        pooled = F.max_pool2d(down, (kh, kw), stride=3)
        context = self.refine(F.relu(self.range(pooled)))
        context = F.interpolate(context, size=x.shape[-2:], mode='bilinear',
                                align_corners=False)
        return x * torch.sigmoid(self.expand(context + self.shortcut(reduced)))


class PixelAttention(nn.Module):
    """Pixel attention (Zhao et al., "Efficient Image Super-Resolution Using Pixel Attention",
    ECCVW 2020): ``x * sigmoid(conv1x1(x))``; (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.conv(x))


@MODELS.register_module()
class CTNet(BaseGenerator):
    """CTNet: lightweight contextual transformation network for remote-sensing SR.

    Wang et al., "Contextual Transformation Network for Lightweight Remote Sensing Image
    Super-Resolution", IEEE TGRS 2022.

    conv3x3 (in -> F) -> n_blocks contextual transformation blocks, each but the first preceded
    by a context enhancement module; a grouped 3x3 conv taps every block output to F // n
    channels (contextual feature aggregation), a 1x1 conv fuses the taps and a long skip adds
    the first features. Reconstruction: x2 stages of nearest upsampling, conv3x3, pixel
    attention, LeakyReLU(0.2), conv3x3, LeakyReLU(0.2) (width U), then conv3x3 (U -> in). The
    paper adds the bilinearly upsampled LR: set ``residual='bilinear'`` in the ``Downscaler``.
    Defaults are the paper's: F = 64, U = 24, 16 blocks.

    x8 extension: the paper covers x2/x3/x4 only (x4 = two x2 stages). x8 chains three x2
    stages with the same layout, i.e. the x4 network with one more identical stage; this keeps
    every HR stage a 2x step, as in the original x4 design.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: F, trunk width (a multiple of ``n_blocks``; each tap has F // n_blocks
            channels).
        up_feats: U, width of the reconstruction stages.
        n_blocks: number of CTBs.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale, ``n_blocks`` < 1 or ``n_feats`` not a multiple
            of ``n_blocks``.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Wang et al., "Contextual Transformation Network for Lightweight Remote Sensing '
             'Image Super-Resolution", IEEE TGRS 2022')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 up_feats: int = 24,
                 n_blocks: int = 16,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_blocks < 1 or n_feats < n_blocks or n_feats % n_blocks:
            raise ValueError(f'CTNet needs n_feats to be a positive multiple of n_blocks, '
                             f'found n_feats={n_feats}, n_blocks={n_blocks}')
        tap = n_feats // n_blocks
        self.head = default_conv(in_channels, n_feats, 3)
        self.cems = nn.ModuleList([ContextEnhancement(n_feats) for _ in range(n_blocks - 1)])
        self.blocks = nn.ModuleList(
            [ContextualTransformationBlock(n_feats) for _ in range(n_blocks)])
        self.taps = nn.ModuleList([
            nn.Conv2d(n_feats, tap, 3, padding=1, groups=tap, bias=False)
            for _ in range(n_blocks)
        ])
        self.aggregate = nn.Conv2d(n_blocks * tap, n_feats, 1)
        stages = []
        for i in range(int(math.log2(scale))):
            stages.append(nn.ModuleDict(dict(
                conv=default_conv(n_feats if i == 0 else up_feats, up_feats, 3),
                attention=PixelAttention(up_feats),
                refine=default_conv(up_feats, up_feats, 3))))
        self.up_stages = nn.ModuleList(stages)
        self.act = nn.LeakyReLU(0.2, inplace=True)
        self.conv_last = default_conv(up_feats, in_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        out = feat
        taps = []
        for i, (block, tap) in enumerate(zip(self.blocks, self.taps)):
            if i > 0:
                out = self.cems[i - 1](out)
            out = block(out)
            taps.append(tap(out))
        out = feat + self.aggregate(torch.cat(taps, dim=1))
        for stage in self.up_stages:
            out = stage['conv'](F.interpolate(out, scale_factor=2, mode='nearest'))
            out = self.act(stage['attention'](out))
            out = self.act(stage['refine'](out))
        return self.conv_last(out)
