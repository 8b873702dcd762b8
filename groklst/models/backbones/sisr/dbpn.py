"""D-DBPN (Haris, Shakhnarovich and Ukita, "Deep Back-Projection Networks for
Super-Resolution", CVPR 2018)."""
from typing import List

import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import DenseProjection, default_conv
from groklst.registry import MODELS


@MODELS.register_module()
class DBPN(BaseGenerator):
    """Dense deep back-projection network (D-DBPN), parameterized by the scale.

    Haris et al., "Deep Back-Projection Networks for Super-Resolution", CVPR 2018.

    Initial features: conv3x3 (in -> n0) + PReLU, conv1x1 (n0 -> nR) + PReLU. Then T
    up-projection units alternating with T - 1 down-projection units; unit t receives the
    concatenation of all earlier outputs of the opposite resolution, reduced by a 1x1 conv
    bottleneck whenever more than one map is concatenated (dense connections). The output conv
    (3x3) reconstructs the HR field from the concatenation of all T HR maps. The projection
    kernel / stride / padding depend on the scale: 6/2/2 (x2), 8/4/2 (x4), 12/8/2 (x8), as in
    the paper. No image-level skip (``residual=None``). Defaults are the paper's D-DBPN:
    n0 = 256, nR = 64, T = 7; Kaiming-normal initialisation of the (transposed) convolutions
    with zero biases as in the authors' code.

    Deviation: the projection units (shared :class:`DenseProjection`) use one PReLU slope per
    channel instead of a single shared slope.

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        feat_channels: n0, width of the first conv.
        base_channels: nR, width of the projection units.
        num_stages: T, number of up-projection units (>= 1).
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or ``num_stages`` < 1.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Haris et al., "Deep Back-Projection Networks for Super-Resolution", CVPR 2018')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 feat_channels: int = 256,
                 base_channels: int = 64,
                 num_stages: int = 7,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if num_stages < 1:
            raise ValueError(f'DBPN needs num_stages >= 1, found {num_stages}')
        c = base_channels
        self.stem = nn.Sequential(
            default_conv(in_channels, feat_channels, 3), nn.PReLU(),
            nn.Conv2d(feat_channels, c, 1), nn.PReLU())
        # Up unit t (0-based) sees max(t, 1) LR maps; down unit t sees t + 1 HR maps.
        self.ups = nn.ModuleList([
            DenseProjection(max(t, 1) * c, c, scale, up=True, bottleneck=t > 1)
            for t in range(num_stages)
        ])
        self.downs = nn.ModuleList([
            DenseProjection((t + 1) * c, c, scale, up=False, bottleneck=t > 0)
            for t in range(num_stages - 1)
        ])
        self.reconstruct = default_conv(num_stages * c, in_channels, 3)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        lr_maps: List[torch.Tensor] = []
        hr_maps: List[torch.Tensor] = []
        feat = self.stem(x)
        for t, up in enumerate(self.ups):
            hr_maps.append(up(feat if t == 0 else torch.cat(lr_maps, dim=1)))
            if t < len(self.downs):
                lr_maps.append(self.downs[t](torch.cat(hr_maps, dim=1)))
        return self.reconstruct(torch.cat(hr_maps, dim=1))
