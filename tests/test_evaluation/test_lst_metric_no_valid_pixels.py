"""An evaluation without a valid pixel is an error, never NaN metrics (issue 14 §3)."""
import math

import pytest
import torch

from groklst.evaluation import LSTMetric, NoValidPixelsError


def _sample(valid: bool, value: float = 300.0):
    pred = torch.full((1, 4, 4), value)
    return dict(pred_lst=pred, gt_lst=pred + 1.0, gt_mask=torch.full((1, 4, 4), valid),
                sample_id='t')


def test_no_valid_pixel_raises_with_every_prefix():
    for prefix in (None, 'val'):
        metric = LSTMetric(prefix=prefix)
        metric.process({}, [_sample(False), _sample(False)])
        with pytest.raises(NoValidPixelsError, match='none of the 2 evaluated images'):
            metric.evaluate(size=2)
        assert metric.results == []  # cleared: the next evaluation starts afresh
    # the building block stays quiet (NaN where undefined), as documented
    assert math.isnan(LSTMetric().compute_metrics([])['RMSE'])


def test_some_valid_pixels_give_numbers():
    metric = LSTMetric(prefix='val')
    metric.process({}, [_sample(False), _sample(True)])
    out = metric.evaluate(size=2)
    assert out['val/RMSE'] == pytest.approx(1.0) and out['val/BIAS'] == pytest.approx(-1.0)
    assert out['val/n_pixels'] == 16 and out['val/n_skipped'] == 1
