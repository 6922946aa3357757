"""Networks as graphs (SPEC §2a): names and references, merges, branch forms, Split,
frozen parameters, several outputs, the rows' new keys, and their errors — worked out by
hand. PyTorch's own figures for random graphs are in ``test_oracle_graph.py``."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

import convcalc
from convcalc.cli import app

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None, "TERM": "dumb"}


def run_cli(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def net(*layers: Any, input: list[int] | None = None, **top: Any) -> dict[str, Any]:
    return {"input": input or [1, 4, 8, 8], "layers": list(layers), **top}


def error(network: Any) -> convcalc.ConvCalcError:
    with pytest.raises(convcalc.ConvCalcError) as info:
        convcalc.analyze(network)
    return info.value


def rows(network: Any) -> dict[str, Any]:
    """path → row."""
    return {r.path: r for r in convcalc.analyze(network).rows}


YOLO = """\
input: [1, 3, 640, 640]
layers:
  - Conv2d: {name: p3, out_channels: 64, k: 3, s: 8, p: 1}
  - Conv2d: {name: p4, out_channels: 128, k: 3, s: 2, p: 1}
  - Upsample: {scale_factor: 2, mode: nearest}
  - Concat: {name: fused, from: [-1, p3], dim: 1}
  - Conv2d: {name: head3, out_channels: 255, k: 1}
  - Conv2d: {name: head4, from: p4, out_channels: 255, k: 1}
