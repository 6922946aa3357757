"""The ``convcalc`` command line (SPEC §4–§6).

Each command parses its options, calls the library (:mod:`convcalc.explain`,
:func:`convcalc.analyze`) and hands the result to one renderer of :mod:`convcalc.render`;
it holds no arithmetic. :class:`_Group` turns every failure into a line or two on stderr
and an exit code: 0 answered, 1 rejected by PyTorch's rules, 2 unreadable request, 4 the
answer could not be written or the environment failed, 130 interrupted, 141 output pipe
closed (3 would be a bug in convcalc). The streams, the width, colour and encoding are
:mod:`convcalc.terminal`'s; what convcalc changes in Typer, :mod:`convcalc._typer_patch`'s.
YAML is imported only to read a network; Rich by Typer for --help, and to colour
``--draw`` on a terminal.

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
    from click import exceptions as click_exceptions  # type: ignore[no-redef,unused-ignore]

from . import __version__, _typer_patch, terminal
from .errors import ConvCalcError, InputError, clip
from .render import Format

__all__ = ["app", "console", "main", "parse_sizes"]

PROG = "convcalc"
EXIT_INTERRUPTED = terminal.EXIT_INTERRUPTED
EXIT_PIPE = terminal.EXIT_PIPE
EXIT_INTERNAL = 3


def _err(text: str) -> None:
    """A line on stderr (:meth:`Terminal.message`: it never fails)."""
    terminal.terminal.message(text)


def _out(text: str) -> None:
    """Write the answer, all of it (:meth:`Terminal.write`)."""
    terminal.terminal.write(text)


def _one_line(text: str) -> str:
    """A message on one line of bounded length (Click repeats option values whole)."""
    return clip(" ".join(part.strip() for part in text.splitlines() if part.strip()))


def _run(call: Callable[[], Any], doing: str | None = None) -> int:
    """Run the command line and map every outcome to an exit code (SPEC §6); ``doing``
    names what an environment failure stopped (``install the shell completion``)."""
    term = terminal.terminal
    try:
        result = call()
        term.flush()  # what Click or Rich left buffered fails here, not at exit
    except ConvCalcError as err:
        if isinstance(err, terminal.StreamError):
            term.silence_stdout()
        term.error(_one_line(str(err)))
        return err.exit_code
    except click_exceptions.UsageError as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # the help was shown
            return 2
        command = err.ctx.command_path if err.ctx is not None else PROG
        term.error(_one_line(err.format_message()))
        term.message(f"Try '{command} --help' for help.")
        return 2
    except click_exceptions.ClickException as err:
        term.error(_one_line(err.format_message()))
        return 2
    except (KeyboardInterrupt, typer.Abort):
        term.message("interrupted")
        return EXIT_INTERRUPTED
    except (terminal.PipeClosed, BrokenPipeError):
        term.silence_stdout()
        return EXIT_PIPE
    except OSError as err:  # the environment: a file that cannot be written, a stream that fails
        term.silence_stdout()
        term.error(_one_line(terminal.os_error_message(err, doing)))
        return terminal.EXIT_ENVIRONMENT
    except Exception as err:  # a bug: one line, not a traceback (CONVCALC_DEBUG=1 shows it)
        if os.environ.get("CONVCALC_DEBUG"):
            raise
        term.message(
            f"internal error: {type(err).__name__}: {_one_line(str(err))} "
            "(please report it; CONVCALC_DEBUG=1 shows the traceback)"
        )
        return EXIT_INTERNAL
    if result == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into Exit(130) before we see it
        term.message("interrupted")
    return result if isinstance(result, int) else 0


class _Help:
    """Help written as the answer is: a closed pipe is 141, a full disk exit 4."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        encoding = terminal.terminal.encoding()
        if encoding is not None:  # Rich measures the text: give it what will be written
            _typer_patch.map_help(self, lambda text: terminal.shown(text, encoding))
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        except (BrokenPipeError, SystemExit):  # Rich's Console exits 1 on a broken pipe
            raise terminal.PipeClosed from None
        except OSError as err:
            raise terminal.StreamError(terminal.os_error_message(err)) from None

    def get_help_option(self, ctx: Any) -> Any:
        return _typer_patch.plain(super().get_help_option(ctx))  # type: ignore[misc]


