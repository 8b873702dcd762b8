"""Selection pathways of the MoCoLSK family: large selective kernels (LSK) and selective-kernel
(SK) channel selection.

* LSK pathway: Li et al., "Large Selective Kernel Network for Remote Sensing Object Detection",
  ICCV 2023. A chain of depth-wise (dilated) convolutions gives features with growing receptive
  fields; a spatial attention computed from their channel-wise mean and max selects, per pixel,
  how much of each receptive field to use.
* Selective kernel (SK) channel selection: Li et al., "Selective Kernel Networks", CVPR 2019.
  Parallel branches are summed, globally average-pooled, squeezed by a fully connected layer and
  re-expanded into one logit vector per branch; a softmax across branches weighs every channel.
* LSK-CS: the chained LSK decomposition with SK channel selection (Dai et al., "GrokLST: Towards
  High-Resolution Benchmark and Toolkit for Land Surface Temperature Downscaling", IEEE TGRS
  2025, Figs. 8-9).

The fusion modules built from them (MoCoLSK, MoCoLSK-CS, MoCoLSK-Ex, SK-M, LSK-M, LSK-CS-M) are
registered necks in :mod:`groklst.models.necks`.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from groklst.models.layers.conv import (default_conv, depthwise_layout, per_sample_conv2d,
                                        same_layout)

__all__ = ['KernelSpec', 'LSKSpatialSelection', 'LSKBlock', 'ChannelSelection',
           'LSKChannelSelection', 'SelectiveKernelConv']

KernelSpec = Sequence[Tuple[int, int]]


def _chained_branches(x: torch.Tensor, dw_convs: nn.ModuleList,
                      projections: nn.ModuleList) -> List[torch.Tensor]:
    """LSK decomposition (Li et al., ICCV 2023): depth-wise conv i reads the output of conv i-1;
    every intermediate map is projected by its own 1x1 conv. Returns one map per branch (in
    the memory layout of :func:`~groklst.models.layers.conv.depthwise_layout`, where the
    depth-wise backward is fastest; the values do not depend on it)."""
    branches = []
    feat = depthwise_layout(x)
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
        selected = branches[0] * masks[:, :1]
        for i in range(1, len(branches)):
            selected = selected + branches[i] * masks[:, i:i + 1]
        return same_layout(self.expand(selected), x)


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
        return same_layout(
            self.select(_chained_branches(x, self.dw_convs, self.projections), condition), x)


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
