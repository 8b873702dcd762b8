"""AK-KD on simulated ASTER TIR data: all tables of the experiment.

Dai, Mao et al. 2025, "Joint optimization of AI large and small models for surface temperature
and emissivity retrieval using knowledge distillation" (Artificial Intelligence in Agriculture,
doi:10.1016/j.aiia.2025.03.009). Inputs BT10-14 (K); one regression model per target (LST in K,
LSE10-14). :func:`run_akkd` produces, with fixed seeds:

1. architecture search (paper Table 1; :mod:`.akkd_search`), skipped with ``search_trials=0``;
2. band-combination study: every 1- to 5-band subset (31) with a fixed small MLP (Table 2);
3. the global teacher ("large model") per target and, per hard region (profile domain, a few
   hundred training samples), the undistilled small model, the GOC-distilled student, the
   dataset-distilled student (composite labels) and the teacher on the region (Table 5);
4. the pre-distillation alpha sweep on LST of the first region: ``repeats`` distillations per
   alpha, one-sample t-test against the undistilled accuracy, relative utility f(t);
5. the joint model routing each test sample of the regions to its region's student;
6. the KD gain on LST against the size of the regional training set (``size_sweep``).
"""
import dataclasses
import itertools
import time
from typing import List, Optional

import numpy as np
import torch

from groklst.evaluation.functional_retrieval import regression_metrics
from groklst.models.retrievers.kd import (RoutedRetriever, alpha_sweep_statistics, choose_alpha,
                                          composite_labels)
from groklst.models.retrievers.mlp_retriever import MLPRetriever
from groklst.models.retrievers.training import predict_physical

from .akkd_search import (BAND_LABELS, BANDS, TARGET_LABELS, TARGETS, Split, run_search, scores,
                          search_table, train_mlp)


