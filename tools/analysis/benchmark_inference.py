"""CPU inference benchmark: per-tile latency, FLOPs, % of the measured fp32 GEMM peak, tiled
scene throughput and peak memory.

    python tools/analysis/benchmark_inference.py [--models CFG ...] [--tile 512] [--threads N]
                                                 [--scene-tiles 1 2] [--repeats 3]
                                                 [--out docs/benchmarks/inference_cpu.md]

For every model config (default: MoCoLSK x4 at paper size and at demo size, EDSR and SRCNN of
the Landsat-8 demo zoo): the fp32 GEMM peak of this CPU, per-tile latency, FLOPs and % of that
peak, then tiled scenes of T x T tiles for each T of ``--scene-tiles`` (overlap ``--overlap``):
throughput and peak memory above the scene arrays. What each figure measures:
:mod:`groklst.analysis.inference_benchmark`. The process-wide peak RSS and the torch thread count
are reported too. Run it on a quiet machine: other processes on the same cores lower every
figure (the GEMM peak included, measured in the same run).
"""
import argparse
import os.path as osp
from typing import Dict, List, Optional

import torch

from groklst.analysis.inference_benchmark import bench_model, gemm_peak, profile_ops, to_markdown
from groklst.fileio.text import write_text
from groklst.utils import register_all_modules

DEFAULT_MODELS = (
    'configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py',
    'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py',
    'configs/sisr/edsr/edsr_x4_1xb4-800it_landsat8-demo.py',
    'configs/sisr/srcnn/srcnn_x4_1xb4-800it_landsat8-demo.py',
)


def main(argv=None) -> List[Dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--models', nargs='+', default=list(DEFAULT_MODELS), help='model configs')
    p.add_argument('--tile', type=int, default=512, help='HR tile side (pixels)')
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: keep default)')
    p.add_argument('--repeats', type=int, default=3, help='timed forwards per model')
    p.add_argument('--scene-tiles', type=int, nargs='*', default=[1, 2],
                   help='scenes of T x T tiles for each T given (none: skip scenes)')
    p.add_argument('--overlap', type=int, default=0, help='tile overlap (HR pixels)')
    p.add_argument('--gemm-n', type=int, default=2048)
    p.add_argument('--profile', action='store_true',
                   help='add the top operators of the first model (torch.profiler)')
    p.add_argument('--out', help='write a markdown table here')
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    register_all_modules()
    table_args = dict(tile=args.tile, scene_tiles=args.scene_tiles, overlap=args.overlap,
                      repeats=args.repeats, gemm_n=args.gemm_n, profile=args.profile)
    peak = gemm_peak(args.gemm_n, max(args.repeats, 3))
    print(f'fp32 GEMM peak: {peak:.1f} GFLOP/s ({torch.get_num_threads()} threads)', flush=True)
    results = []
    for config in args.models:
        r = bench_model(config, args.tile, args.repeats, args.scene_tiles, args.overlap)
        results.append(r)
        print(f"{osp.basename(config)}: {r['flops'] / 1e9:.1f} GFLOPs, "
              f"{r['latency_s'] * 1e3:.0f} ms/tile, {r['gflops_per_s']:.1f} GFLOP/s "
              f"({100 * r['gflops_per_s'] / peak:.0f}% of GEMM peak); scenes: " + ', '.join(
                  f"{sc['hr_shape'][0]}px {sc['mpix_per_s']:.3g} MP/s "
                  f"(x{sc['mpix_per_s'] / r['raw_mpix_per_s']:.2f} of raw), "
                  f"+{sc['extra_rss_mb']:.0f} MiB" for sc in r['scenes']), flush=True)
        _write(args.out, to_markdown(results, peak, **table_args))  # partial after every model
    prof = profile_ops(args.models[0], args.tile) if args.profile else None
    if prof:
        print('\n'.join(prof))
        _write(args.out, to_markdown(results, peak, profile_lines=prof, **table_args))
    return results


def _write(path: Optional[str], text: str) -> None:
    if path:
        write_text(path, text)


if __name__ == '__main__':
    main()
