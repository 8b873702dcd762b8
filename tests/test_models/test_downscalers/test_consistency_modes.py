"""Downscaler and per-scene sharpeners with aggregation consistency: the hard projection, and
the loss of batches mixing Wald ('reconstruction') and native-scale ('consistency') samples."""
import pytest
import torch
from torch import nn

from groklst.models.downscalers import Downscaler
from groklst.models.layers.resample import block_mean
from groklst.registry import MODELS
from groklst.structures import LSTDataSample


@MODELS.register_module(force=True)
class _NoiseGenerator(nn.Module):
    """Test generator: a fixed field that does not aggregate to zero, plus a learnable gain."""
    uses_guidance = True
    guidance_channels = 1

    def __init__(self, scale):
        super().__init__()
        self.scale = scale
        self.gain = nn.Parameter(torch.tensor(1.0))

    def forward(self, lr, guidance):
        return self.gain * torch.sin(3 * guidance)


def _batch(s=4, h=5):
    torch.manual_seed(1)
    lr = 285 + 15 * torch.rand(3, 1, h, h)
    guidance = torch.randn(3, 1, h * s, h * s)
    mask = torch.rand(3, 1, h, h) > 0.25
    return lr, guidance, mask


def _sample(kind, gt, gt_mask, lr_mask):
    sample = LSTDataSample(metainfo=dict(sample_kind=kind))
    sample.gt_lst, sample.gt_mask, sample.lr_mask = gt, gt_mask, lr_mask
    return sample


@pytest.mark.parametrize('generator', [None, dict(type='_NoiseGenerator')])
def test_hard_consistency_aggregates_to_the_lr_within_1e4_kelvin(generator):
    lr, guidance, mask = _batch()
    model = Downscaler(scale=4, generator=generator, consistency='hard',
                       lst_norm=dict(mean=295.0, std=6.0))
    samples = []
    for m in mask:
        s = LSTDataSample()
        s.lr_mask = m
        samples.append(s)
    pred = model(dict(lr=lr, guidance=guidance), samples, mode='tensor')
    err = (block_mean(pred, 4) - lr)[mask].abs().max().item()
    assert err < 1e-4
    free = Downscaler(scale=4, generator=generator, lst_norm=dict(mean=295.0, std=6.0))
    plain = free(dict(lr=lr, guidance=guidance), samples, mode='tensor')
    assert (block_mean(plain, 4) - lr)[mask].abs().max().item() > 1e-2


def test_hard_consistency_for_a_per_scene_sharpener():
    from groklst.models.classic.tsharp import TsHARP
    lr, _, mask = _batch()
    ndvi = torch.rand(3, 1, 20, 20) * 0.8
    model = TsHARP(scale=4, guidance_bands=['ndvi'], residual='none', consistency='hard')
    samples = []
    for m in mask:
        s = LSTDataSample(metainfo=dict(guidance_bands=['ndvi']))
        s.lr_mask = m
        samples.append(s)
    pred = model(dict(lr=lr, guidance=ndvi), samples, mode='tensor')
    assert (block_mean(pred, 4) - lr)[mask].abs().max().item() < 1e-4
    loose = TsHARP(scale=4, guidance_bands=['ndvi'], residual='none')
    pred = loose(dict(lr=lr, guidance=ndvi), samples, mode='tensor')
    assert (block_mean(pred, 4) - lr)[mask].abs().max().item() > 1e-2


def test_mixed_batch_gets_the_loss_of_each_sample_kind():
    lr, guidance, mask = _batch()
    model = Downscaler(scale=4, generator=dict(type='_NoiseGenerator'),
                       lst_norm=dict(mean=295.0, std=6.0),
                       loss=dict(type='MaskedL1Loss', loss_weight=2.0),
                       consistency_loss=dict(type='AggregationConsistencyLoss',
                                             loss_weight=0.5))
    with torch.no_grad():
        pred = model(dict(lr=lr, guidance=guidance), mode='tensor')
    gt_hr = pred + 1.5  # reconstruction targets 1.5 K away everywhere
    hr_mask = torch.ones_like(gt_hr, dtype=torch.bool)
    samples = [_sample('reconstruction', gt_hr[0], hr_mask[0], mask[0]),
               _sample('consistency', lr[1], mask[1], mask[1]),
               _sample('reconstruction', gt_hr[2], hr_mask[2], mask[2])]
    losses = model(dict(lr=lr, guidance=guidance), samples, mode='loss')
    assert losses['loss_reconstruction'].item() == pytest.approx(2.0 * 1.5, abs=1e-4)
    agg = block_mean(pred[1:2], 4)
    want = 0.5 * (agg - lr[1:2]).abs()[mask[1:2]].mean().item()
    assert losses['loss_consistency'].item() == pytest.approx(want, rel=1e-5)
    total = losses['loss_reconstruction'] + losses['loss_consistency']
    total.backward()
    assert model.generator.gain.grad is not None and model.generator.gain.grad != 0


def test_batch_of_one_kind_gives_a_zero_with_gradient_for_the_other():
    lr, guidance, mask = _batch()
    model = Downscaler(scale=4, generator=dict(type='_NoiseGenerator'),
                       consistency_loss=dict(type='AggregationConsistencyLoss'))
    samples = [_sample('consistency', lr[i], mask[i], mask[i]) for i in range(3)]
    losses = model(dict(lr=lr, guidance=guidance), samples, mode='loss')
    assert losses['loss_reconstruction'].item() == 0.0
    assert losses['loss_reconstruction'].requires_grad
    assert losses['loss_consistency'].item() > 0


def test_consistency_samples_without_consistency_loss_and_bad_kinds_raise():
    lr, guidance, mask = _batch()
    model = Downscaler(scale=4, generator=dict(type='_NoiseGenerator'))
    samples = [_sample('consistency', lr[i], mask[i], mask[i]) for i in range(3)]
    with pytest.raises(ValueError, match='consistency_loss'):
        model(dict(lr=lr, guidance=guidance), samples, mode='loss')
    samples[0].set_metainfo(dict(sample_kind='wald'))
    with pytest.raises(ValueError, match='unknown sample_kind'):
        model(dict(lr=lr, guidance=guidance), samples, mode='loss')
    with pytest.raises(ValueError, match='consistency must be'):
        Downscaler(scale=4, consistency='soft')
