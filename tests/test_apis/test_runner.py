"""groklst.apis.runner: the run configs behind tools/train.py and tools/test.py (no training
here: the end-to-end runs are in test_tools_e2e.py, test_retrieval_*.py)."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from groklst.apis import runner
from tests.fixtures.paths import ROOT

EDSR = osp.join(ROOT, 'configs/sisr/edsr/edsr_x4_1xb4-800it_landsat8-demo.py')


def test_train_config_merges_options_and_names_the_work_dir():
    cfg = runner.train_config(EDSR, cfg_options={'train_cfg.max_iters': 7,
                                                 'model.generator.n_resblocks': 2})
    assert cfg.train_cfg.max_iters == 7 and cfg.model.generator.n_resblocks == 2
    assert cfg.work_dir == osp.join('work_dirs', 'edsr_x4_1xb4-800it_landsat8-demo')
    assert cfg.launcher == 'none'
    assert cfg.load_from is None and cfg.resume is False  # the config's own choice kept
    assert runner.train_config(EDSR, work_dir='/tmp/w').work_dir == '/tmp/w'


def test_train_config_checkpoint_choices():
    auto = runner.train_config(EDSR, resume=True)
    assert auto.resume is True and auto.load_from is None  # WORK_DIR/last_checkpoint
    assert runner.train_config(EDSR, resume='auto').resume is True
    path = runner.train_config(EDSR, resume='run/iter_4.pth')
    assert path.resume is True and path.load_from == 'run/iter_4.pth'
    init = runner.train_config(EDSR, load_from='other/best.pth')
    assert init.resume is False and init.load_from == 'other/best.pth'
    with pytest.raises(ValueError, match='either resume or load_from'):
        runner.train_config(EDSR, resume=True, load_from='other/best.pth')


def test_amp_on_cpu_uses_bf16_autocast(monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert runner.train_config(EDSR, amp=True).optim_wrapper.type == 'CPUBF16OptimWrapper'
    assert runner.train_config(EDSR).optim_wrapper.type == 'OptimWrapper'


def test_test_config_drops_training_entries_and_adds_panels():
    cfg = runner.test_config(EDSR, 'best.pth', show_dir='show', max_show=3)
    assert not any(key in cfg for key in runner.TRAIN_ONLY_KEYS)
    assert cfg.load_from == 'best.pth' and cfg.resume is False
    assert cfg.custom_hooks[-1] == dict(type='LSTVisualizationHook', out_dir='show',
                                        max_samples=3)
    assert 'test_dataloader' in cfg and 'test_evaluator' in cfg
    assert runner.test_config(EDSR).load_from is None  # interpolation models need none


def test_config_objects_are_copied_and_bad_inputs_named(tmp_path):
    cfg = Config.fromfile(EDSR)
    runner.test_config(cfg, 'best.pth', work_dir=str(tmp_path))
    assert 'train_cfg' in cfg and cfg.load_from is None  # the caller's config is untouched
    with pytest.raises(FileNotFoundError, match='missing.py not found'):
        runner.train_config(str(tmp_path / 'missing.py'))
    with pytest.raises(ValueError, match="launcher must be one of"):
        runner.train_config(EDSR, launcher='torchrun')
    with pytest.raises(ValueError, match='give a work_dir'):
        runner.train_config(Config(dict(model=dict(type='Downscaler'))))


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


def test_train_and_test_apis_on_retrieval_config(tmp_path, monkeypatch):
    from groklst.apis import runner
    monkeypatch.chdir(tmp_path)  # the simulation cache goes to tmp_path/data/simulated
    cfg = osp.join(ROOT, 'configs/retrieval/mlp_l8-b10-singlechannel_sim.py')
    work = str(tmp_path / 'work')
    runner.train(cfg, work_dir=work, cfg_options={
        'train_cfg.max_iters': 40, 'train_cfg.val_interval': 40,
        'default_hooks.checkpoint.interval': 40, 'default_hooks.logger.interval': 20})
    ckpt = glob.glob(osp.join(work, 'best_RMSE_iter_40.pth'))
    assert len(ckpt) == 1
    assert glob.glob(str(tmp_path / 'data/simulated/landsat8_tirs_20000_*.npz'))
    metrics = runner.test(cfg, ckpt[0], work_dir=work, out=str(tmp_path / 'm.json'))
    assert 0 < metrics['RMSE'] < 15  # K, after 40 iterations
    assert metrics['lst/n'] == 2000
    assert sum(metrics[f'lst/n_wvc{b}'] for b in
               ('0-1', '1-2', '2-3', '3-4', '4-5', '5-inf')) == 2000
    assert metrics['lst/n_wvc5-inf'] > 100  # extreme humidity is represented
