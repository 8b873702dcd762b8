"""AK-KD: knowledge distillation from a global "large" retriever to regional "small" ones.

Dai, Mao, Guo, Qin, Shi, Bateni, Xiao 2025, "Joint optimization of AI large and small models for
surface temperature and emissivity retrieval using knowledge distillation", Artificial
Intelligence in Agriculture (doi:10.1016/j.aiia.2025.03.009; EarthArXiv 10.31223/X5T71N).

The strategy, as implemented here:

1. a large model (the teacher) is trained on a global set of thermal-infrared samples, one
   regression model per target (LST, LSE of each band);
2. small models are trained on limited, hard regional sets (e.g. humid tropical atmospheres);
3. the teacher predicts the regional samples and each small model is re-trained (the student)
   with the Global Optimization Criterion (GOC)

   ``GOC = alpha * MSE(y, y_s) + (1 - alpha) * MSE(y_t, y_s)``

   (``y`` ground truth, ``y_s`` student, ``y_t`` teacher prediction; :func:`goc_loss`);
4. alpha is chosen by a pre-distillation sweep: for every alpha, repeated distillations give
   accuracies that a one-sample t-test compares with the undistilled accuracy, summarized by
   the relative utility ``f(t) = 1 / ln(|t| + e)`` (:func:`alpha_sweep_statistics`);
5. the distilled students and the teacher are combined into one joint model that sends each
   sample to the student of its region (:class:`RoutedRetriever`).

Dataset distillation (:func:`composite_labels`) replaces the two terms by one composite label
``alpha * y + (1 - alpha) * y_t``; for the MSE this has the same gradient as the GOC, because
``alpha (y - s)^2 + (1 - alpha)(t - s)^2 = (s - (alpha y + (1 - alpha) t))^2 + alpha (1 - alpha)
(y - t)^2`` and the last term does not depend on the student.
"""
import math
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel

from groklst.registry import MODELS

from .base_retriever import Retriever, build_retrieval_preprocessor
from .mlp_retriever import MLPRetriever

__all__ = ['goc_loss', 'GOCLoss', 'composite_labels', 'relative_utility',
           'alpha_sweep_statistics', 'choose_alpha', 'DistillationRetriever',
           'RoutedRetriever', 'goc_on_stored_teacher']


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0 or not math.isfinite(alpha):
        raise ValueError(f'alpha must be in [0, 1], got {alpha}')
    return alpha


def goc_loss(student: torch.Tensor, target: torch.Tensor, teacher: torch.Tensor,
             alpha: float) -> torch.Tensor:
    """Global Optimization Criterion of AK-KD (Dai, Mao et al. 2025).

    ``alpha * mean((target - student)^2) + (1 - alpha) * mean((teacher - student)^2)``.

    Args:
        student: (B, T) student prediction ``y_s``.
        target: (B, T) ground truth ``y``, same units as ``student`` (K for LST, or z-scores).
        teacher: (B, T) teacher prediction ``y_t`` (no gradient flows into it).
        alpha: weight of the ground-truth term in [0, 1]; 1 gives the plain MSE.

    Returns:
        scalar tensor (squared units of the inputs).

    Raises:
        ValueError: alpha outside [0, 1] or tensors of different shapes.
    """
    alpha = _check_alpha(alpha)
    if student.shape != target.shape or student.shape != teacher.shape:
        raise ValueError(f'goc_loss needs student, target and teacher of one shape, got '
                         f'{tuple(student.shape)}, {tuple(target.shape)}, '
                         f'{tuple(teacher.shape)}')
    hard = F.mse_loss(student, target.to(student))
    soft = F.mse_loss(student, teacher.detach().to(student))
    return alpha * hard + (1.0 - alpha) * soft


