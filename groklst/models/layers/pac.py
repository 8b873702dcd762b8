"""Pixel-adaptive convolution (PAC) in pure PyTorch.

Su, Jampani, Sun, Gallo, Learned-Miller and Kautz, "Pixel-Adaptive Convolutional Neural
Networks", CVPR 2019 (Eq. 3 and Sec. 3.3 for the transposed variant).

A PAC multiplies the spatially shared filter ``W`` by an adapting kernel ``K`` computed from
guidance features ``f``::

    v'_i = sum_j K(f_i, f_j) W[p_i - p_j] v_j + b,    K(f_i, f_j) = exp(-1/2 ||f_i - f_j||^2)

(the fixed Gaussian of the paper, Eq. 4). Everything here is written with ``F.unfold`` and
matrix products, so autograd provides the backward pass and no compiled operator is needed.

* :func:`pac_gaussian_kernel` - the adapting kernel ``K`` of every output pixel.
* :func:`pac_conv2d`, :func:`pac_conv_transpose2d` - the convolutions given ``K``.
* :class:`PacConv2d`, :class:`PacConvTranspose2d` - modules holding ``W`` and ``b`` (same
  parameter layout and initialisation as ``nn.Conv2d`` / ``nn.ConvTranspose2d``).

Guidance is padded by edge replication (not zeros) so that a constant guide gives ``K == 1``
everywhere and a PAC reduces exactly to the plain (transposed) convolution.
"""
from typing import Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.utils import to_2tuple

IntPair = Union[int, Tuple[int, int]]


def _check_4d(name: str, t: torch.Tensor) -> None:
    if t.dim() != 4:
        raise ValueError(f'{name} must be (B, C, H, W), found shape {tuple(t.shape)}')


