"""Retrieval on images (groklst.apis.retrieval): a synthetic Collection 2 Level-1 folder and
generic rasters, classical and learned methods, windowed processing with bounded memory,
out-of-domain QA flags, input checks that write nothing."""
import math
import os
import tracemalloc

import numpy as np
import pytest
import torch
from affine import Affine
from mmengine.config import Config

from groklst.apis.retrieval import (QA_BITS, Landsat8L1Inputs, RasterInputs, build_method,
                                    learned_method_from_config, retrieve_arrays,
                                    retrieve_image, retrieve_lst)
from groklst.apis.retrieval.methods import (QA_FEATURE, QA_MASKED, QA_NO_DATA, QA_VIEW, QA_WVC,
                                            LearnedMethod, SplitWindowMethod, assemble_features)
from groklst.apis.retrieval.weights import load_manifest
from groklst.fileio.raster import read_raster, write_raster
from groklst.physics.algorithms.split_window import split_window_jm2014
from groklst.physics.emissivity import landsat8_emissivity
from tests.fixtures.landsat_c2 import QA_CLOUD, QA_SHADOW, write_c2_scene

CRS = 'EPSG:32616'
T30 = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)
SHIPPED = load_manifest()
needs_weights = pytest.mark.skipif(not {'mlp', 'pinn', 'sftl', 'akkd_teacher'} <= set(SHIPPED),
                                   reason='shipped weights missing')


def _quiet(line):
    pass


def _c2_scene(folder, shape=(9, 11)):
    """A C2 folder: BT10 290..310 K, BT11 = BT10 - 1.2 K, NDVI 0.5; a high-confidence cloud at
    (2, 3), a cloud shadow at (6, 8), fill at (8, 0)."""
    h, w = shape
    bt10 = 290.0 + 20.0 * np.arange(h * w).reshape(h, w) / (h * w)
    bt10[8, 0] = np.nan
    qa = np.full(shape, 21824)
    qa[2, 3], qa[6, 8] = QA_CLOUD, QA_SHADOW
    return write_c2_scene(folder, bt10, bt10 - 1.2, qa=qa), bt10


def _listing(path):
    return sorted(os.listdir(path))


def test_collection2_split_window_by_windows_equals_the_whole_scene(tmp_path):
    scene, bt10 = _c2_scene(str(tmp_path / 'c2'))
    whole, _, info = retrieve_lst(scene['folder'], 2.0, cloud_buffer=1)
    assert info['qa_layout'] == 'collection2'
    out = tmp_path / 'out' / 'lst.tif'
    lines = []
    with Landsat8L1Inputs(scene['folder'], wvc=2.0, cloud_buffer=1, log=lines.append) as inp:
        res = retrieve_image(inp, build_method('split_window'), str(out), window=4,
                             log=lines.append)
    lst, prof = read_raster(out)
    qa, qprof = read_raster(tmp_path / 'out' / 'lst_qa.tif')
    # windows of 4 px with the cloud mask grown by 1 px on windows grown by 1 px: identical
    np.testing.assert_array_equal(lst[0], whole)
    assert res['windows'] == 9 and prof['crs'] == CRS and prof['transform'] == T30
    assert prof['descriptions'] == ('lst',) and prof['units'] == ('K',) and \
        math.isnan(prof['nodata'])
    assert qprof['dtype'] == 'uint8'
    # cloud (2, 3) and shadow (6, 8), grown by one pixel, and the fill pixel: masked
    assert qa[0, 2, 3] == qa[0, 1, 2] == qa[0, 6, 8] == QA_MASKED | QA_NO_DATA
    assert qa[0, 8, 0] == QA_MASKED | QA_NO_DATA  # fill is a QA no-data flag
    assert (qa[0][np.isfinite(lst[0])] == 0).all()
    assert res['masked'] == 9 + 9 + 4 and res['out_of_domain'] == 0  # the fill corner: 2 x 2
    # the LST itself: JM 2014 of the MTL-calibrated BTs with the NDVI-threshold emissivities
    e10, e11 = landsat8_emissivity(np.array([0.5]))
    ok = np.isfinite(lst[0])
    want = split_window_jm2014(bt10, bt10 - 1.2, np.full(bt10.shape, e10[0]),
                               np.full(bt10.shape, e11[0]), 2.0)
    np.testing.assert_allclose(lst[0][ok], want[ok], atol=0.02)  # DN quantisation
    assert any('calibration from LC08_L1TP_020039_20150804_20200908_02_T1_MTL.txt, '
               'LANDSAT_8' in line for line in lines)
    assert _listing(tmp_path / 'out') == ['lst.tif', 'lst_qa.tif']


