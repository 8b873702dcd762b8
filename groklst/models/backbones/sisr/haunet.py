"""HAUNet (Wang, Wang, Wang, Zhao and Long, "Hybrid Attention-Based U-Shaped Network for Remote
Sensing Image Super-Resolution", IEEE TGRS 61, 5612515, 2023)."""
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import LayerNorm2d, OneStepUpsampler, default_conv, pad_to_multiple
from groklst.registry import MODELS


def _heads(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, heads, C/heads, H*W)."""
    b, c, h, w = t.shape
    return t.reshape(b, num_heads, c // num_heads, h * w)


def _merge(t: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(B, heads, d, H*W) -> (B, heads*d, H, W)."""
    b = t.shape[0]
    return t.reshape(b, -1, h, w)


def _cosine_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                      temperature: torch.Tensor) -> torch.Tensor:
    """softmax(ReLU(cos(q, k) * temperature)) @ v along the last two axes."""
    attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
    return F.relu(attn * temperature).softmax(dim=-1) @ v


class GatedFFN(nn.Module):
    """NAFNet-style FFN: 1x1 (C -> 2C'), simple gate (first half * second half), 1x1 (C' -> C);
    (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int, expand: int = 2):
        super().__init__()
        hidden = expand * dim
        self.conv4 = default_conv(dim, hidden, 1)
        self.conv5 = default_conv(hidden // 2, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.conv4(x).chunk(2, dim=1)
        return self.conv5(a * b)


class SEMBlock(nn.Module):
    """Single-scale feature extraction module (SEM) of HAUNet (Wang et al., TGRS 2023).

    Pre-norm (LayerNorm2d) qkv from 1x1 + depth-wise 3x3 convs; per head, channels attend to
    channels (cosine similarity x learnable temperature, ReLU, softmax); 1x1 projection added
    through a zero-initialised per-channel scale ``beta``; then a pre-norm gated FFN added
    through ``gamma`` (also zero-initialised, so every block starts as the identity). With
    ``spatial=True`` (the spatial SEM variant) a second, spatial self-attention over all H*W
    positions (its own temperature and projection, scale ``beta2``) runs on the same q, k, v.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, dim: int, num_heads: int, ffn_expand: int = 2, spatial: bool = False):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.spatial = spatial
        self.norm1 = LayerNorm2d(dim)
        self.qkv = default_conv(dim, 3 * dim, 1)
        self.qkv_dwconv = default_conv(3 * dim, 3 * dim, 3, groups=3 * dim)
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.project_out = default_conv(dim, dim, 1)
        self.beta = nn.Parameter(torch.zeros(1, dim, 1, 1))
        if spatial:
            self.temperature2 = nn.Parameter(torch.ones(num_heads, 1, 1))
            self.project_out2 = default_conv(dim, dim, 1)
            self.beta2 = nn.Parameter(torch.zeros(1, dim, 1, 1))
        self.norm2 = LayerNorm2d(dim)
        self.ffn = GatedFFN(dim, ffn_expand)
        self.gamma = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        h, w = inp.shape[-2:]
        q, k, v = (_heads(t, self.num_heads)
                   for t in self.qkv_dwconv(self.qkv(self.norm1(inp))).chunk(3, dim=1))
        out = _merge(_cosine_attention(q, k, v, self.temperature), h, w)
        y = inp + self.project_out(out) * self.beta
        if self.spatial:
            qs, ks, vs = (t.transpose(-2, -1) for t in (q, k, v))
            outs = _cosine_attention(qs, ks, vs, self.temperature2).transpose(-2, -1)
            y = y + self.project_out2(_merge(outs, h, w)) * self.beta2
        return y + self.ffn(self.norm2(y)) * self.gamma


