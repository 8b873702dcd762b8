"""ACT (Yoo et al., "Enriched CNN-Transformer Feature Aggregation Networks for Super-Resolution",
WACV 2023)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import (Mlp, MultiHeadAttention, PixelShuffleUpsampler, ResBlock,
                                   ResidualGroup, default_conv, pad_to_multiple)
from groklst.registry import MODELS


class _PreNorm(nn.Module):
    """LayerNorm on the queries (and, when given, separately on the context) before ``fn``."""

    def __init__(self, dim: int, fn: nn.Module, cross: bool = False):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.norm_ctx = nn.LayerNorm(dim) if cross else None
        self.fn = fn

    def forward(self, x: torch.Tensor, context: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.norm_ctx is None:
            return self.fn(self.norm(x))
        return self.fn(self.norm(x), self.norm_ctx(context))


def _token_mlp(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    """LayerNorm -> Linear -> GELU -> Linear."""
    return nn.Sequential(nn.LayerNorm(in_dim), nn.Linear(in_dim, hidden), nn.GELU(),
                         nn.Linear(hidden, out_dim))


class CrossScaleTokenAttention(nn.Module):
    """Cross-scale token attention (CSTA) of ACT (Yoo et al., WACV 2023).

    The token features are split in two halves. Half A keeps the t x t tokens; half B is
    folded back to a map and re-tokenised with 2t x 2t patches at stride t (large tokens),
    squeezed by an MLP to the width of A. A attends to the large tokens and the large tokens
    attend to A (two pre-norm cross-attentions with skips); B is expanded back, folded
    (overlapping patches add up), re-cut into t x t tokens and concatenated with A; a pre-norm
    FFN with skip follows.

    Args:
        dim: token width E = C * t^2 (C even).
        num_heads: heads of the self-attention (the cross-attentions use half).
        head_dim: width per head.
        hidden: FFN hidden width.
        token_size: t.
        dropout: dropout of attention outputs and FFN.

    Shapes:
        tokens (B, N, E) of a (h, w) map (multiples of t, at least 2t) -> (B, N, E).
    """

    def __init__(self, dim: int, num_heads: int, head_dim: int, hidden: int, token_size: int,
                 dropout: float = 0.0):
        super().__init__()
        half = dim // 2
        self.t = token_size
        self.squeeze_large = _token_mlp(2 * dim, half, half)
        self.attn_small = _PreNorm(half, MultiHeadAttention(half, max(1, num_heads // 2),
                                                            head_dim, dropout), cross=True)
        self.attn_large = _PreNorm(half, MultiHeadAttention(half, max(1, num_heads // 2),
                                                            head_dim, dropout), cross=True)
        self.expand_large = _token_mlp(half, half, 2 * dim)
        self.ffn = _PreNorm(dim, Mlp(dim, hidden, drop=dropout))

    def forward(self, tokens: torch.Tensor, size) -> torch.Tensor:
        """See the class docstring."""
        t = self.t
        small, large = tokens.chunk(2, dim=-1)
        large = F.fold(large.transpose(1, 2), size, t, stride=t)
        large = self.squeeze_large(F.unfold(large, 2 * t, stride=t).transpose(1, 2))
        small_new = small + self.attn_small(small, large)
        large = large + self.attn_large(large, small)
        large = F.fold(self.expand_large(large).transpose(1, 2), size, 2 * t, stride=t)
        large = F.unfold(large, t, stride=t).transpose(1, 2)
        tokens = torch.cat([small_new, large], dim=-1)
        return tokens + self.ffn(tokens)


@MODELS.register_module()
class ACT(BaseGenerator):
    """ACT: parallel RCAN and transformer branches fused at every stage.

    Yoo et al., "Enriched CNN-Transformer Feature Aggregation Networks for Super-Resolution",
    WACV 2023.

    Head: conv 3x3 (in -> C) and two 5x5 EDSR residual blocks. The features are cut into
    non-overlapping t x t tokens (width E = C t^2) with a linear encoding (plus skip). Each of
    ``n_fusionblocks`` stages runs a pre-norm MHSA + FFN and a cross-scale token attention on
    the tokens, an RCAN residual group (Zhang et al., ECCV 2018) on the map, then a fusion
    block (four bias-free 1x1 residual blocks on [map, folded tokens], with skip); between
    stages the fused channels are split again (first half -> tokens, through an MLP; second half
    -> map, through conv-ReLU-conv), each with a skip from before the fusion. A 3x3 conv
    (2C -> C) plus the head skip ends the body; an x2-stage pixel-shuffle upsampler and a conv
    (C -> in) reconstruct. No interpolation skip (``residual=None``).

    Defaults are the paper's: C=64, 4 stages (8 transformer layers, 4 RCAN groups of 12 RCABs,
    reduction 16), t=3, 8 heads, FFN expansion 4. Deviation: the official code builds a conv
    after the RCAN groups that its forward never uses; it is left out here. The map is
    reflect-padded to a multiple of t (at least 2t) and the output cropped back.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width C (even).
        n_fusionblocks: number of stages (each one MHSA layer + one CSTA layer + one RCAN group
            + one fusion block).
        n_resblocks: RCABs per RCAN group.
        reduction: channel-attention reduction.
        token_size: t.
        n_heads: self-attention heads (E must be divisible by it).
        expansion_ratio: FFN hidden width / E.
        dropout_rate: dropout in the transformer branch.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, odd ``n_feats`` or E not divisible by ``n_heads``.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Yoo et al., "Enriched CNN-Transformer Feature Aggregation Networks for '
             'Super-Resolution", WACV 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_fusionblocks: int = 4,
                 n_resblocks: int = 12,
                 reduction: int = 16,
                 token_size: int = 3,
                 n_heads: int = 8,
                 expansion_ratio: int = 4,
                 dropout_rate: float = 0.0,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_feats % 2:
            raise ValueError(f'n_feats must be even (the tokens are split in halves), found '
                             f'{n_feats}')
        dim = n_feats * token_size ** 2
        if dim % n_heads:
            raise ValueError(f'token width {dim} is not divisible by n_heads {n_heads}')
        self.n_feats = n_feats
        self.token_size = token_size
        head_dim = dim // n_heads
        hidden = dim * expansion_ratio
        self.head = nn.Sequential(default_conv(in_channels, n_feats, 3),
                                  ResBlock(n_feats, 5), ResBlock(n_feats, 5))
        self.linear_encoding = nn.Linear(dim, dim)
        self.mhsa = nn.ModuleList([
            nn.ModuleList([
                _PreNorm(dim, MultiHeadAttention(dim, n_heads, head_dim, dropout_rate)),
                _PreNorm(dim, Mlp(dim, hidden, drop=dropout_rate)),
            ]) for _ in range(n_fusionblocks)
        ])
        self.csta = nn.ModuleList([
            CrossScaleTokenAttention(dim, n_heads, head_dim, hidden, token_size, dropout_rate)
            for _ in range(n_fusionblocks)
        ])
        self.cnn_branch = nn.ModuleList([
            ResidualGroup(n_feats, n_resblocks, 3, reduction) for _ in range(n_fusionblocks)
        ])
        self.fusion_block = nn.ModuleList([
            nn.Sequential(*[ResBlock(2 * n_feats, 1, bias=False) for _ in range(4)])
            for _ in range(n_fusionblocks)
        ])
        self.fusion_mlp = nn.ModuleList(
            [_token_mlp(dim, hidden, dim) for _ in range(n_fusionblocks - 1)])
        self.fusion_cnn = nn.ModuleList([
            nn.Sequential(default_conv(n_feats, n_feats, 3), nn.ReLU(),
                          default_conv(n_feats, n_feats, 3))
            for _ in range(n_fusionblocks - 1)
        ])
        self.conv_last = default_conv(2 * n_feats, n_feats, 3)
        self.tail = nn.Sequential(PixelShuffleUpsampler(scale, n_feats),
                                  default_conv(n_feats, in_channels, 3))

    def _tokenize(self, x: torch.Tensor) -> torch.Tensor:
        return F.unfold(x, self.token_size, stride=self.token_size).transpose(1, 2)

    def _untokenize(self, tokens: torch.Tensor, size) -> torch.Tensor:
        return F.fold(tokens.transpose(1, 2), size, self.token_size, stride=self.token_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        t = self.token_size
        x, (h, w) = pad_to_multiple(x, t, mode='reflect', min_size=2 * t)
        size = tuple(x.shape[-2:])
        feat = self.head(x)
        identity = feat
        tokens = self._tokenize(feat)
        tokens = tokens + self.linear_encoding(tokens)
        n_stages = len(self.cnn_branch)
        for i in range(n_stages):
            attn, ffn = self.mhsa[i]
            tokens = tokens + attn(tokens)
            tokens = tokens + ffn(tokens)
            tokens = self.csta[i](tokens, size)
            feat = self.cnn_branch[i](feat)
            tokens_res, feat_res = tokens, feat
            fused = torch.cat([feat, self._untokenize(tokens, size)], dim=1)
            fused = fused + self.fusion_block[i](fused)
            if i < n_stages - 1:
                to_tokens, to_feat = fused.split(self.n_feats, dim=1)
                tokens = self.fusion_mlp[i](self._tokenize(to_tokens)) + tokens_res
                feat = self.fusion_cnn[i](to_feat) + feat_res
        out = self.tail(self.conv_last(fused) + identity)
        return out[..., :h * self.scale, :w * self.scale]
