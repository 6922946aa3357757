"""Oracle for the other counters (``net --conventions``, ``--convention NAME``; SPEC §4).

Each tool — fvcore 0.1.5, ptflops 0.7.5 (pytorch and aten backends), ultralytics-thop 2.2.3
(and ultralytics' 2 × thop), torchinfo 1.8.0, and torch 2.13.0's FlopCounterMode — is run
on the network built from PyTorch modules, one module per row (:class:`graph_torch.GraphModule`
from the very description convcalc reads), and its figure must equal convcalc's for that
convention exactly:

* targeted networks, one per rule the counters differ on (``TARGETED``);
* every built-in network: the counters that read shapes only on the meta device at the
  network's own input, fvcore and ptflops on the CPU at a reduced one (the same size on both
  sides: :func:`_small`); every counter on the CPU at the network's own input with
  ``CONVCALC_ORACLE_ZOO=full`` (tens of minutes);
* what no tool sees (``a + b``, ``torch.cat``): the tools report for the torch network what
  convcalc reports for its Add/Concat rows, and ptflops counts ``torch.add`` but not ``+``;
* the torchvision-style twins (``tests/zoo_torch``), whose functional calls
  (``F.relu``, ``F.adaptive_avg_pool2d``, …) the module-hook counters see differently: the
  counters that read aten ops agree on every twin, the others on the module-for-module ones.

torchvision itself does not load beside the oracle's torch: its "GFLOPS" are checked against
the model cards' figures (``published.json``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import convcalc
from convcalc.conventions import COUNTERS, counter_totals, row_figures, with_convention
from convcalc.zoo import ZOO_DIR

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.zoo_torch, when this file runs alone
for _tool in ("fvcore", "ptflops", "thop", "torchinfo"):
    pytest.importorskip(_tool)

from graph_torch import GraphModule, Row, Value, make_leaf  # noqa: E402  (after torch)

pytestmark = pytest.mark.oracle
TOOLS = ("torch", "fvcore", "ptflops", "ptflops-aten", "thop", "ultralytics", "torchinfo")


#: Layers whose own argument names are convcalc's short aliases (Dropout's p, LocalResponseNorm's k).
OWN_NAMES = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "LocalResponseNorm")


class Module(GraphModule):
    """GraphModule with leaf keys fvcore can trace (its scope names split on ``/``), and the
    layers of :data:`OWN_NAMES` built with their arguments as given (graph_torch reads ``p``
    and ``k`` as the aliases of padding and kernel_size)."""

    def _leaf(self, kind: str, args: dict[str, Any], sources: list[Any], path: str, frozen: bool, row: Any) -> Any:
        key = "m" + path.replace(".", "_")
        xs = [v.tensor for v in sources]
        if self._building:
            module = getattr(torch.nn, kind)(**args) if kind in OWN_NAMES else make_leaf(kind, args, xs)
            module.eval()
            self.leaves[key] = module
        module = self.leaves[key]
        row.module = module
        return Value(module(*xs), path)

    def _entry(
        self, kind: str, args: dict[str, Any], sources: list[Any], frame: Any, path: str, depth: int,
        frozen: bool, name: str | None,
    ) -> Any:  # fmt: skip
        """Once built, a row records only its output shape (what ``forward`` reads): the
        parameter sums of each block row cost more than the network itself under fvcore's
        jit trace."""
        if self._building:
            return super()._entry(kind, args, sources, frame, path, depth, frozen, name)
        composite = kind in ("Sequential", "Repeat", "Residual", "Split") or (
            kind in ("Concat", "Add", "Multiply") and "branches" in args
        )
        row = Row(path, kind, name, depth, composite)
        self.rows.append(row)
        if composite:
            value = self._block(kind, args, sources[0], frame, path, depth, frozen)
        else:
            value = self._leaf(kind, args, sources, path, frozen, row)
        row.output_shape = tuple(value.tensor.shape)
        return value


def _build(desc: dict[str, Any], shape: tuple[int, ...]) -> Any:
    """The module on the CPU, its weights allocated but not initialised (no count reads them)."""
    with torch.device("meta"):
        model = Module(desc, shape)
    return _on_cpu(model)


def _on_cpu(model: Any) -> Any:
    """``model``, built on meta, on the CPU, its weights allocated but not initialised: no count
    reads them (memory left as it was can hold denormal floats, which the CPU multiplies many times
    slower unless it flushes them: :func:`_no_denormals`)."""
    return model.to_empty(device="cpu").eval()


def run_tools(model: Any, shape: tuple[int, ...], tools: tuple[str, ...] = TOOLS, device: str = "cpu") -> dict[str, int]:
    """Each of ``tools``' figure for ``model`` on a zero input of ``shape`` on ``device``, as the
    tool returns it (``ultralytics``: 2 × thop's)."""
    import thop
    import torchinfo
    from fvcore.nn import FlopCountAnalysis
    from ptflops import get_model_complexity_info
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.zeros(shape, device=device)
    out: dict[str, int] = {}
    if "torch" in tools:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
        out["torch"] = counter.get_total_flops()
    if "fvcore" in tools:
        analysis = FlopCountAnalysis(model, (x,))
        analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False).tracer_warnings("none")
        out["fvcore"] = int(analysis.total())
    resolution = tuple(shape[1:]) or (1,)
    with contextlib.redirect_stdout(io.StringIO()):
        for name, backend in (("ptflops", "pytorch"), ("ptflops-aten", "aten")):
            if name in tools:
                macs, _ = get_model_complexity_info(model, resolution, input_constructor=lambda _: x, as_strings=False,
                                                    print_per_layer_stat=False, backend=backend)  # fmt: skip
                assert macs is not None, f"ptflops ({backend}) failed"
                out[name] = macs
        if "thop" in tools or "ultralytics" in tools:
            total, _ = thop.profile(model, inputs=(x,), verbose=False)
            assert total == int(total)
            out.update({k: v for k, v in (("thop", int(total)), ("ultralytics", int(2 * total))) if k in tools})
    if "torchinfo" in tools:
        out["torchinfo"] = torchinfo.summary(model, input_data=x, device=x.device, verbose=0).total_mult_adds
    return out


