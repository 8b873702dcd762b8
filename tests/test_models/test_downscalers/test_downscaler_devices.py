"""The Downscaler's train step with mixed precision (issue 17 §1): mmengine's AmpOptimWrapper
on CUDA (float16 with dynamic loss scaling, bfloat16) and CPUBF16OptimWrapper on the CPU; and a
checkpoint saved on one device loads on the other."""
import pytest
import torch
from mmengine.optim import AmpOptimWrapper

from groklst.engine import CPUBF16OptimWrapper
from groklst.structures import LSTDataSample
from groklst.utils import register_all_modules
from tests.fixtures.checkpoints import build_downscaler
from tests.fixtures.devices import TINY_MOCOLSK

register_all_modules()
SCALE, K = 4, 3


def _model():
    return build_downscaler(TINY_MOCOLSK)  # x4 (SCALE), K = 3 guidance bands


def _batch(b=2, h=6):
    gen = torch.Generator().manual_seed(1)
    samples = []
    for _ in range(b):
        s = LSTDataSample(metainfo=dict(scale=SCALE))
        s.gt_lst = 290 + 5 * torch.randn(1, h * SCALE, h * SCALE, generator=gen)
        s.gt_mask = torch.ones(1, h * SCALE, h * SCALE, dtype=torch.bool)
        samples.append(s)
    return dict(inputs=dict(lr=[290 + 5 * torch.randn(1, h, h, generator=gen) for _ in range(b)],
                            guidance=[torch.randn(K, h * SCALE, h * SCALE, generator=gen)
                                      for _ in range(b)]),
                data_samples=samples)


def _step_changes_weights(model, wrapper):
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(_batch(), wrapper)
    assert torch.isfinite(log_vars['loss'])
    for n, p in model.named_parameters():
        assert p.dtype == torch.float32 and torch.isfinite(p).all(), n
    changed = [n for n, p in model.named_parameters() if not torch.equal(p, before[n])]
    assert len(changed) > len(before) // 2


def test_cpu_bf16_train_step():
    model = _model().train()
    wrapper = CPUBF16OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    _step_changes_weights(model, wrapper)


@pytest.mark.cuda
@pytest.mark.parametrize('dtype, loss_scale', [('float16', 'dynamic'), ('bfloat16', None)])
def test_cuda_amp_train_step(dtype, loss_scale):
    model = _model().cuda().train()
    kwargs = dict(dtype=dtype) if loss_scale is None else dict(dtype=dtype, loss_scale=loss_scale)
    wrapper = AmpOptimWrapper(optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), **kwargs)
    for _ in range(2):  # dynamic loss scaling may skip the first steps on overflow
        model.train_step(_batch(), wrapper)
    _step_changes_weights(model, wrapper)


@pytest.mark.cuda
@pytest.mark.parametrize('save_on, load_on', [('cuda', 'cpu'), ('cpu', 'cuda')])
def test_checkpoint_moves_between_devices(tmp_path, save_on, load_on):
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    src = _model().to(save_on)
    path = str(tmp_path / 'ckpt.pth')
    save_checkpoint(dict(state_dict=src.state_dict(), meta={}), path)
    dst = _model()
    for p in dst.parameters():
        torch.nn.init.zeros_(p) if p.dim() < 2 else torch.nn.init.ones_(p)
    dst.to(load_on)
    load_checkpoint(dst, path, map_location='cpu', strict=True, logger='silent')
    for (n, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        assert b.device.type == load_on and torch.equal(a.cpu(), b.cpu()), n
