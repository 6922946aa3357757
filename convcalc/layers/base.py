"""What every layer shares: the :class:`Layer` record, its :class:`Step`, and the
argument declarations with their converters.

An argument is declared once, as a field with its converter and default
(``stride: tuple[int, ...] = arg(to_tuple, 1)``); the accepted arguments of a class, its
schema, are derived from those fields. A converter takes the argument's name, the raw
value and the layer's number of spatial dimensions, and returns the normalised value or
raises :class:`InputError` (exit 2: the value cannot be read as that kind). Checks of the
values PyTorch rejects come later, in ``_validate`` or ``forward`` (exit 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple, TypeVar

from ..errors import InputError, InvalidLayerError, LimitError
from ..records import Record

__all__ = [
    "ALIASES",
    "AXES",
    "MAX_NUMBER",
    "REQUIRED",
    "RF",
    "Arg",
    "Layer",
    "Shape",
    "Step",
    "arg",
    "show_int",
    "show_value",
    "suggest",
    "to_int",
]

Shape = tuple[int, ...]
#: Receptive field per spatial dimension: (size, jump, start), or None when undefined.
RF = tuple[tuple[int, int, float], ...] | None

#: Largest magnitude accepted for any integer argument or size.
MAX_NUMBER = 2**40

#: The names of the spatial dimensions of a 1-, 2- and 3-d layer, outermost first.
AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
ROWS = {"length": "positions", "height": "rows", "width": "columns", "depth": "planes"}

#: Short names accepted for the arguments of every layer (SPEC §1).
ALIASES = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}


class Step(NamedTuple):
    """What one layer does to one input shape: output shape, trainable parameters,
    buffers (running statistics), multiply-accumulates, and the warnings of SPEC §3."""

    output_shape: Shape
    params: int
    buffers: int
    macs: int
    warnings: tuple[str, ...] = ()

    @property
    def flops(self) -> int:
        """``2·macs``, the convention of ``torch.utils.flop_counter.FlopCounterMode``."""
        return 2 * self.macs

    @property
    def output_elements(self) -> int:
        """Elements of the output tensor (times bytes per element: activation memory)."""
        return math.prod(self.output_shape)


# ---------------------------------------------------------------------------------------
# Text pieces of messages
# ---------------------------------------------------------------------------------------


def x_sizes(values: Iterable[Any]) -> str:
    """``(3, 5)`` → ``3 × 5`` (sizes as users write them)."""
    return " × ".join(str(v) for v in values)


def show_shape(shape: Iterable[int]) -> str:
    return "[" + ", ".join(str(v) for v in shape) + "]"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def kind_name(v: Any) -> str:
    """What kind of value ``v`` is, for a message: ``a string ('x')``."""
    if isinstance(v, bool):
        return f"a boolean ({str(v).lower()})"
    if isinstance(v, float):
        return f"a float ({v!r})"
    if isinstance(v, str):
        return f"a string ({v!r})"
    if v is None:
        return "null"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return repr(v)


_END = object()


def show_value(v: Any, width: int = 60, depth: int = 3) -> str:
    """A value a user gave, written for a message: lists as ``[3, 3]``, strings quoted,
    ``null``/``true``; cut after about ``width`` characters and ``depth`` levels of lists,
    and made without recursion (a list nested 1,000 levels deep is cut, not a RecursionError).

    >>> show_value([3, [5, None]]), show_value([[[[[7]]]]]), show_value(list(range(100)))[-10:]
    ('[3, [5, null]]', '[[[[…]]]]', '16, 17, …]')
    """
    parts: list[str] = []
    stack = [iter((v,))]  # one iterator per open list (the first holds v alone)
    seps = [""]
    total = 0
    while stack:
        if total > width:
            parts.append(seps[-1] + "…" + "]" * (len(stack) - 1))
            break
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            seps.pop()
            if stack:
                parts.append("]")
            continue
        parts.append(seps[-1])
        seps[-1] = ", "
        if isinstance(item, (list, tuple)):
            if len(stack) <= depth:
                parts.append("[")
                stack.append(iter(item))
                seps.append("")
                total += 1
                continue
            text = "[…]"
        elif item is None or isinstance(item, bool):
            text = {None: "null", True: "true", False: "false"}[item]
        elif isinstance(item, int):
            text = show_int(item)
        elif isinstance(item, float):
            text = repr(item)
        elif isinstance(item, str):
            text = repr(item) if len(item) <= 40 else repr(item[:30]) + "…"
        elif isinstance(item, dict):
            text = "{…}"
        else:
            text = f"<{type(item).__name__}>"
        parts.append(text)
        total += len(text) + 2
    return "".join(parts)


def show_int(v: int, commas: bool = False) -> str:
    """``v`` as digits (``commas``: grouped), or ``10^5000``-style when too long to write
    out (Python refuses to convert integers of over 4,300 digits to text).

    >>> show_int(-12), show_int(10**12, commas=True), show_int(-3 * 10**5000)
    ('-12', '1,000,000,000,000', '-3.0×10^5000')
    """
    if v.bit_length() < 256:
        return f"{v:,}" if commas else str(v)
    exponent = math.floor(math.log10(abs(v)))
    mantissa = abs(v) // 10 ** (exponent - 2) / 100
    return f"{'-' if v < 0 else ''}{mantissa:.1f}×10^{exponent}"


def suggest(word: str, options: Iterable[str]) -> str:
    """``"; did you mean 'kernel_size'?"`` when a close match exists, else ``""``.

    In time and memory bounded by the options, whatever the word's length: difflib's
    ratio ``2·M/(len(a) + len(b))`` cannot reach its cutoff 0.6 for a word over 2.34 times
    as long as an option, so longer words are not compared (difflib would index every
    character of a 16 MB word: seconds and hundreds of MB).
    """
    options = list(options)
    longest = max(map(len, options), default=0)
    if not isinstance(word, str) or len(word) > 3 * longest:
        return ""
    from difflib import get_close_matches  # only when something is misspelt

    lower = word.lower()
    found = [o for o in options if len(o) == len(word) and o.lower() == lower]  # the same name in other case first
    if not found:
        found = get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


# ---------------------------------------------------------------------------------------
# Converters: (name, raw value, spatial dimensions) → normalised value
# ---------------------------------------------------------------------------------------

T = TypeVar("T")
Converter = Callable[[str, Any, int], T]


def _as_yaml11(v: Any, kind: str) -> str:
    """For a string that YAML 1.2 reads as a number but PyYAML (YAML 1.1) as text (``1e-5``,
    ``1.5e3``, ``0o17``, ``08``): how to write that number so that it is one."""
    import re

    if not isinstance(v, str) or len(v) > 40:
        return ""
    text = v.strip()
    if kind == "int" and re.fullmatch(r"[-+]?[0-9]+|0o[0-7]+", text):
        n = int(text[2:], 8) if text.startswith("0o") else int(text, 10)
        return f" (YAML 1.1 reads {text} as text: write {n})"
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+", text):
        mantissa, exponent = re.split("[eE]", text)
        mantissa += "" if "." in mantissa else ".0"
        exponent = exponent if exponent[0] in "+-" else "+" + exponent
        return f" (YAML 1.1 reads {text} as text: write {mantissa}e{exponent})"
    return ""


def to_int(name: str, v: Any, dims: int = 0) -> int:
    """An integer argument: booleans, floats and strings are refused (exit 2)."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError(f"{name} must be an integer, got {kind_name(v)}{_as_yaml11(v, 'int')}")
    if not -MAX_NUMBER <= v <= MAX_NUMBER:
        raise LimitError(f"{name}={show_int(v)} is out of range: numbers are limited to ±2^40 ({MAX_NUMBER:,})")
    return v


