"""DCTNet (Zhao et al., CVPR 2022): the DCT solver of the guided Poisson problem satisfies its
normal equation."""
import torch

from groklst.models.backbones.gisr.dctnet import solve_guided_poisson
from groklst.models.layers.dct import neumann_laplacian


def test_dctnet_solver_satisfies_normal_equation():
    torch.manual_seed(0)
    d, r = torch.randn(2, 1, 3, 10, 12, dtype=torch.float64)
    w = torch.rand(1, 3, 10, 12, dtype=torch.float64)
    lam = torch.tensor([0.5, 2.0, 7.0], dtype=torch.float64).view(1, 3, 1, 1)
    z = solve_guided_poisson(d, r, w, lam)
    lhs = z + lam * neumann_laplacian(neumann_laplacian(z))
    rhs = d + lam * neumann_laplacian(w * neumann_laplacian(r))
    torch.testing.assert_close(lhs, rhs, atol=1e-9, rtol=1e-9)
    # a guide with zero weight leaves only the smoothing: constants pass unchanged
    const = torch.full((1, 3, 10, 12), 2.5, dtype=torch.float64)
    torch.testing.assert_close(solve_guided_poisson(const, r, torch.zeros_like(w), lam), const)
