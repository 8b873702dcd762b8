"""SAN (Dai, Cai, Zhang, Xia and Zhang, "Second-Order Attention Network for Single Image
Super-Resolution", CVPR 2019)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import PixelShuffleUpsampler, default_conv
from groklst.registry import MODELS

from .san_blocks import SecondOrderChannelAttention


class NonLocalBlock(nn.Module):
    """Embedded-Gaussian non-local block (Wang et al., "Non-local Neural Networks", CVPR 2018).

    ``z = x + W(softmax(θ(x)ᵀ φ(x)) g(x))`` with 1x1 embeddings θ, φ, g (C -> C') and a 1x1
    output conv W (C' -> C) initialised to zero, so the block starts as the identity (no batch
    norm, as in SAN).

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, inter_channels: int):
        super().__init__()
        inter = max(1, inter_channels)
        self.theta = nn.Conv2d(channels, inter, 1)
        self.phi = nn.Conv2d(channels, inter, 1)
        self.g = nn.Conv2d(channels, inter, 1)
        self.out = nn.Conv2d(inter, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        b, _, h, w = x.shape
        query = self.theta(x).flatten(2).transpose(1, 2)  # (B, HW, C')
        key = self.phi(x).flatten(2)  # (B, C', HW)
        value = self.g(x).flatten(2).transpose(1, 2)  # (B, HW, C')
        attn = torch.softmax(query @ key, dim=-1)
        y = (attn @ value).transpose(1, 2).reshape(b, -1, h, w)
        return x + self.out(y)


class RegionNonLocal(nn.Module):
    """Region-level non-local module, RL-NL (Dai et al., SAN, CVPR 2019, Sec. 3.4).

    The feature map is cut into ``grid x grid`` regions (2 x 2 in SAN) and one shared
    non-local block runs inside every region, which bounds the attention cost.

    Args:
        channels: channels C.
        inter_channels: embedding width C' (SAN: C // 8).
        grid: regions per side.

    Shapes:
        (B, C, H, W) -> (B, C, H, W) (any H, W; uneven splits put the extra row/col last).
    """

    def __init__(self, channels: int, inter_channels: int, grid: int = 2):
        super().__init__()
        self.grid = grid
        self.block = NonLocalBlock(channels, inter_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        h, w = x.shape[-2:]
        hs = [h * i // self.grid for i in range(self.grid + 1)]
        ws = [w * j // self.grid for j in range(self.grid + 1)]
        rows = []
        for i in range(self.grid):
            cols = []
            for j in range(self.grid):
                region = x[..., hs[i]:hs[i + 1], ws[j]:ws[j + 1]]
                cols.append(self.block(region) if region.numel() else region)
            rows.append(torch.cat(cols, dim=-1))
        return torch.cat(rows, dim=-2)


class LSRAG(nn.Module):
    """Local-source residual attention group of SAN (Dai et al., CVPR 2019, Sec. 3.2).

    ``n_resblocks`` simple residual blocks (conv-ReLU-conv + identity), second-order channel
    attention, a closing conv and the local-source skip.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, n_feats: int, n_resblocks: int, kernel_size: int, reduction: int,
                 n_iter: int):
        super().__init__()
        self.blocks = nn.Sequential(*[_PlainResBlock(n_feats, kernel_size)
                                      for _ in range(n_resblocks)])
        self.soca = SecondOrderChannelAttention(n_feats, reduction, n_iter)
        self.conv = default_conv(n_feats, n_feats, kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x + self.conv(self.soca(self.blocks(x)))


class _PlainResBlock(nn.Module):
    """conv -> ReLU -> conv plus identity (the residual block inside an LSRAG)."""

    def __init__(self, n_feats: int, kernel_size: int):
        super().__init__()
        self.body = nn.Sequential(
            default_conv(n_feats, n_feats, kernel_size), nn.ReLU(inplace=True),
            default_conv(n_feats, n_feats, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@MODELS.register_module()
class SAN(BaseGenerator):
    """SAN: second-order attention network with a non-locally enhanced residual group.

    Dai et al., "Second-Order Attention Network for Single Image Super-Resolution", CVPR 2019.

    head conv (in -> F) -> region-level non-local (RL-NL) -> G local-source residual
    attention groups with the share-source skip ``x_g = LSRAG_g(x_{g-1}) + γ · x_0``
    (learnable γ, initialised to 0) -> RL-NL (the same module as at the start, as in the
    authors' code) -> plus the head features -> x2 pixel-shuffle stages -> conv (F -> in).
    Second-order channel attention (SOCA) uses covariance pooling and a 5-iteration
    Newton-Schulz matrix square root written in plain torch, so autograd gives the backward
    pass on CPU. No image-level skip (``residual=None``). Defaults are the paper's: G = 20,
    M = 10 residual blocks per group, 64 features, reduction 16, RL-NL on 2 x 2 regions with
    C' = F // 8.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width F.
        n_resgroups: G, number of LSRAGs.
        n_resblocks: M, residual blocks per LSRAG.
        reduction: SOCA reduction ratio.
        kernel_size: odd kernel size.
        sqrt_iters: Newton-Schulz iterations of SOCA.
        nonlocal_grid: RL-NL regions per side.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or invalid widths.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Dai et al., "Second-Order Attention Network for Single Image Super-Resolution", '
             'CVPR 2019')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resgroups: int = 20,
                 n_resblocks: int = 10,
                 reduction: int = 16,
                 kernel_size: int = 3,
                 sqrt_iters: int = 5,
                 nonlocal_grid: int = 2,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.head = default_conv(in_channels, n_feats, kernel_size)
        self.non_local = RegionNonLocal(n_feats, n_feats // 8, nonlocal_grid)
        self.groups = nn.ModuleList([
            LSRAG(n_feats, n_resblocks, kernel_size, reduction, sqrt_iters)
            for _ in range(n_resgroups)
        ])
        self.gamma = nn.Parameter(torch.zeros(1))
        self.tail = nn.Sequential(
            PixelShuffleUpsampler(scale, n_feats, kernel_size),
            default_conv(n_feats, in_channels, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        source = self.non_local(feat)
        out = source
        for group in self.groups:
            out = group(out) + self.gamma * source
        return self.tail(self.non_local(out) + feat)
