"""Fuzzing: generated networks (dicts and YAML texts, valid and not), hostile structures and
command lines for every command, against the contract of SPEC §6:

* the library raises nothing but :class:`convcalc.ConvCalcError`, with the exit code the
  defect calls for and a one-line message that names its place and the offending value;
* the command line exits 0, 1 or 2, writes at most two lines to stderr besides its
  ``warning:`` lines (one per warning, each short), and no traceback;
* every accepted network's totals are the sums of its layer rows (and each composite row
  the sum of its children), its rows and shapes those worked out independently;
* every input finishes within the hypothesis deadline (:data:`DEADLINE`).

About 2,300 examples run by default. ``CONVCALC_FUZZ_EXAMPLES=100000`` spreads that many
over the same tests in the same proportions (``benchmarks/fuzz_long.py`` runs it and
prints the figures).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from fuzz_strategies import (
    COMPOSITES,
    NetCase,
    chaotic_networks,
    command_lines,
    damaged_yaml,
    defective_networks,
    hostile_structures,
    hostile_values,
    valid_networks,
    walk,
    yaml_soup,
)
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import convcalc
from convcalc import spec
from convcalc.cli import app

#: Examples per test in CI (≈2,300 in all); CONVCALC_FUZZ_EXAMPLES scales them to its total.
BUDGET = {
    "valid": 250,
    "defects": 500,
    "chaos": 250,
    "soup": 200,
    "damaged": 200,
    "bounds": 150,
    "cli_layer": 250,
    "cli_same": 100,
    "cli_net": 200,
    "cli_zoo": 40,
    "cli_stdin": 150,
    "cli_process": 10,
}
SUBPROCESS_CAP = 300  # each example starts an interpreter: the long run caps this one
DEADLINE = timedelta(milliseconds=int(os.environ.get("CONVCALC_FUZZ_DEADLINE_MS", "2000")))
MAX_MESSAGE_CHARS = 1000  # a clear message, even when the input echoed back is huge
def examples(name: str) -> int:
    """This test's share of CONVCALC_FUZZ_EXAMPLES (default: its CI budget)."""
    total = int(os.environ.get("CONVCALC_FUZZ_EXAMPLES", "0") or 0)
    if total <= 0:
        return BUDGET[name]
    share = max(1, round(total * BUDGET[name] / sum(BUDGET.values())))
    return min(share, SUBPROCESS_CAP) if name == "cli_process" else share


