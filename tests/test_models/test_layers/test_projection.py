"""Hard aggregation-consistency projection (residual redistribution)."""
import pytest
import torch

from groklst.models.layers.resample import block_mean, project_to_lr


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
