"""TsHARP (Agam et al., RSE 2007; groklst.models.classic.tsharp): the block helpers by hand,
the linear NDVI and fractional-cover regressions and the residual correction, on synthetic
scenes with known LST-guidance relations."""
import pytest
import torch
import torch.nn.functional as F

from groklst.models.classic.tsharp import TsHARP, block_cv, fractional_cover, select_homogeneous
from groklst.models.layers.resample import block_mean, interpolate_lr

S = 4


def scene(seed: int = 0, h: int = 8, w: int = 8, k: int = 3):
    """Guidance (1, k+1, S·h, S·w): k reflectance-like bands then NDVI in [0.05, 0.85] (last)."""
    gen = torch.Generator().manual_seed(seed)
    ndvi = 0.05 + 0.8 * torch.rand(1, 1, S * h, S * w, generator=gen, dtype=torch.float64)
    refl = 0.05 + 0.3 * torch.rand(1, k, S * h, S * w, generator=gen, dtype=torch.float64)
    return torch.cat([refl, ndvi], 1), ndvi


def test_block_helpers_hand_values():
    x = torch.tensor([[1., 3., 5., 5.], [1., 3., 5., 5.]]).view(1, 1, 2, 4)
    assert block_mean(x, 2).flatten().tolist() == [2.0, 5.0]
    cv = block_cv(x, 2).flatten()
    assert cv[0].item() == pytest.approx(0.5) and cv[1].item() == 0.0  # std 1 / mean 2
    up = interpolate_lr(torch.tensor([[[[1., 2.]]]]), 2, 'nearest')
    assert up.flatten().tolist() == [1, 1, 2, 2, 1, 1, 2, 2]
    sel = select_homogeneous(torch.tensor([True, True, False, True]),
                             torch.tensor([0.3, 0.1, 0.0, 0.2]), 0.5)
    assert sel.tolist() == [False, True, False, True]  # ceil(0.5 · 3) = 2 lowest valid CVs
    # f = 1 − (1 − NDVI)^0.625: 0 → 0, 1 → 1, 0.5 → 1 − 0.5^0.625
    fc = fractional_cover(torch.tensor([0.0, 1.0, 0.5]))
    assert torch.allclose(fc, torch.tensor([0.0, 1.0, 1 - 0.5 ** 0.625]))


def test_tsharp_recovers_linear_ndvi_lst():
    g, ndvi = scene()
    hr = 315.0 - 18.0 * ndvi
    lr = block_mean(hr, S)
    model = TsHARP(scale=S, ndvi_band=3, predictor='ndvi')
    out = model(dict(lr=lr.float(), guidance=g.float()), mode='tensor')
    assert out.shape == (1, 1, 32, 32) and out.dtype == torch.float32
    assert (out.double() - hr).abs().max() < 0.01
    coef = model.fit(lr, g)
    assert torch.allclose(coef, torch.tensor([[315.0, -18.0]], dtype=torch.float64), atol=1e-6)
    # bicubic interpolation alone is far off: the test can fail
    assert (F.interpolate(lr, scale_factor=S, mode='bicubic') - hr).abs().max() > 1.0


def test_tsharp_fractional_cover_and_residual_correction():
    g, ndvi = scene(1)
    hr = 310.0 - 12.0 * fractional_cover(ndvi) + 0.5 * torch.sin(ndvi * 20)
    lr = block_mean(hr, S)
    model = TsHARP(scale=S, ndvi_band=3)  # paper defaults: fc, nearest residual
    out = model.sharpen(lr, g).double()
    # The nearest residual makes the HR blocks average back to LST_LR up to b · (mean f(NDVI)
    # − f(mean NDVI)), the curvature of fc within a block (exact for a linear basis).
    b = model.fit(lr, g)[0, 1]
    f = fractional_cover
    gap = b * (block_mean(f(ndvi), S) - f(block_mean(ndvi, S)))
    assert (block_mean(out, S) - lr - gap).abs().max() < 1e-9
    assert gap.abs().max() > 0.05  # the check above is not trivially 0 = 0
    nearest = interpolate_lr(lr, S, 'nearest')
    assert (out - hr).pow(2).mean().sqrt() < 0.5 * (nearest - hr).pow(2).mean().sqrt()
