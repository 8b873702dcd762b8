"""Large selective kernel (LSK) spatial selection and the MoCoLSK block.

* LSK pathway: Li et al., "Large Selective Kernel Network for Remote Sensing Object Detection",
  ICCV 2023. A chain of depth-wise (dilated) convolutions gives features with growing receptive
  fields; a spatial attention computed from their channel-wise mean and max selects, per pixel,
  how much of each receptive field to use.
* MoCoLSK block: Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land
  Surface Temperature Downscaling", IEEE TGRS 2025 (arXiv 2409.19835). The spatial-selection
  convolution of LSK is replaced by a per-sample kernel that a Modality-Conditioned Weight
  Generation (MCWG) pathway predicts from pyramid-pooled LST and guidance tokens with a Dynamic
  MLP (Yang et al., CVPR 2022); the selected LST attention then modulates the guidance features.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .conv import default_conv, per_sample_conv2d
from .dynamic_mlp import DynamicMLPFusion
from .pooling import PyramidPoolingTokens

KernelSpec = Sequence[Tuple[int, int]]


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
        kernels = tuple((int(k), int(d)) for k, d in kernels)
        if not kernels:
            raise ValueError('kernels must hold at least one (kernel_size, dilation) pair')
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
        branches = []
        feat = x
        for conv, reduce in zip(self.dw_convs, self.reducers):
            feat = conv(feat)
            branches.append(reduce(feat))
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
        pool_type: ``'avg'``, ``'max'`` or ``'avgmax'``.
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
        pool_type: ``'avg'``, ``'max'`` or ``'avgmax'``.
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
        if lst.dim() != 4 or lst.shape != gui.shape or lst.shape[1] != self.dim:
            raise ValueError(f'MoCoLSKBlock expects lst and gui of shape (B, {self.dim}, H, W), '
                             f'found {tuple(lst.shape)} and {tuple(gui.shape)}')
        kernel = self.mcwg(lst, gui)  # (B, n, 2, k, k)
        return self.lsk(lst, kernel) * gui
