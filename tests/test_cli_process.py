"""The command line in real processes: ``python -m convcalc``, the console script, a
closed pipe, Ctrl-C, and which heavy modules each command loads (Rich only to colour a
table, YAML only to read a network, pydantic never)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import convcalc

ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
ENV.pop("FORCE_COLOR", None)


def convcalc_process(*args: str, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "convcalc", *args], check=False, capture_output=True, text=True, env=ENV, **kwargs)


def test_python_dash_m() -> None:
    done = convcalc_process("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q")
    assert (done.returncode, done.stdout, done.stderr) == (0, "112\n", "")
    done = convcalc_process("--version")
    assert done.stdout == f"convcalc {convcalc.__version__}\n"


def test_console_script() -> None:
    script = shutil.which("convcalc")
    if script is None:
        pytest.skip("the convcalc console script is not installed")
    done = subprocess.run([script, "layer", "--k", "5", "--p", "2", "-q"], check=False, capture_output=True, text=True, env=ENV)
    assert (done.returncode, done.stdout) == (0, "out = in\n")


def test_the_process_ends_without_teardown_once_the_answer_is_flushed(tmp_path: Path) -> None:
    """``console()`` ends the process with ``os._exit`` after flushing: every byte of a large
    answer arrives through a pipe and the exit codes stand; with an ``atexit`` handler
    waiting (coverage, logging) the interpreter exits as usual and runs it."""
    done = subprocess.run([sys.executable, "-m", "convcalc", "net", str(_big_network(tmp_path)), "--format", "json"],
                          check=False, capture_output=True, text=True, env=ENV)  # fmt: skip
    assert done.returncode == 0 and len(json.loads(done.stdout)["layers"]) == 20_001
    assert convcalc_process("layer", "--in", "3", "--k", "5").returncode == 1
    assert convcalc_process("layer", "--k", "x").returncode == 2
    code = (
        "import atexit, sys\natexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "sys.argv = ['convcalc', 'layer', '--in', '9', '--k', '3', '-q']\n"
        "from convcalc.cli import console\nconsole()"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=ENV)
    assert (done.returncode, done.stdout, done.stderr) == (0, "7\n", "handler ran\n")
    code = "import sys\nsys.argv = ['convcalc', 'layer', '--in', '3', '--k', '5']\nfrom convcalc.cli import console\nconsole()"
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=ENV)
    assert done.returncode == 1 and done.stderr.startswith("error: Conv1d")


def test_errors_in_a_process_are_short() -> None:
    done = convcalc_process("layer", "--in", "3", "--k", "5")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: Conv1d: output size would be 0") and done.stderr.count("\n") == 1
    done = convcalc_process("net", "nothing-here")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def _big_network(tmp_path: Path) -> Path:
    path = tmp_path / "big.yaml"  # 20,000 rows: far more than a pipe holds
    path.write_text("input: [1, 3, 8, 8]\nlayers:\n  - Repeat: {times: 20000, layers: [ReLU]}\n")
    return path


@pytest.mark.parametrize("fmt", ["table", "plain", "json"])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, fmt: str) -> None:
    """``convcalc net big.yaml | head -1``: the reader leaves early; no traceback, no
    "Exception ignored" message, exit 141 as for SIGPIPE."""
    with subprocess.Popen(
        [sys.executable, "-m", "convcalc", "net", str(_big_network(tmp_path)), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert first
    assert code == 141, err
    assert err == ""


def test_head_in_a_shell(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    big = _big_network(tmp_path)
    done = subprocess.run(
        [bash, "-c", f'"{sys.executable}" -m convcalc net "{big}" | head -3; echo "status ${{PIPESTATUS[0]}}"'],
        check=False, capture_output=True, text=True, env=ENV, timeout=120,
    )
    assert done.stdout.splitlines()[-1] == "status 141"
    assert len(done.stdout.splitlines()) == 4 and done.stderr == ""


def _wchan(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return ""


def test_ctrl_c_is_one_line_and_exit_130() -> None:
    if not Path("/proc/self/wchan").exists():
        pytest.skip("needs /proc to see the process wait on its input")
    with subprocess.Popen(
        [sys.executable, "-m", "convcalc", "net", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=ENV,
    ) as proc:
        deadline = time.monotonic() + 60
        while "pipe" not in _wchan(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # until it waits for the network on its standard input
        if "pipe" not in _wchan(proc.pid):
            proc.kill()
            pytest.skip("could not see the process wait on its input")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.decode() == "interrupted\n" and out == b""


def _loaded(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> set[str]:
    """Top-level packages imported by ``convcalc *args`` (python -X importtime); ``env``
    replaces the test environment's NO_COLOR and adds its own variables."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "convcalc", *args],
        check=False, capture_output=True, text=True, input=stdin,
        env=ENV if env is None else {**{k: v for k, v in ENV.items() if k != "NO_COLOR"}, **env},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    if env is not None and env.get("FORCE_COLOR"):
        assert "\x1b[1m" in done.stdout  # the output was coloured
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "convcalc" in names and "typer" in names  # the measurement did see the imports
    return names


NETWORK = "{input: [1, 3, 8, 8], layers: [{Conv2d: {out_channels: 4, kernel_size: 3}}, ReLU]}\n"


@pytest.mark.parametrize(
    "args",
    [
        ("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q"),
        ("layer", "--in", "224", "--k", "7", "--c-in", "3", "--c-out", "8", "--json"),
        ("layer", "--k", "5", "--p", "2", "--explain"),
        ("same", "--in", "224", "--k", "7", "--s", "2", "-q"),
    ],
    ids=lambda a: " ".join(a),
)
def test_single_layer_commands_load_no_rich_yaml_or_pydantic(args: tuple[str, ...]) -> None:
    loaded = _loaded(*args)
    assert not loaded & {"rich", "yaml", "pydantic", "torch"}, loaded & {"rich", "yaml", "pydantic", "torch"}


@pytest.mark.parametrize("fmt", ["json", "plain", "csv", "markdown", "table"])
def test_network_output_without_colour_loads_no_rich(fmt: str) -> None:
    loaded = _loaded("net", "lenet", "--format", fmt)
    assert not loaded & {"rich", "yaml", "pydantic", "torch"}  # a built-in network is read from its snapshot
    loaded = _loaded("net", "-", "--format", fmt, stdin=NETWORK)
    assert "yaml" in loaded  # YAML text is read by PyYAML
    assert not loaded & {"rich", "pydantic", "torch"}


def test_a_coloured_table_loads_no_rich() -> None:
    """On a terminal the table writes the escape codes Rich writes for bold itself
    (``tests/test_render.py`` compares them): importing ``rich.style`` cost a third of the
    table."""
    code = (
        "import sys; from convcalc.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('rich')), file=sys.stderr)"
    )
    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-c", code, "net", "resnet50"], capture_output=True, text=True, env=env, check=True
    )
    assert "\x1b[1m" in done.stdout
    rich_modules = set(ast.literal_eval(done.stderr.strip().splitlines()[-1]))
    assert not rich_modules