def to_opt_int(name: str, v: Any, dims: int) -> int | None:
    return None if v is None else to_int(name, v)


def to_tuple(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """int → the same for every dimension; a list must have one entry per dimension."""
    if isinstance(v, (list, tuple)):
        if len(v) != dims:
            raise InputError(
                f"{name} has {len(v)} entr{'y' if len(v) == 1 else 'ies'} {show_value(v)} "
                f"but the layer has {dims} spatial dimension{'s' if dims > 1 else ''}: "
                f"give one number or {dims}"
            )
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),) * dims


def to_opt_tuple(name: str, v: Any, dims: int) -> tuple[int, ...] | None:
    return None if v is None else to_tuple(name, v, dims)


def to_bool(name: str, v: Any, dims: int) -> bool:
    if not isinstance(v, bool):
        raise InputError(f"{name} must be true or false, got {kind_name(v)}")
    return v


def to_opt_bool(name: str, v: Any, dims: int) -> bool | None:
    return None if v is None else to_bool(name, v, dims)


def to_number(name: str, v: Any, dims: int) -> float:
    """Any number, infinities included (booleans and strings refused)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"{name} must be a number, got {kind_name(v)}{_as_yaml11(v, 'float')}")
    return float(v)


def to_float(name: str, v: Any, dims: int) -> float:
    f = to_number(name, v, dims)
    if not math.isfinite(f):
        raise InputError(f"{name} must be a finite number, got {v!r}")
    return f


def to_opt_float(name: str, v: Any, dims: int) -> float | None:
    return None if v is None else to_float(name, v, dims)


def to_probability(name: str, v: Any, dims: int) -> float:
    f = to_float(name, v, dims)
    if not 0.0 <= f <= 1.0:
        raise InvalidLayerError(f"{name} must be between 0 and 1, got {v}")
    return f


def choice(*options: str) -> Converter[str]:
    """A converter accepting one of ``options``."""

    def convert(name: str, v: Any, dims: int) -> str:
        if not isinstance(v, str) or v not in options:
            hint = suggest(v, options) if isinstance(v, str) else ""
            raise InputError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {kind_name(v)}{hint}")
        return v

    return convert


def to_int_list(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """One integer or a non-empty list of them."""
    if isinstance(v, (list, tuple)):
        if not v:
            raise InputError(f"{name} must not be empty")
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),)


def to_opt_int_list(name: str, v: Any, dims: int) -> tuple[int, ...] | None:
    return None if v is None else to_int_list(name, v, dims)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an argument that must be given.
REQUIRED: Any = _Required()


class Arg:
    """One argument's declaration: its converter, its default (:data:`REQUIRED`: none),
    and the name users give it when that is not the field's (Permute's ``dims``: every
    layer's ``dims`` field is its number of spatial dimensions)."""

    __slots__ = ("convert", "default", "field", "name")

    def __init__(self, convert: Converter[Any], default: Any = REQUIRED, name: str | None = None) -> None:
        self.convert = convert
        self.default = default
        self.name = name
        self.field = name  # set to the field's name when the class is made

    def __repr__(self) -> str:
        return f"arg({getattr(self.convert, '__name__', self.convert)}, {self.default!r})"


