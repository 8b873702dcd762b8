"""Time MoCoLSK-Net training steps (forward + backward + Adam step) on the CPU.

Example::

    python tools/analysis/bench_mocolsk_cpu.py --base-dim 16 --stages 2 --resblocks 2 \
        --hr-size 64 --batch 4 --scale 4 --iters 5
"""
import argparse
import statistics

import torch

from groklst.analysis.complexity import time_train_steps
from groklst.models.backbones.mocolsk import MoCoLSKNet


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (sizes of the model and of the synthetic batch)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--base-dim', type=int, default=32, help='base feature width C')
    parser.add_argument('--stages', type=int, default=4, help='number of stages')
    parser.add_argument('--resblocks', type=int, default=4, help='RCABs per residual group')
    parser.add_argument('--hr-size', type=int, default=64, help='HR patch side (pixels)')
    parser.add_argument('--batch', type=int, default=1, help='batch size')
    parser.add_argument('--scale', type=int, default=4, choices=(2, 4, 8))
    parser.add_argument('--guidance-channels', type=int, default=10)
    parser.add_argument('--iters', type=int, default=5, help='timed iterations')
    parser.add_argument('--warmup', type=int, default=1, help='untimed iterations first')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch intra-op threads (0 keeps the torch default)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Build the model, run warm-up then timed train steps, print the median and param count.

    Raises:
        ValueError: if ``--hr-size`` is not divisible by ``--scale``.
    """
    args = parse_args(argv)
    if args.hr_size % args.scale:
        raise ValueError(f'--hr-size {args.hr_size} is not divisible by --scale {args.scale}')
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = MoCoLSKNet(
        scale=args.scale,
        guidance_channels=args.guidance_channels,
        base_dim=args.base_dim,
        num_stages=args.stages,
        n_resblocks=args.resblocks)
    n_params = sum(p.numel() for p in model.parameters())

    lr_size = args.hr_size // args.scale
    lr = torch.randn(args.batch, 1, lr_size, lr_size)
    guidance = torch.randn(args.batch, args.guidance_channels, args.hr_size, args.hr_size)
    target = torch.randn(args.batch, 1, args.hr_size, args.hr_size)
    times = time_train_steps(model, lr, guidance, target, iters=args.iters, warmup=args.warmup)
    print(f'config: base_dim={args.base_dim} stages={args.stages} resblocks={args.resblocks} '
          f'scale=x{args.scale} hr={args.hr_size} lr={lr_size} batch={args.batch} '
          f'threads={torch.get_num_threads()}')
    print(f'params: {n_params} ({n_params / 1e6:.3f} M)')
    print(f'train step (fwd+bwd+Adam): median {statistics.median(times):.3f} s/iter '
          f'(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})')


if __name__ == '__main__':
    main()
