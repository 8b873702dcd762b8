"""Session fixtures shared by the suite.

Layout: ``tests/test_<package path>/test_<module>.py`` mirrors ``groklst/`` (the test of
``groklst/models/backbones/gisr/dkn.py`` is ``tests/test_models/test_backbones/test_gisr/
test_dkn.py``); ``tests/test_models/test_backbones/test_all_generators.py`` covers every
registered generator from the one table ``small_settings.py``; ``tests/test_configs/`` checks
``configs/``; ``tests/test_tools/`` holds the tests whose subject is a command line; shared
inputs live in ``tests/fixtures/``.

Runtime: a Python process that imports MMEngine's runner costs ~5 s of CPU (it imports
transformers through peft), so the command lines of the whole session run in one subprocess
(``cli``), the package is called in-process where the command line is not the subject, and one
tiny trained run (``tiny_run``) serves every test that needs a training run or a checkpoint. Only
what must have a process of its own gets one (the run killed by SIGKILL, torchrun's workers).
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, NamedTuple

import pytest

from tests.fixtures.paths import ROOT
from tests.fixtures.tiny_configs import next_second, unformatted_config

# Keep the 2-core machine responsive and results reproducible.
os.environ.setdefault('OMP_NUM_THREADS', '2')


@pytest.fixture
def retrieval_runs(tmp_path, monkeypatch):
    """``(train, test, configs/retrieval folder)`` running :func:`groklst.apis.train` and
    :func:`groklst.apis.test` from ``tmp_path`` (simulation caches land under
    ``tmp_path/data/simulated``).

    ``train(config, work_dir, iters, cfg_options=None)`` trains ``iters`` iterations, validating
    and checkpointing at the last one (``cfg_options``: more dotted-key overrides);
    ``test(config, checkpoint, work_dir, **kwargs)`` returns the metrics dict. The configs are
    read with ``unformatted_config`` (the same runs, without yapf re-formatting their text).
    """
    from groklst.apis import runner
    monkeypatch.chdir(tmp_path)

    def train(config, work_dir, iters, cfg_options=None):
        return runner.train(unformatted_config(config), work_dir=str(work_dir), cfg_options={
            'train_cfg.max_iters': iters, 'train_cfg.val_interval': iters,
            'default_hooks.checkpoint.interval': iters, **(cfg_options or {})})

    def test(config, checkpoint, work_dir, **kwargs):
        return runner.test(unformatted_config(config), checkpoint, work_dir=str(work_dir),
                           **kwargs)

    return train, test, osp.join(ROOT, 'configs', 'retrieval')


# ----------------------------------------------------------------------------- tiny runs
@pytest.fixture(scope='session')
def tiny_scene(tmp_path_factory):
    """A 128 x 128 synthetic GeoTIFF scene in the Landsat-8 demo layout, x2 and x4 LR, 32 px
    tiles (``make_scene_fixture``); read only: copy it to break it."""
    from tests.fixtures.make_scene_fixture import make_scene_fixture
    root = str(tmp_path_factory.mktemp('tiny_scene'))
    make_scene_fixture(root, size=128, tile=32)
    return root


@pytest.fixture(scope='session')
def tiny_run(tiny_scene, tmp_path_factory):
    """One tiny trained MoCoLSK-Net, shared by the tests that need a training run or a trained
    checkpoint: ``tiny_configs.MOCOLSK_TINY`` trained in this process for 30 iterations, then
    resumed from the work dir's ``last_checkpoint`` to 60 (validation and checkpoints every 30).

    Returns a dict: ``config`` (its file), ``bicubic`` (the bicubic baseline over it), ``data``
    (the scene), ``work_dir`` and ``best`` (the one ``best_RMSE_iter_*.pth``).
    """
    import torch

    from groklst.apis import runner
    from tests.fixtures.tiny_configs import BICUBIC, MOCOLSK_TINY, write_config
    tmp = tmp_path_factory.mktemp('tiny_run')
    config = write_config(tmp / 'tiny.py', MOCOLSK_TINY, root=ROOT, data=tiny_scene, iters=60,
                          val_interval=30)
    bicubic = write_config(tmp / 'bicubic.py', BICUBIC, cfg=config)
    work = str(tmp / 'work')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runner.train(unformatted_config(config), work_dir=work,
                     cfg_options={'train_cfg.max_iters': 30})
        assert osp.isfile(osp.join(work, 'last_checkpoint'))
        next_second()
        runner.train(unformatted_config(config), work_dir=work, resume=True)  # restart: to 60
    finally:
        torch.set_num_threads(threads)
    best = glob.glob(osp.join(work, 'best_RMSE_iter_*.pth'))
    assert len(best) == 1, best
    return dict(config=config, bicubic=bicubic, data=tiny_scene, work_dir=work, best=best[0])


# ----------------------------------------------------------------------------- command lines
#: Runs command lines in ONE Python process, in order, from the repository root: ``[TOOL,
#: *args]`` as ``python TOOL ARGS`` does (as ``__main__``, its folder first on ``sys.path``),
#: ``['-c', CODE]`` as ``python -c CODE``. The snippets run first, before any tool, so they see
#: a process that has imported nothing of groklst. A train/test tool starts in a new second (see
#: ``next_second``). Prints ``{index: [exit status, stdout, stderr]}`` as JSON, the exit
#: status and stderr as the interpreter would give them (uncaught exception: its traceback and
#: 1; ``SystemExit('message')``: the message and 1).
_CLI_DRIVER = r'''
import contextlib, io, json, os, runpy, sys, time, traceback
commands = json.loads(sys.argv[1])
order = sorted(range(len(commands)), key=lambda i: commands[i][0] != '-c')
result = {}
root = os.getcwd()
for i in order:
    command = commands[i]
    if os.path.basename(command[0]) in ('train.py', 'test.py'):
        time.sleep(1.02 - time.time() % 1)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                if command[0] == '-c':
                    sys.argv = ['-c'] + command[2:]
                    exec(compile(command[1], '<string>', 'exec'), {'__name__': '__main__'})
                else:
                    sys.argv = list(command)
                    sys.path[0] = os.path.dirname(os.path.abspath(command[0]))
                    runpy.run_path(command[0], run_name='__main__')
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(root)
    result[i] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(result))
'''


class CLIRun(NamedTuple):
    """One command line's exit status, stdout and stderr."""
    code: int
    out: str
    err: str


