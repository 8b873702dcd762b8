"""Robustness: resume after SIGKILL, plotting a training log, and clear errors on broken inputs."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import rasterio

from tests.fixtures.make_scene_fixture import make_scene_fixture
from tests.test_datasets.test_check import _rewrite
from tests.fixtures.paths import ROOT


# Tiny SISR model (EDSR, bicubic residual) on a scene laid out like the Landsat-8 demo.
# logger interval 1 and window 1: scalars.json holds every iteration's own loss.
CONFIG = """
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


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    env.pop('CUDA_VISIBLE_DEVICES', None)
    return env


def _train_cmd(cfg, work, *extra):
    return [sys.executable, 'tools/train.py', cfg, '--work-dir', work, *extra]


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


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('robust')
    data = str(tmp / 'data')
    make_scene_fixture(data, size=128, tile=32)
    return tmp, data


def _write_cfg(tmp, data, name, workers=0):
    cfg = str(tmp / name)
    with open(cfg, 'w') as f:
        f.write(CONFIG.format(root=ROOT, data=data, iters=8, workers=workers,
                              persistent=bool(workers)))
    return cfg


def _kill_after_checkpoint(cfg, work, ckpt_iter=4, timeout=120.0):
    """Start training, SIGKILL it as soon as ``last_checkpoint`` names ``iter_{ckpt_iter}``
    or a later one; return the iteration of that checkpoint."""
    proc = subprocess.Popen(_train_cmd(cfg, work), cwd=ROOT, env=_env(),
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
def test_resume_after_sigkill_continues_loss_curve(scene, workers):
    tmp, data = scene
    cfg = _write_cfg(tmp, data, f'tiny_w{workers}.py', workers=workers)
    work_a, work_b = str(tmp / f'a{workers}'), str(tmp / f'b{workers}')
    r = subprocess.run(_train_cmd(cfg, work_a), cwd=ROOT, env=_env(), capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    (losses_a,) = _scalars(work_a)
    assert sorted(losses_a) == list(range(1, 9))
    # different batches give different losses, so equal curves below mean equal data order
    assert len({round(v, 6) for v in losses_a.values()}) == 8

    killed_at = _kill_after_checkpoint(cfg, work_b)
    assert killed_at in (4, 6), killed_at
    # the kill is hard: the run must not have reached its end
    assert not osp.isfile(osp.join(work_b, 'iter_8.pth'))
    r = subprocess.run(_train_cmd(cfg, work_b, '--resume'), cwd=ROOT, env=_env(),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    runs = _scalars(work_b)
    resumed = runs[-1]
    assert sorted(resumed) == list(range(killed_at + 1, 9))
    for it, loss in resumed.items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])
    # and the losses before the kill matched too (same seed, same data order)
    for it, loss in runs[0].items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])

    # the training log of the resumed work dir (tools/analysis/plot_log.py): both runs merged
    # into one curve
    from groklst.analysis.training_log import find_scalars, read_curves
    from groklst.visualization import plot_curves
    out = str(tmp / 'curve.png')
    curves = read_curves(find_scalars(work_b), ['loss', 'lr', 'RMSE'])
    assert plot_curves(curves, out, title=work_b) == out
    assert [i for i, _ in curves['loss']] == list(range(1, 9))
    assert [i for i, _ in curves['RMSE']] == [8]  # the final validation, placed at iter 8
    assert [v for _, v in curves['lr']] == [1e-3] * 8
    assert all(abs(v - losses_a[i]) <= 1e-5 for i, v in curves['loss'])
    import matplotlib.image as mpimg
    img = mpimg.imread(out)
    assert img.shape[0] > 300 and img.std() > 0.01


# ---------------------------------------------------------------- broken inputs -> clear errors
