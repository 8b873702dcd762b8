"""Training-step benchmark (groklst.analysis.train_benchmark) on a tiny MoCoLSK config."""
import pytest
import torch

from groklst.analysis.train_benchmark import (benchmark_train, build_optim_wrapper,
                                              synthetic_batch, to_markdown)
from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import MOCOLSK_TINY, write_config


@pytest.fixture(scope='module')
def tiny_config(tmp_path_factory):
    # the data folder need not exist: only the model and the shapes of the config are used
    tmp = tmp_path_factory.mktemp('bench')
    return write_config(str(tmp / 'tiny.py'), MOCOLSK_TINY, root=ROOT, data=str(tmp / 'none'),
                        iters=1, val_interval=1)


def test_record_of_a_tiny_config(tiny_config):
    rec = benchmark_train(tiny_config, iters=2, warmup=1, batch=2, peak_n=256)
    assert rec['generator'] == 'MoCoLSKNet' and rec['device'] == 'cpu' and rec['amp'] is None
    assert rec['batch'] == 2 and rec['hr_shape'] == [16, 16]  # the config's 16 px crop
    assert rec['flops_per_step'] > 0 and rec['params'] > 0 and rec['step_s'] > 0
    assert rec['samples_per_s'] == pytest.approx(2 * rec['it_per_s'])
    assert 0 < rec['fraction_of_peak'] <= 1
    assert rec['peak_mem_bytes'] >= 0
    assert to_markdown([rec]).count('\n') == 2


def test_bf16_on_cpu_and_errors(tiny_config):
    rec = benchmark_train(tiny_config, amp='bf16', iters=1, warmup=0, batch=1, peak_n=256)
    assert rec['amp'] == 'bf16' and rec['flops_per_step'] > 0
    with pytest.raises(ValueError, match='needs CUDA'):
        benchmark_train(tiny_config, amp='fp16')
    with pytest.raises(ValueError, match='iters'):
        benchmark_train(tiny_config, iters=0)
    with pytest.raises(ValueError, match='multiple of the scale'):
        synthetic_batch(4, 1, (18, 16), 3)


def test_synthetic_batch_shapes():
    data = synthetic_batch(4, 2, (16, 24), 3)
    assert [t.shape for t in data['inputs']['lr']] == [torch.Size([1, 4, 6])] * 2
    assert data['inputs']['guidance'][0].shape == (3, 16, 24)
    assert data['data_samples'][1].gt_mask.all()
