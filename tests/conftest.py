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


#: Runs the command-line tools in ONE Python process (``[tool, *args]``, each as ``__main__``
#: with its own folder first on ``sys.path``, what ``python TOOL ARGS`` does), so that the suite
#: pays the start-up of Python, torch and MMEngine once; prints ``{command: [exit, stdout]}``
#: (exit: None for a normal return or ``exit(0)``, else the code or the exception).
_CLI_DRIVER = r'''
import contextlib, io, json, os, runpy, sys
result = {}
for command in json.loads(sys.argv[1]):
    out = io.StringIO()
    sys.argv = list(command)
    sys.path[0] = os.path.dirname(os.path.abspath(command[0]))
    code = None
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(command[0], run_name='__main__')
    except SystemExit as exc:
        code = exc.code or None
    except BaseException as exc:  # report it, keep running the other commands
        code = f'{type(exc).__name__}: {exc}'
    result[' '.join(command)] = [code, out.getvalue()]
print(json.dumps(result))
'''


@pytest.fixture(scope='session')
def cli_runs():
    """``{command: (exit, stdout)}`` of every ``tools/**/*.py --help`` and of
    ``tools/analysis/list_models.py --json``, run from the repository root in one subprocess
    (the tests whose subject is the command line itself share it)."""
    import glob
    import json
    import subprocess
    import sys
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    tools = sorted(osp.relpath(p, root) for p in glob.glob(osp.join(root, 'tools', '**', '*.py'),
                                                         recursive=True)
                   if osp.basename(p) != '__init__.py')
    commands = [[t, '--help'] for t in tools] + [['tools/analysis/list_models.py', '--json'],
                                                 ['tools/analysis/list_models.py', '--json',
                                                  '--kind', 'neck']]
    res = subprocess.run([sys.executable, '-c', _CLI_DRIVER, json.dumps(commands)], cwd=root,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return {k: tuple(v) for k, v in json.loads(res.stdout.splitlines()[-1]).items()}
