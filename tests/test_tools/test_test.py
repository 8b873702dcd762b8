"""tools/test.py run as a script: ``--out``, ``--show-dir`` and ``--max-show`` reach the run; a
model without trainable parameters needs no checkpoint, a learned one does; a malicious
checkpoint or another model's checkpoint is refused (was: a warning, metrics of a randomly
initialised model and exit status 0). The test runs reuse the session's tiny trained run."""
import json

from tests.fixtures.checkpoints import (EDSR, SRCNN, TINY_SISR_CONFIG, assert_evil_refused,
                                        build_downscaler,
                                        evil_checkpoint, training_checkpoint)
from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import write_config

TOOL = 'tools/test.py'


def cli_commands(tmp, fixture):
    run = fixture('tiny_run')
    edsr = write_config(tmp / 'tiny_edsr.py', TINY_SISR_CONFIG, root=ROOT, data=run['data'],
                        generator=EDSR)
    evil = evil_checkpoint(tmp / 'evil.pth', tmp / 'marker')
    srcnn = training_checkpoint(build_downscaler(SRCNN), tmp / 'srcnn.pth')
    return {
        'best': [TOOL, run['config'], run['best'], '--out', tmp / 'metrics.json', '--show-dir',
                 tmp / 'show', '--max-show', '2', '--work-dir', tmp / 'work_best'],
        'bicubic': [TOOL, run['bicubic'], '--out', tmp / 'bicubic.json', '--work-dir',
                    tmp / 'work_bicubic'],
        'no_checkpoint': [TOOL, run['config'], '--work-dir', tmp / 'work_none'],
        'evil': [TOOL, edsr, evil, '--work-dir', tmp / 'work_evil'],
        'other_model': [TOOL, edsr, srcnn, '--work-dir', tmp / 'work_other', '--out',
                        tmp / 'm.json'],
    }


def test_metrics_json_and_panels(cli):
    runs = cli[__name__]
    assert runs['best'].code == 0, runs['best'].err[-3000:]
    m = json.loads((runs.tmp / 'metrics.json').read_text())
    assert {'RMSE', 'MAE', 'BIAS', 'CC', 'RSD'} <= set(m)
    assert len(list((runs.tmp / 'show').glob('*.png'))) == 2


def test_bicubic_needs_no_checkpoint_a_learned_model_does(cli):
    runs = cli[__name__]
    assert runs['bicubic'].code == 0, runs['bicubic'].err[-3000:]
    assert json.loads((runs.tmp / 'bicubic.json').read_text())['RMSE'] > 0
    code, _, err = runs['no_checkpoint']
    assert code != 0 and 'give a CHECKPOINT' in err


def test_refuses_a_malicious_checkpoint(cli):
    runs = cli[__name__]
    assert_evil_refused(runs, runs.tmp / 'work_evil' / 'iter_2.pth')


def test_refuses_another_models_checkpoint(cli):
    runs = cli[__name__]
    code, _, err = runs['other_model']
    assert code != 0
    assert f'Checkpoint {runs.tmp / "srcnn.pth"} does not match Downscaler: ' in err
    assert 'missing keys' in err and '6 unexpected keys' in err
    assert not (runs.tmp / 'm.json').exists()
