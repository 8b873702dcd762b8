"""Tests of groklst.evaluation: functional metrics and the LSTMetric (MMEngine BaseMetric).

Expected values are worked out by hand in the comments (definitions: Dai et al., GrokLST,
IEEE TGRS 2025, Eq. 11-16; RSD with n-1 standard deviations).
"""
import math

import numpy as np
import pytest
import torch

from groklst.evaluation import functional as F
from groklst.evaluation.metrics.lst_metric import LSTMetric
from groklst.registry import METRICS
from groklst.structures.lst_data_sample import LSTDataSample

# Example A: pred = [1, 2, 3, 4], ref = [1, 3, 2, 5]
#   d = pred - ref = [0, -1, 1, -1]
#   RMSE = sqrt((0 + 1 + 1 + 1) / 4) = sqrt(3/4) = 0.8660254
#   MAE  = (0 + 1 + 1 + 1) / 4 = 0.75
#   BIAS = (0 - 1 + 1 - 1) / 4 = -0.25
#   mean p = 2.5, mean r = 2.75
#   dp = [-1.5, -0.5, 0.5, 1.5], dr = [-1.75, 0.25, -0.75, 2.25]
#   Σdp·dr = 2.625 - 0.125 - 0.375 + 3.375 = 5.5 ; Σdp² = 5 ; Σdr² = 8.75
#   CC  = 5.5 / sqrt(5 * 8.75) = 5.5 / sqrt(43.75) = 0.8315218
#   σp = sqrt(5/3), σr = sqrt(8.75/3)  ->  RSD = 1 - sqrt(5/8.75) = 1 - sqrt(4/7) = 0.2440710
P_A = [1.0, 2.0, 3.0, 4.0]
R_A = [1.0, 3.0, 2.0, 5.0]
EXP_A = dict(RMSE=math.sqrt(3 / 4), MAE=0.75, BIAS=-0.25, CC=5.5 / math.sqrt(43.75),
             RSD=1 - math.sqrt(4 / 7))

# Example B: pred = [10, 12], ref = [11, 15]
#   d = [-1, -3]: RMSE = sqrt((1 + 9) / 2) = sqrt(5), MAE = 2, BIAS = -2
#   dp = [-1, 1], dr = [-2, 2]: CC = 4 / sqrt(2 * 8) = 1
#   σp = sqrt(2 / 1) = √2, σr = sqrt(8 / 1) = 2√2: RSD = |√2 - 2√2| / 2√2 = 0.5
P_B = [10.0, 12.0]
R_B = [11.0, 15.0]
EXP_B = dict(RMSE=math.sqrt(5), MAE=2.0, BIAS=-2.0, CC=1.0, RSD=0.5)

# Pooled A ∪ B (6 pixels): p = [1, 2, 3, 4, 10, 12], r = [1, 3, 2, 5, 11, 15]
#   Σd² = 3 + 10 = 13 -> RMSE = sqrt(13/6) ; Σ|d| = 3 + 4 = 7 -> MAE = 7/6 ; Σd = -1 - 4 = -5
#   -> BIAS = -5/6
#   Σp = 32, Σr = 37, Σp² = 274, Σr² = 385, Σpr = 323
#   Sxx = 274 - 32²/6 = 310/3 ; Syy = 385 - 37²/6 = 941/6 ; Sxy = 323 - 32·37/6 = 377/3
#   CC = (377/3) / sqrt((310/3)(941/6)) ; RSD = 1 - sqrt(Sxx/Syy) = 1 - sqrt(620/941)
EXP_POOLED_AB = dict(RMSE=math.sqrt(13 / 6), MAE=7 / 6, BIAS=-5 / 6,
                     CC=(377 / 3) / math.sqrt((310 / 3) * (941 / 6)),
                     RSD=1 - math.sqrt(620 / 941))
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
