"""Mistakes stop a run before anything is built or written, with one line (issue 14 §3, §5):
groklst.apis.runner in process; tools/train.py and tools/test.py once, for exit status 2, the
single stderr line and ``--debug``."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import rasterio

from groklst.apis import runner
from groklst.datasets import validation as V
from groklst.datasets.validation import LSTValueError
from groklst.evaluation import NoValidPixelsError
from groklst.utils.config_check import ConfigKeyError
from tests.fixtures.make_scene_fixture import make_scene_fixture

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIG = """
default_scope = 'groklst'
scale = 4
data_root = {data!r}
pipeline = [dict(type='LoadLSTSample'), dict(type='PackLSTInputs')]
_loader = dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False))
train_dataloader = dict(_loader, dataset=dict(type='RasterTileDataset', data_root=data_root,
                        split='train', scale=scale, use_guidance=False, pipeline=pipeline))
val_dataloader = dict(_loader, dataset=dict(type='RasterTileDataset', data_root=data_root,
                      split='val', scale=scale, use_guidance=False, pipeline=pipeline))
test_dataloader = dict(_loader, dataset=dict(type='RasterTileDataset', data_root=data_root,
                       split='test', scale=scale, use_guidance=False, pipeline=pipeline))
val_evaluator = dict(type='LSTMetric')
test_evaluator = dict(type='LSTMetric')
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
default_hooks = dict(logger=dict(type='LoggerHook', interval=1),
                     checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False))
log_processor = dict(by_epoch=False)
model = dict(type='Downscaler', scale=scale, residual='bicubic', lst_norm=dict(mean=300, std=5),
             generator={generator})
