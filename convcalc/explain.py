"""One sliding layer (convolution, transposed convolution, pooling) explained.

What the ``layer`` and ``same`` commands answer, as data rather than text:

* :func:`request_layer` builds the layer a command line describes (``--type``, per-dimension
  ``--k 3,5``, the dimension-count rule of SPEC §4);
* :func:`relations` gives, per spatial dimension, the output size as a simplified function
  of the input size (``out = in``, ``out = ⌊(in − 1)/2⌋ + 1``);
* :func:`explain` writes out each formula with the numbers put in, step by step, together
  with the layer's warnings;
* :func:`same` finds the padding that gives a target output size.

Every number comes from :mod:`convcalc.arith` or from the layer objects of
:mod:`convcalc.layers`; this module only arranges them. It imports neither typer nor rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import arith
from .errors import ConvCalcError, InputError, InvalidLayerError
from .layers import AXES, LAYER_TYPES, SLIDING_FAMILIES, Layer, Relation, Sliding, Window, build, suggest, to_int
from .network import LayerNode, Network, analyze
from .records import Record
from .report import Report

__all__ = [
    "KINDS",
    "Derivation",
    "Explanation",
    "Relation",
    "Request",
    "SameDim",
    "Window",
    "explain",
    "layer_report",
    "relations",
    "request_layer",
    "same",
    "windows",
]

_MINUS = "−"

Sizes = tuple[int, ...]


def _maybe_sliding() -> list[str]:
    """The registered types that can be sliding-window layers, no family loaded: those of
    the sliding families and of :func:`convcalc.layers.register`."""
    return [name for name in LAYER_TYPES if LAYER_TYPES.family(name) in (None, *SLIDING_FAMILIES)]


def _sliding_types() -> dict[str, tuple[type[Sliding], int]]:
    """The registered sliding-window layers: name → (class, spatial dimensions)."""
    found = {}
    for name in _maybe_sliding():
        cls, dims = LAYER_TYPES[name]
        if issubclass(cls, Sliding):
            found[name] = (cls, dims)
    return found


def _kinds() -> tuple[str, ...]:
    """The ``--type`` shorthands of the registered sliding layers, in registry order."""
    found: dict[str, None] = {}
    for cls, _ in _sliding_types().values():
        if cls.shorthand:
            found[cls.shorthand] = None
    return tuple(found)


#: ``--type`` shorthands (``conv``): with the dimension count they name a sliding layer type;
#: :func:`_kinds` in registry order (a test keeps them equal: computing them at import loaded
#: the pooling family for every ``convcalc layer``).
KINDS = ("conv", "transpose", "maxpool", "avgpool")


def kind(layer: Layer) -> Sliding:
    """``layer`` as a sliding-window layer; an InputError for any other layer."""
    if not isinstance(layer, Sliding):
        raise InputError(f"{layer.type} is not a convolution or pooling layer")
    return layer


def windows(layer: Layer) -> tuple[Window, ...]:
    """The per-dimension window of a convolution, transposed convolution or pooling layer.

    >>> windows(build("MaxPool2d", kernel_size=(2, 3)))  # doctest: +NORMALIZE_WHITESPACE
    (Window(k=2, s=2, pl=0, pr=0, d=1, ceil=False, output_padding=0),
     Window(k=3, s=3, pl=0, pr=0, d=1, ceil=False, output_padding=0))
    """
    return kind(layer).windows()


# ---------------------------------------------------------------------------------------
# The command line's single layer
# ---------------------------------------------------------------------------------------


class Request(Record, frozen=True):
    """A single layer as the ``layer`` and ``same`` commands describe it."""

    layer: Layer
    sizes: Sizes | None  # the input's spatial sizes, one per dimension (None: not given)
    batch: int
    channels: bool  # whether channels were given (else params and MACs mean nothing)
    in_channels: int  # C of the input shape
    out: Sizes | None = None  # `same --out`: the target sizes, one per dimension

    @property
    def input_shape(self) -> tuple[int, ...]:
        """``[N, C, *sizes]`` (``sizes`` must be given)."""
        assert self.sizes is not None
        return (self.batch, self.in_channels, *self.sizes)


def layer_type(name: str, dims: int | None) -> str:
    """The PyTorch class named by ``--type``: a shorthand of :data:`KINDS` with the
    dimension count, or a class name (any case) of a convolution or pooling layer.

    >>> layer_type("conv", 2), layer_type("maxpool1d", None), layer_type("ConvTranspose3d", None)
    ('Conv2d', 'MaxPool1d', 'ConvTranspose3d')
    """
    key = name.strip()
    if key.lower() in KINDS:
        want = dims or 1
        for type_name in _maybe_sliding():  # the registry's first of that kind and dimensions
            if LAYER_TYPES.dims(type_name) == want:  # loading only the families it must
                cls = LAYER_TYPES[type_name][0]
                if issubclass(cls, Sliding) and cls.shorthand == key.lower():
                    return type_name
        raise AssertionError(f"no {key} layer of {want} dimensions")  # pragma: no cover - KINDS is tested
    by_lower = {t.lower(): t for t in LAYER_TYPES}
    found = by_lower.get(key.lower())
    if found is None:
        raise InputError(
            f"--type {name!r} is not a layer type (use {', '.join(KINDS)} or a class name such as "
            f"Conv2d){suggest(key, [*KINDS, *_sliding_types()])}"
        )
    if not issubclass(LAYER_TYPES[found][0], Sliding):
        raise InputError(
            f"--type {found}: this command takes convolutions and pooling "
            f"({', '.join(KINDS)}); put a {found} in a network file for `convcalc net`"
        )
    return found


def _dims(type_name: str, options: dict[str, Sizes | None]) -> int:
    """SPEC §4: the class's own dimension count, or for a shorthand the longest option;
    every option then has one value or one per dimension."""
    given = {name: len(v) for name, v in options.items() if v is not None}
    if type_name.strip().lower() in KINDS:
        longest = max(given, key=lambda name: given[name], default="--k")
        dims = given.get(longest, 1)
        if dims > 3:
            raise InputError(
                f"{longest} has {dims} values: convolutions and pooling have 1 to 3 spatial dimensions"
                + _whole_tensor(longest, options[longest], dims - 2)
            )
        owner = f"{longest} has {dims}"
    else:
        cls = layer_type(type_name, None)
        dims = LAYER_TYPES[cls][1]
        owner = f"{cls} has {dims} spatial dimension{'s' if dims > 1 else ''}"
    for name, n in given.items():
        if n not in (1, dims):
            raise InputError(
                f"{name} has {n} values but {owner}: give one value or {dims}"
                + (_whole_tensor(name, options[name], dims) if n == dims + 2 else "")
            )
    return dims


def _whole_tensor(name: str, values: Sizes | None, dims: int) -> str:
    """The hint for ``--in 2,1,7,3``: the whole tensor ``[N, C, H, W]`` where the spatial
    sizes belong (as tutorials write shapes)."""
    if name != "--in" or values is None or len(values) != dims + 2 or not 1 <= dims <= 3:
        return ""
    n, c, *spatial = values
    return (
        f"; --in takes the spatial sizes only: for the tensor {list(values)} ([N, C, *spatial]) write "
        f"--in {','.join(map(str, spatial))} --batch {n} (and --c-in {c} --c-out … for params and MACs)"
    )


def _spread(values: Sizes | None, dims: int) -> Sizes | None:
    return None if values is None else (values * dims if len(values) == 1 else values)


def request_layer(
    type_name: str = "conv",
    *,
    sizes: Sizes | None = None,
    k: Sizes,
    s: Sizes | None = None,
    p: Sizes | str | None = None,
    d: Sizes | None = None,
    output_padding: Sizes | None = None,
    ceil_mode: bool = False,
    c_in: int | None = None,
    c_out: int | None = None,
    groups: int | None = None,
    bias: bool = True,
    batch: int = 1,
    out: Sizes | None = None,
) -> Request:
    """Build the layer of ``convcalc layer``/``convcalc same`` from its options (tuples of
    per-dimension values, or one value for all). Errors name the command-line options.

    >>> r = request_layer("conv", sizes=(224,), k=(7,), s=(2,), p=(3,))
    >>> r.layer.type, r.sizes, r.layer.forward(r.input_shape).output_shape
    ('Conv1d', (224,), (1, 1, 112))
    >>> request_layer("Conv2d", sizes=(28,), k=(3, 5)).sizes
    (28, 28)
    """
    options: dict[str, Any] = {
        "--in": sizes,
        "--out": out,
        "--k": k,
        "--s": s,
        "--d": d,
        "--output-padding": output_padding,
    }
    if not isinstance(p, str):
        options["--p"] = p
    dims = _dims(type_name, options)
    name = layer_type(type_name, dims)
    cls = LAYER_TYPES[name][0]
    assert issubclass(cls, Sliding)
    schema = cls.schema()
    weighted = "out_channels" in schema  # a convolution: channels, groups and bias
    kernel = _spread(k, dims) or k
    # one number when alike (LPPool1d with a finite norm_type, as PyTorch, refuses a list)
    args: dict[str, Any] = {"kernel_size": kernel[0] if len(set(kernel)) == 1 else kernel}
    for arg, value in (("stride", s), ("dilation", d)):
        if value is not None:
            args[arg] = _spread(value, dims)
    if p is not None:
        args["padding"] = p if isinstance(p, str) else _spread(p, dims)
    if isinstance(p, str) and not cls.same_padding:
        raise InputError(f"--p {p}: only Conv{dims}d takes padding='{p}'; give the padding as integers")
    if output_padding is not None and "output_padding" not in schema:
        raise InputError("--output-padding applies to transposed convolutions (--type transpose)")
    if weighted:
        if ceil_mode:
            raise InputError("--ceil-mode applies to pooling (maxpool, avgpool), not to convolutions")
        if (c_in is None) != (c_out is None):
            raise InputError("give both --c-in and --c-out (or neither, for sizes only)")
        if c_in is None and groups is not None:
            raise InputError("--groups needs --c-in and --c-out")
        if c_in is None and not bias:
            raise InputError("--no-bias needs --c-in and --c-out")
        args["in_channels"] = c_in
        args["out_channels"] = c_out if c_out is not None else (groups or 1)
        if groups is not None:
            args["groups"] = groups
        args["bias"] = bias
        if output_padding is not None:
            args["output_padding"] = _spread(output_padding, dims)
    else:
        for option, given in (
            ("--c-out", c_out is not None),
            ("--groups", groups is not None),
            ("--no-bias", not bias),
        ):
            if given:
                raise InputError(f"{option} applies to convolutions; {name} has no weights (use --c-in for channels)")
        for option, missing, wanted in (("--d", "dilation", d is not None), ("--p", "padding", p is not None)):
            if wanted and missing not in schema:
                raise InputError(f"{option}: {name} has no {missing} (PyTorch's {name} takes none)")
        if ceil_mode:
            args["ceil_mode"] = True
    for default_arg, default in cls.command_defaults.items():
        args.setdefault(default_arg, default)
    layer = build(name, **args)
    sizes = _spread(sizes, dims)
    if sizes is not None and any(v < 1 for v in sizes):
        raise InputError(f"--in: every size must be ≥ 1, got {list(sizes)}")
    out = _spread(out, dims)
    if out is not None and any(v < 1 for v in out):
        raise InputError(f"--out: every size must be ≥ 1, got {list(out)}")
    to_int("--batch", batch)
    if batch < 1:
        raise InputError(f"--batch must be ≥ 1, got {batch}")
    if weighted:
        return Request(layer, sizes, batch, c_in is not None, _default_channels(layer), out)
    if c_in is not None:
        to_int("--c-in", c_in)
        if c_in < 1:
            raise InputError(f"--c-in must be ≥ 1, got {c_in}")
    return Request(layer, sizes, batch, c_in is not None, c_in or 1, out)


def layer_report(request: Request) -> Report:
    """The report of the one layer on its input (``request.sizes`` must be given); errors
    name the layer type, as :meth:`Layer.forward` raises them."""
    request.layer.forward(request.input_shape)
    node = LayerNode(request.layer, None, request.layer.type, None)
    return analyze(Network(None, request.input_shape, [node], 1))


# ---------------------------------------------------------------------------------------
# Relations: out as a function of in
# ---------------------------------------------------------------------------------------


def relations(layer: Layer, channels: int | None = None) -> tuple[Relation, ...]:
    """Per spatial dimension, the output size as a function of the input size.

    ``min_in`` is checked against the layer itself (a few layers refuse more than the
    formula: AvgPool3d needs every input at least the kernel size).

    >>> [str(r) for r in relations(build("Conv1d", out_channels=1, kernel_size=5, padding=2))]
    ['out = in']
    >>> [str(r) for r in relations(build("Conv1d", out_channels=1, kernel_size=5, padding=2, stride=2))]
    ['out = ⌊(in − 1)/2⌋ + 1 = ⌈in/2⌉']
    >>> [str(r) for r in relations(build("ConvTranspose2d", out_channels=1, kernel_size=4, stride=2, padding=1))]
    ['out = 2·in', 'out = 2·in']
    """
    sliding = kind(layer)
    ws = sliding.windows()
    found = [sliding.relation(w) for w in ws]
    head = (1, channels or _default_channels(layer))
    safe = [r.min_in + w.k * w.d + w.s + w.pl + w.pr for r, w in zip(found, ws, strict=False)]
    for i, r in enumerate(found):
        lo, hi = r.min_in, safe[i]

        def valid(n: int, i: int = i) -> bool:
            try:
                layer.forward((*head, *safe[:i], n, *safe[i + 1 :]))
            except InvalidLayerError:
                return False
            return True

        if not valid(lo):
            while lo < hi:  # the smallest valid input: validity grows with the input
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if valid(mid) else (mid + 1, hi)
            found[i] = Relation(r.mode, r.stride, r.offset, lo, r.drop_padding)
    return tuple(found)


def _default_channels(layer: Layer) -> int:
    c = getattr(layer, "in_channels", None)
    return c if c is not None else max(1, getattr(layer, "groups", 1))


# ---------------------------------------------------------------------------------------
# Explanations: each formula with the numbers put in
# ---------------------------------------------------------------------------------------


class Derivation(Record, frozen=True):
    """One formula: its symbols, then the same with numbers put in, step by step, then
    the value (``notes`` say why a step changes the value, e.g. a dropped window)."""

    label: str
    formula: str
    steps: tuple[str, ...]
    value: int | None
    notes: tuple[str, ...] = ()


class Explanation(Record, frozen=True):
    """Everything ``convcalc layer --explain`` shows, as data.

    ``dimensions`` holds (heading, derivations) per spatial dimension; the heading is
    ``""`` for a 1-d layer and ``"each dimension"`` when all dimensions are alike.
    ``totals`` are params, MACs and FLOPs (empty without channels)."""

    dimensions: tuple[tuple[str, tuple[Derivation, ...]], ...]
    totals: tuple[Derivation, ...]
    warnings: tuple[str, ...]
    output_shape: tuple[int, ...] | None


def _output(layer: Sliding, n: int | None, w: Window, rel: Relation) -> Derivation:
    """The output size of one dimension, derived with ``n`` put in (``n`` None: the
    relation only)."""
    value = None if n is None else rel(n)
    formula, numbers = layer.output_formula(w, n)
    if layer.transposed:
        linear = (numbers,) if n is not None else (numbers, str(rel)[6:])
        return Derivation("output size", f"out = {formula}", linear, value)
    ceil = w.ceil
    lo, hi = ("⌈", "⌉") if ceil else ("⌊", "⌋")
    steps = [numbers]
    notes: list[str] = []
    if n is None:
        steps.append(str(rel)[6:])
    else:
        span = n + rel.offset
        if w.s != 1 or ceil:
            steps.append(f"{lo}{span}/{w.s}{hi} + 1".replace("-", _MINUS))
        if ceil:
            q = -(-span // w.s)
            if rel.drop_padding is not None and q * w.s >= n + w.pl:
                where = "in the right padding" if w.pl else "past the input"
                steps = [f"{step} {_MINUS} 1" for step in steps]
                notes.append(
                    f"{_MINUS} 1: PyTorch drops the last window, which would start {where}: "
                    f"({q + 1} {_MINUS} 1)·{w.s} = {q * w.s} ≥ in + p = {n + w.pl}"
                )
    label = "output size" + (" (ceil_mode)" if ceil else "")
    return Derivation(label, f"out = {formula}", tuple(steps), value, tuple(notes))


def _kernel(w: Window) -> Derivation | None:
    if w.d == 1:
        return None
    value = arith.effective_kernel(w.k, w.d)
    return Derivation("effective kernel", "k_e = d·(k − 1) + 1", (f"{w.d}·({w.k} − 1) + 1",), value)


def _totals(
    layer: Sliding, shape: tuple[int, ...], out: tuple[int, ...], params: int, macs: int
) -> tuple[Derivation, ...]:
    formulas = layer.cost_formulas(shape, out)
    if formulas is None:
        return ()
    (p_formula, p_steps), (m_formula, m_steps) = formulas
    return (
        Derivation("params", f"params = {p_formula}", (p_steps,), params),
        Derivation("MACs", f"MACs = {m_formula}", (m_steps,), macs),
        Derivation("FLOPs", "FLOPs = 2·MACs", (f"2·{macs}",), 2 * macs),
    )


def _per_dimension(items: list[Any], dims: int) -> list[tuple[str, Any]]:
    """Label per dimension, or one ``"each dimension"`` entry when all are alike."""
    if dims == 1:
        return [("", items[0])]
    if all(item == items[0] for item in items):
        return [("each dimension", items[0])]
    return list(zip(AXES[dims], items, strict=False))


def explain(request: Request) -> Explanation:
    """The derivation of the layer's output (with ``request.sizes``) or of its relation
    (without), and of params, MACs and FLOPs when channels were given.

    >>> e = explain(request_layer("conv", sizes=(224,), k=(7,), s=(2,), p=(3,)))
    >>> [(d.label, d.steps, d.value) for _, ds in e.dimensions for d in ds]
    [('output size', ('⌊(224 + 2·3 − 7)/2⌋ + 1', '⌊223/2⌋ + 1'), 112)]
    """
    layer = kind(request.layer)
    ws = layer.windows()
    rels = relations(layer, request.in_channels)
    step = None if request.sizes is None else layer.forward(request.input_shape)
    sizes: Sequence[int | None] = request.sizes if request.sizes is not None else (None,) * len(ws)
    per_dim = list(zip(sizes, ws, rels, strict=False))
    dimensions = []
    for heading, (n, w, r) in _per_dimension(per_dim, len(ws)):
        kernel = None if layer.transposed else _kernel(w)  # the transposed formula has no k_e
        derivations = [d for d in (kernel, _output(layer, n, w, r)) if d is not None]
        dimensions.append((heading, tuple(derivations)))
    totals: tuple[Derivation, ...] = ()
    if step is not None:
        for i, (n, r) in enumerate(zip(sizes, rels, strict=False)):
            if n is not None and r(n) != step.output_shape[2 + i]:  # pragma: no cover - a bug in this module
                raise AssertionError(f"relation {r} gives {r(n)} for {n}, the layer {step.output_shape[2 + i]}")
        if request.channels:
            totals = _totals(layer, request.input_shape, step.output_shape, step.params, step.macs)
    return Explanation(
        tuple(dimensions),
        totals,
        () if step is None else tuple(step.warnings),
        None if step is None else step.output_shape,
    )


# ---------------------------------------------------------------------------------------
# Same padding
# ---------------------------------------------------------------------------------------


class SameDim(Record, frozen=True):
    """The padding answer for one spatial dimension.

    Convolution and pooling: the minimal ``total`` with PyTorch's split (``before =
    total // 2``, the extra pixel ``after``), and ``symmetric``, the smallest ``padding=p``
    that reaches ``out`` (None when none does, or when PyTorch would refuse it).
    Transposed convolution: ``symmetric`` is the smallest ``padding``, with its
    ``output_padding``; ``total``, ``before`` and ``after`` are None.
    """

    n: int
    out: int
    total: int | None
    before: int | None
    after: int | None
    symmetric: int | None
    output_padding: int | None = None


def _reaches(layer: Sliding, w: Window, n: int, padding: int, output_padding: int | None, out: int) -> bool:
    """Whether the 1-d version of ``layer`` (its window ``w`` along one dimension) with this
    padding is valid and gives ``out``."""
    one = layer.one_dim(w, padding, output_padding)
    if one is None:
        return False
    try:
        got = one.forward((1, 1, n)).output_shape[-1]
    except ConvCalcError:
        return False
    return got == out


def same(layer: Layer, sizes: Sizes, out: Sizes | None = None) -> tuple[SameDim, ...]:
    """The padding that makes ``layer`` (its own padding ignored) give ``out`` outputs per
    dimension; by default ``⌈in/s⌉`` (convolution, pooling) or ``in·s`` (transposed).

    >>> same(build("Conv1d", out_channels=1, kernel_size=7, stride=2), (224,))
    (SameDim(n=224, out=112, total=5, before=2, after=3, symmetric=3, output_padding=None),)
    >>> same(build("ConvTranspose1d", out_channels=1, kernel_size=3, stride=2), (16,))[0].output_padding
    1
    """
    sliding = kind(layer)
    ws = sliding.windows()
    if len(sizes) != len(ws) or (out is not None and len(out) != len(ws)):
        raise InputError(f"give one size per dimension ({len(ws)}) for --in and --out")
    axes = AXES[len(ws)]
    answers = []
    for i, (n, w) in enumerate(zip(sizes, ws, strict=False)):
        target = None if out is None else out[i]
        along = "" if len(ws) == 1 else f" along the {axes[i]}"
        if sliding.transposed:
            t = arith.transposed_same_padding(n, w.k, w.s, w.d, target)
            if t is None or not _reaches(sliding, w, n, t.padding, t.output_padding, t.out):
                goal = n * w.s if target is None else target
                raise InvalidLayerError(
                    f"no padding ≥ 0 with output_padding < max(stride, dilation) gives {goal} outputs{along}: "
                    f"with padding 0 the output is {arith.transposed_conv_out(n, w.k, w.s, 0, w.d)}",
                    where=layer.type,
                )
            answers.append(SameDim(n, t.out, None, None, None, t.padding, t.output_padding))
            continue
        sp = arith.same_padding(n, w.k, w.s, w.d, target)
        if sp is None or sp.out < 1:
            goal = -(-n // w.s) if target is None else target
            bare = arith.conv_out(n, w.k, w.s, 0, w.d)
            raise InvalidLayerError(
                f"no padding ≥ 0 gives {goal} outputs{along}: with padding 0 the output is already {bare}",
                where=layer.type,
            )
        symmetric = sp.symmetric
        if symmetric is not None and not _reaches(sliding, w, n, symmetric, None, sp.out):
            symmetric = None  # PyTorch refuses it (pooling: padding over half the kernel)
        answers.append(SameDim(n, sp.out, sp.total, sp.left, sp.right, symmetric))
    return tuple(answers)
