"""AK-KD (Dai, Mao et al. 2025; groklst.models.retrievers.kd): GOC loss, alpha-sweep statistics,
distillation, routing, and its configs through groklst.apis."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement
from scipy import stats

from groklst.models.retrievers.kd import (DistillationRetriever, GOCLoss, RoutedRetriever,
                                          alpha_sweep_statistics, choose_alpha,
                                          composite_labels, goc_loss, goc_on_stored_teacher,
                                          relative_utility)
from groklst.models.retrievers.mlp_retriever import MLPRetriever
from groklst.models.retrievers.training import predict_physical, train_retriever

torch.set_num_threads(1)
NAMES = ['bt:0', 'bt:1', 'bt:2']


def _stats(x, y, in_names, out_names):
    def table(a, names):
        return {n: dict(mean=float(a[:, k].mean()), std=float(a[:, k].std()))
                for k, n in enumerate(names)}
    return dict(inputs=table(x, in_names), targets=table(y, out_names))


def test_goc_loss_hand_values_and_alpha_one():
    s = torch.tensor([[1.0], [2.0]], requires_grad=True)
    y = torch.tensor([[0.0], [4.0]])
    t = torch.tensor([[2.0], [2.0]], requires_grad=True)
    # hard = (1 + 4) / 2 = 2.5 ; soft = (1 + 0) / 2 = 0.5 ; 0.3 * 2.5 + 0.7 * 0.5 = 1.1
    loss = goc_loss(s, y, t, 0.3)
    assert loss.item() == pytest.approx(1.1, abs=1e-6)
    assert GOCLoss(0.3)(s, y, t).item() == pytest.approx(1.1, abs=1e-6)
    loss.backward()
    # d/ds: 0.3 * 2 (s - y) / 2 + 0.7 * 2 (s - t) / 2 = [0.3 - 0.7, -0.6 + 0] = [-0.4, -0.6]
    assert torch.allclose(s.grad, torch.tensor([[-0.4], [-0.6]]), atol=1e-6)
    assert t.grad is None  # the teacher is a fixed target
    r = torch.randn(7, 2)
    g = torch.randn(7, 2)
    assert goc_loss(r, g, torch.zeros(7, 2), 1.0).item() == pytest.approx(
        F.mse_loss(r, g).item(), rel=1e-6)
    assert goc_loss(r, g, g + 3.0, 0.0).item() == pytest.approx(
        F.mse_loss(r, g + 3.0).item(), rel=1e-6)
    with pytest.raises(ValueError, match='alpha'):
        goc_loss(r, g, g, 1.5)
    with pytest.raises(ValueError, match='one shape'):
        goc_loss(r, g[:, :1], g, 0.5)


def test_composite_labels_have_goc_gradient():
    torch.manual_seed(0)
    s = torch.randn(9, 1, requires_grad=True)
    y, t = torch.randn(9, 1), torch.randn(9, 1)
    goc_loss(s, y, t, 0.3).backward()
    g_goc = s.grad.clone()
    s.grad = None
    F.mse_loss(s, composite_labels(y, t, 0.3)).backward()
    assert torch.allclose(g_goc, s.grad, atol=1e-6)
    assert np.allclose(composite_labels(np.array([300.0]), np.array([310.0]), 0.3), [307.0])


def test_alpha_sweep_statistics_match_scipy_and_hand_formula():
    v = np.array([1.0, 1.2, 0.9, 1.1, 0.95])
    ref = 1.3
    out = alpha_sweep_statistics(v, ref)
    # hand: mean 1.03, sample std, t = (mean - ref) / (s / sqrt(n))
    s = math.sqrt(((v - 1.03) ** 2).sum() / 4)
    t_hand = (1.03 - ref) / (s / math.sqrt(5))
    assert out['t'] == pytest.approx(t_hand, rel=1e-9)
    res = stats.ttest_1samp(v, ref)
    assert out['t'] == pytest.approx(res.statistic, rel=1e-12)
    assert out['p'] == pytest.approx(res.pvalue, rel=1e-12)
    assert out['f'] == pytest.approx(1.0 / math.log(abs(t_hand) + math.e), rel=1e-9)
    assert out['delta'] == pytest.approx(-0.27)
    assert relative_utility(0.0) == pytest.approx(1.0)
    assert relative_utility(-3.0) == pytest.approx(1.0 / math.log(3.0 + math.e))
    # choose the significant improvement with the smallest f (largest |t|)
    table = {0.1: alpha_sweep_statistics([1.5, 1.6, 1.55], 1.3),          # worse
             0.3: out,                                                  # better, |t| large
             0.5: alpha_sweep_statistics([1.2, 1.35, 1.25, 1.3], 1.3)}  # not significant
    assert choose_alpha(table) == 0.3
    assert choose_alpha({0.5: table[0.5]}) is None
    with pytest.raises(ValueError, match='at least 2'):
        alpha_sweep_statistics([1.0], 1.0)


def _toy(n, noise, seed):
    """y = sum(sin(x)) + 0.5 x0 x1 + Gaussian label noise (a smooth 3 -> 1 map)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g) * 1.5
    clean = torch.sin(x).sum(1, keepdim=True) + 0.5 * x[:, :1] * x[:, 1:2]
    return x, clean + noise * torch.randn(n, 1, generator=g), clean


