"""CFGN (Dai et al., "CFGN: A Lightweight Context Feature Guided Network for Image
Super-Resolution", IEEE Transactions on Emerging Topics in Computational Intelligence 2024)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import OneStepUpsampler, default_conv
from groklst.registry import MODELS

BLOCK_TYPES = ('cfgm', 'srb')
ACTS = ('lrelu', 'identity')


def _act(kind: str) -> nn.Module:
    """'lrelu' -> LeakyReLU(0.05); 'identity' -> Identity."""
    return nn.LeakyReLU(0.05) if kind == 'lrelu' else nn.Identity()


class ContrastChannelAttention(nn.Module):
    """Contrast-aware channel attention (Hui et al., IMDN, ACM MM 2019): the per-channel
    standard deviation plus mean feeds a 1x1 bottleneck (LeakyReLU 0.05) and a sigmoid gate.
    (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.gate = nn.Sequential(default_conv(channels, hidden, 1), nn.LeakyReLU(0.05),
                                  default_conv(hidden, channels, 1), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = (x - mean).pow(2).mean(dim=(2, 3), keepdim=True).sqrt()
        return x * self.gate(std + mean)


class ContextFeatureGuidedModule(nn.Module):
    """Context feature guided module (CFGM, the paper's 'CFGM_v2') of CFGN (Dai et al.,
    TETCI 2024).

    ``n_conv`` steps, each ``y <- conv_a(y) + conv_b(y)`` with a grouped 3x3 conv (dilation 1)
    and a grouped 3x3 conv of larger dilation (the context), each followed by a per-channel
    PReLU; a skip over the module. (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, dilation: int = 3, groups: int = 32, n_conv: int = 3):
        super().__init__()
        self.local = nn.ModuleList()
        self.context = nn.ModuleList()
        for _ in range(n_conv):
            self.local.append(nn.Sequential(
                default_conv(channels, channels, 3, groups=groups),
                nn.PReLU(channels, init=0.05)))
            self.context.append(nn.Sequential(
                default_conv(channels, channels, 3, groups=groups, dilation=dilation),
                nn.PReLU(channels, init=0.05)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for local, context in zip(self.local, self.context):
            y = local(y) + context(y)
        return y + x


class ShallowResidualBlock(nn.Module):
    """SRB (the 'base' block): LeakyReLU(0.05)(conv3x3(x) + x)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = default_conv(channels, channels, 3)
        self.act = nn.LeakyReLU(0.05)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x) + x)


class CFGNGroup(nn.Module):
    """Main block of CFGN: three blocks in sequence with feature distillation - before each
    block a 1x1 conv (C -> C/2) taps the current features, after the last a 3x3 conv
    (C -> C/2); the four taps are concatenated, fused by a 1x1 conv (2C -> C) + LeakyReLU,
    re-weighted by contrast-aware channel attention and added to the input.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, act: str, block_type: str, dilation: int, groups: int,
                 n_blocks: int = 3):
        super().__init__()
        if block_type == 'cfgm':
            make = lambda: ContextFeatureGuidedModule(channels, dilation, groups)  # noqa: E731
        else:
            make = lambda: ShallowResidualBlock(channels)  # noqa: E731
        self.blocks = nn.ModuleList([make() for _ in range(n_blocks)])
        self.taps = nn.ModuleList([
            nn.Sequential(default_conv(channels, channels // 2, 1), _act(act))
            for _ in range(n_blocks)
        ])
        self.last_tap = nn.Sequential(default_conv(channels, channels // 2, 3), _act(act))
        self.fuse = nn.Sequential(default_conv((n_blocks + 1) * (channels // 2), channels, 1),
                                  nn.LeakyReLU(0.05))
        self.cca = ContrastChannelAttention(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        taps = []
        for tap, block in zip(self.taps, self.blocks):
            taps.append(tap(y))
            y = block(y)
        taps.append(self.last_tap(y))
        return x + self.cca(self.fuse(torch.cat(taps, dim=1)))


@MODELS.register_module()
class CFGN(BaseGenerator):
    """CFGN: a light network of context-feature-guided distillation blocks.

    Dai et al., "CFGN: A Lightweight Context Feature Guided Network for Image
    Super-Resolution", IEEE Transactions on Emerging Topics in Computational Intelligence 2024.

    conv 3x3 (in -> C) -> ``n_resgroups`` main blocks; the head features and every block output
    are concatenated and fused (1x1 + LeakyReLU 0.05, 3x3), plus the head skip -> one conv
    (C -> in*s^2) and one pixel shuffle. No interpolation skip (``residual=None``).

    Defaults are the paper's released training setting: C=64, 9 main blocks, LeakyReLU taps,
    CFGM blocks (grouped convs, 32 groups) with context dilation 3.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width C (even; divisible by ``groups`` for CFGM blocks).
        n_resgroups: number of main blocks.
        act: activation of the distillation taps, 'lrelu' or 'identity'.
        block_type: 'cfgm' (paper) or 'srb' (the plain shallow residual block baseline).
        dilation: dilation of the CFGM context convs.
        groups: groups of the CFGM convs.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, block type or activation, or widths that do not split.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Dai et al., "CFGN: A Lightweight Context Feature Guided Network for Image '
             'Super-Resolution", IEEE TETCI 2024')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resgroups: int = 9,
                 act: str = 'lrelu',
                 block_type: str = 'cfgm',
                 dilation: int = 3,
                 groups: int = 32,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if block_type not in BLOCK_TYPES or act not in ACTS:
            raise ValueError(f'block_type must be one of {BLOCK_TYPES} and act one of {ACTS}, '
                             f'found {block_type!r}, {act!r}')
        if n_feats % 2 or (block_type == 'cfgm' and n_feats % groups):
            raise ValueError(f'n_feats {n_feats} must be even and divisible by groups {groups}')
        self.head = default_conv(in_channels, n_feats, 3)
        self.body = nn.ModuleList([
            CFGNGroup(n_feats, act, block_type, dilation, groups) for _ in range(n_resgroups)
        ])
        self.fusion = nn.Sequential(default_conv(n_feats * (n_resgroups + 1), n_feats, 1),
                                    nn.LeakyReLU(0.05), default_conv(n_feats, n_feats, 3))
        self.upsampler = OneStepUpsampler(scale, n_feats, in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        head = self.head(x)
        outs = [head]
        feat = head
        for block in self.body:
            feat = block(feat)
            outs.append(feat)
        return self.upsampler(self.fusion(torch.cat(outs, dim=1)) + head)
