"""The contract of a fusion neck."""
import torch
import torch.nn as nn

__all__ = ['BaseFusionNeck']


class BaseFusionNeck(nn.Module):
    """Base of the fusion necks: fuse LST and guidance features of one width at one resolution.

    A dual-branch generator calls its neck once per stage with the LST-branch and the
    guidance-branch features; the neck returns fused features of the same shape, which the host
    uses in place of the guidance features (MoCoLSK-Net) or as the fused level (AHMF). The host
    sets ``dim`` (see :func:`groklst.models.builder.build_part`); a config names the neck by its
    registered type, e.g. ``neck=dict(type='MoCoLSKCSBlock')``.

    Class attributes: ``model_kind = 'neck'`` (read by ``tools/analysis/list_models.py``) and
    ``paper``.

    Args:
        dim: channels C of both inputs and of the output.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: in :meth:`check_pair`, inputs of different shapes or not of C channels.
    """

    model_kind = 'neck'
    paper = ''

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def check_pair(self, lst: torch.Tensor, gui: torch.Tensor) -> None:
        """Raise ValueError unless ``lst`` and ``gui`` are both (B, C, H, W) with C = ``dim``."""
        if lst.dim() != 4 or lst.shape != gui.shape or lst.shape[1] != self.dim:
            raise ValueError(f'{type(self).__name__} expects lst and gui of shape '
                             f'(B, {self.dim}, H, W), found {tuple(lst.shape)} and '
                             f'{tuple(gui.shape)}')

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """Fuse (B, C, H, W) LST and guidance features into (B, C, H, W)."""
        raise NotImplementedError
