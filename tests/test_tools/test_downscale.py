"""tools/downscale.py run as a script: its exit status and error line, ``--resample-lr``, a
malicious checkpoint refused, ``--out`` equal to the input refused, ``--guidance-bands`` (the
scene inference itself is tested in tests/test_apis/)."""
import os
import os.path as osp
import shutil

import numpy as np
from affine import Affine

from groklst.apis import downscale_geotiff, init_downscaler
from groklst.fileio.raster import read_raster, write_raster
from tests.fixtures.checkpoints import (EDSR, TINY_SISR_CONFIG, assert_evil_refused,
                                        evil_checkpoint)
from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import write_config
from tests.test_apis.scene_helpers import (BICUBIC_X4, CRS, G_TRANSFORM, _ndvi_scene,
                                           _smooth_scene, _write_inputs, _write_one)

TOOL = 'tools/downscale.py'
DEMO_BANDS = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi', 'ndwi', 'ndbi']


def cli_commands(tmp, fixture):
    # A 60 m LR (ratio 2 at a x4 model): a piecewise-constant field whose 120 m block means
    # are the LR of _smooth_scene
    lr, g = _smooth_scene()
    hr = np.kron(lr, np.ones((4, 4), np.float32))
    lr60 = hr.reshape(48, 2, 48, 2).mean(axis=(1, 3))
    _, g_path = _write_inputs(str(tmp), lr, g)
    lr60_path = osp.join(str(tmp), 'lr60.tif')
    write_raster(lr60_path, lr60[None], CRS, G_TRANSFORM * Affine.scale(2), nodata=float('nan'))
    common = ['--config', BICUBIC_X4, '--lr-lst', lr60_path, '--guidance', g_path, '--tile', '64',
              '--overlap', '32', '--no-progress']
    data = fixture('tiny_scene')
    edsr = write_config(tmp / 'tiny_edsr.py', TINY_SISR_CONFIG, root=ROOT, data=data,
                        generator=EDSR)
    evil = evil_checkpoint(tmp / 'evil.pth', tmp / 'marker')
    # the reproduction: --out equal to the input LR (a copy kept to compare with)
    lr96, g96 = _ndvi_scene(96, 96)
    same_lr, same_g = _write_inputs(str(tmp / 'same'), lr96, g96)
    shutil.copy(same_lr, tmp / 'same_lr_before.tif')
    # a 10-band guidance without band descriptions for TsHARP, its order stated reversed
    _, bare_g = _write_inputs(str(tmp / 'bare'), lr96, g96, descriptions=None)
    g10 = _write_one(str(tmp / 'bare'), 'g10.tif', np.concatenate([g96, g96, g96, g96[:1]]),
                     G_TRANSFORM)
    bare = ['--lr-lst', str(tmp / 'bare' / 'lr.tif'), '--guidance', g10, '--no-progress']
    tsharp = osp.join(ROOT, 'configs/classic/tsharp_x4_landsat8-demo.py')
    return {
        'out_is_lr': [TOOL, '--config', BICUBIC_X4, '--lr-lst', same_lr, '--guidance', same_g,
                      '--out', same_lr, '--no-progress'],
        'bands_reversed': [TOOL, '--config', tsharp, *bare, '--out',
                           tmp / 'bare' / 'o_reversed.tif', '--guidance-bands',
                           *DEMO_BANDS[::-1]],
        'bands_unstated': [TOOL, '--config', tsharp, *bare, '--out',
                           tmp / 'bare' / 'o.tif'],
        'no_resample': [TOOL, *common, '--out', tmp / 'refused.tif'],
        'resample': [TOOL, *common, '--out', tmp / 'o.tif', '--resample-lr'],
        'evil': [TOOL, '--config', edsr, '--checkpoint', evil, '--lr-lst',
                 f'{data}/lr_lst_x4.tif', '--guidance', f'{data}/guidance.tif', '--out',
                 tmp / 'evil_out.tif'],
    }


def test_cli_error_exit_and_resample_lr(cli):
    """A 60 m LR fails without --resample-lr; with it the LR is average-resampled to 120 m,
    which equals the 4 x 4 block mean, so the output matches the one from the 120 m LR (the
    reference comes from the package)."""
    runs = cli[__name__]
    code, _, err = runs['no_resample']
    assert code == 1
    assert 'resolution ratio' in err and not (runs.tmp / 'refused.tif').exists()
    assert err.strip().splitlines()[-1].startswith('downscale: error: ')
    code, out, err = runs['resample']
    assert code == 0, err
    assert 'resampled LR' in out
    ref = str(runs.tmp / 'ref.tif')
    res = downscale_geotiff(init_downscaler(BICUBIC_X4), str(runs.tmp / 'lr.tif'),
                            [str(runs.tmp / 'guidance.tif')], ref, tile=64, overlap=32,
                            progress=False)
    assert not res['resampled'] and osp.isfile(ref)
    np.testing.assert_allclose(read_raster(str(runs.tmp / 'o.tif'))[0], read_raster(ref)[0],
                               atol=1e-3)


def test_refuses_a_malicious_checkpoint(cli):
    runs = cli[__name__]
    assert_evil_refused(runs, runs.tmp / 'evil_out.tif')


def test_refuses_out_equal_to_lr_and_keeps_it(cli):
    """The issue's reproduction: tools/downscale.py --lr-lst X.tif --out X.tif."""
    runs = cli[__name__]
    code, _, err = runs['out_is_lr']
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('downscale: error: --out ')
    assert 'is the input LR' in lines[0]
    with open(runs.tmp / 'same' / 'lr.tif', 'rb') as now, \
            open(runs.tmp / 'same_lr_before.tif', 'rb') as before:
        assert now.read() == before.read()
    assert sorted(os.listdir(runs.tmp / 'same')) == ['guidance.tif', 'lr.tif']


def test_guidance_bands_reversed_fails_with_one_line(cli):
    runs = cli[__name__]
    code, _, err = runs['bands_reversed']
    assert code == 1 and not (runs.tmp / 'bare' / 'o_reversed.tif').exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and 'guidance band order' in lines[0]
    code, out, err = runs['bands_unstated']
    assert code == 0, err
    assert 'warning: the guidance' in out and str(DEMO_BANDS) in out
