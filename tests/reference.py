"""Brute-force references for the one-dimension formulas of :mod:`convcalc.arith`.

They compute by enumeration, the way D2L's ``corr2d`` and ``pool2d`` loop over output
positions: slide a window over the padded input one start position at a time, keep the
windows PyTorch keeps, and mark the input positions each window reads. No closed form of
``arith`` is used here, so a property test comparing the two checks real arithmetic.
"""

from __future__ import annotations

from typing import NamedTuple


class Slide(NamedTuple):
    """The result of sliding a window: how many windows, and what they never read."""

    out: int  # number of windows PyTorch keeps
    unread: list[int]  # real input positions (0-based) that no window reads
    unread_padding: int  # padding positions (left and right) that no window reads


def slide(n: int, k: int, s: int, pad_l: int, pad_r: int, d: int = 1, ceil_mode: bool = False) -> Slide:
    """Slide a ``k``-tap window, taps ``d`` apart, with stride ``s`` over ``n`` input
    positions padded by ``pad_l`` and ``pad_r``.

    The padded input has coordinates ``0 … N − 1`` with ``N = pad_l + n + pad_r``; a window
    starting at ``x`` reads ``x, x + d, …, x + (k − 1)·d``. PyTorch's rules, applied to each
    start position ``x = 0, s, 2s, …`` in turn:

    * floor mode keeps a window when all its taps are inside the padded input;
    * ceil mode also keeps a window that runs past the end by less than one stride
      (its last tap ``≤ N − 1 + s − 1``: the "ceil" of the division), but only if it
      starts inside the input or its left padding (``x < pad_l + n``; PyTorch's
      "ensure that the last pooling starts inside the image").
    """
    big_n = pad_l + n + pad_r
    span = d * (k - 1)
    read = [False] * big_n
    out = 0
    x = 0
    while x < big_n:
        last = x + span
        fits = last <= big_n - 1
        keep = fits or (ceil_mode and last <= big_n - 1 + s - 1 and x < pad_l + n)
        if keep:
            out += 1
            for tap in range(x, min(last, big_n - 1) + 1, d):
                read[tap] = True
        elif not ceil_mode or last > big_n - 1 + s - 1:
            break
        x += s
    unread = [i for i in range(n) if not read[pad_l + i]]
    pads = list(range(pad_l)) + list(range(pad_l + n, big_n))
    return Slide(out, unread, sum(1 for i in pads if not read[i]))


def transposed_length(n: int, k: int, s: int, p: int, d: int = 1, output_padding: int = 0) -> int:
    """Output length of a transposed convolution by scattering: input ``i`` writes to
    ``i·s + j·d`` for each tap ``j``; the written extent, plus ``output_padding`` on the
    right, minus ``p`` cropped from each side, is the output (as in arXiv:1603.07285 §4,
    a transposed convolution is the scatter form of the convolution's gather)."""
    written = set()
    for i in range(n):
        for j in range(k):
            written.add(i * s + j * d)
    extent = max(written) + 1 + output_padding
    return extent - 2 * p


def smallest_symmetric_padding(n: int, k: int, s: int, d: int, target: int, limit: int = 200) -> int | None:
    """The smallest ``p ≥ 0`` for which sliding with padding ``p`` on both sides gives
    ``target`` windows, found by trying ``p = 0, 1, 2, …`` (None when none up to ``limit``)."""
    for p in range(limit + 1):
        if slide(n, k, s, p, p, d).out == target:
            return p
    return None


def receptive_field(layers: list[tuple[int, int, int, int]]) -> tuple[int, int, float]:
    """Size, jump and start of the receptive field after a stack of ``(k, s, p, d)``
    layers, by tracing which input positions outputs 0 and 1 of the top layer reach.

    Output ``x`` of a layer reads positions ``x·s − p + j·d`` (``j < k``) of the layer
    below; follow the sets down to the input. The size is the span of the set of output 0,
    the start its centre, the jump the distance between the first positions of outputs
    0 and 1.
    """

    def reach(index: int) -> list[int]:
        positions = {index}
        for k, s, p, d in reversed(layers):
            positions = {x * s - p + j * d for x in positions for j in range(k)}
        return sorted(positions)

    first, second = reach(0), reach(1)
    return first[-1] - first[0] + 1, second[0] - first[0], (first[0] + first[-1]) / 2
