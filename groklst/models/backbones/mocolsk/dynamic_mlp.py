"""Dynamic MLP: an MLP whose weights are generated from a conditioning vector.

Yang et al., "Dynamic MLP for Fine-Grained Image Classification by Leveraging Geographical and
Temporal Information", CVPR 2022. The paper fuses image features with location/time features by
projecting the image features through a matrix predicted from the location features; it defines
three variants (A, B, C) of increasing capacity. MoCoLSK-Net (Dai et al., IEEE TGRS 2025) uses it
with LST tokens as the "image" features and guidance tokens as the conditioning features.

All modules accept any number of leading dimensions: image features (..., C_img) and
conditioning features (..., C_loc) with identical leading shapes, e.g. (B, C) or (B, N, C).
"""
from typing import Optional

import torch
import torch.nn as nn

MLP_TYPES = ('a', 'b', 'c')


def _check_leading(img: torch.Tensor, loc: torch.Tensor) -> None:
    if img.shape[:-1] != loc.shape[:-1]:
        raise ValueError('image and conditioning features need the same leading dims, found '
                         f'{tuple(img.shape)} and {tuple(loc.shape)}')


def _linear_act(in_dim: int, out_dim: int, bias: bool = True) -> nn.Sequential:
    """Linear -> (LayerNorm when bias-free) -> ReLU."""
    layers = [nn.Linear(in_dim, out_dim, bias=bias)]
    if not bias:
        layers.append(nn.LayerNorm(out_dim))
    layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _apply_generated(vec: torch.Tensor, flat_weight: torch.Tensor, in_dim: int,
                     out_dim: int) -> torch.Tensor:
    """Multiply (..., in) by generated matrices (..., in*out) viewed as (..., in, out)."""
    weight = flat_weight.reshape(*flat_weight.shape[:-1], in_dim, out_dim)
    return torch.einsum('...i,...io->...o', vec, weight)


