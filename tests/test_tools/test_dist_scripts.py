"""tools/dist_train.sh and tools/dist_test.sh with 2 CPU processes (torchrun, gloo): the DDP
checkpoint loads in a single process and scores the same test tiles identically."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import MOCOLSK_TINY, next_second, write_config


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_scripts_two_gloo_processes(tiny_scene, tmp_path):
    from groklst.apis import runner
    cfg = write_config(tmp_path / 'tiny.py', MOCOLSK_TINY, root=ROOT, data=tiny_scene, iters=60,
                       val_interval=30)
    work = str(tmp_path / 'ddp')
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', PYTHON=sys.executable,
               PORT=str(_free_port()))
    env.pop('CUDA_VISIBLE_DEVICES', None)

    def sh(args):
        r = subprocess.run(['bash'] + args, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    # two iterations are enough: the check is that the processes agree, not what they learn
    sh(['tools/dist_train.sh', cfg, '2', '--work-dir', work, '--cfg-options',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2'])
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)
    out = str(tmp_path / 'ddp.json')
    sh(['tools/dist_test.sh', cfg, ckpt, '2', '--out', out, '--work-dir', work])
    with open(out) as f:
        ddp_metrics = json.load(f)
    # the same checkpoint and test split in this process (the package behind tools/test.py)
    next_second()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        single = runner.test(cfg, ckpt, work_dir=str(tmp_path / 'single'))
    finally:
        torch.set_num_threads(threads)
    assert ddp_metrics['n_images'] == single['n_images']
    assert abs(ddp_metrics['RMSE'] - single['RMSE']) < 1e-4
