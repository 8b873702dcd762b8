"""groklst.fileio.text: atomic text writing and the markdown publisher of the diagnostic tools."""
import os

import pytest

from groklst.fileio.text import publish, write_text


def test_write_text_creates_folders_and_replaces_atomically(tmp_path):
    path = tmp_path / 'a' / 'b' / 'table.md'
    assert write_text(str(path), '| x |\n') == str(path)
    assert path.read_text() == '| x |\n'
    write_text(str(path), 'second')
    assert path.read_text() == 'second'
    assert os.listdir(path.parent) == ['table.md']  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would have made it


def test_write_text_failure_keeps_the_previous_file(tmp_path):
    path = tmp_path / 'metrics.json'
    path.write_text('{"RMSE": 1.0}')
    with pytest.raises(TypeError):
        write_text(str(path), {'RMSE': 2.0})  # not text: the write fails half-way
    assert path.read_text() == '{"RMSE": 1.0}'
    assert os.listdir(tmp_path) == ['metrics.json']


def test_publish_writes_joined_lines_and_echoes_them(tmp_path, capsys):
    path = tmp_path / 'doc.md'
    text = publish(['# Title', '', '| a |', ''], str(path))
    assert text == '# Title\n\n| a |\n' == path.read_text()
    assert capsys.readouterr().out == f'# Title\n\n| a |\n\nwrote {path}\n'
