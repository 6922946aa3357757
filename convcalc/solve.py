"""The inverse question: which single layer maps an input size to an output size.

:func:`solve` lists, per spatial dimension, every ``(kernel_size, stride, padding,
dilation[, output_padding][, ceil_mode])`` of one sliding layer type that gives exactly
``out`` outputs for ``n`` inputs, within bounds (by default kernel ≤ 11, stride ≤ 8,
dilation ≤ 4, padding ≤ the effective kernel). The sizes come from the layer class's own
:meth:`~convcalc.layers.Sliding.length`; every answer is then built as the real N-d layer
and run forward on the input, so that whatever PyTorch refuses (pooling padding over half
the kernel, an output_padding not below the stride or dilation, AvgPool3d's check of the
unpadded input) is refused here too. Nothing is visited but the bounded candidates: the
whole default search of one dimension is ~30,000 length calls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from . import arith
from .errors import ConvCalcError, InputError, InvalidLayerError
from .layers import AXES, LAYER_TYPES, MAX_NUMBER, Sliding, Window, build

__all__ = ["BOUNDS", "Bounds", "Solution", "Solved", "parse_choices", "solve"]

#: The default search: kernel ≤ 11, stride ≤ 8, dilation ≤ 4 (padding: ≤ the effective kernel).
BOUNDS = {"kernel_size": range(1, 12), "stride": range(1, 9), "dilation": range(1, 5)}

#: The most candidates one dimension may have (the product of the option's value counts).
MAX_CANDIDATES = 2_000_000


class Solution(NamedTuple):
    """One layer along one dimension that maps ``n`` to ``out``.

    ``padding`` is the padding on each side, or ``"same"`` (PyTorch's own split of an odd
    total, the extra pixel after); ``same``: this is what ``padding="same"`` gives;
    ``ceil_mode``: pooling needs it (floor mode gives another size); ``unread``: input
    positions no output depends on; ``unwritten`` (transposed convolution): output
    positions no input reaches (the zeros between scattered kernels)."""

    kernel_size: int
    stride: int
    padding: int | str
    dilation: int
    output_padding: int
    ceil_mode: bool
    unread: int
    same: bool
    unwritten: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


class Bounds(NamedTuple):
    """The values searched for each argument (None for padding: 0 to the effective kernel)."""

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | None
    dilation: tuple[int, ...]


class Solved(NamedTuple):
    """The answer of :func:`solve`: the layer type, input and output sizes, the bounds,
    and per spatial dimension its solutions, simplest first."""

    type: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    bounds: Bounds
    solutions: tuple[tuple[Solution, ...], ...]

    @property
    def alike(self) -> bool:
        """Whether every dimension has the same input and output (one list answers all)."""
        return len(set(zip(self.input, self.output))) == 1

    def to_dict(self) -> dict[str, Any]:
        axes = AXES[len(self.input)]
        b = self.bounds
        return {
            "convcalc": 1,
            "type": self.type,
            "input": list(self.input),
            "output": list(self.output),
            "bounds": {
                "kernel_size": list(b.kernel_size),
                "stride": list(b.stride),
                "padding": None if b.padding is None else list(b.padding),
                "dilation": list(b.dilation),
            },
            "dimensions": [
                {"axis": axis, "input": n, "output": m, "solutions": [s.to_dict() for s in found]}
                for axis, n, m, found in zip(axes, self.input, self.output, self.solutions)
            ],
        }


def parse_choices(text: str | None, option: str, low: int = 1) -> tuple[int, ...] | None:
    """An option's allowed values: ``3``, ``3,5,7``, ``1..5`` or a mix (``1,3..5``).

    >>> parse_choices("3,5,7", "--k"), parse_choices("2..4", "--s"), parse_choices(None, "--d")
    ((3, 5, 7), (2, 3, 4), None)
    """
    if text is None:
        return None
    values: set[int] = set()
    for part in text.split(","):
        lo, dots, hi = part.strip().partition("..")
        try:
            a, b = int(lo), int(hi) if dots else int(lo)
        except ValueError:
            raise InputError(f"{option} takes whole numbers or ranges like 3, 3,5,7 or 1..5, got {text!r}") from None
        if a < low or b > MAX_NUMBER or a > b:
            raise InputError(f"{option}: {part.strip()!r} is not a range of whole numbers ≥ {low}")
        if b - a > MAX_CANDIDATES:
            raise InputError(f"{option}: {part.strip()!r} has over {MAX_CANDIDATES:,} values")
        values.update(range(a, b + 1))
    return tuple(sorted(values))


def _type_name(type_name: str, dims: int) -> str:
    from .explain import layer_type

    name = layer_type(type_name, dims)
    if LAYER_TYPES[name][1] != dims:
        raise InputError(f"--type {name} has {LAYER_TYPES[name][1]} spatial dimensions, --in and --out have {dims}")
    return name


def _sliding(type_name: str) -> type[Sliding]:
    cls = LAYER_TYPES[type_name][0]
    assert issubclass(cls, Sliding)  # explain.layer_type admits only sliding layers
    return cls


def _layer(type_name: str, w: Window, padding: int | str, ceil: bool) -> Sliding:
    """The N-d layer of ``type_name`` with window ``w`` (padding ``padding``) along every
    dimension, one channel in and out."""
    cls = _sliding(type_name)
    schema = cls.schema()
    args: dict[str, Any] = dict(cls.command_defaults)
    args["kernel_size"] = w.k
    for name, value, default in (
        ("stride", w.s, None),
        ("padding", padding, 0),
        ("dilation", w.d, 1),
        ("output_padding", w.output_padding, 0),
        ("ceil_mode", ceil, False),
    ):
        if name in schema:
            args[name] = value
        elif value != default and value is not None:
            raise InputError(f"{type_name} takes no {name}")  # pragma: no cover - never searched
    if "out_channels" in schema:
        args["out_channels"] = 1
    layer = build(type_name, **args)
    assert isinstance(layer, Sliding)
    return layer


def _valid(type_name: str, w: Window, padding: int | str, ceil: bool, n: int, out: int, dims: int) -> bool:
    """Whether the real layer is valid on an input of ``n`` along every dimension and
    gives ``out``: the layer's own checks decide."""
    try:
        layer = _layer(type_name, w, padding, ceil)
        got = layer.forward((1, 1, *(n,) * dims)).output_shape[2:]
    except ConvCalcError:
        return False
    return all(o == out for o in got)


