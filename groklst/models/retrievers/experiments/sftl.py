"""SFTL: pre-train on simulations, fine-tune on a small target domain, evaluate across domains.

Our analogue of Heidarian et al. 2025 (Remote Sens. 17(23):3803), on the groklst simulator:

* source domain S (stage 1): simulated GF5-02 VIMI samples (10.80 / 11.95 um pair), every
  profile except the dry mid-latitude ones, natural surfaces;
* target domain A (stage 2, "site A"): dry mid-latitude profiles, soil / rock / man-made
  surfaces, a BT calibration bias (default +0.8 K at 10.8 um, +0.3 K at 11.95 um), only
  ``target_samples`` labelled samples (+ ``target_val`` for model selection);
* cross domain B (stage 3, "site B"): humid-tropical profiles, vegetation / npv / water, the
  same calibration bias, never used for training.

Inputs BT_a, BT_b, WVC, dBT, WVC x dBT (no emissivity, as in the paper). Models: DNN,
Transformer on feature tokens and 1-D CNN, each pre-trained on S then fine-tuned on A with
Full, Head-only, Gradual unfreezing, Adapter and LoRA; baselines trained on A only (DNN,
RandomForest, LightGBM), the split-window algorithm (JM 2014 form) fitted on S (and refitted
on A), and the networks without fine-tuning. Ablation: the DNN without WVC x dBT.

Fixed seeds (simulation 0, split 0, pre-training 0, fine-tuning ``seeds``).
"""
import copy
import dataclasses
import os.path as osp
import time
from typing import List, Sequence

import numpy as np
import torch

from groklst.evaluation.functional_retrieval import regression_metrics
from groklst.models.finetune.strategies import count_parameters
from groklst.models.retrievers.sftl import (ARCHITECTURES, SPLIT_WINDOW_PAIRS,
                                            build_sftl_retriever, finetune, fit_split_window,
                                            norm_stats_from_arrays, predict_lst, select_domain,
                                            sftl_features, split_window_lst, train_retriever)

STRATEGIES = ('full', 'head_only', 'gradual', 'adapter', 'lora')
STRATEGY_LABEL = dict(full='Full', head_only='Head-only', gradual='Gradual', adapter='Adapter',
                      lora='LoRA')
ARCH_LABEL = dict(dnn='DNN', transformer='Transformer', cnn='1-D CNN')
NATURAL = ['npv', 'rock', 'soil', 'vegetation', 'water']
DOMAIN_A = dict(profile_domain='dry_midlatitudes', surface_classes=['soil', 'rock', 'manmade'])
DOMAIN_B = dict(profile_domain='humid_tropics', surface_classes=['vegetation', 'npv', 'water'])


@dataclasses.dataclass
class SFTLSettings:
    """Settings of :func:`run_sftl`; the defaults are the run of ``docs/retrieval.md``.

    Attributes:
        sensor: of :data:`~groklst.models.retrievers.sftl.SPLIT_WINDOW_PAIRS`.
        n / sim_seed: simulated samples (all domains) and their seed.
        source_samples: training samples of the source domain S.
        target_samples / target_val: labelled training / validation samples of the target A.
        bt_bias: calibration bias (K) added to the two split-window BTs of A and B.
        pretrain_steps / pretrain_batch / pretrain_lr: stage 1 on S.
        ft_steps / ft_batch / ft_lr: stage 2 on A.
        seeds: fine-tuning / direct-training seeds (mean ± std reported).
        archs: of :data:`~groklst.models.retrievers.sftl.ARCHITECTURES`.
        no_ablation: skip the DNN without WVC x dBT.
        cache_dir: simulation cache (relative to the working directory).
    """
    sensor: str = 'gf5_vimi_tir'
    n: int = 60000
    sim_seed: int = 0
    source_samples: int = 20000
    target_samples: int = 300
    target_val: int = 100
    bt_bias: List[float] = dataclasses.field(default_factory=lambda: [0.8, 0.3])
    pretrain_steps: int = 1500
    pretrain_batch: int = 256
    pretrain_lr: float = 2e-3
    ft_steps: int = 200
    ft_batch: int = 64
    ft_lr: float = 1e-3
    seeds: List[int] = dataclasses.field(default_factory=lambda: [0, 1, 2])
    archs: List[str] = dataclasses.field(default_factory=lambda: list(ARCHITECTURES))
    no_ablation: bool = False
    cache_dir: str = osp.join('data', 'simulated')


