"""Layer attention and channel-spatial attention of HAN.

Niu, Wen, Ren, Zhang, Yang, Wang, Zhang, Cao and Shen, "Single Image Super-Resolution via a
Holistic Attention Network", ECCV 2020.
"""
import torch
import torch.nn as nn


class LayerAttention(nn.Module):
    """Layer attention module, LAM (Niu et al., HAN, ECCV 2020, Sec. 3.2).

    N stacked feature groups are flattened to vectors; their N x N correlation matrix gives,
    after HAN's ``max - energy`` trick and a softmax over the groups, the weights that mix the
    groups. A learnable scale ``gamma`` (initialised to 0, so the module starts as identity)
    weights the mixed features before the residual sum.

    Shapes:
        (B, N, C, H, W) -> (B, N * C, H, W).
    """

    def __init__(self):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, N, C, H, W) -> (B, N * C, H, W).

        Raises:
            ValueError: if ``x`` is not 5-D.
        """
        if x.dim() != 5:
            raise ValueError(f'LayerAttention expects (B, N, C, H, W), found {tuple(x.shape)}')
        b, n, c, h, w = x.shape
        flat = x.reshape(b, n, -1)
        energy = flat @ flat.transpose(1, 2)
        energy = energy.amax(dim=-1, keepdim=True) - energy
        mixed = torch.softmax(energy, dim=-1) @ flat
        out = self.gamma * mixed.reshape(b, n, c, h, w) + x
        return out.reshape(b, n * c, h, w)


class ChannelSpatialAttention(nn.Module):
    """Channel-spatial attention module, CSAM (Niu et al., HAN, ECCV 2020, Sec. 3.3).

    A 3x3x3 convolution over the (channel, height, width) volume of the features, treated as a
    one-channel 3-D image, and a sigmoid give one attention value per feature element; the
    features are modulated as ``x + x * gamma * attention`` with ``gamma`` initialised to 0.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 1, 3, padding=1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        attention = torch.sigmoid(self.conv(x.unsqueeze(1))).squeeze(1)
        return x + x * (self.gamma * attention)
