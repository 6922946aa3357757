"""PyTorch's exact acceptance (SPEC §3), without PyTorch: the ranks and values measured
against torch 2.13.0 (the random oracle in test_oracle_layers.py checks them at scale:
its categories unbatched, pad_ranks, dropout_ranks, adaptive_null, norm_eps,
activation_bounds and upsample_recompute) and what the network walker makes of an
unbatched input: exact shapes, and a receptive field that is right or null."""

from __future__ import annotations

from typing import Any

import pytest

import convcalc
from convcalc import ConvCalcError, build

UNBATCHED = [  # (type, arguments, [C, *spatial], PyTorch's output shape)
    ("Conv1d", {"out_channels": 3, "k": 3}, (2, 4), (3, 2)),
    ("Conv2d", {"out_channels": 3, "k": 3, "padding": 1, "padding_mode": "reflect"}, (2, 4, 4), (3, 4, 4)),
    ("Conv3d", {"out_channels": 3, "k": 3}, (2, 4, 4, 4), (3, 2, 2, 2)),
    ("ConvTranspose2d", {"out_channels": 3, "k": 3}, (2, 4, 4), (3, 6, 6)),
    ("MaxPool1d", {"k": 2}, (2, 4), (2, 2)),
    ("AvgPool2d", {"k": 2}, (2, 4, 4), (2, 2, 2)),
    ("LPPool3d", {"norm_type": 2, "k": 2}, (2, 4, 4, 4), (2, 2, 2, 2)),
    ("AdaptiveAvgPool2d", {"output_size": [None, 2]}, (2, 5, 5), (2, 5, 2)),
    ("AdaptiveMaxPool3d", {"output_size": 2}, (2, 4, 4, 4), (2, 2, 2, 2)),
    ("InstanceNorm1d", {"affine": True}, (2, 4), (2, 4)),
    ("InstanceNorm2d", {}, (2, 4, 4), (2, 4, 4)),
]


@pytest.mark.parametrize(("kind", "args", "shape", "out"), UNBATCHED, ids=[u[0] for u in UNBATCHED])
def test_unbatched_inputs_give_pytorchs_shapes(kind: str, args: dict[str, Any], shape: tuple[int, ...],
                                               out: tuple[int, ...]) -> None:  # fmt: skip
    layer = build(kind, **args)
    assert layer.unbatched(shape) and not layer.unbatched((1, *shape))
    step = layer.forward(shape)
    batched = layer.forward((1, *shape))
    assert step.output_shape == out
    assert (1, *step.output_shape) == batched.output_shape
    assert (step.params, step.buffers, step.macs) == (batched.params, batched.buffers, batched.macs)


def test_unbatched_channels_are_inferred_and_checked() -> None:
    assert build("Conv2d", out_channels=4, k=1).forward((3, 5, 5)).params == 16  # 4·3 + 4: C from dimension 0
    assert build("InstanceNorm2d", affine=True).forward((3, 5, 5)).params == 6
    with pytest.raises(ConvCalcError, match=r"in_channels=2 but the input has 3 channels \(shape \[3, 5, 5\]\)"):
        build("Conv2d", in_channels=2, out_channels=4, k=1).forward((3, 5, 5))


@pytest.mark.parametrize(("kind", "shape"), [("Conv2d", (4, 4)), ("Conv2d", (1, 2, 3, 4, 4)), ("MaxPool1d", (4,)),
                                             ("AdaptiveAvgPool3d", (2, 4, 4)), ("InstanceNorm2d", (1, 2, 3, 4, 4)),
                                             ("BatchNorm2d", (2, 4, 4)), ("ReflectionPad2d", (2, 4, 4, 4, 4))])
def test_ranks_pytorch_refuses(kind: str, shape: tuple[int, ...]) -> None:
    args = {"Conv2d": {"out_channels": 1, "k": 1}, "MaxPool1d": {"k": 1}, "AdaptiveAvgPool3d": {"output_size": 1},
            "ReflectionPad2d": {"padding": 1}}.get(kind, {})  # fmt: skip
    with pytest.raises(ConvCalcError) as caught:
        build(kind, **args).forward(shape)
    assert caught.value.exit_code == 1 and f"got {len(shape)}-d" in str(caught.value)


def test_constant_padding_takes_any_rank_with_the_padded_dimensions() -> None:
    assert build("ZeroPad1d", padding=1).forward((4,)).output_shape == (6,)
    assert build("ConstantPad2d", padding=1, value=0.5).forward((2, 3, 4, 4, 4)).output_shape == (2, 3, 4, 6, 6)
    assert build("ZeroPad3d", padding=(1, 1, 0, 0, 2, 0)).forward((4, 4, 4)).output_shape == (6, 4, 6)
    with pytest.raises(ConvCalcError, match="at least 2 dimensions"):
        build("ZeroPad2d", padding=1).forward((4,))


