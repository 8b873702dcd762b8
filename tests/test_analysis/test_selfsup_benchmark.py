"""The self-supervised benchmark runner (groklst.analysis.selfsup_benchmark): method configs,
the table by hand, the speed-check scenes pass the scene checks (no training here: fit_scenes
itself is tested in tests/test_apis/test_fit_scenes.py)."""
import os.path as osp

import numpy as np
import pytest

from groklst.analysis.selfsup_benchmark import (METHODS, format_table, method_config,
                                                run_selfsup_benchmark, run_supervised_reference,
                                                write_speed_scenes)
from groklst.apis.fit_scenes import REPO_ROOT
from groklst.datasets.coarse_scenes import check_scenes, read_scenes_csv
from groklst.fileio.raster import read_raster


def test_every_method_has_its_x4_config_and_errors_are_clear():
    for name in METHODS:
        assert osp.isfile(method_config(name, 4, REPO_ROOT))
    assert method_config('gdi-ndvi', 2, REPO_ROOT).endswith(
        'gdi_x2_1xb8-1500it_coarse-scenes-ndvi.py')
    with pytest.raises(ValueError, match="unknown method 'edsr'"):
        method_config('edsr', 4, REPO_ROOT)
    with pytest.raises(ValueError, match='dms-10band has no config for x2'):
        method_config('dms-10band', 2, REPO_ROOT)


def test_inference_variants_apply_a_fit_of_their_own_config(tmp_path):
    variants = {n: spec for n, spec in METHODS.items() if spec.get('reuses')}
    assert {'gdi-ndvi-hard', 'gdi-ndvi-80m', 'gdi-10band-hard'} <= set(variants)
    for spec in variants.values():
        base = METHODS[spec['reuses']]
        assert not base.get('reuses')
        assert (base['config'], base['guidance']) == (spec['config'], spec['guidance'])
        # only inference settings change: the projection or the band limit
        assert set(spec['options']) <= {'model.consistency', 'model.band_limit'}
    with pytest.raises(ValueError, match='gdi-ndvi-hard applies the checkpoint of gdi-ndvi: '
                                         'list gdi-ndvi before it'):
        run_selfsup_benchmark(str(tmp_path), str(tmp_path),
                              methods=['gdi-ndvi-hard', 'gdi-ndvi'])


def test_table_by_hand():
    rows = [dict(protocol='p120', degradation='sensor', method='bicubic', label='bicubic',
                 RMSE=2.0),
            dict(protocol='p120', degradation='sensor', method='gdi-ndvi', label='GDI',
                 RMSE=1.9),
            dict(protocol='p240', degradation='wald', method='gdi-ndvi', label='GDI',
                 RMSE=1.5)]
    assert format_table(rows).splitlines() == [
        '| method | p120 (sensor) | p240 (wald) |',
        '|---|---|---|',
        '| bicubic | 2.000 |  |',
        '| GDI | 1.900 (-5.0 %) | 1.500 |',
    ]


def test_speed_scenes_are_valid_scenes(tmp_path):
    csv = write_speed_scenes(str(tmp_path), n=3, coarse=16)
    metas = check_scenes(read_scenes_csv(csv), 4, ['ndvi'])
    assert [m['id'] for m in metas] == ['s000', 's001', 's002']
    assert all(m['guidance_shape'] == (64, 64) and m['lr_shape'] == (16, 16) for m in metas)
    lr, prof = read_raster(osp.join(str(tmp_path), 'lr', 's000.tif'))
    assert 0 < np.isnan(lr).mean() < 1 and prof['crs'].to_epsg() == 32633  # a cloud
    assert 280 < np.nanmean(lr) < 310


def test_supervised_reference_runs_only_its_scale_and_names_bad_protocols(tmp_path):
    cfg = osp.join(REPO_ROOT, 'configs/classic/bicubic_x4_landsat8-demo.py')
    logged = []
    rows = run_supervised_reference(str(tmp_path), str(tmp_path), cfg, None,
                                    protocols=['p60x2'], log=logged.append)
    assert rows == [] and logged == ['[benchmark] p60x2: the supervised model is x4, skipped']
    with pytest.raises(FileNotFoundError, match='no reference folder'):
        run_supervised_reference(str(tmp_path), str(tmp_path), cfg, None, protocols=['p120'])
    with pytest.raises(ValueError, match="unknown protocol 'p30'"):
        run_supervised_reference(str(tmp_path), str(tmp_path), cfg, None, protocols=['p30'])
