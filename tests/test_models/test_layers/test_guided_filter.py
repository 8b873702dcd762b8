"""The guided filter of He et al. (ECCV 2010 / TPAMI 2013), its fast variant and the learned
box of DGF (groklst.models.layers.guided_filter), checked by hand."""
import pytest
import torch
import torch.nn.functional as F

from groklst.models.layers.guided_filter import (ConvGuidedFilter, box_filter,
                                                 fast_guided_filter, guided_filter)


def test_box_filter_hand_computed():
    x = torch.arange(9.0).reshape(1, 1, 3, 3)
    out = box_filter(x, 1)
    # centre: mean of 0..8 = 4; corner (0, 0): mean of {0, 1, 3, 4} = 2; edge (0, 1): 2.5
    assert out[0, 0, 1, 1] == pytest.approx(4.0)
    assert out[0, 0, 0, 0] == pytest.approx(2.0)
    assert out[0, 0, 0, 1] == pytest.approx(2.5)
    torch.testing.assert_close(box_filter(x, 0), x)
    with pytest.raises(ValueError, match='radius'):
        box_filter(x, -1)


def test_guided_filter_constant_guide_is_box_of_box_mean():
    """I constant -> var = cov = 0 -> a = 0, b = mean(p) -> q = box(box(p)) (He et al. Eq. 8)."""
    torch.manual_seed(0)
    src = torch.randn(2, 1, 9, 11)
    guide = torch.full_like(src, 3.0)
    out = guided_filter(guide, src, 2, 1e-3)
    torch.testing.assert_close(out, box_filter(box_filter(src, 2), 2), atol=1e-5, rtol=0)
    # fast variant: the same coefficients at LR, upsampled bilinearly
    hr_guide = torch.full((2, 1, 18, 22), 3.0)
    out = fast_guided_filter(guide, src, hr_guide, 1, 1e-3)
    want = F.interpolate(box_filter(box_filter(src, 1), 1), size=(18, 22), mode='bilinear',
                         align_corners=False)
    torch.testing.assert_close(out, want, atol=1e-5, rtol=0)


def test_guided_filter_self_guided_keeps_edges():
    """Step edge 0 | 1, r = 1: at the edge var = 2/9 >> eps, so a ~ 1 and the step survives,
    while the box mean smooths it to 1/3 and 2/3; a large eps smooths like the box filter."""
    step = torch.zeros(1, 1, 8, 8)
    step[..., 4:] = 1.0
    kept = guided_filter(step, step, 1, 1e-4)
    assert (kept - step).abs().max() < 5e-3
    assert (box_filter(step, 1) - step).abs().max() == pytest.approx(1 / 3, abs=1e-6)
    smooth = guided_filter(step, step, 1, 1e3)
    torch.testing.assert_close(smooth, box_filter(box_filter(step, 1), 1), atol=1e-3, rtol=0)


def test_guided_filter_bad_shapes():
    with pytest.raises(ValueError, match='1 channel or as many'):
        guided_filter(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 4, 4), 1, 1e-2)
    with pytest.raises(ValueError, match='eps'):
        guided_filter(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 4), 1, 0.0)


def test_conv_guided_filter_starts_as_a_normalised_box():
    """The learned box starts at ones: a constant field stays constant through it."""
    f = ConvGuidedFilter(1, radius=2)
    x = torch.full((1, 1, 6, 6), 2.5)
    torch.testing.assert_close(f._mean(x), x)




# ---------------------------------------------------------------- per-image PixTransform fit


# ---------------------------------------------------------------- configs
