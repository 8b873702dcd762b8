"""The Du et al. (2015) split-window diagnostics (groklst.physics.diagnostics.du2015): their
tables, and the committed refitted table equals a fresh fit."""
import numpy as np
import pytest

from groklst.physics.algorithms.split_window import fit_split_window_du2015, split_window


def test_du2015_diagnostics_write_their_tables(tmp_path):
    from groklst.physics.diagnostics import du2015
    res = du2015.compute(5000)
    refit = tmp_path / 'refit.json'
    du2015.save_refit(res, str(refit))
    text = '\n'.join(du2015.markdown_lines(res, 5000))
    assert '"wvc_range"' in refit.read_text()
    for head in ('## 1.', '## 2.', '## 3.', '## 4.'):
        assert head in text
    # a blackbody through warm dry atmospheres: JM2014 within 0.3 K, the
    # published Du coefficients > 1 K warm (docs: +1.55 ... +1.77 K)
    assert len(res['dry']) == 5
    for _, w, ts, d10, dt, e_du, e_jm in res['dry']:
        assert w < 1.5 and ts >= 280 and abs(e_jm) < 0.3 and e_du > 1.0
    # blackbody, no atmosphere: Du 0-2.5 row at 300 K is +1.44 K
    assert res['blackbody'][1][2] == pytest.approx(
        -2.78009 + 1.01408 * 300 - 300, abs=1e-9)


def test_committed_du2015_refit_table_matches_a_fresh_fit():
    # data/tables/du2015_lowtran_refit.json is made by
    # tools/retrieval/du2015_diagnostics.py from the committed LUT
    import os.path as osp
    from groklst.physics.algorithms.split_window import load_du2015_table
    from groklst.physics.diagnostics.du2015 import landsat8_samples
    from tests.fixtures.paths import ROOT as root
    committed = load_du2015_table(
        osp.join(root, 'data', 'tables', 'du2015_lowtran_refit.json'))
    s = landsat8_samples(40000, 0)
    fresh = fit_split_window_du2015(s['t10'], s['t11'], s['e10'], s['e11'],
                                    s['lst'], s['w'])
    assert list(committed) == list(fresh)
    for key in fresh:
        np.testing.assert_allclose(committed[key], fresh[key], rtol=1e-6,
                                   atol=1e-6)
    # and it retrieves held-out simulations without the published bias
    test = landsat8_samples(20000, 1)
    err = split_window(test['t10'], test['t11'], test['e10'], test['e11'],
                       test['w'], 'du2015', coefficients=committed) - \
        test['lst']
    assert abs(err.mean()) < 0.05 and np.sqrt(np.mean(err**2)) < 0.4
