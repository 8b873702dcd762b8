"""Pyramid pooling that turns a feature map into a short token sequence.

The bins follow the pyramid pooling module (PPM) of PSPNet (Zhao et al., "Pyramid Scene Parsing
Network", CVPR 2017); MoCoLSK-Net (Dai et al., IEEE TGRS 2025) uses the pooled cells as tokens
for its dynamic MLP and ablates the pooling of its MCWG pathway: global average, global max,
average + max, and the PPM. Pool types:

* ``'avg'`` / ``'max'``: adaptive average / max pooling to every bin;
* ``'avgmax'``: the mean of the two (timm's ``adaptive_avgmax_pool`` convention; the public
  GrokLST ablation code concatenates them instead, doubling the token width);
* ``'ppm'``: the PPM of PSPNet, i.e. adaptive *average* pooling to every bin. With the default
  bins (1, 2, 3, 6) it is identical to ``'avg'``; the global poolings of the paper's ablation
  are ``bins=(1,)`` with ``'avg'``, ``'max'`` or ``'avgmax'``.
"""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

POOL_TYPES = ('avg', 'max', 'avgmax', 'ppm')


def _check_pool_args(bins: Sequence[int], pool_type: str) -> None:
    if pool_type not in POOL_TYPES:
        raise ValueError(f'pool_type must be one of {POOL_TYPES}, found {pool_type!r}')
    if len(bins) == 0 or any(int(b) < 1 for b in bins):
        raise ValueError(f'bins must be a non-empty sequence of positive ints, found {bins}')


def pyramid_pool_tokens(x: torch.Tensor,
                        bins: Sequence[int] = (1, 2, 3, 6),
                        pool_type: str = 'avg') -> torch.Tensor:
    """Adaptive-pool a map to b x b grids for every bin b and flatten the cells into tokens.

    Args:
        x: features (B, C, H, W).
        bins: grid sizes; the token count is ``N = sum(b * b)`` (50 for (1, 2, 3, 6)).
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` (mean of the average- and max-pooled
            cells, the timm convention) or ``'ppm'`` (average pooling, PSPNet's PPM).

    Returns:
        Tokens (B, N, C), ordered by bin then row-major cell.

    Raises:
        ValueError: for an unknown ``pool_type``, empty/non-positive ``bins`` or a non 4-D ``x``.
    """
    _check_pool_args(bins, pool_type)
    if x.dim() != 4:
        raise ValueError(f'x must be (B, C, H, W), found shape {tuple(x.shape)}')
    b, c = x.shape[:2]
    cells = []
    for size in bins:
        if pool_type in ('avg', 'ppm'):
            pooled = F.adaptive_avg_pool2d(x, size)
        elif pool_type == 'max':
            pooled = F.adaptive_max_pool2d(x, size)
        else:
            pooled = 0.5 * (F.adaptive_avg_pool2d(x, size) + F.adaptive_max_pool2d(x, size))
        cells.append(pooled.reshape(b, c, -1))
    return torch.cat(cells, dim=2).transpose(1, 2)


class PyramidPoolingTokens(nn.Module):
    """Module form of :func:`pyramid_pool_tokens` (no parameters).

    Args:
        bins: grid sizes, default (1, 2, 3, 6) -> 50 tokens.
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` or ``'ppm'`` (see the module docstring).

    Shapes:
        (B, C, H, W) -> (B, N, C) with ``N = self.num_tokens``.

    Raises:
        ValueError: for an unknown ``pool_type`` or empty/non-positive ``bins``.
    """

    def __init__(self, bins: Sequence[int] = (1, 2, 3, 6), pool_type: str = 'avg'):
        super().__init__()
        _check_pool_args(bins, pool_type)
        self.bins = tuple(int(b) for b in bins)
        self.pool_type = pool_type

    @property
    def num_tokens(self) -> int:
        """Number of tokens N = sum of squared bins."""
        return sum(b * b for b in self.bins)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, N, C)."""
        return pyramid_pool_tokens(x, self.bins, self.pool_type)

    def extra_repr(self) -> str:
        return f'bins={self.bins}, pool_type={self.pool_type!r}'
