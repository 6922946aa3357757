"""What convcalc changes in Typer, in one place (Typer 0.29, the version in pyproject.toml;
``tests/test_typer_patch.py`` checks that each change is in effect).

Speed-ups, load-bearing for start-up time (a command answers in well under 100 ms):

* :func:`plain_coercion`: Typer 0.2x converts every option through a pydantic
  ``TypeAdapter``, built on first use; importing pydantic and building the adapters costs
  several times the whole calculation of ``convcalc layer -q``. convcalc's options are all
  str, int, bool or an Enum, which :class:`Coercion` converts the way Click does, in
  Typer's lazy per-parameter ``_runtime_param`` slot. With a Typer that has no such slot
  nothing changes (it is only slower).
* :func:`app_for`: only the command that the arguments name is built (Typer reads the
  signature of every command it builds, a millisecond each, on every call).

Help as a person reads it (:func:`tidy_help`): Typer's Rich help keeps the line breaks
of a docstring's later paragraphs and then wraps them again at the terminal's width, and it
shows a flag's type (``--json <bool>``) and an argument's (``FILE <str>``).
"""

from __future__ import annotations

import copy
import enum
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

try:  # Typer ≥ 0.2x vendors Click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older Typer on Click
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

__all__ = ["Coercion", "app_for", "converter", "map_help", "plain", "plain_coercion", "tidy_help", "unwrap"]


def converter(annotation: Any) -> Callable[[Any], Any] | None:
    """A plain conversion for the option types convcalc uses (str, int, bool, an Enum,
    optional or not), with Click's wording for a bad value; None for any other type."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return converter(args[0]) if len(args) == 1 else None
    if annotation is str:
        return str
    if annotation is int:

        def to_integer(value: Any) -> int:
            try:
                if isinstance(value, bool):  # int(True) is 1: not a number on a command line
                    raise TypeError
                return int(value)
            except (TypeError, ValueError):
                raise ValueError(f"{value!r} is not a valid integer.") from None

        return to_integer
    if annotation is bool:
        return lambda value: value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        choices = ", ".join(repr(m.value) for m in annotation)

        def to_member(value: Any) -> Any:
            try:
                return value if isinstance(value, annotation) else annotation(value)
            except ValueError:
                raise ValueError(f"{value!r} is not one of {choices}.") from None

        return to_member
    return None


class Coercion:
    """Converts one option's value without pydantic (see the module's docstring)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self.convert = convert

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if param.multiple or param.nargs == -1 else None
        try:
            return self.convert(value)
        except ValueError as err:
            raise click_exceptions.BadParameter(str(err), ctx=ctx, param=param) from None


def _no_type(ctx: Any) -> None:
    return None


def plain(param: Any) -> Any:
    """Give ``param`` a :class:`Coercion` (when it is a Typer parameter of a known type),
    and no type in the help when it is a flag or an argument named by its metavar."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(param, "_runtime_param", False) is None:
        convert = converter(descriptor.annotation)
        if convert is not None:
            param._runtime_param = Coercion(convert)
    if getattr(param, "is_flag", False) or (param.param_type_name == "argument" and param.metavar is not None):
        param.display_type_rich = _no_type  # the method Typer's Rich help asks
    return param


def plain_coercion(command: Any) -> None:
    """:func:`plain` for every parameter of ``command`` and its subcommands, and
    :func:`tidy_help` for each."""
    tidy_help(command)
    for param in getattr(command, "params", ()):
        plain(param)
    for sub in getattr(command, "commands", {}).values():
        plain_coercion(sub)


def unwrap(text: str) -> str:
    """A docstring with each paragraph on one line, for the help to wrap at the
    terminal's width; a paragraph with indented lines (examples) is kept as it is.

    >>> unwrap("First line.\\n\\n    Two lines\\n    of text.\\n\\n    Examples:\\n\\n      convcalc zoo\\n")
    'First line.\\n\\nTwo lines of text.\\n\\nExamples:\\n\\n  convcalc zoo'
    """
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split()) for p in paragraphs
    )


def tidy_help(command: Any) -> None:
    """The help of ``command`` in paragraphs of one line (:func:`unwrap`), once."""
    text = getattr(command, "help", None)
    if text and not getattr(command, "_convcalc_unwrapped", False):
        command.help = unwrap(text)
        command._convcalc_unwrapped = True


def map_help(command: Any, convert: Callable[[str], str]) -> None:
    """Every help text of ``command`` and its subcommands (its own, its epilog, its
    parameters') through ``convert``: what the output's encoding shows, say, before Rich
    measures the text."""
    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:
            setattr(command, attr, convert(text))
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = convert(param.help)
    for sub in getattr(command, "commands", {}).values():
        map_help(sub, convert)


def app_for(app: Any, args: list[str], environ: Any) -> Any:
    """``app``, with only the command that ``args`` begin with when they name one. Anything
    else (``--help``, ``--version``, a misspelt command, shell completion) gets the whole
    app."""
    if not args or any(name.endswith("_COMPLETE") for name in environ):
        return app
    from typer.main import get_command_name

    chosen = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == args[0]]
    if len(chosen) != 1:
        return app
    only = copy.copy(app)
    only.registered_commands = chosen
    return only
