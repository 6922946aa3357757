"""convcalc.design: ``net --sweep`` and ``net --rf-at``.

``--rf-at`` is checked against an autograd brute force on the same networks built from
PyTorch modules (tests/graph_torch.py): every weight positive, every bias 0, the input
positive (random in [0.5, 1.5): an input of ones makes LayerNorm's gradient vanish), so
that nothing cancels and every activation stays positive where a ReLU follows; max pooling is replaced
by a sum over the same windows (a gradient reaches every tap, not only the argmax), and
adaptive max pooling by adaptive average pooling. The input positions with a nonzero
gradient of one output position are the region; per dimension its first and last index
must be convcalc's. Before clipping, the region of a plain stack of convolutions is the
receptive field of SPEC §3 (centre ``start + i·jump``, size ``size``).

``--sweep`` is checked against torch's output shapes and FlopCounterMode at a few sizes,
and against convcalc's own report at each size.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import convcalc
from convcalc.cli import app
from convcalc.design import parse_sweep, rf_at, sweep

HERE = Path(__file__).parent
UNET = HERE / "data" / "unet.yaml"
runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}


# ---------------------------------------------------------------------------------------
# the brute force
# ---------------------------------------------------------------------------------------


def _torch_model(desc: dict[str, Any]) -> Any:
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(HERE))
    from graph_torch import GraphModule, set_averaging

    model = GraphModule(desc, keep_outputs=True)
    set_averaging(model)
    nn = torch.nn
    for key, module in list(model.leaves.items()):
        if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            model.leaves[key] = _WindowSum(module)
        elif isinstance(module, nn.AdaptiveMaxPool2d):
            model.leaves[key] = nn.AdaptiveAvgPool2d(module.output_size)
        elif isinstance(module, nn.AdaptiveMaxPool1d):
            model.leaves[key] = nn.AdaptiveAvgPool1d(module.output_size)
    model.eval()
    return model


class _WindowSum:
    """A sum over MaxPool's windows (the same kernel, stride, padding, dilation and
    ceil_mode): a depthwise convolution of ones over the input padded on the right far
    enough for the windows ceil_mode adds, cut to MaxPool's output size."""

    def __new__(cls, pool: Any) -> Any:
        import torch

        class WindowSum(torch.nn.Module):
            def forward(self, x: Any) -> Any:
                dims = x.dim() - 2
                with torch.no_grad():
                    out = pool(x).shape[2:]

                def tup(v: Any) -> tuple[int, ...]:
                    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * dims

                k, s, p, d = tup(pool.kernel_size), tup(pool.stride), tup(pool.padding), tup(pool.dilation)
                pads: list[int] = []
                for i in reversed(range(dims)):
                    pads += [p[i], p[i] + s[i] * 2 + d[i] * k[i]]
                xp = torch.nn.functional.pad(x, pads)
                c = x.shape[1]
                weight = torch.ones((c, 1, *k), dtype=x.dtype)
                conv = getattr(torch.nn.functional, f"conv{dims}d")
                y = conv(xp, weight, stride=s, dilation=d, groups=c)
                return y[(slice(None), slice(None), *(slice(0, o) for o in out))]

        return WindowSum()


def brute(desc: dict[str, Any], path: str, positions: list[tuple[int, ...]]) -> list[list[tuple[int, int]] | None]:
    """Per position, per spatial dimension the first and last input index with a nonzero
    gradient (None: no input position at all)."""
    import torch

    model = _torch_model(desc)
    shape = tuple(desc["input"])
    generator = torch.Generator().manual_seed(0)
    x = (0.5 + torch.rand((len(positions), *shape[1:]), generator=generator)).requires_grad_(True)
    with torch.enable_grad():
        model(x)
        row = next(r for r in model.rows if r.path == path)
        out = row.output
        loss = sum(out[(b, slice(None), *p)].sum() for b, p in enumerate(positions))
        (grad,) = torch.autograd.grad(loss, x)
    found: list[list[tuple[int, int]] | None] = []
    for b in range(len(positions)):
        support = grad[b].abs().sum(0)
        spans: list[tuple[int, int]] | None = []
        for dim in range(support.dim()):
            other = [i for i in range(support.dim()) if i != dim]
            hit = torch.nonzero(support.sum(other) if other else support).flatten().tolist()
            if not hit:
                spans = None
                break
            assert spans is not None
            spans.append((hit[0], hit[-1]))
        found.append(spans)
    return found


