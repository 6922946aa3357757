"""convcalc.explain: the single layer of the command line, its relation, its explanation,
and "same" padding.

Expectations come from a window-sliding reference written here (count the window
positions PyTorch keeps, one at a time), from hand calculations written out, and, where
torch 2.13.0 is installed, from torch itself.
"""

from __future__ import annotations

import random
import re

import pytest

from convcalc import ConvCalcError, build
from convcalc.explain import (
    Relation,
    explain,
    layer_report,
    relations,
    request_layer,
    same,
    windows,
)

# ---------------------------------------------------------------------------------------
# A reference that slides windows, no closed form
# ---------------------------------------------------------------------------------------


def slide(n: int, k: int, s: int, pl: int, pr: int, d: int, ceil: bool) -> int:
    """Windows PyTorch keeps on a padded input of pl + n + pr positions: floor mode keeps
    windows entirely inside; ceil mode also one running past the end by less than a
    stride, if it starts inside the input or its left padding."""
    total, span, count, x = pl + n + pr, d * (k - 1), 0, 0
    while x < total:
        last = x + span
        if last <= total - 1 or (ceil and last <= total - 1 + s - 1 and x < pl + n):
            count += 1
        else:
            break
        x += s
    return count


def scatter(n: int, k: int, s: int, p: int, d: int, op: int) -> int:
    """Transposed convolution: input i writes to i·s + j·d; the written extent plus
    output_padding, less p on each side."""
    extent = max(i * s + j * d for i in range(n) for j in range(k)) + 1
    return extent + op - 2 * p


def random_request(rng: random.Random) -> tuple[str, dict]:
    kind = rng.choice(["conv", "transpose", "maxpool", "avgpool"])
    k, s, p, d = rng.randint(1, 6), rng.randint(1, 4), rng.randint(0, 4), rng.randint(1, 3)
    options: dict = {"k": (k,), "s": (s,), "p": (p,)}
    if kind != "avgpool":
        options["d"] = (d,)
    if kind in ("maxpool", "avgpool"):
        options["ceil_mode"] = rng.random() < 0.5
    if kind == "transpose":
        options["output_padding"] = (rng.randint(0, max(s, d) - 1),)
    return kind, options


def _valid_requests(count: int, seed: int) -> list:
    rng = random.Random(seed)
    found = []
    while len(found) < count:
        kind, options = random_request(rng)
        try:
            found.append(request_layer(kind, **options))
        except ConvCalcError:
            continue
    return found


def _reference(req, n: int) -> int:
    (w,) = windows(req.layer)
    if req.layer.type.startswith("ConvTranspose"):
        return scatter(n, w.k, w.s, w.pl, w.d, w.output_padding)
    return slide(n, w.k, w.s, w.pl, w.pr, w.d, w.ceil)


@pytest.mark.parametrize("req", _valid_requests(300, seed=4), ids=lambda r: repr(r.layer))
def test_relation_matches_sliding_windows_and_domain(req) -> None:
    (rel,) = relations(req.layer)
    for n in range(1, 40):
        try:
            got = req.layer.forward((1, 1, n)).output_shape[-1]
        except ConvCalcError as err:
            assert err.exit_code == 1
            assert n < rel.min_in, f"{rel} claims in ≥ {rel.min_in} is valid, PyTorch's rule rejects {n}"
            continue
        assert n >= rel.min_in, f"{rel}: {n} is accepted below the stated domain"
        assert rel(n) == got == _reference(req, n), (str(rel), n)


def _evaluate(expression: str, n: int) -> int:
    """Evaluate a printed right-hand side such as ``⌊(in − 1)/2⌋ + 1`` or ``2·in − 1``."""
    return _arith(expression.replace("in", str(n)))


