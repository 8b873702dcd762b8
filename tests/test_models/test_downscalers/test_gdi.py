"""Guided detail injection (groklst.models.downscalers.gdi): shapes, an untrained model is
bicubic, the footprint sigma is fitted by the coarse-level loss, the band limit in metres, the
hard projection, the modes and their errors."""
import math

import pytest
import torch

from groklst.models.downscalers import GuidedDetailDownscaler, band_limit_sigma_px
from groklst.models.layers.resample import block_mean, interpolate_lr
from groklst.structures import LSTDataSample


def _model(**kw):
    kw.setdefault('lst_norm', dict(mean=300.0, std=5.0))
    return GuidedDetailDownscaler(4, 2, **kw)


def _inputs(b=2, h=8, w=12, k=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    lr = 300 + 3 * torch.randn(b, 1, h, w, generator=g)
    guid = torch.randn(b, k, 4 * h, 4 * w, generator=g)
    return lr, guid


def _randomise_output_layer(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    last = model.detail.net[-1]
    with torch.no_grad():
        last.weight.copy_(0.5 * torch.randn(last.weight.shape, generator=g))
        last.bias.fill_(0.3)


def test_untrained_model_is_bicubic_at_both_levels():
    model = _model()
    lr, g = _inputs()
    pred = model.predict_lst(lr, g, pixel_size=30.0)
    assert pred.shape == (2, 1, 32, 48)
    assert torch.equal(pred, interpolate_lr(lr, 4))
    mask = torch.ones_like(lr, dtype=torch.bool)
    pred_c, scored = model.coarse_level(lr, mask, g)
    assert pred_c.shape == lr.shape and bool(scored.all())
    torch.testing.assert_close(pred_c, interpolate_lr(block_mean(lr, 4), 4), rtol=0, atol=1e-4)


def test_detail_is_guidance_only_and_has_no_mean_at_coarse_scale():
    model = _model(band_limit=None)
    _randomise_output_layer(model)
    lr, g = _inputs()
    pred = model.predict_lst(lr, g)
    up = interpolate_lr(lr, 4)
    assert (pred - up).abs().max() > 0.01
    # the detail h − U(P(h)) of a constant guidance field is (nearly) zero away from edges
    flat = model.predict_lst(lr, torch.zeros_like(g))
    ctx_only = flat - up  # h depends on the LR context only: smooth, removed by P
    assert ctx_only[..., 8:-8, 8:-8].abs().max() < 0.5 * (pred - up).abs().max()


def test_sigma_is_fitted_towards_the_sensor_that_made_the_coarse_lst():
    """Coarse LST made by a footprint of sigma 0.8 from a fine field 300 + h(G): fitting sigma
    alone (h fixed) on the coarse-level loss moves it from 0.3 towards 0.8."""
    torch.manual_seed(0)
    model = _model(lr_context=False, band_limit=None)
    _randomise_output_layer(model)
    _, g = _inputs(b=2, h=12, w=12)
    with torch.no_grad():
        h = model.detail(g)
        truth = GuidedDetailDownscaler(4, 2, lr_context=False, band_limit=None,
                                       footprint=dict(sigma=0.8, learn=False))
        lr, _ = truth.footprint(300.0 + h)
    for p in model.detail.parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam([model.footprint.raw_sigma], lr=0.05)
    mask = torch.ones_like(lr, dtype=torch.bool)
    losses = []
    for _ in range(60):
        pred, scored = model.coarse_level(lr, mask, g)
        loss = (pred - lr)[scored].square().mean()
        opt.zero_grad()
        loss.backward()
        assert model.footprint.raw_sigma.grad.abs() > 0
        opt.step()
        losses.append(float(loss.detach()))
    sigma = float(model.footprint.sigma.detach())
    assert abs(sigma - 0.8) < 0.15, sigma
    assert losses[-1] < 0.2 * losses[0]


def test_band_limit_by_hand():
    assert band_limit_sigma_px(0.5, 4, 30.0) == pytest.approx(2.0)  # 60 m
    assert band_limit_sigma_px(0.93, 4, 30.0) == pytest.approx(0.93 * 4)  # 112 m, no cap
    assert band_limit_sigma_px(0.93, 4, 30.0, max_m=80.0) == pytest.approx(80 / 30)  # capped
    assert band_limit_sigma_px(0.4, 2, 30.0) == pytest.approx(0.8)  # 24 m
    assert band_limit_sigma_px(0.5, 4, 100.0, factor=2.0, max_m=None) == pytest.approx(4.0)
    for bad in (0.0, -30.0, float('nan'), None):
        with pytest.raises(ValueError, match='positive number of metres'):
            band_limit_sigma_px(0.5, 4, bad)
    model = _model(footprint=dict(sigma=0.5))
    assert model.needs_pixel_size
    assert model.band_limit_px(30.0) == pytest.approx(2.0)
    assert model.band_limit_px(7.5) == pytest.approx(2.0)  # same fraction of a coarse pixel
    assert model.band_limit_px(60.0) == pytest.approx(2.0)  # the default has no cap
    capped = _model(footprint=dict(sigma=0.5), band_limit=dict(max_m=80.0))
    assert capped.band_limit_px(30.0) == pytest.approx(2.0)  # 60 m < 80 m
    assert capped.band_limit_px(60.0) == pytest.approx(80 / 60)  # 120 m capped at 80 m
    assert not _model(band_limit=None).needs_pixel_size


def test_band_limit_needs_the_pixel_size_and_smooths_the_detail():
    model = _model()
    _randomise_output_layer(model)
    lr, g = _inputs(b=1)
    with pytest.raises(ValueError, match='fine pixel size in metres'):
        model.predict_lst(lr, g)
    up = interpolate_lr(lr, 4)
    sharp = _model(band_limit=None)
    sharp.load_state_dict(model.state_dict())
    rough = (sharp.predict_lst(lr, g) - up).diff(dim=-1).abs().mean()
    smooth = (model.predict_lst(lr, g, pixel_size=30.0) - up).diff(dim=-1).abs().mean()
    assert smooth < 0.5 * rough
    # one pixel size per sample: each sample as if alone
    lr2, g2 = _inputs(b=2)
    both = model.predict_lst(lr2, g2, pixel_size=[30.0, 10.0])
    one = model.predict_lst(lr2[1:], g2[1:], pixel_size=10.0)
    torch.testing.assert_close(both[1:], one, rtol=0, atol=1e-4)


def test_hard_projection_aggregates_to_the_lr():
    model = _model(consistency='hard')
    _randomise_output_layer(model)
    lr, g = _inputs()
    mask = torch.rand(lr.shape, generator=torch.Generator().manual_seed(3)) > 0.2
    pred = model.predict_lst(lr, g, lr_mask=mask, pixel_size=30.0)
    assert (block_mean(pred, 4) - lr)[mask].abs().max() < 1e-4


def _samples(lr, kind, mask=None):
    out = []
    for i in range(lr.shape[0]):
        s = LSTDataSample(metainfo=dict(sample_kind=kind, hr_pixel_size=30.0))
        s.gt_lst = lr[i]
        s.gt_mask = torch.ones_like(lr[i], dtype=torch.bool) if mask is None else mask[i]
        s.lr_mask = s.gt_mask.clone()
        out.append(s)
    return out


def test_modes():
    model = _model()
    _randomise_output_layer(model)
    lr, g = _inputs()
    inputs = dict(lr=lr, guidance=g)
    mask = torch.ones_like(lr, dtype=torch.bool)
    mask[0, 0, :4, :4] = False  # one LR' pixel empty: its 16 pixels are not scored
    losses = model(inputs, _samples(lr, 'native_wald', mask), mode='loss')
    pred_c, scored = model.coarse_level(lr, mask, g)
    assert abs(float(losses['loss']) - float((pred_c - lr)[scored].square().mean())) < 1e-4
    out = model(inputs, _samples(lr, 'native_wald', mask), mode='predict')
    assert out[0].pred_lst.shape == (1, 8, 12)
    assert int(torch.isnan(out[0].pred_lst).sum()) == 16
    fine = model(inputs, _samples(lr, 'reconstruction'), mode='predict')
    assert fine[0].pred_lst.shape == (1, 32, 48)
    tensor = model(inputs, _samples(lr, 'reconstruction'), mode='tensor')
    torch.testing.assert_close(tensor[0], fine[0].pred_lst)
    with pytest.raises(ValueError, match="sample_kind 'native_wald' only"):
        model(inputs, _samples(lr, 'consistency'), mode='loss')
    with pytest.raises(ValueError, match="Unknown mode 'x'"):
        model(inputs, _samples(lr, 'native_wald'), mode='x')


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match='min_valid_fraction'):
        _model(min_valid_fraction=0.0)
    with pytest.raises(ValueError, match='consistency must be one of'):
        _model(consistency='soft')
    with pytest.raises(ValueError, match='band_limit takes factor and max_m'):
        _model(band_limit=dict(sigma=2))
    model = _model(band_limit=None)
    lr, g = _inputs()
    with pytest.raises(ValueError, match='Guidance has 3 bands but GuidedDetailDownscaler '
                                         'expects 2'):
        model.predict_lst(lr, torch.zeros(2, 3, 32, 48))
    with pytest.raises(ValueError, match='needs HR guidance'):
        model.predict_lst(lr, None)
    with pytest.raises(ValueError, match='multiples of 4 coarse pixels'):
        model.coarse_level(lr[..., :6, :], torch.ones(2, 1, 6, 12, dtype=torch.bool),
                           g[..., :24, :])
    assert math.isclose(float(model.lst_mean), 300.0)
