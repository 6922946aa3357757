"""One class per layer family, normalised and validated once, when built.

A layer is built with :func:`build` from its PyTorch class name and PyTorch arguments
(``build("Conv2d", out_channels=6, kernel_size=5, padding=2)``). Building checks the
names and kinds of the arguments (errors with exit code 2) and the values PyTorch
rejects on their own (exit code 1); :meth:`Layer.forward` then checks the layer against
an input shape ``[N, C, *spatial]`` and returns a :class:`Step`: output shape, params,
buffers and MACs, with the warnings of SPEC §3. :meth:`Layer.receptive_field` maps the
receptive field of the input to that of the output.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

from . import arith
from .errors import InputError, InvalidLayerError, LimitError
from .records import Record

__all__ = [
    "AXES",
    "LAYER_TYPES",
    "MAX_NUMBER",
    "Layer",
    "Step",
    "build",
    "suggest",
]

Shape = tuple[int, ...]
#: Receptive field per spatial dimension: (size, jump, start), or None when undefined.
RF = tuple[tuple[int, int, float], ...] | None

#: Largest magnitude accepted for any integer argument or size.
MAX_NUMBER = 2**40


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


def _x(values: Any) -> str:
    """``(3, 5)`` → ``3 × 5`` (sizes as users write them)."""
    return " × ".join(str(v) for v in values)


def _shape(shape: Shape) -> str:
    return "[" + ", ".join(str(v) for v in shape) + "]"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: The names of the spatial dimensions of a 1-, 2- and 3-d layer, outermost first.
AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
_ROWS = {"length": "positions", "height": "rows", "width": "columns", "depth": "planes"}


# ---------------------------------------------------------------------------------------
# Argument kinds: each converts a raw value into the normalised one, or raises InputError
# (exit 2: the value cannot be read as that kind). Value checks come later (exit 1).
# ---------------------------------------------------------------------------------------


def _kind_name(v: Any) -> str:
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


def to_int(name: str, v: Any) -> int:
    """An integer argument: booleans, floats and strings are refused (exit 2)."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError(f"{name} must be an integer, got {_kind_name(v)}")
    if not -MAX_NUMBER <= v <= MAX_NUMBER:
        raise LimitError(f"{name}={show_int(v)} is out of range: numbers are limited to ±2^40 ({MAX_NUMBER:,})")
    return v


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


def _int(name: str, v: Any, dims: int) -> int:
    return to_int(name, v)


def _opt_int(name: str, v: Any, dims: int) -> int | None:
    return None if v is None else to_int(name, v)


def _tuple(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """int → the same for every dimension; a list must have one entry per dimension."""
    if isinstance(v, (list, tuple)):
        if len(v) != dims:
            raise InputError(
                f"{name} has {len(v)} entries {list(v)} "
                f"but the layer has {dims} spatial dimension{'s' if dims > 1 else ''}: "
                f"give one number or {dims}"
            )
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),) * dims


def _opt_tuple(name: str, v: Any, dims: int) -> tuple[int, ...] | None:
    return None if v is None else _tuple(name, v, dims)


def _bool(name: str, v: Any, dims: int) -> bool:
    if not isinstance(v, bool):
        raise InputError(f"{name} must be true or false, got {_kind_name(v)}")
    return v


def _opt_bool(name: str, v: Any, dims: int) -> bool | None:
    return None if v is None else _bool(name, v, dims)


def _float(name: str, v: Any, dims: int) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"{name} must be a number, got {_kind_name(v)}")
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite number, got {v!r}")
    return float(v)


def _opt_float(name: str, v: Any, dims: int) -> float | None:
    return None if v is None else _float(name, v, dims)


def _choice(*options: str) -> Callable[[str, Any, int], str]:
    def convert(name: str, v: Any, dims: int) -> str:
        if not isinstance(v, str) or v not in options:
            hint = suggest(str(v), options)
            raise InputError(
                f"{name} must be one of {', '.join(repr(o) for o in options)}, got {_kind_name(v)}{hint}"
            )
        return v

    return convert


def _conv_padding(name: str, v: Any, dims: int) -> str | tuple[int, ...]:
    if isinstance(v, str):
        if v not in ("same", "valid"):
            raise InputError(f"{name} must be an integer, a list of {dims}, 'same' or 'valid', got {v!r}")
        return v
    return _tuple(name, v, dims)


