"""Networks for tabular retrieval features: a Transformer over feature tokens and a 1-D CNN.

Both map z-scored features (B, F) to z-scored targets (B, T) and name their last layer
``head`` (so head-only fine-tuning is ``head_modules=['net.head']``). They are the "TrF" and
"CNN" models that Heidarian et al. 2025 (Remote Sens. 17(23):3803, SFTL) pre-train on
simulations and fine-tune on in-situ samples; the third model, the DNN, is the existing
:class:`~groklst.models.retrievers.base_retriever.RegressionMLP`.
"""
from typing import Sequence

import torch
import torch.nn as nn
from mmengine.model.weight_init import trunc_normal_

from groklst.models.heads.regression import RegressionHead
from groklst.models.layers.activation import ActCfg, build_activation
from groklst.models.layers.transformer import MultiHeadAttention, Mlp
from groklst.registry import MODELS

from .base_retriever import Retriever

__all__ = ['FeatureTokenizer', 'TabularTransformerBlock', 'TabularTransformer', 'TabularCNN1d',
           'TransformerRetriever', 'CNN1dRetriever']


def _check_positive(**sizes) -> None:
    bad = {k: v for k, v in sizes.items() if int(v) < 1}
    if bad:
        raise ValueError(f'sizes must be positive integers, got {bad}')


class FeatureTokenizer(nn.Module):
    """One token per scalar feature, ``token_k = z_k * W_k + b_k``, after a learned [CLS]
    token (Gorishniy et al., "Revisiting Deep Learning Models for Tabular Data", NeurIPS
    2021, FT-Transformer).

    Args:
        in_features: F.
        dim: token width d.

    Shapes:
        (B, F) -> (B, 1 + F, d) (token 0 = [CLS]).
    """

    def __init__(self, in_features: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_features, dim))
        self.bias = nn.Parameter(torch.zeros(in_features, dim))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        trunc_normal_(self.weight, std=0.02 * dim ** 0.5)
        trunc_normal_(self.cls_token, std=0.02)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        tokens = z.unsqueeze(-1) * self.weight + self.bias
        return torch.cat([self.cls_token.expand(z.shape[0], -1, -1), tokens], dim=1)


class TabularTransformerBlock(nn.Module):
    """Pre-norm Transformer encoder block on (B, N, d) tokens: ``x + MHSA(LN(x))`` then
    ``x + MLP(LN(x))`` (Vaswani et al., NeurIPS 2017; pre-norm as in FT-Transformer).

    Reuses :class:`MultiHeadAttention` and :class:`Mlp` of ``groklst.models.layers.transformer``.
    """

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 2.0,
                 dropout: float = 0.0, act_cfg: ActCfg = 'GELU') -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'token width {dim} must be divisible by num_heads {num_heads}')
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, num_heads, dim // num_heads, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), dim, act_cfg, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, N, d) -> (B, N, d)."""
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


