"""Convolution helpers shared by the generators.

* :func:`default_conv` - stride-1 "same" convolution as used by EDSR / RCAN
  (Lim et al., CVPRW 2017; Zhang et al., ECCV 2018).
* :func:`projection_conv` - the strided (transposed) convolution of the DBPN projection units
  (Haris et al., "Deep Back-Projection Networks for Super-Resolution", CVPR 2018).
* :func:`per_sample_conv2d` - convolution with a different kernel for every sample of the
  batch, used for input-conditioned (dynamic) kernels.
* :func:`depthwise_layout` - the memory layout in which depth-wise convolutions train fastest on
  the tensor's device, and :func:`same_layout` to return to the caller's (values unchanged).
"""
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

#: DBPN (kernel, stride, padding) per scale factor (Haris et al., CVPR 2018, Sec. 4.1).
#: With these values a transposed conv maps (H, W) -> (s*H, s*W) and a conv maps it back.
PROJECTION_CONV_PARAMS: Dict[int, Tuple[int, int, int]] = {
    2: (6, 2, 2),
    4: (8, 4, 2),
    8: (12, 8, 2),
}


def default_conv(in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 bias: bool = True,
                 *,
                 dilation: int = 1,
                 groups: int = 1) -> nn.Conv2d:
    """Stride-1 convolution with "same" zero padding (EDSR/RCAN convention).

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out.
        kernel_size: odd kernel size k.
        bias: whether the convolution has a bias.
        dilation: dilation d; the padding is ``d * (k - 1) // 2``.
        groups: convolution groups (``groups == in_channels`` gives a depth-wise conv).

    Returns:
        nn.Conv2d mapping (B, C_in, H, W) -> (B, C_out, H, W).

    Raises:
        ValueError: if ``kernel_size`` is even or not positive (no symmetric "same" padding
            exists) or ``dilation`` < 1.
    """
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f'default_conv needs an odd positive kernel_size, found {kernel_size}')
    if dilation < 1:
        raise ValueError(f'dilation must be >= 1, found {dilation}')
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size,
        padding=dilation * (kernel_size - 1) // 2,
        dilation=dilation,
        groups=groups,
        bias=bias)


def projection_conv(in_channels: int, out_channels: int, scale: int,
                    up: bool = True) -> nn.Module:
    """Strided projection convolution of DBPN (Haris et al., CVPR 2018).

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out.
        scale: scale factor s, one of the keys of :data:`PROJECTION_CONV_PARAMS` (2, 4, 8).
        up: ``True`` for a transposed convolution (B, C_in, H, W) -> (B, C_out, s*H, s*W);
            ``False`` for a strided convolution (B, C_in, s*H, s*W) -> (B, C_out, H, W).

    Returns:
        ``nn.ConvTranspose2d`` (``up=True``) or ``nn.Conv2d`` (``up=False``).

    Raises:
        ValueError: if ``scale`` has no entry in :data:`PROJECTION_CONV_PARAMS`.
    """
    if scale not in PROJECTION_CONV_PARAMS:
        raise ValueError(f'DBPN projection supports scales {sorted(PROJECTION_CONV_PARAMS)}, '
                         f'found {scale}')
    kernel_size, stride, padding = PROJECTION_CONV_PARAMS[scale]
    conv_cls = nn.ConvTranspose2d if up else nn.Conv2d
    return conv_cls(in_channels, out_channels, kernel_size, stride=stride, padding=padding)


