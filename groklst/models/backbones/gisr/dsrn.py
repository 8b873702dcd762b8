"""DSRN: the residual U-Net with input and guidance pyramids that GrokLST benchmarks as "DSRN"
(DepthSR-Net, Guo, Li, Guo, Cong, Fu and Han, "Hierarchical Features Driven Residual Learning
for Depth Map Super-Resolution", IEEE TIP 2019), for guided LST downscaling."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.models.layers.window_attention import pad_to_multiple
from groklst.registry import MODELS


def _conv_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())


def _up(cin: int, cout: int) -> nn.Sequential:
    """x2 transposed convolution + ReLU: (B, cin, H, W) -> (B, cout, 2H, 2W)."""
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1),
                         nn.ReLU())


@MODELS.register_module()
class DSRN(BaseGenerator):
    """Residual U-Net with an input (LST) pyramid and a guidance pyramid (DepthSR-Net).

    Guo, Li, Guo, Cong, Fu and Han, "Hierarchical Features Driven Residual Learning for Depth
    Map Super-Resolution", IEEE TIP 2019. GrokLST's ``editors/dsrn`` labels its model with
    "Depth Super-Resolution based on Deep Edge-Aware Learning" (Pattern Recognition 2020), but
    the network it builds — the one reproduced here — is this paper's: a U-Net on the
    bicubic-upsampled LR, whose encoder also receives max-pooled copies of that input at every
    level (input pyramid), whose decoder receives guidance features at every level (guidance
    pyramid), and which predicts the residual to the bicubic-upsampled LR
    (``residual='bicubic'`` in the ``Downscaler``).

    With widths c_l = F·2^l (l = 0..L-1) and ``P`` 2x2 max pooling::

        x = bicubic(lr);  g_0 = conv(guidance),  g_l = conv(P g_{l-1})
        e_0 = conv²(x);   e_l = conv²([P e_{l-1}, conv(P^l x)])         l = 1..L-1
        d_{L-1} = up(conv²([P e_{L-1}, conv(P^L x)]))
        d_{l-1} = up(conv²([d_l, g_l, e_l]))                             l = L-1..1
        out = conv³([d_0, g_0, e_0])

    Deviations: K guidance bands instead of RGB; no batch normalization (GrokLST added it; the
    paper has none); the last convolution has no ReLU, since the residual is signed; the map is
    padded (replicate) to a multiple of 2^L and cropped back, so any size works; the depth L
    and width F are arguments (paper L = 4, F = 64).

    Args:
        scale: scale factor s (2, 4 or 8); the network itself works at HR.
        guidance_channels: K guidance bands.
        n_feats: width F of the first level (paper 64).
        n_levels: pooling levels L (paper 4).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> residual (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, ``n_levels`` < 1, or inputs of the wrong shape.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Guo et al., "Hierarchical Features Driven Residual Learning for Depth Map '
             'Super-Resolution", IEEE TIP 2019')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 64,
                 n_levels: int = 4, init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_levels < 1:
            raise ValueError(f'n_levels must be >= 1, found {n_levels}')
        self.guidance_channels = guidance_channels
        self.n_levels = n_levels
        ch = [n_feats * 2 ** lvl for lvl in range(n_levels)]
        self.guide = nn.ModuleList(
            _conv_relu(guidance_channels if lvl == 0 else ch[lvl - 1], ch[lvl])
            for lvl in range(n_levels))
        self.inputs = nn.ModuleList(_conv_relu(1, ch[lvl - 1]) for lvl in range(1, n_levels + 1))
        self.encoder = nn.ModuleList(
            nn.Sequential(_conv_relu(1 if lvl == 0 else 2 * ch[lvl - 1], ch[lvl]),
                          _conv_relu(ch[lvl], ch[lvl])) for lvl in range(n_levels))
        bottom = 2 * ch[-1]
        self.bottleneck = nn.Sequential(_conv_relu(bottom, bottom), _conv_relu(bottom, bottom),
                                        _up(bottom, ch[-1]))
        self.decoder = nn.ModuleList(
            nn.Sequential(_conv_relu(3 * ch[lvl], ch[lvl]), _conv_relu(ch[lvl], ch[lvl]),
                          _up(ch[lvl], ch[lvl - 1])) for lvl in range(n_levels - 1, 0, -1))
        self.tail = nn.Sequential(_conv_relu(3 * ch[0], ch[0]), _conv_relu(ch[0], ch[0]),
                                  nn.Conv2d(ch[0], 1, 3, padding=1))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> residual (B, 1, s*h,
        s*w) to add to the bicubic-upsampled LR."""
        x = interpolate_lr(lr, self.scale, 'bicubic')
        multiple = 2 ** self.n_levels
        x, (h, w) = pad_to_multiple(x, multiple, mode='replicate')
        guidance, _ = pad_to_multiple(guidance, multiple, mode='replicate')
        guides = [self.guide[0](guidance)]
        for conv in self.guide[1:]:
            guides.append(conv(F.max_pool2d(guides[-1], 2)))
        pooled, feats = x, []
        for lvl, enc in enumerate(self.encoder):
            if lvl == 0:
                feats.append(enc(x))
            else:
                pooled = F.max_pool2d(pooled, 2)
                feats.append(enc(torch.cat([F.max_pool2d(feats[-1], 2),
                                            self.inputs[lvl - 1](pooled)], 1)))
        pooled = F.max_pool2d(pooled, 2)
        dec = self.bottleneck(torch.cat([F.max_pool2d(feats[-1], 2),
                                         self.inputs[-1](pooled)], 1))
        for lvl, block in zip(range(self.n_levels - 1, 0, -1), self.decoder):
            dec = block(torch.cat([dec, guides[lvl], feats[lvl]], 1))
        out = self.tail(torch.cat([dec, guides[0], feats[0]], 1))
        return out[..., :h, :w]