@MODELS.register_module()
class TabularTransformer(nn.Module):
    """Transformer regressor on feature tokens (B, F) -> (B, T).

    Tokens: :class:`FeatureTokenizer` (F feature tokens after a learned [CLS] token);
    ``depth`` encoder blocks; the [CLS] output after a final LayerNorm goes through the linear
    ``head``.

    Sub-module names (for fine-tuning patterns): ``tokenizer`` (incl. the [CLS] token),
    ``blocks.<i>`` (``attn.to_q``, ``attn.to_kv``, ``attn.to_out.0``, ``mlp.fc1``,
    ``mlp.fc2``), ``norm``, ``head``.

    Args:
        in_features: F. out_features: T.
        dim: token width. depth: number of blocks. num_heads: attention heads.
        mlp_ratio: MLP hidden width / dim. dropout: attention / MLP dropout.

    Raises:
        ValueError: non-positive sizes or ``dim`` not divisible by ``num_heads``.
    """

    def __init__(self, in_features: int, out_features: int, dim: int = 32, depth: int = 2,
                 num_heads: int = 4, mlp_ratio: float = 2.0, dropout: float = 0.0) -> None:
        super().__init__()
        _check_positive(in_features=in_features, out_features=out_features, dim=dim,
                        depth=depth, num_heads=num_heads)
        self.in_features = int(in_features)
        self.tokenizer = FeatureTokenizer(in_features, dim)
        self.blocks = nn.ModuleList(
            TabularTransformerBlock(dim, num_heads, mlp_ratio, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = RegressionHead(dim, out_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) -> (B, T)."""
        if z.dim() != 2 or z.shape[1] != self.in_features:
            raise ValueError(f'TabularTransformer expects (B, {self.in_features}), got '
                             f'{tuple(z.shape)}')
        x = self.tokenizer(z)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x[:, 0]))


@MODELS.register_module()
class TabularCNN1d(nn.Module):
    """1-D CNN regressor treating the F features as a length-F, one-channel signal.

    ``(B, F) -> (B, 1, F)``; per entry of ``channels`` a ``Conv1d(k, padding k // 2) -> act``
    (``body.<2i>``); flatten (B, C_last * F); ``fc`` = ``Linear(C_last * F, hidden) -> act``;
    ``head`` = ``Linear(hidden, T)``.

    Args:
        in_features: F. out_features: T.
        channels: output channels of the convolutions, e.g. (16, 32).
        kernel_size: odd kernel length.
        hidden: width of the fully connected layer.
        act_cfg: activation.

    Raises:
        ValueError: non-positive sizes or an even kernel.
    """

    def __init__(self, in_features: int, out_features: int, channels: Sequence[int] = (16, 32),
                 kernel_size: int = 3, hidden: int = 64, act_cfg: ActCfg = 'ReLU') -> None:
        super().__init__()
        _check_positive(in_features=in_features, out_features=out_features,
                        kernel_size=kernel_size, hidden=hidden, n_channels=len(channels),
                        **{f'channels[{i}]': c for i, c in enumerate(channels)})
        if kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd (same-length output), got {kernel_size}')
        layers = []
        c_in = 1
        for c in channels:
            layers += [nn.Conv1d(c_in, int(c), kernel_size, padding=kernel_size // 2),
                       build_activation(act_cfg)]
            c_in = int(c)
        self.in_features = int(in_features)
        self.body = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Linear(c_in * in_features, hidden), build_activation(act_cfg))
        self.head = RegressionHead(hidden, out_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) -> (B, T)."""
        if z.dim() != 2 or z.shape[1] != self.in_features:
            raise ValueError(f'TabularCNN1d expects (B, {self.in_features}), got '
                             f'{tuple(z.shape)}')
        return self.head(self.fc(self.body(z.unsqueeze(1)).flatten(1)))


@MODELS.register_module()
class TransformerRetriever(Retriever):
    """:class:`Retriever` whose network is a :class:`TabularTransformer` (``self.net``).

    Args:
        input_names, target_names, norm, loss, target_weights, data_preprocessor: see
            :class:`Retriever`.
        dim, depth, num_heads, mlp_ratio, dropout: see :class:`TabularTransformer`.
    """

    paper = 'Heidarian et al., SFTL tabular Transformer, Remote Sens. 17:3803, 2025'

    def __init__(self, input_names: Sequence[str], target_names: Sequence[str] = ('lst',),
                 dim: int = 32, depth: int = 2, num_heads: int = 4, mlp_ratio: float = 2.0,
                 dropout: float = 0.0, **kwargs) -> None:
        super().__init__(input_names, target_names, **kwargs)
        self.net = TabularTransformer(self.in_features, self.out_features, dim, depth,
                                      num_heads, mlp_ratio, dropout)

    def forward_normalized(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) z-scored features -> (B, T) z-scored targets."""
        return self.net(z)


@MODELS.register_module()
class CNN1dRetriever(Retriever):
    """:class:`Retriever` whose network is a :class:`TabularCNN1d` (``self.net``).

    Args:
        input_names, target_names, norm, loss, target_weights, data_preprocessor: see
            :class:`Retriever`.
        channels, kernel_size, hidden, act_cfg: see :class:`TabularCNN1d`.
    """

    paper = 'Heidarian et al., SFTL 1-D CNN, Remote Sens. 17:3803, 2025'

    def __init__(self, input_names: Sequence[str], target_names: Sequence[str] = ('lst',),
                 channels: Sequence[int] = (16, 32), kernel_size: int = 3, hidden: int = 64,
                 act_cfg: ActCfg = 'ReLU', **kwargs) -> None:
        super().__init__(input_names, target_names, **kwargs)
        self.net = TabularCNN1d(self.in_features, self.out_features, channels, kernel_size,
                                hidden, act_cfg)

    def forward_normalized(self, z: torch.Tensor) -> torch.Tensor:
        """(B, F) z-scored features -> (B, T) z-scored targets."""
        return self.net(z)
