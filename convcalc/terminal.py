"""Output policy of the command line, in one place (SPEC §6): where the answer and the
messages go, how wide a table may be, whether to colour it, what becomes of a character
the output's encoding cannot show, and what a failed stream means for the exit code.

* The answer goes to standard output, all of it, or the command fails: a full disk or a
  closed stdout is :class:`StreamError` (exit 4, one line naming the stream and the
  system's reason), a reader that went away is :class:`PipeClosed` (exit 141, quietly).
* Messages go to standard error and never fail: with stderr closed, a full answer still
  exits 0.
* Width: ``$COLUMNS``, else the terminal's (the one on stdout, else on stderr, else
  ``/dev/tty``: ``convcalc net resnet50 | less`` fits the screen), else 80 (then in
  bytes as well as in cells: no line of a file or pipe is over 80 by any count).
* Colour only on a terminal; ``NO_COLOR`` (non-empty) turns it off, ``FORCE_COLOR`` on;
  never on a ``dumb`` TERM.
* Encoding: where the stream cannot encode a character, convcalc's own symbols
  (``× ⌊ ⌋ − … → ·`` and the box lines) fall back to ASCII (``x``, ``floor( )``, ``-``,
  ``...``) and anything else (a name) is written as a backslash escape; JSON gets
  ``\\uXXXX`` escapes, so that it stays exact. Nothing is silently replaced by ``?``.

Only the standard library is imported: this module is loaded by every command.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import sys
from typing import IO, Any

from .errors import ConvCalcError

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_INTERRUPTED",
    "EXIT_PIPE",
    "PipeClosed",
    "StreamError",
    "Terminal",
    "fallback",
    "shown",
    "terminal",
]

EXIT_ENVIRONMENT = 4  # the answer could not be written, or the environment failed
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left
DEFAULT_WIDTH = 80

#: The error handler (:func:`codecs.register_error`) for text: ASCII for convcalc's symbols,
#: a backslash escape for anything else.
TEXT_ERRORS = "convcalc-text"
#: The error handler for JSON: ``\\uXXXX`` escapes (a surrogate pair beyond the BMP).
JSON_ERRORS = "convcalc-json"

#: convcalc's own symbols and what they become where they cannot be shown.
FALLBACKS = {
    "×": "x",
    "−": "-",
    "–": "-",
    "—": "-",
    "…": "...",
    "⌊": "floor(",
    "⌋": ")",
    "⌈": "ceil(",
    "⌉": ")",
    "→": "->",
    "←": "<-",
    "∏": "prod",
    "Σ": "sum",
    "≥": ">=",
    "≤": "<=",
    "±": "+/-",
    "²": "^2",
    "∈": "in",
    "⊗": "(x)",
    "σ": "sigma",
    "γ": "gamma",
    "§": "section ",
    "\u00a0": "&nbsp;",  # markdown's indentation
    "─": "-",
    "━": "-",
    "│": "|",
    "├": "+",
    "└": "+",
    "┌": "+",
    "╭": "+",
    "╮": "+",
    "╰": "+",
    "╯": "+",
}


def fallback(text: str, start: int) -> str:
    """What ``text[start]`` becomes where it cannot be shown: its ASCII form, else its
    escape. ``·`` is ``*`` in a formula (``2·p``) and ``-`` between words (``LeNet-5 ·
    input``).

    >>> fallback("2·p", 1), fallback("a · b", 2), fallback("R\\u00e9seau", 1)
    ('*', '-', '\\\\xe9')
    """
    ch = text[start]
    if ch == "·":
        spaced = 0 < start < len(text) - 1 and text[start - 1] == " " == text[start + 1]
        return "-" if spaced else "*"
    known = FALLBACKS.get(ch)
    if known is not None:
        return known
    return ch.encode("ascii", "backslashreplace").decode("ascii")


def _text_errors(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return "".join(fallback(err.object, i) for i in range(err.start, err.end)), err.end


def _json_errors(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    units = err.object[err.start : err.end].encode("utf-16-be")
    escapes = "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))
    return escapes, err.end


codecs.register_error(TEXT_ERRORS, _text_errors)
codecs.register_error(JSON_ERRORS, _json_errors)


def _unicode(encoding: str | None) -> bool:
    """Whether ``encoding`` can encode every character (a UTF codec)."""
    try:
        return codecs.lookup(encoding or "utf-8").name.startswith("utf")
    except LookupError:
        return False


def shown(text: str, encoding: str | None) -> str:
    """``text`` as it will appear in ``encoding`` (None: a UTF one, where all shows).

    >>> shown("1×6×28×28 …", "ascii"), shown("1×6", None), shown("1×6", "latin-1")
    ('1x6x28x28 ...', '1×6', '1×6')
    """
    if encoding is None or text.isascii():
        return text
    return text.encode(encoding, TEXT_ERRORS).decode(encoding)


class PipeClosed(Exception):
    """stdout's reader went away (``convcalc net resnet50 | head -3``): exit 141, quietly."""


