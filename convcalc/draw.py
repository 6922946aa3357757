"""What ``convcalc layer --draw`` draws, as data: each dimension's sliding windows.

For a convolution or pooling layer, :func:`strips` gives per spatial dimension a
:class:`Strip`: the padded input (cells ``-pl … n + pr − 1``, and past the padding when a
ceil_mode window runs beyond it), each output's window as the cells its taps read (the
first and last few outputs when there are many), the window PyTorch drops in ceil mode,
and the input cells no window reads. For a transposed convolution it gives a
:class:`Scatter`: where each input's kernel lands on the output before the padding crops
it, and the output cells no input writes. The pictures are made in
:mod:`convcalc.render.draw`; every number here comes from the layer's own windows and
:mod:`convcalc.arith`.
"""

from __future__ import annotations

from typing import NamedTuple

from . import arith
from .layers import AXES, Layer, Sliding, Window

__all__ = ["SHOWN", "Scatter", "Strip", "strips"]

#: Outputs drawn at each end when there are more than twice as many.
SHOWN = 3


class Strip(NamedTuple):
    """One dimension of a convolution or pooling layer: ``n`` input cells padded by ``pl``
    and ``pr``; ``windows`` holds (output index, the cells its taps read) for the outputs
    drawn (``skipped``: how many are left out between the first and the last few);
    ``dropped`` the taps of the ceil_mode window PyTorch drops, if any; ``unread`` how many
    input cells no window reads (:meth:`is_unread` says which). Cells are input
    coordinates (padding: < 0 and ≥ n)."""

    axis: str
    n: int
    out: int
    window: Window
    windows: tuple[tuple[int, tuple[int, ...]], ...]
    skipped: int
    dropped: tuple[int, ...] | None
    unread: int

    def is_unread(self, x: int) -> bool:
        """Whether input cell ``x`` is read by no window: no tap ``j`` with
        ``x = o·s − pl + j·d`` for an output ``o`` (O(k), whatever the size)."""
        w = self.window
        if not 0 <= x < self.n:
            return False
        for j in range(w.k):
            o, rest = divmod(x + w.pl - j * w.d, w.s)
            if rest == 0 and 0 <= o < self.out:
                return False
        return True

    @property
    def first(self) -> int:
        """The leftmost cell drawn."""
        return min([-self.window.pl, *(min(t) for _, t in self.windows)])

    @property
    def last(self) -> int:
        """The rightmost cell drawn: the right padding, or further for a ceil_mode window."""
        ends = [max(t) for _, t in self.windows] + ([max(self.dropped)] if self.dropped else [])
        return max([self.n + self.window.pr - 1, *ends])


class Scatter(NamedTuple):
    """One dimension of a transposed convolution: input ``i`` adds its kernel at output
    cells ``i·s − p + j·d`` (``rows``: the inputs drawn, ``skipped`` the ones left out);
    cells ``< 0`` and ``≥ out`` are cropped by the padding; ``unwritten``: how many output
    cells no input reaches (dilation or stride gaps, output_padding; :meth:`is_unwritten`
    says which)."""

    axis: str
    n: int
    out: int
    window: Window
    rows: tuple[tuple[int, tuple[int, ...]], ...]
    skipped: int
    unwritten: int

    def is_unwritten(self, o: int) -> bool:
        """Whether output cell ``o`` gets no input: no ``i < n``, ``j < k`` with
        ``o = i·s − pl + j·d``."""
        w = self.window
        if not 0 <= o < self.out:
            return False
        for j in range(w.k):
            i, rest = divmod(o + w.pl - j * w.d, w.s)
            if rest == 0 and 0 <= i < self.n:
                return False
        return True

    @property
    def first(self) -> int:
        return -self.window.pl

    @property
    def last(self) -> int:
        w = self.window
        return max(self.out - 1, (self.n - 1) * w.s - w.pl + (w.k - 1) * w.d)


def _chosen(count: int) -> tuple[list[int], int]:
    """The indices drawn out of ``count``: all, or the first and last :data:`SHOWN`."""
    if count <= 2 * SHOWN + 1:
        return list(range(count)), 0
    return [*range(SHOWN), *range(count - SHOWN, count)], count - 2 * SHOWN


def _taps(start: int, w: Window) -> tuple[int, ...]:
    return tuple(start + j * w.d for j in range(w.k))


def _strip(axis: str, n: int, out: int, w: Window) -> Strip:
    chosen, skipped = _chosen(out)
    windows = tuple((o, _taps(o * w.s - w.pl, w)) for o in chosen)
    dropped = None
    if w.ceil and arith.ceil_mode_drops(n, w.k, w.s, w.pl, w.d):
        dropped = _taps(out * w.s - w.pl, w)
    cov = arith.coverage(n, w.k, w.s, w.pl, w.d, out, w.pr)
    return Strip(axis, n, out, w, windows, skipped, dropped, 0 if cov is None else cov.unread)


def _scatter(axis: str, n: int, out: int, w: Window) -> Scatter:
    chosen, skipped = _chosen(n)
    rows = tuple((i, _taps(i * w.s - w.pl, w)) for i in chosen)
    # output o gets the inputs i with o + p = i·s + j·d: a convolution's windows, one per input
    cov = arith.coverage(out, w.k, w.s, w.pl, w.d, n, w.pr)
    return Scatter(axis, n, out, w, rows, skipped, 0 if cov is None else cov.unread)


def strips(layer: Layer, sizes: tuple[int, ...]) -> tuple[Strip | Scatter, ...]:
    """Per spatial dimension, the drawing's data of ``layer`` on an input of ``sizes``.

    >>> from convcalc.layers import build
    >>> (s,) = strips(build("MaxPool1d", kernel_size=2, ceil_mode=True), (5,))
    >>> s.out, s.windows, s.dropped, s.unread
    (3, ((0, (0, 1)), (1, (2, 3)), (2, (4, 5))), None, 0)
    """
    if not isinstance(layer, Sliding):
        raise TypeError(f"{layer.type} has no sliding window")  # pragma: no cover - the command checks
    axes = AXES[len(sizes)]
    found: list[Strip | Scatter] = []
    for axis, n, w in zip(axes, sizes, layer.windows()):
        out = layer.length(n, w)
        found.append(_scatter(axis, n, out, w) if layer.transposed else _strip(axis, n, out, w))
    return tuple(found)
