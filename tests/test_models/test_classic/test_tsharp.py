"""Classical thermal sharpeners (TsHARP, DisTrad, DMS), the model list and the zoo benchmark.

Synthetic scenes with known LST-guidance relations check the regressions against hand values;
``groklst.apis.test`` (``tools/test.py``) runs a classic config on the Landsat-8 demo without a
checkpoint.
"""
import json
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from groklst.models.classic.distrad import DisTrad
from groklst.models.classic.dms import DMS
from groklst.models.classic.tsharp import TsHARP, block_cv, fractional_cover, select_homogeneous
from groklst.models.layers.resample import block_mean, interpolate_lr
from groklst.structures import LSTDataSample
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

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


def test_dms_block_average_and_reproducible():
    # Guidance constant over 2 x 2 HR pixels: LR block means span the range of the HR values.
    gen = torch.Generator().manual_seed(4)
    g = interpolate_lr(0.05 + 0.8 * torch.rand(1, 4, 32, 32, generator=gen, dtype=torch.float64),
                       2, 'nearest')
    ndvi = g[:, 3:]
    hr = 300.0 + 30.0 * g[:, :1] - 8.0 * ndvi ** 2 + 2.0 * (g[:, 1:2] > 0.4).double()
    lr = block_mean(hr, S)
    model = DMS(scale=S, n_estimators=4, window_size=8, min_samples=20)
    out = model.sharpen(lr.float(), g.float())
    assert out.shape == (1, 1, 64, 64)
    assert (block_mean(out.double(), S) - lr).abs().max() < 0.01
    out2 = DMS(scale=S, n_estimators=4, window_size=8, min_samples=20).sharpen(
        lr.float(), g.float())
    assert torch.equal(out, out2)  # fixed random_state
    rmse = (out.double() - hr).pow(2).mean().sqrt()
    rmse_bicubic = (F.interpolate(lr, scale_factor=S, mode='bicubic') - hr).pow(2).mean().sqrt()
    assert rmse < 0.5 * rmse_bicubic  # 2.7 K vs 6.4 K
    # Without redistribution the trees alone do not conserve the block means.
    raw = DMS(scale=S, n_estimators=4, window_size=8, min_samples=20, residual='none').sharpen(
        lr.float(), g.float())
    assert (block_mean(raw.double(), S) - lr).abs().max() > 0.01


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


@pytest.mark.parametrize('method', ['tsharp', 'distrad', 'dms'])
@pytest.mark.parametrize('dataset', ['landsat8-demo', 'groklst'])
def test_classic_configs_scale_and_raw_guidance(method, dataset):
    from mmengine.config import Config

    from groklst.registry import MODELS
    for s in (2, 4, 8):
        cfg = Config.fromfile(osp.join(ROOT, f'configs/classic/{method}_x{s}_{dataset}.py'))
        ds = cfg.test_dataloader.dataset
        assert cfg.model.scale == ds.scale == s
        assert [t['type'] for t in ds.pipeline] == ['LoadLSTSample', 'PackLSTInputs']
        model = MODELS.build(cfg.model)
        assert model.guidance_bands == list(ds.guidance_bands) and model.scale == s
        if method == 'dms':
            assert model.window_size * s == 64


def test_api_test_runs_classic_config_without_checkpoint(tmp_path):
    if not osp.isfile(osp.join(ROOT, 'data/landsat8_demo/splits.json')):
        pytest.skip('Landsat-8 demo not built (python tools/dataset_converters/landsat8_demo.py)')
    from groklst.apis import runner
    out = tmp_path / 'metrics.json'
    runner.test(osp.join(ROOT, 'configs/classic/tsharp_x4_landsat8-demo.py'), out=str(out),
                work_dir=str(tmp_path / 'wd'))
    metrics = json.loads(out.read_text())
    assert metrics['n_images'] == 8
    assert 0.2 < metrics['RMSE'] < 3.0 and abs(metrics['BIAS']) < 1.0


def test_list_models_shows_classical_sharpeners():
    from groklst.models import catalog
    rows = {r['name']: r for r in catalog.list_models('classic')}
    for name in ('bicubic', 'TsHARP', 'DisTrad', 'DMS'):
        assert rows[name]['kind'] == 'classic' and rows[name]['scales'] == [2, 4, 8]
    assert rows['TsHARP']['params_x4'] == 0 and 'Agam' in rows['TsHARP']['paper']
    assert all(r['kind'] == 'classic' for r in rows.values())

    class NeedsK(torch.nn.Module):  # a guided generator whose K has no default
        def __init__(self, scale, guidance_channels):
            super().__init__()
            self.conv = torch.nn.Conv2d(guidance_channels, 1, 1)  # 10 · 1 + 1 parameters

    assert catalog.count_params(NeedsK, 4) == catalog.DEFAULT_GUIDANCE_CHANNELS + 1


def test_benchmark_zoo_gisr_suite():
    from groklst.analysis import zoo_benchmark as benchmark_zoo
    configs = benchmark_zoo.suite_configs('gisr')
    assert configs[:4] == ['configs/classic/bicubic_x4_landsat8-demo.py',
                           'configs/classic/tsharp_x4_landsat8-demo.py',
                           'configs/classic/distrad_x4_landsat8-demo.py',
                           'configs/classic/dms_x4_landsat8-demo.py']
    assert 'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py' in configs
    assert not any(c.startswith('configs/sisr/') for c in configs)
    assert benchmark_zoo.per_scene_model('configs/classic/dms_x4_landsat8-demo.py') == 'DMS'
    assert benchmark_zoo.per_scene_model(
        'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py') is None
    sisr = benchmark_zoo.suite_configs('sisr')
    assert sisr[:2] == benchmark_zoo.CLASSIC
    assert all(c.startswith('configs/sisr/') for c in sisr[2:])
    assert benchmark_zoo.SUITES['gisr']['out'] == 'docs/benchmarks/gisr_x4_landsat8-demo.md'
