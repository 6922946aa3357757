"""The exception hierarchy: every error convcalc raises is a :class:`ConvCalcError`.

``exit_code`` is the command-line exit code of SPEC §6: 1 for a layer or network that
PyTorch would reject, 2 for a request that cannot be read at all. ``where`` names the
place (a layer type, or ``layers[3] (#4, Conv2d, line 9)`` inside a network) and ``detail``
says what is wrong there; ``str(error)`` is ``"where: detail"``.
"""

from __future__ import annotations

__all__ = ["MAX_MESSAGE", "ConvCalcError", "InputError", "InvalidLayerError", "LimitError", "clip"]


#: The longest message part kept whole: a longer one (a huge value echoed back) keeps
#: its head and its tail, where the fix is, so that no input makes a message huge.
MAX_MESSAGE = 400


#: Control characters (a value echoed back may hold them) written as escapes, so that
#: every message stays on one line.
_ESCAPES = {c: repr(chr(c))[1:-1] for c in (*range(32), 0x7F, 0x85, 0x2028, 0x2029)}


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


class ConvCalcError(ValueError):
    """Base class of convcalc's errors; ``exit_code`` is the CLI exit code."""

    exit_code: int = 1

    def __init__(self, detail: str, *, where: str | None = None, exit_code: int | None = None) -> None:
        detail = clip(detail)
        super().__init__(detail)
        self.detail = detail
        self.where = None if where is None else clip(where)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail

    def at(self, where: str) -> ConvCalcError:
        """The same error, placed at ``where`` (replacing the previous place)."""
        return type(self)(self.detail, where=where, exit_code=self.exit_code)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), self.detail, self.where, self.exit_code))


def _rebuild(cls: type, detail: str, where: str | None, exit_code: int) -> ConvCalcError:
    return cls(detail, where=where, exit_code=exit_code)  # type: ignore[no-any-return]


class InvalidLayerError(ConvCalcError):
    """A layer or network that PyTorch would reject (exit code 1)."""

    exit_code = 1


class InputError(ConvCalcError):
    """A request that cannot be read: syntax, unknown names, values of the wrong kind (exit 2)."""

    exit_code = 2


class LimitError(InputError):
    """An input over one of convcalc's stated bounds (exit code 2)."""
