"""CU-Net (Deng and Dragotti, TPAMI 2020): soft thresholding and the unrolled LISTA block."""
import torch

from groklst.models.backbones.gisr.cunet import LISTABlock, soft_threshold


def test_soft_threshold_and_lista_with_zero_dictionary():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    torch.testing.assert_close(soft_threshold(x, torch.tensor(0.5)),
                               torch.tensor([-1.5, 0.0, 0.0, 0.0, 1.0]))
    torch.manual_seed(0)
    block = LISTABlock(2, n_filters=4, kernel_size=3, n_iters=2)
    with torch.no_grad():
        for conv in block.decode:
            conv.weight.zero_()
        block.thresholds.copy_(torch.tensor([0.1, 0.2, 0.3]))
    x = torch.randn(1, 2, 5, 5)
    p = block.encode(x)
    # zero dictionary: u_{t+1} = S(p + u_t), a hand-unrolled recursion of soft-thresholds
    u0 = torch.sign(p) * (p.abs() - 0.1).clamp_min(0)
    u1 = torch.sign(p + u0) * ((p + u0).abs() - 0.2).clamp_min(0)
    u2 = torch.sign(p + u1) * ((p + u1).abs() - 0.3).clamp_min(0)
    torch.testing.assert_close(block(x), u2)
