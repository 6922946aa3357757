"""``net --train`` in every format: the per-layer table with a ``saved`` column, and a
footer of the training memory (parameters, gradients, optimizer state, saved
activations, buffers, total), the FLOPs of a step, the rows that save the most, what
the figure leaves out, and the ``--fit`` answer."""

from __future__ import annotations

import copy
import textwrap
from typing import TYPE_CHECKING, Any, cast

from . import Format, _visible
from .columns import TRAINING_COLUMNS, labels
from .numbers import binary, si, thousands
from .text import _md_cell, to_json

if TYPE_CHECKING:
    from ..training import Fit, Training

__all__ = ["TRAIN_COLUMNS", "TRAIN_DELIMITED_COLUMNS", "render_training"]

#: The table's columns with ``--train`` (the inference memory gives way to ``saved``).
TRAIN_COLUMNS = ("index", "layer", "type", "output", "params", "macs", "saved")
#: plain and csv: with ``kind``, and the exact training figures of each row.
TRAIN_DELIMITED_COLUMNS = ("index", "layer", "type", "kind", "output", "params", "macs", "saved", "grad", "backward")

_NAMES = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "nesterov": "SGD with Nesterov momentum",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adam": "Adam",
    "adamw": "AdamW",
}

#: What ``train_bytes`` leaves out, said beneath it.
NOT_COUNTED = (
    "Not counted: backward temporaries (activation gradients), allocator rounding and cache, "
    "cuDNN workspaces, the input batch unless a layer saves it, labels, outputs, loss, the CUDA "
    "context; exact for PyTorch 2.13.0 on the CPU."
)


class _Row:
    """A report row (or the totals) with its training figures, for the columns."""

    __slots__ = ("figures", "row")

    def __init__(self, row: Any, figures: Any) -> None:
        self.row = row
        self.figures = figures

    def __getattr__(self, name: str) -> Any:
        figures = object.__getattribute__(self, "figures")
        if name in figures._fields:
            return getattr(figures, name)
        return getattr(object.__getattribute__(self, "row"), name)


def _keys(columns: tuple[str, ...] | None, fmt: Format) -> tuple[str, ...]:
    if columns is None:
        return TRAIN_DELIMITED_COLUMNS if fmt in (Format.plain, Format.csv) else TRAIN_COLUMNS
    return columns if any(k in TRAINING_COLUMNS for k in columns) else (*columns, "saved")


def summary(t: Training) -> list[str]:
    """The training memory at a glance, the FLOPs of a step, the largest rows by saved
    bytes and what the figure leaves out."""
    totals, report = t.totals, t.report
    per, counter = _state(t.optimizer)
    steps = t.state_tensors
    state = f"{per} per trainable parameter" if per else "none"
    if counter:
        state += f" + {thousands(steps)} step counters"
    lines = [
        f"Training memory at batch {t.batch}, {_NAMES[t.optimizer]}, {report.dtype}:",
        f"  parameters         {binary(totals.param_bytes):>10}  {thousands(report.totals.params)} "
        f"(trainable {thousands(report.totals.trainable_params)})",
        f"  gradients          {binary(totals.grad_bytes):>10}  one per trainable parameter",
        f"  optimizer state    {binary(totals.optimizer_bytes):>10}  {state}",
        f"  saved activations  {binary(totals.saved_bytes):>10}  kept by autograd for the backward pass",
        f"  buffers            {binary(totals.buffer_bytes):>10}  running statistics",
        f"  total              {binary(totals.train_bytes):>10}  ({thousands(totals.train_bytes)} bytes)",
        f"FLOPs per step: forward {si(totals.forward_flops)} + backward {si(totals.backward_flops)} = "
        f"{si(totals.step_flops)}",
    ]
    largest = t.largest()
    if largest:
        lines.append(
            "Largest saved: " + ", ".join(f"{label(row)} {row.type} {binary(saved)}" for row, saved in largest)
        )
    if t.fit is not None:
        lines.append(_fit_line(t.fit))
    lines.append(NOT_COUNTED)
    return lines


def label(row: Any) -> str:
    """A row as the footer names it: its qualname, else its number in the table."""
    return str(row.qualname or f"#{row.index}")


def _state(optimizer: str) -> tuple[int, bool]:
    from ..training import OPTIMIZERS

    return OPTIMIZERS[optimizer]


def _fit_line(fit: Fit) -> str:
    if fit.batch == 0:
        over = binary(fit.train_bytes - fit.budget)
        return f"Fit: not even batch 1 fits {binary(fit.budget)}: it needs {binary(fit.train_bytes)} ({over} more)"
    spare = binary(fit.budget - fit.train_bytes)
    if fit.next_train_bytes is None:
        batch = thousands(fit.batch)
        return f"Fit: batch {batch}, the largest convcalc takes, fits {binary(fit.budget)} ({spare} to spare)"
    return (
        f"Fit: batch {thousands(fit.batch)} is the largest that fits {binary(fit.budget)}, {spare} to spare; "
        f"batch {thousands(fit.batch + 1)} would need {binary(fit.next_train_bytes - fit.budget)} more"
    )


def render_training(
    t: Training,
    fmt: Format,
    *,
    columns: tuple[str, ...] | None = None,
    depth: int | None = None,
    leaves: bool = False,
    **table_options: Any,
) -> str:
    """``t`` in ``fmt``, as :func:`convcalc.render.render` renders a report (the table's
    ``table_options`` are its), with the training columns and the training footer."""
    report = t.report
    visible = _visible(report, depth, leaves)
    if fmt is Format.json:
        return to_json(t.to_dict(visible if len(visible) != len(report.rows) else None))
    figures = {row.index: f for row, f in zip(report.rows, t.rows)}
    rows = [_Row(row, figures[row.index]) for row in visible]
    shown = copy.copy(report)  # the report with the training totals beneath the columns
    shown.totals = cast(Any, _Row(report.totals, t.totals))
    keys = _keys(columns, fmt)
    names = labels(report.rows)
    if fmt is Format.table:
        from .table import table

        text = table(shown, rows, names, keys, **table_options)
        width = max(40, table_options.get("width", 100))
        wrapped = [part for line in summary(t) for part in textwrap.wrap(line, width, subsequent_indent="  ")]
        return text + "".join(line + "\n" for line in wrapped)
    from . import text as formats

    if fmt is Format.markdown:
        return formats.markdown(shown, rows, names, keys) + "".join(f"- {_md(line)}\n" for line in summary(t))
    return formats.delimited(rows, names, keys, "\t" if fmt is Format.plain else ",")


def _md(line: str) -> str:
    return _md_cell(line.strip())
