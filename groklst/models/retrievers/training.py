"""Training and prediction helpers for retrieval experiments run outside the Runner.

The experiment scripts (``tools/retrieval/*_experiment.py``, ``search_arch.py``) train hundreds
of small tabular models (seeds, repeats, strategies, trials); the MMEngine Runner's start-up and
logging would dominate such runs, so they share this one loop: Adam with a cosine decay to 1 %
of the peak learning rate, minibatches drawn by a seeded generator, optional gradual unfreezing
(:mod:`groklst.models.finetune`), and the weights of the best validation score restored at the
end. Configs for ``tools/train.py`` use the Runner as usual.
"""
import math
from typing import Callable, Optional, Tuple

import numpy as np
import torch

from groklst.models.finetune.strategies import get_gradual_unfreezer

from .base_retriever import Retriever

__all__ = ['predict_physical', 'predict_lst', 'train_retriever']

#: ``loss_fn(model, x, y) -> scalar`` on a minibatch (physical inputs (B, F), rows of ``y``).
LossFn = Callable[[Retriever, torch.Tensor, torch.Tensor], torch.Tensor]


def predict_physical(model: Retriever, x: torch.Tensor, batch: int = 8192) -> np.ndarray:
    """Predictions (N, T) float64 in physical units (K for LST) of physical inputs ``x``
    (N, F), in eval mode without gradients, in chunks of ``batch`` rows."""
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            outs.append(model(x[i:i + batch], mode='tensor').double())
    return torch.cat(outs).numpy()


def predict_lst(model: Retriever, x: torch.Tensor) -> np.ndarray:
    """First target (LST, K) float64 (N,) of physical inputs ``x`` (N, F); see
    :func:`predict_physical`."""
    return predict_physical(model, x)[:, 0]


def _default_loss(model: Retriever, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return sum(model.loss(x, y).values())


def train_retriever(model: Retriever, train: Tuple[torch.Tensor, torch.Tensor],
                    val: Optional[Tuple[torch.Tensor, torch.Tensor]], steps: int,
                    batch: Optional[int], lr: float, seed: int, eval_every: int = 50,
                    select: str = 'rmse', loss_fn: Optional[LossFn] = None
                    ) -> Tuple[Retriever, float]:
    """Adam on the model's loss with a cosine schedule; keeps the best-validation weights.

    Every parameter is handed to Adam; only those with ``requires_grad`` (and a gradient)
    learn. A gradual-unfreezing schedule attached by
    :func:`groklst.models.finetune.strategies.apply_finetune` is stepped with the iteration
    index (0-based) before each step. Seeding the initialisation and dropout is the caller's.

    Args:
        model: the retriever (normalization statistics already set).
        train: ``(x (N, F), y (N, T'))`` physical inputs and the rows ``loss_fn`` reads (by
            default the targets, K for LST).
        val: ``(x, y)`` validation inputs and targets, scored on the first target column every
            ``eval_every`` steps and after the last; ``None``: no selection, the last weights.
        steps: iterations (>= 1).
        batch: samples per iteration, drawn with replacement by a generator seeded with
            ``seed`` (capped at N); ``None``: the whole training set every step (no sampling).
        lr: peak learning rate; the cosine schedule ends at ``lr / 100``.
        seed: seed of the minibatch sampling.
        eval_every: validation interval in steps.
        select: validation score to minimise, ``'rmse'`` or ``'mae'`` (in target units).
        loss_fn: minibatch loss ``loss_fn(model, x, y)``; default the sum of ``model.loss``.

    Returns:
        ``(model in eval mode, best validation score)`` (``nan`` without ``val``; ``inf``, with
        the last weights kept, when no validation score was finite).

    Raises:
        ValueError: ``steps`` < 1, no training samples, row counts of x and y that differ, an
            unknown ``select``.
    """
    x, y = train
    if int(steps) < 1 or x.shape[0] == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(f'need steps >= 1 and matching training rows, got steps={steps}, '
                         f'x {tuple(x.shape)}, y {tuple(y.shape)}')
    if select not in ('rmse', 'mae'):
        raise ValueError(f"select must be 'rmse' or 'mae', got {select!r}")
    loss_fn = loss_fn or _default_loss
    n = x.shape[0]
    gen = torch.Generator().manual_seed(int(seed))
    batch = None if batch is None else min(int(batch), n)
    unfreezer = get_gradual_unfreezer(model)
    opt = torch.optim.Adam(list(model.parameters()), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=int(steps), eta_min=lr * 0.01)
    gt_val = None if val is None else val[1][:, 0].double().numpy()
    best, best_state = math.inf, None
    for step in range(int(steps)):
        if unfreezer is not None:
            unfreezer.step(step)
        model.train()
        if batch is None:
            loss = loss_fn(model, x, y)
        else:
            idx = torch.randint(0, n, (batch,), generator=gen)
            loss = loss_fn(model, x[idx], y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if val is not None and ((step + 1) % eval_every == 0 or step + 1 == steps):
            err = predict_lst(model, val[0]) - gt_val
            score = float(np.sqrt(np.mean(err**2)) if select == 'rmse' else np.mean(np.abs(err)))
            if score < best:
                best = score
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, (best if val is not None else math.nan)
