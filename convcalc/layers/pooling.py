"""Pooling: MaxPool, AvgPool, LPPool and the adaptive poolings, 1-d to 3-d
(``torch/nn/modules/pooling.py``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from ..errors import InputError, InvalidLayerError
from .base import (
    AXES,
    RF,
    Layer,
    Shape,
    Step,
    arg,
    check_nonnegative,
    check_positive,
    given,
    show_value,
    to_bool,
    to_int,
    to_number,
    to_opt_int,
    to_opt_tuple,
    to_tuple,
    x_sizes,
)
from .conv import int_padding
from .sliding import Sliding, Window, sliding_warnings, too_small

__all__ = [
    "AdaptiveAvgPool",
    "AdaptiveMaxPool",
    "AdaptivePool",
    "AvgPool",
    "AvgPool1d",
    "AvgPool3d",
    "LPPool",
    "LPPool1d",
    "LPPool3d",
    "MaxPool",
    "Pool",
]


class Pool(Sliding):
    """Shared arithmetic of max, average and power-average pooling: every subclass gives
    its windows through :meth:`_window_args`; pooling pads both sides alike."""

    if TYPE_CHECKING:  # declared by each subclass, in its own place among its fields
        stride: tuple[int, ...] | None
        ceil_mode: bool

    def _window_args(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        """kernel, stride (the kernel when not given), padding, dilation, ceil_mode."""
        raise NotImplementedError

    def windows(self) -> tuple[Window, ...]:
        k, s, p, d, ceil = self._window_args()
        return tuple(Window(kk, ss, pp, pp, dd, ceil, 0) for kk, ss, pp, dd in zip(k, s, p, d, strict=False))

    def _validate(self) -> None:
        k, s, p, d, _ = self._window_args()
        check_positive(self, kernel_size=k, stride=s, dilation=d)
        check_nonnegative(self, padding=p)
        for axis, kk, pp, dd in zip(AXES[len(k)], k, p, d, strict=False):
            # PyTorch 2.13 checks half the undilated kernel for every MaxPool (max_pool1d_impl,
            # pool2d/pool3d_shape_check), which is never more than half the effective kernel
            if pp > kk // 2:
                raise self.fail(
                    f"padding {pp} along the {axis} is more than half the kernel size {kk} "
                    f"(PyTorch allows at most {kk // 2}{', whatever the dilation' if dd > 1 else ''})"
                )

    def unbatched(self, shape: Shape) -> bool:
        return len(shape) == self.dims + 1

    def forward(self, shape: Shape) -> Step:
        sizes = self._sample(shape)[2]
        ws = self.windows()
        outs = tuple(self.length(n, w) for n, w in zip(sizes, ws, strict=False))
        if any(o < 1 for o in outs):
            raise self.fail(too_small(sizes, outs, ws))
        notes = []
        for axis, n, w, out in zip(AXES[self.dims], sizes, ws, outs, strict=False):
            if w.ceil and arith.ceil_mode_drops(n, w.k, w.s, w.pl, w.d):
                start = out * w.s - w.pl  # in input coordinates: ≥ n
                place = (
                    "in the right padding"
                    if start < n + w.pl
                    else "past the input" + (" and its padding" if w.pl else "")
                )
                notes.append(
                    f"ceil_mode: along the {axis} a last window would start at {start}, {place}, "
                    f"so PyTorch drops it (output {out}, not {out + 1})"
                )
        # in ceil mode the last window may run past the padding: that reads nothing more
        notes += sliding_warnings(sizes, outs, ws)
        return Step((*shape[: -self.dims], *outs), 0, 0, 0, tuple(notes))

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """One per input element twice: ``pool_flops_counter_hook`` (``ptflops/pytorch_ops.py``)
        and the patched ``F.max_pool*d``/``F.avg_pool*d`` the module's forward calls."""
        n = math.prod(shape)
        return n, n


