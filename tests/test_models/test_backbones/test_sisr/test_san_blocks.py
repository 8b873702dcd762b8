"""SAN's second-order channel attention blocks (Dai et al., CVPR 2019): covariance pooling and
the Newton-Schulz matrix square root."""
import torch

from groklst.models.backbones.sisr.san_blocks import covariance_pool, newton_schulz_sqrtm


def test_newton_schulz_matches_eigendecomposition():
    torch.manual_seed(0)
    x = torch.randn(2, 6, 5, 7, dtype=torch.float64)
    cov = covariance_pool(x)
    flat = x.reshape(2, 6, -1)
    flat = flat - flat.mean(-1, keepdim=True)
    torch.testing.assert_close(cov, flat @ flat.transpose(1, 2) / flat.shape[-1])
    evals, evecs = torch.linalg.eigh(cov)
    exact = evecs @ torch.diag_embed(evals.clamp_min(0).sqrt()) @ evecs.transpose(1, 2)
    approx = newton_schulz_sqrtm(cov, n_iter=30)
    torch.testing.assert_close(approx, exact, atol=1e-4, rtol=1e-3)
    five = newton_schulz_sqrtm(cov, n_iter=5)  # SAN's setting: an approximation
    assert (five - exact).norm() / exact.norm() < 0.3