def _unwritten(layer: Sliding, n: int, w: Window, out: int) -> int:
    """Transposed convolution: output positions that no input's scatter reaches. Output
    ``o`` gets input ``i`` through tap ``j`` when ``o + p = i·s + j·d``: the windows of a
    convolution over the output padded by ``p``, one per input."""
    if not layer.transposed:
        return 0
    cov = arith.coverage(out, w.k, w.s, w.pl, w.d, n, w.pr)
    return 0 if cov is None else cov.unread


def _unread(layer: Sliding, n: int, w: Window, out: int) -> int:
    """Input positions that contribute to no output (SPEC §3's warning)."""
    if layer.transposed:  # input i scatters to i·s − p + j·d, j < k; only the edges can miss
        k_e = arith.effective_kernel(w.k, w.d)
        edge = (w.pl + k_e) // w.s + 2
        lost = 0
        for i in {*range(min(n, edge)), *range(max(0, n - edge), n)}:
            base = i * w.s - w.pl
            lost += not any(0 <= base + j * w.d < out for j in range(w.k))
        return lost
    cov = arith.coverage(n, w.k, w.s, w.pl, w.d, out, w.pr)
    return 0 if cov is None else cov.unread


def _candidates(schema: dict[str, Any], bounds: Bounds, transposed: bool) -> Iterable[tuple[int, int, int, int, int]]:
    """(k, s, p, d, output_padding) within the bounds, for the arguments the class has."""
    kernels, strides = bounds.kernel_size, bounds.stride
    dilations = bounds.dilation if "dilation" in schema else (1,)
    for k in kernels:
        for d in dilations if k > 1 else dilations[:1]:  # a 1-tap kernel has no gaps to dilate
            k_e = arith.effective_kernel(k, d)
            pads = (bounds.padding if bounds.padding is not None else range(k_e + 1)) if "padding" in schema else (0,)
            for s in strides:
                ops = range(max(s, d)) if transposed and "output_padding" in schema else (0,)
                for p in pads:
                    for op in ops:
                        yield k, s, p, d, op


def _size(bounds: Bounds) -> int:
    """An upper bound of the candidates of one dimension."""
    k_e = arith.effective_kernel(max(bounds.kernel_size), max(bounds.dilation))
    pads = len(bounds.padding) if bounds.padding is not None else k_e + 1
    ops = max(max(bounds.stride), max(bounds.dilation))
    return len(bounds.kernel_size) * len(bounds.stride) * len(bounds.dilation) * pads * ops * 2


