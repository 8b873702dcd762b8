"""CPU inference benchmark: per-tile latency, FLOPs, % of the measured fp32 GEMM peak, tiled
scene throughput and peak memory (``tools/analysis/benchmark_inference.py``).

- **GEMM peak** (:func:`gemm_peak`): fp32 ``torch.mm`` of two n x n matrices, median of
  ``repeats``, measured in the same run with the same thread count (2 n^3 FLOPs per product):
  the yard-stick "how fast can this CPU multiply at all".
- **per tile** (:func:`bench_model`): median forward latency of ``Downscaler.predict_lst`` on one
  ``tile`` x ``tile`` HR tile (LR ``tile/s``; guidance (1, K, tile, tile) for guided models),
  FLOPs of that forward (:func:`groklst.analysis.complexity.count_flops`: convolutions and
  matrix products, 1 MAC = 2 FLOPs), achieved GFLOP/s and its % of the GEMM peak.
- **scene** (:func:`bench_scene`): ``groklst.apis.downscale_scene`` (tiled, overlap-blended
  inference) on a synthetic scene of T x T tiles, throughput in HR megapixels/s against the raw
  per-tile rate (tile pixels / per-tile latency), and the peak resident memory above the level
  before the call (psutil RSS sampled every 5 ms, :class:`PeakRSS`) minus the scene's own input
  and output arrays, so that a constant figure means memory independent of the scene size.

Synthetic inputs: LR LST 300 +- 5 K, guidance N(0, 1); weights are the random initialization
(speed does not depend on them).
"""
import os
import os.path as osp
import platform
import resource
import statistics
import threading
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config

from groklst.analysis.complexity import build_model, count_flops, make_inputs, time_forward


def matmul_peak(device: str = 'cpu', dtype: torch.dtype = torch.float32,
                n: Optional[int] = None, repeats: int = 5) -> float:
    """FLOP/s of ``torch.mm`` of two n x n matrices of ``dtype`` on ``device`` (median of
    ``repeats`` after one warm-up; n = 4096 on the CPU, 8192 on CUDA by default: on the 2-core
    development CPU n = 1024 reaches only 77 % of the n = 4096 rate, below what oneDNN's
    convolutions of a paper-size MoCoLSK step reach)."""
    n = n or (8192 if device.startswith('cuda') else 4096)
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    times = []
    for i in range(repeats + 1):
        sync_device(device)
        start = time.perf_counter()
        torch.mm(a, b)
        sync_device(device)
        if i:
            times.append(time.perf_counter() - start)
    return 2.0 * n ** 3 / statistics.median(times)


