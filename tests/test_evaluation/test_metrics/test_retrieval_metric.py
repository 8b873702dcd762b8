"""RetrievalMetric (groklst.evaluation.metrics.retrieval_metric): keys and values by hand."""
import numpy as np
import pytest
import torch

from groklst.evaluation.metrics.retrieval_metric import RetrievalMetric


def test_retrieval_metric_keys_and_values():
    from mmengine.structures import BaseDataElement
    rng = np.random.default_rng(1)
    gt = rng.uniform(280, 310, (40, 2))
    pred = gt + rng.normal(0, 1, (40, 2))
    wvc = np.r_[np.full(20, 0.5), np.full(20, 6.0)]
    metric = RetrievalMetric()
    samples = []
    for k in range(40):
        s = BaseDataElement(metainfo=dict(target_names=['lst', 'tau:0']))
        s.pred_target, s.gt_target = torch.tensor(pred[k]), torch.tensor(gt[k])
        s.wvc = float(wvc[k])
        samples.append(s)
    metric.process(None, samples[:25])
    metric.process(None, samples[25:])
    out = metric.compute_metrics(metric.results)
    d = pred - gt
    assert out['RMSE'] == out['lst/RMSE'] == pytest.approx(np.sqrt((d[:, 0] ** 2).mean()))
    assert out['tau:0/MAE'] == pytest.approx(np.abs(d[:, 1]).mean())
    assert out['lst/n_wvc5-inf'] == 20 and out['lst/n_wvc1-2'] == 0
    assert out['lst/MAE_wvc5-inf'] == pytest.approx(np.abs(d[20:, 0]).mean())
    assert 'tau:0/RMSE_wvc0-1' not in out  # only the primary target is binned by default
    bad = BaseDataElement(metainfo=dict(target_names=['lst']))
    bad.pred_target, bad.gt_target, bad.wvc = torch.zeros(2), torch.zeros(3), 1.0
    with pytest.raises(ValueError, match='differ'):
        metric.process(None, [bad])
