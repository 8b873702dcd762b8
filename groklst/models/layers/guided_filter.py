"""Box filter and differentiable guided filters (reusable by every guided model).

* :func:`box_filter` - local mean over a (2r+1) x (2r+1) window, truncated at the image border.
* :func:`guided_filter` - He, Sun and Tang, "Guided Image Filtering", ECCV 2010 / IEEE TPAMI
  2013 (Eqs. 5, 6 and 8 of the TPAMI paper): in every window the output is a linear function
  of the guide, ``q = a * I + b``, with ``a = cov(I, p) / (var(I) + eps)`` and
  ``b = mean(p) - a * mean(I)``; the output averages the coefficients of all windows that
  cover a pixel.
* :func:`fast_guided_filter` - the same coefficients computed at low resolution, then
  upsampled and applied to the high-resolution guide (He and Sun, "Fast Guided Filter",
  arXiv 1505.00996, 2015; the guided filtering layer of Wu et al., "Fast End-to-End Trainable
  Guided Filter", CVPR 2018).
* :class:`ConvGuidedFilter` - the trainable variant of Wu et al. (CVPR 2018, Sec. 3.3): the box
  filter becomes a depth-wise dilated 3x3 convolution initialised to a box, and ``a`` is
  predicted from ``(cov, var)`` by a small 1x1-convolution network instead of the closed form.

All functions are differentiable with respect to every input (guide, source and, for the
learnable variant, the parameters).
"""
from typing import Callable, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def _check_4d(name: str, x: torch.Tensor) -> None:
    if x.dim() != 4:
        raise ValueError(f'{name} must be (B, C, H, W), found shape {tuple(x.shape)}')


