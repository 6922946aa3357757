"""``net --conventions``: one row per counter, in every output format.

The records (:class:`convcalc.conventions.Convention`) hold numbers; the figure as the tool
prints it (``4.13 GMac``), the shares and the layer types are made into text only here.
"""

from __future__ import annotations

import csv
import io
import textwrap
from typing import TYPE_CHECKING, Any

from .numbers import thousands
from .text import title, to_json

if TYPE_CHECKING:
    from ..conventions import Convention
    from ..report import Report
    from . import Format

__all__ = ["render_conventions"]

_TITLES = ["counter", "reports", "exact", "vs torch", "where it differs from torch"]


def _shown(c: Convention) -> str:
    """The figure as its tool prints it, two decimals and a prefix: ``4.13 GMac``, ``8.27 GFLOPs``,
    ``417.52 K MACs``."""
    value, prefix = float(c.value), ""
    for prefix, size in (("G", 1e9), ("M", 1e6), ("K", 1e3), ("", 1.0)):
        if abs(value) >= size or not prefix:
            value /= size
            break
    return f"{value:.2f} " + c.counter.shown.format(prefix).strip()


def _percent(share: float) -> str:
    """``+0.54 %``; a share too small for two decimals as ``+<0.01 %``."""
    if share and abs(share) < 0.00005:
        return f"{'+' if share > 0 else '-'}<0.01 %"
    return f"{share * 100:+.2f} %"


def _versus(c: Convention) -> str:
    return "—" if c.counter.name == "torch" else _percent(c.versus_torch)


def _where(c: Convention, limit: int | None = None) -> str:
    """``BatchNorm2d +0.54 %, ReLU +0.44 %`` (the first ``limit`` types, the rest counted)."""
    shown = c.differences if limit is None else c.differences[:limit]  # largest first
    parts = [f"{d.type} {_percent(d.share)}" for d in shown]
    rest = len(c.differences) - len(shown)
    if rest:
        parts.append(f"{rest} more")
    return ", ".join(parts) or ("none" if c.counter.name != "torch" else "")


def _data(report: Report, results: list[Convention]) -> dict[str, Any]:
    return {
        "convcalc": 1,
        "name": report.name,
        "input_shape": list(report.input_shape),
        "dtype": report.dtype,
        "macs": report.totals.macs,
        "conventions": [c.to_dict() for c in results],
    }


def render_conventions(report: Report, results: list[Convention], fmt: Format, *, width: int = 100) -> str:
    """The counters' totals for ``report``'s network in ``fmt``: the table and markdown with
    each figure as its tool prints it and what each counts; plain and csv one line per counter
    with exact integers; json the records (SPEC §5's header keys, then ``conventions``)."""
    from . import Format

    if fmt is Format.json:
        return to_json(_data(report, results))
    if fmt in (Format.plain, Format.csv):
        head = ["counter", "label", "unit", "kind", "value", "macs", "vs_torch", "differences"]
        records = [
            [c.counter.name, c.counter.label, c.counter.unit, c.counter.kind, str(c.value), str(c.macs),
             f"{c.versus_torch:.6f}", " ".join(f"{d.type}:{d.amount}" for d in c.differences)]
            for c in results
        ]  # fmt: skip
        if fmt is Format.plain:
            return "".join("\t".join(cells) + "\n" for cells in [head, *records])
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([head, *records])
        return out.getvalue()
    body = [[c.counter.name, _shown(c), thousands(c.value), _versus(c)] for c in results]
    where = [(c.counter.name, _where(c)) for c in results if c.counter.name != "torch"]
    notes = [(c.counter.name, f"{c.counter.tool}: {c.counter.counts}") for c in results]
    heading = f"{title(report)} · as each counter counts"
    if fmt is Format.markdown:
        lines = [f"**{heading}**", "", "| counter | reports | exact | vs torch | where it differs from torch |",
                 "|---|--:|--:|--:|---|"]  # fmt: skip
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in [*cells, _where(c)]) + " |"
            for cells, c in zip(body, results)
        ]
        lines += ["", *(f"- **{name}**: {note}" for name, note in notes)]
        return "\n".join(lines) + "\n"
    from .table import layout

    grid = layout(_TITLES[:4], body, right=[False, True, True, True], shrink=[False] * 4, width=width)
    lines = [*textwrap.wrap(heading, width, subsequent_indent="  "), ""]
    lines += [grid.line(h) for h in grid.headers]
    lines.append(grid.rule())
    lines += [grid.line(cells) for cells in body]
    indent = " " * (max(len(name) for name, _ in notes) + 2)
    for heading, items in (("Where each differs from torch (share of torch's count):", where),
                           ("What each counts:", notes)):  # fmt: skip
        lines += ["", heading]
        for name, text in items:
            first = f"{name:<{len(indent)}}{text}"
            lines += textwrap.wrap(first, width, subsequent_indent=indent, break_on_hyphens=False)
    return "\n".join(lines) + "\n"
