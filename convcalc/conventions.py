"""Other counters' figures: what fvcore, ptflops, thop, ultralytics, torchinfo and
torchvision report for a network, reproduced from convcalc's exact per-layer arithmetic
(``net --conventions``, ``net --convention NAME``; SPEC §4).

Each counter's rule for a layer type lives beside the layer's own arithmetic, as a method
of the layer class (``fvcore_macs``, ``ptflops_macs``, ``ptflops_aten_macs``, ``thop_macs``,
``torchinfo_macs`` in :mod:`convcalc.layers`), its docstring naming the file and function of
the tool it comes from; this module adds the rows up as each tool does. The figures are
those of the tool run on the network built from PyTorch modules, one module per row
(``Add`` as ``a + b``, ``Concat`` as ``torch.cat``, a Residual's sum as ``body(x) +
shortcut(x)``: operations no module hook sees, and which no counter here counts).

>>> from convcalc import analyze
>>> report = analyze({"input": [1, 3, 8, 8], "layers": [
...     {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}}, "BatchNorm2d", "ReLU"]})
>>> [(c.counter.name, c.value) for c in counter_totals(report)][:5]
[('torch', 13824), ('fvcore', 7424), ('ptflops', 8192), ('ptflops-aten', 7168), ('thop', 7936)]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from .errors import InputError
from .layers import Layer, Shape, Step, suggest
from .records import Record
from .report import Report, Row, Totals

__all__ = ["COUNTERS", "Convention", "Counter", "Difference", "counter_totals", "row_figures", "with_convention"]


class Counter(Record, frozen=True):
    """One other tool: how it is asked (``tool``), what it calls its figure (``label``) and
    the unit it prints it in (``unit`` for billions, ``shown`` the pattern), whether the figure is a count of
    multiply-accumulates or of FLOPs (``kind``: ``"macs"`` or ``"flops"``), and what it
    counts, in one sentence."""

    name: str
    tool: str
    label: str
    unit: str
    shown: str  # how it prints a figure, ``{}`` for the prefix (G, M, K): "{}Mac" → "4.13 GMac"
    kind: str
    counts: str
    traces: bool = False  # counts a jit trace, which drops what no output depends on


COUNTERS: dict[str, Counter] = {
    c.name: c
    for c in (
        Counter(
            "torch",
            "torch 2.13.0 FlopCounterMode().get_total_flops()",
            "FLOPs",
            "GFLOPs",
            "{}FLOPs",
            "flops",
            "2 per multiply-accumulate of convolutions and matmuls, bias never; convcalc's FLOPs",
        ),
        Counter(
            "fvcore",
            "fvcore 0.1.5 FlopCountAnalysis(model, x).total()",
            "flops",
            "G",
            "{} flops",
            "macs",
            "multiply-accumulates (which it calls flops), BatchNorm 1-2 per element (eval), "
            "GroupNorm/LayerNorm/InstanceNorm 4-5, AdaptiveAvgPool2d and 2-d Upsample; no activation; "
            "nothing that no output depends on (its jit trace drops it)",
            traces=True,
        ),
        Counter(
            "ptflops",
            "ptflops 0.7.5 get_model_complexity_info(backend='pytorch')",
            "MACs",
            "GMac",
            "{}Mac",
            "macs",
            "per image: multiply-accumulates plus bias, norms, activations, pooling and upsampling; ReLU, "
            "GELU, ELU, PReLU and every pooling counted twice (module hook and patched function), "
            "Sigmoid, Tanh, Hardswish, Mish 0; `a + b` 0, torch.add counted",
        ),
        Counter(
            "ptflops-aten",
            "ptflops 0.7.5 get_model_complexity_info(backend='aten')",
            "MACs",
            "GMac",
            "{}Mac",
            "macs",
            "multiply-accumulates of convolutions and matmuls plus their bias adds (addmm); nothing else",
        ),
        Counter(
            "thop",
            "ultralytics-thop 2.2.3 thop.profile(model, (x,))[0]",
            "MACs",
            "G",
            "{} MACs",
            "macs",
            "multiply-accumulates plus norms (4 per element with affine), average-pool window sums, "
            "Softmax, PReLU, Upsample (bilinear 11 per output); ReLU, SiLU, Sigmoid, Hardswish, Mish, max pooling 0",
        ),
        Counter(
            "ultralytics",
            "ultralytics model.info(): 2 × thop at the given input (not its probe-and-rescale)",
            "GFLOPs",
            "GFLOPs",
            "{}FLOPs",
            "flops",
            "2 × thop",
        ),
        Counter(
            "torchinfo",
            "torchinfo 1.8.0 summary(model, input_data=x).total_mult_adds",
            "Total mult-adds",
            "G",
            "{} mult-adds",
            "macs",
            "parameters × output positions: convolutions (bias included) over their output, transposed "
            "ones too; any other layer its parameters × the batch only (Linear on [N, L, F]: not × L)",
        ),
        Counter(
            "torchvision",
            "torchvision model cards (_ops: GFLOPS)",
            "GFLOPS",
            "GFLOPS",
            "{}FLOPS",
            "macs",
            "multiply-accumulates of convolutions and linear layers, though it calls them GFLOPS",
        ),
    )
}


def _ptflops(layer: Layer, shape: Shape, step: Step, batch: int) -> Fraction:
    """ptflops' ``get_flops_pytorch`` (``ptflops/pytorch_engine.py``): the module hooks'
    sum divided by the batch (``compute_average_flops_cost``), the patched functions'
    added undivided."""
    hook, functional = layer.ptflops_macs(shape, step)
    return Fraction(hook, batch) + Fraction(functional)


#: Each counter's figure for one layer row (its input shape, its step and the network's batch).
_RULES: dict[str, Callable[[Layer, Shape, Step, int], int | Fraction]] = {
    "torch": lambda layer, shape, step, batch: 2 * step.macs,
    "fvcore": lambda layer, shape, step, batch: layer.fvcore_macs(shape, step),
    "ptflops": _ptflops,
    "ptflops-aten": lambda layer, shape, step, batch: layer.ptflops_aten_macs(shape, step),
    "thop": lambda layer, shape, step, batch: layer.thop_macs(shape, step),
    "ultralytics": lambda layer, shape, step, batch: 2 * layer.thop_macs(shape, step),
    "torchinfo": lambda layer, shape, step, batch: layer.torchinfo_macs(shape, step),
    "torchvision": lambda layer, shape, step, batch: step.macs,
}


def counter(name: str) -> Counter:
    """The counter of that name, or an InputError listing them (exit 2)."""
    found = COUNTERS.get(name)
    if found is None:
        raise InputError(f"unknown counter '{name}'{suggest(name, COUNTERS)}; choose from {', '.join(COUNTERS)}")
    return found


def row_figures(report: Report, name: str) -> list[int | Fraction]:
    """Counter ``name``'s figure for each row of ``report``, exact (ptflops' per-image figures
    can be fractions): a layer row's by its layer's rule, a block row's the sum of its layer
    rows; 0 for a row without a layer object."""
    c = counter(name)
    rule = _RULES[c.name]
    live = _live(report) if c.traces else None
    batch = report.input_shape[0] if report.input_shape else 1
    figures: list[int | Fraction] = []
    open_blocks: list[tuple[int, int]] = []  # (depth, position in figures) of the enclosing blocks
    for row in report.rows:
        while open_blocks and open_blocks[-1][0] >= row.depth:
            open_blocks.pop()
        if row.composite:
            figures.append(0)
            open_blocks.append((row.depth, len(figures) - 1))
            continue
        dead = row.layer is None or (live is not None and row.path not in live)
        value = 0 if dead else rule(row.layer, row.input_shape, _step(row), batch)
        figures.append(value)
        for _, at in open_blocks:
            figures[at] += value
    return figures


def _live(report: Report) -> set[str]:
    """The paths of the rows some output depends on: the outputs, what they read, and through
    a block the last row of each of its lists (its result) and its input."""
    by_path = {row.path: row for row in report.rows}
    results: dict[str, dict[str, Row]] = {}  # block path → list prefix → its last row so far
    open_blocks: list[Row] = []
    for row in report.rows:
        del open_blocks[row.depth :]
        if open_blocks:
            results.setdefault(open_blocks[-1].path, {})[row.path.rsplit(".", 1)[0]] = row
        if row.composite:
            open_blocks.append(row)
    live = {o.path for o in report.outputs}
    work = list(live)
    while work:
        found = by_path.get(work.pop())
        if found is None:  # the network input
            continue
        reads = [p.split("#")[0] for p in found.inputs] + [r.path for r in results.get(found.path, {}).values()]
        for path in reads:
            if path not in live:
                live.add(path)
                work.append(path)
    return live


def _step(row: Row) -> Step:
    return Step(row.output_shape, row.params, row.buffers, row.macs)


def _total(report: Report, figures: list[int | Fraction]) -> int:
    """The tool's total: the layer rows' sum (training-only rows aside, as PyTorch's eval
    mode runs none of them), rounded down as ptflops' ``int()`` does."""
    exact = sum((f for f, row in zip(figures, report.rows) if not row.composite and not row.training_only), Fraction(0))
    return math.floor(exact)


