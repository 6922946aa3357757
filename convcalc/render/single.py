"""Text and JSON for one layer: the answers of ``convcalc layer`` and ``convcalc same``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..layers import AXES, Sliding
from .numbers import shape, si, thousands

if TYPE_CHECKING:
    from ..explain import Derivation, Explanation, Relation, Request, SameDim, Window
    from ..report import Report

__all__ = [
    "describe",
    "explain_text",
    "layer_json",
    "layer_text",
    "quiet_relation",
    "quiet_same",
    "quiet_sizes",
    "relation_json",
    "same_json",
    "same_text",
]

_WIDE = 76  # a derivation longer than this is written one step per line


def _value(v: Any) -> str:
    if isinstance(v, list):
        return str(v[0]) if len(set(v)) == 1 else "(" + ", ".join(str(x) for x in v) + ")"
    if isinstance(v, str):
        return repr(v)
    return str(v)


def describe(request: Request) -> str:
    """The layer as PyTorch would print it: ``Conv2d(3, 64, kernel_size=7, stride=2)``
    (the channels only when they were given)."""
    args = request.layer.arguments()
    c_in, c_out = args.pop("in_channels", None), args.pop("out_channels", None)
    parts = [str(c_in), str(c_out)] if request.channels and c_out is not None else []
    parts += [f"{key}={_value(value)}" for key, value in args.items()]
    return f"{request.layer.type}({', '.join(parts)})"


def _sizes(values: Sequence[int]) -> str:
    return " × ".join(str(v) for v in values)


def _relation_lines(relations: Sequence[Relation]) -> list[str]:
    """``out = in``; one line per dimension when they differ."""
    texts = [str(r) for r in relations]
    if len(set(texts)) == 1:
        return [texts[0] + ("" if len(texts) == 1 else "   (each dimension)")]
    axes = AXES[len(texts)]
    width = max(len(a) for a in axes) + 1
    return [f"{(axis + ':').ljust(width)} {text}" for axis, text in zip(axes, texts, strict=False)]


def _big(n: int) -> str:
    """``118,013,952 (118 M)``, or just the number when the unit adds nothing."""
    full, short = thousands(n), si(n)
    return full if short == full else f"{full} ({short})"


def layer_text(request: Request, relations: Sequence[Relation], report: Report | None, width: int = 100) -> str:
    """The layer, its relation, and with an input its output sizes (params, MACs and FLOPs
    when channels were given); its warnings go to stderr (the command line writes them)."""
    lines = [describe(request)]
    relation = _relation_lines(relations)
    if report is None:
        return "\n".join(lines + relation) + "\n"
    row = report.rows[0]
    pairs = [("relation", relation[0])] + [("", line) for line in relation[1:]]
    spatial_in, spatial_out = row.input_shape[2:], row.output_shape[2:]
    pairs.append(("input", _sizes(spatial_in) + (f"   {shape(row.input_shape)}" if request.channels else "")))
    pairs.append(("output", _sizes(spatial_out) + (f"   {shape(row.output_shape)}" if request.channels else "")))
    if request.channels:
        pairs += [("params", thousands(row.params)), ("MACs", _big(row.macs)), ("FLOPs", _big(row.flops))]
    lines += [f"{label:<9} {text}".rstrip() for label, text in pairs]
    return "\n".join(lines) + "\n"


def _derivation(d: Derivation, indent: str) -> list[str]:
    lhs, rhs = d.formula.split(" = ", 1)
    value = [] if d.value is None else [_big(d.value)]
    chain = [rhs, *d.steps, *value]
    one_line = f"{indent}{lhs} = " + " = ".join(chain)
    if len(one_line) <= _WIDE and not d.notes:
        return [one_line]
    pad = indent + " " * len(lhs)
    lines = [f"{indent}{lhs} = {rhs}"] + [f"{pad} = {step}" for step in d.steps]
    lines += [f"{pad}   ({note})" for note in d.notes]
    lines += [f"{pad} = {v}" for v in value]
    return lines


def explain_text(request: Request, explanation: Explanation, width: int = 100) -> str:
    """Each formula, then the same with the numbers put in, step by step (the warnings go
    to stderr: the command line writes them)."""
    head = describe(request)
    if request.sizes is not None:
        head += f", input {_sizes(request.sizes)}"
        if request.channels:
            head += f" {shape(request.input_shape)}"
    lines = [head]
    for heading, derivations in explanation.dimensions:
        lines.append("")
        indent = ""
        if heading:
            lines.append(f"{heading}:")
            indent = "  "
        for d in derivations:
            lines += _derivation(d, indent)
    if explanation.totals:
        lines.append("")
        for d in explanation.totals:
            lines += _derivation(d, "")
    return "\n".join(lines) + "\n"


def quiet_sizes(report: Report) -> str:
    """``-q``: the output sizes, separated by spaces."""
    return " ".join(str(v) for v in report.rows[0].output_shape[2:]) + "\n"


def quiet_relation(relations: Sequence[Relation]) -> str:
    """``-q`` without an input: the relation."""
    return "\n".join(_relation_lines(relations)) + "\n"


def layer_json(report: Report, relations: Sequence[Relation]) -> str:
    """SPEC §5 for the one layer, with its relation added."""
    from .text import to_json

    data = report.to_dict()
    data["relation"] = [str(r) for r in relations]
    data["min_input"] = [r.min_in for r in relations]
    return to_json(data)


def relation_json(request: Request, relations: Sequence[Relation]) -> str:
    """The layer and its relation, without an input."""
    from .text import to_json

    return to_json(
        {
            "convcalc": 1,
            "type": request.layer.type,
            "arguments": request.layer.arguments(),
            "relation": [str(r) for r in relations],
            "min_input": [r.min_in for r in relations],
        }
    )


# ---------------------------------------------------------------------------------------
# same
# ---------------------------------------------------------------------------------------


def _target(d: SameDim, stride: int, transposed: bool, given: bool) -> str:
    if given:
        return f"out = {d.out} (--out)"
    if transposed:
        return f"out = in·s = {d.n}·{stride} = {d.out}"
    return f"out = ⌈in/s⌉ = ⌈{d.n}/{stride}⌉ = {d.out}"


def _same_block(d: SameDim, stride: int, transposed: bool, given: bool, indent: str) -> list[str]:
    pairs = [("target", _target(d, stride, transposed, given))]
    if transposed:
        pairs.append(("padding", f"padding={d.symmetric}, output_padding={d.output_padding}"))
    else:
        pairs.append(("minimal", f"{d.total} in total: {d.before} before, {d.after} after"))
        pairs.append(("symmetric", "none gives it" if d.symmetric is None else f"padding={d.symmetric}"))
    return [f"{indent}{label:<10} {text}" for label, text in pairs]


def same_text(request: Request, answers: Sequence[SameDim], windows: Sequence[Window], given: bool) -> str:
    """The target, the minimal padding with PyTorch's split and the smallest symmetric
    padding, per dimension (once when all dimensions are alike), then what to write."""
    transposed = isinstance(request.layer, Sliding) and request.layer.transposed
    lines = [f"{describe(request)}, input {_sizes([d.n for d in answers])}"]
    per_dim = [(d, w.s) for d, w in zip(answers, windows, strict=False)]
    if len(set(per_dim)) == 1:
        lines += _same_block(answers[0], windows[0].s, transposed, given, "")
    else:
        for axis, (d, s) in zip(AXES[len(answers)], per_dim, strict=False):
            lines.append(f"{axis}:")
            lines += _same_block(d, s, transposed, given, "  ")
    lines.append(_advice(request, answers, transposed))
    return "\n".join(lines) + "\n"


def _advice(request: Request, answers: Sequence[SameDim], transposed: bool) -> str:
    if transposed:
        pads = _value([d.symmetric for d in answers])
        ops = _value([d.output_padding for d in answers])
        return f"→ padding={pads}, output_padding={ops}"
    if all(d.symmetric is not None for d in answers):
        return f"→ padding={_value([d.symmetric for d in answers])}"
    sides = ", ".join(f"{d.before}, {d.after}" for d in reversed(answers))
    order = ("left", "right", "top", "bottom", "front", "back")[: 2 * len(answers)]
    then = ", then padding=0" if "padding" in request.layer.schema() else f", then the {request.layer.type}"
    return f"→ nn.ZeroPad{len(answers)}d(({sides})) ({', '.join(order)}){then}"


def quiet_same(answers: Sequence[SameDim]) -> str:
    """``-q``: the symmetric padding per dimension when every dimension has one (for a
    transposed convolution: the padding, or ``padding output_padding`` pairs when an
    output_padding is needed), else the ``before after`` pair per dimension."""
    if answers and answers[0].total is None:
        if all(d.output_padding == 0 for d in answers):
            return " ".join(str(d.symmetric) for d in answers) + "\n"
        return " ".join(f"{d.symmetric} {d.output_padding}" for d in answers) + "\n"
    if all(d.symmetric is not None for d in answers):
        return " ".join(str(d.symmetric) for d in answers) + "\n"
    return " ".join(f"{d.before} {d.after}" for d in answers) + "\n"


def same_json(request: Request, answers: Sequence[SameDim], windows: Sequence[Window]) -> str:
    """The ``same`` answer as JSON: per-dimension lists."""
    from .text import to_json

    layer = request.layer
    data: dict[str, Any] = {
        "convcalc": 1,
        "type": layer.type,
        "input": [d.n for d in answers],
        "kernel_size": [w.k for w in windows],
        "stride": [w.s for w in windows],
        "dilation": [w.d for w in windows],
        "out": [d.out for d in answers],
    }
    if answers and answers[0].total is None:
        data["padding"] = [d.symmetric for d in answers]
        data["output_padding"] = [d.output_padding for d in answers]
    else:
        data["total"] = [d.total for d in answers]
        data["before"] = [d.before for d in answers]
        data["after"] = [d.after for d in answers]
        data["padding"] = [d.symmetric for d in answers]
    return to_json(data)
