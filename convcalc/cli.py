"""The ``convcalc`` command line (SPEC §4–§6).

Each command parses its options, calls the library (:mod:`convcalc.explain`,
:func:`convcalc.analyze`) and hands the result to one renderer of :mod:`convcalc.render`;
it holds no arithmetic. :class:`_Group` turns every failure into a line or two on stderr
and an exit code: 0 answered, 1 rejected by PyTorch's rules, 2 unreadable request, 130
interrupted, 141 output pipe closed (3 would be a bug in convcalc). YAML is imported only
to read a network; Rich (``rich.style``) only to colour a table on a terminal, and by
Typer for --help.

The annotations are real objects, not postponed strings (no ``from __future__ import
annotations``): Typer reads each command's signature three times while it builds the
command line, and evaluating string annotations took two-thirds of that, ~4 ms a call.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

try:  # Typer ≥ 0.2x vendors Click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older Typer on Click
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from . import __version__
from .errors import ConvCalcError, InputError, clip
from .render import Format

__all__ = ["app", "main", "parse_sizes"]

PROG = "convcalc"
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left
EXIT_INTERNAL = 3


class _PipeClosed(Exception):
    """stdout's reader went away (``convcalc net resnet50 | head -3``)."""


def _err(text: str) -> None:
    try:
        sys.stderr.write(text.rstrip("\n") + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _out(text: str) -> None:
    """Write the answer, all of it: a raw (unbuffered, ``python -u``) stdout may take a
    large write in part, so the bytes are written in a loop; characters the stream cannot
    encode become ``?``; a closed pipe becomes :class:`_PipeClosed`."""
    stream = sys.stdout
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(text)
            stream.flush()
            return
        stream.flush()
        view = memoryview(text.encode(stream.encoding or "utf-8", "replace"))
        while view:
            written = buffer.write(view)
            view = view[len(view) if written is None else written :]
        buffer.flush()
    except BrokenPipeError:
        raise _PipeClosed from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail
    (the recipe of Python's documentation for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _one_line(text: str) -> str:
    """A message on one line of bounded length (Click repeats option values whole)."""
    return clip(" ".join(part.strip() for part in text.splitlines() if part.strip()))


def _run(call: Callable[[], Any]) -> int:
    """Run the command line and map every outcome to an exit code (SPEC §6)."""
    try:
        result = call()
    except ConvCalcError as err:
        _err(f"error: {_one_line(str(err))}")
        return err.exit_code
    except click_exceptions.UsageError as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # the help was shown
            return 2
        command = err.ctx.command_path if err.ctx is not None else PROG
        _err(f"error: {_one_line(err.format_message())}")
        _err(f"Try '{command} --help' for help.")
        return 2
    except click_exceptions.ClickException as err:
        _err(f"error: {_one_line(err.format_message())}")
        return 2
    except (KeyboardInterrupt, typer.Abort):
        _err("interrupted")
        return EXIT_INTERRUPTED
    except _PipeClosed:
        _silence_stdout()
        return EXIT_PIPE
    except Exception as err:  # a bug: one line, not a traceback (CONVCALC_DEBUG=1 shows it)
        if os.environ.get("CONVCALC_DEBUG"):
            raise
        _err(
            f"internal error: {type(err).__name__}: {_one_line(str(err))} "
            "(please report it; CONVCALC_DEBUG=1 shows the traceback)"
        )
        return EXIT_INTERNAL
    if result == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into Exit(130) before we see it
        _err("interrupted")
    return result if isinstance(result, int) else 0


def _converter(annotation: Any) -> Callable[[Any], Any] | None:
    """A plain conversion for the option types convcalc uses (str, int, bool, an Enum,
    optional or not), with Click's wording for a bad value; None for any other type."""
    import enum
    import types
    import typing

    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _converter(args[0]) if len(args) == 1 else None
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


class _Coercion:
    """Converts one option's value without pydantic.

    Typer 0.2x converts every option through a pydantic ``TypeAdapter``, built on first
    use: importing pydantic and building the adapters costs several times the whole
    calculation of ``convcalc layer -q``. convcalc's options are all str, int, bool or an
    Enum, which this converts the way Click does. It fills Typer's lazy per-parameter
    ``_runtime_param`` slot; with a Typer that has no such slot nothing changes."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self.convert = convert

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if param.multiple or param.nargs == -1 else None
        try:
            return self.convert(value)
        except ValueError as err:
            raise click_exceptions.BadParameter(str(err), ctx=ctx, param=param) from None


def _plain(param: Any) -> Any:
    """Give ``param`` a :class:`_Coercion` (when it is a Typer parameter of a known type)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(param, "_runtime_param", False) is None:
        convert = _converter(descriptor.annotation)
        if convert is not None:
            param._runtime_param = _Coercion(convert)
    return param


def _plain_coercion(command: Any) -> None:
    """Give every parameter of ``command`` and its subcommands a :class:`_Coercion`."""
    for param in getattr(command, "params", ()):
        _plain(param)
    for sub in getattr(command, "commands", {}).values():
        _plain_coercion(sub)


class _Command(TyperCommand):
    """A command whose --help option converts without pydantic too."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))


class _Group(TyperGroup):
    """The command group, with convcalc's error handling around Click's: Click's
    standalone mode prints multi-line boxes and tracebacks, this prints one or two lines."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        _plain_coercion(self)
        code = _run(
            lambda: super(_Group, self).main(
                args=args, prog_name=prog_name or PROG, complete_var=complete_var, standalone_mode=False, **extra
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_Group,
    name=PROG,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _app_for(args: list[str]) -> typer.Typer:
    """The app, with only the command that ``args`` begin with when they name one: Typer
    reads the signature of every command it builds (a millisecond for the other three, on
    every call), and a call runs one. Anything else (``--help``, ``--version``, a
    misspelt command, shell completion) gets the whole app."""
    if not args or any(name.endswith("_COMPLETE") for name in os.environ):
        return app
    import copy

    from typer.main import get_command_name

    chosen = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(c.callback.__name__)) == args[0]  # type: ignore[union-attr]
    ]
    if len(chosen) != 1:
        return app

    only = copy.copy(app)
    only.registered_commands = chosen
    return only


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the ``convcalc`` console script and of ``python -m convcalc``."""
    from typer.main import get_command

    try:
        command = get_command(_app_for(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    command.main(args=argv, prog_name=PROG)
    raise AssertionError("unreachable")  # pragma: no cover - main() exits


# ---------------------------------------------------------------------------------------
# Parsing option values (syntax only: the library checks the numbers)
# ---------------------------------------------------------------------------------------


def parse_sizes(text: str | None, option: str) -> tuple[int, ...] | None:
    """``28``, ``28,28``, ``28x28``, ``28×28`` or ``28 28`` → a tuple of ints (exit 2 if
    unreadable), by the one size reader of :mod:`convcalc.sizes`.

    >>> parse_sizes("28x28", "--in"), parse_sizes("3, 5", "--k"), parse_sizes(None, "--s")
    ((28, 28), (3, 5), None)
    """
    from .sizes import parse_sizes as read

    return None if text is None else read(text, option)


def _padding(text: str | None) -> tuple[int, ...] | str | None:
    if text is not None and text.strip().lower() in ("same", "valid"):
        return text.strip().lower()
    return parse_sizes(text, "--p")


def _width() -> int:
    """The table's width: $COLUMNS, else the terminal's, else 100 (a file or a pipe)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((100, 24)).columns
    return 100


def _color() -> bool:
    """Colour only on a terminal; NO_COLOR (non-empty) turns it off, FORCE_COLOR on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _one_of(**flags: bool) -> None:
    chosen = [name for name, on in flags.items() if on]
    if len(chosen) > 1:
        raise InputError(f"{' and '.join(chosen)} are alternatives: choose one")


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        _out(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Shapes, params, MACs/FLOPs, memory and receptive fields of CNNs, exactly as PyTorch.

    PyTorch is the reference; it is not needed.

    Examples:

      convcalc layer --in 224 --k 7 --s 2 --p 3
      convcalc layer --k 3 --s 2 --p 1                (the relation, no input)
      convcalc same --in 224 --k 7 --s 2
      convcalc net lenet
      convcalc net my_net.yaml --format json
      convcalc zoo
    """


TypeOption = Annotated[
    str,
    typer.Option(
        "--type",
        "-t",
        help="conv, transpose, maxpool, avgpool, or a PyTorch class (Conv1d, MaxPool2d, ConvTranspose3d, …).",
        metavar="TYPE",
    ),
]
KernelOption = Annotated[
    str, typer.Option("--k", "--kernel-size", help="Kernel size: 3, or one per dimension: 3,5.", metavar="K")
]
StrideOption = Annotated[
    str | None,
    typer.Option("--s", "--stride", help="Stride (default 1; pooling: the kernel size).", metavar="S"),
]
DilationOption = Annotated[str | None, typer.Option("--d", "--dilation", help="Dilation (default 1).", metavar="D")]
InOption = Annotated[
    str | None,
    typer.Option("--in", help="Input size: 28, or one per dimension: 28,28 or 28x28.", metavar="SIZES"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command(
    cls=_Command,
    epilog="""Examples:

  convcalc layer --in 224 --k 7 --s 2 --p 3            → 112
  convcalc layer --k 5 --p 2                           → out = in
  convcalc layer --type Conv2d --in 224 --k 7 --s 2 --p 3 --c-in 3 --c-out 64
  convcalc layer --type maxpool --in 5 --k 3 --s 3 --p 1 --ceil-mode --explain
  h=$(convcalc layer --in 28 --k 3 -q)""",
)
def layer(
    k: KernelOption,
    type_: TypeOption = "conv",
    in_: InOption = None,
    s: StrideOption = None,
    p: Annotated[
        str | None,
        typer.Option("--p", "--padding", help="Padding per side (default 0), or same / valid.", metavar="P"),
    ] = None,
    d: DilationOption = None,
    output_padding: Annotated[
        str | None,
        typer.Option("--output-padding", help="Transposed convolution's output_padding.", metavar="OP"),
    ] = None,
    ceil_mode: Annotated[bool, typer.Option("--ceil-mode", help="Pooling: round the output size up.")] = False,
    c_in: Annotated[int | None, typer.Option("--c-in", help="Input channels (for params, MACs, FLOPs).")] = None,
    c_out: Annotated[int | None, typer.Option("--c-out", help="Output channels (for params, MACs, FLOPs).")] = None,
    groups: Annotated[int | None, typer.Option("--groups", "-g", help="Convolution groups (default 1).")] = None,
    no_bias: Annotated[bool, typer.Option("--no-bias", help="Convolution without bias.")] = False,
    batch: Annotated[int, typer.Option("--batch", "-n", help="Batch size N (scales MACs).")] = 1,
    explain_: Annotated[
        bool, typer.Option("--explain", help="Show each formula with the numbers put in, and the warnings.")
    ] = False,
    json_: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the output sizes, separated by spaces (for $(…)).")
    ] = False,
) -> None:
    """The output size of one convolution or pooling layer.

    Without --in, how the output size follows from the input size (out = in, …). Options
    take one value, or one per dimension (--k 3,5); the number of dimensions is the longest
    option's, or the --type class's (Conv2d: 2)."""
    from . import explain as ex
    from .render import single

    _one_of(**{"--explain": explain_, "--json": json_, "-q": quiet})
    request = ex.request_layer(
        type_,
        sizes=parse_sizes(in_, "--in"),
        k=parse_sizes(k, "--k"),  # type: ignore[arg-type]
        s=parse_sizes(s, "--s"),
        p=_padding(p),
        d=parse_sizes(d, "--d"),
        output_padding=parse_sizes(output_padding, "--output-padding"),
        ceil_mode=ceil_mode,
        c_in=c_in,
        c_out=c_out,
        groups=groups,
        bias=not no_bias,
        batch=batch,
    )
    if explain_:  # the explanation derives the relations itself
        _out(single.explain_text(request, ex.explain(request), _width()))
        return
    relations = ex.relations(request.layer, request.in_channels)
    if request.sizes is None:
        if json_:
            _out(single.relation_json(request, relations))
        else:
            _out(single.quiet_relation(relations) if quiet else single.layer_text(request, relations, None))
        return
    report = ex.layer_report(request)
    if json_:
        _out(single.layer_json(report, relations))
    elif quiet:
        _out(single.quiet_sizes(report))
    else:
        _out(single.layer_text(request, relations, report, _width()))


@app.command(
    cls=_Command,
    epilog="""Examples:

  convcalc same --in 224 --k 7 --s 2                   → padding=3
  convcalc same --in 8 --k 4                           → no symmetric padding: 1 before, 2 after
  convcalc same --type transpose --in 16 --k 4 --s 2   → padding=1 (out 32)
  convcalc same --in 224,224 --k 3 --s 2 --out 112 -q""",
)
def same(
    in_: Annotated[
        str, typer.Option("--in", help="Input size: 28, or one per dimension: 28,28 or 28x28.", metavar="SIZES")
    ],
    k: KernelOption,
    s: StrideOption = None,
    d: DilationOption = None,
    out: Annotated[
        str | None,
        typer.Option("--out", help="Target output size (default ⌈in/s⌉; transposed: in·s).", metavar="SIZES"),
    ] = None,
    type_: TypeOption = "conv",
    json_: JsonOption = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print only the symmetric padding per dimension, or 'before after' per dimension when there is none.",
        ),
    ] = False,
) -> None:
    """The padding that gives a target output size ("same" padding).

    The target is ⌈in/s⌉ (transposed: in·s) unless --out gives it. Prints the minimal total
    padding, split as PyTorch's padding='same' splits it (the extra pixel after), and the
    smallest symmetric padding that reaches the target, if one does."""
    from . import explain as ex
    from .render import single

    _one_of(**{"--json": json_, "-q": quiet})
    request = ex.request_layer(
        type_,
        sizes=parse_sizes(in_, "--in"),
        k=parse_sizes(k, "--k"),  # type: ignore[arg-type]
        s=parse_sizes(s, "--s"),
        d=parse_sizes(d, "--d"),
        out=parse_sizes(out, "--out"),
    )
    assert request.sizes is not None
    answers = ex.same(request.layer, request.sizes, request.out)
    windows = ex.windows(request.layer)
    if json_:
        _out(single.same_json(request, answers, windows))
    elif quiet:
        _out(single.quiet_same(answers))
    else:
        _out(single.same_text(request, answers, windows, out is not None))


def _complete_network(incomplete: str) -> list[str]:
    """Shell completion for ``net``: built-in names and YAML files here."""
    from .zoo import zoo_names

    names = [n for n in zoo_names() if n.startswith(incomplete)]
    try:
        files = sorted(str(p) for p in Path(".").glob(f"{incomplete}*") if p.suffix in (".yaml", ".yml") or p.is_dir())
    except (OSError, ValueError):
        files = []
    return names + files


def _complete_dtype(incomplete: str) -> list[str]:
    from .report import DTYPE_BYTES

    return [t for t in DTYPE_BYTES if t.startswith(incomplete)]


def _source(text: str) -> Any:
    """What ``net`` analyses: standard input, a file, or a built-in network."""
    from .spec import LIMITS
    from .zoo import zoo_names, zoo_path

    if text == "-":
        limit = LIMITS["file_bytes"]
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"standard input is over {limit:,} bytes, the limit for a network")
        try:
            yaml_text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputError(f"standard input is not UTF-8 text (byte {err.start})") from None
        return yaml_text if "\n" in yaml_text else yaml_text + "\n"  # always read as YAML text
    if os.path.exists(text) or text.endswith((".yaml", ".yml")) or os.sep in text:
        return Path(text)
    if zoo_path(text) is not None:
        return text
    from .layers import suggest

    raise InputError(
        f"no file or built-in network named '{text}'{suggest(text, zoo_names())} "
        "(`convcalc zoo` lists the built-in ones)"
    )


