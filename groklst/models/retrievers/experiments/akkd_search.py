"""Architecture search for ASTER TIR LST / LSE retrieval networks (AK-KD, Table 1 analogue),
and the data and training helpers of the AK-KD experiment (:mod:`.akkd`).

Dai, Mao et al. 2025 (Artificial Intelligence in Agriculture, doi:10.1016/j.aiia.2025.03.009)
search the "large model" with AutoKeras; we search the same space with Optuna's TPE sampler:
1-9 dense layers, 32-1024 units per layer in steps of 16, ReLU / Tanh / Sigmoid, dropout 0-0.5.
Inputs are the ASTER brightness temperatures BT10-14 (K), the target one of LST (K) or LSE10-14
(one regression model per target, as the paper). Each trial trains briefly on a subset of the
global simulated training split and is scored on the validation split (MAE and PCC; the search
minimises the MAE). Fixed seeds (simulation, split, TPE sampler, initialisation, batches).
"""
import os.path as osp
import time
from typing import Dict, Optional, Sequence

import torch

from groklst.datasets.retrieval_dataset import RetrievalDataset
from groklst.evaluation.functional_retrieval import regression_metrics
from groklst.models.retrievers.kd import goc_on_stored_teacher
from groklst.models.retrievers.mlp_retriever import MLPRetriever
from groklst.models.retrievers.training import predict_physical, train_retriever

#: Simulation cache of the experiments: ``data/simulated`` of the repository (editable install).
DEFAULT_CACHE_DIR = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))),
    'data', 'simulated')
#: The ASTER TIR simulation of the AK-KD experiments (LOWTRAN7 LUT, ECOSTRESS spectra, NEdT 0.3 K).
SIMULATION = dict(sensor='aster_tir', n_samples=20000, seed=0)
BANDS = ['bt:0', 'bt:1', 'bt:2', 'bt:3', 'bt:4']
BAND_LABELS = ['BT10', 'BT11', 'BT12', 'BT13', 'BT14']
TARGETS = ['lst', 'lse:0', 'lse:1', 'lse:2', 'lse:3', 'lse:4']
TARGET_LABELS = {'lst': 'LST', 'lse:0': 'LSE10', 'lse:1': 'LSE11', 'lse:2': 'LSE12',
                 'lse:3': 'LSE13', 'lse:4': 'LSE14'}
ACTIVATIONS = ('ReLU', 'Tanh', 'Sigmoid')


class Split:
    """One split of the AK-KD simulation as tensors: ``x`` (N, F) physical inputs (K for BTs),
    ``y`` (N, T) targets (K for LST), ``norm`` (train statistics of the same filters), ``wvc``
    (N,) g cm-2.

    Args:
        split: ``'train'``, ``'val'`` or ``'test'``.
        targets / inputs: names of :class:`~groklst.datasets.retrieval_dataset.RetrievalDataset`.
        profile_domain / exclude_profile_domains / max_samples: its row filters.
        simulation: the simulation settings (default :data:`SIMULATION`), cached in
            ``cache_dir``.
    """

    def __init__(self, split: str, targets: Sequence[str], inputs: Sequence[str] = BANDS,
                 profile_domain: Optional[str] = None, max_samples: Optional[int] = None,
                 simulation: dict = SIMULATION,
                 cache_dir: str = DEFAULT_CACHE_DIR,
                 exclude_profile_domains: Optional[Sequence[str]] = None) -> None:
        ds = RetrievalDataset(simulation, list(inputs), list(targets), split=split,
                              profile_domain=profile_domain, max_samples=max_samples,
                              cache_dir=cache_dir,
                              exclude_profile_domains=exclude_profile_domains)
        ds.full_init()
        self.x, self.y, self.wvc = ds.x, ds.y, ds.wvc
        self.norm = ds.norm_stats
        self.inputs, self.targets = list(inputs), list(targets)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def _copy(self, **arrays) -> 'Split':
        clone = object.__new__(Split)
        clone.__dict__.update(self.__dict__, **arrays)
        return clone

    def subset(self, index) -> 'Split':
        """The same split restricted to rows ``index`` (same normalization statistics)."""
        return self._copy(x=self.x[index], y=self.y[index], wvc=self.wvc[index])

    def with_targets(self, y: torch.Tensor) -> 'Split':
        """The same rows with targets ``y`` (N, T) instead (e.g. composite labels)."""
        return self._copy(y=y)


