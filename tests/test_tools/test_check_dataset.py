"""tools/dataset_converters/check_dataset.py: its exit status and printed report (a good scene:
0 and the report; a truncated GeoTIFF and an unknown layout: 1 and the error named). The checks
themselves are tested in tests/test_datasets/test_check.py."""
import os

from tests.fixtures.make_scene_fixture import make_scene_fixture

TOOL = 'tools/dataset_converters/check_dataset.py'


def cli_commands(tmp, fixture):
    good, truncated, unknown = str(tmp / 'good'), str(tmp / 'truncated'), tmp / 'unknown'
    make_scene_fixture(good, size=64, tile=32)
    make_scene_fixture(truncated, size=64, tile=32)
    path = os.path.join(truncated, 'guidance.tif')
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    unknown.mkdir()
    return {'good': [TOOL, good, '--scale', '4'], 'truncated': [TOOL, truncated],
            'unknown': [TOOL, unknown]}


def test_good_scene_passes_with_exit_code_0(cli):
    code, out, _ = cli[__name__]['good']
    assert code == 0
    assert 'OK' in out and 'guidance.tif' in out
    # the scene has a 12 x 12 "cloud" on 64 x 64 pixels: NaN % of the HR LST is reported
    assert f'{100 * 144 / 64 ** 2:.2f}' in out


def test_truncated_geotiff_is_named(cli):
    code, out, _ = cli[__name__]['truncated']
    assert code == 1
    assert 'ERROR' in out and 'guidance.tif' in out and ('corrupt' in out or 'readable' in out)


def test_unknown_layout_is_an_error(cli):
    code, out, _ = cli[__name__]['unknown']
    assert code == 1
    assert 'neither a GeoTIFF scene' in out
