"""The interface every sliding-window layer shares (convolution, transposed convolution,
max, average and power-average pooling), and the arithmetic they have in common.

A :class:`Sliding` layer says, per spatial dimension, what its window is
(:meth:`Sliding.windows`), how long the output is for an input length
(:meth:`Sliding.length`), how that length follows from the input as a formula
(:meth:`Sliding.relation`, :meth:`Sliding.output_formula`) and what a 1-d version of it
with another padding is (:meth:`Sliding.one_dim`). ``convcalc layer``, ``same`` and
``--explain`` ask only this interface (tinygrad's ``_pool`` serves every pooling and
convolution alike), so a new sliding layer is one class and one registry line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from .. import arith
from ..errors import ConvCalcError
from .base import AXES, RF, ROWS, Layer, Shape, x_sizes

__all__ = ["Relation", "Sliding", "Window", "sliding_warnings", "too_small"]

_MINUS = "−"


class Window(NamedTuple):
    """One spatial dimension of a sliding layer, with PyTorch's defaults filled in."""

    k: int  # kernel size
    s: int  # stride
    pl: int  # padding before
    pr: int  # padding after
    d: int  # dilation
    ceil: bool  # pooling's ceil_mode
    output_padding: int  # transposed convolution only


def signed(c: int) -> str:
    """``+ 3``, ``− 3`` or nothing, to follow a term."""
    return "" if c == 0 else f" + {c}" if c > 0 else f" {_MINUS} {-c}"


