"""Deformable kernel networks DKN and FDKN (Kim, Ponce and Ham, "Deformable Kernel Networks
for Joint Image Filtering", IJCV 2021)."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


def deformable_kernel_filter(image: torch.Tensor, weight: torch.Tensor,
                             offset: torch.Tensor) -> torch.Tensor:
    """Weighted average of sparsely sampled neighbours (Kim et al., IJCV 2021, Eq. 1).

    ``out(p) = sum_n w_n(p) * image(p + p_n + dp_n(p))`` where ``p_n`` runs over the centred
    r x r grid ``{-(r // 2), ..., r // 2}^2`` (row-major) and ``dp_n`` are learned sub-pixel
    offsets. Samples are read with bilinear interpolation (``F.grid_sample``); positions
    outside the image read zero, like the zero padding of the original.

    Args:
        image: image to filter, (B, C, H, W) (the upsampled LST in DKN).
        weight: kernel weights w_n, (B, r * r, H, W), shared by the C channels.
        offset: offsets in pixels, (B, 2 * r * r, H, W); channels (2n, 2n + 1) hold
            (dy_n, dx_n) of sample n.

    Returns:
        (B, C, H, W).

    Raises:
        ValueError: ``weight`` does not have a square number r * r of channels, or the
            batch / spatial sizes or the offset channel count disagree.
    """
    if image.dim() != 4:
        raise ValueError(f'image must be (B, C, H, W), found {tuple(image.shape)}')
    b, c, h, w = image.shape
    n = weight.shape[1]
    r = int(round(n**0.5))
    if weight.dim() != 4 or r * r != n or tuple(weight.shape) != (b, n, h, w):
        raise ValueError(f'weight must be ({b}, r*r, {h}, {w}), found {tuple(weight.shape)}')
    if tuple(offset.shape) != (b, 2 * n, h, w):
        raise ValueError(f'offset must be ({b}, {2 * n}, {h}, {w}), found {tuple(offset.shape)}')
    taps = torch.arange(r, dtype=image.dtype, device=image.device) - r // 2
    base_y = taps.repeat_interleave(r).view(1, n, 1, 1)
    base_x = taps.repeat(r).view(1, n, 1, 1)
    rows = torch.arange(h, dtype=image.dtype, device=image.device).view(1, 1, h, 1)
    cols = torch.arange(w, dtype=image.dtype, device=image.device).view(1, 1, 1, w)
    offset = offset.view(b, n, 2, h, w)
    y = rows + base_y + offset[:, :, 0]
    x = cols + base_x + offset[:, :, 1]
    # pixel index -> normalized coordinate for align_corners=False
    grid = torch.stack(((2 * x + 1) / w - 1, (2 * y + 1) / h - 1), dim=-1)
    sampled = F.grid_sample(image, grid.view(b, n * h, w, 2), mode='bilinear',
                            padding_mode='zeros', align_corners=False)
    return (sampled.view(b, c, n, h, w) * weight.unsqueeze(1)).sum(dim=2)


class _KernelNet(nn.Module):
    """Conv stack predicting sigmoid kernel weights and offsets (one DKN/FDKN branch).

    ``specs`` lists (out_channels, kernel, dilation, batch_norm) per conv, each followed by a
    ReLU; two 1x1 heads give ``n_weight`` weight channels (sigmoid) and ``n_offset`` offset
    channels. ``same=True`` pads every conv to keep the size; otherwise the convs are valid.
    """

    def __init__(self, in_channels: int, specs: Sequence[Tuple[int, int, int, bool]],
                 n_weight: int, n_offset: int, same: bool):
        super().__init__()
        layers = []
        for out_ch, k, d, bn in specs:
            layers.append(nn.Conv2d(in_channels, out_ch, k, dilation=d,
                                    padding=d * (k - 1) // 2 if same else 0))
            if bn:
                layers.append(nn.BatchNorm2d(out_ch))
            layers.append(nn.ReLU(inplace=True))
            in_channels = out_ch
        self.body = nn.Sequential(*layers)
        self.weight_head = nn.Conv2d(in_channels, n_weight, 1)
        self.offset_head = nn.Conv2d(in_channels, n_offset, 1)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        feat = self.body(x)
        return torch.sigmoid(self.weight_head(feat)), self.offset_head(feat)


def _combine(weight: torch.Tensor, residual: bool) -> torch.Tensor:
    """Zero-mean weights (residual form) or weights normalized to sum one (DKN, Sec. 3.2)."""
    if residual:
        return weight - weight.mean(dim=1, keepdim=True)
    return weight / weight.sum(dim=1, keepdim=True)


class _DeformableKernelBase(BaseGenerator):
    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", '
             'IJCV 2021')

    def _setup(self, scale: int, guidance_channels: int, kernel_size: int,
               widths: Sequence[int], residual: bool) -> Tuple[int, int, int]:
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd and positive, found {kernel_size}')
        if len(widths) != 3:
            raise ValueError(f'widths must hold 3 channel counts, found {tuple(widths)}')
        self.guidance_channels = guidance_channels
        self.kernel_size = kernel_size
        self.residual = residual
        return tuple(widths)

    def _filter(self, up: torch.Tensor, weight: torch.Tensor,
                offset: torch.Tensor) -> torch.Tensor:
        return deformable_kernel_filter(up, _combine(weight, self.residual), offset)


@MODELS.register_module()
class DKN(_DeformableKernelBase):
    """DKN: per-pixel deformable kernels learned from the guidance and the upsampled LST.

    Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021.

    The LR LST is upsampled bicubically to HR. Two branches (guidance, upsampled LST) of seven
    convolutions (receptive field 50 px) each predict sigmoid weights and offsets for the r x r
    samples of every HR pixel; the branches' outputs are multiplied. The weights are made
    zero-mean (``residual=True``) and the samples are averaged with
    :func:`deformable_kernel_filter`; the ``Downscaler`` then adds the bicubic LST
    (``residual='bicubic'``), which is DKN's residual form. With ``residual=False`` the
    weights sum to one and the output is the HR LST itself (``residual=None``).

    Deviations from the original code, all exact or principled:

    * the original runs the strided kernel network 16 times on shifted inputs and interleaves
      the outputs ("shift and stitch"); here the two stride-2 convolutions have stride 1 and the
      layers after them are dilated (x2, then x4) on an input padded by 25/24 pixels, which
      computes the same dense output in one pass (batch-norm statistics in training mode are
      pooled over all positions instead of per shift);
    * samples sit on the centred grid ``p + p_n`` (the original's grid starts half a pixel
      off-centre) and are read from the whole image instead of a 15 x 15 unfolded window
      (beyond the window the original reads zero);
    * RGB is replaced by K guidance bands; the scale only enters through the upsampling, so any
      s works.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        kernel_size: r, samples per side (odd).
        widths: channel widths (C1, C2, C3) of the kernel networks (paper 32, 64, 128).
        residual: zero-mean weights and residual output (see above).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, even r, not three widths; in ``forward`` inputs that
            :func:`check_lr_guidance` rejects.
    """

    #: (top/left, bottom/right) zero padding that keeps the size through the valid convs.
    PAD = (25, 24)

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 kernel_size: int = 3,
                 widths: Sequence[int] = (32, 64, 128),
                 residual: bool = True,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        c1, c2, c3 = self._setup(scale, guidance_channels, kernel_size, widths, residual)
        specs = [(c1, 7, 1, True), (c1, 2, 1, False), (c2, 5, 2, True), (c2, 2, 2, False),
                 (c3, 5, 4, True), (c3, 3, 4, False), (c3, 3, 4, False)]
        n = kernel_size**2
        self.image_kernel = _KernelNet(guidance_channels, specs, n, 2 * n, same=False)
        self.lst_kernel = _KernelNet(1, specs, n, 2 * n, same=False)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        up = interpolate_lr(lr, self.scale, 'bicubic')
        top, bottom = self.PAD
        pad = (top, bottom, top, bottom)
        w_img, o_img = self.image_kernel(F.pad(guidance, pad))
        w_lst, o_lst = self.lst_kernel(F.pad(up, pad))
        return self._filter(up, w_img * w_lst, o_img * o_lst)


@MODELS.register_module()
class FDKN(_DeformableKernelBase):
    """FDKN: the fast DKN, predicting the kernels at LR resolution.

    Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021
    (Sec. 3.3, "FDKN").

    Guidance and bicubically upsampled LST are rearranged space-to-depth by s (pixel
    unshuffle, (B, C, s*h, s*w) -> (B, C*s*s, h, w)); two branches of six 3x3 convolutions
    predict weights and offsets for all s*s HR pixels of each LR pixel, which a pixel shuffle
    puts back at HR. Filtering and the residual form are those of :class:`DKN`. Deviations:
    centred sampling grid on the whole image (see :class:`DKN`), K guidance bands instead of
    RGB; the space-to-depth factor is the scale, as in the original, so x2/x4/x8 all work.

    Args, shapes and errors: as :class:`DKN`.
    """

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 kernel_size: int = 3,
                 widths: Sequence[int] = (32, 64, 128),
                 residual: bool = True,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        c1, c2, c3 = self._setup(scale, guidance_channels, kernel_size, widths, residual)
        specs = [(c1, 3, 1, True), (c1, 3, 1, False), (c2, 3, 1, True), (c2, 3, 1, False),
                 (c3, 3, 1, True), (c3, 3, 1, False)]
        n = kernel_size**2 * scale**2
        self.image_kernel = _KernelNet(guidance_channels * scale**2, specs, n, 2 * n, same=True)
        self.lst_kernel = _KernelNet(scale**2, specs, n, 2 * n, same=True)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        up = interpolate_lr(lr, self.scale, 'bicubic')
        w_img, o_img = self.image_kernel(F.pixel_unshuffle(guidance, self.scale))
        w_lst, o_lst = self.lst_kernel(F.pixel_unshuffle(up, self.scale))
        weight = F.pixel_shuffle(w_img * w_lst, self.scale)
        offset = F.pixel_shuffle(o_img * o_lst, self.scale)
        return self._filter(up, weight, offset)
