"""fit_scenes end to end on two small synthetic scenes (UTM + LAEA, NaN + declared nodata,
lattices offset by whole fine pixels): georeferenced outputs, no fine LST read, --checkpoint
reuse, classical sharpeners, the hard projection on whole scenes, bad inputs before training."""
import glob
import os
import os.path as osp

import numpy as np
import pytest

from groklst.apis import SceneCheckError, fit_scenes
from groklst.fileio.raster import read_raster, write_raster

from ..fixtures.make_coarse_scenes import make_scene, spy_rasterio_open as _spy_open, write_csv

#: Tiny crops and held-out blocks for scenes of ~20 x 22 coarse pixels, batches of 2.
TINY = {'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.crop_size': 16, 'train_dataloader.dataset.val_block_size': 8,
        'val_dataloader.dataset.crop_size': 16, 'val_dataloader.dataset.val_block_size': 8}
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The scale-invariance recipe (a zoo GISR generator through the Downscaler, two sample kinds).
FDSR = osp.join(ROOT, 'configs/selfsup/fdsr/fdsr_x4_1xb8-800it_coarse-scenes-ndvi.py')


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scenes'))
    a = make_scene(root, 'utm33', 4, (20, 22), (1, 3), 'EPSG:32633', bands=('ndvi',))
    b = make_scene(root, 'laea', 4, (18, 24), (2, 0), 'EPSG:3035',
                   origin=(4321000.0, 3210000.0), nodata=-9999.0, bands=('ndvi',), seed=1)
    return dict(root=root, csv=write_csv(root, [a['row'], b['row']]), a=a, b=b)


def test_fit_scenes_trains_selects_and_writes_georeferenced_outputs(scenes, tmp_path,
                                                                     monkeypatch):
    opened = _spy_open(monkeypatch)
    work, out = tmp_path / 'work', tmp_path / 'out'
    res = fit_scenes(scenes['csv'], str(work), str(out), config=FDSR, iters=2,
                     cfg_options=TINY, progress=False, log=lambda *a: None)
    # the fine reference LST of the scenes is never opened, by training or by inference
    refs = {osp.abspath(scenes[k]['reference']) for k in ('a', 'b')}
    assert not refs & set(opened)
    assert osp.isfile(res['stats_file']) and osp.isfile(res['config_file'])
    assert osp.basename(res['checkpoint']).startswith('best_RMSE_iter_')
    assert set(res['seconds']) >= {'check', 'stats', 'train', 'downscale', 'total'}
    assert sorted(os.listdir(out)) == ['laea.tif', 'utm33.tif']  # nothing else left behind
    for sid, key in (('utm33', 'a'), ('laea', 'b')):
        pred, prof = read_raster(str(out / f'{sid}.tif'))
        _, gprof = read_raster(osp.join(scenes['root'], 'guidance', f'{sid}.tif'))
        assert prof['crs'] == gprof['crs'] and prof['transform'] == gprof['transform']
        assert pred.shape[1:] == (gprof['height'], gprof['width'])
        assert prof['units'] == ('K',) and np.isnan(prof['nodata'])
        ok = np.isfinite(pred[0])
        assert 0.8 < ok.mean() < 1.0  # the coarse hole is no data in the output
        assert 280 < np.nanmean(pred) < 320
    # apply the fitted model again (no training), to a new output folder and work dir
    again = fit_scenes(scenes['csv'], str(tmp_path / 'work2'), str(tmp_path / 'out2'),
                       config=FDSR, checkpoint=res['checkpoint'], cfg_options=TINY,
                       progress=False,
                       log=lambda *a: None)
    assert again['checkpoint'] == res['checkpoint']
    assert not glob.glob(str(tmp_path / 'work2' / '*.pth'))
    a1, _ = read_raster(str(out / 'utm33.tif'))
    a2, _ = read_raster(str(tmp_path / 'out2' / 'utm33.tif'))
    np.testing.assert_allclose(a1, a2, atol=1e-4)


