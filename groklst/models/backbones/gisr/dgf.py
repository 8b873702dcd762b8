"""Deep guided filter (Wu, Zheng, Zhang and Huang, "Fast End-to-End Trainable Guided Filter",
CVPR 2018)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.guided_filter import ConvGuidedFilter, fast_guided_filter
from groklst.registry import MODELS


class AdaptiveNorm(nn.Module):
    """Adaptive normalisation ``w0 * x + w1 * BN(x)`` with learned scalars w0 = 1, w1 = 0 at
    initialisation (Chen, Xu and Koltun, "Fast Image Processing with Fully-Convolutional
    Networks", ICCV 2017), used throughout the deep guided filter of Wu et al. (CVPR 2018).

    Shapes: (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.w0 = nn.Parameter(torch.ones(1))
        self.w1 = nn.Parameter(torch.zeros(1))
        self.bn = nn.BatchNorm2d(channels, eps=1e-3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return self.w0 * x + self.w1 * self.bn(x)


def context_aggregation_network(in_channels: int, out_channels: int, channels: int = 24,
                                depth: int = 5) -> nn.Sequential:
    """Context aggregation network (CAN) of Chen et al. (ICCV 2017) as used for the LR network
    of the deep guided filter (Wu et al., CVPR 2018): 3x3 convs with dilations
    1, 2, 4, ..., 2^(depth-1), then 1, each followed by adaptive normalisation and
    LeakyReLU(0.2), and a closing linear 1x1 conv.

    Shapes: (B, in_channels, h, w) -> (B, out_channels, h, w).

    Raises:
        ValueError: ``depth`` < 1.
    """
    if depth < 1:
        raise ValueError(f'CAN depth must be >= 1, found {depth}')
    layers = []
    dilations = [2 ** i for i in range(depth)] + [1]
    for i, d in enumerate(dilations):
        layers += [nn.Conv2d(in_channels if i == 0 else channels, channels, 3, padding=d,
                             dilation=d, bias=False),
                   AdaptiveNorm(channels), nn.LeakyReLU(0.2, inplace=True)]
    layers.append(nn.Conv2d(channels, out_channels, 1))
    return nn.Sequential(*layers)


@MODELS.register_module()
class DGF(BaseGenerator):
    """Deep guided filtering network for guided LST downscaling.

    Wu, Zheng, Zhang and Huang, "Fast End-to-End Trainable Guided Filter", CVPR 2018.

    Three parts, as in the paper's deep guided filtering network:

    * a guidance map g (1x1 conv K -> ``guide_hidden``, adaptive norm, LeakyReLU(0.2), 1x1 conv
      -> 1) that turns the K guidance bands into one guide image, applied to the HR guidance
      (I_h = g(guidance)) and to its s x s block average (I_l = g(avgpool_s(guidance)));
    * a low-resolution network C_l (a context aggregation network, Chen et al., ICCV 2017) on
      ``[LR LST, avgpool_s(guidance)]`` whose output is added to the LR LST: O_l = lr + C_l(...);
    * the guided filtering layer: local linear coefficients of O_l on I_l at LR (radius r,
      regulariser eps), box-averaged, bilinearly upsampled and applied to I_h
      (``filter_type='fast'``, closed form, :func:`fast_guided_filter`), or the convolutional
      guided filter whose box filter and coefficient ``a`` are learned
      (``filter_type='conv'``, :class:`ConvGuidedFilter`).

    The output is the HR field itself (``residual=None`` in the ``Downscaler``).

    Deviations: the guidance map takes K bands instead of RGB; the LR network sees the LR LST
    and the block-averaged guidance and predicts a correction of the LR LST (in the paper it maps
    the LR image to the LR output of an image-to-image task); the guided filter box-averages the
    LR coefficients before upsampling (as the paper's equations; the authors' code does not).
    Scales need no special handling: all filtering happens at LR and the coefficients are
    upsampled to s x the LR size.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of HR guidance bands (default 10, GrokLST; configs pass
            the dataset's K).
        filter_type: 'fast' (trainable guided filtering layer) or 'conv' (convolutional guided
            filter, DGF_c in the paper).
        radius: guided filter radius r in LR pixels (paper: 1).
        eps: regulariser of the closed-form filter, squared guide-map units. Default 1e-4
            instead of the authors' 1e-8: their guides lie in [0, 1], while the learned guide
            map here is unbounded, and float32 cancellation in E[I²] - E[I]² then exceeds 1e-8
            (the guide map is learned, so its scale adapts to eps).
        lr_channels: width of the LR network (paper: 24).
        lr_depth: number of dilated layers of the LR network (paper: 5); 0 uses no LR network
            (O_l = lr).
        guide_hidden: hidden width of the guidance map (paper: 15).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, K < 1, unknown ``filter_type`` or negative ``lr_depth``
            at construction; inputs of the wrong shape in ``forward``.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Wu, Zheng, Zhang and Huang, "Fast End-to-End Trainable Guided Filter", '
             'CVPR 2018')

    def __init__(self,
                 scale: int,
                 guidance_channels: int = 10,
                 filter_type: str = 'fast',
                 radius: int = 1,
                 eps: float = 1e-4,
                 lr_channels: int = 24,
                 lr_depth: int = 5,
                 guide_hidden: int = 15,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if guidance_channels < 1:
            raise ValueError(f'DGF needs guidance_channels >= 1, found {guidance_channels}')
        if filter_type not in ('fast', 'conv'):
            raise ValueError(f"DGF filter_type must be 'fast' or 'conv', found {filter_type!r}")
        if lr_depth < 0:
            raise ValueError(f'DGF lr_depth must be >= 0, found {lr_depth}')
        self.guidance_channels = guidance_channels
        self.filter_type = filter_type
        self.radius = radius
        self.eps = eps
        self.guide_map = nn.Sequential(
            nn.Conv2d(guidance_channels, guide_hidden, 1, bias=False), AdaptiveNorm(guide_hidden),
            nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(guide_hidden, 1, 1))
        self.lr_net = (context_aggregation_network(1 + guidance_channels, 1, lr_channels,
                                                   lr_depth) if lr_depth > 0 else None)
        self.conv_filter = (ConvGuidedFilter(1, radius, norm=AdaptiveNorm)
                            if filter_type == 'conv' else None)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalised LR LST (B, 1, h, w) and guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

        Raises:
            ValueError: see ``check_lr_guidance``.
        """
        guidance_lr = F.avg_pool2d(guidance, self.scale)
        guide_hr = self.guide_map(guidance)
        guide_lr = self.guide_map(guidance_lr)
        target_lr = lr
        if self.lr_net is not None:
            target_lr = lr + self.lr_net(torch.cat([lr, guidance_lr], dim=1))
        if self.conv_filter is not None:
            return self.conv_filter(guide_lr, target_lr, guide_hr)
        return fast_guided_filter(guide_lr, target_lr, guide_hr, self.radius, self.eps)
