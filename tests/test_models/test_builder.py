"""Registered parts below the generators (groklst.models.builder): necks and heads carry their
kind and paper; ``build_part`` hands the host's arguments down and names wrong parts."""
import pytest

from groklst.models.builder import build_part, per_stage_cfgs
from groklst.models.necks import IdentityFusion, MoCoLSKCSBlock, SKMBlock
from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()

NECKS = ('MoCoLSKBlock', 'MoCoLSKCSBlock', 'MoCoLSKExBlock', 'SKMBlock', 'LSKMBlock',
         'LSKCSMBlock', 'IdentityFusion')
HEADS = ('UpProjectionHead', 'PixelShuffleHead', 'RegressionHead')


@pytest.mark.parametrize('name, kind', [(n, 'neck') for n in NECKS] + [(n, 'head') for n in HEADS])
def test_parts_are_registered_with_their_kind_and_paper(name, kind):
    cls = MODELS.get(name)
    assert cls is not None and cls.model_kind == kind
    assert cls.paper


def test_build_part_sets_host_arguments_and_hands_down_defaults():
    # the host's hyper-parameters reach the necks that take them ...
    cs = build_part(dict(type='MoCoLSKCSBlock'), 'neck', dict(dim=16),
                    dict(cs_min_dim=8, dynamic_kernel_size=5, sk_kernels=((3, 1), )))
    assert isinstance(cs, MoCoLSKCSBlock) and cs.lsk.condition_dim == 8  # max(16 // 2, 8)
    # ... and the neck config wins over them
    sk = build_part(dict(type='SKMBlock', cs_min_dim=2), 'neck', dict(dim=4), dict(cs_min_dim=8))
    assert isinstance(sk, SKMBlock) and sk.module.select.squeeze_dim == 4  # max(8 // 2, 2)
    cfg = dict(type='IdentityFusion')
    build_part(cfg, 'neck', dict(dim=3))
    assert cfg == dict(type='IdentityFusion')  # the config is not modified
    assert isinstance(build_part(dict(type=IdentityFusion, dim=3), 'neck', dict(dim=3)),
                      IdentityFusion)


def test_build_part_errors():
    with pytest.raises(KeyError, match="'NoSuchNeck' is not registered"):
        build_part(dict(type='NoSuchNeck'), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(ValueError, match="Host needs a neck here, but PixelShuffleHead is of "
                                         "kind 'head'"):
        build_part(dict(type='PixelShuffleHead'), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(ValueError, match="needs a neck here, but MoCoLSKNet is of kind 'gisr'"):
        build_part(dict(type='MoCoLSKNet'), 'neck', dict(dim=4))
    with pytest.raises(ValueError, match='Host sets dim=4 of its neck SKMBlock, found dim=8'):
        build_part(dict(type='SKMBlock', dim=8), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(TypeError, match='a dict with a "type" key'):
        build_part('SKMBlock', 'neck', dict(dim=4))
    with pytest.raises(ValueError, match=r'neck needs one dict or one per stage \(3\), found 2'):
        per_stage_cfgs([dict(type='SKMBlock')] * 2, 3, 'neck')
    with pytest.raises(TypeError, match="every neck entry must be a dict, found 'S'"):
        per_stage_cfgs(['S', 'S'], 2, 'neck')