def _int_padding(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """Padding of layers without 'same'/'valid': those two are values PyTorch rejects here
    (exit 1); any other string is a value of the wrong kind (exit 2, from :func:`_tuple`)."""
    if v in ("same", "valid"):
        raise InvalidLayerError(
            f"{name}={v!r} is not accepted here: PyTorch takes only integers for this layer "
            "(`convcalc same` finds the padding)"
        )
    return _tuple(name, v, dims)


def _pad_sides(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """Padding layers: an int for every side, or 2·dims ints in PyTorch's order
    (left, right, top, bottom, front, back)."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2 * dims:
            raise InputError(
                f"{name} has {len(v)} entries {list(v)}; give one number or {2 * dims} "
                f"({', '.join(('left', 'right', 'top', 'bottom', 'front', 'back')[: 2 * dims])})"
            )
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),) * (2 * dims)


def _output_size(name: str, v: Any, dims: int) -> tuple[int | None, ...]:
    """Adaptive pooling: an int, null, or a list with one int-or-null per dimension."""
    if v is None:
        return (None,) * dims
    if isinstance(v, (list, tuple)):
        if len(v) != dims:
            raise InputError(f"{name} has {len(v)} entries {list(v)} but the layer has {dims} spatial dimensions")
        return tuple(None if x is None else to_int(name, x) for x in v)
    return (to_int(name, v),) * dims


def _int_list(name: str, v: Any, dims: int) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if not v:
            raise InputError(f"{name} must not be empty")
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),)


def _scale(name: str, v: Any, dims: int) -> float | tuple[float, ...] | None:
    """Upsample's scale_factor: one number for every dimension, or a list (one per dimension,
    checked against the input: PyTorch refuses a list of the wrong length, even of one)."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        if not v:
            raise InputError(f"{name} must not be empty")
        return tuple(_float(name, x, dims) for x in v)
    return _float(name, v, dims)


def _size_or_sizes(name: str, v: Any, dims: int) -> int | tuple[int, ...] | None:
    """Upsample's size: one int for every dimension, or a list as for scale_factor."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return _int_list(name, v, dims)
    return to_int(name, v)


def _size_list(name: str, v: Any, dims: int) -> tuple[int, ...] | None:
    if v is None:
        return None
    return _int_list(name, v, dims)


def _any(name: str, v: Any, dims: int) -> Any:
    return v


REQUIRED = object()
ALIASES = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}


def suggest(word: str, options: Any) -> str:
    """``"; did you mean 'kernel_size'?"`` when a close match exists, else ``""``."""
    from difflib import get_close_matches  # only when something is misspelt

    found = [o for o in options if o.lower() == word.lower()]  # the same name in other case first
    if not found:
        found = get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


# ---------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------


class Layer(Record, frozen=True):
    """Base of every layer: ``type`` is the PyTorch class name, ``dims`` the number of
    spatial dimensions it works on (0 when it has none of its own). A layer is a frozen
    record whose fields are its normalised arguments; ``_validate`` checks them once."""

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {}
    type: str
    dims: int

    def forward(self, shape: Shape) -> Step:
        raise NotImplementedError

    def receptive_field(self, rf: RF) -> RF:
        """The receptive field after this layer; the default keeps it."""
        return rf

    def arguments(self) -> dict[str, Any]:
        """The layer's arguments as given (normalised), without defaults."""
        defaults = _normalised_defaults(type(self), self.ARGS, self.dims)
        out = {}
        for field in self.ARGS:
            value = getattr(self, field)
            if value != defaults[field]:
                out[field] = list(value) if isinstance(value, tuple) else value
        return out

    def fail(self, detail: str) -> InvalidLayerError:
        return InvalidLayerError(detail, where=self.type)

    def _rank(self, shape: Shape, *ranks: int) -> None:
        if len(shape) not in ranks:
            if len(ranks) > 2 and ranks == tuple(range(ranks[0], ranks[-1] + 1)):
                raise self.fail(
                    f"expects an input of at least {ranks[0]} dimensions; got {len(shape)}-d {_shape(shape)}"
                )
            want = " or ".join(f"{r}-d" for r in ranks)
            axes = AXES.get(self.dims)
            example = ""
            if axes and len(ranks) == 1 and ranks[0] == self.dims + 2:
                example = " [N, C, " + ", ".join(a[0].upper() if a != "length" else "L" for a in axes) + "]"
            raise self.fail(f"expects a {want} input{example}; got {len(shape)}-d {_shape(shape)}")


def _given(value: Any) -> Any:
    """A normalised argument as the user probably wrote it: ``(0, 0)`` → ``0``."""
    if isinstance(value, tuple):
        return value[0] if len(set(value)) == 1 else list(value)
    return value


def _check_positive(layer: Layer, **values: tuple[int, ...] | int | None) -> None:
    for name, value in values.items():
        if value is None:
            continue
        items = value if isinstance(value, tuple) else (value,)
        if any(v < 1 for v in items):
            raise layer.fail(f"{name} must be ≥ 1, got {_given(value)}")


def _check_nonnegative(layer: Layer, **values: tuple[int, ...]) -> None:
    for name, value in values.items():
        if any(v < 0 for v in value):
            raise layer.fail(f"{name} must be ≥ 0, got {_given(value)}")


def _sliding_warnings(
    layer: Layer,
    sizes: Shape,
    outs: Shape,
    k: Shape,
    s: Shape,
    pads: tuple[tuple[int, int], ...],
    d: Shape,
) -> list[str]:
    """Input rows no window reads, and even kernels with symmetric padding."""
    notes = []
    axes = AXES[len(sizes)]
    for axis, n, o, kk, ss, (pl, pr), dd in zip(axes, sizes, outs, k, s, pads, d):
        # with stride 1 and no dilation the o = n + pl + pr − kk + 1 windows read every position
        cov = arith.coverage(n, kk, ss, pl, dd, o, pr) if ss > 1 or dd > 1 else None
        if cov is not None and cov.unread:
            shown = ", ".join(str(r) for r in cov.first_unread)
            if cov.unread > len(cov.first_unread):
                shown += ", …"
            notes.append(
                f"input {_ROWS[axis]} never read along the {axis}: {shown} ({cov.unread} of {n}): "
                f"stride {ss} with kernel {kk}"
                + (f", dilation {dd}" if dd > 1 else "")
                + f" and padding {pl}"
                + ("" if pl == pr else f"+{pr}")
                + " does not reach them"
            )
        k_e = arith.effective_kernel(kk, dd)
        if k_e % 2 == 0 and pl == pr and pl > 0:
            notes.append(
                f"even kernel {k_e} along the {axis} with symmetric padding {pl}: "
                "outputs are centred half a pixel off the input grid"
            )
    return notes


class Conv(Layer):
    """Conv1d / Conv2d / Conv3d."""

    type: str
    dims: int
    in_channels: int | None
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    padding_mode: str

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "in_channels": (_opt_int, None),
        "out_channels": (_int, REQUIRED),
        "kernel_size": (_tuple, REQUIRED),
        "stride": (_tuple, 1),
        "padding": (_conv_padding, 0),
        "dilation": (_tuple, 1),
        "groups": (_int, 1),
        "bias": (_bool, True),
        "padding_mode": (_choice("zeros", "reflect", "replicate", "circular"), "zeros"),
    }

    def _validate(self) -> None:
        _check_positive(
            self,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            kernel_size=self.kernel_size,
            stride=self.stride,
            dilation=self.dilation,
            groups=self.groups,
        )
        if isinstance(self.padding, tuple):
            _check_nonnegative(self, padding=self.padding)
        elif self.padding == "same" and any(s != 1 for s in self.stride):
            raise self.fail(
                f"padding='same' needs stride 1, got stride={list(self.stride)}: PyTorch does not "
                "support it for strided convolutions; use an integer padding "
                "(`convcalc same` finds it)"
            )
        _check_groups_divide(self, self.in_channels, self.out_channels, self.groups)

    def pads(self) -> tuple[tuple[int, int], ...]:
        """(left, right) padding per dimension; 'same' splits as PyTorch does."""
        if self.padding == "valid":
            return ((0, 0),) * self.dims
        if self.padding == "same":
            out = []
            for k, d in zip(self.kernel_size, self.dilation):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        return tuple((p, p) for p in self.padding)  # type: ignore[union-attr]

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, self.dims + 2)
        c_in = _channels_in(self, shape, self.in_channels, self.groups)
        sizes = shape[2:]
        pads = self.pads()
        if self.padding_mode in ("reflect", "circular"):
            _check_mode_padding(self, sizes, pads, self.padding_mode)
        outs = tuple(
            arith.conv_out(n, k, s, pl, d, pr)
            for n, k, s, (pl, pr), d in zip(sizes, self.kernel_size, self.stride, pads, self.dilation)
        )
        if any(o < 1 for o in outs):
            can_pad = self.padding_mode == "zeros" and self.padding != "same"
            raise self.fail(_too_small(sizes, outs, self.kernel_size, self.dilation, pads, can_pad))
        k_prod = math.prod(self.kernel_size)
        params = self.out_channels * (c_in // self.groups) * k_prod + (self.out_channels if self.bias else 0)
        macs = shape[0] * self.out_channels * math.prod(outs) * (c_in // self.groups) * k_prod
        notes = _sliding_warnings(self, sizes, outs, self.kernel_size, self.stride, pads, self.dilation)
        return Step((shape[0], self.out_channels, *outs), params, 0, macs, tuple(notes))

    def receptive_field(self, rf: RF) -> RF:
        if rf is None:
            return None
        return tuple(
            arith.rf_step(r, j, st, k, s, pl, d)
            for (r, j, st), k, s, (pl, _), d in zip(rf, self.kernel_size, self.stride, self.pads(), self.dilation)
        )


def _groups_msg(name: str, value: int, groups: int, groups_name: str = "groups") -> str:
    return f"{groups_name}={groups} does not divide {name}={value} ({value} % {groups} = {value % groups})"


def _check_groups_divide(layer: Layer, in_channels: int | None, out_channels: int, groups: int) -> None:
    """A convolution's declared channels must be multiples of its groups."""
    if in_channels is not None and in_channels % groups:
        raise layer.fail(_groups_msg("in_channels", in_channels, groups))
    if out_channels % groups:
        raise layer.fail(_groups_msg("out_channels", out_channels, groups))


def _channels_in(layer: Layer, shape: Shape, declared: int | None, groups: int) -> int:
    c = shape[1]
    if declared is not None and declared != c:
        raise layer.fail(f"in_channels={declared} but the input has {_plural(c, 'channel')} (shape {_shape(shape)})")
    if c % groups:
        raise layer.fail(f"groups={groups} does not divide the {c} input channels ({c} % {groups} = {c % groups})")
    return c


def _check_mode_padding(layer: Layer, sizes: Shape, pads: tuple[tuple[int, int], ...], mode: str) -> None:
    for axis, n, (pl, pr) in zip(AXES[len(sizes)], sizes, pads):
        worst = max(pl, pr)
        if (mode == "reflect" and worst >= n) or (mode == "circular" and worst > n):
            rule = "smaller than" if mode == "reflect" else "at most"
            raise layer.fail(
                f"padding_mode='{mode}' needs padding {rule} the input {axis}: padding {worst}, input {n}"
            )


def _too_small(
    sizes: Shape, outs: Shape, k: Shape, d: Shape, pads: tuple[tuple[int, int], ...], can_pad: bool = False
) -> str:
    """Why a sliding layer's output would be empty: the padded input is shorter than the
    effective kernel, said for all dimensions at once when all fail, else per dimension.
    ``can_pad``: suggest the symmetric padding that would give one output."""
    k_e = tuple(arith.effective_kernel(kk, dd) for kk, dd in zip(k, d))
    padded = tuple(n + pl + pr for n, (pl, pr) in zip(sizes, pads))
    bad = [i for i, o in enumerate(outs) if o < 1]

    def part(values: Any) -> str:
        return _x(values[i] for i in bad)

    dilated = any(d[i] > 1 for i in bad)
    where = "" if len(bad) == len(sizes) else f"along the {' and '.join(AXES[len(sizes)][i] for i in bad)}, "
    text = f"{where}input {part(sizes)}"
    if any(padded[i] != sizes[i] for i in bad):
        text += f" (padded {part(padded)})"
    text += f" is smaller than the {'effective ' if dilated else ''}kernel {part(k_e)}"
    if dilated:
        text += f" (kernel {part(k)}, dilation {part(d)})"
    if can_pad:
        need = tuple(-(-(ke - n) // 2) for ke, n in zip(k_e, sizes))
        text += f"; padding {part(need)} would give an output"
    return f"output size would be {_x(max(o, 0) for o in outs)}: {text}"


class ConvTranspose(Layer):
    """ConvTranspose1d / 2d / 3d."""

    type: str
    dims: int
    in_channels: int | None
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    groups: int
    bias: bool
    dilation: tuple[int, ...]
    padding_mode: str

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "in_channels": (_opt_int, None),
        "out_channels": (_int, REQUIRED),
        "kernel_size": (_tuple, REQUIRED),
        "stride": (_tuple, 1),
        "padding": (_int_padding, 0),
        "output_padding": (_tuple, 0),
        "groups": (_int, 1),
        "bias": (_bool, True),
        "dilation": (_tuple, 1),
        "padding_mode": (_choice("zeros", "reflect", "replicate", "circular"), "zeros"),
    }

    def _validate(self) -> None:
        _check_positive(
            self,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            kernel_size=self.kernel_size,
            stride=self.stride,
            dilation=self.dilation,
            groups=self.groups,
        )
        _check_nonnegative(self, padding=self.padding, output_padding=self.output_padding)
        if self.padding_mode != "zeros":
            raise self.fail(f"padding_mode='{self.padding_mode}': PyTorch supports only 'zeros' for {self.type}")
        for axis, op, s, d in zip(AXES[self.dims], self.output_padding, self.stride, self.dilation):
            if op >= s and op >= d:
                raise self.fail(
                    f"output_padding={op} along the {axis} must be smaller than the stride ({s}) "
                    f"or the dilation ({d}): at most {max(s, d) - 1}"
                )
        _check_groups_divide(self, self.in_channels, self.out_channels, self.groups)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, self.dims + 2)
        c_in = _channels_in(self, shape, self.in_channels, self.groups)
        sizes = shape[2:]
        outs = tuple(
            arith.transposed_conv_out(n, k, s, p, d, op)
            for n, k, s, p, d, op in zip(
                sizes, self.kernel_size, self.stride, self.padding, self.dilation, self.output_padding
            )
        )
        if any(o < 1 for o in outs):
            axis, n, k, s, p, d, op, o = next(
                t
                for t in zip(AXES[self.dims], sizes, self.kernel_size, self.stride, self.padding,
                             self.dilation, self.output_padding, outs)
                if t[-1] < 1
            )
            raise self.fail(
                f"output size would be {_x(max(o, 0) for o in outs)}: along the {axis}, "
                f"(in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = "
                f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {o}; "
                f"padding {((n - 1) * s + d * (k - 1) + op) // 2} or less gives an output"
            )
        k_prod = math.prod(self.kernel_size)
        params = c_in * (self.out_channels // self.groups) * k_prod + (self.out_channels if self.bias else 0)
        macs = shape[0] * c_in * math.prod(sizes) * (self.out_channels // self.groups) * k_prod
        return Step((shape[0], self.out_channels, *outs), params, 0, macs)

    def receptive_field(self, rf: RF) -> RF:
        return None


def _pool_checks(layer: Layer, k: Shape, s: Shape, p: Shape, d: Shape) -> None:
    _check_positive(layer, kernel_size=k, stride=s, dilation=d)
    _check_nonnegative(layer, padding=p)
    for axis, kk, pp, dd in zip(AXES[len(k)], k, p, d):
        # PyTorch 2.13 checks half the undilated kernel for every MaxPool (max_pool1d_impl,
        # pool2d/pool3d_shape_check), which is never more than half the effective kernel
        if pp > kk // 2:
            raise layer.fail(
                f"padding {pp} along the {axis} is more than half the kernel size {kk} "
                f"(PyTorch allows at most {kk // 2}{', whatever the dilation' if dd > 1 else ''})"
            )


class _Pool(Layer):
    """Shared arithmetic of max and average pooling."""

    def _windows(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        raise NotImplementedError

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, self.dims + 2)
        k, s, p, d, ceil = self._windows()
        sizes = shape[2:]
        outs = tuple(arith.pool_out(n, kk, ss, pp, dd, ceil) for n, kk, ss, pp, dd in zip(sizes, k, s, p, d))
        pads = tuple((pp, pp) for pp in p)
        if any(o < 1 for o in outs):
            raise self.fail(_too_small(sizes, outs, k, d, pads))
        notes = []
        if ceil:
            for axis, n, kk, ss, pp, dd, out in zip(AXES[self.dims], sizes, k, s, p, d, outs):
                if arith.ceil_mode_drops(n, kk, ss, pp, dd):
                    start = out * ss - pp  # in input coordinates: ≥ n
                    place = "in the right padding" if start < n + pp else "past the input" + (
                        " and its padding" if pp else ""
                    )
                    notes.append(
                        f"ceil_mode: along the {axis} a last window would start at {start}, {place}, "
                        f"so PyTorch drops it (output {out}, not {out + 1})"
                    )
        # in ceil mode the last window may run past the padding: that reads nothing more
        notes += _sliding_warnings(self, sizes, outs, k, s, pads, d)
        return Step((*shape[:2], *outs), 0, 0, 0, tuple(notes))

    def receptive_field(self, rf: RF) -> RF:
        if rf is None:
            return None
        k, s, p, d, _ = self._windows()
        return tuple(arith.rf_step(r, j, st, kk, ss, pp, dd) for (r, j, st), kk, ss, pp, dd in zip(rf, k, s, p, d))


class MaxPool(_Pool):
    """MaxPool1d / 2d / 3d."""

    type: str
    dims: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    return_indices: bool

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "kernel_size": (_tuple, REQUIRED),
        "stride": (_opt_tuple, None),
        "padding": (_int_padding, 0),
        "dilation": (_tuple, 1),
        "ceil_mode": (_bool, False),
        "return_indices": (_bool, False),
    }

    def _validate(self) -> None:
        k, s, p, d, _ = self._windows()
        _pool_checks(self, k, s, p, d)

    def _windows(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        s = self.kernel_size if self.stride is None else self.stride
        return self.kernel_size, s, self.padding, self.dilation, self.ceil_mode


class AvgPool(_Pool):
    """AvgPool1d / 2d / 3d."""

    type: str
    dims: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None
    padding: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None = None

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "kernel_size": (_tuple, REQUIRED),
        "stride": (_opt_tuple, None),
        "padding": (_int_padding, 0),
        "ceil_mode": (_bool, False),
        "count_include_pad": (_bool, True),
        "divisor_override": (_opt_int, None),
    }

    def _validate(self) -> None:
        k, s, p, d, _ = self._windows()
        _pool_checks(self, k, s, p, d)
        if self.divisor_override is not None and self.divisor_override == 0:
            raise self.fail("divisor_override must not be 0")

    def _windows(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        s = self.kernel_size if self.stride is None else self.stride
        return self.kernel_size, s, self.padding, (1,) * self.dims, self.ceil_mode

    def forward(self, shape: Shape) -> Step:
        # PyTorch's avg_pool3d alone also checks the unpadded input against the kernel
        # (pool3d_shape_check with check_input_size in aten/src/ATen/native/Pool.h)
        if self.dims == 3 and len(shape) == 5 and any(n < k for n, k in zip(shape[2:], self.kernel_size)):
            raise self.fail(
                f"input {_x(shape[2:])} is smaller than the kernel {_x(self.kernel_size)}: AvgPool3d needs "
                "every input dimension to be at least the kernel size, padding not counted"
            )
        return _Pool.forward(self, shape)


class AdaptivePool(Layer):
    """AdaptiveAvgPool1d/2d/3d and AdaptiveMaxPool1d/2d/3d."""

    type: str
    dims: int
    output_size: tuple[int | None, ...]
    return_indices: bool = False

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "output_size": (_output_size, REQUIRED),
        "return_indices": (_bool, False),
    }

    def _validate(self) -> None:
        for v in self.output_size:
            if v is not None and v < 1:
                raise self.fail(
                    f"output_size must be ≥ 1 (or null to keep the input size), got {_given(self.output_size)}"
                )

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, self.dims + 2)
        outs = tuple(n if o is None else o for n, o in zip(shape[2:], self.output_size))
        return Step((*shape[:2], *outs), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None


class Linear(Layer):
    """Linear: acts on the last dimension."""

    type: str
    dims: int
    in_features: int | None
    out_features: int
    bias: bool

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "in_features": (_opt_int, None),
        "out_features": (_int, REQUIRED),
        "bias": (_bool, True),
    }

    def _validate(self) -> None:
        _check_positive(self, in_features=self.in_features, out_features=self.out_features)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(1, 64))
        f = shape[-1]
        if self.in_features is not None and self.in_features != f:
            raise self.fail(
                f"in_features={self.in_features} but the input has {f} features in its last "
                f"dimension (shape {_shape(shape)})"
            )
        rows = math.prod(shape[:-1])
        params = f * self.out_features + (self.out_features if self.bias else 0)
        return Step((*shape[:-1], self.out_features), params, 0, rows * f * self.out_features)

    def receptive_field(self, rf: RF) -> RF:
        return None


def _norm_dim(layer: Layer, dim: int, rank: int, name: str) -> int:
    if not -rank <= dim < rank:
        raise layer.fail(f"{name}={dim} is out of range for a {rank}-d input (expected {-rank} to {rank - 1})")
    return dim % rank


class Flatten(Layer):
    type: str
    dims: int
    start_dim: int
    end_dim: int

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "start_dim": (_int, 1),
        "end_dim": (_int, -1),
    }

    def forward(self, shape: Shape) -> Step:
        a = _norm_dim(self, self.start_dim, len(shape), "start_dim")
        b = _norm_dim(self, self.end_dim, len(shape), "end_dim")
        if a > b:
            start = f"start_dim={self.start_dim}" + (f" (dimension {a})" if self.start_dim < 0 else "")
            end = f"end_dim={self.end_dim}" + (f" (dimension {b})" if self.end_dim < 0 else "")
            raise self.fail(f"{start} comes after {end} of the {len(shape)}-d input {_shape(shape)}")
        return Step((*shape[:a], math.prod(shape[a : b + 1]), *shape[b + 1 :]), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None


def _infer_minus_one(layer: Layer, target: tuple[int, ...], total: int, what: str, source: str) -> tuple[int, ...]:
    """``target`` with its -1 filled in so that it holds ``total`` elements (those of ``source``)."""
    if target.count(-1) > 1:
        raise layer.fail(f"{what} {list(target)} has more than one -1")
    if any(v < 1 and v != -1 for v in target):
        raise layer.fail(f"{what} {list(target)} must hold sizes ≥ 1 (and at most one -1)")
    known = math.prod(v for v in target if v != -1)
    if -1 in target:
        if total % known:
            raise layer.fail(
                f"cannot make {what} {list(target)} from the {total} elements of {source}: "
                f"{total} is not divisible by {known}"
            )
        return tuple(total // known if v == -1 else v for v in target)
    if known != total:
        raise layer.fail(f"{what} {list(target)} holds {known} elements but {source} has {total}")
    return target


class Unflatten(Layer):
    type: str
    dims: int
    dim: int
    unflattened_size: tuple[int, ...]

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "dim": (_int, REQUIRED),
        "unflattened_size": (_int_list, REQUIRED),
    }

    def forward(self, shape: Shape) -> Step:
        a = _norm_dim(self, self.dim, len(shape), "dim")
        source = f"dimension {a} of the input {_shape(shape)}"
        sizes = _infer_minus_one(self, self.unflattened_size, shape[a], "unflattened_size", source)
        return Step((*shape[:a], *sizes, *shape[a + 1 :]), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None


class Reshape(Layer):
    """Reshape(shape): keeps the batch dimension, allows one -1."""

    type: str
    dims: int
    shape: tuple[int, ...]

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {"shape": (_int_list, REQUIRED)}

    def forward(self, shape: Shape) -> Step:
        source = f"the input {_shape(shape)} without its batch dimension"
        sizes = _infer_minus_one(self, self.shape, math.prod(shape[1:]), "shape", source)
        return Step((shape[0], *sizes), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None


class Pad(Layer):
    """ZeroPad*, ConstantPad*, ReflectionPad*, ReplicationPad*, CircularPad*: the last
    ``dims`` dimensions, sides in PyTorch's order (left, right, top, bottom, front, back)."""

    type: str
    dims: int
    padding: tuple[int, ...]
    value: float = 0.0

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {"padding": (_pad_sides, REQUIRED)}

    def _sides(self) -> tuple[tuple[int, int], ...]:
        """(before, after) per dimension, outermost first."""
        pairs = [(self.padding[2 * i], self.padding[2 * i + 1]) for i in range(self.dims)]
        return tuple(reversed(pairs))

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, self.dims + 1, self.dims + 2)
        sizes = shape[-self.dims :]
        mode = self.type[:-2]
        outs = []
        for axis, n, (a, b) in zip(AXES[self.dims], sizes, self._sides()):
            if mode == "ReflectionPad" and max(a, b) >= n:
                raise self.fail(
                    f"padding {max(a, b)} along the {axis} must be smaller than the input {axis} {n} "
                    "(reflection cannot reach further)"
                )
            if mode == "CircularPad" and max(a, b) > n:
                raise self.fail(f"padding {max(a, b)} along the {axis} wraps around more than once (input {n})")
            if mode == "CircularPad" and (a > n + min(b, 0) or b > n + min(a, 0)):
                # PyTorch crops the negative side first, then copies the wrap from what is left: a
                # wrap longer than that reads the positions being written (torch raises "some
                # elements ... refer to a single memory location", or for some memory layouts
                # silently returns garbage)
                raise self.fail(
                    f"circular padding {a}, {b} along the {axis}: after cropping, the input {axis} {n} "
                    f"keeps {n + min(a, 0) + min(b, 0)}, less than the {max(a, b)} positions to wrap around"
                )
            if mode in ("ZeroPad", "ConstantPad") and min(a, 0) + min(b, 0) < -n:
                # PyTorch crops (narrows) the input by the negative sides before it pads
                raise self.fail(
                    f"negative padding {a}, {b} along the {axis} crops more than the input {axis} {n}"
                )
            if n + a + b < 1:
                raise self.fail(f"output size along the {axis} would be {n + a + b}: input {n}, padding {a} + {b}")
            outs.append(n + a + b)
        return Step((*shape[: -self.dims], *outs), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        if rf is None or len(rf) != self.dims:  # the padded dimensions are not the spatial ones
            return None
        return tuple(arith.rf_step(r, j, st, 1, 1, a, 1) for (r, j, st), (a, _) in zip(rf, self._sides()))


class ConstantPad(Pad):
    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "padding": (_pad_sides, REQUIRED),
        "value": (_float, REQUIRED),
    }


_UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_MODE_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


class Upsample(Layer):
    type: str
    dims: int
    size: int | tuple[int, ...] | None
    scale_factor: float | tuple[float, ...] | None
    mode: str
    align_corners: bool | None
    recompute_scale_factor: bool | None

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "size": (_size_or_sizes, None),
        "scale_factor": (_scale, None),
        "mode": (_choice(*_UPSAMPLE_MODES), "nearest"),
        "align_corners": (_opt_bool, None),
        "recompute_scale_factor": (_opt_bool, None),
    }

    def _validate(self) -> None:
        if (self.size is None) == (self.scale_factor is None):
            raise self.fail("give exactly one of size and scale_factor")
        if self.size is not None:
            _check_positive(self, size=self.size)
        factors = self.scale_factor if isinstance(self.scale_factor, tuple) else (self.scale_factor,)
        if self.scale_factor is not None and any(f <= 0 for f in factors):  # type: ignore[operator]
            shown = list(factors) if isinstance(self.scale_factor, tuple) else self.scale_factor
            raise self.fail(f"scale_factor must be > 0, got {shown}")
        if self.align_corners is not None and self.mode not in ("linear", "bilinear", "bicubic", "trilinear"):
            raise self.fail(f"align_corners can only be set with the interpolating modes, not mode='{self.mode}'")

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, 3, 4, 5)
        spatial = len(shape) - 2
        need = _MODE_RANK.get(self.mode)
        if need is not None and need != len(shape):
            raise self.fail(f"mode='{self.mode}' needs a {need}-d input; got {len(shape)}-d {_shape(shape)}")
        sizes = shape[2:]
        name, given = ("size", self.size) if self.size is not None else ("scale_factor", self.scale_factor)
        if isinstance(given, tuple) and len(given) != spatial:
            raise self.fail(
                f"{name} has {len(given)} {'entry' if len(given) == 1 else 'entries'} {list(given)} but the input "
                f"{_shape(shape)} has {spatial} spatial dimensions: give one number for all, or {spatial}"
            )
        per_dim = given if isinstance(given, tuple) else (given,) * spatial
        if self.size is not None:
            outs = per_dim
        else:  # PyTorch: floor(float(input) × scale_factor), in double precision
            scaled = tuple(float(n) * f for n, f in zip(sizes, per_dim))  # type: ignore[operator]
            if any(v > MAX_NUMBER for v in scaled):  # inf included: math.floor(inf) would raise
                shown = " × ".join(f"{v:.3g}" for v in scaled)
                raise LimitError(f"output size would be {shown}: sizes are limited to 2^40 ({MAX_NUMBER:,})")
            outs = tuple(math.floor(v) for v in scaled)
            if any(o < 1 for o in outs):
                raise self.fail(
                    f"output size would be {_x(outs)}: ⌊input {_x(sizes)} × scale_factor {_x(per_dim)}⌋; "
                    "use a larger scale_factor or give size"
                )
        return Step((*shape[:2], *outs), 0, 0, 0)  # type: ignore[arg-type]

    def receptive_field(self, rf: RF) -> RF:
        return None


