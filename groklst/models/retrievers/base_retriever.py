"""Base of the retrieval models: named inputs/targets, normalization, loss, MMEngine modes.

The contract (see README.md of this package): a batch is ``inputs`` (B, F) float32 in physical
units (order = ``input_names``) and a list of ``BaseDataElement`` with ``gt_target`` (T,)
(order = ``target_names``, K for LST) and ``wvc`` (g cm-2). The retriever z-scores the inputs
with statistics of the training split, its network predicts z-scored targets, and every output
leaves the model de-normalized (K for LST).
"""
import json
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor, BaseModel

from groklst.models.heads.regression import RegressionHead
from groklst.models.layers.activation import ActCfg, build_activation
from groklst.registry import DATASETS, MODELS

__all__ = ['RetrievalDataPreprocessor', 'RegressionMLP', 'Retriever', 'load_norm_stats']

_LOSSES = ('mse', 'l1', 'smooth_l1')


@MODELS.register_module()
class RetrievalDataPreprocessor(BaseDataPreprocessor):
    """Stack per-sample feature vectors (F,) into ``inputs`` (B, F) float32 on the device.

    Accepts ``inputs`` as a list of (F,) tensors (the default pseudo-collate) or an already
    stacked (B, F) tensor. Data samples are moved to the device unchanged.

    Raises:
        ValueError: samples of one batch with different feature counts, or inputs not 1-D
            per sample.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
        if not isinstance(inputs, torch.Tensor):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) != 1 or len(next(iter(shapes))) != 1:
                raise ValueError(f'retrieval inputs must be (F,) per sample with one F per '
                                 f'batch, got shapes {sorted(shapes)}')
            inputs = torch.stack(list(inputs))
        if inputs.dim() != 2:
            raise ValueError(f'retrieval inputs must be (B, F), got {tuple(inputs.shape)}')
        return dict(inputs=self.cast_data(inputs).float(),
                    data_samples=data.get('data_samples'))


def build_retrieval_preprocessor(cfg: Union[None, dict, nn.Module]) -> nn.Module:
    """The data preprocessor of a retrieval model: ``cfg`` built in groklst's registry, a module
    used as given, ``None`` -> :class:`RetrievalDataPreprocessor`."""
    if cfg is None:
        cfg = dict(type='RetrievalDataPreprocessor')
    return MODELS.build(cfg) if isinstance(cfg, dict) else cfg


@MODELS.register_module()
class RegressionMLP(nn.Module):
    """Fully connected regression network (B, in_features) -> (B, out_features).

    ``Linear -> act -> Dropout`` per hidden layer, then a linear output layer ``head``
    (:class:`~groklst.models.heads.RegressionHead`).

    Args:
        in_features: F.
        out_features: T.
        hidden_sizes: widths of the hidden layers (may be empty: a linear model).
        act_cfg: activation (see :func:`groklst.models.layers.activation.build_activation`).
        dropout: dropout probability after each hidden activation.

    Raises:
        ValueError: non-positive sizes or dropout outside [0, 1).
    """

    def __init__(self, in_features: int, out_features: int,
                 hidden_sizes: Sequence[int] = (64, 64), act_cfg: ActCfg = 'ReLU',
                 dropout: float = 0.0) -> None:
        super().__init__()
        sizes = [int(in_features)] + [int(h) for h in hidden_sizes]
        if min(sizes + [int(out_features)]) <= 0:
            raise ValueError(f'layer sizes must be positive, got in={in_features}, '
                             f'hidden={list(hidden_sizes)}, out={out_features}')
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f'dropout must be in [0, 1), got {dropout}')
        layers: List[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), build_activation(act_cfg)]
            if dropout > 0:
                layers.append(nn.Dropout(float(dropout)))
        self.body = nn.Sequential(*layers)
        self.out_dim = sizes[-1]
        self.head = RegressionHead(sizes[-1], int(out_features))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Last hidden representation (B, hidden_sizes[-1]) (or the input without hidden
        layers)."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_features) -> (B, out_features)."""
        return self.head(self.body(x))


