"""Retrieval metrics (groklst.evaluation.functional_retrieval): regression metrics and
WVC-binned errors by hand."""
import math

import numpy as np
import pytest

from groklst.evaluation.functional_retrieval import binned_errors, regression_metrics


def test_regression_metrics_by_hand():
    rng = np.random.default_rng(0)
    ref = rng.uniform(270, 320, 500)
    pred = ref + rng.normal(0.3, 1.5, 500)
    m = regression_metrics(pred, ref)
    d = pred - ref
    assert m['RMSE'] == pytest.approx(np.sqrt(np.mean(d ** 2)), rel=1e-12)
    assert m['MAE'] == pytest.approx(np.mean(np.abs(d)), rel=1e-12)
    assert m['BIAS'] == pytest.approx(np.mean(d), rel=1e-12)
    assert m['PCC'] == pytest.approx(np.corrcoef(pred, ref)[0, 1], rel=1e-12)
    r2 = 1 - np.sum(d ** 2) / np.sum((ref - ref.mean()) ** 2)
    assert m['R2'] == pytest.approx(r2, rel=1e-12) and m['n'] == 500
    wvc = rng.uniform(0, 4.5, 500)
    bins = binned_errors(pred, ref, wvc, (0, 1, 2, 3, 4, 5, math.inf))
    assert list(bins) == ['0-1', '1-2', '2-3', '3-4', '4-5', '5-inf']
    sel = (wvc >= 1) & (wvc < 2)
    assert bins['1-2']['n'] == sel.sum()
    assert bins['1-2']['RMSE'] == pytest.approx(np.sqrt(np.mean(d[sel] ** 2)), rel=1e-12)
    assert bins['1-2']['MAE'] == pytest.approx(np.mean(np.abs(d[sel])), rel=1e-12)
    assert bins['5-inf']['n'] == 0 and math.isnan(bins['5-inf']['RMSE'])
    assert sum(b['n'] for b in bins.values()) == 500
