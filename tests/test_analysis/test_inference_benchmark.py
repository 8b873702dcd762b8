"""groklst.analysis.inference_benchmark (tools/analysis/benchmark_inference.py): FLOPs by hand,
the scene pass, the markdown table."""
from tests.fixtures.paths import ROOT


def test_benchmark_inference_smoke(tmp_path):
    """The inference benchmark on a tiny SRCNN: FLOPs match the hand count of its convolutions,
    the scene pass covers the scene, and the markdown table has one row per scene."""
    from groklst.analysis.inference_benchmark import bench_model, gemm_peak, to_markdown
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = tmp_path / 'srcnn.py'
    cfg.write_text(f"_base_ = ['{ROOT}/configs/sisr/srcnn/srcnn_x4_1xb4-800it_landsat8-demo.py']\n"
                   "model = dict(lst_norm=dict(_delete_=True, mean=300.0, std=5.0),\n"
                   "             generator=dict(channels=(8, 4)))\n")
    res = bench_model(str(cfg), tile=32, repeats=1, scene_tiles=[1, 2], overlap=0)
    # SRCNN 9-5-5 with widths 1 -> 8 -> 4 -> 1 on a 32 x 32 HR grid: 2 FLOPs per MAC
    macs = 32 * 32 * (81 * 1 * 8 + 25 * 8 * 4 + 25 * 4 * 1)
    assert res['flops'] == 2 * macs
    assert [sc['hr_shape'] for sc in res['scenes']] == [(32, 32), (64, 64)]
    assert all(sc['seconds'] > 0 and sc['mpix_per_s'] > 0 for sc in res['scenes'])
    peak = gemm_peak(128, 3)
    assert peak > 0
    md = to_markdown([res], peak, tile=32, scene_tiles=[1, 2], overlap=0, repeats=1, gemm_n=128)
    assert md.count('| 32x32 |') == 1 and md.count('| 64x64 |') == 1