def test_classical_sharpener_and_hard_projection_through_the_same_command(scenes, tmp_path):
    # a fully cloudy scene is no error: its output is all no data on its guidance grid
    cloudy = make_scene(scenes['root'], 'cloudy', 4, (8, 8), (0, 1), bands=('ndvi',))
    path = osp.join(scenes['root'], cloudy['row'][1])
    arr, prof = read_raster(path)
    write_raster(path, np.full_like(arr, np.nan), prof['crs'], prof['transform'],
                 nodata=float('nan'))
    csv = write_csv(scenes['root'], [scenes['a']['row'], cloudy['row']], 'cloudy.csv')
    cfg = osp.join(ROOT, 'configs/selfsup/classic/tsharp_x4_coarse-scenes-ndvi.py')
    res = fit_scenes(csv, str(tmp_path / 'w'), str(tmp_path / 'ts'), config=cfg,
                     progress=False, log=lambda *a: None)
    assert res['checkpoint'] is None and 'train' in res['seconds']
    assert not glob.glob(str(tmp_path / 'w' / '*.pth'))
    empty, eprof = read_raster(res['outputs']['cloudy'])
    _, gprof = read_raster(osp.join(scenes['root'], cloudy['row'][2]))
    assert np.isnan(empty).all() and eprof['transform'] == gprof['transform']
    ts, _ = read_raster(res['outputs']['utm33'])
    assert np.isfinite(ts).mean() > 0.8
    # bicubic + hard projection on a scene that is one tile: the output aggregates exactly to
    # the coarse LST on every valid coarse pixel lying on the guidance grid
    cfg = osp.join(ROOT, 'configs/selfsup/classic/bicubic_x4_coarse-scenes.py')
    fit_scenes(scenes['csv'], str(tmp_path / 'w'), str(tmp_path / 'bp'), config=cfg,
               cfg_options={'model.consistency': 'hard'}, progress=False, log=lambda *a: None)
    pred, _ = read_raster(str(tmp_path / 'bp' / 'utm33.tif'))
    coarse = scenes['a']['coarse']
    dr, dc = 1, 3  # guidance origin on the LR lattice: coarse pixel (R, C) starts at R*4 - dr
    for r in range(1, 19):
        for c in range(1, 21):
            if np.isfinite(coarse[r, c]):
                block = pred[0, r * 4 - dr:r * 4 - dr + 4, c * 4 - dc:c * 4 - dc + 4]
                assert abs(block.mean() - coarse[r, c]) < 1e-4


def test_bad_inputs_fail_before_training_and_write_nothing(scenes, tmp_path):
    root = scenes['root']
    celsius = make_scene(root, 'celsius', 4, (20, 22), (0, 0), bands=('ndvi',), seed=2)
    path = osp.join(root, celsius['row'][1])
    arr, prof = read_raster(path)
    write_raster(path, arr - 273.15, prof['crs'], prof['transform'], nodata=float('nan'))
    csv = write_csv(root, [scenes['a']['row'], celsius['row']], 'celsius.csv')
    work, out = tmp_path / 'work', tmp_path / 'out'
    with pytest.raises(SceneCheckError, match=r'scene celsius: .*degrees Celsius'):
        fit_scenes(csv, str(work), str(out), iters=2, cfg_options=TINY, progress=False,
                   log=lambda *a: None)
    assert not osp.exists(work) and not osp.exists(out)
    crs = write_csv(root, [scenes['a']['row'], ('mixed', 'lr/utm33.tif', 'guidance/laea.tif')],
                    'crs.csv')
    with pytest.raises(SceneCheckError, match='scene mixed: CRS mismatch'):
        fit_scenes(crs, str(work), str(out), iters=2, progress=False, log=lambda *a: None)
    with pytest.raises(ValueError, match='--scale 2 but the config'):
        fit_scenes(scenes['csv'], str(work), str(out), scale=2,
                   config=osp.join(ROOT, 'configs/selfsup/fdsr/'
                                   'fdsr_x4_1xb8-800it_coarse-scenes-ndvi.py'))
    assert not osp.exists(work) and not osp.exists(out)


