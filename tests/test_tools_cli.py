"""The command-line tools themselves: every ``tools/**/*.py`` starts as a script and answers
``--help`` (imports resolve through the installed package, argparse is built).

One subprocess runs them all, each as ``__main__`` with ``--help`` and its own folder first on
``sys.path`` (what ``python TOOL --help`` does), so that the suite pays the start-up of Python,
torch and MMEngine once.
"""
import glob
import json
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

DRIVER = r'''
import contextlib, io, json, os, runpy, sys
result = {}
for path in sys.argv[1:]:
    out = io.StringIO()
    sys.argv = [path, '--help']
    sys.path[0] = os.path.dirname(os.path.abspath(path))  # as for `python path`
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name='__main__')
        code = 'returned without exiting'
    except SystemExit as exc:
        code = exc.code
    except BaseException as exc:  # report it, keep checking the other tools
        code = f'{type(exc).__name__}: {exc}'
    result[path] = [code, out.getvalue()]
print(json.dumps(result))
'''


def test_every_tool_answers_help():
    tools = sorted(p for p in glob.glob('tools/**/*.py', root_dir=ROOT, recursive=True)
                   if osp.basename(p) != '__init__.py')
    assert 'tools/train.py' in tools and 'tools/analysis/list_models.py' in tools
    res = subprocess.run([sys.executable, '-c', DRIVER, *tools], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    result = json.loads(res.stdout.splitlines()[-1])
    failed = {t: code for t, (code, _) in result.items() if code not in (0, None)}
    assert not failed, failed
    for tool, (_, usage) in result.items():
        assert usage.startswith('usage: '), (tool, usage[:200])
    train_usage = result['tools/train.py'][1]
    assert '--resume' in train_usage and '--load-from' in train_usage
