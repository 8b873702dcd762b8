import os
import os.path as osp

import pytest

# Keep the 2-core machine responsive and results reproducible.
os.environ.setdefault('OMP_NUM_THREADS', '2')


@pytest.fixture
def retrieval_runs(tmp_path, monkeypatch):
    """``(train, test, configs/retrieval folder)`` running :func:`groklst.apis.train` and
    :func:`groklst.apis.test` from ``tmp_path`` (simulation caches land under
    ``tmp_path/data/simulated``).

    ``train(config, work_dir, iters, cfg_options=None)`` trains ``iters`` iterations, validating
    and checkpointing at the last one (``cfg_options``: more dotted-key overrides);
    ``test(config, checkpoint, work_dir, **kwargs)`` returns the metrics dict.
    """
    from groklst.apis import runner
    monkeypatch.chdir(tmp_path)
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))

    def train(config, work_dir, iters, cfg_options=None):
        return runner.train(config, work_dir=str(work_dir), cfg_options={
            'train_cfg.max_iters': iters, 'train_cfg.val_interval': iters,
            'default_hooks.checkpoint.interval': iters, **(cfg_options or {})})

    def test(config, checkpoint, work_dir, **kwargs):
        return runner.test(config, checkpoint, work_dir=str(work_dir), **kwargs)

    return train, test, osp.join(root, 'configs', 'retrieval')
