"""Start-up shortcuts of the command line change nothing a user sees: ``main()`` builds only
the command that its arguments name (``cli._app_for``), and every command line answers
exactly as with the whole app: output, errors, help and exit code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from convcalc.cli import _app_for, app

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None, "TERM": "dumb"}
runner = CliRunner()

COMMAND_LINES = [
    ["layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q"],
    ["layer", "--k", "3", "--s", "2", "--p", "1"],
    ["layer", "--in", "3", "--k", "5"],  # rejected: exit 1
    ["layer", "--in", "x", "--k", "5"],  # unreadable: exit 2
    ["layer", "--bogus"],
    ["layer", "--help"],
    ["same", "--in", "224", "--k", "7", "--s", "2", "--json"],
    ["solve", "--in", "224", "--out", "56", "-q"],
    ["layer", "--in", "9", "--k", "2", "--s", "2", "--draw"],
    ["net", "lenet", "--format", "plain"],
    ["net", "lenet", "--train", "--optimizer", "adam", "--fit", "4MiB"],
    ["net", "--help"],
    ["zoo"],
    ["--help"],
    ["--version"],
    ["lay", "--in", "3"],  # a misspelt command: the whole app suggests the right one
    [],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: " ".join(a) or "(nothing)")
def test_the_trimmed_app_answers_as_the_whole_app(args: list[str]) -> None:
    trimmed = _app_for(args)
    if args and args[0] in ("layer", "same", "solve", "net", "zoo"):
        assert len(trimmed.registered_commands) == 1 and trimmed is not app  # it was trimmed
        assert len(app.registered_commands) == 5  # and the app itself was left whole
    else:
        assert trimmed is app
    want = runner.invoke(app, args, env=ENV)
    got = runner.invoke(trimmed, args, env=ENV)
    assert (got.exit_code, got.stdout, got.stderr) == (want.exit_code, want.stdout, want.stderr)


def test_shell_completion_gets_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_CONVCALC_COMPLETE", "complete_bash")
    assert _app_for(["net", "le"]) is app
