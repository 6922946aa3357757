"""Layers that rearrange a tensor without arithmetic: Flatten, Unflatten, Reshape,
Permute, Slice, ChannelShuffle, PixelShuffle and PixelUnshuffle
(``torch/nn/modules/flatten.py``, ``channelshuffle.py``, ``pixelshuffle.py``)."""

from __future__ import annotations

import math

from .. import arith
from .base import RF, Layer, Shape, Step, arg, check_positive, show_shape, to_int, to_int_list, to_opt_int

__all__ = [
    "ChannelShuffle",
    "Flatten",
    "Permute",
    "PixelShuffle",
    "PixelUnshuffle",
    "Reshape",
    "Slice",
    "Unflatten",
]


class Flatten(Layer):
    """Flatten(start_dim, end_dim): the dimensions from start_dim to end_dim become one.

    >>> from convcalc.layers import build
    >>> build("Flatten").forward((2, 16, 5, 5)).output_shape
    (2, 400)
    """

    start_dim: int = arg(to_int, 1)
    end_dim: int = arg(to_int, -1)

    def forward(self, shape: Shape) -> Step:
        a = self._dim(self.start_dim, len(shape), "start_dim")
        b = self._dim(self.end_dim, len(shape), "end_dim")
        if a > b:
            start = f"start_dim={self.start_dim}" + (f" (dimension {a})" if self.start_dim < 0 else "")
            end = f"end_dim={self.end_dim}" + (f" (dimension {b})" if self.end_dim < 0 else "")
            raise self.fail(f"{start} comes after {end} of the {len(shape)}-d input {show_shape(shape)}")
        return Step((*shape[:a], math.prod(shape[a : b + 1]), *shape[b + 1 :]), 0, 0, 0)

    def is_view(self) -> bool:
        return True

    def receptive_field(self, rf: RF) -> RF:
        return None


def _infer_minus_one(layer: Layer, target: tuple[int, ...], total: int, what: str, source: str) -> tuple[int, ...]:
    """``target`` with its -1 filled in so that it holds ``total`` elements (those of ``source``)."""
    if target.count(-1) > 1:
        raise layer.fail(f"{what} {list(target)} has more than one -1")
    if any(v < 1 and v != -1 for v in target):
        raise layer.fail(f"{what} {list(target)} must hold sizes ≥ 1 (and at most one -1)")
    known = math.prod(v for v in target if v != -1)
    if -1 in target:
        if total % known:
            raise layer.fail(
                f"cannot make {what} {list(target)} from the {total} elements of {source}: "
                f"{total} is not divisible by {known}"
            )
        return tuple(total // known if v == -1 else v for v in target)
    if known != total:
        raise layer.fail(f"{what} {list(target)} holds {known} elements but {source} has {total}")
    return target


class Unflatten(Layer):
    """Unflatten(dim, unflattened_size): one dimension becomes several (one may be -1)."""

    dim: int = arg(to_int)
    unflattened_size: tuple[int, ...] = arg(to_int_list)

    def forward(self, shape: Shape) -> Step:
        a = self._dim(self.dim, len(shape), "dim")
        source = f"dimension {a} of the input {show_shape(shape)}"
        sizes = _infer_minus_one(self, self.unflattened_size, shape[a], "unflattened_size", source)
        return Step((*shape[:a], *sizes, *shape[a + 1 :]), 0, 0, 0)

    def is_view(self) -> bool:
        return True

    def receptive_field(self, rf: RF) -> RF:
        return None


class Reshape(Layer):
    """Reshape(shape): keeps the batch dimension, allows one -1."""

    shape: tuple[int, ...] = arg(to_int_list)

    def forward(self, shape: Shape) -> Step:
        source = f"the input {show_shape(shape)} without its batch dimension"
        sizes = _infer_minus_one(self, self.shape, math.prod(shape[1:]), "shape", source)
        note = self.batch_note(sizes)
        return Step((shape[0], *sizes), 0, 0, 0, (note,) if note else ())

    def batch_note(self, sizes: Shape) -> str | None:
        """The tutorials' ``x.view(-1, 1, 28, 28)`` copied as ``shape: [-1, 1, 28, 28]``: the
        -1 there is the batch, but Reshape keeps the batch itself, so it comes out 1."""
        if len(self.shape) < 2 or self.shape[0] != -1 or sizes[0] != 1:
            return None
        rest = list(self.shape[1:])
        return (
            f"shape {list(self.shape)} makes a dimension of 1 after the batch: Reshape's shape excludes the batch "
            f"(x.view(-1, {', '.join(map(str, rest))}) in PyTorch includes it); write shape: {rest}"
        )

    def is_view(self) -> bool:
        return True

    def receptive_field(self, rf: RF) -> RF:
        return None


class Permute(Layer):
    """Permute(dims): ``x.permute(dims)`` (torchvision.ops.Permute), a view; ``dims`` is a
    permutation of the input's dimensions, negative ones counted from the end.

    >>> from convcalc.layers import build
    >>> build("Permute", dims=[0, 2, 3, -3]).forward((1, 96, 56, 28)).output_shape
    (1, 56, 28, 96)
    """

    dims_order: tuple[int, ...] = arg(to_int_list, name="dims")  # the field ``dims`` is the spatial rank

    def forward(self, shape: Shape) -> Step:
        order = self._order(len(shape))
        return Step(tuple(shape[i] for i in order), 0, 0, 0)

    def _order(self, rank: int) -> tuple[int, ...]:
        if len(self.dims_order) != rank:
            raise self.fail(
                f"dims={list(self.dims_order)} has {len(self.dims_order)} entries but the input is {rank}-d: "
                "give a permutation of all its dimensions"
            )
        order = tuple(self._dim(d, rank, "dims") for d in self.dims_order)
        if len(set(order)) != rank:
            twice = next(d for d in order if order.count(d) > 1)
            raise self.fail(f"dims={list(self.dims_order)} names dimension {twice} twice: give a permutation")
        return order

    def is_view(self) -> bool:
        return True

    def receptive_field(self, rf: RF) -> RF:
        """Kept when the spatial dimensions stay in place, else None."""
        if rf is None:
            return None
        order = self._order(len(rf) + 2)
        return rf if all(order[i] == i for i in range(2, len(order))) else None


class Slice(Layer):
    """Slice(dim, start, end, step): ``x[..., start:end:step]`` along ``dim``, a view;
    Python's slice rules (negative positions count from the end, out-of-range ones clamp),
    ``step`` ≥ 1 as PyTorch requires; an empty result is refused.

    >>> from convcalc.layers import build
    >>> build("Slice", dim=1, start=-3, end=None).forward((1, 8, 4)).output_shape
    (1, 3, 4)
    >>> build("Slice", dim=2, step=2, start=1).forward((1, 8, 7)).output_shape
    (1, 8, 3)
    """

    dim: int = arg(to_int)
    start: int | None = arg(to_opt_int, 0)  # None: 0, as in Python
    end: int | None = arg(to_opt_int, None)
    step: int | None = arg(to_opt_int, 1)  # None: 1

    def _validate(self) -> None:
        if self.step is not None and self.step < 1:
            raise self.fail(f"step must be ≥ 1, got {self.step}: PyTorch does not slice backwards or by 0")

    def forward(self, shape: Shape) -> Step:
        a = self._dim(self.dim, len(shape), "dim")
        n = len(range(*slice(self.start, self.end, self.step).indices(shape[a])))
        if n < 1:
            end = "" if self.end is None else self.end
            raise self.fail(
                f"[{self.start}:{end}:{self.step}] along dimension {a} of the input {show_shape(shape)} is empty"
            )
        return Step((*shape[:a], n, *shape[a + 1 :]), 0, 0, 0)

    def is_view(self) -> bool:
        return True

    def receptive_field(self, rf: RF) -> RF:
        """Along a spatial dimension, every ``step``-th position from ``start``: a window of
        1 with stride ``step`` and padding ``-start`` (None for a start counted from the
        end, which depends on the input size); along batch or channels, unchanged."""
        if rf is None:
            return None
        a = self.dim % (len(rf) + 2)
        if a < 2:
            return rf
        start, step = self.start or 0, self.step or 1
        if start < 0:
            return None
        i = a - 2
        r, j, st = rf[i]
        return (*rf[:i], arith.rf_step(r, j, st, 1, step, -start), *rf[i + 1 :])


class ChannelShuffle(Layer):
    """ChannelShuffle(groups): channels regrouped (ShuffleNet); the shape is kept.

    >>> from convcalc.layers import build
    >>> build("ChannelShuffle", groups=2).forward((1, 116, 28, 28)).output_shape
    (1, 116, 28, 28)
    """

    groups: int = arg(to_int)

    def _validate(self) -> None:
        check_positive(self, groups=self.groups)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(3, 64))
        c = shape[1]
        if c % self.groups:
            raise self.fail(
                f"groups={self.groups} does not divide the {c} input channels ({c} % {self.groups} = {c % self.groups})"
            )
        return Step(shape, 0, 0, 0)