class MaxPool(Pool):
    """MaxPool1d / 2d / 3d.

    >>> from convcalc.layers import build
    >>> build("MaxPool1d", k=3, s=3, p=1, ceil_mode=True).forward((1, 1, 5)).output_shape
    (1, 1, 2)
    """

    shorthand: ClassVar[str | None] = "maxpool"

    kernel_size: tuple[int, ...] = arg(to_tuple)
    stride: tuple[int, ...] | None = arg(to_opt_tuple, None)
    padding: tuple[int, ...] = arg(int_padding, 0)
    dilation: tuple[int, ...] = arg(to_tuple, 1)
    ceil_mode: bool = arg(to_bool, False)
    return_indices: bool = arg(to_bool, False)

    def _window_args(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        s = self.kernel_size if self.stride is None else self.stride
        return self.kernel_size, s, self.padding, self.dilation, self.ceil_mode


class AvgPool1d(Pool):
    """AvgPool1d; :class:`AvgPool` (2-d and 3-d) adds ``divisor_override``, which
    PyTorch's AvgPool1d does not take."""

    shorthand: ClassVar[str | None] = "avgpool"

    kernel_size: tuple[int, ...] = arg(to_tuple)
    stride: tuple[int, ...] | None = arg(to_opt_tuple, None)
    padding: tuple[int, ...] = arg(int_padding, 0)
    ceil_mode: bool = arg(to_bool, False)
    count_include_pad: bool = arg(to_bool, True)

    def _window_args(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        s = self.kernel_size if self.stride is None else self.stride
        return self.kernel_size, s, self.padding, (1,) * self.dims, self.ceil_mode

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """One add per element each window reads (padding included with count_include_pad)
        and one division per output: ``count_avgpool`` (``thop/vision/basic_hooks.py``)."""
        reads = 1
        for n, o, w in zip(shape[-self.dims :], step.output_shape[-self.dims :], self.windows(), strict=False):
            lo, hi = (-w.pl, n + w.pl) if self.count_include_pad else (0, n)
            reads *= _window_reads(o, w, lo, hi)
        return math.prod(shape[: -self.dims]) * reads + step.output_elements


def _window_reads(o: int, w: Window, lo: int, hi: int) -> int:
    """Σ over the ``o`` windows of their length clipped to ``[lo, hi)``: only the first and last
    ``k + p + 1`` can be clipped, the others read ``k`` each.

    >>> from convcalc.layers import Window
    >>> _window_reads(3, Window(3, 2, 1, 1, 1, False, 0), 0, 5)   # [-1, 2), [1, 4), [3, 6) in [0, 5)
    7
    """
    edge = min(o, w.k + w.pl + 1)

    def one(i: int) -> int:
        start = i * w.s - w.pl
        return max(min(start + w.k, hi) - max(start, lo), 0)

    ends = set(range(edge)) | set(range(o - edge, o))
    return sum(one(i) for i in ends) + (o - len(ends)) * w.k


class AvgPool(AvgPool1d):
    """AvgPool2d (and, through :class:`AvgPool3d`, AvgPool3d)."""

    divisor_override: int | None = arg(to_opt_int, None)

    def _validate(self) -> None:
        super()._validate()
        if self.divisor_override is not None and self.divisor_override == 0:
            raise self.fail("divisor_override must not be 0")


class AvgPool3d(AvgPool):
    """AvgPool3d: PyTorch's avg_pool3d alone also checks the unpadded input against the
    kernel (pool3d_shape_check with check_input_size in aten/src/ATen/native/Pool.h)."""

    def forward(self, shape: Shape) -> Step:
        _check_unpadded(self, shape)
        return super().forward(shape)


def _check_unpadded(layer: Pool, shape: Shape) -> None:
    """avg_pool3d's own check: every input size at least the kernel, padding not counted."""
    sizes = shape[-3:]
    if len(shape) in (4, 5) and any(n < k for n, k in zip(sizes, layer.kernel_size, strict=False)):
        raise layer.fail(
            f"input {x_sizes(sizes)} is smaller than the kernel {x_sizes(layer.kernel_size)}: {layer.type} needs "
            "every input dimension to be at least the kernel size, padding not counted"
        )


def to_norm_type(name: str, v: Any, dims: int) -> float:
    """LPPool's ``p``: any number but 0 (PyTorch computes ``1/p``); ±inf is max pooling."""
    p = to_number(name, v, dims)
    if p == 0:
        raise InvalidLayerError(f"{name} must not be 0: PyTorch takes the 1/{name}-th power")
    return p


class LPPool(Pool):
    """LPPool2d / LPPool3d: ``(Σ x^p)^(1/p)`` over each window, computed by PyTorch as an
    average pooling of ``x^p`` without padding (``F.lp_pool2d``), or as max pooling of
    ``|x|`` when ``norm_type`` is ±inf; the same windows either way.

    >>> from convcalc.layers import build
    >>> build("LPPool2d", norm_type=2, kernel_size=3, stride=2).forward((1, 4, 9, 9)).output_shape
    (1, 4, 4, 4)
    """

    norm_type: float = arg(to_norm_type)
    kernel_size: tuple[int, ...] = arg(to_tuple)
    stride: tuple[int, ...] | None = arg(to_opt_tuple, None)
    ceil_mode: bool = arg(to_bool, False)

    command_defaults: ClassVar[dict[str, Any]] = {"norm_type": 2.0}

    def _window_args(self) -> tuple[Shape, Shape, Shape, Shape, bool]:
        s = self.kernel_size if self.stride is None else self.stride
        return self.kernel_size, s, (0,) * self.dims, (1,) * self.dims, self.ceil_mode

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """nn.LPPool* is not in ``MODULES_MAPPING``; ``F.lp_pool*d`` calls the patched
        ``avg_pool*d`` on ``x^p`` (one per input element), ``relu`` and ``Tensor.mul`` (one per
        output element each); for ±inf only the patched ``max_pool*d`` of ``|x|``."""
        if not math.isfinite(self.norm_type):
            return 0, math.prod(shape)
        return 0, math.prod(shape) + 2 * step.output_elements


class _Listed(tuple[int, ...]):
    """A kernel_size that was given as a list (equal to the same tuple)."""

    __slots__ = ()


def _remember_list(name: str, v: Any, dims: int) -> tuple[int, ...]:
    sizes = to_tuple(name, v, dims)
    return _Listed(sizes) if isinstance(v, (list, tuple)) else sizes


class LPPool3d(LPPool):
    """LPPool3d: a finite ``norm_type`` goes through avg_pool3d and its check of the
    unpadded input (see :class:`AvgPool3d`); ±inf through max_pool3d, which has none."""

    def forward(self, shape: Shape) -> Step:
        if math.isfinite(self.norm_type):
            _check_unpadded(self, shape)
        return super().forward(shape)


class LPPool1d(LPPool):
    """LPPool1d: for a finite ``norm_type`` PyTorch's lp_pool1d multiplies the average by
    kernel_size, which must then be one integer (a list is a TypeError in PyTorch 2.13)."""

    kernel_size: tuple[int, ...] = arg(_remember_list)

    def _validate(self) -> None:
        super()._validate()
        if isinstance(self.kernel_size, _Listed) and math.isfinite(self.norm_type):
            raise self.fail(
                f"kernel_size={list(self.kernel_size)}: with a finite norm_type PyTorch's LPPool1d takes one "
                "integer, not a list"
            )


def _output_size(name: str, v: Any, dims: int) -> tuple[int | None, ...] | None:
    """Adaptive pooling: an int, or a list with one int-or-null per dimension (null itself
    is read, for :meth:`AdaptivePool._validate` to refuse as PyTorch does)."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        if len(v) != dims:
            entries = f"{len(v)} entr{'y' if len(v) == 1 else 'ies'}"
            raise InputError(f"{name} has {entries} {show_value(v)} but the layer has {dims} spatial dimensions")
        return tuple(None if x is None else to_int(name, x) for x in v)
    return (to_int(name, v),) * dims


class AdaptivePool(Layer):
    """Base of AdaptiveAvgPool1d/2d/3d and AdaptiveMaxPool1d/2d/3d."""

    output_size: tuple[int | None, ...] | None = arg(_output_size)  # None: refused by _validate

    def _validate(self) -> None:
        keep = f", or a list of {self.dims} with null for each size to keep" if self.dims > 1 else ""
        if self.output_size is None or (self.dims == 1 and None in self.output_size):
            shown = "null" if self.output_size is None else "[null]"
            raise self.fail(f"output_size={shown} is not accepted: PyTorch's {self.type} takes a size{keep}")
        for v in self.output_size:
            if v is not None and v < 1:
                raise self.fail(
                    f"output_size must be ≥ 1{' (or null to keep the input size)' if keep else ''}, "
                    f"got {given(self.output_size)}"
                )

    def unbatched(self, shape: Shape) -> bool:
        return len(shape) == self.dims + 1

    def forward(self, shape: Shape) -> Step:
        sizes = self._sample(shape)[2]
        outs = tuple(n if o is None else o for n, o in zip(sizes, self.output_size or (), strict=False))
        return Step((*shape[: -self.dims], *outs), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None


    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """One per input element twice: ``pool_flops_counter_hook`` and the patched
        ``F.adaptive_*_pool*d`` (``ptflops/pytorch_ops.py``, ``pytorch_engine.py``)."""
        n = math.prod(shape)
        return n, n


class AdaptiveAvgPool(AdaptivePool):
    """AdaptiveAvgPool1d/2d/3d."""

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """One per input element for the 2-d layer (``aten::adaptive_avg_pool2d``,
        ``elementwise_flop_counter(1, 0)`` in ``fvcore/nn/flop_count.py``); 1-d and 3-d have no
        handle: 0."""
        return math.prod(shape) if self.dims == 2 else 0

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """One add per element each window reads and one division per output:
        ``count_adap_avgpool`` (``thop/vision/basic_hooks.py``). Output j of n → m reads
        ``[⌊j·n/m⌋, ⌈(j+1)·n/m⌉)``; those lengths sum to n + m − gcd(n, m)."""
        reads = math.prod(n if n == m else n + m - math.gcd(n, m) for n, m in zip(shape, step.output_shape))
        return reads + step.output_elements


class AdaptiveMaxPool(AdaptivePool):
    """AdaptiveMaxPool1d/2d/3d: they can also return the indices."""

    return_indices: bool = arg(to_bool, False)
