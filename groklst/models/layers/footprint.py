"""A coarse thermal sensor's footprint on a finer grid, Gaussian band limits and in-graph
filling of no-data pixels.

Footprint (per axis; the 2-D footprint is the outer product): a coarse pixel of a sensor whose
pixel is s fine pixels integrates the scene over its s-pixel detector box convolved with a
Gaussian of standard deviation σ coarse pixels (optics, image motion, resampling of the product
onto its grid). The weight of a fine pixel at distance d (fine pixels, from the coarse pixel's
centre to the fine pixel's centre) is the box integrated over the Gaussian::

    w(d) = Φ((d + s/2) / (σ·s)) − Φ((d − s/2) / (σ·s)),   Φ the standard normal CDF

normalised to sum 1; σ → 0 gives the s × s block mean of Wald's protocol (Wald, Ranchin &
Mangolini 1997, Photogramm. Eng. Remote Sens. 63:691–699). MODIS's along-scan response is the
triangle of a moving detector (Wolfe, Roy & Vermote 1998, IEEE TGRS 36:1324–1338); its
effective footprint is wider than the pixel once optics and gridding are added (Tan et al. 2006,
Remote Sens. Environ. 105:98–114), which the Gaussian term stands for.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ['footprint_weights_1d', 'SensorFootprint', 'gaussian_blur', 'fill_from_neighbours',
           'softplus_inverse']

_SQRT2 = math.sqrt(2.0)


def softplus_inverse(y: float) -> float:
    """x with softplus(x) = y (y > 0)."""
    if not y > 0:
        raise ValueError(f'softplus_inverse needs y > 0, got {y}')
    return y + math.log(-math.expm1(-y))


def footprint_weights_1d(scale: int, sigma: torch.Tensor, radius: int) -> torch.Tensor:
    """Normalised 1-D footprint weights of one coarse pixel on the fine grid (module docstring).

    Args:
        scale: s, fine pixels per coarse pixel.
        sigma: () tensor, the Gaussian's standard deviation in coarse pixels (≥ 0; values
            below 1e-3 are treated as 1e-3, i.e. the box).
        radius: coarse pixels of support on each side of the pixel's own block.

    Returns:
        (s·(2·radius + 1),) weights summing to 1, centred on the middle block; differentiable
        in ``sigma``.
    """
    k = scale * (2 * radius + 1)
    d = torch.arange(k, dtype=sigma.dtype, device=sigma.device) - (k - 1) / 2
    sd = sigma.clamp_min(1e-3) * scale * _SQRT2
    half = scale / 2
    w = 0.5 * (torch.erf((d + half) / sd) - torch.erf((d - half) / sd))
    return w / w.sum()


class SensorFootprint(nn.Module):
    """Aggregation of a fine field by a coarse sensor: box of s × s fine pixels ⊗ Gaussian of
    standard deviation σ coarse pixels (module docstring), evaluated on the coarse lattice.

    σ is stored as ``raw_sigma`` with σ = softplus(raw_sigma) (a parameter when ``learn``, so it
    is fitted by the training loss and saved in checkpoints; a buffer otherwise). No-data and
    out-of-image fine pixels carry no weight: the footprint is renormalised over the valid
    pixels it covers, and the covered valid weight fraction is returned too.

    Args:
        scale: s, fine pixels per coarse pixel (≥ 1).
        sigma: initial σ in coarse pixels (> 0; use a small value such as 1e-3 for a box).
        learn: make σ a trainable parameter.

    Shapes: ``forward(x (B, C, s·h, s·w)[, mask (B, 1 | C, s·h, s·w) bool])`` → ``(value
    (B, C, h, w), valid weight fraction (B, 1 | C, h, w))``.

    Raises:
        ValueError: scale < 1, sigma ≤ 0; (forward) x not 4-D or its size not a multiple of s,
            a mask of another shape.
    """

    def __init__(self, scale: int, sigma: float = 0.3, learn: bool = True) -> None:
        super().__init__()
        if int(scale) != scale or scale < 1:
            raise ValueError(f'scale must be a positive int, got {scale}')
        if not sigma > 0:
            raise ValueError(f'sigma must be > 0 coarse pixels, got {sigma}')
        self.scale = int(scale)
        raw = torch.tensor(softplus_inverse(float(sigma)))
        if learn:
            self.raw_sigma = nn.Parameter(raw)
        else:
            self.register_buffer('raw_sigma', raw)

    @property
    def sigma(self) -> torch.Tensor:
        """() σ in coarse pixels."""
        return F.softplus(self.raw_sigma)

    def radius(self) -> int:
        """Support in coarse pixels on each side: ⌈3σ + ½⌉ (the Gaussian's tails past 3 σ
        hold < 0.3 % of the weight)."""
        return int(math.ceil(3 * float(self.sigma.detach()) + 0.5))

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        s = self.scale
        if x.dim() != 4 or x.shape[-2] % s or x.shape[-1] % s:
            raise ValueError(f'SensorFootprint expected x (B, C, H, W) with H, W multiples of '
                             f'{s}, found {tuple(x.shape)}')
        b, c, hh, ww = x.shape
        if mask is None:
            m = x.new_ones(1, 1, hh, ww)
        else:
            if mask.dim() != 4 or mask.shape[0] != b or mask.shape[1] not in (1, c) or \
                    mask.shape[-2:] != x.shape[-2:]:
                raise ValueError(f'SensorFootprint expected a mask (B, 1 | C, H, W) = ({b}, 1 | '
                                 f'{c}, {hh}, {ww}), found {tuple(mask.shape)}')
            m = mask.to(x.dtype)
        r = self.radius()
        w = footprint_weights_1d(s, self.sigma.to(x.dtype), r)
        pad = s * r

        def aggregate(t):  # separable strided convolution, zeros outside the image
            n = t.shape[0] * t.shape[1]
            t = t.reshape(n, 1, t.shape[-2], t.shape[-1])
            t = F.conv2d(F.pad(t, (0, 0, pad, pad)), w.view(1, 1, -1, 1), stride=(s, 1))
            t = F.conv2d(F.pad(t, (pad, pad, 0, 0)), w.view(1, 1, 1, -1), stride=(1, s))
            return t

        num = aggregate(torch.where(m > 0, x, torch.zeros_like(x))).view(b, c, hh // s, ww // s)
        den = aggregate(m).view(m.shape[0], m.shape[1], hh // s, ww // s)
        return num / den.clamp_min(1e-12), den.expand(b, -1, -1, -1)


def gaussian_blur(x: torch.Tensor, sigma_px: float) -> torch.Tensor:
    """Separable Gaussian smoothing of (B, C, H, W) with standard deviation ``sigma_px``
    pixels, truncated at ⌈3σ⌉ pixels, edges replicated; ``sigma_px`` ≤ 0 returns ``x``."""
    if sigma_px <= 0:
        return x
    r = max(1, int(math.ceil(3 * sigma_px)))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma_px) ** 2)
    k = k / k.sum()
    b, c, h, w = x.shape
    y = x.reshape(b * c, 1, h, w)
    y = F.conv2d(F.pad(y, (0, 0, r, r), mode='replicate'), k.view(1, 1, -1, 1))
    y = F.conv2d(F.pad(y, (r, r, 0, 0), mode='replicate'), k.view(1, 1, 1, -1))
    return y.view(b, c, h, w)


def fill_from_neighbours(x: torch.Tensor, mask: torch.Tensor, max_steps: int = 256
                         ) -> torch.Tensor:
    """Fill invalid pixels of (B, C, H, W) by growing the valid area one pixel per step: a new
    pixel takes the mean of its valid 3 × 3 neighbours (the in-graph counterpart of the data
    loader's nearest filling). Images without any valid pixel become 0. ``mask`` (B, 1 | C, H,
    W) bool; ``x`` is not modified."""
    m = mask.to(x.dtype).expand_as(x)
    y = torch.where(m > 0, x, torch.zeros_like(x))
    for _ in range(max_steps):
        if bool((m > 0).all()):
            break
        total = F.avg_pool2d(F.pad(y * m, (1, 1, 1, 1)), 3, 1)
        count = F.avg_pool2d(F.pad(m, (1, 1, 1, 1)), 3, 1)
        grow = (count > 0) & (m == 0)
        if not bool(grow.any()):
            break
        y = torch.where(grow, total / count.clamp_min(1e-12), y)
        m = torch.where(grow, torch.ones_like(m), m)
    return y
