"""Every example of the README and of ``docs/*.md`` runs, so that no section can drift
from the code.

* ```console blocks: each line starting with ``$ `` is a shell command (a trailing ``\\``
  continues it on the next line); the lines up to the next ``$ `` or the end of the block
  are its exact standard output. Commands run in bash from the repository root, with
  ``convcalc`` meaning ``python -m convcalc`` of this checkout, ``NO_COLOR=1`` and a fixed
  width of 80 columns. Trailing spaces are ignored.
* ```pycon blocks: doctests, each block on its own (import what you use in the block).
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
WIDTH = "80"


class Block(NamedTuple):
    language: str
    line: int  # of the opening fence
    text: str
    file: str = "README.md"


def blocks(text: str, file: str = "README.md") -> list[Block]:
    """The fenced blocks of ``text`` with their language and line."""
    found = []
    for match in re.finditer(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", text, re.MULTILINE | re.DOTALL):
        found.append(Block(match.group(1), text.count("\n", 0, match.start()) + 1, match.group(2), file))
    return found


class Command(NamedTuple):
    line: int
    command: str
    expected: str


def commands(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block and the output shown after each."""
    found: list[Command] = []
    lines = block.text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            if lines[i].strip():
                raise AssertionError(f"README line {block.line + 1 + i}: output without a command: {lines[i]!r}")
            i += 1
            continue
        start = i
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + "\n" + lines[i]
        i += 1
        output = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i].rstrip())
            i += 1
        while output and not output[-1]:
            output.pop()
        found.append(Command(block.line + 1 + start, command, "\n".join(output)))
    return found


def _readme_blocks(language: str, docs: bool = True) -> list[Block]:
    found = blocks(README.read_text(encoding="utf-8"))
    for path in DOCS if docs else ():
        found += blocks(path.read_text(encoding="utf-8"), f"docs/{path.name}")
    return [b for b in found if b.language == language]


def _console_cases() -> list:  # type: ignore[type-arg]
    cases = []
    for block in _readme_blocks("console"):
        for cmd in commands(block):
            cases.append(pytest.param(cmd, id=f"{block.file}:{cmd.line}: {cmd.command[:60]}"))
    return cases


def _run_shell(command: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("the README's shell examples need bash")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": WIDTH, "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    script = f'convcalc() {{ "{sys.executable}" -m convcalc "$@"; }}\n{command}\n'
    return subprocess.run([bash, "-c", script], check=False, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


@pytest.mark.parametrize("case", _console_cases())
def test_console_example(case: Command) -> None:
    done = _run_shell(case.command)
    got = "\n".join(line.rstrip() for line in done.stdout.rstrip("\n").split("\n"))
    assert got == case.expected, f"README line {case.line}: `{case.command}` prints\n{done.stdout}{done.stderr}"


def _pycon_cases() -> list:  # type: ignore[type-arg]
    return [pytest.param(b, id=f"{b.file}:{b.line}") for b in _readme_blocks("pycon")]


@pytest.mark.parametrize("block", _pycon_cases())
def test_pycon_example(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    test = doctest.DocTestParser().get_doctest(block.text, {}, f"{block.file}:{block.line}", block.file, block.line)
    assert test.examples, f"README line {block.line}: a pycon block without examples"
    failures: list[str] = []

    class Collect(doctest.DocTestRunner):
        def report_failure(self, out, test, example, got):  # type: ignore[no-untyped-def]
            failures.append(f"line {block.line + 1 + example.lineno}: {example.source.strip()}\nwant: {example.want}got:  {got}")

        def report_unexpected_exception(self, out, test, example, exc_info):  # type: ignore[no-untyped-def]
            failures.append(f"line {block.line + 1 + example.lineno}: {example.source.strip()}\nraised {exc_info[1]!r}")

    Collect(verbose=False).run(test, out=lambda text: None)
    assert not failures, "\n\n".join(failures)


def test_the_readme_has_examples_of_every_command() -> None:
    shown = " ".join(c.command for b in _readme_blocks("console", docs=False) for c in commands(b))
    for command in ("convcalc net", "convcalc layer", "--explain", "convcalc same", "-q", "convcalc zoo"):
        assert command in shown, command


def test_command_parsing_of_a_console_block() -> None:
    block = Block("console", 10, "$ echo a \\\n  b\na b\n$ true\n\n")
    assert commands(block) == [Command(11, "echo a \n  b", "a b"), Command(14, "true", "")]


#: The README's names of the layer modules of convcalc/layers, in the order it lists them.
FAMILIES = {
    "conv": "convolution", "pooling": "pooling", "padding": "padding", "normalization": "normalisation",
    "activation": "activation, dropout", "linear": "dense, scale", "shape": "shape", "upsampling": "resampling",
    "merge": "merge (node form)",
}  # fmt: skip


def layer_types_table() -> str:
    """The README's table of supported layers, made from ``convcalc.LAYER_TYPES``."""
    import convcalc

    by_family: dict[str, list[str]] = {}
    for name, (cls, _dims) in convcalc.LAYER_TYPES.items():
        by_family.setdefault(cls.__module__.rsplit(".", 1)[-1], []).append(name)
    assert set(by_family) == set(FAMILIES), f"a layer module has no README family: {set(by_family) - set(FAMILIES)}"
    lines = ["| family | PyTorch classes |", "|---|---|"]
    for module, family in FAMILIES.items():
        lines.append(f"| {family} | {' '.join(sorted(by_family[module]))} |")
    return "\n".join(lines)


def test_the_readme_lists_every_layer_type() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- layer types: generated")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of layer types -->")
    assert text[start:end].strip() == layer_types_table()


def test_the_readme_is_short() -> None:
    words = len(README.read_text(encoding="utf-8").split())
    assert words <= 2550, f"README.md has {words} words (aim: about 2,500): move reference material to docs/"


def test_the_readme_refers_only_to_what_users_have() -> None:
    """No sections of documents that are not in the repository (SPEC §…, the style guide,
    the tracker's issues), and every relative link leads to a file of the checkout."""
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"\bSPEC\b|STYLE\.md|\bissue \d", text), "the README cites a document users do not have"
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    assert links, "the README links to docs/"
    for link in links:
        if not re.match(r"[a-z]+://", link):
            assert (ROOT / link).exists(), f"README links to {link}, which is not in the repository"


def test_the_readme_installs_extras_that_exist() -> None:
    """The install commands name only extras that pyproject.toml defines, and the
    development install has the test and oracle extras (the PyTorch comparison)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+, and this is all we need
    section = pyproject.split("[project.optional-dependencies]\n", 1)[1].split("\n[", 1)[0]
    extras = set(re.findall(r"^([\w-]+) = \[", section, re.MULTILINE))
    assert {"test", "oracle"} <= extras
    text = README.read_text(encoding="utf-8")
    asked = [set(group.split(",")) for group in re.findall(r"pip install -e '\.\[([\w,]+)\]'", text)]
    assert asked and {"test", "oracle"} <= asked[0]
    for group in asked:
        assert group <= extras, f"README installs unknown extras {group - extras}"
    assert "python -m venv" in text or "python3 -m venv" in text
    assert "pip install ." in text and "python -m pytest -q" in text and "-m oracle" in text