@pytest.mark.parametrize("req", _valid_requests(150, seed=7), ids=lambda r: repr(r.layer))
def test_every_printed_form_of_the_relation_evaluates_to_the_output(req) -> None:
    (rel,) = relations(req.layer)
    text = str(rel).split("   (in ≥")[0]
    forms = text.removeprefix("out = ").split(", less 1 when")[0].split(" = ")
    for n in range(max(1, rel.min_in), 40):
        want = req.layer.forward((1, 1, n)).output_shape[-1]
        dropped = rel.drop_padding is not None and rel(n) != _evaluate(forms[0], n)
        for form in forms:
            assert _evaluate(form, n) - dropped == want, (text, form, n)


def test_relations_of_the_spec_examples() -> None:
    k5p2 = request_layer("conv", k=(5,), p=(2,))
    assert [str(r) for r in relations(k5p2.layer)] == ["out = in"]
    strided = request_layer("conv", k=(5,), p=(2,), s=(2,))
    assert str(relations(strided.layer)[0]).startswith("out = ⌊(in − 1)/2⌋ + 1")
    # a 3×3 convolution without padding loses 2 and needs an input of at least 3
    assert str(relations(request_layer("conv", k=(3,)).layer)[0]) == "out = in − 2   (in ≥ 3)"
    # the DCGAN upsampling block doubles
    assert str(relations(request_layer("transpose", k=(4,), s=(2,), p=(1,)).layer)[0]) == "out = 2·in"


def test_relation_per_dimension() -> None:
    req = request_layer("Conv2d", k=(3, 5), p=(1, 0))
    assert [str(r) for r in relations(req.layer)] == ["out = in", "out = in − 4   (in ≥ 5)"]


def test_avgpool3d_domain_includes_pytorchs_kernel_check() -> None:
    # AvgPool3d refuses an input smaller than the kernel even when padding would make room
    req = request_layer("AvgPool3d", k=(3,), p=(1,))
    rel = relations(req.layer)[0]
    assert rel.min_in == 3
    with pytest.raises(ConvCalcError):
        req.layer.forward((1, 1, 2, 9, 9))


def test_ceil_mode_drop_is_stated_only_where_it_can_happen() -> None:
    # MaxPool1d(3, stride=3, padding=1, ceil_mode=True) on 5: ⌈(5 + 2 − 3)/3⌉ + 1 = 3, dropped to 2
    drops = relations(request_layer("maxpool", k=(3,), s=(3,), p=(1,), ceil_mode=True).layer)[0]
    assert drops.drop_padding == 1 and drops(5) == 2
    assert "less 1 when" in str(drops)
    never = relations(request_layer("maxpool", k=(3,), s=(2,), ceil_mode=True).layer)[0]
    assert never.drop_padding is None
    assert all(slide(n, 3, 2, 0, 0, 1, True) == never(n) for n in range(3, 50))


# ---------------------------------------------------------------------------------------
# request_layer: the command line's rules (SPEC §4)
# ---------------------------------------------------------------------------------------


def test_dimension_count_is_the_longest_option_or_the_class() -> None:
    assert request_layer("conv", sizes=(28,), k=(3,)).layer.type == "Conv1d"
    assert request_layer("conv", sizes=(28, 28), k=(3,)).layer.type == "Conv2d"
    assert request_layer("maxpool", k=(2,), s=(2, 2, 2)).layer.type == "MaxPool3d"
    req = request_layer("Conv2d", sizes=(28,), k=(3,))
    assert req.sizes == (28, 28) and req.layer.kernel_size == (3, 3)
    assert request_layer("conv2d", k=(3,)).layer.type == "Conv2d"  # any case


