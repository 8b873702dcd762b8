"""RSAG (Yuan, Jiang, Zhang, Wang, Ji and Li, "Recurrent Structure Attention Guidance for Depth
Super-Resolution", AAAI 2023), for guided LST downscaling."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import CALayer, PixelShuffleUpsampler, RCAB, default_conv
from groklst.models.layers.attention import SpatialAttention
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


class SpatialGate(nn.Module):
    """CBAM spatial attention applied to its input (Woo et al., ECCV 2018): ``x · σ(conv3x3([mean_c
    x, max_c x]))``, reusing the shared CBAM :class:`SpatialAttention` map. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self):
        super().__init__()
        self.attention = SpatialAttention(kernel_size=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x * self.attention(x)


def cbam_block(channels: int, reduction: int = 16) -> RCAB:
    """RCAB whose residual branch ends in channel then spatial attention (the CBAM residual
    block of RSAG): (B, C, H, W) -> (B, C, H, W)."""
    block = RCAB(channels, 3, reduction)
    block.body.append(SpatialGate())
    return block


class EdgeSplit(nn.Module):
    """High-frequency extraction of RSAG: three rounds of ``sigmoid(|φ(conv_a x) − φ(conv_b x)|)``
    (φ = PReLU; kernel pairs 5/7, 3/5, 1/3), a learnt difference-of-filters edge detector.

    Returns ``(hf, lf)`` with ``lf = x − hf``. Shapes: (B, 1, H, W) -> 2 × (B, 1, H, W).
    """

    def __init__(self):
        super().__init__()
        self.pairs = nn.ModuleList(
            nn.ModuleList(nn.Sequential(nn.Conv2d(1, 1, k, padding=k // 2, bias=False),
                                        nn.PReLU()) for k in ks)
            for ks in ((5, 7), (3, 5), (1, 3)))

    def forward(self, x: torch.Tensor):
        """See the class docstring."""
        edge = x
        for conv_a, conv_b in self.pairs:
            edge = torch.sigmoid((conv_a(edge) - conv_b(edge)).abs())
        return edge, x - edge


class DownBlock(nn.Sequential):
    """Stride-2 3x3 conv + LeakyReLU(0.2), then a 3x3 conv: (B, C_in, H, W) ->
    (B, C_out, H/2, W/2)."""

    def __init__(self, cin: int, mid: int, cout: int):
        super().__init__(nn.Conv2d(cin, mid, 3, stride=2, padding=1, bias=False),
                         nn.LeakyReLU(0.2), nn.Conv2d(mid, cout, 3, padding=1, bias=False))


class StructureAttention(nn.Module):
    """Structure attention of RSAG (Yuan et al., AAAI 2023, Sec. 3.2): differences of
    1x1 and 3x3 responses of the guidance and of the LST structure features (edge-like
    contrast), summed and passed through channel then spatial attention, plus γ × a 1x1
    guidance projection (γ learnt, init 0).

    Shapes:
        lst (B, C, H, W), guide (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()

        def proj(k):
            return nn.Sequential(default_conv(channels, channels, k), nn.PReLU())

        self.guide_1, self.guide_a, self.guide_b = proj(1), proj(1), proj(3)
        self.lst_a, self.lst_b = proj(1), proj(3)
        self.channel = CALayer(channels, 16)
        self.spatial = SpatialGate()
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        contrast = ((self.guide_a(guide) - self.guide_b(guide)).abs()
                    + (self.lst_a(lst) - self.lst_b(lst)).abs())
        return self.spatial(self.channel(contrast)) + self.gamma * self.guide_1(guide)


@MODELS.register_module()
class RSAG(BaseGenerator):
    """RSAG: recurrent structure attention guidance.

    Yuan, Jiang, Zhang, Wang, Ji and Li, "Recurrent Structure Attention Guidance for Depth
    Super-Resolution", AAAI 2023 (code: github.com/Yuanjiayii/DSR_RSAG).

    With P = log2(s) and widths c_p = F·2^p:

    1. The bicubic LR ``x↑`` is split by :class:`EdgeSplit` into high-frequency ``hf`` and
       low-frequency ``lf = x↑ − hf``.
    2. A shared encoder of P :class:`DownBlock` (c_p -> c_{p+1}, /2) is applied to the HR
       features of ``hf`` and of the guidance (K -> F head), keeping every level.
    3. Decoder, P steps from HR/2^P up: ``n_blocks`` CBAM residual blocks, ×2 pixel shuffle,
       1x1 conv; the result is concatenated with the encoder skip, the
       :class:`StructureAttention` of a structure map and the guidance, and the structure map
       itself. A 3x3 conv gives the high-frequency estimate.
    4. A low-frequency branch refines ``lf`` with the last two decoder outputs.
    5. Recurrence: in the first pass the structure maps are the LR LST upsampled ×2 per level;
       the first estimate ``x↑ + sr − hf + lf_res`` is then encoded (same encoder) and its
       levels serve as the structure maps of a second decoder pass (shared weights), whose
       estimate is the output.

    The generator returns ``sr − hf + lf_res`` of the second pass (the paper adds ``lf`` =
    ``x↑ − hf``), i.e. the residual to the bicubic LR: ``residual='bicubic'``.

    Extension to x2: the official code supports x4 and x8 only (P >= 2). The low-frequency
    branch needs the decoder features at HR/2 and HR; counting the bottleneck as the coarsest
    decoder output, these are the bottleneck and the last step when P = 1, and the same
    tensors as the official code when P >= 2. Deviations: K guidance bands; modules the
    official code builds but never uses are left out; each PReLU has its own slope. Any LR size
    works (the encoder halves the HR grid P times, back to the LR grid).

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_feats: width F at HR (paper 16).
        n_blocks: CBAM blocks per decoder step (paper 30).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> residual (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, or inputs of the wrong shape / band count.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Yuan et al., "Recurrent Structure Attention Guidance for Depth '
             'Super-Resolution", AAAI 2023')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 16,
                 n_blocks: int = 30, init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.guidance_channels = guidance_channels
        phases = int(math.log2(scale))
        self.phases = phases
        ch = [n_feats * 2 ** p for p in range(phases + 1)]
        self.edge = EdgeSplit()
        self.head = default_conv(1, n_feats, 3)
        self.guide_head = default_conv(guidance_channels, n_feats, 3)
        self.down = nn.ModuleList(DownBlock(ch[p], ch[p], ch[p + 1]) for p in range(phases))
        # decoder step i ends at level p = phases - 1 - i with c_p channels
        self.lst_up = nn.ModuleList(default_conv(1, ch[phases - 1 - i], 3)
                                    for i in range(phases))
        self.attention = nn.ModuleList(StructureAttention(ch[phases - 1 - i])
                                       for i in range(phases))
        self.decoder = nn.ModuleList()
        for i in range(phases):
            cin = ch[phases] if i == 0 else 4 * ch[phases - i]
            self.decoder.append(nn.Sequential(
                *[cbam_block(cin) for _ in range(n_blocks)],
                PixelShuffleUpsampler(2, cin), default_conv(cin, ch[phases - 1 - i], 1)))
        self.tail = default_conv(4 * n_feats, 1, 3)
        self.lf_down = DownBlock(n_feats, n_feats, 2 * n_feats)
        self.lf_up = nn.Sequential(
            nn.ConvTranspose2d(4 * n_feats, n_feats, 5, stride=2, padding=2, output_padding=1),
            nn.PReLU())
        self.lf_tail = default_conv(2 * n_feats, 1, 3)

    def _decode(self, bottom, skips, guides, structures):
        """One decoder pass; returns the HF estimate (B, 1, H, W) and all decoder outputs."""
        outs, x = [bottom], bottom
        for i, block in enumerate(self.decoder):
            x = block(x)
            outs.append(x)
            lvl = self.phases - 1 - i
            att = self.attention[i](structures[lvl], guides[lvl])
            x = torch.cat([x, skips[lvl], att, structures[lvl]], 1)
        return self.tail(x), outs

    def _low_frequency(self, lf_feat, outs):
        x = self.lf_up(torch.cat([self.lf_down(lf_feat), outs[-2]], 1))
        return self.lf_tail(torch.cat([x, outs[-1]], 1))

    def _encode(self, x):
        levels = []
        for down in self.down:
            levels.append(x)
            x = down(x)
        return levels, x

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> residual (B, 1, s*h,
        s*w) to add to the bicubic-upsampled LR."""
        lr_up = interpolate_lr(lr, self.scale, 'bicubic')
        hf, lf = self.edge(lr_up)
        skips, bottom = self._encode(self.head(hf))
        guides, _ = self._encode(self.guide_head(guidance))
        # first pass: structure maps from the LR LST, upsampled x2 per level (coarse to fine)
        structures, up = [None] * self.phases, lr
        for i in range(self.phases):
            up = F.interpolate(up, scale_factor=2, mode='bicubic', align_corners=False)
            structures[self.phases - 1 - i] = self.lst_up[i](up)
        lf_feat = self.head(lf)
        sr, outs = self._decode(bottom, skips, guides, structures)
        first = sr + lf + self._low_frequency(lf_feat, outs)
        # second pass: the first estimate's own encoder levels guide the decoder
        structures, _ = self._encode(self.head(first))
        sr, outs = self._decode(bottom, skips, guides, structures)
        return sr - hf + self._low_frequency(lf_feat, outs)
