"""Data validated before training (issue 14 §3): LST units, file headers / variables / scale
checked once when a dataset is built (cached), invalid LR pixels kept out of loss and metrics."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import rasterio
import scipy.io as sio
import torch

from groklst.datasets import GrokLSTDataset, RasterTileDataset, check
from groklst.datasets import validation as V
from groklst.datasets.transforms import LoadLSTSample, PackLSTInputs
from groklst.datasets.transforms.loading import lr_support_mask
from groklst.datasets.validation import (DatasetValidationError, LSTValueError,
                                         check_lst_values, likely_lst_unit)
from groklst.models.downscalers import Downscaler
from tests.fixtures.make_groklst_fixture import make_groklst_fixture
from tests.fixtures.make_scene_fixture import make_scene_fixture


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test starts with an empty check cache of its own."""
    monkeypatch.setenv('GROKLST_CACHE_DIR', str(tmp_path / 'cache'))
    V.clear_memory_cache()
    yield
    V.clear_memory_cache()


@pytest.fixture(scope='module')
def mat_src(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('groklst_src'))
    return make_groklst_fixture(root, n=6, hr=32)


@pytest.fixture
def mat(mat_src, tmp_path):
    """A private copy of the GrokLST fixture: (root, info)."""
    return shutil.copytree(mat_src['root'], str(tmp_path / 'groklst')), mat_src


def _lst(path):
    return sio.loadmat(path)['data']


def _dataset(root, split='trainval', scale=4, **kw):
    return GrokLSTDataset(root, split=split, scale=scale, **kw)


# ---------------------------------------------------------------------------------------------
# check_lst_values: one function for every dataset

def test_kelvin_passes_with_fill_values_and_nan():
    lst = np.full((1, 10, 10), 295.0)
    lst[0, :8] = 0.0  # 80 % fill code without a nodata tag: the rest is still in K
    lst[0, 9, 9] = np.nan
    summary = check_lst_values(lst, 'x.tif')
    assert summary['n_finite'] == 99 and summary['median'] == 0.0
    assert summary['in_range_fraction'] == pytest.approx(19 / 99)
    assert check_lst_values(np.full((3, 3), np.nan), 'nan.tif')['n_finite'] == 0


@pytest.mark.parametrize('values, unit', [
    (np.linspace(-5.0, 45.0, 100), '°C'),
    (np.linspace(27000, 31500, 100).astype(np.int32), 'K×100'),
    (np.linspace(13500, 16000, 100), 'scale factor 0.02'),
    (np.linspace(2800, 3100, 100), 'K×10'),
])
def test_wrong_units_are_named(values, unit):
    with pytest.raises(LSTValueError) as err:
        check_lst_values(values, 'data/x/120m/lst/7.mat', band='data')
    msg = str(err.value)
    assert msg.startswith("data/x/120m/lst/7.mat (band 'data'): LST values are not in Kelvin")
    assert f'min {values.min():.6g}, max {values.max():.6g}' in msg
    assert f'median {np.median(values):.6g}' in msg and unit in msg and '180–360 K' in msg
    assert isinstance(err.value, ValueError)


def test_range_is_configurable_and_unit_guesses():
    check_lst_values(np.full(10, 170.0), 'antarctic', valid_range=(150.0, 360.0))
    with pytest.raises(LSTValueError):
        check_lst_values(np.full(10, 170.0), 'antarctic')
    with pytest.raises(ValueError, match='low < high'):
        check_lst_values(np.full(10, 300.0), 'x', valid_range=(360, 180))
    assert likely_lst_unit(120.0).startswith('°F')
    assert likely_lst_unit(1000.0) == 'an unknown unit or scaling'


# ---------------------------------------------------------------------------------------------
# GrokLSTDataset: every file checked when the dataset is built

def test_celsius_dataset_fails_at_construction(mat):
    root, info = mat
    for name in info['names']:
        for res in ('30m', '120m'):
            path = osp.join(root, res, 'lst', name)
            sio.savemat(path, dict(data=(_lst(path) - 273.15).astype(np.float32)))
    with pytest.raises(LSTValueError) as err:
        _dataset(root)
    msg = str(err.value)
    assert '/120m/lst/' in msg and '°C (K = °C + 273.15)' in msg
    # every sample of trainval is unusable: one message counting the others
    n = len(info['splits']['trainval'])
    assert f'and {n - 1} more unusable file(s)' in msg and 'check_dataset.py' in msg
    # check_dataset reports the same finding for every LST file
    rep = check.check_groklst(root, 4)
    assert sum('°C' in e for e in rep.errors) == 2 * len(info['names']), rep.errors
    assert not rep.ok


