"""Reading network files: sources, YAML details, places in errors, input shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import convcalc
from convcalc.spec import LIMITS, load, parse_shape, read_source

TINY = "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3}\n"


def error(source: Any, **kwargs: Any) -> convcalc.ConvCalcError:
    with pytest.raises(convcalc.ConvCalcError) as info:
        convcalc.analyze(source, **kwargs)
    return info.value


# -- sources ------------------------------------------------------------------------------


def test_a_path_a_string_path_text_and_a_dict_are_read_alike(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    as_dict = {"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "kernel_size": 3}}]}
    reports = [convcalc.analyze(s).to_dict() for s in (path, str(path), TINY, as_dict)]
    assert all(r == reports[0] for r in reports)
    assert reports[0]["layers"][0]["output_shape"] == [1, 4, 6, 6]


def test_a_file_without_the_yaml_suffix_is_read_when_it_exists(tmp_path: Path) -> None:
    path = tmp_path / "net.txt"
    path.write_text(TINY, encoding="utf-8")
    assert convcalc.analyze(str(path)).rows[0].output_shape == (1, 4, 6, 6)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    assert convcalc.analyze(path).totals.params == 4 * 3 * 9 + 4


def test_python_users_may_pass_tuples() -> None:
    net = {"input": (1, 3, 8, 8), "layers": ({"Conv2d": {"out_channels": 4, "kernel_size": (3, 3)}}, "ReLU")}
    assert convcalc.analyze(net).rows[1].output_shape == (1, 4, 6, 6)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("resnet5", ["no such file or built-in network: 'resnet5'", "did you mean 'resnet50'?", "lenet"]),
        ("missing.yaml", ["no such file: missing.yaml"]),
        ("", ["empty"]),
        ("   \n", ["empty"]),
        ("# only a comment\n", ["a network must be a mapping", "got empty"]),
        ("- ReLU\n- ReLU\n", ["a network must be a mapping", "got a list"]),
        (42, ["a network is a path, YAML text or a dict, not int"]),
    ],
)
def test_unreadable_sources_are_exit_2(source: Any, words: list[str]) -> None:
    err = error(source)
    assert err.exit_code == 2
    for w in words:
        assert w in str(err)


def test_file_errors_are_exit_2_and_name_the_file(tmp_path: Path) -> None:
    assert "is a directory" in str(error(tmp_path))
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"input: [1, 3, 8, 8]\nlayers:\n  - ReLU: {name: caf\xe9}\n")
    err = error(bad)
    assert err.exit_code == 2 and "not UTF-8" in str(err) and "line 3" in str(err)


def test_the_file_size_bound_is_stated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LIMITS, "file_bytes", 100)
    path = tmp_path / "big.yaml"
    path.write_text(TINY + "  - ReLU\n" * 20, encoding="utf-8")
    for source in (path, path.read_text()):
        err = error(source)
        assert err.exit_code == 2 and "100 bytes" in str(err) and "limit" in str(err)


def test_the_default_bounds() -> None:
    """The README and the errors state these numbers; a change must be deliberate."""
    assert LIMITS == {
        "file_bytes": 16 * 2**20,
        "layers": 200_000,
        "depth": 100,
        "yaml_depth": 1_000,
        "repeat": 100_000,
        "yaml_nodes": 2_000_000,
    }
    assert convcalc.layers.MAX_NUMBER == 2**40


# -- YAML ---------------------------------------------------------------------------------


def test_yaml_syntax_errors_give_line_and_column() -> None:
    err = error("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3\n")
    assert err.exit_code == 2
    assert "YAML syntax error at line 4, column 1" in str(err)


def test_tabs_are_a_syntax_error_with_place() -> None:
    err = error("input: [1, 3, 8, 8]\nlayers:\n\t- ReLU\n")
    assert err.exit_code == 2 and "line 3, column 1" in str(err)


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    err = error("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d:\n      out_channels: 4\n      out_channels: 5\n      k: 1\n")
    assert err.exit_code == 2
    assert "line 5: duplicate key 'out_channels' (first on line 4)" in str(err)


def test_yaml_anchors_aliases_and_merge_keys() -> None:
    text = (
        "input: [1, 3, 8, 8]\n"
        "layers:\n"
        "  - Conv2d: &conv {out_channels: 4, k: 3, p: 1}\n"
        "  - Conv2d: *conv\n"
        "  - Conv2d: {<<: *conv, s: 2}\n"  # a merged mapping, extended
        "  - Conv2d: {<<: *conv, out_channels: 6}\n"  # an explicit key overrides a merged one
    )
    rows = convcalc.analyze(text).rows
    assert [r.output_shape for r in rows] == [(1, 4, 8, 8), (1, 4, 8, 8), (1, 4, 4, 4), (1, 6, 4, 4)]


def test_yes_and_no_are_booleans_not_numbers() -> None:
    ok = convcalc.analyze("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, k: 1, bias: no}\n")
    assert ok.totals.params == 12
    err = error("input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: yes}\n")
    assert err.exit_code == 2 and "kernel_size must be an integer, got a boolean (true)" in str(err)


def test_an_argument_error_points_at_the_arguments_own_line() -> None:
    text = "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - Conv2d:\n      out_channels: 4\n      kernel_size: 3\n      stride: two\n"
    assert str(error(text)).startswith("layers[1] (#2, Conv2d, line 7): stride must be an integer")


def test_top_level_keys() -> None:
    err = error("input: [1, 3, 8, 8]\nlayer:\n  - ReLU\n")
    assert err.exit_code == 2
    assert "line 2: unknown key 'layer' at the top level; did you mean 'layers'?" in str(err)
    assert "no 'layers' list" in str(error("input: [1, 3, 8, 8]\n"))
    assert "no 'layers' list" in str(error("input: [1, 3, 8, 8]\nlayers:\n"))
    assert "must be a list of layers" in str(error("input: [1, 3, 8, 8]\nlayers: ReLU\n"))
    assert "name must be a string" in str(error({"name": [1], "input": [1, 3], "layers": []}))


def test_an_empty_layer_list_is_an_empty_network() -> None:
    report = convcalc.analyze({"input": [1, 3, 8, 8], "layers": []})
    assert report.rows == [] and report.output_shape == (1, 3, 8, 8) and report.totals.params == 0


def test_read_source_labels_files_only(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text(TINY, encoding="utf-8")
    assert read_source(path)[1] == str(path)
    assert read_source(TINY)[1] is None
    assert read_source("lenet")[1] == "lenet"


def test_load_counts_the_expanded_layers() -> None:
    net = load({"input": [1, 3, 8, 8], "layers": [{"Repeat": {"times": 4, "layers": ["ReLU", "ReLU"]}}, "ReLU"]})
    assert net.count == 1 + 4 * 2 + 1  # the Repeat row, its 4×2 layers, the last ReLU


# -- input shapes -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[1, 3, 224, 224], (1, 3, 224, 224), "1,3,224,224", "1x3x224x224", "1×3×224×224"])
def test_parse_shape_accepts(value: Any) -> None:
    assert parse_shape(value) == (1, 3, 224, 224)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([], "must be a list of integers"),
        ("1,3,a", "must be integers like 1,3,224,224"),
        ([1, 3, 2.5], "must be an integer, got a float (2.5)"),
        ([1, True, 8], "must be an integer, got a boolean (true)"),
        ([1, 0, 8], "every size must be ≥ 1"),
        ([1] * 9, "at most 8 are supported"),
        ({"n": 1}, "must be a list of integers"),
        ([1, 2**41], "limited to ±2^40"),
    ],
)
def test_parse_shape_refuses(value: Any, words: str) -> None:
    with pytest.raises(convcalc.ConvCalcError) as info:
        parse_shape(value)
    assert info.value.exit_code == 2 and words in str(info.value)


def test_the_input_line_is_named() -> None:
    err = error("name: x\ninput: [1, 3, 0, 8]\nlayers: []\n")
    assert "input (line 2)" in str(err)
