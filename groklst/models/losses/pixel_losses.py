"""Pixel losses restricted to valid pixels."""
from typing import Optional

import torch
from torch import nn

from groklst.registry import MODELS


def masked_mean(values: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
    """Mean of ``values`` (B, C, H, W) over pixels where ``mask`` (B, 1|C, H, W, bool) is True.

    Returns a zero that keeps the graph when no pixel is valid (never NaN).
    """
    if mask is None:
        return values.mean()
    mask = mask.expand_as(values)
    n = mask.sum()
    total = torch.where(mask, values, torch.zeros_like(values)).sum()
    return total / n.clamp(min=1)


class _MaskedPixelLoss(nn.Module):
    """A per-pixel error (:meth:`error`) averaged over valid pixels, times ``loss_weight``.

    Args:
        loss_weight: multiplier of the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def error(self, diff: torch.Tensor) -> torch.Tensor:
        """Per-pixel error of ``diff`` = pred − target (B, C, H, W), same shape.

        Raises:
            NotImplementedError: in this base class.
        """
        raise NotImplementedError

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred, target: (B, C, H, W); mask: (B, 1, H, W) bool or None."""
        return self.loss_weight * masked_mean(self.error(pred - target), mask)


@MODELS.register_module()
class MaskedL1Loss(_MaskedPixelLoss):
    """Mean absolute error over valid pixels, times ``loss_weight`` (units: the inputs', K).

    Args:
        loss_weight: multiplier of the loss.
    """

    @staticmethod
    def error(diff: torch.Tensor) -> torch.Tensor:
        return diff.abs()


@MODELS.register_module()
class MaskedMSELoss(_MaskedPixelLoss):
    """Mean squared error over valid pixels (pooled over the batch), times ``loss_weight``
    (units: the inputs' squared, e.g. K²).

    Args:
        loss_weight: multiplier of the loss.
    """

    @staticmethod
    def error(diff: torch.Tensor) -> torch.Tensor:
        return diff ** 2


@MODELS.register_module()
class MaskedCharbonnierLoss(_MaskedPixelLoss):
    """Charbonnier loss sqrt((x−y)² + ε²) over valid pixels (Lai et al., CVPR 2017, LapSRN).

    Args:
        loss_weight: multiplier of the loss.
        eps: ε in the units of the inputs.
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-3) -> None:
        super().__init__(loss_weight)
        self.eps = eps

    def error(self, diff: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(diff ** 2 + self.eps ** 2)
