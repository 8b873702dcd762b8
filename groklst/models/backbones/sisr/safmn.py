"""SAFMN (Sun et al., "Spatially-Adaptive Feature Modulation for Efficient Image
Super-Resolution", ICCV 2023)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import LayerNorm2d, OneStepUpsampler, default_conv, pad_to_multiple
from groklst.registry import MODELS


class SpatiallyAdaptiveModulation(nn.Module):
    """Spatially-adaptive feature modulation (SAFM) of SAFMN (Sun et al., ICCV 2023).

    The channels are split into ``n_levels`` chunks; chunk 0 goes through a depth-wise 3x3
    conv at full resolution, chunk i > 0 is max-pooled to (H / 2^i, W / 2^i), filtered by a
    depth-wise 3x3 conv and upsampled back (nearest). A 1x1 conv aggregates the chunks and its
    GELU gates the input element-wise.

    Args:
        dim: channels C (divisible by ``n_levels``).
        n_levels: number of scales.

    Shapes:
        (B, C, H, W) -> (B, C, H, W); needs H, W >= 2^(n_levels - 1).

    Raises:
        ValueError: if C is not divisible by ``n_levels``.
    """

    def __init__(self, dim: int, n_levels: int = 4):
        super().__init__()
        if dim % n_levels:
            raise ValueError(f'dim {dim} is not divisible by n_levels {n_levels}')
        self.n_levels = n_levels
        chunk = dim // n_levels
        self.mfr = nn.ModuleList(
            [default_conv(chunk, chunk, 3, groups=chunk) for _ in range(n_levels)])
        self.aggr = default_conv(dim, dim, 1)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        h, w = x.shape[-2:]
        parts = []
        for i, (chunk, conv) in enumerate(zip(x.chunk(self.n_levels, dim=1), self.mfr)):
            if i == 0:
                parts.append(conv(chunk))
            else:
                pooled = F.adaptive_max_pool2d(chunk, (h // 2**i, w // 2**i))
                parts.append(F.interpolate(conv(pooled), size=(h, w), mode='nearest'))
        return self.act(self.aggr(torch.cat(parts, dim=1))) * x


class FeatureMixingModule(nn.Module):
    """Feature mixing module of SAFMN (Sun et al., ICCV 2023): pre-norm SAFM and pre-norm
    convolutional channel mixer (3x3 C -> r*C, GELU, 1x1 r*C -> C), each with a skip.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, dim: int, ffn_scale: float = 2.0, n_levels: int = 4):
        super().__init__()
        hidden = int(dim * ffn_scale)
        self.norm1 = LayerNorm2d(dim)
        self.safm = SpatiallyAdaptiveModulation(dim, n_levels)
        self.norm2 = LayerNorm2d(dim)
        self.ccm = nn.Sequential(default_conv(dim, hidden, 3), nn.GELU(),
                                 default_conv(hidden, dim, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        x = x + self.safm(self.norm1(x))
        return x + self.ccm(self.norm2(x))


@MODELS.register_module()
class SAFMN(BaseGenerator):
    """SAFMN: a light SR network of spatially-adaptive feature modulation blocks.

    Sun et al., "Spatially-Adaptive Feature Modulation for Efficient Image Super-Resolution",
    ICCV 2023.

    conv 3x3 (in -> C) -> ``n_blocks`` feature mixing modules, plus a long skip -> one conv
    (C -> in*s^2) and one pixel shuffle. Defaults are the paper's SAFMN: C=36, 8 blocks, FFN
    scale 2, 4 levels. The official model has no interpolation skip, so ``residual=None``.
    Maps smaller than 2^(n_levels-1) are replicate-padded internally and cropped back.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        dim: feature width C (divisible by ``n_levels``).
        n_blocks: number of feature mixing modules.
        ffn_scale: expansion of the channel mixer.
        n_levels: scales of the SAFM.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or ``dim`` not divisible by ``n_levels``.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Sun et al., "Spatially-Adaptive Feature Modulation for Efficient Image '
             'Super-Resolution", ICCV 2023')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 dim: int = 36,
                 n_blocks: int = 8,
                 ffn_scale: float = 2.0,
                 n_levels: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.min_size = 2 ** (n_levels - 1)
        self.to_feat = default_conv(in_channels, dim, 3)
        self.feats = nn.Sequential(
            *[FeatureMixingModule(dim, ffn_scale, n_levels) for _ in range(n_blocks)])
        self.to_img = OneStepUpsampler(scale, dim, in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        x, (h, w) = pad_to_multiple(x, 1, mode='replicate', min_size=self.min_size)
        feat = self.to_feat(x)
        out = self.to_img(feat + self.feats(feat))
        return out[..., :h * self.scale, :w * self.scale]
