"""The command-line tools themselves: every ``tools/**/*.py`` starts as a script and answers
``--help`` (imports resolve through the installed package, argparse is built). The runs come
from the ``cli_runs`` fixture (one subprocess for all tools)."""


def test_every_tool_answers_help(cli_runs):
    helps = {cmd[:-len(' --help')]: run for cmd, run in cli_runs.items()
             if cmd.endswith(' --help')}
    assert 'tools/train.py' in helps and 'tools/analysis/list_models.py' in helps
    assert len(helps) >= 20
    failed = {tool: code for tool, (code, _) in helps.items() if code is not None}
    assert not failed, failed
    for tool, (_, usage) in helps.items():
        assert usage.startswith('usage: '), (tool, usage[:200])
    train_usage = helps['tools/train.py'][1]
    assert '--resume' in train_usage and '--load-from' in train_usage
