"""The downscaling metrics (groklst.evaluation.functional): RMSE, MAE, BIAS, CC, RSD per image
and pooled, on the hand-worked examples of worked_examples.py (definitions: Dai et al., GrokLST,
IEEE TGRS 2025, Eq. 11-16; RSD with n-1 standard deviations)."""
import math

import numpy as np
import pytest
import torch

from groklst.evaluation import functional as F
from tests.test_evaluation.worked_examples import (EXP_A, EXP_B, EXP_POOLED_AB, P_A, P_B, R_A,
                                                   R_B)

FUNCS = dict(RMSE=F.rmse, MAE=F.mae, BIAS=F.bias, CC=F.cc, RSD=F.rsd)


def _approx(expected: dict, rel=1e-12, abs_=1e-12):
    return {k: pytest.approx(v, rel=rel, abs=abs_) for k, v in expected.items()}


@pytest.mark.parametrize('name', list(FUNCS))
def test_each_metric_by_hand(name):
    assert FUNCS[name](np.array(P_A), np.array(R_A)) == pytest.approx(EXP_A[name], rel=1e-12)
    assert FUNCS[name](np.array(P_B), np.array(R_B)) == pytest.approx(EXP_B[name], rel=1e-12)


def test_hand_values_numeric_literals():
    # the closed forms above, as decimals
    assert EXP_A['RMSE'] == pytest.approx(0.8660254, abs=1e-7)
    assert EXP_A['CC'] == pytest.approx(0.8315218, abs=1e-7)
    assert EXP_A['RSD'] == pytest.approx(0.2440710, abs=1e-7)
    assert F.lst_metrics(P_A, R_A) == _approx(EXP_A)


def test_metrics_are_float64_even_for_float32_input():
    # 300 K + tiny spread: float32 accumulation would lose the differences
    rng = np.random.default_rng(0)
    ref = (300.0 + rng.normal(0, 1e-3, 4096)).astype(np.float32)
    pred = ref + np.float32(1e-3)
    exp = pred.astype(np.float64) - ref.astype(np.float64)
    assert F.bias(pred, ref) == pytest.approx(exp.mean(), rel=1e-12)
    assert F.rmse(pred, ref) == pytest.approx(math.sqrt((exp ** 2).mean()), rel=1e-12)


def test_masked_pixels_excluded():
    # the two masked pixels carry huge errors; unmasked pixels are example A
    pred = np.array([[[1.0, 2.0, 100.0], [3.0, 4.0, -50.0]]])  # (1, 2, 3)
    ref = np.array([[[1.0, 3.0, 0.0], [2.0, 5.0, 0.0]]])
    mask = np.array([[[True, True, False], [True, True, False]]])
    assert F.lst_metrics(pred, ref, mask) == _approx(EXP_A)
    for name, fn in FUNCS.items():
        assert fn(pred, ref, mask) == pytest.approx(EXP_A[name], rel=1e-12)


def test_nonfinite_pixels_excluded():
    pred = np.array([1.0, 2.0, np.nan, 3.0, 4.0, 7.0])
    ref = np.array([1.0, 3.0, 7.0, 2.0, 5.0, np.inf])
    assert F.lst_metrics(pred, ref) == _approx(EXP_A)
    # NaN both excluded and combined with a mask
    mask = np.array([True, True, True, True, True, False])
    assert F.lst_metrics(pred, ref, mask) == _approx(EXP_A)


def test_torch_input_accepted():
    pred = torch.tensor(P_A, dtype=torch.float32).view(1, 2, 2)
    ref = torch.tensor(R_A, dtype=torch.float32).view(1, 2, 2)
    mask = torch.ones(1, 2, 2, dtype=torch.bool)
    assert F.lst_metrics(pred, ref, mask) == _approx(EXP_A)


def test_errors():
    with pytest.raises(ValueError, match=r'\(2, 2\).*\(4,\)'):
        F.rmse(np.zeros((2, 2)), np.zeros(4))
    with pytest.raises(ValueError, match='mask shape'):
        F.rmse(np.zeros(4), np.zeros(4), np.ones(3, bool))
    with pytest.raises(ValueError, match='no valid pixel'):
        F.mae(np.ones(3), np.ones(3), np.zeros(3, bool))
    with pytest.raises(ValueError, match='no valid pixel'):
        F.bias(np.full(3, np.nan), np.ones(3))
    # CC/RSD need two pixels; RMSE works with one
    assert F.rmse([3.0], [1.0]) == 2.0
    with pytest.raises(ValueError, match='at least 2'):
        F.cc([3.0], [1.0])
    with pytest.raises(ValueError, match='at least 2'):
        F.rsd([3.0, np.nan], [1.0, 2.0])


def test_degenerate_cc_rsd_are_nan():
    assert math.isnan(F.cc([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))  # constant pred
    assert math.isnan(F.rsd([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]))  # σ_ref = 0
    assert F.rsd([5.0, 5.0, 5.0], [1.0, 2.0, 3.0]) == 1.0  # σ_pred = 0 -> |0 - σ|/σ = 1


def test_pooled_moments_by_hand_and_vs_per_image():
    m = F.merge_moments([F.pixel_moments(P_A, R_A), F.pixel_moments(P_B, R_B)])
    assert m[0] == 6
    assert F.metrics_from_moments(m) == _approx(EXP_POOLED_AB)
    # pooled != per-image mean here, e.g. RMSE: sqrt(13/6)=1.47196 vs (0.86603+2.23607)/2=1.55105
    per_image_rmse = (EXP_A['RMSE'] + EXP_B['RMSE']) / 2
    assert per_image_rmse == pytest.approx(1.5510467, abs=1e-7)
    assert EXP_POOLED_AB['RMSE'] == pytest.approx(1.4719601, abs=1e-7)


def test_pooled_equals_functional_on_concatenation():
    rng = np.random.default_rng(1)
    preds, refs, masks, moments = [], [], [], []
    for h, w in [(5, 7), (16, 16), (3, 2), (9, 4)]:  # images of different sizes
        ref = 290.0 + 5 * rng.standard_normal((1, h, w))
        pred = ref + rng.normal(0.3, 0.8, (1, h, w))
        pred[0, 0, 0] = np.nan
        mask = rng.random((1, h, w)) > 0.2
        preds.append(pred.ravel())
        refs.append(ref.ravel())
        masks.append(mask.ravel())
        moments.append(F.pixel_moments(pred, ref, mask))
    pooled = F.metrics_from_moments(F.merge_moments(moments))
    expected = F.lst_metrics(np.concatenate(preds), np.concatenate(refs), np.concatenate(masks))
    assert pooled == _approx(expected, rel=1e-10, abs_=1e-12)


def test_pooled_moments_stable_at_lst_magnitude():
    # σ of 1 mK on a 300 K field: raw power sums (Σp² ~ 9e4 n) would lose CC/RSD entirely
    rng = np.random.default_rng(2)
    parts = []
    for n in (1000, 37, 500):
        ref = 300.0 + 1e-3 * rng.standard_normal(n)
        pred = ref + 2e-4 * rng.standard_normal(n)
        parts.append((pred, ref))
    pooled = F.metrics_from_moments(F.merge_moments(F.pixel_moments(p, r) for p, r in parts))
    p_all = np.concatenate([p for p, _ in parts])
    r_all = np.concatenate([r for _, r in parts])
    assert pooled['CC'] == pytest.approx(np.corrcoef(p_all, r_all)[0, 1], rel=1e-8)
    assert pooled['RSD'] == pytest.approx(F.rsd(p_all, r_all), rel=1e-6)