class ModuleRuns(dict):
    """``{key: CLIRun}`` of one test module's command lines; ``tmp`` is the folder (a
    ``pathlib.Path``) its ``cli_commands`` got."""
    tmp = None


@pytest.fixture(scope='session')
def cli(request, tmp_path_factory) -> Dict[str, ModuleRuns]:
    """The command lines of every collected test module, run in ONE subprocess (the start-up of
    Python, torch, MMEngine and transformers, ~5 s of CPU, is paid once per session).

    A test module whose subject is a command line defines::

        def cli_commands(tmp, fixture):
            # prepare inputs under tmp (a pathlib.Path of its own); fixture(name) returns the
            # value of a session fixture (e.g. fixture('tiny_run'))
            return {'key': ['tools/x.py', '--arg', ...], ...}

    and reads the results as ``cli[__name__][key]`` (a :class:`CLIRun`), ``cli[__name__].tmp``
    being that folder (a ``pathlib.Path``). Only the modules of this session's tests run their
    commands.
    """
    modules = []
    for item in request.session.items:
        module = getattr(item, 'module', None)
        if module is not None and hasattr(module, 'cli_commands') and module not in modules:
            modules.append(module)
    keys, commands, runs = [], [], {}
    for module in modules:
        tmp = tmp_path_factory.mktemp(module.__name__.rsplit('.', 1)[-1])
        runs[module.__name__] = ModuleRuns()
        runs[module.__name__].tmp = tmp
        for key, argv in module.cli_commands(tmp, request.getfixturevalue).items():
            keys.append((module.__name__, key))
            commands.append([str(a) for a in argv])
    if not commands:
        return runs
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    res = subprocess.run([sys.executable, '-c', _CLI_DRIVER, json.dumps(commands)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    results = json.loads(res.stdout.splitlines()[-1])
    for i, (module, key) in enumerate(keys):
        runs[module][key] = CLIRun(*results[str(i)])
    return runs


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` (``make test-gpu`` runs only them) are skipped, with the reason,
    where torch sees no CUDA device."""
    if not any(item.get_closest_marker('cuda') for item in items):
        return
    import torch
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs a CUDA device (torch.cuda.is_available() is False)')
    for item in items:
        if item.get_closest_marker('cuda'):
            item.add_marker(skip)
