"""Learned maps without a window: Linear, and Scale, a learned elementwise multiplier
(``torch/nn/modules/linear.py``; Scale is ConvNeXt's layer scale, SPEC §2a)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidLayerError
from .base import (
    RF,
    Layer,
    Shape,
    Step,
    arg,
    check_positive,
    show_shape,
    to_bool,
    to_float,
    to_int,
    to_opt_int,
    to_opt_int_list,
)

__all__ = ["Linear", "Scale"]


class Linear(Layer):
    """Linear: acts on the last dimension.

    >>> from convcalc.layers import build
    >>> build("Linear", out_features=10).forward((4, 84))
    Step(output_shape=(4, 10), params=850, buffers=0, macs=3360, warnings=())
    """

    in_features: int | None = arg(to_opt_int, None)
    out_features: int = arg(to_int)
    bias: bool = arg(to_bool, True)

    def _validate(self) -> None:
        check_positive(self, in_features=self.in_features, out_features=self.out_features)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(1, 64))
        f = shape[-1]
        if self.in_features is not None and self.in_features != f:
            raise self.fail(
                f"in_features={self.in_features} but the input has {f} features in its last "
                f"dimension (shape {show_shape(shape)})"
            )
        rows = math.prod(shape[:-1])
        params = f * self.out_features + (self.out_features if self.bias else 0)
        return Step((*shape[:-1], self.out_features), params, 0, rows * f * self.out_features)

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """MACs: ``linear_flop_jit`` (``fvcore/nn/jit_handles.py``), ∏input·out_features."""
        return step.macs

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """MACs plus the bias once per output element: ``linear_flops_counter_hook``
        (``ptflops/pytorch_ops.py``); ``F.linear`` is not patched."""
        return step.macs + (step.output_elements if self.bias else 0), 0

    def ptflops_aten_macs(self, shape: Shape, step: Step) -> int:
        """MACs, plus the bias per output element when PyTorch runs it as ``addmm``
        (``addmm_flop`` in ``ptflops/aten_ops.py``): a 2-d input, or a larger one flattened to 2-d
        (``_flatten_nd_linear``); without bias ``mm``, MACs alone."""
        return step.macs + (step.output_elements if self.bias and len(shape) >= 2 else 0)

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """in_features × output elements, the MACs: ``count_linear`` (``thop/vision/basic_hooks.py``)."""
        return step.macs

    def receptive_field(self, rf: RF) -> RF:
        return None

    def flatten_note(self, shape: Shape, rf: RF, pooled: bool) -> str | None:
        """A warning for a Linear on a feature map: PyTorch allows it (Linear acts on the
        last dimension, at every other position), but in a CNN it nearly always means a
        forgotten Flatten. A feature map is an input of rank ≥ 3 that a window has slid
        over (its receptive field is wider than a pixel), that adaptive pooling made
        (``pooled``), or that is 4-d or more with its spatial dimensions in place (``rf``
        known); channels-last tensors after a Permute (ConvNeXt) and ``[N, L, D]`` inputs
        are not."""
        if len(shape) < 3 or (rf is None and not pooled):
            return None
        widened = rf is not None and any(step != (1, 1, 0.0) for step in rf)
        if not (widened or pooled or len(shape) >= 4):
            return None
        return (
            f"Linear on the {len(shape)}-d input {show_shape(shape)} acts on its last dimension ({shape[-1]} "
            "features) at each other position: a Flatten before it is probably missing (PyTorch allows this)"
        )


def _gamma_shape(name: str, v: Any, dims: int) -> tuple[int, ...] | None:
    """Scale's shape: null (one per channel), ``[]`` (a single scalar, as ``torch.full((), init)``)
    or sizes."""
    if isinstance(v, (list, tuple)) and not v:
        return ()
    return to_opt_int_list(name, v, dims)


class Scale(Layer):
    """Scale(shape, init): ``x · γ`` with a learned ``γ`` of ``shape`` (ConvNeXt's layer
    scale, ``nn.Parameter(init · torch.ones(C, 1, 1))``): ∏shape parameters, 0 MACs; by
    default one per channel, ``[C, 1, …, 1]`` of the input's rank without the batch. The
    output is the broadcast of the input and ``γ``.

    >>> from convcalc.layers import build
    >>> step = build("Scale").forward((1, 96, 56, 56))
    >>> step.output_shape, step.params
    ((1, 96, 56, 56), 96)
    >>> build("Scale", shape=[96]).forward((1, 56, 56, 96)).params
    96
    """

    shape: tuple[int, ...] | None = arg(_gamma_shape, None)
    init: float = arg(to_float, 1.0)

    def _validate(self) -> None:
        check_positive(self, shape=self.shape)

    def gamma(self, shape: Shape) -> Shape:
        """The shape of the learned multiplier for an input of ``shape``."""
        if self.shape is not None:
            return self.shape
        self._rank(shape, *range(2, 64))
        return (shape[1],) + (1,) * (len(shape) - 2)

    def forward(self, shape: Shape) -> Step:
        from .merge import broadcast

        gamma = self.gamma(shape)
        try:
            out = broadcast([shape, gamma], ["the input", "shape"])
        except InvalidLayerError as err:
            raise err.at(self.type) from None
        return Step(out, math.prod(gamma), 0, 0)
