"""Scene-level downscaling in memory (groklst.apis.inference): the model from its config and
checkpoint, tile starts and blend weights, tiled inference equal to whole-scene inference,
guidance normalization, no-data, bad arguments."""
import json

import numpy as np
import pytest
import torch

from groklst.apis import blend_weights_1d, downscale_scene, init_downscaler, tile_starts
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import BANDS, BICUBIC_X4, HR, _smooth_scene

register_all_modules()


def _srcnn(kernel_sizes=(3, 1, 3), channels=(8, 4), seed=0):
    torch.manual_seed(seed)
    return MODELS.build(dict(type='Downscaler', scale=4, residual=None,
                             lst_norm=dict(mean=300.0, std=5.0),
                             generator=dict(type='SRCNN', scale=4, channels=channels,
                                            kernel_sizes=kernel_sizes))).eval()


def test_blend_weights_partition_of_unity_and_hand_values():
    w = blend_weights_1d(64, 32, True, True)
    # margin 32 // 4 = 8 px of weight 0, raised cosine over 16 px, then 1
    assert np.all(w[:8] == 0) and np.all(w[-8:] == 0)
    assert np.all(w[24:40] == 1)
    assert w[8] == pytest.approx(0.5 - 0.5 * np.cos(np.pi * 0.5 / 16), abs=1e-12)
    assert w[15] == pytest.approx(0.5 - 0.5 * np.cos(np.pi * 7.5 / 16), abs=1e-12)
    assert np.all(blend_weights_1d(64, 32, False, False) == 1)
    # tiles of 64 every 32 px (last one flush) over 160 px: weights sum to exactly 1
    starts = tile_starts(160, 64, 32)
    assert starts == [0, 32, 64, 96]
    total = np.zeros(160)
    for s in starts:
        total[s:s + 64] += blend_weights_1d(64, 32, s > 0, s + 64 < 160)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    assert tile_starts(100, 64, 48) == [0, 36]  # flush last tile, larger overlap
    assert tile_starts(50, 64, 48) == [0]


def test_tiled_equals_whole_when_overlap_covers_receptive_field():
    """SRCNN 3-1-3 at x4 (bicubic upsampling touches <= 6 HR px next to a tile edge, the convs 2
    more: 8 HR px) is exact with overlap 32 (zero-weight margin 8); overlap 8 (margin 2) is not.
    """
    lr, _ = _smooth_scene()
    model = _srcnn()
    whole = downscale_scene(model, lr, None, tile=96, overlap=0, progress=False)
    direct = model.predict_lst(torch.from_numpy(lr)[None, None]).detach().numpy()[0, 0]
    np.testing.assert_allclose(whole, direct, atol=1e-4)
    tiled = downscale_scene(model, lr, None, tile=64, overlap=32, batch=3, progress=False)
    assert np.abs(tiled - whole).max() < 1e-3
    coarse_overlap = downscale_scene(model, lr, None, tile=64, overlap=8, progress=False)
    assert np.abs(coarse_overlap - whole).max() > 5e-3  # 5 x the tolerance


def test_guided_model_normalizes_guidance_and_tiles_exactly(guided):
    model, lr, g = guided
    whole = downscale_scene(model, lr, g, tile=256, progress=False)
    stats = model.cfg.test_dataloader.dataset.pipeline[1].stats_file
    with open(stats) as f:
        st = json.load(f)['guidance']
    g_norm = np.stack([(g[i] - st[b]['mean']) / st[b]['std'] for i, b in enumerate(BANDS)])
    direct = model.predict_lst(torch.from_numpy(lr)[None, None],
                               torch.from_numpy(g_norm.astype(np.float32))[None])
    np.testing.assert_allclose(whole, direct.detach().numpy()[0, 0], atol=1e-4)
    raw = model.predict_lst(torch.from_numpy(lr)[None, None], torch.from_numpy(g)[None])
    assert np.abs(whole - raw.detach().numpy()[0, 0]).max() > 1e-2  # normalization mattered
    tiled = downscale_scene(model, lr, g, tile=64, overlap=32, batch=2, progress=False)
    assert np.abs(tiled - whole).max() < 1e-3


