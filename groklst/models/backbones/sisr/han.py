"""HAN (Niu, Wen, Ren, Zhang, Yang, Wang, Zhang, Cao and Shen, "Single Image Super-Resolution
via a Holistic Attention Network", ECCV 2020)."""
import torch

from groklst.models.layers import default_conv
from groklst.registry import MODELS

from .han_blocks import ChannelSpatialAttention, LayerAttention
from .rcan import RCAN


@MODELS.register_module()
class HAN(RCAN):
    """HAN: RCAN trunk with layer attention over the groups and channel-spatial attention.

    Niu et al., "Single Image Super-Resolution via a Holistic Attention Network", ECCV 2020.

    head conv (in -> F) -> N residual groups of RCABs and a closing conv (N + 1 trunk
    outputs). The layer attention module (LAM) weighs the stack of all trunk outputs and a
    conv3x3 ((N + 1) F -> F) fuses them; the channel-spatial attention module (CSAM) refines
    the last trunk output; the two are concatenated, fused by a conv3x3 (2F -> F), added to
    the head features and upsampled by x2 pixel-shuffle stages and a conv (F -> in). No
    image-level skip (``residual=None``). Defaults are the paper's: 10 groups of 20 RCABs,
    64 features, reduction 16. The DIV2K mean shift is dropped (the ``Downscaler``
    standardizes the LST).

    Args:
        scale: scale factor s (2, 4 or 8).
        in_channels: LST channels (input and output).
        n_feats: feature width F.
        n_resgroups: N, residual groups.
        n_resblocks: RCABs per group.
        reduction: channel-attention reduction ratio.
        kernel_size: odd kernel size.
        res_scale: residual scale of the RCABs.
        init_cfg: MMEngine initialisation config.

    Shapes:
        (B, in_channels, h, w) -> (B, in_channels, s*h, s*w).

    Raises:
        ValueError: for an unsupported scale or invalid block arguments.
    """

    uses_guidance = False
    model_kind = 'sisr'
    supported_scales = (2, 4, 8)
    paper = ('Niu et al., "Single Image Super-Resolution via a Holistic Attention Network", '
             'ECCV 2020')

    def __init__(self,
                 scale: int,
                 in_channels: int = 1,
                 n_feats: int = 64,
                 n_resgroups: int = 10,
                 n_resblocks: int = 20,
                 reduction: int = 16,
                 kernel_size: int = 3,
                 res_scale: float = 1.0,
                 init_cfg=None):
        # the RCAN trunk (head, residual groups + closing conv, upsampler) is shared
        super().__init__(scale, in_channels=in_channels, n_feats=n_feats,
                         n_resgroups=n_resgroups, n_resblocks=n_resblocks, reduction=reduction,
                         kernel_size=kernel_size, res_scale=res_scale, init_cfg=init_cfg)
        self.layer_attention = LayerAttention()
        self.layer_fusion = default_conv((n_resgroups + 1) * n_feats, n_feats, 3)
        self.csam = ChannelSpatialAttention()
        self.fusion = default_conv(2 * n_feats, n_feats, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, h, w) normalized LR -> (B, C, s*h, s*w)."""
        feat = self.head(x)
        out = feat
        trunk = []
        for layer in self.body:
            out = layer(out)
            trunk.append(out)
        layers = self.layer_fusion(self.layer_attention(torch.stack(trunk, dim=1)))
        fused = self.fusion(torch.cat([self.csam(out), layers], dim=1))
        return self.tail(fused + feat)