def arg(convert: Converter[T], default: Any = REQUIRED, *, name: str | None = None) -> T:
    """Declare a field as an argument (attrs' ``field(converter=…)``): the field's value is
    ``convert(name, raw, dims)`` of what the user gives, else of ``default``; ``name``: the
    argument's name when it is not the field's."""
    return Arg(convert, default, name)  # type: ignore[return-value]  # a declaration standing in for the value


# ---------------------------------------------------------------------------------------
# The layer
# ---------------------------------------------------------------------------------------


class Layer(Record, frozen=True):
    """Base of every layer: ``type`` is the PyTorch class name, ``dims`` the number of
    spatial dimensions it works on (0 when it has none of its own). A layer is a frozen
    record whose fields are its normalised arguments; ``_validate`` checks them once.

    Fields declared with :func:`arg` are the arguments (``_args``: argument name →
    :class:`Arg`, in field order); fields with a plain default are state the layer keeps
    without taking it as an argument.
    """

    _args: ClassVar[dict[str, Arg]] = {}
    type: str
    dims: int

    _cache_slots = ("_arguments",)  # a layer is immutable: arguments() is made once

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {})
        found: dict[str, Arg] = {}
        for base in reversed(cls.__mro__[1:]):
            for inherited in getattr(base, "_args", {}).values():
                found[inherited.field] = inherited
        for field, value in list(cls._defaults.items()):
            if isinstance(value, Arg):
                value.field = field
                value.name = value.name or field
                found[field] = value
                del cls._defaults[field]
            elif field in own:  # declared again with a plain default: no longer an argument
                found.pop(field, None)
        cls._args = {found[field].name or field: found[field] for field in cls._fields if field in found}

    @classmethod
    def schema(cls) -> dict[str, Arg]:
        """The accepted arguments, in order: name → :class:`Arg`."""
        return cls._args

    def forward(self, shape: Shape) -> Step:
        raise NotImplementedError

    def receptive_field(self, rf: RF) -> RF:
        """The receptive field after this layer; the default keeps it."""
        return rf

    def is_view(self) -> bool:
        """Whether the output is a view of the input (SPEC §3: 0 activation bytes)."""
        return False

    # -- how other counters count the layer (convcalc.conventions); the families override --

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """fvcore 0.1.5 ``FlopCountAnalysis``: 0 for an aten op without a handle in
        ``_DEFAULT_SUPPORTED_OPS`` (``fvcore/nn/flop_count.py``): activations, most pooling,
        elementwise ops."""
        return 0

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """ptflops 0.7.5, pytorch backend: (what the module hook adds, what the functions
        its forward calls add). ``(0, 0)`` for a class outside ``MODULES_MAPPING``
        (``ptflops/pytorch_ops.py``) that calls none of the functions ``patch_functional``
        and ``patch_tensor_ops`` wrap (``ptflops/pytorch_engine.py``). The hook part is divided
        by the batch, the functional part is not (``get_flops_pytorch``)."""
        return 0, 0

    def ptflops_aten_macs(self, shape: Shape, step: Step) -> int:
        """ptflops 0.7.5, aten backend: 0 outside ``ATEN_OPS_MAPPING`` (``ptflops/aten_ops.py``:
        mm, matmul, addmm, bmm, convolution)."""
        return 0

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """ultralytics-thop 2.2.3 ``profile``: 0 for a class with no rule in ``register_hooks``
        (through its MRO, ``_resolve_rule`` in ``thop/profile.py``) or with ``zero_ops``."""
        return 0

    def torchinfo_macs(self, shape: Shape, step: Step) -> int:
        """torchinfo 1.8.0 ``LayerInfo.calculate_macs`` (``torchinfo/layer_info.py``): a leaf
        module's parameters named weight or bias times ``output_size[0]``, the batch alone
        (0 without parameters); convolutions override it."""
        return step.output_shape[0] * step.params if step.params and step.output_shape else 0

    def in_place(self) -> bool:
        """Whether the layer overwrites its input (``inplace: true``; SPEC §3: 0 activation bytes)."""
        return False

    def arguments(self) -> dict[str, Any]:
        """The layer's arguments as given (normalised), without defaults: made on the first
        call and kept (every row of the layer shares the dict; do not change it)."""
        try:
            return self._arguments  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            found = self._make_arguments()
            object.__setattr__(self, "_arguments", found)
            return found

    def _make_arguments(self) -> dict[str, Any]:
        defaults = normalised_defaults(type(self), self.dims)
        out = {}
        for name, a in self._args.items():
            value = getattr(self, a.field or name)
            if value != defaults[name]:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def fail(self, detail: str) -> InvalidLayerError:
        return InvalidLayerError(detail, where=self.type)

    def _rank(self, shape: Shape, *ranks: int) -> None:
        if len(shape) not in ranks:
            if len(ranks) > 2 and ranks == tuple(range(ranks[0], ranks[-1] + 1)):
                raise self.fail(
                    f"expects an input of at least {ranks[0]} dimensions; got {len(shape)}-d {show_shape(shape)}"
                )
            want = " or ".join(f"{r}-d" for r in ranks)
            axes = AXES.get(self.dims)
            example = ""
            if axes and len(ranks) == 1 and ranks[0] == self.dims + 2:
                example = " [N, C, " + ", ".join(a[0].upper() if a != "length" else "L" for a in axes) + "]"
            raise self.fail(f"expects a {want} input{example}; got {len(shape)}-d {show_shape(shape)}")

    def unbatched(self, shape: Shape) -> bool:
        """Whether this layer reads ``shape`` as one sample without its batch dimension,
        ``[C, *spatial]`` (PyTorch's unbatched input); by default, never."""
        return False

    def _sample(self, shape: Shape) -> tuple[Shape, int, Shape]:
        """An input ``[N, C, *spatial]``, or the unbatched ``[C, *spatial]`` that PyTorch
        also accepts for convolution, pooling and InstanceNorm: (the batch part, ``(N,)``
        or ``()``; the channels; the spatial sizes)."""
        d = self.dims
        if len(shape) not in (d + 1, d + 2):
            axes = ", ".join(a[0].upper() if a != "length" else "L" for a in AXES[d])
            raise self.fail(
                f"expects a {d + 2}-d input [N, C, {axes}] (or {d + 1}-d [C, {axes}] without the batch); "
                f"got {len(shape)}-d {show_shape(shape)}"
            )
        return shape[: -d - 1], shape[-d - 1], shape[-d:]

    def _dim(self, dim: int, rank: int, name: str) -> int:
        """``dim`` (negative: from the end) as an index into a ``rank``-d shape."""
        if not -rank <= dim < rank:
            raise self.fail(f"{name}={dim} is out of range for a {rank}-d input (expected {-rank} to {rank - 1})")
        return dim % rank