def test_checkpoint_is_loaded_and_learned_model_needs_one(guided, tmp_path):
    model, lr, g = guided
    cfg = model.cfg
    torch.manual_seed(1)  # the weights _save_random_ckpt saved
    ref = MODELS.build(cfg.model)
    for (name, a), b in zip(model.state_dict().items(), ref.state_dict().values()):
        assert torch.equal(a, b), name
    with pytest.raises(ValueError, match='no checkpoint'):
        init_downscaler(cfg)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_downscaler(cfg, str(tmp_path / 'missing.pth'))
    bicubic = init_downscaler(BICUBIC_X4)  # no trainable parameters: no checkpoint needed
    assert bicubic.scale == 4 and not bicubic.uses_guidance


def test_seams_no_larger_than_elsewhere_on_smooth_input():
    """Random SRCNN 9-5-5 (receptive field 16 HR px, wider than the zero-weight margin 4 of
    overlap 16) on a smooth plane. Steps between neighbouring columns across the tile borders are
    no larger than the steps elsewhere in the scene interior (>= 16 px from its edges), nor than
    the steps of the untiled output there; hard stitching (overlap 0) leaves a step 10 x larger.
    """
    y, x = np.mgrid[0:24, 0:24]
    lr = (300 + 0.2 * x + 0.1 * y).astype(np.float32)
    model = _srcnn(kernel_sizes=(9, 5, 5), channels=(16, 8), seed=3)

    def border_columns(overlap):  # dx[:, j] is the step between columns j and j + 1
        st = tile_starts(HR, 64, 64 - overlap)
        return sorted({s - 1 for s in st if s > 0} | {s + 63 for s in st if s + 64 < HR})

    inner = slice(16, HR - 17)
    whole = downscale_scene(model, lr, None, tile=HR, overlap=0, progress=False)
    whole_step = np.abs(np.diff(whole, axis=1))[:, inner].max()
    blended = downscale_scene(model, lr, None, tile=64, overlap=16, progress=False)
    dx = np.abs(np.diff(blended, axis=1))
    border = border_columns(16)
    assert border == [31, 63]
    other = [j for j in range(16, HR - 17) if j not in border]
    assert dx[:, border].max() <= dx[:, other].max()
    assert dx[:, border].max() <= whole_step
    hard = downscale_scene(model, lr, None, tile=64, overlap=0, progress=False)
    assert np.abs(np.diff(hard, axis=1))[:, border_columns(0)].max() > 10 * whole_step


def test_nodata_lr_block_and_guidance_pixel_become_nan(guided):
    model, lr, g = guided
    lr = lr.copy()
    lr[5:8, 10:12] = np.nan
    lr[20, 3] = 150.0  # outside the plausible 200-360 K: no data too
    g = g.copy()
    g[1, 70, 40] = np.nan
    out = downscale_scene(model, lr, g, tile=64, overlap=32, progress=False)
    expect = np.zeros((HR, HR), bool)
    expect[20:32, 40:48] = True
    expect[80:84, 12:16] = True
    expect[70, 40] = True
    np.testing.assert_array_equal(np.isnan(out), expect)
    assert np.all((out[~expect] > 280) & (out[~expect] < 320))
    sisr = downscale_scene(_srcnn(), lr, g, tile=64, overlap=32, progress=False)
    assert np.isfinite(sisr[70, 40])  # guidance validity only matters to guided models
    # a tile without any valid LR pixel is skipped and stays NaN
    empty = np.full_like(lr, np.nan)
    assert np.isnan(downscale_scene(model, empty, g, tile=64, overlap=32,
                                    progress=False)).all()


def test_bad_arguments(guided):
    model, lr, g = guided
    with pytest.raises(ValueError, match='multiple of the scale factor 4'):
        downscale_scene(model, lr, g, tile=62, progress=False)
    with pytest.raises(ValueError, match='overlap'):
        downscale_scene(model, lr, g, tile=64, overlap=40, progress=False)
    with pytest.raises(ValueError, match=r'expected \(96, 96\)'):
        downscale_scene(model, lr, g[:, :92], progress=False)
    with pytest.raises(ValueError, match='2 bands but the model expects 3'):
        downscale_scene(model, lr, g[:2], progress=False)


# ----------------------------------------------------------------------------- pipeline
