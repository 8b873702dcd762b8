"""Channel attention (squeeze-and-excitation style) of RCAN and CBAM spatial attention.

Zhang et al., "Image Super-Resolution Using Very Deep Residual Channel Attention Networks",
ECCV 2018; Woo et al., "CBAM: Convolutional Block Attention Module", ECCV 2018.
"""
import torch
import torch.nn as nn

from .activation import ActCfg, build_activation
from .conv import default_conv


def channel_gate(channels: int, reduction: int, act_cfg: ActCfg = 'ReLU') -> nn.Sequential:
    """1x1 bottleneck C -> max(1, C // r) -> C with a sigmoid: per-channel gates in (0, 1) from a
    (B, C, 1, 1) descriptor (squeeze-and-excitation, Hu et al., CVPR 2018), shared by RCAN's
    first-order and SAN's second-order channel attention.

    Raises:
        ValueError: if ``channels`` or ``reduction`` is not positive.
    """
    if channels < 1 or reduction < 1:
        raise ValueError(
            f'channels and reduction must be positive, found {channels} and {reduction}')
    hidden = max(1, channels // reduction)
    return nn.Sequential(nn.Conv2d(channels, hidden, 1), build_activation(act_cfg),
                         nn.Conv2d(hidden, channels, 1), nn.Sigmoid())


class CALayer(nn.Module):
    """Channel attention layer (Zhang et al., RCAN, ECCV 2018).

    Global average pooling gives one descriptor per channel; a 1x1 bottleneck
    (C -> max(1, C // reduction) -> C) followed by a sigmoid gives per-channel gates that rescale
    the input.

    Args:
        channels: number of channels C.
        reduction: bottleneck reduction ratio r (hidden width ``max(1, C // r)``, so small
            widths such as C=8 with r=16 still work).
        act_cfg: activation inside the bottleneck (see
            :func:`~groklst.models.layers.activation.build_activation`). Default ReLU.

    Shapes:
        input (B, C, H, W) -> output (B, C, H, W).

    Raises:
        ValueError: if ``channels`` or ``reduction`` is not positive.
    """

    def __init__(self, channels: int, reduction: int = 16, act_cfg: ActCfg = 'ReLU'):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.gate = channel_gate(channels, reduction, act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Rescale (B, C, H, W) features by their channel gates; returns (B, C, H, W)."""
        return x * self.gate(self.pool(x))


class SpatialAttention(nn.Module):
    """CBAM spatial attention map (Woo et al., ECCV 2018): the channel mean and channel max of
    the input, stacked, go through one k x k convolution without bias and a sigmoid.

    Used by EGASR, CODON and RSAG.

    Args:
        kernel_size: k (odd; 7 in CBAM).

    Shapes:
        (B, C, H, W) -> (B, 1, H, W), values in (0, 1).
    """

    def __init__(self, kernel_size: int = 7):
        super().__init__()
        self.conv = default_conv(2, 1, kernel_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        stats = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return torch.sigmoid(self.conv(stats))
