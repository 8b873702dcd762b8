"""PixTransform (de Lutio, D'Aronco, Wegner and Schindler, "Guided Super-Resolution as
Pixel-to-Pixel Transformation", ICCV 2019).

* :class:`PixTransformMLP` - the pixel-wise network of the paper (two input branches summed,
  then a head), shared by the supervised generator below and the per-image fit
  ``groklst.models.classic.pixtransform_fit.PixTransformFit``.
* :class:`PixTransformNet` - a supervised generator built on it (trained on a training split
  like any GISR model).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS

#: Weight-decay factors of the (spatial, colour/guidance, head) parts in the authors' code.
PIXTRANSFORM_WEIGHT_DECAY = (1e-4, 1e-3, 1e-3)


class PixTransformMLP(nn.Module):
    """Pixel-to-pixel network of de Lutio et al. (ICCV 2019, Sec. 3.2).

    Two branches map their inputs to a wide feature space and are summed:
    ``spatial: 1x1 conv (C_s -> hidden), ReLU, kxk conv (hidden -> width)`` and
    ``guide: 1x1 conv (C_g -> hidden), ReLU, kxk conv (hidden -> width)``; the head is
    ``ReLU, kxk conv (width -> hidden), ReLU, 1x1 conv (hidden -> 1)``. With k = 1 (the paper's
    setting) every output pixel depends only on the inputs at that pixel. Paper sizes: hidden
    32, width 2048.

    Args:
        guide_channels: channels C_g of the guide branch (K guidance bands).
        spatial_channels: channels C_s of the spatial branch (2 coordinates in the paper).
        hidden: width of the narrow layers.
        width: width of the summed feature space.
        kernel_size: odd size k of the wide convolutions.

    Shapes:
        guide (B, C_g, H, W), spatial (B, C_s, H, W) -> (B, 1, H, W).

    Raises:
        ValueError: an even or non-positive ``kernel_size``.
    """

    def __init__(self, guide_channels: int, spatial_channels: int = 2, hidden: int = 32,
                 width: int = 2048, kernel_size: int = 1):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'PixTransformMLP needs an odd kernel_size, found {kernel_size}')
        pad = kernel_size // 2
        self.kernel_size = kernel_size
        self.spatial_net = nn.Sequential(
            nn.Conv2d(spatial_channels, hidden, 1), nn.ReLU(),
            nn.Conv2d(hidden, width, kernel_size, padding=pad))
        self.guide_net = nn.Sequential(
            nn.Conv2d(guide_channels, hidden, 1), nn.ReLU(),
            nn.Conv2d(hidden, width, kernel_size, padding=pad))
        self.head_net = nn.Sequential(
            nn.ReLU(), nn.Conv2d(width, hidden, kernel_size, padding=pad), nn.ReLU(),
            nn.Conv2d(hidden, 1, 1))

    def forward(self, guide: torch.Tensor, spatial: torch.Tensor) -> torch.Tensor:
        """guide (B, C_g, H, W), spatial (B, C_s, H, W) -> (B, 1, H, W)."""
        return self.head_net(self.spatial_net(spatial) + self.guide_net(guide))

    def forward_pixels(self, guide: torch.Tensor, spatial: torch.Tensor) -> torch.Tensor:
        """The same network on a list of pixels: guide (N, C_g), spatial (N, C_s) -> (N,).

        Uses the convolution weights as dense layers (much faster than 1x1 convolutions on a
        (1, C, N, 1) image on CPU); only valid for ``kernel_size=1``.

        Raises:
            ValueError: the network was built with ``kernel_size`` > 1.
        """
        if self.kernel_size != 1:
            raise ValueError('forward_pixels needs a pixel-wise network (kernel_size=1), found '
                             f'kernel_size={self.kernel_size}')

        def dense(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
            return F.linear(x, conv.weight.flatten(1), conv.bias)

        sp = dense(self.spatial_net[2], F.relu(dense(self.spatial_net[0], spatial)))
        gd = dense(self.guide_net[2], F.relu(dense(self.guide_net[0], guide)))
        feat = F.relu(dense(self.head_net[1], F.relu(sp + gd)))
        return dense(self.head_net[3], feat).squeeze(1)

    def param_groups(self, weight_decay=PIXTRANSFORM_WEIGHT_DECAY):
        """Optimizer parameter groups with the paper's per-branch weight decay.

        Args:
            weight_decay: (spatial, guide, head) decay factors.

        Returns:
            list of three ``dict(params=..., weight_decay=...)``.
        """
        parts = (self.spatial_net, self.guide_net, self.head_net)
        return [dict(params=list(m.parameters()), weight_decay=wd)
                for m, wd in zip(parts, weight_decay)]


@MODELS.register_module()
class PixTransformNet(BaseGenerator):
    """Supervised PixTransform generator (the network of de Lutio et al., ICCV 2019, trained
    across tiles instead of fitted per image).

    de Lutio et al., "Guided Super-Resolution as Pixel-to-Pixel Transformation", ICCV 2019.

    The paper fits :class:`PixTransformMLP` on one image, with the pixel coordinates as the
    spatial input, so that its output block-averaged by s matches the LR source (that original
    form is ``PixTransformFit`` under ``groklst/models/classic``). Trained on a data set,
    coordinates carry no meaning across tiles, so the spatial branch here takes the
    bicubic-interpolated LR LST (the GrokLST predecessor does the same), and the guide branch
    the K guidance bands. The output is the HR field (``residual=None`` in the ``Downscaler``).

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of HR guidance bands (default 10, GrokLST; configs pass
            the dataset's K).
        hidden: narrow width (paper: 32).
        width: wide feature width (paper: 2048).
        kernel_size: odd size of the wide convolutions (paper: 1, pixel-wise).
        upsample_mode: interpolation of the LR input.
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, K < 1 or even kernel size at construction; inputs of
            the wrong shape in ``forward``.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('de Lutio et al., "Guided Super-Resolution as Pixel-to-Pixel Transformation", '
             'ICCV 2019')

    def __init__(self, scale: int, guidance_channels: int = 10, hidden: int = 32,
                 width: int = 2048, kernel_size: int = 1, upsample_mode: str = 'bicubic', init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if guidance_channels < 1:
            raise ValueError(f'PixTransformNet needs guidance_channels >= 1, '
                             f'found {guidance_channels}')
        self.guidance_channels = guidance_channels
        self.upsample_mode = upsample_mode
        self.mlp = PixTransformMLP(guidance_channels, 1, hidden, width, kernel_size)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalised LR LST (B, 1, h, w) and guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

        Raises:
            ValueError: see ``check_lr_guidance``.
        """
        return self.mlp(guidance, interpolate_lr(lr, self.scale, self.upsample_mode))
