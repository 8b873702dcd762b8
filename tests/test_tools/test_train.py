"""End to end through the real tools: train (Runner, subprocess), resume, test, DDP with gloo."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from tests.fixtures.make_scene_fixture import make_scene_fixture
from tests.fixtures.paths import ROOT


CONFIG = """
_base_ = ['{root}/configs/_base_/default_runtime.py']
data_root = '{data}'
stats_file = '{data}/stats.json'
scale = 4
train_pipeline = [dict(type='LoadLSTSample'), dict(type='NormalizeGuidance', stats_file=stats_file),
                  dict(type='PairedRandomCrop', gt_patch_size=16), dict(type='PairedFlipRot'),
                  dict(type='PackLSTInputs')]
test_pipeline = [dict(type='LoadLSTSample'), dict(type='NormalizeGuidance', stats_file=stats_file),
                 dict(type='PackLSTInputs')]
ds = dict(type='RasterTileDataset', data_root=data_root, scale=scale)
train_dataloader = dict(batch_size=4, num_workers=0,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(ds, split='train', pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(ds, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(ds, split='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
test_evaluator = dict(type='LSTMetric')
train_cfg = dict(type='IterBasedTrainLoop', max_iters={iters}, val_interval={val_interval})
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0))
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval={val_interval}))
log_processor = dict(window_size=5)
model = dict(type='Downscaler', scale=scale, lst_norm=dict(stats_file=stats_file, key='lst'),
             generator=dict(type='MoCoLSKNet', scale=scale, guidance_channels=3, base_dim=8,
                            num_stages=1, n_resblocks=1, reduction=4, mlp_hidden=8))
"""

BICUBIC = """
_base_ = ['{cfg}']
model = dict(_delete_=True, type='Downscaler', scale=4, generator=None, residual='bicubic')
"""


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    env.pop('CUDA_VISIBLE_DEVICES', None)
    return env


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run(args, **kw):
    r = subprocess.run([sys.executable] + args, cwd=ROOT, env=_env(), capture_output=True,
                       text=True, **kw)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def _losses(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    out = []
    for log in logs:
        with open(log) as f:
            out += [json.loads(line) for line in f]
    return [(d['iter'], d['loss']) for d in out if 'loss' in d]


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('e2e')
    data = str(tmp / 'data')
    make_scene_fixture(data, size=128, tile=32)
    cfg = str(tmp / 'tiny.py')
    with open(cfg, 'w') as f:
        f.write(CONFIG.format(root=ROOT, data=data, iters=60, val_interval=30))
    bic = str(tmp / 'bicubic.py')
    with open(bic, 'w') as f:
        f.write(BICUBIC.format(cfg=cfg))
    return tmp, cfg, bic


def test_train_resume_test(setup):
    tmp, cfg, bic = setup
    work = str(tmp / 'work')
    # 30 iterations, then "restart" and resume to 60 from last_checkpoint
    _run(['tools/train.py', cfg, '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=30'])
    assert osp.isfile(osp.join(work, 'last_checkpoint'))
    _run(['tools/train.py', cfg, '--work-dir', work, '--resume'])
    losses = _losses(work)
    iters = [i for i, _ in losses]
    assert iters == sorted(iters) and iters[-1] == 60 and min(iters) < 30 < iters[-1]
    first, last = losses[0][1], sum(v for _, v in losses[-3:]) / 3
    assert last < 0.7 * first, f'loss did not fall: {first} -> {last}'
    best = glob.glob(osp.join(work, 'best_RMSE_iter_*.pth'))
    assert len(best) == 1
    out = str(tmp / 'metrics.json')
    _run(['tools/test.py', cfg, best[0], '--out', out, '--show-dir', str(tmp / 'show'),
          '--max-show', '2', '--work-dir', work])
    with open(out) as f:
        m = json.load(f)
    assert {'RMSE', 'MAE', 'BIAS', 'CC', 'RSD'} <= set(m)
    assert len(glob.glob(str(tmp / 'show' / '*.png'))) == 2
    out_b = str(tmp / 'bicubic.json')
    _run(['tools/test.py', bic, '--out', out_b, '--work-dir', work])
    with open(out_b) as f:
        mb = json.load(f)
    assert mb['RMSE'] > 0
    # a learned model without checkpoint is refused
    r = subprocess.run([sys.executable, 'tools/test.py', cfg, '--work-dir', work], cwd=ROOT,
                       env=_env(), capture_output=True, text=True)
    assert r.returncode != 0 and 'give a CHECKPOINT' in r.stderr


def test_dist_scripts_two_gloo_processes(setup):
    """tools/dist_train.sh and tools/dist_test.sh with 2 CPU processes (torchrun, gloo)."""
    tmp, cfg, _ = setup
    work = str(tmp / 'ddp')
    env = dict(_env(), PYTHON=sys.executable, PORT=str(_free_port()))

    def sh(args):
        r = subprocess.run(['bash'] + args, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    sh(['tools/dist_train.sh', cfg, '2', '--work-dir', work, '--cfg-options',
        'train_cfg.max_iters=10', 'train_cfg.val_interval=10',
        'default_hooks.checkpoint.interval=10'])
    ckpt = osp.join(work, 'iter_10.pth')
    assert osp.isfile(ckpt)
    out = str(tmp / 'ddp.json')
    sh(['tools/dist_test.sh', cfg, ckpt, '2', '--out', out, '--work-dir', work])
    with open(out) as f:
        ddp_metrics = json.load(f)
    # the DDP checkpoint loads in a single process and scores the same test tiles identically
    out1 = str(tmp / 'single.json')
    _run(['tools/test.py', cfg, ckpt, '--out', out1, '--work-dir', work])
    with open(out1) as f:
        single = json.load(f)
    assert ddp_metrics['n_images'] == single['n_images']
    assert abs(ddp_metrics['RMSE'] - single['RMSE']) < 1e-4


def test_amp_on_cpu_trains(setup):
    tmp, cfg, _ = setup
    work = str(tmp / 'amp')
    _run(['tools/train.py', cfg, '--amp', '--work-dir', work, '--cfg-options',
          'train_cfg.max_iters=5', 'train_cfg.val_interval=5'])
    assert osp.isfile(osp.join(work, 'iter_5.pth'))
    losses = _losses(work)
    assert len(losses) >= 1 and all(0 < v < 10 for _, v in losses)
    logs = glob.glob(osp.join(work, '*', '*.log'))
    assert any('CPUBF16OptimWrapper' in open(log).read() for log in logs)


def test_bf16_wrapper_autocasts_forward():
    from groklst.engine import CPUBF16OptimWrapper
    model = torch.nn.Linear(4, 4)
    wrapper = CPUBF16OptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        assert model(torch.ones(2, 4)).dtype == torch.bfloat16
    assert model(torch.ones(2, 4)).dtype == torch.float32
