"""The orthonormal 2-D DCT and the Neumann Laplacian it diagonalises
(groklst.models.layers.dct), against scipy and by hand."""
import numpy as np
import torch

from groklst.models.layers.dct import (dct_2d, dct_matrix, idct_2d, laplacian_dct_eigenvalues,
                                       neumann_laplacian)


def test_dct_round_trip_and_scipy():
    from scipy.fft import dctn
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 11, dtype=torch.float64)
    coeffs = dct_2d(x)
    ref = dctn(x.numpy(), axes=(-2, -1), norm='ortho')
    np.testing.assert_allclose(coeffs.numpy(), ref, atol=1e-10)
    xf = x.float()
    assert (idct_2d(dct_2d(xf)) - xf).abs().max() < 1e-5
    d = dct_matrix(7, torch.float64)
    torch.testing.assert_close(d @ d.T, torch.eye(7, dtype=torch.float64))


def test_dct_diagonalizes_neumann_laplacian():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 6, 9, dtype=torch.float64)
    kappa = laplacian_dct_eigenvalues(6, 9, torch.float64)
    torch.testing.assert_close(dct_2d(neumann_laplacian(x)), kappa * dct_2d(x))
    assert kappa[0, 0, 0, 0] == 0 and (kappa <= 0).all()
    # hand check of the 5-point stencil in the interior and at a replicated corner
    lap = neumann_laplacian(x)
    i, j = 2, 3
    hand = x[0, 0, i - 1, j] + x[0, 0, i + 1, j] + x[0, 0, i, j - 1] + x[0, 0, i, j + 1] \
        - 4 * x[0, 0, i, j]
    torch.testing.assert_close(lap[0, 0, i, j], hand)
    torch.testing.assert_close(lap[0, 0, 0, 0],
                               x[0, 0, 1, 0] + x[0, 0, 0, 1] - 2 * x[0, 0, 0, 0])