class _Command(_Help, TyperCommand):
    """A command whose help converts without pydantic and writes as the answer does."""


class _Group(_Help, TyperGroup):
    """The command group, with convcalc's error handling around Click's: Click's
    standalone mode prints multi-line boxes and tracebacks, this prints one or two lines."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        terminal.terminal.prepare()
        _typer_patch.plain_coercion(self)
        words = sys.argv[1:] if args is None else list(args)
        doing = "install the shell completion" if "--install-completion" in words else None
        code = _run(
            lambda: super(_Group, self).main(
                args=args, prog_name=prog_name or PROG, complete_var=complete_var, standalone_mode=False, **extra
            ),
            doing,
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
    """The app, with only the command that ``args`` begin with when they name one
    (:func:`convcalc._typer_patch.app_for`)."""
    return _typer_patch.app_for(app, args, os.environ)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> NoReturn:
    """The command line: runs it and raises ``SystemExit`` with its exit code."""
    from typer.main import get_command

    try:
        command = get_command(_app_for(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    command.main(args=argv, prog_name=PROG)
    raise AssertionError("unreachable")  # pragma: no cover - main() exits


def console() -> NoReturn:
    """Entry point of the ``convcalc`` console script and of ``python -m convcalc``:
    :func:`main`, then, once stdout and stderr are flushed, the process ends without the
    interpreter's teardown of every module it loaded (``os._exit``), which took a sixth of a
    short command's time. When anything waits for the exit (an ``atexit`` handler: coverage,
    logging) or a flush fails, the interpreter exits as usual."""
    import atexit

    try:
        main()
    except SystemExit as done:
        code = done.code
        waiting = getattr(atexit, "_ncallbacks", lambda: 1)()
        if waiting or not isinstance(code, int):
            raise
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            raise done from None
        os._exit(code)
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
    """The table's width (:meth:`Terminal.width`: $COLUMNS, else the terminal's, else 80)."""
    return terminal.terminal.width()


def _color() -> bool:
    """Colour only on a terminal (:meth:`Terminal.color`)."""
    return terminal.terminal.color()


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
FormatOption = typer.Option(
    "--format", "-f", help=f"Output format: {', '.join(f.value for f in Format)}.", metavar="FORMAT"
)
NoWarningsOption = Annotated[bool, typer.Option("--no-warnings", help="Leave the warnings out (they go to stderr).")]


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
    c_in: Annotated[
        int | None, typer.Option("--c-in", help="Input channels (for params, MACs, FLOPs).", metavar="C")
    ] = None,
    c_out: Annotated[
        int | None, typer.Option("--c-out", help="Output channels (for params, MACs, FLOPs).", metavar="C")
    ] = None,
    groups: Annotated[
        int | None, typer.Option("--groups", "-g", help="Convolution groups (default 1).", metavar="G")
    ] = None,
    no_bias: Annotated[bool, typer.Option("--no-bias", help="Convolution without bias.")] = False,
    batch: Annotated[int, typer.Option("--batch", "-n", help="Batch size N (scales MACs).", metavar="N")] = 1,
    explain_: Annotated[
        bool, typer.Option("--explain", help="Show each formula with the numbers put in, and the warnings.")
    ] = False,
    json_: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the output sizes, separated by spaces (for $(…)).")
    ] = False,
    draw: Annotated[
        bool, typer.Option("--draw", help="Draw each dimension's sliding window over the input (needs --in).")
    ] = False,
    no_warnings: NoWarningsOption = False,
) -> None:
    """The output size of one convolution or pooling layer.

    Without --in, how the output size follows from the input size (out = in, …). Options
    take one value, or one per dimension (--k 3,5); the number of dimensions is the longest
    option's, or the --type class's (Conv2d: 2)."""
    from . import explain as ex
    from .render import single

    _one_of(**{"--explain": explain_, "--json": json_, "-q": quiet, "--draw": draw})
    if draw and in_ is None:
        raise InputError("--draw needs --in: the window is drawn over an input of that size")
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
        explanation = ex.explain(request)
        _out(single.explain_text(request, explanation, _width()))
        _warn(explanation.warnings, no_warnings)
        return
    relations = ex.relations(request.layer, request.in_channels)
    if request.sizes is None:
        if json_:
            _out(single.relation_json(request, relations))
        else:
            _out(single.quiet_relation(relations) if quiet else single.layer_text(request, relations, None))
        return
    report = ex.layer_report(request)
    if draw:
        _layer_draw(request, report)
    elif json_:
        _out(single.layer_json(report, relations))
    elif quiet:
        _out(single.quiet_sizes(report))
    else:
        _out(single.layer_text(request, relations, report, _width()))
    if not quiet:
        _warn(report.rows[0].warnings, no_warnings)


def _layer_draw(request: Any, report: Any) -> None:
    """``layer --draw``: the sliding windows (:mod:`convcalc.draw`), in colour on a terminal
    and in ASCII when standard output cannot encode the drawing's symbols."""
    from .draw import strips
    from .render.draw import UNICODE, draw_text
    from .render.single import describe

    row = report.rows[0]
    head = (f"{describe(request)} · input {' × '.join(map(str, row.input_shape[2:]))} → output "
            f"{' × '.join(map(str, row.output_shape[2:]))}")  # fmt: skip
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        ("".join(UNICODE) + head).encode(encoding)
        ascii = False
    except (UnicodeEncodeError, LookupError):
        ascii = True
    options = terminal.terminal.table_options()
    pictures = strips(request.layer, row.input_shape[2:])
    _out(draw_text(head, pictures, width=options["width"], color=options["color"], ascii=ascii))


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
    no_warnings: NoWarningsOption = False,  # `same` has none: accepted, as by every command
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


