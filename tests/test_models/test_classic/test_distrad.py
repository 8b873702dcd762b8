"""DisTrad (Kustas et al., RSE 2003; groklst.models.classic.distrad): the quadratic NDVI
regression fitted on homogeneous LR pixels, and its residual correction by hand."""
import torch

from groklst.models.classic.distrad import DisTrad
from groklst.models.layers.resample import block_mean, interpolate_lr

S = 4


def test_distrad_recovers_quadratic_on_homogeneous_pixels():
    # Half of the LR pixels are uniform blocks (CV 0): there LST_LR = q(NDVI_LR) exactly; the
    # other half mixes NDVI within the block, so q(mean NDVI) ≠ mean q(NDVI) there.
    gen = torch.Generator().manual_seed(2)
    lr_ndvi = 0.1 + 0.8 * torch.rand(1, 1, 8, 8, generator=gen, dtype=torch.float64)
    ndvi = interpolate_lr(lr_ndvi, S, 'nearest')
    mixed = torch.rand(1, 1, 8, 8, generator=gen) < 0.5
    noise = 0.2 * (torch.rand(1, 1, 32, 32, generator=gen, dtype=torch.float64) - 0.5)
    ndvi = torch.where(interpolate_lr(mixed, S, 'nearest'), ndvi + noise, ndvi)
    q = lambda n: 300.0 + 25.0 * n - 40.0 * n * n  # noqa: E731
    hr = q(ndvi)
    lr = block_mean(hr, S)
    g = torch.cat([torch.rand(1, 2, 32, 32, dtype=torch.float64), ndvi], 1)
    model = DisTrad(scale=S, ndvi_band=2, homogeneous_fraction=0.3, residual='none')
    coef = model.fit(lr, g)
    assert torch.allclose(coef, torch.tensor([[300.0, 25.0, -40.0]], dtype=torch.float64),
                          atol=1e-6)
    assert (model.sharpen(lr, g) - hr).abs().max() < 0.01
    # With every pixel in the fit the mixed blocks bias the quadratic.
    biased = DisTrad(scale=S, ndvi_band=2, homogeneous_fraction=1.0).fit(lr, g)
    assert (biased - coef).abs().max() > 0.05
    # Residual correction by hand: q(NDVI_HR) + nearest(LST_LR − q(NDVI_LR)); it is 0 on the
    # uniform blocks (exact there) and the Jensen gap of q on the mixed ones.
    out = DisTrad(scale=S, ndvi_band=2, homogeneous_fraction=0.3).sharpen(lr, g)
    residual = lr - q(block_mean(ndvi, S))
    assert (out - hr - interpolate_lr(residual, S, 'nearest')).abs().max() < 1e-9
    assert residual[~mixed].abs().max() < 1e-9 and residual[mixed].abs().max() > 0.05