class PixelShuffle(Layer):
    """PixelShuffle(upscale_factor): ``[*, C·r², H, W]`` → ``[*, C, H·r, W·r]``.

    >>> from convcalc.layers import build
    >>> build("PixelShuffle", upscale_factor=2).forward((1, 12, 8, 8)).output_shape
    (1, 3, 16, 16)
    """

    upscale_factor: int = arg(to_int)

    def _validate(self) -> None:
        check_positive(self, upscale_factor=self.upscale_factor)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(3, 64))
        r = self.upscale_factor
        *rest, c, h, w = shape
        if c % (r * r):
            raise self.fail(
                f"upscale_factor={r} needs the channels (dimension {len(shape) - 3}, {c}) to be divisible by "
                f"{r}² = {r * r}"
            )
        return Step((*rest, c // (r * r), h * r, w * r), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        return rf if self.upscale_factor == 1 else None


class PixelUnshuffle(Layer):
    """PixelUnshuffle(downscale_factor): ``[*, C, H·r, W·r]`` → ``[*, C·r², H, W]``; on
    the receptive field it acts as a window of r with stride r on the last two dimensions.

    >>> from convcalc.layers import build
    >>> build("PixelUnshuffle", downscale_factor=2).forward((1, 3, 16, 16)).output_shape
    (1, 12, 8, 8)
    """

    downscale_factor: int = arg(to_int)

    def _validate(self) -> None:
        check_positive(self, downscale_factor=self.downscale_factor)

    def forward(self, shape: Shape) -> Step:
        self._rank(shape, *range(3, 64))
        r = self.downscale_factor
        *rest, c, h, w = shape
        for axis, n in (("height", h), ("width", w)):
            if n % r:
                raise self.fail(
                    f"downscale_factor={r} does not divide the input {axis} {n} (shape {show_shape(shape)})"
                )
        return Step((*rest, c * r * r, h // r, w // r), 0, 0, 0)

    def receptive_field(self, rf: RF) -> RF:
        r = self.downscale_factor
        if rf is None or len(rf) != 2:  # the last two dimensions are the spatial ones only for [N, C, H, W]
            return None if r != 1 else rf
        return tuple(arith.rf_step(size, j, st, r, r, 0) for size, j, st in rf)
