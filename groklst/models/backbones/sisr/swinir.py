"""SwinIR (Liang, Cao, Sun, Zhang, Van Gool and Timofte, "SwinIR: Image Restoration Using Swin
Transformer", ICCV Workshops 2021)."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import (init_transformer_weights, OneStepUpsampler, PixelShuffleUpsampler,
                                   SwinTransformerBlock, default_conv, pad_to_multiple)
from groklst.registry import MODELS

UPSAMPLERS = ('pixelshuffle', 'pixelshuffledirect')
RESI_CONNECTIONS = ('1conv', '3conv')


def _tokens(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, H*W, C)."""
    return x.flatten(2).transpose(1, 2)


def _map(x: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """(B, H*W, C) -> (B, C, H, W)."""
    return x.transpose(1, 2).reshape(x.shape[0], -1, *size)


def _three_conv(dim: int) -> nn.Sequential:
    """SwinIR's '3conv' residual connection: 3x3 C->C/4, 1x1, 3x3 C/4->C, LeakyReLU(0.2)."""
    return nn.Sequential(
        default_conv(dim, dim // 4, 3), nn.LeakyReLU(0.2),
        default_conv(dim // 4, dim // 4, 1), nn.LeakyReLU(0.2),
        default_conv(dim // 4, dim, 3))


class ResidualSwinGroup(nn.Module):
    """Residual Swin Transformer Block (RSTB) of SwinIR (Liang et al., ICCVW 2021).

    ``depth`` Swin Transformer blocks (W-MSA and SW-MSA alternating), a convolution on the
    re-assembled map, and a skip over the whole group.

    Args:
        dim: token width C.
        depth: number of Swin blocks.
        num_heads: attention heads.
        window_size: window side.
        mlp_ratio: MLP expansion.
        qkv_bias: qkv bias.
        drop, attn_drop: dropout rates.
        drop_path: per-block stochastic-depth rates (sequence of length ``depth``).
        resi_connection: '1conv' (one 3x3 conv) or '3conv' (3x3 C->C/4, 1x1, 3x3 C/4->C with
            LeakyReLU(0.2), the memory-saving variant).

    Shapes:
        x (B, H*W, C), x_size (H, W) -> (B, H*W, C).
    """

    def __init__(self, dim: int, depth: int, num_heads: int, window_size: int,
                 mlp_ratio: float, qkv_bias: bool, drop: float, attn_drop: float,
                 drop_path: Sequence[float], resi_connection: str):
        super().__init__()
        self.blocks = nn.ModuleList([
            SwinTransformerBlock(dim, num_heads, window_size,
                                 shift_size=0 if i % 2 == 0 else window_size // 2,
                                 mlp_ratio=mlp_ratio, qkv_bias=qkv_bias, drop=drop,
                                 attn_drop=attn_drop, drop_path=drop_path[i])
            for i in range(depth)
        ])
        if resi_connection == '1conv':
            self.conv = default_conv(dim, dim, 3)
        else:
            self.conv = _three_conv(dim)

    def forward(self, x: torch.Tensor, x_size: Tuple[int, int]) -> torch.Tensor:
        """See the class docstring."""
        y = x
        for blk in self.blocks:
            y = blk(y, x_size)
        return x + _tokens(self.conv(_map(y, x_size)))


@MODELS.register_module()
class SwinIR(BaseGenerator):
    """SwinIR: residual Swin Transformer groups between a shallow conv and an SR head.

    Liang et al., "SwinIR: Image Restoration Using Swin Transformer", ICCV Workshops 2021.

    conv 3x3 (in -> C) -> tokens + LayerNorm -> ``len(depths)`` residual Swin groups (RSTB)
    -> LayerNorm -> map -> conv, plus the skip from the shallow features -> reconstruction:
    'pixelshuffle' (classical SR: conv C -> 64 + LeakyReLU, x2 pixel-shuffle stages, conv
    64 -> in) or 'pixelshuffledirect' (lightweight SR: one conv C -> in*s^2 and one shuffle).
    The input is reflect-padded to a multiple of the window and the output cropped back. The
    network predicts the whole HR field (``residual=None``: SwinIR has no interpolation skip).

    Defaults are the paper's classical-SR model: C=180, six groups of six blocks, six heads,
    window 8, MLP ratio 2, stochastic depth 0.1. The lightweight model is C=60, depths
    (6, 6, 6, 6), heads (6, 6, 6, 6), 'pixelshuffledirect'. The RGB mean shift and ``img_range``
    are dropped (the ``Downscaler`` standardizes the LST).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        embed_dim: token width C.
        depths: Swin blocks per residual group.
        num_heads: heads per group.
        window_size: attention window side.
        mlp_ratio: MLP expansion.
        qkv_bias: qkv bias.
        drop_rate, attn_drop_rate: dropout rates.
        drop_path_rate: stochastic depth, increased linearly over all blocks.
        patch_norm: LayerNorm after the token embedding.
        upsampler: 'pixelshuffle' or 'pixelshuffledirect'.
        resi_connection: '1conv' or '3conv'.
        num_feat: width of the 'pixelshuffle' reconstruction.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale/upsampler/residual connection, or ``depths`` and
            ``num_heads`` of different lengths.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Liang et al., "SwinIR: Image Restoration Using Swin Transformer", '
             'ICCV Workshops 2021')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 embed_dim: int = 180,
                 depths: Sequence[int] = (6, 6, 6, 6, 6, 6),
                 num_heads: Sequence[int] = (6, 6, 6, 6, 6, 6),
                 window_size: int = 8,
                 mlp_ratio: float = 2.0,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.0,
                 attn_drop_rate: float = 0.0,
                 drop_path_rate: float = 0.1,
                 patch_norm: bool = True,
                 upsampler: str = 'pixelshuffle',
                 resi_connection: str = '1conv',
                 num_feat: int = 64,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if upsampler not in UPSAMPLERS:
            raise ValueError(f'upsampler must be one of {UPSAMPLERS}, found {upsampler!r}')
        if resi_connection not in RESI_CONNECTIONS:
            raise ValueError(f'resi_connection must be one of {RESI_CONNECTIONS}, found '
                             f'{resi_connection!r}')
        if len(depths) != len(num_heads):
            raise ValueError(f'depths {depths} and num_heads {num_heads} differ in length')
        self.window_size = window_size
        self.upsampler = upsampler
        self.conv_first = default_conv(in_channels, embed_dim, 3)
        self.patch_norm = nn.LayerNorm(embed_dim) if patch_norm else nn.Identity()
        self.pos_drop = nn.Dropout(drop_rate)
        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.layers = nn.ModuleList()
        start = 0
        for depth, heads in zip(depths, num_heads):
            self.layers.append(
                ResidualSwinGroup(embed_dim, depth, heads, window_size, mlp_ratio, qkv_bias,
                                  drop_rate, attn_drop_rate, dpr[start:start + depth],
                                  resi_connection))
            start += depth
        self.norm = nn.LayerNorm(embed_dim)
        if resi_connection == '1conv':
            self.conv_after_body = default_conv(embed_dim, embed_dim, 3)
        else:
            self.conv_after_body = _three_conv(embed_dim)
        if upsampler == 'pixelshuffle':
            self.reconstruction = nn.Sequential(
                default_conv(embed_dim, num_feat, 3), nn.LeakyReLU(),
                PixelShuffleUpsampler(scale, num_feat),
                default_conv(num_feat, in_channels, 3))
        else:
            self.reconstruction = OneStepUpsampler(scale, embed_dim, in_channels)
        self.apply(init_transformer_weights)


    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Deep features of a padded (B, C, H, W) map -> (B, C, H, W)."""
        size = tuple(x.shape[-2:])
        t = self.pos_drop(self.patch_norm(_tokens(x)))
        for layer in self.layers:
            t = layer(t, size)
        return _map(self.norm(t), size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        x, (h, w) = pad_to_multiple(x, self.window_size, mode='reflect')
        feat = self.conv_first(x)
        feat = feat + self.conv_after_body(self.forward_features(feat))
        out = self.reconstruction(feat)
        return out[..., :h * self.scale, :w * self.scale]