# ----------------------------------------------------------------------------- GDI (default)
def test_the_defaults_are_the_gdi_ndvi_configs():
    from groklst.apis.fit_scenes import default_config
    assert default_config(4).endswith('configs/selfsup/gdi/'
                                      'gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py')
    assert default_config(2).endswith('configs/selfsup/gdi/'
                                      'gdi_x2_1xb8-1500it_coarse-scenes-ndvi.py')
    with pytest.raises(ValueError, match='no default self-supervised config for scale 3'):
        default_config(3)


def test_default_gdi_beats_bicubic_on_scenes_whose_fine_lst_follows_ndvi(tmp_path, monkeypatch):
    """Three scenes (UTM / LAEA, lattices offset by 0-3 fine pixels, a cloud each) whose fine LST
    is 303 K - 14 K x NDVI plus smooth terms (tests/fixtures/make_coarse_scenes.py); the coarse
    LST is its block mean. The default config (GDI, NDVI) fitted on the coarse LST only beats
    bicubic against the fine LST, which only the scorer reads."""
    from groklst.evaluation.scenes import score_scenes
    root = str(tmp_path / 'scenes')
    rows = [make_scene(root, 'a', 4, (24, 24), (0, 0), bands=('ndvi',))['row'],
            make_scene(root, 'b', 4, (22, 26), (1, 2), bands=('ndvi',), seed=1)['row'],
            make_scene(root, 'c', 4, (26, 22), (3, 1), 'EPSG:3035', origin=(4321000.0,
                       3210000.0), bands=('ndvi',), seed=2)['row']]
    csv = write_csv(root, rows)
    opened = _spy_open(monkeypatch)
    opts = {'train_dataloader.batch_size': 4, 'train_dataloader.dataset.crop_size': 16,
            'val_dataloader.dataset.crop_size': 16, 'train_cfg.val_interval': 60,
            'default_hooks.checkpoint.interval': 60, 'default_hooks.logger.interval': 1000}
    res = fit_scenes(csv, str(tmp_path / 'w'), str(tmp_path / 'gdi'), iters=120,
                     cfg_options=opts, progress=False, log=lambda *a: None)  # the default
    assert osp.basename(res['checkpoint']).startswith('best_RMSE_pooled_iter_')
    assert not [p for p in opened if '/reference/' in p]  # no fine LST read by the fit
    bic = osp.join(ROOT, 'configs/selfsup/classic/bicubic_x4_coarse-scenes.py')
    fit_scenes(csv, str(tmp_path / 'wb'), str(tmp_path / 'bic'), config=bic, progress=False,
               log=lambda *a: None)
    ref = osp.join(root, 'reference')
    gdi = score_scenes(str(tmp_path / 'gdi'), [ref], csv)
    base = score_scenes(str(tmp_path / 'bic'), [ref], csv)
    assert gdi['n_pixels'] == base['n_pixels'] > 10000
    # measured: 0.96 K against 1.31 K (-27 %)
    assert gdi['RMSE'] < 0.85 * base['RMSE'], (gdi['RMSE'], base['RMSE'])


def test_gdi_needs_a_projected_crs_before_training(tmp_path):
    root = str(tmp_path / 'scenes')
    row = make_scene(root, 'geo', 4, (12, 12), (0, 0), 'EPSG:4326', origin=(10.0, 45.0),
                     pixel=0.0003, bands=('ndvi',))['row']
    csv = write_csv(root, [row])
    with pytest.raises(SceneCheckError, match=r'scene geo: .*needs the guidance pixel size in '
                                              r'metres.*geographic CRS'):
        fit_scenes(csv, str(tmp_path / 'w'), str(tmp_path / 'o'), iters=2, progress=False,
                   log=lambda *a: None)
    assert not osp.exists(tmp_path / 'w') and not osp.exists(tmp_path / 'o')
