"""The pictures of ``convcalc layer --draw``: the data of :mod:`convcalc.draw` as text.

One strip per dimension: a ruler of cell indices, the padded input, then a line per
output drawn with the cells its window reads (dilation gaps between the taps), the
ceil_mode window PyTorch drops, and a legend; a transposed convolution shows where each
input's kernel lands on the output and what the padding crops. A 2-d layer without
dropped windows is drawn as a grid of its first and last output's windows when the grid
fits. Colour on a terminal; ASCII glyphs when the output cannot encode Unicode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..draw import Scatter, Strip

__all__ = ["ASCII", "UNICODE", "Glyphs", "draw_text"]

#: The tallest and widest grid drawn for a 2-d layer (cells of the padded input).
GRID_ROWS = 24


class Glyphs(NamedTuple):
    pad: str
    cell: str
    tap: str
    gap: str
    unread: str
    dropped: str
    vdots: str
    hdots: str
    arrow: str


UNICODE = Glyphs("░", "□", "■", "·", "✗", "▫", "⋮", "…", "→")
ASCII = Glyphs(".", "o", "#", "-", "x", "+", ":", "~", "->")

_STYLES = {"tap": "green", "dropped": "yellow", "unread": "bold red", "pad": "dim", "gap": "dim"}

Segment = tuple[str, "str | None"]  # text and its style


def _columns(first: int, last: int, keep: list[tuple[int, int]], width: int, cw: int) -> list[int | None]:
    """The cells drawn, left to right (None: the elided middle), eliding what lies between
    the ``keep`` ranges when all of them do not fit in ``width``."""
    if (last - first + 1) * cw <= width or len(keep) < 2:
        return list(range(first, last + 1))
    left = max(b for _, b in keep[: len(keep) // 2])
    right = min(a for a, _ in keep[len(keep) // 2 :])
    if right - left <= 2:
        return list(range(first, last + 1))
    return [*range(first, left + 1), None, *range(right, last + 1)]


def _ruler(cols: list[int | None], cw: int, label_w: int) -> str:
    """The cells' indices, each ending over its cell; one that would touch the previous
    label is left out (the first and last are kept when they fit)."""
    line = [" "] * (label_w + cw * len(cols))
    taken = -1  # the last position a label uses
    for k, c in enumerate(cols):
        if c is None:
            continue
        text = str(c)
        end = label_w + cw * (k + 1)  # one past the cell's glyph
        start = end - len(text)
        if start > taken + 1 and start >= label_w:
            line[start:end] = text
            taken = end - 1
    return "".join(line).rstrip()


def _fit(first: int, last: int, keep: list[tuple[int, int]], room: int) -> tuple[list[int | None], int]:
    """The columns and the cell width: one more than the widest index, or 2 (sparser
    labels) when that does not fit in ``room``."""
    cw = max(len(str(first)), len(str(last))) + 1
    cols = _columns(first, last, keep, room, cw)
    if len(cols) * cw > room:
        cw = 2
        cols = _columns(first, last, keep, room, cw)
    return cols, cw


def _line(label: str, label_w: int, cells: list[Segment], cw: int) -> list[Segment]:
    out: list[Segment] = [(label.ljust(label_w), None)]
    for glyph, style in cells:
        out += [(" " * (cw - len(glyph)), None), (glyph, style)]
    return out


def _strip_lines(strip: Strip, g: Glyphs, width: int) -> list[list[Segment]]:
    w = strip.window
    first, last = strip.first, strip.last
    labels = [f"out {o}" for o, _ in strip.windows] + ["input", "dropped"]
    label_w = max(len(s) for s in labels) + 2
    cols, cw = _fit(first, last, [(min(t), max(t)) for _, t in strip.windows], width - label_w)

    def input_cell(c: int | None) -> Segment:
        if c is None:
            return g.hdots, None
        if c < -w.pl or c >= strip.n + w.pr:
            return " ", None  # past the padding: a ceil_mode window may reach it, it reads nothing
        if c < 0 or c >= strip.n:
            return g.pad, "pad"
        return (g.unread, "unread") if strip.is_unread(c) else (g.cell, None)

    def window_cells(taps: tuple[int, ...], glyph: str, style: str) -> list[Segment]:
        lo, hi, on = min(taps), max(taps), set(taps)
        cells: list[Segment] = []
        for k, c in enumerate(cols):
            if c is None:  # the elided middle: inside this window or not
                before, after = cols[k - 1], cols[k + 1]
                inside = before is not None and after is not None and lo <= before and after <= hi
                cells.append((g.hdots if inside else " ", None))
            elif c in on:
                cells.append((glyph, style))
            elif lo < c < hi:
                cells.append((g.gap, "gap"))
            else:
                cells.append((" ", None))
        return cells

    lines: list[list[Segment]] = [[(_ruler(cols, cw, label_w), "dim")]]
    lines.append(_line("input", label_w, [input_cell(c) for c in cols], cw))
    for i, (o, taps) in enumerate(strip.windows):
        if strip.skipped and i == len(strip.windows) // 2:
            lines.append([(" " * label_w + g.vdots.rjust(cw) + f"  ({strip.skipped} more)", "dim")])
        lines.append(_line(f"out {o}", label_w, window_cells(taps, g.tap, "tap"), cw))
    if strip.dropped is not None:
        lines.append(_line("dropped", label_w, window_cells(strip.dropped, g.dropped, "dropped"), cw))
    legend = [f"{g.pad} padding"] if w.pl or w.pr else []
    legend += [f"{g.cell} input", f"{g.tap} window"]
    if w.d > 1 and w.k > 1:
        legend.append(f"{g.gap} dilation gap")
    if strip.unread:
        legend.append(f"{g.unread} never read ({strip.unread:,})")
    if any(max(t) >= strip.n + w.pr for _, t in strip.windows):
        legend.append("(a tap past the padding reads nothing)")
    if strip.dropped is not None:
        legend.append(f"{g.dropped} the ceil_mode window PyTorch drops")
    lines.append([("   ".join(legend), "dim")])
    return lines


def _scatter_lines(sc: Scatter, g: Glyphs, width: int) -> list[list[Segment]]:
    first, last = sc.first, sc.last
    label_w = max(len(f"in {sc.n - 1}"), len("output")) + 2
    cols, cw = _fit(first, last, [(min(t), max(t)) for _, t in sc.rows], width - label_w)
    lines: list[list[Segment]] = [[(_ruler(cols, cw, label_w), "dim")]]
    for k, (i, taps) in enumerate(sc.rows):
        if sc.skipped and k == len(sc.rows) // 2:
            lines.append([(" " * label_w + g.vdots.rjust(cw) + f"  ({sc.skipped} more)", "dim")])
        lo, hi, on = min(taps), max(taps), set(taps)
        cells: list[Segment] = []
        for c in cols:
            if c is None:
                cells.append((" ", None))
            elif c in on:
                cells.append((g.tap, "tap"))
            elif lo < c < hi:
                cells.append((g.gap, "gap"))
            else:
                cells.append((" ", None))
        lines.append(_line(f"in {i}", label_w, cells, cw))
    out_cells: list[Segment] = []
    for c in cols:
        if c is None:
            out_cells.append((g.hdots, None))
        elif c < 0 or c >= sc.out:
            out_cells.append((g.pad, "pad"))
        else:
            out_cells.append((g.unread, "unread") if sc.is_unwritten(c) else (g.cell, None))
    lines.append(_line("output", label_w, out_cells, cw))
    legend = [f"{g.tap} kernel added", f"{g.cell} output"]
    if sc.window.d > 1 and sc.window.k > 1:
        legend.append(f"{g.gap} dilation gap")
    if first < 0 or last >= sc.out:
        legend.append(f"{g.pad} cropped by the padding")
    if sc.unwritten:
        legend.append(f"{g.unread} written by no input ({sc.unwritten:,})")
    lines.append([("   ".join(legend), "dim")])
    return lines


def _grid_lines(strips: tuple[Strip, Strip], g: Glyphs, width: int) -> list[list[Segment]] | None:
    """The padded 2-d input with the first and the last output's window, or None when it
    does not fit."""
    h, w = strips
    label_w = max(len(str(h.first)), len(str(h.last))) + 2
    if h.last - h.first >= GRID_ROWS or label_w + 2 * (w.last - w.first + 1) > width or h.dropped or w.dropped:
        return None
    rows = list(range(h.first, h.last + 1))
    cols = list(range(w.first, w.last + 1))
    found: list[list[Segment]] = []
    ends = [(h.windows[0], w.windows[0]), (h.windows[-1], w.windows[-1])]
    if ends[0] == ends[1]:
        ends = ends[:1]
    for (oh, taps_h), (ow, taps_w) in ends:
        found.append([(f"output ({oh}, {ow}):", "bold")])
        found.append([(_ruler(list(cols), 2, label_w), "dim")])
        on_h, on_w = set(taps_h), set(taps_w)
        for r in rows:
            cells: list[Segment] = []
            for c in cols:
                padding = not (0 <= r < h.n and 0 <= c < w.n)
                if r in on_h and c in on_w:
                    cells.append((g.tap, "tap"))
                elif r < -h.window.pl or r >= h.n + h.window.pr or c < -w.window.pl or c >= w.n + w.window.pr:
                    cells.append((" ", None))
                elif padding:
                    cells.append((g.pad, "pad"))
                elif h.is_unread(r) or w.is_unread(c):
                    cells.append((g.unread, "unread"))
                else:
                    cells.append((g.cell, None))
            found.append(_line(str(r).rjust(label_w - 2), label_w, cells, 2))
    legend = [f"{g.pad} padding"] if h.window.pl or h.window.pr or w.window.pl or w.window.pr else []
    legend += [f"{g.cell} input", f"{g.tap} window"]
    if h.unread or w.unread:
        legend.append(f"{g.unread} never read")
    found.append([("   ".join(legend), "dim")])
    return found


def _render(lines: list[list[Segment]], color: bool) -> str:
    if not color:
        return "".join("".join(t for t, _ in line).rstrip() + "\n" for line in lines)
    from rich.color import ColorSystem
    from rich.style import Style

    out = []
    for line in lines:
        parts = []
        for text, style in line:
            name = _STYLES.get(style or "", style)
            parts.append(Style.parse(name).render(text, color_system=ColorSystem.STANDARD) if name and text.strip()
                         else text)  # fmt: skip
        out.append("".join(parts).rstrip() + "\n")
    return "".join(out)


def draw_text(
    head: str, pictures: tuple[Strip | Scatter, ...], *, width: int = 80, color: bool = False, ascii: bool = False
) -> str:
    """``head`` (the layer and its sizes), then each dimension's picture (once when all
    are alike), or the 2-d grid when it fits."""
    from ..draw import Scatter, Strip

    g = ASCII if ascii else UNICODE
    if ascii:
        head = head.replace("→", g.arrow).replace("×", "x").replace("…", "...").replace("·", "-")
    lines: list[list[Segment]] = [[(head, "bold")]]
    if len(pictures) == 2 and all(isinstance(p, Strip) for p in pictures):
        grid = _grid_lines((pictures[0], pictures[1]), g, width)  # type: ignore[arg-type]
        if grid is not None:
            return _render([*lines, *grid], color)
    alike = all(p[1:] == pictures[0][1:] for p in pictures)
    for p in pictures[:1] if alike else pictures:
        if len(pictures) > 1:
            lines.append([("each dimension:" if alike else f"{p.axis}:", "bold")])
        lines += _scatter_lines(p, g, width) if isinstance(p, Scatter) else _strip_lines(p, g, width)
    return _render(lines, color)