class Difference(Record, frozen=True):
    """How much one layer type adds to a counter's figure beyond torch's, in the counter's
    own unit (``amount``) and as a share of torch's figure in that unit (``share``)."""

    type: str
    amount: int
    share: float


class Convention(Record, frozen=True):
    """One counter's total for a network: ``value`` as the tool reports it (an exact count in
    the tool's own kind, MACs or FLOPs), ``macs`` the same as multiply-accumulates (FLOPs
    halved), ``versus_torch`` the relative difference from torch's count, and the layer types
    that make it, largest first."""

    counter: Counter
    value: int
    macs: int
    versus_torch: float
    differences: tuple[Difference, ...]

    def to_dict(self) -> dict[str, Any]:
        c = self.counter
        return {
            "name": c.name,
            "tool": c.tool,
            "label": c.label,
            "unit": c.unit,
            "kind": c.kind,
            "value": self.value,
            "macs": self.macs,
            "versus_torch": self.versus_torch,
            "counts": c.counts,
            "differences": [{"type": d.type, "amount": d.amount, "share": d.share} for d in self.differences],
        }


def counter_totals(report: Report) -> list[Convention]:
    """Every counter's total for the network of ``report``, with the layer types that make
    it differ from torch's FlopCounterMode (the API of ``net --conventions``)."""
    out = []
    macs = report.totals.macs
    for c in COUNTERS.values():
        figures = row_figures(report, c.name)
        value = _total(report, figures)
        per = 1 if c.kind == "macs" else 2  # torch's count in this counter's unit: per · MACs
        by_type: dict[str, Fraction] = {}
        for row, f in zip(report.rows, figures):
            if not row.composite and not row.training_only:
                by_type[row.type] = by_type.get(row.type, Fraction(0)) + f - per * row.macs
        base = per * macs
        differences = tuple(
            Difference(t, math.floor(d), float(d / base) if base else 0.0)
            for t, d in sorted(by_type.items(), key=lambda item: -abs(item[1]))
            if d
        )
        versus = float(Fraction(value - base, base)) if base else 0.0
        out.append(Convention(c, value, value // per, versus, differences))
    return out


class ConventionRow(Row):
    """A row whose MACs and FLOPs are a counter's; its JSON says which (``"convention"``)."""

    convention: str

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "convention": self.convention}


class ConventionTotals(Totals):
    """Totals whose MACs and FLOPs are a counter's, with ``"convention"`` in the JSON."""

    convention: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "convention": self.convention}


