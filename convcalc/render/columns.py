"""The columns of the per-layer formats: each knows its title and how to show a row,
for people (table, markdown) and exactly (plain, csv)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import InputError
from ..records import Record
from .numbers import DASH, binary, join_x, si, thousands

T = TypeVar("T", str, "str | None")

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "DELIMITED_COLUMNS",
    "TRAINING_COLUMNS",
    "Column",
    "footer",
    "labels",
    "parse_columns",
]


class Column(Record, frozen=True):
    """One column: ``human(row, label)`` gives the table's cell, ``exact(row, label)`` the
    plain/csv value (``None`` for an undefined value); ``label`` is the row's name or its
    path relative to its block (see :func:`labels`); ``total`` names the Totals field
    summed beneath."""

    key: str
    title: str
    help: str
    human: Callable[[Any, str], str]
    exact: Callable[[Any, str], str | None]
    numeric: bool = False
    total: str | None = None


def labels(rows: list[Any]) -> dict[int, str]:
    """Row index → what the layer column shows: the name, else the path relative to the
    enclosing block (``body.0`` inside ``3.1``), since the indentation shows the rest. An
    unnamed top-level row shows nothing: its bare position (``2``) beside the row number
    only confuses, and the type column says what it is; nor does an unnamed row among
    named ones (the ReLU after each block of ``layer1``, at position 1 above the block
    named ``1``: a position among names reads as a name).

    Pass all the report's rows (a row's block comes before it)."""
    relative: dict[int, tuple[str, str]] = {}  # row index → (its block's path, its path in the block)
    named: set[str] = set()  # the paths of the blocks with a named row
    stack: list[str] = []  # the path of the open block at each depth
    for row in rows:
        del stack[row.depth :]
        parent = stack[-1] + "." if stack else ""
        relative[row.index] = (parent, row.path[len(parent) :] if parent and row.path.startswith(parent) else row.path)
        if row.name is not None:
            named.add(parent)
        stack.append(row.path)
    out: dict[int, str] = {}
    for row in rows:
        parent, path = relative[row.index]
        if row.name is not None:
            out[row.index] = row.name
        else:
            out[row.index] = "" if row.depth == 0 or parent in named else path
    return out


def footer(columns: list[Column], totals: Any) -> list[str]:
    """The cells beneath ``columns``: each summed column's total (``totals`` has the
    fields the rows sum into) shown as the column shows it, ``total`` under the layer
    column, nothing elsewhere."""
    return [c.human(totals, "") if c.total is not None else ("total" if c.key == "layer" else "") for c in columns]


def _kind(row: Any) -> str:
    return "block" if row.composite else "layer"


def _rf(row: Any, sep: str) -> str | None:
    rf = row.receptive_field
    return None if rf is None else join_x((size for size, _, _ in rf), sep)


def _args(row: Any, sep: str) -> str | None:
    """A layer's arguments in short: ``k3 s2 p1`` for a sliding window (per dimension
    when they differ, ``k1×7``; ``p0,1`` for padding before and after, ``d2``, ``g32``,
    ``ceil``, ``op1``: the values that are not PyTorch's defaults), else its arguments as
    ``name=value``; None for a block.

    >>> from convcalc import analyze
    >>> r = analyze({"input": [1, 3, 9, 9], "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": [1, 3],
    ...     "stride": 2, "padding": [0, 1], "groups": 1}}, {"Linear": {"out_features": 10}}]})
    >>> _args(r.rows[0], "×"), _args(r.rows[1], "×")
    ('k1×3 s2 p0×1', 'out_features=10')
    """
    from ..layers import Sliding

    if row.layer is None:
        return None
    arguments = row.arguments
    if not isinstance(row.layer, Sliding):
        return (
            " ".join(
                f"{key}={join_x(value, sep) if isinstance(value, list) else value}"
                for key, value in arguments.items()
                if value is not None and value is not False
            )
            or None
        )
    windows = row.layer.windows()

    def each(values: list[Any]) -> str:
        return str(values[0]) if len(set(values)) == 1 else join_x(values, sep)

    parts = [f"k{each([w.k for w in windows])}"]
    if any(w.s != 1 for w in windows):
        parts.append(f"s{each([w.s for w in windows])}")
    if any(w.pl or w.pr for w in windows):
        parts.append("p" + each([w.pl if w.pl == w.pr else f"{w.pl},{w.pr}" for w in windows]))
    if any(w.d != 1 for w in windows):
        parts.append(f"d{each([w.d for w in windows])}")
    if arguments.get("groups", 1) != 1:
        parts.append(f"g{arguments['groups']}")
    if any(w.ceil for w in windows):
        parts.append("ceil")
    if any(w.output_padding for w in windows):
        parts.append(f"op{each([w.output_padding for w in windows])}")
    return " ".join(parts)


def _same(text: Callable[[Any], T]) -> Callable[[Any, str], T]:
    """A column shown the same way for people and machines."""
    return lambda row, label: text(row)


def _number(key: str, title: str, help: str, field: str, human: Callable[[int], str]) -> Column:
    """A summed number: readable in the table, exact in plain and csv, totalled beneath."""
    return Column(
        key,
        title,
        help,
        _same(lambda r: human(getattr(r, field))),
        _same(lambda r: str(getattr(r, field))),
        True,
        field,
    )


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("index", "#", "row number", _same(lambda r: str(r.index)), _same(lambda r: str(r.index)), True),
        Column(
            "layer",
            "layer",
            "name, or the path (indented by depth)",
            lambda r, label: "  " * r.depth + label,
            lambda r, label: r.name if r.name is not None else r.path,
        ),
        Column("path", "path", "dotted position (3.body.1)", _same(lambda r: r.path), _same(lambda r: r.path)),
        Column("depth", "depth", "nesting depth", _same(lambda r: str(r.depth)), _same(lambda r: str(r.depth)), True),
        Column("type", "type", "PyTorch class or block", _same(lambda r: r.type), _same(lambda r: r.type)),
        Column(
            "kind",
            "kind",
            "layer, or block (a block row holds its layers' sums)",
            _same(_kind),
            _same(_kind),
        ),
        Column(
            "qualname",
            "qualname",
            "PyTorch module name (the names of the enclosing blocks and the row's own)",
            _same(lambda r: r.qualname or DASH),
            _same(lambda r: r.qualname),
        ),
        Column(
            "args",
            "args",
            "the layer's arguments in short: k3 s2 p1 (kernel, stride, padding), else name=value",
            _same(lambda r: _args(r, "×") or DASH),
            _same(lambda r: _args(r, "x")),
        ),
        Column(
            "inputs",
            "inputs",
            "paths of the rows it reads (input: the network input)",
            _same(lambda r: " ".join(r.inputs) or DASH),
            _same(lambda r: " ".join(r.inputs) or None),
        ),
        Column(
            "input",
            "input shape",
            "input shape",
            _same(lambda r: join_x(r.input_shape)),
            _same(lambda r: join_x(r.input_shape, "x")),
        ),
        Column(
            "output",
            "output shape",
            "output shape",
            _same(lambda r: join_x(r.output_shape)),
            _same(lambda r: join_x(r.output_shape, "x")),
        ),
        _number("params", "params", "parameters", "params", thousands),
        _number(
            "trainable",
            "trainable",
            "parameters that train (not under trainable: false)",
            "trainable_params",
            thousands,
        ),
        _number("buffers", "buffers", "non-trainable state (BatchNorm statistics)", "buffers", thousands),
        _number("macs", "MACs", "multiply-accumulates", "macs", si),
        _number("flops", "FLOPs", "2·MACs", "flops", si),
        Column(
            "rf",
            "receptive field",
            "receptive-field size per dimension",
            _same(lambda r: _rf(r, "×") or DASH),
            _same(lambda r: _rf(r, "x")),
        ),
        _number("memory", "memory", "activation bytes of the output", "activation_bytes", binary),
        *(  # the figures of net --train, whose rows have them (convcalc.render.training)
            _number(key, title, help, field, human)
            for key, title, help, field, human in (
                ("saved", "saved", "bytes autograd keeps for the backward pass (--train)", "saved_bytes", binary),
                ("grad", "grad", "bytes of the row's gradients (--train)", "grad_bytes", binary),
                ("optimizer", "optimizer", "bytes of the row's optimizer state (--train)", "optimizer_bytes", binary),
                ("backward", "backward FLOPs", "FLOPs of the backward pass (--train)", "backward_flops", si),
            )
        ),
    )
}

#: The columns that only ``net --train`` fills.
TRAINING_COLUMNS = ("saved", "grad", "optimizer", "backward")

#: The columns shown unless ``--columns`` says otherwise (SPEC §4).
DEFAULT_COLUMNS = ("index", "layer", "type", "output", "params", "macs", "rf", "memory")
#: The default columns of plain and csv: with ``kind``, to tell the rows that hold sums.
DELIMITED_COLUMNS = ("index", "layer", "type", "kind", "output", "params", "macs", "rf", "memory")

_ALIASES = {
    "#": "index", "name": "layer", "shape": "output", "mem": "memory", "receptive_field": "rf", "arguments": "args"
}  # fmt: skip


def parse_columns(text: str) -> tuple[str, ...]:
    """``"layer,params"`` → the column keys, in the order given (exit 2 on unknown names).

    >>> parse_columns("#, layer,MACs")
    ('index', 'layer', 'macs')
    """
    from ..layers import suggest

    keys = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        key = _ALIASES.get(name, name)
        if key not in COLUMNS:
            raise InputError(
                f"--columns: unknown column '{part.strip()}'{suggest(name, COLUMNS)}; choose from {', '.join(COLUMNS)}"
            )
        if key not in keys:
            keys.append(key)
    if not keys:
        raise InputError(f"--columns: name at least one column ({', '.join(COLUMNS)})")
    return tuple(keys)
