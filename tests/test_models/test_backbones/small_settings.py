"""One table of small settings for every registered generator (model kind 'sisr' or 'gisr'),
used by the registry-driven test ``test_all_generators.py`` (timm's pattern: one test over every
registered model) and by the family tests that need a small instance.

A new generator registered in ``MODELS`` with ``model_kind`` 'sisr' or 'gisr' needs an entry
here: ``test_every_registered_generator_has_a_small_setting`` fails until it has one.

An entry is :class:`Small`: the constructor's keyword arguments besides ``scale`` and
``guidance_channels`` (widths and depths small enough for a forward + backward at x8 in tens
of milliseconds on one CPU thread) and the LR size ``(h, w)`` tested. Odd or non-square sizes
where the network pads internally; multiples where the architecture needs them (FDSR
pixel-unshuffles the guidance, the DKN kernel network strides by 2).
"""
from typing import Dict, NamedTuple, Tuple

import torch
import torch.nn as nn

from groklst.models.backbones.gisr.dctnet import EdgeWeightNet
from groklst.models.backbones.sisr.ctnet import ContextEnhancement
from groklst.models.backbones.sisr.san_blocks import SecondOrderChannelAttention
from groklst.models.layers import CALayer


class Small(NamedTuple):
    """Small constructor arguments and the LR size (h, w) of one generator."""
    kwargs: dict
    lr_size: Tuple[int, int] = (8, 8)


SMALL: Dict[str, Small] = {
    # ---------------------------------------------------------------- SISR, CNNs
    'SRCNN': Small(dict(channels=(8, 4), kernel_sizes=(5, 1, 3))),
    'EDSR': Small(dict(n_feats=8, n_resblocks=2)),
    'RDN': Small(dict(n_feats=8, n_blocks=2, n_layers=2, growth=4)),
    'RCAN': Small(dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4)),
    'DBPN': Small(dict(feat_channels=8, base_channels=4, num_stages=3), (6, 10)),
    'SAN': Small(dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4), (6, 10)),
    'SRFBN': Small(dict(num_features=8, num_groups=2, num_steps=2)),
    'HAN': Small(dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4), (6, 10)),
    'CTNet': Small(dict(n_feats=8, up_feats=4, n_blocks=2), (6, 10)),
    'FeNet': Small(dict(n_feats=8, n_blocks=2, reduction=4)),
    # ---------------------------------------------------------------- SISR, attention
    # odd, non-square LR: exercises the internal padding to the window size
    'SwinIR': Small(dict(embed_dim=12, depths=(2, 2), num_heads=(2, 2), window_size=4,
                         num_feat=8), (10, 9)),
    'ACT': Small(dict(n_feats=4, n_fusionblocks=2, n_resblocks=1, n_heads=2), (10, 9)),
    # LR 6x5 pads to 8x8: the last stage holds a single 2x2 window (N-gram edge fallback)
    'NGswin': Small(dict(embed_dim=16, depths=(2, 1, 1), num_heads=(2, 2, 2), dec_depth=2,
                         dec_num_heads=2, window_size=2), (6, 5)),
    'DCTLSA': Small(dict(nf=8, num_modules=2, num_head=2, window_size=4), (10, 9)),
    'OmniSR': Small(dict(num_feat=8, res_num=1, window_size=4), (10, 9)),
    'SAFMN': Small(dict(dim=8, n_blocks=2), (10, 9)),
    'EGASR': Small(dict(n_feats=8, n_resgroups=2, n_resblocks=1), (10, 9)),
    'HAUNet': Small(dict(width=8, middle_blk_num=2, enc_blk_nums=(1, 1), dec_blk_nums=(1, 1),
                         heads=(1, 2, 2)), (10, 9)),
    'FENet': Small(dict(n_feats=8, n_blocks=2, group=4), (10, 9)),
    'CFGN': Small(dict(n_feats=8, n_resgroups=2, groups=4), (10, 9)),
    # ---------------------------------------------------------------- GISR
    'DJF': Small(dict(branch_channels=(8, 4, 1), fusion_channels=(8, 4))),
    'DJFR': Small(dict(branch_channels=(8, 4, 3), fusion_channels=(8, 4))),
    'MSGNet': Small(dict(blur_kernel=5, blur_sigma=1.0)),
    'DGF': Small(dict(lr_channels=8, lr_depth=2, guide_hidden=4)),
    'SVLRM': Small(dict(channels=8, num_layers=3)),
    'PixTransformNet': Small(dict(hidden=8, width=16)),
    'PacJointUpsample': Small(dict(n_t_filters=4, n_g_filters=4, n_f_filters=4, k_ch=2,
                                   f_sz_1=3, f_sz_2=3)),
    'DKN': Small(dict(widths=(4, 4, 4))),
    'FDKN': Small(dict(widths=(4, 4, 4))),
    'FDSR': Small(dict(num_feats=8)),
    'AHMF': Small(dict(num_feats=8)),
    'CODON': Small(dict(num_feats=4, n_cross=2, n_fuse=1, reduction=2)),
    'SUFT': Small(dict(num_feats=4, n_resblocks=1, n_tail_groups=1, n_tail_blocks=1,
                       reduction=2)),
    'DCTNet': Small(dict(n_feats=16, n_shared=8, n_layers=2), (4, 4)),
    'CUNet': Small(dict(n_filters=8, kernel_size=3, n_iters=2), (4, 4)),
    # odd sizes: these four pad to their internal multiples and crop back
    'DSRN': Small(dict(n_feats=8, n_levels=2), (5, 7)),
    'PMBANet': Small(dict(n_feats=8, guide_feats=8, n_units=2), (5, 7)),
    'DAGF': Small(dict(n_feats=8, n_res=1), (5, 7)),
    'RSAG': Small(dict(n_feats=4, n_blocks=1), (5, 7)),
    'SGNet': Small(dict(n_feats=4, n_resblocks=1, n_tail_blocks=1, n_gcm_blocks=1), (4, 4)),
    'MoCoLSKNet': Small(dict(base_dim=8, num_stages=2, n_resblocks=1), (6, 10)),
}

