"""Normalisation: BatchNorm, InstanceNorm, GroupNorm, LayerNorm and LocalResponseNorm
(``torch/nn/modules/batchnorm.py``, ``instancenorm.py`` and ``normalization.py``)."""

from __future__ import annotations

import math
from typing import ClassVar

from .base import (
    Layer,
    Shape,
    Step,
    arg,
    check_positive,
    groups_msg,
    plural,
    show_shape,
    to_bool,
    to_float,
    to_int,
    to_opt_float,
    to_opt_int,
    to_opt_int_list,
)

__all__ = ["BatchNorm", "BatchNorm1d", "GroupNorm", "InstanceNorm", "LayerNorm", "LocalResponseNorm"]


class BatchNorm(Layer):
    """BatchNorm2d/3d (and the base of BatchNorm1d and InstanceNorm): per channel, 2·C
    weights when affine, 2·C + 1 buffers when tracking running statistics.

    >>> from convcalc.layers import build
    >>> build("BatchNorm2d").forward((8, 64, 56, 56))[1:3]
    (128, 129)
    """

    #: The input ranks accepted; None: ``[N, C, *spatial]`` only.
    ranks: ClassVar[tuple[int, ...] | None] = None
    #: Whether PyTorch checks eps (its batch_norm does; instance_norm does not).
    checks_eps: ClassVar[bool] = True

    num_features: int | None = arg(to_opt_int, None)
    eps: float = arg(to_float, 1e-5)
    momentum: float | None = arg(to_opt_float, 0.1)
    affine: bool = arg(to_bool, True)
    track_running_stats: bool = arg(to_bool, True)

    def _validate(self) -> None:
        check_positive(self, num_features=self.num_features)
        if self.checks_eps:
            self._check_eps()

    def _check_eps(self) -> None:
        """PyTorch's batch_norm refuses a negative eps, and eps 0 where it normalises by the
        batch's own statistics (training mode, and eval without running statistics)."""
        if self.eps < 0:
            raise self.fail(f"eps must be ≥ 0, got {self.eps}: PyTorch's batch_norm refuses a negative eps")
        if self.eps == 0 and not self.track_running_stats:
            raise self.fail(
                "eps=0 with track_running_stats=false: PyTorch normalises by the batch's own variance, "
                "as in training, and refuses eps=0 there; give eps > 0"
            )

    def _channels(self, shape: Shape) -> int:
        """The input's channels, after checking its rank."""
        self._rank(shape, *(self.ranks or (self.dims + 2,)))
        return shape[1]

    def forward(self, shape: Shape) -> Step:
        c = self._channels(shape)
        notes = []
        if self.eps == 0 and self.checks_eps:
            notes.append("eps=0: PyTorch refuses it in training mode (eval mode is fine)")
        if self.num_features is not None and self.num_features != c:
            mismatch = (
                f"num_features={self.num_features} but the input has {plural(c, 'channel')} (shape {show_shape(shape)})"
            )
            if self.affine or self.track_running_stats:
                raise self.fail(mismatch)
            # without weights or running statistics PyTorch never looks at num_features
            notes.append(f"{mismatch}: PyTorch ignores num_features without affine or track_running_stats")
        values = self._values_per_channel(shape)
        if values == 1:
            single, stats = self._single_value(shape)
            if not self.track_running_stats:
                raise self.fail(
                    f"{single}, which PyTorch refuses to normalise by {stats} "
                    "(track_running_stats=false); use a larger input"
                )
            notes.append(
                f"{single}: PyTorch refuses this in training mode, where it normalises by {stats} (eval mode is fine)"
            )
        params = 2 * c if self.affine else 0
        buffers = 2 * c + 1 if self.track_running_stats else 0
        return Step(shape, params, buffers, 0, tuple(notes))

    def _values_per_channel(self, shape: Shape) -> int:
        """How many values the statistics of one channel are taken over: N·∏spatial."""
        return shape[0] * math.prod(shape[2:])

    def _single_value(self, shape: Shape) -> tuple[str, str]:
        """What is single about this input, and whose statistics would normalise it."""
        return f"the input {show_shape(shape)} has a single value per channel", "the batch's own mean and variance"

    # -- other counters (convcalc.conventions); InstanceNorm inherits them but fvcore's --

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """``batchnorm_flop_jit`` (``fvcore/nn/jit_handles.py``): in eval mode 2 per element with
        affine weights, else 1; normalising by the batch's own statistics (no running ones)
        ``norm_flop_counter``'s 5 or 4."""
        if not self.track_running_stats:
            return step.output_elements * (5 if self.affine else 4)
        return step.output_elements * (2 if self.affine else 1)

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """2 per input element with affine weights, else 1: ``bn_flops_counter_hook``
        (``ptflops/pytorch_ops.py``; InstanceNorm and GroupNorm too)."""
        return step.output_elements * (2 if self.affine else 1), 0

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """4 per input element with affine weights, else 2: ``count_normalization``
        (``calculate_norm``'s 2·numel, doubled for affine; ``thop/vision/basic_hooks.py``),
        registered for ``_NormBase``, LayerNorm and GroupNorm."""
        return step.output_elements * (4 if self.affine else 2)


class BatchNorm1d(BatchNorm):
    """BatchNorm1d: ``[N, C]`` or ``[N, C, L]``."""

    ranks: ClassVar[tuple[int, ...] | None] = (2, 3)


