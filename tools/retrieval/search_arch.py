"""Architecture search for ASTER TIR LST / LSE retrieval networks (AK-KD, Table 1 analogue).

Optuna TPE over 1-9 dense layers, 32-1024 units, ReLU / Tanh / Sigmoid, dropout 0-0.5, inputs
BT10-14 (K), one target (:mod:`groklst.models.retrievers.experiments.akkd_search`); fixed seeds.

    .venv/bin/python tools/retrieval/search_arch.py                     # 30 trials, LST
    .venv/bin/python tools/retrieval/search_arch.py --trials 5 --target lse:3
"""
import argparse
import time

import torch

from groklst.fileio.text import write_text
from groklst.models.retrievers.experiments.akkd_search import (TARGET_LABELS, TARGETS,
                                                               run_search, search_table)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--trials', type=int, default=30)
    p.add_argument('--target', default='lst', choices=TARGETS)
    p.add_argument('--train-samples', type=int, default=4000,
                   help='global training samples per trial (subset of the train split)')
    p.add_argument('--steps', type=int, default=100, help='Adam steps per trial')
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=None, help='also write the markdown table here')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    rows = run_search(args.trials, args.target, args.train_samples, args.steps, args.batch,
                      args.seed)
    text = (f'Architecture search ({TARGET_LABELS[args.target]}, Optuna TPE seed {args.seed}, '
            f'{args.trials} trials, {args.train_samples} training samples, {args.steps} steps '
            f'of {args.batch}):\n\n{search_table(rows, args.target)}\n\n'
            f'Runtime: {time.perf_counter() - t0:.0f} s ({args.threads} threads).')
    print(text)
    if args.out:
        write_text(args.out, text + '\n')
    return rows


if __name__ == '__main__':
    main()