@pytest.mark.parametrize(
    "kind, options, words",
    [
        ("conv", {"k": (3, 3), "s": (1, 1, 1)}, "--k has 2 values but --s has 3"),
        ("Conv2d", {"k": (3, 3, 3)}, "Conv2d has 2 spatial dimensions"),
        ("conv", {"k": (3, 3, 3, 3)}, "1 to 3 spatial dimensions"),
        ("Linear", {"k": (3,)}, "put a Linear in a network file"),
        ("convv", {"k": (3,)}, "did you mean 'conv'"),
        ("conv", {"k": (3,), "ceil_mode": True}, "--ceil-mode applies to pooling"),
        ("conv", {"k": (3,), "c_in": 3}, "give both --c-in and --c-out"),
        ("conv", {"k": (3,), "groups": 2}, "--groups needs --c-in and --c-out"),
        ("maxpool", {"k": (3,), "c_out": 3}, "--c-out applies to convolutions"),
        ("avgpool", {"k": (3,), "d": (2,)}, "has no dilation"),
        ("maxpool", {"k": (3,), "p": "same"}, "only Conv1d takes padding='same'"),
        ("conv", {"k": (3,), "output_padding": (1,)}, "--output-padding applies to transposed"),
        ("conv", {"k": (3,), "sizes": (0,)}, "every size must be ≥ 1"),
        ("conv", {"k": (3,), "batch": 0}, "--batch must be ≥ 1"),
    ],
)
def test_unreadable_requests_are_input_errors(kind: str, options: dict, words: str) -> None:
    with pytest.raises(ConvCalcError) as caught:
        request_layer(kind, **options)
    assert caught.value.exit_code == 2
    assert words in str(caught.value)


def test_values_pytorch_rejects_are_exit_1() -> None:
    for options in ({"k": (0,)}, {"k": (3,), "s": (0,)}, {"k": (3,), "p": (-1,)}):
        with pytest.raises(ConvCalcError) as caught:
            request_layer("conv", **options)
        assert caught.value.exit_code == 1
    with pytest.raises(ConvCalcError) as caught:
        request_layer("conv", k=(3,), c_in=4, c_out=8, groups=3)
    assert caught.value.exit_code == 1 and "groups=3" in str(caught.value)