"""
EDSR = "dict(type='EDSR', n_feats=4, n_resblocks=1)"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('GROKLST_CACHE_DIR', str(tmp_path / 'cache'))
    V.clear_memory_cache()
    yield
    V.clear_memory_cache()


@pytest.fixture
def setup(tmp_path):
    """(scene folder, config of a tiny EDSR, config of bicubic interpolation)."""
    data = str(tmp_path / 'scene')
    make_scene_fixture(data, size=128, tile=32)
    cfgs = []
    for name, gen in (('edsr', EDSR), ('bicubic', 'None')):
        path = str(tmp_path / f'{name}.py')
        with open(path, 'w') as f:
            f.write(CONFIG.format(data=data, generator=gen))
        cfgs.append(path)
    return data, cfgs[0], cfgs[1]


def _to_celsius(scene):
    for name in ('hr_lst.tif', 'lr_lst_x4.tif'):
        path = osp.join(scene, name)
        with rasterio.open(path) as src:
            arr, prof = src.read(), src.profile
        with rasterio.open(path, 'w', **prof) as dst:
            dst.write(arr - np.float32(273.15))


def _files(folder):
    return sorted(osp.relpath(osp.join(d, f), folder)
                  for d, _, fs in os.walk(folder) for f in fs) if osp.isdir(folder) else []


def test_missing_config_names_the_closest(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        runner.load_config(osp.join(ROOT, 'configs/mocolsk/mocolsk_x4_4xb1-10k_groklts.py'))
    assert runner.format_user_error(err.value) == (
        f"config file {ROOT}/configs/mocolsk/mocolsk_x4_4xb1-10k_groklts.py not found; did you "
        f'mean {ROOT}/configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py?')
    assert isinstance(err.value, runner.USER_ERRORS)


def test_bad_options_stop_before_the_work_dir_exists(setup, tmp_path):
    _, edsr, _ = setup
    work = str(tmp_path / 'work')
    for options, needle in (({'train_cfg.max_iter': 2}, "did you mean 'train_cfg.max_iters'"),
                            ({'model.generator.n_feat': 8},
                             "EDSR takes no argument 'n_feat'; did you mean "
                             "'model.generator.n_feats'"),
                            ({'data_root': '/elsewhere'}, 'train_dataloader.dataset.data_root')):
        with pytest.raises(ConfigKeyError, match=needle):
            runner.train(edsr, work_dir=work, cfg_options=options)
        assert not osp.exists(work)
    with pytest.raises(ConfigKeyError, match="'tset_cfg'.*did you mean 'test_cfg'"):
        runner.test(edsr, None, work_dir=work, cfg_options={'tset_cfg': dict(type='TestLoop')})
    assert not osp.exists(work)


def test_celsius_scene_stops_training_before_iteration_1(setup, tmp_path):
    data, edsr, _ = setup
    _to_celsius(data)
    work = str(tmp_path / 'work')
    with pytest.raises(LSTValueError, match=r'hr_lst\.tif.*°C'):
        runner.train(edsr, work_dir=work)
    assert not [f for f in _files(work) if f.endswith('.pth')]


def test_evaluation_without_valid_pixels_is_an_error_and_writes_nothing(setup, tmp_path):
    _, _, bicubic = setup
    out = tmp_path / 'metrics.json'
    work = str(tmp_path / 'work')
    # a loader range that excludes every pixel: all masks empty
    options = {'test_dataloader.dataset.pipeline.0.valid_range': (0.0, 1.0)}
    with pytest.raises(NoValidPixelsError, match='has a valid reference pixel'):
        runner.test(bicubic, None, work_dir=work, cfg_options=options, out=str(out))
    assert not out.exists()
    metrics = runner.test(bicubic, None, work_dir=work, out=str(out))
    assert 0 < metrics['RMSE'] < 5 and json.loads(out.read_text())['n_pixels'] > 0


_DRIVER = r'''
import contextlib, io, json, os, runpy, sys, traceback
result = []
for command in json.loads(sys.argv[1]):
    err = io.StringIO()
    sys.argv = list(command)
    sys.path[0] = os.path.dirname(os.path.abspath(command[0]))
    code = 0
    with contextlib.redirect_stderr(err):
        try:
            runpy.run_path(command[0], run_name='__main__')
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = 1  # what Python exits with on an uncaught exception
    result.append([code, err.getvalue()])
print(json.dumps(result))
'''


def test_tools_print_one_line_and_exit_2(setup, tmp_path):
    data, edsr, bicubic = setup
    work = str(tmp_path / 'work')
    out = str(tmp_path / 'm.json')
    commands = [
        ['tools/train.py', edsr, '--work-dir', work, '--cfg-options', 'train_cfg.max_iter=2'],
        ['tools/train.py', edsr, '--work-dir', work, '--cfg-options', 'train_cfg.max_iter=2',
         '--debug'],
        ['tools/test.py', str(tmp_path / 'bicubc.py'), '--work-dir', work],
        ['tools/test.py', bicubic, '--work-dir', work + '4', '--out', out, '--cfg-options',
         'test_dataloader.dataset.lst_range=[400,500]'],
    ]
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    r = subprocess.run([sys.executable, '-c', _DRIVER, json.dumps(commands)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (c1, e1), (c2, e2), (c3, e3), (c4, e4) = json.loads(r.stdout.splitlines()[-1])
    assert (c1, e1.splitlines()) == (2, [
        "train: error: train_cfg.max_iter: IterBasedTrainLoop takes no argument 'max_iter'; did "
        "you mean 'train_cfg.max_iters'?"])
    assert c2 == 1 and 'Traceback' in e2 and 'ConfigKeyError' in e2
    assert not osp.exists(work)  # the config errors stop before the Runner exists
    assert (c3, e3.splitlines()) == (2, [
        f'test: error: config file {tmp_path}/bicubc.py not found; did you mean '
        f'{tmp_path}/bicubic.py?'])
    assert c4 == 2 and len(e4.strip().splitlines()) == 1, e4
    assert e4.startswith('test: error: ') and 'hr_lst.tif' in e4 and 'not in Kelvin' in e4
    # the data error comes when the test set is built: MMEngine's log is there, no result
    assert not osp.exists(out) and not [f for f in _files(work + '4') if not f.endswith('.log')
                                        and not f.endswith('.py')], _files(work + '4')