def _tiny_method(lo=290.0, hi=300.0, view=(0.0, 60.0)):
    """A learned method whose 'model' returns BT10 + 1 K and whose domain is BT10 in [lo, hi],
    WVC in [0.5, 4], view angle in ``view``, dBT in [0, 3]."""
    class Plus1(torch.nn.Module):
        def forward(self, x, mode='tensor'):
            return x[:, :1] + 1.0
    domain = {'inputs': {'bt:B10': [lo, hi], 'wvc': [0.5, 4.0], 'view_angle': list(view),
                         'dbt:B10-B11': [0.0, 3.0]},
              'targets': {'lst': [200.0, 350.0]}, 'bands': ['B10', 'B11']}
    return LearnedMethod(Plus1(), ['bt:B10', 'wvc', 'view_angle', 'dbt:B10-B11'], ['lst'],
                         ['B10', 'B11'], domain, name='tiny')


def _rasters(folder, shape=(6, 8), bt10=None, wvc_coarse=True):
    """BT10 / BT11 (K), emissivities, a 2x-coarser WVC raster."""
    os.makedirs(folder, exist_ok=True)
    h, w = shape
    bt10 = 285.0 + np.arange(h * w, dtype=np.float32).reshape(h, w) / 2 if bt10 is None \
        else bt10
    paths = {}
    for name, arr in (('b10', bt10), ('b11', bt10 - 1.5), ('e10', np.full(shape, 0.97)),
                      ('e11', np.full(shape, 0.975))):
        paths[name] = write_raster(os.path.join(folder, f'{name}.tif'),
                                   np.asarray(arr, np.float32)[None], CRS, T30,
                                   nodata=float('nan'))
    wvc = np.full((1, math.ceil(h / 2), math.ceil(w / 2)), 2.0, np.float32)
    paths['wvc'] = write_raster(os.path.join(folder, 'wvc.tif'), wvc, CRS,
                                T30 * Affine.scale(2) if wvc_coarse else T30)
    return paths, bt10


def test_generic_rasters_features_by_name_and_domain_flags(tmp_path):
    paths, bt10 = _rasters(str(tmp_path / 'in'))
    lines = []
    inp = RasterInputs({'B10': paths['b10'], 'B11': paths['b11']},
                       {'B10': paths['e10'], 'B11': paths['e11']}, wvc=paths['wvc'],
                       view_zenith=70.0, log=lines.append)
    assert any('--wvc' in ln and 'bilinear resampling' in ln for ln in lines)
    m = _tiny_method()
    out, qa, info = retrieve_arrays(inp, m, window=4, log=_quiet)
    inp.close()
    # the 'model' saw BT10 by name: LST = BT10 + 1
    np.testing.assert_allclose(out[0], bt10 + 1.0, atol=1e-4)
    # view zenith 70 deg > 60 everywhere; BT10 285..308.5 K, the domain 290..300; dBT 1.5 in
    assert (qa & QA_VIEW).all()
    assert ((qa & 2) > 0).tolist() == ((bt10 < 290) | (bt10 > 300)).tolist()
    assert not (qa & (QA_WVC | QA_FEATURE)).any()
    assert info['out_of_domain'] == 48 and info['flags'][QA_BITS[QA_VIEW]] == 48
    # the features are assembled by the dataset grammar: dBT and WVC x dBT
    x = assemble_features({'bt:B10': np.array([300.0]), 'bt:B11': np.array([298.0]),
                           'wvc': np.array([3.0])}, ['dbt:B10-B11', 'wvc*dbt', 'bt:1'],
                          ['B10', 'B11'])
    np.testing.assert_allclose(x, [[2.0, 6.0, 298.0]])
    # split window on the same rasters: the JM 2014 formula, pixel by pixel
    with RasterInputs({'B10': paths['b10'], 'B11': paths['b11']},
                      {'B10': paths['e10'], 'B11': paths['e11']}, wvc=2.0, log=_quiet) as inp:
        sw, qa_sw, _ = retrieve_arrays(inp, SplitWindowMethod(), window=3, log=_quiet)
    want = split_window_jm2014(bt10.astype(float), bt10 - 1.5, np.full(bt10.shape, 0.97),
                               np.full(bt10.shape, 0.975), 2.0)
    np.testing.assert_allclose(sw[0], want, rtol=1e-6)
    assert (qa_sw == 0).all()


