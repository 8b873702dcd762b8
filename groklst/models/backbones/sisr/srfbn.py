"""SRFBN (Li, Yang, Liu, Yang, Jeon and Wu, "Feedback Network for Image Super-Resolution",
CVPR 2019)."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import default_conv, projection_conv
from groklst.registry import MODELS


def _prelu() -> nn.PReLU:
    """Single-slope PReLU initialised at 0.2, the activation of SRFBN."""
    return nn.PReLU(num_parameters=1, init=0.2)


class FeedbackBlock(nn.Module):
    """Feedback block of SRFBN (Li et al., CVPR 2019, Sec. 3.2).

    The input features and the hidden state of the previous step are fused by a 1x1 conv; G
    projection groups follow, each an up-sampling transposed conv and a down-sampling strided
    conv, with dense connections: group g first reduces the concatenation of all earlier LR
    (resp. HR) maps with a 1x1 conv. The LR outputs of all groups are fused by a 1x1 conv into
    the new hidden state.

    Args:
        channels: feature width m.
        num_groups: G (>= 1).
        scale: scale factor (2, 4, 8), which sets the projection kernel / stride / padding.

    Shapes:
        x, hidden (B, m, h, w) -> (B, m, h, w).
    """

    def __init__(self, channels: int, num_groups: int, scale: int):
        super().__init__()
        m = channels
        self.compress_in = nn.Sequential(nn.Conv2d(2 * m, m, 1), _prelu())
        self.ups = nn.ModuleList(
            [nn.Sequential(projection_conv(m, m, scale, up=True), _prelu())
             for _ in range(num_groups)])
        self.downs = nn.ModuleList(
            [nn.Sequential(projection_conv(m, m, scale, up=False), _prelu())
             for _ in range(num_groups)])
        self.lr_trans = nn.ModuleList(
            [nn.Sequential(nn.Conv2d((g + 1) * m, m, 1), _prelu())
             for g in range(1, num_groups)])
        self.hr_trans = nn.ModuleList(
            [nn.Sequential(nn.Conv2d((g + 1) * m, m, 1), _prelu())
             for g in range(1, num_groups)])
        self.compress_out = nn.Sequential(nn.Conv2d(num_groups * m, m, 1), _prelu())

    def forward(self, x: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        lr_maps = [self.compress_in(torch.cat([x, hidden], dim=1))]
        hr_maps = []
        for g, (up, down) in enumerate(zip(self.ups, self.downs)):
            lr_in = lr_maps[0] if g == 0 else self.lr_trans[g - 1](torch.cat(lr_maps, dim=1))
            hr_maps.append(up(lr_in))
            hr_in = hr_maps[0] if g == 0 else self.hr_trans[g - 1](torch.cat(hr_maps, dim=1))
            lr_maps.append(down(hr_in))
        return self.compress_out(torch.cat(lr_maps[1:], dim=1))


@MODELS.register_module()
class SRFBN(BaseGenerator):
    """SRFBN: a recurrent feedback block unrolled over T steps.

    Li et al., "Feedback Network for Image Super-Resolution", CVPR 2019.

    LR features conv3x3 (in -> 4m) + PReLU, conv1x1 (4m -> m) + PReLU are computed once; at
    every step t the :class:`FeedbackBlock` maps them and its previous output (the hidden
    state, initialised with the LR features) to a new hidden state, which a transposed conv
    (+ PReLU) and a conv3x3 (m -> in) reconstruct at HR. The paper adds the bilinearly
    upsampled LR to every step's output: set ``residual='bilinear'`` in the ``Downscaler``.

    Defaults are the paper's SRFBN (m = 64, G = 6, T = 4); SRFBN-S is m = 32, G = 3.
    Deviation: the forward pass returns the last step only, so the ``Downscaler`` loss is
    applied to the final output, whereas the paper averages the L1 loss over the T step
    outputs (all parameters still receive gradients, the recurrence shares them).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        num_features: m, feature width.
        num_groups: G, projection groups in the feedback block.
        num_steps: T, unrolled time steps (>= 1).
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or non-positive ``num_groups`` / ``num_steps``.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Li et al., "Feedback Network for Image Super-Resolution", CVPR 2019')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 num_features: int = 64,
                 num_groups: int = 6,
                 num_steps: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if num_groups < 1 or num_steps < 1:
            raise ValueError('SRFBN needs num_groups >= 1 and num_steps >= 1, found '
                             f'{num_groups} and {num_steps}')
        m = num_features
        self.num_steps = num_steps
        self.lr_features = nn.Sequential(
            default_conv(in_channels, 4 * m, 3), _prelu(), nn.Conv2d(4 * m, m, 1), _prelu())
        self.block = FeedbackBlock(m, num_groups, scale)
        self.reconstruct = nn.Sequential(
            projection_conv(m, m, scale, up=True), _prelu(), default_conv(m, in_channels, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w), the output of the last step."""
        feat = self.lr_features(x)
        hidden = feat
        for _ in range(self.num_steps):
            hidden = self.block(feat, hidden)
        return self.reconstruct(hidden)
