"""The command line on hostile ground, in real processes (SPEC §6): a full disk, closed
standard streams, ASCII-only encodings, pipes whose reader leaves, no or narrow COLUMNS,
a HOME where the completion script cannot be written. Each case: the exit code, one line
on stderr naming the stream and the system's reason, never a traceback or "internal
error"; and the output's width, symbols and escapes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convcalc.render.table import shorten, tree, wrap
from convcalc.terminal import Terminal, fallback, shown

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")
ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "LINES")}
ENV["NO_COLOR"] = "1"
COMMAND = f'"{sys.executable}" -m convcalc'


def shell(script: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``script`` in bash, with ``convcalc`` meaning this checkout's command line; no
    terminal anywhere (stdin from /dev/null, a new session: no /dev/tty)."""
    assert BASH is not None
    return subprocess.run(
        [BASH, "-c", f"convcalc() {{ {COMMAND} \"$@\"; }}\n{script}"],
        capture_output=True, env={**ENV, **env}, stdin=subprocess.DEVNULL, start_new_session=True,
        timeout=120, check=False,
    )  # fmt: skip


def no_internal_error(stderr: bytes) -> None:
    text = stderr.decode()
    assert "Traceback" not in text and "internal error" not in text and "Exception ignored" not in text, text


# -- the answer cannot be written: exit 4, one line --------------------------------------


@needs_bash
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", ["net lenet", "net lenet --format json", "layer --k 3 --in 8", "zoo", "--help",
                                  "net --help"])  # fmt: skip
def test_a_full_disk_is_exit_4_with_the_reason(args: str) -> None:
    done = shell(f"convcalc {args} > /dev/full")
    assert done.returncode == 4, done.stderr
    assert done.stderr.decode() == "error: cannot write the output: No space left on device\n"


@needs_bash
def test_a_closed_stdout_is_exit_4() -> None:
    done = shell("convcalc net lenet >&-")
    assert done.returncode == 4
    assert done.stderr.decode() == ("error: cannot write the output: Bad file descriptor (standard output is closed)\n")


@needs_bash
def test_a_closed_stdin_for_dash_is_exit_4() -> None:
    done = shell("convcalc net - <&-")
    assert done.returncode == 4
    assert done.stderr.decode() == (
        "error: cannot read standard input: Bad file descriptor (standard input is closed)\n"
    )


@needs_bash
@pytest.mark.parametrize(
    "args", ["net lenet", "net resnet18 --format plain", "layer --in 8 --k 2 --s 2 --p 1 --type maxpool --ceil-mode"]
)
def test_a_closed_stderr_leaves_the_answer_whole(args: str) -> None:
    """With stderr closed, warnings (net resnet18 --format plain has some) cannot be
    written: the answer stands, exit 0."""
    whole = shell(f"convcalc {args} 2>/dev/null")
    done = shell(f"convcalc {args} 2>&-")
    assert done.returncode == 0 and whole.returncode == 0
    assert done.stdout == whole.stdout and done.stdout


def _unwritable_homes(tmp_path: Path) -> list[Path]:
    homes = [Path("/proc")] if Path("/proc/self").exists() else []  # nobody writes there, root neither
    if os.geteuid() != 0:  # root writes through permissions
        home = tmp_path / "home"
        home.mkdir()
        home.chmod(0o555)
        homes.append(home)
    return homes