def with_convention(report: Report, name: str) -> Report:
    """``report`` with every row's and the totals' MACs and FLOPs as counter ``name``
    counts them (``net --convention NAME``): a counter of multiply-accumulates puts its
    figure in ``macs`` and ``flops`` = 2·macs; torch and ultralytics count FLOPs, which go in
    ``flops``, with ``macs`` = flops/2. ptflops' fractional per-image figures are rounded
    down per row; its total is its own ``int()`` of the exact sum."""
    c = counter(name)
    figures = row_figures(report, c.name)

    def both(value: int | Fraction) -> tuple[int, int]:
        whole = math.floor(value)
        return (whole, 2 * whole) if c.kind == "macs" else (whole // 2, whole)

    rows: list[Row] = []
    for row, figure in zip(report.rows, figures):
        new = _copy(row, ConventionRow)
        new.macs, new.flops = both(figure)
        new.convention = c.name
        rows.append(new)
    totals = _copy(report.totals, ConventionTotals)
    totals.macs, totals.flops = both(_total(report, figures))
    totals.convention = c.name
    out = _copy(report, Report)
    out.rows, out.totals = rows, totals
    return out


R = TypeVar("R", bound=Record)


def _copy(record: Record, cls: type[R]) -> R:
    """``record``'s fields in a new ``cls`` (the same class, or a subclass adding fields)."""
    new = cls.__new__(cls)
    for field in type(record)._fields:
        object.__setattr__(new, field, getattr(record, field))
    return new
