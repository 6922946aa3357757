"""What :mod:`convcalc._typer_patch` changes in Typer is in effect with the Typer installed
(the versions pyproject.toml allows): options convert without pydantic, only the named
command is built, and the help reads as written."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from convcalc import _typer_patch
from convcalc.cli import _app_for, app

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "FORCE_COLOR": None, "TERM": "dumb"}
ROOT = Path(__file__).parent.parent


def test_typer_is_a_tested_version() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    bound = re.search(r'"typer>=([\d.]+),<([\d.]+)"', text)
    assert bound is not None, "pyproject.toml bounds typer to the tested versions"
    low, high = (tuple(int(p) for p in v.split(".")) for v in bound.groups())
    installed = tuple(int(p) for p in version("typer").split(".")[:2])
    assert low[:2] <= installed < high[:2]


def test_every_option_converts_without_pydantic() -> None:
    command = get_command(app)
    _typer_patch.plain_coercion(command)
    params = [p for sub in command.commands.values() for p in sub.params]  # type: ignore[attr-defined]
    assert len(params) > 30
    assert all(isinstance(p._runtime_param, _typer_patch.Coercion) for p in params)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from convcalc.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
         "    pass\nprint('pydantic' in sys.modules, file=sys.stderr)", "layer", "--k", "3", "--in", "9", "-q",
         "--batch", "2"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.stdout == "7\n" and done.stderr.strip().endswith("False")


def test_a_bad_value_is_worded_as_click_words_it() -> None:
    result = CliRunner().invoke(app, ["layer", "--k", "3", "--c-in", "x"], env=ENV)
    assert result.exit_code == 2
    assert "'x' is not a valid integer." in result.stderr


def test_only_the_named_command_is_built() -> None:
    trimmed = _app_for(["net", "lenet"])
    assert [c.callback.__name__ for c in trimmed.registered_commands] == ["net"]  # type: ignore[union-attr]
    assert _app_for(["--help"]) is app


def test_help_paragraphs_wrap_at_the_terminal_and_flags_have_no_type() -> None:
    out = CliRunner().invoke(app, ["layer", "--help"], env=ENV).stdout
    assert "<bool>" not in out and "<str>" not in out
    # the docstring's second paragraph, rewrapped by Rich alone: no line stops half-way
    text = "\n".join(line.strip() for line in out.splitlines())
    lines = ("Without --in" + text.split("Without --in", 1)[1].split("\n\n", 1)[0]).splitlines()
    assert len(lines) == 3 and all(len(line) > 65 for line in lines[:-1]), lines
    net = CliRunner().invoke(app, ["net", "--help"], env=ENV).stdout
    assert "FILE|NAME|-  " in net and "<str>" not in net
    assert "mar kdown" not in net and "mar\n" not in net  # a metavar is never split


def test_unwrap_keeps_examples() -> None:
    assert _typer_patch.unwrap("One\n    two.\n\n    Examples:\n\n      a b\n      c d\n") == (
        "One two.\n\nExamples:\n\n  a b\n  c d"
    )
