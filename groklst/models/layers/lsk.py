"""Large selective kernel (LSK) selection, the MoCoLSK block family and its comparison modules.

* LSK pathway: Li et al., "Large Selective Kernel Network for Remote Sensing Object Detection",
  ICCV 2023. A chain of depth-wise (dilated) convolutions gives features with growing receptive
  fields; a spatial attention computed from their channel-wise mean and max selects, per pixel,
  how much of each receptive field to use.
* Selective kernel (SK) channel selection: Li et al., "Selective Kernel Networks", CVPR 2019.
  Parallel branches are summed, globally average-pooled, squeezed by a fully connected layer and
  re-expanded into one logit vector per branch; a softmax across branches weighs every channel.
* MoCoLSK block: Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land
  Surface Temperature Downscaling", IEEE TGRS 2025 (arXiv 2409.19835). The spatial-selection
  convolution of LSK is replaced by a per-sample kernel that a Modality-Conditioned Weight
  Generation (MCWG) pathway predicts from pyramid-pooled LST and guidance tokens with a Dynamic
  MLP (Yang et al., CVPR 2022); the selected LST attention then modulates the guidance features.
  The same paper ablates a channel-selection variant (MoCoLSK-CS, its Fig. 8), a variant with
  the modality roles exchanged (MoCoLSK-Ex), the unconditioned comparison modules SK-M, LSK-M
  and LSK-CS-M applied to the concatenated modalities (its Fig. 9) and an identity baseline
  without a fusion module. :func:`build_fusion_block` builds any of them by name.

Every fusion block maps ``lst`` (B, C, H, W) and ``gui`` (B, C, H, W) to fused guidance-side
features (B, C, H, W).
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .conv import default_conv, per_sample_conv2d
from .dynamic_mlp import DynamicMLPFusion
from .pooling import PyramidPoolingTokens

KernelSpec = Sequence[Tuple[int, int]]


def _chained_branches(x: torch.Tensor, dw_convs: nn.ModuleList,
                      projections: nn.ModuleList) -> List[torch.Tensor]:
    """LSK decomposition (Li et al., ICCV 2023): depth-wise conv i reads the output of conv i-1;
    every intermediate map is projected by its own 1x1 conv. Returns one map per branch."""
    branches = []
    feat = x
    for conv, project in zip(dw_convs, projections):
        feat = conv(feat)
        branches.append(project(feat))
    return branches


def _check_kernels(kernels: KernelSpec) -> Tuple[Tuple[int, int], ...]:
    kernels = tuple((int(k), int(d)) for k, d in kernels)
    if not kernels:
        raise ValueError('kernels must hold at least one (kernel_size, dilation) pair')
    return kernels


class LSKSpatialSelection(nn.Module):
    """LSK spatial-selection pathway (Li et al., ICCV 2023), optionally with external kernels.

    For kernels ``((k1, d1), (k2, d2), ...)`` branch i applies a depth-wise k_i x k_i conv with
    dilation d_i to the output of branch i-1 (the first to the input), then a 1x1 conv to
    ``branch_dim`` channels. The channel-wise mean and max of the concatenated branches form a
    2-channel descriptor; a k x k "squeeze" convolution maps it to one logit map per branch; the
    sigmoid masks weight the branches, whose sum is mapped back to C channels by a 1x1 conv.

    The squeeze convolution is either a learnt static conv (``dynamic=False``, original LSK) or
    supplied at call time as per-sample kernels (``dynamic=True``, MoCoLSK).

    Args:
        dim: channels C.
        kernels: (kernel_size, dilation) per branch; default ((5, 1), (7, 3)) as in LSKNet.
        squeeze_kernel_size: odd size k of the squeeze convolution (7 in LSKNet, 3 in
            MoCoLSK-Net).
        dynamic: if True, no static squeeze conv is created and ``forward`` needs
            ``squeeze_weight``.
        branch_dim: width of each branch after its 1x1 conv (default ``max(1, C // 2)``).

    Shapes:
        x (B, C, H, W), optional squeeze_weight (B, n, 2, k, k) or (n, 2, k, k) with n the
        number of branches -> attention features (B, C, H, W) (not yet multiplied with
        anything).

    Raises:
        ValueError: for an empty ``kernels``, even kernel sizes, or (in ``forward``) a missing
            or wrongly shaped ``squeeze_weight``.
    """

    def __init__(self,
                 dim: int,
                 kernels: KernelSpec = ((5, 1), (7, 3)),
                 squeeze_kernel_size: int = 7,
                 dynamic: bool = False,
                 branch_dim: Optional[int] = None):
        super().__init__()
        kernels = _check_kernels(kernels)
        if squeeze_kernel_size < 1 or squeeze_kernel_size % 2 == 0:
            raise ValueError(
                f'squeeze_kernel_size must be odd and positive, found {squeeze_kernel_size}')
        branch_dim = max(1, dim // 2) if branch_dim is None else branch_dim
        self.kernels = kernels
        self.num_branches = len(kernels)
        self.squeeze_kernel_size = squeeze_kernel_size
        self.dw_convs = nn.ModuleList(
            default_conv(dim, dim, k, dilation=d, groups=dim) for k, d in kernels)
        self.reducers = nn.ModuleList(nn.Conv2d(dim, branch_dim, 1) for _ in kernels)
        self.squeeze = None if dynamic else default_conv(2, self.num_branches,
                                                         squeeze_kernel_size)
        self.expand = nn.Conv2d(branch_dim, dim, 1)

    @property
    def squeeze_weight_shape(self) -> Tuple[int, int, int, int]:
        """Shape (n, 2, k, k) of one sample's squeeze kernel."""
        k = self.squeeze_kernel_size
        return (self.num_branches, 2, k, k)

    def forward(self, x: torch.Tensor,
                squeeze_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """See the class docstring."""
        branches = _chained_branches(x, self.dw_convs, self.reducers)
        stacked = torch.cat(branches, dim=1)
        descriptor = torch.cat(
            [stacked.mean(dim=1, keepdim=True),
             stacked.amax(dim=1, keepdim=True)], dim=1)
        if squeeze_weight is None:
            if self.squeeze is None:
                raise ValueError('this LSKSpatialSelection is dynamic: pass squeeze_weight of '
                                 f'shape (B, *{self.squeeze_weight_shape})')
            logits = self.squeeze(descriptor)
        else:
            expected = self.squeeze_weight_shape
            if squeeze_weight.dim() == 4:
                squeeze_weight = squeeze_weight.unsqueeze(0).expand(x.shape[0], *expected)
            if tuple(squeeze_weight.shape) != (x.shape[0], *expected):
                raise ValueError(f'squeeze_weight must be ({x.shape[0]}, {expected}), '
                                 f'found {tuple(squeeze_weight.shape)}')
            logits = per_sample_conv2d(
                descriptor, squeeze_weight, padding=self.squeeze_kernel_size // 2)
        masks = torch.sigmoid(logits)
        selected = sum(branch * masks[:, i:i + 1] for i, branch in enumerate(branches))
        return self.expand(selected)


class LSKBlock(nn.Module):
    """Original LSK module (Li et al., ICCV 2023): ``x * LSKSpatialSelection(x)``.

    Args:
        dim: channels C.
        kernels: (kernel_size, dilation) per branch.
        squeeze_kernel_size: size of the static squeeze convolution.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: as :class:`LSKSpatialSelection`.
    """

    def __init__(self, dim: int, kernels: KernelSpec = ((5, 1), (7, 3)),
                 squeeze_kernel_size: int = 7):
        super().__init__()
        self.selection = LSKSpatialSelection(dim, kernels, squeeze_kernel_size, dynamic=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return x * self.selection(x)


class MCWGPathway(nn.Module):
    """Modality-Conditioned Weight Generation pathway (Dai et al., IEEE TGRS 2025).

    Both modalities are pyramid-pooled into N tokens (N = 50 for bins (1, 2, 3, 6)); a Dynamic
    MLP (Yang et al., CVPR 2022) fuses the feature tokens (image input) with the guidance tokens
    (conditioning input) into one weight vector per token; the mean over tokens is reshaped to
    ``weight_shape``. The result is per sample and stays in the autograd graph.

    Args:
        dim: channels C of the features to be filtered (the "image" tokens).
        weight_shape: shape of one sample's generated weight, e.g. (2, 2, 3, 3).
        guide_dim: channels of the conditioning features (default ``dim``).
        pool_bins: pyramid pooling bins.
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` or ``'ppm'`` (see
            :class:`~groklst.models.layers.pooling.PyramidPoolingTokens`).
        mlp_type: Dynamic MLP type ``'a'``, ``'b'`` or ``'c'``.
        mlp_layers: number of Dynamic MLP layers.
        mlp_hidden: hidden width between Dynamic MLP layers (used when ``mlp_layers > 1``).

    Shapes:
        feat (B, C, H, W), guide (B, C_g, H', W') -> weights (B, *weight_shape).

    Raises:
        ValueError: for invalid pooling / MLP arguments, or (in ``forward``) different batch
            sizes.
    """

    def __init__(self,
                 dim: int,
                 weight_shape: Sequence[int],
                 guide_dim: Optional[int] = None,
                 pool_bins: Sequence[int] = (1, 2, 3, 6),
                 pool_type: str = 'avg',
                 mlp_type: str = 'a',
                 mlp_layers: int = 1,
                 mlp_hidden: int = 32):
        super().__init__()
        self.weight_shape = tuple(int(s) for s in weight_shape)
        self.pool = PyramidPoolingTokens(pool_bins, pool_type)
        self.fusion = DynamicMLPFusion(
            in_dim=dim,
            out_dim=math.prod(self.weight_shape),
            loc_dim=dim if guide_dim is None else guide_dim,
            planes=dim,
            hidden=mlp_hidden,
            num_layers=mlp_layers,
            mlp_type=mlp_type)

    def forward(self, feat: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        if feat.shape[0] != guide.shape[0]:
            raise ValueError(
                f'batch sizes differ: feat {feat.shape[0]}, guide {guide.shape[0]}')
        per_token = self.fusion(self.pool(feat), self.pool(guide))  # (B, N, prod(shape))
        return per_token.mean(dim=1).reshape(feat.shape[0], *self.weight_shape)


class MoCoLSKBlock(nn.Module):
    """Modality-Conditioned Large Selective Kernel block (Dai et al., IEEE TGRS 2025).

    The LSK pathway (Li et al., ICCV 2023) runs on the LST features; its spatial-selection
    convolution uses the per-sample kernel generated by the MCWG pathway from LST and guidance
    tokens; the resulting attention features multiply the guidance features.

    Unlike the public GrokLST code, the generated kernel is kept in the autograd graph (so the
    MCWG pathway is trained) and is applied per sample rather than averaged over the batch.

    Args:
        dim: channels C of both inputs.
        lsk_kernels: (kernel_size, dilation) per LSK branch, default ((5, 1), (7, 3)).
        dynamic_kernel_size: odd size k of the generated 2 -> n selection kernel.
        pool_bins: pyramid pooling bins of the MCWG pathway.
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` or ``'ppm'`` (see
            :class:`~groklst.models.layers.pooling.PyramidPoolingTokens`).
        mlp_type: Dynamic MLP type ``'a'``, ``'b'`` or ``'c'``.
        mlp_layers: number of Dynamic MLP layers.
        mlp_hidden: hidden width between Dynamic MLP layers.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: for invalid arguments, or (in ``forward``) when ``lst`` and ``gui`` shapes
            differ or their channel count is not C.
    """

    def __init__(self,
                 dim: int,
                 lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 dynamic_kernel_size: int = 3,
                 pool_bins: Sequence[int] = (1, 2, 3, 6),
                 pool_type: str = 'avg',
                 mlp_type: str = 'a',
                 mlp_layers: int = 1,
                 mlp_hidden: int = 32):
        super().__init__()
        self.dim = dim
        self.lsk = LSKSpatialSelection(
            dim, lsk_kernels, squeeze_kernel_size=dynamic_kernel_size, dynamic=True)
        self.mcwg = MCWGPathway(
            dim,
            self.lsk.squeeze_weight_shape,
            pool_bins=pool_bins,
            pool_type=pool_type,
            mlp_type=mlp_type,
            mlp_layers=mlp_layers,
            mlp_hidden=mlp_hidden)

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_pair(type(self).__name__, lst, gui, self.dim)
        kernel = self.mcwg(lst, gui)  # (B, n, 2, k, k)
        return self.lsk(lst, kernel) * gui


def _check_pair(name: str, lst: torch.Tensor, gui: torch.Tensor, dim: int) -> None:
    if lst.dim() != 4 or lst.shape != gui.shape or lst.shape[1] != dim:
        raise ValueError(f'{name} expects lst and gui of shape (B, {dim}, H, W), '
                         f'found {tuple(lst.shape)} and {tuple(gui.shape)}')


class ChannelSelection(nn.Module):
    """SK "fuse and select" step (Li et al., "Selective Kernel Networks", CVPR 2019).

    The branch maps are summed and globally average-pooled to s (B, C); a linear layer and ReLU
    squeeze it to z (B, d) with ``d = max(C // reduction, min_dim)``; one linear head per branch
    gives logits (B, C); a softmax across the n branches turns them into channel weights a_i and
    the output is ``sum_i a_i * branch_i``. An optional per-sample ``condition`` (B, d) is added
    to the squeezed vector before the ReLU (how MoCoLSK-CS injects its MCWG output, Dai et al.,
    IEEE TGRS 2025). No batch normalisation on the vectors, so a batch of 1 trains.

    Args:
        dim: channels C of every branch.
        num_branches: number n >= 1 of branches.
        reduction: squeeze ratio r (2 in the GrokLST code, 16 in SKNet).
        min_dim: lower bound L of the squeezed width (32 in SKNet).

    Shapes:
        branches: n maps (B, C, H, W), condition (B, d) or None -> (B, C, H, W).

    Raises:
        ValueError: for non-positive sizes, or (in ``forward``) the wrong number of branches or
            a wrongly shaped ``condition``.
    """

    def __init__(self, dim: int, num_branches: int, reduction: int = 2, min_dim: int = 32):
        super().__init__()
        if dim < 1 or num_branches < 1 or reduction < 1 or min_dim < 1:
            raise ValueError('dim, num_branches, reduction and min_dim must be >= 1, found '
                             f'{dim}, {num_branches}, {reduction}, {min_dim}')
        self.dim = dim
        self.num_branches = num_branches
        self.squeeze_dim = max(dim // reduction, min_dim)
        self.squeeze = nn.Linear(dim, self.squeeze_dim)
        self.act = nn.ReLU()
        self.heads = nn.Linear(self.squeeze_dim, num_branches * dim)

    def forward(self, branches: Sequence[torch.Tensor],
                condition: Optional[torch.Tensor] = None) -> torch.Tensor:
        """See the class docstring."""
        if len(branches) != self.num_branches:
            raise ValueError(f'expected {self.num_branches} branch maps, found {len(branches)}')
        stacked = torch.stack(list(branches), dim=1)  # (B, n, C, H, W)
        z = self.squeeze(stacked.sum(dim=1).mean(dim=(-2, -1)))
        if condition is not None:
            if tuple(condition.shape) != tuple(z.shape):
                raise ValueError(f'condition must be {tuple(z.shape)}, '
                                 f'found {tuple(condition.shape)}')
            z = z + condition
        logits = self.heads(self.act(z)).reshape(-1, self.num_branches, self.dim)
        weights = torch.softmax(logits, dim=1)[..., None, None]
        return (stacked * weights).sum(dim=1)


class LSKChannelSelection(nn.Module):
    """LSK decomposition with SK channel selection instead of LSK spatial selection (LSK-CS).

    The chained depth-wise convolutions of LSK (Li et al., ICCV 2023) each feed a 1x1 conv
    C -> C; :class:`ChannelSelection` (Li et al., CVPR 2019) weighs the branches per channel.
    This is the "LSK-CS" pathway of Dai et al. (IEEE TGRS 2025, Figs. 8-9).

    Args:
        dim: channels C.
        kernels: (kernel_size, dilation) per branch.
        reduction: squeeze ratio of the channel selection.
        min_dim: lower bound of the squeezed width.

    Shapes:
        x (B, C, H, W), optional condition (B, d) with ``d = self.condition_dim`` ->
        selected features (B, C, H, W) (not yet multiplied with anything).

    Raises:
        ValueError: for an empty ``kernels`` or even kernel sizes, or as
            :class:`ChannelSelection`.
    """

    def __init__(self, dim: int, kernels: KernelSpec = ((5, 1), (7, 3)), reduction: int = 2,
                 min_dim: int = 32):
        super().__init__()
        self.kernels = _check_kernels(kernels)
        self.dw_convs = nn.ModuleList(
            default_conv(dim, dim, k, dilation=d, groups=dim) for k, d in self.kernels)
        self.projections = nn.ModuleList(nn.Conv2d(dim, dim, 1) for _ in self.kernels)
        self.select = ChannelSelection(dim, len(self.kernels), reduction, min_dim)

    @property
    def condition_dim(self) -> int:
        """Width d of the squeezed vector that an external condition is added to."""
        return self.select.squeeze_dim

    def forward(self, x: torch.Tensor, condition: Optional[torch.Tensor] = None) -> torch.Tensor:
        """See the class docstring."""
        return self.select(_chained_branches(x, self.dw_convs, self.projections), condition)


class SelectiveKernelConv(nn.Module):
    """SK convolution (Li et al., "Selective Kernel Networks", CVPR 2019).

    Parallel (not chained) depth-wise branches, each conv -> BatchNorm -> ReLU, fused by
    :class:`ChannelSelection`. The default branches (3x3, and 3x3 with dilation 2 standing in
    for 5x5) are those of SKNet.

    Args:
        dim: channels C.
        kernels: (kernel_size, dilation) per parallel branch.
        reduction: squeeze ratio of the channel selection.
        min_dim: lower bound of the squeezed width.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: for an empty ``kernels`` or even kernel sizes.
    """

    def __init__(self, dim: int, kernels: KernelSpec = ((3, 1), (3, 2)), reduction: int = 2,
                 min_dim: int = 32):
        super().__init__()
        self.kernels = _check_kernels(kernels)
        self.branches = nn.ModuleList(
            nn.Sequential(
                default_conv(dim, dim, k, dilation=d, groups=dim), nn.BatchNorm2d(dim), nn.ReLU())
            for k, d in self.kernels)
        self.select = ChannelSelection(dim, len(self.kernels), reduction, min_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return self.select([branch(x) for branch in self.branches])


class IdentityFusion(nn.Module):
    """Identity baseline of Dai et al. (IEEE TGRS 2025): no fusion module, ``gui`` passes.

    Has no parameters.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> gui (B, C, H, W).

    Raises:
        ValueError: when ``lst`` and ``gui`` shapes differ or their channel count is not C.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_pair(type(self).__name__, lst, gui, self.dim)
        return gui


class MoCoLSKExBlock(MoCoLSKBlock):
    """MoCoLSK-Ex: the MoCoLSK block with the roles of the two modalities exchanged.

    Dai et al. (IEEE TGRS 2025) ablate which modality drives the LSK pathway: here the guidance
    features run through the LSK decomposition, the MCWG kernel is generated exactly as in
    :class:`MoCoLSKBlock` (LST tokens as image input, guidance tokens as condition, following the
    public GrokLST ablation code), and the selected attention multiplies the LST features.

    Args and raises: as :class:`MoCoLSKBlock`.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W).
    """

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_pair(type(self).__name__, lst, gui, self.dim)
        kernel = self.mcwg(lst, gui)  # (B, n, 2, k, k)
        return self.lsk(gui, kernel) * lst


class MoCoLSKCSBlock(nn.Module):
    """MoCoLSK-CS: modality-conditioned LSK with channel selection (Dai et al., TGRS 2025, Fig. 8).

    The LST features run through :class:`LSKChannelSelection`; the MCWG pathway (pyramid-pooled
    LST and guidance tokens fused by a Dynamic MLP, Yang et al., CVPR 2022) generates one
    per-sample vector (B, d) that is added to the squeezed channel descriptor before the branch
    weights are computed; the selected features multiply the guidance features. The generated
    vector stays in the autograd graph and is per sample (see :class:`MCWGPathway`).

    Args:
        dim: channels C of both inputs.
        lsk_kernels: (kernel_size, dilation) per LSK branch.
        pool_bins: pyramid pooling bins of the MCWG pathway.
        pool_type: ``'avg'``, ``'max'``, ``'avgmax'`` or ``'ppm'``.
        mlp_type: Dynamic MLP type ``'a'``, ``'b'`` or ``'c'``.
        mlp_layers: number of Dynamic MLP layers.
        mlp_hidden: hidden width between Dynamic MLP layers.
        cs_reduction: squeeze ratio r of the channel selection.
        cs_min_dim: lower bound L of the squeezed width (d = max(C // r, L)).

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: for invalid arguments, or (in ``forward``) when ``lst`` and ``gui`` shapes
            differ or their channel count is not C.
    """

    def __init__(self,
                 dim: int,
                 lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 pool_bins: Sequence[int] = (1, 2, 3, 6),
                 pool_type: str = 'avg',
                 mlp_type: str = 'a',
                 mlp_layers: int = 1,
                 mlp_hidden: int = 32,
                 cs_reduction: int = 2,
                 cs_min_dim: int = 32):
        super().__init__()
        self.dim = dim
        self.lsk = LSKChannelSelection(dim, lsk_kernels, cs_reduction, cs_min_dim)
        self.mcwg = MCWGPathway(
            dim, (self.lsk.condition_dim, ),
            pool_bins=pool_bins,
            pool_type=pool_type,
            mlp_type=mlp_type,
            mlp_layers=mlp_layers,
            mlp_hidden=mlp_hidden)

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_pair(type(self).__name__, lst, gui, self.dim)
        return self.lsk(lst, self.mcwg(lst, gui)) * gui


class ConcatFusion(nn.Module):
    """Unconditioned comparison module on the concatenated modalities (Dai et al., Fig. 9).

    ``[lst, gui]`` (2C channels) goes through ``module`` and a 1x1 conv maps the result back to
    C channels. Subclasses fix the module: :class:`SKMBlock`, :class:`LSKMBlock`,
    :class:`LSKCSMBlock`.

    Args:
        dim: channels C of each input.
        module: any (B, 2C, H, W) -> (B, 2C, H, W) module.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: when ``lst`` and ``gui`` shapes differ or their channel count is not C.
    """

    def __init__(self, dim: int, module: nn.Module):
        super().__init__()
        self.dim = dim
        self.module = module
        self.proj = nn.Conv2d(2 * dim, dim, 1)

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_pair(type(self).__name__, lst, gui, self.dim)
        return self.proj(self.module(torch.cat([lst, gui], dim=1)))


class SKMBlock(ConcatFusion):
    """SK-M: :class:`SelectiveKernelConv` (Li et al., CVPR 2019) on [lst, gui], then 1x1 conv.

    Args:
        dim: channels C of each input.
        sk_kernels: (kernel_size, dilation) per parallel SK branch.
        cs_reduction: squeeze ratio of the channel selection.
        cs_min_dim: lower bound of the squeezed width.

    Shapes and raises: as :class:`ConcatFusion`.
    """

    def __init__(self, dim: int, sk_kernels: KernelSpec = ((3, 1), (3, 2)), cs_reduction: int = 2,
                 cs_min_dim: int = 32):
        super().__init__(dim, SelectiveKernelConv(2 * dim, sk_kernels, cs_reduction, cs_min_dim))


class LSKMBlock(ConcatFusion):
    """LSK-M: the original LSK module (:class:`LSKBlock`, Li et al., ICCV 2023) on [lst, gui].

    Args:
        dim: channels C of each input.
        lsk_kernels: (kernel_size, dilation) per LSK branch.
        squeeze_kernel_size: size of LSK's static squeeze convolution (7 in LSKNet).

    Shapes and raises: as :class:`ConcatFusion`.
    """

    def __init__(self, dim: int, lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 squeeze_kernel_size: int = 7):
        super().__init__(dim, LSKBlock(2 * dim, lsk_kernels, squeeze_kernel_size))


class _SelfGated(nn.Module):
    """``x * selection(x)`` for a selection module mapping (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, selection: nn.Module):
        super().__init__()
        self.selection = selection

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.selection(x)


class LSKCSMBlock(ConcatFusion):
    """LSK-CS-M: ``x * LSKChannelSelection(x)`` on x = [lst, gui] (unconditioned LSK-CS).

    Args:
        dim: channels C of each input.
        lsk_kernels: (kernel_size, dilation) per LSK branch.
        cs_reduction: squeeze ratio of the channel selection.
        cs_min_dim: lower bound of the squeezed width.

    Shapes and raises: as :class:`ConcatFusion`.
    """

    def __init__(self, dim: int, lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 cs_reduction: int = 2, cs_min_dim: int = 32):
        super().__init__(
            dim, _SelfGated(LSKChannelSelection(2 * dim, lsk_kernels, cs_reduction, cs_min_dim)))


FUSION_BLOCKS = {
    'mocolsk': MoCoLSKBlock,
    'mocolsk-cs': MoCoLSKCSBlock,
    'mocolsk-ex': MoCoLSKExBlock,
    'sk-m': SKMBlock,
    'lsk-m': LSKMBlock,
    'lsk-cs-m': LSKCSMBlock,
    'identity': IdentityFusion,
}
_FUSION_ALIASES = {'s': 'mocolsk', 'c': 'mocolsk-cs', 'cs': 'mocolsk-cs', 'ex': 'mocolsk-ex',
                   'sk': 'sk-m', 'lsk': 'lsk-m', 'lsk-cs': 'lsk-cs-m', 'none': 'identity'}


def canonical_block_type(block_type: str) -> str:
    """Map a fusion block name or alias (case-insensitive, ``_`` = ``-``) to its canonical name.

    Canonical names (keys of ``FUSION_BLOCKS``): ``'mocolsk'`` (alias ``'S'``, spatial
    selection), ``'mocolsk-cs'`` (``'C'``, channel selection), ``'mocolsk-ex'`` (``'Ex'``),
    ``'sk-m'``, ``'lsk-m'``, ``'lsk-cs-m'``, ``'identity'`` (``'none'``).

    Raises:
        ValueError: for an unknown name.
    """
    key = str(block_type).strip().lower().replace('_', '-')
    key = _FUSION_ALIASES.get(key, key)
    if key not in FUSION_BLOCKS:
        raise ValueError(f'unknown fusion block type {block_type!r}; expected one of '
                         f'{sorted(FUSION_BLOCKS)} or aliases {sorted(_FUSION_ALIASES)}')
    return key


def build_fusion_block(block_type: str,
                       dim: int,
                       lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                       dynamic_kernel_size: int = 3,
                       pool_bins: Sequence[int] = (1, 2, 3, 6),
                       pool_type: str = 'avg',
                       mlp_type: str = 'a',
                       mlp_layers: int = 1,
                       mlp_hidden: int = 32,
                       lsk_squeeze_kernel_size: int = 7,
                       sk_kernels: KernelSpec = ((3, 1), (3, 2)),
                       cs_reduction: int = 2,
                       cs_min_dim: int = 32) -> nn.Module:
    """Build one fusion block of the MoCoLSK family (Dai et al., IEEE TGRS 2025) by name.

    Every block maps lst (B, C, H, W), gui (B, C, H, W) -> (B, C, H, W). Each block reads only
    the arguments it has: ``dynamic_kernel_size`` (MoCoLSK, MoCoLSK-Ex), the MCWG arguments
    ``pool_*``/``mlp_*`` (MoCoLSK, -CS, -Ex), ``lsk_kernels`` (all LSK variants),
    ``lsk_squeeze_kernel_size`` (LSK-M), ``sk_kernels`` (SK-M) and ``cs_*`` (-CS, SK-M,
    LSK-CS-M); the identity block has none.

    Args:
        block_type: a name accepted by :func:`canonical_block_type`.
        dim: channels C.

    Raises:
        ValueError: for an unknown ``block_type`` or invalid block arguments.
    """
    key = canonical_block_type(block_type)
    mcwg = dict(pool_bins=pool_bins, pool_type=pool_type, mlp_type=mlp_type,
                mlp_layers=mlp_layers, mlp_hidden=mlp_hidden)
    cs = dict(cs_reduction=cs_reduction, cs_min_dim=cs_min_dim)
    if key in ('mocolsk', 'mocolsk-ex'):
        return FUSION_BLOCKS[key](dim, lsk_kernels, dynamic_kernel_size, **mcwg)
    if key == 'mocolsk-cs':
        return MoCoLSKCSBlock(dim, lsk_kernels, **mcwg, **cs)
    if key == 'sk-m':
        return SKMBlock(dim, sk_kernels, **cs)
    if key == 'lsk-m':
        return LSKMBlock(dim, lsk_kernels, lsk_squeeze_kernel_size)
    if key == 'lsk-cs-m':
        return LSKCSMBlock(dim, lsk_kernels, **cs)
    return IdentityFusion(dim)