def scores(model, split: Split, column: int = 0) -> Dict[str, float]:
    """PCC and MAE (target units) of ``model`` on ``split`` for one target column."""
    m = regression_metrics(predict_physical(model, split.x)[:, column],
                           split.y[:, column].double().numpy())
    return dict(PCC=m['PCC'], MAE=m['MAE'], RMSE=m['RMSE'])


def train_mlp(train: Split, val: Optional[Split], hidden: Sequence[int], act: str = 'ReLU',
              dropout: float = 0.0, steps: int = 300, batch: Optional[int] = 256,
              lr: float = 2e-3, seed: int = 0, norm: Optional[dict] = None,
              teacher_pred: Optional[torch.Tensor] = None, alpha: float = 1.0,
              eval_every: int = 50) -> MLPRetriever:
    """A fresh :class:`MLPRetriever` (seeded) trained with
    :func:`~groklst.models.retrievers.training.train_retriever`, selected on the validation MAE;
    with ``teacher_pred`` (N, T) physical teacher predictions, distilled with the GOC weight
    ``alpha`` (:func:`~groklst.models.retrievers.kd.goc_on_stored_teacher`)."""
    torch.manual_seed(seed)
    model = MLPRetriever(train.inputs, train.targets, hidden_sizes=tuple(hidden), act_cfg=act,
                         dropout=dropout, norm=norm or train.norm)
    y, loss_fn = train.y, None
    if teacher_pred is not None:
        y = torch.cat([train.y, teacher_pred.to(train.y)], 1)
        loss_fn = goc_on_stored_teacher(alpha)
    torch.manual_seed(seed)  # dropout stream independent of the initialisation
    return train_retriever(model, (train.x, y), None if val is None else (val.x, val.y),
                           steps=steps, batch=batch, lr=lr, seed=seed, eval_every=eval_every,
                           select='mae', loss_fn=loss_fn)[0]


def run_search(trials: int = 30, target: str = 'lst', train_samples: int = 4000,
               steps: int = 100, batch: int = 128, seed: int = 0, log=print) -> list:
    """Optuna TPE search over the AK-KD space (:data:`ACTIVATIONS`, 1-9 layers of 32-1024
    units, dropout 0-0.5): ``trials`` MLPs trained ``steps`` Adam steps of ``batch`` on
    ``train_samples`` global training samples, scored on the val split.

    Returns:
        one dict per trial: ``trial``, ``layers``, ``hidden``, ``act``, ``dropout``, ``params``,
        ``seconds``, ``PCC``, ``MAE``, ``RMSE`` (target units, K for LST).
    """
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    train = Split('train', [target], max_samples=train_samples)
    val = Split('val', [target])
    rows = []

    def objective(trial):
        n_layers = trial.suggest_int('n_layers', 1, 9)
        hidden = [trial.suggest_int(f'units_{i}', 32, 1024, step=16) for i in range(n_layers)]
        act = trial.suggest_categorical('activation', ACTIVATIONS)
        dropout = trial.suggest_float('dropout', 0.0, 0.5)
        t0 = time.perf_counter()
        model = train_mlp(train, None, hidden, act, dropout, steps=steps, batch=batch,
                          seed=seed)
        sc = scores(model, val)
        n_params = sum(p.numel() for p in model.parameters())
        rows.append(dict(trial=trial.number, layers=n_layers, hidden=hidden, act=act,
                         dropout=dropout, params=n_params, seconds=time.perf_counter() - t0,
                         **sc))
        log(f'trial {trial.number:2d}: {n_layers} layers {hidden} {act} dropout '
            f'{dropout:.2f} -> val MAE {sc["MAE"]:.4f}, PCC {sc["PCC"]:.4f} '
            f'({rows[-1]["seconds"]:.1f} s)')
        return sc['MAE']

    study = optuna.create_study(direction='minimize',
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return rows


def search_table(rows: list, target: str) -> str:
    """Markdown table of the trials (paper Table 1 analogue), best (lowest MAE) marked."""
    best = min(rows, key=lambda r: r['MAE'])['trial']
    unit = 'K' if target == 'lst' else ''
    out = [f'| trial | layers | units | activation | dropout | params | val PCC | '
           f'val MAE{" (" + unit + ")" if unit else ""} | s |',
           '|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        mark = ' **best**' if r['trial'] == best else ''
        units = ','.join(str(u) for u in r['hidden'])
        out.append(f'| {r["trial"]}{mark} | {r["layers"]} | {units} | {r["act"]} | '
                   f'{r["dropout"]:.2f} | {r["params"]} | {r["PCC"]:.4f} | {r["MAE"]:.4f} | '
                   f'{r["seconds"]:.1f} |')
    return '\n'.join(out)
