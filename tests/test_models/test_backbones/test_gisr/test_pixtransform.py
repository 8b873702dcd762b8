"""PixTransform's network (de Lutio et al., ICCV 2019): a pixel-wise MLP."""
import torch

from groklst.models.backbones.gisr.pixtransform import PixTransformMLP


def test_pixtransform_mlp_is_pixel_wise_and_dense_path_matches():
    torch.manual_seed(0)
    mlp = PixTransformMLP(3, 2, hidden=8, width=16)
    g, sp = torch.randn(1, 3, 5, 6), torch.randn(1, 2, 5, 6)
    out = mlp(g, sp)
    flat = mlp.forward_pixels(g[0].reshape(3, -1).t(), sp[0].reshape(2, -1).t())
    torch.testing.assert_close(out.reshape(-1), flat, atol=1e-5, rtol=1e-5)
    g2 = g.clone()
    g2[..., 2, 3] += 1.0  # changes only pixel (2, 3)
    changed = (mlp(g2, sp) - out).abs()[0, 0] > 0
    assert changed[2, 3] and changed.sum() == 1
