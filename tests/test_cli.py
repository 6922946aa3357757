"""The command line through Click's test runner: every command and option, the output
formats (golden files under tests/golden/cli/, rewritten by ``pytest --update-golden``),
help texts, and errors (exit codes of SPEC §6, at most two lines, never a traceback).

Numbers expected here are worked out by hand in the test, from PyTorch's formulas as its
documentation states them, or compared with another run (batch 2 doubles MACs).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import convcalc
from convcalc.cli import _complete_network, app
from convcalc.zoo import zoo_names

DATA = Path(__file__).parent / "data"
BLOCKS = str(DATA / "blocks.yaml")
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None, "TERM": "dumb"}

runner = CliRunner()


def run(*args: str, env: dict | None = None, input: str | bytes | None = None, code: int = 0):  # type: ignore[no-untyped-def]
    """Invoke ``convcalc *args``; check the exit code and the stderr rules."""
    result = runner.invoke(app, list(args), env={**ENV, **(env or {})}, input=input)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) <= 2, result.stderr  # an error is one or two lines; each warning is one
    return result


def conv_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """PyTorch's documented formula, written here for the expectations."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


# ---------------------------------------------------------------------------------------
# layer
# ---------------------------------------------------------------------------------------


def test_layer_quiet_prints_the_output_size() -> None:
    assert run("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q").stdout == f"{conv_out(224, 7, 2, 3)}\n"


@pytest.mark.parametrize("sizes", ["28,28", "28x28", "28×28", "28, 28"])
def test_layer_sizes_are_written_three_ways(sizes: str) -> None:
    want = f"{conv_out(28, 5)} {conv_out(28, 5)}\n"
    assert run("layer", "--in", sizes, "--k", "5", "-q").stdout == want


def test_layer_per_dimension_options_and_the_dimension_rule() -> None:
    assert run("layer", "--in", "28,32", "--k", "3,5", "-q").stdout == f"{conv_out(28, 3)} {conv_out(32, 5)}\n"
    # a class fixes the dimensions: one number stands for both
    assert run("layer", "--type", "Conv2d", "--in", "28", "--k", "3", "-q").stdout == "26 26\n"
    # the longest option decides: three kernel sizes make a Conv3d
    assert run("layer", "--in", "9", "--k", "3,3,3", "--json").stdout.count('"Conv3d"') == 1
    assert run("layer", "--in", "28", "--k", "3,3", "--s", "1,1,1", code=2).stderr.startswith("error: --k has 2 values")


def test_layer_types() -> None:
    # ConvTranspose: (in − 1)·s − 2p + d·(k − 1) + output_padding + 1
    assert run("layer", "--type", "transpose", "--in", "16", "--k", "4", "--s", "2", "--p", "1", "-q").stdout == "32\n"
    assert run("layer", "-t", "ConvTranspose1d", "--in", "3", "--k", "3", "--s", "2", "--p", "1",
               "--output-padding", "1", "-q").stdout == f"{(3 - 1) * 2 - 2 + 2 + 1 + 1}\n"
    # pooling strides by its kernel unless told otherwise
    assert run("layer", "--type", "maxpool", "--in", "28", "--k", "2", "-q").stdout == "14\n"
    assert run("layer", "--type", "MaxPool2d", "--in", "28", "--k", "3", "--s", "1", "--p", "1", "-q").stdout == "28 28\n"
    # avgpool 5 with kernel 2: floor 2, ceil 3
    assert run("layer", "--type", "avgpool", "--in", "5", "--k", "2", "-q").stdout == "2\n"
    assert run("layer", "--type", "avgpool", "--in", "5", "--k", "2", "--ceil-mode", "-q").stdout == "3\n"
    # PyTorch's ceil_mode rule: MaxPool1d(3, 3, padding=1, ceil_mode) on 5 gives 2, not 3
    assert run("layer", "--type", "maxpool", "--in", "5", "--k", "3", "--s", "3", "--p", "1", "--ceil-mode", "-q").stdout == "2\n"
    assert run("layer", "--type", "conv2d", "--in", "8", "--k", "3", "-q").stdout == "6 6\n"


def test_layer_padding_dilation_same_and_valid() -> None:
    assert run("layer", "--in", "10", "--k", "3", "--d", "2", "-q").stdout == f"{conv_out(10, 3, d=2)}\n"
    assert run("layer", "--in", "10", "--k", "4", "--p", "same", "-q").stdout == "10\n"
    assert run("layer", "--in", "10", "--k", "4", "--p", "valid", "-q").stdout == "7\n"
    assert run("layer", "--in", "10", "--k", "3", "--s", "2", "--p", "same", code=1).stderr.count("stride 1") == 1


