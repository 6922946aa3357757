"""Layer objects: hand-computed figures, the warnings of SPEC §3 against the brute-force
reference, and the error messages of SPEC §6 (exit code, one line, the numbers, the fix).

PyTorch itself is the judge in test_oracle_layers.py; here every expected number is
worked out by hand in a comment, or comes from tests/reference.py.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import receptive_field, slide
from strategies import Pooling1d, Sliding1d, conv_layers, pool_layers, pooling_1d, sliding_1d

from convcalc import ConvCalcError, build

PROFILE = settings(max_examples=200, deadline=None)


# --- figures worked out by hand --------------------------------------------------------------

HAND = [
    # LeNet's first layer: out (28 + 2·2 − 5)/1 + 1 = 28; params 6·1·5·5 + 6 = 156;
    # MACs 6·28·28·(1·25) = 117,600 (SPEC §5)
    (
        "Conv2d",
        dict(in_channels=1, out_channels=6, kernel_size=5, padding=2),
        (1, 1, 28, 28),
        (1, 6, 28, 28),
        156,
        0,
        117_600,
    ),
    # ResNet's stem: out ⌊(224 + 6 − 7)/2⌋ + 1 = 112; params 64·3·49 = 9,408;
    # MACs 64·112·112·3·49 = 118,013,952
    (
        "Conv2d",
        dict(in_channels=3, out_channels=64, kernel_size=7, stride=2, padding=3, bias=False),
        (1, 3, 224, 224),
        (1, 64, 112, 112),
        9_408,
        0,
        118_013_952,
    ),
    # depthwise: params 32·(32/32)·9 + 32 = 320; MACs 2·32·10·10·1·9 = 57,600
    (
        "Conv2d",
        dict(in_channels=32, out_channels=32, kernel_size=3, padding=1, groups=32),
        (2, 32, 10, 10),
        (2, 32, 10, 10),
        320,
        0,
        57_600,
    ),
    # "same" with an even kernel: total 3 (1 before, 2 after) keeps 10
    (
        "Conv1d",
        dict(in_channels=2, out_channels=4, kernel_size=4, padding="same"),
        (1, 2, 10),
        (1, 4, 10),
        4 * 2 * 4 + 4,
        0,
        4 * 10 * 2 * 4,
    ),
    # DCGAN block: out (8 − 1)·2 − 2 + 3 + 1 = 16; params 16·8·16 + 8 = 2,056;
    # MACs (input side) 16·8·8·8·16 = 131,072
    (
        "ConvTranspose2d",
        dict(in_channels=16, out_channels=8, kernel_size=4, stride=2, padding=1),
        (1, 16, 8, 8),
        (1, 8, 16, 16),
        2_056,
        0,
        131_072,
    ),
    # Linear on [4, 3, 20]: 12 rows of 20 → 5; params 20·5 + 5 = 105; MACs 12·20·5 = 1,200
    ("Linear", dict(in_features=20, out_features=5), (4, 3, 20), (4, 3, 5), 105, 0, 1_200),
    # BatchNorm2d(6): weight + bias 12, running mean + var + num_batches_tracked 13
    ("BatchNorm2d", dict(num_features=6), (1, 6, 4, 4), (1, 6, 4, 4), 12, 13, 0),
    # MaxPool2d(3, 2, 1) on 112: ⌊(112 + 2 − 3)/2⌋ + 1 = 56
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1), (1, 64, 112, 112), (1, 64, 56, 56), 0, 0, 0),
    # AvgPool1d(2, ceil_mode=True) on 5: windows 0, 2, 4 (the last one starts inside) → 3
    ("AvgPool1d", dict(kernel_size=2, ceil_mode=True), (1, 1, 5), (1, 1, 3), 0, 0, 0),
    ("AdaptiveAvgPool2d", dict(output_size=[None, 7]), (1, 512, 13, 9), (1, 512, 13, 7), 0, 0, 0),
    # ⌊5 × 1.5⌋ = 7, ⌊7 × 1.5⌋ = 10
    ("Upsample", dict(scale_factor=1.5), (1, 3, 5, 7), (1, 3, 7, 10), 0, 0, 0),
    ("Flatten", {}, (2, 16, 5, 5), (2, 400), 0, 0, 0),
    ("Unflatten", dict(dim=1, unflattened_size=[-1, 4]), (2, 12), (2, 3, 4), 0, 0, 0),
    # ZeroPad2d((left 1, right 2, top 3, bottom 4)): H 5 + 3 + 4 = 12, W 5 + 1 + 2 = 8
    ("ZeroPad2d", dict(padding=[1, 2, 3, 4]), (1, 1, 5, 5), (1, 1, 12, 8), 0, 0, 0),
    ("GroupNorm", dict(num_groups=4, num_channels=8), (2, 8, 3, 3), (2, 8, 3, 3), 16, 0, 0),
    # LayerNorm([4, 4]): weight and bias of 16 each
    ("LayerNorm", dict(normalized_shape=[4, 4]), (2, 3, 4, 4), (2, 3, 4, 4), 32, 0, 0),
    ("PReLU", dict(num_parameters=3), (1, 3, 5), (1, 3, 5), 3, 0, 0),
]


@pytest.mark.parametrize(("type_name", "args", "shape", "out", "params", "buffers", "macs"), HAND)
def test_hand_computed_figures(
    type_name: str,
    args: dict[str, Any],
    shape: tuple[int, ...],
    out: tuple[int, ...],
    params: int,
    buffers: int,
    macs: int,
) -> None:
    step = build(type_name, **args).forward(shape)
    assert (step.output_shape, step.params, step.buffers, step.macs) == (out, params, buffers, macs)
    assert step.flops == 2 * macs
    n_out = 1
    for v in out:
        n_out *= v
    assert step.output_elements == n_out


def test_normalised_once_with_aliases() -> None:
    layer = build("Conv2d", out_channels=8, k=3, s=(1, 2), p=1, d=1, g=1)
    assert layer.kernel_size == (3, 3) and layer.stride == (1, 2) and layer.padding == (1, 1)
    assert layer.arguments() == {"out_channels": 8, "kernel_size": [3, 3], "stride": [1, 2], "padding": [1, 1]}
    assert build("Conv2d", **layer.arguments()).forward((1, 3, 9, 9)).output_shape == (1, 8, 9, 5)


def test_receptive_field_of_the_resnet_stem() -> None:
    rf: Any = ((1, 1, 0.0),) * 2
    for layer in (
        build("Conv2d", out_channels=64, kernel_size=7, stride=2, padding=3),
        build("MaxPool2d", kernel_size=3, stride=2, padding=1),
    ):
        rf = layer.receptive_field(rf)
    assert rf[0] == receptive_field([(7, 2, 3, 1), (3, 2, 1, 1)]) == (11, 4, 0.0)


# --- warnings (SPEC §3) -----------------------------------------------------------------------


def _unread_warnings(warnings: tuple[str, ...]) -> list[str]:
    return [w for w in warnings if "never read" in w]


@PROFILE
@given(sliding_1d(asymmetric=False, max_size=40))
def test_unread_warning_exactly_when_real_input_is_never_read(c: Sliding1d) -> None:
    ref = slide(c.n, c.k, c.s, c.p_left, c.p_left, c.d)
    layer = build("Conv1d", in_channels=1, out_channels=1, kernel_size=c.k, stride=c.s, padding=c.p_left, dilation=c.d)
    if ref.out == 0:
        with pytest.raises(ConvCalcError):
            layer.forward((1, 1, c.n))
        return
    warned = _unread_warnings(layer.forward((1, 1, c.n)).warnings)
    assert bool(warned) == bool(ref.unread)  # unread padding alone is no warning
    if ref.unread:
        shown = ", ".join(str(x) for x in ref.unread[:8]) + (", …" if len(ref.unread) > 8 else "")
        assert f"along the length: {shown} ({len(ref.unread)} of {c.n})" in warned[0]


@PROFILE
@given(pooling_1d(undilated_limit=True, max_size=40))
def test_pooling_warnings_follow_the_reference(c: Pooling1d) -> None:
    ref = slide(c.n, c.k, c.s, c.p, c.p, c.d, ceil_mode=c.ceil_mode)
    layer = build("MaxPool1d", kernel_size=c.k, stride=c.s, padding=c.p, dilation=c.d, ceil_mode=c.ceil_mode)
    if ref.out == 0:
        with pytest.raises(ConvCalcError, match="output size would be 0"):
            layer.forward((1, 1, c.n))
        return
    step = layer.forward((1, 1, c.n))
    assert step.output_shape == (1, 1, ref.out)
    assert bool(_unread_warnings(step.warnings)) == bool(ref.unread)
    k_e = c.d * (c.k - 1) + 1
    bare_ceil = ceil(Fraction(c.n + 2 * c.p - k_e, c.s)) + 1
    dropped = c.ceil_mode and ref.out == bare_ceil - 1
    ceil_notes = [w for w in step.warnings if w.startswith("ceil_mode")]
    assert bool(ceil_notes) == dropped
    if dropped:
        assert f"(output {ref.out}, not {ref.out + 1})" in ceil_notes[0]
    even = [w for w in step.warnings if w.startswith("even kernel")]
    assert bool(even) == (k_e % 2 == 0 and c.p > 0)


def test_warnings_in_the_layers_own_terms() -> None:
    # Conv2d(k=2, s=(1, 3)) on 4 × 8: columns start 0, 3, 6 and read 0-1, 3-4, 6-7: 2 and 5 are lost
    step = build("Conv2d", out_channels=1, kernel_size=2, stride=(1, 3)).forward((1, 1, 4, 8))
    assert step.warnings == (
        "input columns never read along the width: 2, 5 (2 of 8): stride 3 with kernel 2 and padding 0 "
        "does not reach them",
    )
    # k=3, s=2, p=1 on 8: windows cover padded 0..8, the right padding column 9 is unread: no warning
    assert build("Conv1d", out_channels=1, kernel_size=3, stride=2, padding=1).forward((1, 1, 8)).warnings == ()
    # the example: MaxPool1d(3, 3, padding 1, ceil) on 5 → a third window would start at
    # 6 − 1 = 5 in input coordinates, which is the right padding
    (note,) = build("MaxPool1d", kernel_size=3, stride=3, padding=1, ceil_mode=True).forward((1, 1, 5)).warnings
    assert (
        note == "ceil_mode: along the length a last window would start at 5, in the right padding, "
        "so PyTorch drops it (output 2, not 3)"
    )
    (note,) = build("MaxPool1d", kernel_size=1, stride=2, ceil_mode=True).forward((1, 1, 4)).warnings[:1]
    assert "would start at 4, past the input, so PyTorch drops it (output 2, not 3)" in note
    # even kernels: symmetric padding shifts by half a pixel; "same" pads asymmetrically, d=2 makes k_e odd
    assert any(
        w.startswith("even kernel 2") for w in build("Conv1d", out_channels=1, k=2, p=1).forward((1, 1, 6)).warnings
    )
    for args in (dict(k=2, p="same"), dict(k=2, d=2, p=1), dict(k=3, p=1), dict(k=2, p=0)):
        assert build("Conv1d", out_channels=1, **args).forward((1, 1, 6)).warnings == ()


def test_norm_layers_with_a_single_value() -> None:
    # BatchNorm with running statistics: fine in eval mode, refused in training: a warning
    (note,) = build("BatchNorm1d").forward((1, 6)).warnings
    assert "single value per channel" in note and "training mode" in note
    # without them it always normalises by the batch itself, which PyTorch refuses
    with pytest.raises(ConvCalcError, match=r"single value per channel.*track_running_stats=false") as err:
        build("BatchNorm2d", track_running_stats=False).forward((1, 3, 1, 1))
    assert err.value.exit_code == 1
    with pytest.raises(ConvCalcError, match="single spatial position"):
        build("InstanceNorm1d").forward((4, 3, 1))
    with pytest.raises(ConvCalcError, match="single value to normalise"):
        build("GroupNorm", num_groups=2).forward((1, 2))
    # InstanceNorm without weights or running statistics never reads num_features
    (note,) = build("InstanceNorm2d", num_features=5).forward((2, 3, 4, 4)).warnings
    assert "PyTorch ignores num_features" in note


# --- errors (SPEC §6) ------------------------------------------------------------------------

REJECTED = [
    # (type, args, input shape, words the one-line message must contain)
    (
        "Conv2d",
        dict(in_channels=1, out_channels=8, kernel_size=5),
        (1, 1, 3, 3),
        ["Conv2d: output size would be 0 × 0: input 3 × 3 is smaller than the kernel 5 × 5", "padding 1 × 1"],
    ),
    (
        "Conv2d",
        dict(out_channels=8, kernel_size=3, dilation=2),
        (1, 1, 4, 9),
        ["0 × 5", "along the height, input 4 is smaller than the effective kernel 5 (kernel 3, dilation 2)"],
    ),
    ("Conv2d", dict(out_channels=8, kernel_size=3, stride=0), None, ["stride must be ≥ 1, got 0"]),
    ("Conv3d", dict(out_channels=8, kernel_size=[3, 0, 3]), None, ["kernel_size must be ≥ 1, got [3, 0, 3]"]),
    ("Conv1d", dict(out_channels=8, kernel_size=3, padding=-1), None, ["padding must be ≥ 0, got -1"]),
    (
        "Conv2d",
        dict(out_channels=8, kernel_size=3, stride=2, padding="same"),
        None,
        ["padding='same' needs stride 1", "use an integer padding"],
    ),
    (
        "Conv2d",
        dict(in_channels=3, out_channels=8, kernel_size=3, groups=2),
        None,
        ["groups=2 does not divide in_channels=3 (3 % 2 = 1)"],
    ),
    ("Conv2d", dict(out_channels=6, kernel_size=3, groups=4), None, ["groups=4 does not divide out_channels=6"]),
    (
        "Conv2d",
        dict(in_channels=4, out_channels=8, kernel_size=3),
        (1, 3, 8, 8),
        ["in_channels=4 but the input has 3 channels (shape [1, 3, 8, 8])"],
    ),
    (
        "Conv1d",
        dict(out_channels=1, kernel_size=3, padding=3, padding_mode="reflect"),
        (1, 1, 3),
        ["padding_mode='reflect' needs padding smaller than the input length: padding 3, input 3"],
    ),
    (
        "MaxPool2d",
        dict(kernel_size=2, padding=2),
        None,
        ["padding 2 along the height is more than half the kernel size 2 (PyTorch allows at most 1)"],
    ),
    ("MaxPool1d", dict(kernel_size=2, padding=2, dilation=3), None, ["at most 1, whatever the dilation"]),
    ("MaxPool2d", dict(kernel_size=3), (1, 1, 2, 9), ["output size would be 0 × 3", "along the height, input 2"]),
    (
        "AvgPool3d",
        dict(kernel_size=3, padding=1),
        (1, 1, 2, 5, 5),
        ["input 2 × 5 × 5 is smaller than the kernel 3 × 3 × 3", "padding not counted"],
    ),
    (
        "ConvTranspose2d",
        dict(out_channels=4, kernel_size=3, stride=2, output_padding=2),
        None,
        ["output_padding=2 along the height must be smaller than the stride (2) or the dilation (1): at most 1"],
    ),
    # (2 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = −2; padding ⌊(1 + 2 + 0)/2⌋ = 1 or less fits
    (
        "ConvTranspose1d",
        dict(out_channels=1, kernel_size=3, padding=3),
        (1, 1, 2),
        ["output size would be 0", "= (2 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = -2", "padding 1 or less gives an output"],
    ),
    ("ConvTranspose1d", dict(out_channels=1, kernel_size=3, padding_mode="reflect"), None, ["only 'zeros'"]),
    ("Linear", dict(in_features=400, out_features=10), (1, 576), ["in_features=400", "576 features"]),
    ("BatchNorm2d", dict(num_features=8), (1, 6, 4, 4), ["num_features=8 but the input has 6 channels"]),
    ("GroupNorm", dict(num_groups=3, num_channels=5), None, ["num_groups=3 does not divide num_channels=5"]),
    ("LayerNorm", dict(normalized_shape=[6]), (2, 2, 5), ["normalized_shape=[6]", "its last sizes are [5]"]),
    (
        "ReflectionPad1d",
        dict(padding=3),
        (1, 1, 3),
        ["padding 3 along the length must be smaller than the input length 3"],
    ),
    ("ZeroPad1d", dict(padding=[-3, 1]), (1, 1, 2), ["negative padding -3, 1 along the length crops more than"]),
    ("CircularPad1d", dict(padding=[3, -2]), (1, 1, 3), ["keeps 1, less than the 3 positions to wrap around"]),
    ("Upsample", dict(scale_factor=0.3), (1, 1, 2), ["output size would be 0: ⌊input 2 × scale_factor 0.3⌋"]),
    ("Upsample", dict(scale_factor=[2.0]), (1, 1, 4, 4), ["scale_factor has 1 entry [2.0]", "2 spatial dimensions"]),
    ("Upsample", dict(scale_factor=2, mode="bilinear"), (1, 1, 4), ["mode='bilinear' needs a 4-d input"]),
    (
        "Unflatten",
        dict(dim=1, unflattened_size=[3, 5]),
        (2, 12),
        ["unflattened_size [3, 5] holds 15 elements but dimension 1 of the input [2, 12] has 12"],
    ),
    ("Flatten", dict(start_dim=-1, end_dim=1), (2, 3, 4), ["start_dim=-1 (dimension 2) comes after end_dim=1"]),
    ("LocalResponseNorm", dict(size=2), (2, 5), ["expects an input of at least 3 dimensions; got 2-d [2, 5]"]),
]


@pytest.mark.parametrize(("type_name", "args", "shape", "words"), REJECTED)
def test_rejections_name_the_numbers(type_name: str, args: dict[str, Any], shape: Any, words: list[str]) -> None:
    with pytest.raises(ConvCalcError) as caught:
        layer = build(type_name, **args)
        layer.forward(shape or (1, 1) + (8,) * layer.dims)
    err = caught.value
    assert err.exit_code == 1
    assert "\n" not in str(err) and str(err).startswith(f"{type_name}: ")
    for word in words:
        assert word in str(err)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (dict(out_channels=8, kernal_size=3), ["unknown argument 'kernal_size'", "did you mean 'kernel_size'?"]),
        (dict(out_channels=8, kernel_size=2.5), ["kernel_size must be an integer, got a float (2.5)"]),
        (dict(out_channels=8, kernel_size=True), ["kernel_size must be an integer, got a boolean"]),
        (dict(out_channels=8, kernel_size=[3, 3, 3]), ["kernel_size has 3 entries", "give one number or 2"]),
        (dict(out_channels=8), ["missing argument kernel_size"]),
        (dict(out_channels=8, kernel_size=3, k=3), ["kernel_size is given twice"]),
    ],
)
def test_unreadable_arguments_exit_2(args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConvCalcError) as caught:
        build("Conv2d", **args)
    assert caught.value.exit_code == 2
    for word in words:
        assert word in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(conv_layers(), pool_layers()))
def test_any_values_give_a_result_or_a_convcalc_error(case: tuple[str, dict[str, Any], tuple[int, ...]]) -> None:
    type_name, args, shape = case
    try:
        step = build(type_name, **args).forward(shape)
    except ConvCalcError as err:
        assert err.exit_code in (1, 2) and "\n" not in str(err)
        return
    assert all(v >= 1 for v in step.output_shape)
    assert step.params >= 0 and step.macs >= 0


# ---------------------------------------------------------------------------------------
# v2 layers (SPEC §2a): what the oracle cannot see (messages, views, receptive fields)
# ---------------------------------------------------------------------------------------


def test_merges_broadcast_and_name_both_sources() -> None:
    from convcalc.errors import InputError, InvalidLayerError
    from convcalc.layers import Merge, broadcast

    add = build("Add")
    assert isinstance(add, Merge) and add.arguments() == {}
    assert add.forward_many([(1, 64, 56, 56), (1, 64, 1, 1)], ["'x'", "'se'"]) == ((1, 64, 56, 56), 0, 0, 0, ())
    with pytest.raises(InvalidLayerError) as err:
        build("Multiply").forward_many([(1, 64, 56, 56), (1, 32, 56, 56)], ["'conv2'", "'shortcut'"])
    assert str(err.value) == (
        "Multiply: cannot broadcast [1, 64, 56, 56] (from 'conv2') with [1, 32, 56, 56] (from 'shortcut'): "
        "sizes 64 and 32 along dimension 1"
    )
    with pytest.raises(InvalidLayerError, match=r"\[1, 8, 4\] \(from 'a'\) with \[1, 8, 5\] \(from 'b'\)"):
        build("Concat", dim=1).forward_many([(1, 8, 4), (1, 8, 5)], ["'a'", "'b'"])
    assert build("Concat", dim=-1).forward_many([(1, 8, 4), (1, 8, 5)], ["'a'", "'b'"]).output_shape == (1, 8, 9)
    with pytest.raises(InputError, match="two or more"):
        build("Add").forward_many([(1, 2)], ["'a'"])
    with pytest.raises(InvalidLayerError, match="merges two or more tensors"):
        build("Add").forward((1, 2))
    assert broadcast([(5, 1, 3), (4, 1), (1,)]) == (5, 4, 3)


def test_views_and_receptive_fields_of_the_v2_layers() -> None:
    rf = ((3, 1, 1.0), (3, 1, 1.0))
    assert build("Permute", dims=[0, 2, 3, 1]).is_view() and build("Slice", dim=1).is_view()
    assert build("Flatten").is_view() and build("Identity").is_view() and build("Dropout").is_view()  # SPEC §3
    assert not build("Conv2d", out_channels=1, k=1).is_view() and not build("ReLU").is_view()
    assert build("ReLU", inplace=True).in_place() and not build("ReLU").in_place() and not build("Sigmoid").in_place()
    assert build("Permute", dims=[0, 2, 3, 1]).receptive_field(rf) is None
    assert build("Permute", dims=[1, 0, 2, 3]).receptive_field(rf) == rf
    assert build("Slice", dim=1, start=4).receptive_field(rf) == rf
    assert build("Slice", dim=-1, start=1, step=2).receptive_field(rf) == ((3, 1, 1.0), (3, 2, 2.0))
    assert build("PixelUnshuffle", downscale_factor=2).receptive_field(rf) == ((4, 2, 1.5), (4, 2, 1.5))
    assert build("PixelShuffle", upscale_factor=2).receptive_field(rf) is None
    assert build("ChannelShuffle", groups=2).receptive_field(rf) == rf
    assert build("GLU", dim=1).receptive_field(rf) == rf and build("GLU").receptive_field(rf) is None
    assert build("Scale").receptive_field(rf) == rf


@pytest.mark.parametrize(
    ("type_name", "args", "shape", "words"),
    [
        ("Slice", {"dim": 2, "start": 5}, (1, 3, 5), "[5::1] along dimension 2 of the input [1, 3, 5] is empty"),
        ("Slice", {"dim": 1, "step": 0}, (1, 3), "step must be ≥ 1, got 0"),
        ("Permute", {"dims": [0, 1, 1]}, (1, 3, 5), "names dimension 1 twice"),
        ("Permute", {"dims": [0, 1]}, (1, 3, 5), "has 2 entries but the input is 3-d"),
        ("Scale", {"shape": [4, 1, 1]}, (1, 3, 5, 5), "cannot broadcast [1, 3, 5, 5] (from the input)"),
        ("GLU", {"dim": 1}, (1, 3, 4), "GLU halves it"),
        ("PixelShuffle", {"upscale_factor": 2}, (1, 6, 2, 2), "divisible by 2² = 4"),
        ("PixelUnshuffle", {"downscale_factor": 2}, (1, 1, 3, 2), "does not divide the input height 3"),
        ("ChannelShuffle", {"groups": 4}, (1, 6, 2, 2), "groups=4 does not divide the 6 input channels"),
        ("LPPool2d", {"norm_type": 0, "kernel_size": 2}, (1, 1, 4, 4), "norm_type must not be 0"),
        ("LPPool1d", {"norm_type": 2, "kernel_size": [2]}, (1, 1, 4), "takes one integer, not a list"),
        ("LPPool3d", {"norm_type": 2, "kernel_size": 3, "ceil_mode": True, "stride": 2}, (1, 1, 2, 4, 4),
         "padding not counted"),
    ],
)
def test_v2_layers_refuse_what_pytorch_refuses(type_name: str, args: dict[str, Any], shape: Any, words: str) -> None:
    with pytest.raises(ConvCalcError) as err:
        build(type_name, **args).forward(shape)
    assert err.value.exit_code == 1 and words in str(err.value)


def test_scale_params_and_arguments_are_declared_once() -> None:
    from convcalc.layers import arg_schema

    assert build("Scale").forward((2, 96, 7, 7)) == ((2, 96, 7, 7), 96, 0, 0, ())
    assert build("Scale", shape=[96]).forward((2, 7, 7, 96)).params == 96
    assert list(arg_schema("Permute")) == ["dims"] and build("Permute", dims=[0, 2, 1]).dims == 0
    assert list(arg_schema("Slice")) == ["dim", "start", "end", "step"]
    assert list(arg_schema("LPPool2d")) == ["norm_type", "kernel_size", "stride", "ceil_mode"]
    assert "divisor_override" not in arg_schema("AvgPool1d") and "divisor_override" in arg_schema("AvgPool2d")
    assert list(arg_schema("AdaptiveAvgPool2d")) == ["output_size"]
    assert build("LPPool2d", norm_type=float("inf"), k=2).forward((1, 1, 5, 5)).output_shape == (1, 1, 2, 2)
