"""tools/dataset_converters/landsat8_demo.py run as a script: a bad argument is one error line,
exit status 1 and no output folder (the builder is tested in
tests/test_datasets/test_converters/test_landsat8_demo.py)."""


def cli_commands(tmp, fixture):
    return {'bad_tile': ['tools/dataset_converters/landsat8_demo.py', '--out', tmp / 'demo',
                         '--tile-size', '100']}


def test_cli_bad_argument_is_one_error_line_and_no_file(cli):
    runs = cli[__name__]
    code, _, err = runs['bad_tile']
    assert code == 1, err
    assert err.strip().splitlines() == [
        'landsat8_demo: error: tile_size must be a positive multiple of 8 (the largest scale), '
        'got 100']
    assert not (runs.tmp / 'demo').exists()
