"""EGASR (Qiu, Shen, Yue and Zheng, "Cross-sensor remote sensing imagery super-resolution via an
edge-guided attention-based network", ISPRS Journal of Photogrammetry and Remote Sensing 199,
2023)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, ResBlock, default_conv
from groklst.models.layers.attention import SpatialAttention
from groklst.registry import MODELS

#: Fixed 3x3 edge templates of the edge convolutions.
EDGE_TEMPLATES = {
    'sobelx': ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0)),
    'sobely': ((1.0, 2.0, 1.0), (0.0, 0.0, 0.0), (-1.0, -2.0, -1.0)),
    'laplacian': ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0)),
}


class EdgeConv(nn.Module):
    """Edge convolution: a learnable 1x1 conv followed by a fixed edge template (Sobel-x,
    Sobel-y or Laplacian) applied depth-wise with a learnable per-channel scale and bias.

    The 1x1 output is padded with its own bias (what the 1x1 conv gives on a zero-padded
    input), so the pair equals one 3x3 convolution with a structured kernel.

    Args:
        channels: C (input = output).
        kind: 'sobelx', 'sobely' or 'laplacian'.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: for an unknown ``kind``.
    """

    def __init__(self, channels: int, kind: str):
        super().__init__()
        if kind not in EDGE_TEMPLATES:
            raise ValueError(f'kind must be one of {sorted(EDGE_TEMPLATES)}, found {kind!r}')
        self.conv0 = nn.Conv2d(channels, channels, 1)
        self.scale = nn.Parameter(torch.randn(channels, 1, 1, 1) * 1e-3)
        self.bias = nn.Parameter(torch.randn(channels) * 1e-3)
        template = torch.tensor(EDGE_TEMPLATES[kind]).expand(channels, 1, 3, 3).clone()
        self.register_buffer('template', template)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        b0 = self.conv0.bias.view(1, -1, 1, 1)
        y0 = F.pad(self.conv0(x) - b0, (1, 1, 1, 1)) + b0
        return F.conv2d(y0, self.scale * self.template, self.bias, groups=y0.shape[1])


class EdgeGuidedCore(nn.Module):
    """Core module of the EGRAB (Qiu et al., ISPRS JPRS 2023).

    A residual block (PReLU per channel, convs initialised Kaiming x 0.1) and an edge branch
    (three edge convolutions of the input, concatenated, 1x1 reduction, spatial attention) are
    fused with selective-kernel attention: a global descriptor of their sum -> Linear (C -> d)
    -> one Linear (d -> C) per branch -> softmax across branches -> weighted sum.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 2, min_hidden: int = 32,
                 edges=('sobelx', 'sobely', 'laplacian')):
        super().__init__()
        hidden = max(channels // reduction, min_hidden)
        self.trunk = ResBlock(channels, 3, act_cfg=dict(type='PReLU', num_parameters=channels))
        for conv in (self.trunk.body[0], self.trunk.body[2]):
            nn.init.kaiming_normal_(conv.weight, a=0, mode='fan_in')
            conv.weight.data.mul_(0.1)
            nn.init.zeros_(conv.bias)
        self.edge_convs = nn.ModuleList([EdgeConv(channels, k) for k in edges])
        self.reduce = default_conv(channels * len(edges), channels, 1)
        self.sa = SpatialAttention()
        self.fc = nn.Linear(channels, hidden)
        self.fcs = nn.ModuleList([nn.Linear(hidden, channels) for _ in range(2)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        trunk = self.trunk(x)
        edge = self.reduce(torch.cat([ec(x) for ec in self.edge_convs], dim=1))
        edge = self.sa(edge) * edge
        branches = torch.stack([trunk, edge], dim=1)  # (B, 2, C, H, W)
        z = self.fc(branches.sum(dim=1).mean(dim=(2, 3)))
        weights = torch.stack([fc(z) for fc in self.fcs], dim=1).softmax(dim=1)
        return (branches * weights[..., None, None]).sum(dim=1)


class EGRAB(nn.Module):
    """Edge-guided residual attention block: conv -> PReLU -> conv -> core module, plus
    identity. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int, kernel_size: int = 3):
        super().__init__()
        self.body = nn.Sequential(
            default_conv(channels, channels, kernel_size), nn.PReLU(),
            default_conv(channels, channels, kernel_size), EdgeGuidedCore(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class REG(nn.Module):
    """Residual edge-enhanced group: ``n_blocks`` EGRABs and a conv, with a skip."""

    def __init__(self, channels: int, n_blocks: int, kernel_size: int = 3):
        super().__init__()
        self.body = nn.Sequential(*[EGRAB(channels, kernel_size) for _ in range(n_blocks)],
                                  default_conv(channels, channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@MODELS.register_module()
class EGASR(BaseGenerator):
    """EGASR: edge-guided attention-based SR network for cross-sensor remote-sensing imagery.

    Qiu, Shen, Yue and Zheng, "Cross-sensor remote sensing imagery super-resolution via an
    edge-guided attention-based network", ISPRS Journal of Photogrammetry and Remote Sensing
    199, 226-241, 2023.

    head conv (in -> C) -> conv -> ``n_resgroups`` REGs, each followed by adding ``gamma`` x
    the body input (learnable scalar, initialised 0) -> the same conv again (the reference
    shares this conv's weights between its two uses) -> x2 pixel-shuffle stages -> conv
    (C -> in). The network predicts a residual over the bilinearly upsampled LR
    (configs set ``residual='bilinear'``).

    Defaults are the paper's: C=64, 10 groups of 16 EGRABs. Deviations: the edge branch uses
    Sobel-x, Sobel-y and Laplacian templates as the paper describes (the released code lists
    Sobel-x twice); an unused 3x3 conv of the reference core module is left out.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width C.
        n_resgroups: number of REGs.
        n_resblocks: EGRABs per REG.
        kernel_size: conv kernel size.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Qiu et al., "Cross-sensor remote sensing imagery super-resolution via an '
             'edge-guided attention-based network", ISPRS J. Photogramm. Remote Sens. 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resgroups: int = 10,
                 n_resblocks: int = 16,
                 kernel_size: int = 3,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.head = default_conv(in_channels, n_feats, kernel_size)
        self.conv = default_conv(n_feats, n_feats, kernel_size)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.groups = nn.ModuleList(
            [REG(n_feats, n_resblocks, kernel_size) for _ in range(n_resgroups)])
        self.tail = nn.Sequential(PixelShuffleUpsampler(scale, n_feats, kernel_size),
                                  default_conv(n_feats, in_channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> residual (B, C, s*h, s*w)."""
        feat = self.conv(self.head(x))
        skip = feat
        for group in self.groups:
            feat = group(feat) + self.gamma * skip
        return self.tail(self.conv(feat))
