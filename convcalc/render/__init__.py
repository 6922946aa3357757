"""Renderers: a report (or the zoo list) → text in one of the output formats.

:class:`Format` is shared by the command line's ``--format`` choices and :func:`render`,
the one dispatch point. Every format needs only the standard library, but for the
table's colours on a terminal, which Rich's ``Style`` renders.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from .columns import COLUMNS, DEFAULT_COLUMNS, labels, parse_columns

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "Format", "ZooEntry", "parse_columns", "render", "render_zoo"]


class Format(str, Enum):
    """The output formats of ``convcalc net`` and ``convcalc zoo``."""

    table = "table"
    plain = "plain"
    csv = "csv"
    json = "json"
    markdown = "markdown"


#: One built-in network for :func:`render_zoo`: its name and its report.
ZooEntry = tuple[str, "Report"]


def _visible(report: Report, depth: int | None) -> list[Any]:
    return [row for row in report.rows if depth is None or row.depth <= depth]


def render(
    report: Report,
    fmt: Format,
    *,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    depth: int | None = None,
    width: int = 100,
    color: bool = False,
) -> str:
    """The report in format ``fmt``: rows deeper than ``depth`` are left out (their
    composite rows keep the sums), ``columns`` are the keys of :data:`COLUMNS` (json has
    them all), ``width`` and ``color`` apply to the table."""
    rows = _visible(report, depth)
    if fmt is Format.json:
        from .text import json_report

        return json_report(report, rows)
    names = labels(report.rows)
    if fmt is Format.table:
        from .table import table

        return table(report, rows, names, columns, width=width, color=color)
    from . import text

    if fmt is Format.markdown:
        return text.markdown(report, rows, names, columns)
    return text.delimited(rows, names, columns, "\t" if fmt is Format.plain else ",")


def render_zoo(entries: list[ZooEntry], fmt: Format, *, width: int = 100, color: bool = False) -> str:
    """The list of built-in networks (name, title, input, params, MACs) in ``fmt``."""
    if fmt is Format.table:
        from .table import zoo_table

        return zoo_table(entries, width=width, color=color)
    from . import text

    return text.zoo(entries, fmt.value)