class BatchNorm(Layer):
    """BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d."""

    type: str
    dims: int
    num_features: int | None
    eps: float
    momentum: float | None
    affine: bool
    track_running_stats: bool

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "num_features": (_opt_int, None),
        "eps": (_float, 1e-5),
        "momentum": (_opt_float, 0.1),
        "affine": (_bool, True),
        "track_running_stats": (_bool, True),
    }

    def _validate(self) -> None:
        _check_positive(self, num_features=self.num_features)

    def _ranks(self) -> tuple[int, ...]:
        return (2, 3) if self.type == "BatchNorm1d" else (self.dims + 2,)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *self._ranks())
        c = shape[1]
        notes = []
        if self.num_features is not None and self.num_features != c:
            mismatch = (
                f"num_features={self.num_features} but the input has {_plural(c, 'channel')} (shape {_shape(shape)})"
            )
            if self.affine or self.track_running_stats:
                raise self.fail(mismatch)
            # without weights or running statistics PyTorch never looks at num_features
            notes.append(f"{mismatch}: PyTorch ignores num_features without affine or track_running_stats")
        values = self._values_per_channel(shape)
        if values == 1:
            single, stats = self._single_value(shape)
            if not self.track_running_stats:
                raise self.fail(f"{single}, which PyTorch refuses to normalise by {stats} "
                                "(track_running_stats=false); use a larger input")
            notes.append(f"{single}: PyTorch refuses this in training mode, where it normalises by {stats} "
                         "(eval mode is fine)")
        params = 2 * c if self.affine else 0
        buffers = 2 * c + 1 if self.track_running_stats else 0
        return Step(shape, params, buffers, 0, tuple(notes))

    def _values_per_channel(self, shape: Shape) -> int:
        """How many values the statistics of one channel are taken over: N·∏spatial."""
        return shape[0] * math.prod(shape[2:])

    def _single_value(self, shape: Shape) -> tuple[str, str]:
        """What is single about this input, and whose statistics would normalise it."""
        return f"the input {_shape(shape)} has a single value per channel", "the batch's own mean and variance"


