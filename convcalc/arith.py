"""Integer formulas for ONE spatial dimension, exactly as PyTorch computes them.

Every function takes and returns plain ints (the receptive-field ``start`` is a float).
The functions give the raw value of the formula; deciding that a value is invalid (an
output of size 0, a stride of 0) is the job of :mod:`convcalc.layers`, which validates
each layer once when it is built.

Notation: ``n`` input size, ``k`` kernel size, ``s`` stride, ``p`` padding per side,
``d`` dilation, ``k_e = d·(k − 1) + 1`` the effective (dilated) kernel.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

__all__ = [
    "COVERAGE_MAX_TAPS",
    "Coverage",
    "SamePadding",
    "TransposedSamePadding",
    "adaptive_windows",
    "ceil_mode_drops",
    "conv_out",
    "coverage",
    "effective_kernel",
    "pool_out",
    "rf_step",
    "same_padding",
    "transposed_conv_out",
    "transposed_same_padding",
]


def effective_kernel(k: int, d: int = 1) -> int:
    """Span of a dilated kernel: ``k_e = d·(k − 1) + 1``.

    Source: the ``dilation`` paragraph of ``torch.nn.Conv2d``; arXiv:1603.07285 §5.1.

    >>> effective_kernel(3, 2)
    5
    """
    return d * (k - 1) + 1


def conv_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, p_right: int | None = None) -> int:
    """Output length of a convolution: ``⌊(n + p_l + p_r − d·(k − 1) − 1)/s⌋ + 1``.

    ``p`` is the padding on each side, or the left padding when ``p_right`` is given
    (PyTorch's ``padding="same"`` pads ``total // 2`` left and the rest right).
    A result ≤ 0 means PyTorch rejects the layer.

    Source: "Shape" section of ``torch.nn.Conv1d``/``Conv2d``/``Conv3d``;
    arXiv:1603.07285 relationship 15.

    >>> conv_out(8, 3, s=2, p=1)      # 8×8 input, k=3, p=1, s=2 → 4×4
    4
    >>> conv_out(28, 5, p=2)          # LeNet's first layer keeps the size
    28
    >>> conv_out(7, 2), conv_out(3, 3)  # a 7×3 input through Conv2d(1, 8, (2, 3))
    (6, 1)
    """
    pr = p if p_right is None else p_right
    return (n + p + pr - d * (k - 1) - 1) // s + 1


def transposed_conv_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0) -> int:
    """Output length of a transposed convolution:
    ``(n − 1)·s − 2·p + d·(k − 1) + output_padding + 1``.

    Source: "Shape" section of ``torch.nn.ConvTranspose2d``; arXiv:1603.07285 §4.

    >>> transposed_conv_out(4, 4, s=2, p=1)   # the DCGAN upsampling block doubles
    8
    >>> transposed_conv_out(3, 3, s=2, p=1, output_padding=1)
    6
    """
    return (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def pool_out(n: int, k: int, s: int | None = None, p: int = 0, d: int = 1, ceil_mode: bool = False) -> int:
    """Output length of max or average pooling, with PyTorch's ``ceil_mode`` rule.

    floor mode: ``⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1``;
    ceil mode: ``⌈(n + 2p − d·(k − 1) − 1)/s⌉ + 1``, minus one when the last window would
    start in the right padding or past the input, i.e. when ``(out − 1)·s ≥ n + p``.
    ``s`` defaults to ``k``, as in PyTorch.

    Source: ``pooling_output_shape_pad_lr`` in PyTorch's ``aten/src/ATen/native/Pool.h``;
    arXiv:1603.07285 relationship 15 and the note on ceil mode.

    >>> pool_out(5, 3, s=3, p=1, ceil_mode=True)   # 3 by the bare ceil formula
    2
    >>> pool_out(4, 1, s=2, ceil_mode=True)
    2
    >>> pool_out(5, 2), pool_out(5, 2, ceil_mode=True)
    (2, 3)
    """
    s = k if s is None else s
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


def ceil_mode_drops(n: int, k: int, s: int | None = None, p: int = 0, d: int = 1) -> bool:
    """Whether PyTorch drops the last ``ceil_mode`` window because it would start in
    the right padding or past the input: ``⌈(n + 2p − k_e)/s⌉·s ≥ n + p``, the start of
    the window the bare ceil formula adds, in padded coordinates.

    Source: the ``--outputSize`` branch of ``pooling_output_shape_pad_lr`` in PyTorch's
    ``aten/src/ATen/native/Pool.h`` ("ensure that the last pooling starts inside the image").

    >>> ceil_mode_drops(5, 3, s=3, p=1)
    True
    >>> ceil_mode_drops(5, 2)
    False
    """
    s = k if s is None else s
    span = n + 2 * p - d * (k - 1) - 1
    return (-(-span // s)) * s >= n + p


def adaptive_windows(n: int, out: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` input range of each output of adaptive pooling:
    ``start = ⌊i·n/out⌋``, ``end = ⌈(i + 1)·n/out⌉``.

    Source: ``start_index``/``end_index`` in ``aten/src/ATen/native/AdaptivePooling.h``.

    >>> adaptive_windows(5, 3)
    [(0, 2), (1, 4), (3, 5)]
    """
    return [((i * n) // out, -(-((i + 1) * n) // out)) for i in range(out)]


class SamePadding(NamedTuple):
    """The answer of :func:`same_padding` (sizes in input pixels)."""

    out: int  # the target output size
    total: int  # minimal total padding reaching it
    left: int  # PyTorch's split: total // 2 before ...
    right: int  # ... and the extra pixel after
    symmetric: int | None  # smallest p with padding=p on both sides reaching out, if any


def same_padding(n: int, k: int, s: int = 1, d: int = 1, out: int | None = None) -> SamePadding | None:
    """Padding that makes a convolution (or floor-mode pooling) give ``out`` outputs,
    by default ``out = ⌈n/s⌉`` ("same" padding; for s = 1 this is ``out = n``).

    The minimal total is ``P = max(0, (out − 1)·s + k_e − n)``, split as PyTorch's
    ``padding="same"`` does (``left = P // 2``, the extra pixel after); ``symmetric`` is the
    smallest integer ``p`` with ``conv_out(n, k, s, p, d) == out``, or ``None`` when no
    symmetric padding gives exactly ``out``. Returns ``None`` when no padding ≥ 0 does
    (the input is already too large for ``out`` outputs).

    Source: ``_conv_forward`` of ``torch.nn.Conv2d`` for the split; TensorFlow's "SAME"
    for the target ``⌈n/s⌉``.

    >>> same_padding(224, 7, s=2)
    SamePadding(out=112, total=5, left=2, right=3, symmetric=3)
    >>> same_padding(8, 4)            # even kernel: no symmetric padding keeps the size
    SamePadding(out=8, total=3, left=1, right=2, symmetric=None)
    """
    k_e = effective_kernel(k, d)
    target = -(-n // s) if out is None else out
    total = max(0, (target - 1) * s + k_e - n)
    left, right = total // 2, total - total // 2
    if conv_out(n, k, s, left, d, right) != target:
        return None
    symmetric = right if conv_out(n, k, s, right, d) == target else None  # right = ⌈total/2⌉
    return SamePadding(target, total, left, right, symmetric)


class TransposedSamePadding(NamedTuple):
    """The answer of :func:`transposed_same_padding`."""

    out: int
    padding: int
    output_padding: int


def transposed_same_padding(
    n: int, k: int, s: int = 1, d: int = 1, out: int | None = None
) -> TransposedSamePadding | None:
    """The smallest ``padding`` (with its ``output_padding``) that makes a transposed
    convolution give ``out`` outputs, by default ``out = n·s``.

    Solves ``2·p − output_padding = (n − 1)·s + d·(k − 1) + 1 − out`` with ``p ≥ 0`` and
    ``0 ≤ output_padding < max(s, d)`` (PyTorch's rule); ``None`` when there is none.

    Source: :func:`transposed_conv_out` inverted; the output_padding rule is the shape
    check of ``aten/src/ATen/native/NaiveConvolutionTranspose2d.cpp`` ("output padding
    must be smaller than either stride or dilation").

    >>> transposed_same_padding(16, 4, s=2)
    TransposedSamePadding(out=32, padding=1, output_padding=0)
    >>> transposed_same_padding(16, 3, s=2)
    TransposedSamePadding(out=32, padding=1, output_padding=1)
    """
    target = n * s if out is None else out
    excess = (n - 1) * s + effective_kernel(k, d) - target
    p = max(0, -(-excess // 2))
    op = 2 * p - excess
    if op >= max(s, d):
        return None
    return TransposedSamePadding(target, p, op)


def rf_step(r: int, j: int, start: float, k: int, s: int = 1, p: int = 0, d: int = 1) -> tuple[int, int, float]:
    """One layer's step of the receptive field: size r, jump j, centre of output 0.

    ``r' = r + (k_e − 1)·j``, ``j' = j·s``, ``start' = start + ((k_e − 1)/2 − p)·j``
    with ``p`` the left padding. Source: Araujo et al., "Computing Receptive Fields of
    Convolutional Neural Networks", Distill 2019; Dang Ha The Hien's receptive-field
    arithmetic.

    >>> rf_step(1, 1, 0.0, k=3, s=2, p=1)
    (3, 2, 0.0)
    >>> rf_step(3, 2, 0.0, k=3, s=2, p=1)
    (7, 4, 0.0)
    """
    k_e = effective_kernel(k, d)
    return r + (k_e - 1) * j, j * s, start + ((k_e - 1) / 2 - p) * j


class Coverage(NamedTuple):
    """Which input positions no window of a sliding layer reads."""

    unread: int  # real input positions never read
    unread_padding: int  # padding positions never read
    first_unread: tuple[int, ...]  # the first few unread input positions (0-based)


#: Dilated kernels with more taps than this are not analysed by :func:`coverage`.
COVERAGE_MAX_TAPS = 65_536


def coverage(
    n: int, k: int, s: int, p: int, d: int, out: int, p_right: int | None = None, listed: int = 8
) -> Coverage | None:
    """Count the input positions that no window reads when ``out`` windows of ``k`` taps,
    ``d`` apart, slide with stride ``s`` over the input padded by ``p`` (left) and
    ``p_right`` (default ``p``), and list the first ``listed`` of them. Padded coordinate
    ``x`` is read when ``x = i·s + j·d`` for some output ``i < out`` and tap ``j < k``.

    For ``d = 1`` the windows are intervals and everything is closed-form; otherwise the
    taps are grouped by residue mod ``s`` and their progressions merged, in O(k log k).
    No position is visited one by one, so a size of 2^40 costs no more than 10.
    Returns ``None`` for dilated kernels of more than ``COVERAGE_MAX_TAPS`` taps.

    Source: the window positions of D2L §7.3 ("Padding and Stride") and arXiv:1603.07285
    §2; the count is what a brute-force slide over the padded input would mark.

    >>> coverage(9, 2, 2, 0, 1, 4)     # Conv1d(k=2, s=2) on 9: the last position is lost
    Coverage(unread=1, unread_padding=0, first_unread=(8,))
    >>> coverage(6, 1, 2, 0, 1, 3)     # a 1×1 kernel with stride 2 skips every other one
    Coverage(unread=3, unread_padding=0, first_unread=(1, 3, 5))
    >>> coverage(8, 3, 2, 1, 1, 4)     # only the right padding column is unread
    Coverage(unread=0, unread_padding=1, first_unread=())
    """
    pr = p if p_right is None else p_right
    if out <= 0:
        return Coverage(n, p + pr, tuple(range(min(n, listed))))
    if d == 1 or k == 1:
        count, next_unread = _interval_windows(k, s, out)
    elif k <= COVERAGE_MAX_TAPS:
        count, next_unread = _dilated_windows(k, s, d, out)
    else:
        return None
    unread = n - count(p, p + n - 1)
    pad_unread = (p - count(0, p - 1)) + (pr - count(p + n, p + n + pr - 1))
    first: list[int] = []
    x = p
    while len(first) < min(unread, listed):
        x = next_unread(x)
        first.append(x - p)
        x += 1
    return Coverage(unread, pad_unread, tuple(first))


def _interval_windows(k: int, s: int, out: int):  # type: ignore[no-untyped-def]
    """Windows ``[i·s, i·s + k − 1]``: x is read iff ``x ≤ (out − 1)·s + k − 1`` and
    ``x mod s < k`` (or ``k ≥ s``). Returns ``count(a, b)``, the read positions in
    ``[a, b]``, and ``next_unread(x)``, the first unread position ``≥ x``."""
    end = (out - 1) * s + k - 1
    width = min(k, s)

    def upto(y: int) -> int:  # read positions in [0, y]
        y = min(y, end)
        return 0 if y < 0 else (y + 1) // s * width + min((y + 1) % s, width)

    def count(a: int, b: int) -> int:
        return 0 if b < a else upto(b) - upto(a - 1)

    def next_unread(x: int) -> int:
        if x > end or x % s >= width:
            return x
        gap = x - x % s + width  # the first position of this period no window reaches
        return end + 1 if width == s else min(gap, end + 1)

    return count, next_unread


def _dilated_windows(k: int, s: int, d: int, out: int):  # type: ignore[no-untyped-def]
    """Taps ``j·d`` grouped by residue mod ``s``; each tap reads ``m ∈ [⌊j·d/s⌋, … + out − 1]``
    of the lattice ``r + m·s``; the spans of one residue are merged. Returns ``count`` and
    ``next_unread`` as :func:`_interval_windows` does."""
    by_residue: dict[int, list[tuple[int, int]]] = {}
    for tap in range(k):
        off = tap * d
        by_residue.setdefault(off % s, []).append((off // s, off // s + out - 1))
    merged: dict[int, list[tuple[int, int]]] = {}
    for r, spans in by_residue.items():
        spans.sort()
        acc: list[tuple[int, int]] = []
        for lo, hi in spans:
            if acc and lo <= acc[-1][1] + 1:
                if hi > acc[-1][1]:
                    acc[-1] = (acc[-1][0], hi)
            else:
                acc.append((lo, hi))
        merged[r] = acc
    starts = {r: [lo for lo, _ in spans] for r, spans in merged.items()}

    def count(a: int, b: int) -> int:
        total = 0
        for r, spans in merged.items():
            m_lo, m_hi = -(-(a - r) // s), (b - r) // s
            for lo, hi in spans:
                lo, hi = max(lo, m_lo), min(hi, m_hi)
                if hi >= lo:
                    total += hi - lo + 1
        return total

    def gap_after(r: int, m: int) -> int:
        """The first lattice index ≥ m of residue r that no span covers."""
        i = bisect_right(starts[r], m) - 1
        return merged[r][i][1] + 1 if i >= 0 and merged[r][i][1] >= m else m

    def is_read(x: int) -> bool:
        return x % s in merged and gap_after(x % s, x // s) != x // s

    def next_unread(x: int) -> int:
        for y in range(x, x + 64):  # holes are usually close: look there first
            if not is_read(y):
                return y
        x += 64
        # per residue that some tap reaches, its first gap at or after x ...
        candidates = [r + gap_after(r, max(0, -(-(x - r) // s))) * s for r in merged]
        if len(merged) < s:  # ... and the first position of a residue no tap reaches
            y = x
            while y % s in merged:
                y += 1
            candidates.append(y)
        return min(candidates)

    return count, next_unread