def _solve_one(type_name: str, n: int, out: int, bounds: Bounds, dims: int) -> tuple[list[Solution], dict[int, Any]]:
    """The solutions of one dimension, and the reachable outputs (output → a window)."""
    cls = _sliding(type_name)
    schema = cls.schema()
    proto = _layer(type_name, Window(1, 1, 0, 0, 1, False, 0), 0, False)
    transposed = proto.transposed
    ceils = (False, True) if "ceil_mode" in schema else (False,)
    found: dict[tuple[Any, ...], Solution] = {}
    reached: dict[int, Any] = {}
    for k, s, p, d, op in _candidates(schema, bounds, transposed):
        for ceil in ceils:
            w = Window(k, s, p, p, d, ceil, op)
            got = proto.length(n, w)
            if got != out:
                if got >= 1:
                    reached.setdefault(got, (w, p))
                continue
            if ceil and proto.length(n, w._replace(ceil=False)) == out:
                continue  # floor mode gives it already: ceil_mode is not needed
            if not _valid(type_name, w, p, ceil, n, out, dims):
                continue
            same = cls.same_padding and s == 1 and d * (k - 1) == 2 * p
            found[k, s, p, d, op, ceil] = Solution(
                k, s, p, d, op, ceil, _unread(proto, n, w, out), same, _unwritten(proto, n, w, out)
            )
    if cls.same_padding and bounds.padding is None and 1 in bounds.stride and n == out:
        # padding="same" with an odd total (k even, d odd): no symmetric padding, one layer
        for k in bounds.kernel_size:
            for d in bounds.dilation:
                total = d * (k - 1)
                if total % 2 and _valid(type_name, Window(k, 1, 0, 0, d, False, 0), "same", False, n, out, dims):
                    w = Window(k, 1, total // 2, total - total // 2, d, False, 0)
                    unread = _unread(proto, n, w, out)
                    found[k, 1, "same", d, 0, False] = Solution(k, 1, "same", d, 0, False, unread, True)
    ratio = (n // out if n % out == 0 else None) if not transposed else (out // n if out % n == 0 else None)

    def simplest(sol: Solution) -> tuple[Any, ...]:
        asymmetric = isinstance(sol.padding, str)
        return (
            sol.stride != ratio, sol.kernel_size, sol.dilation, asymmetric, sol.unread + sol.unwritten > 0,
            sol.ceil_mode, 0 if asymmetric else sol.padding, sol.stride, sol.output_padding,
        )  # fmt: skip

    return sorted(found.values(), key=simplest), reached


def _nearest(type_name: str, n: int, out: int, reached: dict[int, Any], dims: int) -> list[str]:
    """The valid outputs nearest ``out`` below and above it, each with a layer giving it."""
    near: list[tuple[int, str]] = []
    for side in (sorted((o for o in reached if o < out), reverse=True), sorted(o for o in reached if o > out)):
        for o in side:
            w, p = reached[o]
            if _valid(type_name, w, p, w.ceil, n, o, dims):
                how = f"k={w.k}, s={w.s}, p={p}, d={w.d}" + (", ceil_mode" if w.ceil else "")
                near.append((o, f"{o} ({how})"))
                break
    return [text for _, text in sorted(near)]


def solve(
    input: Sequence[int] | int,
    output: Sequence[int] | int,
    type: str = "conv",
    *,
    kernel_size: Sequence[int] | None = None,
    stride: Sequence[int] | None = None,
    padding: Sequence[int] | None = None,
    dilation: Sequence[int] | None = None,
) -> Solved:
    """Every single layer of ``type`` (``conv``, ``transpose``, ``maxpool``, ``avgpool`` or
    a class name) that maps ``input`` to ``output`` exactly, per spatial dimension, within
    the default bounds unless ``kernel_size``/``stride``/``padding``/``dilation`` give the
    values to search; simplest first (the stride that is the ratio of the sizes, then the
    smaller kernel, then no dilation, then symmetric padding). No solution in a dimension
    is an :class:`InvalidLayerError` naming the nearest reachable outputs.

    >>> best = solve(224, 112, dilation=[1]).solutions[0][:3]
    >>> [(s.kernel_size, s.stride, s.padding, s.dilation) for s in best]
    [(1, 2, 0, 1), (2, 2, 0, 1), (3, 2, 1, 1)]
    >>> solve(224, 112).solutions[0][0].unread     # a 1×1 kernel with stride 2 skips half
    112
    """
    sizes = (input,) if isinstance(input, int) else tuple(input)
    outs = (output,) if isinstance(output, int) else tuple(output)
    for what, values in (("--in", sizes), ("--out", outs)):
        if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
            raise InputError(f"{what}: sizes must be whole numbers ≥ 1, got {list(values)}")
        if any(v > MAX_NUMBER for v in values):
            raise InputError(f"{what}: sizes are limited to 2^40 ({MAX_NUMBER:,})")
    from .explain import KINDS, layer_type

    shorthand = type.strip().lower() in KINDS
    dims = max(len(sizes), len(outs)) if shorthand else LAYER_TYPES[layer_type(type, None)][1]
    if dims > 3:
        raise InputError(f"--in and --out have {dims} sizes: convolutions and pooling have 1 to 3 spatial dimensions")
    for what, values in (("--in", sizes), ("--out", outs)):
        if len(values) not in (1, dims):
            raise InputError(f"{what} has {len(values)} sizes but the layer has {dims} dimensions: give 1 or {dims}")
    sizes = sizes * dims if len(sizes) == 1 else sizes
    outs = outs * dims if len(outs) == 1 else outs
    name = _type_name(type, dims)
    schema = LAYER_TYPES[name][0].schema()
    for option, given, arg in (("--d", dilation, "dilation"), ("--p", padding, "padding")):
        if given is not None and arg not in schema:
            raise InputError(f"{option}: {name} has no {arg} (PyTorch's {name} takes none)")
    bounds = Bounds(
        tuple(kernel_size) if kernel_size is not None else tuple(BOUNDS["kernel_size"]),
        tuple(stride) if stride is not None else tuple(BOUNDS["stride"]),
        None if padding is None else tuple(padding),
        tuple(dilation) if dilation is not None else tuple(BOUNDS["dilation"]),
    )
    if _size(bounds) > MAX_CANDIDATES:
        raise InputError(
            f"the search has over {MAX_CANDIDATES:,} candidates per dimension: narrow --k, --s, --p or --d"
        )
    answers: dict[tuple[int, int], list[Solution]] = {}
    for n, m in zip(sizes, outs):
        if (n, m) in answers:
            continue
        found, reached = _solve_one(name, n, m, bounds, dims)
        if not found:
            near = _nearest(name, n, m, reached, dims)
            alike = len(set(zip(sizes, outs))) == 1
            along = "" if alike else f" along the {AXES[dims][list(zip(sizes, outs)).index((n, m))]}"
            shown = (
                "it reaches no output at all" if not near
                else f"the nearest output it reaches is {near[0]}" if len(near) == 1
                else f"the nearest outputs it reaches are {near[0]} and {near[1]}"
            )  # fmt: skip
            raise InvalidLayerError(f"no {name} maps {n} to {m}{along} within {_describe(bounds, schema)}; {shown}")
        answers[n, m] = found
    return Solved(name, sizes, outs, bounds, tuple(tuple(answers[n, m]) for n, m in zip(sizes, outs)))


def _span(values: tuple[int, ...]) -> str:
    """``≤ 11``, ``2..4``, ``3,5,7`` or ``2``."""
    if len(values) > 2 and values == tuple(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}" if values[0] > 1 else f"≤ {values[-1]}"
    return ",".join(str(v) for v in values)


def _describe(bounds: Bounds, schema: dict[str, Any]) -> str:
    """``kernel ≤ 11, stride ≤ 8, padding ≤ the effective kernel, dilation ≤ 4``."""
    parts = [f"kernel {_span(bounds.kernel_size)}"]
    if "stride" in schema:
        parts.append(f"stride {_span(bounds.stride)}")
    if "padding" in schema:
        parts.append("padding ≤ the effective kernel" if bounds.padding is None else f"padding {_span(bounds.padding)}")
    if "dilation" in schema:
        parts.append(f"dilation {_span(bounds.dilation)}")
    return ", ".join(parts)


def describe_bounds(solved: Solved) -> str:
    """The searched bounds in words, for the text output."""
    return _describe(solved.bounds, LAYER_TYPES[solved.type][0].schema())


def total(solved: Solved) -> int:
    """How many layers answer: the product over dimensions of each one's count."""
    return math.prod(len(found) for found in solved.solutions)
