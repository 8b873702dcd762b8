"""Retrieval under autocast (issue 17 §1): the RTE-coupled PINN (its band Planck and RTE
residual) gives finite losses and gradients, on the CPU (bfloat16) and on CUDA (float16,
bfloat16)."""
import numpy as np
import pytest
import torch

from groklst.models.retrievers.pinn_retriever import PINNRetriever
from tests.fixtures.small_inputs import INPUTS

TARGETS = ['lst', 'tau:0', 'l_up:0', 'l_down:0']


def _batch(n=64):
    rng = np.random.default_rng(0)
    lst = rng.uniform(180.0, 350.0, n)  # the whole range the issue names
    x = np.stack([lst - rng.uniform(0, 8, n), rng.uniform(0.2, 5, n), rng.uniform(0.9, 1.0, n),
                  rng.uniform(0, 60, n)], 1)
    y = np.stack([lst, rng.uniform(0.4, 0.95, n), rng.uniform(0.1, 4, n),
                  rng.uniform(0.2, 6, n)], 1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def _stats(x, y):
    def table(names, a):
        return {n: dict(mean=float(a[:, i].mean()), std=float(a[:, i].std()))
                for i, n in enumerate(names)}
    return dict(inputs=table(INPUTS, x), targets=table(TARGETS, y))


@pytest.mark.parametrize('device, dtype', [
    ('cpu', torch.bfloat16),
    pytest.param('cuda', torch.bfloat16, marks=pytest.mark.cuda),
    pytest.param('cuda', torch.float16, marks=pytest.mark.cuda)])
def test_pinn_loss_finite_under_autocast(device, dtype):
    x, y = _batch()
    torch.manual_seed(0)
    model = PINNRetriever(INPUTS, TARGETS, hidden_sizes=(16, 16), norm=_stats(x, y),
                          lambda_rte=1.0, lambda_bounds=1.0).to(device)
    x, y = x.to(device), y.to(device)
    with torch.autocast(device, dtype=dtype):
        losses = model.loss(x, y)
    assert set(losses) >= {'loss_lst', 'loss_rte', 'loss_bounds'}
    for k, v in losses.items():
        assert torch.isfinite(v).all(), k
    sum(losses.values()).backward()
    assert any(p.grad is not None for p in model.parameters())
    for n, p in model.named_parameters():
        assert p.grad is None or torch.isfinite(p.grad).all(), n
