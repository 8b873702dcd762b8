"""Omni-SR (Wang, Chen, Ni, Liu and Liu, "Omni Aggregation Networks for Lightweight Image
Super-Resolution", CVPR 2023)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import (LayerNorm2d, OneStepUpsampler, WindowAttention,
                                   default_conv, grid_partition, grid_reverse, pad_to_multiple,
                                   window_partition, window_reverse)
from groklst.registry import MODELS


class SqueezeExcitation(nn.Module):
    """Squeeze-excitation with bias-free linear layers and SiLU (MBConv style); the gate has
    ``int(C * shrinkage)`` hidden units. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int, shrinkage: float = 0.25):
        super().__init__()
        hidden = max(1, int(dim * shrinkage))
        self.gate = nn.Sequential(nn.Linear(dim, hidden, bias=False), nn.SiLU(),
                                  nn.Linear(hidden, dim, bias=False), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x.mean(dim=(2, 3)))[:, :, None, None]


class MBConv(nn.Module):
    """Inverted-residual block (expansion 1): 1x1 -> GELU -> depth-wise 3x3 -> GELU -> SE ->
    1x1, plus identity. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int, expansion: float = 1.0, shrinkage: float = 0.25):
        super().__init__()
        hidden = int(dim * expansion)
        self.body = nn.Sequential(
            default_conv(dim, hidden, 1), nn.GELU(),
            default_conv(hidden, hidden, 3, groups=hidden), nn.GELU(),
            SqueezeExcitation(hidden, shrinkage), default_conv(hidden, dim, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class GatedConvFFN(nn.Module):
    """Gated depth-wise conv FFN: 1x1 (C -> 2h), depth-wise 3x3, GELU(first half) * second
    half, 1x1 (h -> C); bias-free. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int, mult: float = 1.0, bias: bool = False):
        super().__init__()
        hidden = int(dim * mult)
        self.project_in = default_conv(dim, 2 * hidden, 1, bias=bias)
        self.dwconv = default_conv(2 * hidden, 2 * hidden, 3, bias=bias, groups=2 * hidden)
        self.project_out = default_conv(hidden, dim, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(a) * b)


class SpatialGroupAttention(nn.Module):
    """Pre-norm (LayerNorm) window attention with skip, over ``window x window`` local blocks
    (``mode='block'``) or over ``window x window`` samples of a dilated grid spanning the map
    (``mode='grid'``); bias-free projections, relative position bias, head width C/4.
    (B, C, H, W) with H, W multiples of the window -> (B, C, H, W)."""

    def __init__(self, dim: int, window_size: int, mode: str, with_pe: bool = True):
        super().__init__()
        self.window_size = window_size
        self.mode = mode
        self.norm = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, window_size, num_heads=4, head_dim=dim // 4,
                                    qkv_bias=False, proj_bias=False, rel_pos_bias=with_pe)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        ws = self.window_size
        t = x.permute(0, 2, 3, 1)
        part, rev = ((window_partition, window_reverse) if self.mode == 'block' else
                     (grid_partition, grid_reverse))
        groups = part(self.norm(t), ws).reshape(-1, ws * ws, c)
        out = rev(self.attn(groups).reshape(-1, ws, ws, c), ws, h, w)
        return (t + out).permute(0, 3, 1, 2)


