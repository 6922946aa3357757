"""Hypothesis strategies shared by convcalc's tests (one place, as attrs keeps them).

Two groups:

* one-dimension arguments of the formulas in :mod:`convcalc.arith` — :func:`sliding_1d`,
  :func:`pooling_1d`, :func:`transposed_1d` draw a whole consistent set (input size,
  kernel, stride, padding, dilation), small enough that a brute-force slide over the
  input is instant;
* layers — :func:`per_dim` (an int or a per-dimension tuple, as PyTorch takes them) and
  :func:`conv_layers` / :func:`pool_layers`, which draw ``(type_name, kwargs, input_shape)``
  for :func:`convcalc.build`, valid or not (zero strides, padding over the limit, channel
  mismatches, kernels larger than the input), for tests that must hold on every input.

Every strategy takes its bounds as keyword arguments, so a test can widen or narrow them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import strategies as st

__all__ = [
    "Pooling1d",
    "Sliding1d",
    "Transposed1d",
    "conv_layers",
    "dilations",
    "kernels",
    "per_dim",
    "pool_layers",
    "pooling_1d",
    "sizes",
    "sliding_1d",
    "strides",
    "transposed_1d",
]


def sizes(max_value: int = 60) -> st.SearchStrategy[int]:
    """An input length ≥ 1."""
    return st.integers(1, max_value)


def kernels(max_value: int = 9) -> st.SearchStrategy[int]:
    """A kernel size ≥ 1."""
    return st.integers(1, max_value)


def strides(max_value: int = 6) -> st.SearchStrategy[int]:
    """A stride ≥ 1."""
    return st.integers(1, max_value)


def dilations(max_value: int = 4) -> st.SearchStrategy[int]:
    """A dilation ≥ 1."""
    return st.integers(1, max_value)


class Sliding1d(NamedTuple):
    """A convolution along one dimension: input ``n``, kernel ``k``, stride ``s``, padding
    ``p_left``/``p_right`` (equal unless drawn asymmetric, as PyTorch's "same" pads) and
    dilation ``d``."""

    n: int
    k: int
    s: int
    p_left: int
    p_right: int
    d: int


@st.composite
def sliding_1d(
    draw: st.DrawFn,
    *,
    max_size: int = 60,
    max_kernel: int = 9,
    max_stride: int = 6,
    max_dilation: int = 4,
    max_padding: int = 6,
    asymmetric: bool = True,
) -> Sliding1d:
    """Arguments of a convolution along one dimension. Any padding ≥ 0 (PyTorch's
    convolutions have no upper limit); with ``asymmetric`` the right side may differ."""
    n, k = draw(sizes(max_size)), draw(kernels(max_kernel))
    s, d = draw(strides(max_stride)), draw(dilations(max_dilation))
    p = draw(st.integers(0, max_padding))
    pr = draw(st.integers(0, max_padding)) if asymmetric and draw(st.booleans()) else p
    return Sliding1d(n, k, s, p, pr, d)


class Pooling1d(NamedTuple):
    """A pooling window along one dimension, with ``ceil_mode``."""

    n: int
    k: int
    s: int
    p: int
    d: int
    ceil_mode: bool


@st.composite
def pooling_1d(
    draw: st.DrawFn,
    *,
    max_size: int = 60,
    max_kernel: int = 9,
    max_stride: int = 6,
    max_dilation: int = 4,
    undilated_limit: bool = False,
) -> Pooling1d:
    """Arguments of max/average pooling along one dimension. The padding respects
    PyTorch's limit: at most half the effective kernel ``⌊k_e/2⌋`` (the general rule of
    ``pooling_output_shape`` in Pool.h), or with ``undilated_limit`` at most ``⌊k/2⌋``
    (what every MaxPool of PyTorch 2.13 checks)."""
    n, k = draw(sizes(max_size)), draw(kernels(max_kernel))
    s, d = draw(strides(max_stride)), draw(dilations(max_dilation))
    limit = k // 2 if undilated_limit else (d * (k - 1) + 1) // 2
    return Pooling1d(n, k, s, draw(st.integers(0, limit)), d, draw(st.booleans()))


class Transposed1d(NamedTuple):
    """A transposed convolution along one dimension."""

    n: int
    k: int
    s: int
    p: int
    d: int
    output_padding: int


@st.composite
def transposed_1d(
    draw: st.DrawFn,
    *,
    max_size: int = 30,
    max_kernel: int = 7,
    max_stride: int = 5,
    max_dilation: int = 4,
    max_padding: int = 8,
) -> Transposed1d:
    """Arguments of a transposed convolution along one dimension, with an output_padding
    PyTorch accepts (smaller than the stride or the dilation). The padding may be large
    enough to make the output ≤ 0."""
    n, k = draw(sizes(max_size)), draw(kernels(max_kernel))
    s, d = draw(strides(max_stride)), draw(dilations(max_dilation))
    op = draw(st.integers(0, max(s, d) - 1))
    return Transposed1d(n, k, s, draw(st.integers(0, max_padding)), d, op)


def per_dim(values: st.SearchStrategy[int], dims: int) -> st.SearchStrategy[int | tuple[int, ...]]:
    """One value for every dimension, or a tuple of ``dims`` values (PyTorch's two forms)."""
    if dims == 1:
        return values
    return st.one_of(values, st.tuples(*[values] * dims))


_ANY_INT = st.integers(-2, 9)  # includes the invalid 0 and negatives


@st.composite
def conv_layers(
    draw: st.DrawFn, *, valid_values: bool = False, max_side: int = 12
) -> tuple[str, dict[str, Any], tuple[int, ...]]:
    """``(type_name, kwargs, input_shape)`` of a Conv or ConvTranspose layer of 1 to 3
    dimensions. Unless ``valid_values``, kernel/stride/dilation/padding may be zero or
    negative and the channels may not match the input or the groups."""
    dims = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    ints = _ANY_INT if not valid_values else st.integers(1, 5)
    pads = _ANY_INT if not valid_values else st.integers(0, 3)
    groups = draw(st.integers(1, 3) if valid_values else st.integers(0, 3))
    c_in = draw(st.integers(1, 4)) * max(groups, 1)
    args: dict[str, Any] = {
        "in_channels": c_in if valid_values or draw(st.booleans()) else draw(st.integers(1, 8)),
        "out_channels": draw(st.integers(1, 4)) * max(groups, 1),
        "kernel_size": draw(per_dim(ints, dims)),
        "stride": draw(per_dim(ints, dims)),
        "dilation": draw(per_dim(ints, dims)),
        "groups": groups,
        "bias": draw(st.booleans()),
    }
    if transposed:
        args["padding"] = draw(per_dim(pads, dims))
        args["output_padding"] = draw(per_dim(st.integers(0, 3), dims))
    else:
        args["padding"] = draw(st.one_of(per_dim(pads, dims), st.sampled_from(("same", "valid"))))
        args["padding_mode"] = draw(st.sampled_from(("zeros", "zeros", "reflect", "replicate", "circular")))
    shape = (draw(st.integers(1, 2)), c_in, *draw(st.tuples(*[st.integers(1, max_side)] * dims)))
    return f"{'ConvTranspose' if transposed else 'Conv'}{dims}d", args, shape


@st.composite
def pool_layers(
    draw: st.DrawFn, *, valid_values: bool = False, max_side: int = 12
) -> tuple[str, dict[str, Any], tuple[int, ...]]:
    """``(type_name, kwargs, input_shape)`` of a MaxPool or AvgPool layer of 1 to 3
    dimensions. Unless ``valid_values``, values may be zero, negative or over PyTorch's
    padding limit."""
    dims = draw(st.integers(1, 3))
    family = draw(st.sampled_from(("MaxPool", "AvgPool")))
    ints = _ANY_INT if not valid_values else st.integers(1, 5)
    k = draw(per_dim(ints, dims))
    ks = k if isinstance(k, tuple) else (k,) * dims
    if valid_values:
        padding: Any = tuple(draw(st.integers(0, max(kk, 0) // 2)) for kk in ks)
    else:
        padding = draw(per_dim(_ANY_INT, dims))
    args: dict[str, Any] = {
        "kernel_size": k,
        "stride": draw(st.one_of(st.none(), per_dim(ints, dims))),
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    if family == "MaxPool":
        args["dilation"] = draw(per_dim(ints, dims))
    shape = (1, draw(st.integers(1, 3)), *draw(st.tuples(*[st.integers(1, max_side)] * dims)))
    return f"{family}{dims}d", args, shape