class InstanceNorm(BatchNorm):
    """InstanceNorm1d/2d/3d: without weights or running statistics by default; also takes
    an unbatched ``[C, *spatial]`` input, and any eps (PyTorch checks eps only in batch_norm)."""

    affine: bool = arg(to_bool, False)
    track_running_stats: bool = arg(to_bool, False)

    checks_eps: ClassVar[bool] = False

    def unbatched(self, shape: Shape) -> bool:
        return len(shape) == self.dims + 1

    def _channels(self, shape: Shape) -> int:
        return self._sample(shape)[1]

    def _values_per_channel(self, shape: Shape) -> int:
        """InstanceNorm takes the statistics of each sample's channel over its positions."""
        return math.prod(shape[-self.dims :])

    def _single_value(self, shape: Shape) -> tuple[str, str]:
        return f"the input {show_shape(shape)} has a single spatial position", "its own mean and variance"

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """``aten::instance_norm``'s ``norm_flop_counter(1)`` (``fvcore/nn/flop_count.py``):
        5 per element with affine weights, else 4."""
        return step.output_elements * (5 if self.affine else 4)


class GroupNorm(Layer):
    """GroupNorm(num_groups): 2·C weights when affine."""

    num_groups: int = arg(to_int)
    num_channels: int | None = arg(to_opt_int, None)
    eps: float = arg(to_float, 1e-5)
    affine: bool = arg(to_bool, True)

    def _validate(self) -> None:
        check_positive(self, num_groups=self.num_groups, num_channels=self.num_channels)
        if self.num_channels is not None and self.num_channels % self.num_groups:
            raise self.fail(groups_msg("num_channels", self.num_channels, self.num_groups, "num_groups"))

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(2, 64))
        c = shape[1]
        if self.num_channels is not None and self.num_channels != c:
            raise self.fail(
                f"num_channels={self.num_channels} but the input has {plural(c, 'channel')} (shape {show_shape(shape)})"
            )
        if c % self.num_groups:
            raise self.fail(f"num_groups={self.num_groups} does not divide the {c} input channels")
        if shape[0] * (c // self.num_groups) * math.prod(shape[2:]) == 1:  # F.group_norm's _verify_batch_size
            raise self.fail(
                f"the input {show_shape(shape)} gives each group a single value to normalise "
                f"({plural(c, 'channel')} in {plural(self.num_groups, 'group')}), which PyTorch refuses; "
                "use a larger input or fewer groups"
            )
        return Step(shape, 2 * c if self.affine else 0, 0, 0)

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """``aten::group_norm``'s ``norm_flop_counter(2)`` (``fvcore/nn/flop_count.py``): 5 per
        element with affine weights, else 4."""
        return step.output_elements * (5 if self.affine else 4)

    ptflops_macs = BatchNorm.ptflops_macs
    thop_macs = BatchNorm.thop_macs


class LayerNorm(Layer):
    """LayerNorm(normalized_shape): when left out, the last dimension."""

    normalized_shape: tuple[int, ...] | None = arg(to_opt_int_list, None)
    eps: float = arg(to_float, 1e-5)
    elementwise_affine: bool = arg(to_bool, True)
    bias: bool = arg(to_bool, True)

    def _validate(self) -> None:
        check_positive(self, normalized_shape=self.normalized_shape)

    def forward(self, shape: Shape) -> Step:
        norm = self.normalized_shape or shape[-1:]
        if len(norm) > len(shape) or tuple(shape[len(shape) - len(norm) :]) != norm:
            raise self.fail(
                f"normalized_shape={list(norm)} does not match the end of the input {show_shape(shape)}"
                + (f": its last sizes are {list(shape[-len(norm) :])}" if len(norm) <= len(shape) else "")
            )
        n = math.prod(norm)
        params = (2 * n if self.bias else n) if self.elementwise_affine else 0
        return Step(shape, params, 0, 0)

    def fvcore_macs(self, shape: Shape, step: Step) -> int:
        """``aten::layer_norm``'s ``norm_flop_counter(2)`` (``fvcore/nn/flop_count.py``): 5 per
        element with a weight, else 4."""
        return step.output_elements * (5 if self.elementwise_affine else 4)

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """1 per element, affine or not: ``bn_flops_counter_hook`` (``ptflops/pytorch_ops.py``)
        doubles for ``module.affine``, which LayerNorm does not have (it has
        ``elementwise_affine``)."""
        return step.output_elements, 0

    def thop_macs(self, shape: Shape, step: Step) -> int:
        """4 per element with ``elementwise_affine``, else 2: ``count_normalization``."""
        return step.output_elements * (4 if self.elementwise_affine else 2)


class LocalResponseNorm(Layer):
    """LocalResponseNorm(size): across channels, no weights."""

    size: int = arg(to_int)
    alpha: float = arg(to_float, 1e-4)
    beta: float = arg(to_float, 0.75)
    k: float = arg(to_float, 1.0)

    def _validate(self) -> None:
        check_positive(self, size=self.size)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(3, 64))
        return Step(shape, 0, 0, 0)

    def ptflops_macs(self, shape: Shape, step: Step) -> tuple[int, float]:
        """nn.LocalResponseNorm is not in ``MODULES_MAPPING``, but ``F.local_response_norm``
        calls three patched functions: ``input.mul(input)`` and ``div.mul(alpha).add(k)`` (one
        per element each, ``_elementwise_tensor_flops_hook``) and ``avg_pool2d``/``avg_pool3d`` over
        the squares padded with size − 1 channels (``_numel_functional_flops_hook``)."""
        n = step.output_elements
        return 0, 3 * n + n // shape[1] * (shape[1] + self.size - 1)
