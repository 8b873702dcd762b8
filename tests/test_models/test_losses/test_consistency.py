"""Aggregation-consistency loss: values by hand, radiance space, masks, gradients, errors."""
import pytest
import torch

from groklst.models.losses import AggregationConsistencyLoss, aggregate_lst


def test_temperature_aggregation_is_the_block_mean_and_loss_matches_hand_value():
    # one 2 x 2 coarse grid at s = 2: fine blocks with known means
    pred = torch.tensor([[300., 302., 290., 290.],
                         [304., 306., 290., 294.],
                         [280., 280., 310., 310.],
                         [280., 280., 310., 314.]])[None, None]
    coarse = torch.tensor([[303., 291.], [282., 311.]])[None, None]
    agg = aggregate_lst(pred, 2)
    assert torch.allclose(agg, torch.tensor([[303., 291.], [280., 311.]])[None, None])
    loss = AggregationConsistencyLoss(loss_weight=0.5)
    # |303-303| + |291-291| + |280-282| + |311-311| = 2 over 4 pixels -> 0.5, x 0.5
    assert loss(pred, coarse).item() == pytest.approx(0.25)
    mask = torch.tensor([[True, True], [False, True]])[None, None]
    assert loss(pred, coarse, mask).item() == pytest.approx(0.0)


def test_radiance_aggregation_is_the_fourth_power_mean():
    pred = torch.tensor([[290., 310.], [300., 300.]])[None, None]
    want = ((290. ** 4 + 310. ** 4 + 2 * 300. ** 4) / 4) ** 0.25
    got = aggregate_lst(pred, 2, 'radiance').item()
    assert got == pytest.approx(want, abs=1e-3)
    # warmer than the block mean by about 1.5 sigma^2 / T: sigma^2 = 50 K^2 -> 0.25 K
    assert got - 300.0 == pytest.approx(1.5 * 50 / 300, abs=0.02)
    assert aggregate_lst(torch.full((1, 1, 4, 4), 301.5), 2, 'radiance') \
        .sub(301.5).abs().max().item() < 1e-3


def test_loss_gradient_and_charbonnier_inner_loss():
    pred = torch.full((1, 1, 4, 4), 300.0, requires_grad=True)
    coarse = torch.full((1, 1, 2, 2), 301.0)
    loss = AggregationConsistencyLoss(pixel_loss=dict(type='MaskedCharbonnierLoss', eps=1e-3))
    value = loss(pred, coarse)
    value.backward()
    assert value.item() == pytest.approx(1.0, abs=1e-5)
    # d/dpred of mean_j |mean_block - 301| = -1/4 (block) x 1/4 (coarse pixels)
    assert torch.allclose(pred.grad, torch.full_like(pred, -1 / 16), atol=1e-6)


def test_bad_space_and_shapes_raise():
    with pytest.raises(ValueError, match='space'):
        AggregationConsistencyLoss(space='kelvin')
    with pytest.raises(ValueError, match='s times'):
        AggregationConsistencyLoss()(torch.zeros(1, 1, 6, 8), torch.zeros(1, 1, 2, 2))
