"""Fine-tuning strategies (groklst.models.finetune.strategies): what trains, the gradual
schedule, identity at init, LoRA merge."""
import pytest
import torch
import torch.nn as nn

from groklst.models.finetune.strategies import (AdaptedLayer, BottleneckAdapter,
                                                apply_finetune, count_parameters,
                                                get_gradual_unfreezer, merge_lora)


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