@app.command(
    cls=_Command,
    epilog="""Examples:

  convcalc net lenet
  convcalc net resnet50 --depth 0                      (top-level blocks only)
  convcalc net my_net.yaml --input 8,3,224,224 --dtype float16
  convcalc net resnet18 --format plain | awk -F'\\t' 'NR > 1 {print $2, $5}'
  convcalc net vgg16 --format json | jq .totals
  cat my_net.yaml | convcalc net -
  convcalc net lenet --columns layer,output,params""",
)
def net(
    source: Annotated[
        str,
        typer.Argument(
            help="A network file (YAML, SPEC §2), a built-in network (convcalc zoo), or - for standard input.",
            metavar="FILE|NAME|-",
            autocompletion=_complete_network,
        ),
    ],
    input_: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Input shape N,C,H,W (overrides the file's input).", metavar="SHAPE"),
    ] = None,
    format_: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    dtype: Annotated[
        str,
        typer.Option(
            "--dtype",
            help="Element type for memory: float32, float16, bfloat16, float64, int8, …",
            autocompletion=_complete_dtype,
        ),
    ] = "float32",
    depth: Annotated[
        int | None,
        typer.Option("--depth", help="Show blocks only down to this depth (0: top level); totals stay whole."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            "-c",
            help="Columns to show, comma-separated: index, layer, path, depth, type, kind, qualname, inputs, "
            "input, output, params, trainable, buffers, macs, flops, rf, memory. Not for json.",
            metavar="LIST",
        ),
    ] = None,
    leaves: Annotated[
        bool,
        typer.Option(
            "--leaves",
            help="Only the layer rows, not the block rows that hold their sums: each column then sums to its total.",
        ),
    ] = False,
) -> None:
    """The per-layer table of a network, with totals and warnings.

    Every layer's output shape, params, MACs, receptive field and activation memory; the
    totals of params, buffers, MACs, FLOPs and memory; and the warnings (input rows no window
    reads, dropped ceil_mode windows, …). Numbers are rounded in the table, exact in plain,
    csv and json."""
    from .network import analyze
    from .render import parse_columns, render

    keys = None if columns is None else parse_columns(columns)
    if columns is not None and format_ is Format.json:
        raise InputError("--columns does not apply to --format json, which always has every field")
    if depth is not None and depth < 0:
        raise InputError(f"--depth must be ≥ 0, got {depth}")
    if leaves and depth is not None:
        raise InputError("--leaves and --depth do not go together: --leaves keeps every layer row and no block row")
    report = analyze(_source(source), input_shape=input_, dtype=dtype)
    text = render(report, format_, columns=keys, depth=depth, leaves=leaves, width=_width(), color=_color())
    _out(text)
    if report.warnings and format_ in (Format.plain, Format.csv):
        more = len(report.warnings) - 1
        _err(f"warning: {report.warnings[0]}" + (f" (and {more} more: see --format table or json)" if more else ""))


