"""Dynamic MLP A/B/C (Yang et al., CVPR 2022; groklst.models.backbones.mocolsk.dynamic_mlp)."""
import pytest
import torch

from groklst.models.backbones.mocolsk import DynamicMLPFusion, build_dynamic_mlp


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c', 'A'])
def test_dynamic_mlp_shapes(mlp_type):
    img, loc = torch.randn(2, 50, 8), torch.randn(2, 50, 6)
    layer = build_dynamic_mlp(mlp_type, 8, 12, 6)
    assert layer(img, loc).shape == (2, 50, 12)
    # also works on plain (B, C) vectors
    assert layer(img[:, 0], loc[:, 0]).shape == (2, 12)


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c'])
@pytest.mark.parametrize('num_layers', [1, 3])
def test_dynamic_mlp_fusion_shapes_and_no_batch_mixing(mlp_type, num_layers):
    fusion = DynamicMLPFusion(8, 36, loc_dim=6, hidden=16, num_layers=num_layers,
                              mlp_type=mlp_type).eval()
    img, loc = torch.randn(3, 50, 8), torch.randn(3, 50, 6)
    out = fusion(img, loc)
    assert out.shape == (3, 50, 36)
    torch.testing.assert_close(out[:1], fusion(img[:1], loc[:1]), atol=1e-5, rtol=1e-5)
    if num_layers == 3:
        assert len(fusion.layers) == 3


def test_dynamic_mlp_errors():
    with pytest.raises(ValueError, match="'d'"):
        build_dynamic_mlp('d', 4, 4, 4)
    with pytest.raises(ValueError, match='num_layers'):
        DynamicMLPFusion(4, 4, num_layers=0)
    with pytest.raises(ValueError, match='leading'):
        build_dynamic_mlp('a', 4, 4, 4)(torch.randn(2, 5, 4), torch.randn(2, 6, 4))
