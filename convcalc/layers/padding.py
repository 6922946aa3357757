"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad,
1-d to 3-d (``torch/nn/modules/padding.py``). They pad the last ``dims`` dimensions, sides
in PyTorch's order (left, right, top, bottom, front, back); a negative side crops."""

from __future__ import annotations

from typing import Any

from .. import arith
from ..errors import InputError
from .base import AXES, RF, Layer, Shape, Step, arg, show_value, to_float, to_int

__all__ = ["CircularPad", "ConstantPad", "Pad", "ReflectionPad", "ReplicationPad", "ZeroPad"]


def _pad_sides(name: str, v: Any, dims: int) -> tuple[int, ...]:
    """An int for every side, or 2·dims ints in PyTorch's order (left, right, top, bottom,
    front, back)."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2 * dims:
            raise InputError(
                f"{name} has {len(v)} entr{'y' if len(v) == 1 else 'ies'} {show_value(v)}; "
                f"give one number or {2 * dims} "
                f"({', '.join(('left', 'right', 'top', 'bottom', 'front', 'back')[: 2 * dims])})"
            )
        return tuple(to_int(name, x) for x in v)
    return (to_int(name, v),) * (2 * dims)


class Pad(Layer):
    """Base of the padding layers; each mode checks the sides it can fill in :meth:`_check_side`.

    >>> from convcalc.layers import build
    >>> build("ZeroPad2d", padding=(1, 2, 0, -1)).forward((1, 3, 4, 4)).output_shape
    (1, 3, 3, 7)
    """

    padding: tuple[int, ...] = arg(_pad_sides)
    value: float = 0.0  # the fill value; only ConstantPad takes it as an argument

    def _sides(self) -> tuple[tuple[int, int], ...]:
        """(before, after) per dimension, outermost first."""
        pairs = [(self.padding[2 * i], self.padding[2 * i + 1]) for i in range(self.dims)]
        return tuple(reversed(pairs))

    def _check_side(self, axis: str, n: int, a: int, b: int) -> None:
        """Refuse sides ``a`` (before) and ``b`` (after) of an input of length ``n`` that
        this mode cannot pad."""

    def _ranks(self) -> range:
        """The input ranks PyTorch accepts: ``[C, *spatial]`` and ``[N, C, *spatial]``."""
        return range(self.dims + 1, self.dims + 3)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *self._ranks())
        sizes = shape[-self.dims :]
        outs = []
        for axis, n, (a, b) in zip(AXES[self.dims], sizes, self._sides(), strict=False):
            self._check_side(axis, n, a, b)
            if n + a + b < 1:
                raise self.fail(f"output size along the {axis} would be {n + a + b}: input {n}, padding {a} + {b}")
            outs.append(n + a + b)
        return Step((*shape[: -self.dims], *outs), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        if rf is None or len(rf) < self.dims:  # the padded dimensions are not all spatial ones
            return None
        kept, padded = rf[: len(rf) - self.dims], rf[len(rf) - self.dims :]
        return kept + tuple(
            arith.rf_step(r, j, st, 1, 1, a, 1) for (r, j, st), (a, _) in zip(padded, self._sides(), strict=False)
        )


class ZeroPad(Pad):
    """ZeroPad1d/2d/3d: PyTorch crops (narrows) the input by the negative sides before it
    pads; constant padding takes any input with at least the padded dimensions."""

    def _ranks(self) -> range:
        return range(self.dims, 64)

    def _check_side(self, axis: str, n: int, a: int, b: int) -> None:
        if min(a, 0) + min(b, 0) < -n:
            raise self.fail(f"negative padding {a}, {b} along the {axis} crops more than the input {axis} {n}")


class ConstantPad(ZeroPad):
    """ConstantPad1d/2d/3d: ZeroPad with a fill value."""

    value: float = arg(to_float)


class ReflectionPad(Pad):
    """ReflectionPad1d/2d/3d."""

    def _check_side(self, axis: str, n: int, a: int, b: int) -> None:
        if max(a, b) >= n:
            raise self.fail(
                f"padding {max(a, b)} along the {axis} must be smaller than the input {axis} {n} "
                "(reflection cannot reach further)"
            )


class ReplicationPad(Pad):
    """ReplicationPad1d/2d/3d."""


class CircularPad(Pad):
    """CircularPad1d/2d/3d."""

    def _check_side(self, axis: str, n: int, a: int, b: int) -> None:
        if max(a, b) > n:
            raise self.fail(f"padding {max(a, b)} along the {axis} wraps around more than once (input {n})")
        if a > n + min(b, 0) or b > n + min(a, 0):
            # PyTorch crops the negative side first, then copies the wrap from what is left: a
            # wrap longer than that reads the positions being written (torch raises "some
            # elements ... refer to a single memory location", or for some memory layouts
            # silently returns garbage)
            raise self.fail(
                f"circular padding {a}, {b} along the {axis}: after cropping, the input {axis} {n} "
                f"keeps {n + min(a, 0) + min(b, 0)}, less than the {max(a, b)} positions to wrap around"
            )
