import os

# Keep the 2-core machine responsive and results reproducible.
os.environ.setdefault('OMP_NUM_THREADS', '2')


import os.path as osp  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def retrieval_tools(tmp_path, monkeypatch):
    """``(train_main, test_main, configs/retrieval folder)`` of tools/train.py and tools/test.py,
    run from ``tmp_path`` so simulation caches land under ``tmp_path/data/simulated``."""
    from tools import test as test_tool
    from tools import train as train_tool
    monkeypatch.chdir(tmp_path)
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return train_tool.main, test_tool.main, osp.join(root, 'configs', 'retrieval')
