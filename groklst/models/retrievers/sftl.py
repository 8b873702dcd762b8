"""SFTL: split-window features, pre-training on simulations, strategic fine-tuning on a target.

Heidarian, Li, Zhang, Tan, Zhao, Cao, Du, Liu 2025, "Cross-Domain Land Surface Temperature
Retrieval via Strategic Fine-Tuning-Based Transfer Learning: Application to GF5-02 VIMI
Imagery", Remote Sens. 17(23):3803. Three stages: (1) pre-train a DNN, a Transformer and a 1-D
CNN on a large simulated (source) set; (2) fine-tune on a few hundred target samples with a
fine-tuning strategy (full, head-only, gradual unfreezing, adapters, LoRA); (3) evaluate on the
target and across domains. Inputs are the split-window pair (GF5-02 VIMI 10.80 / 11.95 um =
bands ``B11`` / ``B12`` of ``gf5_vimi_tir``; Landsat-8 TIRS ``B10`` / ``B11``):
``BT_a, BT_b, WVC, dBT = BT_a - BT_b, WVC * dBT`` (K, K, g cm-2, K, K g cm-2).

This module holds the pieces the experiment (``tools/retrieval/sftl_experiment.py``) and
configs share: feature names, model builders, per-architecture fine-tuning presets (trained by
the shared loop of :mod:`.training`, re-exported here), the domain selection with a BT calibration bias,
and the split-window baseline refitted on the source domain.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from groklst.models.finetune.strategies import apply_finetune

from .base_retriever import Retriever
from .mlp_retriever import MLPRetriever
from .tabular_nets import CNN1dRetriever, TransformerRetriever
from .training import predict_lst, train_retriever

__all__ = ['SPLIT_WINDOW_PAIRS', 'ARCHITECTURES', 'sftl_features', 'build_sftl_retriever',
           'finetune_preset', 'finetune', 'train_retriever', 'predict_lst',
           'norm_stats_from_arrays', 'select_domain', 'fit_split_window', 'split_window_lst']

#: Split-window band pair per sensor (band names of ``groklst.physics.srf``).
SPLIT_WINDOW_PAIRS = {'gf5_vimi_tir': ('B11', 'B12'), 'landsat8_tirs': ('B10', 'B11')}
ARCHITECTURES = ('dnn', 'transformer', 'cnn')
_JM_KEYS = ('c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6')


def sftl_features(sensor: str = 'gf5_vimi_tir', with_product: bool = True) -> List[str]:
    """Feature names (``RetrievalDataset`` grammar) of the split-window pair of ``sensor``:
    ``['bt:a', 'bt:b', 'wvc', 'dbt:a-b', 'wvc*dbt:a-b']`` (the last one dropped when
    ``with_product`` is False: the ablation of the WVC x dBT interaction).

    Raises:
        KeyError: a sensor without a split-window pair in :data:`SPLIT_WINDOW_PAIRS`.
    """
    if sensor not in SPLIT_WINDOW_PAIRS:
        raise KeyError(f'no split-window pair for sensor {sensor!r}; known: '
                       f'{sorted(SPLIT_WINDOW_PAIRS)}')
    a, b = SPLIT_WINDOW_PAIRS[sensor]
    names = [f'bt:{a}', f'bt:{b}', 'wvc', f'dbt:{a}-{b}']
    return names + [f'wvc*dbt:{a}-{b}'] if with_product else names


def build_sftl_retriever(arch: str, input_names: Sequence[str], norm: Optional[dict] = None,
                         **kwargs) -> Retriever:
    """One of the three SFTL networks predicting LST (K).

    Defaults: ``'dnn'`` = :class:`MLPRetriever` (3 x 64, ReLU); ``'transformer'`` =
    :class:`TransformerRetriever` (d = 32, 2 blocks, 4 heads); ``'cnn'`` =
    :class:`CNN1dRetriever` (channels 16, 32, kernel 3, FC 64). ``kwargs`` override them.

    Raises:
        ValueError: unknown ``arch``.
    """
    if arch == 'dnn':
        kwargs.setdefault('hidden_sizes', (64, 64, 64))
        return MLPRetriever(input_names, ['lst'], norm=norm, **kwargs)
    if arch == 'transformer':
        return TransformerRetriever(input_names, ['lst'], norm=norm, **kwargs)
    if arch == 'cnn':
        return CNN1dRetriever(input_names, ['lst'], norm=norm, **kwargs)
    raise ValueError(f'arch must be one of {ARCHITECTURES}, got {arch!r}')


def finetune_preset(model: Retriever, strategy: str, steps: int) -> dict:
    """``apply_finetune`` config of ``strategy`` for an SFTL network.

    * head-only: ``net.head``;
    * gradual: groups from the head backwards (DNN: head, then each hidden Linear; Transformer:
      head + final norm, each block, tokenizer; CNN: head, fc, each Conv1d), one more every
      ``steps // n_groups`` iterations;
    * adapter: bottleneck adapters (width C / 4) after every hidden Linear (DNN), every
      Linear of the blocks (Transformer) or every Conv1d and the FC (CNN); head trainable;
    * LoRA: r = 8, alpha = 16 on the same layers; head trainable.

    Raises:
        ValueError: unknown strategy or model type.
    """
    if strategy == 'full':
        return dict(strategy='full')
    if strategy == 'head_only':
        return dict(strategy='head_only', head_modules=['net.head'])
    net = model.net
    if isinstance(model, MLPRetriever):
        linears = [f'net.body.{i}' for i, m in enumerate(net.body)
                   if isinstance(m, torch.nn.Linear)]
        groups: List = [['net.head']] + [[n] for n in reversed(linears)]
        targets = linears
    elif isinstance(model, TransformerRetriever):
        blocks = [f'net.blocks.{i}' for i in range(len(net.blocks))]
        groups = [['net.head', 'net.norm']] + [[b] for b in reversed(blocks)] + \
            [['net.tokenizer']]
        targets = [f'{b}.*' for b in blocks]
    elif isinstance(model, CNN1dRetriever):
        convs = [f'net.body.{i}' for i, m in enumerate(net.body)
                 if isinstance(m, torch.nn.Conv1d)]
        groups = [['net.head'], ['net.fc']] + [[c] for c in reversed(convs)]
        targets = convs + ['net.fc.0']
    else:
        raise ValueError(f'no fine-tuning preset for {type(model).__name__}')
    if strategy == 'gradual':
        return dict(strategy='gradual', groups=groups,
                    interval=max(1, int(steps) // len(groups)))
    if strategy == 'adapter':
        return dict(strategy='adapter', target_modules=targets, reduction=4,
                    trainable_modules=['net.head'])
    if strategy == 'lora':
        return dict(strategy='lora', target_modules=targets, r=8, alpha=16,
                    trainable_modules=['net.head'])
    raise ValueError(f"unknown strategy {strategy!r}; expected 'full', 'head_only', "
                     "'gradual', 'adapter' or 'lora'")


def finetune(model: Retriever, strategy: str, train, val, steps: int, batch: int, lr: float,
             seed: int, eval_every: int = 50) -> Tuple[Retriever, float]:
    """Stage 2: :func:`apply_finetune` with :func:`finetune_preset`, then
    :func:`train_retriever` (the model is modified in place)."""
    apply_finetune(model, finetune_preset(model, strategy, steps))
    return train_retriever(model, train, val, steps, batch, lr, seed, eval_every)


def norm_stats_from_arrays(x: np.ndarray, y: np.ndarray, input_names: Sequence[str],
                           target_names: Sequence[str] = ('lst',)) -> dict:
    """Normalization statistics ``{'inputs': {name: {mean, std}}, 'targets': ...}`` of the
    training arrays x (N, F), y (N, T) (sample std), the format ``Retriever(norm=...)`` reads."""
    def table(a, names):
        return {n: dict(mean=float(a[:, k].mean()), std=float(a[:, k].std(ddof=1)))
                for k, n in enumerate(names)}
    return dict(inputs=table(np.asarray(x, np.float64), input_names),
                targets=table(np.asarray(y, np.float64), target_names))


def select_domain(simulation: dict, features: Sequence[str], split: str,
                  profile_domain: Optional[str] = None,
                  surface_classes: Optional[Sequence[str]] = None,
                  exclude_profile_domains: Sequence[str] = (),
                  bt_bias: Optional[Dict[str, float]] = None,
                  max_samples: Optional[int] = None, split_seed: int = 0,
                  cache_dir: str = 'data/simulated') -> dict:
    """Samples of one domain as arrays: a ``RetrievalDataset`` split with its domain filters
    (``exclude_profile_domains``, ``bt_bias`` and the others are the dataset's own options).

    Args:
        simulation: ``SimulationConfig`` keyword dict (cached) or ``.npz`` path.
        features: feature names (see :func:`sftl_features`).
        split: 'train', 'val' or 'test' (the dataset's deterministic 80/10/10 split).
        profile_domain, surface_classes: dataset filters (see ``RetrievalDataset``).
        exclude_profile_domains: drop samples whose atmospheric profile belongs to these
            domains of ``groklst.simulation.PROFILE_DOMAINS``.
        bt_bias: ``{band name: K}`` added to the (noisy) BTs of those bands, e.g. a sensor
            calibration offset ``{'B11': 0.8, 'B12': 0.3}``; dBT and WVC x dBT follow.
        max_samples: keep the first ones (the split order is random and fixed).

    Returns:
        dict with ``x`` (N, F) float32 tensor, ``y`` (N, 1) float32 LST tensor (K), ``wvc``
        (N,) g cm-2, ``bt`` (N, B) biased BTs (K), ``lse`` (N, B), ``rows`` (N,).

    Raises:
        ValueError: the errors of ``RetrievalDataset`` (an empty selection, unknown band names
            in ``bt_bias``, ...).
    """
    from groklst.datasets.retrieval_dataset import (RetrievalDataset, apply_bt_bias,
                                                    load_or_simulate)
    ds = RetrievalDataset(simulation=simulation, inputs=list(features), targets=['lst'],
                          split=split, split_seed=split_seed, profile_domain=profile_domain,
                          exclude_profile_domains=exclude_profile_domains,
                          surface_classes=surface_classes, bt_bias=bt_bias,
                          max_samples=max_samples, cache_dir=cache_dir)
    ds.full_init()
    sim = apply_bt_bias(load_or_simulate(simulation, cache_dir), bt_bias)
    rows = ds.rows
    return dict(x=ds.x, y=ds.y, wvc=ds.wvc, bt=np.asarray(sim['bt'][rows], np.float64),
                lse=np.asarray(sim['lse'][rows], np.float64), rows=rows)


def _jm_design(bt_a, bt_b, lse_a, lse_b, wvc) -> np.ndarray:
    d = bt_a - bt_b
    eps = 0.5 * (lse_a + lse_b)
    deps = lse_a - lse_b
    return np.stack([np.ones_like(d), d, d ** 2, 1 - eps, wvc * (1 - eps), deps, wvc * deps],
                    axis=1)


def fit_split_window(bt_a, bt_b, lse_a, lse_b, wvc, lst) -> Dict[str, float]:
    """Least-squares coefficients c0..c6 of the Jimenez-Munoz et al. 2014 split-window form

    ``LST = BT_a + c1 dBT + c2 dBT^2 + c0 + (c3 + c4 w)(1 - eps) + (c5 + c6 w) d_eps``

    (IEEE GRSL 11(10):1840, the equation of
    :func:`groklst.physics.algorithms.split_window.split_window_jm2014`) on simulated samples:
    the usual way a split-window algorithm is calibrated for a new sensor (here VIMI, whose
    published coefficients we do not have). Arrays (N,), BT in K, w in g cm-2.
    """
    a = _jm_design(*(np.asarray(v, np.float64) for v in (bt_a, bt_b, lse_a, lse_b, wvc)))
    coef, *_ = np.linalg.lstsq(a, np.asarray(lst, np.float64) - np.asarray(bt_a, np.float64),
                               rcond=None)
    return dict(zip(_JM_KEYS, (float(c) for c in coef)))


def split_window_lst(bt_a, bt_b, lse_a, lse_b, wvc,
                     coefficients: Optional[Dict[str, float]] = None) -> np.ndarray:
    """Split-window LST (K) by the physics module (JM 2014 form), with ``coefficients`` from
    :func:`fit_split_window` (default: the published Landsat-8 values). WVC is clipped to the
    module's 0-10 g cm-2 range."""
    from groklst.physics.algorithms.split_window import split_window_jm2014
    return split_window_jm2014(bt_a, bt_b, lse_a, lse_b, np.clip(wvc, 0.0, 10.0),
                               coefficients=coefficients)