def box_filter(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Local mean over the (2r+1) x (2r+1) window centred on every pixel.

    Near the border the window is truncated to the pixels inside the image and the mean is
    taken over those pixels only (the normalisation by the pixel count ``N`` of He et al.,
    TPAMI 2013, Alg. 1).

    Args:
        x: input (B, C, H, W), any units.
        radius: window radius r >= 0 (r = 0 returns ``x``).

    Returns:
        Tensor (B, C, H, W), same units as ``x``.

    Raises:
        ValueError: ``x`` not 4-D or ``radius`` negative.
    """
    _check_4d('x', x)
    if radius < 0:
        raise ValueError(f'box filter radius must be >= 0, found {radius}')
    if radius == 0:
        return x
    return F.avg_pool2d(x, 2 * radius + 1, stride=1, padding=radius, count_include_pad=False)


def _check_guide_source(guide: torch.Tensor, src: torch.Tensor) -> None:
    _check_4d('guide', guide)
    _check_4d('src', src)
    if guide.shape[0] != src.shape[0] or guide.shape[-2:] != src.shape[-2:]:
        raise ValueError(f'guide {tuple(guide.shape)} and src {tuple(src.shape)} must share '
                         'batch size and spatial size')
    if guide.shape[1] not in (1, src.shape[1]):
        raise ValueError(f'guide must have 1 channel or as many as src ({src.shape[1]}), '
                         f'found {guide.shape[1]}')


def local_linear_coefficients(guide: torch.Tensor, src: torch.Tensor, radius: int,
                              eps: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per-window coefficients (a, b) of the guided filter (He et al., TPAMI 2013, Eqs. 5-6).

    ``a = cov_w(I, p) / (var_w(I) + eps)`` and ``b = mean_w(p) - a * mean_w(I)`` over the window
    w of radius r around each pixel; a guide with one channel guides every source channel.

    Args:
        guide: guide I (B, 1 or C, H, W).
        src: filtering input p (B, C, H, W).
        radius: window radius r >= 0.
        eps: regulariser (> 0), in squared guide units; larger means smoother.

    Returns:
        (a, b), each (B, C, H, W); ``a`` is unitless (src units per guide unit when the two
        differ), ``b`` in src units.

    Raises:
        ValueError: shapes as in :func:`guided_filter`; ``eps`` not positive.
    """
    _check_guide_source(guide, src)
    if not eps > 0:
        raise ValueError(f'guided filter eps must be > 0, found {eps}')
    mean_i = box_filter(guide, radius)
    mean_p = box_filter(src, radius)
    cov_ip = box_filter(guide * src, radius) - mean_i * mean_p
    # E[I²] - E[I]² can come out slightly negative in float32 (cancellation): clamp at 0.
    var_i = (box_filter(guide * guide, radius) - mean_i * mean_i).clamp_min(0.0)
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return a, b


def guided_filter(guide: torch.Tensor, src: torch.Tensor, radius: int,
                  eps: float) -> torch.Tensor:
    """Guided filter of He, Sun and Tang (ECCV 2010; IEEE TPAMI 2013, Eq. 8).

    ``q = box(a) * I + box(b)`` with (a, b) from :func:`local_linear_coefficients`. With a
    constant guide ``a = 0`` and the output is the box mean of the box mean of ``src``; with the
    guide equal to the input and ``eps`` small against the local variance, ``a ~ 1`` and edges
    are kept.

    Args:
        guide: guide I (B, 1 or C, H, W).
        src: filtering input p (B, C, H, W).
        radius: window radius r >= 0.
        eps: regulariser (> 0), squared guide units.

    Returns:
        Filtered output (B, C, H, W) in src units.

    Raises:
        ValueError: tensors not 4-D, different batch or spatial sizes, a guide with neither 1
            nor C channels, negative radius or non-positive eps.
    """
    a, b = local_linear_coefficients(guide, src, radius, eps)
    return box_filter(a, radius) * guide + box_filter(b, radius)


def fast_guided_filter(guide_lr: torch.Tensor, src_lr: torch.Tensor, guide_hr: torch.Tensor,
                       radius: int, eps: float) -> torch.Tensor:
    """Guided upsampling: coefficients at low resolution, applied to the HR guide.

    He and Sun, "Fast Guided Filter" (arXiv 1505.00996, 2015); the guided filtering layer of
    Wu et al., "Fast End-to-End Trainable Guided Filter", CVPR 2018 (Eq. 7-9): (a, b) from the
    LR guide and LR source, box-averaged at LR, bilinearly upsampled (pixel-area alignment,
    ``align_corners=False``) to the HR size, then ``q = A_h * I_h + b_h``. (The authors' code
    skips the LR box average of (a, b); the formulation here follows the papers.)

    Args:
        guide_lr: LR guide (B, 1 or C, h, w).
        src_lr: LR source (B, C, h, w).
        guide_hr: HR guide (B, same channels as ``guide_lr``, H, W).
        radius: window radius r >= 0, in LR pixels.
        eps: regulariser (> 0), squared guide units.

    Returns:
        HR output (B, C, H, W) in src units.

    Raises:
        ValueError: shapes as in :func:`guided_filter`, or ``guide_hr`` with another batch
            size or channel count than ``guide_lr``.
    """
    _check_4d('guide_hr', guide_hr)
    if guide_hr.shape[:2] != guide_lr.shape[:2]:
        raise ValueError(f'guide_hr {tuple(guide_hr.shape)} must have the batch size and '
                         f'channels of guide_lr {tuple(guide_lr.shape)}')
    a, b = local_linear_coefficients(guide_lr, src_lr, radius, eps)
    size = tuple(guide_hr.shape[-2:])
    a_hr = F.interpolate(box_filter(a, radius), size=size, mode='bilinear', align_corners=False)
    b_hr = F.interpolate(box_filter(b, radius), size=size, mode='bilinear', align_corners=False)
    return a_hr * guide_hr + b_hr


class ConvGuidedFilter(nn.Module):
    """Convolutional (trainable) fast guided filter of Wu et al., CVPR 2018 (Sec. 3.3).

    The box mean is a depth-wise 3x3 convolution with dilation r (weights initialised to 1 and
    learned), normalised by its response to a constant image; ``a`` is predicted from
    ``[cov(I, p), var(I)]`` by 1x1 conv -> norm -> ReLU -> 1x1 conv -> norm -> ReLU -> 1x1 conv
    (no closed form, no eps); ``b = mean(p) - a * mean(I)``. Coefficients are computed at LR,
    averaged by the same learned filter, upsampled bilinearly and applied to the HR guide.

    Args:
        channels: channels C of guide and source (the guide must have C channels).
        radius: dilation r of the learned box filter (>= 1).
        hidden: width of the 1x1 network that predicts ``a``.
        norm: factory ``norm(num_features) -> nn.Module`` (default ``nn.BatchNorm2d``, as in
            the authors' code; DGF passes an adaptive normalisation).

    Shapes:
        guide_lr (B, C, h, w), src_lr (B, C, h, w), guide_hr (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: ``radius`` < 1 or ``channels`` < 1 at construction; mismatched shapes in
            ``forward``.
    """

    def __init__(self, channels: int = 1, radius: int = 1, hidden: int = 32,
                 norm: Callable[[int], nn.Module] = nn.BatchNorm2d):
        super().__init__()
        if radius < 1 or channels < 1:
            raise ValueError(f'ConvGuidedFilter needs radius >= 1 and channels >= 1, found '
                             f'radius {radius}, channels {channels}')
        self.box = nn.Conv2d(channels, channels, 3, padding=radius, dilation=radius,
                             groups=channels, bias=False)
        nn.init.ones_(self.box.weight)
        self.predict_a = nn.Sequential(
            nn.Conv2d(2 * channels, hidden, 1, bias=False), norm(hidden), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 1, bias=False), norm(hidden), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1, bias=False))

    def _mean(self, x: torch.Tensor) -> torch.Tensor:
        count = self.box(torch.ones_like(x))
        return self.box(x) / count

    def forward(self, guide_lr: torch.Tensor, src_lr: torch.Tensor,
                guide_hr: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        _check_guide_source(guide_lr, src_lr)
        _check_4d('guide_hr', guide_hr)
        if guide_lr.shape != src_lr.shape or guide_hr.shape[:2] != guide_lr.shape[:2]:
            raise ValueError(f'ConvGuidedFilter needs guide_lr {tuple(guide_lr.shape)}, src_lr '
                             f'{tuple(src_lr.shape)} of one shape and guide_hr '
                             f'{tuple(guide_hr.shape)} with their batch size and channels')
        mean_i = self._mean(guide_lr)
        mean_p = self._mean(src_lr)
        cov_ip = self._mean(guide_lr * src_lr) - mean_i * mean_p
        var_i = self._mean(guide_lr * guide_lr) - mean_i * mean_i
        a = self.predict_a(torch.cat([cov_ip, var_i], dim=1))
        b = mean_p - a * mean_i
        size = tuple(guide_hr.shape[-2:])
        a_hr = F.interpolate(self._mean(a), size=size, mode='bilinear', align_corners=False)
        b_hr = F.interpolate(self._mean(b), size=size, mode='bilinear', align_corners=False)
        return a_hr * guide_hr + b_hr
