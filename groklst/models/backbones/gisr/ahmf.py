"""AHMF (Zhong, Liu, Jiang, Zhao and Ji, "High-Resolution Depth Maps Imaging via
Attention-Based Hierarchical Multi-Modal Fusion", IEEE TIP 2021)."""
import math
from typing import Any, List, Mapping, Sequence, Union

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.builder import build_part, per_stage_cfgs
from groklst.models.layers import ResBlock, default_conv
from groklst.registry import MODELS


def _conv_prelu(in_channels: int, out_channels: int, kernel_size: int = 3) -> nn.Sequential:
    return nn.Sequential(default_conv(in_channels, out_channels, kernel_size), nn.PReLU())


def _res_prelu(channels: int) -> nn.Sequential:
    """AHMF residual unit: conv-PReLU-conv plus identity, then PReLU."""
    return nn.Sequential(ResBlock(channels, 3, act_cfg='PReLU'), nn.PReLU())


def _x2_stages(scale: int) -> int:
    return int(math.log2(scale))


class GatedConv(nn.Module):
    """Gated convolution ``sigmoid(conv_a(x)) * PReLU(conv_b(x))`` that filters a modality
    before fusion (AHMF, Sec. III-B). Shapes: (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        self.gate = default_conv(channels, channels, 3)
        self.feature = _conv_prelu(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return torch.sigmoid(self.gate(x)) * self.feature(x)


class MultiModalAttention(nn.Module):
    """Multi-modal attention block (MMAB) of AHMF (Sec. III-B).

    The concatenated LST and guidance features are squeezed (3x3 conv, 2C -> 2C/r, PReLU) and
    summarised per channel by mean + variance over space; two 1x1 convs with sigmoid give one
    channel gate per modality. Returns ``(gate_l * lst / 2, gate_g * guide / 2)``.

    Shapes:
        lst, guide (B, C, H, W) -> two (B, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        hidden = max(1, 2 * channels // reduction)
        self.squeeze = _conv_prelu(2 * channels, hidden)
        self.gate_lst = nn.Sequential(nn.Conv2d(hidden, channels, 1), nn.Sigmoid())
        self.gate_guide = nn.Sequential(nn.Conv2d(hidden, channels, 1), nn.Sigmoid())

    def forward(self, lst: torch.Tensor, guide: torch.Tensor):
        """Two (B, C, H, W) features -> the two re-weighted features."""
        fused = self.squeeze(torch.cat([lst, guide], dim=1))
        stats = fused.mean(dim=(2, 3), keepdim=True) + fused.var(dim=(2, 3), unbiased=False,
                                                                  keepdim=True)
        return self.gate_lst(stats) * lst / 2, self.gate_guide(stats) * guide / 2


class FusionUnit(nn.Module):
    """One AHMF fusion: gated convs on both modalities, MMAB, sum, residual unit."""

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        self.filter_lst = GatedConv(channels)
        self.filter_guide = GatedConv(channels)
        self.attention = MultiModalAttention(channels, reduction)
        self.refine = _res_prelu(channels)

    def forward(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """Two (B, C, H, W) features -> fused (B, C, H, W)."""
        lst, guide = self.attention(self.filter_lst(lst), self.filter_guide(guide))
        return self.refine(lst + guide)


class ConvGRUCell(nn.Module):
    """Convolutional GRU cell (Ballas et al., ICLR 2016), as used by AHMF's bidirectional
    hierarchical feature collaboration.

    ``z = sigma(W_z [x, h])``, ``r = sigma(W_r [x, h])``, ``n = tanh(W_n [x, r * h])``,
    ``h' = (1 - z) * h + z * n``.

    Shapes:
        x (B, C_in, H, W), h (B, C_h, H, W) -> h' (B, C_h, H, W).
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.update = default_conv(in_channels + hidden_channels, hidden_channels, kernel_size)
        self.reset = default_conv(in_channels + hidden_channels, hidden_channels, kernel_size)
        self.candidate = default_conv(in_channels + hidden_channels, hidden_channels,
                                      kernel_size)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W), (B, C_h, H, W) -> (B, C_h, H, W)."""
        xh = torch.cat([x, h], dim=1)
        z = torch.sigmoid(self.update(xh))
        r = torch.sigmoid(self.reset(xh))
        n = torch.tanh(self.candidate(torch.cat([x, r * h], dim=1)))
        return (1 - z) * h + z * n


class ConvGRU(nn.Module):
    """Stack of ConvGRU cells run over a sequence of feature maps (hidden state starts at 0);
    returns the last layer's hidden state at every step, each (B, C_h, H, W)."""

    def __init__(self, channels: int, num_layers: int = 2):
        super().__init__()
        self.cells = nn.ModuleList(ConvGRUCell(channels, channels) for _ in range(num_layers))

    def forward(self, sequence: List[torch.Tensor]) -> List[torch.Tensor]:
        """List of T tensors (B, C, H, W) -> list of T hidden states (B, C, H, W)."""
        for cell in self.cells:
            h = torch.zeros_like(sequence[0])
            states = []
            for x in sequence:
                h = cell(x, h)
                states.append(h)
            sequence = states
        return sequence


@MODELS.register_module()
class AHMF(BaseGenerator):
    """AHMF: attention-based hierarchical multi-modal fusion with a bidirectional ConvGRU.

    Zhong et al., "High-Resolution Depth Maps Imaging via Attention-Based Hierarchical
    Multi-Modal Fusion", IEEE TIP 2021.

    Everything runs at LR. The LST enters through conv-PReLU; the HR guidance through
    conv-PReLU and log2(s) stages of (2x2 space-to-depth, conv, PReLU). Each modality is refined
    by three conv-PReLU layers, giving four feature levels; the levels are fused pairwise
    (gated convs + multi-modal attention + residual unit), the four fused maps (deepest first)
    are passed through a forward and a backward two-layer ConvGRU, and each level's two hidden
    states are summed and refined. The four results are concatenated, reduced by a 1x1 conv and
    upsampled by log2(s) pixel-shuffle stages; the network predicts the residual over the
    bicubic LST, which the ``Downscaler`` adds (``residual='bicubic'``).

    Deviations: K guidance bands instead of RGB; the ``Downscaler`` adds the bicubic LST.
    The upsampling convs are 1x1 at x2/x4 and 3x3 at x8, as in the original code.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        num_feats: feature width C (paper 64).
        reduction: MMAB squeeze ratio (paper 4).
        gru_layers: ConvGRU depth per direction (paper 2).
        neck: None for AHMF's own fusion unit (gated convs, MMAB, residual unit) at every
            level, or a registered fusion neck config (``groklst.models.necks``, e.g.
            ``dict(type='MoCoLSKBlock')``) for every level, or a sequence of 4 configs, one per
            level (deepest first); AHMF sets the neck's ``dim`` to ``num_feats``.
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale; a ``neck`` that is not a neck or not one / 4 configs; in
            ``forward`` inputs that :func:`check_lr_guidance` rejects.
        KeyError: an unregistered ``neck`` type.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Zhong et al., "High-Resolution Depth Maps Imaging via Attention-Based Hierarchical '
             'Multi-Modal Fusion", IEEE TIP 2021')
    levels = 4

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 num_feats: int = 64,
                 reduction: int = 4,
                 gru_layers: int = 2,
                 neck: Union[None, Mapping[str, Any], Sequence[Mapping[str, Any]]] = None,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.guidance_channels = guidance_channels
        c = num_feats
        k = 3 if scale == 8 else 1
        self.lst_in = _conv_prelu(1, c)
        down = []
        for _ in range(_x2_stages(scale)):
            down += [nn.PixelUnshuffle(2), default_conv(4 * c, c, k), nn.PReLU()]
        self.guide_in = nn.Sequential(_conv_prelu(guidance_channels, c), *down)
        self.lst_convs = nn.ModuleList(_conv_prelu(c, c) for _ in range(self.levels - 1))
        self.guide_convs = nn.ModuleList(_conv_prelu(c, c) for _ in range(self.levels - 1))
        if neck is None:
            self.fusions = nn.ModuleList(FusionUnit(c, reduction) for _ in range(self.levels))
        else:
            self.fusions = nn.ModuleList(
                build_part(cfg, 'neck', dict(dim=c), owner='AHMF')
                for cfg in per_stage_cfgs(neck, self.levels, 'neck', owner='AHMF'))
        self.gru_forward = ConvGRU(c, gru_layers)
        self.gru_backward = ConvGRU(c, gru_layers)
        self.compress = nn.ModuleList(_res_prelu(c) for _ in range(self.levels))
        up = []
        for _ in range(_x2_stages(scale)):
            up += [default_conv(c, 4 * c, k), nn.PixelShuffle(2), nn.PReLU()]
        self.tail = nn.Sequential(_conv_prelu(self.levels * c, c, 1), *up,
                                  default_conv(c, 1, 3))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        lst_levels = [self.lst_in(lr)]
        guide_levels = [self.guide_in(guidance)]
        for lst_conv, guide_conv in zip(self.lst_convs, self.guide_convs):
            lst_levels.append(lst_conv(lst_levels[-1]))
            guide_levels.append(guide_conv(guide_levels[-1]))
        fused = [fuse(lst_levels[-1 - i], guide_levels[-1 - i])
                 for i, fuse in enumerate(self.fusions)]
        ahead = self.gru_forward(fused)
        behind = self.gru_backward(fused[::-1])[::-1]
        out = [refine(a + b) for refine, a, b in zip(self.compress, ahead, behind)]
        return self.tail(torch.cat(out, dim=1))
