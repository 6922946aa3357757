"""Merge layers: Add, Multiply and node-form Concat, which read two or more tensors
(SPEC §2a), and :func:`broadcast`, PyTorch's broadcasting of shapes."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InputError, InvalidLayerError
from .base import Layer, Shape, Step, arg, show_shape, to_int

__all__ = ["Add", "Concat", "Merge", "Multiply", "broadcast"]


def _from(sources: Sequence[str] | None, i: int) -> str:
    return f" (from {sources[i]})" if sources is not None and i < len(sources) else ""


def broadcast(shapes: Sequence[Shape], sources: Sequence[str] | None = None) -> Shape:
    """The shape PyTorch's broadcasting gives ``shapes`` (aligned on the right; a size 1,
    or a missing dimension, stretches to the other size), or an :class:`InvalidLayerError`
    naming the two shapes that disagree and, when given, their ``sources``.

    Source: "Broadcasting semantics" in the PyTorch documentation (notes/broadcasting).

    >>> broadcast([(1, 64, 56, 56), (1, 64, 1, 1)]), broadcast([(3, 1), (4,), ()])
    ((1, 64, 56, 56), (3, 4))
    >>> try:
    ...     broadcast([(2, 64, 7), (2, 32, 1)], ["'x'", "'gate'"])
    ... except InvalidLayerError as err:
    ...     print(err)
    cannot broadcast [2, 64, 7] (from 'x') with [2, 32, 1] (from 'gate'): sizes 64 and 32 along dimension 1
    """
    rank = max((len(s) for s in shapes), default=0)
    out = [1] * rank
    owner = [0] * rank  # which input set each size (for the message)
    for i, shape in enumerate(shapes):
        for j, size in enumerate(shape, start=rank - len(shape)):
            if size == out[j] or size == 1:
                continue
            if out[j] != 1:
                o = owner[j]
                raise InvalidLayerError(
                    f"cannot broadcast {show_shape(shapes[o])}{_from(sources, o)} with "
                    f"{show_shape(shape)}{_from(sources, i)}: sizes {out[j]} and {size} along dimension {j}"
                )
            out[j], owner[j] = size, i
    return tuple(out)


class Merge(Layer):
    """Base of the layers that merge two or more tensors: :meth:`forward_many` takes their
    shapes and, for messages, how each is named (``'conv2'``, ``row 3``). No parameters,
    no MACs (SPEC §2a)."""

    def forward(self, shape: Shape) -> Step:
        raise self.fail(f"{self.type} merges two or more tensors; it was given one, {show_shape(shape)}")

    def forward_many(self, shapes: Sequence[Shape], sources: Sequence[str]) -> Step:
        if len(shapes) < 2:
            raise InputError(f"{self.type} merges two or more tensors; it was given {len(shapes)}", where=self.type)
        return Step(self._merged(shapes, sources), 0, 0, 0)

    def _merged(self, shapes: Sequence[Shape], sources: Sequence[str]) -> Shape:
        raise NotImplementedError


class Add(Merge):
    """Add: the elementwise sum, broadcast as PyTorch does.

    >>> Add("Add", 0).forward_many([(1, 8, 4, 4), (1, 8, 1, 1)], ["'x'", "'gate'"]).output_shape
    (1, 8, 4, 4)
    """

    def _merged(self, shapes: Sequence[Shape], sources: Sequence[str]) -> Shape:
        try:
            return broadcast(shapes, sources)
        except InvalidLayerError as err:
            raise err.at(self.type) from None


class Multiply(Add):
    """Multiply: the elementwise product (the squeeze-and-excitation gate), broadcast as Add."""


class Concat(Merge):
    """Concat (node form): ``torch.cat`` along ``dim``: equal ranks, equal sizes except
    along ``dim``.

    >>> Concat("Concat", 0, 1).forward_many([(1, 8, 4, 4), (1, 24, 4, 4)], ["'a'", "'b'"]).output_shape
    (1, 32, 4, 4)
    """

    dim: int = arg(to_int, 1)

    def _merged(self, shapes: Sequence[Shape], sources: Sequence[str]) -> Shape:
        first = shapes[0]
        rank = len(first)
        for i, shape in enumerate(shapes[1:], start=1):
            if len(shape) != rank:
                raise self.fail(
                    f"cannot concatenate {show_shape(first)}{_from(sources, 0)} ({rank}-d) with "
                    f"{show_shape(shape)}{_from(sources, i)} ({len(shape)}-d): the ranks differ"
                )
        d = self._dim(self.dim, rank, "dim")
        for i, shape in enumerate(shapes[1:], start=1):
            bad = [j for j in range(rank) if j != d and shape[j] != first[j]]
            if bad:
                j = bad[0]
                raise self.fail(
                    f"cannot concatenate {show_shape(first)}{_from(sources, 0)} with {show_shape(shape)}"
                    f"{_from(sources, i)} along dimension {d}: sizes {first[j]} and {shape[j]} along dimension {j}"
                )
        return (*first[:d], sum(s[d] for s in shapes), *first[d + 1 :])