def test_layer_report_is_the_one_layer_network() -> None:
    req = request_layer("Conv2d", sizes=(224,), k=(7,), s=(2,), p=(3,), c_in=3, c_out=64)
    report = layer_report(req)
    row = report.rows[0]
    assert row.output_shape == (1, 64, (224 + 2 * 3 - 7) // 2 + 1, (224 + 2 * 3 - 7) // 2 + 1)
    assert row.params == 64 * 3 * 7 * 7 + 64
    assert row.macs == 64 * 112 * 112 * 3 * 7 * 7
    assert report.totals.flops == 2 * row.macs
    assert report.to_dict()["layers"][0]["type"] == "Conv2d"


# ---------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------


def _arith(step: str) -> int:
    """Evaluate a step with numbers put in: ⌊a/b⌋, ⌈a/b⌉, ·, −, +."""
    py = step.replace("−", "-").replace("·", "*")
    py = re.sub(r"⌊([^⌋]*)/(\d+)⌋", r"((\1)//\2)", py)
    py = re.sub(r"⌈([^⌉]*)/(\d+)⌉", r"(-((-(\1))//\2))", py)
    py = re.sub(r"\((\d+)/(\d+)\)", r"(\1//\2)", py)
    return eval(py)


@pytest.mark.parametrize("req", _valid_requests(120, seed=11), ids=lambda r: repr(r.layer))
def test_every_explained_step_has_the_value_of_the_answer(req) -> None:
    for n in (1, 7, 16, 31):
        try:
            want = req.layer.forward((1, 1, n)).output_shape[-1]
        except ConvCalcError:
            continue
        full = request_layer(req.layer.type, sizes=(n,), k=req.layer.kernel_size, **_args_of(req.layer))
        ((_, derivations),) = explain(full).dimensions
        out = derivations[-1]
        assert out.value == want
        for step in out.steps:
            assert _arith(step) == want, (step, want)


def _args_of(layer) -> dict:
    w = windows(layer)[0]
    args = {"s": (w.s,), "p": (w.pl,)}
    if not layer.type.startswith("AvgPool"):
        args["d"] = (w.d,)
    if layer.type.startswith(("MaxPool", "AvgPool")):
        args["ceil_mode"] = w.ceil
    if layer.type.startswith("ConvTranspose"):
        args["output_padding"] = (w.output_padding,)
    return args


def test_explanation_of_a_strided_convolution_written_out() -> None:
    req = request_layer("conv", sizes=(224,), k=(7,), s=(2,), p=(3,))
    (heading, (out,)), = explain(req).dimensions
    assert heading == ""
    assert out.formula == "out = ⌊(in + 2·p − k)/s⌋ + 1"
    assert out.steps == ("⌊(224 + 2·3 − 7)/2⌋ + 1", "⌊223/2⌋ + 1")
    assert out.value == 112


def test_explanation_totals_and_warnings() -> None:
    # Conv2d(3, 64, 7, stride 2) on 9 × 9 without padding reads rows 0…6 and 2…8: all of them;
    # with kernel 2 on 9 the last row (8) is never read
    req = request_layer("Conv2d", sizes=(9,), k=(2,), s=(2,), c_in=3, c_out=4)
    e = explain(req)
    assert e.dimensions[0][0] == "each dimension"
    params, macs, flops = e.totals
    assert params.value == 4 * 3 * 2 * 2 + 4 and params.steps == ("4·(3/1)·2·2 + 4",)
    assert macs.value == 1 * 4 * 4 * 4 * 3 * 2 * 2 and _arith(macs.steps[0]) == macs.value
    assert flops.value == 2 * macs.value
    assert any("8 (1 of 9)" in w for w in e.warnings)


def test_explanation_of_a_dropped_ceil_mode_window() -> None:
    req = request_layer("maxpool", sizes=(5,), k=(3,), s=(3,), p=(1,), ceil_mode=True)
    (_, (out,)), = explain(req).dimensions
    assert out.value == 2
    assert out.steps[-1].endswith("− 1")
    assert "PyTorch drops the last window" in out.notes[0]


def test_explanation_without_input_gives_the_relation() -> None:
    (_, (out,)), = explain(request_layer("conv", k=(5,), p=(2,))).dimensions
    assert out.value is None and out.steps[-1] == "in"


def test_dilation_is_explained_as_an_effective_kernel() -> None:
    (_, (kernel, out)), = explain(request_layer("conv", sizes=(10,), k=(3,), d=(2,))).dimensions
    assert kernel.value == 2 * (3 - 1) + 1 and out.value == 10 - 4


# ---------------------------------------------------------------------------------------
# same
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_same_padding_is_minimal_split_like_pytorch_and_reaches_the_target(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        n, k, s, d = rng.randint(1, 40), rng.randint(1, 7), rng.randint(1, 4), rng.randint(1, 3)
        layer = build("Conv1d", out_channels=1, kernel_size=k, stride=s, dilation=d)
        try:
            (ans,) = same(layer, (n,))
        except ConvCalcError as err:
            assert err.exit_code == 1
            continue
        target = -(-n // s)
        assert ans.out == target
        assert slide(n, k, s, ans.before, ans.after, d, False) == target
        assert ans.before == ans.total // 2 and ans.after == ans.total - ans.total // 2
        if ans.total:
            smaller = ans.total - 1
            assert slide(n, k, s, smaller // 2, smaller - smaller // 2, d, False) != target
        reached = [p for p in range(40) if slide(n, k, s, p, p, d, False) == target]
        assert ans.symmetric == (reached[0] if reached else None)


def test_same_for_pooling_respects_pytorchs_padding_limit() -> None:
    # MaxPool1d(2, stride 1) on 8: one pixel of padding in all, no symmetric padding
    # gives 8 (padding 1 gives 9); MaxPool1d(3, stride 1): padding=1 keeps 7
    (ans,) = same(build("MaxPool1d", kernel_size=2, stride=1), (8,))
    assert (ans.total, ans.before, ans.after, ans.symmetric) == (1, 0, 1, None)
    (ans,) = same(build("MaxPool1d", kernel_size=3, stride=1), (7,))
    assert ans.symmetric == 1
    # the default pooling stride is the kernel: target ⌈9/3⌉ = 3
    assert same(build("MaxPool1d", kernel_size=3), (9,))[0].out == 3


def test_same_for_transposed_convolution() -> None:
    (ans,) = same(build("ConvTranspose1d", out_channels=1, kernel_size=3, stride=2), (16,))
    assert ans.out == 32 and scatter(16, 3, 2, ans.symmetric, 1, ans.output_padding) == 32
    assert (ans.symmetric, ans.output_padding) == (1, 1)


def test_same_with_an_unreachable_target_is_exit_1() -> None:
    with pytest.raises(ConvCalcError) as caught:
        same(build("Conv1d", out_channels=1, kernel_size=3), (100,), (10,))
    assert caught.value.exit_code == 1
    assert "with padding 0 the output is already 98" in str(caught.value)


def test_relation_is_a_value() -> None:
    rel = Relation("floor", 2, -1)
    assert rel(224) == 112 and str(rel) == "out = ⌊(in − 1)/2⌋ + 1 = ⌈in/2⌉"


# ---------------------------------------------------------------------------------------
# torch 2.13.0, where installed
# ---------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_relations_and_same_padding_against_torch() -> None:
    torch = pytest.importorskip("torch")
    for req in _valid_requests(60, seed=21):
        (rel,) = relations(req.layer)
        (w,) = windows(req.layer)
        family = req.layer.type[:-2]
        if family == "Conv":
            module = torch.nn.Conv1d(1, 1, w.k, stride=w.s, padding=w.pl, dilation=w.d)
        elif family == "ConvTranspose":
            module = torch.nn.ConvTranspose1d(1, 1, w.k, stride=w.s, padding=w.pl, dilation=w.d, output_padding=w.output_padding)
        elif family == "MaxPool":
            module = torch.nn.MaxPool1d(w.k, stride=w.s, padding=w.pl, dilation=w.d, ceil_mode=w.ceil)
        else:
            module = torch.nn.AvgPool1d(w.k, stride=w.s, padding=w.pl, ceil_mode=w.ceil)
        for n in (rel.min_in, rel.min_in + 1, rel.min_in + 5, 33):
            with torch.no_grad():
                got = module(torch.zeros(1, 1, n)).shape[-1]
            assert rel(n) == got, (req.layer, n)
    for n, k, s in ((224, 7, 2), (8, 4, 1), (17, 3, 2), (9, 5, 3)):
        (ans,) = same(build("Conv1d", out_channels=1, kernel_size=k, stride=s), (n,))
        x = torch.nn.functional.pad(torch.zeros(1, 1, n), (ans.before, ans.after))
        assert torch.nn.Conv1d(1, 1, k, stride=s)(x).shape[-1] == ans.out
        if ans.symmetric is not None:
            assert torch.nn.Conv1d(1, 1, k, stride=s, padding=ans.symmetric)(torch.zeros(1, 1, n)).shape[-1] == ans.out
        if s == 1:  # PyTorch's own padding="same" keeps the size, with the same split
            assert torch.nn.Conv1d(1, 1, k, padding="same")(torch.zeros(1, 1, n)).shape[-1] == ans.out


# ---------------------------------------------------------------------------------------
# A new sliding layer is one class and one registry line
# ---------------------------------------------------------------------------------------


def test_a_new_sliding_layer_needs_one_class_and_one_registry_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pooling layer defined here, registered with one line, is accepted by ``layer``,
    ``same`` and ``layer --explain`` with no other edit."""
    from typer.testing import CliRunner

    from convcalc.cli import app
    from convcalc.layers import LAYER_TYPES, Shape, Window, arg
    from convcalc.layers.base import to_opt_tuple, to_tuple
    from convcalc.layers.pooling import Pool

    class SkipPool(Pool):  # a max pooling without padding, whose stride defaults to 1
        kernel_size: tuple[int, ...] = arg(to_tuple)
        stride: tuple[int, ...] | None = arg(to_opt_tuple, None)

        def _window_args(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
            s = self.stride or (1,) * self.dims
            return self.kernel_size, s, (0,) * self.dims, (1,) * self.dims, False

    monkeypatch.setitem(LAYER_TYPES, "SkipPool2d", (SkipPool, 2))  # the one registry line

    env = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    runner = CliRunner()
    got = runner.invoke(app, ["layer", "--type", "SkipPool2d", "--in", "9", "--k", "3", "--s", "2"], env=env)
    assert got.exit_code == 0, got.output
    assert got.stdout.startswith("SkipPool2d(kernel_size=3, stride=2)") and "output    4 × 4" in got.stdout
    got = runner.invoke(app, ["layer", "--type", "skippool2d", "--k", "3", "-q"], env=env)
    assert (got.exit_code, got.stdout) == (0, "out = in − 2   (in ≥ 3)   (each dimension)\n")
    got = runner.invoke(app, ["layer", "--type", "SkipPool2d", "--in", "9", "--k", "3", "--s", "2", "--explain"], env=env)
    assert got.exit_code == 0, got.output
    assert "⌊(9 + 2·0 − 3)/2⌋ + 1 = ⌊6/2⌋ + 1 = 4" in got.stdout
    got = runner.invoke(app, ["same", "--type", "SkipPool2d", "--in", "9", "--k", "3", "--s", "3", "-q"], env=env)
    assert (got.exit_code, got.stdout) == (0, "0 0\n")  # no padding argument: padding 0 is the one it takes
    got = runner.invoke(app, ["same", "--type", "SkipPool2d", "--in", "9", "--k", "3"], env=env)
    assert got.exit_code == 0 and "→ nn.ZeroPad2d((1, 1, 1, 1)) (left, right, top, bottom), then the SkipPool2d" in got.stdout
    got = runner.invoke(app, ["layer", "--type", "SkipPool2d", "--in", "9", "--k", "3", "--p", "1"], env=env)
    assert got.exit_code == 2 and "--p: SkipPool2d has no padding" in got.output
    assert Window(3, 2, 0, 0, 1, False, 0) == windows(build("SkipPool2d", k=3, s=(2, 2)))[0]


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (["layer", "--type", "LPPool2d", "--in", "9", "--k", "3", "--s", "2", "-q"], "4 4\n"),
        (["layer", "--type", "LPPool1d", "--in", "8", "--k", "3", "--s", "2", "--ceil-mode", "-q"], "4\n"),
        (["same", "--type", "LPPool1d", "--in", "9", "--k", "3", "--s", "3", "-q"], "0\n"),
    ],
)
def test_lppool_in_layer_and_same(args: list[str], want: str) -> None:
    from typer.testing import CliRunner

    from convcalc.cli import app

    got = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert (got.exit_code, got.stdout) == (0, want), got.output


def test_lppool_explained() -> None:
    e = explain(request_layer("LPPool2d", sizes=(9,), k=(3,), s=(2,)))
    assert [(d.steps, d.value) for _, ds in e.dimensions for d in ds] == [
        (("⌊(9 + 2·0 − 3)/2⌋ + 1", "⌊6/2⌋ + 1"), 4)
    ]
    assert e.totals == ()


def test_the_type_shorthands_are_the_registrys() -> None:
    """KINDS is written out (computing it loaded the pooling family for every ``convcalc
    layer``); it is the registered sliding layers' shorthands in registry order, and each
    names the registry's first layer of that kind for each dimension count."""
    from convcalc.explain import KINDS, _kinds, _sliding_types, layer_type

    assert _kinds() == KINDS
    for kind in KINDS:
        for dims in (1, 2, 3):
            first = next(t for t, (cls, d) in _sliding_types().items() if cls.shorthand == kind and d == dims)
            assert layer_type(kind, dims) == first
