"""Network analysis: the format's features, composite rows, receptive fields, errors with
their place, the bounds, and properties checked on generated networks (some against torch).

Expected numbers are worked out by hand in the comments, or measured with PyTorch.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convcalc
from convcalc import spec
from convcalc.spec import LIMITS

COMPOSITES = {"Sequential", "Repeat", "Residual", "Concat"}


def net(*layers: Any, input: list[int] | None = None) -> dict[str, Any]:
    return {"input": input or [1, 3, 8, 8], "layers": list(layers)}


def error(source: Any, **kwargs: Any) -> convcalc.ConvCalcError:
    with pytest.raises(convcalc.ConvCalcError) as info:
        convcalc.analyze(source, **kwargs)
    return info.value


# ---------------------------------------------------------------------------------------
# The format
# ---------------------------------------------------------------------------------------


def test_bare_names_and_one_key_mappings_are_the_same_layer() -> None:
    a = convcalc.analyze(net("ReLU", {"ReLU": None}, {"ReLU": {}}, {"ReLU": {"inplace": True}}))
    assert [r.type for r in a.rows] == ["ReLU"] * 4
    assert all(r.output_shape == (1, 3, 8, 8) for r in a.rows)


def test_aliases_mean_the_pytorch_names() -> None:
    short = {"Conv2d": {"out_channels": 6, "k": 3, "s": 2, "p": 2, "d": 2, "g": 3}}
    long = {"Conv2d": {"out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 2, "dilation": 2, "groups": 3}}
    a, b = convcalc.analyze(net(short)).to_dict(), convcalc.analyze(net(long)).to_dict()
    assert a == b
    # ⌊(8 + 2·2 − 2·(3 − 1) − 1)/2⌋ + 1 = 4; params 6·(3/3)·9 + 6 = 60
    assert a["layers"][0]["output_shape"] == [1, 6, 4, 4] and a["totals"]["params"] == 60


def test_an_alias_and_its_long_name_together_are_refused() -> None:
    err = error(net({"Conv2d": {"out_channels": 6, "k": 3, "kernel_size": 3}}))
    assert err.exit_code == 2 and "given twice" in str(err)


def test_name_labels_the_row() -> None:
    rows = convcalc.analyze(net({"Conv2d": {"name": "stem", "out_channels": 4, "k": 1}}, "ReLU")).rows
    assert [r.name for r in rows] == ["stem", None]
    seq = convcalc.analyze(net({"Sequential": {"name": "block", "layers": ["ReLU"]}})).rows
    assert seq[0].name == "block" and seq[0].type == "Sequential"


@pytest.mark.parametrize(
    ("layer", "given", "words"),
    [
        ({"Conv2d": {"out_channels": 4, "k": 1}}, {"in_channels": 3}, "in_channels=5 but the input has 3 channels"),
        ({"BatchNorm2d": {}}, {"num_features": 3}, "num_features=5 but the input has 3 channels"),
        ({"GroupNorm": {"num_groups": 1}}, {"num_channels": 3}, "num_channels=5 but the input has 3 channels"),
        ({"Linear": {"out_features": 2}}, {"in_features": 8}, "in_features=5 but the input has 8 features"),
    ],
)
def test_inferred_arguments_are_checked_when_given(layer: dict[str, Any], given: dict[str, int], words: str) -> None:
    ((type_name, args),) = layer.items()
    inferred = convcalc.analyze(net(layer)).to_dict()
    explicit = convcalc.analyze(net({type_name: {**args, **given}})).to_dict()
    assert inferred == explicit
    wrong = {type_name: {**args, **dict.fromkeys(given, 5)}}
    err = error(net(wrong))
    assert err.exit_code == 1 and words in str(err)


def test_input_is_overridable() -> None:
    text = "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: {out_channels: 6, kernel_size: 5}\n"
    assert convcalc.analyze(text).rows[0].output_shape == (1, 6, 24, 24)
    for shape in ([2, 1, 32, 32], (2, 1, 32, 32), "2,1,32,32", "2x1x32x32"):
        report = convcalc.analyze(text, input_shape=shape)
        assert report.input_shape == (2, 1, 32, 32) and report.rows[0].output_shape == (2, 6, 28, 28)
    # a network without input needs one from the caller
    bare = {"layers": ["ReLU"]}
    assert convcalc.analyze(bare, input_shape=[1, 2]).output_shape == (1, 2)
    err = error(bare)
    assert err.exit_code == 2 and "no 'input'" in str(err)
    err = error(text, input_shape=[1, 0, 4, 4])
    assert err.exit_code == 2 and "input_shape" in str(err)


def test_the_lenet_example_of_the_spec() -> None:
    report = convcalc.analyze("lenet").to_dict()
    first = report["layers"][0]
    # SPEC §5's first row: 6·(1·25) + 6 = 156 params, 6·28·28·25 = 117,600 MACs
    assert first == {
        "index": 1, "path": "0", "name": "conv1", "type": "Conv2d", "depth": 0,
        "input_shape": [1, 1, 28, 28], "output_shape": [1, 6, 28, 28],
        "params": 156, "buffers": 0, "macs": 117600, "flops": 235200, "activation_bytes": 18816,
        "receptive_field": {"size": [5, 5], "jump": [1, 1], "start": [0.0, 0.0]}, "warnings": [],
        "composite": False, "inputs": ["input"], "qualname": "conv1", "trainable_params": 156, "training_only": False,
    }  # fmt: skip
    assert report["totals"]["params"] == 61706


# ---------------------------------------------------------------------------------------
# Composite blocks: rows, paths, sums (all worked out by hand)
# ---------------------------------------------------------------------------------------

BLOCKS = """\
input: [1, 3, 16, 16]
layers:
  - Conv2d: {out_channels: 8, k: 3, p: 1}
  - ReLU
  - MaxPool2d: {k: 2}
  - Residual:
      body: [Conv2d: {out_channels: 8, k: 3, p: 1, bias: false}, BatchNorm2d]
  - Residual:
      body: [Conv2d: {out_channels: 16, k: 3, s: 2, p: 1}]
      shortcut: [Conv2d: {out_channels: 16, k: 1, s: 2}]
  - Concat:
      dim: 1
      branches:
        - [Conv2d: {out_channels: 4, k: 1}]
        - [MaxPool2d: {k: 3, s: 1, p: 1}, Conv2d: {out_channels: 4, k: 1}]
  - Repeat: {times: 2, layers: [Conv2d: {out_channels: 8, k: 3, p: 1}, ReLU]}
  - Sequential: {name: head, layers: [AdaptiveAvgPool2d: {output_size: 1}, Flatten, Linear: {out_features: 10}]}
