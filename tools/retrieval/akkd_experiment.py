"""AK-KD on simulated ASTER TIR data: all tables of the experiment in one command.

Dai, Mao et al. 2025, "Joint optimization of AI large and small models for surface temperature
and emissivity retrieval using knowledge distillation" (Artificial Intelligence in Agriculture,
doi:10.1016/j.aiia.2025.03.009). Inputs BT10-14 (K); one regression model per target (LST in K,
LSE10-14). Produces, with fixed seeds (:mod:`groklst.models.retrievers.experiments.akkd`):

1. architecture search (paper Table 1; ``search_arch.py``), skipped with ``--search-trials 0``;
2. band-combination study: every 1- to 5-band subset (31) with a fixed small MLP (Table 2);
3. the global teacher ("large model") per target and, per hard region (profile domain, a few
   hundred training samples), the undistilled small model, the GOC-distilled student, the
   dataset-distilled student (composite labels) and the teacher on the region (Table 5);
4. the pre-distillation alpha sweep on LST of the first region: ``--repeats`` distillations per
   alpha, one-sample t-test against the undistilled accuracy, relative utility f(t);
5. the joint model routing each test sample of the regions to its region's student;
6. the KD gain on LST against the size of the regional training set (``--size-sweep``).

    .venv/bin/python tools/retrieval/akkd_experiment.py --out docs/akkd_tables.md
    .venv/bin/python tools/retrieval/akkd_experiment.py --quick        # smoke run (minutes)
"""
import argparse
import dataclasses
import sys

import torch

from groklst.fileio.text import write_text
from groklst.models.retrievers.experiments.akkd import AKKDSettings, quick, run_akkd
from groklst.models.retrievers.experiments.akkd_search import TARGETS


def parse_args(argv=None):
    """The command line as ``(settings, args)``; ``--quick`` applies :func:`quick`."""
    defaults = AKKDSettings()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--targets', nargs='+', default=defaults.targets, choices=TARGETS)
    p.add_argument('--regions', nargs='+', default=defaults.regions)
    p.add_argument('--region-samples', type=int, default=defaults.region_samples,
                   help='training samples of each regional small model')
    p.add_argument('--teacher-hidden', type=int, nargs='+', default=defaults.teacher_hidden)
    p.add_argument('--teacher-steps', type=int, default=defaults.teacher_steps)
    p.add_argument('--student-hidden', type=int, nargs='+', default=defaults.student_hidden)
    p.add_argument('--student-steps', type=int, default=defaults.student_steps)
    p.add_argument('--alphas', type=float, nargs='+', default=defaults.alphas)
    p.add_argument('--repeats', type=int, default=defaults.repeats, help='distillations per alpha')
    p.add_argument('--alpha', type=float, default=defaults.alpha,
                   help='alpha of Table 5 (default: the sweep choice, else 0.3)')
    p.add_argument('--seeds', type=int, nargs='+', default=defaults.seeds,
                   help='training seeds of Table 5 (mean over them)')
    p.add_argument('--search-trials', type=int, default=defaults.search_trials)
    p.add_argument('--band-steps', type=int, default=defaults.band_steps,
                   help='0 skips the band study')
    p.add_argument('--band-train-samples', type=int, default=defaults.band_train_samples)
    p.add_argument('--size-sweep', type=int, nargs='*', default=defaults.size_sweep,
                   help='regional training-set sizes of the LST KD-gain table (none: skip)')
    p.add_argument('--small-val-fraction', type=float, default=defaults.small_val_fraction,
                   help='0: small models select their weights on the whole regional val split; '
                        '> 0: hold this fraction of the N regional samples out as their only '
                        'validation data (all regional labels = the N samples)')
    p.add_argument('--teacher-unseen-regions', action='store_true',
                   help='train the teacher without the regions\' profile domains (regional '
                        'atmospheres the large model never saw)')
    p.add_argument('--quick', action='store_true',
                   help='smoke run: LST only, 3 search trials, 3 repeats, fewer steps')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=None, help='also write the markdown here')
    args = p.parse_args(argv)
    settings = AKKDSettings(**{f.name: getattr(args, f.name)
                               for f in dataclasses.fields(AKKDSettings)})
    return (quick(settings) if args.quick else settings), args


def main(argv=None):
    settings, args = parse_args(argv)
    torch.set_num_threads(args.threads)
    text = run_akkd(settings, log=lambda s: print(s, file=sys.stderr, flush=True))
    print(text)
    if args.out:
        write_text(args.out, text + '\n')
    return text


if __name__ == '__main__':
    main()
