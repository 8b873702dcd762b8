"""DCTLSA (Zeng, Lin, Yan and Fang, "Densely Connected Transformer With Linear Self-Attention for
Lightweight Image Super-Resolution", IEEE TIM 2023)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import (Mlp, OneStepUpsampler, default_conv, pad_to_multiple,
                                   window_partition, window_reverse)
from groklst.registry import MODELS


class LocalEnhancement(nn.Module):
    """Local branch of DCTLSA's attention: BN -> 1x1 -> depth-wise 3x3 -> BN -> 1x1 (all
    bias-free convs), (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(dim), default_conv(dim, dim, 1, bias=False),
            default_conv(dim, dim, 3, bias=False, groups=dim),
            nn.BatchNorm2d(dim), default_conv(dim, dim, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class LinearWindowAttention(nn.Module):
    """Window linear self-attention with a local branch (Zeng et al., IEEE TIM 2023).

    ``l = x + Local(x)``; inside each window the keys are soft-maxed over the tokens, the
    (head_dim x head_dim) context ``softmax(K)^T V`` is formed and every scaled query reads it
    (cost linear in the window area); output ``proj(.) + l``.

    Shapes:
        (B, H, W, C) channels-last, H and W multiples of the window -> (B, H, W, C).
    """

    def __init__(self, dim: int, window_size: int, num_heads: int, qkv_bias: bool = True):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.window_size = window_size
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.local = LocalEnhancement(dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _, h, w, c = x.shape
        ws = self.window_size
        local = x + self.local(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        qkv = window_partition(self.qkv(local), ws).reshape(-1, ws * ws, 3, self.num_heads,
                                                            c // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        context = k.softmax(dim=-2).transpose(-2, -1) @ v
        out = ((q * self.scale) @ context).transpose(1, 2).reshape(-1, ws, ws, c)
        return window_reverse(self.proj(out), ws, h, w) + local


class LinearSwinBlock(nn.Module):
    """DCTLSA transformer block: (shifted) window linear attention, then ``x + MLP(x)``. As in
    the reference design the shifted windows are not masked.

    Shapes:
        (B, H, W, C) -> (B, H, W, C).
    """

    def __init__(self, dim: int, num_heads: int, window_size: int, shift_size: int,
                 mlp_ratio: float):
        super().__init__()
        self.shift_size = shift_size
        self.attn = LinearWindowAttention(dim, window_size, num_heads)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.shift_size
        if s:
            x = torch.roll(self.attn(torch.roll(x, (-s, -s), dims=(1, 2))), (s, s), dims=(1, 2))
        else:
            x = self.attn(x)
        return x + self.mlp(x)


class LinearSwinLayer(nn.Module):
    """Reflect-pad to the window, LayerNorm the tokens, ``depth`` blocks (unshifted/shifted
    alternating), crop back; (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, dim: int, depth: int, num_heads: int, window_size: int,
                 mlp_ratio: float):
        super().__init__()
        self.window_size = window_size
        self.norm = nn.LayerNorm(dim)
        self.blocks = nn.Sequential(*[
            LinearSwinBlock(dim, num_heads, window_size, 0 if i % 2 == 0 else window_size // 2,
                            mlp_ratio) for i in range(depth)
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, (h, w) = pad_to_multiple(x, self.window_size, mode='reflect')
        x = self.blocks(self.norm(x.permute(0, 2, 3, 1)))
        return x.permute(0, 3, 1, 2)[..., :h, :w].contiguous()


class LinearSelfAttentionBlock(nn.Module):
    """LSAB of DCTLSA: ``n_layers`` transformer layers of ``depth`` blocks each."""

    def __init__(self, dim: int, num_heads: int, window_size: int, mlp_ratio: float,
                 n_layers: int = 2, depth: int = 2):
        super().__init__()
        self.body = nn.Sequential(*[
            LinearSwinLayer(dim, depth, num_heads, window_size, mlp_ratio)
            for _ in range(n_layers)
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def _fuse(in_channels: int, out_channels: int) -> nn.Sequential:
    """1x1 conv + LeakyReLU(0.05)."""
    return nn.Sequential(default_conv(in_channels, out_channels, 1), nn.LeakyReLU(0.05))


@MODELS.register_module()
class DCTLSA(BaseGenerator):
    """DCTLSA: densely connected linear-self-attention transformer blocks.

    Zeng et al., "Densely Connected Transformer With Linear Self-Attention for Lightweight
    Image Super-Resolution", IEEE Transactions on Instrumentation and Measurement 72, 2023.

    conv 3x3 (in -> C) -> ``num_modules`` LSABs with dense connections: LSAB k+1 reads a 1x1
    fusion (+ LeakyReLU 0.05) of the shallow features and the outputs of LSABs 1..k; the outputs
    of all LSABs are fused by a 1x1 conv, a 3x3 conv plus the shallow skip follows; one conv
    (C -> in*s^2) and one pixel shuffle reconstruct. No interpolation skip
    (``residual=None``). Each LSAB layer reflect-pads its input to the window and crops back.

    Defaults are the paper's: C=55, 6 LSABs, 5 heads, window 16, MLP ratio 2 (each LSAB: two
    layers of two blocks).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        nf: feature width C (divisible by ``num_head``).
        num_modules: number of LSABs (>= 1).
        num_head: attention heads.
        window_size: attention window.
        mlp_ratio: MLP expansion.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, ``num_modules`` < 1 or C not divisible by the heads.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Zeng et al., "Densely Connected Transformer With Linear Self-Attention for '
             'Lightweight Image Super-Resolution", IEEE TIM 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 nf: int = 55,
                 num_modules: int = 6,
                 num_head: int = 5,
                 window_size: int = 16,
                 mlp_ratio: float = 2.0,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if num_modules < 1:
            raise ValueError(f'num_modules must be >= 1, found {num_modules}')
        self.fea_conv = default_conv(in_channels, nf, 3)
        self.blocks = nn.ModuleList([
            LinearSelfAttentionBlock(nf, num_head, window_size, mlp_ratio)
            for _ in range(num_modules)
        ])
        self.dense_fuse = nn.ModuleList(
            [_fuse(nf * (k + 2), nf) for k in range(num_modules - 1)])
        self.fuse_all = _fuse(nf * num_modules, nf)
        self.lr_conv = default_conv(nf, nf, 3)
        self.upsampler = OneStepUpsampler(scale, nf, in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        shallow = self.fea_conv(x)
        dense = [shallow]
        outs = []
        inp = shallow
        for k, block in enumerate(self.blocks):
            out = block(inp)
            outs.append(out)
            dense.append(out)
            if k < len(self.dense_fuse):
                inp = self.dense_fuse[k](torch.cat(dense, dim=1))
        feat = self.lr_conv(self.fuse_all(torch.cat(outs, dim=1))) + shallow
        return self.upsampler(feat)