def check(desc: dict[str, Any], of: str | None = None, count: int = 12, seed: int = 0) -> int:
    """convcalc's region of ``count`` output positions (the corners, the middle, random
    ones) of row ``of`` against the brute force; the number of positions compared."""
    report = convcalc.analyze(desc)
    answer = rf_at(desc, (0,) * (len(report.input_shape) - 2), of=of)
    row = answer.row
    sizes = row.output_shape[2:]
    rng = random.Random(seed)
    positions = {tuple(0 for _ in sizes), tuple(n - 1 for n in sizes), tuple(n // 2 for n in sizes)}
    while len(positions) < min(count, __import__("math").prod(sizes)):
        positions.add(tuple(rng.randrange(n) for n in sizes))
    ordered = sorted(positions)
    want = brute(desc, row.path, ordered)
    for pos, spans in zip(ordered, want):
        got = rf_at(desc, pos, of=row.path).extents
        shown = None if got[0].first is None else [(e.first, e.last) for e in got]
        assert shown == spans, f"row {row.path} ({row.type}) position {pos}: convcalc {shown}, torch {spans}\n{desc}"
    return len(ordered)


def _unet() -> dict[str, Any]:
    return yaml.safe_load(UNET.read_text())


# ---------------------------------------------------------------------------------------
# --rf-at against torch
# ---------------------------------------------------------------------------------------

CONV_STACK = {
    "input": [1, 1, 40, 36],
    "layers": [
        {"Conv2d": {"out_channels": 2, "k": 3, "p": 1}}, "ReLU",
        {"Conv2d": {"out_channels": 2, "k": [5, 3], "s": 2, "p": [2, 0]}}, "ReLU",
        {"MaxPool2d": {"k": 3, "s": 2, "p": 1}},
        {"Conv2d": {"out_channels": 2, "k": 3, "d": 2, "p": 1}},
        {"MaxPool2d": {"k": 2, "ceil_mode": True}},
    ],
}  # fmt: skip

CASES: dict[str, dict[str, Any]] = {
    "conv stack": CONV_STACK,
    "dilated taps at the border": {
        "input": [1, 1, 30],
        "layers": [{"Conv1d": {"out_channels": 1, "k": 3, "d": 3, "p": 3}},
                   {"Conv1d": {"out_channels": 1, "k": 2, "s": 3, "d": 4, "p": 2}},
                   {"Conv1d": {"out_channels": 1, "k": 3, "d": 2, "p": 4}}],
    },
    "stride larger than the kernel": {
        "input": [1, 1, 33],
        "layers": [{"Conv1d": {"out_channels": 1, "k": 2, "s": 3}}, {"Conv1d": {"out_channels": 1, "k": 3, "s": 2}}],
    },
    "transposed convolutions": {
        "input": [1, 2, 7, 6],
        "layers": [{"ConvTranspose2d": {"out_channels": 2, "k": 3, "s": 2, "p": 1, "output_padding": 1}}, "ReLU",
                   {"ConvTranspose2d": {"out_channels": 1, "k": 2, "s": 3, "d": 2, "p": 2}},
                   {"ConvTranspose2d": {"out_channels": 1, "k": 1, "s": 2}}],
    },
    "padding modes": {
        "input": [1, 1, 9, 8],
        "layers": [{"ReflectionPad2d": {"padding": [3, 1, 2, 0]}}, {"Conv2d": {"out_channels": 1, "k": 3}},
                   {"ReplicationPad2d": {"padding": 2}}, {"CircularPad2d": {"padding": [1, 2, 3, 1]}},
                   {"ZeroPad2d": {"padding": [2, -1, 1, 1]}}, {"Conv2d": {"out_channels": 1, "k": 2, "s": 2}}],
    },
    "adaptive pooling": {
        "input": [1, 1, 13, 10],
        "layers": [{"Conv2d": {"out_channels": 1, "k": 3}}, {"AdaptiveAvgPool2d": {"output_size": [4, 3]}},
                   {"AdaptiveMaxPool2d": {"output_size": [7, None]}}],
    },
    "residual, SE gate and slices": {
        "input": [1, 2, 20, 18],
        "layers": [
            {"Residual": {"body": [{"Conv2d": {"out_channels": 2, "k": 3, "p": 1}}, "ReLU"],
                          "shortcut": [{"Conv2d": {"out_channels": 2, "k": 1}}]}},
            {"Multiply": {"branches": [[], [{"AdaptiveAvgPool2d": {"output_size": 1}},
                                            {"Conv2d": {"out_channels": 2, "k": 1}}, "Sigmoid"]]}},
            {"Slice": {"dim": 3, "start": 3, "end": 15, "step": 2}},
            {"Conv2d": {"name": "last", "out_channels": 2, "k": 3, "s": 2, "p": 1}},
        ],
    },
    "concat along a spatial dimension": {
        "input": [1, 1, 12, 10],
        "layers": [
            {"Conv2d": {"name": "a", "out_channels": 1, "k": 3, "p": 1}},
            {"Conv2d": {"name": "b", "from": "input", "out_channels": 1, "k": 3, "s": [2, 1], "p": 1}},
            {"Concat": {"from": ["a", "b"], "dim": 2}},
            {"Conv2d": {"out_channels": 1, "k": 3, "p": 1}},
            {"Concat": {"dim": 3, "branches": [[], [{"Conv2d": {"out_channels": 1, "k": 1, "s": [1, 2]}}]]}},
        ],
    },
    "pixel shuffle, GLU, channels-last": {
        "input": [1, 4, 8, 10],
        "layers": [
            {"PixelShuffle": {"upscale_factor": 2}},
            {"Conv2d": {"out_channels": 8, "k": 3, "p": 1}},
            {"PixelUnshuffle": {"downscale_factor": 2}},
            {"GLU": {"dim": 3}},
            {"Permute": {"dims": [0, 2, 3, 1]}}, {"LayerNorm": {"normalized_shape": 32}}, {"Linear": {"out_features": 4}},
            {"Permute": {"dims": [0, 3, 1, 2]}},
            {"Conv2d": {"out_channels": 2, "k": 3}},
        ],
    },
    "group norm and softmax": {
        "input": [1, 4, 10, 9],
        "layers": [{"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}, {"GroupNorm": {"num_groups": 2}},
                   {"Conv2d": {"out_channels": 4, "k": 1}}],
    },
}  # fmt: skip


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(CASES))
def test_rf_at_against_autograd(name: str) -> None:
    assert check(CASES[name], count=16) >= 4


UPSAMPLE_CASES = [
    ("nearest", None, {"scale_factor": 2}), ("nearest", None, {"scale_factor": 1.7}), ("nearest", None, {"size": 7}),
    ("nearest", None, {"scale_factor": 0.6}), ("nearest-exact", None, {"scale_factor": 1.5}),
    ("nearest-exact", None, {"size": 13}), ("bilinear", False, {"scale_factor": 2}),
    ("bilinear", True, {"scale_factor": 2}), ("bilinear", True, {"size": 17}), ("bilinear", False, {"size": 6}),
    ("bilinear", False, {"scale_factor": 1.5, "recompute_scale_factor": True}), ("bicubic", False, {"scale_factor": 2}),
    ("bicubic", True, {"scale_factor": 3}), ("bicubic", True, {"size": 19}), ("bicubic", False, {"size": 5}),
    ("area", None, {"size": 7}), ("area", None, {"scale_factor": 1.5}),
]  # fmt: skip


@pytest.mark.oracle
@pytest.mark.parametrize(("mode", "align", "size"), UPSAMPLE_CASES)
def test_rf_at_through_upsample_against_autograd(mode: str, align: bool | None, size: dict[str, Any]) -> None:
    args: dict[str, Any] = {"mode": mode, **size}
    if align is not None:
        args["align_corners"] = align
    desc = {
        "input": [1, 1, 9, 11],
        "layers": [{"Conv2d": {"out_channels": 1, "k": 3, "p": 1}}, {"Upsample": args},
                   {"Conv2d": {"out_channels": 1, "k": 3, "p": 1}}],
    }  # fmt: skip
    assert check(desc, count=40) >= 10


@pytest.mark.oracle
@pytest.mark.parametrize(("mode", "align"), [("linear", False), ("linear", True), ("nearest", None)])
def test_rf_at_through_1d_and_3d_upsample(mode: str, align: bool | None) -> None:
    args: dict[str, Any] = {"mode": mode, "scale_factor": 2.5}
    if align is not None:
        args["align_corners"] = align
    desc = {"input": [1, 1, 11], "layers": [{"Upsample": args}, {"Conv1d": {"out_channels": 1, "k": 3}}]}
    assert check(desc, count=20) >= 10
    tri = {**args, "mode": "trilinear" if mode == "linear" else mode}
    desc3 = {"input": [1, 1, 4, 5, 3], "layers": [{"Upsample": tri}, {"Conv3d": {"out_channels": 1, "k": 2}}]}
    assert check(desc3, count=12) >= 6


@pytest.mark.oracle
def test_rf_at_of_a_unet_decoder_output() -> None:
    desc = _unet()
    desc["input"] = [1, 3, 32, 32]
    assert check(desc, count=30) == 30  # the head: the default row
    assert check(desc, of="up1", count=20) == 20
    assert check(desc, of="up2", count=12) == 12
    report = convcalc.analyze(desc)
    assert report.rows[-1].receptive_field is None  # what the table shows as "—"


def test_unclipped_region_is_the_receptive_field_of_a_conv_stack() -> None:
    report = convcalc.analyze(CONV_STACK)
    compared = 0
    for row in report.rows:
        rf = row.receptive_field
        if rf is None:
            continue
        for pos in ((0, 0), tuple(n - 1 for n in row.output_shape[2:])):
            extents = rf_at(CONV_STACK, pos, of=row.path).extents
            for (size, jump, start), e, i in zip(rf, extents, pos):
                centre = start + i * jump
                assert (e.first_unclipped, e.last_unclipped) == (centre - (size - 1) / 2, centre + (size - 1) / 2)
                assert 0 <= (e.first or 0) <= (e.last or 0) <= 39
                compared += 1
    assert compared >= 20


def test_rf_at_defaults_and_errors() -> None:
    answer = rf_at(UNET, (0, 0))
    assert answer.row.name == "head" and answer.row.path == "16"
    assert [(e.first, e.last, e.first_unclipped, e.last_unclipped) for e in answer.extents] == [(0, 10, -11, 10)] * 2
    assert rf_at("lenet", 0, of="conv2").extents[0].first == 0
    with pytest.raises(convcalc.InputError, match="outside the output"):
        rf_at("lenet", (10, 0), of="conv2")
    with pytest.raises(convcalc.InputError, match="has no spatial output"):
        rf_at("lenet", 0, of="7")
    with pytest.raises(convcalc.InputError, match="no row named or at path 'conv9'"):
        rf_at("lenet", 0, of="conv9")
    with pytest.raises(convcalc.InputError, match="has 3 indices"):
        rf_at("lenet", (0, 0, 0))


def test_rf_at_on_the_command_line() -> None:
    result = runner.invoke(app, ["net", str(UNET), "--rf-at", "31,31", "--of", "up1", "-f", "plain"], env=ENV)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "axis\tfirst\tlast\tfirst_unclipped\tlast_unclipped", "height\t21\t42\t21\t42", "width\t21\t42\t21\t42",
    ]  # fmt: skip
    data = json.loads(runner.invoke(app, ["net", str(UNET), "--rf-at", "0", "-f", "json"], env=ENV).stdout)
    assert data["of"]["name"] == "head" and data["region"][0]["first_unclipped"] == -11
    for fmt in ("table", "csv", "markdown"):
        result = runner.invoke(app, ["net", str(UNET), "--rf-at", "0,0", "-f", fmt], env=ENV)
        assert result.exit_code == 0 and "10" in result.stdout, fmt
    result = runner.invoke(app, ["net", "lenet", "--rf-at", "-1,0"], env=ENV)
    assert result.exit_code == 2
    result = runner.invoke(app, ["net", "lenet", "--of", "conv1"], env=ENV)
    assert result.exit_code == 2 and "--of needs --rf-at" in result.stderr


# ---------------------------------------------------------------------------------------
# --sweep
# ---------------------------------------------------------------------------------------


def test_parse_sweep() -> None:
    assert parse_sweep("224,320x240,8..16:4") == [(224,), (320, 240), (8,), (12,), (16,)]
    for bad in ("1..", "5..2", "0", "3..9:0", "a"):
        with pytest.raises(convcalc.InputError):
            parse_sweep(bad)


def test_sweep_rows_are_the_reports_at_each_size() -> None:
    result = sweep(UNET, "60..68:2,64x48")
    assert [r.accepted for r in result.rows] == [True, False, True, False, True, True]
    for r in result.rows:
        if not r.accepted:
            assert r.reason is not None and r.reason.startswith("#10 Concat: ")
            continue
        report = convcalc.analyze(UNET, input_shape=r.input_shape)
        assert r.outputs == tuple(o.output_shape for o in report.outputs)
        assert (r.macs, r.flops, r.activation_bytes) == (
            report.totals.macs, report.totals.flops, report.totals.activation_bytes
        )  # fmt: skip
        assert r.peak_bytes == getattr(report.totals, "peak_activation_bytes", r.activation_bytes)
    assert result.rows[-1].input_shape == (1, 3, 64, 48)
    assert sweep("resnet18", [224, 1]).rows[0].unread and not sweep("resnet18", [1]).rows[0].unread
    assert sweep("lenet", [28], batch=8).rows[0].input_shape == (8, 1, 28, 28)


def test_sweep_loads_the_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import convcalc.spec

    calls = []
    real = convcalc.spec.load

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(convcalc.spec, "load", counting)
    assert len(sweep(UNET, "32..96:8").rows) == 9
    assert len(calls) == 1


def test_sweep_on_the_command_line_in_every_format() -> None:
    args = ["net", str(UNET), "--sweep", "62,64"]
    plain = runner.invoke(app, [*args, "-f", "plain"], env=ENV)
    assert plain.exit_code == 0
    lines = plain.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["input", "accepted", "outputs"]
    assert lines[1].split("\t")[:3] == ["62x62", "no", "-"] and lines[2].split("\t")[:4] == [
        "64x64", "yes", "1x2x64x64", "53280768"
    ]  # fmt: skip
    data = json.loads(runner.invoke(app, [*args, "-f", "json"], env=ENV).stdout)
    assert [r["accepted"] for r in data["sweep"]] == [False, True]
    csv_out = runner.invoke(app, [*args, "-f", "csv"], env=ENV).stdout
    assert csv_out.splitlines()[2].startswith("64x64,yes,1x2x64x64,53280768,")
    table = runner.invoke(app, args, env=ENV).stdout
    assert "rejected" in table and "1 of 2 accepted" in table and "62×62: #10 Concat" in table
    markdown = runner.invoke(app, [*args, "-f", "markdown"], env=ENV).stdout
    assert "| 64×64 | 1×2×64×64 | 53.3 M |" in markdown
    bad = runner.invoke(app, ["net", str(UNET), "--sweep", "64..32"], env=ENV)
    assert bad.exit_code == 2


@pytest.mark.oracle
def test_sweep_against_torch() -> None:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    desc = _unet()
    agreed = 0
    for size in (32, 48, 50, 64, 96):
        row = sweep(desc, [size]).rows[0]
        desc_at = {**desc, "input": [1, 3, size, size]}
        sys.path.insert(0, str(HERE))
        from graph_torch import GraphModule

        try:
            model = GraphModule(desc_at)
        except RuntimeError:
            assert not row.accepted, size
            agreed += 1
            continue
        assert row.accepted, (size, row.reason)
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            (out,) = model(torch.ones(1, 3, size, size))
        assert row.outputs == (tuple(out.shape),)
        assert row.flops == counter.get_total_flops()
        agreed += 1
    assert agreed == 5


def test_batch_composes_with_input_and_sweep() -> None:
    """``--batch N`` replaces the first dimension of the input shape, whether it comes
    from the file or from ``--input``, and scales every per-row figure by N."""
    one = json.loads(runner.invoke(app, ["net", "lenet", "--input", "1,1,32,32", "-f", "json"], env=ENV).stdout)
    result = runner.invoke(app, ["net", "lenet", "--input", "2,1,32,32", "--batch", "8", "-f", "json"], env=ENV)
    eight = json.loads(result.stdout)
    assert eight["input_shape"] == [8, 1, 32, 32]
    assert eight["totals"]["macs"] == 8 * one["totals"]["macs"]
    assert eight["totals"]["params"] == one["totals"]["params"]
    assert [r["output_shape"][0] for r in eight["layers"]] == [8] * len(eight["layers"])
    assert convcalc.analyze("lenet", batch=8).input_shape == (8, 1, 28, 28)
    plain = runner.invoke(app, ["net", "lenet", "--batch", "4", "--sweep", "28", "-f", "plain"], env=ENV).stdout
    assert plain.splitlines()[1].split("\t")[2] == "4x10"
    bad = runner.invoke(app, ["net", "lenet", "--batch", "0"], env=ENV)
    assert bad.exit_code == 2 and "batch" in bad.stderr