class InstanceNorm(BatchNorm):
    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        **BatchNorm.ARGS,
        "affine": (_bool, False),
        "track_running_stats": (_bool, False),
    }

    def _values_per_channel(self, shape: Shape) -> int:
        """InstanceNorm takes the statistics of each sample's channel over its positions."""
        return math.prod(shape[2:])

    def _single_value(self, shape: Shape) -> tuple[str, str]:
        return f"the input {_shape(shape)} has a single spatial position", "its own mean and variance"


class GroupNorm(Layer):
    type: str
    dims: int
    num_groups: int
    num_channels: int | None
    eps: float
    affine: bool

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "num_groups": (_int, REQUIRED),
        "num_channels": (_opt_int, None),
        "eps": (_float, 1e-5),
        "affine": (_bool, True),
    }

    def _validate(self) -> None:
        _check_positive(self, num_groups=self.num_groups, num_channels=self.num_channels)
        if self.num_channels is not None and self.num_channels % self.num_groups:
            raise self.fail(_groups_msg("num_channels", self.num_channels, self.num_groups, "num_groups"))

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(2, 64))
        c = shape[1]
        if self.num_channels is not None and self.num_channels != c:
            raise self.fail(
                f"num_channels={self.num_channels} but the input has {_plural(c, 'channel')} (shape {_shape(shape)})"
            )
        if c % self.num_groups:
            raise self.fail(f"num_groups={self.num_groups} does not divide the {c} input channels")
        if shape[0] * (c // self.num_groups) * math.prod(shape[2:]) == 1:  # F.group_norm's _verify_batch_size
            raise self.fail(
                f"the input {_shape(shape)} gives each group a single value to normalise "
                f"({_plural(c, 'channel')} in {_plural(self.num_groups, 'group')}), which PyTorch refuses; "
                "use a larger input or fewer groups"
            )
        return Step(shape, 2 * c if self.affine else 0, 0, 0)


class LayerNorm(Layer):
    """LayerNorm(normalized_shape): when left out, the last dimension."""

    type: str
    dims: int
    normalized_shape: tuple[int, ...] | None
    eps: float
    elementwise_affine: bool
    bias: bool

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "normalized_shape": (_size_list, None),
        "eps": (_float, 1e-5),
        "elementwise_affine": (_bool, True),
        "bias": (_bool, True),
    }

    def _validate(self) -> None:
        _check_positive(self, normalized_shape=self.normalized_shape)

    def forward(self, shape: Shape) -> Step:
        norm = self.normalized_shape or shape[-1:]
        if len(norm) > len(shape) or tuple(shape[len(shape) - len(norm) :]) != norm:
            raise self.fail(
                f"normalized_shape={list(norm)} does not match the end of the input {_shape(shape)}"
                + (f": its last sizes are {list(shape[-len(norm):])}" if len(norm) <= len(shape) else "")
            )
        n = math.prod(norm)
        params = (2 * n if self.bias else n) if self.elementwise_affine else 0
        return Step(shape, params, 0, 0)


