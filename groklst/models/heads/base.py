"""The contract of a reconstruction head."""
from typing import Tuple

import torch
import torch.nn as nn

__all__ = ['BaseReconstructionHead']


class BaseReconstructionHead(nn.Module):
    """Base of the reconstruction heads: LR features -> HR output, in two named stages.

    ``reconstruction`` brings the features (B, C_in, h, w) to HR (B, C', s·h, s·w) (upsampling
    and any refinement); ``out`` maps them to the output (B, C_out, s·h, s·w). ``forward`` is
    ``out(reconstruction(x))``. The two stages are named so that a host can keep them as its
    own ``reconstruction`` / ``head`` attributes (``MoCoLSKNet`` does, which keeps its checkpoint
    keys and the module paths that fine-tuning configs name). The host sets ``in_channels``,
    ``out_channels`` and ``scale`` (see :func:`groklst.models.builder.build_part`).

    Class attributes: ``model_kind = 'head'`` (read by ``tools/analysis/list_models.py``),
    ``supported_scales`` and ``paper``.

    Args:
        in_channels: C_in, width of the LR features.
        out_channels: C_out, output channels (1 for LST).
        scale: scale factor s.

    Raises:
        ValueError: ``scale`` not in ``supported_scales``.
    """

    model_kind = 'head'
    supported_scales: Tuple[int, ...] = (2, 4, 8)
    paper = ''

    def __init__(self, in_channels: int, out_channels: int, scale: int):
        super().__init__()
        if scale not in self.supported_scales:
            raise ValueError(f'{type(self).__name__} supports scales '
                             f'{tuple(self.supported_scales)}, found {scale}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, h, w) -> (B, C_out, s·h, s·w)."""
        return self.out(self.reconstruction(x))