class DynamicMLPA(nn.Module):
    """Dynamic MLP type A (Yang et al., CVPR 2022).

    A linear layer maps the conditioning features to an (in_dim x out_dim) matrix per sample;
    the image features are multiplied by it, then LayerNorm and ReLU.

    Args:
        in_dim: image feature width C_img.
        out_dim: output width C_out.
        loc_dim: conditioning feature width C_loc.

    Shapes:
        img (..., C_img), loc (..., C_loc) -> (..., C_out).

    Raises:
        ValueError: in ``forward`` when the leading dims of ``img`` and ``loc`` differ.
    """

    def __init__(self, in_dim: int, out_dim: int, loc_dim: int):
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.weight_gen = nn.Linear(loc_dim, in_dim * out_dim)
        self.post = nn.Sequential(nn.LayerNorm(out_dim), nn.ReLU())

    def forward(self, img: torch.Tensor, loc: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_leading(img, loc)
        out = _apply_generated(img, self.weight_gen(loc), self.in_dim, self.out_dim)
        return self.post(out)


class DynamicMLPB(nn.Module):
    """Dynamic MLP type B (Yang et al., CVPR 2022).

    Both inputs get a two-layer embedding first (the conditioning branch ending in the
    generated in_dim x out_dim matrix); after the product come LayerNorm + ReLU and a bias-free
    linear layer with LayerNorm + ReLU.

    Args:
        in_dim: image feature width C_img.
        out_dim: output width C_out.
        loc_dim: conditioning feature width C_loc.

    Shapes:
        img (..., C_img), loc (..., C_loc) -> (..., C_out).

    Raises:
        ValueError: in ``forward`` when the leading dims of ``img`` and ``loc`` differ.
    """

    def __init__(self, in_dim: int, out_dim: int, loc_dim: int):
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.img_embed = nn.Sequential(_linear_act(in_dim, in_dim), nn.Linear(in_dim, in_dim))
        self.weight_gen = nn.Sequential(
            _linear_act(loc_dim, in_dim), nn.Linear(in_dim, in_dim * out_dim))
        self.post = nn.Sequential(nn.LayerNorm(out_dim), nn.ReLU(),
                                  _linear_act(out_dim, out_dim, bias=False))

    def forward(self, img: torch.Tensor, loc: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_leading(img, loc)
        out = _apply_generated(self.img_embed(img), self.weight_gen(loc), self.in_dim,
                               self.out_dim)
        return self.post(out)


class DynamicMLPC(DynamicMLPB):
    """Dynamic MLP type C (Yang et al., CVPR 2022).

    Like type B, but both branches read the concatenation [img, loc], so the image embedding is
    conditioned as well.

    Args:
        in_dim: image feature width C_img.
        out_dim: output width C_out.
        loc_dim: conditioning feature width C_loc.

    Shapes:
        img (..., C_img), loc (..., C_loc) -> (..., C_out).

    Raises:
        ValueError: in ``forward`` when the leading dims of ``img`` and ``loc`` differ.
    """

    def __init__(self, in_dim: int, out_dim: int, loc_dim: int):
        super().__init__(in_dim, out_dim, loc_dim)
        cat_dim = in_dim + loc_dim
        self.img_embed = nn.Sequential(_linear_act(cat_dim, in_dim), nn.Linear(in_dim, in_dim))
        self.weight_gen = nn.Sequential(
            _linear_act(cat_dim, in_dim), nn.Linear(in_dim, in_dim * out_dim))

    def forward(self, img: torch.Tensor, loc: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_leading(img, loc)
        both = torch.cat([img, loc], dim=-1)
        out = _apply_generated(self.img_embed(both), self.weight_gen(both), self.in_dim,
                               self.out_dim)
        return self.post(out)


_MLP_CLASSES = {'a': DynamicMLPA, 'b': DynamicMLPB, 'c': DynamicMLPC}


def build_dynamic_mlp(mlp_type: str, in_dim: int, out_dim: int, loc_dim: int) -> nn.Module:
    """Build a Dynamic MLP layer of type ``'a'``, ``'b'`` or ``'c'`` (case-insensitive).

    Shapes and citation: see :class:`DynamicMLPA` (Yang et al., CVPR 2022).

    Raises:
        ValueError: for an unknown ``mlp_type``.
    """
    key = str(mlp_type).lower()
    if key not in _MLP_CLASSES:
        raise ValueError(f'mlp_type must be one of {MLP_TYPES}, found {mlp_type!r}')
    return _MLP_CLASSES[key](in_dim, out_dim, loc_dim)


class DynamicMLPFusion(nn.Module):
    """Stack of Dynamic MLP layers with input/output projections (Yang et al., CVPR 2022).

    ``img`` is linearly projected to ``planes``; ``num_layers`` Dynamic MLP layers, all
    conditioned on the same ``loc`` features, map it planes -> hidden -> ... -> hidden -> planes
    (a single layer maps planes -> planes, so ``hidden`` is only used when ``num_layers > 1``);
    a linear layer + LayerNorm gives ``out_dim`` values, to which a linear projection of the raw
    ``img`` features is added. Nothing is averaged over the batch: every sample (and token) gets
    its own output.

    Args:
        in_dim: image feature width C_img.
        out_dim: output width C_out.
        loc_dim: conditioning width C_loc (default ``in_dim``).
        planes: width of the dynamic stack's input/output (default ``in_dim``).
        hidden: width between dynamic layers when ``num_layers > 1``.
        num_layers: number of Dynamic MLP layers (>= 1).
        mlp_type: ``'a'``, ``'b'`` or ``'c'``.

    Shapes:
        img (..., C_img), loc (..., C_loc) -> (..., C_out); e.g. (B, N, C) tokens.

    Raises:
        ValueError: for ``num_layers`` < 1, an unknown ``mlp_type``, or (in ``forward``)
            mismatched leading dims.
    """

    def __init__(self,
                 in_dim: int,
                 out_dim: int,
                 loc_dim: Optional[int] = None,
                 planes: Optional[int] = None,
                 hidden: int = 32,
                 num_layers: int = 1,
                 mlp_type: str = 'a'):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, found {num_layers}')
        loc_dim = in_dim if loc_dim is None else loc_dim
        planes = in_dim if planes is None else planes
        widths = [planes] + [hidden] * (num_layers - 1) + [planes]
        self.proj_in = nn.Linear(in_dim, planes)
        self.layers = nn.ModuleList(
            build_dynamic_mlp(mlp_type, widths[i], widths[i + 1], loc_dim)
            for i in range(num_layers))
        self.head = nn.Sequential(nn.Linear(planes, out_dim), nn.LayerNorm(out_dim))
        self.skip = nn.Linear(in_dim, out_dim)

    def forward(self, img: torch.Tensor, loc: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_leading(img, loc)
        x = self.proj_in(img)
        for layer in self.layers:
            x = layer(x, loc)
        return self.head(x) + self.skip(img)
