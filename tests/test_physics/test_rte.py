"""Radiative transfer (groklst.physics.rte): the inverse recovers Ts exactly; bad inputs."""
import numpy as np
import pytest
import torch

from groklst.physics.rte import (rte_forward, rte_forward_torch, rte_inverse,
                                 rte_inverse_torch)
from groklst.physics.srf import get_sensor


@pytest.fixture(scope='module')
def tirs():
    return get_sensor('landsat8_tirs')


def test_rte_inverse_recovers_ts_exactly(tirs):
    rng = np.random.default_rng(0)
    band = tirs.band('B10').planck
    n = 500
    ts = rng.uniform(250, 330, n)
    eps = rng.uniform(0.9, 1.0, n)
    tau = rng.uniform(0.3, 0.95, n)
    lup = rng.uniform(0.1, 4.0, n)
    ldn = rng.uniform(0.2, 6.0, n)
    lsen = rte_forward(band, ts, eps, tau, lup, ldn)
    back = rte_inverse(band, lsen, eps, tau, lup, ldn)
    assert np.abs(back - ts).max() < 1e-6
    # torch path, differentiable
    args = [torch.as_tensor(a) for a in (eps, tau, lup, ldn)]
    t_ts = torch.as_tensor(ts).requires_grad_(True)
    l_t = rte_forward_torch(band, t_ts, *args)
    np.testing.assert_allclose(l_t.detach().numpy(), lsen, rtol=1e-10)
    back_t = rte_inverse_torch(band, l_t, *args)
    assert (back_t - t_ts).abs().max().item() < 1e-6
    back_t.sum().backward()
    np.testing.assert_allclose(t_ts.grad.numpy(), 1.0, atol=1e-6)


def test_rte_rejects_bad_inputs(tirs):
    band = tirs.band('B10').planck
    with pytest.raises(ValueError, match='emissivity'):
        rte_forward(band, 300.0, 1.2, 0.8, 1.0, 2.0)
    with pytest.raises(ValueError, match='tau'):
        rte_inverse(band, 9.0, 0.97, 0.0, 1.0, 2.0)
