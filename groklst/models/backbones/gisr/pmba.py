"""PMBA-Net (Ye, Sun, Wang, Yang, Xu, Li and Li, "PMBANet: Progressive Multi-Branch Aggregation
Network for Scene Depth Super-Resolution", IEEE TIP 2020), for guided LST downscaling."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import CALayer, DenseProjection, projection_conv
from groklst.models.layers.window_attention import pad_to_multiple
from groklst.registry import MODELS


def _conv_prelu(cin: int, cout: int, kernel_size: int = 3, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel_size, padding=dilation * (kernel_size // 2),
                  dilation=dilation), nn.PReLU())


class LocalAttention(nn.Module):
    """Local-residual attention of PMBA-Net's reconstruction units (Ye et al., TIP 2020):
    ``x + 0.1 · relu(x − U(A(x))) · x`` with ``A`` 4x4 average pooling and ``U`` a x4
    transposed conv + PReLU, which boosts features above their local mean.

    Shapes:
        (B, C, H, W) -> (B, C, H, W); H and W must be multiples of 4.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.up = nn.Sequential(projection_conv(channels, channels, 4, up=True), nn.PReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x + 0.1 * torch.relu(x - self.up(F.avg_pool2d(x, 4))) * x


class ReconstructionUnit(nn.Module):
    """One unit of the multi-scale (reconstruction) branch: optional strided down-projection
    HR -> LR (all units but the first), 1x1 conv, :class:`LocalAttention`, then a DBPN
    up-projection LR -> HR (:class:`~groklst.models.layers.DenseProjection`).

    Shapes:
        (B, C_in, h, w) (first unit) or (B, C_in, s*h, s*w) -> (B, C, s*h, s*w).
    """

    def __init__(self, in_channels: int, channels: int, scale: int, from_hr: bool):
        super().__init__()
        self.down = nn.Sequential(projection_conv(in_channels, channels, scale, up=False),
                                  nn.PReLU()) if from_hr else nn.Identity()
        self.squeeze = _conv_prelu(channels if from_hr else in_channels, channels, 1)
        self.attention = LocalAttention(channels)
        self.up = DenseProjection(channels, channels, scale, up=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        return self.up(self.attention(self.squeeze(self.down(x))))


class MultiViewBranch(nn.Module):
    """Multi-view branch: densely connected 3x3 convs with dilations 1, 2, 3, 4 (each adding
    ``growth`` channels), a fusing 3x3 conv and a transposed-conv upsampling to HR.

    Shapes:
        (B, C_in, h, w) -> (B, growth, s*h, s*w).
    """

    def __init__(self, in_channels: int, growth: int, scale: int):
        super().__init__()
        self.dilated = nn.ModuleList(
            _conv_prelu(in_channels + i * growth, growth, 3, dilation=i + 1) for i in range(4))
        self.fuse = _conv_prelu(in_channels + 4 * growth, growth)
        self.up = nn.Sequential(projection_conv(growth, growth, scale, up=True), nn.PReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        for conv in self.dilated:
            x = torch.cat([x, conv(x)], 1)
        return self.up(self.fuse(x))


class MBAStage(nn.Module):
    """Multi-branch aggregation stage: multi-view branch + reconstruction branch (``n_units``
    chained :class:`ReconstructionUnit`, whose HR outputs are concatenated and fused), summed
    (plus the guidance features in the first stage) and re-weighted by residual channel
    attention ``y = x + CA(x)``.

    Shapes:
        (B, C_in, h, w) -> (B, C, s*h, s*w).
    """

    def __init__(self, in_channels: int, channels: int, scale: int, n_units: int):
        super().__init__()
        self.multi_view = MultiViewBranch(in_channels, channels, scale)
        self.units = nn.ModuleList(
            ReconstructionUnit(in_channels if i == 0 else channels, channels, scale, i > 0)
            for i in range(n_units))
        self.fuse = _conv_prelu(n_units * channels, channels)
        self.attention = CALayer(channels, 16)

    def forward(self, x: torch.Tensor, extra: torch.Tensor = None) -> torch.Tensor:
        """LR features (B, C_in, h, w) [+ HR features (B, C, s*h, s*w)] -> (B, C, s*h, s*w)."""
        outs = []
        for unit in self.units:
            outs.append(unit(x if not outs else outs[-1]))
        y = self.multi_view(x) + self.fuse(torch.cat(outs, 1))
        if extra is not None:
            y = y + extra
        return y + self.attention(y)


@MODELS.register_module()
class PMBANet(BaseGenerator):
    """PMBA-Net: progressive multi-branch aggregation with back-projection.

    Ye, Sun, Wang, Yang, Xu, Li and Li, "PMBANet: Progressive Multi-Branch Aggregation Network
    for Scene Depth Super-Resolution", IEEE TIP 2020 (code: github.com/Sunbaoli/PMBANet_DSR).

    LR LST features (3x3 conv to ``guide_feats``, 1x1 to F) enter a chain of :class:`MBAStage`.
    Each stage maps the concatenated LR features of all previous stages to HR; the HR result is
    brought back to LR by a strided projection conv and appended to the LR features of the next
    stage (progressive refinement). The first stage also adds guidance features (3x3 convs
    K -> ``guide_feats`` -> F, 1x1 conv). A 3x3 conv maps the last HR features to the LST; the
    network predicts the HR field itself (``residual=None`` in the ``Downscaler``).

    One class for every scale: the projection kernels are DBPN's (6/2/2, 8/4/2, 12/8/2) and
    the number of stages grows with the scale, ``num_stages = log2(s) + 1`` (2, 3, 4 at x2, x4,
    x8) unless given. The official x4 network uses 3 stages, and its code keeps the modules of
    a 4th and 5th one for larger scales; GrokLST copied one class per scale, all with 3 stages.

    Deviations: K guidance bands; the LR input is padded (replicate) to a multiple of 4 for the
    4x4 local attention and cropped back; unused modules of the official code are left out.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_feats: width F of every branch (paper 64).
        guide_feats: width of the first LR/guidance convs (paper 256).
        num_stages: MBA stages (default ``log2(scale) + 1``).
        n_units: reconstruction units per stage (paper 4).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, ``num_stages`` or ``n_units`` < 1, or inputs of the
            wrong shape.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Ye et al., "PMBANet: Progressive Multi-Branch Aggregation Network for Scene Depth '
             'Super-Resolution", IEEE TIP 2020')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 64,
                 guide_feats: int = 256, num_stages: int = None, n_units: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if num_stages is None:
            num_stages = int(math.log2(scale)) + 1
        if num_stages < 1 or n_units < 1:
            raise ValueError(f'num_stages and n_units must be >= 1, found {num_stages} and '
                             f'{n_units}')
        self.guidance_channels = guidance_channels
        self.num_stages = num_stages
        self.lst_head = nn.Sequential(_conv_prelu(1, guide_feats), _conv_prelu(guide_feats,
                                                                               n_feats, 1))
        self.guide_head = nn.Sequential(_conv_prelu(guidance_channels, guide_feats),
                                        _conv_prelu(guide_feats, n_feats),
                                        _conv_prelu(n_feats, n_feats, 1))
        self.stages = nn.ModuleList(
            MBAStage((i + 1) * n_feats, n_feats, scale, n_units) for i in range(num_stages))
        self.down = nn.ModuleList(
            nn.Sequential(projection_conv(n_feats, n_feats, scale, up=False), nn.PReLU())
            for _ in range(num_stages - 1))
        self.tail = nn.Conv2d(n_feats, 1, 3, padding=1)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w)."""
        lr, (h, w) = pad_to_multiple(lr, 4, mode='replicate')
        guidance, _ = pad_to_multiple(guidance, 4 * self.scale, mode='replicate')
        x = self.lst_head(lr)
        hr = self.stages[0](x, self.guide_head(guidance))
        for down, stage in zip(self.down, self.stages[1:]):
            x = torch.cat([x, down(hr)], 1)
            hr = stage(x)
        return self.tail(hr)[..., :h * self.scale, :w * self.scale]
