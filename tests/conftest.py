import os
import os.path as osp

import pytest

# Keep the 2-core machine responsive and results reproducible.
os.environ.setdefault('OMP_NUM_THREADS', '2')


@pytest.fixture
def retrieval_tools(tmp_path, monkeypatch):
    """``(train, test, configs/retrieval folder)`` running tools/train.py and tools/test.py from
    ``tmp_path`` (simulation caches land under ``tmp_path/data/simulated``).

    ``train(config, work_dir, iters, *cfg_options)`` trains ``iters`` iterations, validating and
    checkpointing at the last one; ``test(config, checkpoint, work_dir, *args)`` returns the
    metrics dict.
    """
    from tools import test as test_tool
    from tools import train as train_tool
    monkeypatch.chdir(tmp_path)
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))

    def train(config, work_dir, iters, *cfg_options):
        return train_tool.main([config, '--work-dir', str(work_dir), '--cfg-options',
                                f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
                                f'default_hooks.checkpoint.interval={iters}', *cfg_options])

    def test(config, checkpoint, work_dir, *args):
        return test_tool.main([config, checkpoint, '--work-dir', str(work_dir), *args])

    return train, test, osp.join(root, 'configs', 'retrieval')


@pytest.fixture(scope='session')
def load_retrieval_tool():
    """``load(name)`` imports ``tools/retrieval/<name>.py`` as a module."""
    import importlib.util
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))

    def load(name):
        spec = importlib.util.spec_from_file_location(
            name, osp.join(root, 'tools', 'retrieval', name + '.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load