def test_memory_is_bounded_by_the_window(tmp_path):
    shape = (1024, 1024)
    bt10 = 290.0 + np.random.default_rng(0).random(shape, dtype=np.float32) * 10
    paths, _ = _rasters(str(tmp_path / 'in'), shape, bt10=bt10)
    seen = []

    class Spy(SplitWindowMethod):
        def __call__(self, x):
            seen.append(len(x['bt:B10']))
            return super().__call__(x)

    with RasterInputs({'B10': paths['b10'], 'B11': paths['b11']},
                      {'B10': paths['e10'], 'B11': paths['e11']}, wvc=paths['wvc'],
                      log=_quiet) as inp:
        tracemalloc.start()
        res = retrieve_image(inp, Spy(), str(tmp_path / 'lst.tif'), window=128, log=_quiet)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert res['windows'] == 64 and max(seen) == 128 * 128
    # one 1024 x 1024 float64 array is 8 MiB; everything held at once stays below one
    assert peak < 8 * 2 ** 20, peak
    got = read_raster(tmp_path / 'lst.tif', window=((500, 502), (0, 3)))[0][0]
    want = split_window_jm2014(bt10[500:502, :3].astype(float), bt10[500:502, :3] - 1.5,
                               np.full((2, 3), 0.97), np.full((2, 3), 0.975), 2.0)
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize('case, message', [
    ('celsius', r'--bt B10=.*b10.tif: values 11.85..35.35 outside \[150, 400\] K'),
    ('emissivity', r'--emissivity B11=.*e11.tif: values? 97.5 outside \(0, 1\]'),
    ('wvc', r'--wvc: value 25 outside \[0, 10\] g cm-2'),
    ('missing', r'needs view_angle, which the inputs do not provide \(--view-zenith'),
    ('crs', r'--wvc .*wvc_ll.tif: CRS EPSG:4326 differs'),
])
def test_bad_inputs_are_one_error_and_write_nothing(tmp_path, case, message):
    celsius = 285.0 - 273.15 + np.arange(48, dtype=np.float32).reshape(6, 8) / 2
    paths, _ = _rasters(str(tmp_path / 'in'), bt10=celsius if case == 'celsius' else None)
    emis = {'B10': paths['e10'], 'B11': paths['e11']}
    if case == 'emissivity':
        write_raster(paths['e11'], np.full((1, 6, 8), 97.5, np.float32), CRS, T30)
    wvc, view = paths['wvc'], (None if case == 'missing' else 0.0)
    if case == 'wvc':
        wvc = 25.0
    if case == 'crs':
        wvc = write_raster(tmp_path / 'in' / 'wvc_ll.tif', np.ones((1, 2, 2), np.float32),
                           'EPSG:4326', Affine(0.1, 0, -89.0, 0, -0.1, 31.0))
    out = tmp_path / 'out'
    os.makedirs(out)
    with pytest.raises(ValueError, match=message):
        with RasterInputs({'B10': paths['b10'], 'B11': paths['b11']}, emis, wvc=wvc,
                          view_zenith=view, log=_quiet) as inp:
            retrieve_image(inp, _tiny_method() if case == 'missing' else SplitWindowMethod(),
                           str(out / 'lst.tif'), window=4, log=_quiet)
    assert _listing(out) == []