def sync_device(device: str) -> None:
    """Wait for the queued CUDA work of ``device`` (nothing to wait for on the CPU)."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def gemm_peak(n: int = 2048, repeats: int = 5) -> float:
    """Achieved fp32 GFLOP/s of ``torch.mm`` on n x n CPU matrices (:func:`matmul_peak`)."""
    return matmul_peak('cpu', torch.float32, n, repeats) / 1e9


class PeakRSS:
    """Context manager sampling the process RSS (bytes) every ``interval`` s; ``peak`` is the
    maximum seen and ``base`` the RSS on entry."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil
        self._proc = psutil.Process()
        self.interval = interval
        self.base = self.peak = 0

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self):
        self.base = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def bench_scene(model, tile: int, n_tiles: int, overlap: int, k: Optional[int]) -> Dict:
    """Tiled inference on a synthetic scene of about ``n_tiles x n_tiles`` tiles.

    Returns:
        dict with ``hr_shape``, ``seconds``, ``mpix_per_s`` (HR megapixels / s),
        ``extra_rss_mb`` (peak RSS above the start, minus input and output arrays, MiB).
    """
    from groklst.apis.inference import downscale_scene
    s = model.scale
    stride = tile - overlap
    hr = stride * (n_tiles - 1) + tile
    rng = np.random.default_rng(0)
    lr = (300 + 5 * rng.standard_normal((hr // s, hr // s))).astype(np.float32)
    guidance = rng.standard_normal((k, hr, hr)).astype(np.float32) if k else None
    own = lr.nbytes + (guidance.nbytes if guidance is not None else 0) + hr * hr * 4
    with PeakRSS() as mem:
        start = time.perf_counter()
        out = downscale_scene(model, lr, guidance, tile=tile, overlap=overlap, batch=1,
                              progress=False)
        seconds = time.perf_counter() - start
    assert out.shape == (hr, hr)
    return dict(hr_shape=(hr, hr), n_tiles=n_tiles ** 2, seconds=seconds,
                mpix_per_s=hr * hr / seconds / 1e6,
                extra_rss_mb=(mem.peak - mem.base - own) / 2 ** 20)


def bench_model(config: str, tile: int, repeats: int, scene_tiles: Sequence[int],
                overlap: int) -> Dict:
    """Per-tile and scene figures of one config (see the module docstring)."""
    cfg = Config.fromfile(config)
    model = build_model(cfg)
    lr, guidance = make_inputs(model, (tile, tile))
    flops = count_flops(model, lr, guidance)
    latency = time_forward(model, lr, guidance, repeats=repeats, warmup=1)
    res = dict(config=config, generator=type(model.generator).__name__ if model.generator
               is not None else 'none', params=sum(p.numel() for p in model.parameters()),
               flops=flops, latency_s=latency, gflops_per_s=flops / latency / 1e9,
               raw_mpix_per_s=tile * tile / latency / 1e6, scenes=[])
    k = guidance.shape[1] if guidance is not None else None
    for n in scene_tiles:
        res['scenes'].append(bench_scene(model, tile, n, overlap, k))
    return res


def profile_ops(config: str, tile: int, top: int = 8) -> List[str]:
    """The ``top`` operators by CPU self time of one forward (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile
    model = build_model(Config.fromfile(config))
    lr, guidance = make_inputs(model, (tile, tile))
    with torch.no_grad():
        model.predict_lst(lr, guidance)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            model.predict_lst(lr, guidance)
    table = prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=top)
    return table.splitlines()


def to_markdown(results: List[Dict], peak: float, tile: int, scene_tiles: Sequence[int],
                overlap: int, repeats: int, gemm_n: int, profile: bool = False,
                profile_lines: Optional[List[str]] = None) -> str:
    """The markdown report of ``results`` (of :func:`bench_model`) against the GEMM ``peak``
    (GFLOP/s), naming the command of these settings; ``profile_lines`` (of
    :func:`profile_ops`) are appended when given."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    lines = [
        '# CPU inference benchmark', '',
        f'Command: `python tools/analysis/benchmark_inference.py --tile {tile} --threads '
        f'{torch.get_num_threads()} --scene-tiles {" ".join(map(str, scene_tiles))} '
        f'--overlap {overlap} --repeats {repeats}'
        f'{" --profile" if profile else ""}`', '',
        f'Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, '
        f'torch {torch.__version__}, {torch.get_num_threads()} torch threads. fp32 GEMM peak '
        f'(torch.mm {gemm_n}x{gemm_n}, same run): **{peak:.1f} GFLOP/s**. Process peak '
        f'RSS: {rss:.0f} MiB.', '',
        f'Per tile: one {tile}x{tile} HR tile, batch 1, median of {repeats} '
        'forwards. Scene: `groklst.apis.downscale_scene` on T x T tiles; "scene / raw" = scene '
        'throughput over the per-tile rate; "extra MiB" = peak RSS during the scene call above '
        'its start, minus the scene arrays.', '',
        '| model | params (M) | GFLOPs / tile | ms / tile | GFLOP/s | % of GEMM peak | raw MP/s '
        '| scene (HR px) | scene MP/s | scene / raw | extra MiB |',
        '|---|---|---|---|---|---|---|---|---|---|---|']
    for r in results:
        name = osp.splitext(osp.basename(r['config']))[0]
        first = True
        for sc in r['scenes'] or [None]:
            head = (f"| {name} | {r['params'] / 1e6:.3f} | {r['flops'] / 1e9:.1f} | "
                    f"{r['latency_s'] * 1e3:.0f} | {r['gflops_per_s']:.1f} | "
                    f"{100 * r['gflops_per_s'] / peak:.0f} | {r['raw_mpix_per_s']:.3g} "
                    if first else '| | | | | | | ')
            first = False
            if sc is None:
                lines.append(head + '| - | - | - | - |')
            else:
                lines.append(head + f"| {sc['hr_shape'][0]}x{sc['hr_shape'][1]} | "
                             f"{sc['mpix_per_s']:.3g} | "
                             f"{sc['mpix_per_s'] / r['raw_mpix_per_s']:.2f} | "
                             f"{sc['extra_rss_mb']:.0f} |")
    if profile_lines:
        lines += ['', f'Operators by CPU self time, {osp.basename(results[0]["config"])}, one '
                  f'{tile}x{tile} forward (torch.profiler):', '', '```']
        lines += profile_lines + ['```']
    return '\n'.join(lines) + '\n'
