"""groklst.apis.runner: the run configs behind tools/train.py and tools/test.py; training runs
in this process (the session's tiny run: train, restart, resume) and a resume after SIGKILL
(the command lines themselves: tests/test_tools/)."""
import contextlib
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
from mmengine.config import Config

from groklst.apis import runner
from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import next_second, unformatted_config

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
    cfg = unformatted_config(osp.join(ROOT, 'configs/retrieval/mlp_l8-b10-singlechannel_sim.py'))
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


# ----------------------------------------------------------------------------- training runs
def test_training_resumes_from_the_last_checkpoint_and_the_loss_falls(tiny_run):
    """The session's tiny run: 30 iterations, then a restart resumed from ``last_checkpoint``
    on to 60 (in this process, as tools/train.py calls it); one best checkpoint, on val."""
    losses = []
    for log in sorted(glob.glob(osp.join(tiny_run['work_dir'], '*', 'vis_data',
                                         'scalars.json'))):
        with open(log) as f:
            losses += [(r['iter'], r['loss']) for r in map(json.loads, f) if 'loss' in r]
    iters = [i for i, _ in losses]
    assert iters == sorted(iters) and iters[-1] == 60 and min(iters) < 30 < iters[-1]
    first, last = losses[0][1], sum(v for _, v in losses[-3:]) / 3
    assert last < 0.7 * first, f'loss did not fall: {first} -> {last}'
    assert osp.basename(tiny_run['best']).startswith('best_RMSE_iter_')


# A tiny SISR model (EDSR, bicubic residual), seeded: logger interval 1 and window 1, so that
# scalars.json holds every iteration's own loss.
SEEDED_EDSR = """
_base_ = ['{root}/configs/_base_/default_runtime.py']
data_root = '{data}'
stats_file = '{data}/stats.json'
scale = 4
train_pipeline = [dict(type='LoadLSTSample', cache_scenes=True),
                  dict(type='PairedRandomCrop', gt_patch_size=32),
                  dict(type='PairedFlipRot'), dict(type='PackLSTInputs')]
test_pipeline = [dict(type='LoadLSTSample', cache_scenes=True), dict(type='PackLSTInputs')]
ds = dict(type='RasterTileDataset', data_root=data_root, scale=scale, use_guidance=False)
train_dataloader = dict(batch_size=4, num_workers={workers},
                        persistent_workers={persistent},
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(ds, split='train', pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(ds, split='val', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
train_cfg = dict(type='IterBasedTrainLoop', max_iters={iters}, val_interval=1000)
val_cfg = dict(type='ValLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0))
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, max_keep_ckpts=10, save_best=None))
log_processor = dict(window_size=1)
randomness = dict(seed=123, deterministic=True)
model = dict(type='Downscaler', scale=scale, residual='bicubic',
             lst_norm=dict(stats_file=stats_file, key='lst'),
             generator=dict(type='EDSR', scale=scale, n_feats=16, n_resblocks=2))
"""


def _scalars(work_dir):
    """{iter: loss} of every run of a work dir (later runs override earlier ones)."""
    out = {}
    for log in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(log) as f:
            for line in f:
                rec = json.loads(line)
                if 'loss' in rec:
                    out.setdefault(osp.dirname(osp.dirname(log)), {})[rec['iter']] = rec['loss']
    return [out[k] for k in sorted(out)]


@contextlib.contextmanager
def _in_process_run():
    """One intra-op thread (as the subprocess with OMP_NUM_THREADS=1), and the global torch
    state a seeded deterministic run sets (``torch.use_deterministic_algorithms``) restored."""
    import torch
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    next_second()
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def _kill_after_checkpoint(cfg, work, ckpt_iter=4, timeout=120.0):
    """Train in a subprocess (the package, as tools/train.py calls it) and SIGKILL it as soon
    as ``last_checkpoint`` names ``iter_{ckpt_iter}`` or a later one; return the iteration of
    that checkpoint."""
    code = f'from groklst.apis.runner import train; train({cfg!r}, work_dir={work!r})'
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    env.pop('CUDA_VISIBLE_DEVICES', None)
    proc = subprocess.Popen([sys.executable, '-c', code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = osp.join(work, 'last_checkpoint')
    start = time.time()
    try:
        while time.time() - start < timeout:
            if osp.isfile(last):
                with open(last) as f:
                    name = f.read().strip()
                done = osp.basename(name)
                if done.startswith('iter_') and int(done[5:-4]) >= ckpt_iter:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return int(done[5:-4])
            if proc.poll() is not None:
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    pytest.fail(f'training ended (rc={proc.returncode}) before the kill: '
                f'{proc.stderr.read()[-2000:]}')


@pytest.mark.parametrize('workers', [0])  # 1 worker passes too (checked by hand, +25 s)
def test_resume_after_sigkill_continues_loss_curve(tiny_scene, tmp_path, workers):
    """A run killed hard (SIGKILL) after a checkpoint resumes bit-identically: the resumed
    losses equal those of an uninterrupted run (same seed, same data order); the training log
    of the work dir (tools/analysis/plot_log.py) merges both runs into one curve. Only the
    killed run needs a process of its own; the others run in this one."""
    cfg = str(tmp_path / 'tiny.py')
    with open(cfg, 'w') as f:
        f.write(SEEDED_EDSR.format(root=ROOT, data=tiny_scene, iters=8, workers=workers,
                                   persistent=bool(workers)))
    work_a, work_b = str(tmp_path / 'a'), str(tmp_path / 'b')
    with _in_process_run():
        runner.train(unformatted_config(cfg), work_dir=work_a)
    (losses_a,) = _scalars(work_a)
    assert sorted(losses_a) == list(range(1, 9))
    # different batches give different losses, so equal curves below mean equal data order
    assert len({round(v, 6) for v in losses_a.values()}) == 8

    killed_at = _kill_after_checkpoint(cfg, work_b)
    assert killed_at in (4, 6), killed_at
    # the kill is hard: the run must not have reached its end
    assert not osp.isfile(osp.join(work_b, 'iter_8.pth'))
    with _in_process_run():
        runner.train(unformatted_config(cfg), work_dir=work_b, resume=True)
    runs = _scalars(work_b)
    resumed = runs[-1]
    assert sorted(resumed) == list(range(killed_at + 1, 9))
    for it, loss in resumed.items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])
    # and the losses before the kill matched too (same seed, same data order)
    for it, loss in runs[0].items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])

    # the training log of the resumed work dir: both runs merged into one curve
    from groklst.analysis.training_log import find_scalars, read_curves
    from groklst.visualization import plot_curves
    out = str(tmp_path / 'curve.png')
    curves = read_curves(find_scalars(work_b), ['loss', 'lr', 'RMSE'])
    assert plot_curves(curves, out, title=work_b) == out
    assert [i for i, _ in curves['loss']] == list(range(1, 9))
    assert [i for i, _ in curves['RMSE']] == [8]  # the final validation, placed at iter 8
    assert [v for _, v in curves['lr']] == [1e-3] * 8
    assert all(abs(v - losses_a[i]) <= 1e-5 for i, v in curves['loss'])
    import matplotlib.image as mpimg
    img = mpimg.imread(out)
    assert img.shape[0] > 300 and img.std() > 0.01