def fuzz(name: str) -> settings:
    return settings(
        max_examples=examples(name),
        deadline=DEADLINE,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# ---------------------------------------------------------------------------------------
# The library's contract
# ---------------------------------------------------------------------------------------

SUMMED = ("params", "buffers", "macs", "flops", "activation_bytes")


def analyze(source: Any, **kwargs: Any) -> convcalc.Report | convcalc.ConvCalcError:
    """The report, or the ConvCalcError; any other exception fails the test."""
    try:
        return convcalc.analyze(source, **kwargs)
    except convcalc.ConvCalcError as err:
        return err


def check_error(err: convcalc.ConvCalcError) -> None:
    """Exit code 1 or 2 (LimitError: 2), one clear line."""
    text = str(err)
    assert err.exit_code in (1, 2), (err.exit_code, text)
    assert isinstance(err, convcalc.LimitError) <= (err.exit_code == 2)
    assert text.strip() and "\n" not in text and "\r" not in text, repr(text)
    assert len(text) <= MAX_MESSAGE_CHARS, len(text)
    assert "Traceback" not in text


def check_report(report: convcalc.Report) -> dict[str, Any]:
    """Totals are the sums of the layer rows, composite rows the sums of their children,
    FLOPs twice the MACs; the JSON holds exact integers. Returns the JSON."""
    d = report.to_dict()
    assert json.loads(json.dumps(d)) == d
    rows = d["layers"]
    leaves = [r for r in rows if r["type"] not in COMPOSITES]
    for key in SUMMED:
        assert d["totals"][key] == sum(r[key] for r in leaves), key
        assert all(type(r[key]) is int and r[key] >= 0 for r in rows), key
    assert d["totals"]["flops"] == 2 * d["totals"]["macs"]
    assert d["totals"]["trainable_params"] == d["totals"]["params"]
    for i, row in enumerate(rows):
        assert row["index"] == i + 1
        if row["type"] in COMPOSITES:
            kids = []
            for later in rows[i + 1 :]:
                if later["depth"] <= row["depth"]:
                    break
                if later["depth"] == row["depth"] + 1:
                    kids.append(later)
            for key in SUMMED:
                assert row[key] == sum(k[key] for k in kids), (row["path"], key)
    return d


def check_outcome(outcome: convcalc.Report | convcalc.ConvCalcError) -> None:
    if isinstance(outcome, convcalc.ConvCalcError):
        event(f"refused, exit {outcome.exit_code}")
        check_error(outcome)
    else:
        event("accepted")
        check_report(outcome)


@fuzz("valid")
@given(
    valid_networks(),
    st.sampled_from(["dict", "yaml", "yaml with aliases"]),
    st.sampled_from(["float32", "float16", "int8"]),
)
def test_valid_networks_give_the_shapes_worked_out_here(case: NetCase, form: str, dtype: str) -> None:
    rows = case.annotate()
    source = case.data() if form == "dict" else case.text(anchors=form == "yaml with aliases")
    report = analyze(source, dtype=dtype)
    assert not isinstance(report, convcalc.ConvCalcError), f"{report}\n{case.text()}"
    d = check_report(report)
    assert len(d["layers"]) == rows
    assert tuple(report.output_shape) == case.output
    assert d["input_shape"] == list(case.input)
    by_path = {r["path"]: r for r in d["layers"]}
    for node, _, _ in walk(case.nodes):  # the first repetition of a Repeat
        row = by_path[node.path]
        assert (row["type"], row["index"], tuple(row["output_shape"])) == (node.type, node.row, node.shape_out), (
            node.path
        )
    nbytes = {"float32": 4, "float16": 2, "int8": 1}[dtype]
    assert d["totals"]["param_bytes"] == nbytes * d["totals"]["params"]


@fuzz("defects")
@given(defective_networks(), st.sampled_from(["dict", "yaml", "yaml with aliases"]))
def test_one_defect_gives_its_exit_code_and_names_its_place(case: NetCase, form: str) -> None:
    event(f"defect: {case.kind}")
    source = case.data() if form == "dict" else case.text(anchors=form == "yaml with aliases")
    err = analyze(source)
    assert isinstance(err, convcalc.ConvCalcError), f"accepted ({case.kind}):\n{case.text()}"
    check_error(err)
    assert err.exit_code == case.code, f"{case.kind}: {err}"
    missing = [word for word in case.expected_words(form != "dict") if word not in str(err)]
    assert not missing, f"{case.kind}: {missing} not in {str(err)!r}"


@fuzz("chaos")
@given(chaotic_networks(), st.booleans(), st.one_of(st.none(), hostile_values()),
       st.one_of(st.sampled_from(["float32", "bfloat16"]), hostile_values()))  # fmt: skip
def test_hostile_values_anywhere_give_a_result_or_a_convcalc_error(
    case: NetCase, as_yaml: bool, input_shape: Any, dtype: Any
) -> None:
    source: Any = case.data()
    if as_yaml:
        try:
            source = case.text()
        except (ValueError, TypeError):  # a value YAML cannot write (nothing to do with convcalc)
            assume(False)
    check_outcome(analyze(source))
    if input_shape is not None or dtype != "float32":
        check_outcome(analyze(source, input_shape=input_shape, dtype=dtype))


@fuzz("soup")
@given(yaml_soup())
def test_yaml_soup_gives_a_result_or_a_convcalc_error(text: str) -> None:
    check_outcome(analyze(text))


@fuzz("damaged")
@given(damaged_yaml())
def test_damaged_yaml_gives_a_result_or_a_convcalc_error(text: str) -> None:
    check_outcome(analyze(text))


SMALL_LIMITS = st.fixed_dictionaries(
    {
        "file_bytes": st.just(spec.LIMITS["file_bytes"]),
        "layers": st.integers(1, 3000),
        "depth": st.integers(1, 120),
        "yaml_depth": st.integers(20, 1000),
        "repeat": st.integers(3, 3000),
        "yaml_nodes": st.one_of(st.integers(20, 5000), st.just(spec.LIMITS["yaml_nodes"])),
    }
)


@fuzz("bounds")
@given(st.data(), st.one_of(st.just(dict(spec.LIMITS)), SMALL_LIMITS))
def test_bounds_refuse_exactly_what_is_over_them(data: st.DataObject, limits: dict[str, int]) -> None:
    """Deep nesting, aliased blocks, huge Repeat.times, recursive aliases: accepted with the
    rows counted here when within the bounds, else refused with the bound in the message."""
    hostile = data.draw(hostile_structures(limits))
    event(f"{hostile.kind}: {'accepted' if hostile.rows is not None else 'refused'}")
    if hostile.kind not in ("flood", "values"):  # the others' values are not counted here
        limits = {**limits, "yaml_nodes": spec.LIMITS["yaml_nodes"]}
    # with bounds this small, texts of any size are scanned as those over SCAN_BYTES are
    scan = 0 if limits["layers"] < spec.LIMITS["layers"] else spec.SCAN_BYTES
    with mock.patch.dict(spec.LIMITS, limits), mock.patch.object(spec, "SCAN_BYTES", scan):
        outcome = analyze(hostile.source)
    if hostile.rows is not None:
        assert not isinstance(outcome, convcalc.ConvCalcError), f"{hostile.kind}: {outcome}"
        assert len(check_report(outcome).get("layers")) == hostile.rows
        return
    assert isinstance(outcome, convcalc.ConvCalcError), hostile.kind
    check_error(outcome)
    assert outcome.exit_code == hostile.code, f"{hostile.kind}: {outcome}"
    for word in hostile.words:
        assert word in str(outcome), f"{hostile.kind}: {word!r} not in {str(outcome)!r}"


# ---------------------------------------------------------------------------------------
# The command line's contract
# ---------------------------------------------------------------------------------------

RUNNER = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "CONVCALC_DEBUG": ""}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ...]:
    """What ``net`` is given: built-in names (and misspellings), files good and bad,
    a directory, a missing file, devices."""
    root = tmp_path_factory.mktemp("sources")
    files = {
        "good.yaml": "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: {out_channels: 4, k: 5, s: 2}\n  - ReLU\n"
        "  - Flatten\n  - Linear: {out_features: 10}\n",
        "warn.yaml": "input: [1, 1, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 2, k: 2, s: 3}\n  - MaxPool2d: {k: 2, ceil_mode: true}\n",
        "bad_syntax.yaml": "input: [1, 3, 8, 8\nlayers:\n  - ReLU\n",
        "invalid.yaml": "input: [1, 3, 4, 4]\nlayers:\n  - Conv2d: {out_channels: 4, k: 5}\n",
        "empty.yaml": "",
        "list.yaml": "- ReLU\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "latin1.yaml").write_bytes(b"name: caf\xe9\ninput: [1, 3, 8, 8]\nlayers: [ReLU]\n")
    (root / "adir").mkdir()
    paths = [str(root / n) for n in [*files, "latin1.yaml", "adir", "missing.yaml"]]
    return (*paths, "lenet", "resnet18", "lenett", "LeNet", "-", "/dev/null", "", ".", "x" * 300)


def check_cli(result: Any, argv: list[str]) -> None:
    """Exit 0, 1 or 2; at most two stderr lines besides the warnings (one line each), every
    line clear and short; never a traceback."""
    err, out = result.stderr, result.stdout
    shown = f"{argv!r}\nexit {result.exit_code}\nstderr: {err[:500]!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{shown}\n{result.exception!r}"
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in err and "Traceback" not in out, shown
    lines = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert len(lines) <= 2, shown
    assert all(len(line) <= MAX_MESSAGE_CHARS for line in err.splitlines()), shown
    if result.exit_code != 0 and argv[:1] != []:
        assert lines and lines[0].startswith("error:"), shown


def invoke(argv: list[str], stdin: str | bytes | None = None) -> Any:
    result = RUNNER.invoke(app, argv, input=stdin, env=ENV)
    event(f"{argv[0] if argv else '(none)'}: exit {result.exit_code}")
    check_cli(result, argv)
    return result


@fuzz("cli_layer")
@given(command_lines("layer"))
def test_layer_command_lines(argv: list[str]) -> None:
    result = invoke(argv)
    if result.exit_code == 0 and "--help" not in argv and "-h" not in argv:
        assert result.stdout.strip()


@fuzz("cli_same")
@given(command_lines("same"))
def test_same_command_lines(argv: list[str]) -> None:
    invoke(argv)


@fuzz("cli_net")
@given(st.data())
def test_net_command_lines(sources: tuple[str, ...], data: st.DataObject) -> None:
    argv = data.draw(command_lines("net", sources))
    stdin = data.draw(st.one_of(yaml_soup(), damaged_yaml(), st.just("lenet"), st.binary(max_size=40)))
    invoke(argv, stdin)


@fuzz("cli_zoo")
@given(st.one_of(command_lines("zoo"), st.lists(st.sampled_from(["lyer", "--help", "-V", "--version", "zoo", "net",
                                                                  "layer", "--k", "3", "--kk", "-"]), max_size=3)))  # fmt: skip
def test_zoo_and_top_level_command_lines(argv: list[str]) -> None:
    invoke(argv)


@fuzz("cli_stdin")
@given(st.one_of(valid_networks().map(NetCase.text), defective_networks().map(NetCase.text), damaged_yaml()))
def test_net_reads_standard_input_as_the_library_reads_the_text(text: str) -> None:
    """``convcalc net -`` exits with the code the library's error carries (0 when accepted)."""
    result = invoke(["net", "-", "--format", "plain"], text)
    library = analyze(text if "\n" in text else text + "\n")
    expected = library.exit_code if isinstance(library, convcalc.ConvCalcError) else 0
    assert result.exit_code == expected, (result.stderr, library)
    if expected:  # the same message, on one line (the command line closes up runs of spaces)
        assert " ".join(str(library).split()) in " ".join(result.stderr.split())


@fuzz("cli_process")
@given(st.one_of(command_lines("layer"), command_lines("same"), command_lines("zoo"),
                 command_lines("net", ("lenet", "lenett", "/dev/null", "-", "."))))  # fmt: skip
def test_command_lines_in_a_real_process(argv: list[str]) -> None:
    """The installed entry point (``python -m convcalc``) keeps the same contract."""
    done = subprocess.run(
        [sys.executable, "-m", "convcalc", *argv], input=b"input: [1, 3, 8, 8]\nlayers: [ReLU]\n",
        capture_output=True, timeout=60, env={**os.environ, **ENV}, check=False,
    )  # fmt: skip
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), (argv, done.returncode, err)
    errors = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert "Traceback" not in err and len(errors) <= 2, (argv, err)


def test_the_budget_is_at_least_2000_examples_in_ci() -> None:
    assert sum(BUDGET.values()) >= 2000
