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


def test_benchmark_zoo_gisr_suite():
    from groklst.analysis import zoo_benchmark as benchmark_zoo
    configs = benchmark_zoo.suite_configs('gisr')
    assert configs[:4] == ['configs/classic/bicubic_x4_landsat8-demo.py',
                           'configs/classic/tsharp_x4_landsat8-demo.py',
                           'configs/classic/distrad_x4_landsat8-demo.py',
                           'configs/classic/dms_x4_landsat8-demo.py']
    assert 'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py' in configs
    assert not any(c.startswith('configs/sisr/') for c in configs)
    assert benchmark_zoo.per_scene_model('configs/classic/dms_x4_landsat8-demo.py') == 'DMS'
    assert benchmark_zoo.per_scene_model(
        'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py') is None
    sisr = benchmark_zoo.suite_configs('sisr')
    assert sisr[:2] == benchmark_zoo.CLASSIC
    assert all(c.startswith('configs/sisr/') for c in sisr[2:])
    assert benchmark_zoo.SUITES['gisr']['out'] == 'docs/benchmarks/gisr_x4_landsat8-demo.md'
