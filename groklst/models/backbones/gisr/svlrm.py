"""SVLRM (Pan, Dong, Ren, Lin, Tang and Yang, "Spatially Variant Linear Representation Models
for Joint Filtering", CVPR 2019)."""
import math

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


@MODELS.register_module()
class SVLRM(BaseGenerator):
    """Spatially variant linear representation model for guided LST downscaling.

    Pan et al., "Spatially Variant Linear Representation Models for Joint Filtering",
    CVPR 2019.

    The HR field is a per-pixel linear function of the guidance,
    ``out = sum_k alpha_k * G_k + beta``, whose coefficient maps (alpha_1..alpha_K, beta) are
    predicted by a plain CNN from the concatenation of the bicubic-interpolated LR LST and the
    guidance G: ``num_layers`` 3x3 convolutions of width ``channels``, each but the last
    followed by LeakyReLU(0.1), the last one giving K + 1 maps. Weights are drawn from
    N(0, 2 / (9 * C_out)) with zero biases as in the authors' code. The output is the HR field
    itself (``residual=None`` in the ``Downscaler``).

    Deviations: the paper's guidance is one (grey) image, giving two maps (alpha, beta); with K
    guidance bands the model is linear in every band (K alphas and one beta), which reduces to
    the paper for K = 1. (The GrokLST predecessor multiplies alpha with the interpolated LR
    instead of the guidance, which is not the paper's model.) The network works on the
    interpolated grid, so every scale is handled alike.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of HR guidance bands (default 10, GrokLST; configs pass
            the dataset's K).
        channels: feature width (paper: 64).
        num_layers: number of convolutions (>= 2; default 12: input layer, ten hidden layers
            and the coefficient layer, as in the authors' code).
        upsample_mode: interpolation of the LR input ('bicubic' as in the paper).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, K < 1 or ``num_layers`` < 2 at construction; inputs of
            the wrong shape in ``forward``.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Pan et al., "Spatially Variant Linear Representation Models for Joint '
             'Filtering", CVPR 2019')

    def __init__(self, scale: int, guidance_channels: int = 10, channels: int = 64,
                 num_layers: int = 12, upsample_mode: str = 'bicubic', init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if guidance_channels < 1:
            raise ValueError(f'SVLRM needs guidance_channels >= 1, found {guidance_channels}')
        if num_layers < 2:
            raise ValueError(f'SVLRM needs num_layers >= 2, found {num_layers}')
        self.guidance_channels = guidance_channels
        self.upsample_mode = upsample_mode
        layers = []
        for i in range(num_layers - 1):
            layers += [nn.Conv2d(1 + guidance_channels if i == 0 else channels, channels, 3,
                                 padding=1), nn.LeakyReLU(0.1, inplace=True)]
        layers.append(nn.Conv2d(channels, guidance_channels + 1, 3, padding=1))
        self.coefficients = nn.Sequential(*layers)
        for m in self.coefficients:
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / (9 * m.out_channels)))
                nn.init.zeros_(m.bias)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalised LR LST (B, 1, h, w) and guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

        Raises:
            ValueError: see ``check_lr_guidance``.
        """
        target = interpolate_lr(lr, self.scale, self.upsample_mode)
        coef = self.coefficients(torch.cat([target, guidance], dim=1))
        alpha, beta = coef[:, :-1], coef[:, -1:]
        return (alpha * guidance).sum(dim=1, keepdim=True) + beta