#: Attention bottlenecks whose one or two ReLU units can be dead for a random init at the
#: widths above (the channel attention of RCAB/CALayer with 4-8 channels, SAN's second-order
#: attention, CTNet's two-channel one-pixel context branch, DCTNet's context branch pooling a
#: 4x4 map to one pixel of 4 ReLU channels): the bias of each listed submodule is set to 1
#: before the gradient check, so that the check tests the connectivity of the graph, not the
#: luck of the init.
OPEN_BIASES = {
    CALayer: ('gate.0', ),
    SecondOrderChannelAttention: ('gate.0', ),
    ContextEnhancement: ('range', 'refine.0'),
    EdgeWeightNet: ('context.0', 'context.2'),
}

#: Trainable parameters allowed a zero gradient after :func:`wake_up`, per generator, each with
#: its reason (a name pattern is a substring of the parameter name).
ZERO_GRAD_EXCLUSIONS: Dict[str, Dict[str, str]] = {
    'DAGF': {'out_conv.1.weight': 'slope of the PReLU closing the output conv: it gets a '
                                  'gradient from negative inputs only, and every input is '
                                  'positive for this init and LR'},
    'DGF': {'guide_map.3.bias': 'last bias of the guide map: the guided filter is invariant to a '
                                'constant offset of its guide (He et al., TPAMI 2013: the '
                                'coefficients a, b absorb it), so this gradient is rounding '
                                'noise (exactly 0 for the conv filter at x4)'},
    'SGNet': {'gradient.up.back_project.1.weight': 'slope of the PReLU of the one-channel x2 '
                                                   'back-projection of the gradient branch: '
                                                   'every input is positive for this init'},
}


def wake_up(net: nn.Module) -> None:
    """Switch off what legitimately gives zero gradients at initialisation, in place.

    1. Parameters the papers initialise to zero as gates or scales (SAN's non-local output
       conv, HAN's layer and channel-spatial attention scales γ, HAUNet's β/γ, EGASR's γ,
       DAGF's fusion scales, RSAG's γ, DGF's AdaptiveNorm w1 ...) make a block start as the
       identity and block the gradient of every weight behind them on the first step: every
       all-zero parameter is drawn from N(0, 0.1).
    2. The attention bottlenecks of :data:`OPEN_BIASES` are switched on.
    """
    with torch.no_grad():
        for p in net.parameters():
            if not p.any():
                p.normal_(0.0, 0.1)
        for m in net.modules():
            for path in OPEN_BIASES.get(type(m), ()):
                m.get_submodule(path).bias.fill_(1.0)


def build_small(name: str, scale: int, guidance_channels: int = 3, **overrides) -> nn.Module:
    """Generator ``name`` (registered in MODELS) built with its small setting (``overrides``
    replace entries), at ``scale``; guided generators get ``guidance_channels`` bands."""
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    cls = MODELS.get(name)
    kwargs = dict(SMALL[name].kwargs, scale=scale, **overrides)
    if cls.uses_guidance:
        kwargs['guidance_channels'] = guidance_channels
    return cls(**kwargs)
