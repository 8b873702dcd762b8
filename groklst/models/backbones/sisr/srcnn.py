"""SRCNN (Dong, Loy, He and Tang, "Image Super-Resolution Using Deep Convolutional Networks",
IEEE TPAMI 2016)."""
from typing import Sequence

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


@MODELS.register_module()
class SRCNN(BaseGenerator):
    """SRCNN: patch extraction, non-linear mapping and reconstruction on the interpolated input.

    Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", IEEE TPAMI 2016.

    The network works at the target resolution: it first upsamples the LR field by bicubic
    interpolation (``upsample_mode``) and then applies three convolutions
    ``f1 x f1 (in -> n1), ReLU, f2 x f2 (n1 -> n2), ReLU, f3 x f3 (n2 -> in)``. It predicts the
    full HR field (use ``residual=None`` in the ``Downscaler``), exactly as in the paper.

    Defaults are the paper's 9-5-5 network with n1 = 64, n2 = 32 (the best setting of the TPAMI
    version; the basic 9-1-5 network is ``kernel_sizes=(9, 1, 5)``). Deviation: "same" zero
    padding keeps the output the size of the target, where the paper trains on valid
    convolutions and crops the reference.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        channels: widths (n1, n2) of the two hidden layers.
        kernel_sizes: odd kernel sizes (f1, f2, f3).
        upsample_mode: interpolation of the input, ``'bicubic'`` (paper) or ``'bilinear'``.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale, two widths not given or three kernel sizes not
            given, or even kernel sizes.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", '
             'IEEE TPAMI 2016')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 channels: Sequence[int] = (64, 32),
                 kernel_sizes: Sequence[int] = (9, 5, 5),
                 upsample_mode: str = 'bicubic',
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if len(channels) != 2 or len(kernel_sizes) != 3:
            raise ValueError('SRCNN needs two hidden widths and three kernel sizes, found '
                             f'{tuple(channels)} and {tuple(kernel_sizes)}')
        if any(k % 2 == 0 for k in kernel_sizes):
            raise ValueError(f'SRCNN kernel sizes must be odd, found {tuple(kernel_sizes)}')
        self.upsample_mode = upsample_mode
        widths = [in_channels, *channels, in_channels]
        layers = []
        for i, k in enumerate(kernel_sizes):
            layers.append(nn.Conv2d(widths[i], widths[i + 1], k, padding=k // 2))
            if i < 2:
                layers.append(nn.ReLU(inplace=True))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w) HR estimate."""
        return self.body(interpolate_lr(x, self.scale, self.upsample_mode))