class ChannelGroupAttention(nn.Module):
    """Channel self-attention inside pixel groups (Omni-SR's channel-wise attention).

    Within each group of pixels (``mode='block'``: a window x window block; ``'grid'``: all
    pixels sharing the same offset inside the window lattice) the channels of every head are
    the tokens and the group's pixels their features: L2-normalised queries and keys, a
    learnable per-head temperature, softmax, weighted sum of values. qkv: 1x1 + depth-wise
    3x3 (bias-free); 1x1 output projection. (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, dim: int, num_heads: int, window_size: int, mode: str,
                 bias: bool = False):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by {num_heads} heads')
        self.num_heads = num_heads
        self.window_size = window_size
        self.mode = mode
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.qkv = default_conv(dim, 3 * dim, 1, bias=bias)
        self.qkv_dwconv = default_conv(3 * dim, 3 * dim, 3, bias=bias, groups=3 * dim)
        self.project_out = default_conv(dim, dim, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        ws = self.window_size
        if self.mode == 'block':
            part, rev, size = window_partition, window_reverse, (ws, ws)
        else:
            part, rev, size = grid_partition, grid_reverse, (h // ws, w // ws)
        qkv = part(self.qkv_dwconv(self.qkv(x)).permute(0, 2, 3, 1), size)  # (G, gh, gw, 3C)
        g = qkv.shape[0]
        qkv = qkv.reshape(g, -1, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 4, 1)
        q, k, v = qkv.unbind(0)  # (G, heads, d, pixels)
        attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
        out = (attn * self.temperature).softmax(dim=-1) @ v
        out = out.permute(0, 3, 1, 2).reshape(g, *size, c)
        return self.project_out(rev(out, size, h, w).permute(0, 3, 1, 2))


class _ConvPreNorm(nn.Module):
    """``x + fn(LayerNorm2d(x))``."""

    def __init__(self, dim: int, fn: nn.Module):
        super().__init__()
        self.norm = LayerNorm2d(dim)
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fn(self.norm(x))


class OmniSelfAttentionBlock(nn.Module):
    """Omni self-attention (OSA) block of Omni-SR (Wang et al., CVPR 2023).

    MBConv, then two branches in sequence - local (block) and global (grid) - each: spatial
    window attention, gated FFN, channel attention, gated FFN (all pre-norm with skips).
    (B, C, H, W), H and W multiples of the window -> (B, C, H, W).
    """

    def __init__(self, dim: int, window_size: int = 8, with_pe: bool = True):
        super().__init__()
        layers = [MBConv(dim)]
        for mode in ('block', 'grid'):
            layers += [
                SpatialGroupAttention(dim, window_size, mode, with_pe),
                _ConvPreNorm(dim, GatedConvFFN(dim)),
                _ConvPreNorm(dim, ChannelGroupAttention(dim, 4, window_size, mode)),
                _ConvPreNorm(dim, GatedConvFFN(dim)),
            ]
        self.layer = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)


class EnhancedSpatialAttention(nn.Module):
    """ESA (Liu et al., "Residual Feature Aggregation Network for Image Super-Resolution",
    CVPR 2020), the light variant used by Omni-SR: 1x1 (C -> f), strided 3x3, 7x7/3 max pool,
    3x3, bilinear upsampling, plus a 1x1 of the reduced features, 1x1 (f -> C), sigmoid gate.
    (B, C, H, W) with H, W >= 15 -> (B, C, H, W)."""

    def __init__(self, f: int, dim: int):
        super().__init__()
        self.conv1 = default_conv(dim, f, 1)
        self.conv_f = default_conv(f, f, 1)
        self.conv2 = nn.Conv2d(f, f, 3, stride=2)
        self.conv3 = default_conv(f, f, 3)
        self.conv4 = default_conv(f, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c1 = self.conv1(x)
        c3 = self.conv3(F.max_pool2d(self.conv2(c1), kernel_size=7, stride=3))
        c3 = F.interpolate(c3, size=x.shape[-2:], mode='bilinear', align_corners=False)
        return x * torch.sigmoid(self.conv4(c3 + self.conv_f(c1)))


class OmniSAGroup(nn.Module):
    """OSAG: ``block_num`` OSA blocks and a 1x1 conv with a skip, then ESA."""

    def __init__(self, dim: int, block_num: int, window_size: int, with_pe: bool):
        super().__init__()
        self.body = nn.Sequential(
            *[OmniSelfAttentionBlock(dim, window_size, with_pe) for _ in range(block_num)],
            default_conv(dim, dim, 1))
        self.esa = EnhancedSpatialAttention(max(dim // 4, 16), dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.esa(x + self.body(x))


@MODELS.register_module()
class OmniSR(BaseGenerator):
    """Omni-SR: omni self-attention groups (spatial + channel, local + global).

    Wang et al., "Omni Aggregation Networks for Lightweight Image Super-Resolution", CVPR 2023.

    conv 3x3 (in -> C) -> ``res_num`` OSAGs -> conv 3x3, plus the shallow skip -> one conv
    (C -> in*s^2) and one pixel shuffle. No interpolation skip (``residual=None``). The input is
    zero-padded to a multiple of the window (and to at least 15 pixels, the smallest map the
    ESA pooling accepts) and the output cropped back.

    Defaults are the paper's (official training configs): C=64, 5 OSAGs of 1 OSA block,
    window 8, relative position bias on.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        num_feat: feature width C (divisible by 4).
        res_num: number of OSAGs.
        block_num: OSA blocks per OSAG.
        window_size: attention window.
        with_pe: relative position bias in the spatial attentions.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale or C not divisible by 4.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Wang et al., "Omni Aggregation Networks for Lightweight Image Super-Resolution", '
             'CVPR 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 num_feat: int = 64,
                 res_num: int = 5,
                 block_num: int = 1,
                 window_size: int = 8,
                 with_pe: bool = True,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if num_feat % 4:
            raise ValueError(f'num_feat must be divisible by 4 (heads), found {num_feat}')
        self.window_size = window_size
        self.input = default_conv(in_channels, num_feat, 3)
        self.residual_layer = nn.Sequential(
            *[OmniSAGroup(num_feat, block_num, window_size, with_pe) for _ in range(res_num)])
        self.output = default_conv(num_feat, num_feat, 3)
        self.up = OneStepUpsampler(scale, num_feat, in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        x, (h, w) = pad_to_multiple(x, self.window_size, mode='constant', min_size=15)
        feat = self.input(x)
        out = self.up(self.output(self.residual_layer(feat)) + feat)
        return out[..., :h * self.scale, :w * self.scale]