def test_tiny_teacher_to_student_lowers_student_error():
    x_big, y_big, _ = _toy(3000, 0.5, 0)
    x_small, y_small, _ = _toy(60, 0.5, 1)
    x_test, _, clean_test = _toy(1000, 0.0, 2)
    teacher = MLPRetriever(NAMES, ['lst'], hidden_sizes=(64, 64),
                           norm=_stats(x_big, y_big, NAMES, ['lst']))

    def fit(model, x, y, loss_fn=None, **kw):
        torch.manual_seed(0)
        return train_retriever(model, (x, y), None, lr=5e-3, seed=0, loss_fn=loss_fn, **kw)[0]

    fit(teacher, x_big, y_big, steps=400, batch=256)
    t_small = torch.as_tensor(predict_physical(teacher, x_small)).float()
    norm = _stats(x_small, y_small, NAMES, ['lst'])

    def student():
        torch.manual_seed(0)
        return MLPRetriever(NAMES, ['lst'], hidden_sizes=(32, 32), norm=norm)

    plain = fit(student(), x_small, y_small, steps=300, batch=None)
    kd = fit(student(), x_small, torch.cat([y_small, t_small], 1), goc_on_stored_teacher(0.3),
             steps=300, batch=None)
    mae = {k: float(np.mean(np.abs(predict_physical(m, x_test) - clean_test.numpy())))
           for k, m in (('plain', plain), ('kd', kd), ('teacher', teacher))}
    assert mae['teacher'] < mae['plain']
    assert mae['kd'] < 0.75 * mae['plain'], mae  # measured 0.28 vs 0.53


def test_distillation_retriever_loss_grads_and_checks():
    x, y, _ = _toy(32, 0.1, 3)
    norm = _stats(x, y, NAMES, ['lst'])
    teacher = MLPRetriever(NAMES[:2], ['lst', 'lse:0'], hidden_sizes=(8,),
                           norm=_stats(x[:, :2], torch.cat([y, y], 1), NAMES[:2],
                                       ['lst', 'lse:0']))
    model = DistillationRetriever(NAMES, ['lst'], teacher=teacher, hidden_sizes=(16,),
                                  norm=norm, alpha=0.3)
    model.train()
    assert not model.teacher.training
    losses = model.loss(x, y)
    assert losses['loss'].item() == pytest.approx(
        0.3 * losses['loss_hard'].item() + 0.7 * losses['loss_soft'].item(), rel=1e-5)
    losses['loss'].backward()
    for name, p in model.named_parameters():
        if name.startswith('teacher.'):
            assert p.grad is None and not p.requires_grad
        else:
            assert p.grad is not None and p.grad.abs().sum() > 0, name
    t_pred = model.teacher_targets(x)
    assert torch.allclose(t_pred, teacher.predict_targets(x[:, :2])[:, :1])
    with pytest.raises(ValueError, match='missing targets'):
        DistillationRetriever(NAMES, ['lse:3'], teacher=teacher, norm=None)
    with pytest.raises(ValueError, match='missing inputs'):
        DistillationRetriever(NAMES[1:], ['lst'], teacher=teacher, norm=None)


def _constant(value):
    m = MLPRetriever(NAMES, ['lst'], hidden_sizes=(4,))
    for p in m.net.parameters():
        torch.nn.init.zeros_(p)
    m.net.head.bias.data.fill_(value)  # identity normalization: output = value
    return m


def test_router_sends_samples_to_their_region_student():
    router = RoutedRetriever(dict(humid_tropics=_constant(10.0), polar=_constant(20.0)),
                             fallback=_constant(30.0))
    x = torch.randn(5, 3)
    out = router(x, regions=['polar', 'humid_tropics', None, 'polar', 'sahara'])
    assert out[:, 0].tolist() == [20.0, 10.0, 30.0, 20.0, 30.0]
    out = router(x, regions=torch.tensor([0, 1, 1, -1, 0]))
    assert out[:, 0].tolist() == [10.0, 20.0, 20.0, 30.0, 10.0]
    samples = [BaseDataElement(region=r, gt_target=torch.tensor([15.0]))
               for r in ('humid_tropics', 'polar', 'polar')]
    pred = router(x[:3], samples, mode='predict')
    assert [float(s.pred_target[0]) for s in pred] == [10.0, 20.0, 20.0]
    # loss: sample-weighted mean of the students' MSE: (1 * 25 + 2 * 25) / 3
    assert router(x[:3], samples, mode='loss')['loss'].item() == pytest.approx(25.0)
    strict = RoutedRetriever(dict(a=_constant(1.0)))
    with pytest.raises(ValueError, match='no known region'):
        strict(x[:2], regions=['a', 'b'])
    with pytest.raises(ValueError, match='share inputs and targets'):
        RoutedRetriever(dict(a=_constant(1.0), b=MLPRetriever(NAMES, ['lse:0'])))


def test_teacher_then_goc_student_with_train_and_test_apis(tmp_path, retrieval_runs):
    """The two AK-KD configs run end to end: teacher, then student loading its checkpoint."""
    import glob
    import os.path as osp

    train, test, configs = retrieval_runs
    cfg_dir = osp.join(configs, 'akkd')
    teacher_work = tmp_path / 'teacher'
    train(osp.join(cfg_dir, 'mlp-teacher_aster-tir-lst_sim.py'), teacher_work, 60)
    ckpt = glob.glob(osp.join(teacher_work, 'best_RMSE_iter_60.pth'))
    assert len(ckpt) == 1
    student_cfg = osp.join(cfg_dir, 'goc-student_aster-tir-lst_humid-tropics-100_sim.py')
    student_work = tmp_path / 'student'
    train(student_cfg, student_work, 40, {'model.teacher_checkpoint': ckpt[0]})
    s_ckpt = glob.glob(osp.join(student_work, 'iter_40.pth'))
    assert len(s_ckpt) == 1
    metrics = test(student_cfg, s_ckpt[0], student_work,
                   cfg_options={'model.teacher_checkpoint': ckpt[0]}, out=str(tmp_path / 'm.json'))
    assert 0 < metrics['MAE'] < 10  # K, humid-tropics test split after 40 iterations
    assert metrics['lst/n'] < 2000  # only the humid-tropics profiles of the test split
