"""FinetuneModel (groklst.models.finetune.wrapper): loads a plain checkpoint into the wrapped
model, refuses a mismatched one, needs the hook for the gradual strategy; the MoCoLSK LoRA
config freezes all but its adapters."""
import pytest
import torch
import torch.nn as nn

from groklst.models.finetune.strategies import apply_finetune, count_parameters
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


def test_gradual_without_hook_raises_in_loss_mode():
    wrapped = FinetuneModel(_tiny_retriever(), dict(strategy='gradual', groups=['net.head'],
                                                    interval=2))
    x, samples = _batch()
    wrapped.train()
    with pytest.raises(RuntimeError, match='GradualUnfreezeHook'):
        wrapped(x, samples, mode='loss')


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
