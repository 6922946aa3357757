"""The formats other than the table: plain (tab-separated), csv, json and markdown."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

from ..errors import escaped
from .numbers import binary, join_x, si, thousands

if TYPE_CHECKING:
    from ..report import Report

__all__ = [
    "JsonText", "delimited", "html", "json_report", "markdown", "summary", "title", "to_json", "warning_lines", "zoo",
]  # fmt: skip


def title(report: Report) -> str:
    """``LeNet-5 · input 1×1×28×28 · float32`` (``· MACs as thop counts them`` under
    ``--convention thop``)."""
    convention = getattr(report.totals, "convention", None)  # convcalc.conventions.ConventionTotals
    counted = f" · MACs as {convention} counts them" if convention else ""
    return f"{report.name or 'network'} · input {join_x(report.input_shape)} · {report.dtype}{counted}"


def _both(n: int) -> str:
    """``429 K (429,128)``, or just ``999`` when the unit adds nothing."""
    short, full = si(n), thousands(n)
    return short if short == full else f"{short} ({full})"


def summary(report: Report) -> list[str]:
    """The totals beneath a table: params, trainable, buffers, MACs, FLOPs, memory."""
    t = report.totals
    return [
        (
            f"Total params: {thousands(t.params)} (trainable {thousands(t.trainable_params)}, "
            f"buffers {thousands(t.buffers)})"
        ),
        f"MACs: {_both(t.macs)} · FLOPs: {_both(t.flops)}",
        (
            f"Memory ({report.dtype}): activations {binary(t.activation_bytes)} "
            f"(peak {binary(t.peak_activation_bytes)}) · params {binary(t.param_bytes)}"
        ),
    ]


def warning_lines(warnings: list[str] | tuple[str, ...], width: int) -> list[str]:
    """``warning: …`` lines, wrapped at ``width`` with the continuation indented."""
    lines: list[str] = []
    for warning in warnings:
        lines += textwrap.wrap(f"warning: {warning}", max(width, 40), subsequent_indent="  ", break_on_hyphens=False)
    return lines


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def delimited(rows: list[Any], names: dict[int, str], columns: tuple[str, ...], sep: str) -> str:
    """Plain (``sep="\\t"``: one header line, no quoting, ``-`` for undefined) or CSV
    (``sep=","``: RFC 4180 quoting, empty for undefined); exact numbers."""
    from .columns import COLUMNS  # here, not at the top: JSON has no columns

    cols = [COLUMNS[key] for key in columns]
    if sep == "\t":
        lines = ["\t".join(columns)]
        for row in rows:
            lines.append("\t".join(_clean(c.exact(row, names[row.index]) or "-") for c in cols))
        return "\n".join(lines) + "\n"
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([c.exact(row, names[row.index]) or "" for c in cols])
    return out.getvalue()


#: One encoder for every row (``json.dumps`` with options builds one per call).
_inline = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


class JsonText(str):
    """Text that is JSON: where the output cannot encode a character, it is written as a
    ``\\uXXXX`` escape (:mod:`convcalc.terminal`), so that the document stays exact."""

    __slots__ = ()


def to_json(data: dict[str, Any]) -> JsonText:
    """JSON with one top-level key per line and one list item (a layer) per line: easy to
    read and to grep, and still one ``json.loads`` away."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items = [f"    {_inline(v)}" for v in value]
            lines.append(f"  {_inline(key)}: [\n" + ",\n".join(items) + f"\n  ]{comma}")
        else:
            lines.append(f"  {_inline(key)}: {_inline(value)}{comma}")
    lines.append("}")
    return JsonText("\n".join(lines) + "\n")


def json_report(report: Report, rows: list[Any]) -> str:
    """SPEC §5: ``report.to_dict()`` with the visible rows."""
    data = report.to_dict()
    if len(rows) != len(report.rows):
        data["layers"] = [row.to_dict() for row in rows]
    return to_json(data)


