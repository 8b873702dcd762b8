"""BaseGenerator: the class contract every generator shares, its one scale check and its one
input check (a forward pre-hook), and how the Downscaler relies on it."""
import inspect

import pytest
import torch
from torch import nn

import groklst.models.backbones.base as base_module
import groklst.models.downscalers.downscaler as downscaler_module
from groklst.models.backbones.base import BaseGenerator
from groklst.models.downscalers import Downscaler
from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()

class _Guided(BaseGenerator):
    """Tiny guided generator: HR = 1x1 conv of the guidance; counts forward bodies run."""
    uses_guidance = True
    model_kind = 'gisr'

    def __init__(self, scale, guidance_channels=3):
        super().__init__(scale)
        self.guidance_channels = guidance_channels
        self.conv = nn.Conv2d(guidance_channels, 1, 1)
        self.bodies = 0

    def forward(self, lr, guidance):
        self.bodies += 1
        return self.conv(guidance) + lr.repeat_interleave(self.scale, -2).repeat_interleave(
            self.scale, -1)


class _Single(BaseGenerator):
    """Tiny SISR generator (forward argument named ``x`` as in the SISR zoo)."""
    model_kind = 'sisr'
    supported_scales = (2, 4)

    def __init__(self, scale):
        super().__init__(scale)
        self.up = nn.Upsample(scale_factor=scale)

    def forward(self, x):
        return self.up(x)


def _registered_generators():
    return sorted((name, cls) for name, cls in MODELS.module_dict.items()
                  if isinstance(cls, type) and getattr(cls, 'model_kind', None) in ('sisr', 'gisr'))


@pytest.fixture
def check_calls(monkeypatch):
    """Count the calls of ``check_lr_guidance`` made by the generator base and the wrapper."""
    calls = []
    real = base_module.check_lr_guidance

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(base_module, 'check_lr_guidance', counting)
    monkeypatch.setattr(downscaler_module, 'check_lr_guidance', counting)
    return calls


def test_every_registered_generator_is_a_base_generator():
    names = [name for name, _ in _registered_generators()]
    assert len(names) >= 41  # 20 SISR + 20 GISR + MoCoLSK-Net at the time of writing
    outside = [name for name, cls in _registered_generators()
               if not issubclass(cls, BaseGenerator)]
    assert outside == []


@pytest.mark.parametrize('name,cls', [
    pytest.param(n, c, id=n) for n, c in _registered_generators() if issubclass(c, BaseGenerator)])
def test_unsupported_scale_names_class_and_scales(name, cls):
    kwargs = dict(scale=3)
    if 'guidance_channels' in inspect.signature(cls).parameters:
        kwargs['guidance_channels'] = 3
    with pytest.raises(ValueError) as err:
        cls(**kwargs)
    assert str(err.value) == f'{cls.__name__} supports scales {tuple(cls.supported_scales)}, found 3'


def test_scale_check_uses_the_subclass_scales():
    with pytest.raises(ValueError, match=r'^_Single supports scales \(2, 4\), found 8$'):
        _Single(8)
    assert _Single(4).scale == 4 and _Guided(8).scale == 8  # the base default (2, 4, 8)


def test_pre_hook_rejects_bad_guidance_before_the_forward_body():
    net = _Guided(4, guidance_channels=3)
    lr = torch.randn(2, 1, 5, 6)
    with pytest.raises(ValueError, match='Guidance has 5 bands but _Guided expects 3'):
        net(lr, torch.randn(2, 5, 20, 24))
    with pytest.raises(ValueError, match=r'Guidance is \(20, 20\) but LR is \(5, 6\): '
                                         r'expected \(20, 24\) at scale 4'):
        net(lr, torch.randn(2, 3, 20, 20))
    with pytest.raises(ValueError, match='_Guided needs HR guidance, got none'):
        net(lr, None)
    with pytest.raises(ValueError, match=r'B = 2 as the LR, got \(1, 3, 20, 24\)'):
        net(lr, torch.randn(1, 3, 20, 24))
    with pytest.raises(ValueError, match=r'LR LST must be \(B, 1, h, w\), got \(2, 2, 5, 6\)'):
        net(torch.randn(2, 2, 5, 6), torch.randn(2, 3, 20, 24))
    # by keyword too
    with pytest.raises(ValueError, match='Guidance has 5 bands'):
        net(lr=lr, guidance=torch.randn(2, 5, 20, 24))
    with pytest.raises(ValueError, match='Guidance has 5 bands'):
        net(lr, guidance=torch.randn(2, 5, 20, 24))
    assert net.bodies == 0  # every error came before the network ran
    assert net(lr, torch.randn(2, 3, 20, 24)).shape == (2, 1, 20, 24) and net.bodies == 1


