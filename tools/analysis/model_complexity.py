"""Parameters, FLOPs and CPU latency of the model of a config.

    python tools/analysis/model_complexity.py CONFIG [--shape H W] [--repeats 10]
                                              [--warmup 2] [--threads N] [--json OUT]

``--shape`` is the HR (output) size; the LR input is ``H/s x W/s`` and guided models get
``(1, K, H, W)`` guidance. The model is built from the config through the registry (when the
normalization statistics file of the config does not exist yet, mean 0 / std 1 are used: they
do not change the cost). FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode``
(convolutions, matrix products, attention; 1 multiply-accumulate = 2 FLOPs; element-wise ops
are not counted). Latency is the median wall time of ``--repeats`` forward passes in
``torch.no_grad`` after ``--warmup`` untimed ones, batch 1, on the CPU with
``torch.get_num_threads()`` threads; the achieved rate is FLOPs / median latency.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time
from typing import Dict, Optional, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402

from groklst.registry import MODELS  # noqa: E402
from groklst.utils import register_all_modules  # noqa: E402


def build_model(cfg: Config) -> torch.nn.Module:
    """Build ``cfg.model`` through the registry, without needing the statistics file."""
    register_all_modules()
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else dict(cfg.model)
    norm = model_cfg.get('lst_norm') or {}
    if 'stats_file' in norm and not osp.isfile(norm['stats_file']):
        model_cfg['lst_norm'] = dict(mean=0.0, std=1.0)
    return MODELS.build(model_cfg).eval()


def make_inputs(model, hr_shape: Tuple[int, int]) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """LR (1, 1, H/s, W/s) in K around 300 and, for guided models, guidance (1, K, H, W).

    Raises:
        ValueError: if the HR size is not a multiple of the scale.
    """
    s = model.scale
    h, w = hr_shape
    if h % s or w % s:
        raise ValueError(f'--shape {h} {w} is not a multiple of the scale {s}')
    lr = 300.0 + 5.0 * torch.randn(1, 1, h // s, w // s)
    guidance = None
    if model.uses_guidance:
        k = getattr(model.generator, 'guidance_channels', 10)
        guidance = torch.randn(1, k, h, w)
    return lr, guidance


def count_flops(model, lr, guidance) -> int:
    """FLOPs of one forward pass (FlopCounterMode)."""
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model.predict_lst(lr, guidance)
    return int(counter.get_total_flops())


def time_forward(model, lr, guidance, repeats: int = 10, warmup: int = 2) -> float:
    """Median seconds of a forward pass in ``torch.no_grad``."""
    times = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            model.predict_lst(lr, guidance)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def analyse(config: str, hr_shape: Tuple[int, int] = (128, 128), repeats: int = 10,
            warmup: int = 2, cfg_options: Optional[dict] = None,
            latency: bool = True) -> Dict:
    """Complexity of the model of ``config``; see the module docstring.

    Returns:
        dict with ``params``, ``flops``, ``latency_s`` (None when ``latency`` is False),
        ``gflops_per_s``, ``threads``, the shapes and the generator name.
    """
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = build_model(cfg)
    lr, guidance = make_inputs(model, hr_shape)
    params = sum(p.numel() for p in model.parameters())
    flops = count_flops(model, lr, guidance)
    lat = time_forward(model, lr, guidance, repeats, warmup) if latency else None
    gen = model.generator
    return dict(config=config, generator=type(gen).__name__ if gen is not None else None,
                scale=model.scale, lr_shape=list(lr.shape), hr_shape=list(hr_shape),
                guidance_shape=list(guidance.shape) if guidance is not None else None,
                params=params, flops=flops, latency_s=lat,
                gflops_per_s=(flops / lat / 1e9) if lat else None,
                threads=torch.get_num_threads(), repeats=repeats)


def main(argv=None) -> Dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--shape', type=int, nargs=2, default=[128, 128], metavar=('H', 'W'),
                   help='HR (output) size; the LR input is H/s x W/s (default 128 128)')
    p.add_argument('--repeats', type=int, default=10, help='timed forward passes')
    p.add_argument('--warmup', type=int, default=2, help='untimed forward passes first')
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: keep default)')
    p.add_argument('--no-latency', action='store_true', help='parameters and FLOPs only')
    p.add_argument('--json', dest='json_out', help='also write the results to this file')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    res = analyse(args.config, tuple(args.shape), args.repeats, args.warmup, args.cfg_options,
                  latency=not args.no_latency)
    print(f"config      : {res['config']}")
    print(f"generator   : {res['generator']} (x{res['scale']})")
    print(f"input       : LR {tuple(res['lr_shape'])}" + (
        f", guidance {tuple(res['guidance_shape'])}" if res['guidance_shape'] else '') +
        f" -> HR {tuple(res['hr_shape'])}")
    print(f"parameters  : {res['params']:,} ({res['params'] / 1e6:.3f} M)")
    print(f"FLOPs       : {res['flops'] / 1e9:.3f} G ({res['flops'] / 2e9:.3f} G MACs)")
    print(f"threads     : {res['threads']} (torch.get_num_threads())")
    if res['latency_s'] is not None:
        print(f"CPU latency : {res['latency_s'] * 1e3:.1f} ms (median of {res['repeats']})")
        print(f"throughput  : {res['gflops_per_s']:.2f} GFLOP/s achieved")
    if args.json_out:
        os.makedirs(osp.dirname(osp.abspath(args.json_out)), exist_ok=True)
        with open(args.json_out, 'w') as f:
            json.dump(res, f, indent=2)
    return res


if __name__ == '__main__':
    main()
