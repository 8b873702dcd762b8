"""PINN vs plain MLP vs generalized single-channel LST retrieval (Landsat-8 B10, simulated).

Reproduces, on our simulator, the comparison of Xie, Jiang, Shen et al. 2025
(arXiv:2504.07481): an RTE-coupled physics-informed network (:class:`PINNRetriever`) against a
plain MLP of the same hidden sizes and the generalized single-channel algorithm
(Jiménez-Muñoz et al. 2014 B10 psi coefficients), overall and by water-vapour bin including
extreme humidity (WVC > 5 g cm-2). Also reported: the PINN with ``lambda_rte = 0`` (the same
multi-output network trained on the data terms only: isolates the RTE term) and the
single-channel equation with the true atmospheric functions (an upper bound of that method).

Fixed seeds throughout (simulation, split, initialisation, batches); the experiment is
:mod:`groklst.models.retrievers.experiments.pinn`. Prints the markdown tables and the runtime;
``--out`` also writes them to a file.

    .venv/bin/python tools/retrieval/pinn_experiment.py             # defaults of docs/retrieval.md
    .venv/bin/python tools/retrieval/pinn_experiment.py --n 8000 --steps 300 --seeds 0  # smoke
"""
import argparse
import dataclasses

import torch

from groklst.fileio.text import write_text
from groklst.models.retrievers.experiments.pinn import PINNSettings, run_pinn


def parse_args(argv=None):
    """The command line as ``(settings, args)``."""
    defaults = PINNSettings()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=defaults.n, help='simulated samples (80/10/10 split)')
    p.add_argument('--sim-seed', type=int, default=defaults.sim_seed)
    p.add_argument('--seeds', type=int, nargs='+', default=defaults.seeds,
                   help='training seeds (mean and std over them are reported)')
    p.add_argument('--steps', type=int, default=defaults.steps)
    p.add_argument('--batch', type=int, default=defaults.batch)
    p.add_argument('--lr', type=float, default=defaults.lr)
    p.add_argument('--hidden', type=int, nargs='+', default=defaults.hidden)
    p.add_argument('--lambda-rte', type=float, nargs='+', default=defaults.lambda_rte,
                   help='one PINN row per value (lambda_rte = 0 is always reported)')
    p.add_argument('--eval-every', type=int, default=defaults.eval_every,
                   help='validation interval; the best-val weights are tested')
    p.add_argument('--train-samples', type=int, default=defaults.train_samples,
                   help='use only this many training samples (data-scarce regime)')
    p.add_argument('--cache-dir', default=defaults.cache_dir)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default=None, help='also write the markdown here')
    args = p.parse_args(argv)
    return PINNSettings(**{f.name: getattr(args, f.name)
                           for f in dataclasses.fields(PINNSettings)}), args


def main(argv=None):
    settings, args = parse_args(argv)
    torch.set_num_threads(args.threads)
    results, text = run_pinn(settings, log=lambda s: print(s, flush=True))
    print(text)
    if args.out:
        write_text(args.out, text + '\n')
    return results


if __name__ == '__main__':
    main()