def quick(cfg: SFTLSettings) -> SFTLSettings:
    """The smoke run (``--quick``) of ``cfg``: 20 000 samples (8 000 source), 300 pre-training
    and 100 fine-tuning steps, the first seed only."""
    return dataclasses.replace(cfg, n=20000, source_samples=8000, pretrain_steps=300,
                               ft_steps=100, seeds=cfg.seeds[:1])


def load_domains(cfg: SFTLSettings, features: Sequence[str]) -> dict:
    """The seven domain sets of the experiment (``S_train``, ``S_val``, ``S_test``,
    ``A_train``, ``A_val``, ``A_test``, ``B_test``), each a dict of
    :func:`~groklst.models.retrievers.sftl.select_domain` (``x`` (N, F), ``y`` (N, 1) LST in K,
    ``bt``, ``lse``, ``wvc``, ``rows``), the target and cross domains with the BT bias."""
    a, b = SPLIT_WINDOW_PAIRS[cfg.sensor]
    sim = dict(sensor=cfg.sensor, n_samples=cfg.n, seed=cfg.sim_seed,
               surface_classes=tuple(sorted(NATURAL + ['manmade'])))
    bias = {a: cfg.bt_bias[0], b: cfg.bt_bias[1]}
    common = dict(simulation=sim, features=features, cache_dir=cfg.cache_dir)
    src = dict(surface_classes=NATURAL, exclude_profile_domains=[DOMAIN_A['profile_domain']])
    return {
        'S_train': select_domain(split='train', max_samples=cfg.source_samples, **src,
                                 **common),
        'S_val': select_domain(split='val', max_samples=2000, **src, **common),
        'S_test': select_domain(split='test', **src, **common),
        'A_train': select_domain(split='train', max_samples=cfg.target_samples,
                                 bt_bias=bias, **DOMAIN_A, **common),
        'A_val': select_domain(split='val', max_samples=cfg.target_val, bt_bias=bias,
                               **DOMAIN_A, **common),
        'A_test': select_domain(split='test', bt_bias=bias, **DOMAIN_A, **common),
        'B_test': select_domain(split='test', bt_bias=bias, **DOMAIN_B, **common),
    }


EVAL_SETS = ('S_test', 'A_test', 'B_test')


def scores(predict, d):
    """{set: regression_metrics} of a callable ``predict(domain dict) -> LST (N,)``."""
    return {s: regression_metrics(predict(d[s]), d[s]['y'][:, 0].double().numpy())
            for s in EVAL_SETS}


def net_scores(model, d) -> dict:
    """:func:`scores` of a retriever ``model``."""
    return scores(lambda dom: predict_lst(model, dom['x']), d)


