"""Training-step benchmark of a config: it/s, samples/s, peak memory, FLOPs per step and the
achieved fraction of the device's matmul peak (measured in the same run and precision).

    python tools/analysis/benchmark_train.py CONFIG [--device cpu|cuda] [--amp fp16|bf16]
        [--channels-last] [--compile] [--batch N] [--iters N] [--hr-size N] [--data]

``--data`` also times the config's real train dataloader (samples/s). What each figure
measures: :mod:`groklst.analysis.train_benchmark`.
"""
import argparse
import json

from groklst.analysis.train_benchmark import benchmark_train, dataloader_throughput, to_markdown


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda[:i]'")
    p.add_argument('--amp', choices=('fp16', 'bf16'), default=None)
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--compile', action='store_true')
    p.add_argument('--batch', type=int, default=None, help='default: the config\'s')
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--hr-size', type=int, default=None, help='default: the config\'s crop')
    p.add_argument('--data', action='store_true', help='also time the train dataloader')
    p.add_argument('--json', action='store_true', help='print the record as JSON')
    return p.parse_args(argv)


def main(argv=None) -> None:
    """Run the benchmark and print its table (or JSON)."""
    args = parse_args(argv)
    rec = benchmark_train(args.config, args.device, args.amp, args.channels_last, args.compile,
                          args.batch, args.iters, args.warmup, args.hr_size)
    if args.data:
        rec['dataloader'] = dataloader_throughput(args.config)
    if args.json:
        print(json.dumps(rec))
        return
    print(to_markdown([rec]))
    if args.data:
        d = rec['dataloader']
        print(f"\ndataloader: {d['samples_per_s']:.1f} samples/s "
              f"(batch {d['batch']}, {d['num_workers']} workers)")


if __name__ == '__main__':
    main()
