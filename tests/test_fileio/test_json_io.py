"""Atomic JSON writing."""
import json
import os

import pytest

from groklst.fileio.json_io import write_json


def test_write_json_roundtrip_and_format(tmp_path):
    path = tmp_path / 'stats.json'
    assert write_json(path, {'lst': {'mean': 300.5}, 'bands': [1, 2]}) == str(path)
    text = path.read_text()
    assert text == '{\n "lst": {\n  "mean": 300.5\n },\n "bands": [\n  1,\n  2\n ]\n}\n'
    write_json(path, [1], indent=2)
    assert json.loads(path.read_text()) == [1] and path.read_text() == '[\n  1\n]\n'


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / 'index.json'
    write_json(path, {'ok': True})
    with pytest.raises(TypeError):
        write_json(path, {'bad': object()})
    assert json.loads(path.read_text()) == {'ok': True}
    assert os.listdir(tmp_path) == ['index.json']
    with pytest.raises(FileNotFoundError, match='does not exist'):
        write_json(tmp_path / 'missing' / 'x.json', {})
