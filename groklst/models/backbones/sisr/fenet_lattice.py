"""FeNet (Wang, Li, Xue, Jiang, Wang, Sun and Ma, "FeNet: Feature Enhancement Network for
Lightweight Remote-Sensing Image Super-Resolution", IEEE TGRS 2022).

Named ``fenet_lattice`` (after its lattice blocks) to keep it apart from FENet, the
frequency-based enhancement network of Behjati et al. (IEEE Access 2022).
"""
from typing import List

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import CALayer, OneStepUpsampler, default_conv
from groklst.registry import MODELS


class LightweightLatticeBlock(nn.Module):
    """Lightweight lattice block, LLB (Wang et al., FeNet, Sec. III-B).

    Channel split into an upper half (three 3x3 convs with LeakyReLU(0.05)) and a lower half
    (identity). Channel attention of each branch re-weights it before it meets the other
    branch, in the two lattice combinations ``P = [x_low, CA(x_up)]`` and
    ``Q = [x_up, CA(x_low)]``; 1x1 convs reduce P and Q and a 1x1 conv fuses them.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.up_ch = channels // 2
        self.low_ch = channels - self.up_ch
        c1 = self.up_ch
        self.convs = nn.Sequential(
            default_conv(c1, c1, 3), nn.LeakyReLU(0.05),
            default_conv(c1, c1, 3), nn.LeakyReLU(0.05),
            default_conv(c1, c1, 3))
        self.att_up = CALayer(self.up_ch, reduction)
        self.att_low = CALayer(self.low_ch, reduction)
        self.reduce_p = nn.Conv2d(channels, self.up_ch, 1)
        self.reduce_q = nn.Conv2d(channels, self.low_ch, 1)
        self.fuse = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        upper, lower = torch.split(x, [self.up_ch, self.low_ch], dim=1)
        upper = self.convs(upper)
        p = torch.cat([lower, self.att_up(upper)], dim=1)
        q = torch.cat([upper, self.att_low(lower)], dim=1)
        return self.fuse(torch.cat([self.reduce_p(p), self.reduce_q(q)], dim=1))


class AttentionFuse(nn.Module):
    """Attention fusion of two maps, ``conv1x1([CA(a), CA(b)])`` (Wang et al., FeNet).

    Shapes:
        a, b (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.att_a = CALayer(channels, reduction)
        self.att_b = CALayer(channels, reduction)
        self.fuse = nn.Conv2d(2 * channels, channels, 1)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.fuse(torch.cat([self.att_a(a), self.att_b(b)], dim=1))


class FeatureEnhancementBlock(nn.Module):
    """Feature enhancement block, FEB (Wang et al., FeNet, Sec. III-C).

    Three nested LLBs; their outputs are fused from deep to shallow by attention fusion
    (``AF(AF(x3, x2), x1)``) and added to the input.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.llbs = nn.ModuleList(
            [LightweightLatticeBlock(channels, reduction) for _ in range(3)])
        self.fuse_deep = AttentionFuse(channels, reduction)
        self.fuse_shallow = AttentionFuse(channels, reduction)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.llbs[0](x)
        x2 = self.llbs[1](x1)
        x3 = self.llbs[2](x2)
        return x + self.fuse_shallow(self.fuse_deep(x3, x2), x1)


class BackwardFusion(nn.Module):
    """Backward fusion module, BFM (Wang et al., FeNet, Sec. III-D).

    Every FEB output is reduced to C/2 channels (1x1 conv + ReLU); starting from the deepest,
    each level is concatenated with the next shallower one and fused by a 1x1 conv (C -> C/2);
    the shallowest level is concatenated without fusion, giving C channels.

    Args:
        channels: C (even).
        n_inputs: number of FEB outputs (>= 2).

    Shapes:
        list of n_inputs maps (B, C, H, W), shallow first -> (B, C, H, W).
    """

    def __init__(self, channels: int, n_inputs: int):
        super().__init__()
        half = channels // 2
        self.reduce = nn.ModuleList([
            nn.Sequential(nn.Conv2d(channels, half, 1), nn.ReLU(inplace=True))
            for _ in range(n_inputs)
        ])
        self.fuse = nn.ModuleList([nn.Conv2d(channels, half, 1) for _ in range(n_inputs - 2)])

    def forward(self, feats: List[torch.Tensor]) -> torch.Tensor:
        reduced = [r(f) for r, f in zip(self.reduce, feats)]
        out = reduced[-1]
        for level in range(len(reduced) - 2, 0, -1):  # deepest-but-one ... second
            out = self.fuse[level - 1](torch.cat([out, reduced[level]], dim=1))
        return torch.cat([out, reduced[0]], dim=1)


@MODELS.register_module()
class FeNet(BaseGenerator):
    """FeNet: lightweight feature enhancement network for remote-sensing SR.

    Wang et al., "FeNet: Feature Enhancement Network for Lightweight Remote-Sensing Image
    Super-Resolution", IEEE TGRS 2022.

    Two 3x3 convs (in -> C -> C) extract shallow features; ``n_blocks`` feature enhancement
    blocks (nested lightweight lattice blocks) follow; the backward fusion module merges their
    outputs, the shallow features are added, and a conv3x3 plus a one-step sub-pixel
    upsampler (conv C -> in * s^2, pixel shuffle s) reconstruct. The paper adds the
    bicubically upsampled LR: set ``residual='bicubic'`` in the ``Downscaler``. Defaults are
    the paper's FeNet: C = 48, 4 FEBs, channel-attention reduction 8 (x8 uses the same
    one-step upsampler with s = 8; the paper reports x2/x3/x4).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: C (even).
        n_blocks: number of FEBs (>= 2).
        reduction: channel-attention reduction ratio.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale, an odd ``n_feats`` or ``n_blocks`` < 2.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Wang et al., "FeNet: Feature Enhancement Network for Lightweight Remote-Sensing '
             'Image Super-Resolution", IEEE TGRS 2022')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 48,
                 n_blocks: int = 4,
                 reduction: int = 8,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_feats % 2 or n_blocks < 2:
            raise ValueError(f'FeNet needs an even n_feats and n_blocks >= 2, found '
                             f'{n_feats} and {n_blocks}')
        self.head = nn.Sequential(
            default_conv(in_channels, n_feats, 3), default_conv(n_feats, n_feats, 3))
        self.blocks = nn.ModuleList(
            [FeatureEnhancementBlock(n_feats, reduction) for _ in range(n_blocks)])
        self.bfm = BackwardFusion(n_feats, n_blocks)
        self.tail = nn.Sequential(
            default_conv(n_feats, n_feats, 3), OneStepUpsampler(scale, n_feats, in_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        outs = []
        out = feat
        for block in self.blocks:
            out = block(out)
            outs.append(out)
        return self.tail(self.bfm(outs) + feat)
