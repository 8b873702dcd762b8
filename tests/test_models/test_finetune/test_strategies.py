"""Fine-tuning strategies (groklst/models/finetune): what trains, identity at init, LoRA merge."""
import types

import pytest
import torch
import torch.nn as nn

from groklst.engine.hooks import GradualUnfreezeHook
from groklst.models.finetune.strategies import (AdaptedLayer, BottleneckAdapter,
                                                apply_finetune, count_parameters,
                                                get_gradual_unfreezer, merge_lora)
from groklst.models.finetune.wrapper import FinetuneModel
from groklst.models.retrievers.mlp_retriever import MLPRetriever


class Tiny(nn.Module):
    """body.0: 3*5+5 = 20, body.2: 5*4+4 = 24, head: 4*2+2 = 10 parameters (54)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU())
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x))


def _tiny(seed=0):
    torch.manual_seed(seed)
    return Tiny()


def _trainable_names(model):
    return sorted(n for n, p in model.named_parameters() if p.requires_grad)


def test_full_and_head_only_counts():
    m = apply_finetune(_tiny(), dict(strategy='full'))
    assert count_parameters(m) == 54
    m = apply_finetune(_tiny(), dict(strategy='head_only', head_modules=['head']))
    assert count_parameters(m) == 10
    assert _trainable_names(m) == ['head.bias', 'head.weight']
    assert count_parameters(m, trainable_only=False) == 54


def test_gradual_schedule_unfreezes_from_head_backwards():
    m = apply_finetune(_tiny(), dict(strategy='gradual', groups=['head', 'body.2', 'body.0'],
                                     interval=3))
    u = get_gradual_unfreezer(m)
    assert count_parameters(m) == 10  # only the head before training
    expected = {0: 10, 2: 10, 3: 34, 5: 34, 6: 54, 100: 54}
    for it, n in expected.items():
        u.step(it)
        assert count_parameters(m) == n, it
    u.step(4)
    assert _trainable_names(m) == ['body.2.bias', 'body.2.weight', 'head.bias', 'head.weight']


def test_gradual_hook_drives_the_schedule_with_runner_iter():
    wrapped = FinetuneModel(_tiny_retriever(), dict(strategy='gradual',
                                                    groups=['net.head', 'net.body.2',
                                                            'net.body.0'], interval=2))
    logs = []
    runner = types.SimpleNamespace(model=wrapped, iter=0, logger=types.SimpleNamespace(
        info=logs.append))
    hook = GradualUnfreezeHook()
    hook.before_train(runner)
    counts = []
    for it in range(6):
        runner.iter = it
        hook.before_train_iter(runner, it)
        counts.append(count_parameters(wrapped))
    # head 2*8*... see _tiny_retriever: head 8*1+1 = 9, body.2 8*8+8 = 72, body.0 3*8+8 = 32
    assert counts == [9, 9, 81, 81, 113, 113]
    assert len(logs) == 3
    # a plain model with the schedule given to the hook
    plain = _tiny_retriever()
    runner = types.SimpleNamespace(model=plain, iter=0, logger=types.SimpleNamespace(
        info=lambda s: None))
    hook = GradualUnfreezeHook(groups=['net.head', 'net.body.*'], interval=5)
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)
    assert count_parameters(plain) == 9
    runner.iter = 5
    hook.before_train_iter(runner, 5)
    assert count_parameters(plain) == 113


def test_gradual_unfreeze_hook_resolves_from_a_config_in_a_fresh_process():
    """The Runner builds ``custom_hooks=[dict(type='GradualUnfreezeHook')]`` under
    ``default_scope='groklst'``: the hook lives inside the HOOKS registry's locations
    (``groklst.engine``), so nothing else has to be imported first."""
    import subprocess
    import sys
    code = (
        'import sys\n'
        'from mmengine.registry import HOOKS, DefaultScope\n'
        "DefaultScope.get_instance('finetune-test', scope_name='groklst')\n"
        "assert 'groklst.models' not in sys.modules\n"
        "hook = HOOKS.build(dict(type='GradualUnfreezeHook', groups=['head'], interval=3))\n"
        'print(type(hook).__module__, type(hook).__name__, hook.interval)\n')
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ['groklst.engine.hooks', 'GradualUnfreezeHook', '3']


def test_gradual_without_hook_raises_in_loss_mode():
    wrapped = FinetuneModel(_tiny_retriever(), dict(strategy='gradual', groups=['net.head'],
                                                    interval=2))
    x, samples = _batch()
    wrapped.train()
    with pytest.raises(RuntimeError, match='GradualUnfreezeHook'):
        wrapped(x, samples, mode='loss')


def test_adapter_identity_at_init_and_param_count():
    m = _tiny()
    x = torch.randn(7, 3)
    ref = m(x)
    apply_finetune(m, dict(strategy='adapter', target_modules=['body.0', 'body.2'],
                           bottleneck=2))
    assert isinstance(m.body[0], AdaptedLayer)
    assert torch.equal(m(x), ref)
    # C=5: 2*5*2 + 2 + 5 = 27; C=4: 2*4*2 + 2 + 4 = 22
    assert count_parameters(m) == 49
    assert all('adapter' in n for n in _trainable_names(m))
    m2 = apply_finetune(_tiny(), dict(strategy='adapter', target_modules=['body.*'],
                                      bottleneck=2, trainable_modules=['head']))
    # body.* keeps the Linear layers only (the ReLUs are skipped): same 49, plus the head 10
    assert count_parameters(m2) == 49 + 10
    assert m2.head.weight.requires_grad and not m2.body[0].base_layer.weight.requires_grad


def test_adapter_on_conv_is_identity_and_learns():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 1))
    x = torch.randn(2, 3, 6, 5)
    ref = net(x)
    apply_finetune(net, dict(strategy='adapter', target_modules=['0'], bottleneck=2))
    assert count_parameters(net) == 2 * 8 * 2 + 2 + 8  # 42
    assert torch.equal(net(x), ref)
    net(x).pow(2).mean().backward()
    trainable = [p for p in net.parameters() if p.requires_grad]
    assert all(p.grad is not None for p in trainable)
    assert net[0].adapter.up.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in net.parameters() if not p.requires_grad)


def test_bottleneck_adapter_rejects_wrong_channels():
    with pytest.raises(ValueError, match='expects 4 channels'):
        BottleneckAdapter(4, 2, channel_dim=1)(torch.zeros(2, 3, 5))


def _train_steps(model, x, steps=5):
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.05)
    for _ in range(steps):
        loss = (model(x) - 1.0).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_lora_linear_counts_identity_training_and_merge():
    m = _tiny()
    x = torch.randn(9, 3)
    ref = m(x).detach()
    plain_keys = sorted(m.state_dict())
    apply_finetune(m, dict(strategy='lora', r=2, alpha=4, target_modules=['body.0', 'head']))
    # body.0: A 2x3 + B 5x2 = 16; head: A 2x4 + B 2x2 = 12
    assert count_parameters(m) == 28
    assert all('lora_' in n for n in _trainable_names(m))
    assert torch.equal(m(x), ref)
    frozen_before = m.body[2].weight.detach().clone()
    _train_steps(m, x)
    out = m(x).detach()
    assert (out - ref).abs().max() > 1e-3  # training changed the output
    assert torch.equal(m.body[2].weight, frozen_before)  # frozen layer untouched
    merged = merge_lora(m)
    assert sorted(merged.state_dict()) == plain_keys
    assert isinstance(merged.head, nn.Linear) and type(merged.head) is nn.Linear
    torch.testing.assert_close(merged(x), out, atol=1e-5, rtol=0)


def test_lora_conv2d_with_trainable_head():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 1))
    x = torch.randn(2, 3, 6, 6)
    ref = net(x).detach()
    apply_finetune(net, dict(strategy='lora', r=2, alpha=2, target_modules=['0'],
                             trainable_modules=['2']))
    # lora_A Conv2d(3, 2, 3x3, no bias) = 54, lora_B Conv2d(2, 8, 1x1) = 16; head 8 + 1 = 9
    assert count_parameters(net) == 54 + 16 + 9
    assert torch.equal(net(x), ref)
    _train_steps(net, x)
    out = net(x).detach()
    merged = merge_lora(net)
    assert type(merged[0]) is nn.Conv2d
    torch.testing.assert_close(merged(x), out, atol=1e-5, rtol=0)


def test_option_errors():
    with pytest.raises(ValueError, match='strategy must be one of'):
        apply_finetune(_tiny(), dict(strategy='prompt'))
    with pytest.raises(ValueError, match="unknown options \\['r'\\]"):
        apply_finetune(_tiny(), dict(strategy='head_only', head_modules=['head'], r=2))
    with pytest.raises(ValueError, match='needs'):
        apply_finetune(_tiny(), dict(strategy='lora'))
    with pytest.raises(ValueError, match="'nohead' matches no module"):
        apply_finetune(_tiny(), dict(strategy='head_only', head_modules=['nohead']))
    with pytest.raises(ValueError, match='is a ReLU'):
        apply_finetune(_tiny(), dict(strategy='adapter', target_modules=['body.1']))


# -- wrapper -----------------------------------------------------------------------------------
_STATS = dict(inputs={k: dict(mean=m, std=s) for k, m, s in
                      (('bt:0', 290.0, 10.0), ('wvc', 2.0, 1.0), ('lse:0', 0.97, 0.01))},
              targets=dict(lst=dict(mean=295.0, std=12.0)))


def _tiny_retriever(seed=0):
    """net.body.0: 3*8+8 = 32, net.body.2: 8*8+8 = 72, net.head: 8+1 = 9 (113)."""
    torch.manual_seed(seed)
    return MLPRetriever(['bt:0', 'wvc', 'lse:0'], ['lst'], hidden_sizes=(8, 8), norm=_STATS)


def _batch(n=6):
    from mmengine.structures import BaseDataElement
    torch.manual_seed(1)
    x = torch.stack([290 + 10 * torch.randn(n), 2 + torch.rand(n), 0.97 + 0.01 * torch.rand(n)],
                    1)
    samples = []
    for k in range(n):
        s = BaseDataElement(metainfo=dict(target_names=['lst']))
        s.gt_target = torch.tensor([float(x[k, 0]) + 3.0])
        s.wvc = 2.0
        samples.append(s)
    return x, samples


def test_wrapper_loads_plain_checkpoint_by_load_state_dict_and_file(tmp_path):
    source = _tiny_retriever(seed=3)
    x, samples = _batch()
    ref = source(x, mode='tensor').detach()
    wrapped = FinetuneModel(_tiny_retriever(seed=4), dict(
        strategy='lora', r=2, alpha=4, target_modules=['net.body.*'],
        trainable_modules=['net.head']))
    assert not torch.allclose(wrapped(x, mode='tensor'), ref)
    # the Runner's load_from path: plain keys renamed to the wrapped layout
    missing, unexpected = wrapped.load_state_dict(source.state_dict(), strict=False)
    assert unexpected == []
    assert all('lora_' in k for k in missing)
    torch.testing.assert_close(wrapped(x, mode='tensor'), ref)
    # the pretrained= path, MMEngine checkpoint layout
    path = tmp_path / 'src.pth'
    torch.save(dict(state_dict=source.state_dict(), meta={}), path)
    w2 = FinetuneModel(dict(type='MLPRetriever', input_names=['bt:0', 'wvc', 'lse:0'],
                            target_names=['lst'], hidden_sizes=(8, 8)),
                       dict(strategy='lora', r=2, alpha=4, target_modules=['net.body.*'],
                            trainable_modules=['net.head']), pretrained=str(path))
    torch.testing.assert_close(w2(x, mode='tensor'), ref)
    # 2 LoRA pairs: (2*3 + 8*2) + (2*8 + 8*2) = 54, plus the head 9
    assert count_parameters(w2) == 63
    w2.train()
    loss = w2(x, samples, mode='loss')['loss']
    loss.backward()
    grads = {n: p.grad for n, p in w2.named_parameters() if p.requires_grad}
    assert all(g is not None for g in grads.values())
    # B = 0 at init, so dL/dA = 0 while B and the head receive a gradient
    assert all(g.abs().sum() > 0 for n, g in grads.items() if 'lora_A' not in n)
    assert all(g.abs().sum() == 0 for n, g in grads.items() if 'lora_A' in n)
    exported = w2.export()
    assert sorted(exported.state_dict()) == sorted(source.state_dict())
    torch.testing.assert_close(exported(x, mode='tensor'), w2(x, mode='tensor'), atol=1e-4,
                               rtol=0)
    out = w2.model(x, samples, mode='predict')
    assert out[0].pred_target.shape == (1,)


def test_wrapper_rejects_mismatched_pretrained(tmp_path):
    path = tmp_path / 'bad.pth'
    torch.save(dict(state_dict=_tiny().state_dict()), path)
    with pytest.raises(RuntimeError, match='does not match MLPRetriever'):
        FinetuneModel(_tiny_retriever(), dict(strategy='full'), pretrained=str(path))


def test_mocolsk_lora_config_builds_and_freezes_the_rest():
    import os.path as osp

    from mmengine.config import Config

    from groklst.registry import MODELS
    from tests.fixtures.paths import ROOT as root
    cfg = Config.fromfile(osp.join(
        root, 'configs/finetune/mocolsk-demo-lora_x4_1xb4-200it_landsat8-demo.py'))
    assert cfg.model.type == 'FinetuneModel'
    # the generator alone (the Downscaler would read the demo's normalization file)
    model = nn.Module()
    model.generator = MODELS.build(cfg.model.model.generator)
    total = count_parameters(model)
    apply_finetune(model, cfg.model.finetune)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('lora_' in n or n.startswith('generator.head.') for n in trainable)
    assert any(n.startswith('generator.head.') for n in trainable)
    # every LoRA target is a 3x3 conv C -> C: A (r=4) 4*C*9, B C*4
    n_targets = 0
    for module in model.modules():
        if hasattr(module, 'lora_A') and 'default' in module.lora_A:
            c = module.get_base_layer().in_channels
            assert module.get_base_layer().kernel_size == (3, 3)
            assert module.lora_A['default'].weight.numel() == 4 * c * 9
            assert module.lora_B['default'].weight.numel() == c * 4
            n_targets += 1
    assert n_targets > 10
    assert count_parameters(model, trainable_only=False) - total == sum(
        p.numel() for n, p in model.named_parameters() if 'lora_' in n)
    assert 0 < count_parameters(model) < 0.2 * total
