"""Renderers: a report (or the zoo list) → text in one of the output formats.

:class:`Format` is shared by the command line's ``--format`` choices and :func:`render`,
the one dispatch point. Every format needs only the standard library, but for the
table's colours on a terminal, which Rich's ``Style`` renders.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..report import Report
    from .columns import COLUMNS, DEFAULT_COLUMNS, DELIMITED_COLUMNS, parse_columns

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "DELIMITED_COLUMNS",
    "Format",
    "ZooEntry",
    "parse_columns",
    "render",
    "render_zoo",
]


class Format(str, Enum):
    """The output formats of ``convcalc net`` and ``convcalc zoo``."""

    table = "table"
    plain = "plain"
    csv = "csv"
    json = "json"
    markdown = "markdown"


def __getattr__(name: str) -> Any:
    """The columns' names (:mod:`.columns`), loaded when first asked for: ``convcalc layer``
    and JSON need none of them."""
    if name in ("COLUMNS", "DEFAULT_COLUMNS", "DELIMITED_COLUMNS", "parse_columns"):
        from . import columns

        return getattr(columns, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: One built-in network for :func:`render_zoo`: an entry of the zoo's catalogue.
ZooEntry = dict[str, Any]


def _visible(report: Report, depth: int | None, leaves: bool) -> list[Any]:
    if leaves:
        return [row for row in report.rows if not row.composite]
    return [row for row in report.rows if depth is None or row.depth <= depth]


def render(
    report: Report,
    fmt: Format,
    *,
    columns: tuple[str, ...] | None = None,
    depth: int | None = None,
    leaves: bool = False,
    width: int = 100,
    color: bool = False,
    encoding: str | None = None,
    by_bytes: bool = False,
) -> str:
    """The report in format ``fmt``: rows deeper than ``depth`` are left out (their
    block rows keep the sums), ``leaves`` keeps only the layer rows (so that a column
    summed over the rows gives its total), ``columns`` are the keys of :data:`COLUMNS`
    (by default :data:`DELIMITED_COLUMNS` for plain and csv, else :data:`DEFAULT_COLUMNS`;
    json has them all), ``width``, ``color``, ``encoding`` (the output's, when it cannot
    show every character) and ``by_bytes`` (no line over ``width`` bytes either) apply to
    the table."""
    rows = _visible(report, depth, leaves)
    if fmt is Format.json:
        from .text import json_report

        return json_report(report, rows)
    from .columns import DEFAULT_COLUMNS, DELIMITED_COLUMNS, labels

    if columns is None:
        columns = DELIMITED_COLUMNS if fmt in (Format.plain, Format.csv) else DEFAULT_COLUMNS
    names = labels(report.rows)
    if fmt is Format.table:
        from .table import table

        return table(report, rows, names, columns, width=width, color=color, encoding=encoding, by_bytes=by_bytes)
    from . import text

    if fmt is Format.markdown:
        return text.markdown(report, rows, names, columns)
    return text.delimited(rows, names, columns, "\t" if fmt is Format.plain else ",")


def render_zoo(
    entries: list[ZooEntry],
    fmt: Format,
    *,
    width: int = 100,
    color: bool = False,
    encoding: str | None = None,
    by_bytes: bool = False,
) -> str:
    """The catalogue of built-in networks (name, title, family, task, input, params,
    MACs, published figures) in ``fmt``; the table groups them by family."""
    if fmt is Format.table:
        from .table import zoo_table

        return zoo_table(entries, width=width, color=color, encoding=encoding, by_bytes=by_bytes)
    from . import text

    return text.zoo(entries, fmt.value)
