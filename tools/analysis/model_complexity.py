"""Parameters, FLOPs and CPU latency of the model of a config.

    python tools/analysis/model_complexity.py CONFIG [--shape H W] [--repeats 10]
                                              [--warmup 2] [--threads N] [--json OUT]

``--shape`` is the HR (output) size; the LR input is ``H/s x W/s`` and guided models get
``(1, K, H, W)`` guidance. How the figures are measured: :mod:`groklst.analysis.complexity`.
"""
import argparse
import json
from typing import Dict

import torch
from mmengine.config import DictAction

from groklst.analysis.complexity import analyse
from groklst.fileio.text import write_text


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
        write_text(args.json_out, json.dumps(res, indent=2))
    return res


if __name__ == '__main__':
    main()