def test_a_model_predicting_lse_writes_its_bands(tmp_path):
    """Any registered retrieval model from a config and checkpoint: targets LST and LSE10,
    band names and units in the GeoTIFF, the training domain from the config's train split."""
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    ds = dict(type='RetrievalDataset', simulation=dict(sensor='landsat8_tirs', n_samples=3000,
                                                       seed=0),
              inputs=['bt:0', 'bt:1', 'wvc'], targets=['lst', 'lse:0'], split='train',
              cache_dir=str(tmp_path / 'sim'))
    cfg = Config(dict(model=dict(type='MLPRetriever', input_names=['bt:0', 'bt:1', 'wvc'],
                                 target_names=['lst', 'lse:0'], hidden_sizes=(8,),
                                 norm=dict(dataset=ds)),
                      train_dataloader=dict(dataset=ds)))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = str(tmp_path / 'm.pth')
    torch.save({'state_dict': model.state_dict()}, ckpt)
    method = learned_method_from_config(cfg, ckpt, name='lse-model', log=_quiet)
    assert method.outputs == ['lst', 'lse:B10'] and method.units == ['K', None]
    assert method.required_inputs == ['bt:B10', 'bt:B11', 'wvc']
    lo, hi = method.domain['inputs']['wvc']
    assert 0 < lo < 0.5 and 5 < hi < 10  # the simulated range of the train split
    paths, bt10 = _rasters(str(tmp_path / 'in'))
    with RasterInputs({'B10': paths['b10'], 'B11': paths['b11']}, wvc=2.0, log=_quiet) as inp:
        retrieve_image(inp, method, str(tmp_path / 'o.tif'), window=4, log=_quiet)
    arr, prof = read_raster(tmp_path / 'o.tif')
    assert prof['descriptions'] == ('lst', 'lse:B10') and prof['units'] == ('K', None)
    x = torch.tensor(np.stack([bt10.ravel(), bt10.ravel() - 1.5, np.full(48, 2.0)], 1),
                     dtype=torch.float32)
    with torch.no_grad():
        want = model(x, mode='tensor').numpy().T.reshape(2, 6, 8)
    np.testing.assert_allclose(arr, want, rtol=1e-5)


@needs_weights
def test_shipped_models_run_without_a_checkpoint(tmp_path):
    scene, _ = _c2_scene(str(tmp_path / 'c2'))
    for name in ('mlp', 'pinn', 'sftl'):
        with Landsat8L1Inputs(scene['folder'], wvc=9.9, cloud_buffer=0, log=_quiet) as inp:
            res = retrieve_image(inp, build_method(name, log=_quiet),
                                 str(tmp_path / f'{name}.tif'), window=5, log=_quiet)
        lst, prof = read_raster(tmp_path / f'{name}.tif')
        qa = read_raster(tmp_path / f'{name}_qa.tif')[0][0]
        ok = np.isfinite(lst[0])
        assert ok.sum() == 9 * 11 - 3 and 270 < np.median(lst[0][ok]) < 330
        # WVC 9.9 g cm-2 is a valid input (<= 10) but above every simulated column
        assert (qa[ok] & QA_WVC).all() and res['out_of_domain'] == ok.sum()
        if name == 'pinn':
            assert prof['descriptions'] == ('lst', 'tau:B10', 'l_up:B10', 'l_down:B10')
            assert prof['units'] == ('K', None, 'W m-2 sr-1 um-1', 'W m-2 sr-1 um-1')
    # masking the out-of-domain pixels on request
    with Landsat8L1Inputs(scene['folder'], wvc=9.9, log=_quiet) as inp:
        retrieve_image(inp, build_method('mlp', log=_quiet), str(tmp_path / 'm.tif'),
                       mask_out_of_domain=True, log=_quiet)
    assert np.isnan(read_raster(tmp_path / 'm.tif')[0]).all()
    # the ASTER teacher on five BT rasters
    names = ['B10', 'B11', 'B12', 'B13', 'B14']
    bts = {}
    for k, b in enumerate(names):
        bts[b] = write_raster(tmp_path / f'aster_{b}.tif',
                              np.full((1, 4, 4), 300.0 - 0.5 * k, np.float32), CRS, T30)
    with RasterInputs(bts, log=_quiet) as inp:
        out, qa, _ = retrieve_arrays(inp, build_method('akkd_teacher', log=_quiet), log=_quiet)
    assert np.isfinite(out).all() and 295 < out[0, 0, 0] < 320


@needs_weights
def test_pipeline_retrieves_with_a_learned_model(tmp_path):
    from groklst.apis import run_l1_pipeline
    from groklst.apis.retrieval.weights import repo_root
    scene, _ = _c2_scene(str(tmp_path / 'c2'), shape=(17, 18))
    res = run_l1_pipeline(scene['folder'], str(tmp_path / 'p'),
                          os.path.join(repo_root(), 'configs/classic/bicubic_x4_landsat8-demo.py'),
                          method='sftl', tile=16, overlap=4, progress=False)
    got = read_raster(res['paths']['retrieved'])[0][0]
    direct, _, info = retrieve_lst(scene['folder'], 2.0, 'sftl')
    assert got.shape == (16, 16) and info['out_of_domain'] == 0
    np.testing.assert_array_equal(got, direct[:16, :16])
    # the same cloud mask (3 px buffer) as the split window's
    sw = retrieve_lst(scene['folder'], 2.0)[0][:16, :16]
    assert np.array_equal(np.isfinite(got), np.isfinite(sw)) and np.isnan(got[2, 3])