def test_layer_channels_give_params_macs_and_flops() -> None:
    out = run("layer", "--type", "Conv2d", "--in", "224", "--k", "7", "--s", "2", "--p", "3",
              "--c-in", "3", "--c-out", "64").stdout
    params = 64 * 3 * 7 * 7 + 64
    macs = 64 * 112 * 112 * 3 * 7 * 7
    assert f"params    {params:,}" in out
    assert f"MACs      {macs:,} (118 M)" in out
    assert f"FLOPs     {2 * macs:,} (236 M)" in out
    assert "[1, 64, 112, 112]" in out


def test_layer_groups_bias_and_batch() -> None:
    base = ("layer", "--in", "5", "--k", "3", "--c-in", "4", "--c-out", "8", "--json")
    row = json.loads(run(*base, "--groups", "2").stdout)["layers"][0]
    assert row["params"] == 8 * (4 // 2) * 3 + 8
    assert row["macs"] == 8 * 3 * (4 // 2) * 3
    row = json.loads(run(*base, "--no-bias").stdout)["layers"][0]
    assert row["params"] == 8 * 4 * 3
    batch3 = json.loads(run(*base, "--batch", "3").stdout)["layers"][0]
    assert batch3["macs"] == 3 * row["macs"] and batch3["output_shape"] == [3, 8, 3]
    assert run("layer", "--in", "5", "--k", "3", "--c-in", "4", "--c-out", "8", "-g", "3", code=1).stderr.count("groups=3") == 1


def test_layer_json_is_the_spec_report_with_the_relation() -> None:
    data = json.loads(run("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "--json").stdout)
    assert data["convcalc"] == 1 and data["input_shape"] == [1, 1, 224]
    assert data["layers"][0]["output_shape"] == [1, 1, 112] and data["layers"][0]["type"] == "Conv1d"
    assert data["relation"] == ["out = ⌊(in − 1)/2⌋ + 1 = ⌈in/2⌉"]
    assert set(data) >= {"name", "dtype", "totals", "warnings"}


def test_layer_without_input_prints_the_relation() -> None:
    assert run("layer", "--k", "5", "--p", "2").stdout == "Conv1d(kernel_size=5, padding=2)\nout = in\n"
    assert "out = ⌊(in − 1)/2⌋ + 1" in run("layer", "--k", "5", "--p", "2", "--s", "2").stdout
    assert run("layer", "--k", "3", "-q").stdout == "out = in − 2   (in ≥ 3)\n"
    per_dim = run("layer", "--k", "3,5", "-q").stdout.splitlines()
    assert per_dim == ["height: out = in − 2   (in ≥ 3)", "width:  out = in − 4   (in ≥ 5)"]
    data = json.loads(run("layer", "--k", "3", "--json").stdout)
    assert data["relation"] == ["out = in − 2   (in ≥ 3)"] and data["min_input"] == [3]
    assert data["arguments"]["kernel_size"] == [3]


def test_layer_text_output() -> None:
    out = run("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3").stdout
    assert out.splitlines() == [
        "Conv1d(kernel_size=7, stride=2, padding=3)",
        "relation  out = ⌊(in − 1)/2⌋ + 1 = ⌈in/2⌉",
        "input     224",
        "output    112",
    ]


def test_layer_explain(golden) -> None:  # type: ignore[no-untyped-def]
    out = run("layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "--explain").stdout
    assert "⌊(224 + 2·3 − 7)/2⌋ + 1" in out and out.rstrip().endswith("= 112")
    # a stride that leaves input unread: kernel 2, stride 2 on 9 never reads position 8
    result = run("layer", "--type", "Conv2d", "--in", "9", "--k", "2", "--s", "2", "--c-in", "3", "--c-out", "4", "--explain")
    out = result.stdout
    assert "warning" not in out  # the warnings go to stderr
    assert "8 (1 of 9)" in result.stderr and result.stderr.startswith("warning: input rows never read along the height")
    assert f"params = C_out·(C_in/g)·∏k + C_out = 4·(3/1)·2·2 + 4 = {4 * 3 * 4 + 4}" in out
    golden("cli/layer_explain_conv2d.txt", out)
    golden("cli/layer_explain_ceil.txt", run("layer", "--type", "maxpool", "--in", "5", "--k", "3", "--s", "3", "--p", "1",
                                             "--ceil-mode", "--explain").stdout)
    golden("cli/layer_explain_transpose.txt", run("layer", "--type", "transpose", "--in", "16", "--k", "4", "--s", "2",
                                                  "--p", "1", "--d", "2", "--explain").stdout)
    golden("cli/layer_explain_relation.txt", run("layer", "--k", "3,5", "--s", "2", "--p", "1", "--explain").stdout)


def test_layer_warnings_go_to_stderr() -> None:
    result = run("layer", "--in", "9", "--k", "2", "--s", "2")
    assert result.stdout.splitlines()[3] == "output    4" and len(result.stdout.splitlines()) == 4
    assert result.stderr.startswith("warning: input positions never read along the length: 8 (1 of 9)")
    assert run("layer", "--in", "9", "--k", "2", "--s", "2", "-q").stdout == "4\n"  # -q: only the answer
    for args in ([], ["--explain"], ["--json"]):
        quiet = run("layer", "--in", "9", "--k", "2", "--s", "2", "--no-warnings", *args)
        assert quiet.exit_code == 0 and quiet.stderr == "", args


def test_layer_output_choices_are_exclusive() -> None:
    result = run("layer", "--in", "9", "--k", "2", "--json", "-q", code=2)
    assert result.stderr == "error: --json and -q are alternatives: choose one\n"


# ---------------------------------------------------------------------------------------
# same
# ---------------------------------------------------------------------------------------


def test_same_quiet_and_text() -> None:
    # ⌈224/2⌉ = 112 needs (112 − 1)·2 + 7 − 224 = 5 in total: 2 before, 3 after; padding=3 also gives 112
    assert run("same", "--in", "224", "--k", "7", "--s", "2", "-q").stdout == "3\n"
    out = run("same", "--in", "224", "--k", "7", "--s", "2").stdout
    assert "out = ⌈in/s⌉ = ⌈224/2⌉ = 112" in out and "5 in total: 2 before, 3 after" in out
    assert out.splitlines()[-1] == "→ padding=3"


def test_same_even_kernel_has_no_symmetric_padding() -> None:
    # kernel 4, stride 1 on 8: 3 in total, 1 before and 2 after; padding 1 gives 7, padding 2 gives 9
    assert run("same", "--in", "8", "--k", "4", "-q").stdout == "1 2\n"
    out = run("same", "--in", "8", "--k", "4").stdout
    assert "symmetric  none gives it" in out and "→ nn.ZeroPad1d((1, 2)) (left, right), then padding=0" in out


def test_same_out_dilation_dimensions_and_json() -> None:
    assert run("same", "--in", "224", "--k", "3", "--s", "2", "--out", "112", "-q").stdout == "1\n"
    assert run("same", "--in", "32", "--k", "3", "--d", "2", "-q").stdout == "2\n"  # k_e = 5 keeps 32 with padding 2
    assert run("same", "--in", "224,200", "--k", "3,4", "-q").stdout == "1 1 1 2\n"
    data = json.loads(run("same", "--in", "224,200", "--k", "3", "--s", "2", "--json").stdout)
    assert data["out"] == [112, 100] and data["padding"] == [1, 1]
    assert data["before"] == [0, 0] and data["after"] == [1, 1] and data["type"] == "Conv2d"


def test_same_for_transposed_convolution_and_pooling() -> None:
    # ConvTranspose1d(k=4, s=2) on 16 → 32 with padding 1: (16 − 1)·2 − 2 + 3 + 1 = 32
    assert run("same", "--type", "transpose", "--in", "16", "--k", "4", "--s", "2", "-q").stdout == "1\n"
    # k=3: (16 − 1)·2 − 2 + 2 + op + 1 = 32 needs output_padding 1
    assert run("same", "--type", "transpose", "--in", "16", "--k", "3", "--s", "2", "-q").stdout == "1 1\n"
    assert run("same", "--type", "maxpool", "--in", "7", "--k", "3", "--s", "1", "-q").stdout == "1\n"
    assert run("same", "--type", "maxpool", "--in", "8", "--k", "2", "--s", "1", "-q").stdout == "0 1\n"


def test_same_unreachable_target_is_exit_1() -> None:
    result = run("same", "--in", "100", "--k", "3", "--out", "10", code=1)
    assert "no padding ≥ 0 gives 10 outputs" in result.stderr


# ---------------------------------------------------------------------------------------
# net: goldens of every format, for LeNet and a network with every composite block
# ---------------------------------------------------------------------------------------

NETWORKS = {"lenet": "lenet", "blocks": BLOCKS}
SUFFIX = {"table": "txt", "plain": "tsv", "csv": "csv", "json": "json", "markdown": "md"}


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("name", list(NETWORKS))
def test_net_formats_golden(golden, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = run("net", NETWORKS[name], "--format", fmt).stdout
    golden(f"cli/net_{name}.{SUFFIX[fmt]}", out)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_net_table_at_80_columns_golden(golden, name: str) -> None:  # type: ignore[no-untyped-def]
    out = run("net", NETWORKS[name], env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    golden(f"cli/net_{name}_80.txt", out)


def test_net_table_shape() -> None:
    out = run("net", BLOCKS).stdout
    lines = out.splitlines()
    assert lines[0] == "blocks · input 1×3×32×32 · float32"
    assert "─" in lines[2] and not any(line.endswith("│") or line.startswith("│") for line in lines)  # no box
    assert "  block1" in out and "  ├ body.0" in out and "  └ shortcut.0" in out  # indented, branches marked
    assert any(line.startswith("Total params: 39,874") for line in lines)
    assert not any(line.startswith("warning: ") for line in lines)  # on stderr


def test_net_plain_columns_sum_to_the_totals() -> None:
    data = json.loads(run("net", BLOCKS, "-f", "json").stdout)
    plain = run("net", BLOCKS, "-f", "plain", "--columns", "index,type,params,buffers,macs,flops,memory").stdout
    rows = [line.split("\t") for line in plain.splitlines()]
    assert rows[0] == ["index", "type", "params", "buffers", "macs", "flops", "memory"]
    leaves = [r for r in rows[1:] if r[1] not in ("Sequential", "Repeat", "Residual", "Concat")]
    totals = data["totals"]
    for column, key in ((2, "params"), (3, "buffers"), (4, "macs"), (5, "flops"), (6, "activation_bytes")):
        assert sum(int(r[column]) for r in leaves) == totals[key]
    assert all("\t" not in cell for r in rows for cell in r) and len({len(r) for r in rows}) == 1


def test_net_csv_reads_back() -> None:
    out = run("net", "lenet", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["layer"] for r in rows][:2] == ["conv1", "1"]
    assert rows[0]["params"] == str(6 * 1 * 5 * 5 + 6) and rows[0]["macs"] == str(6 * 28 * 28 * 25)
    assert rows[6]["rf"] == ""  # Flatten: no receptive field


def test_net_json_is_report_to_dict() -> None:
    assert json.loads(run("net", "lenet", "-f", "json").stdout) == convcalc.analyze("lenet").to_dict()


def test_net_input_dtype_depth_and_columns() -> None:
    one = json.loads(run("net", "lenet", "-f", "json").stdout)["totals"]
    two = json.loads(run("net", "lenet", "-f", "json", "--input", "2,1,28,28").stdout)["totals"]
    assert two["macs"] == 2 * one["macs"] and two["params"] == one["params"]
    half = json.loads(run("net", "lenet", "-f", "json", "--dtype", "float16").stdout)
    assert half["dtype"] == "float16" and half["totals"]["param_bytes"] == 2 * one["params"]
    top = json.loads(run("net", BLOCKS, "-f", "json", "--depth", "0").stdout)
    assert {row["depth"] for row in top["layers"]} == {0} and len(top["layers"]) == 10
    full = json.loads(run("net", BLOCKS, "-f", "json").stdout)
    assert top["totals"] == full["totals"]
    assert run("net", "lenet", "-f", "plain", "-c", "layer,params").stdout.splitlines()[:2] == ["layer\tparams", "conv1\t156"]
    table = run("net", "lenet", "--columns", "layer,output").stdout
    assert "MACs" not in table.splitlines()[1] and "output shape" in table


def test_net_from_standard_input() -> None:
    text = "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3}\n"
    data = json.loads(run("net", "-", "-f", "json", input=text).stdout)
    assert data["layers"][0]["output_shape"] == [1, 4, 6, 6]
    one_line = "{input: [1, 2, 4], layers: [ReLU]}"  # a single line is YAML too, not a name
    assert json.loads(run("net", "-", "-f", "json", input=one_line).stdout)["input_shape"] == [1, 2, 4]


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json", "markdown"])
def test_net_warnings_go_to_stderr_in_every_format(fmt: str) -> None:
    result = run("net", BLOCKS, "-f", fmt)
    report = convcalc.analyze(BLOCKS)
    lines = result.stderr.splitlines()
    assert len(lines) == len(report.warnings) == 2
    assert all(line.startswith("warning: layers[3].layers[1].shortcut[0]") for line in lines)
    assert "warning: " not in result.stdout
    named = run("net", "resnet18", "-f", fmt).stderr.splitlines()
    assert named[0].startswith("warning: 'layer2.0.downsample.0' at layers[5]") and len(named) == 6
    assert run("net", BLOCKS, "-f", fmt, "--no-warnings").stderr == ""


def test_net_markdown_keeps_the_indentation() -> None:
    out = run("net", BLOCKS, "-f", "markdown").stdout
    assert "| 5 | \u00a0\u00a0block1 | Residual |" in out
    assert out.count("\n|") == 1 + 1 + 26 + 1  # header, rule, 26 rows, total


# ---------------------------------------------------------------------------------------
# zoo, version, help, completion, colour
# ---------------------------------------------------------------------------------------


def test_zoo_lists_every_built_in_network() -> None:
    names = zoo_names()
    listed = run("zoo", "-q").stdout.split()
    assert sorted(listed) == sorted(names) and listed[0] == "lenet"
    assert listed.index("resnet18") < listed.index("resnet101")  # by family, in the family's order
    table = run("zoo", env={"COLUMNS": "200"}).stdout
    for name in names:
        assert f"\n  {name} " in table
    data = json.loads(run("zoo", "-f", "json").stdout)
    assert [n["name"] for n in data["networks"]] == listed
    lenet = next(n for n in data["networks"] if n["name"] == "lenet")
    assert lenet["params"] == 61706 and lenet["input_shape"] == [1, 1, 28, 28]
    assert lenet["macs"] == convcalc.analyze("lenet").totals.macs and lenet["task"] == "classification"
    plain = run("zoo", "-f", "plain").stdout.splitlines()
    assert plain[0] == "name\tnetwork\tinput\tparams\tmacs\tfamily\ttask\tpublished"
    assert len(plain) == len(names) + 1
    assert run("zoo", "-f", "csv").stdout.startswith("name,network,input,params,macs,family,task,published\n")
    assert run("zoo", "-f", "markdown").stdout.startswith("| name | network | family | input | params | GMACs |")


def test_zoo_filters_by_name_family_and_task() -> None:
    assert run("zoo", "-q", "resnet18").stdout.split() == ["resnet18"]
    every = set(run("zoo", "-q").stdout.split())
    classification = set(run("zoo", "-q", "--task", "classification").stdout.split())
    assert "lenet" in classification and classification <= every
    result = run("zoo", "no-such-net", code=2)
    assert "no built-in network matches 'no-such-net'" in result.stderr
    assert "did you mean 'detection'?" in run("zoo", "--task", "detectoin", code=2).stderr


def test_version() -> None:
    assert run("--version").stdout == f"convcalc {convcalc.__version__}\n"
    assert run("-V").stdout == f"convcalc {convcalc.__version__}\n"


def _commands():  # type: ignore[no-untyped-def]
    group = get_command(app)
    return [("", group), *group.commands.items()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name, command", _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_has_help(name: str, command) -> None:  # type: ignore[no-untyped-def]
    assert command.help and command.help.strip(), name
    for param in command.params:
        assert getattr(param, "help", None), f"{name} {param.name} has no help"
    out = run(*([name] if name else []), "--help").stdout
    assert "Usage: convcalc" in out and "Examples" in out


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(app, [], env=ENV)
    assert result.exit_code == 2 and "Usage: convcalc" in result.stdout + result.stderr


def test_shell_completion(monkeypatch: pytest.MonkeyPatch) -> None:
    # Typer detects the shell from the process tree (shellingham), which a test runner
    # started in the background may not have: name it, so the test does not depend on it.
    import typer._completion_shared
    import typer.completion

    for module in (typer.completion, typer._completion_shared):
        monkeypatch.setattr(module, "_get_shell_name", lambda: "bash")
    script = run("--show-completion").stdout
    assert "_CONVCALC_COMPLETE" in script
    assert "lenet" in _complete_network("le")
    result = runner.invoke(app, [], env={**ENV, "_CONVCALC_COMPLETE": "complete_bash", "COMP_WORDS": "convcalc net le",
                                          "COMP_CWORD": "2"}, prog_name="convcalc")
    assert "lenet" in result.stdout


def test_colour_only_when_asked() -> None:
    plain = run("net", "lenet").stdout
    assert "\x1b[" not in plain
    coloured = run("net", "lenet", env={"NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"}).stdout
    assert "\x1b[1m" in coloured
    assert "\x1b[" not in run("net", "lenet", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout


def test_python_module_entry_point_is_the_same_app() -> None:
    import convcalc.__main__ as entry

    # python -m convcalc and the console script call the same function
    assert entry.console is convcalc.cli.console
    assert 'convcalc = "convcalc.cli:console"' in (Path(__file__).parent.parent / "pyproject.toml").read_text()


# ---------------------------------------------------------------------------------------
# errors: exit codes, one or two lines, no traceback
# ---------------------------------------------------------------------------------------

BAD_YAML = "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: [3, 3}\n"
REJECTED = "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3}\n  - Conv2d: {out_channels: 4, kernel_size: 7}\n"


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["layer", "--in", "3", "--k", "5"], 1, "output size would be 0"),
        (["layer", "--in", "8", "--k", "0"], 1, "kernel_size must be ≥ 1"),
        (["layer", "--in", "8", "--k", "3", "--s", "0"], 1, "stride must be ≥ 1"),
        (["layer", "--in", "8", "--k", "3", "--p", "-1"], 1, "padding must be ≥ 0"),
        (["layer", "--in", "8", "--k", "3", "--type", "maxpool", "--p", "2"], 1, "more than half"),
        (["layer", "--in", "0", "--k", "3"], 2, "every size must be ≥ 1"),
        (["layer", "--in", "abc", "--k", "3"], 2, "--in takes whole numbers"),
        (["layer", "--in", "2.5", "--k", "3"], 2, "--in takes whole numbers"),
        (["layer", "--in", str(2**41), "--k", "3"], 2, "out of range"),
        (["layer", "--k", "3", "--type", "Linear"], 2, "put a Linear in a network file"),
        (["layer", "--k", "3", "--type", "maxpol"], 2, "did you mean 'maxpool'"),
        (["layer", "--k", "3", "--c-in", "x"], 2, "is not a valid integer"),
        (["layer", "--in", "8"], 2, "Missing option '--k'"),
        (["layer", "--kk", "3"], 2, "No such option: --kk"),
        (["layer", "--k", "3", "--explain", "--json"], 2, "alternatives"),
        (["same", "--k", "3"], 2, "Missing option '--in'"),
        (["same", "--in", "100", "--k", "3", "--out", "10"], 1, "no padding"),
        (["net", "nope"], 2, "no file or built-in network named 'nope'"),
        (["net", "lenat"], 2, "did you mean 'lenet'"),
        (["net", "missing.yaml"], 2, "no such file"),
        (["net", str(DATA)], 2, "is a directory"),
        (["net", "lenet", "--format", "xml"], 2, "'xml' is not one of"),
        (["net", "lenet", "--columns", "layer,parms"], 2, "did you mean 'params'"),
        (["net", "lenet", "--columns", "layer", "-f", "json"], 2, "--columns does not apply"),
        (["net", "lenet", "--depth", "-1"], 2, "--depth must be ≥ 0"),
        (["net", "lenet", "--dtype", "float33"], 2, "unknown dtype"),
        (["net", "lenet", "--input", "1,1,2,2"], 1, "output size would be 0"),
        (["net", "lenet", "--input", "1,x"], 2, "must be integers"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_errors(args: list[str], code: int, words: str) -> None:
    result = run(*args, code=code)
    assert words in result.stderr, result.stderr
    assert result.stderr.startswith("error: ")
    assert result.stdout == ""


def test_yaml_errors_and_rejected_networks_from_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML)
    result = run("net", str(bad), code=2)
    assert "line 3" in result.stderr and "column" in result.stderr
    rejected = tmp_path / "rejected.yaml"
    rejected.write_text(REJECTED)
    result = run("net", str(rejected), code=1)
    assert "line 4" in result.stderr and "output size would be 0" in result.stderr
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    assert "not UTF-8" in run("net", str(binary), code=2).stderr
    assert "not UTF-8" in run("net", "-", input=b"\xff\xfe junk", code=2).stderr  # type: ignore[arg-type]


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import convcalc.explain

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(convcalc.explain, "relations", broken)
    result = run("layer", "--k", "3", code=3)
    assert result.stderr.startswith("internal error: RuntimeError: boom")


def test_interrupt_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import convcalc.explain

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(convcalc.explain, "relations", interrupted)
    result = run("layer", "--k", "3", code=130)
    assert result.stderr == "interrupted\n"
