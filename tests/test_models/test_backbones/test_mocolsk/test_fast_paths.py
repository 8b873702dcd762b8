"""The CPU fast paths of MoCoLSK-Net keep its numerics (issue 17 §2b).

Three rewrites make the training step cheaper without changing what is computed:
* the LSK depth-wise chain runs in ``channels_last`` on the CPU (``depthwise_layout``) and its
  output returns to the caller's layout (``same_layout``);
* the average pyramid pooling of the MCWG pathway is two thin products with 0/1 cell-membership
  matrices instead of one adaptive pooling per bin;
* a residual block with ``res_scale == 1`` skips the multiplication by 1.

Each test compares against the plain formulation (NCHW convolutions, ``adaptive_avg_pool2d``
per bin, ``x + body(x) * res_scale``): outputs and gradients must agree to float rounding.
"""
import hashlib

import pytest
import torch
import torch.nn.functional as F

import groklst.models.backbones.mocolsk.lsk as lsk_module
import groklst.models.backbones.mocolsk.pooling as pooling_module
import groklst.models.layers.residual as residual_module
from groklst.models.backbones.mocolsk import MoCoLSKNet, pyramid_pool_tokens
from groklst.models.layers import ResBlock, depthwise_layout, same_layout


def _plain_avg_cells(x, bins):
    b, c = x.shape[:2]
    return [F.adaptive_avg_pool2d(x, s).reshape(b, c, -1) for s in bins]


def _plain_res_forward(self, x):
    return x + self.body(x) * self.res_scale


@pytest.fixture
def plain_paths(monkeypatch):
    """Switch the three fast paths back to the plain formulation."""
    def use():
        monkeypatch.setattr(lsk_module, 'depthwise_layout', lambda x: x)
        monkeypatch.setattr(pooling_module, '_avg_pool_cells', _plain_avg_cells)
        monkeypatch.setattr(residual_module.ResBlock, 'forward', _plain_res_forward)
    return use


