"""The tables of ``convcalc net`` and ``convcalc zoo``, styled on a terminal.

The layout is computed once from the cell strings: column widths, two spaces between
columns or one, headers split over two lines, then ellipses in the name columns (Rich's
own ``Table`` measures and renders every cell apart, about a millisecond a row: 200 ms for
ResNet-50, seconds for a generated network). The result is a list of lines, each with a
style; with colour, Rich's ``Style`` turns the styles into the terminal's escape codes
(``rich.style`` is imported only then: ``rich.console`` alone took longer than the whole
table); without colour the lines are the output and Rich is not loaded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .columns import COLUMNS, footer
from .numbers import join_x, thousands
from .text import summary, title, warning_lines

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["Grid", "cell_len", "layout", "table", "zoo_table"]

_MIN_SHRUNK = 6  # a shrinkable column keeps at least this many cells
_RULE = "─"

#: A line of output and its style (a Rich style name, or None).
Line = tuple[str, "str | None"]


def _char_cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """The terminal cells ``text`` takes (wide East Asian characters take two).

    >>> cell_len("1×6×28×28"), cell_len("层")
    (9, 2)
    """
    if text.isascii():
        return len(text)
    return sum(_char_cells(ch) for ch in text)


def _truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += _char_cells(ch)
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


class Grid:
    """A laid-out table: the header lines, the column widths and the gap between columns."""

    def __init__(self, headers: list[list[str]], widths: list[int], gap: int, right: Sequence[bool]) -> None:
        self.headers = headers
        self.widths = widths
        self.gap = gap
        self.right = right

    @property
    def width(self) -> int:
        return sum(self.widths) + self.gap * (len(self.widths) - 1)

    def line(self, cells: Sequence[str]) -> str:
        parts = []
        for cell, w, right in zip(cells, self.widths, self.right):
            cell = _truncate(cell, w)
            pad = " " * (w - cell_len(cell))
            parts.append(pad + cell if right else cell + pad)
        return (" " * self.gap).join(parts).rstrip()

    def rule(self) -> str:
        return _RULE * self.width


def _bottom(heads: list[list[str]]) -> list[list[str]]:
    """Header lines with every title bottom-aligned."""
    depth = max(len(h) for h in heads)
    return [[(h[len(h) - depth + line] if line >= depth - len(h) else "") for h in heads] for line in range(depth)]


def layout(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool],
    shrink: Sequence[bool],
    width: int,
) -> Grid:
    """Column widths for ``rows`` (the footer included) within ``width`` cells: two spaces
    between columns, or one; multi-word titles wider than their cells split over two
    lines; then the ``shrink`` columns lose cells (down to 6, with an ellipsis)."""
    cells = [max((cell_len(r[i]) for r in rows), default=0) for i in range(len(titles))]
    split = [t.split(" ", 1) if " " in t and cell_len(t) > cells[i] else [t] for i, t in enumerate(titles)]
    whole = [[t] for t in titles]

    def widths(heads: list[list[str]]) -> list[int]:
        return [max(cells[i], *(cell_len(h) for h in heads[i])) for i in range(len(titles))]

    for heads, gap in ((whole, 2), (split, 2), (split, 1)):
        grid = Grid(_bottom(heads), widths(heads), gap, right)
        if grid.width <= width:
            return grid
    over = grid.width - width
    while over > 0:
        candidates = [i for i, s in enumerate(shrink) if s and grid.widths[i] > _MIN_SHRUNK]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: grid.widths[i])
        grid.widths[widest] -= 1
        over -= 1
    return grid


def _grid_lines(grid: Grid, body: list[tuple[list[str], str | None]], footer: list[str] | None) -> list[Line]:
    """The header, a rule, the rows (each with its style), and the footer."""
    lines: list[Line] = [(grid.line(head), "bold") for head in grid.headers]
    lines.append((grid.rule(), None))
    lines += [(grid.line(cells), style) for cells, style in body]
    if footer is not None:
        lines += [(grid.rule(), None), (grid.line(footer), "bold")]
    return lines


def _emit(lines: list[Line], width: int, color: bool) -> str:
    """The lines as text, cut to ``width``; with colour, each styled line rendered by
    Rich's ``Style`` (as ``Console(force_terminal=True)`` writes it): nothing on a ``dumb``
    or ``unknown`` TERM, no colours (bold stays) under NO_COLOR, empty lines bare.
    Only ``rich.style`` is imported: ``rich.console`` alone costs more than the table."""
    lines = [(_truncate(text, width), style) for text, style in lines]
    import os

    if not color or os.environ.get("TERM", "") in ("dumb", "unknown"):
        return "".join(text + "\n" for text, _ in lines)
    from rich.color import ColorSystem
    from rich.style import Style

    no_color = bool(os.environ.get("NO_COLOR", ""))
    styles: dict[str, Style] = {}
    out = []
    for text, name in lines:
        if text and name is not None:
            if name not in styles:
                style = Style.parse(name)
                styles[name] = style.without_color if no_color else style
            text = styles[name].render(text, color_system=ColorSystem.STANDARD)
        out.append(text + "\n")
    return "".join(out)


def table(
    report: Report, rows: list[Any], names: dict[int, str], columns: tuple[str, ...], *, width: int, color: bool
) -> str:
    """The per-layer table: a title, rows indented by depth, composite rows in bold, the
    column totals in the footer, then the totals and the warnings beneath."""
    cols = [COLUMNS[key] for key in columns]
    body: list[tuple[list[str], str | None]] = [
        ([c.human(row, names[row.index]) for c in cols], "bold" if row.composite else None) for row in rows
    ]
    totals = footer(cols, report.totals)
    grid = layout(
        [c.title for c in cols],
        [cells for cells, _ in body] + [totals],
        right=[c.numeric for c in cols],
        shrink=[c.key in ("layer", "type") for c in cols],
        width=width,
    )
    lines: list[Line] = [(title(report), "bold")]
    lines += _grid_lines(grid, body, totals)
    lines += [(line, None) for line in summary(report)]
    if report.warnings:
        lines.append(("", None))
        lines += [(line, "yellow") for line in warning_lines(report.warnings, width)]
    return _emit(lines, width, color)


def zoo_table(entries: list[dict[str, Any]], *, width: int, color: bool) -> str:
    """The built-in networks, grouped by family: name, input, params, GMACs and where the
    published figures they match come from."""
    from .text import gmacs, zoo_source

    body: list[tuple[list[str], str | None]] = []
    families: dict[str, list[dict[str, Any]]] = {}
    for e in entries:  # the catalogue's order, each family where its first network is
        families.setdefault(e["family"], []).append(e)
    for family, members in families.items():
        task = members[0]["task"]
        body.append(([family + ("" if task == "classification" else f" ({task})"), "", "", "", ""], "bold"))
        for e in members:
            source = zoo_source(e).split(",")[0]  # the whole source is in the json
            body.append(([f"  {e['name']}", join_x(e["input_shape"][1:]), thousands(e["params"]), gmacs(e["macs"]),
                          source], None))  # fmt: skip
    grid = layout(
        ["name", "input", "params", "GMACs", "published"],
        [cells for cells, _ in body],
        right=[False, False, True, True, False],
        shrink=[False, False, False, False, True],
        width=width,
    )
    return _emit(_grid_lines(grid, body, None), width, color)
