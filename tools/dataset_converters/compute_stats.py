"""Fit normalization statistics on the TRAIN split of a dataset config and write them as JSON.

    python tools/dataset_converters/compute_stats.py CONFIG [--out PATH]

Reads ``train_dataloader.dataset`` of CONFIG (its pipeline is replaced by ``LoadLSTSample``),
computes per-band mean/std(n−1)/min/max over valid pixels of every training sample (HR LST,
LR LST, guidance bands), pools them without holding all pixels in memory, and writes
``{lst, lr_lst, guidance: {band: ...}, fitted_on: 'train'}`` to ``--out`` (default: the config's
``stats_file``). The val and test splits are never read.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config  # noqa: E402


def fit_stats(dataset_cfg: dict) -> dict:
    """Statistics of one dataset config (split must be 'train' or 'trainval')."""
    from groklst.datasets.stats import compute_band_stats, merge_band_stats
    from groklst.registry import DATASETS
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = dict(dataset_cfg, pipeline=[dict(type='LoadLSTSample')], test_mode=False)
    if cfg.get('split') not in ('train', 'trainval'):
        raise ValueError(f"statistics must be fitted on the training split, got {cfg.get('split')}")
    dataset = DATASETS.build(cfg)
    parts = dict(lst=[], lr_lst=[], guidance=[])
    bands = None
    for i in range(len(dataset)):
        r = dataset[i]
        if r['gt_mask'].sum() >= 2:
            parts['lst'].append(compute_band_stats(r['gt_lst'], r['gt_mask'], ['lst']))
        if r['lr_mask'].sum() >= 2:
            parts['lr_lst'].append(compute_band_stats(r['lr_lst'], r['lr_mask'], ['lr_lst']))
        if r.get('guidance') is not None:
            bands = r['guidance_bands']
            parts['guidance'].append(compute_band_stats(r['guidance'], None, bands))
    out = dict(lst=merge_band_stats(parts['lst'])['lst'],
               lr_lst=merge_band_stats(parts['lr_lst'])['lr_lst'],
               fitted_on=cfg['split'], n_samples=len(dataset))
    if parts['guidance']:
        out['guidance'] = merge_band_stats(parts['guidance'])
    return out


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
    tmp = out + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(stats, f, indent=2)
    os.replace(tmp, out)
    print(f"wrote {out}: LST mean {stats['lst']['mean']:.2f} K, std {stats['lst']['std']:.2f} K "
          f"from {stats['n_samples']} training samples")


if __name__ == '__main__':
    main()
