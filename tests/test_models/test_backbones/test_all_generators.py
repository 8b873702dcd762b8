"""One test over every registered generator (timm's ``tests/test_models.py`` pattern).

Every class in ``MODELS`` that declares a model kind ('sisr' or 'gisr') is built from its entry
of the one table of small settings (``small_settings.SMALL``) and checked for: its class
contract, output shape, dtype and finiteness at x2/x4/x8, gradients reaching every trainable
parameter (the exclusions of ``ZERO_GRAD_EXCLUSIONS`` only, each with its reason), rejected
unsupported scales, and, for guided generators, K = 3 and K = 10 guidance bands and rejected
wrong guidance. A registered generator missing from the table fails the suite.

Family-specific behaviour (paper details, hand-checked blocks) is tested in the family's file,
``test_sisr/test_<module>.py``, ``test_gisr/test_<module>.py``, ``test_mocolsk/``.
"""
import pytest
import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.test_models.test_backbones.small_settings import (SMALL, ZERO_GRAD_EXCLUSIONS,
                                                             wake_up)

register_all_modules()

KINDS = ('sisr', 'gisr')


def registered_generators():
    """Names of the registered classes that declare a generator kind, sorted."""
    return sorted(name for name, cls in MODELS.module_dict.items()
                  if isinstance(cls, type) and getattr(cls, 'model_kind', None) in KINDS)


GENERATORS = registered_generators()


def _small(name):
    assert name in SMALL, (f'{name} is a registered generator without an entry in '
                           'tests/test_models/test_backbones/small_settings.py: add its small '
                           'setting there')
    return SMALL[name]


def _build(name, scale, k=3):
    cls = MODELS.get(name)
    kwargs = dict(_small(name).kwargs, scale=scale)
    if cls.uses_guidance:
        kwargs['guidance_channels'] = k
    return cls(**kwargs)


def _inputs(name, scale, k=3, batch=2):
    h, w = _small(name).lr_size
    lr = torch.randn(batch, 1, h, w)
    if not MODELS.get(name).uses_guidance:
        return (lr, )
    return lr, torch.randn(batch, k, scale * h, scale * w)


def test_every_registered_generator_has_a_small_setting():
    names = registered_generators()  # now: includes generators registered after collection
    assert len(names) >= 41  # 20 SISR + 20 GISR + MoCoLSK-Net at the time of writing
    assert sorted(set(names) - set(SMALL)) == [], 'registered without a small setting'
    assert sorted(set(SMALL) - set(names)) == [], 'small settings of no registered model'
    assert set(ZERO_GRAD_EXCLUSIONS) <= set(SMALL)


@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', GENERATORS)
def test_shape_dtype_and_gradients(name, scale):
    torch.manual_seed(0)
    net = _build(name, scale)
    assert net.scale == scale
    wake_up(net)
    inputs = _inputs(name, scale)
    out = net(*inputs)
    h, w = inputs[0].shape[-2:]
    assert out.shape == (2, 1, scale * h, scale * w)
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    params = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    assert params
    missing = [n for n, p in params if p.grad is None]
    assert not missing, f'no gradient for {missing}'
    bad = [n for n, p in params if not torch.isfinite(p.grad).all()]
    assert not bad, f'non-finite gradient for {bad}'
    allowed = ZERO_GRAD_EXCLUSIONS.get(name, {})
    zero = [n for n, p in params if not p.grad.any() and not any(a in n for a in allowed)]
    assert not zero, f'zero gradient for {zero}'


@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', [n for n in GENERATORS if MODELS.get(n).uses_guidance])
def test_guided_generator_takes_its_k_bands_and_rejects_others(name, scale):
    torch.manual_seed(0)
    net = _build(name, scale, k=10).eval()
    assert net.guidance_channels == 10
    lr, guidance = _inputs(name, scale, k=10)
    with torch.no_grad():
        out = net(lr, guidance)
    assert out.shape == (2, 1, *guidance.shape[-2:]) and torch.isfinite(out).all()
    with pytest.raises(ValueError, match=rf'Guidance has 11 bands but {name} expects 10'):
        net(lr, torch.randn(2, 11, *guidance.shape[-2:]))
    with pytest.raises(ValueError, match=r'expected \(\d+, \d+\) at scale'):
        net(lr, guidance[..., :-1, :])


@pytest.mark.parametrize('name', GENERATORS)
def test_class_contract_and_unsupported_scales(name):
    cls = MODELS.get(name)
    assert cls.model_kind in KINDS
    assert cls.uses_guidance is (cls.model_kind == 'gisr')
    assert tuple(cls.supported_scales) == (2, 4, 8)
    assert isinstance(cls.paper, str) and len(cls.paper) > 20
    for scale in (3, 16):
        kwargs = dict(_small(name).kwargs, scale=scale)
        if cls.uses_guidance:
            kwargs['guidance_channels'] = 3
        with pytest.raises(ValueError, match=rf'{name} supports scales \(2, 4, 8\), found '
                                             rf'{scale}'):
            cls(**kwargs)


def _assert_finite_grads(net):
    grads = {n: p.grad for n, p in net.named_parameters() if p.grad is not None}
    assert grads, 'no gradient reached the generator'
    assert [n for n, g in grads.items() if not torch.isfinite(g).all()] == []


@pytest.mark.parametrize('name', GENERATORS)
def test_bf16_autocast_forward_backward_on_cpu(name):
    # CPU bfloat16 autocast (CPUBF16OptimWrapper): no op without a bf16 kernel (SGNet's FFT),
    # finite output and gradients at x4
    torch.manual_seed(0)
    net = _build(name, 4)
    wake_up(net)
    inputs = _inputs(name, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = net(*inputs)
    assert out.shape == (2, 1, 4 * inputs[0].shape[-2], 4 * inputs[0].shape[-1])
    assert out.dtype in (torch.bfloat16, torch.float32) and torch.isfinite(out).all()
    out.float().square().mean().backward()
    _assert_finite_grads(net)


@pytest.mark.cuda
@pytest.mark.parametrize('precision', ['fp32', 'bf16'])
@pytest.mark.parametrize('name', GENERATORS)
def test_cuda_forward_backward_x4(name, precision):
    from tests.fixtures.devices import CUDA_CPU_ATOL, CUDA_CPU_RTOL, strict_fp32
    torch.manual_seed(0)
    net = _build(name, 4).eval()
    wake_up(net)
    inputs = _inputs(name, 4)
    with torch.no_grad(), strict_fp32():
        ref = net(*inputs)
    net.cuda()
    cuda_inputs = [t.cuda() for t in inputs]
    with strict_fp32(), torch.autocast('cuda', dtype=torch.bfloat16,
                                       enabled=precision == 'bf16'):
        out = net(*cuda_inputs)
    assert out.device.type == 'cuda' and out.shape == ref.shape and torch.isfinite(out).all()
    if precision == 'fp32':
        assert out.dtype == torch.float32
        scale = ref.abs().max().item() + 1e-6
        torch.testing.assert_close(out.detach().cpu(), ref, rtol=CUDA_CPU_RTOL,
                                   atol=CUDA_CPU_ATOL * scale)
    out.float().square().mean().backward()
    _assert_finite_grads(net)
    assert all(p.grad.device.type == 'cuda' for p in net.parameters() if p.grad is not None)