class LocalResponseNorm(Layer):
    type: str
    dims: int
    size: int
    alpha: float
    beta: float
    k: float

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {
        "size": (_int, REQUIRED),
        "alpha": (_float, 1e-4),
        "beta": (_float, 0.75),
        "k": (_float, 1.0),
    }

    def _validate(self) -> None:
        _check_positive(self, size=self.size)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(3, 64))
        return Step(shape, 0, 0, 0)


class Elementwise(Layer):
    """Activations, dropout and Identity: the output has the input's shape."""

    type: str
    dims: int
    options: tuple[tuple[str, Any], ...] = ()

    ARGS: ClassVar[dict[str, tuple[Callable[[str, Any, int], Any], Any]]] = {}

    def arguments(self) -> dict[str, Any]:
        return dict(self.options)

    def forward(self, shape: Shape) -> Step:
        return Step(shape, 0, 0, 0)


def _probability(name: str, v: Any, dims: int) -> float:
    f = _float(name, v, dims)
    if not 0.0 <= f <= 1.0:
        raise InvalidLayerError(f"{name} must be between 0 and 1, got {v}")
    return f


_DROPOUT_RANKS = {"Dropout1d": (2, 3), "Dropout2d": (3, 4), "Dropout3d": (4, 5)}


class Dropout(Elementwise):
    def forward(self, shape: Shape) -> Step:
        ranks = _DROPOUT_RANKS.get(self.type)
        if ranks:
            self._rank(shape, *ranks)
        return Step(shape, 0, 0, 0)


