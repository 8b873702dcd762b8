"""Transformer building blocks shared by the SR generators.

* :class:`Mlp` - the token-wise feed-forward network (Linear -> act -> Linear) of ViT / Swin.
* :class:`LayerNorm2d` - layer normalisation over the channels of a (B, C, H, W) map.
* :class:`MultiHeadAttention` - global multi-head (self or cross) attention over token sets
  (Vaswani et al., "Attention Is All You Need", NeurIPS 2017).
* :class:`SwinTransformerBlock` - pre-norm (shifted-)window attention block of Swin Transformer
  (Liu et al., ICCV 2021), as used by SwinIR (Liang et al., ICCVW 2021).
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model.weight_init import trunc_normal_
from mmengine.utils import to_2tuple

from .activation import ActCfg, build_activation
from .window_attention import (Size2, WindowAttention, _window_hw, shifted_window_mask,
                               window_partition, window_reverse)



def init_transformer_weights(m: nn.Module) -> None:
    """ViT/Swin initialisation for ``module.apply``: Linear weights ~ truncated normal (std
    0.02) with zero bias, LayerNorm weight 1 and bias 0 (Liu et al., "Swin Transformer", ICCV
    2021, reference code)."""
    if isinstance(m, nn.Linear):
        trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)

class Mlp(nn.Module):
    """Feed-forward network on the last axis: Linear -> act -> drop -> Linear -> drop.

    Args:
        in_features: input width C.
        hidden_features: hidden width (default C).
        out_features: output width (default C).
        act_cfg: activation (see ``build_activation``), default GELU.
        drop: dropout rate.

    Shapes:
        (..., C) -> (..., out_features).
    """

    def __init__(self,
                 in_features: int,
                 hidden_features: Optional[int] = None,
                 out_features: Optional[int] = None,
                 act_cfg: ActCfg = 'GELU',
                 drop: float = 0.0):
        super().__init__()
        hidden_features = hidden_features or in_features
        out_features = out_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = build_activation(act_cfg)
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class LayerNorm2d(nn.Module):
    """Layer normalisation over the channel axis of a (B, C, H, W) map (every pixel is
    normalised across its C channels, then scaled and shifted per channel).

    Args:
        channels: C.
        eps: added to the variance (1e-6, the ConvNeXt / NAFNet value).

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.weight.shape, self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)


class MultiHeadAttention(nn.Module):
    """Global multi-head scaled dot-product attention (Vaswani et al., NeurIPS 2017).

    Queries come from ``x``; keys and values from ``context`` (cross-attention) or from ``x``
    itself (self-attention). Projections are bias-free; the output projection (with bias) is
    skipped when there is a single head of width ``dim``.

    Args:
        dim: token width C of ``x`` and ``context``.
        num_heads: number of heads.
        head_dim: width per head (inner width ``num_heads * head_dim``).
        dropout: dropout after the output projection.

    Shapes:
        x (B, N, C), context None or (B, M, C) -> (B, N, C).

    Raises:
        ValueError: for a non-positive head count or width.
    """

    def __init__(self, dim: int, num_heads: int = 8, head_dim: int = 64, dropout: float = 0.0):
        super().__init__()
        if num_heads < 1 or head_dim < 1:
            raise ValueError(f'num_heads and head_dim must be positive, found {num_heads}, '
                             f'{head_dim}')
        inner = num_heads * head_dim
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.scale = head_dim ** -0.5
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_kv = nn.Linear(dim, 2 * inner, bias=False)
        if num_heads == 1 and head_dim == dim:
            self.to_out = nn.Identity()
        else:
            self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(dropout))

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        b, n, _ = t.shape
        return t.reshape(b, n, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, context: Optional[torch.Tensor] = None) -> torch.Tensor:
        """See the class docstring."""
        context = x if context is None else context
        q = self._heads(self.to_q(x))
        k, v = (self._heads(t) for t in self.to_kv(context).chunk(2, dim=-1))
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        return self.to_out(out)


class SwinTransformerBlock(nn.Module):
    """Pre-norm Swin Transformer block (Liu et al., ICCV 2021; SwinIR, Liang et al., ICCVW 2021).

    ``x + DropPath(W-MSA(LN(x)))`` then ``x + DropPath(MLP(LN(x)))``; with ``shift_size > 0``
    the map is cyclically shifted by ``-shift_size`` before the window attention (SW-MSA, with
    the mask of :func:`shifted_window_mask`) and shifted back after it. Masks are computed per
    input size and cached (not saved in checkpoints).

    Args:
        dim: token width C.
        num_heads: attention heads.
        window_size: window side (int or (wh, ww)).
        shift_size: cyclic shift (0 for W-MSA; usually window // 2 for SW-MSA).
        mlp_ratio: MLP hidden width / C.
        qkv_bias: bias of the qkv projection.
        qk_scale: dot-product scale override.
        drop: dropout of the projections and MLP.
        attn_drop: dropout of the attention weights.
        drop_path: stochastic-depth rate.
        act_cfg: MLP activation, default GELU.

    Shapes:
        x (B, H*W, C) with ``x_size = (H, W)`` multiples of the window -> (B, H*W, C).

    Raises:
        ValueError: for a shift outside [0, window) or a map not divisible by the window.
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 window_size: Size2 = 8,
                 shift_size: Size2 = 0,
                 mlp_ratio: float = 4.0,
                 qkv_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 drop: float = 0.0,
                 attn_drop: float = 0.0,
                 drop_path: float = 0.0,
                 act_cfg: ActCfg = 'GELU'):
        super().__init__()
        self.window_size = _window_hw(window_size)
        self.shift_size = tuple(int(s) for s in to_2tuple(shift_size))
        if not all(0 <= s < w for s, w in zip(self.shift_size, self.window_size)):
            raise ValueError(f'shift {self.shift_size} must lie in [0, window '
                             f'{self.window_size})')
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, self.window_size, num_heads, qkv_bias=qkv_bias,
                                    qk_scale=qk_scale, attn_drop=attn_drop, proj_drop=drop)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act_cfg=act_cfg, drop=drop)
        self._masks: Dict[Tuple, torch.Tensor] = {}

    @property
    def shifted(self) -> bool:
        return any(s > 0 for s in self.shift_size)

    def _mask(self, h: int, w: int, device: torch.device) -> torch.Tensor:
        key = (h, w, str(device))
        if key not in self._masks:
            self._masks[key] = shifted_window_mask(h, w, self.window_size, self.shift_size,
                                                   device=device)
        return self._masks[key]

    def forward(self, x: torch.Tensor, x_size: Tuple[int, int]) -> torch.Tensor:
        """See the class docstring."""
        h, w = x_size
        b, n, c = x.shape
        if n != h * w:
            raise ValueError(f'{n} tokens do not match the map size {h}x{w}')
        y = self.norm1(x).view(b, h, w, c)
        mask = None
        if self.shifted:
            y = torch.roll(y, shifts=(-self.shift_size[0], -self.shift_size[1]), dims=(1, 2))
            mask = self._mask(h, w, x.device).to(x.dtype)
        win = window_partition(y, self.window_size).reshape(-1, self.attn.num_tokens, c)
        win = self.attn(win, mask)
        y = window_reverse(win.reshape(-1, *self.window_size, c), self.window_size, h, w)
        if self.shifted:
            y = torch.roll(y, shifts=self.shift_size, dims=(1, 2))
        x = x + self.drop_path(y.reshape(b, n, c))
        return x + self.drop_path(self.mlp(self.norm2(x)))
