"""tools/analysis/list_models.py: the model list as JSON (generators, classical sharpeners; the
necks and heads only with ``--kind``)."""
import json

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.test_models.test_backbones.small_settings import SMALL

register_all_modules()

NECKS = ('MoCoLSKBlock', 'MoCoLSKCSBlock', 'MoCoLSKExBlock', 'SKMBlock', 'LSKMBlock',
         'LSKCSMBlock', 'IdentityFusion')


def cli_commands(tmp, fixture):
    return {'all': ['tools/analysis/list_models.py', '--json'],
            'necks': ['tools/analysis/list_models.py', '--json', '--kind', 'neck']}


def test_list_models_json(cli):
    code, out, err = cli[__name__]['all']
    assert code == 0, err
    rows = {r['name']: r for r in json.loads(out)}
    for name in SMALL:  # every generator
        assert rows[name]['kind'] == MODELS.get(name).model_kind
        assert rows[name]['scales'] == [2, 4, 8]
        assert rows[name]['params_x4'] > 0
        assert rows[name]['paper']
    assert rows['bicubic']['kind'] == 'classic' and rows['bicubic']['params_x4'] == 0
    assert rows['bilinear']['kind'] == 'classic'
    assert not {r['kind'] for r in rows.values()} & {'neck', 'head'}  # parts: --kind only


def test_list_models_lists_the_necks_when_asked(cli):
    """``--kind neck`` lists the necks (the full listing leaves the parts out: see
    test_list_models_json); ``--kind head`` filters the same way."""
    code, out, err = cli[__name__]['necks']
    assert code == 0, err
    rows = {r['name']: r for r in json.loads(out)}
    assert set(rows) == set(NECKS)
    assert all(r['kind'] == 'neck' and r['params_x4'] is None and r['scales'] == []
               for r in rows.values())
    assert 'GrokLST' in rows['MoCoLSKBlock']['paper']
    assert rows['SKMBlock']['module'] == 'groklst.models.necks.concat'
    assert MODELS.get('UpProjectionHead').supported_scales == (2, 4, 8)
    assert MODELS.get('PixelShuffleHead').supported_scales == (2, 3, 4, 8)
