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

Fixed seeds (simulation 0, split 0, pre-training 0, fine-tuning ``--seeds``); prints the
markdown table and the runtime; ``--out`` writes it too.

    .venv/bin/python tools/retrieval/sftl_experiment.py --out work_dirs/sftl/table.md
    .venv/bin/python tools/retrieval/sftl_experiment.py --quick      # smoke run, ~1 min
"""
import argparse
import copy
import os
import os.path as osp
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import torch  # noqa: E402

from groklst.evaluation.functional_retrieval import regression_metrics  # noqa: E402
from groklst.models.finetune.strategies import count_parameters  # noqa: E402
from groklst.models.retrievers.sftl import (ARCHITECTURES, SPLIT_WINDOW_PAIRS,  # noqa: E402
                                            build_sftl_retriever, finetune, fit_split_window,
                                            norm_stats_from_arrays, predict_lst,
                                            select_domain, sftl_features, split_window_lst,
                                            train_retriever)

STRATEGIES = ('full', 'head_only', 'gradual', 'adapter', 'lora')
STRATEGY_LABEL = dict(full='Full', head_only='Head-only', gradual='Gradual', adapter='Adapter',
                      lora='LoRA')
ARCH_LABEL = dict(dnn='DNN', transformer='Transformer', cnn='1-D CNN')
NATURAL = ['npv', 'rock', 'soil', 'vegetation', 'water']
DOMAIN_A = dict(profile_domain='dry_midlatitudes', surface_classes=['soil', 'rock', 'manmade'])
DOMAIN_B = dict(profile_domain='humid_tropics', surface_classes=['vegetation', 'npv', 'water'])


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sensor', default='gf5_vimi_tir', choices=sorted(SPLIT_WINDOW_PAIRS))
    p.add_argument('--n', type=int, default=60000, help='simulated samples (all domains)')
    p.add_argument('--sim-seed', type=int, default=0)
    p.add_argument('--source-samples', type=int, default=20000)
    p.add_argument('--target-samples', type=int, default=300)
    p.add_argument('--target-val', type=int, default=100)
    p.add_argument('--bt-bias', type=float, nargs=2, default=[0.8, 0.3],
                   help='calibration bias (K) added to the two target BTs')
    p.add_argument('--pretrain-steps', type=int, default=1500)
    p.add_argument('--pretrain-batch', type=int, default=256)
    p.add_argument('--pretrain-lr', type=float, default=2e-3)
    p.add_argument('--ft-steps', type=int, default=200)
    p.add_argument('--ft-batch', type=int, default=64)
    p.add_argument('--ft-lr', type=float, default=1e-3)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2],
                   help='fine-tuning / direct-training seeds (mean ± std reported)')
    p.add_argument('--archs', nargs='+', default=list(ARCHITECTURES), choices=ARCHITECTURES)
    p.add_argument('--no-ablation', action='store_true')
    p.add_argument('--quick', action='store_true',
                   help='smoke run: 20 000 samples, 300 pre-training and 100 fine-tuning '
                        'steps, one seed')
    p.add_argument('--cache-dir', default=osp.join('data', 'simulated'))
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default=None)
    args = p.parse_args(argv)
    if args.quick:
        args.n, args.source_samples = 20000, 8000
        args.pretrain_steps, args.ft_steps, args.seeds = 300, 100, args.seeds[:1]
    return args


def load_domains(args, features):
    a, b = SPLIT_WINDOW_PAIRS[args.sensor]
    sim = dict(sensor=args.sensor, n_samples=args.n, seed=args.sim_seed,
               surface_classes=tuple(sorted(NATURAL + ['manmade'])))
    bias = {a: args.bt_bias[0], b: args.bt_bias[1]}
    common = dict(simulation=sim, features=features, cache_dir=args.cache_dir)
    src = dict(surface_classes=NATURAL, exclude_profile_domains=[DOMAIN_A['profile_domain']])
    return {
        'S_train': select_domain(split='train', max_samples=args.source_samples, **src,
                                 **common),
        'S_val': select_domain(split='val', max_samples=2000, **src, **common),
        'S_test': select_domain(split='test', **src, **common),
        'A_train': select_domain(split='train', max_samples=args.target_samples,
                                 bt_bias=bias, **DOMAIN_A, **common),
        'A_val': select_domain(split='val', max_samples=args.target_val, bt_bias=bias,
                               **DOMAIN_A, **common),
        'A_test': select_domain(split='test', bt_bias=bias, **DOMAIN_A, **common),
        'B_test': select_domain(split='test', bt_bias=bias, **DOMAIN_B, **common),
    }


EVAL_SETS = ('S_test', 'A_test', 'B_test')


def scores(predict, d):
    """{set: regression_metrics} of a callable ``predict(domain dict) -> LST (N,)``."""
    return {s: regression_metrics(predict(d[s]), d[s]['y'][:, 0].double().numpy())
            for s in EVAL_SETS}


def net_scores(model, d):
    return scores(lambda dom: predict_lst(model, dom['x']), d)


def fmt(values, digits=2):
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return f'{values[0]:.{digits}f}'
    return f'{values.mean():.{digits}f} ± {values.std():.{digits}f}'


def table(rows):
    lines = ['| model | strategy | trainable params | S RMSE (K) | A RMSE (K) | A R² | A BIAS (K) '
             '| B RMSE (K) | B R² | B BIAS (K) |', '|---' * 10 + '|']
    for (model, strategy), runs in rows.items():
        params = runs[0].get('params', '')
        cells = [fmt([r['S_test']['RMSE'] for r in runs]),
                 fmt([r['A_test']['RMSE'] for r in runs]),
                 fmt([r['A_test']['R2'] for r in runs], 3),
                 fmt([r['A_test']['BIAS'] for r in runs]),
                 fmt([r['B_test']['RMSE'] for r in runs]),
                 fmt([r['B_test']['R2'] for r in runs], 3),
                 fmt([r['B_test']['BIAS'] for r in runs])]
        lines.append(f'| {model} | {strategy} | {params} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def tree_baselines(d, seed):
    from lightgbm import LGBMRegressor
    from sklearn.ensemble import RandomForestRegressor
    x, y = d['A_train']['x'].numpy(), d['A_train']['y'][:, 0].numpy()
    rf = RandomForestRegressor(n_estimators=200, min_samples_leaf=2, random_state=seed,
                               n_jobs=1).fit(x, y)
    gbm = LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=15,
                        min_child_samples=10, subsample=0.8, subsample_freq=1,
                        random_state=seed, n_jobs=1, verbose=-1).fit(x, y)
    return ({**scores(lambda dom: rf.predict(dom['x'].numpy()), d)},
            {**scores(lambda dom: gbm.predict(dom['x'].numpy()), d)})


def run_feature_set(args, features, archs, with_baselines, log):
    """All rows of one feature set: {(model, strategy): [metrics per seed]}."""
    d = load_domains(args, features)
    rows = {}
    t_a = d['A_train']
    if with_baselines:
        k_a, k_b = 0, 1  # the split-window pair are bands 0 and 1 of the features' bands
        bands = list(SPLIT_WINDOW_PAIRS[args.sensor])
        from groklst.physics.srf import get_sensor
        names = get_sensor(args.sensor).band_names
        ia, ib = names.index(bands[k_a]), names.index(bands[k_b])

        def sw(coef):
            return lambda dom: split_window_lst(dom['bt'][:, ia], dom['bt'][:, ib],
                                                dom['lse'][:, ia], dom['lse'][:, ib],
                                                dom['wvc'], coef)

        def fit(dom):
            return fit_split_window(dom['bt'][:, ia], dom['bt'][:, ib], dom['lse'][:, ia],
                                    dom['lse'][:, ib], dom['wvc'], dom['y'][:, 0].numpy())
        if args.sensor == 'landsat8_tirs':
            rows[('Split-window, JM 2014 coefficients', '-')] = [scores(sw(None), d)]
        rows[('Split-window, fitted on S', '-')] = [scores(sw(fit(d['S_train'])), d)]
        rows[('Split-window, refitted on A', '-')] = [scores(sw(fit(t_a)), d)]
        rows[('RandomForest (A only)', 'direct')] = []
        rows[('LightGBM (A only)', 'direct')] = []
        for seed in args.seeds:
            rf, gbm = tree_baselines(d, seed)
            rows[('RandomForest (A only)', 'direct')].append(rf)
            rows[('LightGBM (A only)', 'direct')].append(gbm)
        log('baselines done')
    src_stats = norm_stats_from_arrays(d['S_train']['x'].numpy(), d['S_train']['y'].numpy(),
                                       features)
    tgt_stats = norm_stats_from_arrays(t_a['x'].numpy(), t_a['y'].numpy(), features)
    train_a, val_a = (t_a['x'], t_a['y']), (d['A_val']['x'], d['A_val']['y'])
    for arch in archs:
        label = ARCH_LABEL[arch]
        direct = []
        for seed in (args.seeds if arch == 'dnn' else []):
            torch.manual_seed(seed)
            model = build_sftl_retriever(arch, features, tgt_stats)
            train_retriever(model, train_a, val_a, args.ft_steps * 3, args.ft_batch,
                            args.pretrain_lr, seed)
            direct.append(dict(net_scores(model, d), params=count_parameters(model)))
        if direct:
            rows[(f'{label} (A only)', 'direct')] = direct
        torch.manual_seed(0)
        source = build_sftl_retriever(arch, features, src_stats)
        train_retriever(source, (d['S_train']['x'], d['S_train']['y']),
                        (d['S_val']['x'], d['S_val']['y']), args.pretrain_steps,
                        args.pretrain_batch, args.pretrain_lr, seed=0,
                        eval_every=max(1, args.pretrain_steps // 6))
        rows[(label, 'none (pre-trained on S)')] = [dict(net_scores(source, d), params='0')]
        log(f'pre-trained {label}: A RMSE '
            f"{rows[(label, 'none (pre-trained on S)')][0]['A_test']['RMSE']:.2f} K")
        for strategy in STRATEGIES:
            runs = []
            for seed in args.seeds:
                torch.manual_seed(seed)
                model = copy.deepcopy(source)
                finetune(model, strategy, train_a, val_a, args.ft_steps, args.ft_batch,
                         args.ft_lr, seed)
                runs.append(dict(net_scores(model, d), params=count_parameters(model)))
            rows[(label, STRATEGY_LABEL[strategy])] = runs
            log(f'fine-tuned {label} / {strategy}: A RMSE '
                f"{fmt([r['A_test']['RMSE'] for r in runs])} K")
    return rows, d


def main(argv=None):
    args = parse_args(argv)
    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)

    def log(msg):
        print(f'  [{time.perf_counter() - t0:5.0f} s] {msg}', flush=True)

    features = sftl_features(args.sensor)
    rows, d = run_feature_set(args, features, args.archs, True, log)
    a, b = SPLIT_WINDOW_PAIRS[args.sensor]
    n = {k: len(v['rows']) for k, v in d.items()}
    text = [f"Sensor {args.sensor}, split-window pair {a}/{b}; simulation of {args.n} samples "
            f"(seed {args.sim_seed}). S = source (train {n['S_train']}, test {n['S_test']}); "
            f"A = target (train {n['A_train']}, val {n['A_val']}, test {n['A_test']}); "
            f"B = cross domain (test {n['B_test']}); BT bias on A and B: +{args.bt_bias[0]} K "
            f"({a}), +{args.bt_bias[1]} K ({b}). Features {features}. Pre-training "
            f"{args.pretrain_steps} steps of {args.pretrain_batch}; fine-tuning {args.ft_steps} "
            f"steps of {args.ft_batch}, lr {args.ft_lr}; seeds {args.seeds} (mean ± std).", '',
            table(rows)]
    if not args.no_ablation:
        no_prod = sftl_features(args.sensor, with_product=False)
        ab_rows, _ = run_feature_set(args, no_prod, ['dnn'], False, log)
        text += ['', f'Ablation without WVC × ΔBT (features {no_prod}):', '', table(ab_rows)]
    runtime = time.perf_counter() - t0
    text += ['', f'Runtime: {runtime:.0f} s ({args.threads} CPU thread(s)).']
    out = '\n'.join(text)
    print(out)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(out + '\n')
    return rows


if __name__ == '__main__':
    main()
