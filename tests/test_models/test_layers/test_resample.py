"""LR ↔ HR resampling helpers shared by the wrapper, the generators and the classical
sharpeners."""
import pytest
import torch
import torch.nn.functional as F

from groklst.models.layers.resample import block_mean, interpolate_lr, project_to_lr


def test_nearest_repeats_blocks_and_block_mean_inverts_it():
    x = torch.tensor([[[[1., 2.], [3., 4.]]]])
    up = interpolate_lr(x, 2, 'nearest')
    assert up[0, 0].tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, 7, generator=gen, dtype=torch.float64)
    for s in (2, 3, 4, 8):
        torch.testing.assert_close(block_mean(interpolate_lr(x, s, 'nearest'), s), x,
                                   rtol=0, atol=1e-12)
        # the same values as torch's nearest mode at integer scales
        assert torch.equal(interpolate_lr(x, s, 'nearest'),
                           F.interpolate(x, scale_factor=s, mode='nearest'))
    mask = torch.tensor([[[[True, False]]]])
    assert interpolate_lr(mask, 2, 'nearest').flatten().tolist() == [True, True, False, False] * 2


def test_bicubic_is_pixel_area_aligned():
    x = torch.arange(16.).view(1, 1, 4, 4)
    torch.testing.assert_close(interpolate_lr(x, 4),
                               F.interpolate(x, scale_factor=4, mode='bicubic',
                                             align_corners=False))
    # a ramp stays a ramp: HR pixel i sits at LR coordinate (i + 0.5) / s − 0.5
    ramp = interpolate_lr(x, 2, 'bilinear')[0, 0, 1, 1:7]
    torch.testing.assert_close(ramp, torch.tensor([0.25, 0.75, 1.25, 1.75, 2.25, 2.75]) + 4 * 0.25)


def test_errors():
    x = torch.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="Unknown interpolation 'area'"):
        interpolate_lr(x, 2, 'area')
    with pytest.raises(ValueError, match='positive integer, got 2.5'):
        interpolate_lr(x, 2.5, 'nearest')
    with pytest.raises(ValueError, match=r'multiples of 3, got \(1, 1, 4, 4\)'):
        block_mean(x, 3)


# ----------------------------------------------------------------------------- hard projection
def test_projected_prediction_aggregates_to_the_lr_on_valid_pixels():
    torch.manual_seed(0)
    lr = 290 + 10 * torch.rand(2, 1, 5, 7)
    pred = 290 + 10 * torch.rand(2, 1, 20, 28)
    mask = torch.rand(2, 1, 5, 7) > 0.3
    out = project_to_lr(pred, lr, 4, mask)
    agg = block_mean(out, 4)
    assert (agg - lr)[mask].abs().max().item() < 1e-4
    # invalid LR blocks are left as they were
    keep = mask.repeat_interleave(4, -2).repeat_interleave(4, -1)
    assert torch.equal(out[~keep], pred[~keep])
    # already consistent input is unchanged; the result is idempotent
    assert torch.allclose(project_to_lr(out, lr, 4, mask), out, atol=1e-4)


def test_projection_shape_errors():
    with pytest.raises(ValueError, match='expected pred'):
        project_to_lr(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 3, 3), 2)
    with pytest.raises(ValueError, match='mask'):
        project_to_lr(torch.zeros(1, 1, 6, 6), torch.zeros(1, 1, 3, 3), 2,
                      torch.ones(1, 1, 2, 2, dtype=torch.bool))