def test_scaled_integer_hr_lst_is_named(mat):
    root, info = mat
    name = info['names'][0]
    path = osp.join(root, '30m', 'lst', name)
    sio.savemat(path, dict(data=np.round(_lst(path) * 100).astype(np.int32)))
    with pytest.raises(LSTValueError, match=rf"30m/lst/{name} \(band 'data'\).*K×100"):
        _dataset(root, split='trainval')
    rep = check.check_dataset(root, 4, fmt='mat')
    assert any(name in e and 'K×100' in e for e in rep.errors), rep.errors


def test_corrupt_missing_variable_and_scale_mismatch_fail_before_iteration_1(mat):
    root, info = mat
    names = [info['names'][i] for i in info['splits']['train']]
    # truncated guidance file (its headers alone look fine to scipy.io.whosmat)
    g = osp.join(root, '30m', 'guidance', names[0])
    data = open(g, 'rb').read()
    with open(g, 'wb') as f:
        f.write(data[:len(data) * 2 // 3])
    with pytest.raises(DatasetValidationError, match=rf"guidance/{names[0]}'.*truncated"):
        _dataset(root, split='train')
    shutil.copy(osp.join(info['root'], '30m', 'guidance', names[0]), g)
    # a guidance file without 'ndvi'
    g = osp.join(root, '30m', 'guidance', names[1])
    bands = sio.loadmat(g)
    sio.savemat(g, {k: v for k, v in bands.items() if not k.startswith('__') and k != 'ndvi'})
    with pytest.raises(DatasetValidationError,
                       match=rf"\['ndvi'\] not found in '.*guidance/{names[1]}'"):
        _dataset(root, split='train')
    _dataset(root, split='train', guidance_bands=['dem', 'nir'])  # ndvi not needed: fine
    # the x2 LR in the x4 folder: scale mismatch named with both files
    for name in info['names']:
        shutil.copy(osp.join(root, '60m', 'lst', name), osp.join(root, '120m', 'lst', name))
    with pytest.raises(DatasetValidationError, match=r'16 x 16.*at scale 4 the HR LST must be '
                                                     r'64 x 64 \(scale mismatch'):
        _dataset(root, split='test', scale=4)
    _dataset(root, split='test', scale=2)
    _dataset(root, split='test', scale=4, validate=False)  # the check can be switched off


def test_checks_are_cached_per_file_state(mat, monkeypatch):
    root, info = mat
    calls = []
    original = GrokLSTDataset._check_sample

    def counting(self, item):
        calls.append(item['tile_name'])
        return original(self, item)

    monkeypatch.setattr(GrokLSTDataset, '_check_sample', counting)
    n = len(info['splits']['trainval'])
    _dataset(root)
    assert len(calls) == n
    _dataset(root)
    assert len(calls) == n  # memory cache
    V.clear_memory_cache()  # as a new process: the disk cache answers
    _dataset(root)
    assert len(calls) == n and osp.isfile(V.cache_file())
    # another scale / band subset is another check
    _dataset(root, scale=2)
    assert len(calls) == 2 * n
    # a file changed since: re-checked, and its new content found
    name = info['names'][info['splits']['trainval'][0]]
    path = osp.join(root, '120m', 'lst', name)
    sio.savemat(path, dict(data=(_lst(path) - 273.15).astype(np.float32)))
    with pytest.raises(LSTValueError, match=name):
        _dataset(root)
    assert len(calls) == 2 * n + 1


# ---------------------------------------------------------------------------------------------
# RasterTileDataset (GeoTIFF scenes)

def _rewrite(path, fn):
    with rasterio.open(path) as src:
        arr, prof = src.read(), src.profile
    arr, prof, tags = fn(arr, prof)
    with rasterio.open(path, 'w', **prof) as dst:
        dst.write(arr)
        if tags:
            dst.scales, dst.offsets = tags


@pytest.fixture
def scene(tmp_path):
    root = str(tmp_path / 'scene')
    make_scene_fixture(root, size=64, tile=32)
    return root


def test_scene_in_celsius_fails_and_scale_tags_are_applied(scene):
    hr = osp.join(scene, 'hr_lst.tif')
    _rewrite(hr, lambda a, p: (a - 273.15, p, None))
    with pytest.raises(LSTValueError, match=r'hr_lst\.tif.*°C'):
        RasterTileDataset(scene, 'train', 4)
    rep = check.check_raster_scene(scene, 4)
    assert any('hr_lst.tif' in e and '°C' in e for e in rep.errors), rep.errors
    # the same scene stored as MODIS-style digital numbers with GDAL scale tags is Kelvin
    lr = osp.join(scene, 'lr_lst_x4.tif')
    with rasterio.open(lr) as src:
        lr_k = src.read()
    _rewrite(hr, lambda a, p: (a + 273.15, p, None))

    def to_dn(a, p):
        dn = np.where(np.isfinite(a), np.round(a / 0.02), 0).astype(np.uint16)
        return dn, dict(p, dtype='uint16', nodata=0), ((0.02,), (0.0,))

    _rewrite(lr, to_dn)
    ds = RasterTileDataset(scene, 'train', 4, pipeline=[dict(type='LoadLSTSample')])
    first = [i for i in range(len(ds)) if ds.get_data_info(i)['hr_window'][0] == (0, 0)][0]
    r = ds[first]
    tile = lr_k[:, :8, :8]
    ok = np.isfinite(tile)  # the fixture's cloud covers LR pixels [:3, :3]
    assert r['lr_lst'].dtype == np.float32 and (~ok).sum() == 9
    np.testing.assert_allclose(r['lr_lst'][ok], tile[ok], atol=0.011)  # DN · 0.02 K
    assert not r['lr_mask'][~ok].any() and r['lr_mask'][ok].all()
    assert check.check_raster_scene(scene, 4).ok


# ---------------------------------------------------------------------------------------------
# invalid LR pixels propagate into the masks

def test_lr_support_mask_blocks_and_dilation():
    lr_mask = np.ones((1, 3, 4), bool)
    lr_mask[0, 1, 2] = False
    m = lr_support_mask(lr_mask, 2)
    assert m.shape == (1, 6, 8) and (~m).sum() == 4
    assert not m[0, 2:4, 4:6].any()
    m1 = lr_support_mask(lr_mask, 2, dilation=1)
    assert (~m1).sum() == 9 * 4 and m1[0, :, 0:2].all() and not m1[0, 0:6, 2:8].any()
    with pytest.raises(ValueError, match='>= 0'):
        lr_support_mask(lr_mask, 2, dilation=-1)


def test_all_nan_lr_tile_adds_no_loss(mat):
    """Was: the NaN tile filled with 0 K under a valid HR mask, a loss of ~295 K."""
    root, info = mat
    bad = info['names'][info['splits']['train'][0]]
    path = osp.join(root, '120m', 'lst', bad)
    sio.savemat(path, dict(data=np.full_like(_lst(path), np.nan)))
    # one LR pixel of another tile invalid: exactly its 4 x 4 HR block leaves the mask
    other = info['names'][info['splits']['train'][1]]
    path = osp.join(root, '120m', 'lst', other)
    lr = _lst(path)
    lr[1, 2] = np.nan
    sio.savemat(path, dict(data=lr))
    ds = _dataset(root, split='train', use_guidance=False,
                  pipeline=[dict(type='LoadLSTSample'), dict(type='PackLSTInputs')])
    by_name = {osp.basename(ds.get_data_info(i)['gt_path']): i for i in range(len(ds))}
    s_bad = ds[by_name[bad]]['data_samples']
    assert not s_bad.gt_mask.any() and not s_bad.lr_mask.any()
    # filled for the convolutions with a plausible constant (280 K), not 0 K
    assert torch.all(ds[by_name[bad]]['inputs']['lr'] == 280.0)
    s_other = ds[by_name[other]]['data_samples']
    assert (~s_other.gt_mask).sum() == 16 and not s_other.gt_mask[0, 4:8, 8:12].any()
    assert torch.isfinite(s_other.lr_lst).all()

    model = Downscaler(scale=4, residual='bicubic', lst_norm=dict(mean=270.0, std=10.0))
    batch = [ds[by_name[other]], ds[by_name[bad]]]
    inputs = dict(lr=torch.stack([b['inputs']['lr'] for b in batch]))
    samples = [b['data_samples'] for b in batch]
    loss = model(inputs, samples, mode='loss')['loss']
    alone = model(dict(lr=inputs['lr'][:1]), samples[:1], mode='loss')['loss']
    assert torch.isfinite(loss) and 0 < loss.item() < 5
    assert loss.item() == pytest.approx(alone.item(), rel=1e-6)
    only_bad = model(dict(lr=inputs['lr'][1:]), samples[1:], mode='loss')['loss']
    assert only_bad.item() == 0.0