@app.command(
    cls=_Command,
    epilog="""Examples:

  convcalc solve --in 224 --out 56                     (every Conv1d giving 224 → 56)
  convcalc solve --in 224,224 --out 112,112 --k 3,5,7 --s 2
  convcalc solve --type transpose --in 16 --out 32 --k 4 -q   → 4 2 1 1 0
  convcalc solve --type maxpool --in 5 --out 2 --json
  read k s p d <<< "$(convcalc solve --in 64 --out 32 --k 3 -q)\"""",
)
def solve(
    in_: Annotated[
        str, typer.Option("--in", help="Input size: 224, or one per dimension: 224,224.", metavar="SIZES")
    ],
    out: Annotated[
        str, typer.Option("--out", help="Output size: 56, or one per dimension: 56,56.", metavar="SIZES")
    ],
    type_: TypeOption = "conv",
    k: Annotated[
        str | None, typer.Option("--k", "--kernel-size", help="Kernels to try: 3, 3,5,7 or 1..5 (default ≤ 11).",
                                 metavar="K")
    ] = None,
    s: Annotated[
        str | None, typer.Option("--s", "--stride", help="Strides to try (default ≤ 8).", metavar="S")
    ] = None,
    p: Annotated[
        str | None, typer.Option("--p", "--padding", help="Paddings to try (default ≤ the effective kernel).",
                                 metavar="P")
    ] = None,
    d: Annotated[
        str | None, typer.Option("--d", "--dilation", help="Dilations to try (default ≤ 4).", metavar="D")
    ] = None,
    json_: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the first (simplest) layer, as: k s p d.")
    ] = False,
    no_warnings: NoWarningsOption = False,
) -> None:
    """Every single layer that maps an input size to an output size.

    Lists each (kernel, stride, padding, dilation) of the --type that gives exactly --out
    for --in, per dimension, simplest first; marks the ones that leave input unread, the
    one padding="same" gives, and pooling that needs ceil_mode. No layer: exit 1, with the
    nearest outputs within reach."""
    from .render.solve import solve_json, solve_quiet, solve_text
    from .solve import parse_choices
    from .solve import solve as find

    _one_of(**{"--json": json_, "-q": quiet})
    solved = find(
        parse_sizes(in_, "--in") or (),
        parse_sizes(out, "--out") or (),
        type_,
        kernel_size=parse_choices(k, "--k"),
        stride=parse_choices(s, "--s"),
        padding=parse_choices(p, "--p", low=0),
        dilation=parse_choices(d, "--d"),
    )
    _out(solve_json(solved) if json_ else solve_quiet(solved) if quiet else solve_text(solved))


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
        data = terminal.terminal.read_stdin(limit + 1)
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
            help="A network file (YAML), a built-in network (convcalc zoo), or - for standard input.",
            metavar="FILE|NAME|-",
            autocompletion=_complete_network,
        ),
    ],
    input_: Annotated[
        str | None,
        typer.Option("--input", "-i", help="Input shape N,C,H,W (overrides the file's input).", metavar="SHAPE"),
    ] = None,
    format_: Annotated[Format, FormatOption] = Format.table,
    dtype: Annotated[
        str,
        typer.Option(
            "--dtype",
            help="Element type for memory: float32, float16, bfloat16, float64, int8, …",
            metavar="DTYPE",
            autocompletion=_complete_dtype,
        ),
    ] = "float32",
    depth: Annotated[
        int | None,
        typer.Option("--depth", help="Show blocks only down to this depth (0: top level); totals stay whole.",
                     metavar="N"),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            "-c",
            help="Columns to show, comma-separated: index, layer, path, depth, type, kind, qualname, args, inputs, "
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
    batch: Annotated[
        int | None,
        typer.Option("--batch", "-n", help="The input's batch size N (the rest of the input shape is kept).",
                     metavar="N"),
    ] = None,
    train: Annotated[
        bool,
        typer.Option(
            "--train", help="Training figures: saved activations, gradients, optimizer state, backward FLOPs."
        ),
    ] = False,
    optimizer: Annotated[
        str,
        typer.Option("--optimizer", help="With --train: sgd, momentum, nesterov, rmsprop, adagrad, adam or adamw.",
                     metavar="NAME"),
    ] = "sgd",
    fit: Annotated[
        str | None,
        typer.Option("--fit", help="With --train: the largest batch whose training memory fits, e.g. 24GiB.",
                     metavar="BYTES"),
    ] = None,
    convention: Annotated[
        str | None,
        typer.Option("--convention", help="Count MACs/FLOPs as another tool does: torch, fvcore, ptflops, "
                     "ptflops-aten, thop, ultralytics, torchinfo or torchvision.", metavar="NAME"),
    ] = None,
    conventions: Annotated[
        bool,
        typer.Option(
            "--conventions", help="The network's total as each other counter reports it, and why they differ."
        ),
    ] = False,
    sweep: Annotated[
        str | None,
        typer.Option("--sweep", help="Analyse at each input size: 224,320,640 or 160..640:32 (HxW items too).",
                     metavar="SIZES"),
    ] = None,
    rf_at: Annotated[
        str | None,
        typer.Option("--rf-at", help="The input region that output position I[,J…] depends on.", metavar="I,J"),
    ] = None,
    of: Annotated[
        str | None,
        typer.Option("--of", help="With --rf-at: the row (name or path) whose output position it is.", metavar="ROW"),
    ] = None,
    no_warnings: NoWarningsOption = False,
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
    _one_of(**{"--train": train, "--conventions": conventions, "--sweep": sweep is not None,
               "--rf-at": rf_at is not None})  # fmt: skip
    if not train and (optimizer != "sgd" or fit is not None):
        raise InputError(f"{'--optimizer' if optimizer != 'sgd' else '--fit'} needs --train")
    if train and fit is not None and batch is not None:
        raise InputError("--fit finds the batch size itself: give --batch or --fit, not both")
    if train and convention is not None:
        raise InputError("--convention does not apply to --train, whose FLOPs are torch's (FlopCounterMode)")
    training_columns = [k for k in keys or () if k in ("saved", "grad", "optimizer", "backward")]
    if not train and training_columns:
        raise InputError(f"--columns {training_columns[0]} needs --train")
    if of is not None and rf_at is None:
        raise InputError("--of needs --rf-at")
    source_data = _source(source)
    if sweep is not None:
        return _net_sweep(source_data, sweep, input_, dtype, batch, format_, no_warnings)
    if rf_at is not None:
        return _net_rf_at(source_data, rf_at, of, input_, dtype, batch, format_, no_warnings)
    report = analyze(source_data, input_shape=input_, dtype=dtype, batch=batch)
    if conventions:
        return _net_conventions(report, format_, no_warnings)
    if convention is not None:
        report = _with_convention(report, convention)
    if train:
        return _net_train(source_data, report, optimizer, fit, keys, depth, leaves, format_, no_warnings)
    text = render(report, format_, columns=keys, depth=depth, leaves=leaves, **terminal.terminal.table_options())
    _out(text)
    _report_warnings(report, no_warnings)


def _warn(warnings: Any, no_warnings: bool) -> None:
    """Each warning on stderr, ``warning: …`` (SPEC §4: never on stdout)."""
    if not no_warnings:
        for text in warnings:
            _err(f"warning: {clip(text)}")


def _report_warnings(report: Any, no_warnings: bool) -> None:
    """A network's warnings on stderr, in the walk's order, each naming its row's place
    and, when it has one, its name (its qualname: ``'layer2.0.downsample.0' at layers[…]``)."""
    named = {}
    for row in report.rows:
        label = row.qualname or row.name
        if label is not None:
            for text in row.warnings:
                named[f"{row.where}: {text}"] = f"{label!r} at {row.where}: {text}"
    _warn([named.get(text, text) for text in report.warnings], no_warnings)


# -- net's v2 questions: each in its own function (and module) ------------------------------


def _net_sweep(source: Any, sweep: str, input_: str | None, dtype: str, batch: int | None, fmt: Format,
               no_warnings: bool) -> None:  # fmt: skip
    """``net --sweep``: the network at each input size, read once (:func:`convcalc.design.sweep`);
    a size the network rejects is a row with its reason, not an error."""
    from .design import sweep as run
    from .render.design import render_sweep

    result = run(source, sweep, input_shape=input_, dtype=dtype, batch=batch)
    _out(render_sweep(result, fmt, width=terminal.terminal.table_options()["width"]))


def _net_rf_at(source: Any, rf_at: str, of: str | None, input_: str | None, dtype: str, batch: int | None,
               fmt: Format, no_warnings: bool) -> None:  # fmt: skip
    """``net --rf-at``: the input region one output position depends on (:func:`convcalc.design.rf_at`)."""
    from .design import rf_at as find
    from .render.design import render_region

    answer = find(source, _positions(rf_at), of=of, input_shape=input_, dtype=dtype, batch=batch)
    _out(render_region(answer, fmt))


def _positions(text: str) -> tuple[int, ...]:
    """``--rf-at 10,20`` (or ``10x20``): indices ≥ 0, one per spatial dimension or one for all."""
    from .sizes import parse_sizes as read

    found = read(text, "--rf-at", text_rule="takes output indices like 10 or 10,20")
    if any(i < 0 for i in found):
        raise InputError(f"--rf-at: indices count from 0, got {list(found)}")
    return found


def _net_conventions(report: Any, fmt: Format, no_warnings: bool) -> None:
    """``net --conventions``: each other counter's total (issue "Reproduce … every other tool's count")."""
    from .conventions import counter_totals
    from .render.conventions import render_conventions

    _out(render_conventions(report, counter_totals(report), fmt, width=_width()))
    if report.warnings and not no_warnings:
        more = len(report.warnings) - 1
        _err(f"warning: {report.warnings[0]}" + (f" (and {more} more: see --format json)" if more else ""))


def _with_convention(report: Any, convention: str) -> Any:
    """``net --convention NAME``: the report's MACs/FLOPs as that counter counts them."""
    from .conventions import with_convention

    return with_convention(report, convention)


def _net_train(source: Any, report: Any, optimizer: str, fit: str | None, keys: tuple[str, ...] | None,
               depth: int | None, leaves: bool, fmt: Format, no_warnings: bool) -> None:  # fmt: skip
    """``net --train``: training memory and FLOPs (issue "Training"), at the report's input
    (its batch), or at the largest batch that fits ``--fit``."""
    from .render.training import render_training
    from .training import train

    result = train(source, input_shape=report.input_shape, dtype=report.dtype, optimizer=optimizer, fit=fit)
    options = terminal.terminal.table_options()
    _out(render_training(result, fmt, columns=keys, depth=depth, leaves=leaves, **options))
    _report_warnings(result.report, no_warnings)


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
            metavar="TASK",
        ),
    ] = None,
    format_: Annotated[Format, FormatOption] = Format.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the names, one per line.")] = False,
    no_warnings: NoWarningsOption = False,  # `zoo` has none: accepted, as by every command
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

    _out(render_zoo(entries, format_, **terminal.terminal.table_options()))
