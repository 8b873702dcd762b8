"""The command-line tools themselves: every ``tools/**/*.py`` starts as a script and answers
``--help`` (imports resolve through the installed package, argparse is built). The runs come
from the ``cli`` fixture (one subprocess for all command lines of the session)."""
import glob
import os.path as osp

from tests.fixtures.paths import ROOT


def cli_commands(tmp, fixture):
    tools = sorted(osp.relpath(p, ROOT) for p in glob.glob(osp.join(ROOT, 'tools', '**', '*.py'),
                                                         recursive=True)
                   if osp.basename(p) != '__init__.py')
    return {tool: [tool, '--help'] for tool in tools}


def test_every_tool_answers_help(cli):
    helps = cli[__name__]
    assert 'tools/train.py' in helps and 'tools/analysis/list_models.py' in helps
    assert len(helps) >= 20
    failed = {tool: run.code for tool, run in helps.items() if run.code != 0}
    assert not failed, failed
    for tool, run in helps.items():
        assert run.out.startswith('usage: '), (tool, run.out[:200])
    train_usage = helps['tools/train.py'].out
    assert '--resume' in train_usage and '--load-from' in train_usage