def mine(desc: dict[str, Any], shape: tuple[int, ...]) -> dict[str, int]:
    report = convcalc.analyze(desc, input_shape=list(shape))
    return {c.counter.name: c.value for c in counter_totals(report)}


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    logging.disable(logging.WARNING)  # thop's and fvcore's "no rule for …" lines
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


@pytest.fixture(autouse=True)
def _no_denormals() -> Any:
    torch.set_flush_denormal(True)
    yield
    torch.set_flush_denormal(False)


def eval_only(item: Any) -> Any:
    """The description without its ``training_only`` entries: what PyTorch runs in eval mode
    (GraphModule runs every entry), and what convcalc's totals count."""
    if isinstance(item, list):
        return [eval_only(x) for x in item if not (isinstance(x, dict) and _training_only(x))]
    if isinstance(item, dict):
        return {k: eval_only(v) for k, v in item.items()}
    return item


def _training_only(entry: dict[str, Any]) -> bool:
    return (
        len(entry) == 1 and isinstance(args := next(iter(entry.values())), dict) and args.get("training_only") is True
    )


def _check(desc: dict[str, Any], shape: tuple[int, ...] | None = None) -> dict[str, int]:
    shape = tuple(shape or desc["input"])
    want = run_tools(_build(eval_only(desc), shape), shape)
    got = mine(desc, shape)
    assert {k: got[k] for k in TOOLS} == want
    return got


# -- targeted networks: one rule each ---------------------------------------------------------