class Softmax(Elementwise):
    def forward(self, shape: Shape) -> Step:
        dim = dict(self.options).get("dim")
        if dim is not None:
            _norm_dim(self, dim, len(shape), "dim")
        return Step(shape, 0, 0, 0)


class PReLU(Elementwise):
    def forward(self, shape: Shape) -> Step:
        n = dict(self.options).get("num_parameters", 1)
        if n < 1:
            raise self.fail(f"num_parameters must be ≥ 1, got {n}")
        if n != 1 and (len(shape) < 2 or shape[1] != n):
            c = shape[1] if len(shape) >= 2 else None
            raise self.fail(f"num_parameters={n} must be 1 or the number of input channels ({c})")
        return Step(shape, n, 0, 0)


_INPLACE = {"inplace": (_bool, False)}
_DROPOUT = {"p": (_probability, 0.5), **_INPLACE}
_ELEMENTWISE: dict[str, tuple[type[Elementwise], dict[str, tuple[Callable[[str, Any, int], Any], Any]]]] = {
    "ReLU": (Elementwise, _INPLACE),
    "ReLU6": (Elementwise, _INPLACE),
    "LeakyReLU": (Elementwise, {"negative_slope": (_float, 0.01), **_INPLACE}),
    "PReLU": (PReLU, {"num_parameters": (_int, 1), "init": (_float, 0.25)}),
    "ELU": (Elementwise, {"alpha": (_float, 1.0), **_INPLACE}),
    "SELU": (Elementwise, _INPLACE),
    "CELU": (Elementwise, {"alpha": (_float, 1.0), **_INPLACE}),
    "GELU": (Elementwise, {"approximate": (_choice("none", "tanh"), "none")}),
    "SiLU": (Elementwise, _INPLACE),
    "Mish": (Elementwise, _INPLACE),
    "Sigmoid": (Elementwise, {}),
    "Tanh": (Elementwise, {}),
    "Hardswish": (Elementwise, _INPLACE),
    "Hardsigmoid": (Elementwise, _INPLACE),
    "Hardtanh": (Elementwise, {"min_val": (_float, -1.0), "max_val": (_float, 1.0), **_INPLACE}),
    "Softplus": (Elementwise, {"beta": (_float, 1.0), "threshold": (_float, 20.0)}),
    "Softmax": (Softmax, {"dim": (_opt_int, None)}),
    "LogSoftmax": (Softmax, {"dim": (_opt_int, None)}),
    "Dropout": (Dropout, _DROPOUT),
    "Dropout1d": (Dropout, _DROPOUT),
    "Dropout2d": (Dropout, _DROPOUT),
    "Dropout3d": (Dropout, _DROPOUT),
    "AlphaDropout": (Dropout, _DROPOUT),
    "Identity": (Elementwise, {}),
}


