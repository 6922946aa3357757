"""The small mistakes a newcomer makes, each with the message they need at the row of the
mistake; values nested as deep as YAML allows and huge names, refused without recursion
and in bounded time and memory; and the report in Python and notebooks."""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import convcalc
from convcalc import ConvCalcError
from convcalc.cli import app
from convcalc.layers import show_value, suggest
from convcalc.spec import freeze, thaw

RUNNER = CliRunner()


def _error(network: Any, **kwargs: Any) -> ConvCalcError:
    with pytest.raises(ConvCalcError) as caught:
        convcalc.analyze(network, **kwargs)
    return caught.value


# -- recursion and huge values ------------------------------------------------------------


@pytest.mark.parametrize(("entry", "key"), [
    ("Conv2d: {out_channels: 4, kernel_size: %s}", "kernel_size"),
    ("Conv2d: {out_channels: 4, k: 3, padding_mode: %s}", "padding_mode"),
    ("ZeroPad2d: {padding: %s}", "padding"),
    ("AdaptiveAvgPool2d: {output_size: %s}", "output_size"),
    ("Upsample: {size: 4, mode: %s}", "mode"),
])  # fmt: skip
def test_values_nested_to_the_yaml_bound_are_refused_without_recursion(entry: str, key: str) -> None:
    """994 levels of YAML (the bound is 1,000), with the call stack already 100 frames deep."""
    text = "input: [1, 3, 8, 8]\nlayers:\n  - " + entry % ("[" * 990 + "3" + "]" * 990) + "\n"

    def nested(depth: int) -> ConvCalcError:
        return nested(depth - 1) if depth else _error(text)

    err = nested(100)
    assert err.exit_code == 2 and key in str(err) and len(str(err)) < 400


