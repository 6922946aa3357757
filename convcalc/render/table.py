"""The tables of ``convcalc net`` and ``convcalc zoo``, styled on a terminal.

The layout is computed once from the cell strings: column widths, two spaces between
columns or one, headers split over two lines, then ellipses in the name columns (Rich's
own ``Table`` measures and renders every cell apart, about a millisecond a row: 200 ms for
ResNet-50, seconds for a generated network). The result is a list of lines, each with a
style; with colour, the styles become the escape codes Rich writes for them (the table's
one style, bold, written directly: importing ``rich.style`` took a third of the table's
time; any other style through Rich's ``Style``); without colour the lines are the output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import escaped
from ..records import Record
from .columns import COLUMNS, footer
from .numbers import join_x, thousands
from .text import summary, title

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["Grid", "cell_len", "layout", "shorten", "table", "tree", "wrap", "zoo_table"]

_MIN_SHRUNK = 6  # a shrinkable column keeps at least this many cells
_NAME_CELLS = 10  # and the layer column this many: a branch mark and a name (the type column shrinks first)
_MARKS = " │├└|+`"  # a row's indentation and branch marks (:class:`Drawing`)

#: A line of output and its style (a Rich style name, or None).
Line = tuple[str, "str | None"]


#: Text of these characters only takes one cell a character: ASCII and Latin-1 with their
#: extensions to U+02FF (``×``, ``·``), general punctuation (``—``, ``…``), arrows and
#: mathematical operators (``→``, ``−``), box drawing (``│├└─``); checked character by
#: character against :func:`_char_cells` in the tests.
_NARROW = re.compile("[\x00-\u02ff\u2010-\u205f\u2190-\u22ff\u2500-\u257f]*")


def _char_cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """The terminal cells ``text`` takes (wide East Asian characters take two).

    >>> cell_len("1×6×28×28"), cell_len("层")
    (9, 2)
    """
    if text.isascii() or _NARROW.fullmatch(text):
        return len(text)
    return sum(_char_cells(ch) for ch in text)


def _cut(text: str, width: int, *, tail: bool = False) -> str:
    """The first (``tail``: last) characters of ``text`` that fill at most ``width`` cells."""
    chars = reversed(text) if tail else iter(text)
    out, used = [], 0
    for ch in chars:
        used += _char_cells(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(reversed(out) if tail else out)


def shorten(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` in at most ``width`` cells, shortened in the middle where a name is told
    apart, by whole dotted parts when they fit; a row's indentation and branch marks
    (:func:`tree`) are kept, the innermost levels first, while the name has four cells.

    >>> shorten("layer1.0.conv1", 12), shorten("downsample", 8), shorten("    │ conv1", 8)
    ('layer1…conv1', 'down…ple', '  │ co…1')
    >>> shorten("features.denseblock1.denselayer1.conv1", 24)
    'features…conv1'
    """
    if cell_len(text) <= width:
        return text
    lead = 0
    while lead + 1 < len(text) and text[lead] in _MARKS and text[lead + 1] == " ":
        lead += 2
    name = text[lead:]
    keep = max(0, min(lead, width - min(4, cell_len(name))))  # the name keeps four cells
    keep -= keep % 2  # whole levels, the innermost ones
    return text[lead - keep : lead] + _middle(name, width - keep, ellipsis)