C3 = {"out_channels": 4, "kernel_size": 3}
TARGETED: dict[str, tuple[list[int], list[Any]]] = {
    "conv bias, BatchNorm, ReLU": ([1, 3, 8, 8], [{"Conv2d": {**C3, "padding": 1}}, "BatchNorm2d", "ReLU"]),
    "transposed conv with bias": ([2, 3, 9, 9], [{"ConvTranspose2d": {**C3, "stride": 2, "output_padding": 1}}]),
    "transposed conv 1-d, no bias": ([2, 3, 9], [{"ConvTranspose1d": {**C3, "stride": 3, "bias": False}}]),
    "grouped and depthwise conv": ([2, 4, 9, 9], [{"Conv2d": {"out_channels": 8, "kernel_size": 3, "groups": 2}},
                                                  {"Conv2d": {"out_channels": 8, "kernel_size": 3, "groups": 8,
                                                              "bias": False}}]),  # fmt: skip
    "conv padding same and valid (fvcore: 0)": ([2, 4, 9, 9], [{"Conv2d": {**C3, "padding": "same"}},
                                                               {"Conv2d": {**C3, "padding": "valid"}}]),  # fmt: skip
    "conv reflect padding, 3-d conv": ([1, 2, 5, 6, 7], [{"Conv3d": {**C3, "padding": 1, "padding_mode": "reflect"}}]),
    "BatchNorm with and without affine, running stats": ([2, 4, 9, 9], [
        {"BatchNorm2d": {"affine": False}}, {"BatchNorm2d": {"track_running_stats": False}},
        {"BatchNorm2d": {"affine": False, "track_running_stats": False}}]),
    "BatchNorm1d on [N, C]": ([3, 5], ["BatchNorm1d"]),
    "GroupNorm with and without affine": ([2, 4, 9, 9], [{"GroupNorm": {"num_groups": 2}},
                                                         {"GroupNorm": {"num_groups": 4, "affine": False}}]),
    "LayerNorm with and without affine": ([2, 4, 9, 9], [
        {"LayerNorm": {"normalized_shape": [9]}}, {"LayerNorm": {"normalized_shape": [9, 9], "elementwise_affine": False}},
        {"LayerNorm": {"normalized_shape": [9], "bias": False}}]),
    "InstanceNorm with and without affine": ([2, 4, 9, 9], ["InstanceNorm2d", {"InstanceNorm2d": {"affine": True}}]),
    "LocalResponseNorm 2-d and 1-d": ([2, 5, 6, 6], [{"LocalResponseNorm": {"size": 3}}]),
    "LocalResponseNorm on [N, C, L]": ([2, 5, 7], [{"LocalResponseNorm": {"size": 2}}]),
    "every activation": ([2, 4, 5, 5], [
        "ReLU", "ReLU6", "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Hardswish",
        "Hardsigmoid", "Hardtanh", "Softplus", "PReLU", {"PReLU": {"num_parameters": 4}}, "Identity", "Dropout",
        {"Dropout2d": {"p": 0.1}}, {"ReLU": {"inplace": True}}]),
    "Softmax and LogSoftmax": ([2, 4, 5, 5], [{"Softmax": {"dim": 1}}, {"LogSoftmax": {"dim": -1}}, "Softmax"]),
    "Softmax implicit dim on 3-d, GLU": ([2, 4, 6], ["Softmax", {"GLU": {"dim": 1}}]),
    "MaxPool ceil_mode": ([2, 4, 9, 9], [{"MaxPool2d": {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}}]),
    "MaxPool 1-d dilated, 3-d": ([2, 4, 6, 7, 8], [{"MaxPool3d": {"kernel_size": 2, "dilation": 2}}]),
    "AvgPool ceil_mode, padding counted": ([2, 4, 9, 9], [
        {"AvgPool2d": {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}}]),
    "AvgPool padding not counted": ([2, 4, 9, 9], [
        {"AvgPool2d": {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}}]),
    "AvgPool 1-d and 3-d": ([2, 4, 6, 7, 10], [{"AvgPool3d": {"kernel_size": [2, 3, 3], "stride": [1, 2, 3]}}]),
    "AvgPool1d": ([2, 4, 10], [{"AvgPool1d": {"kernel_size": 3, "stride": 2, "padding": 1}}]),
    "LPPool finite and infinite": ([2, 4, 9, 9], [{"LPPool2d": {"norm_type": 2, "kernel_size": 3, "stride": 2}},
                                                  {"LPPool2d": {"norm_type": float("inf"), "kernel_size": 2}}]),
    "LPPool1d": ([2, 4, 10], [{"LPPool1d": {"norm_type": 3, "kernel_size": 3}}]),
    "adaptive avg pooling, non-dividing": ([2, 4, 9, 10], [{"AdaptiveAvgPool2d": {"output_size": [4, 7]}}]),
    "adaptive avg pooling 1-d and 3-d": ([2, 4, 5, 6, 7], [{"AdaptiveAvgPool3d": {"output_size": [2, 4, 3]}}]),
    "adaptive avg pooling 1-d": ([2, 4, 10], [{"AdaptiveAvgPool1d": {"output_size": 3}}]),
    "adaptive avg pooling keeping a size": ([2, 4, 9, 10], [{"AdaptiveAvgPool2d": {"output_size": [None, 3]}}]),
    "adaptive max pooling": ([2, 4, 9, 9], [{"AdaptiveMaxPool2d": {"output_size": 4}},
                                            {"AdaptiveMaxPool2d": {"output_size": 1}}]),
    "Upsample nearest, scale 2": ([2, 4, 5, 6], [{"Upsample": {"scale_factor": 2}}]),
    "Upsample bilinear, fractional scale": ([2, 4, 5, 6], [{"Upsample": {"scale_factor": 1.5, "mode": "bilinear"}}]),
    "Upsample bilinear align_corners, size": ([1, 4, 5, 6], [
        {"Upsample": {"size": [7, 9], "mode": "bilinear", "align_corners": True}}]),
    "Upsample bicubic, size": ([2, 4, 5, 6], [{"Upsample": {"size": [7, 9], "mode": "bicubic"}}]),
    "Upsample area, one size": ([2, 4, 5, 6], [{"Upsample": {"size": 7, "mode": "area"}}]),
    "Upsample nearest-exact, list of scales": ([2, 4, 5, 6], [
        {"Upsample": {"scale_factor": [1.5, 2.5], "mode": "nearest-exact"}}]),
    "Upsample linear, 1-d": ([2, 4, 5], [{"Upsample": {"scale_factor": 2, "mode": "linear"}}]),
    "Upsample trilinear and nearest, 3-d": ([1, 2, 3, 4, 5], [{"Upsample": {"scale_factor": 2, "mode": "trilinear"}},
                                                               {"Upsample": {"scale_factor": 0.5}}]),
    "Upsample fractional scale at batch 3": ([3, 4, 5, 6], [{"Upsample": {"scale_factor": 1.3}}]),
    "Linear on 2-d, 3-d and 5-d input": ([2, 3, 2, 5, 7], [{"Linear": {"out_features": 3}},
                                                           {"Linear": {"out_features": 2, "bias": False}}]),
    "Linear on 3-d input": ([2, 5, 7], [{"Linear": {"out_features": 3}}]),
    "Flatten, Linear at batch 4": ([4, 3, 5], ["Flatten", {"Linear": {"out_features": 2}}]),
    "shape layers and padding": ([2, 4, 6, 6], [
        {"ZeroPad2d": {"padding": 1}}, {"ReflectionPad2d": {"padding": 1}}, {"ChannelShuffle": {"groups": 2}},
        {"PixelShuffle": {"upscale_factor": 2}}, {"PixelUnshuffle": {"downscale_factor": 2}}, "Scale",
        {"Unflatten": {"dim": 1, "unflattened_size": [2, 2]}}, {"Reshape": {"shape": [4, 100]}}]),
    "a row no output depends on (fvcore's trace drops it)": ([1, 3, 6, 6], [
        {"Conv2d": {"name": "a", **C3}}, {"Conv2d": {"name": "dead", "from": "input", **C3}}, "ReLU",
        {"Residual": {"from": "a", "body": [{"Conv2d": {**C3, "padding": 1}}]}},
        {"Conv2d": {"from": "a", **C3, "padding": 1}}]),
    "residual add and concat": ([2, 4, 5, 6], [
        {"Residual": {"body": [{"Conv2d": {**C3, "padding": 1}}, "BatchNorm2d"]}},
        {"Concat": {"branches": [["ReLU"], [{"MaxPool2d": {"kernel_size": 3, "stride": 1, "padding": 1}}]]}},
        {"Conv2d": {"name": "a", **C3, "padding": 1}}, {"Conv2d": {"name": "b", **C3, "padding": 1}},
        {"Add": {"from": ["a", "b"]}}, {"Multiply": {"from": ["a", -1]}}, {"Concat": {"from": ["a", "b"]}}]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(TARGETED))
def test_each_tool_gives_convcalcs_figure(case: str) -> None:
    shape, layers = TARGETED[case]
    got = _check({"input": shape, "layers": layers})
    assert got["torchvision"] * 2 == got["torch"]


def test_the_rules_that_make_the_differences() -> None:
    """A few of the rules written out, so that a change of a rule shows here by name."""
    n = 2 * 4 * 9 * 9

    def one(layer: Any, shape: list[int] | None = None) -> dict[str, int]:
        return mine({"input": shape or [2, 4, 9, 9], "layers": [layer]}, tuple(shape or [2, 4, 9, 9]))

    bn = one("BatchNorm2d")
    assert (bn["fvcore"], bn["ptflops"], bn["thop"], bn["torchinfo"]) == (2 * n, 2 * n // 2, 4 * n, 2 * 8)
    relu = one("ReLU")
    assert (relu["ptflops"], relu["thop"], relu["fvcore"]) == (n // 2 + n, 0, 0)  # hook per image, F.relu per batch
    assert one("SiLU")["ptflops"] == n and one("Hardswish")["ptflops"] == 0
    pool = one({"MaxPool2d": {"kernel_size": 3}})
    assert pool["ptflops"] == n // 2 + n and pool["thop"] == 0
    up = one({"Upsample": {"scale_factor": 2, "mode": "bilinear"}})
    assert up["thop"] == 11 * 4 * n and up["fvcore"] == 4 * 4 * n
    t = one({"ConvTranspose2d": {"out_channels": 2, "kernel_size": 2, "stride": 2}})
    assert t["torchinfo"] == (4 * 2 * 4 + 2) * 2 * 18 * 18  # (weight + bias) × N·∏out: over the output
    lin = one({"Linear": {"out_features": 3}}, [2, 5, 7])
    assert lin["torchinfo"] == 2 * (7 * 3 + 3)  # × N only, not × L


# -- what no tool sees -------------------------------------------------------------------------


class _Functional(torch.nn.Module):
    """conv → (a + b, or torch.add) → torch.cat → ReLU, with the sum and cat written as code."""

    def __init__(self, add: str) -> None:
        super().__init__()
        self.a = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.b = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.relu = torch.nn.ReLU()
        self.add = add

    def forward(self, x: Any) -> Any:
        a, b = self.a(x), self.b(x)
        s = a + b if self.add == "+" else torch.add(a, b)
        return self.relu(torch.cat([s, a], 1))


def test_functional_adds_and_cat_count_as_convcalcs_merge_rows() -> None:
    """The Add and Concat rows of convcalc are ``a + b`` and ``torch.cat``: no tool counts
    them, and convcalc gives each tool's figure for the hand-written module; ptflops patches
    ``torch.add`` (not ``+``), which then adds one per output element."""
    desc = {"input": [1, 3, 6, 6], "layers": [
        {"Conv2d": {"name": "a", "out_channels": 4, "kernel_size": 3, "padding": 1}},
        {"Conv2d": {"name": "b", "out_channels": 4, "kernel_size": 3, "padding": 1, "from": "input"}},
        {"Add": {"name": "s", "from": ["a", "b"]}}, {"Concat": {"from": ["s", "a"]}}, "ReLU"]}  # fmt: skip
    got = mine(desc, (1, 3, 6, 6))
    plus = run_tools(_Functional("+").eval(), (1, 3, 6, 6))
    assert {k: got[k] for k in TOOLS} == plus
    added = run_tools(_Functional("torch.add").eval(), (1, 3, 6, 6))
    assert added["ptflops"] == plus["ptflops"] + 4 * 6 * 6
    assert {k: v for k, v in added.items() if k != "ptflops"} == {k: v for k, v in plus.items() if k != "ptflops"}


# -- every built-in network ---------------------------------------------------------------------

ZOO = sorted(p.stem for p in ZOO_DIR.glob("*.yaml"))

#: The counters that read shapes only (module hooks, dispatched aten ops) run on the meta
#: device: no weights and no arithmetic, so each built-in network at its own input in a
#: fraction of a second (that meta changes none of their figures is checked on every targeted
#: network, :func:`test_the_shape_counters_count_the_same_on_meta`). fvcore's jit trace cannot
#: run on meta (the meta kernels' shape checks fail under tracing), and ptflops' pytorch backend
#: counts more there (PyTorch's Python meta kernels call the functions it patches, such as
#: ``torch.mul`` inside Upsample's): those two run on the CPU, at a reduced input (:func:`_small`).
ON_META = ("torch", "ptflops-aten", "thop", "ultralytics", "torchinfo")
ON_CPU = ("fvcore", "ptflops")
assert sorted(ON_META + ON_CPU) == sorted(TOOLS)


def _small(desc: dict[str, Any]) -> tuple[int, ...]:
    """The network's input with its spatial sides (the last two; a 1-d signal's length) cut to
    the smallest of 32, 48, 64, … that the network accepts (convcalc accepts exactly what
    PyTorch does), for speed."""
    shape = list(desc["input"])
    sides = 1 if len(shape) == 3 else 2
    if len(shape) >= 3:
        for side in (32, 48, 64, 96, 128, 160, 256, 512, 1024, 2048, 4096):
            if side >= min(shape[-sides:]):
                break
            smaller = [*shape[:-sides], *[side] * sides]
            try:
                convcalc.analyze(desc, input_shape=smaller)
                return tuple(smaller)
            except convcalc.ConvCalcError:
                continue
    return tuple(shape)


#: Known disagreements, each a strict xfail so that a fix shows (as an unexpected pass). WaveNet's
#: was fvcore's jit trace dropping the last residual conv, which no output reads: convcalc's
#: fvcore convention now leaves out such rows too ("a row no output depends on" above).
KNOWN: dict[str, str] = {}


def _zoo_cases(names: Any) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n for n in names]


@pytest.fixture
def one_thread() -> Any:
    """One intra-op thread: the CPU runs are small, and CI has two cores to share."""
    was = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(was)


@pytest.mark.parametrize("name", _zoo_cases(ZOO))
def test_every_built_in_network(name: str, one_thread: Any) -> None:
    """Every tool on every built-in network: the shape counters on meta at the network's own
    input (a training-only branch, Inception v3's AuxLogits, left out of the torch module as
    PyTorch's eval mode skips it, and left in convcalc's description, whose totals leave it
    out), fvcore and ptflops on the CPU at :func:`_small`'s input (the same on both sides)."""
    desc = name_desc(name)
    runnable = eval_only(desc)
    full = tuple(desc["input"])
    with torch.device("meta"):
        model = Module(runnable, full)
    got = mine(desc, full)
    assert {k: got[k] for k in ON_META} == run_tools(model.eval(), full, ON_META, device="meta")
    small = _small(runnable)
    if small != full and _params(runnable, small) != _params(runnable, full):
        with torch.device("meta"):  # a size-dependent layer (a Linear after Flatten): built again
            model = Module(runnable, small)
    got = mine(runnable, small)
    assert {k: got[k] for k in ON_CPU} == run_tools(_on_cpu(model), small, ON_CPU)


def _params(desc: dict[str, Any], shape: tuple[int, ...]) -> list[int]:
    """Each row's parameters at input ``shape``: the same at two sizes when no layer's inferred
    argument depends on the size, so that the module built for one runs at the other (if one
    did differ, PyTorch would refuse the input: a loud failure, not a different count)."""
    return [row.params for row in convcalc.analyze(desc, input_shape=list(shape)).rows]


@pytest.mark.skipif(os.environ.get("CONVCALC_ORACLE_ZOO") != "full", reason="CONVCALC_ORACLE_ZOO=full (tens of minutes)")
@pytest.mark.parametrize("name", _zoo_cases(ZOO))
def test_every_built_in_network_on_the_cpu_at_its_own_input(name: str) -> None:
    """The long sweep: every tool on the CPU at the network's own input."""
    desc = name_desc(name)
    _check(eval_only(desc), tuple(desc["input"]))


@pytest.mark.parametrize("case", sorted(TARGETED))
def test_the_shape_counters_count_the_same_on_meta(case: str) -> None:
    """What lets the built-in networks' sweep run them on meta: on every targeted network the
    shape counters report on the meta device what they report on the CPU."""
    shape, layers = TARGETED[case]
    desc = eval_only({"input": shape, "layers": layers})
    with torch.device("meta"):
        model = Module(desc, tuple(shape))
    on_meta = run_tools(model.eval(), tuple(shape), ON_META, device="meta")
    assert on_meta == run_tools(_build(desc, tuple(shape)), tuple(shape), ON_META)


@pytest.mark.parametrize("name", ["lenet", "resnet18", "resnet50", "mobilenet_v2"])
def test_at_the_full_input(name: str) -> None:
    """The figures the README and the CLI tests quote, at the network's own input, every tool
    on the CPU."""
    got = _check(name_desc(name))
    if name == "resnet18":
        from test_conventions_cli import RESNET18

        assert got == RESNET18  # the CLI tests' figures are the tools' own


def name_desc(name: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((ZOO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def test_a_training_only_branch_is_not_counted() -> None:
    """As torch in eval mode runs no training-only branch, no counter counts one."""
    desc = {"input": [1, 3, 12, 12], "layers": [
        {"Conv2d": {"name": "stem", "out_channels": 4, "kernel_size": 3}},
        {"Sequential": {"name": "aux", "training_only": True, "layers": [
            {"AvgPool2d": {"kernel_size": 5, "stride": 3}}, "Flatten", {"Linear": {"out_features": 2}}]}},
        {"Conv2d": {"from": "stem", "out_channels": 4, "kernel_size": 3}}, "BatchNorm2d", "ReLU"]}  # fmt: skip
    got = _check(desc)
    assert got["torch"] == 2 * convcalc.analyze(desc).totals.macs


def test_torchvision_is_its_model_cards() -> None:
    """torchvision's "GFLOPS" are MACs: convcalc's torchvision figure rounds to the card's."""
    catalogue = json.loads((ZOO_DIR / "catalogue.json").read_text(encoding="utf-8"))["networks"]
    checked = 0
    for entry in catalogue:
        card = entry["published"] or {}
        if "gflops" in card:
            value = next(
                c.value for c in counter_totals(convcalc.analyze(entry["name"])) if c.counter.name == "torchvision"
            )
            assert round(value / 1e9, 3) == card["gflops"], entry["name"]
            checked += 1
    assert checked >= 60, checked


# -- the torchvision-style twins ----------------------------------------------------------------

#: Twins whose forward calls a module for every row: every counter agrees.
MODULE_FOR_MODULE = ("resnet18", "resnet50", "vgg16", "alexnet", "regnet_x_400mf")


def _twin(name: str, shape: tuple[int, ...]) -> dict[str, int]:
    from tests.zoo_torch import all_twins

    with torch.device("meta"):
        model = all_twins()[name]()
    return run_tools(model.to_empty(device="cpu").eval(), shape)


@pytest.mark.parametrize("name", MODULE_FOR_MODULE)
def test_module_for_module_twins_agree_on_every_counter(name: str) -> None:
    import yaml

    desc = yaml.safe_load((ZOO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    shape = _small(desc)
    assert {k: v for k, v in mine(desc, shape).items() if k in TOOLS} == _twin(name, shape)


@pytest.mark.parametrize("name", ["googlenet", "mobilenet_v2", "densenet121", "convnext_tiny", "efficientnet_b0"])
def test_functional_twins_agree_on_the_counters_that_read_aten_ops(name: str) -> None:
    """torchvision's F.relu, F.adaptive_avg_pool2d, LayerNorm2d (a LayerNorm subclass) and
    ``scale * x`` are what FlopCounterMode, fvcore's trace and ptflops' aten backend see
    all the same; the module-hook counters see less (listed in docs/conventions.md)."""
    import yaml

    desc = yaml.safe_load((ZOO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    shape = _small(desc)
    got, twin = mine(desc, shape), _twin(name, shape)
    assert {k: got[k] for k in ("torch", "fvcore", "ptflops-aten")} == {
        k: twin[k] for k in ("torch", "fvcore", "ptflops-aten")
    }


# -- --convention NAME --------------------------------------------------------------------------


def test_with_convention_puts_the_figure_in_macs_or_flops() -> None:
    report = convcalc.analyze("resnet18")
    for name, c in COUNTERS.items():
        counted = with_convention(report, name)
        figures = row_figures(report, name)
        data = counted.to_dict()
        assert data["totals"]["convention"] == name and {r["convention"] for r in data["layers"]} == {name}
        for row, f in zip(counted.rows, figures):
            if c.kind == "macs":
                assert (row.macs, row.flops) == (math.floor(f), 2 * math.floor(f))
            else:
                assert (row.macs, row.flops) == (f // 2, f)
        leaves = [r for r in counted.rows if not r.composite]
        assert sum(r.macs for r in leaves) == counted.totals.macs  # the column sums to its total
        assert counted.totals.flops == 2 * counted.totals.macs
    assert with_convention(report, "torch").totals.macs == report.totals.macs
    with pytest.raises(convcalc.InputError, match="did you mean 'fvcore'"):
        with_convention(report, "fvcor")