def test_python_values_nested_deeper_than_the_recursion_limit() -> None:
    deep: Any = 3
    for _ in range(sys.getrecursionlimit() * 2):
        deep = [deep]
    for args in ({"kernel_size": deep}, {"k": 3, "padding_mode": deep}):
        err = _error({"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, **args}}]})
        assert err.exit_code == 2
    assert "[[[[…]]]]" in str(_error("lenet", dtype=deep))


def test_show_value_is_bounded() -> None:
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    assert show_value(cyclic) == "[1, [1, [1, […]]]]"
    assert len(show_value(list(range(10**6)))) < 80
    assert show_value(["a" * 1000]).endswith("…]")


def test_freeze_and_thaw_do_not_recurse() -> None:
    from convcalc.spec import _parse

    data = _parse("a: &x [1, {b: 2}]\nc: *x\nd: " + "[" * 900 + "1" + "]" * 900 + "\n", None)
    back = thaw(freeze(data))
    assert back["a"] is back["c"] and back["a"].item_lines == [1, 1] and back.key_lines == {"a": 1, "c": 2, "d": 3}
    inner = back["d"]
    for _ in range(900):
        inner = inner[0]
    assert inner == 1


def test_a_huge_unknown_name_is_refused_in_bounded_time_and_memory() -> None:
    name = "Q" * 16_000_000
    tracemalloc.start()
    start = time.perf_counter()
    err = _error({"input": [1, 3, 8, 8], "layers": [name]})
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "unknown layer type" in str(err) and len(str(err)) < 400
    assert seconds < 1.0, seconds  # was 5–6 s
    assert peak < 150 * 2**20, peak  # was ~750 MB: difflib indexed every character
    assert suggest("x" * 10**7, ["kernel_size"]) == "" and suggest("kernal_size", ["kernel_size"])


# -- the small mistakes ---------------------------------------------------------------------


def test_reshape_with_the_batch_in_its_shape() -> None:
    err = _error({"input": [64, 784], "layers": [{"Reshape": {"shape": [-1, 1, 28, 28]}},
                                                 {"Conv2d": {"out_channels": 6, "k": 5}}]})  # fmt: skip
    message = str(err)
    assert "Reshape's shape excludes the batch" in message and "write shape: [1, 28, 28]" in message
    report = convcalc.analyze({"input": [8, 1, 28, 28], "layers": [{"Reshape": {"shape": [-1, 784]}},
                                                                  {"Linear": {"out_features": 10}}]})  # fmt: skip
    assert any("excludes the batch" in w for w in report.rows[0].warnings)  # the warning is at the Reshape row
    fine = convcalc.analyze({"input": [8, 1, 28, 28], "layers": [{"Reshape": {"shape": [4, -1]}}]})
    assert fine.rows[0].warnings == () and fine.rows[0].output_shape == (8, 4, 196)


def test_linear_on_a_feature_map_warns_of_a_forgotten_flatten() -> None:
    def warned(layers: list[Any], shape: list[int]) -> bool:
        report = convcalc.analyze({"input": shape, "layers": layers})
        return any("Flatten before it is probably missing" in w for w in report.rows[-1].warnings)

    linear = {"Linear": {"out_features": 10}}
    assert warned([{"Conv2d": {"out_channels": 16, "k": 5}}, linear], [1, 1, 28, 28])
    assert warned([{"AdaptiveAvgPool2d": {"output_size": 1}}, linear], [1, 512, 7, 7])
    assert warned([linear], [1, 1, 28, 28])  # an image straight into Linear
    assert not warned([{"Conv2d": {"out_channels": 16, "k": 5}}, "Flatten", linear], [1, 1, 28, 28])
    assert not warned([{"Permute": {"dims": [0, 2, 3, 1]}}, linear], [1, 96, 8, 8])  # ConvNeXt: channels last
    assert not warned([linear], [1, 197, 768])  # tokens [N, L, D]
    assert not any("Flatten" in w for w in convcalc.analyze("convnext_tiny").warnings)


def test_a_family_name_without_its_suffix_suggests_the_one_for_the_input() -> None:
    def hint(name: str, shape: list[int]) -> str:
        return str(_error({"input": shape, "layers": [name]}))

    assert "did you mean 'BatchNorm2d'?" in hint("BatchNorm", [1, 3, 8, 8])
    assert "did you mean 'BatchNorm1d'?" in hint("BatchNorm", [8, 16])
    assert "did you mean 'BatchNorm3d'?" in hint("BatchNorm", [1, 3, 4, 8, 8])
    assert "did you mean 'InstanceNorm1d'?" in hint("InstanceNorm", [1, 3, 8])


@pytest.mark.parametrize(("entry", "words"), [
    ({"Dense": {"units": 10}}, "Keras's Dense is written Linear"),
    ("MaxPooling2D", "Keras's MaxPooling2D is written MaxPool2d"),
    ("GlobalAveragePooling2D", "AdaptiveAvgPool2d: {output_size: 1} and then Flatten"),
    ("BatchNormalization", "BatchNorm2d"),
    ({"Conv2D": {"out_channels": 4, "k": 3}}, "did you mean 'Conv2d'?"),
    ({"Conv2d": {"filters": 4, "kernel_size": 3}}, "Keras's filters is PyTorch's out_channels"),
    ({"Conv2d": {"out_channels": 4, "k": 3, "strides": 2}}, "Keras's strides is PyTorch's stride"),
    ({"Linear": {"units": 4}}, "Keras's units is PyTorch's out_features"),
    ({"Conv2d": {"out_channels": 4, "k": 3, "activation": "relu"}}, "a layer of its own in PyTorch"),
    ({"MaxPool2d": {"pool_size": 2}}, "Keras's pool_size is PyTorch's kernel_size"),
])  # fmt: skip
def test_keras_names_get_pytorchs(entry: Any, words: str) -> None:
    err = _error({"input": [1, 3, 8, 8], "layers": [entry]})
    assert err.exit_code == 2 and words in str(err), str(err)


def test_a_tab_in_yaml_is_named_at_its_line() -> None:
    err = _error("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d:\n\t  out_channels: 4\n")
    assert "line 4, column 1" in str(err) and "tabs in indentation" in str(err)


def test_dtype_aliases() -> None:
    for alias, name in (("fp16", "float16"), ("FP16", "float16"), ("bf16", "bfloat16"), ("f32", "float32"),
                        ("torch.float64", "float64"), ("fp64", "float64")):  # fmt: skip
        report = convcalc.analyze("lenet", dtype=alias)
        assert report.dtype == name and report.totals.param_bytes == 61_706 * {"float16": 2, "bfloat16": 2,
                                                                               "float32": 4, "float64": 8}[name]
    result = RUNNER.invoke(app, ["net", "lenet", "--dtype", "fp16", "-f", "json"])
    assert result.exit_code == 0 and '"dtype": "float16"' in result.stdout
    assert "did you mean 'float16'" in str(_error("lenet", dtype="flaot16"))


@pytest.mark.parametrize("dtype", ["flaot16", "float8", "zzzzzzzz"])
def test_an_unknown_dtype_reads_as_a_sentence(dtype: str) -> None:
    """The hint and the list of choices are two clauses, not ``…?; choose from``."""
    message = str(_error("lenet", dtype=dtype))
    assert "?;" not in message and ("Choose from float32" in message or "; choose from float32" in message)
    assert message.startswith(f"unknown dtype '{dtype}'")


def test_a_top_level_defs_block_holds_anchors() -> None:
    text = ("defs:\n  block: &block [Conv2d: {out_channels: 4, k: 3, p: 1}, ReLU]\n  note: anything\n"
            "input: [1, 4, 8, 8]\nlayers:\n  - Sequential: *block\n  - Sequential: *block\n")  # fmt: skip
    report = convcalc.analyze(text)
    assert [r.type for r in report.rows] == ["Sequential", "Conv2d", "ReLU", "Sequential", "Conv2d", "ReLU"]
    assert "unknown key 'def'" in str(_error("def: 1\ninput: [1, 3, 8, 8]\nlayers: [ReLU]\n"))


@pytest.mark.parametrize(("text", "words"), [
    ("010", "010 is read by YAML 1.1 as 8 (octal) and by YAML 1.2 as 10; write 8, or 10 without the leading 0"),
    ("1:3", "1:3 is read by YAML 1.1 as 63 (base 60) and as text by YAML 1.2; write 63"),
    ("0b101", "0b101 is read by YAML 1.1 as 5 (binary)"),
    ("1_000", "1_000 is read by YAML 1.1 as 1000 (digits grouped by _)"),
    ("-0x1F", "-0x1F is read by YAML 1.1 as -31"),
    ("1:30.5", "1:30.5 is read by YAML 1.1 as 90.5 (base 60)"),
])  # fmt: skip
def test_yaml_11_only_numbers_are_refused_with_their_12_reading(text: str, words: str) -> None:
    err = _error(f"input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {{out_channels: 4, k: {text}}}\n")
    assert err.exit_code == 2 and words in str(err) and "line 3" in str(err)


def test_numbers_both_yaml_versions_read_alike_are_taken() -> None:
    report = convcalc.analyze("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 0x4, k: 003, s: +1}\n"
                              "  - BatchNorm2d: {eps: 1.0e-3, momentum: .5}\n")  # fmt: skip
    assert report.rows[0].output_shape == (1, 4, 6, 6)


def test_a_file_named_like_a_built_in_network_wins_in_the_library_and_the_cli(tmp_path: Path,
                                                                               monkeypatch: Any) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    Path("resnet18").write_text("name: mine\ninput: [1, 3, 8, 8]\nlayers: [ReLU]\n")
    assert convcalc.analyze("resnet18").name == "mine"
    result = RUNNER.invoke(app, ["net", "resnet18", "-f", "json"])
    assert result.exit_code == 0 and '"name": "mine"' in result.stdout
    os.remove("resnet18")
    assert convcalc.analyze("resnet18").name != "mine"


# -- the report in Python and notebooks ------------------------------------------------------


def test_print_report_is_the_table(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    report = convcalc.analyze("lenet")
    result = RUNNER.invoke(app, ["net", "lenet"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    print(report)
    printed = capsys.readouterr().out
    assert printed.rstrip("\n") == result.stdout.rstrip("\n")
    assert "\x1b[" not in printed and "Total params: 61,706" in printed
    monkeypatch.setenv("COLUMNS", "80")
    assert max(map(len, str(report).splitlines())) <= 80


def test_notebook_reprs() -> None:
    report = convcalc.analyze({"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"name": "a<b", "out_channels": 4,
                                                                              "k": 3}}]})  # fmt: skip
    html = report._repr_html_()
    assert html.count("<tr>") == 1 + 1 + 1 and "<table>" in html and "a&lt;b" in html and "a<b" not in html
    assert "Total params: 112" in html
    markdown = report._repr_markdown_()
    assert "| # | layer | type |" in markdown and "| 1 | a&lt;b | Conv2d |" in markdown  # HTML shown as text
