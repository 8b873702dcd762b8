"""Deep joint filtering: DJF (Li et al., ECCV 2016) and its residual version DJFR (Li et al.,
IEEE TPAMI 2019).

* Li, Huang, Ahuja and Yang, "Deep Joint Image Filtering", ECCV 2016.
* Li, Huang, Ahuja and Yang, "Joint Image Filtering with Deep Convolutional Networks",
  IEEE TPAMI 41(8), 2019 (arXiv 1710.04200).
"""
from typing import Sequence

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


def _three_layer_cnn(in_channels: int, widths: Sequence[int],
                     kernel_sizes: Sequence[int]) -> nn.Sequential:
    """SRCNN-style conv -> ReLU -> conv -> ReLU -> conv with "same" zero padding."""
    layers = []
    for i, (width, k) in enumerate(zip(widths, kernel_sizes)):
        layers.append(nn.Conv2d(in_channels if i == 0 else widths[i - 1], width, k,
                                padding=k // 2))
        if i < len(widths) - 1:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


@MODELS.register_module()
class DJF(BaseGenerator):
    """Deep joint filter: two feature CNNs (target, guidance) and a fusion CNN.

    Li et al., "Deep Joint Image Filtering", ECCV 2016.

    The LR LST is upsampled by bicubic interpolation to the guidance grid. ``CNN_T`` maps it,
    ``CNN_G`` maps the K guidance bands, each with three convolutions 9x9 (96) -> 1x1 (48) ->
    5x5 (``branch_channels[-1]``, 1 in the paper) and ReLUs in between; ``CNN_F`` maps their
    concatenation with 9x9 (64) -> 1x1 (32) -> 5x5 (1). DJF predicts the HR field directly
    (``residual=None`` in the ``Downscaler``).

    Deviations: the guidance branch takes K bands instead of an RGB / grey image; every
    convolution uses "same" zero padding so the output has the guidance size (the paper trains
    with valid convolutions and crops the reference). Every scale is handled the same way
    (the network works on the interpolated grid), so x2/x4/x8 need no change.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of HR guidance bands (default 10, GrokLST; configs pass
            the dataset's K).
        branch_channels: widths of the three layers of ``CNN_T`` and ``CNN_G``.
        branch_kernels: odd kernel sizes of those three layers.
        fusion_channels: widths of the first two layers of ``CNN_F`` (the last one outputs the
            single LST channel).
        fusion_kernels: odd kernel sizes of the three layers of ``CNN_F``.
        upsample_mode: interpolation of the LR input, 'bicubic' (paper) or 'bilinear'.
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: at construction for an unsupported scale, K < 1, layer lists of the wrong
            length or even kernel sizes; in ``forward`` for inputs of the wrong shape (see
            ``check_lr_guidance``).
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = 'Li, Huang, Ahuja and Yang, "Deep Joint Image Filtering", ECCV 2016'

    def __init__(self,
                 scale: int,
                 guidance_channels: int = 10,
                 branch_channels: Sequence[int] = (96, 48, 1),
                 branch_kernels: Sequence[int] = (9, 1, 5),
                 fusion_channels: Sequence[int] = (64, 32),
                 fusion_kernels: Sequence[int] = (9, 1, 5),
                 upsample_mode: str = 'bicubic',
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        name = type(self).__name__
        if guidance_channels < 1:
            raise ValueError(f'{name} needs guidance_channels >= 1, found {guidance_channels}')
        if (len(branch_channels) != 3 or len(branch_kernels) != 3 or len(fusion_channels) != 2
                or len(fusion_kernels) != 3):
            raise ValueError(f'{name} needs 3 branch widths/kernels, 2 fusion widths and 3 '
                             f'fusion kernels, found {tuple(branch_channels)}, '
                             f'{tuple(branch_kernels)}, {tuple(fusion_channels)}, '
                             f'{tuple(fusion_kernels)}')
        if any(k % 2 == 0 for k in (*branch_kernels, *fusion_kernels)):
            raise ValueError(f'{name} kernel sizes must be odd, found {tuple(branch_kernels)} '
                             f'and {tuple(fusion_kernels)}')
        self.guidance_channels = guidance_channels
        self.upsample_mode = upsample_mode
        self.cnn_t = _three_layer_cnn(1, branch_channels, branch_kernels)
        self.cnn_g = _three_layer_cnn(guidance_channels, branch_channels, branch_kernels)
        self.cnn_f = _three_layer_cnn(2 * branch_channels[-1], (*fusion_channels, 1),
                                      fusion_kernels)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalised LR LST (B, 1, h, w) and guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

        Raises:
            ValueError: see ``check_lr_guidance``.
        """
        target = interpolate_lr(lr, self.scale, self.upsample_mode)
        return self.cnn_f(torch.cat([self.cnn_t(target), self.cnn_g(guidance)], dim=1))


@MODELS.register_module()
class DJFR(DJF):
    """DJF with residual learning (DJFR).

    Li et al., "Joint Image Filtering with Deep Convolutional Networks", IEEE TPAMI 2019.

    Same three CNNs as :class:`DJF` (Li et al., ECCV 2016); the journal version adds the
    upsampled target to the fusion output, so the network learns the residual between the
    interpolated LR and the HR field. Here the network returns that residual and the
    ``Downscaler`` adds the bicubic LR (configs use ``residual='bicubic'``), which is the
    paper's forward pass.

    The GrokLST predecessor's DJFR ends both feature branches with 3 channels instead of 1; set
    ``branch_channels=(96, 48, 3)`` to reproduce it.

    Args, shapes and errors: as :class:`DJF` (the output is the HR residual).
    """

    paper = ('Li, Huang, Ahuja and Yang, "Joint Image Filtering with Deep Convolutional '
             'Networks", IEEE TPAMI 2019')