# ---------------------------------------------------------------------------------------
# The registry: PyTorch class name → (class, spatial dimensions)
# ---------------------------------------------------------------------------------------

LAYER_TYPES: dict[str, tuple[type[Layer], int]] = {}
for _d in (1, 2, 3):
    LAYER_TYPES.update(
        {
            f"Conv{_d}d": (Conv, _d),
            f"ConvTranspose{_d}d": (ConvTranspose, _d),
            f"MaxPool{_d}d": (MaxPool, _d),
            f"AvgPool{_d}d": (AvgPool, _d),
            f"AdaptiveAvgPool{_d}d": (AdaptivePool, _d),
            f"AdaptiveMaxPool{_d}d": (AdaptivePool, _d),
            f"ZeroPad{_d}d": (Pad, _d),
            f"ConstantPad{_d}d": (ConstantPad, _d),
            f"ReflectionPad{_d}d": (Pad, _d),
            f"ReplicationPad{_d}d": (Pad, _d),
            f"CircularPad{_d}d": (Pad, _d),
            f"BatchNorm{_d}d": (BatchNorm, _d),
            f"InstanceNorm{_d}d": (InstanceNorm, _d),
        }
    )
LAYER_TYPES.update(
    {
        "Linear": (Linear, 0),
        "Flatten": (Flatten, 0),
        "Unflatten": (Unflatten, 0),
        "Reshape": (Reshape, 0),
        "Upsample": (Upsample, 0),
        "GroupNorm": (GroupNorm, 0),
        "LayerNorm": (LayerNorm, 0),
        "LocalResponseNorm": (LocalResponseNorm, 0),
    }
)
for _name, (_cls, _) in _ELEMENTWISE.items():
    LAYER_TYPES[_name] = (_cls, 0)


