"""The one-dimension formulas of convcalc.arith against a brute-force slide (tests/reference.py)
and against the properties they must have.

The reference enumerates window positions one by one, as D2L's ``corr2d``/``pool2d`` loop
over outputs; the formulas are closed forms. Hypothesis draws the arguments
(tests/strategies.py); sizes stay small so the reference is instant.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import receptive_field, slide, smallest_symmetric_padding, transposed_length
from strategies import (
    Pooling1d,
    Sliding1d,
    Transposed1d,
    kernels,
    pooling_1d,
    sizes,
    sliding_1d,
    strides,
    transposed_1d,
)

from convcalc import arith

#: Examples per property; 14 properties, so about 3,500 examples in all.
EXAMPLES = 250
PROFILE = settings(max_examples=EXAMPLES, deadline=None)


# --- output sizes ----------------------------------------------------------------------


@PROFILE
@given(sliding_1d())
def test_conv_out_counts_the_windows_that_fit(c: Sliding1d) -> None:
    ref = slide(c.n, c.k, c.s, c.p_left, c.p_right, c.d)
    out = arith.conv_out(c.n, c.k, c.s, c.p_left, c.d, p_right=c.p_right)
    assert max(out, 0) == ref.out
    if c.p_left == c.p_right:
        assert arith.conv_out(c.n, c.k, c.s, c.p_left, c.d) == out


@PROFILE
@given(pooling_1d())
def test_pool_out_counts_the_windows_pytorch_keeps(c: Pooling1d) -> None:
    ref = slide(c.n, c.k, c.s, c.p, c.p, c.d, ceil_mode=c.ceil_mode)
    assert max(arith.pool_out(c.n, c.k, c.s, c.p, c.d, c.ceil_mode), 0) == ref.out


@PROFILE
@given(pooling_1d())
def test_ceil_mode_drops_when_the_bare_ceiling_overcounts(c: Pooling1d) -> None:
    k_e = c.d * (c.k - 1) + 1
    bare_ceil = ceil(Fraction(c.n + 2 * c.p - k_e, c.s)) + 1  # the textbook ceil formula
    kept = slide(c.n, c.k, c.s, c.p, c.p, c.d, ceil_mode=True).out
    drops = arith.ceil_mode_drops(c.n, c.k, c.s, c.p, c.d)
    assert drops == (bare_ceil >= 1 and kept == bare_ceil - 1)
    if bare_ceil >= 1 and not drops:
        assert kept == bare_ceil


@PROFILE
@given(pooling_1d())
def test_floor_le_ceil_le_floor_plus_one(c: Pooling1d) -> None:
    lo = arith.pool_out(c.n, c.k, c.s, c.p, c.d, ceil_mode=False)
    hi = arith.pool_out(c.n, c.k, c.s, c.p, c.d, ceil_mode=True)
    assert lo <= hi <= lo + 1


@PROFILE
@given(transposed_1d())
def test_transposed_conv_out_is_the_scattered_extent(c: Transposed1d) -> None:
    got = arith.transposed_conv_out(c.n, c.k, c.s, c.p, c.d, c.output_padding)
    assert got == transposed_length(c.n, c.k, c.s, c.p, c.d, c.output_padding)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the two examples of the issue, counted by hand: windows start at 0, 3 (padded
        # coordinates 0..6; a third would start at 6, in the right padding) ...
        ((5, 3, 3, 1, 1, True), 2),
        # ... and at 0, 2 on 0..3 (a third would start at 4, past the input)
        ((4, 1, 2, 0, 1, True), 2),
        # floor mode drops the partial window, ceil mode keeps it: starts 0, 2 (+ 4 in ceil)
        ((5, 2, 2, 0, 1, False), 2),
        ((5, 2, 2, 0, 1, True), 3),
        # a kernel longer than the input: ceil mode keeps one overhanging window
        ((2, 3, 2, 0, 1, True), 1),
    ],
)
def test_pool_out_hand_counted(args: tuple[int, int, int, int, int, bool], expected: int) -> None:
    n, k, s, p, d, ceil_mode = args
    assert arith.pool_out(n, k, s, p, d, ceil_mode) == expected
    assert slide(n, k, s, p, p, d, ceil_mode).out == expected


# --- which input positions are read ------------------------------------------------------


@PROFILE
@given(sliding_1d(), st.integers(1, 10))
def test_coverage_of_convolutions(c: Sliding1d, listed: int) -> None:
    ref = slide(c.n, c.k, c.s, c.p_left, c.p_right, c.d)
    cov = arith.coverage(c.n, c.k, c.s, c.p_left, c.d, ref.out, c.p_right, listed=listed)
    assert cov is not None
    if ref.out == 0:  # nothing is read at all
        assert cov.unread == c.n and cov.unread_padding == c.p_left + c.p_right
        return
    assert cov.unread == len(ref.unread)
    assert cov.unread_padding == ref.unread_padding
    assert cov.first_unread == tuple(ref.unread[:listed])


@PROFILE
@given(pooling_1d())
def test_coverage_of_pooling_with_ceil_windows(c: Pooling1d) -> None:
    ref = slide(c.n, c.k, c.s, c.p, c.p, c.d, ceil_mode=c.ceil_mode)
    if ref.out == 0:
        return
    cov = arith.coverage(c.n, c.k, c.s, c.p, c.d, ref.out)
    assert cov is not None
    assert (cov.unread, cov.unread_padding, cov.first_unread) == (
        len(ref.unread),
        ref.unread_padding,
        tuple(ref.unread[:8]),
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 40), st.integers(2, 6), st.integers(1, 9), st.integers(0, 3))
def test_coverage_of_long_dilated_kernels(k: int, d: int, s: int, extra: int) -> None:
    # long runs of read positions between holes: the search must jump, not only step
    n = d * (k - 1) + 1 + s * extra + 70
    out = (n - d * (k - 1) - 1) // s + 1
    ref = slide(n, k, s, 0, 0, d)
    cov = arith.coverage(n, k, s, 0, d, out)
    assert cov is not None and ref.out == out
    assert (cov.unread, cov.first_unread) == (len(ref.unread), tuple(ref.unread[:8]))


def test_coverage_lists_positions_far_from_the_start() -> None:
    # Conv1d(k=2, s=2) on 100,001: only the very last position is never read
    cov = arith.coverage(100_001, 2, 2, 0, 1, 50_000)
    assert cov == arith.Coverage(1, 0, (100_000,))
    assert slide(100_001, 2, 2, 0, 0).unread == [100_000]


@pytest.mark.parametrize(
    ("n", "k", "s", "d", "first"),
    [
        # windows [0, 199999] and [2^39, 2^39 + 199999]: the first hole starts at 200,000
        (2**40, 200_000, 2**39, 1, (200_000, 200_001)),
        # a 1-tap kernel with stride 2^39 reads 0 and 2^39 only
        (2**40, 1, 2**39, 1, (1, 2)),
        # a dilated kernel over a huge input: holes only near both ends
        (2**40, 3, 2, 5, (1, 3)),
    ],
)
def test_coverage_of_huge_inputs_is_closed_form(n: int, k: int, s: int, d: int, first: tuple[int, ...]) -> None:
    out = arith.conv_out(n, k, s, 0, d)
    cov = arith.coverage(n, k, s, 0, d, out, listed=2)
    assert cov is not None and cov.first_unread == first
    assert cov.unread > 0


# --- same padding ------------------------------------------------------------------------


@PROFILE
@given(sizes(), kernels(), strides(), st.integers(1, 4))
def test_same_padding_reaches_ceil_n_over_s_with_pytorchs_split(n: int, k: int, s: int, d: int) -> None:
    target = -(-n // s)
    same = arith.same_padding(n, k, s, d)
    assert same is not None and same.out == target
    assert slide(n, k, s, same.left, same.right, d).out == target
    assert (same.left, same.right) == (same.total // 2, same.total - same.total // 2)  # extra pixel after
    if same.total > 0:  # minimal: one pixel less, split any way, misses the target
        assert slide(n, k, s, 0, same.total - 1, d).out != target
    assert same.symmetric == smallest_symmetric_padding(n, k, s, d, target)


@PROFILE
@given(sizes(), kernels(), strides(), st.integers(1, 4), st.integers(1, 40))
def test_same_padding_for_any_target(n: int, k: int, s: int, d: int, target: int) -> None:
    same = arith.same_padding(n, k, s, d, out=target)
    reachable = [p for p in range(0, 2 * target * s + k * d + 2) if slide(n, k, s, 0, p, d).out == target]
    if not reachable:
        assert same is None
        return
    assert same is not None and same.total == reachable[0]
    assert slide(n, k, s, same.left, same.right, d).out == target
    assert same.symmetric == smallest_symmetric_padding(n, k, s, d, target)


def test_same_padding_with_stride_one_is_pytorchs_padding_same() -> None:
    # PyTorch's padding="same" pads d·(k − 1) in all, total // 2 before: k=4, d=1 → 1 + 2
    assert arith.same_padding(10, 4, 1, 1)[1:4] == (3, 1, 2)
    # k=3, d=2 → 4 in all, 2 + 2, and the symmetric padding 2 exists
    assert arith.same_padding(10, 3, 1, 2) == arith.SamePadding(10, 4, 2, 2, 2)


@PROFILE
@given(sizes(30), kernels(7), strides(5), st.integers(1, 4))
def test_transposed_same_padding(n: int, k: int, s: int, d: int) -> None:
    target = n * s
    got = arith.transposed_same_padding(n, k, s, d)
    options = [
        (p, op)
        for p in range(0, k * d + s + 2)
        for op in range(max(s, d))
        if transposed_length(n, k, s, p, d, op) == target
    ]
    if not options:
        assert got is None
        return
    assert got is not None and (got.padding, got.output_padding) == min(options)


# --- receptive field and adaptive windows --------------------------------------------------


@PROFILE
@given(
    st.integers(1, 50),
    st.integers(1, 16),
    st.floats(-20, 20),
    kernels(),
    strides(),
    st.integers(0, 4),
    st.integers(1, 4),
)
def test_rf_step_grows_by_dilated_kernel_times_jump(
    r: int, j: int, start: float, k: int, s: int, p: int, d: int
) -> None:
    k_e = d * (k - 1) + 1
    r2, j2, start2 = arith.rf_step(r, j, start, k, s, p, d)
    assert r2 - r == (k_e - 1) * j
    assert j2 == j * s
    assert start2 == pytest.approx(start + ((k_e - 1) / 2 - p) * j)


@PROFILE
@given(st.lists(st.tuples(kernels(5), strides(3), st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=4))
def test_rf_through_a_stack_matches_tracing_positions(layers: list[tuple[int, int, int, int]]) -> None:
    r, j, start = 1, 1, 0.0
    for k, s, p, d in layers:
        r, j, start = arith.rf_step(r, j, start, k, s, p, d)
    assert (r, j, start) == receptive_field(layers)


@PROFILE
@given(st.integers(1, 80), st.integers(1, 80))
def test_adaptive_windows_cover_the_input(n: int, out: int) -> None:
    windows = arith.adaptive_windows(n, out)
    assert len(windows) == out
    for i, (a, b) in enumerate(windows):  # PyTorch's start_index / end_index, in exact fractions
        assert a == floor(Fraction(i * n, out)) and b == ceil(Fraction((i + 1) * n, out))
        assert 0 <= a < b <= n
    assert windows[0][0] == 0 and windows[-1][1] == n
    read = {x for a, b in windows for x in range(a, b)}
    assert read == set(range(n))
    assert all(w1[0] <= w2[0] and w1[1] <= w2[1] for w1, w2 in zip(windows, windows[1:]))


def test_effective_kernel() -> None:
    # taps at 0, d, 2d, …, (k − 1)·d span d·(k − 1) + 1 positions
    assert [arith.effective_kernel(k, d) for k, d in ((1, 5), (3, 1), (3, 2), (4, 3))] == [1, 3, 5, 10]
