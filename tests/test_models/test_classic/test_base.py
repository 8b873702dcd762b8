"""The per-scene sharpeners' shared behaviour (groklst.models.classic.base): masked LR pixels
are ignored and no NaN comes out; guidance band names come from the metainfo; bad inputs and
options are named."""
import pytest
import torch

from groklst.models.classic.distrad import DisTrad
from groklst.models.classic.dms import DMS
from groklst.models.classic.tsharp import TsHARP
from groklst.models.layers.resample import block_mean
from groklst.structures import LSTDataSample

S = 4


def scene(seed: int = 0, h: int = 8, w: int = 8, k: int = 3):
    """Guidance (1, k+1, S·h, S·w): k reflectance-like bands then NDVI in [0.05, 0.85] (last)."""
    gen = torch.Generator().manual_seed(seed)
    ndvi = 0.05 + 0.8 * torch.rand(1, 1, S * h, S * w, generator=gen, dtype=torch.float64)
    refl = 0.05 + 0.3 * torch.rand(1, k, S * h, S * w, generator=gen, dtype=torch.float64)
    return torch.cat([refl, ndvi], 1), ndvi


def test_masked_lr_pixels_are_ignored_and_nan_safe():
    g, ndvi = scene(3)
    hr = 305.0 - 10.0 * ndvi
    lr = block_mean(hr, S)
    mask = torch.ones_like(lr, dtype=torch.bool)
    mask[..., 2, 3] = False
    mask[..., 5, :2] = False
    bad = lr.clone()
    bad[..., 2, 3] = float('nan')  # not finite and masked
    bad[..., 5, :2] = 1000.0       # finite garbage, masked
    model = TsHARP(scale=S, ndvi_band=3, predictor='ndvi')
    coef = model.fit(bad, g, mask)
    assert torch.allclose(coef, torch.tensor([[305.0, -10.0]], dtype=torch.float64), atol=1e-6)
    out = model.sharpen(bad, g, mask)
    assert torch.isfinite(out).all()
    # Masked blocks get the regression without residual: here the exact LST.
    assert (out - hr).abs().max() < 0.01
    # The DMS ignores them too and stays finite; unmasked blocks average back to the LR LST.
    dms = DMS(scale=S, regressor='tree', window_size=0, min_samples=10, min_samples_leaf=2)
    out = dms.sharpen(bad.float(), g.float(), mask)
    assert torch.isfinite(out).all()
    err = (block_mean(out.double(), S) - lr).abs()
    assert err[mask].max() < 0.01
    # Non-finite guidance: its HR pixels get the LR LST of their block, no NaN anywhere.
    g_nan = g.clone()
    g_nan[..., 0, 0] = float('nan')
    out = TsHARP(scale=S, ndvi_band=3).sharpen(lr, g_nan)
    assert torch.isfinite(out).all() and out[0, 0, 0, 0] == lr[0, 0, 0, 0]


def test_band_names_from_metainfo_and_errors():
    g, ndvi = scene(5)
    hr = 300.0 - 5.0 * ndvi
    lr = block_mean(hr, S).float()
    bands = ['b1', 'b2', 'b3', 'ndvi']
    samples = [LSTDataSample(metainfo=dict(guidance_bands=bands, scale=S))]
    model = TsHARP(scale=S, predictor='ndvi')  # NDVI looked up by name in the metainfo
    out = model(dict(lr=lr, guidance=g.float()), samples, mode='predict')
    assert (out[0].pred_lst.double() - hr[0]).abs().max() < 0.01
    with pytest.raises(ValueError, match='band names are unknown'):
        model(dict(lr=lr, guidance=g.float()), mode='tensor')
    with pytest.raises(ValueError, match="no guidance band 'ndvi'"):
        TsHARP(scale=S, guidance_bands=['a', 'b', 'c', 'd']).sharpen(lr, g.float())
    with pytest.raises(ValueError, match='configured for guidance bands'):
        TsHARP(scale=S, guidance_bands=['x', 'b2', 'b3', 'ndvi'])(
            dict(lr=lr, guidance=g.float()), samples, mode='predict')
    with pytest.raises(ValueError, match='looks normalized'):
        TsHARP(scale=S, ndvi_band=3).sharpen(lr, (g.float() - 0.5) * 10)
    with pytest.raises(ValueError, match='Guidance is'):
        TsHARP(scale=S, ndvi_band=3)(dict(lr=lr, guidance=g[..., :16].float()), mode='tensor')
    with pytest.raises(RuntimeError, match='nothing to train'):
        DMS(scale=S)(dict(lr=lr, guidance=g.float()), samples, mode='loss')
    with pytest.raises(ValueError, match='residual'):
        DisTrad(scale=S, residual='cubic')
    with pytest.raises(ValueError, match='regressor'):
        DMS(scale=S, regressor='forest')