def _middle(name: str, room: int, ellipsis: str) -> str:
    if cell_len(name) <= room:
        return name
    e = cell_len(ellipsis)
    if room <= e:
        return _cut(name, room)
    parts = name.split(".")
    best, kept = "", 0
    for i in range(1, len(parts) - 1):  # whole parts: "layer1" … "conv1"
        for j in range(1, len(parts) - i):
            head, end = ".".join(parts[:i]), ".".join(parts[-j:])
            used = cell_len(head) + cell_len(end)
            if used + e <= room and used > kept:
                best, kept = head + ellipsis + end, used
    if best:
        return best
    keep = room - e
    return _cut(name, keep - keep // 2) + ellipsis + _cut(name, keep // 2, tail=True)


class Grid:
    """A laid-out table: the header lines, the column widths and the gap between columns."""

    def __init__(self, headers: list[list[str]], widths: list[int], gap: int, right: Sequence[bool]) -> None:
        self.headers = headers
        self.widths = widths
        self.gap = gap
        self.right = right
        self.ellipsis, self.rule_char = "…", "─"  # "...", "-" where the output cannot show them
        self.shortened = False  # whether a name column is narrower than its cells

    @property
    def width(self) -> int:
        return sum(self.widths) + self.gap * (len(self.widths) - 1)

    def line(self, cells: Sequence[str]) -> str:
        parts = []
        for cell, w, right in zip(cells, self.widths, self.right):
            cell = shorten(cell, w, self.ellipsis)  # only a name column is ever narrower than its cells
            pad = " " * (w - cell_len(cell))
            parts.append(pad + cell if right else cell + pad)
        return (" " * self.gap).join(parts).rstrip()

    def rule(self) -> str:
        return self.rule_char * self.width


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
    least: Sequence[int] = (),
) -> Grid:
    """Column widths for ``rows`` (the footer included) within ``width`` cells: two spaces
    between columns, or one; multi-word titles wider than their cells split over two
    lines; then the ``shrink`` columns lose cells, the widest first, down to 6 (or the
    column's ``least``), with an ellipsis."""
    cells = [max((cell_len(r[i]) for r in rows), default=0) for i in range(len(titles))]
    split = [t.split(" ", 1) if " " in t and cell_len(t) > cells[i] else [t] for i, t in enumerate(titles)]
    whole = [[t] for t in titles]

    def widths(heads: list[list[str]]) -> list[int]:
        return [max(cells[i], *(cell_len(h) for h in heads[i])) for i in range(len(titles))]

    for heads, gap in ((whole, 2), (split, 2), (split, 1)):
        grid = Grid(_bottom(heads), widths(heads), gap, right)
        if grid.width <= width:
            return grid
    floors = [max(_MIN_SHRUNK, least[i] if i < len(least) else 0) for i in range(len(titles))]
    before = list(grid.widths)
    _shrink(grid.widths, [i for i, s in enumerate(shrink) if s], floors, grid.width - width)
    grid.shortened = grid.widths != before
    return grid


