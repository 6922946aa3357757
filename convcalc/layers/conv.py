"""Convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d (``torch/nn/modules/conv.py``)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

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
    choice,
    groups_msg,
    plural,
    show_shape,
    to_bool,
    to_int,
    to_opt_int,
    to_tuple,
    x_sizes,
)
from .sliding import Relation, Sliding, Window, sliding_warnings, too_small

__all__ = ["Conv", "ConvTranspose", "int_padding"]

_MODES = choice("zeros", "reflect", "replicate", "circular")


def conv_padding(name: str, v: Any, dims: int) -> str | tuple[int, ...]:
    """A convolution's padding: integers, ``'same'`` or ``'valid'``."""
    if isinstance(v, str):
        if v not in ("same", "valid"):
            raise InputError(f"{name} must be an integer, a list of {dims}, 'same' or 'valid', got {v!r}")
        return v
    return to_tuple(name, v, dims)


def int_padding(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """Padding of layers without 'same'/'valid': those two are values PyTorch rejects here
    (exit 1); any other string is a value of the wrong kind (exit 2, from :func:`to_tuple`)."""
    if v in ("same", "valid"):
        raise InvalidLayerError(
            f"{name}={v!r} is not accepted here: PyTorch takes only integers for this layer "
            "(`convcalc same` finds the padding)"
        )
    return to_tuple(name, v, dims)


def _check_groups_divide(layer: Layer, in_channels: int | None, out_channels: int, groups: int) -> None:
    """A convolution's declared channels must be multiples of its groups."""
    if in_channels is not None and in_channels % groups:
        raise layer.fail(groups_msg("in_channels", in_channels, groups))
    if out_channels % groups:
        raise layer.fail(groups_msg("out_channels", out_channels, groups))


def _channels_in(layer: Layer, c: int, shape: Shape, declared: int | None, groups: int) -> int:
    if declared is not None and declared != c:
        raise layer.fail(f"in_channels={declared} but the input has {plural(c, 'channel')} (shape {show_shape(shape)})")
    if c % groups:
        raise layer.fail(f"groups={groups} does not divide the {c} input channels ({c} % {groups} = {c % groups})")
    return c


def _check_mode_padding(layer: Layer, sizes: Shape, windows: tuple[Window, ...], mode: str) -> None:
    for axis, n, w in zip(AXES[len(sizes)], sizes, windows, strict=False):
        worst = max(w.pl, w.pr)
        if (mode == "reflect" and worst >= n) or (mode == "circular" and worst > n):
            rule = "smaller than" if mode == "reflect" else "at most"
            raise layer.fail(f"padding_mode='{mode}' needs padding {rule} the input {axis}: padding {worst}, input {n}")


def _n(layer: Layer, shape: Shape) -> int:
    """The batch size of an input, 1 when unbatched."""
    return math.prod(shape[: -layer.dims - 1])


def _prod(values: Shape) -> str:
    return "·".join(str(v) for v in values)


class Conv(Sliding):
    """Conv1d / Conv2d / Conv3d.

    >>> from convcalc.layers import build
    >>> build("Conv2d", in_channels=3, out_channels=64, kernel_size=7, stride=2, padding=3).forward((1, 3, 224, 224))
    Step(output_shape=(1, 64, 112, 112), params=9472, buffers=0, macs=118013952, warnings=())
    """

    shorthand: ClassVar[str | None] = "conv"
    same_padding: ClassVar[bool] = True

    in_channels: int | None = arg(to_opt_int, None)
    out_channels: int = arg(to_int)
    kernel_size: tuple[int, ...] = arg(to_tuple)
    stride: tuple[int, ...] = arg(to_tuple, 1)
    padding: str | tuple[int, ...] = arg(conv_padding, 0)
    dilation: tuple[int, ...] = arg(to_tuple, 1)
    groups: int = arg(to_int, 1)
    bias: bool = arg(to_bool, True)
    padding_mode: str = arg(_MODES, "zeros")

    def _validate(self) -> None:
        check_positive(
            self,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            kernel_size=self.kernel_size,
            stride=self.stride,
            dilation=self.dilation,
            groups=self.groups,
        )
        if isinstance(self.padding, tuple):
            check_nonnegative(self, padding=self.padding)
        elif self.padding == "same" and any(s != 1 for s in self.stride):
            raise self.fail(
                f"padding='same' needs stride 1, got stride={list(self.stride)}: PyTorch does not "
                "support it for strided convolutions; use an integer padding "
                "(`convcalc same` finds it)"
            )
        _check_groups_divide(self, self.in_channels, self.out_channels, self.groups)

    def pads(self) -> tuple[tuple[int, int], ...]:
        """(left, right) padding per dimension; 'same' splits as PyTorch does."""
        if isinstance(self.padding, tuple):
            return tuple((p, p) for p in self.padding)
        if self.padding == "valid":
            return ((0, 0),) * self.dims
        out = []
        for k, d in zip(self.kernel_size, self.dilation, strict=False):
            total = d * (k - 1)
            out.append((total // 2, total - total // 2))
        return tuple(out)

    def windows(self) -> tuple[Window, ...]:
        return tuple(
            Window(k, s, pl, pr, d, False, 0)
            for k, s, (pl, pr), d in zip(self.kernel_size, self.stride, self.pads(), self.dilation, strict=False)
        )

    def unbatched(self, shape: Shape) -> bool:
        return len(shape) == self.dims + 1

    def forward(self, shape: Shape) -> Step:
        lead, c, sizes = self._sample(shape)
        c_in = _channels_in(self, c, shape, self.in_channels, self.groups)
        ws = self.windows()
        if self.padding_mode in ("reflect", "circular"):
            _check_mode_padding(self, sizes, ws, self.padding_mode)
        outs = tuple(self.length(n, w) for n, w in zip(sizes, ws, strict=False))
        if any(o < 1 for o in outs):
            can_pad = self.padding_mode == "zeros" and self.padding != "same"
            raise self.fail(too_small(sizes, outs, ws, can_pad))
        k_prod = math.prod(self.kernel_size)
        params = self.out_channels * (c_in // self.groups) * k_prod + (self.out_channels if self.bias else 0)
        macs = math.prod(lead) * self.out_channels * math.prod(outs) * (c_in // self.groups) * k_prod
        notes = sliding_warnings(sizes, outs, ws)
        return Step((*lead, self.out_channels, *outs), params, 0, macs, tuple(notes))

    def cost_formulas(self, shape: Shape, out: Shape) -> tuple[tuple[str, str], tuple[str, str]]:
        """Params ``C_out·(C_in/g)·∏k (+ C_out)``, MACs ``N·C_out·∏out·(C_in/g)·∏k`` (SPEC §3)."""
        k, g, n = self.kernel_size, self.groups, _n(self, shape)
        c_in, c_out = shape[-self.dims - 1], out[-self.dims - 1]
        kk = "∏k" if len(k) > 1 else "k"
        params = (
            f"C_out·(C_in/g)·{kk}" + (" + C_out" if self.bias else ""),
            f"{c_out}·({c_in}/{g})·{_prod(k)}" + (f" + {c_out}" if self.bias else ""),
        )
        sizes = "∏out" if self.dims > 1 else "out"
        macs = (f"N·C_out·{sizes}·(C_in/g)·{kk}", f"{n}·{c_out}·{_prod(out[-self.dims :])}·({c_in}/{g})·{_prod(k)}")
        return params, macs

    # -- other counters (convcalc.conventions); ConvTranspose shares these --

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """MACs: ``conv_flop_count`` (``fvcore/nn/jit_handles.py``), N·∏weight·∏out (∏in when
        transposed), bias ignored; 0 for ``padding='same'`` or ``'valid'``, which PyTorch runs as
        ``aten::_convolution_mode``, an op without a handle (only ``aten::_convolution`` has one)."""
        return 0 if isinstance(getattr(self, "padding", None), str) else step.macs

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """MACs plus one add per output element for the bias: ``conv_flops_counter_hook``
        (``ptflops/pytorch_ops.py``)."""
        return step.macs + (step.output_elements if self.bias else 0), 0

    def ptflops_aten_macs(self, shape: Shape, step: Step) -> int:
        """MACs plus the bias per output element: ``conv_flop`` (``ptflops/aten_ops.py``)."""
        return step.macs + (step.output_elements if self.bias else 0)

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """MACs, bias not counted: ``count_convNd``/``count_convtNd`` (``thop/vision/basic_hooks.py``)
        through ``calculate_conv2d_flops`` (``thop/vision/calc_func.py``)."""
        return step.macs

    def torchinfo_macs(self, shape: Shape, step: Step) -> int:
        """(weight + bias elements) × N·∏out, for a transposed convolution too (so over its
        output, not its input): the ``"Conv" in class_name`` branch of
        ``LayerInfo.calculate_macs`` (``torchinfo/layer_info.py``)."""
        out = step.output_shape
        return step.params * out[0] * math.prod(out[2:])


class ConvTranspose(Sliding):
    """ConvTranspose1d / 2d / 3d.

    >>> from convcalc.layers import build
    >>> up = build("ConvTranspose2d", out_channels=1, kernel_size=4, stride=2, padding=1)
    >>> up.forward((1, 1, 16, 16)).output_shape
    (1, 1, 32, 32)
    """

    shorthand: ClassVar[str | None] = "transpose"
    transposed: ClassVar[bool] = True

    in_channels: int | None = arg(to_opt_int, None)
    out_channels: int = arg(to_int)
    kernel_size: tuple[int, ...] = arg(to_tuple)
    stride: tuple[int, ...] = arg(to_tuple, 1)
    padding: tuple[int, ...] = arg(int_padding, 0)
    output_padding: tuple[int, ...] = arg(to_tuple, 0)
    groups: int = arg(to_int, 1)
    bias: bool = arg(to_bool, True)
    dilation: tuple[int, ...] = arg(to_tuple, 1)
    padding_mode: str = arg(_MODES, "zeros")

    def _validate(self) -> None:
        check_positive(
            self,
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            kernel_size=self.kernel_size,
            stride=self.stride,
            dilation=self.dilation,
            groups=self.groups,
        )
        check_nonnegative(self, padding=self.padding, output_padding=self.output_padding)
        if self.padding_mode != "zeros":
            raise self.fail(f"padding_mode='{self.padding_mode}': PyTorch supports only 'zeros' for {self.type}")
        for axis, op, s, d in zip(AXES[self.dims], self.output_padding, self.stride, self.dilation, strict=False):
            if op >= s and op >= d:
                raise self.fail(
                    f"output_padding={op} along the {axis} must be smaller than the stride ({s}) "
                    f"or the dilation ({d}): at most {max(s, d) - 1}"
                )
        _check_groups_divide(self, self.in_channels, self.out_channels, self.groups)

    def windows(self) -> tuple[Window, ...]:
        return tuple(
            Window(k, s, p, p, d, False, op)
            for k, s, p, d, op in zip(
                self.kernel_size, self.stride, self.padding, self.dilation, self.output_padding, strict=True
            )
        )

    def length(self, n: int, w: Window) -> int:
        """``(in − 1)·s − 2·p + d·(k − 1) + output_padding + 1`` (``torch.nn.ConvTranspose1d``, "Shape")."""
        return arith.transposed_conv_out(n, w.k, w.s, w.pl, w.d, w.output_padding)

    def relation(self, w: Window) -> Relation:
        c = self.length(0, w)
        return Relation("linear", w.s, c, max(1, -((c - 1) // w.s)))

    def output_formula(self, w: Window, n: int | None) -> tuple[str, str]:
        return (
            "(in − 1)·s − 2·p + d·(k − 1) + output_padding + 1",
            f"({'in' if n is None else n} − 1)·{w.s} − 2·{w.pl} + {w.d}·({w.k} − 1) + {w.output_padding} + 1",
        )

    def unbatched(self, shape: Shape) -> bool:
        return len(shape) == self.dims + 1

    def forward(self, shape: Shape) -> Step:
        lead, c, sizes = self._sample(shape)
        c_in = _channels_in(self, c, shape, self.in_channels, self.groups)
        ws = self.windows()
        outs = tuple(self.length(n, w) for n, w in zip(sizes, ws, strict=False))
        if any(o < 1 for o in outs):
            axis, n, w, o = next(t for t in zip(AXES[self.dims], sizes, ws, outs, strict=False) if t[-1] < 1)
            k, s, p, d, op = w.k, w.s, w.pl, w.d, w.output_padding
            raise self.fail(
                f"output size would be {x_sizes(max(o, 0) for o in outs)}: along the {axis}, "
                f"(in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = "
                f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {o}; "
                f"padding {((n - 1) * s + d * (k - 1) + op) // 2} or less gives an output"
            )
        k_prod = math.prod(self.kernel_size)
        params = c_in * (self.out_channels // self.groups) * k_prod + (self.out_channels if self.bias else 0)
        macs = math.prod(lead) * c_in * math.prod(sizes) * (self.out_channels // self.groups) * k_prod
        return Step((*lead, self.out_channels, *outs), params, 0, macs)

    def cost_formulas(self, shape: Shape, out: Shape) -> tuple[tuple[str, str], tuple[str, str]]:
        """Params ``C_in·(C_out/g)·∏k (+ C_out)``, MACs ``N·C_in·∏in·(C_out/g)·∏k`` (SPEC §3)."""
        k, g, n = self.kernel_size, self.groups, _n(self, shape)
        c_in, c_out = shape[-self.dims - 1], out[-self.dims - 1]
        kk = "∏k" if len(k) > 1 else "k"
        params = (
            f"C_in·(C_out/g)·{kk}" + (" + C_out" if self.bias else ""),
            f"{c_in}·({c_out}/{g})·{_prod(k)}" + (f" + {c_out}" if self.bias else ""),
        )
        sizes = "∏in" if self.dims > 1 else "in"
        macs = (f"N·C_in·{sizes}·(C_out/g)·{kk}", f"{n}·{c_in}·{_prod(shape[-self.dims :])}·({c_out}/{g})·{_prod(k)}")
        return params, macs

    fvcore_macs = Conv.fvcore_macs
    ptflops_macs = Conv.ptflops_macs
    ptflops_aten_macs = Conv.ptflops_aten_macs
    thop_macs = Conv.thop_macs
    torchinfo_macs = Conv.torchinfo_macs

    def receptive_field(self, rf: RF) -> RF:
        return None