@app.command(
    cls=_Command,
    epilog="""Examples:

  convcalc zoo
  convcalc zoo resnet                                  (names or families containing "resnet")
  convcalc zoo --task detection
  convcalc zoo --format json | jq '.networks[] | {name, macs}'
  for m in $(convcalc zoo -q regnet); do convcalc net $m --format plain | tail -1; done""",
)
def zoo(
    filter_: Annotated[
        str | None,
        typer.Argument(help="Only networks whose name or family contains this text.", metavar="[FILTER]"),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help="Only networks of this task: classification, segmentation, detection, generation, video or audio.",
        ),
    ] = None,
    format_: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the names, one per line.")] = False,
) -> None:
    """The built-in networks, by family, with their input, params, MACs and the published
    figures they are checked against."""
    from .layers import suggest
    from .zoo import TASKS, catalogue

    if task is not None and task not in TASKS:
        raise InputError(f"--task: unknown task '{task}'{suggest(task, TASKS)}; choose from {', '.join(TASKS)}")
    entries = catalogue()
    if filter_ is not None:
        wanted = filter_.lower()
        entries = [e for e in entries if wanted in e["name"].lower() or wanted in e["family"].lower()]
    if task is not None:
        entries = [e for e in entries if e["task"] == task]
    if not entries:
        what = " and ".join(w for w in (f"'{filter_}'" if filter_ else "", f"task {task}" if task else "") if w)
        raise InputError(f"no built-in network matches {what} (`convcalc zoo` lists them all)")
    if quiet:
        _out("".join(f"{e['name']}\n" for e in entries))
        return
    from .render import render_zoo

    _out(render_zoo(entries, format_, width=_width(), color=_color()))