def _shrink(widths: list[int], columns: list[int], floors: list[int], over: int) -> None:
    """Take ``over`` cells from ``columns``, one at a time from the widest (the first of the
    widest on a tie), none below its floor: whole rounds at once, so that a name of a
    million characters costs as little as a short one."""
    while over > 0:
        candidates = [i for i in columns if widths[i] > floors[i]]
        if not candidates:
            return
        top = max(widths[i] for i in candidates)
        tied = [i for i in candidates if widths[i] == top]
        lower = max([widths[i] for i in candidates if widths[i] < top] + [floors[i] for i in tied])
        rounds = min(top - lower, over // len(tied))
        if rounds:
            for i in tied:
                widths[i] -= rounds
            over -= rounds * len(tied)
        else:  # fewer cells to take than tied columns: the first ones give one each
            widths[tied[0]] -= 1
            over -= 1


def _grid_lines(grid: Grid, body: list[tuple[list[str], str | None]], footer: list[str] | None) -> list[Line]:
    """The header, a rule, the rows (each with its style), and the footer."""
    lines: list[Line] = [(grid.line(head), "bold") for head in grid.headers]
    lines.append((grid.rule(), None))
    lines += [(grid.line(cells), style) for cells, style in body]
    if footer is not None:
        lines += [(grid.rule(), None), (grid.line(footer), "bold")]
    return lines


#: The escape codes Rich's ``Style.parse(name).render(text, color_system=STANDARD)``
#: writes around a text, for the table's styles (the tests compare them with Rich's).
_SGR = {"bold": ("\x1b[1m", "\x1b[0m")}


def _emit(lines: list[Line], color: bool) -> str:
    """The lines as text; with colour, each styled line as Rich renders that style
    (``Console(force_terminal=True)`` writes the same), empty lines bare. Whether to colour
    is the terminal's decision (:meth:`convcalc.terminal.Terminal.color`)."""
    if not color:
        return "".join(text + "\n" for text, _ in lines)
    out = []
    for text, name in lines:
        if text and name is not None:
            if name in _SGR:
                start, end = _SGR[name]
                text = start + text + end
            else:
                from rich.color import ColorSystem
                from rich.style import Style

                text = Style.parse(name).render(text, color_system=ColorSystem.STANDARD)
        out.append(text + "\n")
    return "".join(out)


class Drawing(Record, frozen=True):
    """The lines of a table: the rule under the header, and the branch marks of :func:`tree`."""

    rule: str
    first: str  # the first row of a branch that another follows
    last: str  # the first row of a block's last branch
    beside: str  # beside the other rows of a branch that another follows


_UNICODE = Drawing("─", "├ ", "└ ", "│ ")
#: Where the output cannot show box lines, or where no terminal measures the output (each
#: box line is three bytes of UTF-8, and some programs count bytes: :func:`_fitted`).
_ASCII = Drawing("-", "+ ", "` ", "| ")


def tree(rows: list[Any], drawing: Drawing = _UNICODE) -> dict[int, str]:
    """Row index → the indentation of its name: two cells a level, with a mark where a
    block has branches (a Residual's body and shortcut, a Concat's inputs): ``├`` on the
    first row of each branch, ``└`` on the last branch's, ``│`` beside the rest of a
    branch that another follows. Pass all the report's rows.

    A row is in a branch when its path, relative to its block's, has two parts: the
    branch (``body``, ``shortcut``, ``0``) and its place there (``body.0``)."""
    block: dict[int, Any] = {}  # row index → the block row that holds it
    branch: dict[int, str] = {}  # row index → its branch in that block
    last: dict[int, str] = {}  # block row index → its last branch
    stack: list[Any] = []
    for row in rows:
        del stack[row.depth :]
        if stack:
            parent = stack[-1]
            block[row.index] = parent
            relative = row.path[len(parent.path) + 1 :]
            if "." in relative:
                branch[row.index] = last[parent.index] = relative.split(".", 1)[0]
        stack.append(row)
    out: dict[int, str] = {}
    inner: dict[int, str] = {}  # row index → the indentation its own rows continue
    begun: set[tuple[int, str]] = set()
    for row in rows:
        parent = block.get(row.index)
        if parent is None:
            out[row.index] = inner[row.index] = ""
            continue
        base, key = inner[parent.index], branch.get(row.index)
        if key is None:
            mark = going = "  "
        else:
            final = last[parent.index] == key
            going = "  " if final else drawing.beside
            mark = going if (parent.index, key) in begun else drawing.last if final else drawing.first
            begun.add((parent.index, key))
        out[row.index], inner[row.index] = base + mark, base + going
    return out


_BREAKS = re.compile(r"(?<=[,:]) | (?=\()")  # inside a part: after a comma or a colon, before a parenthesis


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def wrap(text: str, width: int, measure: Callable[[str], int] = cell_len) -> list[str]:
    """A title or summary line in ``width`` (as ``measure`` counts), broken between its
    ``·``-separated parts, and inside a part too long for a line after a comma or a colon
    or before a parenthesis, never inside a number; the rest indented two cells.

    >>> wrap("Total params: 61,706 (trainable 61,706, buffers 0)", 32)
    ['Total params: 61,706', '  (trainable 61,706, buffers 0)']
    >>> wrap("MACs: 417 K (416,520) · FLOPs: 833 K (833,040)", 30)
    ['MACs: 417 K (416,520)', '  FLOPs: 833 K (833,040)']
    """
    if measure(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""

    def add(token: str, joiner: str) -> None:
        nonlocal line
        if not line:
            line = token
        elif measure(line + joiner + token) <= width:
            line += joiner + token
        else:
            lines.append(line)
            line = "  " + token

    for part in text.split(" · "):
        if measure(("  " if line else "") + part) <= width:
            add(part, " · ")
        else:
            first, *rest = _BREAKS.split(part)
            add(first, " · ")
            for word in rest:
                add(word, " ")
    return [*lines, line]


def table(
    report: Report,
    rows: list[Any],
    names: dict[int, str],
    columns: tuple[str, ...],
    *,
    width: int,
    color: bool,
    encoding: str | None = None,
    by_bytes: bool = False,
) -> str:
    """The per-layer table: a title, rows indented by depth (with marks for the rows of
    branches), composite rows in bold, the column totals in the footer, then the totals
    beneath (the warnings go to stderr: the command line writes them). ``encoding``: the
    output's, when it cannot show every character (its fallbacks are put in before the
    cells are measured); ``by_bytes``: no line over ``width`` bytes either (:func:`_fitted`)."""
    cols = [COLUMNS[key] for key in columns]
    drawing = _ASCII if by_bytes or encoding is not None else _UNICODE
    marks = tree(report.rows, drawing) if "layer" in columns else {}
    body: list[tuple[list[str], str | None]] = [
        (
            [
                marks[row.index] + escaped(names[row.index]) if c.key == "layer" else c.human(row, names[row.index])
                for c in cols
            ],
            "bold" if row.composite else None,
        )
        for row in rows
    ]
    named = [i for i, c in enumerate(cols) if c.key in ("qualname", "path")]  # a name, on one line
    for cells, _ in body:
        for i in named:
            cells[i] = escaped(cells[i])
    totals = footer(cols, report.totals)
    show = _shown(encoding)
    if encoding is not None:
        body = [([show(cell) for cell in cells], style) for cells, style in body]
        totals = [show(cell) for cell in totals]
    grid = _fitted(
        [c.title for c in cols],
        [cells for cells, _ in body] + [totals],
        right=[c.numeric for c in cols],
        shrink=[c.key in ("layer", "type", "qualname", "path") for c in cols],
        width=width,
        by_bytes=by_bytes,
        least=[_NAME_CELLS if c.key == "layer" else 0 for c in cols],
    )
    grid.ellipsis, grid.rule_char = show("…"), drawing.rule
    measure = _utf8_len if by_bytes else cell_len
    lines: list[Line] = [(line, "bold") for line in wrap(show(escaped(title(report))), width, measure)]
    lines += _grid_lines(grid, body, totals)
    lines += [(line, None) for text in summary(report) for line in wrap(show(text), width, measure)]
    return _emit(lines, color)


def _fitted(
    titles: Sequence[str],
    rows: list[list[str]],
    *,
    right: Sequence[bool],
    shrink: Sequence[bool],
    width: int,
    by_bytes: bool,
    least: Sequence[int] = (),
) -> Grid:
    """:func:`layout` within ``width`` cells, and with ``by_bytes`` within ``width`` bytes
    of UTF-8 too: with no terminal to measure, the output is for programs, and some count
    bytes (mawk's ``length``, GNU ``cut -c`` and ``fold``). A non-ASCII character (``×``, a
    branch mark) takes more bytes than cells, and so does the ellipsis of a shortened name."""
    if not by_bytes:
        return layout(titles, rows, right=right, shrink=shrink, width=width, least=least)
    extra = max(
        (sum(_utf8_len(cell) - cell_len(cell) for cell in cells if not cell.isascii()) for cells in rows), default=0
    )
    grid = layout(titles, rows, right=right, shrink=shrink, width=width - extra, least=least)
    if grid.shortened:
        ellipses = (_utf8_len("…") - 1) * sum(shrink)
        grid = layout(titles, rows, right=right, shrink=shrink, width=width - extra - ellipses, least=least)
    return grid


def _shown(encoding: str | None) -> Callable[[str], str]:
    """Text as the output will show it (:func:`convcalc.terminal.shown`)."""
    if encoding is None:
        return lambda text: text
    from ..terminal import shown

    return lambda text: shown(text, encoding)


def zoo_table(
    entries: list[dict[str, Any]], *, width: int, color: bool, encoding: str | None = None, by_bytes: bool = False
) -> str:
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
    show = _shown(encoding)
    if encoding is not None:
        body = [([show(cell) for cell in cells], style) for cells, style in body]
    grid = _fitted(
        ["name", "input", "params", "GMACs", "published"],
        [cells for cells, _ in body],
        right=[False, False, True, True, False],
        shrink=[False, False, False, False, True],
        width=width,
        by_bytes=by_bytes,
    )
    grid.ellipsis, grid.rule_char = show("…"), (_ASCII if by_bytes or encoding is not None else _UNICODE).rule
    return _emit(_grid_lines(grid, body, None), color)
