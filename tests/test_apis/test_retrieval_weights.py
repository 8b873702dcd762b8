"""The shipped retrieval weights (data/weights/retrieval/): files match the manifest, reproduce
their documented test-split metrics, and load by method name or by config."""
import os.path as osp
import re

import pytest

from groklst.apis.retrieval import build_method
from groklst.apis.retrieval.weights import (SHIPPED_METHODS, evaluate_test_split, load_manifest,
                                            repo_root, sha256_of, weights_dir)

MANIFEST = load_manifest()
#: Agreement required with the documented metrics: K for RMSE / MAE / BIAS (float32 inference
#: in another batch order changes the 5th decimal at most), unitless for R2.
TOL_K, TOL_R2 = 1e-3, 1e-5


def test_every_shipped_method_is_in_the_manifest_and_small():
    assert sorted(MANIFEST) == sorted(SHIPPED_METHODS)
    for name, entry in MANIFEST.items():
        path = osp.join(weights_dir(), entry['checkpoint'])
        assert osp.getsize(path) == entry['bytes'] < 1_000_000
        assert sha256_of(path) == entry['sha256']
        assert osp.isfile(osp.join(repo_root(), entry['config']))


@pytest.mark.parametrize('name', SHIPPED_METHODS)
def test_shipped_weights_reproduce_their_documented_test_metrics(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the test split is simulated into ./data/simulated
    entry = MANIFEST[name]
    got = evaluate_test_split(osp.join(repo_root(), entry['config']),
                              osp.join(weights_dir(), entry['checkpoint']))
    for target, want in entry['test'].items():
        assert got[target]['n'] == want['n']
        for key in ('RMSE', 'MAE', 'BIAS'):
            assert got[target][key] == pytest.approx(want[key], abs=TOL_K), (target, key)
        assert got[target]['R2'] == pytest.approx(want['R2'], abs=TOL_R2)
    # the README table states the same figures (4 decimals)
    readme = open(osp.join(weights_dir(), 'README.md')).read()
    row = next(line for line in readme.splitlines() if line.startswith(f'| `{name}` |'))
    lst = entry['test']['lst']
    cells = [c.strip().replace('−', '-') for c in row.split('|')]
    assert cells[6:10] == [str(lst['n']), f'{lst["RMSE"]:.4f}', f'{lst["MAE"]:.4f}',
                           f'{lst["BIAS"]:+.4f}']


def test_shipped_weights_load_by_name_and_by_config(tmp_path):
    lines = []
    by_name = build_method('pinn', log=lines.append)
    assert by_name.outputs == ['lst', 'tau:B10', 'l_up:B10', 'l_down:B10']
    assert by_name.required_inputs == ['bt:B10', 'lse:B10', 'view_angle', 'wvc']
    assert by_name.domain['inputs']['view_angle'] == [0.0, 60.0]
    assert re.search(r'pinn: shipped weights .* RMSE 1\.\d{3}', lines[0])
    by_config = build_method(config=osp.join(repo_root(), MANIFEST['sftl']['config']),
                             log=lines.append)
    assert by_config.name == 'sftl' and by_config.outputs == ['lst']
    assert by_config.required_inputs == ['bt:B10', 'bt:B11', 'wvc']
    with pytest.raises(ValueError, match='has no shipped weights: give --checkpoint'):
        build_method(config=osp.join(repo_root(),
                                     'configs/retrieval/sftl/sftl-dnn_vimi-b11b12_sim-source.py'))
    # a damaged file is refused before it is loaded
    import shutil
    folder = tmp_path / 'w'
    shutil.copytree(weights_dir(), folder)
    with open(folder / MANIFEST['mlp']['checkpoint'], 'ab') as f:
        f.write(b'\0')
    from groklst.apis.retrieval.weights import load_shipped_method
    with pytest.raises(ValueError, match='SHA-256 .* differs from the manifest'):
        load_shipped_method('mlp', folder=str(folder))