@dataclasses.dataclass
class AKKDSettings:
    """Settings of :func:`run_akkd`; the defaults are the run of ``docs/retrieval.md``.

    Attributes:
        targets: of :data:`~.akkd_search.TARGETS` (``lst``, ``lse:0`` ... ``lse:4``).
        regions: hard regions (profile domains of ``groklst.simulation.PROFILE_DOMAINS``).
        region_samples: training samples of each regional small model.
        teacher_hidden / teacher_steps: the global teacher MLP and its Adam steps (batch 512).
        student_hidden / student_steps: the regional students (full-batch steps).
        alphas / repeats: the alpha sweep (distillations per alpha; < 2 skips the sweep).
        alpha: alpha of Table 5 (None: the sweep's choice, else 0.3).
        seeds: training seeds of Table 5 and the size sweep (mean over them).
        search_trials: architecture-search trials (0 skips it).
        band_steps / band_train_samples: the band study (0 steps skips it).
        size_sweep: regional training-set sizes of the LST KD-gain table (empty: skip).
        small_val_fraction: 0: students select their weights on the whole regional val split;
            > 0: this fraction of the N regional samples is their only validation data.
        teacher_unseen_regions: train the teacher without the regions' profile domains.
    """
    targets: List[str] = dataclasses.field(default_factory=lambda: list(TARGETS))
    regions: List[str] = dataclasses.field(
        default_factory=lambda: ['humid_tropics', 'dry_midlatitudes'])
    region_samples: int = 100
    teacher_hidden: List[int] = dataclasses.field(default_factory=lambda: [128, 128, 128])
    teacher_steps: int = 1500
    student_hidden: List[int] = dataclasses.field(default_factory=lambda: [64, 64])
    student_steps: int = 300
    alphas: List[float] = dataclasses.field(
        default_factory=lambda: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    repeats: int = 30
    alpha: Optional[float] = None
    seeds: List[int] = dataclasses.field(default_factory=lambda: [0, 1, 2])
    search_trials: int = 30
    band_steps: int = 300
    band_train_samples: int = 4000
    size_sweep: List[int] = dataclasses.field(
        default_factory=lambda: [10, 20, 30, 100, 300, 1000])
    small_val_fraction: float = 0.0
    teacher_unseen_regions: bool = False


def quick(cfg: AKKDSettings) -> AKKDSettings:
    """The smoke run (``--quick``) of ``cfg``: LST only, 3 search trials, 3 repeats of 5
    alphas, seed 0, fewer steps, regional sizes 30 and 300."""
    return dataclasses.replace(cfg, targets=['lst'], search_trials=3, repeats=3,
                               alphas=[0.1, 0.3, 0.5, 0.7, 0.9], seeds=[0], teacher_steps=600,
                               student_steps=200, band_steps=100, size_sweep=[30, 300])


def band_study(cfg: AKKDSettings, log=print) -> str:
    """Markdown table of MAE (K) / PCC of LST for every subset of BT10-14 (31 subsets; the
    student MLP, ``cfg.band_steps`` steps on ``cfg.band_train_samples`` samples, same seed)."""
    rows = []
    for k in range(1, 6):
        for combo in itertools.combinations(range(5), k):
            inputs = [BANDS[i] for i in combo]
            train = Split('train', ['lst'], inputs, max_samples=cfg.band_train_samples)
            test = Split('test', ['lst'], inputs)
            model = train_mlp(train, None, cfg.student_hidden, steps=cfg.band_steps)
            sc = scores(model, test)
            rows.append(('+'.join(BAND_LABELS[i] for i in combo), sc['MAE'], sc['PCC']))
            log(f'bands {rows[-1][0]}: MAE {sc["MAE"]:.3f} K')
    out = ['| bands | LST MAE (K) | LST PCC |', '|---|---|---|']
    out += [f'| {b} | {m:.3f} | {c:.4f} |' for b, m, c in rows]
    return '\n'.join(out)


def student(train: Split, val: Split, cfg: AKKDSettings, seed: int, teacher_pred=None,
            alpha: float = 1.0, labels=None) -> MLPRetriever:
    """Small model of a region: plain (undistilled), GOC-distilled (``teacher_pred`` (N, T)
    physical teacher predictions, weight ``alpha``) or trained on composite ``labels``."""
    if labels is not None:  # dataset distillation: plain MSE on the composite labels
        train = train.with_targets(labels)
    return train_mlp(train, val, cfg.student_hidden, steps=cfg.student_steps, batch=None,
                     seed=seed, teacher_pred=teacher_pred, alpha=alpha, lr=3e-3)


def regional_sets(region: str, target: str, n: int, cfg: AKKDSettings) -> tuple:
    """``(train, val, test)`` of a regional small model with ``n`` labelled samples.

    With ``cfg.small_val_fraction`` = 0 the weights are selected on the whole regional val
    split; otherwise the last ``round(fraction * n)`` of the ``n`` samples are the only
    validation data, so the small model sees no regional label beyond its ``n``.
    """
    tr = Split('train', [target], profile_domain=region, max_samples=n)
    te = Split('test', [target], profile_domain=region)
    k = int(round(cfg.small_val_fraction * len(tr)))
    if k <= 0:
        return tr, Split('val', [target], profile_domain=region), te
    if k >= len(tr):
        raise ValueError(f'small_val_fraction {cfg.small_val_fraction} leaves no training '
                         f'sample of the {len(tr)} in {region}')
    idx = np.arange(len(tr))
    return tr.subset(idx[:-k]), tr.subset(idx[-k:]), te


def size_sweep(cfg: AKKDSettings, teacher: MLPRetriever, alpha: float, log=print) -> list:
    """Rows of the KD-gain table: plain vs GOC student MAE (K) on N regional training samples
    for each N of ``cfg.size_sweep``, against the teacher on the regional test split."""
    rows = []
    for r in cfg.regions:
        t_mae = None  # the regional test split is the same for every n
        for n in cfg.size_sweep:
            tr, va, te = regional_sets(r, 'lst', n, cfg)
            if t_mae is None:
                t_mae = scores(teacher, te)['MAE']
            t_pred = torch.as_tensor(predict_physical(teacher, tr.x)).float()
            plain = np.mean([scores(student(tr, va, cfg, s), te)['MAE'] for s in cfg.seeds])
            kd = np.mean([scores(student(tr, va, cfg, s, t_pred, alpha), te)['MAE']
                          for s in cfg.seeds])
            rows.append(f'| {r} | {n} | {plain:.3f} | {kd:.3f} | {t_mae:.3f} | '
                        f'{100 * (kd / plain - 1):+.1f}% |')
            log(rows[-1])
    return rows


def run_akkd(cfg: AKKDSettings, log=print) -> str:
    """All tables of the experiment (module docstring) as one markdown text, ending with the
    runtime of each part (``torch.get_num_threads()`` threads). ``log`` receives progress lines.
    """
    t_start = time.perf_counter()
    md = [f'AK-KD on simulated ASTER TIR (BT10-14); regions {cfg.regions} with '
          + (f'{cfg.region_samples} labelled samples each ({cfg.small_val_fraction:g} of '
             'them held out for validation)' if cfg.small_val_fraction > 0 else
             f'{cfg.region_samples} training samples each')
          + f'; teacher {cfg.teacher_hidden}'
          + (' (trained without the regions\' profiles)' if cfg.teacher_unseen_regions else '')
          + ' '
          f'({cfg.teacher_steps} steps), students {cfg.student_hidden} '
          f'({cfg.student_steps} full-batch steps).']
    times = {}

    if cfg.search_trials > 0:
        t0 = time.perf_counter()
        rows = run_search(cfg.search_trials, 'lst', log=log)
        md += ['', '### Architecture search (LST; Table 1 analogue)', '',
               search_table(rows, 'lst')]
        times['search'] = time.perf_counter() - t0

    if cfg.band_steps > 0:
        t0 = time.perf_counter()
        md += ['', '### Band combinations (LST; Table 2 analogue)', '', band_study(cfg, log)]
        times['bands'] = time.perf_counter() - t0

    # teachers: one global large model per target
    t0 = time.perf_counter()
    teachers = {}
    for tg in cfg.targets:
        unseen = cfg.regions if cfg.teacher_unseen_regions else None
        g_tr = Split('train', [tg], exclude_profile_domains=unseen)
        g_va = Split('val', [tg], exclude_profile_domains=unseen)
        teachers[tg] = train_mlp(g_tr, g_va, cfg.teacher_hidden, steps=cfg.teacher_steps,
                                 batch=512, eval_every=250)
        log(f'teacher {tg}: global test {scores(teachers[tg], Split("test", [tg]))}')
    times['teachers'] = time.perf_counter() - t0

    data = {(r, tg): regional_sets(r, tg, cfg.region_samples, cfg)
            for r in cfg.regions for tg in cfg.targets}

    # alpha sweep (pre-distillation) on LST of the first region
    alpha = cfg.alpha
    if 'lst' in cfg.targets and cfg.repeats >= 2:
        t0 = time.perf_counter()
        tr, va, te = data[(cfg.regions[0], 'lst')]
        t_pred = torch.as_tensor(predict_physical(teachers['lst'], tr.x)).float()
        seeds = range(100, 100 + cfg.repeats)
        plain = [scores(student(tr, va, cfg, s), te)['MAE'] for s in seeds]
        ref = float(np.mean(plain))
        table = {}
        for a in cfg.alphas:
            maes = [scores(student(tr, va, cfg, s, t_pred, a), te)['MAE'] for s in seeds]
            table[a] = alpha_sweep_statistics(maes, ref)
            log(f'alpha {a}: {table[a]}')
        chosen = choose_alpha(table)
        if alpha is None:
            alpha = 0.3 if chosen is None else chosen
        md += ['', f'### Pre-distillation alpha sweep (LST, {cfg.regions[0]}, {cfg.repeats} '
               f'repeats; undistilled MAE {ref:.3f} ± {np.std(plain, ddof=1):.3f} K)', '',
               '| alpha | MAE (K) mean ± std | ΔMAE (K) | t | p | f(t) |',
               '|---|---|---|---|---|---|']
        md += [f'| {a:g}{" **chosen**" if a == chosen else ""} | {r["mean"]:.3f} ± '
               f'{r["std"]:.3f} | {r["delta"]:+.3f} | {r["t"]:.2f} | {r["p"]:.2g} | '
               f'{r["f"]:.3f} |' for a, r in table.items()]
        times['alpha sweep'] = time.perf_counter() - t0
    alpha = 0.3 if alpha is None else alpha

    # Table 5: before -> after KD per region and target
    t0 = time.perf_counter()
    md += ['', f'### Before → after KD (Table 5 analogue; alpha = {alpha:g}; mean over seeds '
           f'{cfg.seeds}; regional test splits)', '',
           '| region | target | n test | teacher PCC / MAE | small model PCC / MAE | '
           'GOC student PCC / MAE | composite-label student PCC / MAE | MAE change |',
           '|---|---|---|---|---|---|---|---|']
    routed_students = {tg: {} for tg in cfg.targets}
    for r in cfg.regions:
        for tg in cfg.targets:
            tr, va, te = data[(r, tg)]
            t_pred = torch.as_tensor(predict_physical(teachers[tg], tr.x)).float()
            res = {k: [] for k in ('plain', 'goc', 'comp')}
            for s in cfg.seeds:
                res['plain'].append(scores(student(tr, va, cfg, s), te))
                kd = student(tr, va, cfg, s, t_pred, alpha)
                res['goc'].append(scores(kd, te))
                res['comp'].append(scores(student(tr, va, cfg, s, labels=composite_labels(
                    tr.y, t_pred, alpha)), te))
                if s == cfg.seeds[0]:
                    routed_students[tg][r] = kd
            mean = {k: {m: float(np.mean([v[m] for v in vals])) for m in ('PCC', 'MAE')}
                    for k, vals in res.items()}
            t_sc = scores(teachers[tg], te)
            fmt = (lambda d: f'{d["PCC"]:.4f} / {d["MAE"]:.4f}')
            change = 100 * (mean['goc']['MAE'] / mean['plain']['MAE'] - 1)
            md.append(f'| {r} | {TARGET_LABELS[tg]} | {len(te)} | {fmt(t_sc)} | '
                      f'{fmt(mean["plain"])} | {fmt(mean["goc"])} | {fmt(mean["comp"])} | '
                      f'{change:+.1f}% |')
            log(md[-1])
    times['table 5'] = time.perf_counter() - t0

    # joint model: route every regional test sample to its region's (seed-0) student
    md += ['', '### Joint routed model (regional test samples pooled)', '',
           '| target | n | teacher alone MAE | routed students MAE |', '|---|---|---|---|']
    for tg in cfg.targets:
        router = RoutedRetriever(routed_students[tg], fallback=teachers[tg])
        xs = torch.cat([data[(r, tg)][2].x for r in cfg.regions])
        ys = torch.cat([data[(r, tg)][2].y for r in cfg.regions])[:, 0].double().numpy()
        regions = sum([[r] * len(data[(r, tg)][2]) for r in cfg.regions], [])
        with torch.no_grad():
            routed = router(xs, regions=regions)[:, 0].double().numpy()
        m_t = regression_metrics(predict_physical(teachers[tg], xs)[:, 0], ys)['MAE']
        m_r = regression_metrics(routed, ys)['MAE']
        md.append(f'| {TARGET_LABELS[tg]} | {ys.size} | {m_t:.4f} | {m_r:.4f} |')

    if 'lst' in cfg.targets and cfg.size_sweep:
        t0 = time.perf_counter()
        md += ['', f'### KD gain against the regional training-set size (LST, alpha = {alpha:g}, '
               f'mean over seeds {cfg.seeds})', '',
               '| region | n train | small model MAE (K) | GOC student MAE (K) | teacher MAE (K) '
               '| MAE change |', '|---|---|---|---|---|---|']
        md += size_sweep(cfg, teachers['lst'], alpha, log)
        times['size sweep'] = time.perf_counter() - t0

    total = time.perf_counter() - t_start
    md += ['', 'Runtime: ' + ', '.join(f'{k} {v:.0f} s' for k, v in times.items())
           + f'; total {total:.0f} s ({torch.get_num_threads()} threads).']
    return '\n'.join(md)