@pytest.mark.parametrize('shape', [(2, 5, 32, 32), (1, 3, 17, 29), (2, 2, 5, 7), (1, 2, 1, 1)])
@pytest.mark.parametrize('pool_type', ['avg', 'ppm', 'avgmax', 'max'])
def test_pyramid_pooling_equals_adaptive_pooling_per_bin(shape, pool_type):
    torch.manual_seed(0)
    bins = (1, 2, 3, 6)  # 3 and 6 do not divide 32, 17 or 29: overlapping cells
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    cells = []
    for s in bins:
        avg, mx = F.adaptive_avg_pool2d(x, s), F.adaptive_max_pool2d(x, s)
        pooled = {'avg': avg, 'ppm': avg, 'max': mx, 'avgmax': 0.5 * (avg + mx)}[pool_type]
        cells.append(pooled.reshape(shape[0], shape[1], -1))
    expected = torch.cat(cells, 2).transpose(1, 2)
    grad_out = torch.randn_like(expected)
    expected.backward(grad_out)

    xf = x.detach().float().requires_grad_()
    tokens = pyramid_pool_tokens(xf, bins, pool_type)
    tokens.backward(grad_out.float())
    assert tokens.shape == (shape[0], 50, shape[1]) and tokens.dtype == torch.float32
    torch.testing.assert_close(tokens.double(), expected.detach(), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(xf.grad.double(), x.grad, rtol=1e-6, atol=1e-6)


def test_pyramid_pooling_known_cells():
    # 4 x 4 map of 0..15, bins (1, 2): global mean 7.5, then the four 2 x 2 block means.
    x = torch.arange(16.).reshape(1, 1, 4, 4)
    tokens = pyramid_pool_tokens(x, (1, 2), 'avg')
    assert tokens[0, :, 0].tolist() == [7.5, 2.5, 4.5, 10.5, 12.5]


def test_depthwise_layout_and_same_layout_keep_values():
    x = torch.randn(2, 6, 5, 7)
    fast = depthwise_layout(x)
    assert fast.is_contiguous(memory_format=torch.channels_last)  # CPU: channels_last
    assert torch.equal(fast, x)
    back = same_layout(fast * 2, x)
    assert back.is_contiguous() and torch.equal(back, x * 2)
    cl = x.contiguous(memory_format=torch.channels_last)
    assert same_layout(x + 1, cl).is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(ValueError, match=r'\(B, C, H, W\)'):
        depthwise_layout(torch.randn(3, 4))


def test_res_block_scale_still_applies():
    torch.manual_seed(0)
    block = ResBlock(4, res_scale=0.1)
    x = torch.randn(1, 4, 6, 6)
    assert torch.allclose(block(x), x + 0.1 * block.body(x), atol=1e-7)
    block.res_scale = 1.0
    assert torch.equal(block(x), x + block.body(x))  # bit-identical to the multiply by 1


def _output_and_grads(net, lr, guidance):
    net.zero_grad(set_to_none=True)
    out = net(lr, guidance)
    (out.square().mean() + out.mean()).backward()
    return out.detach(), {n: p.grad.clone() for n, p in net.named_parameters()
                          if p.grad is not None}


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('block_types', ['S', 'C'])
def test_mocolsk_outputs_and_gradients_equal_plain_formulation(block_types, dtype, plain_paths):
    torch.manual_seed(0)
    net = MoCoLSKNet(scale=4, guidance_channels=3, base_dim=8, num_stages=2, n_resblocks=1,
                     block_types=block_types).train().to(dtype)
    lr, guidance = torch.randn(2, 1, 9, 7, dtype=dtype), torch.randn(2, 3, 36, 28, dtype=dtype)
    fast_out, fast_grads = _output_and_grads(net, lr, guidance)
    plain_paths()
    plain_out, plain_grads = _output_and_grads(net, lr, guidance)
    assert fast_out.shape == (2, 1, 36, 28) and fast_out.is_contiguous()
    # float32: rounding of a different summation order; float64: the same to 1e-10
    rtol, atol = (1e-5, 1e-6) if dtype == torch.float32 else (1e-10, 1e-12)
    torch.testing.assert_close(fast_out, plain_out, rtol=rtol, atol=atol)
    assert fast_grads.keys() == plain_grads.keys()
    mcwg = [n for n in fast_grads if '.mcwg.' in n]
    assert mcwg and all(fast_grads[n].abs().sum() > 0 for n in mcwg)  # MCWG pathway trains
    for name, grad in fast_grads.items():
        scale = plain_grads[name].abs().max().item()
        if dtype == torch.float32:
            tol = dict(rtol=1e-4, atol=1e-5 * scale + 1e-7)
        else:
            tol = dict(rtol=1e-9, atol=1e-10 * scale + 1e-14)
        torch.testing.assert_close(grad, plain_grads[name], **tol,
                                   msg=lambda m, n=name: f'{n}: {m}')


# sha256 of 'key:shape;...' of the state dicts below, taken from the plain formulation (before
# the fast paths): the checkpoint layout must not change.
_STATE_DICT_DIGESTS = {'S': (183, 'de0063bcdc8110f8'), 'C': (187, '0dcbdba2b9b265be')}


@pytest.mark.parametrize('block_types', ['S', 'C'])
def test_state_dict_layout_unchanged(block_types):
    net = MoCoLSKNet(scale=4, guidance_channels=3, base_dim=8, num_stages=2, n_resblocks=1,
                     block_types=block_types)
    sd = net.state_dict()
    text = ';'.join(f'{k}:{tuple(v.shape)}' for k, v in sd.items())
    assert (len(sd), hashlib.sha256(text.encode()).hexdigest()[:16]) == \
        _STATE_DICT_DIGESTS[block_types]


def test_pyramid_pooling_trains_after_inference_mode():
    # nothing built under torch.inference_mode may be reused by a later training step
    x = torch.randn(1, 2, 12, 12)
    with torch.inference_mode():
        pyramid_pool_tokens(x, (1, 2, 3, 6), 'avg')
    xg = x.clone().requires_grad_()
    pyramid_pool_tokens(xg, (1, 2, 3, 6), 'avg').sum().backward()
    # 12 is divisible by every bin: each position is in one cell of each bin, a cell of bin b
    # has 144 / b^2 positions, so d(sum of all means)/dx = sum_b b^2 / 144 = 50 / 144
    torch.testing.assert_close(xg.grad, torch.full_like(x, 50 / 144))


def test_pyramid_pooling_half_precision_large_map_does_not_overflow():
    # 256 x 256 values of 10 sum to 655 360 > float16 max 65 504; the means are 10
    x = torch.full((1, 1, 256, 256), 10.0, dtype=torch.float16)
    tokens = pyramid_pool_tokens(x, (1, 2, 3, 6), 'avg')
    assert tokens.dtype == torch.float16 and torch.isfinite(tokens).all()
    torch.testing.assert_close(tokens.float(), torch.full((1, 50, 1), 10.0), rtol=1e-3, atol=0)
