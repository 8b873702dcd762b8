"""tools/fit_scenes.py and tools/analysis/score_scenes.py run as scripts: the default (GDI)
fitted on two small scenes with per-stage timing, --cfg-options, the scored outputs, and a bad
scale as one error line (fit_scenes itself is tested in tests/test_apis/test_fit_scenes.py)."""
import os.path as osp

from tests.fixtures.make_coarse_scenes import make_scene, write_csv

TOOL = 'tools/fit_scenes.py'


def cli_commands(tmp, fixture):
    root = str(tmp / 'scenes')
    a = make_scene(root, 'utm33', 4, (20, 22), (1, 3), 'EPSG:32633', bands=('ndvi',))
    b = make_scene(root, 'laea', 4, (18, 24), (2, 0), 'EPSG:3035',
                   origin=(4321000.0, 3210000.0), nodata=-9999.0, bands=('ndvi',), seed=1)
    csv = write_csv(root, [a['row'], b['row']])
    common = ['--scenes', csv, '--no-progress']
    return {
        'gdi': [TOOL, *common, '--work-dir', tmp / 'w', '--out-dir', tmp / 'out', '--iters', '4',
                '--cfg-options', 'train_dataloader.batch_size=2',
                'train_dataloader.dataset.crop_size=16', 'val_dataloader.dataset.crop_size=16',
                'model.consistency=hard'],
        'score': ['tools/analysis/score_scenes.py', tmp / 'out', osp.join(root, 'reference'),
                  '--scenes', csv, '--per-scene'],
        'bad_scale': [TOOL, *common, '--work-dir', tmp / 'w3', '--out-dir', tmp / 'o3',
                      '--scale', '3'],
    }


def test_default_fit_writes_every_scene_and_times_each_stage(cli):
    run = cli[__name__]['gdi']
    assert run.code == 0, run.err[-2000:]
    assert 'configs/selfsup/gdi/gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py' in run.out
    assert 'GuidedDetailDownscaler x4' in run.out
    for stage in ('check', 'stats', 'train', 'downscale'):
        assert f'[fit_scenes] stage {stage}: ' in run.out
    tmp = cli[__name__].tmp
    assert osp.isfile(tmp / 'out' / 'utm33.tif') and osp.isfile(tmp / 'out' / 'laea.tif')
    assert "consistency='hard'" in (tmp / 'w' / 'fit_scenes_config.py').read_text()


def test_score_scenes_pools_both_scenes(cli):
    run = cli[__name__]['score']
    assert run.code == 0, run.err[-2000:]
    lines = run.out.splitlines()
    assert lines[0].split()[:3] == ['2', 'scenes', 'RMSE']
    assert any(line.startswith('utm33') for line in lines)
    assert any(line.startswith('laea') for line in lines)


def test_bad_scale_is_one_error_line(cli):
    run = cli[__name__]['bad_scale']
    assert run.code == 1
    assert run.err.strip().splitlines() == [
        'fit_scenes: error: no default self-supervised config for scale 3 (have [2, 4]): '
        'pass a config']
    assert not osp.exists(cli[__name__].tmp / 'w3')