@MODELS.register_module()
class GOCLoss(nn.Module):
    """Module form of :func:`goc_loss` with a fixed ``alpha`` (the paper chose 0.3).

    ``forward(student, target, teacher)``: (B, T) tensors -> scalar.
    """

    def __init__(self, alpha: float = 0.3) -> None:
        super().__init__()
        self.alpha = _check_alpha(alpha)

    def forward(self, student: torch.Tensor, target: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        return goc_loss(student, target, teacher, self.alpha)


def composite_labels(target, teacher, alpha: float):
    """Dataset-distillation labels ``alpha * y + (1 - alpha) * y_t`` (numpy or torch).

    Training a student with the plain MSE on these labels has the same gradients as training it
    with the GOC on ``(y, y_t)`` (see the module docstring).

    Args:
        target: (N, T) ground truth (K for LST). teacher: (N, T) teacher predictions.
        alpha: weight of the ground truth in [0, 1].

    Raises:
        ValueError: alpha outside [0, 1] or shape mismatch.
    """
    alpha = _check_alpha(alpha)
    if tuple(target.shape) != tuple(teacher.shape):
        raise ValueError(f'composite_labels needs target and teacher of one shape, got '
                         f'{tuple(target.shape)} and {tuple(teacher.shape)}')
    return alpha * target + (1.0 - alpha) * teacher


def relative_utility(t: Union[float, np.ndarray]) -> Union[float, np.ndarray]:
    """Relative utility of a t statistic, ``f(t) = 1 / ln(|t| + e)`` (Dai, Mao et al. 2025).

    ``f(0) = 1`` and ``f`` decreases towards 0 as ``|t|`` grows: a small value marks an alpha
    whose distilled accuracies differ strongly (consistently) from the undistilled one.
    """
    return 1.0 / np.log(np.abs(t) + math.e)


def alpha_sweep_statistics(distilled: Sequence[float], undistilled: float) -> Dict[str, float]:
    """One-sample t-test of repeated distilled accuracies against the undistilled accuracy.

    Args:
        distilled: (R,) accuracy of R repeated distillations at one alpha (e.g. MAE in K).
        undistilled: accuracy of the undistilled student (same metric and units).

    Returns:
        dict ``mean``, ``std`` (sample std), ``n``, ``t``, ``p`` (two-sided,
        ``scipy.stats.ttest_1samp``), ``f`` (:func:`relative_utility` of t) and ``delta`` =
        mean - undistilled.

    Raises:
        ValueError: fewer than 2 finite values.
    """
    from scipy import stats
    values = np.asarray(distilled, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size < 2:
        raise ValueError(f'the t-test needs at least 2 finite repeats, got {values.size}')
    res = stats.ttest_1samp(values, float(undistilled))
    t = float(res.statistic)
    return dict(mean=float(values.mean()), std=float(values.std(ddof=1)), n=int(values.size),
                t=t, p=float(res.pvalue), f=float(relative_utility(t)),
                delta=float(values.mean() - undistilled))


def choose_alpha(table: Dict[float, Dict[str, float]], lower_is_better: bool = True,
                 p_max: float = 0.05) -> Optional[float]:
    """Alpha of the sweep with the most significant improvement.

    Among the alphas whose mean accuracy improves on the undistilled one (``delta < 0`` for an
    error such as MAE, ``> 0`` for PCC when ``lower_is_better=False``) with ``p < p_max``, the
    one with the smallest relative utility ``f(t)`` (largest ``|t|``). The paper does not spell
    out its rule beyond "t-test + relative utility"; this is our reading of it.

    Args:
        table: ``{alpha: alpha_sweep_statistics(...)}``.

    Returns:
        the chosen alpha, or ``None`` when no alpha improves significantly.
    """
    best, best_f = None, math.inf
    for alpha, row in sorted(table.items()):
        better = row['delta'] < 0 if lower_is_better else row['delta'] > 0
        if better and row['p'] < p_max and row['f'] < best_f:
            best, best_f = alpha, row['f']
    return best


@MODELS.register_module()
class DistillationRetriever(MLPRetriever):
    """Student MLP trained with the GOC against a frozen teacher retriever.

    In 'loss' mode the teacher predicts the batch (physical inputs (B, F), no gradient) and the
    loss is :func:`goc_loss` on the student's z-scored targets, the ground truth and the
    teacher's prediction z-scored with the *student's* statistics. 'tensor' / 'predict' are the
    student's (teacher unused), so a trained student is deployed alone.

    Args:
        input_names, target_names, hidden_sizes, act_cfg, dropout, norm: the student's, see
            :class:`MLPRetriever`.
        teacher: a :class:`Retriever` instance or config (its checkpoint loaded by the caller,
            or ``teacher_checkpoint``); it must predict every student target and read its own
            inputs from among the student's input names.
        teacher_checkpoint: optional path of the teacher's weights.
        alpha: GOC weight of the ground truth (paper: 0.3).

    Raises:
        ValueError: a student target the teacher does not predict, a teacher input the student
            does not receive, alpha outside [0, 1]; as :class:`MLPRetriever`.
    """

    paper = ('Dai, Mao et al., AK-KD knowledge distillation for LST/LSE retrieval, '
             'Artif. Intell. Agric. 2025')

    def __init__(self, input_names: Sequence[str], target_names: Sequence[str] = ('lst',),
                 teacher: Union[dict, Retriever] = None,
                 teacher_checkpoint: Optional[str] = None, alpha: float = 0.3,
                 **kwargs) -> None:
        super().__init__(input_names, target_names, **kwargs)
        if teacher is None:
            raise ValueError('DistillationRetriever needs a teacher retriever (instance or cfg)')
        if isinstance(teacher, dict):
            teacher = MODELS.build(teacher)
        if not isinstance(teacher, Retriever):
            raise ValueError(f'teacher must be a Retriever, got {type(teacher).__name__}')
        if teacher_checkpoint is not None:
            from mmengine.runner import load_checkpoint
            load_checkpoint(teacher, teacher_checkpoint, map_location='cpu')
        missing_t = [n for n in self.target_names if n not in teacher.target_names]
        missing_x = [n for n in teacher.input_names if n not in self.input_names]
        if missing_t or missing_x:
            raise ValueError(f'teacher (inputs {teacher.input_names}, targets '
                             f'{teacher.target_names}) does not fit the student (inputs '
                             f'{self.input_names}, targets {self.target_names}): missing '
                             f'targets {missing_t}, missing inputs {missing_x}')
        self.alpha = _check_alpha(alpha)
        for p in teacher.parameters():
            p.requires_grad_(False)
        teacher.eval()
        self.teacher = teacher
        self._t_in = [self.input_names.index(n) for n in teacher.input_names]
        self._t_out = [teacher.target_names.index(n) for n in self.target_names]

    def train(self, mode: bool = True):
        """Train the student; the teacher always stays in eval mode (no dropout)."""
        super().train(mode)
        self.teacher.eval()
        return self

    @torch.no_grad()
    def teacher_targets(self, x: torch.Tensor) -> torch.Tensor:
        """Teacher prediction of the student's targets, physical units (B, T)."""
        return self.teacher.predict_targets(x[:, self._t_in])[:, self._t_out]

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``{'loss': GOC, 'loss_hard': MSE to y, 'loss_soft': MSE to the teacher}``
        (z-scored targets; the parts are detached for logging)."""
        z_s = self.forward_normalized(self.normalize_inputs(x))
        z_y = self.normalize_targets(y.to(z_s))
        z_t = self.normalize_targets(self.teacher_targets(x).to(z_s))
        return dict(loss=goc_loss(z_s, z_y, z_t, self.alpha),
                    loss_hard=F.mse_loss(z_s, z_y).detach(),
                    loss_soft=F.mse_loss(z_s, z_t).detach())


@MODELS.register_module()
class RoutedRetriever(BaseModel):
    """Joint AK-KD model: each sample goes to the student of its region (fallback: teacher).

    Args:
        students: ``{region name: Retriever}`` (instances or configs), all with the same
            target names.
        fallback: optional :class:`Retriever` (the global teacher) for samples of no known
            region (region ``None`` / ``-1`` or a name absent from ``students``).

    The region of a sample is a name or an index into ``region_names`` (the order of
    ``students``): ``region`` of each data sample in 'predict' / 'loss' mode, or the
    ``regions`` argument of :meth:`route` / 'tensor' mode (list of names or (B,) long tensor).

    Modes: 'tensor' -> (B, T) physical targets; 'predict' -> data samples with ``pred_target``;
    'loss' -> the routed students' own losses, averaged with sample-count weights.

    Raises:
        ValueError: no students, students with different targets or inputs, a sample without
            a region and no fallback, an unknown region name without a fallback.
    """

    model_kind = 'retrieval'
    paper = 'Dai, Mao et al., AK-KD joint routed model, Artif. Intell. Agric. 2025'

    def __init__(self, students: Dict[str, Union[dict, Retriever]],
                 fallback: Union[None, dict, Retriever] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=build_retrieval_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        if not students:
            raise ValueError('RoutedRetriever needs at least one regional student')
        built = {k: (MODELS.build(v) if isinstance(v, dict) else v) for k, v in students.items()}
        if isinstance(fallback, dict):
            fallback = MODELS.build(fallback)
        members = list(built.values()) + ([fallback] if fallback is not None else [])
        targets = {tuple(m.target_names) for m in members}
        inputs = {tuple(m.input_names) for m in members}
        if len(targets) != 1 or len(inputs) != 1:
            raise ValueError(f'routed models must share inputs and targets, got inputs '
                             f'{sorted(inputs)} and targets {sorted(targets)}')
        self.region_names: List[str] = list(built)
        self.students = nn.ModuleDict(built)
        self.fallback = fallback
        self.input_names = list(next(iter(inputs)))
        self.target_names = list(next(iter(targets)))

    def region_index(self, regions) -> torch.Tensor:
        """(B,) long indices into ``region_names``; -1 for no / unknown region."""
        if isinstance(regions, torch.Tensor):
            idx = regions.long().clone()
            idx[(idx < 0) | (idx >= len(self.region_names))] = -1
            return idx
        out = []
        for r in regions:
            if r is None:
                out.append(-1)
            elif isinstance(r, str):
                out.append(self.region_names.index(r) if r in self.region_names else -1)
            else:
                out.append(int(r) if 0 <= int(r) < len(self.region_names) else -1)
        return torch.tensor(out, dtype=torch.long)

    def route(self, x: torch.Tensor, regions) -> torch.Tensor:
        """Physical inputs (B, F) and regions (B,) -> physical targets (B, T).

        Raises:
            ValueError: ``len(regions) != B``; a sample of no known region without fallback.
        """
        idx = self.region_index(regions).to(x.device)
        if idx.numel() != x.shape[0]:
            raise ValueError(f'{idx.numel()} regions for {x.shape[0]} samples')
        if (idx < 0).any() and self.fallback is None:
            raise ValueError(f'{int((idx < 0).sum())} sample(s) of no known region '
                             f'{self.region_names} and no fallback model')
        out = x.new_zeros(x.shape[0], len(self.target_names))
        for k, name in enumerate(self.region_names):
            sel = idx == k
            if sel.any():
                out[sel] = self.students[name].predict_targets(x[sel]).to(out)
        sel = idx < 0
        if sel.any():
            out[sel] = self.fallback.predict_targets(x[sel]).to(out)
        return out

    @staticmethod
    def _sample_regions(data_samples) -> list:
        return [s.get('region', s.metainfo.get('region')) for s in data_samples]

    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor', regions=None):
        if regions is None:
            if data_samples is None:
                raise ValueError("RoutedRetriever needs regions (argument or the data "
                                 "samples' 'region')")
            regions = self._sample_regions(data_samples)
        if mode == 'tensor':
            return self.route(inputs, regions)
        if mode == 'predict':
            pred = self.route(inputs, regions)
            for sample, p in zip(data_samples, pred):
                sample.pred_target = p.detach()
            return data_samples
        if mode == 'loss':
            idx = self.region_index(regions).to(inputs.device)
            y = Retriever.stack_targets(data_samples).to(inputs)
            total, n = inputs.new_zeros(()), 0
            for k, name in enumerate(self.region_names):
                sel = idx == k
                if sel.any():
                    total = total + self.students[name].loss(inputs[sel], y[sel])['loss'] \
                        * int(sel.sum())
                    n += int(sel.sum())
            return dict(loss=total / max(n, 1))
        raise ValueError(f"Unknown mode {mode!r}; expected 'loss', 'predict' or 'tensor'")


def goc_on_stored_teacher(alpha: float):
    """Minibatch loss for :func:`~groklst.models.retrievers.training.train_retriever` that
    distils from stored teacher predictions (offline KD).

    The training ``y`` passed to the loop is ``torch.cat([y, y_t], 1)``: ground truth (N, T) and
    the teacher's physical predictions of the same samples (N, T). The loss is :func:`goc_loss`
    on the student's z-scored output, both halves z-scored with the student's statistics.

    Raises:
        ValueError: alpha outside [0, 1]; (when called) ``y`` without 2 T columns.
    """
    alpha = _check_alpha(alpha)

    def loss(model: Retriever, x: torch.Tensor, y_and_teacher: torch.Tensor) -> torch.Tensor:
        t = model.out_features
        if y_and_teacher.shape[1] != 2 * t:
            raise ValueError(f'goc_on_stored_teacher needs y and teacher predictions side by '
                             f'side ({2 * t} columns), got {tuple(y_and_teacher.shape)}')
        z_s = model.forward_normalized(model.normalize_inputs(x))
        y_and_teacher = y_and_teacher.to(z_s)
        return goc_loss(z_s, model.normalize_targets(y_and_teacher[:, :t]),
                        model.normalize_targets(y_and_teacher[:, t:]), alpha)

    return loss
