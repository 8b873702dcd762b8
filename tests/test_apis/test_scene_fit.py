"""Per-scene sharpeners' scene-level fit (groklst.apis.scene_fit): a seeded, bounded sample of
the scene, the full fit on small scenes, tiling exact with one scene-level regression, and the
band names a sharpener needs."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from groklst.apis import downscale_geotiff, downscale_scene, init_downscaler
from groklst.apis.scene_fit import fit_sharpener_on_scene, sample_scene
from groklst.fileio.raster import read_raster
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import BANDS, _ndvi_scene, _write_inputs

register_all_modules()


def _tsharp(guidance_bands=BANDS, **kw):
    return init_downscaler(Config(dict(model=dict(type='TsHARP', scale=4,
                                                  guidance_bands=guidance_bands, **kw))))


def test_sampled_fit_is_seeded_bounded_and_the_full_fit_on_small_scenes():
    lr, g = _ndvi_scene(160, 192, seed=6)
    lr[3:6, 7:9] = np.nan
    lr[20, 4] = 100.0  # outside the valid range
    g[2, 40:44, 8:12] = np.nan  # one LR block without NDVI
    model = _tsharp()

    def read_lr(a, b, c, d):
        return lr[a:b, c:d]

    def read_g(a, b, c, d, bands=None):
        return g[list(bands) if bands is not None else slice(None), a:b, c:d]

    n_valid = int((np.isfinite(lr) & (lr >= 200) & (lr <= 360)).sum())
    full = fit_sharpener_on_scene(model, read_lr, read_g, lr.shape, 4, (200, 360), 3, BANDS,
                                  max_samples=n_valid)
    assert full['n'] == n_valid and 'all' in full['description']
    mask = torch.from_numpy(np.isfinite(lr) & (lr >= 200) & (lr <= 360))[None, None]
    whole = model.fit_scene(torch.from_numpy(lr)[None, None], torch.from_numpy(g[2:3])[None],
                            mask)
    # the same fit up to float64 rounding (the LAPACK solve's summation order may differ with
    # the thread count and the layout of the gathered samples)
    torch.testing.assert_close(full['state'], whole, rtol=1e-10, atol=1e-9)
    assert 300 < float(whole[0]) < 320 and float(whole[1]) < -5  # LST falls with cover

    a = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=1)
    b = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=1)
    c = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=2)
    assert a['sampled'] and a['lr'].shape == (1, 1, 1, 500) and a['guidance'].shape == \
        (1, 1, 4, 2000)
    np.testing.assert_array_equal(a['positions'], b['positions'])
    assert not np.array_equal(a['positions'], c['positions'])
    assert np.all(np.diff(a['positions']) > 0)
    i = a['positions'][123]
    y, x = divmod(int(i), lr.shape[1])
    assert a['lr'][0, 0, 0, 123] == lr[y, x]
    np.testing.assert_array_equal(a['guidance'][0, 0, :, 123 * 4:124 * 4],
                                  g[2, 4 * y:4 * y + 4, 4 * x:4 * x + 4])
    sampled = fit_sharpener_on_scene(model, read_lr, read_g, lr.shape, 4, (200, 360), 3,
                                     BANDS, max_samples=500, seed=1)
    assert sampled['n'] == 500 and 'random sample of 500' in sampled['description']
    np.testing.assert_allclose(sampled['state'].numpy(), whole.numpy(), rtol=0.05)


def test_tsharp_scene_fit_makes_tiling_exact_and_dms_global_model_scene_wide():
    """With one scene-level regression, tiled TsHARP equals TsHARP on the whole scene in one
    piece whatever the tile size, up to float32 rounding of the blend (1 ulp at 300 K); a fit
    per 64-px tile (the old scene path) is off by far more. DMS's global model is the one
    fitted on the whole scene."""
    lr, g = _ndvi_scene(192, 256, seed=7)
    model = _tsharp()

    def one_piece(m, lr_, g_):
        return m(dict(lr=torch.from_numpy(np.ascontiguousarray(lr_))[None, None],
                      guidance=torch.from_numpy(np.ascontiguousarray(g_))[None]),
                 mode='tensor')[0, 0].numpy()

    whole = one_piece(model, lr, g)
    for tile, overlap in ((64, 16), (128, 32)):
        tiled = downscale_scene(model, lr, g, tile=tile, overlap=overlap, progress=False)
        np.testing.assert_allclose(tiled, whole, rtol=0, atol=6.2e-5)
    per_tile = one_piece(model, lr[:16, :16], g[:, :64, :64])
    assert np.abs(per_tile - whole[:64, :64]).max() > 0.05
    dms = init_downscaler(Config(dict(model=dict(type='DMS', scale=4, guidance_bands=BANDS,
                                                 window_size=0, regressor='tree'))))
    whole = one_piece(dms, lr, g)
    tiled = downscale_scene(dms, lr, g, tile=64, overlap=16, progress=False)
    np.testing.assert_allclose(tiled, whole, rtol=0, atol=6.2e-5)


def test_sharpener_without_band_names_uses_the_stated_ones(tmp_path):
    lr, g = _ndvi_scene(96, 128, seed=8)
    lr_path, g_path = _write_inputs(str(tmp_path), lr, g, descriptions=None)
    model = _tsharp(guidance_bands=None)
    with pytest.raises(ValueError, match='band names are unknown'):
        downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'o.tif'), progress=False,
                          log=lambda m: None)
    assert not osp.exists(tmp_path / 'o.tif')
    downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'o.tif'), progress=False,
                      guidance_bands=BANDS, log=lambda m: None)
    expect = _tsharp()(dict(lr=torch.from_numpy(lr)[None, None],
                            guidance=torch.from_numpy(g)[None]), mode='tensor')[0, 0].numpy()
    np.testing.assert_array_equal(read_raster(str(tmp_path / 'o.tif'))[0][0], expect)
