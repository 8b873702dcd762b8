"""The Downscaler wrapper (groklst.models.downscalers.downscaler): normalization/residual round
trip, masked loss, modes, errors."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from groklst.models.downscalers import Downscaler
from groklst.registry import MODELS
from groklst.structures import LSTDataSample


@MODELS.register_module(force=True)
class _ConstGenerator(nn.Module):
    """Test generator: returns a learnable constant field (normalized units)."""
    uses_guidance = True
    guidance_channels = 3

    def __init__(self, scale, value=0.0):
        super().__init__()
        self.scale = scale
        self.value = nn.Parameter(torch.tensor(float(value)))

    def forward(self, lr, guidance):
        return self.value * torch.ones_like(guidance[:, :1])


def _inputs(b=2, h=6, s=4, k=3):
    torch.manual_seed(0)
    lr = 290 + 5 * torch.randn(b, 1, h, h)
    guidance = torch.randn(b, k, h * s, h * s)
    return dict(lr=lr, guidance=guidance)


def _samples(b, size, gt, mask):
    out = []
    for i in range(b):
        s = LSTDataSample(metainfo=dict(scale=4))
        s.gt_lst, s.gt_mask = gt[i], mask[i]
        out.append(s)
    return out


def test_bicubic_baseline_equals_interpolation_in_kelvin():
    inp = _inputs()
    model = Downscaler(scale=4, generator=None, residual='bicubic',
                       lst_norm=dict(mean=280.0, std=12.0))
    pred = model(inp, mode='tensor')
    ref = F.interpolate(inp['lr'], scale_factor=4, mode='bicubic', align_corners=False)
    torch.testing.assert_close(pred, ref, atol=1e-4, rtol=0)
    assert sum(p.numel() for p in model.parameters()) == 0


def test_generator_output_is_added_in_normalized_units():
    inp = _inputs()
    model = Downscaler(scale=4, generator=dict(type='_ConstGenerator', value=0.5),
                       residual='bilinear', lst_norm=dict(mean=280.0, std=10.0))
    pred = model(inp, mode='tensor')
    ref = F.interpolate(inp['lr'], scale_factor=4, mode='bilinear', align_corners=False)
    torch.testing.assert_close(pred - ref, torch.full_like(ref, 5.0), atol=1e-4, rtol=0)
    # without residual the generator predicts the whole normalized field: 0.5 σ + μ
    model = Downscaler(scale=4, generator=dict(type='_ConstGenerator', value=0.5),
                       residual=None, lst_norm=dict(mean=280.0, std=10.0))
    torch.testing.assert_close(model(inp, mode='tensor'), torch.full_like(ref, 285.0))


def test_masked_loss_ignores_invalid_pixels_and_predict_mode():
    inp = _inputs(b=2)
    model = Downscaler(scale=4, generator=dict(type='_ConstGenerator', value=0.0),
                       lst_norm=dict(mean=280.0, std=10.0))
    pred = model(inp, mode='tensor').detach()
    gt = pred + 2.0
    mask = torch.ones_like(gt, dtype=torch.bool)
    mask[0, :, :5] = False
    gt_bad = gt.clone()
    gt_bad[~mask] = 1e6  # garbage under the mask must not matter
    loss = model(inp, _samples(2, 24, gt_bad, mask), mode='loss')['loss']
    assert abs(loss.item() - 2.0) < 1e-4
    loss.backward()
    assert model.generator.value.grad is not None and model.generator.value.grad.abs() > 0
    # all pixels invalid: loss is 0, not NaN
    none = torch.zeros_like(mask)
    assert model(inp, _samples(2, 24, gt_bad, none), mode='loss')['loss'].item() == 0.0
    out = model(inp, _samples(2, 24, gt, mask), mode='predict')
    assert len(out) == 2 and tuple(out[0].pred_lst.shape) == (1, 24, 24)


def test_input_errors_name_expected_and_found():
    model = Downscaler(scale=4, generator=dict(type='_ConstGenerator'))
    inp = _inputs(k=5)
    with pytest.raises(ValueError, match='5 bands but _ConstGenerator expects 3'):
        model(inp)
    inp = _inputs(k=3)
    inp['guidance'] = inp['guidance'][..., :20, :20]
    with pytest.raises(ValueError, match=r'expected \(24, 24\) at scale 4'):
        model(inp)
    with pytest.raises(ValueError, match='needs HR guidance'):
        model(dict(lr=inp['lr'], guidance=None))
    with pytest.raises(ValueError, match='generator scale 2 != model scale 4'):
        Downscaler(scale=4, generator=dict(type='_ConstGenerator', scale=2))


def test_norm_buffers_travel_with_checkpoint():
    a = Downscaler(scale=4, generator=dict(type='_ConstGenerator', value=0.3),
                   lst_norm=dict(mean=281.0, std=9.0))
    b = Downscaler(scale=4, generator=dict(type='_ConstGenerator'))
    # DDP-style keys load after stripping 'module.' (what mmengine's load_checkpoint does)
    state = {'module.' + k: v for k, v in a.state_dict().items()}
    from mmengine.runner.checkpoint import _load_checkpoint_to_model
    _load_checkpoint_to_model(b, {'state_dict': state}, strict=True,
                              revise_keys=[(r'^module\.', '')])
    inp = _inputs()
    torch.testing.assert_close(a(inp), b(inp))
    assert b.lst_mean.item() == 281.0
