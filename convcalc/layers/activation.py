"""Activations, dropout and Identity: layers whose output has the input's shape (and GLU,
which halves one dimension) (``torch/nn/modules/activation.py``, ``dropout.py``,
``linear.py``'s Identity)."""

from __future__ import annotations

import math
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
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "SELU",
    "AlphaDropout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Elementwise",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
    "Inplace",
    "LeakyReLU",
    "LogSoftmax",
    "Mish",
    "PReLU",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


class Elementwise(Layer):
    """A layer applied element by element: the output has the input's shape. Without
    arguments itself (Sigmoid, Tanh, Identity); the subclasses declare theirs."""

    def _make_arguments(self) -> dict[str, Any]:
        """All arguments, defaults included (as PyTorch prints these modules)."""
        return {name: getattr(self, a.field or name) for name, a in self._args.items()}

    def forward(self, shape: Shape) -> Step:
        return Step(shape, 0, 0, 0)

    def in_place(self) -> bool:
        """Whether the layer overwrites its input (``inplace: true``): 0 activation bytes."""
        return getattr(self, "inplace", False) is True

    #: ptflops 0.7.5 (pytorch backend), per element: (1 when the class is in ``MODULES_MAPPING``,
    #: 1 when its forward calls a function ``patch_functional`` wraps); both: counted twice.
    ptflops_per_element: ClassVar[tuple[int, int]] = (0, 0)

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """:attr:`ptflops_per_element` × the elements: ``relu_flops_counter_hook`` (output.numel(),
        ``ptflops/pytorch_ops.py``) and ``_numel_functional_flops_hook`` (input.numel()) of the
        patched ``F.relu``, ``F.elu``, ``F.gelu``, ``F.prelu``, ``F.silu``, ``F.softmax``
        (``patch_functional`` in ``ptflops/pytorch_engine.py``). Sigmoid, Tanh, Hardswish,
        Hardsigmoid, Mish, SELU, CELU, Softplus, Hardtanh call none of them: 0."""
        hook, functional = self.ptflops_per_element
        return hook * step.output_elements, functional * step.output_elements


class Inplace(Elementwise):
    """ReLU, ReLU6, SELU, SiLU, Mish, Hardswish, Hardsigmoid: only ``inplace``."""

    inplace: bool = arg(to_bool, False)


# One class per PyTorch activation whose autograd differs (what its backward keeps, SPEC §4)


class ReLU(Inplace):
    ptflops_per_element = (1, 1)  # nn.ReLU is in MODULES_MAPPING and calls F.relu


class ReLU6(Inplace):
    ptflops_per_element = (1, 0)  # its forward is F.hardtanh, which ptflops does not patch


class SELU(Inplace):
    pass


class SiLU(Inplace):
    ptflops_per_element = (0, 1)  # not in MODULES_MAPPING; F.silu is patched


class Mish(Inplace):
    pass


class Hardswish(Inplace):
    pass


class Hardsigmoid(Inplace):
    pass


class Sigmoid(Elementwise):
    pass


class Tanh(Elementwise):
    pass


class Identity(Elementwise):
    def is_view(self) -> bool:
        return True


class LeakyReLU(Elementwise):
    negative_slope: float = arg(to_float, 0.01)
    inplace: bool = arg(to_bool, False)

    ptflops_per_element = (1, 0)  # F.leaky_relu is not patched


class ELU(Elementwise):
    """ELU and CELU."""

    alpha: float = arg(to_float, 1.0)
    inplace: bool = arg(to_bool, False)

    ptflops_per_element = (1, 1)  # nn.ELU in MODULES_MAPPING, F.elu patched


class CELU(ELU):
    ptflops_per_element = (0, 0)  # neither nn.CELU nor F.celu

    def _validate(self) -> None:
        if self.alpha == 0:
            raise self.fail("alpha must not be 0: CELU divides by it (PyTorch refuses alpha=0)")


