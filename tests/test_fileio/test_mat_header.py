"""Header-only reads of .mat files (groklst.fileio.mat_io.read_mat_header), used to validate
every file of a GrokLST dataset before training (issue 14 §3)."""
import numpy as np
import pytest
import scipy.io as sio

from groklst.fileio.mat_io import MatVariableError, check_mat_variable, read_mat_header


@pytest.mark.parametrize('compress', [False, True])
def test_header_lists_variables_and_finds_truncation(tmp_path, compress):
    path = str(tmp_path / 'g.mat')
    sio.savemat(path, {'dem': np.zeros((40, 40), np.float32), 'nir': np.ones((40, 40, 1)),
                       'name': 'tile'}, do_compression=compress)
    header = read_mat_header(path)
    assert header['dem'] == ((40, 40), 'single') and header['nir'] == ((40, 40, 1), 'double')
    assert check_mat_variable(header, path, 'nir') == (40, 40)  # singleton axis squeezed
    with pytest.raises(ValueError, match="'name'.*class 'char'"):
        check_mat_variable(header, path, 'name')
    with pytest.raises(MatVariableError, match=r"'ndvi' not found .*\['dem', 'nir', 'name'\]"):
        check_mat_variable(header, path, 'ndvi')
    data = open(path, 'rb').read()
    # scipy's whosmat lists a file cut in its second half without complaint
    for cut in (len(data) - 3, len(data) // 2):
        with open(path, 'wb') as f:
            f.write(data[:cut])
        with pytest.raises(ValueError, match=rf"g\.mat'.*(truncated|corrupt)"):
            read_mat_header(path)


def test_header_of_garbage_and_v4_files(tmp_path):
    bad = tmp_path / 'bad.mat'
    bad.write_bytes(b'MATLAB 5.0 MAT-file' + b'\0' * 20)
    with pytest.raises(ValueError, match='bad.mat'):
        read_mat_header(str(bad))
    v4 = str(tmp_path / 'v4.mat')
    sio.savemat(v4, {'data': np.ones((4, 6))}, format='4')
    assert read_mat_header(v4) == {'data': ((4, 6), 'double')}
    with pytest.raises(FileNotFoundError, match='nope.mat'):
        read_mat_header(str(tmp_path / 'nope.mat'))
