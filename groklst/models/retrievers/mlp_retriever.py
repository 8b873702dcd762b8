"""Plain fully connected LST/LSE retriever (the data-driven baseline of retrieval papers)."""
from typing import Sequence

import torch

from groklst.models.layers.activation import ActCfg
from groklst.registry import MODELS

from .base_retriever import RegressionMLP, Retriever

__all__ = ['MLPRetriever']


@MODELS.register_module()
class MLPRetriever(Retriever):
    """Multi-layer perceptron from z-scored features (B, F) to z-scored targets (B, T).

    The generic neural-network retrieval used as a baseline by e.g. Mao et al. 2005 (IJRS
    26(15)) and Xie et al. 2025 (arXiv:2504.07481, "plain MLP"); also the student / search space
    of the knowledge-distillation retrievers.

    Args:
        input_names, target_names, norm, loss, target_weights, data_preprocessor: see
            :class:`Retriever`.
        hidden_sizes: hidden layer widths, e.g. ``(64, 64)``.
        act_cfg: activation, e.g. ``'ReLU'``, ``'GELU'``, ``dict(type='LeakyReLU',
            negative_slope=0.1)``.
        dropout: dropout after each hidden activation.

    Raises:
        ValueError: as :class:`Retriever` and :class:`RegressionMLP`.
    """

    paper = ('multi-layer perceptron retrieval (e.g. Mao et al., '
             'IJRS 2005; plain MLP of Xie et al. 2025)')

    def __init__(self, input_names: Sequence[str], target_names: Sequence[str] = ('lst',),
                 hidden_sizes: Sequence[int] = (64, 64), act_cfg: ActCfg = 'ReLU',
                 dropout: float = 0.0, **kwargs) -> None:
        super().__init__(input_names, target_names, **kwargs)
        self.net = RegressionMLP(self.in_features, self.out_features, hidden_sizes, act_cfg,
                                 dropout)

    def forward_normalized(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) z-scored features -> (B, T) z-scored targets."""
        return self.net(z)