def test_feature_dropout_takes_any_rank_with_pytorchs_warning() -> None:
    for rank in range(1, 7):
        shape = (2,) * rank
        assert build("Dropout3d").forward(shape).output_shape == shape
        step = build("Dropout2d").forward(shape)
        assert step.output_shape == shape
        assert bool(step.warnings) == (rank != 4), (rank, step.warnings)  # 3-d: read as [N, C, L]
    assert "training mode" in build("Dropout2d").forward((5,)).warnings[0]
    with pytest.raises(ConvCalcError, match="2-d or 3-d"):
        build("Dropout1d").forward((2, 2, 2, 2))


REFUSED = [  # what PyTorch 2.13 refuses, with the words of the message
    ("AdaptiveAvgPool2d", {"output_size": None}, "output_size=null"),
    ("AdaptiveMaxPool3d", {"output_size": None}, "output_size=null"),
    ("AdaptiveAvgPool1d", {"output_size": [None]}, "output_size=[null]"),
    ("BatchNorm2d", {"eps": -1e-5}, "eps must be ≥ 0"),
    ("BatchNorm1d", {"eps": 0.0, "track_running_stats": False}, "eps=0 with track_running_stats=false"),
    ("Hardtanh", {"min_val": 1.0, "max_val": 1.0}, "max_val=1.0 must be greater than min_val=1.0"),
    ("Hardtanh", {"min_val": 2.0, "max_val": 1.0}, "must be greater"),
    ("CELU", {"alpha": 0.0}, "alpha must not be 0"),
    ("Upsample", {"size": [4, 4], "recompute_scale_factor": True}, "recompute_scale_factor=true"),
]


@pytest.mark.parametrize(("kind", "args", "words"), REFUSED, ids=[f"{k}-{w}" for k, _, w in REFUSED])
def test_values_pytorch_refuses(kind: str, args: dict[str, Any], words: str) -> None:
    with pytest.raises(ConvCalcError) as caught:
        build(kind, **args)
    assert caught.value.exit_code == 1 and words in str(caught.value)


def test_values_pytorch_takes() -> None:
    assert build("AdaptiveAvgPool2d", output_size=[None, None]).forward((1, 2, 5, 4)).output_shape == (1, 2, 5, 4)
    assert build("InstanceNorm2d", eps=-1.0).forward((1, 2, 3, 3)).output_shape == (1, 2, 3, 3)  # no eps check
    assert build("InstanceNorm2d", eps=0.0).forward((1, 2, 3, 3)).warnings == ()
    step = build("BatchNorm2d", eps=0.0).forward((2, 2, 3, 3))  # eval with running statistics: taken
    assert any("training mode" in w for w in step.warnings)
    assert build("ELU", alpha=0.0).forward((1, 3)).output_shape == (1, 3)
    assert build("Upsample", scale_factor=1.5, recompute_scale_factor=True).forward((1, 1, 3, 3)).output_shape == (
        1, 1, 4, 4)  # fmt: skip


def test_unbatched_network_has_torchs_shapes_and_a_right_receptive_field() -> None:
    report = convcalc.analyze({"input": [4, 6, 6], "layers": [
        {"Conv2d": {"out_channels": 2, "k": 3}}, "ReLU", {"MaxPool2d": {"k": 2}}]})  # fmt: skip
    rows = report.rows
    assert [r.output_shape for r in rows] == [(2, 4, 4), (2, 4, 4), (2, 2, 2)]
    assert rows[0].receptive_field == ((3, 1, 1.0), (3, 1, 1.0))  # both spatial dimensions, not one
    assert rows[2].receptive_field == ((4, 2, 1.5), (4, 2, 1.5))
    assert report.totals.macs == 2 * 4 * 4 * 4 * 9


def test_receptive_field_is_null_where_the_reading_of_a_tensor_changes() -> None:
    """[2, 4, 4] read by Conv2d as one sample, then by Conv1d as a batch: the field of
    the 2-d reading means nothing for the 1-d one."""
    report = convcalc.analyze({"input": [2, 4, 4], "layers": [
        {"Conv2d": {"out_channels": 2, "k": 3}}, {"Conv1d": {"out_channels": 2, "k": 1}},
        {"Slice": {"dim": 1, "end": 1}}]})  # fmt: skip
    assert report.rows[0].receptive_field is not None
    assert report.rows[1].receptive_field is None and report.rows[2].receptive_field is None
    first = convcalc.analyze({"input": [2, 4, 4], "layers": ["ReLU", {"Conv1d": {"out_channels": 2, "k": 3}}]})
    assert first.rows[1].receptive_field == ((3, 1, 1.0),)  # an identity field carries over


def test_padding_keeps_the_field_of_the_dimensions_it_does_not_pad() -> None:
    report = convcalc.analyze({"input": [1, 1, 8, 8, 8], "layers": [
        {"Conv3d": {"out_channels": 1, "k": 3}}, {"ZeroPad2d": {"padding": 1}}]})  # fmt: skip
    assert report.rows[1].output_shape == (1, 1, 6, 8, 8)
    assert report.rows[1].receptive_field == ((3, 1, 1.0), (3, 1, 0.0), (3, 1, 0.0))
