"""SFTL: pre-train on simulations, fine-tune on a small target domain, evaluate across domains.

Our analogue of Heidarian et al. 2025 (Remote Sens. 17(23):3803), on the groklst simulator:

* source domain S (stage 1): simulated GF5-02 VIMI samples (10.80 / 11.95 um pair), every
  profile except the dry mid-latitude ones, natural surfaces;
* target domain A (stage 2, "site A"): dry mid-latitude profiles, soil / rock / man-made
  surfaces, a BT calibration bias (default +0.8 K at 10.8 um, +0.3 K at 11.95 um), only
  ``--target-samples`` labelled samples (+ ``--target-val`` for model selection);
* cross domain B (stage 3, "site B"): humid-tropical profiles, vegetation / npv / water, the
  same calibration bias, never used for training.

Inputs BT_a, BT_b, WVC, dBT, WVC x dBT (no emissivity, as in the paper). Models: DNN,
Transformer on feature tokens and 1-D CNN, each pre-trained on S then fine-tuned on A with
Full, Head-only, Gradual unfreezing, Adapter and LoRA; baselines trained on A only (DNN,
RandomForest, LightGBM), the split-window algorithm (JM 2014 form) fitted on S (and refitted
on A), and the networks without fine-tuning. Ablation: the DNN without WVC x dBT.

Fixed seeds (simulation 0, split 0, pre-training 0, fine-tuning ``--seeds``); the experiment is
:mod:`groklst.models.retrievers.experiments.sftl`. Prints the markdown table and the runtime;
``--out`` writes it too.

    .venv/bin/python tools/retrieval/sftl_experiment.py --out work_dirs/sftl/table.md
    .venv/bin/python tools/retrieval/sftl_experiment.py --quick      # smoke run, ~1 min
"""
import argparse
import dataclasses
import time

import torch

from groklst.fileio.text import write_text
from groklst.models.retrievers.experiments.sftl import SFTLSettings, quick, run_sftl
from groklst.models.retrievers.sftl import ARCHITECTURES, SPLIT_WINDOW_PAIRS


def parse_args(argv=None):
    """The command line as ``(settings, args)``; ``--quick`` applies :func:`quick`."""
    defaults = SFTLSettings()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sensor', default=defaults.sensor,
                   choices=sorted(SPLIT_WINDOW_PAIRS))
    p.add_argument('--n', type=int, default=defaults.n, help='simulated samples (all domains)')
    p.add_argument('--sim-seed', type=int, default=defaults.sim_seed)
    p.add_argument('--source-samples', type=int, default=defaults.source_samples)
    p.add_argument('--target-samples', type=int, default=defaults.target_samples)
    p.add_argument('--target-val', type=int, default=defaults.target_val)
    p.add_argument('--bt-bias', type=float, nargs=2, default=defaults.bt_bias,
                   help='calibration bias (K) added to the two target BTs')
    p.add_argument('--pretrain-steps', type=int, default=defaults.pretrain_steps)
    p.add_argument('--pretrain-batch', type=int, default=defaults.pretrain_batch)
    p.add_argument('--pretrain-lr', type=float, default=defaults.pretrain_lr)
    p.add_argument('--ft-steps', type=int, default=defaults.ft_steps)
    p.add_argument('--ft-batch', type=int, default=defaults.ft_batch)
    p.add_argument('--ft-lr', type=float, default=defaults.ft_lr)
    p.add_argument('--seeds', type=int, nargs='+', default=defaults.seeds,
                   help='fine-tuning / direct-training seeds (mean ± std reported)')
    p.add_argument('--archs', nargs='+', default=defaults.archs, choices=ARCHITECTURES)
    p.add_argument('--no-ablation', action='store_true')
    p.add_argument('--quick', action='store_true',
                   help='smoke run: 20 000 samples, 300 pre-training and 100 fine-tuning '
                        'steps, one seed')
    p.add_argument('--cache-dir', default=defaults.cache_dir)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default=None)
    args = p.parse_args(argv)
    settings = SFTLSettings(**{f.name: getattr(args, f.name)
                               for f in dataclasses.fields(SFTLSettings)})
    return (quick(settings) if args.quick else settings), args


def main(argv=None):
    settings, args = parse_args(argv)
    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)

    def log(msg):
        print(f'  [{time.perf_counter() - t0:5.0f} s] {msg}', flush=True)

    rows, out = run_sftl(settings, log)
    print(out)
    if args.out:
        write_text(args.out, out + '\n')
    return rows


if __name__ == '__main__':
    main()
