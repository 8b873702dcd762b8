"""NGswin (Choi, Lee and Yang, "N-Gram in Swin Transformers for Efficient Lightweight Image
Super-Resolution", CVPR 2023)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import (init_transformer_weights, Mlp, WindowAttention, default_conv, shifted_window_mask,
                                   window_partition, window_reverse)
from groklst.registry import MODELS

Size = Tuple[int, int]


def _seq_reflect_pad(x: torch.Tensor, n: int, backward: bool) -> torch.Tensor:
    """Sequential reflection padding of NGswin: add n-1 rows and columns after (forward) or
    before (backward) a (B, C, h, w) map, copied in order from the rows/columns next to the
    border but one (forward: h-n .. h-2; backward: 1 .. n-1). Indices falling outside a map
    smaller than n are clamped to it (edge replication)."""
    if n == 1:
        return x
    for dim in (2, 3):
        size = x.shape[dim]
        if backward:
            extra = torch.arange(1, n, device=x.device).clamp(max=size - 1)
            idx = torch.cat([extra, torch.arange(size, device=x.device)])
        else:
            extra = torch.arange(size - n, size - 1, device=x.device).clamp(0, size - 1)
            idx = torch.cat([torch.arange(size, device=x.device), extra])
        x = x.index_select(dim, idx)
    return x


class NGramContext(nn.Module):
    """N-gram context of NGswin (Choi et al., CVPR 2023).

    Each ws x ws window is embedded into one "uni-gram" (depth-wise strided conv, D -> D/2).
    For every window the n x n neighbourhood of uni-grams after it (forward) and before it
    (backward, both with sequential reflection padding) attends to itself (window attention
    over n^2 tokens, scaled cosine, relative position bias) and is averaged; the two directions
    are concatenated and mixed by a 1x1 conv into a D-wide context per window.

    Shapes:
        (B, ph, pw, D) with ph, pw multiples of ws -> (B, ph/ws, pw/ws, D).
    """

    def __init__(self, dim: int, window_size: int, ngram: int, num_heads: int):
        super().__init__()
        self.window_size = window_size
        self.ngram = ngram
        self.unigram_embed = nn.Conv2d(dim, dim // 2, window_size, stride=window_size,
                                       groups=dim // 2)
        self.ngram_attn = WindowAttention(dim // 2, ngram, num_heads, cosine=True)
        self.merge = nn.Conv2d(dim, dim, 1)

    def _sliding_attention(self, uni: torch.Tensor, size: Size) -> torch.Tensor:
        b, c = uni.shape[:2]
        n = self.ngram
        patches = F.unfold(uni, n)  # (B, c*n*n, wh*ww)
        patches = patches.reshape(b, c, n * n, -1).permute(0, 3, 2, 1).reshape(-1, n * n, c)
        ctx = self.ngram_attn(patches).mean(dim=1)  # (B*wh*ww, c)
        return ctx.reshape(b, *size, c).permute(0, 3, 1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        uni = self.unigram_embed(x.permute(0, 3, 1, 2))
        size = tuple(uni.shape[-2:])
        fwd = self._sliding_attention(_seq_reflect_pad(uni, self.ngram, False), size)
        bwd = self._sliding_attention(_seq_reflect_pad(uni, self.ngram, True), size)
        return self.merge(torch.cat([fwd, bwd], dim=1)).permute(0, 2, 3, 1)


class NGramSwinBlock(nn.Module):
    """N-gram Swin Transformer block (NSTB) of NGswin (Choi et al., CVPR 2023).

    The N-gram context of each window is added to its tokens, then (after a cyclic shift for
    SW-MSA) scaled-cosine window attention with relative position bias runs; the block is
    post-norm: ``x + DropPath(LN(attn(x)))`` then ``x + DropPath(LN(MLP(x)))``.

    Shapes:
        (B, ph*pw, D), size (ph, pw) multiples of the window -> (B, ph*pw, D).
    """

    def __init__(self, dim: int, ngram: int, num_heads: int, window_size: int,
                 shift_size: int, head_dim: Optional[int], mlp_ratio: float, qkv_bias: bool,
                 drop: float, attn_drop: float, drop_path: float):
        super().__init__()
        self.window_size = window_size
        self.shift_size = shift_size
        self.context = NGramContext(dim, window_size, ngram, num_heads)
        self.attn = WindowAttention(dim, window_size, num_heads, head_dim=head_dim,
                                    qkv_bias=qkv_bias, attn_drop=attn_drop, proj_drop=drop,
                                    cosine=True)
        self.norm1 = nn.LayerNorm(dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.ffn = Mlp(dim, int(dim * mlp_ratio), drop=drop)
        self.norm2 = nn.LayerNorm(dim)

    def _attention(self, x: torch.Tensor, size: Size) -> torch.Tensor:
        ph, pw = size
        b, _, d = x.shape
        ws, shift = self.window_size, self.shift_size
        x = x.reshape(b, ph, pw, d)
        ctx = self.context(x)  # (B, wh, ww, D)
        x = (x.reshape(b, ph // ws, ws, pw // ws, ws, d) + ctx[:, :, None, :, None, :])
        x = x.reshape(b, ph, pw, d)
        mask = None
        if shift:
            x = torch.roll(x, shifts=(-shift, -shift), dims=(1, 2))
            mask = shifted_window_mask(ph, pw, ws, shift, device=x.device).to(x.dtype)
        win = self.attn(window_partition(x, ws).reshape(-1, ws * ws, d), mask)
        x = window_reverse(win.reshape(-1, ws, ws, d), ws, ph, pw)
        if shift:
            x = torch.roll(x, shifts=(shift, shift), dims=(1, 2))
        return x.reshape(b, ph * pw, d)

    def forward(self, x: torch.Tensor, size: Size) -> torch.Tensor:
        """See the class docstring."""
        x = x + self.drop_path(self.norm1(self._attention(x, size)))
        return x + self.drop_path(self.norm2(self.ffn(x)))


class _NGramStage(nn.Module):
    """A stack of NSTBs (W-MSA / SW-MSA alternating) with NGswin's within-stage residual:
    block k receives the sum of the previous block's input and output. Returns the last
    block's output and the input + output sum (fed to patch merging)."""

    def __init__(self, dim: int, depth: int, drop_path: Sequence[float], **kwargs):
        super().__init__()
        ws = kwargs['window_size']
        self.blocks = nn.ModuleList([
            NGramSwinBlock(dim, shift_size=0 if i % 2 == 0 else ws // 2, drop_path=drop_path[i],
                           **kwargs) for i in range(depth)
        ])

    def forward(self, x: torch.Tensor, size: Size) -> Tuple[torch.Tensor, torch.Tensor]:
        prev_in = torch.zeros_like(x)
        for blk in self.blocks:
            blk_in = x + prev_in
            x = blk(blk_in, size)
            prev_in = blk_in
        return x, x + prev_in