"""

# (path, depth, type, output shape, params, macs, receptive field size/jump/start per dimension)
# Shapes: 16 → conv p1 16 → pool 8 → residual 8 → strided residual (8 + 2 − 3)//2 + 1 = 4 → 4.
# Params: conv 8·3·9+8 = 224; residual conv 8·8·9 = 576, BN 2·8 = 16; strided conv
# 16·8·9+16 = 1168, shortcut 16·8+16 = 144; concat convs 4·16+4 = 68 each; repeated convs
# 8·8·9+8 = 584 each; Linear 8·10+10 = 90.
# MACs: C_out·H·W·C_in·k²: 8·256·27 = 55296; 8·64·72 = 36864; 16·16·72 = 18432; 16·16·8 = 2048;
# 4·16·16 = 1024; 8·16·72 = 9216; Linear 8·10 = 80.
# RF: r' = r + (k−1)·j, j' = j·s, start' = start + ((k−1)/2 − p)·j.
EXPECTED = [
    ("0", 0, "Conv2d", (1, 8, 16, 16), 224, 55296, (3, 1, 0.0)),
    ("1", 0, "ReLU", (1, 8, 16, 16), 0, 0, (3, 1, 0.0)),
    ("2", 0, "MaxPool2d", (1, 8, 8, 8), 0, 0, (4, 2, 0.5)),  # 3 + 1·1; start 0 + 0.5·1
    ("3", 0, "Residual", (1, 8, 8, 8), 592, 36864, (8, 2, 0.5)),  # the larger of body and identity
    ("3.body.0", 1, "Conv2d", (1, 8, 8, 8), 576, 36864, (8, 2, 0.5)),  # 4 + 2·2
    ("3.body.1", 1, "BatchNorm2d", (1, 8, 8, 8), 16, 0, (8, 2, 0.5)),
    ("4", 0, "Residual", (1, 16, 4, 4), 1312, 20480, (12, 4, 0.5)),
    ("4.body.0", 1, "Conv2d", (1, 16, 4, 4), 1168, 18432, (12, 4, 0.5)),  # 8 + 2·2, jump 2·2
    ("4.shortcut.0", 1, "Conv2d", (1, 16, 4, 4), 144, 2048, (8, 4, 0.5)),
    ("5", 0, "Concat", (1, 8, 4, 4), 136, 2048, (20, 4, 0.5)),  # the larger branch
    ("5.0.0", 1, "Conv2d", (1, 4, 4, 4), 68, 1024, (12, 4, 0.5)),
    ("5.1.0", 1, "MaxPool2d", (1, 16, 4, 4), 0, 0, (20, 4, 0.5)),  # 12 + 2·4
    ("5.1.1", 1, "Conv2d", (1, 4, 4, 4), 68, 1024, (20, 4, 0.5)),
    ("6", 0, "Repeat", (1, 8, 4, 4), 1168, 18432, (36, 4, 0.5)),
    ("6.0", 1, "Conv2d", (1, 8, 4, 4), 584, 9216, (28, 4, 0.5)),  # 20 + 2·4
    ("6.1", 1, "ReLU", (1, 8, 4, 4), 0, 0, (28, 4, 0.5)),
    ("6.2", 1, "Conv2d", (1, 8, 4, 4), 584, 9216, (36, 4, 0.5)),
    ("6.3", 1, "ReLU", (1, 8, 4, 4), 0, 0, (36, 4, 0.5)),
    ("7", 0, "Sequential", (1, 10), 90, 80, None),
    ("7.0", 1, "AdaptiveAvgPool2d", (1, 8, 1, 1), 0, 0, None),
    ("7.1", 1, "Flatten", (1, 8), 0, 0, None),
    ("7.2", 1, "Linear", (1, 10), 90, 80, None),
]


def test_composite_rows_paths_sums_and_receptive_fields() -> None:
    report = convcalc.analyze(BLOCKS)
    got = []
    for row in report.rows:
        rf = row.receptive_field
        if rf is not None:
            assert rf[0] == rf[1]  # square everywhere here
        got.append((row.path, row.depth, row.type, row.output_shape, row.params, row.macs, rf and rf[0]))
    assert got == EXPECTED
    assert [r.index for r in report.rows] == list(range(1, len(EXPECTED) + 1))
    assert report.totals.params == 224 + 592 + 1312 + 136 + 1168 + 90
    assert report.totals.buffers == 2 * 8 + 1  # the one BatchNorm
    assert report.totals.macs == 55296 + 36864 + 18432 + 2048 + 2 * 1024 + 2 * 9216 + 80
    assert report.totals.flops == 2 * report.totals.macs
    residual = report.rows[3]
    assert residual.buffers == 17 and residual.flops == 2 * 36864


def test_sequential_takes_a_plain_list_too() -> None:
    a = convcalc.analyze(net({"Sequential": ["ReLU", {"Conv2d": {"out_channels": 2, "k": 1}}]})).to_dict()
    b = convcalc.analyze(net({"Sequential": {"layers": ["ReLU", {"Conv2d": {"out_channels": 2, "k": 1}}]}})).to_dict()
    assert a == b and [row["path"] for row in a["layers"]] == ["0", "0.0", "0.1"]


def test_repeat_walks_each_repetition_on_the_shape_before_it() -> None:
    # each k3 convolution without padding takes 2 off: 12 → 10 → 8 → 6
    report = convcalc.analyze(net({"Repeat": {"times": 3, "layers": [{"Conv2d": {"out_channels": 5, "k": 3}}]}}, input=[1, 2, 12, 12]))
    assert [r.output_shape for r in report.rows] == [(1, 5, 6, 6), (1, 5, 10, 10), (1, 5, 8, 8), (1, 5, 6, 6)]
    # the first repetition sees 2 channels, the others 5: 5·2·9+5 = 95, then 5·5·9+5 = 230
    assert [r.params for r in report.rows] == [95 + 2 * 230, 95, 230, 230]


def test_residual_shapes_must_match() -> None:
    err = error(net({"Residual": {"body": [{"Conv2d": {"out_channels": 8, "k": 3, "p": 1}}]}}))
    assert err.exit_code == 1
    assert str(err).startswith("layers[0] (#1, Residual): the body gives [1, 8, 8, 8] but the shortcut gives [1, 3, 8, 8]")
    assert "add a shortcut" in str(err)


def test_concat_shapes_must_match_except_along_dim() -> None:
    branches = [[{"Conv2d": {"out_channels": 2, "k": 1}}], [{"Conv2d": {"out_channels": 2, "k": 3}}]]
    err = error(net({"Concat": {"branches": branches}}))
    assert err.exit_code == 1
    assert "branch 1 gives [1, 2, 6, 6] but branch 0 gives [1, 2, 8, 8]" in str(err)
    # along the width the two 8-row outputs may differ: 8 + 6 columns... but not their heights
    ok = [[{"Conv2d": {"out_channels": 2, "k": 1}}], [{"Conv2d": {"out_channels": 2, "k": [1, 3]}}]]
    assert convcalc.analyze(net({"Concat": {"dim": 3, "branches": ok}})).output_shape == (1, 2, 8, 14)
    assert convcalc.analyze(net({"Concat": {"dim": -1, "branches": ok}})).output_shape == (1, 2, 8, 14)
    err = error(net({"Concat": {"dim": 4, "branches": ok}}))
    assert err.exit_code == 1 and "dim=4 is out of range for 4-d outputs" in str(err)


@pytest.mark.parametrize(
    ("composite", "words", "code"),
    [
        ({"Repeat": {"layers": ["ReLU"]}}, "missing argument times", 2),
        ({"Repeat": {"times": 2}}, "missing argument layers", 2),
        ({"Repeat": {"times": 0, "layers": ["ReLU"]}}, "times must be ≥ 1, got 0", 1),
        ({"Repeat": {"times": "3", "layers": ["ReLU"]}}, "times must be an integer", 2),
        ({"Residual": {"shortcut": []}}, "missing argument body", 2),
        ({"Concat": {"branches": []}}, "branches must be a non-empty list", 2),
        ({"Concat": {"brances": [["ReLU"]]}}, "unknown argument 'brances'; did you mean 'branches'?", 2),
        ({"Sequental": {"layers": ["ReLU"]}}, "did you mean 'Sequential'?", 2),
        ({"Sequential": "ReLU"}, "expects a mapping of name, layers", 2),
        ({"Residual": {"body": "ReLU"}}, "must be a list of layers", 2),
    ],
)
def test_composite_argument_errors(composite: dict[str, Any], words: str, code: int) -> None:
    err = error(net(composite))
    assert err.exit_code == code and words in str(err)


# ---------------------------------------------------------------------------------------
# Receptive fields
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "then"),
    [
        ("Flatten", "ReLU"),
        ({"Linear": {"out_features": 8}}, {"Conv2d": {"out_channels": 2, "k": 1}}),  # Linear on the last dim
        ({"AdaptiveAvgPool2d": {"output_size": 4}}, {"Conv2d": {"out_channels": 2, "k": 1}}),
        ({"AdaptiveMaxPool2d": {"output_size": [4, None]}}, {"Conv2d": {"out_channels": 2, "k": 1}}),
        ({"ConvTranspose2d": {"out_channels": 2, "k": 2, "s": 2}}, {"Conv2d": {"out_channels": 2, "k": 1}}),
        ({"Upsample": {"scale_factor": 2}}, {"Conv2d": {"out_channels": 2, "k": 1}}),
    ],
)
def test_receptive_field_is_null_after(layer: Any, then: Any) -> None:
    rows = convcalc.analyze(net({"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}, layer, then)).to_dict()["layers"]
    assert rows[0]["receptive_field"] == {"size": [3, 3], "jump": [1, 1], "start": [0.0, 0.0]}
    assert rows[1]["receptive_field"] is None and rows[2]["receptive_field"] is None


def test_receptive_field_through_a_residual_inside_a_sequential() -> None:
    block = {"Sequential": {"layers": [{"Residual": {"body": [{"Conv2d": {"out_channels": 3, "k": 5, "p": 2}}]}}]}}
    rows = convcalc.analyze(net(block, {"Conv2d": {"out_channels": 3, "k": 3, "s": 2}})).rows
    assert rows[0].receptive_field == ((5, 1, 0.0), (5, 1, 0.0))
    # 5 + 2·1 = 7, jump 2, start 0 + (1 − 0)·1 = 1
    assert rows[-1].receptive_field == ((7, 2, 1.0), (7, 2, 1.0))


@st.composite
def sliding_1d(draw: st.DrawFn) -> tuple[int, list[dict[str, Any]]]:
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(1, 4))
        s = draw(st.integers(1, 3))
        if draw(st.booleans()):
            layers.append({"Conv1d": {"out_channels": 1, "k": k, "s": s, "p": draw(st.integers(0, 2)), "d": draw(st.integers(1, 2))}})
        else:
            layers.append({"AvgPool1d": {"k": k, "s": s, "p": draw(st.integers(0, k // 2))}})
    return draw(st.integers(8, 40)), layers


@pytest.mark.oracle
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sliding_1d())
def test_receptive_field_is_the_span_torch_differentiates(case: tuple[int, list[dict[str, Any]]]) -> None:
    """With all-ones kernels, the input positions an output depends on have a non-zero
    gradient. For output i they lie within centre ± (size − 1)/2, centre = start + i·jump;
    when that span lies inside the input, both of its ends are read (strides may leave
    holes inside it, never at its ends). Independent of convcalc's formula: torch's autograd."""
    torch = pytest.importorskip("torch")
    n, layers = case
    try:
        report = convcalc.analyze(net(*layers, input=[1, 1, n]))
    except convcalc.ConvCalcError:
        return
    modules = []
    for layer in layers:
        ((kind, a),) = layer.items()
        if kind == "Conv1d":
            conv = torch.nn.Conv1d(1, 1, a["k"], a["s"], a["p"], a["d"], bias=False).double()
            torch.nn.init.ones_(conv.weight)
            modules.append(conv)
        else:
            modules.append(torch.nn.AvgPool1d(a["k"], a["s"], a["p"]))
    model = torch.nn.Sequential(*modules)
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = model(x)
    ((size, jump, start),) = report.rows[-1].receptive_field
    assert y.shape[-1] == report.output_shape[-1]
    for i in sorted({0, y.shape[-1] // 2, y.shape[-1] - 1}):
        (grad,) = torch.autograd.grad(y[0, 0, i], x, retain_graph=True)
        hit = torch.nonzero(grad[0, 0]).flatten().tolist()
        centre = start + i * jump
        lo, hi = centre - (size - 1) / 2, centre + (size - 1) / 2
        assert lo == int(lo) and hi == int(hi)
        assert all(lo <= h <= hi for h in hit)
        if lo >= 0 and hi <= n - 1:
            assert (hit[0], hit[-1]) == (lo, hi)


# ---------------------------------------------------------------------------------------
# Errors: place, did-you-mean, exit codes
# ---------------------------------------------------------------------------------------

PLACED = """\
input: [1, 3, 8, 8]
layers:
  - Conv2d: {out_channels: 4, k: 3}
  - Repeat:
      times: 2
      layers:
        - Conv2d: {out_channels: 4, k: 3, p: 1}
        - ReLU
  - Conv2d: {out_channels: 4, k: 3}
  - Conv2d: {out_channels: 4, k: 5}