@needs_bash
def test_installing_the_completion_in_a_read_only_home_is_exit_4(tmp_path: Path) -> None:
    homes = _unwritable_homes(tmp_path)
    if not homes:
        pytest.skip("no directory that cannot be written here")
    for home in homes:
        done = shell("convcalc --install-completion bash", HOME=str(home),
                     _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")  # fmt: skip
        no_internal_error(done.stderr)
        assert done.returncode == 4, done.stderr
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: cannot install the shell completion: '{home}/")


# -- the reader went away: 141, quietly ----------------------------------------------------


@needs_bash
@pytest.mark.parametrize("args", ["--help", "layer --help", "net --help", "zoo", "net resnet152"])
def test_a_closed_pipe_is_141_or_0_quietly(args: str) -> None:
    """``convcalc --help | head -1``: the help is small enough to be written before head
    exits (0) or not (141); either way nothing on stderr."""
    done = shell(f'convcalc {args} | (read -r line; exit 0); echo "status ${{PIPESTATUS[0]}}"')
    assert done.stdout.decode().splitlines()[-1] in ("status 141", "status 0")
    no_internal_error(done.stderr)
    assert all(line.startswith(("warning: ", "  ")) for line in done.stderr.decode().splitlines())  # resnet152's


@needs_bash
def test_help_into_a_pipe_closed_before_it_is_written_is_141() -> None:
    done = shell('convcalc --help | (exec 0<&-; sleep 1); echo "status ${PIPESTATUS[0]}"')
    assert done.stdout.decode().splitlines()[-1] == "status 141"
    assert done.stderr == b""


# -- encodings: ASCII fallbacks, JSON exact, names escaped ----------------------------------

ASCII_ENVIRONMENTS = [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
]


@needs_bash
@pytest.mark.parametrize("env", ASCII_ENVIRONMENTS, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
@pytest.mark.parametrize("args", ["--help", "layer --help", "same --help", "net --help", "zoo --help"])
def test_help_on_an_ascii_terminal(env: dict[str, str], args: str) -> None:
    done = shell(f"convcalc {args}", COLUMNS="80", **env)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # nothing but ASCII
    assert "Usage:" in text and "\\u" not in text and "?" not in text.replace("[OPTIONS]", "")
    assert max(len(line) for line in text.splitlines()) <= 80  # measured as what is written


@needs_bash
@pytest.mark.parametrize("env", ASCII_ENVIRONMENTS, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
def test_symbols_fall_back_to_ascii(env: dict[str, str]) -> None:
    explain = shell("convcalc layer --in 224 --k 7 --s 2 --p 3 --explain", **env)
    assert explain.returncode == 0, explain.stderr
    assert "out = floor((in + 2*p - k)/s) + 1 = floor((224 + 2*3 - 7)/2) + 1" in explain.stdout.decode("ascii")
    table = shell("convcalc net resnet50", COLUMNS="100", **env)
    assert table.returncode == 0
    text = table.stdout.decode("ascii")
    assert text.startswith("ResNet-50 - input 1x3x224x224 - float32\n")
    assert "\n" + "-" * 20 in text and " 1x64x112x112 " in text
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert [line.split()[1:3] for line in lines[9:11]] == [["+", "conv1"], ["|", "bn1"]]  # the body
    assert lines[17].split()[1:3] == ["`", "downsample"]  # the shortcut


NAMED = (
    "{name: 'Réseau 层', input: [1, 3, 8, 8], layers: [{Conv2d: {name: 'café', out_channels: 4, kernel_size: 3}}]}\n"
)


@needs_bash
@pytest.mark.parametrize("fmt", ["json", "plain", "csv", "table", "markdown"])
def test_names_are_escaped_and_json_stays_exact(tmp_path: Path, fmt: str) -> None:
    net = tmp_path / "named.yaml"
    net.write_text(NAMED, encoding="utf-8")
    done = shell(f'convcalc net "{net}" --format {fmt}', PYTHONIOENCODING="ascii", COLUMNS="100")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")
    assert "?" not in text
    if fmt == "json":
        data = json.loads(text)
        assert data["name"] == "Réseau 层" and data["layers"][0]["name"] == "café"
        assert "\\u00e9" in text
    else:
        assert "caf\\xe9" in text
    if fmt in ("table", "markdown"):
        assert "R\\xe9seau \\u5c42" in text


def test_fallbacks_and_escapes() -> None:
    assert shown("⌊(in + 2·p − k)/s⌋ … → ≥ ∏k", "ascii") == "floor((in + 2*p - k)/s) ... -> >= prodk"
    assert shown("LeNet-5 · input 1×1×28×28", "ascii") == "LeNet-5 - input 1x1x28x28"
    assert shown("Réseau", "ascii") == "R\\xe9seau" and shown("Réseau", "latin-1") == "Réseau"
    assert fallback("\U0001f600", 0) == "\\U0001f600"
    assert "\U0001f600".encode("ascii", "convcalc-json").decode() == "\\ud83d\\ude00"


# -- width: a pipe gets the terminal's width, else 80; nothing is cut -------------------


@needs_bash
@pytest.mark.parametrize("name", ["resnet50", "densenet121", "inception_v3", "efficientnet_b0", "lenet"])
def test_a_pipe_without_columns_fits_80(name: str) -> None:
    """``convcalc net resnet50 | less`` with no terminal to ask: the table in 80 columns,
    by a count of characters and of bytes (mawk's ``length`` counts bytes) alike."""
    done = shell(f"convcalc net {name} 2>/dev/null | cat")
    assert done.returncode == 0
    lines = done.stdout.split(b"\n\n")[0].splitlines()  # the warnings, if any, follow an empty line
    assert lines and max(len(line) for line in lines) <= 80  # bytes
    assert max(len(line.decode()) for line in lines) <= 80


def test_the_width_of_the_terminal_on_stderr() -> None:
    """stdout a pipe, stderr a 76-column terminal: the table is 76 wide."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 76, 0, 0))
    try:
        done = subprocess.run([sys.executable, "-m", "convcalc", "net", "resnet50"], stdout=subprocess.PIPE,
                              stderr=terminal, env=ENV, timeout=120, check=False)  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 0
    assert max(len(line) for line in lines[:200]) == 76


def test_the_width_of_the_controlling_terminal() -> None:
    """stdout and stderr pipes, but a 72-column controlling terminal (``/dev/tty``), as
    under ``convcalc net resnet50 2>&1 | less``: the table is 72 wide."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))

    def controlled_by_the_pty() -> None:  # in the child, before exec: a new session whose terminal it is
        os.setsid()
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)

    try:
        done = subprocess.run([sys.executable, "-m", "convcalc", "net", "resnet50"], stdin=subprocess.DEVNULL,
                              capture_output=True, env=ENV, timeout=120, check=False, pass_fds=(terminal,),
                              preexec_fn=controlled_by_the_pty)  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert max(len(line) for line in lines[:200]) == 72


def test_terminal_width_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Terminal({"COLUMNS": "123"}).width() == 123
    assert Terminal({"COLUMNS": "123"}).table_options()["by_bytes"] is False
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: (_ for _ in ()).throw(OSError(25, "not a tty")))
    monkeypatch.setattr(os, "open", lambda *a: (_ for _ in ()).throw(OSError(6, "no tty")))
    assert Terminal({"COLUMNS": "0"}).width() == 80
    assert Terminal({}).table_options()["by_bytes"] is True


@needs_bash
@pytest.mark.parametrize("columns", ["30", "40", "60"])
def test_narrow_columns_cut_no_number(columns: str) -> None:
    """At COLUMNS=30 the footer is wrapped, not cut; every number is whole (a table that
    cannot be narrower is wider than the screen rather than cut)."""
    done = shell("convcalc net lenet", COLUMNS=columns)
    assert done.returncode == 0
    text = done.stdout.decode()
    footer = " ".join(text.split("Total params:")[1].split()).replace(" ·", "")  # no · begins a line
    for part in ("61,706 (trainable 61,706, buffers 0)", "MACs: 417 K (416,520)", "FLOPs: 833 K (833,040)",
                 "Memory (float32): activations 57.0 KiB", "params 241 KiB"):  # fmt: skip
        assert part in footer
    for line in text.split("Total params:")[1].splitlines():
        assert len(line) <= int(columns)
    for number in ("156", "2,416", "48,120", "10,164", "850", "61,706", "118 K", "18.4 KiB", "1×16×5×5"):
        assert f" {number}" in text


# -- the pieces -------------------------------------------------------------------------------


def test_names_are_shortened_in_the_middle() -> None:
    assert shorten("layer1.0.conv1", 12) == "layer1…conv1"
    assert shorten("layer1.0.conv1", 20) == "layer1.0.conv1"
    assert shorten("downsample", 8) == "down…ple"
    assert shorten("  │ conv1", 9) == "  │ conv1"
    assert shorten("    ├ downsample", 12) == "    ├ dow…le"
    assert shorten("layer1.0.conv1", 13, "...") == "layer...conv1"


def test_branch_marks_tell_body_and_shortcut_apart() -> None:
    from convcalc import analyze

    report = analyze("resnet50")
    marks = tree(report.rows)
    by_path = {row.path: marks[row.index] + (row.name or "") for row in report.rows}
    assert by_path["4.0.body.0"] == "  ├ conv1"
    assert by_path["4.0.body.1"] == "  │ bn1"
    assert by_path["4.0.shortcut.0"] == "  └ downsample"
    assert by_path["4.0.shortcut.0.0"] == "      0"
    assert by_path["4.1"].startswith("  ") and "│" not in by_path["4.1"]


def test_summary_lines_wrap_at_their_separators() -> None:
    assert wrap("MACs: 417 K (416,520) · FLOPs: 833 K (833,040)", 30) == [
        "MACs: 417 K (416,520)",
        "  FLOPs: 833 K (833,040)",
    ]
    assert wrap("short", 30) == ["short"]


def test_colour_policy() -> None:
    assert Terminal({"FORCE_COLOR": "1", "TERM": "xterm"}).color() is True
    assert Terminal({"FORCE_COLOR": "1", "NO_COLOR": "1"}).color() is False
    assert Terminal({"FORCE_COLOR": "1", "TERM": "dumb"}).color() is False
    assert Terminal({"FORCE_COLOR": "1", "TERM": "unknown"}).color() is False
