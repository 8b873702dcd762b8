"""LSTMetric (groklst.evaluation.metrics.lst_metric, an MMEngine BaseMetric): per-image and
pooled metrics on the hand-worked examples, prefixes, errors."""
import math

import pytest
import torch

from groklst.evaluation import functional as F
from groklst.evaluation.metrics.lst_metric import LSTMetric
from groklst.registry import METRICS
from groklst.structures.lst_data_sample import LSTDataSample
from tests.test_evaluation.worked_examples import (EXP_A, EXP_B, EXP_POOLED_AB, P_A, P_B, R_A,
                                                   R_B)


def _sample(pred, ref, mask=None, sample_id='x', as_dict=True):
    shape = (1, 1, len(pred))
    ds = LSTDataSample(metainfo=dict(sample_id=sample_id))
    ds.pred_lst = torch.tensor(pred, dtype=torch.float32).view(shape)
    ds.gt_lst = torch.tensor(ref, dtype=torch.float32).view(shape)
    if mask is not None:
        ds.gt_mask = torch.tensor(mask, dtype=torch.bool).view(shape)
    return ds.to_dict() if as_dict else ds


def test_lst_metric_process_compute():
    metric = METRICS.build(dict(type='LSTMetric'))
    assert isinstance(metric, LSTMetric)
    # image A padded with a masked-out pixel; image B as an LSTDataSample (not a dict)
    metric.process({}, [_sample(P_A + [999.0], R_A + [0.0], [1, 1, 1, 1, 0], 'a')])
    metric.process({}, [_sample(P_B, R_B, None, 'b', as_dict=False),
                        _sample([5.0, 6.0], [5.0, 7.0], [1, 0], 'one_px'),   # 1 valid: skipped
                        _sample([5.0, 6.0], [5.0, 7.0], [0, 0], 'no_px')])   # 0 valid: skipped
    assert len(metric.results) == 4  # one result per sample (needed by collect_results)
    out = metric.compute_metrics(metric.results)
    for name in F.METRIC_NAMES:
        # per-image mean over A and B only: e.g. RMSE = (sqrt(3/4) + sqrt(5)) / 2
        assert out[name] == pytest.approx((EXP_A[name] + EXP_B[name]) / 2, rel=1e-6)
    # pooled: A ∪ B plus the single valid pixel of 'one_px' (pred 5, ref 5, d = 0)
    m = F.merge_moments([F.pixel_moments(P_A, R_A), F.pixel_moments(P_B, R_B),
                         F.pixel_moments([5.0], [5.0])])
    exp_pooled = F.metrics_from_moments(m)
    # with d = 0 added: RMSE = sqrt(13/7), MAE = 7/7 = 1, BIAS = -5/7
    assert exp_pooled['RMSE'] == pytest.approx(math.sqrt(13 / 7), rel=1e-12)
    assert exp_pooled['MAE'] == pytest.approx(1.0, rel=1e-12)
    for name in F.METRIC_NAMES:
        assert out[f'{name}_pooled'] == pytest.approx(exp_pooled[name], rel=1e-6)
    assert out['n_images'] == 2 and out['n_skipped'] == 2 and out['n_pixels'] == 7
    assert out['RMSE'] != pytest.approx(out['RMSE_pooled'])


def test_lst_metric_evaluate_and_prefix():
    metric = LSTMetric(prefix='val')
    metric.process({}, [_sample(P_A, R_A), _sample(P_B, R_B)])
    out = metric.evaluate(size=2)
    assert out['val/RMSE'] == pytest.approx((EXP_A['RMSE'] + EXP_B['RMSE']) / 2, rel=1e-6)
    assert out['val/CC_pooled'] == pytest.approx(EXP_POOLED_AB['CC'], rel=1e-6)
    assert metric.results == []
    assert 'RMSE' in LSTMetric().compute_metrics([])  # empty -> NaN, no exception
    assert math.isnan(LSTMetric().compute_metrics([])['RMSE_pooled'])


def test_lst_metric_errors():
    with pytest.raises(ValueError):
        LSTMetric(min_valid_pixels=1)
    metric = LSTMetric()
    with pytest.raises(KeyError, match='pred_lst'):
        metric.process({}, [dict(gt_lst=torch.zeros(1, 2, 2))])
    bad = _sample(P_A, R_A)
    bad['gt_lst'] = torch.zeros(1, 2, 2)
    with pytest.raises(ValueError, match='shape'):
        metric.process({}, [bad])
