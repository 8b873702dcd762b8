"""groklst.analysis.zoo_benchmark: the suites and schedules behind
tools/analysis/benchmark_zoo.py."""
from groklst.analysis import zoo_benchmark


def test_benchmark_zoo_schedule_options():
    opts = zoo_benchmark.schedule_options(
        'configs/sisr/edsr/edsr_x4_1xb4-800it_landsat8-demo.py', iters=20, val_interval=5)
    assert 'train_cfg.max_iters=20' in opts and 'param_scheduler.T_max=20' in opts
    opts = zoo_benchmark.schedule_options(
        'configs/sisr/edsr/edsr_x4_4xb1-10k_groklst.py', iters=40, val_interval=10)
    assert 'param_scheduler.periods=[40]' in opts
