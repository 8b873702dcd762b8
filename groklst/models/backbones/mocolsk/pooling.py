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
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

POOL_TYPES = ('avg', 'max', 'avgmax', 'ppm')


def _check_pool_args(bins: Sequence[int], pool_type: str) -> None:
    if pool_type not in POOL_TYPES:
        raise ValueError(f'pool_type must be one of {POOL_TYPES}, found {pool_type!r}')
    if len(bins) == 0 or any(int(b) < 1 for b in bins):
        raise ValueError(f'bins must be a non-empty sequence of positive ints, found {bins}')


def _cell_weights(length: int, bins: Tuple[int, ...], dtype: torch.dtype,
                  device: torch.device) -> torch.Tensor:
    """Averaging weights (length, S) along one axis, S = sum(bins): column j is 1 / n_j on the
    n_j positions of adaptive-pooling cell j and 0 elsewhere. Cell i of bin b spans
    ``[floor(i * length / b), ceil((i + 1) * length / b))``, the rule of
    ``torch.nn.functional.adaptive_avg_pool2d`` (cells overlap when b does not divide length).
    Computed in float64 (or float32 where float64 is not wanted) and rounded once to ``dtype``;
    built per call (a few tiny ops), so no cached tensor outlives an inference mode."""
    exact = torch.float64 if dtype == torch.float64 else torch.float32
    pos = torch.arange(length, device=device)
    columns = []
    for size in bins:
        cell = torch.arange(size, device=device)
        start = cell * length // size
        end = ((cell + 1) * length + size - 1) // size
        member = ((pos[:, None] >= start) & (pos[:, None] < end)).to(exact)
        columns.append(member / (end - start).to(exact))
    return torch.cat(columns, dim=1).to(dtype)


def _avg_pool_cells(x: torch.Tensor, bins: Sequence[int]) -> List[torch.Tensor]:
    """Adaptive average pooling of (B, C, H, W) to every b x b grid of ``bins``, as a list of
    (B, C, b * b) cell means (row-major), equal to ``adaptive_avg_pool2d`` up to float rounding.

    Average pooling is separable: the cell means of all bins come from two thin products with
    the averaging weights of :func:`_cell_weights`, ``rows.T @ x @ cols`` (B, C, S, S), whose
    diagonal blocks are the grids. The input is read once and its gradient written once,
    instead of once per bin. The products run in ``x``'s dtype with autocast off (as
    ``adaptive_avg_pool2d`` does); the weights are means, not 0/1 sums, so a float16 input
    cannot overflow in the sum of a large map."""
    b, c = x.shape[:2]
    bins = tuple(int(v) for v in bins)
    with torch.autocast(x.device.type, enabled=False):
        rows = _cell_weights(x.shape[2], bins, x.dtype, x.device)
        cols = _cell_weights(x.shape[3], bins, x.dtype, x.device)
        means = torch.matmul(rows.t(), torch.matmul(x, cols))
    cells, offset = [], 0
    for size in bins:
        block = means[..., offset:offset + size, offset:offset + size]
        cells.append(block.reshape(b, c, size * size))
        offset += size
    return cells


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
    if pool_type == 'max':
        cells = [F.adaptive_max_pool2d(x, size).reshape(b, c, -1) for size in bins]
    else:
        cells = _avg_pool_cells(x, bins)
        if pool_type == 'avgmax':
            cells = [0.5 * (avg + F.adaptive_max_pool2d(x, size).reshape(b, c, -1))
                     for avg, size in zip(cells, bins)]
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
