"""``net --sweep`` and ``net --rf-at`` in each output format (table, plain, csv, json,
markdown): numbers from :mod:`convcalc.design`, text made here."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from . import Format
from .numbers import binary, join_x, si

if TYPE_CHECKING:
    from ..design import RegionAnswer, Sweep

__all__ = ["render_region", "render_sweep"]

_SWEEP_KEYS = ("input", "accepted", "outputs", "macs", "flops", "activation_bytes", "peak_activation_bytes",
               "unread", "reason")  # fmt: skip
_ROWS = {"length": "positions", "height": "rows", "width": "columns", "depth": "planes"}


def _delimited(header: tuple[str, ...], lines: list[list[str]], fmt: Format) -> str:
    if fmt is Format.plain:
        clean = [[cell.replace("\t", " ").replace("\n", " ") or "-" for cell in line] for line in lines]
        return "\n".join("\t".join(line) for line in [list(header), *clean]) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def _markdown(titles: list[str], lines: list[list[str]], numeric: list[bool]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(titles) + " |", "|" + "|".join("--:" if n else "---" for n in numeric) + "|"]
    out += ["| " + " | ".join(cell(c) for c in line) + " |" for line in lines]
    return out


def render_sweep(result: Sweep, fmt: Format, *, width: int = 100) -> str:
    """One row per input size: accepted or not, output shapes, MACs, FLOPs, activation and
    peak memory, the rows that leave input unread, and the reason for a rejected size."""
    if fmt is Format.json:
        from .text import to_json

        return to_json(result.to_dict())
    if fmt in (Format.plain, Format.csv):
        values = [
            [join_x(r.input_shape[2:], "x"), "yes" if r.accepted else "no", ";".join(join_x(s, "x") for s in r.outputs),
             *(str(v) if r.accepted else "" for v in (r.macs, r.flops, r.activation_bytes, r.peak_bytes)),
             ";".join(r.unread), r.reason or ""]
            for r in result.rows
        ]  # fmt: skip
        return _delimited(_SWEEP_KEYS, values, fmt)
    titles = ["input", "output", "MACs", "FLOPs", "activations", "peak", "unread"]
    numeric = [False, False, True, True, True, True, False]
    body, reasons = [], []
    for r in result.rows:
        size = join_x(r.input_shape[2:])
        if r.accepted:
            body.append([size, ", ".join(join_x(s) for s in r.outputs), si(r.macs), si(r.flops),
                         binary(r.activation_bytes), binary(r.peak_bytes), "yes" if r.unread else ""])  # fmt: skip
        else:
            body.append([size, "rejected", "", "", "", "", ""])
            reasons.append(f"{size}: {r.reason}")
    head = f"{result.name or 'network'} at {len(result.rows)} input size{'s' if len(result.rows) != 1 else ''}"
    tail = [f"{sum(r.accepted for r in result.rows)} of {len(result.rows)} accepted"]
    if fmt is Format.markdown:
        notes = [f"- {reason}" for reason in reasons]
        table = _markdown(titles, body, numeric)
        text = [f"**{head} · {result.dtype}**", "", *table, "", *tail, *([""] if notes else []), *notes]
        return "\n".join(text) + "\n"
    from .table import layout, wrap

    if not any(line[-1] for line in body):  # no row leaves input unread: no column for it
        titles, body, numeric = titles[:-1], [line[:-1] for line in body], numeric[:-1]
    grid = layout(titles, body, right=numeric, shrink=[False] * len(titles), width=width)
    lines: list[str] = [f"{head} · {result.dtype}", *(grid.line(h) for h in grid.headers), grid.rule()]
    lines += [grid.line(cells) for cells in body] + tail
    for reason in reasons:
        lines += wrap(reason, width)
    return "\n".join(lines) + "\n"


def _extent_text(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "none (only padding)"
    return f"{first} … {last} ({last - first + 1})".replace("-", "−")


def render_region(answer: RegionAnswer, fmt: Format) -> str:
    """Per spatial dimension, the first and last input index the position reads, clipped
    to the input and before clipping."""
    if fmt is Format.json:
        from .text import to_json

        return to_json(answer.to_dict())
    header = ("axis", "first", "last", "first_unclipped", "last_unclipped")
    values = [
        [e.axis, "" if e.first is None else str(e.first), "" if e.last is None else str(e.last),
         str(e.first_unclipped), str(e.last_unclipped)]
        for e in answer.extents
    ]  # fmt: skip
    if fmt in (Format.plain, Format.csv):
        return _delimited(header, values, fmt)
    row = answer.row
    label = row.qualname or row.name
    who = f"#{row.index}{' ' + label if label else ''} ({row.type}, output {join_x(row.output_shape)})"
    position = ", ".join(str(i) for i in answer.position)
    head = f"{answer.name or 'network'} · input {join_x(answer.input_shape)}"
    what = f"output ({position}) of {who} reads"
    if fmt is Format.markdown:
        cells = [
            [e.axis, _extent_text(e.first, e.last), _extent_text(e.first_unclipped, e.last_unclipped)]
            for e in answer.extents
        ]
        table = _markdown(["axis", "input", "before clipping"], cells, [False, False, False])
        return "\n".join([f"**{head}: {what}**", "", *table]) + "\n"
    width = max(len(e.axis) for e in answer.extents)
    lines: list[str] = [head, what]
    for e in answer.extents:
        lines.append(
            f"  {e.axis.ljust(width)}  input {_ROWS.get(e.axis, 'positions')} {_extent_text(e.first, e.last)}, "
            f"before clipping {_extent_text(e.first_unclipped, e.last_unclipped)}"
        )
    return "\n".join(lines) + "\n"
