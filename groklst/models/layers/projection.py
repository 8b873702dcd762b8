"""Back-projection units of DBPN.

Haris, Shakhnarovich and Ukita, "Deep Back-Projection Networks for Super-Resolution",
CVPR 2018.
"""
import torch
import torch.nn as nn

from .conv import PROJECTION_CONV_PARAMS, projection_conv


class DenseProjection(nn.Module):
    """DBPN up- or down-projection unit (Haris et al., CVPR 2018).

    With ``P`` the projection to the other resolution and ``Q`` the projection back::

        a0 = P(x);  e = Q(a0) - x;  out = a0 + P(e)

    (each convolution followed by its own PReLU). For ``up=True`` this is the up-projection
    unit (LR -> HR), otherwise the down-projection unit (HR -> LR). The optional 1x1 bottleneck
    is the one D-DBPN puts in front of units that take concatenated earlier outputs.

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out.
        scale: scale factor s in (2, 4, 8) (kernel/stride/padding 6/2/2, 8/4/2, 12/8/2).
        up: direction of the projection.
        bottleneck: add a 1x1 conv + PReLU (C_in -> C_out) before the unit; the intermediate
            width is then C_out instead of C_in.

    Shapes:
        ``up=True``:  (B, C_in, H, W) -> (B, C_out, s*H, s*W).
        ``up=False``: (B, C_in, s*H, s*W) -> (B, C_out, H, W).

    Raises:
        ValueError: if ``scale`` is not one of 2, 4, 8.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 scale: int,
                 up: bool = True,
                 bottleneck: bool = False):
        super().__init__()
        if scale not in PROJECTION_CONV_PARAMS:
            raise ValueError(f'DenseProjection supports scales {sorted(PROJECTION_CONV_PARAMS)}, '
                             f'found {scale}')
        self.up = up
        self.scale = scale
        if bottleneck:
            self.bottleneck = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1), nn.PReLU(out_channels))
            mid = out_channels
        else:
            self.bottleneck = None
            mid = in_channels
        self.project = nn.Sequential(
            projection_conv(mid, out_channels, scale, up), nn.PReLU(out_channels))
        self.back_project = nn.Sequential(
            projection_conv(out_channels, mid, scale, not up), nn.PReLU(mid))
        self.project_error = nn.Sequential(
            projection_conv(mid, out_channels, scale, up), nn.PReLU(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Project (B, C_in, H, W) to the other resolution; see the class docstring."""
        if self.bottleneck is not None:
            x = self.bottleneck(x)
        first = self.project(x)
        error = self.back_project(first) - x
        return first + self.project_error(error)