class GELU(Elementwise):
    approximate: str = arg(choice("none", "tanh"), "none")

    ptflops_per_element = (1, 1)  # nn.GELU in MODULES_MAPPING, F.gelu patched


class Hardtanh(Elementwise):
    min_val: float = arg(to_float, -1.0)
    max_val: float = arg(to_float, 1.0)
    inplace: bool = arg(to_bool, False)

    def _validate(self) -> None:
        if self.max_val <= self.min_val:
            raise self.fail(
                f"max_val={self.max_val} must be greater than min_val={self.min_val} (PyTorch asserts it)"
            )


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

    ptflops_per_element = (0, 1)  # F.softmax is patched; nn.Softmax is not in MODULES_MAPPING

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """Per softmax of n values n exponentials, n − 1 adds and n divisions: ``count_softmax``
        (``thop/vision/basic_hooks.py``, with ``calculate_softmax``); ``dim: null`` as PyTorch's
        implicit dimension (0 for a 0-, 1- or 3-d input, else 1)."""
        dim = self.dim if self.dim is not None else (0 if len(shape) in (0, 1, 3) else 1)
        n = shape[dim] if shape else 1
        rows = math.prod(shape) // n if n else 0
        return rows * (n + max(n - 1, 0) + n)


class LogSoftmax(Softmax):
    ptflops_per_element = (0, 0)  # F.log_softmax is not patched

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """Softmax's count plus one logarithm per softmax (``count_softmax``)."""
        dim = self.dim if self.dim is not None else (0 if len(shape) in (0, 1, 3) else 1)
        n = shape[dim] if shape else 1
        return super().thop_macs(shape, step) + (math.prod(shape) // n if n else 0)


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

    ptflops_per_element = (1, 1)  # nn.PReLU in MODULES_MAPPING, F.prelu patched

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """One multiply per input element in eval mode: ``count_prelu`` (``thop/vision/basic_hooks.py``)."""
        return step.output_elements


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

    def is_view(self) -> bool:
        """In eval mode dropout returns its input."""
        return True


class AlphaDropout(Dropout):
    pass


class Dropout1d(Dropout):
    ranks: ClassVar[tuple[int, ...] | None] = (2, 3)


class _FeatureDropout(Dropout):
    """Dropout2d and Dropout3d: meant for ``[N, C, *spatial]`` and ``[C, *spatial]``, but
    PyTorch 2.13 takes any rank, with a deprecation warning (``F.dropout2d``)."""

    #: The ranks PyTorch takes without a warning.
    meant: ClassVar[tuple[int, ...]] = ()
    #: Whether a 1-d input fails in training mode (feature dropout needs 2 dimensions).
    one_d_trains: ClassVar[bool] = True
    #: Whether a 3-d input is taken as ``[N, C, L]`` rather than ``[C, H, W]``.
    three_d_is_1d: ClassVar[bool] = False

    def forward(self, shape: Shape) -> Step:
        notes = []
        r = len(shape)
        if r not in self.meant:
            meant = " or ".join(f"{m}-d" for m in self.meant)
            notes.append(
                f"a {r}-d input to {self.type}, which PyTorch accepts with a deprecation warning (it is meant for "
                f"{meant} inputs; Dropout drops elements of any input)"
                + ("" if r > 1 or self.one_d_trains else "; it refuses it in training mode")
            )
        elif r == 3 and self.three_d_is_1d:
            notes.append(
                "a 3-d input to Dropout2d: PyTorch 2.13 drops whole channels of an [N, C, L] input here, "
                "not of an unbatched [C, H, W] (Dropout1d says so)"
            )
        return Step(shape, 0, 0, 0, tuple(notes))


class Dropout2d(_FeatureDropout):
    meant: ClassVar[tuple[int, ...]] = (3, 4)
    one_d_trains: ClassVar[bool] = False
    three_d_is_1d: ClassVar[bool] = True


class Dropout3d(_FeatureDropout):
    meant: ClassVar[tuple[int, ...]] = (4, 5)


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
