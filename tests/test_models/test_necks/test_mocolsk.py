"""The MoCoLSK fusion necks (groklst.models.necks.mocolsk: MoCoLSK 'S', MoCoLSK-Ex, MoCoLSK-CS
'C'; with SK-M, LSK-M, LSK-CS-M of .concat where the options are shared): generated dynamic
weights train, per-sample kernels, the exchanged modalities of Ex, large-kernel sequences, MCWG
pooling and Dynamic MLP options (Dai et al., GrokLST, IEEE TGRS 2025)."""
import pytest
import torch

from groklst.models.backbones.mocolsk import block_type_neck
from groklst.models.builder import build_part
from groklst.models.necks import MoCoLSKBlock


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def build_fusion_block(block_type, dim, **hyper):
    """The neck a ``block_types`` name stands for, built the way ``MoCoLSKNet`` builds it (its
    fusion hyper-parameters handed to the neck where the neck takes them)."""
    return build_part(block_type_neck(block_type), 'neck', dict(dim=dim), hyper)


@pytest.mark.parametrize('block_type', ['S', 'Ex', 'C'])
def test_generated_dynamic_weights_receive_gradients(block_type):
    """The predecessor froze the MCWG output in a new nn.Parameter, so it never trained."""
    block = build_fusion_block(block_type, 8, cs_min_dim=4)
    captured = []

    def keep(_module, _inputs, output):
        output.retain_grad()
        captured.append(output)

    block.mcwg.register_forward_hook(keep)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    block(lst, gui).square().mean().backward()
    (weights, ) = captured
    assert weights.grad is not None and torch.isfinite(weights.grad).all()
    assert weights.grad[0].abs().sum() > 0 and weights.grad[1].abs().sum() > 0
    for name, p in block.mcwg.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_mocolsk_cs_and_ex_are_per_sample():
    for block_type in ('C', 'Ex'):
        block = build_fusion_block(block_type, 8).eval()
        lst, gui = torch.randn(3, 8, 10, 10), torch.randn(3, 8, 10, 10)
        lst[2] = 3 * lst[2] + 1
        with torch.no_grad():
            torch.testing.assert_close(block(lst, gui)[:1], block(lst[:1], gui[:1]),
                                       atol=1e-5, rtol=0)


def test_mocolsk_ex_exchanges_the_modalities():
    """Ex = LSK pathway on the guidance, attention multiplies the LST (same parameters as S)."""
    s = build_fusion_block('S', 8)
    ex = build_fusion_block('Ex', 8)
    ex.load_state_dict(s.state_dict())
    lst, gui = torch.randn(2, 8, 9, 9), torch.randn(2, 8, 9, 9)
    with torch.no_grad():
        kernel = s.mcwg(lst, gui)
        torch.testing.assert_close(ex(lst, gui), s.lsk(gui, kernel) * lst)
        torch.testing.assert_close(s(lst, gui), s.lsk(lst, kernel) * gui)


@pytest.mark.parametrize('kernels', [((3, 1), (5, 2)), ((5, 1), (7, 3), (9, 4)), ((23, 1), )])
@pytest.mark.parametrize('block_type', ['S', 'C', 'LSK-M', 'LSK-CS-M'])
def test_kernel_sequences_in_every_lsk_block(kernels, block_type):
    block = build_fusion_block(block_type, 8, lsk_kernels=kernels)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    with torch.no_grad():
        assert block(lst, gui).shape == (2, 8, 12, 12)
    if block_type == 'S':
        assert block.mcwg.weight_shape == (len(kernels), 2, 3, 3)
    if block_type == 'C':
        assert block.lsk.kernels == kernels and block.lsk.select.num_branches == len(kernels)


@pytest.mark.parametrize('pool_type, pool_bins', [('avg', (1, )), ('max', (1, )),
                                                  ('avgmax', (1, )), ('ppm', (1, 2, 3, 6))])
@pytest.mark.parametrize('block_type', ['S', 'C'])
def test_pooling_choices_in_the_mcwg_pathway(pool_type, pool_bins, block_type):
    block = build_fusion_block(block_type, 8, pool_type=pool_type, pool_bins=pool_bins)
    assert block.mcwg.pool.pool_type == pool_type
    assert block.mcwg.pool.num_tokens == sum(b * b for b in pool_bins)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    block(lst, gui).mean().backward()
    assert all(p.grad is not None for p in block.mcwg.parameters())


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c'])
@pytest.mark.parametrize('mlp_layers, mlp_hidden', [(1, 32), (2, 16), (3, 64)])
def test_dmlp_version_depth_and_width(mlp_type, mlp_layers, mlp_hidden):
    block = build_fusion_block('S', 8, mlp_type=mlp_type, mlp_layers=mlp_layers,
                               mlp_hidden=mlp_hidden)
    layers = block.mcwg.fusion.layers
    assert len(layers) == mlp_layers
    assert type(layers[0]).__name__ == f'DynamicMLP{mlp_type.upper()}'
    if mlp_layers > 1:
        assert layers[0].out_dim == mlp_hidden and layers[-1].in_dim == mlp_hidden
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    with torch.no_grad():
        assert block(lst, gui).shape == (2, 8, 12, 12)




def test_mocolsk_block_shape_grad_and_errors():
    block = MoCoLSKBlock(8)
    lst = torch.randn(2, 8, 12, 12, requires_grad=True)
    gui = torch.randn(2, 8, 12, 12)
    out = block(lst, gui)
    assert out.shape == (2, 8, 12, 12)
    out.square().mean().backward()
    for name, p in block.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match='MoCoLSKBlock'):
        block(lst, torch.randn(2, 8, 6, 6))
