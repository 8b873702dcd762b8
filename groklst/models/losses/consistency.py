"""Aggregation consistency at the native scale: the prediction, averaged back onto the coarse
grid, must reproduce the coarse LST it was made from.

This is Wald's consistency property (Wald, Ranchin & Mangolini, 1997, Photogramm. Eng. Remote
Sens. 63:691-699: a synthesized image, degraded back to the original resolution, should be as
close as possible to the original) used as a training loss on samples for which no finer LST
exists. It assumes only that the coarse pixel is the aggregate of the fine pixels it covers,
not that the LST-guidance relation is the same at both scales (the scale-invariance assumption
of Wald-protocol training), and it is the soft counterpart of the residual redistribution of
TsHARP / DMS (:func:`groklst.models.layers.resample.project_to_lr`).

Aggregation space (``space``):

* ``'temperature'`` (default): block mean of the LST in K. Coarse LST products are retrieved
  from radiances measured in narrow thermal bands around 11 µm, where the band radiance is
  close to linear in T over the contrasts inside one coarse pixel; the block mean in K is also
  how Wald's protocol degrades (box mean in K) and what the hard projection enforces, so the
  soft term, the degradation and the projection agree. Difference to the radiance aggregate
  for a block with LST standard deviation σ around T̄: about 1.5·σ²/T̄ (0.04 K for σ = 3 K,
  0.12 K for σ = 5 K at 300 K), below the noise of coarse LST products.
* ``'radiance'``: broadband emitted radiance ∝ T⁴ (Stefan-Boltzmann), aggregated as
  ``(mean(T⁴))^(1/4)``: the LST a broadband radiometer would report for the block. Choose it
  for strongly heterogeneous blocks (fires, urban-water edges) where the T⁴ weighting matters.
"""
from typing import Optional

import torch
from torch import nn

from groklst.models.layers.resample import block_mean
from groklst.registry import MODELS

__all__ = ['AGGREGATION_SPACES', 'aggregate_lst', 'AggregationConsistencyLoss']

#: Spaces in which fine LST is aggregated onto the coarse grid.
AGGREGATION_SPACES = ('temperature', 'radiance')

#: Reference temperature (K) scaling T⁴ to about 1 (float32 keeps its precision).
_T_REF = 300.0


def aggregate_lst(lst: torch.Tensor, scale: int, space: str = 'temperature') -> torch.Tensor:
    """Aggregate fine LST onto the grid ``scale`` times coarser.

    Args:
        lst: (B, 1, s·h, s·w) LST in K.
        scale: scale factor s.
        space: 'temperature' (block mean in K) or 'radiance' (``(block mean of T⁴)^(1/4)``),
            see the module docstring.

    Returns:
        (B, 1, h, w) LST in K.

    Raises:
        ValueError: unknown ``space``; ``lst`` not (B, C, H, W) with H, W multiples of s.
    """
    if space not in AGGREGATION_SPACES:
        raise ValueError(f'space must be one of {AGGREGATION_SPACES}, got {space!r}')
    if space == 'temperature':
        return block_mean(lst, scale)
    t4 = (lst / _T_REF) ** 4
    return _T_REF * block_mean(t4, scale).clamp_min(0) ** 0.25


@MODELS.register_module()
class AggregationConsistencyLoss(nn.Module):
    """Masked pixel loss between the aggregated fine prediction and the coarse LST.

    ``loss_weight · pixel_loss(aggregate_lst(pred, s, space), coarse, mask)`` where s is the
    ratio of the prediction's size to the coarse target's (checked to be one integer for both
    axes).

    Args:
        pixel_loss: config of a masked pixel loss (default ``MaskedL1Loss``), computed in K.
        space: aggregation space, 'temperature' (default) or 'radiance' (module docstring).
        loss_weight: multiplier of the loss.

    Raises:
        ValueError: unknown ``space``; (in forward) a prediction that is not an integer
            multiple of the target's size.
    """

    def __init__(self, pixel_loss: Optional[dict] = None, space: str = 'temperature',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if space not in AGGREGATION_SPACES:
            raise ValueError(f'space must be one of {AGGREGATION_SPACES}, got {space!r}')
        self.space = space
        self.loss_weight = float(loss_weight)
        self.pixel_loss = MODELS.build(pixel_loss or dict(type='MaskedL1Loss'))

    def forward(self, pred: torch.Tensor, coarse: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred: (B, 1, s·h, s·w) K; coarse: (B, 1, h, w) K; mask: (B, 1, h, w) bool or None.

        Returns:
            scalar loss (a zero that keeps the graph when no pixel is valid).
        """
        h, w = coarse.shape[-2:]
        if pred.dim() != 4 or coarse.dim() != 4 or pred.shape[-2] % h or pred.shape[-1] % w \
                or pred.shape[-2] // h != pred.shape[-1] // w:
            raise ValueError(f'AggregationConsistencyLoss: the prediction {tuple(pred.shape)} '
                             f'must be s times the coarse target {tuple(coarse.shape)} on '
                             f'both axes')
        scale = pred.shape[-2] // h
        agg = aggregate_lst(pred, scale, self.space)
        return self.loss_weight * self.pixel_loss(agg, coarse, mask)
