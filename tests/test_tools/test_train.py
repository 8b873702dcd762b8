"""tools/train.py run as a script: its options reach the run (``--work-dir``, ``--cfg-options``,
``--resume`` from the work dir's last checkpoint, ``--amp``), and a malicious checkpoint given
by ``--resume`` or ``load_from`` is refused before anything runs. The training itself (loss,
resume, checkpoints) is tested in-process in tests/test_apis/test_runner.py."""
import glob
import json
import os.path as osp

import pytest

from tests.fixtures.checkpoints import EDSR, TINY_SISR_CONFIG, evil_checkpoint
from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import MOCOLSK_TINY, write_config

TOOL = 'tools/train.py'
EVERY_2 = ['train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
           'default_hooks.logger.interval=1']


def cli_commands(tmp, fixture):
    data = fixture('tiny_scene')
    cfg = write_config(tmp / 'tiny.py', MOCOLSK_TINY, root=ROOT, data=data, iters=60,
                       val_interval=30)
    edsr = write_config(tmp / 'tiny_edsr.py', TINY_SISR_CONFIG, root=ROOT, data=data,
                        generator=EDSR)
    evil = evil_checkpoint(tmp / 'evil.pth', tmp / 'marker')
    return {
        # 2 iterations, then a restart that resumes from last_checkpoint and goes on to 4
        'train': [TOOL, cfg, '--work-dir', tmp / 'run', '--cfg-options', 'train_cfg.max_iters=2',
                  *EVERY_2],
        'resume': [TOOL, cfg, '--work-dir', tmp / 'run', '--resume', '--cfg-options',
                   'train_cfg.max_iters=4', *EVERY_2],
        'amp': [TOOL, cfg, '--amp', '--work-dir', tmp / 'amp', '--cfg-options',
                'train_cfg.max_iters=5', 'train_cfg.val_interval=5'],
        'evil_resume': [TOOL, edsr, '--work-dir', tmp / 'evil_resume', '--resume', evil],
        'evil_load_from': [TOOL, edsr, '--work-dir', tmp / 'evil_load_from', '--cfg-options',
                           f'load_from={evil}'],
    }


def _losses(work_dir):
    """``[[(iter, loss), ...] per run]`` of a work dir, in the order of the runs."""
    runs = []
    for log in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(log) as f:
            records = [json.loads(line) for line in f]
        runs.append([(r['iter'], r['loss']) for r in records if 'loss' in r])
    return runs


def test_work_dir_cfg_options_and_resume_from_the_last_checkpoint(cli):
    runs = cli[__name__]
    assert runs['train'].code == 0, runs['train'].err[-3000:]
    assert runs['resume'].code == 0, runs['resume'].err[-3000:]
    work = runs.tmp / 'run'
    assert (work / 'iter_2.pth').is_file() and (work / 'iter_4.pth').is_file()
    assert (work / 'last_checkpoint').read_text().strip().endswith('iter_4.pth')
    first, resumed = _losses(str(work))
    assert [i for i, _ in first] == [1, 2]
    assert [i for i, _ in resumed] == [3, 4]  # continued, not restarted


def test_amp_on_cpu_trains(cli):
    runs = cli[__name__]
    assert runs['amp'].code == 0, runs['amp'].err[-3000:]
    work = runs.tmp / 'amp'
    assert (work / 'iter_5.pth').is_file()
    (losses, ) = _losses(str(work))
    assert len(losses) >= 1 and all(0 < v < 10 for _, v in losses)
    logs = glob.glob(str(work / '*' / '*.log'))
    assert any('CPUBF16OptimWrapper' in open(log).read() for log in logs)


@pytest.mark.parametrize('entry', ['evil_resume', 'evil_load_from'])
def test_refuses_a_malicious_checkpoint(cli, entry):
    runs = cli[__name__]
    code, _, err = runs[entry]
    ckpt = runs.tmp / 'evil.pth'
    assert code != 0
    assert f'Checkpoint {ckpt} refused: it needs the Python object posix.system' in err
    assert not (runs.tmp / 'marker').exists()
    assert not (runs.tmp / entry / 'iter_2.pth').exists()
