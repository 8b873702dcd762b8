"""The coarse sensor's footprint (box ⊗ Gaussian), the Gaussian band limit and in-graph filling
(groklst.models.layers.footprint)."""
import math

import pytest
import torch

from groklst.models.layers.footprint import (SensorFootprint, fill_from_neighbours,
                                             footprint_weights_1d, gaussian_blur,
                                             softplus_inverse)
from groklst.models.layers.resample import block_mean


def test_weights_by_hand():
    # tiny sigma: the s x s box inside the support, nothing outside
    w = footprint_weights_1d(4, torch.tensor(1e-4), 1)
    assert w.shape == (12,)
    torch.testing.assert_close(w, torch.tensor([0.] * 4 + [0.25] * 4 + [0.] * 4))
    # sigma 0.5 coarse px at s = 2: sd 1 fine px; the centre pixel (d = ±0.5) integrates the
    # normal over (d - 1, d + 1): Φ(1.5) − Φ(−0.5) before normalisation
    w = footprint_weights_1d(2, torch.tensor(0.5), 2)
    phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    raw = [phi(d + 1) - phi(d - 1) for d in (-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5,
                                             4.5)]
    expect = torch.tensor(raw) / sum(raw)
    torch.testing.assert_close(w, expect.float(), atol=1e-6, rtol=0)
    assert abs(float(w.sum()) - 1) < 1e-6 and torch.allclose(w, w.flip(0))


def test_box_footprint_is_the_block_mean_and_constants_are_kept():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16, 20)
    fp = SensorFootprint(4, sigma=1e-3, learn=False)
    y, frac = fp(x)
    torch.testing.assert_close(y, block_mean(x, 4), atol=1e-5, rtol=0)
    assert y.shape == (2, 3, 4, 5) and torch.allclose(frac, torch.ones_like(frac))
    wide = SensorFootprint(4, sigma=0.9)
    c, _ = wide(torch.full((1, 1, 16, 16), 300.0))
    torch.testing.assert_close(c, torch.full((1, 1, 4, 4), 300.0))  # renormalised at edges
    assert wide.radius() == math.ceil(3 * 0.9 + 0.5)


def test_masked_pixels_carry_no_weight():
    x = torch.zeros(1, 1, 8, 8)
    x[..., :4, :] = 10.0
    mask = torch.ones(1, 1, 8, 8, dtype=torch.bool)
    mask[..., :4, :] = False
    x_bad = torch.where(mask, x, torch.full_like(x, 1e6))
    y, frac = SensorFootprint(4, sigma=0.5, learn=False)(x_bad, mask)
    assert torch.allclose(y, torch.zeros_like(y))  # only the valid zeros were averaged
    # the valid weight fraction: out-of-image and masked pixels both count as missing
    _, full = SensorFootprint(4, sigma=0.5, learn=False)(x_bad)
    assert full.min() > 0.6 and full.max() <= 1.0 + 1e-6
    assert float(frac[0, 0, 0].max()) < 0.2 < 0.45 < float(frac[0, 0, 1].min())
    assert torch.all(frac < full + 1e-6)


def test_sigma_is_a_parameter_with_gradient_and_stays_positive():
    fp = SensorFootprint(4, sigma=0.3)
    assert isinstance(fp.raw_sigma, torch.nn.Parameter)
    assert abs(float(fp.sigma.detach()) - 0.3) < 1e-6
    torch.manual_seed(0)
    x = torch.randn(1, 1, 16, 16)
    y, _ = fp(x)
    y.square().sum().backward()
    assert fp.raw_sigma.grad is not None and fp.raw_sigma.grad.abs() > 0
    assert 'raw_sigma' in SensorFootprint(4, 0.3, learn=False).state_dict()
    assert abs(softplus_inverse(2.0) - math.log(math.expm1(2.0))) < 1e-9


def test_footprint_errors():
    with pytest.raises(ValueError, match='sigma must be > 0'):
        SensorFootprint(4, sigma=0.0)
    with pytest.raises(ValueError, match=r'multiples of 4, found \(1, 1, 6, 8\)'):
        SensorFootprint(4)(torch.zeros(1, 1, 6, 8))
    with pytest.raises(ValueError, match='mask'):
        SensorFootprint(4)(torch.zeros(2, 1, 8, 8), torch.ones(1, 1, 8, 8, dtype=torch.bool))


def test_gaussian_blur():
    x = torch.full((1, 2, 9, 9), 5.0)
    assert torch.allclose(gaussian_blur(x, 2.0), x)
    torch.manual_seed(0)
    z = torch.randn(1, 1, 9, 9)
    assert gaussian_blur(z, 0.0) is z
    y = gaussian_blur(z, 1.5)
    assert y.shape == z.shape and float(y.std()) < float(z.std())
    imp = torch.zeros(1, 1, 21, 21)
    imp[..., 10, 10] = 1.0
    b = gaussian_blur(imp, 2.0)
    assert abs(float(b.sum()) - 1) < 1e-5 and torch.allclose(b, b.transpose(-1, -2))


def test_fill_from_neighbours():
    x = torch.tensor([[[[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]]])
    mask = torch.ones_like(x, dtype=torch.bool)
    mask[..., 1, 1] = False
    mask[..., 0, 0] = False
    y = fill_from_neighbours(x, mask)
    assert torch.equal(y[mask], x[mask])
    # (1, 1): mean of its 7 valid neighbours; (0, 0): mean of (0, 1) and (1, 0)
    assert abs(float(y[0, 0, 1, 1]) - (2 + 3 + 4 + 6 + 7 + 8 + 9) / 7) < 1e-6
    assert abs(float(y[0, 0, 0, 0]) - 3.0) < 1e-6
    none = fill_from_neighbours(x, torch.zeros_like(mask))
    assert torch.equal(none, torch.zeros_like(x))
    assert x[0, 0, 1, 1] == 5.0  # input untouched