def pac_gaussian_kernel(guide: torch.Tensor,
                        kernel_size: IntPair,
                        stride: IntPair = 1,
                        padding: IntPair = 0,
                        dilation: IntPair = 1) -> torch.Tensor:
    """Adapting kernel ``K_ij = exp(-1/2 ||f_i - f_j||^2)`` of a PAC (Su et al., CVPR 2019, Eq. 4).

    For every output position ``i`` of a convolution with the given geometry, ``f_i`` is the
    guidance at the centre tap and ``f_j`` the guidance under each of the ``kh * kw`` taps.
    The guide is padded by replicating its edges.

    Args:
        guide: guidance features f, (B, C_f, H, W), at the resolution the taps read.
        kernel_size: odd kernel size (kh, kw).
        stride: stride of the convolution the kernel is for.
        padding: padding of that convolution.
        dilation: dilation of that convolution.

    Returns:
        K, (B, kh * kw, H_out, W_out), values in (0, 1], exactly 1 at the centre tap;
        H_out = floor((H + 2 p - d (kh - 1) - 1) / stride) + 1 (same for W).

    Raises:
        ValueError: ``guide`` is not 4-D or a kernel size is even.
    """
    _check_4d('guide', guide)
    kh, kw = to_2tuple(kernel_size)
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f'PAC needs odd kernel sizes, found {(kh, kw)}')
    ph, pw = to_2tuple(padding)
    if ph or pw:
        guide = F.pad(guide, (pw, pw, ph, ph), mode='replicate')
    b, c = guide.shape[:2]
    cols = F.unfold(guide, (kh, kw), dilation=to_2tuple(dilation), stride=to_2tuple(stride))
    cols = cols.view(b, c, kh * kw, -1)
    centre = cols[:, :, (kh * kw) // 2:(kh * kw) // 2 + 1]
    dist2 = (cols - centre).pow(2).sum(dim=1)
    dh, dw = to_2tuple(dilation)
    sh, sw = to_2tuple(stride)
    h_out = (guide.shape[-2] - dh * (kh - 1) - 1) // sh + 1
    w_out = (guide.shape[-1] - dw * (kw - 1) - 1) // sw + 1
    return torch.exp(-0.5 * dist2).view(b, kh * kw, h_out, w_out)


def pac_conv2d(x: torch.Tensor,
               kernel: torch.Tensor,
               weight: torch.Tensor,
               bias: torch.Tensor = None,
               stride: IntPair = 1,
               padding: IntPair = 0,
               dilation: IntPair = 1) -> torch.Tensor:
    """Pixel-adaptive convolution given the adapting kernel (Su et al., CVPR 2019, Eq. 3).

    ``out[b, o, i] = sum_{c, t} K[b, t, i] * W[o, c, t] * x[b, c, i + t] + bias[o]`` with the
    usual zero padding of ``x``; with ``K == 1`` this is ``F.conv2d``.

    Args:
        x: input (B, C_in, H, W).
        kernel: adapting kernel (B, kh * kw, H_out, W_out), e.g. from
            :func:`pac_gaussian_kernel` with the same geometry.
        weight: shared filter (C_out, C_in, kh, kw).
        bias: optional (C_out,).
        stride, padding, dilation: as for ``F.conv2d`` (zero padding).

    Returns:
        (B, C_out, H_out, W_out).

    Raises:
        ValueError: wrong ranks, or ``weight`` / ``kernel`` disagree with ``x`` or with each
            other.
    """
    _check_4d('x', x)
    _check_4d('kernel', kernel)
    if weight.dim() != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(f'weight must be (C_out, {x.shape[1]}, kh, kw) for x {tuple(x.shape)}, '
                         f'found {tuple(weight.shape)}')
    c_out, c_in, kh, kw = weight.shape
    b = x.shape[0]
    cols = F.unfold(x, (kh, kw), dilation=to_2tuple(dilation), padding=to_2tuple(padding),
                    stride=to_2tuple(stride))
    n_pos = cols.shape[-1]
    if kernel.shape[0] != b or kernel.shape[1] != kh * kw or \
            kernel.shape[2] * kernel.shape[3] != n_pos:
        raise ValueError(f'kernel must be ({b}, {kh * kw}, H_out, W_out) with H_out * W_out = '
                         f'{n_pos}, found {tuple(kernel.shape)}')
    cols = cols.view(b, c_in, kh * kw, n_pos) * kernel.reshape(b, 1, kh * kw, n_pos)
    out = weight.reshape(c_out, c_in * kh * kw) @ cols.view(b, c_in * kh * kw, n_pos)
    if bias is not None:
        out = out + bias.view(1, c_out, 1)
    return out.view(b, c_out, *kernel.shape[-2:])


def pac_conv_transpose2d(x: torch.Tensor,
                         kernel: torch.Tensor,
                         weight: torch.Tensor,
                         bias: torch.Tensor = None,
                         stride: IntPair = 1,
                         padding: IntPair = 0,
                         output_padding: IntPair = 0,
                         dilation: IntPair = 1) -> torch.Tensor:
    """Pixel-adaptive transposed convolution (Su et al., CVPR 2019, Sec. 3.3).

    The transposed convolution is written as a stride-1 convolution of the zero-interleaved,
    padded input with the spatially flipped, channel-transposed filter; the adapting kernel
    multiplies each tap of that convolution. With ``K == 1`` this is ``F.conv_transpose2d``.

    Args:
        x: input (B, C_in, H, W).
        kernel: adapting kernel (B, kh * kw, H_out, W_out) computed on output-resolution
            guidance, e.g. ``pac_gaussian_kernel(guide, k, padding=d * (k - 1) // 2,
            dilation=d)``.
        weight: filter (C_in, C_out, kh, kw) (``nn.ConvTranspose2d`` layout).
        bias: optional (C_out,).
        stride, padding, output_padding, dilation: as for ``F.conv_transpose2d``;
            ``H_out = (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1``.

    Returns:
        (B, C_out, H_out, W_out).

    Raises:
        ValueError: wrong ranks or channel counts, or ``padding > dilation * (k - 1)``.
    """
    _check_4d('x', x)
    if weight.dim() != 4 or weight.shape[0] != x.shape[1]:
        raise ValueError(f'weight must be ({x.shape[1]}, C_out, kh, kw) for x {tuple(x.shape)}, '
                         f'found {tuple(weight.shape)}')
    kh, kw = weight.shape[-2:]
    sh, sw = to_2tuple(stride)
    ph, pw = to_2tuple(padding)
    oph, opw = to_2tuple(output_padding)
    dh, dw = to_2tuple(dilation)
    pad_h, pad_w = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    if pad_h < 0 or pad_w < 0:
        raise ValueError(f'padding {(ph, pw)} must not exceed dilation * (kernel - 1) = '
                         f'{(dh * (kh - 1), dw * (kw - 1))}')
    b, c, h, w = x.shape
    spread = x.new_zeros(b, c, (h - 1) * sh + 1, (w - 1) * sw + 1)
    spread[:, :, ::sh, ::sw] = x
    spread = F.pad(spread, (pad_w, pad_w + opw, pad_h, pad_h + oph))
    flipped = weight.flip(-2, -1).transpose(0, 1)
    return pac_conv2d(spread, kernel, flipped, bias, dilation=(dh, dw))


class PacConv2d(nn.Conv2d):
    """Pixel-adaptive convolution layer (Su et al., CVPR 2019) with a Gaussian adapting kernel.

    Same parameters and initialisation as ``nn.Conv2d`` (groups 1, zero padding); the forward
    pass takes the guidance features as a second input.

    Args:
        in_channels, out_channels, kernel_size (odd), stride, padding, dilation, bias: as for
            ``nn.Conv2d``.

    Shapes:
        x (B, C_in, H, W), guide (B, C_f, H, W) -> (B, C_out, H_out, W_out).

    Raises:
        ValueError: even kernel size (at construction); guide of another spatial size or batch
            than ``x`` (in ``forward``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1,
                 bias: bool = True):
        if any(k % 2 == 0 for k in to_2tuple(kernel_size)):
            raise ValueError(f'PacConv2d needs an odd kernel size, found {kernel_size}')
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         dilation=dilation, bias=bias)

    def forward(self, x: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) input and (B, C_f, H, W) guidance -> (B, C_out, H_out, W_out)."""
        _check_4d('guide', guide)
        if guide.shape[0] != x.shape[0] or guide.shape[-2:] != x.shape[-2:]:
            raise ValueError(f'guide must be (B, C_f, H, W) = ({x.shape[0]}, C_f, '
                             f'{x.shape[-2]}, {x.shape[-1]}), found {tuple(guide.shape)}')
        kernel = pac_gaussian_kernel(guide, self.kernel_size, self.stride, self.padding,
                                     self.dilation)
        return pac_conv2d(x, kernel, self.weight, self.bias, self.stride, self.padding,
                          self.dilation)


class PacConvTranspose2d(nn.ConvTranspose2d):
    """Pixel-adaptive transposed convolution layer (Su et al., CVPR 2019, Sec. 3.3).

    Same parameters and initialisation as ``nn.ConvTranspose2d`` (groups 1). The adapting
    kernel is computed from guidance at the *output* resolution, centred on each output pixel.
    PAC joint upsampling uses it with kernel 5, stride 2, padding 2, output padding 1 (x2).

    Args:
        in_channels, out_channels, kernel_size (odd), stride, padding, output_padding,
            dilation, bias: as for ``nn.ConvTranspose2d``.

    Shapes:
        x (B, C_in, H, W), guide (B, C_f, H_out, W_out) -> (B, C_out, H_out, W_out) with
        H_out = (H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.

    Raises:
        ValueError: even kernel size or ``padding > dilation * (k - 1)`` (at construction);
            guide of the wrong size (in ``forward``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                 dilation: IntPair = 1, bias: bool = True):
        ks, pads, dils = to_2tuple(kernel_size), to_2tuple(padding), to_2tuple(dilation)
        if any(k % 2 == 0 for k in ks):
            raise ValueError(f'PacConvTranspose2d needs an odd kernel size, found {kernel_size}')
        if any(p > d * (k - 1) for p, d, k in zip(pads, dils, ks)):
            raise ValueError(f'padding {padding} must not exceed dilation * (kernel - 1)')
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                         output_padding=output_padding, dilation=dilation, bias=bias)

    def output_size_for(self, h: int, w: int) -> Tuple[int, int]:
        """Output (H_out, W_out) for an input of (h, w)."""
        return tuple(
            (n - 1) * s - 2 * p + d * (k - 1) + op + 1
            for n, s, p, d, k, op in zip((h, w), self.stride, self.padding, self.dilation,
                                         self.kernel_size, self.output_padding))

    def forward(self, x: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) input and (B, C_f, H_out, W_out) guidance -> (B, C_out, H_out, W_out)."""
        _check_4d('x', x)
        _check_4d('guide', guide)
        want = self.output_size_for(*x.shape[-2:])
        if guide.shape[0] != x.shape[0] or tuple(guide.shape[-2:]) != want:
            raise ValueError(f'guide must be ({x.shape[0]}, C_f, {want[0]}, {want[1]}) for x '
                             f'{tuple(x.shape)}, found {tuple(guide.shape)}')
        centred = tuple(d * (k - 1) // 2 for d, k in zip(self.dilation, self.kernel_size))
        kernel = pac_gaussian_kernel(guide, self.kernel_size, 1, centred, self.dilation)
        return pac_conv_transpose2d(x, kernel, self.weight, self.bias, self.stride, self.padding,
                                    self.output_padding, self.dilation)
