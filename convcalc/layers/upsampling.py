"""Upsample (``torch/nn/modules/upsampling.py``)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import InputError, LimitError
from .base import (
    MAX_NUMBER,
    RF,
    Layer,
    Shape,
    Step,
    arg,
    check_positive,
    choice,
    show_shape,
    to_float,
    to_int,
    to_int_list,
    to_opt_bool,
    x_sizes,
)

__all__ = ["Upsample"]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_MODE_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _scale(name: str, v: Any, dims: int) -> float | tuple[float, ...] | None:
    """Upsample's scale_factor: one number for every dimension, or a list (one per dimension,
    checked against the input: PyTorch refuses a list of the wrong length, even of one)."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        if not v:
            raise InputError(f"{name} must not be empty")
        return tuple(to_float(name, x, dims) for x in v)
    return to_float(name, v, dims)


def _size_or_sizes(name: str, v: Any, dims: int) -> int | tuple[int, ...] | None:
    """Upsample's size: one int for every dimension, or a list as for scale_factor."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return to_int_list(name, v, dims)
    return to_int(name, v)


class Upsample(Layer):
    """Upsample(size | scale_factor): output = size, or ⌊input × scale_factor⌋ (in double
    precision, as PyTorch's ``F.interpolate``).

    >>> from convcalc.layers import build
    >>> build("Upsample", scale_factor=1.5).forward((1, 3, 7, 8)).output_shape
    (1, 3, 10, 12)
    """

    size: int | tuple[int, ...] | None = arg(_size_or_sizes, None)
    scale_factor: float | tuple[float, ...] | None = arg(_scale, None)
    mode: str = arg(choice(*_MODES), "nearest")
    align_corners: bool | None = arg(to_opt_bool, None)
    recompute_scale_factor: bool | None = arg(to_opt_bool, None)

    def _validate(self) -> None:
        if (self.size is None) == (self.scale_factor is None):
            raise self.fail("give exactly one of size and scale_factor")
        if self.size is not None:
            check_positive(self, size=self.size)
        if self.scale_factor is not None:
            factors = self.scale_factor if isinstance(self.scale_factor, tuple) else (self.scale_factor,)
            if any(f <= 0 for f in factors):
                shown = list(factors) if isinstance(self.scale_factor, tuple) else self.scale_factor
                raise self.fail(f"scale_factor must be > 0, got {shown}")
        if self.recompute_scale_factor and self.size is not None:
            raise self.fail(
                "recompute_scale_factor=true is not meaningful with size (PyTorch refuses it): "
                "it applies to scale_factor only"
            )
        if self.align_corners is not None and self.mode not in ("linear", "bilinear", "bicubic", "trilinear"):
            raise self.fail(f"align_corners can only be set with the interpolating modes, not mode='{self.mode}'")

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, 3, 4, 5)
        spatial = len(shape) - 2
        need = _MODE_RANK.get(self.mode)
        if need is not None and need != len(shape):
            raise self.fail(f"mode='{self.mode}' needs a {need}-d input; got {len(shape)}-d {show_shape(shape)}")
        sizes = shape[2:]
        name, given = ("size", self.size) if self.size is not None else ("scale_factor", self.scale_factor)
        if isinstance(given, tuple) and len(given) != spatial:
            raise self.fail(
                f"{name} has {len(given)} {'entry' if len(given) == 1 else 'entries'} {list(given)} but the input "
                f"{show_shape(shape)} has {spatial} spatial dimensions: give one number for all, or {spatial}"
            )
        if isinstance(self.size, int):
            outs: tuple[int, ...] = (self.size,) * spatial
        elif self.size is not None:
            outs = self.size
        else:  # PyTorch: floor(float(input) × scale_factor), in double precision
            factor = self.scale_factor
            per_dim = factor if isinstance(factor, tuple) else (float(factor or 0),) * spatial
            scaled = tuple(float(n) * f for n, f in zip(sizes, per_dim, strict=False))
            if any(v > MAX_NUMBER for v in scaled):  # inf included: math.floor(inf) would raise
                shown = " × ".join(f"{v:.3g}" for v in scaled)
                raise LimitError(f"output size would be {shown}: sizes are limited to 2^40 ({MAX_NUMBER:,})")
            outs = tuple(math.floor(v) for v in scaled)
            if any(o < 1 for o in outs):
                raise self.fail(
                    f"output size would be {x_sizes(outs)}: ⌊input {x_sizes(sizes)} × scale_factor "
                    f"{x_sizes(per_dim)}⌋; use a larger scale_factor or give size"
                )
        return Step((*shape[:2], *outs), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return None

    # -- other counters (convcalc.conventions) --

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """On a 4-d input only (``fvcore/nn/flop_count.py``): ``aten::upsample_nearest2d`` one per
        output element, ``aten::upsample_bilinear2d`` four, ``area`` (run as
        ``aten::adaptive_avg_pool2d``) one per input element; every other op has no handle."""
        if len(shape) != 4:
            return 0
        per = {"nearest": step.output_elements, "bilinear": 4 * step.output_elements, "area": math.prod(shape)}
        return per.get(self.mode, 0)

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """``upsample_flops_counter_hook`` (``ptflops/pytorch_ops.py``) counts the elements of
        ``output[0]``, the first sample's; the patched ``F.interpolate`` adds
        ``_interpolate_functional_flops_hook``: N·C·∏size, or the input's elements × scale^dims,
        a float (for a list, the product of the factors each truncated to an integer); mode
        ``area`` also runs the patched ``adaptive_avg_pool*d`` (one per input element)."""
        n_in, dims = math.prod(shape), len(shape) - 2
        if self.size is not None:
            functional: float = step.output_elements
        elif isinstance(self.scale_factor, tuple):  # np.prod(..., dtype=np.int64): each factor truncated first
            functional = n_in * math.prod(int(f) for f in self.scale_factor)
        else:
            functional = n_in * float(self.scale_factor or 0) ** dims
        if self.mode == "area":
            functional += n_in
        return math.prod(step.output_shape[1:]), functional

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """Per output element 0 (nearest, nearest-exact), 5 (linear), 11 (bilinear), 259
        (bicubic), 31 (trilinear); area has no cost there, 0: ``count_upsample``
        (``thop/vision/basic_hooks.py``)."""
        per = {"linear": 5, "bilinear": 11, "bicubic": 259, "trilinear": 31}
        return per.get(self.mode, 0) * step.output_elements