"""


def test_errors_name_the_path_the_row_and_the_line() -> None:
    # rows: #1 conv (8 → 6), #2 Repeat, #3–#6 its 2×2 layers, #7 conv (6 → 4), #8 the k5 conv
    err = error(PLACED)
    assert err.exit_code == 1
    assert str(err).startswith("layers[3] (#8, Conv2d, line 10): output size would be 0 × 0: input 4 × 4 ")
    assert "kernel 5 × 5" in str(err)
    # the same place when the error is found while reading rather than walking
    err = error(PLACED.replace("k: 5}", "k: 5, s: 0}"))
    assert str(err).startswith("layers[3] (#8, Conv2d, line 10): stride must be ≥ 1")


def test_errors_inside_a_repeat_say_which_repetition() -> None:
    # 8 → 6 → 4 → 2 → 0: the fourth repetition fails
    text = "input: [1, 1, 8, 8]\nlayers:\n  - Repeat:\n      times: 5\n      layers:\n        - Sequential: [Conv2d: {out_channels: 1, k: 3}]\n"
    err = error(text)
    assert str(err).startswith("layers[0].layers[0].layers[0] (#9, Conv2d, line 6, repeat 4 of 5): output size would be 0 × 0")


@pytest.mark.parametrize(
    ("args", "words", "code"),
    [
        ({"out_channels": 4, "kernel_size": 3, "stride": "two"}, "stride must be an integer, got a string ('two')", 2),
        ({"out_channels": 4, "kernel_size": True}, "kernel_size must be an integer, got a boolean (true)", 2),
        ({"out_channels": 4, "kernel_size": 2.5}, "kernel_size must be an integer, got a float (2.5)", 2),
        ({"out_channels": 4, "kernal_size": 3}, "unknown argument 'kernal_size'; did you mean 'kernel_size'?", 2),
        ({"out_channels": 4}, "missing argument kernel_size", 2),
        ({"out_channels": 4, "kernel_size": [3, 3, 3]}, "kernel_size has 3 entries", 2),
        ({"out_channels": 4, "kernel_size": 3, "stride": 0}, "stride must be ≥ 1", 1),
        ({"out_channels": 4, "kernel_size": 3, "padding": -1}, "padding must be ≥ 0", 1),
        ({"out_channels": 4, "kernel_size": 3, "groups": 2}, "groups=2 does not divide", 1),
        ({"out_channels": 4, "kernel_size": 3, "padding": "same", "stride": 2}, "padding='same' needs stride 1", 1),
    ],
)
def test_exit_codes(args: dict[str, Any], words: str, code: int) -> None:
    err = error(net({"Conv2d": args}))
    assert err.exit_code == code and words in str(err), str(err)
    assert isinstance(err, ValueError)


def test_unknown_types_suggest_the_nearest() -> None:
    err = error(net("Relu"))
    assert err.exit_code == 2 and "unknown layer type 'Relu'; did you mean 'ReLU'?" in str(err)
    assert "did you mean 'Conv2d'?" in str(error(net({"Conv2D": {"out_channels": 1, "k": 1}})))


def test_flatten_then_linear_names_both_numbers() -> None:
    layers = ["Flatten", {"Linear": {"in_features": 400, "out_features": 120}}]
    err = error(net(*layers, input=[1, 16, 6, 6]))
    assert err.exit_code == 1
    assert "Flatten gives 16·6·6 = 576 features; Linear expects in_features=400" in str(err)
    # through shape-preserving layers too
    err = error(net("Flatten", "Dropout", "ReLU", layers[1], input=[1, 16, 6, 6]))
    assert "Flatten gives 16·6·6 = 576 features; Linear expects in_features=400" in str(err)


def test_errors_are_never_other_exceptions() -> None:
    for bad in (None, [], 3.5, {"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "k": 3}, "x": 1}]},
                {"input": [1, 3, 8, 8], "layers": [{1: {}}]}, {"input": [1, 3, 8, 8], "layers": [{"ReLU": [1]}]},
                {"input": [1, 3, 8, 8], "layers": [{"ReLU": {"name": ["x"]}}]}):  # fmt: skip
        err = error(bad)
        assert err.exit_code == 2


# ---------------------------------------------------------------------------------------
# Bounds
# ---------------------------------------------------------------------------------------


def billion_laughs(levels: int) -> str:
    """Each level is a Sequential of 9 aliases of the level below: 9**levels layers."""
    lines = ["input: [1, 3, 8, 8]", "layers:", "  - &l0 {Sequential: [" + ", ".join(["ReLU"] * 9) + "]}"]
    for i in range(1, levels):
        lines.append(f"  - &l{i} {{Sequential: [" + ", ".join([f"*l{i - 1}"] * 9) + "]}")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_after_building_each_aliased_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real_build = spec.build

    def counting_build(type_name: str, **args: Any) -> Any:
        built.append(type_name)
        return real_build(type_name, **args)

    monkeypatch.setattr(spec, "build", counting_build)
    err = error(billion_laughs(10))  # 9**10 ≈ 3.5 billion layers from 600 bytes
    # the nine ReLUs of level 0, one layer (identical entries share it); each aliased list is
    # walked once, then counted
    assert built == ["ReLU"]
    assert isinstance(err, convcalc.LimitError) and err.exit_code == 2
    assert f"more than {LIMITS['layers']:,} layers" in str(err) and "the limit" in str(err)


def test_a_few_laughs_are_fine() -> None:
    report = convcalc.analyze(billion_laughs(3))
    # level 0: 1 + 9 rows; level 1: 1 + 9·10; level 2: 1 + 9·91
    assert len(report.rows) == 10 + 91 + 820


def test_the_layer_count_bound_counts_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LIMITS, "layers", 50)
    ok = net({"Repeat": {"times": 24, "layers": ["ReLU", "ReLU"]}}, "ReLU")  # 1 + 48 + 1 = 50 rows
    assert len(convcalc.analyze(ok).rows) == 50
    err = error(net({"Repeat": {"times": 25, "layers": ["ReLU", "ReLU"]}}))
    assert "more than 50 layers" in str(err)


def test_repeat_times_bound() -> None:
    err = error(net({"Repeat": {"times": 10**12, "layers": ["ReLU"]}}))
    assert err.exit_code == 2 and f"times=1,000,000,000,000 is over the limit of {LIMITS['repeat']:,}" in str(err)


def test_nesting_depth_bound() -> None:
    def nested(n: int) -> dict[str, Any]:
        inner: Any = ["ReLU"]
        for _ in range(n):
            inner = [{"Sequential": inner}]
        return net(*inner)

    assert len(convcalc.analyze(nested(LIMITS["depth"])).rows) == LIMITS["depth"] + 1
    err = error(nested(LIMITS["depth"] + 1))
    assert err.exit_code == 2 and f"nested deeper than {LIMITS['depth']} levels, the limit" in str(err)
    assert len(str(err)) < 200  # the path is shortened, not 100 levels long


def test_yaml_nesting_bound_holds_before_the_parser_recurses() -> None:
    """libyaml's composer recurses per level and would crash the process: run it apart."""
    code = (
        "import convcalc\n"
        "text = 'input: [1, 3, 8, 8]\\nlayers:\\n  - ' + '- ' * 100000 + 'ReLU\\n'\n"
        "try:\n    convcalc.analyze(text)\nexcept convcalc.LimitError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"YAML nested deeper than {LIMITS['yaml_depth']:,} levels" in done.stdout


def test_number_magnitude_bound() -> None:
    err = error(net({"Conv2d": {"out_channels": 2**41, "k": 1}}))
    assert err.exit_code == 2 and "limited to ±2^40" in str(err)
    # (2^39 − 1)·2 + 4 = 2^40 + 2: an output over the bound, from valid numbers
    err = error(net({"ConvTranspose2d": {"out_channels": 1, "k": 4, "s": 2}}, input=[1, 1, 2**39, 2]))
    assert err.exit_code == 2 and "along dimension 2 is over 2^40" in str(err)
    for factor in (4, 1e300, 1e308):  # 8·1e308 is inf in floating point
        err = error(net({"Upsample": {"scale_factor": factor}}, input=[1, 1, 2**39, 8]))
        assert err.exit_code == 2 and "2^40" in str(err)


# ---------------------------------------------------------------------------------------
# Properties of generated networks, the JSON, and torch on the same networks
# ---------------------------------------------------------------------------------------

LEAVES = ["ReLU", "BatchNorm2d", "MaxPool2d", "AvgPool2d", "Conv2d"]


@st.composite
def chain(draw: st.DrawFn, c: int, depth: int) -> tuple[list[Any], int]:
    """1–3 layers from c channels, spatial size kept; returns them and the channels out."""
    items: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        item, c = draw(block(c, depth))
        items.append(item)
    return items, c


@st.composite
def block(draw: st.DrawFn, c: int, depth: int) -> tuple[Any, int]:
    kinds = LEAVES + (["Sequential", "Repeat", "Residual", "Concat"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "Conv2d":
        k = draw(st.sampled_from([1, 3]))
        out = draw(st.integers(1, 6))
        return {"Conv2d": {"out_channels": out, "k": k, "p": k // 2, "bias": draw(st.booleans())}}, out
    if kind in ("MaxPool2d", "AvgPool2d"):
        return {kind: {"k": 3, "s": 1, "p": 1}}, c
    if kind in ("ReLU", "BatchNorm2d"):
        return kind, c
    if kind == "Sequential":
        items, out = draw(chain(c, depth + 1))
        return {"Sequential": {"name": "seq", "layers": items}}, out
    if kind == "Repeat":
        items, _ = draw(chain(c, depth + 1))
        items.append({"Conv2d": {"out_channels": c, "k": 1}})  # back to c, so it can repeat
        return {"Repeat": {"times": draw(st.integers(1, 3)), "layers": items}}, c
    if kind == "Residual":
        body, out = draw(chain(c, depth + 1))
        entry: dict[str, Any] = {"body": body}
        if out != c or draw(st.booleans()):
            entry["shortcut"] = [{"Conv2d": {"out_channels": out, "k": 1, "bias": False}}]
        return {"Residual": entry}, out
    branches, total = [], 0
    for _ in range(draw(st.integers(1, 3))):
        items, out = draw(chain(c, depth + 1))
        branches.append(items)
        total += out
    return {"Concat": {"dim": 1, "branches": branches}}, total


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    c = draw(st.integers(1, 4))
    layers, out = draw(chain(c, 0))
    if draw(st.booleans()):
        layers += [{"AdaptiveAvgPool2d": {"output_size": 1}}, "Flatten", {"Linear": {"out_features": 3}}]
    return {"input": [draw(st.integers(1, 2)), c, 8, 8], "layers": layers}


def children(rows: list[dict[str, Any]], i: int) -> list[dict[str, Any]]:
    """The direct children of the composite row ``rows[i]``: the rows that follow it one
    level deeper, up to the next row at its own depth or above."""
    depth, found = rows[i]["depth"], []
    for row in rows[i + 1 :]:
        if row["depth"] <= depth:
            break
        if row["depth"] == depth + 1:
            found.append(row)
    return found


SUMMED = ("params", "buffers", "macs", "flops", "activation_bytes")


@settings(max_examples=60, deadline=None)
@given(networks())
def test_totals_and_composite_rows_are_sums(network: dict[str, Any]) -> None:
    report = convcalc.analyze(network).to_dict()
    rows = report["layers"]
    leaves = [r for r in rows if r["type"] not in COMPOSITES]
    for key in SUMMED:
        assert report["totals"][key] == sum(r[key] for r in leaves), key
    for i, row in enumerate(rows):
        if row["type"] in COMPOSITES:
            kids = children(rows, i)
            for key in SUMMED:
                assert row[key] == sum(k[key] for k in kids), (row["path"], key)
            assert all(k["path"].startswith(row["path"] + ".") for k in kids)
    assert report["totals"]["flops"] == 2 * report["totals"]["macs"]


SPEC_TOP = ["convcalc", "name", "input_shape", "dtype", "layers", "totals", "warnings", "outputs"]
SPEC_ROW = ["index", "path", "name", "type", "depth", "input_shape", "output_shape", "params", "buffers",
            "macs", "flops", "activation_bytes", "receptive_field", "warnings",
            "composite", "inputs", "qualname", "trainable_params", "training_only"]  # fmt: skip
SPEC_TOTALS = ["params", "trainable_params", "buffers", "macs", "flops", "activation_bytes", "param_bytes",
               "peak_activation_bytes", "training_only_params", "training_only_macs"]


def exact_ints(value: Any) -> bool:
    return type(value) is int


@settings(max_examples=30, deadline=None)
@given(networks(), st.sampled_from(["float32", "float16", "float64", "int8"]))
def test_to_dict_is_specs_json(network: dict[str, Any], dtype: str) -> None:
    report = convcalc.analyze(network, dtype=dtype).to_dict()
    assert json.loads(json.dumps(report)) == report
    assert list(report) == SPEC_TOP and list(report["totals"]) == SPEC_TOTALS
    assert report["convcalc"] == 1 and report["dtype"] == dtype
    assert all(exact_ints(v) for v in report["totals"].values())
    assert all(exact_ints(v) for v in report["input_shape"])
    nbytes = {"float32": 4, "float16": 2, "float64": 8, "int8": 1}[dtype]
    assert report["totals"]["param_bytes"] == nbytes * report["totals"]["params"]
    for row in report["layers"]:
        assert list(row) == SPEC_ROW
        assert all(exact_ints(row[k]) for k in ("index", "depth", *SUMMED))
        assert all(exact_ints(v) for v in row["input_shape"] + row["output_shape"])
        rf = row["receptive_field"]
        if rf is not None:
            assert list(rf) == ["size", "jump", "start"]
            assert all(exact_ints(v) for v in rf["size"] + rf["jump"])
            assert all(type(v) is float for v in rf["start"])
        assert row["composite"] == (row["type"] in COMPOSITES)
        if not row["composite"]:  # views and in-place layers make no tensor (SPEC §3; no inplace: generated)
            views = ("Flatten", "Unflatten", "Reshape", "Permute", "Slice", "Identity", "Dropout", "AlphaDropout")
            made = 0 if row["type"].startswith(views) else nbytes * math.prod(row["output_shape"])
            assert row["activation_bytes"] == made


def to_torch(network: dict[str, Any]) -> Any:
    """The generated network as a torch module, written independently of convcalc."""
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Residual(nn.Module):
        def __init__(self, body: nn.Module, shortcut: nn.Module | None) -> None:
            super().__init__()
            self.body, self.shortcut = body, shortcut

        def forward(self, x: Any) -> Any:
            return self.body(x) + (x if self.shortcut is None else self.shortcut(x))

    class Concat(nn.Module):
        def __init__(self, branches: list[nn.Module], dim: int) -> None:
            super().__init__()
            self.branches, self.dim = nn.ModuleList(branches), dim

        def forward(self, x: Any) -> Any:
            return torch.cat([b(x) for b in self.branches], self.dim)

    def seq(items: list[Any], c: int) -> tuple[nn.Module, int]:
        mods = []
        for item in items:
            mod, c = one(item, c)
            mods.append(mod)
        return nn.Sequential(*mods), c

    def one(item: Any, c: int) -> tuple[nn.Module, int]:
        kind, a = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        if kind == "Conv2d":
            return nn.Conv2d(c, a["out_channels"], a["k"], padding=a.get("p", 0), bias=a.get("bias", True)), a["out_channels"]
        if kind == "Linear":
            return nn.Linear(c, a["out_features"]), a["out_features"]
        simple = {"ReLU": nn.ReLU(), "BatchNorm2d": nn.BatchNorm2d(c), "Flatten": nn.Flatten(),
                  "MaxPool2d": nn.MaxPool2d(3, 1, 1), "AvgPool2d": nn.AvgPool2d(3, 1, 1),
                  "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d(1)}  # fmt: skip
        if kind in simple:
            return simple[kind], c
        if kind == "Sequential":
            return seq(a["layers"], c)
        if kind == "Repeat":
            mods = []
            for _ in range(a["times"]):
                mod, c = seq(a["layers"], c)
                mods.append(mod)
            return nn.Sequential(*mods), c
        if kind == "Residual":
            body, out = seq(a["body"], c)
            shortcut = seq(a["shortcut"], c)[0] if "shortcut" in a else None
            return Residual(body, shortcut), out
        branches = [seq(b, c) for b in a["branches"]]
        return Concat([m for m, _ in branches], 1), sum(o for _, o in branches)

    return seq(network["layers"], network["input"][1])[0]


@pytest.mark.oracle
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_generated_networks_match_torch(network: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    model = to_torch(network).eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        out = model(torch.zeros(network["input"]))
    report = convcalc.analyze(network)
    assert report.output_shape == tuple(out.shape)
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert report.totals.buffers == sum(b.numel() for b in model.buffers())
    assert report.totals.flops == counter.get_total_flops()


def test_identical_entries_share_one_layer_and_different_ones_do_not() -> None:
    """A network repeats its layers: each distinct (type, arguments) is built once. Arguments
    equal in Python but of another type (``1`` and ``true``) are not the same layer."""
    conv = {"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}
    network = spec.load(net(conv, "ReLU", conv, "ReLU", {"Conv2d": {"out_channels": 4, "k": [3, 3], "p": 1}}))
    layers = [node.layer for node in network.layers]
    assert layers[0] is layers[2] and layers[1] is layers[3] and layers[4] is not layers[0]
    assert layers[4] == layers[0]  # the same values, written otherwise
    err = error(net({"Conv2d": {"out_channels": 4, "k": 3, "bias": True}}, {"Conv2d": {"out_channels": 4, "k": 3, "bias": 1}}))
    assert "bias" in str(err) and "#2" in str(err)  # refused at its own row, not taken from the first