_DEFAULTS: dict[tuple[type[Layer], int], dict[str, Any]] = {}


def normalised_defaults(cls: type[Layer], dims: int) -> dict[str, Any]:
    """The defaults of ``cls``'s arguments as their converters normalise them for ``dims``
    (``REQUIRED`` and ``None`` kept), converted once per class and ``dims``: every default
    is immutable."""
    found = _DEFAULTS.get((cls, dims))
    if found is None:
        found = _DEFAULTS[cls, dims] = {
            name: a.default if a.default is REQUIRED or a.default is None else a.convert(name, a.default, dims)
            for name, a in cls._args.items()
        }
    return found


# ---------------------------------------------------------------------------------------
# Checks shared by several families
# ---------------------------------------------------------------------------------------


def given(value: Any) -> Any:
    """A normalised argument as the user probably wrote it: ``(0, 0)`` → ``0``."""
    if isinstance(value, tuple):
        return value[0] if len(set(value)) == 1 else list(value)
    return value


def check_positive(layer: Layer, **values: tuple[int, ...] | int | None) -> None:
    for name, value in values.items():
        if value is None:
            continue
        items = value if isinstance(value, tuple) else (value,)
        if any(v < 1 for v in items):
            raise layer.fail(f"{name} must be ≥ 1, got {given(value)}")


def check_nonnegative(layer: Layer, **values: tuple[int, ...]) -> None:
    for name, value in values.items():
        if any(v < 0 for v in value):
            raise layer.fail(f"{name} must be ≥ 0, got {given(value)}")


def groups_msg(name: str, value: int, groups: int, groups_name: str = "groups") -> str:
    return f"{groups_name}={groups} does not divide {name}={value} ({value} % {groups} = {value % groups})"
