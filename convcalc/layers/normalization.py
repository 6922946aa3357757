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

    num_features: int | None = arg(to_opt_int, None)
    eps: float = arg(to_float, 1e-5)
    momentum: float | None = arg(to_opt_float, 0.1)
    affine: bool = arg(to_bool, True)
    track_running_stats: bool = arg(to_bool, True)

    def _validate(self) -> None:
        check_positive(self, num_features=self.num_features)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *(self.ranks or (self.dims + 2,)))
        c = shape[1]
        notes = []
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


class BatchNorm1d(BatchNorm):
    """BatchNorm1d: ``[N, C]`` or ``[N, C, L]``."""

    ranks: ClassVar[tuple[int, ...] | None] = (2, 3)


class InstanceNorm(BatchNorm):
    """InstanceNorm1d/2d/3d: without weights or running statistics by default."""

    affine: bool = arg(to_bool, False)
    track_running_stats: bool = arg(to_bool, False)

    def _values_per_channel(self, shape: Shape) -> int:
        """InstanceNorm takes the statistics of each sample's channel over its positions."""
        return math.prod(shape[2:])

    def _single_value(self, shape: Shape) -> tuple[str, str]:
        return f"the input {show_shape(shape)} has a single spatial position", "its own mean and variance"


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