class StreamError(ConvCalcError):
    """A standard stream failed: stdout full or closed, stdin closed (exit code 4)."""

    exit_code = EXIT_ENVIRONMENT


def _reason(err: OSError | None) -> str:
    """The system's reason: ``No space left on device``; a closed stream is EBADF's."""
    if err is None:
        return os.strerror(errno.EBADF)
    return err.strerror or str(err)


def os_error_message(err: OSError, doing: str | None = None) -> str:
    """One line for an environment failure: what was being done, the file, the reason.

    >>> os_error_message(PermissionError(13, "Permission denied", "/ro/.bashrc"), "install the completion")
    "cannot install the completion: '/ro/.bashrc': Permission denied"
    """
    what = f"cannot {doing}" if doing else "cannot write the output" if err.filename is None else "cannot use a file"
    where = "" if err.filename is None else f"'{err.filename}': "
    return f"{what}: {where}{_reason(err)}"


class Terminal:
    """The streams of the command line and their policy. The streams are looked up at
    each use (``sys.stdout`` may be replaced, by a test runner say), the environment in
    ``environ``."""

    def __init__(self, environ: Any = None) -> None:
        self.environ = os.environ if environ is None else environ

    # -- what the output can show --------------------------------------------------------

    def encoding(self) -> str | None:
        """stdout's encoding when it cannot encode everything (``ascii`` under ``LC_ALL=C``),
        else None."""
        enc = getattr(sys.stdout, "encoding", None)
        return None if _unicode(enc) else enc

    def _measured(self) -> int | None:
        """``$COLUMNS``, else the width of the terminal on stdout, stderr or ``/dev/tty``
        (in that order); None when there is none."""
        columns = self.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        for stream in (sys.stdout, sys.stderr):
            try:
                return os.get_terminal_size(stream.fileno()).columns or None
            except (AttributeError, ValueError, OSError):
                continue
        try:
            tty = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
        except OSError:
            return None
        try:
            return os.get_terminal_size(tty).columns or None
        except OSError:
            return None
        finally:
            os.close(tty)

    def width(self) -> int:
        """The width of text: ``$COLUMNS``, else the terminal's (on stdout, stderr or
        ``/dev/tty``: ``convcalc net resnet50 | less`` fits the screen), else 80."""
        return self._measured() or DEFAULT_WIDTH

    def table_options(self) -> dict[str, Any]:
        """What a renderer of :mod:`convcalc.render` needs to know of the output: its
        ``width``, ``color``, ``encoding`` (when it cannot show everything) and
        ``by_bytes``: with no terminal and no $COLUMNS, the 80 columns hold by a count of
        bytes too (the output is for programs, and some, like mawk, count bytes)."""
        measured = self._measured()
        return {
            "width": measured or DEFAULT_WIDTH,
            "color": self.color(),
            "encoding": self.encoding(),
            "by_bytes": measured is None,
        }

    def color(self) -> bool:
        """Colour only on a terminal; NO_COLOR (non-empty) turns it off, FORCE_COLOR on;
        never on a ``dumb`` or ``unknown`` TERM."""
        if self.environ.get("NO_COLOR") or self.environ.get("TERM", "") in ("dumb", "unknown"):
            return False
        if self.environ.get("FORCE_COLOR"):
            return True
        try:
            return bool(sys.stdout.isatty())
        except (AttributeError, ValueError):
            return False

    # -- the streams ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Give stdout and stderr convcalc's fallbacks where they cannot encode everything,
        so that what Click and Rich write (help, usage) shows too. Nothing changes on a
        UTF-8 stream."""
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and not _unicode(getattr(stream, "encoding", None)):
                reconfigure = getattr(stream, "reconfigure", None)
                if reconfigure is not None:
                    with contextlib.suppress(OSError, ValueError):
                        reconfigure(errors=TEXT_ERRORS)

    def write(self, text: str) -> None:
        """Write the answer, all of it: a raw (unbuffered, ``python -u``) stdout may take a
        large write in part, so the bytes are written in a loop. JSON (a
        :class:`~convcalc.render.text.JsonText`) gets ``\\u`` escapes where the encoding
        falls short, other text convcalc's fallbacks."""
        stream = sys.stdout
        if stream is None:
            raise StreamError(f"cannot write the output: {_reason(None)} (standard output is closed)")
        try:
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                stream.write(text)
                stream.flush()
                return
            stream.flush()
            encoding = stream.encoding or "utf-8"
            view = memoryview(text.encode(encoding, self._errors(text, encoding)))
            while view:
                written = buffer.write(view)
                view = view[len(view) if written is None else written :]
            buffer.flush()
        except BrokenPipeError:
            raise PipeClosed from None
        except OSError as err:
            raise self._write_error(err) from None

    @staticmethod
    def _errors(text: str, encoding: str) -> str:
        if text.isascii() or _unicode(encoding):
            return "strict"
        from .render.text import JsonText

        return JSON_ERRORS if isinstance(text, JsonText) else TEXT_ERRORS

    @staticmethod
    def _write_error(err: OSError) -> StreamError:
        if err.errno == errno.EBADF:
            return StreamError(f"cannot write the output: {_reason(err)} (standard output is closed)")
        return StreamError(f"cannot write the output: {_reason(err)}")

    def flush(self) -> None:
        """Flush what Click or Rich left in stdout's buffer, so that a failure is reported
        here rather than ignored at exit."""
        stream = sys.stdout
        if stream is None:
            return
        try:
            stream.flush()
        except BrokenPipeError:
            raise PipeClosed from None
        except OSError as err:
            raise self._write_error(err) from None

    def read_stdin(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of standard input (exit 4 when it is closed or fails)."""
        stream: IO[str] | None = sys.stdin
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise StreamError(f"cannot read standard input: {_reason(None)} (standard input is closed)")
        try:
            data: bytes = buffer.read(limit)
        except OSError as err:
            closed = " (standard input is closed)" if err.errno == errno.EBADF else ""
            raise StreamError(f"cannot read standard input: {_reason(err)}{closed}") from None
        return data

    def silence_stdout(self) -> None:
        """Point stdout at /dev/null, so that the interpreter's last flush cannot fail
        again (the recipe of Python's documentation for SIGPIPE): what is left in its
        buffer is dropped."""
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def message(self, text: str) -> None:
        """A line on stderr; never fails (with stderr closed or full the answer stands)."""
        stream = sys.stderr
        if stream is None:
            return
        try:
            line = text.rstrip("\n") + "\n"
            encoding = getattr(stream, "encoding", None)
            stream.write(line if _unicode(encoding) else shown(line, encoding))
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass

    def error(self, text: str) -> None:
        """``error: …`` on stderr."""
        self.message(f"error: {text}")

    def warning(self, text: str) -> None:
        """``warning: …`` on stderr."""
        self.message(f"warning: {text}")


#: The command line's terminal.
terminal = Terminal()
