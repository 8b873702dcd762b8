"""Fit normalization statistics on the TRAIN split of a dataset config and write them as JSON.

    python tools/dataset_converters/compute_stats.py CONFIG [--out PATH]

Reads ``train_dataloader.dataset`` of CONFIG (its pipeline is replaced by ``LoadLSTSample``),
computes per-band mean/std(n−1)/min/max over valid pixels of every training sample (HR LST,
LR LST, guidance bands), pools them without holding all pixels in memory
(:func:`groklst.datasets.stats.fit_stats`), and writes
``{lst, lr_lst, guidance: {band: ...}, fitted_on: 'train'}`` to ``--out`` (default: the config's
``stats_file``) atomically. The val and test splits are never read.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config

from groklst.datasets.stats import fit_stats
from groklst.fileio.json_io import write_json


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--out', help="output JSON (default: the config's stats_file)")
    args = p.parse_args(argv)
    cfg = Config.fromfile(args.config)
    out = args.out or cfg.get('stats_file')
    if not out:
        raise SystemExit(f'{args.config} defines no stats_file; pass --out')
    stats = fit_stats(cfg.train_dataloader.dataset.to_dict())
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    write_json(out, stats, indent=2)
    print(f"wrote {out}: LST mean {stats['lst']['mean']:.2f} K, std {stats['lst']['std']:.2f} K "
          f"from {stats['n_samples']} training samples")


if __name__ == '__main__':
    main()
