"""Regression head of the retrieval networks: hidden features -> LST / LSE_i targets."""
import torch.nn as nn

from groklst.registry import MODELS

__all__ = ['RegressionHead']


@MODELS.register_module()
class RegressionHead(nn.Linear):
    """Linear regression head of a retrieval network: (B, D) features -> (B, T) targets.

    One output per target of the retriever, in its ``target_names`` order: the LST and/or the
    band emissivities LSE_i (``'lst'``, ``'lse:0'``, ...; AK-KD trains one model per target,
    the PINN one head per quantity), z-scored with the training statistics (the ``Retriever``
    de-normalizes them to K). A ``torch.nn.Linear`` (same parameters ``weight`` (T, D) and
    ``bias`` (T,), same initialisation), registered so that the retrieval networks' heads are
    listed by ``tools/analysis/list_models.py --kind head`` and selected by name in fine-tuning
    (``head_modules=['net.head']``).

    Args:
        in_features: D, width of the last hidden layer.
        out_features: T, number of targets.

    Shapes:
        (B, D) -> (B, T).
    """

    model_kind = 'head'
    paper = 'linear output layer of the retrieval networks (LST, LSE_i)'

    def __init__(self, in_features: int, out_features: int = 1):
        super().__init__(in_features, out_features)