class PatchMerging(nn.Module):
    """Swin patch merging: concatenate each 2x2 neighbourhood (4D), LayerNorm, bias-free
    Linear 4D -> D_out; (B, ph*pw, D) -> (B, ph*pw/4, D_out)."""

    def __init__(self, dim: int, out_dim: int):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, out_dim, bias=False)

    def forward(self, x: torch.Tensor, size: Size) -> torch.Tensor:
        b, _, d = x.shape
        x = x.reshape(b, *size, d)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 0::2], x[:, 1::2, 1::2]],
                      dim=-1)
        return self.reduction(self.norm(x.reshape(b, -1, 4 * d)))


def _maxpool_tokens(x: torch.Tensor, size: Size) -> torch.Tensor:
    """2x2 max pooling of (B, ph*pw, C) tokens -> (B, ph*pw/4, C)."""
    b, _, c = x.shape
    x = F.max_pool2d(x.transpose(1, 2).reshape(b, c, *size), 2)
    return x.flatten(2).transpose(1, 2)


@MODELS.register_module()
class NGswin(BaseGenerator):
    """NGswin: an N-gram Swin U-shaped encoder-decoder for lightweight SR.

    Choi et al., "N-Gram in Swin Transformers for Efficient Lightweight Image
    Super-Resolution", CVPR 2023.

    Shallow conv (in -> D). Encoder: ``len(depths)`` NSTB stages at 1, 1/2, 1/4 resolution,
    linked by patch merging; each stage after the first takes the max-pooled input of the
    previous stage concatenated with the merged tokens (across-stage pooling cascade, projected
    back to D). SCDP bottleneck: every stage output plus the equally max-pooled (LeakyReLU)
    shallow features is pixel-shuffled to full resolution, concatenated, depth-wise conv +
    GELU, point-wise Linear to D_dec, LayerNorm. Decoder: one NSTB stage on bottleneck +
    first-stage output, LayerNorm, plus the shallow features. Reconstruction: conv
    (D_dec -> in*s^2), pixel shuffle s, conv (in -> in). No interpolation skip
    (``residual=None``). The input is zero-padded to a multiple of 2^(stages-1) x window and
    cropped back.

    Defaults are the paper's NGswin: D = D_dec = 64, encoder depths (6, 4, 4) with (6, 4, 4)
    heads, decoder depth 6 with 6 heads, window 8, N-gram 2 everywhere, MLP ratio 2.

    Scale x8 (not in the paper, which has x2/x3/x4): the paper's reconstruction is
    parameterised by s (one conv to in*s^2 channels and one pixel shuffle, the same layout for
    every scale), so x8 uses the identical layout with s = 8; the LR encoder/decoder are
    scale-independent. Maps whose last-stage window grid is smaller than the N-gram use edge
    replication in the sequential reflection padding (the reference code cannot run them).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        embed_dim: encoder width D (a multiple of 4^(stages-1) for the pixel shuffles).
        depths: NSTBs per encoder stage.
        num_heads: heads per encoder stage.
        head_dim: width per head (default D // heads).
        dec_dim: decoder width (default and only valid value D: the shallow skip is added to
            it).
        dec_depth: NSTBs of the decoder.
        dec_num_heads: decoder heads.
        ngrams: N of each encoder stage and then the decoder (len(depths) + 1 values).
        window_size: attention window.
        mlp_ratio: MLP expansion.
        qkv_bias: qkv bias.
        drop_rate, attn_drop_rate, drop_path_rate: dropout / stochastic depth.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, mismatched argument lengths, dec_dim != embed_dim or
            embed_dim not divisible by 4^(stages-1).
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Choi et al., "N-Gram in Swin Transformers for Efficient Lightweight Image '
             'Super-Resolution", CVPR 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 embed_dim: int = 64,
                 depths: Sequence[int] = (6, 4, 4),
                 num_heads: Sequence[int] = (6, 4, 4),
                 head_dim: Optional[int] = None,
                 dec_dim: Optional[int] = None,
                 dec_depth: int = 6,
                 dec_num_heads: int = 6,
                 ngrams: Sequence[int] = (2, 2, 2, 2),
                 window_size: int = 8,
                 mlp_ratio: float = 2.0,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.0,
                 attn_drop_rate: float = 0.0,
                 drop_path_rate: float = 0.0,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        n_stages = len(depths)
        if len(num_heads) != n_stages or len(ngrams) != n_stages + 1:
            raise ValueError(f'need len(num_heads) == len(depths) == len(ngrams) - 1, found '
                             f'{len(num_heads)}, {n_stages}, {len(ngrams)}')
        dec_dim = embed_dim if dec_dim is None else dec_dim
        if dec_dim != embed_dim:
            raise ValueError(f'dec_dim ({dec_dim}) must equal embed_dim ({embed_dim})')
        if embed_dim % 4 ** (n_stages - 1):
            raise ValueError(f'embed_dim {embed_dim} must be divisible by {4 ** (n_stages - 1)}')
        self.pad_unit = 2 ** (n_stages - 1) * window_size
        dpr = torch.linspace(0, drop_path_rate, sum(depths) + dec_depth).tolist()
        common = dict(window_size=window_size, head_dim=head_dim, mlp_ratio=mlp_ratio,
                      qkv_bias=qkv_bias, drop=drop_rate, attn_drop=attn_drop_rate)
        self.shallow = default_conv(in_channels, embed_dim, 3)
        self.cascade_proj = nn.ModuleList()
        self.encoders = nn.ModuleList()
        self.merges = nn.ModuleList()
        start = 0
        for i, depth in enumerate(depths):
            self.cascade_proj.append(nn.Linear((i + 1) * embed_dim, embed_dim) if i else
                                     nn.Identity())
            self.encoders.append(
                _NGramStage(embed_dim, depth, dpr[start:start + depth], ngram=ngrams[i],
                            num_heads=num_heads[i], **common))
            if i < n_stages - 1:
                self.merges.append(PatchMerging(embed_dim, embed_dim))
            start += depth
        concat = sum(embed_dim // 4 ** i for i in range(n_stages))
        self.bottleneck_dw = nn.Conv2d(concat, concat, 3, padding=1, groups=concat)
        self.bottleneck_pw = nn.Linear(concat, dec_dim)
        self.bottleneck_norm = nn.LayerNorm(dec_dim)
        self.decoder = _NGramStage(dec_dim, dec_depth, dpr[start:], ngram=ngrams[-1],
                                   num_heads=dec_num_heads, **common)
        self.norm = nn.LayerNorm(dec_dim)
        self.reconstruction = nn.Sequential(
            default_conv(dec_dim, in_channels * scale ** 2, 3), nn.PixelShuffle(scale),
            default_conv(in_channels, in_channels, 3))
        self.apply(init_transformer_weights)


    def _bottleneck(self, shallow: torch.Tensor, skips: List[torch.Tensor],
                    sizes: List[Size]) -> torch.Tensor:
        full = sizes[0]
        maps = []
        pooled = shallow
        for i, (skip, size) in enumerate(zip(skips, sizes)):
            if i:
                pooled = F.max_pool2d(pooled, 2)
            b, _, c = skip.shape
            m = skip.transpose(1, 2).reshape(b, c, *size) + F.leaky_relu(pooled)
            maps.append(F.pixel_shuffle(m, full[0] // size[0]))
        x = F.gelu(self.bottleneck_dw(torch.cat(maps, dim=1)))
        return self.bottleneck_norm(self.bottleneck_pw(x.flatten(2).transpose(1, 2)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        h, w = x.shape[-2:]
        ph = -(-h // self.pad_unit) * self.pad_unit
        pw = -(-w // self.pad_unit) * self.pad_unit
        x = F.pad(x, (0, pw - w, 0, ph - h))
        shallow = self.shallow(x)
        tokens0 = shallow.flatten(2).transpose(1, 2)
        size = (ph, pw)
        stage_in, skips, sizes = tokens0, [], []
        for i, encoder in enumerate(self.encoders):
            out, merged_in = encoder(self.cascade_proj[i](stage_in), size)
            skips.append(out)
            sizes.append(size)
            if i < len(self.merges):
                merged = self.merges[i](merged_in, size)
                stage_in = torch.cat([_maxpool_tokens(stage_in, size), merged], dim=-1)
                size = (size[0] // 2, size[1] // 2)
        x = self._bottleneck(shallow, skips, sizes)
        x, _ = self.decoder(x + skips[0], sizes[0])
        x = self.norm(x) + tokens0
        x = x.transpose(1, 2).reshape(x.shape[0], -1, ph, pw)
        out = self.reconstruction(x)
        return out[..., :h * self.scale, :w * self.scale]
