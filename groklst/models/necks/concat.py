"""Unconditioned comparison necks on the concatenated modalities: SK-M, LSK-M and LSK-CS-M.

Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit for Land Surface Temperature
Downscaling", IEEE TGRS 2025, Fig. 9: the selective-kernel convolution (Li et al., "Selective
Kernel Networks", CVPR 2019), the original LSK module (Li et al., "Large Selective Kernel Network
for Remote Sensing Object Detection", ICCV 2023) and LSK with channel selection run on
``[lst, gui]`` without modality conditioning; a 1x1 convolution maps the result back to C
channels.
"""
import torch
import torch.nn as nn

from groklst.models.backbones.mocolsk.lsk import (KernelSpec, LSKBlock, LSKChannelSelection,
                                                  SelectiveKernelConv)
from groklst.registry import MODELS

from .base import BaseFusionNeck

__all__ = ['ConcatFusion', 'SKMBlock', 'LSKMBlock', 'LSKCSMBlock']

_FIG9 = 'comparison module of Dai et al., "GrokLST", IEEE TGRS 2025 (Fig. 9); '


class ConcatFusion(BaseFusionNeck):
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
        super().__init__(dim)
        self.module = module
        self.proj = nn.Conv2d(2 * dim, dim, 1)

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        self.check_pair(lst, gui)
        return self.proj(self.module(torch.cat([lst, gui], dim=1)))


@MODELS.register_module()
class SKMBlock(ConcatFusion):
    """SK-M: the SK convolution (Li et al., CVPR 2019) on [lst, gui], then a 1x1 conv.

    See :class:`~groklst.models.backbones.mocolsk.lsk.SelectiveKernelConv`.

    Args:
        dim: channels C of each input.
        sk_kernels: (kernel_size, dilation) per parallel SK branch.
        cs_reduction: squeeze ratio of the channel selection.
        cs_min_dim: lower bound of the squeezed width.

    Shapes and raises: as :class:`ConcatFusion`.
    """

    paper = _FIG9 + 'SK convolution of Li et al., "Selective Kernel Networks", CVPR 2019'

    def __init__(self, dim: int, sk_kernels: KernelSpec = ((3, 1), (3, 2)), cs_reduction: int = 2,
                 cs_min_dim: int = 32):
        super().__init__(dim, SelectiveKernelConv(2 * dim, sk_kernels, cs_reduction, cs_min_dim))


@MODELS.register_module()
class LSKMBlock(ConcatFusion):
    """LSK-M: the original LSK module (Li et al., ICCV 2023) on [lst, gui], then a 1x1 conv.

    See :class:`~groklst.models.backbones.mocolsk.lsk.LSKBlock`.

    Args:
        dim: channels C of each input.
        lsk_kernels: (kernel_size, dilation) per LSK branch.
        lsk_squeeze_kernel_size: size of LSK's static squeeze convolution (7 in LSKNet).

    Shapes and raises: as :class:`ConcatFusion`.
    """

    paper = _FIG9 + ('LSK module of Li et al., "Large Selective Kernel Network for Remote '
                     'Sensing Object Detection", ICCV 2023')

    def __init__(self, dim: int, lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 lsk_squeeze_kernel_size: int = 7):
        super().__init__(dim, LSKBlock(2 * dim, lsk_kernels, lsk_squeeze_kernel_size))


class _SelfGated(nn.Module):
    """``x * selection(x)`` for a selection module mapping (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, selection: nn.Module):
        super().__init__()
        self.selection = selection

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.selection(x)


@MODELS.register_module()
class LSKCSMBlock(ConcatFusion):
    """LSK-CS-M: ``x * LSKChannelSelection(x)`` on x = [lst, gui] (unconditioned LSK-CS).

    Args:
        dim: channels C of each input.
        lsk_kernels: (kernel_size, dilation) per LSK branch.
        cs_reduction: squeeze ratio of the channel selection.
        cs_min_dim: lower bound of the squeezed width.

    Shapes and raises: as :class:`ConcatFusion`.
    """

    paper = _FIG9 + 'LSK decomposition (ICCV 2023) with SK channel selection (CVPR 2019)'

    def __init__(self, dim: int, lsk_kernels: KernelSpec = ((5, 1), (7, 3)),
                 cs_reduction: int = 2, cs_min_dim: int = 32):
        super().__init__(
            dim, _SelfGated(LSKChannelSelection(2 * dim, lsk_kernels, cs_reduction, cs_min_dim)))
