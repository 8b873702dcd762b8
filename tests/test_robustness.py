"""Robustness: resume after SIGKILL, plotting a training log, and clear errors on broken inputs."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import rasterio

from tests.fixtures.make_scene_fixture import make_scene_fixture
from tests.test_datasets.test_check import _rewrite
from tests.fixtures.paths import ROOT


# Tiny SISR model (EDSR, bicubic residual) on a scene laid out like the Landsat-8 demo.
# logger interval 1 and window 1: scalars.json holds every iteration's own loss.
CONFIG = """
_base_ = ['{root}/configs/_base_/default_runtime.py']
data_root = '{data}'
stats_file = '{data}/stats.json'
scale = 4
train_pipeline = [dict(type='LoadLSTSample', cache_scenes=True),
                  dict(type='PairedRandomCrop', gt_patch_size=32),
                  dict(type='PairedFlipRot'), dict(type='PackLSTInputs')]
test_pipeline = [dict(type='LoadLSTSample', cache_scenes=True), dict(type='PackLSTInputs')]
ds = dict(type='RasterTileDataset', data_root=data_root, scale=scale, use_guidance=False)
train_dataloader = dict(batch_size=4, num_workers={workers},
                        persistent_workers={persistent},
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(ds, split='train', pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(ds, split='val', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
train_cfg = dict(type='IterBasedTrainLoop', max_iters={iters}, val_interval=1000)
val_cfg = dict(type='ValLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0))
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, max_keep_ckpts=10, save_best=None))
log_processor = dict(window_size=1)
randomness = dict(seed=123, deterministic=True)
model = dict(type='Downscaler', scale=scale, residual='bicubic',
             lst_norm=dict(stats_file=stats_file, key='lst'),
             generator=dict(type='EDSR', scale=scale, n_feats=16, n_resblocks=2))
"""


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    env.pop('CUDA_VISIBLE_DEVICES', None)
    return env


def _train_cmd(cfg, work, *extra):
    return [sys.executable, 'tools/train.py', cfg, '--work-dir', work, *extra]


def _scalars(work_dir):
    """{iter: loss} of every run of a work dir (later runs override earlier ones)."""
    out = {}
    for log in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(log) as f:
            for line in f:
                rec = json.loads(line)
                if 'loss' in rec:
                    out.setdefault(osp.dirname(osp.dirname(log)), {})[rec['iter']] = rec['loss']
    return [out[k] for k in sorted(out)]


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('robust')
    data = str(tmp / 'data')
    make_scene_fixture(data, size=128, tile=32)
    return tmp, data


def _write_cfg(tmp, data, name, workers=0):
    cfg = str(tmp / name)
    with open(cfg, 'w') as f:
        f.write(CONFIG.format(root=ROOT, data=data, iters=8, workers=workers,
                              persistent=bool(workers)))
    return cfg


def _kill_after_checkpoint(cfg, work, ckpt_iter=4, timeout=120.0):
    """Start training, SIGKILL it as soon as ``last_checkpoint`` names ``iter_{ckpt_iter}``
    or a later one; return the iteration of that checkpoint."""
    proc = subprocess.Popen(_train_cmd(cfg, work), cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = osp.join(work, 'last_checkpoint')
    start = time.time()
    try:
        while time.time() - start < timeout:
            if osp.isfile(last):
                with open(last) as f:
                    name = f.read().strip()
                done = osp.basename(name)
                if done.startswith('iter_') and int(done[5:-4]) >= ckpt_iter:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return int(done[5:-4])
            if proc.poll() is not None:
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    pytest.fail(f'training ended (rc={proc.returncode}) before the kill: '
                f'{proc.stderr.read()[-2000:]}')


@pytest.mark.parametrize('workers', [0])  # 1 worker passes too (checked by hand, +25 s)
def test_resume_after_sigkill_continues_loss_curve(scene, workers):
    tmp, data = scene
    cfg = _write_cfg(tmp, data, f'tiny_w{workers}.py', workers=workers)
    work_a, work_b = str(tmp / f'a{workers}'), str(tmp / f'b{workers}')
    r = subprocess.run(_train_cmd(cfg, work_a), cwd=ROOT, env=_env(), capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    (losses_a,) = _scalars(work_a)
    assert sorted(losses_a) == list(range(1, 9))
    # different batches give different losses, so equal curves below mean equal data order
    assert len({round(v, 6) for v in losses_a.values()}) == 8

    killed_at = _kill_after_checkpoint(cfg, work_b)
    assert killed_at in (4, 6), killed_at
    # the kill is hard: the run must not have reached its end
    assert not osp.isfile(osp.join(work_b, 'iter_8.pth'))
    r = subprocess.run(_train_cmd(cfg, work_b, '--resume'), cwd=ROOT, env=_env(),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    runs = _scalars(work_b)
    resumed = runs[-1]
    assert sorted(resumed) == list(range(killed_at + 1, 9))
    for it, loss in resumed.items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])
    # and the losses before the kill matched too (same seed, same data order)
    for it, loss in runs[0].items():
        assert abs(loss - losses_a[it]) <= 1e-5, (it, loss, losses_a[it])

    # the training log of the resumed work dir (tools/analysis/plot_log.py): both runs merged
    # into one curve
    from groklst.analysis.training_log import find_scalars, read_curves
    from groklst.visualization import plot_curves
    out = str(tmp / 'curve.png')
    curves = read_curves(find_scalars(work_b), ['loss', 'lr', 'RMSE'])
    assert plot_curves(curves, out, title=work_b) == out
    assert [i for i, _ in curves['loss']] == list(range(1, 9))
    assert [i for i, _ in curves['RMSE']] == [8]  # the final validation, placed at iter 8
    assert [v for _, v in curves['lr']] == [1e-3] * 8
    assert all(abs(v - losses_a[i]) <= 1e-5 for i, v in curves['loss'])
    import matplotlib.image as mpimg
    img = mpimg.imread(out)
    assert img.shape[0] > 300 and img.std() > 0.01


# ---------------------------------------------------------------- broken inputs -> clear errors
def _copy_scene(scene, tmp_path):
    import shutil
    return shutil.copytree(scene[1], str(tmp_path / 'scene'))


def _dataset(root, **kw):
    from groklst.datasets import RasterTileDataset
    return RasterTileDataset(root, 'train', 4, pipeline=[dict(type='LoadLSTSample')], **kw)


def test_truncated_geotiff_error_names_the_file(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    ds = _dataset(root)
    path = osp.join(root, 'guidance.tif')
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 20])  # header intact, pixel data cut
    with pytest.raises(ValueError, match=r'guidance\.tif.*(corrupt or truncated|readable)'):
        ds[0]
    with pytest.raises(ValueError, match=r'guidance\.tif'):
        _dataset(root)[0]


def test_wrong_crs_between_paired_rasters(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)

    def utm17(a, p):
        p['crs'] = 'EPSG:32617'
        return a, p

    _rewrite(osp.join(root, 'lr_lst_x4.tif'), utm17)
    with pytest.raises(ValueError, match=r'CRS mismatch.*lr_lst_x4\.tif.*EPSG:32617'):
        _dataset(root)


def test_shifted_lr_grid_is_refused(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)

    def shift(a, p):
        p['transform'] = p['transform'] * rasterio.Affine.translation(0.5, 0)
        return a, p

    _rewrite(osp.join(root, 'lr_lst_x4.tif'), shift)
    with pytest.raises(ValueError, match=r'lr_lst_x4\.tif: geotransform .* coarsened by scale 4'):
        _dataset(root)


def test_wrong_band_count(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    _rewrite(osp.join(root, 'guidance.tif'), lambda a, p: (a[:2], p))
    with pytest.raises(ValueError, match=r'guidance\.tif: 2 guidance bands.*lists 3'):
        _dataset(root)
    _rewrite(osp.join(root, 'hr_lst.tif'), lambda a, p: (np.concatenate([a, a]), p))
    with pytest.raises(ValueError, match=r'hr_lst\.tif: expected 1 band \(hr\), found 2'):
        _dataset(root, use_guidance=False)


def test_scale_mismatch(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    os.replace(osp.join(root, 'lr_lst_x2.tif'), osp.join(root, 'lr_lst_x4.tif'))
    with pytest.raises(ValueError, match=r'lr_lst_x4\.tif is 64 x 64 pixels .* expected 32 x 32 '
                                         r'\(HR size / scale 4\)'):
        _dataset(root)


def test_all_nan_tile_is_reported_and_never_reaches_the_model(scene, tmp_path):
    """An all-NaN LR raster: the checker refuses it by name; the loader masks every pixel
    (no NaN is passed on)."""
    from groklst.datasets.check import check_raster_scene
    root = _copy_scene(scene, tmp_path)
    _rewrite(osp.join(root, 'lr_lst_x4.tif'), lambda a, p: (np.full_like(a, np.nan), p))
    rep = check_raster_scene(root, 4)
    assert [e for e in rep.errors if 'lr_lst_x4.tif: all pixels are NaN' in e], rep.errors
    sample = _dataset(root)[0]
    assert not sample['lr_mask'].any() and np.isfinite(sample['lr_lst']).all()


def test_corrupt_mat_error_names_the_file(tmp_path):
    from groklst.datasets import GrokLSTDataset
    from tests.fixtures.make_groklst_fixture import make_groklst_fixture
    make_groklst_fixture(str(tmp_path), n=4, hr=16)
    ds = GrokLSTDataset(str(tmp_path), split='test', scale=4,
                        pipeline=[dict(type='LoadLSTSample')])
    bad = osp.join(str(tmp_path), ds.get_data_info(0)['lr_path'])
    data = open(bad, 'rb').read()
    with open(bad, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r'cannot read MAT file .*120m/lst/.*corrupt or trunc'):
        ds[0]


def test_benchmark_inference_smoke(tmp_path):
    """The inference benchmark on a tiny SRCNN: FLOPs match the hand count of its convolutions,
    the scene pass covers the scene, and the markdown table has one row per scene."""
    from groklst.analysis.inference_benchmark import bench_model, gemm_peak, to_markdown
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = tmp_path / 'srcnn.py'
    cfg.write_text(f"_base_ = ['{ROOT}/configs/sisr/srcnn/srcnn_x4_1xb4-800it_landsat8-demo.py']\n"
                   "model = dict(lst_norm=dict(_delete_=True, mean=300.0, std=5.0),\n"
                   "             generator=dict(channels=(8, 4)))\n")
    res = bench_model(str(cfg), tile=32, repeats=1, scene_tiles=[1, 2], overlap=0)
    # SRCNN 9-5-5 with widths 1 -> 8 -> 4 -> 1 on a 32 x 32 HR grid: 2 FLOPs per MAC
    macs = 32 * 32 * (81 * 1 * 8 + 25 * 8 * 4 + 25 * 4 * 1)
    assert res['flops'] == 2 * macs
    assert [sc['hr_shape'] for sc in res['scenes']] == [(32, 32), (64, 64)]
    assert all(sc['seconds'] > 0 and sc['mpix_per_s'] > 0 for sc in res['scenes'])
    peak = gemm_peak(128, 3)
    assert peak > 0
    md = to_markdown([res], peak, tile=32, scene_tiles=[1, 2], overlap=0, repeats=1, gemm_n=128)
    assert md.count('| 32x32 |') == 1 and md.count('| 64x64 |') == 1


def test_rng_state_hook_round_trips_torch_generator_through_a_checkpoint(tmp_path):
    """Dropout after a resume draws the same numbers as the uninterrupted run would have."""
    import torch
    from mmengine.config import Config

    from groklst.engine.hooks import RNGStateHook
    hook = RNGStateHook()
    torch.manual_seed(123)
    torch.rand(5)                       # advance the generator past the seed state
    ckpt = {}
    hook.before_save_checkpoint(None, ckpt)
    path = tmp_path / 'ckpt.pth'
    torch.save(ckpt, path)
    expected = torch.rand(4)            # what iteration N+1 would draw without a kill
    torch.manual_seed(0)                # a resumed process re-seeds
    hook.after_load_checkpoint(None, torch.load(path, weights_only=True))
    assert torch.equal(torch.rand(4), expected)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    hook.after_load_checkpoint(None, {'meta': {}})   # old checkpoints: state untouched
    assert torch.equal(torch.get_rng_state(), before)
    cfg = Config.fromfile(osp.join(osp.dirname(osp.dirname(__file__)),
                                   'configs/_base_/default_runtime.py'))
    assert dict(type='RNGStateHook') in cfg.custom_hooks