def load_norm_stats(norm: Union[None, str, dict]) -> Optional[dict]:
    """Normalization statistics ``{'inputs': {name: {mean, std}}, 'targets': {...}}``.

    Args:
        norm: ``None``; a JSON path or ``dict(stats_file=path)`` (written by
            ``RetrievalDataset.save_norm_stats``); ``dict(dataset=cfg)`` (a
            ``RetrievalDataset`` config, built to read its train-split ``norm_stats``); or the
            statistics dict itself.

    Raises:
        ValueError: a dict of none of these forms.
    """
    if norm is None:
        return None
    if isinstance(norm, str):
        norm = dict(stats_file=norm)
    if 'stats_file' in norm:
        with open(norm['stats_file']) as f:
            return json.load(f)
    if 'dataset' in norm:
        cfg = norm['dataset']
        dataset = DATASETS.build(cfg) if isinstance(cfg, dict) else cfg
        dataset.full_init()
        return dataset.norm_stats
    if 'inputs' in norm and 'targets' in norm:
        return dict(norm)
    raise ValueError(f"norm must be None, a stats path, dict(stats_file=...), dict(dataset=...) "
                     f"or dict(inputs=..., targets=...), got keys {sorted(norm)}")


class Retriever(BaseModel):
    """Base retrieval model: physical inputs (B, F) -> physical targets (B, T).

    ``z = (x - mu_x) / sigma_x``; ``y = net_output(z) * sigma_y + mu_y`` with the per-feature
    statistics of the training split stored as buffers (checkpoints carry them). Subclasses
    implement :meth:`forward_normalized`; they may override :meth:`loss` (e.g. physics terms).

    Args:
        input_names: the F feature names, in the dataset's order (``RetrievalDataset.inputs``).
        target_names: the T target names (``RetrievalDataset.targets``), first = primary (LST).
        norm: normalization statistics (see :func:`load_norm_stats`); ``None`` = identity
            until :meth:`set_normalization` is called.
        loss: 'mse', 'l1' or 'smooth_l1', on z-scored targets.
        target_weights: per-target loss weights (default 1 each).
        data_preprocessor: defaults to ``RetrievalDataPreprocessor``.

    Modes: 'loss' -> ``{'loss': scalar}`` (subclasses may add terms); 'predict' -> the data
    samples with ``pred_target`` (T,) in physical units; 'tensor' -> (B, T) physical units.

    Raises:
        ValueError: unknown loss, wrong number of target weights, statistics missing a named
            feature, inputs whose F differs from ``len(input_names)``, unknown mode.
    """

    model_kind = 'retrieval'
    paper = ''

    def __init__(self, input_names: Sequence[str], target_names: Sequence[str] = ('lst',),
                 norm: Union[None, str, dict] = None, loss: str = 'mse',
                 target_weights: Optional[Sequence[float]] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=build_retrieval_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        if isinstance(input_names, str) or isinstance(target_names, str):
            raise ValueError('input_names and target_names must be lists of names')
        self.input_names = list(input_names)
        self.target_names = list(target_names)
        if loss not in _LOSSES:
            raise ValueError(f'loss must be one of {_LOSSES}, got {loss!r}')
        self.loss_type = loss
        n_in, n_out = len(self.input_names), len(self.target_names)
        weights = [1.0] * n_out if target_weights is None else [float(w) for w in target_weights]
        if len(weights) != n_out:
            raise ValueError(f'{len(weights)} target_weights for {n_out} targets')
        self.register_buffer('target_weights', torch.tensor(weights))
        self.register_buffer('input_mean', torch.zeros(n_in))
        self.register_buffer('input_std', torch.ones(n_in))
        self.register_buffer('target_mean', torch.zeros(n_out))
        self.register_buffer('target_std', torch.ones(n_out))
        stats = load_norm_stats(norm)
        if stats is not None:
            self.set_normalization(stats)

    @property
    def in_features(self) -> int:
        return len(self.input_names)

    @property
    def out_features(self) -> int:
        return len(self.target_names)

    def set_normalization(self, stats: dict) -> None:
        """Copy means / stds of the named features and targets into the buffers.

        A zero (or missing) std becomes 1 (constant feature).

        Raises:
            ValueError: a name of ``input_names`` / ``target_names`` missing from ``stats``.
        """
        for group, names, mean, std in (
                ('inputs', self.input_names, self.input_mean, self.input_std),
                ('targets', self.target_names, self.target_mean, self.target_std)):
            table = stats.get(group, {})
            missing = [n for n in names if n not in table]
            if missing:
                raise ValueError(f'normalization statistics lack {group} {missing} (have '
                                 f'{sorted(table)})')
            mean.copy_(torch.tensor([float(table[n]['mean']) for n in names]))
            s = [float(table[n].get('std', 1.0)) for n in names]
            std.copy_(torch.tensor([v if v > 0 else 1.0 for v in s]))

    def column(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """Feature ``name`` of the physical inputs (B, F) as (B,).

        Raises:
            KeyError: ``name`` not an input of this model.
        """
        if name not in self.input_names:
            raise KeyError(f'{type(self).__name__} has no input {name!r} (inputs: '
                           f'{self.input_names})')
        return x[:, self.input_names.index(name)]

    def normalize_inputs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, F) physical -> z-scored, after checking the shape."""
        if x.dim() != 2 or x.shape[1] != self.in_features:
            raise ValueError(f'{type(self).__name__} expects inputs (B, {self.in_features}) '
                             f'for {self.input_names}, got {tuple(x.shape)}')
        return (x - self.input_mean) / self.input_std

    def denormalize_targets(self, z: torch.Tensor) -> torch.Tensor:
        """(B, T) z-scored -> physical units (K for LST)."""
        return z * self.target_std + self.target_mean

    def normalize_targets(self, y: torch.Tensor) -> torch.Tensor:
        """(B, T) physical -> z-scored."""
        return (y - self.target_mean) / self.target_std

    def forward_normalized(self, z: torch.Tensor) -> torch.Tensor:
        """Network on z-scored inputs (B, F) -> z-scored targets (B, T)."""
        raise NotImplementedError

    def predict_targets(self, x: torch.Tensor) -> torch.Tensor:
        """Physical inputs (B, F) -> physical targets (B, T) (K for LST)."""
        return self.denormalize_targets(self.forward_normalized(self.normalize_inputs(x)))

    def data_loss(self, z_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Weighted mean over targets of the per-target loss on z-scored values.

        Args:
            z_pred: (B, T) z-scored prediction. y: (B, T) physical reference.
        """
        z_gt = self.normalize_targets(y.to(z_pred))
        if self.loss_type == 'mse':
            per = F.mse_loss(z_pred, z_gt, reduction='none')
        elif self.loss_type == 'l1':
            per = F.l1_loss(z_pred, z_gt, reduction='none')
        else:
            per = F.smooth_l1_loss(z_pred, z_gt, reduction='none')
        return (per.mean(0) * self.target_weights).sum() / self.target_weights.sum()

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Loss dict for physical inputs (B, F) and targets (B, T)."""
        z_pred = self.forward_normalized(self.normalize_inputs(x))
        return dict(loss=self.data_loss(z_pred, y))

    @staticmethod
    def stack_targets(data_samples: list) -> torch.Tensor:
        """(B, T) ``gt_target`` of the data samples."""
        return torch.stack([s.gt_target for s in data_samples])

    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, self.stack_targets(data_samples).to(inputs))
        if mode == 'tensor':
            return self.predict_targets(inputs)
        if mode == 'predict':
            pred = self.predict_targets(inputs)
            for sample, p in zip(data_samples, pred):
                sample.pred_target = p.detach()
            return data_samples
        raise ValueError(f"Unknown mode {mode!r}; expected 'loss', 'predict' or 'tensor'")
