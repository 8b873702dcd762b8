"""Modality-Conditioned Weight Generation (MCWG) pathway of MoCoLSK-Net.

Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land Surface Temperature
Downscaling", IEEE TGRS 2025 (arXiv 2409.19835): pyramid-pooled LST and guidance tokens are
fused by a Dynamic MLP (Yang et al., CVPR 2022) into per-sample weights, e.g. the spatial
selection kernel of the LSK pathway.
"""
import math
from typing import Optional, Sequence

import torch
import torch.nn as nn

from .dynamic_mlp import DynamicMLPFusion
from .pooling import PyramidPoolingTokens

__all__ = ['MCWGPathway']


class MCWGPathway(nn.Module):
    """Modality-Conditioned Weight Generation pathway (Dai et al., IEEE TGRS 2025).

    Both modalities are pyramid-pooled into N tokens (N = 50 for bins (1, 2, 3, 6)); a Dynamic
    MLP (Yang et al., CVPR 2022) fuses the feature tokens (image input) with the guidance tokens
    (conditioning input) into one weight vector per token; the mean over tokens is reshaped to
    ``weight_shape``. The result is per sample and stays in the autograd graph.

    Args:
        dim: channels C of the features to be filtered (the "image" tokens).
        weight_shape: shape of one sample's generated weight, e.g. (2, 2, 3, 3).
        guide_dim: channels of the conditioning features (default ``dim``).
        pool_bins: pyramid pooling bins.
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` or ``'ppm'`` (see
            :class:`~groklst.models.backbones.mocolsk.pooling.PyramidPoolingTokens`).
        mlp_type: Dynamic MLP type ``'a'``, ``'b'`` or ``'c'``.
        mlp_layers: number of Dynamic MLP layers.
        mlp_hidden: hidden width between Dynamic MLP layers (used when ``mlp_layers > 1``).

    Shapes:
        feat (B, C, H, W), guide (B, C_g, H', W') -> weights (B, *weight_shape).

    Raises:
        ValueError: for invalid pooling / MLP arguments, or (in ``forward``) different batch
            sizes.
    """

    def __init__(self,
                 dim: int,
                 weight_shape: Sequence[int],
                 guide_dim: Optional[int] = None,
                 pool_bins: Sequence[int] = (1, 2, 3, 6),
                 pool_type: str = 'avg',
                 mlp_type: str = 'a',
                 mlp_layers: int = 1,
                 mlp_hidden: int = 32):
        super().__init__()
        self.weight_shape = tuple(int(s) for s in weight_shape)
        self.pool = PyramidPoolingTokens(pool_bins, pool_type)
        self.fusion = DynamicMLPFusion(
            in_dim=dim,
            out_dim=math.prod(self.weight_shape),
            loc_dim=dim if guide_dim is None else guide_dim,
            planes=dim,
            hidden=mlp_hidden,
            num_layers=mlp_layers,
            mlp_type=mlp_type)

    def forward(self, feat: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        if feat.shape[0] != guide.shape[0]:
            raise ValueError(
                f'batch sizes differ: feat {feat.shape[0]}, guide {guide.shape[0]}')
        per_token = self.fusion(self.pool(feat), self.pool(guide))  # (B, N, prod(shape))
        return per_token.mean(dim=1).reshape(feat.shape[0], *self.weight_shape)
