"""PAC joint upsampling network (Su, Jampani, Sun, Gallo, Learned-Miller and Kautz,
"Pixel-Adaptive Convolutional Neural Networks", CVPR 2019, Sec. 4.1)."""
import math
from typing import List, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import default_conv
from groklst.models.layers.pac import PacConvTranspose2d
from groklst.registry import MODELS

Widths = Union[int, Sequence[int]]


def _widths(value: Widths, count: int, name: str) -> List[int]:
    if isinstance(value, int):
        return [value] * count
    value = list(value)
    if len(value) != count:
        raise ValueError(f'{name} needs {count} widths, found {len(value)}: {value}')
    return value


def _conv_stack(channels: Sequence[int], kernel_size: int) -> nn.Sequential:
    """Convs channels[0] -> ... -> channels[-1], ReLU between them (none after the last)."""
    layers = []
    for i in range(len(channels) - 1):
        layers.append(default_conv(channels[i], channels[i + 1], kernel_size))
        if i < len(channels) - 2:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


@MODELS.register_module()
class PacJointUpsample(BaseGenerator):
    """PAC joint upsampling: LR LST is lifted x2 at a time by guided PAC transposed convs.

    Su et al., "Pixel-Adaptive Convolutional Neural Networks", CVPR 2019 (joint depth
    upsampling network, Sec. 4.1 and Fig. 3).

    * target branch: ``n_t_layers`` convs (``f_sz_1`` x ``f_sz_1``) on the LR LST;
    * guidance branch: ``n_g_layers`` convs on the HR guidance, ending in
      ``k_ch * log2(s)`` channels: one group of ``k_ch`` adapting features per x2 stage,
      bilinearly resized to that stage's output resolution;
    * ``log2(s)`` PAC transposed convolutions (kernel ``f_sz_2``, stride 2), each followed by a
      ReLU; the Gaussian adapting kernel comes from the stage's guidance features
      (:class:`~groklst.models.layers.pac.PacConvTranspose2d`);
    * final branch: ``n_f_layers`` convs at HR down to one LST channel.

    The network predicts the HR LST directly (``residual=None`` in the ``Downscaler``), as in
    the paper. Differences from the original code: the K guidance bands replace RGB, batch norm
    options are dropped (the paper's model uses none), and the guidance is edge-replicated at
    the border of the adapting kernel instead of zero-padded.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: number K of guidance bands.
        in_channels: LST channels (input and output).
        n_t_layers, n_g_layers, n_f_layers: depths of the target, guidance and final branches.
        n_t_filters: widths of the target convs (int or ``n_t_layers`` ints).
        n_g_filters: widths of the guidance convs but the last (int or ``n_g_layers - 1``).
        n_f_filters: output widths of the PAC stages and of the final convs but the last
            (int or ``log2(s) + n_f_layers - 1`` ints).
        k_ch: adapting-feature channels per x2 stage.
        f_sz_1: odd kernel of the plain convs; f_sz_2: odd kernel of the PAC stages.
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, in_channels, h, w), guidance (B, K, s*h, s*w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: unsupported scale, even kernel size, a depth < 1, width lists of the wrong
            length; in ``forward`` inputs that :func:`check_lr_guidance` rejects.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Su et al., "Pixel-Adaptive Convolutional Neural Networks", CVPR 2019')

    def __init__(self,
                 scale: int,
                 guidance_channels: int,
                 in_channels: int = 1,
                 n_t_layers: int = 3,
                 n_g_layers: int = 3,
                 n_f_layers: int = 2,
                 n_t_filters: Widths = 32,
                 n_g_filters: Widths = 32,
                 n_f_filters: Widths = 32,
                 k_ch: int = 16,
                 f_sz_1: int = 5,
                 f_sz_2: int = 5,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if min(n_t_layers, n_g_layers, n_f_layers) < 1:
            raise ValueError('n_t_layers, n_g_layers and n_f_layers must be >= 1, found '
                             f'{(n_t_layers, n_g_layers, n_f_layers)}')
        if f_sz_2 % 2 == 0:
            raise ValueError(f'f_sz_2 must be odd, found {f_sz_2}')
        self.guidance_channels = guidance_channels
        self.k_ch = k_ch
        self.num_ups = int(math.log2(scale))
        t_widths = _widths(n_t_filters, n_t_layers, 'n_t_filters')
        g_widths = _widths(n_g_filters, n_g_layers - 1, 'n_g_filters')
        f_widths = _widths(n_f_filters, self.num_ups + n_f_layers - 1, 'n_f_filters')

        self.branch_t = _conv_stack([in_channels] + t_widths, f_sz_1)
        self.branch_g = _conv_stack([guidance_channels] + g_widths + [k_ch * self.num_ups],
                                    f_sz_1)
        chain = [t_widths[-1]] + f_widths + [in_channels]
        self.up_convts = nn.ModuleList(
            PacConvTranspose2d(chain[i], chain[i + 1], f_sz_2, stride=2,
                               padding=(f_sz_2 - 1) // 2, output_padding=f_sz_2 % 2)
            for i in range(self.num_ups))
        self.branch_f = _conv_stack(chain[self.num_ups:], f_sz_1)

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """(B, 1, h, w) normalized LR LST + (B, K, s*h, s*w) guidance -> (B, 1, s*h, s*w)."""
        h, w = lr.shape[-2:]
        feat = self.branch_t(lr)
        guide_feat = self.branch_g(guidance)
        for i, up in enumerate(self.up_convts):
            size = (h * 2**(i + 1), w * 2**(i + 1))
            stage_guide = guide_feat[:, i * self.k_ch:(i + 1) * self.k_ch]
            if size != tuple(stage_guide.shape[-2:]):
                stage_guide = F.interpolate(stage_guide, size=size, mode='bilinear',
                                            align_corners=False)
            feat = F.relu(up(feat, stage_guide))
        return self.branch_f(feat)
