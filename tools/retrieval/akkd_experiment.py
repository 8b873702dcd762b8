"""AK-KD on simulated ASTER TIR data: all tables of the experiment in one command.

Dai, Mao et al. 2025, "Joint optimization of AI large and small models for surface temperature
and emissivity retrieval using knowledge distillation" (Artificial Intelligence in Agriculture,
doi:10.1016/j.aiia.2025.03.009). Inputs BT10-14 (K); one regression model per target (LST in K,
LSE10-14). Produces, with fixed seeds:

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
import itertools
import os.path as osp
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import torch  # noqa: E402

from groklst.evaluation.functional_retrieval import regression_metrics  # noqa: E402
from groklst.models.retrievers.kd import (RoutedRetriever, alpha_sweep_statistics,  # noqa: E402
                                          choose_alpha, composite_labels)
from groklst.models.retrievers.training import predict_physical  # noqa: E402
from tools.retrieval.search_arch import (BAND_LABELS, BANDS, TARGET_LABELS,  # noqa: E402
                                         TARGETS, Split, run_search, scores, search_table,
                                         train_mlp)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--targets', nargs='+', default=TARGETS, choices=TARGETS)
    p.add_argument('--regions', nargs='+', default=['humid_tropics', 'dry_midlatitudes'])
    p.add_argument('--region-samples', type=int, default=100,
                   help='training samples of each regional small model')
    p.add_argument('--teacher-hidden', type=int, nargs='+', default=[128, 128, 128])
    p.add_argument('--teacher-steps', type=int, default=1500)
    p.add_argument('--student-hidden', type=int, nargs='+', default=[64, 64])
    p.add_argument('--student-steps', type=int, default=300)
    p.add_argument('--alphas', type=float, nargs='+',
                   default=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    p.add_argument('--repeats', type=int, default=30, help='distillations per alpha')
    p.add_argument('--alpha', type=float, default=None,
                   help='alpha of Table 5 (default: the sweep choice, else 0.3)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2],
                   help='training seeds of Table 5 (mean over them)')
    p.add_argument('--search-trials', type=int, default=30)
    p.add_argument('--band-steps', type=int, default=300, help='0 skips the band study')
    p.add_argument('--band-train-samples', type=int, default=4000)
    p.add_argument('--size-sweep', type=int, nargs='*', default=[10, 20, 30, 100, 300, 1000],
                   help='regional training-set sizes of the LST KD-gain table (none: skip)')
    p.add_argument('--small-val-fraction', type=float, default=0.0,
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
    if args.quick:
        args.targets, args.search_trials, args.repeats = ['lst'], 3, 3
        args.alphas, args.seeds = [0.1, 0.3, 0.5, 0.7, 0.9], [0]
        args.teacher_steps, args.student_steps, args.band_steps = 600, 200, 100
        args.size_sweep = [30, 300]
    return args


def band_study(args, log):
    """MAE / PCC of LST for every subset of BT10-14 (fixed MLP, same steps and seed)."""
    rows = []
    for k in range(1, 6):
        for combo in itertools.combinations(range(5), k):
            inputs = [BANDS[i] for i in combo]
            train = Split('train', ['lst'], inputs, max_samples=args.band_train_samples)
            test = Split('test', ['lst'], inputs)
            model = train_mlp(train, None, args.student_hidden, steps=args.band_steps)
            sc = scores(model, test)
            rows.append(('+'.join(BAND_LABELS[i] for i in combo), sc['MAE'], sc['PCC']))
            log(f'bands {rows[-1][0]}: MAE {sc["MAE"]:.3f} K')
    out = ['| bands | LST MAE (K) | LST PCC |', '|---|---|---|']
    out += [f'| {b} | {m:.3f} | {c:.4f} |' for b, m, c in rows]
    return '\n'.join(out)


def student(train, val, args, seed, teacher_pred=None, alpha=1.0, labels=None):
    """Small model of a region: plain (undistilled), GOC-distilled or on composite labels."""
    if labels is not None:  # dataset distillation: plain MSE on the composite labels
        train = train.with_targets(labels)
    return train_mlp(train, val, args.student_hidden, steps=args.student_steps, batch=None,
                     seed=seed, teacher_pred=teacher_pred, alpha=alpha, lr=3e-3)


def regional_sets(region, target, n, args):
    """``(train, val, test)`` of a regional small model with ``n`` labelled samples.

    With ``args.small_val_fraction`` = 0 the weights are selected on the whole regional val
    split; otherwise the last ``round(fraction * n)`` of the ``n`` samples are the only
    validation data, so the small model sees no regional label beyond its ``n``.
    """
    tr = Split('train', [target], profile_domain=region, max_samples=n)
    te = Split('test', [target], profile_domain=region)
    k = int(round(args.small_val_fraction * len(tr)))
    if k <= 0:
        return tr, Split('val', [target], profile_domain=region), te
    if k >= len(tr):
        raise ValueError(f'--small-val-fraction {args.small_val_fraction} leaves no training '
                         f'sample of the {len(tr)} in {region}')
    idx = np.arange(len(tr))
    return tr.subset(idx[:-k]), tr.subset(idx[-k:]), te


def size_sweep(args, teacher, alpha, log):
    """Rows of the KD-gain table: plain vs GOC student on N regional training samples."""
    rows = []
    for r in args.regions:
        t_mae = None  # the regional test split is the same for every n
        for n in args.size_sweep:
            tr, va, te = regional_sets(r, 'lst', n, args)
            if t_mae is None:
                t_mae = scores(teacher, te)['MAE']
            t_pred = torch.as_tensor(predict_physical(teacher, tr.x)).float()
            plain = np.mean([scores(student(tr, va, args, s), te)['MAE'] for s in args.seeds])
            kd = np.mean([scores(student(tr, va, args, s, t_pred, alpha), te)['MAE']
                          for s in args.seeds])
            rows.append(f'| {r} | {n} | {plain:.3f} | {kd:.3f} | {t_mae:.3f} | '
                        f'{100 * (kd / plain - 1):+.1f}% |')
            log(rows[-1])
    return rows


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    t_start = time.perf_counter()
    log = (lambda s: print(s, file=sys.stderr, flush=True))
    md = [f'AK-KD on simulated ASTER TIR (BT10-14); regions {args.regions} with '
          + (f'{args.region_samples} labelled samples each ({args.small_val_fraction:g} of '
             'them held out for validation)' if args.small_val_fraction > 0 else
             f'{args.region_samples} training samples each')
          + f'; teacher {args.teacher_hidden}'
          + (' (trained without the regions\' profiles)' if args.teacher_unseen_regions else '')
          + ' '
          f'({args.teacher_steps} steps), students {args.student_hidden} '
          f'({args.student_steps} full-batch steps).']
    times = {}

    if args.search_trials > 0:
        t0 = time.perf_counter()
        rows = run_search(args.search_trials, 'lst', log=log)
        md += ['', '### Architecture search (LST; Table 1 analogue)', '',
               search_table(rows, 'lst')]
        times['search'] = time.perf_counter() - t0

    if args.band_steps > 0:
        t0 = time.perf_counter()
        md += ['', '### Band combinations (LST; Table 2 analogue)', '', band_study(args, log)]
        times['bands'] = time.perf_counter() - t0

    # teachers: one global large model per target
    t0 = time.perf_counter()
    teachers = {}
    for tg in args.targets:
        unseen = args.regions if args.teacher_unseen_regions else None
        g_tr = Split('train', [tg], exclude_profile_domains=unseen)
        g_va = Split('val', [tg], exclude_profile_domains=unseen)
        teachers[tg] = train_mlp(g_tr, g_va, args.teacher_hidden, steps=args.teacher_steps,
                                 batch=512, eval_every=250)
        log(f'teacher {tg}: global test {scores(teachers[tg], Split("test", [tg]))}')
    times['teachers'] = time.perf_counter() - t0

    data = {(r, tg): regional_sets(r, tg, args.region_samples, args)
            for r in args.regions for tg in args.targets}

    # alpha sweep (pre-distillation) on LST of the first region
    alpha = args.alpha
    if 'lst' in args.targets and args.repeats >= 2:
        t0 = time.perf_counter()
        tr, va, te = data[(args.regions[0], 'lst')]
        t_pred = torch.as_tensor(predict_physical(teachers['lst'], tr.x)).float()
        seeds = range(100, 100 + args.repeats)
        plain = [scores(student(tr, va, args, s), te)['MAE'] for s in seeds]
        ref = float(np.mean(plain))
        table = {}
        for a in args.alphas:
            maes = [scores(student(tr, va, args, s, t_pred, a), te)['MAE'] for s in seeds]
            table[a] = alpha_sweep_statistics(maes, ref)
            log(f'alpha {a}: {table[a]}')
        chosen = choose_alpha(table)
        if alpha is None:
            alpha = 0.3 if chosen is None else chosen
        md += ['', f'### Pre-distillation alpha sweep (LST, {args.regions[0]}, {args.repeats} '
               f'repeats; undistilled MAE {ref:.3f} ± {np.std(plain, ddof=1):.3f} K)', '',
               '| alpha | MAE (K) mean ± std | ΔMAE (K) | t | p | f(t) |', '|---|---|---|---|---|---|']
        md += [f'| {a:g}{" **chosen**" if a == chosen else ""} | {r["mean"]:.3f} ± '
               f'{r["std"]:.3f} | {r["delta"]:+.3f} | {r["t"]:.2f} | {r["p"]:.2g} | '
               f'{r["f"]:.3f} |' for a, r in table.items()]
        times['alpha sweep'] = time.perf_counter() - t0
    alpha = 0.3 if alpha is None else alpha

    # Table 5: before -> after KD per region and target
    t0 = time.perf_counter()
    md += ['', f'### Before → after KD (Table 5 analogue; alpha = {alpha:g}; mean over seeds '
           f'{args.seeds}; regional test splits)', '',
           '| region | target | n test | teacher PCC / MAE | small model PCC / MAE | '
           'GOC student PCC / MAE | composite-label student PCC / MAE | MAE change |',
           '|---|---|---|---|---|---|---|---|']
    routed_students = {tg: {} for tg in args.targets}
    for r in args.regions:
        for tg in args.targets:
            tr, va, te = data[(r, tg)]
            t_pred = torch.as_tensor(predict_physical(teachers[tg], tr.x)).float()
            res = {k: [] for k in ('plain', 'goc', 'comp')}
            for s in args.seeds:
                res['plain'].append(scores(student(tr, va, args, s), te))
                kd = student(tr, va, args, s, t_pred, alpha)
                res['goc'].append(scores(kd, te))
                res['comp'].append(scores(student(tr, va, args, s, labels=composite_labels(
                    tr.y, t_pred, alpha)), te))
                if s == args.seeds[0]:
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
    for tg in args.targets:
        router = RoutedRetriever(routed_students[tg], fallback=teachers[tg])
        xs = torch.cat([data[(r, tg)][2].x for r in args.regions])
        ys = torch.cat([data[(r, tg)][2].y for r in args.regions])[:, 0].double().numpy()
        regions = sum([[r] * len(data[(r, tg)][2]) for r in args.regions], [])
        with torch.no_grad():
            routed = router(xs, regions=regions)[:, 0].double().numpy()
        m_t = regression_metrics(predict_physical(teachers[tg], xs)[:, 0], ys)['MAE']
        m_r = regression_metrics(routed, ys)['MAE']
        md.append(f'| {TARGET_LABELS[tg]} | {ys.size} | {m_t:.4f} | {m_r:.4f} |')

    if 'lst' in args.targets and args.size_sweep:
        t0 = time.perf_counter()
        md += ['', f'### KD gain against the regional training-set size (LST, alpha = {alpha:g}, '
               f'mean over seeds {args.seeds})', '',
               '| region | n train | small model MAE (K) | GOC student MAE (K) | teacher MAE (K) '
               '| MAE change |', '|---|---|---|---|---|---|']
        md += size_sweep(args, teachers['lst'], alpha, log)
        times['size sweep'] = time.perf_counter() - t0

    total = time.perf_counter() - t_start
    md += ['', 'Runtime: ' + ', '.join(f'{k} {v:.0f} s' for k, v in times.items())
           + f'; total {total:.0f} s ({args.threads} threads).']
    text = '\n'.join(md)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')
    return text


if __name__ == '__main__':
    main()