def depthwise_layout(x: torch.Tensor) -> torch.Tensor:
    """``x`` (B, C, H, W) in the memory layout in which depth-wise convolutions run fastest on
    its device; the values (and so the results) are unchanged, only the strides.

    On the CPU this is ``channels_last``: oneDNN's depth-wise convolution backward in the
    default NCHW layout takes 2x (one thread) to 4x (two threads) longer than in NHWC for the
    5x5 and dilated 7x7 kernels of LSK (measured with torch 2.13; the forward is as fast or
    faster). Only float32 / float64 outside CPU autocast: under bfloat16 autocast the
    channels_last depth-wise weight gradient of oneDNN was intermittently non-finite (1 run in
    40 of a small MoCoLSK-Net, never in NCHW). Other devices keep their layout until measured
    there. A 1x1 convolution that reads the result returns ``channels_last`` too.

    Raises:
        ValueError: if ``x`` is not 4-D.
    """
    if x.dim() != 4:
        raise ValueError(f'x must be (B, C, H, W), found shape {tuple(x.shape)}')
    if (x.device.type == 'cpu' and x.dtype in (torch.float32, torch.float64)
            and not torch.is_autocast_enabled('cpu')):
        return x.contiguous(memory_format=torch.channels_last)
    return x


def same_layout(out: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``out`` (B, C, H, W) in the memory layout of ``like``: ``channels_last`` if ``like`` is
    (and is not also plainly contiguous), else the default contiguous layout. Values unchanged.

    Used after :func:`depthwise_layout`, so that the layers after a block keep running in the
    layout the caller chose (the large 3x3 convolutions of a network are slower in
    ``channels_last`` on the CPU).
    """
    keep_cl = (like.dim() == 4 and like.is_contiguous(memory_format=torch.channels_last)
               and not like.is_contiguous())
    return out.contiguous(memory_format=torch.channels_last if keep_cl else
                          torch.contiguous_format)


def per_sample_conv2d(x: torch.Tensor,
                      weight: torch.Tensor,
                      bias: Optional[torch.Tensor] = None,
                      padding: Union[int, str] = 'same',
                      dilation: int = 1) -> torch.Tensor:
    """Convolve every sample with its own kernel (stride 1), keeping the kernel in the graph.

    The batch is folded into the channel axis, (B, C_in, H, W) -> (1, B*C_in, H, W), and a
    grouped convolution with ``groups=B`` applies kernel ``weight[b]`` to sample ``b`` only, so
    samples never mix and gradients flow to ``weight`` (and whatever produced it).

    Args:
        x: input (B, C_in, H, W).
        weight: per-sample kernels (B, C_out, C_in, kh, kw).
        bias: optional per-sample bias (B, C_out).
        padding: int or ``'same'`` / ``'valid'`` as for ``torch.nn.functional.conv2d``.
        dilation: kernel dilation.

    Returns:
        Tensor (B, C_out, H', W') (H' = H, W' = W for ``padding='same'``).

    Raises:
        ValueError: if ``x`` is not 4-D, ``weight`` is not 5-D, or the batch sizes / input
            channel counts of ``x`` and ``weight`` disagree, or ``bias`` has the wrong shape.
    """
    if x.dim() != 4:
        raise ValueError(f'x must be (B, C_in, H, W), found shape {tuple(x.shape)}')
    if weight.dim() != 5:
        raise ValueError(
            f'weight must be (B, C_out, C_in, kh, kw), found shape {tuple(weight.shape)}')
    b, c_in, h, w = x.shape
    if weight.shape[0] != b or weight.shape[2] != c_in:
        raise ValueError(f'weight {tuple(weight.shape)} does not match x {tuple(x.shape)}: '
                         f'expected batch {b} and C_in {c_in}')
    c_out = weight.shape[1]
    flat_bias = None
    if bias is not None:
        if tuple(bias.shape) != (b, c_out):
            raise ValueError(f'bias must be ({b}, {c_out}), found {tuple(bias.shape)}')
        flat_bias = bias.reshape(b * c_out)
    out = F.conv2d(
        x.reshape(1, b * c_in, h, w),
        weight.reshape(b * c_out, c_in, *weight.shape[-2:]),
        flat_bias,
        padding=padding,
        dilation=dilation,
        groups=b)
    return out.reshape(b, c_out, *out.shape[-2:])
