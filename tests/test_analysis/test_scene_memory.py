"""The scene memory benchmark's library side (groklst.analysis.scene_memory): sizes checked,
deep-model patches inside single tiles, sparse synthetic scenes, one run and the table."""
import os

import numpy as np
import pytest
import rasterio

from groklst.analysis.scene_memory import (BANDS, MIN_SIZE, OVERLAP, PATCH, SCALE, TILE,
                                           build_scene, check_size, patch_starts, run_scene,
                                           to_markdown)


def test_sizes_and_patches_inside_single_tiles():
    assert check_size(2000) == 2000
    for bad in (MIN_SIZE - SCALE, 2002):
        with pytest.raises(ValueError, match=f'multiples of 4 and >= {MIN_SIZE}'):
            check_size(bad)
    # tiles start every 224 px: 0, 224, ..., 1568; the inner ones 224..1344, spread: the 1st,
    # the 3rd (round(2.5)) and the 6th
    assert patch_starts(2000, 3) == [224 + 32, 672 + 32, 1344 + 32]
    assert patch_starts(MIN_SIZE, 2) == [0 + 32, 224 + 32]  # no inner tile: the two tiles
    for size, n in ((2000, 3), (MIN_SIZE, 2), (20000, 3)):
        for s in patch_starts(size, n):  # 192 HR px from s lie inside the tile at s - 32
            assert (s - OVERLAP) % (TILE - OVERLAP) == 0
            assert s + SCALE * PATCH <= s - OVERLAP + TILE <= size


def test_sparse_scene_one_run_and_the_table(tmp_path):
    paths = build_scene(str(tmp_path / '512'), MIN_SIZE, deep_tiles=2)
    with rasterio.open(paths['guidance']) as src:
        assert (src.count, src.height, src.width) == (10, 512, 512)
        assert list(src.descriptions) == BANDS
        g = src.read()
    assert np.isfinite(g).all() and (g[:, 256:, :] == 0).all() and (g[:, :256, :256] != 0).any()
    with rasterio.open(paths['lr_patches']) as src:
        lr = src.read(1)
    assert lr.shape == (128, 128) and int(np.isfinite(lr).sum()) == 4 * PATCH * PATCH
    mtime = os.path.getmtime(paths['lr'])
    assert build_scene(str(tmp_path / '512'), MIN_SIZE, deep_tiles=2) == paths  # kept
    assert os.path.getmtime(paths['lr']) == mtime
    row = run_scene('bicubic', MIN_SIZE, str(tmp_path), deep_tiles=2)
    assert row['tiles'] == row['computed'] == 9 and row['hr_px'] == 512 * 512
    # the kernel updates the high-water mark (ru_maxrss) lazily: it may trail VmRSS a little
    assert row['peak_mb'] >= 0.98 * row['setup_mb'] and row['setup_mb'] > 100
    assert sorted(os.listdir(tmp_path / '512')) == ['guidance.tif', 'lr.tif', 'lr_patches.tif']
    with pytest.raises(ValueError, match='unknown model'):
        run_scene('edsr', MIN_SIZE, str(tmp_path))
    rows = [dict(row, load=1.0), dict(row, size=1024, peak_mb=row['peak_mb'] * 1.05, load=1.0)]
    table = to_markdown(rows, [512, 1024], ['bicubic'])
    assert '| bicubic | 512 x 512 | 9 / 9 |' in table
    assert 'bicubic: peak RSS at 1024 px / at 512 px = 1.050' in table