class CrossScaleInteraction(nn.Module):
    """Cross-scale interaction module (CIM) of HAUNet: the skip connection between encoder and
    decoder scales.

    The three encoder scales are brought to full resolution (nearest upsampling), normalised,
    concatenated and turned into shared keys/values (1x1 + depth-wise 3x3, 3C -> 2C); each
    scale's own queries attend to them channel-wise (cosine x temperature, ReLU, softmax), each
    scale has its projection, gated FFN and zero-initialised scales, and the outputs are
    brought back to their scales (nearest).

    Shapes:
        [(B, C, H, W), (B, C, H/2, W/2), (B, C, H/4, W/4)] -> same shapes.
    """

    def __init__(self, dim: int, num_heads: int = 2, ffn_expand: int = 2, n_scales: int = 3):
        super().__init__()
        self.num_heads = num_heads
        self.n_scales = n_scales
        self.kv = default_conv(dim * n_scales, dim * 2 * n_scales, 1)
        self.kv_dwconv = default_conv(dim * 2 * n_scales, dim * 2 * n_scales, 3,
                                      groups=dim * 2 * n_scales)
        self.q_norm = nn.ModuleList([LayerNorm2d(dim) for _ in range(n_scales)])
        self.q = nn.ModuleList([default_conv(dim, dim, 1) for _ in range(n_scales)])
        self.q_dwconv = nn.ModuleList(
            [default_conv(dim, dim, 3, groups=dim) for _ in range(n_scales)])
        self.temperature = nn.ParameterList(
            [nn.Parameter(torch.ones(num_heads, 1, 1)) for _ in range(n_scales)])
        self.project_out = nn.ModuleList([default_conv(dim, dim, 1) for _ in range(n_scales)])
        self.beta = nn.ParameterList(
            [nn.Parameter(torch.zeros(1, dim, 1, 1)) for _ in range(n_scales)])
        self.ffn_norm = nn.ModuleList([LayerNorm2d(dim) for _ in range(n_scales)])
        self.ffn = nn.ModuleList([GatedFFN(dim, ffn_expand) for _ in range(n_scales)])
        self.gamma = nn.ParameterList(
            [nn.Parameter(torch.zeros(1, dim, 1, 1)) for _ in range(n_scales)])

    def forward(self, encs: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """See the class docstring."""
        h, w = encs[0].shape[-2:]
        full = [e if i == 0 else F.interpolate(e, scale_factor=2 ** i, mode='nearest')
                for i, e in enumerate(encs)]
        normed = [norm(e) for norm, e in zip(self.q_norm, full)]
        k, v = self.kv_dwconv(self.kv(torch.cat(normed, dim=1))).chunk(2, dim=1)
        k, v = _heads(k, self.num_heads), _heads(v, self.num_heads)
        outs = []
        for i in range(self.n_scales):
            q = _heads(self.q_dwconv[i](self.q[i](normed[i])), self.num_heads)
            out = _merge(_cosine_attention(q, k, v, self.temperature[i]), h, w)
            y = full[i] + self.project_out[i](out) * self.beta[i]
            y = y + self.ffn[i](self.ffn_norm[i](y)) * self.gamma[i]
            outs.append(y if i == 0 else F.interpolate(y, scale_factor=0.5 ** i,
                                                       mode='nearest'))
        return outs


@MODELS.register_module()
class HAUNet(BaseGenerator):
    """HAUNet: a hybrid (channel + spatial) attention U-shaped network for remote-sensing SR.

    Wang et al., "Hybrid Attention-Based U-Shaped Network for Remote Sensing Image
    Super-Resolution", IEEE TGRS 2023.

    conv 3x3 (in -> C); encoder: spatial+channel SEM blocks at full resolution, 2x2 stride-2
    conv, channel SEM blocks at 1/2, 2x2 stride-2 conv; middle: channel SEM blocks at 1/4; the
    cross-scale interaction module (CIM) refines the three scales; middle SEM blocks, then
    decoder: 2x2 transposed conv + CIM skip + channel SEM blocks at 1/2, transposed conv + CIM
    skip + spatial+channel SEM blocks at full resolution; one conv (C -> in*s^2) and one pixel
    shuffle. The network predicts a residual over the bilinearly upsampled LR (configs set
    ``residual='bilinear'``). The input is zero-padded to a multiple of 4 and the output cropped
    back.

    Defaults are the paper's (official ``make_model``): C=96, encoder (5, 5) and decoder (5, 5)
    blocks, 10 middle blocks (5 before and 5 after the CIM), heads (1, 2, 4) for
    full / half / quarter resolution. Deviation: the reference applies the second scale's
    output projection to the third scale too (leaving one projection unused); here each scale
    uses its own. Note the spatial SEM attention is global (memory O((H*W)^2) at full LR
    resolution), as in the paper.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        width: feature width C.
        middle_blk_num: SEM blocks in the middle (split evenly around the CIM).
        enc_blk_nums: blocks of the two encoder levels.
        dec_blk_nums: blocks of the two decoder levels.
        heads: heads at full, half and quarter resolution.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale or level counts other than two.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Wang et al., "Hybrid Attention-Based U-Shaped Network for Remote Sensing Image '
             'Super-Resolution", IEEE TGRS 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 width: int = 96,
                 middle_blk_num: int = 10,
                 enc_blk_nums: Sequence[int] = (5, 5),
                 dec_blk_nums: Sequence[int] = (5, 5),
                 heads: Sequence[int] = (1, 2, 4),
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if len(enc_blk_nums) != 2 or len(dec_blk_nums) != 2 or len(heads) != 3:
            raise ValueError('HAUNet has two encoder/decoder levels and three head counts, '
                             f'found {enc_blk_nums}, {dec_blk_nums}, {heads}')
        c = width
        self.intro = default_conv(in_channels, c, 3)
        self.encoders = nn.ModuleList([
            nn.Sequential(*[SEMBlock(c, heads[lvl], spatial=lvl == 0) for _ in range(n)])
            for lvl, n in enumerate(enc_blk_nums)
        ])
        self.downs = nn.ModuleList([nn.Conv2d(c, c, 2, stride=2) for _ in enc_blk_nums])
        self.cim = CrossScaleInteraction(c)
        self.enc_middle = nn.Sequential(
            *[SEMBlock(c, heads[2]) for _ in range(middle_blk_num // 2)])
        self.dec_middle = nn.Sequential(
            *[SEMBlock(c, heads[2]) for _ in range(middle_blk_num // 2)])
        self.ups = nn.ModuleList([nn.ConvTranspose2d(c, c, 2, stride=2) for _ in dec_blk_nums])
        # Decoder level 0 works at half resolution, level 1 at full resolution.
        self.decoders = nn.ModuleList([
            nn.Sequential(*[SEMBlock(c, heads[1 - lvl], spatial=lvl == 1) for _ in range(n)])
            for lvl, n in enumerate(dec_blk_nums)
        ])
        self.up = OneStepUpsampler(scale, c, in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> residual (B, C, s*h, s*w)."""
        x, (h, w) = pad_to_multiple(x, 4, mode='constant')
        feat = self.intro(x)
        encs = []
        for encoder, down in zip(self.encoders, self.downs):
            feat = encoder(feat)
            encs.append(feat)
            feat = down(feat)
        encs.append(self.enc_middle(feat))
        lateral = self.cim(encs)
        feat = self.dec_middle(lateral[-1])
        for decoder, up, skip in zip(self.decoders, self.ups, lateral[1::-1]):
            feat = decoder(up(feat) + skip)
        out = self.up(feat)
        return out[..., :h * self.scale, :w * self.scale]
