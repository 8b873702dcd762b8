"""Heads: registered reconstruction heads of the downscaling generators (LR features -> HR LST)
and the regression head of the retrieval networks (features -> LST / LSE_i);
``tools/analysis/list_models.py --kind head`` lists them."""
from .base import BaseReconstructionHead
from .reconstruction import PixelShuffleHead, UpProjectionHead
from .regression import RegressionHead

__all__ = ['BaseReconstructionHead', 'PixelShuffleHead', 'RegressionHead', 'UpProjectionHead']