class Relation(NamedTuple):
    """The output size of one dimension as a function of the input size ``in``.

    ``floor``: ``out = ⌊(in + offset)/stride⌋ + 1`` (convolution, pooling);
    ``ceil``: ``out = ⌈(in + offset)/stride⌉ + 1``, less one when the last window would
    start at or past ``in + drop_padding`` (pooling with ceil_mode; ``drop_padding`` is
    None when that cannot happen); ``linear``: ``out = stride·in + offset`` (transposed).
    ``min_in`` is the smallest input PyTorch accepts.

    >>> r = Relation("floor", 2, -1)
    >>> str(r), r(224)
    ('out = ⌊(in − 1)/2⌋ + 1 = ⌈in/2⌉', 112)
    """

    mode: str
    stride: int
    offset: int
    min_in: int = 1
    drop_padding: int | None = None

    def __call__(self, n: int) -> int:
        """The output size for input ``n`` as the printed relation states it."""
        if self.mode == "linear":
            return self.stride * n + self.offset
        if self.mode == "floor":
            return (n + self.offset) // self.stride + 1
        q = -(-(n + self.offset) // self.stride)
        dropped = self.drop_padding is not None and q * self.stride >= n + self.drop_padding
        return q + 1 - dropped

    def __str__(self) -> str:
        s, c = self.stride, self.offset
        if self.mode == "linear":
            text = f"out = {'in' if s == 1 else f'{s}·in'}{signed(c)}"
        elif s == 1:
            text = f"out = in{signed(c + 1)}"
        elif self.mode == "floor":
            text = f"out = ⌊(in{signed(c)})/{s}⌋ + 1"
            if (c + 1) % s == 0:
                text += f" = ⌈in/{s}⌉{signed((c + 1) // s)}"
            elif c % s == 0:
                text += f" = ⌊in/{s}⌋{signed(c // s + 1)}"
        else:
            text = f"out = ⌈(in{signed(c)})/{s}⌉ + 1"
            if c % s == 0:
                text += f" = ⌈in/{s}⌉{signed(c // s + 1)}"
            elif (c - 1) % s == 0:
                text += f" = ⌊in/{s}⌋{signed((c - 1) // s + 2)}"
            if self.drop_padding is not None:
                text += (
                    f", less 1 when ⌈(in{signed(c)})/{s}⌉·{s} ≥ in{signed(self.drop_padding)} "
                    "(a last window starting in the padding is dropped)"
                )
        if self.min_in > 1:
            text += f"   (in ≥ {self.min_in})"
        return text


def _made_once(make: Any) -> Any:
    """``windows`` computed on the first call and kept in the layer's ``_windows`` slot."""

    def windows(self: Any) -> tuple[Window, ...]:
        try:
            return self._windows  # type: ignore[no-any-return]
        except AttributeError:
            found = make(self)
            object.__setattr__(self, "_windows", found)
            return found  # type: ignore[no-any-return]

    windows.__doc__ = make.__doc__
    windows.__name__ = "windows"
    return windows


class Sliding(Layer):
    """Base of the layers that slide a window over each spatial dimension.

    Subclasses give :meth:`windows`; the other methods have the defaults of a
    convolution-like window (``⌊(in + p_l + p_r − d·(k − 1) − 1)/s⌋ + 1``, with
    pooling's ceil_mode when the window says so) and are overridden where a family
    differs (transposed convolution).
    """

    #: ``--type`` shorthand of the ``layer`` and ``same`` commands (``conv``), or None.
    shorthand: ClassVar[str | None] = None
    #: Whether ``padding`` may be ``'same'`` or ``'valid'`` (convolution only).
    same_padding: ClassVar[bool] = False
    #: Whether the output grows with the stride (``out = s·in + c``): transposed convolution.
    transposed: ClassVar[bool] = False
    #: Values the ``layer`` and ``same`` commands give to required arguments that they have
    #: no option for (none of them changes a size).
    command_defaults: ClassVar[dict[str, Any]] = {}

    if TYPE_CHECKING:  # declared by each subclass, in its own place among its fields
        kernel_size: tuple[int, ...]

    _cache_slots = ("_windows",)  # a layer is immutable: its windows are made once

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        make = cls.__dict__.get("windows")
        if make is not None:
            cls.windows = _made_once(make)  # type: ignore[method-assign]

    def windows(self) -> tuple[Window, ...]:
        """The window of each spatial dimension, outermost first."""
        raise NotImplementedError

    def length(self, n: int, w: Window) -> int:
        """The output length of one dimension for input length ``n`` (≤ 0: rejected).

        Source: the "Shape" sections of ``torch.nn.Conv1d`` and ``torch.nn.MaxPool1d``.
        """
        if w.ceil:
            return arith.pool_out(n, w.k, w.s, w.pl, w.d, True)
        return arith.conv_out(n, w.k, w.s, w.pl, w.d, w.pr)

    def relation(self, w: Window) -> Relation:
        """The output length of one dimension as a formula in the input length, its
        constants taken from :meth:`length`: the formulas are affine in ``in`` inside the
        floor, so their value at ``in = 0`` with stride 1 is the offset."""
        c = self.length(0, w._replace(s=1, ceil=False)) - 1
        if not w.ceil:
            return Relation("floor", w.s, c, max(1, -c))
        # the last ceil-mode window can start in the right padding only when p + s > k_e
        drops = w.pl + w.s > arith.effective_kernel(w.k, w.d)
        return Relation("ceil", w.s, c, max(1, 1 - c - w.s), w.pl if drops else None)

    def output_formula(self, w: Window, n: int | None) -> tuple[str, str]:
        """The output length as a formula in symbols and the same with the numbers of
        ``w`` (and ``n``, when given) put in: ``("⌊(in + 2·p − k)/s⌋ + 1", "⌊(9 + 2·1 − 3)/2⌋ + 1")``."""
        pad = "2·p" if w.pl == w.pr else "p_l + p_r"
        kernel = "d·(k − 1) − 1" if w.d > 1 else "k"
        pad_n = f"2·{w.pl}" if w.pl == w.pr else f"{w.pl} + {w.pr}"
        kernel_n = f"{w.d}·({w.k} − 1) − 1" if w.d > 1 else f"{w.k}"
        symbols, numbers = f"in + {pad} − {kernel}", f"{'in' if n is None else n} + {pad_n} − {kernel_n}"
        if w.s == 1 and not w.ceil:
            return f"{symbols} + 1", f"{numbers} + 1"
        lo, hi = ("⌈", "⌉") if w.ceil else ("⌊", "⌋")
        return f"{lo}({symbols})/s{hi} + 1", f"{lo}({numbers})/{w.s}{hi} + 1"

    def cost_formulas(self, shape: Shape, out: Shape) -> tuple[tuple[str, str], tuple[str, str]] | None:
        """The formulas of params and MACs, in symbols and with the numbers put in; None
        for a layer without weights."""
        return None

    def one_dim(self, w: Window, padding: int, output_padding: int | None = None) -> Sliding | None:
        """This layer along one dimension, with window ``w``, padding ``padding`` on each
        side and one input and output channel; None when the layer takes no such padding
        or PyTorch would refuse it."""
        schema = self._args
        if "padding" not in schema and padding:
            return None
        values = {a.field or name: getattr(self, a.field or name) for name, a in schema.items()}
        for name, value in (
            ("kernel_size", w.k),
            ("stride", w.s),
            ("dilation", w.d),
            ("padding", padding),
            ("output_padding", output_padding),
        ):
            if name in schema and value is not None:
                values[name] = (value,)
        for name, fixed in (("in_channels", None), ("out_channels", 1), ("groups", 1)):
            if name in schema:
                values[name] = fixed
        try:
            return type(self)(self.type, 1, **values)
        except ConvCalcError:
            return None

    def receptive_field(self, rf: RF) -> RF:
        if rf is None:
            return None
        steps = zip(rf, self.windows(), strict=False)
        return tuple(arith.rf_step(r, j, st, w.k, w.s, w.pl, w.d) for (r, j, st), w in steps)


def sliding_warnings(sizes: Shape, outs: Shape, windows: Sequence[Window]) -> list[str]:
    """Input rows no window reads, and even kernels with symmetric padding."""
    notes = []
    axes = AXES[len(sizes)]
    for axis, n, o, w in zip(axes, sizes, outs, windows, strict=False):
        kk, ss, pl, pr, dd = w.k, w.s, w.pl, w.pr, w.d
        # with stride 1 and no dilation the o = n + pl + pr − kk + 1 windows read every position
        cov = arith.coverage(n, kk, ss, pl, dd, o, pr) if ss > 1 or dd > 1 else None
        if cov is not None and cov.unread:
            shown = ", ".join(str(r) for r in cov.first_unread)
            if cov.unread > len(cov.first_unread):
                shown += ", …"
            notes.append(
                f"input {ROWS[axis]} never read along the {axis}: {shown} ({cov.unread} of {n}): "
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


def too_small(sizes: Shape, outs: Shape, windows: Sequence[Window], can_pad: bool = False) -> str:
    """Why a sliding layer's output would be empty: the padded input is shorter than the
    effective kernel, said for all dimensions at once when all fail, else per dimension.
    ``can_pad``: suggest the symmetric padding that would give one output."""
    k = tuple(w.k for w in windows)
    d = tuple(w.d for w in windows)
    k_e = tuple(arith.effective_kernel(w.k, w.d) for w in windows)
    padded = tuple(n + w.pl + w.pr for n, w in zip(sizes, windows, strict=False))
    bad = [i for i, o in enumerate(outs) if o < 1]

    def part(values: Sequence[int]) -> str:
        return x_sizes(values[i] for i in bad)

    dilated = any(d[i] > 1 for i in bad)
    where = "" if len(bad) == len(sizes) else f"along the {' and '.join(AXES[len(sizes)][i] for i in bad)}, "
    text = f"{where}input {part(sizes)}"
    if any(padded[i] != sizes[i] for i in bad):
        text += f" (padded {part(padded)})"
    text += f" is smaller than the {'effective ' if dilated else ''}kernel {part(k_e)}"
    if dilated:
        text += f" (kernel {part(k)}, dilation {part(d)})"
    if can_pad:
        need = tuple(-(-(ke - n) // 2) for ke, n in zip(k_e, sizes, strict=False))
        text += f"; padding {part(need)} would give an output"
    return f"output size would be {x_sizes(max(o, 0) for o in outs)}: {text}"
