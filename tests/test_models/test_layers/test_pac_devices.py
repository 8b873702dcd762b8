"""PAC's own op (pixel-adaptive convolution, groklst.models.layers.pac) on CUDA equals the CPU:
forward and gradients (issue 17 §1)."""
import pytest
import torch

from groklst.models.layers.pac import pac_conv2d, pac_gaussian_kernel
from tests.fixtures.devices import strict_fp32


@pytest.mark.cuda  # the CPU path itself is gradchecked in test_pac.py
def test_pac_conv2d_on_cuda_equals_cpu():
    device = 'cuda'
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 9, 11, generator=gen)
    guide = torch.randn(2, 4, 9, 11, generator=gen)
    weight = torch.randn(5, 3, 3, 3, generator=gen)
    bias = torch.randn(5, generator=gen)

    def run(device):
        leaves = [t.clone().to(device).requires_grad_() for t in (x, guide, weight, bias)]
        kernel = pac_gaussian_kernel(leaves[1], 3, padding=1)
        out = pac_conv2d(leaves[0], kernel, leaves[2], leaves[3], padding=1)
        out.square().sum().backward()
        return out.detach().cpu(), [t.grad.cpu() for t in leaves]

    with strict_fp32():
        ref, ref_grads = run('cpu')
        out, grads = run(device)
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-4)
    for g, r in zip(grads, ref_grads):
        torch.testing.assert_close(g, r, rtol=1e-4, atol=1e-3)
