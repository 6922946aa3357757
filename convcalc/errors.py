"""The exception hierarchy: every error convcalc raises is a :class:`ConvCalcError`.

``exit_code`` is the command-line exit code of SPEC §6: 1 for a layer or network that
PyTorch would reject, 2 for a request that cannot be read at all. ``where`` names the
place (a layer type, or ``layers[3] (#4, Conv2d, line 9)`` inside a network) and ``detail``
says what is wrong there; ``str(error)`` is ``"where: detail"``.
"""

from __future__ import annotations

from typing import Any

from .records import Record

__all__ = [
    "MAX_MESSAGE",
    "ConvCalcError",
    "InputError",
    "InvalidLayerError",
    "LimitError",
    "Place",
    "clip",
    "short_path",
]


#: The longest message part kept whole: a longer one (a huge value echoed back) keeps
#: its head and its tail, where the fix is, so that no input makes a message huge.
MAX_MESSAGE = 400


#: Control characters (a value echoed back may hold them) written as escapes, so that
#: every message stays on one line.
_ESCAPES = {c: repr(chr(c))[1:-1] for c in (*range(32), 0x7F, 0x85, 0x2028, 0x2029)}


def escaped(text: str) -> str:
    """``text`` with its control characters written as escapes (a name on one line).

    >>> escaped("a\\tb"), escaped("conv1")
    ('a\\\\tb', 'conv1')
    """
    return text if text.isprintable() else text.translate(_ESCAPES)


def clip(text: str) -> str:
    """``text`` on one line (control characters escaped), or its head and tail with the
    middle cut out when it is over-long.

    >>> clip("unknown layer type 'Re\\nLU'")
    "unknown layer type 'Re\\\\nLU'"
    >>> clip("unknown argument '" + "x" * 1000 + "'; did you mean 'k'?")[-30:]
    "xxxxxxxxxx'; did you mean 'k'?"
    >>> len(clip("x" * 10**6)) < MAX_MESSAGE
    True
    """
    text = text.translate(_ESCAPES)
    if len(text) <= MAX_MESSAGE:
        return text
    return f"{text[:240]} … ({len(text) - 320:,} characters cut) … {text[-80:]}"


def short_path(where: str) -> str:
    """A YAML path cut to its ends when deeply nested: ``layers[0].layers[0]. … .body[1]``."""
    parts = where.split(".")
    if len(parts) <= 8:
        return where
    return ".".join(parts[:3]) + f". … ({len(parts) - 5} levels) … ." + ".".join(parts[-2:])


class Place(Record, frozen=True):
    """Where in a network something is: the YAML path (``layers[3].body[1]``), the row
    number in the report, the layer type, the YAML line, and which repetition of each
    enclosing ``Repeat`` (``(2, 3)``: repeat 2 of 3). Any part may be unknown.

    >>> str(Place("layers[3]", 4, "Conv2d", 9, ((2, 3),)))
    'layers[3] (#4, Conv2d, line 9, repeat 2 of 3)'
    >>> str(Place(None, None, None, 7)), str(Place(line=7, column=3)), str(Place("input", line=2))
    ('line 7', 'line 7, column 3', 'input (line 2)')
    """

    path: str | None = None
    row: int | None = None
    type: str | None = None
    line: int | None = None
    repeats: tuple[tuple[int, int], ...] = ()
    column: int | None = None

    def __init__(  # written out: one is made per row of a network
        self,
        path: str | None = None,
        row: int | None = None,
        type: str | None = None,
        line: int | None = None,
        repeats: tuple[tuple[int, int], ...] = (),
        column: int | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "path", path)
        put(self, "row", row)
        put(self, "type", type)
        put(self, "line", line)
        put(self, "repeats", repeats)
        put(self, "column", column)

    def __str__(self) -> str:
        line = None if not self.line else f"line {self.line}" + (f", column {self.column}" if self.column else "")
        bits = [f"#{self.row}" if self.row else None, self.type, line]
        shown = [b for b in bits if b] + [f"repeat {t} of {n}" for t, n in self.repeats]
        if self.path is None:
            return ", ".join(shown)
        return f"{short_path(self.path)} ({', '.join(shown)})" if shown else short_path(self.path)


class ConvCalcError(ValueError):
    """Base class of convcalc's errors; ``exit_code`` is the CLI exit code."""

    exit_code: int = 1

    def __init__(self, detail: str, *, where: Place | str | None = None, exit_code: int | None = None) -> None:
        detail = clip(detail)
        super().__init__(detail)
        self.detail = detail
        #: the place: a :class:`Place` inside a network, a layer type for a single layer
        self.where: Place | str | None = where if where is None or isinstance(where, Place) else clip(where)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        where = clip(str(self.where)) if self.where is not None else ""
        return f"{where}: {self.detail}" if where else self.detail

    def at(self, where: Place | str) -> ConvCalcError:
        """The same error, placed at ``where`` (replacing the previous place)."""
        return type(self)(self.detail, where=where, exit_code=self.exit_code)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.detail, self.where, self.exit_code))


def _rebuild(cls: type[ConvCalcError], detail: str, where: Any, exit_code: int) -> ConvCalcError:
    return cls(detail, where=where, exit_code=exit_code)


class InvalidLayerError(ConvCalcError):
    """A layer or network that PyTorch would reject (exit code 1)."""

    exit_code = 1


class InputError(ConvCalcError):
    """A request that cannot be read: syntax, unknown names, values of the wrong kind (exit 2)."""

    exit_code = 2


class LimitError(InputError):
    """An input over one of convcalc's stated bounds (exit code 2)."""