def arg_schema(type_name: str) -> dict[str, tuple[Callable[[str, Any, int], Any], Any]]:
    """The accepted arguments of a layer type: name → (converter, default)."""
    if type_name in _ELEMENTWISE:
        return _ELEMENTWISE[type_name][1]
    schema = LAYER_TYPES[type_name][0].ARGS
    if type_name == "AvgPool1d":  # PyTorch's AvgPool1d has no divisor_override
        schema = {k: v for k, v in schema.items() if k != "divisor_override"}
    elif type_name.startswith("AdaptiveAvgPool"):
        schema = {"output_size": schema["output_size"]}
    return schema


_DEFAULTS: dict[Any, dict[str, Any]] = {}


def _normalised_defaults(key: Any, schema: dict[str, Any], dims: int) -> dict[str, Any]:
    """The defaults of ``schema`` as its converters normalise them for ``dims`` (``REQUIRED``
    and ``None`` kept), converted once per ``key`` and ``dims``: every default is immutable."""
    found = _DEFAULTS.get((key, dims))
    if found is None:
        found = _DEFAULTS[key, dims] = {
            name: default if default is REQUIRED or default is None else kind(name, default, dims)
            for name, (kind, default) in schema.items()
        }
    return found


def check_type(type_name: Any) -> str:
    """The type name, or an InputError suggesting the nearest valid one."""
    if not isinstance(type_name, str):
        raise InputError(f"a layer type must be a name, got {_kind_name(type_name)}")
    if type_name not in LAYER_TYPES:
        raise InputError(f"unknown layer type '{type_name}'{suggest(type_name, LAYER_TYPES)}")
    return type_name


def build(type_name: str, /, **args: Any) -> Layer:
    """Build and validate one layer from its PyTorch class name and arguments.

    Accepts the short aliases ``k s p d g``. Raises :class:`InputError` (exit 2) for
    unknown names and values of the wrong kind, :class:`InvalidLayerError` (exit 1) for
    values PyTorch rejects.

    >>> build("Conv2d", in_channels=1, out_channels=8, kernel_size=(2, 3)).forward((1, 1, 7, 3)).output_shape
    (1, 8, 6, 1)
    >>> build("MaxPool1d", k=3, s=3, p=1, ceil_mode=True).forward((1, 1, 5)).output_shape
    (1, 1, 2)
    """
    check_type(type_name)
    cls, dims = LAYER_TYPES[type_name]
    schema = arg_schema(type_name)
    values: dict[str, Any] = {}
    try:
        for key, raw in args.items():
            name = ALIASES.get(key, key) if key not in schema else key
            if name not in schema:
                raise InputError(f"unknown argument '{key}'{suggest(key, schema)}")
            if name in values:
                raise InputError(f"{name} is given twice ('{key}' is an alias of '{name}')")
            values[name] = schema[name][0](name, raw, dims)
        defaults = _normalised_defaults(type_name, schema, dims)
        for name in schema:
            if name not in values:
                default = defaults[name]
                if default is REQUIRED:
                    raise InputError(f"missing argument {name}")
                values[name] = default
        if type_name in _ELEMENTWISE:
            return cls(type_name, dims, tuple(values.items()))  # type: ignore[call-arg]
        return cls(type_name, dims, **values)  # type: ignore[call-arg]
    except (InputError, InvalidLayerError) as err:
        raise err.at(err.where or type_name) from None