def _md_cell(value: str) -> str:
    """A markdown table cell: a name's ``|`` escaped, its HTML (``<i>``) shown as text, on one line."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return escaped(value)


def markdown(report: Report, rows: list[Any], names: dict[int, str], columns: tuple[str, ...]) -> str:
    """A GitHub table with readable numbers and the totals (the warnings go to stderr)."""
    from .columns import COLUMNS, footer

    cols = [COLUMNS[key] for key in columns]
    lines = [f"**{_md_cell(title(report))}**", ""]
    lines.append("| " + " | ".join(c.title for c in cols) + " |")
    lines.append("|" + "|".join("--:" if c.numeric else "---" for c in cols) + "|")
    for row in rows:
        cells = []
        for c in cols:
            text = c.human(row, names[row.index])
            if c.key == "layer":  # keep the indentation: markdown collapses spaces
                text = "\u00a0\u00a0" * row.depth + names[row.index]
            cells.append(_md_cell(text))
        lines.append("| " + " | ".join(cells) + " |")
    bold = [f"**{cell}**" if cell else "" for cell in footer(cols, report.totals)]
    lines.append("| " + " | ".join(bold) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in summary(report))
    return "\n".join(lines) + "\n"


def html(report: Report, rows: list[Any], names: dict[int, str], columns: tuple[str, ...]) -> str:
    """The markdown table's content as HTML, for a notebook (``Report._repr_html_``)."""
    from html import escape

    from .columns import COLUMNS, footer

    cols = [COLUMNS[key] for key in columns]

    def cell(tag: str, text: str, numeric: bool, bold: bool = False) -> str:
        shown = f"<b>{escape(text)}</b>" if bold and text else escape(text)
        return f"<{tag} style=\"text-align: {'right' if numeric else 'left'}\">{shown}</{tag}>"

    lines = [f"<p><b>{escape(title(report))}</b></p>", "<table>", "<thead><tr>"]
    lines.append("".join(cell("th", c.title, c.numeric) for c in cols) + "</tr></thead>")
    lines.append("<tbody>")
    for row in rows:
        cells = []
        for c in cols:
            text = c.human(row, names[row.index])
            if c.key == "layer":  # keep the indentation: HTML collapses spaces
                text = "\u00a0\u00a0" * row.depth + names[row.index]
            cells.append(cell("td", text, c.numeric))
        lines.append("<tr>" + "".join(cells) + "</tr>")
    totals = footer(cols, report.totals)
    lines.append("<tr>" + "".join(cell("td", t, c.numeric, bold=True) for c, t in zip(cols, totals)) + "</tr>")
    lines.append("</tbody></table>")
    lines.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in summary(report)) + "</ul>")
    if report.warnings:
        lines.append("<p>Warnings:</p><ul>" + "".join(f"<li>{escape(w)}</li>" for w in report.warnings) + "</ul>")
    return "\n".join(lines) + "\n"


def gmacs(macs: int) -> str:
    """MACs in billions as torchvision's model cards write "GFLOPS": ``4.089``.

    >>> gmacs(4_089_184_256), gmacs(416_520)
    ('4.089', '0.00042')
    """
    value = macs / 1e9
    return f"{value:.3f}" if value >= 0.01 else f"{value:.2g}"


def zoo_source(entry: dict[str, Any]) -> str:
    """Where a built-in network's published figures come from ("" when none)."""
    published = entry.get("published")
    return published["source"] if published else ""


def zoo(entries: list[dict[str, Any]], fmt: str) -> str:
    """The built-in networks in plain, csv, json or markdown."""
    if fmt == "json":
        return to_json(
            {
                "convcalc": 1,
                "networks": [
                    {
                        "name": e["name"],
                        "title": e["title"],
                        "input_shape": e["input_shape"],
                        "params": e["params"],
                        "macs": e["macs"],
                        "flops": 2 * e["macs"],
                        "family": e["family"],
                        "task": e["task"],
                        "outputs": e["outputs"],
                        "published": e["published"],
                    }
                    for e in entries
                ],
            }
        )
    if fmt == "markdown":
        lines = ["| name | network | family | input | params | GMACs | published |", "|---|---|---|---|--:|--:|---|"]
        for e in entries:
            lines.append(
                f"| {e['name']} | {_md_cell(e['title'] or '')} | {_md_cell(e['family'])} | "
                f"{join_x(e['input_shape'])} | "
                f"{thousands(e['params'])} | {gmacs(e['macs'])} | {_md_cell(zoo_source(e))} |"
            )
        return "\n".join(lines) + "\n"
    header = ("name", "network", "input", "params", "macs", "family", "task", "published")
    values = [
        (e["name"], e["title"] or "", join_x(e["input_shape"], "x"), str(e["params"]), str(e["macs"]), e["family"],
         e["task"], zoo_source(e))
        for e in entries
    ]  # fmt: skip
    if fmt == "plain":
        return "\n".join("\t".join(_clean(v) for v in line) for line in [header, *values]) + "\n"
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(values)
    return out.getvalue()
