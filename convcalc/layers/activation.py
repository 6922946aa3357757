"""Activations, dropout and Identity: layers whose output has the input's shape (and GLU,
which halves one dimension) (``torch/nn/modules/activation.py``, ``dropout.py``,
``linear.py``'s Identity)."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import (
    RF,
    Layer,
    Shape,
    Step,
    arg,
    choice,
    show_shape,
    to_bool,
    to_float,
    to_int,
    to_opt_int,
    to_probability,
)

__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Elementwise",
    "Hardtanh",
    "Inplace",
    "LeakyReLU",
    "PReLU",
    "Softmax",
    "Softplus",
]


class Elementwise(Layer):
    """A layer applied element by element: the output has the input's shape. Without
    arguments itself (Sigmoid, Tanh, Identity); the subclasses declare theirs."""

    def arguments(self) -> dict[str, Any]:
        """All arguments, defaults included (as PyTorch prints these modules)."""
        return {name: getattr(self, a.field or name) for name, a in self._args.items()}

    def forward(self, shape: Shape) -> Step:
        return Step(shape, 0, 0, 0)


class Inplace(Elementwise):
    """ReLU, ReLU6, SELU, SiLU, Mish, Hardswish, Hardsigmoid: only ``inplace``."""

    inplace: bool = arg(to_bool, False)


class LeakyReLU(Elementwise):
    negative_slope: float = arg(to_float, 0.01)
    inplace: bool = arg(to_bool, False)


class ELU(Elementwise):
    """ELU and CELU."""

    alpha: float = arg(to_float, 1.0)
    inplace: bool = arg(to_bool, False)


class GELU(Elementwise):
    approximate: str = arg(choice("none", "tanh"), "none")


class Hardtanh(Elementwise):
    min_val: float = arg(to_float, -1.0)
    max_val: float = arg(to_float, 1.0)
    inplace: bool = arg(to_bool, False)


class Softplus(Elementwise):
    beta: float = arg(to_float, 1.0)
    threshold: float = arg(to_float, 20.0)


class Softmax(Elementwise):
    """Softmax and LogSoftmax: ``dim`` must be a dimension of the input."""

    dim: int | None = arg(to_opt_int, None)

    def forward(self, shape: Shape) -> Step:
        if self.dim is not None:
            self._dim(self.dim, len(shape), "dim")
        return Step(shape, 0, 0, 0)


class PReLU(Elementwise):
    """PReLU: ``num_parameters`` weights, 1 or one per input channel."""

    num_parameters: int = arg(to_int, 1)
    init: float = arg(to_float, 0.25)

    def forward(self, shape: Shape) -> Step:
        n = self.num_parameters
        if n < 1:
            raise self.fail(f"num_parameters must be ≥ 1, got {n}")
        if n != 1 and (len(shape) < 2 or shape[1] != n):
            c = shape[1] if len(shape) >= 2 else None
            raise self.fail(f"num_parameters={n} must be 1 or the number of input channels ({c})")
        return Step(shape, n, 0, 0)


class Dropout(Elementwise):
    """Dropout and AlphaDropout: any input."""

    #: The input ranks accepted; None: any.
    ranks: ClassVar[tuple[int, ...] | None] = None

    p: float = arg(to_probability, 0.5)
    inplace: bool = arg(to_bool, False)

    def forward(self, shape: Shape) -> Step:
        if self.ranks:
            self._rank(shape, *self.ranks)
        return Step(shape, 0, 0, 0)


class Dropout1d(Dropout):
    ranks: ClassVar[tuple[int, ...] | None] = (2, 3)


class Dropout2d(Dropout):
    ranks: ClassVar[tuple[int, ...] | None] = (3, 4)


class Dropout3d(Dropout):
    ranks: ClassVar[tuple[int, ...] | None] = (4, 5)


class GLU(Layer):
    """GLU(dim): ``a ⊗ σ(b)`` of the two halves of the input along ``dim``, which must
    have an even size.

    >>> from convcalc.layers import build
    >>> build("GLU", dim=1).forward((1, 64, 8, 8)).output_shape
    (1, 32, 8, 8)
    """

    dim: int = arg(to_int, -1)

    def forward(self, shape: Shape) -> Step:
        a = self._dim(self.dim, len(shape), "dim")
        if shape[a] % 2:
            raise self.fail(
                f"dimension {a} of the input {show_shape(shape)} has {shape[a]} entries: GLU halves it, "
                "so it must be even"
            )
        return Step((*shape[:a], shape[a] // 2, *shape[a + 1 :]), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        """Kept when GLU halves the batch or channels; a spatial dimension's outputs each
        read two positions half the input apart: no window, so None."""
        if rf is None:
            return None
        return rf if self.dim % (len(rf) + 2) < 2 else None