def test_pre_hook_on_a_real_guided_generator():
    net = MODELS.build(dict(type='DJF', scale=2, guidance_channels=4,
                            branch_channels=(4, 2, 1), fusion_channels=(4, 2)))
    lr = torch.randn(1, 1, 6, 6)
    assert net(lr, torch.randn(1, 4, 12, 12)).shape == (1, 1, 12, 12)
    with pytest.raises(ValueError, match='Guidance has 3 bands but DJF expects 4'):
        net(lr, torch.randn(1, 3, 12, 12))
    with pytest.raises(ValueError, match=r'expected \(12, 12\) at scale 2'):
        net(lr, torch.randn(1, 4, 8, 8))
    with pytest.raises(ValueError, match='DJF needs HR guidance'):
        net(lr, None)


def test_check_runs_once_per_forward(check_calls):
    net = _Guided(2)
    lr, guidance = torch.randn(1, 1, 4, 4), torch.randn(1, 3, 8, 8)
    net(lr, guidance)
    assert len(check_calls) == 1
    net(lr, guidance)
    assert len(check_calls) == 2
    # through the wrapper: the generator's hook checks, the wrapper does not check again
    model = Downscaler(scale=2, generator=dict(type='DJF', guidance_channels=3,
                                               branch_channels=(4, 2, 1), fusion_channels=(4, 2)))
    check_calls.clear()
    model(dict(lr=lr, guidance=guidance), mode='tensor')
    assert len(check_calls) == 1
    model.generator = net
    check_calls.clear()
    model(dict(lr=lr, guidance=guidance), mode='tensor')
    assert len(check_calls) == 1 and net.bodies == 3


def test_wrapper_checks_once_without_a_base_generator(check_calls):
    lr = torch.randn(1, 1, 4, 4)
    model = Downscaler(scale=2, generator=None, residual='bicubic')
    assert model(dict(lr=lr), mode='tensor').shape == (1, 1, 8, 8)
    assert len(check_calls) == 1
    with pytest.raises(ValueError, match=r'LR LST must be \(B, 1, h, w\), got \(1, 4, 4\)'):
        model(dict(lr=lr[0]), mode='tensor')  # before the interpolation fails on a 3-D input


def test_wrapper_input_errors_come_before_compute():
    net = dict(type='EDSR', n_feats=4, n_resblocks=1)
    model = Downscaler(scale=2, generator=net, residual='bicubic')
    with pytest.raises(ValueError, match=r'LR LST must be \(B, 1, h, w\), got \(1, 4, 4\)'):
        model(dict(lr=torch.randn(1, 4, 4)), mode='tensor')


def test_sisr_generator_ignores_guidance(check_calls):
    net = _Single(2)
    lr = torch.randn(1, 1, 3, 4)
    assert net(lr).shape == (1, 1, 6, 8)
    assert net(x=lr).shape == (1, 1, 6, 8)  # checked by keyword too
    net.check_inputs(lr, torch.randn(7, 5, 1, 1))  # guidance of any shape: not looked at
    with pytest.raises(ValueError, match=r'LR LST must be \(B, 1, h, w\), got \(1, 2, 3, 4\)'):
        net(torch.randn(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r'got \(1, 2, 3, 4\)'):
        net(x=torch.randn(1, 2, 3, 4))
    # a real SISR generator in the wrapper: guidance of another size, or none, is ignored
    model = Downscaler(scale=2, generator=dict(type='EDSR', n_feats=4, n_resblocks=1))
    check_calls.clear()
    a = model(dict(lr=lr, guidance=torch.randn(1, 9, 5, 5)), mode='tensor')
    b = model(dict(lr=lr), mode='tensor')
    assert len(check_calls) == 2 and a.shape == (1, 1, 6, 8)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