outputs: [head3, head4]
"""


def test_the_spec_example_with_two_outputs() -> None:
    report = convcalc.analyze(YOLO)
    by_name = {r.name: r for r in report.rows}
    assert by_name["fused"].output_shape == (1, 192, 80, 80)
    assert by_name["fused"].inputs == ("2", "0")
    assert by_name["head4"].inputs == ("1",) and by_name["head4"].input_shape == (1, 128, 40, 40)
    assert [(o.name, o.path, o.output_shape) for o in report.outputs] == [
        ("head3", "4", (1, 255, 80, 80)),
        ("head4", "5", (1, 255, 40, 40)),
    ]
    data = report.to_dict()
    assert data["outputs"] == [
        {"name": "head3", "path": "4", "output_shape": [1, 255, 80, 80]},
        {"name": "head4", "path": "5", "output_shape": [1, 255, 40, 40]},
    ]
    assert report.output_shape == (1, 255, 80, 80)
    # merges and reads add no parameters: the four convolutions' own
    assert report.totals.params == (3 * 9 + 1) * 64 + (64 * 9 + 1) * 128 + (192 + 1) * 255 + (128 + 1) * 255


def test_default_output_is_the_last_entry() -> None:
    report = convcalc.analyze(net("ReLU", {"Conv2d": {"name": "c", "out_channels": 2, "k": 1}}))
    assert [o.to_dict() for o in report.outputs] == [{"name": "c", "path": "1", "output_shape": [1, 2, 8, 8]}]


def test_negative_indexes_count_entries_of_the_same_list() -> None:
    found = rows(net(
        {"Conv2d": {"out_channels": 8, "k": 1}},
        "ReLU",
        {"Sequential": {"layers": [
            {"Conv2d": {"out_channels": 2, "k": 1}},
            {"Identity": {"from": -2}},  # the list's input: the ReLU's output
            {"Add": {"from": [-1, -3]}},  # this list's input again, and the Identity
        ]}},
        {"Identity": {"from": "input"}},
    ))  # fmt: skip
    assert found["2.1"].inputs == ("1",) and found["2.1"].input_shape == (1, 8, 8, 8)
    assert found["2.2"].inputs == ("2.1", "1")
    assert found["3"].inputs == ("input",) and found["3"].output_shape == (1, 4, 8, 8)


def test_names_are_looked_up_in_this_list_then_the_enclosing_ones() -> None:
    found = rows(net(
        {"Conv2d": {"name": "x", "out_channels": 8, "k": 1}},
        {"Sequential": {"name": "block", "layers": [
            {"Conv2d": {"name": "x", "out_channels": 2, "k": 1}},
            {"Identity": {"from": "x"}},  # the inner x
        ]}},
        {"Identity": {"from": "x"}},  # the outer x: names inside a block stay inside it
    ))  # fmt: skip
    assert found["1.1"].inputs == ("1.0",)
    assert found["2"].inputs == ("0",)
    assert found["1.0"].qualname == "block.x" and found["0"].qualname == "x" and found["2"].qualname is None


def test_the_most_recent_earlier_entry_of_a_name_wins() -> None:
    found = rows(net(
        {"ReLU": {"name": "t"}},
        {"Conv2d": {"name": "t", "out_channels": 2, "k": 1}},
        {"Identity": {"from": "t"}},
    ))  # fmt: skip
    assert found["2"].inputs == ("1",)


def test_each_repetition_binds_its_names_afresh() -> None:
    report = convcalc.analyze(net({"Repeat": {"times": 3, "layers": [
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"ReLU": {}},
        {"Add": {"from": [-1, "a"]}},
    ]}}))  # fmt: skip
    adds = [r for r in report.rows if r.type == "Add"]
    assert [r.inputs for r in adds] == [("0.1", "0.0"), ("0.4", "0.3"), ("0.7", "0.6")]
    assert [r.where.repeats for r in adds] == [((1, 3),), ((2, 3),), ((3, 3),)]


def test_skip_connections_across_blocks_and_broadcasting() -> None:
    found = rows(net(
        {"Conv2d": {"name": "stem", "out_channels": 8, "k": 1}},
        {"Sequential": {"layers": [{"Conv2d": {"out_channels": 8, "k": 3, "p": 1}}, {"Add": {"from": [-1, "stem"]}}]}},
        {"AdaptiveAvgPool2d": {"name": "gate", "output_size": 1}},
        {"Multiply": {"from": ["stem", "gate"]}},
    ))  # fmt: skip
    assert found["1.1"].inputs == ("1.0", "0") and found["1.1"].output_shape == (1, 8, 8, 8)
    assert found["3"].output_shape == (1, 8, 8, 8) and found["3"].macs == 0


def test_squeeze_and_excitation_as_a_branch_form() -> None:
    se = {"Multiply": {"name": "se", "branches": [
        [],
        [{"AdaptiveAvgPool2d": {"output_size": 1}}, {"Conv2d": {"out_channels": 2, "k": 1}}, "ReLU",
         {"Conv2d": {"out_channels": 8, "k": 1}}, "Hardsigmoid"],
    ]}}  # fmt: skip
    report = convcalc.analyze(net({"Conv2d": {"out_channels": 8, "k": 1}}, se))
    block = next(r for r in report.rows if r.name == "se")
    assert block.composite and block.output_shape == (1, 8, 8, 8)
    assert block.params == (8 + 1) * 2 + (2 + 1) * 8
    assert [r.path for r in report.rows if r.depth == 1] == ["1.1.0", "1.1.1", "1.1.2", "1.1.3", "1.1.4"]
    assert block.receptive_field is None  # the gate sees the whole input


def test_split_with_chunks_and_sizes() -> None:
    unit = {"Split": {"dim": 1, "chunks": 2, "branches": [[], [{"Conv2d": {"out_channels": 3, "k": 1}}, "ReLU"]]}}
    found = rows(net(unit, input=[1, 6, 4, 4]))
    assert found["0.1.0"].input_shape == (1, 3, 4, 4)
    assert found["0"].output_shape == (1, 6, 4, 4)
    sized = {"Split": {"dim": 1, "sizes": [1, 5], "branches": [["ReLU"], [{"Conv2d": {"out_channels": 2, "k": 1}}]]}}
    found = rows(net(sized, input=[1, 6, 4, 4]))
    assert found["0.0.0"].input_shape == (1, 1, 4, 4) and found["0"].output_shape == (1, 3, 4, 4)


def test_split_follows_torch_chunk_which_may_give_fewer_pieces() -> None:
    # torch.chunk of 6 channels into 4 gives 3 pieces of 2
    err = error(net({"Split": {"dim": 1, "chunks": 4, "branches": [[], [], [], []]}}, input=[1, 6, 4, 4]))
    assert err.exit_code == 1 and "3 pieces [2, 2, 2], but there are 4 branches" in str(err)
    err = error(net({"Split": {"dim": 1, "sizes": [2, 2], "branches": [[], []]}}, input=[1, 6, 4, 4]))
    assert err.exit_code == 1 and "add up to 4" in str(err)


def test_frozen_entries_count_in_params_not_in_trainable() -> None:
    report = convcalc.analyze(net(
        {"Conv2d": {"out_channels": 8, "k": 3, "trainable": False}},
        {"Sequential": {"trainable": False, "layers": [{"Conv2d": {"out_channels": 8, "k": 1}},
                                                        {"BatchNorm2d": {"trainable": True}}]}},
        {"Conv2d": {"out_channels": 2, "k": 1}},
    ))  # fmt: skip
    first, block, inner, norm, last = report.rows
    assert (first.params, first.trainable_params) == (4 * 9 * 8 + 8, 0)
    assert (inner.params, inner.trainable_params) == (72, 0)
    assert (norm.params, norm.trainable_params) == (16, 16)  # trainable: true inside a frozen block
    assert (block.params, block.trainable_params) == (88, 16)
    assert report.totals.params == 296 + 88 + 18 and report.totals.trainable_params == 16 + 18


def test_merged_receptive_field_is_the_union_of_the_inputs() -> None:
    centred = [{"Conv1d": {"out_channels": 1, "k": 5, "p": 2}}]
    causal = [{"ConstantPad1d": {"padding": [4, 0], "value": 0}}, {"Conv1d": {"out_channels": 1, "k": 5}}]
    report = convcalc.analyze(net({"Concat": {"dim": 1, "branches": [centred, causal]}}, input=[1, 1, 16]))
    # PyTorch: output 0 reads inputs -2…2 (centred) and -4…0 (causal): 7 positions, centre -1
    assert report.rows[0].receptive_field == ((7, 1, -1.0),)


def test_merged_receptive_field_with_different_jumps_is_undefined_with_a_warning() -> None:
    report = convcalc.analyze(net(
        {"Conv1d": {"name": "a", "out_channels": 4, "k": 5}},  # 8 → 4, jump 1
        {"Conv1d": {"from": "input", "out_channels": 4, "k": 2, "s": 2}},  # 8 → 4, jump 2
        {"Add": {"name": "sum", "from": [-1, "a"]}},
    input=[1, 4, 8]))  # fmt: skip
    assert report.rows[2].output_shape == (1, 4, 4) and report.rows[2].receptive_field is None
    assert report.warnings == [
        "layers[2] (#3, Add): receptive field undefined after this merge: its inputs step 2 and 1 input pixels "
        "along the length"
    ]
    assert report.rows[2].warnings == ("receptive field undefined after this merge: its inputs step 2 and 1 input "
                                       "pixels along the length",)


def test_shapes_that_do_not_broadcast_name_both_shapes_and_sources() -> None:
    err = error(net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Conv2d": {"name": "b", "out_channels": 4, "k": 2, "s": 2}},
        {"Add": {"from": ["b", "a"]}},
    ))  # fmt: skip
    text = str(err)
    assert err.exit_code == 1 and "layers[2] (#3, Add" in text
    assert "[1, 4, 4, 4]" in text and "[1, 4, 8, 8]" in text and "'a'" in text and "'b'" in text


@pytest.mark.parametrize(
    ("layers", "code", "words"),
    [
        ([{"ReLU": {"name": "x"}}, {"Identity": {"from": "y"}}], 2, ("layers[1] (#2, Identity", "unknown name 'y'")),
        ([{"ReLU": {"name": "stem"}}, {"Identity": {"from": "stme"}}], 2, ("did you mean 'stem'?",)),
        ([{"Identity": {"from": "later"}}, {"ReLU": {"name": "later"}}], 2, ("'later' is defined later",)),
        ([{"ReLU": {"name": "x", "from": "x"}}], 2, ("'x' is defined later",)),  # a cycle: it reads itself
        ([{"Sequential": {"layers": [{"ReLU": {"name": "inner"}}]}}, {"Identity": {"from": "inner"}}], 2,
         ("defined inside a block",)),
        ([{"Sequential": [{"Identity": {"from": -3}}]}], 1, ("reaches 2 entries before the start of its list",)),
        ([{"Identity": {"from": 2.5}}], 2, ("from: takes a name, a negative index",)),
        (["ReLU", {"Add": {"from": [-1]}}], 2, ("Add merges two or more tensors",)),
        (["ReLU", {"Conv2d": {"from": [-1, -2], "out_channels": 2, "k": 1}}], 2, ("Conv2d reads one tensor",)),
        ([{"ReLU": {"trainable": "no"}}], 2, ("trainable must be true or false",)),
        ([{"Split": {"dim": 1, "branches": [[]]}}], 2, ("give exactly one of chunks and sizes",)),
        ([{"Add": {"name": "x"}}], 2, ("missing argument branches", "node form")),
    ],
)
def test_reference_errors_name_the_row_and_the_source(layers: list[Any], code: int, words: tuple[str, ...]) -> None:
    err = error(net(*layers))
    assert err.exit_code == code, str(err)
    for word in words:
        assert word in str(err), (word, str(err))


def test_unknown_output_names_suggest_the_nearest() -> None:
    err = error(net({"ReLU": {"name": "head"}}, outputs=["haed"]))
    assert err.exit_code == 2 and "outputs" in str(err) and "did you mean 'head'?" in str(err)


def test_v1_files_mean_what_they_meant() -> None:
    v1 = net({"Residual": {"body": [{"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}]}},
             {"Concat": {"branches": [["ReLU"], [{"MaxPool2d": {"k": 3, "s": 1, "p": 1}}]]}})  # fmt: skip
    report = convcalc.analyze(v1)
    assert [r.path for r in report.rows] == ["0", "0.body.0", "1", "1.0.0", "1.1.0"]
    assert report.rows[2].output_shape == (1, 8, 8, 8)
    assert [r.composite for r in report.rows] == [True, False, True, False, False]
    assert report.rows[1].inputs == ("input",) and report.rows[2].inputs == ("0",)


def test_leaf_rows_sum_to_the_totals_and_leaves_csv_columns_too() -> None:
    report = convcalc.analyze("resnet18")
    leaves = [r for r in report.rows if not r.composite]
    for field in ("params", "trainable_params", "buffers", "macs", "activation_bytes"):
        assert sum(getattr(r, field) for r in leaves) == getattr(report.totals, field)
    result = run_cli(["net", "resnet18", "--format", "csv", "--leaves", "--columns", "kind,params,macs"])
    lines = result.stdout.splitlines()[1:]
    assert {line.split(",")[0] for line in lines} == {"layer"}
    assert sum(int(line.split(",")[1]) for line in lines) == report.totals.params
    assert sum(int(line.split(",")[2]) for line in lines) == report.totals.macs


def test_plain_and_csv_show_the_kind_column_by_default() -> None:
    header = run_cli(["net", "resnet18", "--format", "plain"]).stdout.splitlines()[0].split("\t")
    assert "kind" in header
    table = run_cli(["net", "lenet"]).stdout
    assert "kind" not in table.splitlines()[2]


def test_a_training_only_branch_counts_its_params_and_reports_its_cost_apart() -> None:
    report = convcalc.analyze(net(
        {"Conv2d": {"name": "trunk", "out_channels": 8, "k": 3, "p": 1}},
        {"Sequential": {"name": "aux", "from": "trunk", "training_only": True, "layers": [
            {"AdaptiveAvgPool2d": {"output_size": 1}}, "Flatten", {"Linear": {"out_features": 10}}]}},
        {"Conv2d": {"name": "head", "from": "trunk", "out_channels": 2, "k": 1}},
    ))  # fmt: skip
    trunk, aux, pool, flat, fc, head = report.rows
    assert [r.training_only for r in report.rows] == [False, True, True, True, True, False]
    assert report.totals.params == trunk.params + fc.params + head.params
    assert report.totals.training_only_params == fc.params == 8 * 10 + 10
    assert report.totals.macs == trunk.macs + head.macs and report.totals.training_only_macs == fc.macs == 80
    assert report.output_shape == (1, 2, 8, 8)


def test_repeat_numbers_names_with_i_from_start() -> None:
    report = convcalc.analyze(net({"Sequential": {"name": "layer1", "layers": [
        {"Conv2d": {"name": "0", "out_channels": 4, "k": 1}},
        {"Repeat": {"times": 2, "start": 1, "layers": [
            {"Sequential": {"name": "{i}", "layers": [{"Conv2d": {"name": "conv{i}", "out_channels": 4, "k": 1}}]}},
        ]}},
    ]}}))  # fmt: skip
    assert [r.qualname for r in report.rows if r.type == "Conv2d"] == ["layer1.0", "layer1.1.conv1", "layer1.2.conv2"]
