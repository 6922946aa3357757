"""Text and JSON for ``convcalc solve``: the layers that map one size to another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..layers import AXES, LAYER_TYPES

if TYPE_CHECKING:
    from ..solve import Solution, Solved

__all__ = ["solve_json", "solve_quiet", "solve_text"]


def _sizes(values: tuple[int, ...]) -> str:
    return " × ".join(str(v) for v in values)


def _columns(solved: Solved) -> list[str]:
    schema = LAYER_TYPES[solved.type][0].schema()
    cols = ["k", "s"]
    cols += ["p"] if "padding" in schema else []
    cols += ["d"] if "dilation" in schema else []
    cols += ["op"] if "output_padding" in schema else []
    return cols


def _notes(sol: Solution, n: int) -> str:
    notes = []
    if sol.ceil_mode:
        notes.append("ceil_mode")
    if sol.same:
        notes.append('padding="same"' if sol.padding == "same" else 'as padding="same"')
    if sol.unread:
        notes.append(f"{sol.unread} of {n} input{'s' if n > 1 else ''} unread")
    if sol.unwritten:
        notes.append(f"{sol.unwritten} output{'s' if sol.unwritten > 1 else ''} unwritten")
    return ", ".join(notes)


def _table(solved: Solved, found: tuple[Solution, ...], n: int, indent: str) -> list[str]:
    cols = _columns(solved)
    values = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "op": "output_padding"}
    rows = [[str(getattr(sol, values[c])) for c in cols] + [_notes(sol, n)] for sol in found]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    lines = [indent + "  ".join(c.rjust(w) for c, w in zip(cols, widths)) + "  notes"]
    for r in rows:
        lines.append((indent + "  ".join(v.rjust(w) for v, w in zip(r, widths)) + "  " + r[-1]).rstrip())
    return lines


def solve_text(solved: Solved) -> str:
    """The bounds searched, then per dimension (once when all are alike) a table of the
    solutions, simplest first, with their notes."""
    from ..solve import describe_bounds, total

    head = f"{solved.type}: {_sizes(solved.input)} → {_sizes(solved.output)}, {describe_bounds(solved)}"
    count = total(solved)
    if solved.alike:
        found = solved.solutions[0]
        each = " in each dimension" if len(solved.input) > 1 else ""
        lines = [head, f"{len(found)} layer{'s' if len(found) != 1 else ''}{each}, simplest first:", ""]
        lines += _table(solved, found, solved.input[0], "")
    else:
        lines = [head, f"{count:,} layers (the product of each dimension's), simplest first:"]
        for axis, n, m, found in zip(AXES[len(solved.input)], solved.input, solved.output, solved.solutions):
            lines += ["", f"{axis}: {n} → {m}, {len(found)} layer{'s' if len(found) != 1 else ''}"]
            lines += _table(solved, found, n, "  ")
    return "\n".join(lines) + "\n"


def _quiet(sol: Solution, transposed: bool) -> str:
    words = [str(sol.kernel_size), str(sol.stride), str(sol.padding), str(sol.dilation)]
    if transposed:
        words.append(str(sol.output_padding))
    if sol.ceil_mode:
        words.append("ceil_mode")
    return " ".join(words)


def solve_quiet(solved: Solved) -> str:
    """``-q``: the first solution as ``k s p d`` (transposed: ``k s p d output_padding``;
    pooling that needs it: ``… ceil_mode``), one line per dimension unless all are alike."""
    transposed = "output_padding" in LAYER_TYPES[solved.type][0].schema()
    firsts = [found[0] for found in solved.solutions]
    if solved.alike:
        firsts = firsts[:1]
    return "".join(_quiet(sol, transposed) + "\n" for sol in firsts)


def solve_json(solved: Solved) -> str:
    from .text import to_json

    return to_json(solved.to_dict())