def fmt(values, digits=2) -> str:
    """``mean ± std`` of ``values`` (one value as is)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return f'{values[0]:.{digits}f}'
    return f'{values.mean():.{digits}f} ± {values.std():.{digits}f}'


def table(rows: dict) -> str:
    """Markdown table of ``rows`` ((model, strategy) -> list of per-seed :func:`scores` dicts
    with ``params``): RMSE on S, RMSE / R² / BIAS on A and B (K)."""
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


def tree_baselines(d: dict, seed: int) -> tuple:
    """:func:`scores` of a RandomForest and a LightGBM trained on ``A_train`` only."""
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


def run_feature_set(cfg: SFTLSettings, features: Sequence[str], archs: Sequence[str],
                    with_baselines: bool, log=print) -> tuple:
    """All rows of one feature set: ``({(model, strategy): [metrics per seed]}, domains)``
    (with the split-window and tree baselines when ``with_baselines``)."""
    d = load_domains(cfg, features)
    rows = {}
    t_a = d['A_train']
    if with_baselines:
        k_a, k_b = 0, 1  # the split-window pair are bands 0 and 1 of the features' bands
        bands = list(SPLIT_WINDOW_PAIRS[cfg.sensor])
        from groklst.physics.srf import get_sensor
        names = get_sensor(cfg.sensor).band_names
        ia, ib = names.index(bands[k_a]), names.index(bands[k_b])

        def sw(coef):
            return lambda dom: split_window_lst(dom['bt'][:, ia], dom['bt'][:, ib],
                                                dom['lse'][:, ia], dom['lse'][:, ib],
                                                dom['wvc'], coef)

        def fit(dom):
            return fit_split_window(dom['bt'][:, ia], dom['bt'][:, ib], dom['lse'][:, ia],
                                    dom['lse'][:, ib], dom['wvc'], dom['y'][:, 0].numpy())
        if cfg.sensor == 'landsat8_tirs':
            rows[('Split-window, JM 2014 coefficients', '-')] = [scores(sw(None), d)]
        rows[('Split-window, fitted on S', '-')] = [scores(sw(fit(d['S_train'])), d)]
        rows[('Split-window, refitted on A', '-')] = [scores(sw(fit(t_a)), d)]
        rows[('RandomForest (A only)', 'direct')] = []
        rows[('LightGBM (A only)', 'direct')] = []
        for seed in cfg.seeds:
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
        for seed in (cfg.seeds if arch == 'dnn' else []):
            torch.manual_seed(seed)
            model = build_sftl_retriever(arch, features, tgt_stats)
            train_retriever(model, train_a, val_a, cfg.ft_steps * 3, cfg.ft_batch,
                            cfg.pretrain_lr, seed)
            direct.append(dict(net_scores(model, d), params=count_parameters(model)))
        if direct:
            rows[(f'{label} (A only)', 'direct')] = direct
        torch.manual_seed(0)
        source = build_sftl_retriever(arch, features, src_stats)
        train_retriever(source, (d['S_train']['x'], d['S_train']['y']),
                        (d['S_val']['x'], d['S_val']['y']), cfg.pretrain_steps,
                        cfg.pretrain_batch, cfg.pretrain_lr, seed=0,
                        eval_every=max(1, cfg.pretrain_steps // 6))
        rows[(label, 'none (pre-trained on S)')] = [dict(net_scores(source, d), params='0')]
        log(f'pre-trained {label}: A RMSE '
            f"{rows[(label, 'none (pre-trained on S)')][0]['A_test']['RMSE']:.2f} K")
        for strategy in STRATEGIES:
            runs = []
            for seed in cfg.seeds:
                torch.manual_seed(seed)
                model = copy.deepcopy(source)
                finetune(model, strategy, train_a, val_a, cfg.ft_steps, cfg.ft_batch,
                         cfg.ft_lr, seed)
                runs.append(dict(net_scores(model, d), params=count_parameters(model)))
            rows[(label, STRATEGY_LABEL[strategy])] = runs
            log(f'fine-tuned {label} / {strategy}: A RMSE '
                f"{fmt([r['A_test']['RMSE'] for r in runs])} K")
    return rows, d


def run_sftl(cfg: SFTLSettings, log=print) -> tuple:
    """The experiment (module docstring).

    Returns:
        ``(rows, text)``: the rows of the main feature set (see :func:`run_feature_set`) and
        the markdown (settings, table, ablation, runtime with ``torch.get_num_threads()``
        threads). ``log`` receives progress lines.
    """
    t0 = time.perf_counter()
    features = sftl_features(cfg.sensor)
    rows, d = run_feature_set(cfg, features, cfg.archs, True, log)
    a, b = SPLIT_WINDOW_PAIRS[cfg.sensor]
    n = {k: len(v['rows']) for k, v in d.items()}
    text = [f"Sensor {cfg.sensor}, split-window pair {a}/{b}; simulation of {cfg.n} samples "
            f"(seed {cfg.sim_seed}). S = source (train {n['S_train']}, test {n['S_test']}); "
            f"A = target (train {n['A_train']}, val {n['A_val']}, test {n['A_test']}); "
            f"B = cross domain (test {n['B_test']}); BT bias on A and B: +{cfg.bt_bias[0]} K "
            f"({a}), +{cfg.bt_bias[1]} K ({b}). Features {features}. Pre-training "
            f"{cfg.pretrain_steps} steps of {cfg.pretrain_batch}; fine-tuning {cfg.ft_steps} "
            f"steps of {cfg.ft_batch}, lr {cfg.ft_lr}; seeds {cfg.seeds} (mean ± std).", '',
            table(rows)]
    if not cfg.no_ablation:
        no_prod = sftl_features(cfg.sensor, with_product=False)
        ab_rows, _ = run_feature_set(cfg, no_prod, ['dnn'], False, log)
        text += ['', f'Ablation without WVC × ΔBT (features {no_prod}):', '', table(ab_rows)]
    runtime = time.perf_counter() - t0
    text += ['', f'Runtime: {runtime:.0f} s ({torch.get_num_threads()} CPU thread(s)).']
    return rows, '\n'.join(text)
