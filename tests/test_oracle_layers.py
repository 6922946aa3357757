"""Oracle: thousands of random single layers, each run through PyTorch 2.13.0 and convcalc.

The configurations come from ``random.Random(SEED)`` (not hypothesis) so that the set is
the same on every run. Each one is a PyTorch class name, its keyword arguments (valid
for both ``torch.nn`` and :func:`convcalc.build`) and an input shape ``[N, C, *spatial]``.
For each, the test builds the torch module, runs a real tensor through it and compares:

* accept/reject: when torch raises (at construction or in forward), convcalc must raise
  a :class:`convcalc.ConvCalcError` with ``exit_code`` 1, at build or at forward;
* otherwise the output shape, the parameter count (``sum(p.numel())``) and the buffer count
  must be equal; for Conv, ConvTranspose and Linear on every few cases, also
  ``FlopCounterMode``'s FLOPs against ``2·macs``.

Documented torch behaviours the comparison has to take into account:

* an output with a 0-size dimension counts as a rejection. convcalc rejects an output of
  size 0 (SPEC §6), and torch itself is inconsistent there: for some transposed
  convolutions whose output is exactly 0 its oneDNN path returns an empty tensor where
  the native path raises "Output size is too small"; ConstantPad/ZeroPad that crop a
  dimension to exactly 0 also return empty tensors. Such cases are counted separately
  (``torch_empty`` in the summary).
* CircularPad with one negative side crops first and then copies the wrap-around from
  what is left; when the wrap is longer than that, the copy reads the very positions it
  writes. torch raises ("some elements of the input tensor and the written-to tensor
  refer to a single memory location") only when the slices are dense in memory (for
  example N = C = 1) and otherwise returns a tensor of garbage. Such configurations are
  expected to be rejected whatever torch does (``torch_layout_dependent``).
* inputs are batched ``[N, C, *spatial]`` except in the acceptance categories, which
  also try the unbatched ``[C, *spatial]`` PyTorch takes (SPEC §3) and other ranks.
* modules run in ``eval()`` mode, as shape tools do (torchinfo's default): BatchNorm in
  training mode also refuses a batch with a single value per channel, a statement about
  the batch statistics of one training step rather than about the architecture.

Sizes are small so the whole file runs in a few seconds on one core.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from reference import slide

from convcalc import ConvCalcError, build

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

pytestmark = pytest.mark.oracle

SEED = 20_250_213
#: Check FlopCounterMode on every FLOP_EVERY-th accepted Conv/ConvTranspose/Linear case.
FLOP_EVERY = 4


@dataclass
class Case:
    """One single-layer configuration: its edge-case category, the layer and an input."""

    category: str
    type: str
    args: dict[str, Any]
    shape: tuple[int, ...]
    note: dict[str, Any] = field(default_factory=dict)  # what the generator meant, for the summary

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"[{self.category}] {self.type}({args}) on {list(self.shape)}"


# ---------------------------------------------------------------------------------------
# Generators: one per family and one per edge case. Each returns one Case.
# ---------------------------------------------------------------------------------------

MAX_SIDE = {1: 24, 2: 10, 3: 6}  # largest spatial size per dimensionality (keeps torch quick)


def _per_dim(rng: random.Random, dims: int, lo: int, hi: int, as_tuple: float = 0.4) -> int | tuple[int, ...]:
    """An int for every dimension, or (with probability ``as_tuple``) a tuple of ints."""
    if dims > 1 and rng.random() < as_tuple:
        return tuple(rng.randint(lo, hi) for _ in range(dims))
    return rng.randint(lo, hi)


def _tup(v: int | tuple[int, ...], dims: int) -> tuple[int, ...]:
    return v if isinstance(v, tuple) else (v,) * dims


def _spatial(rng: random.Random, dims: int, lo: int = 1, hi: int | None = None) -> tuple[int, ...]:
    return tuple(rng.randint(lo, hi or MAX_SIDE[dims]) for _ in range(dims))


def _channels(rng: random.Random, groups: int = 1) -> int:
    return groups * rng.randint(1, 3)


def gen_conv(rng: random.Random, category: str = "conv") -> Case:
    """Conv1d/2d/3d with every argument drawn: int, tuple, 'same' and 'valid' padding,
    dilation, groups, every padding_mode."""
    dims = rng.randint(1, 3)
    groups = rng.choice((1, 1, 1, 2, 3))
    c_in, c_out = _channels(rng, groups), _channels(rng, groups)
    k = _per_dim(rng, dims, 1, 5)
    s = _per_dim(rng, dims, 1, 3) if rng.random() < 0.6 else 1
    d = _per_dim(rng, dims, 1, 3) if rng.random() < 0.4 else 1
    r = rng.random()
    padding: Any = "same" if r < 0.15 else "valid" if r < 0.22 else _per_dim(rng, dims, 0, 3)
    if padding == "same":
        s = 1 if rng.random() < 0.9 else s  # strided "same" is rejected by PyTorch
    mode = rng.choice(("zeros",) * 5 + ("reflect", "replicate", "circular"))
    args = dict(
        in_channels=c_in,
        out_channels=c_out,
        kernel_size=k,
        stride=s,
        padding=padding,
        dilation=d,
        groups=groups,
        bias=rng.random() < 0.7,
        padding_mode=mode,
    )
    return Case(category, f"Conv{dims}d", args, (rng.randint(1, 2), c_in, *_spatial(rng, dims)))


def gen_conv_transpose(rng: random.Random, category: str = "transposed") -> Case:
    """ConvTranspose1d/2d/3d, output_padding always valid (smaller than stride or dilation)."""
    dims = rng.randint(1, 3)
    groups = rng.choice((1, 1, 2, 3))
    c_in, c_out = _channels(rng, groups), _channels(rng, groups)
    k = _tup(_per_dim(rng, dims, 1, 4), dims)
    s = _tup(_per_dim(rng, dims, 1, 3), dims)
    d = _tup(_per_dim(rng, dims, 1, 3) if rng.random() < 0.4 else 1, dims)
    p = _tup(_per_dim(rng, dims, 0, 2), dims)
    op = tuple(rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d))
    args = dict(
        in_channels=c_in,
        out_channels=c_out,
        kernel_size=k,
        stride=s,
        padding=p,
        output_padding=op,
        groups=groups,
        bias=rng.random() < 0.7,
        dilation=d,
    )
    side = {1: 10, 2: 6, 3: 4}[dims]
    return Case(category, f"ConvTranspose{dims}d", args, (1, c_in, *_spatial(rng, dims, 1, side)))


def gen_maxpool(rng: random.Random, category: str = "maxpool") -> Case:
    """MaxPool1d/2d/3d with padding within PyTorch's limit (half the kernel), dilation, ceil_mode."""
    dims = rng.randint(1, 3)
    k = _tup(_per_dim(rng, dims, 1, 5), dims)
    stride = None if rng.random() < 0.3 else _per_dim(rng, dims, 1, 4)
    p = tuple(rng.randint(0, kk // 2) for kk in k)
    d = _per_dim(rng, dims, 1, 3) if rng.random() < 0.35 else 1
    args = dict(kernel_size=k, stride=stride, padding=p, dilation=d, ceil_mode=rng.random() < 0.5)
    return Case(category, f"MaxPool{dims}d", args, (1, rng.randint(1, 3), *_spatial(rng, dims)))


def gen_avgpool(rng: random.Random, category: str = "avgpool") -> Case:
    """AvgPool1d/2d/3d with padding within the limit, ceil_mode, count_include_pad, divisor_override."""
    dims = rng.randint(1, 3)
    k = _tup(_per_dim(rng, dims, 1, 5), dims)
    stride = None if rng.random() < 0.3 else _per_dim(rng, dims, 1, 4)
    p = tuple(rng.randint(0, kk // 2) for kk in k)
    args: dict[str, Any] = dict(
        kernel_size=k, stride=stride, padding=p, ceil_mode=rng.random() < 0.5, count_include_pad=rng.random() < 0.5
    )
    if dims > 1 and rng.random() < 0.2:
        args["divisor_override"] = rng.randint(1, 4)
    return Case(category, f"AvgPool{dims}d", args, (1, rng.randint(1, 3), *_spatial(rng, dims)))


def gen_adaptive(rng: random.Random, category: str = "adaptive") -> Case:
    """AdaptiveAvgPool/AdaptiveMaxPool 1d/2d/3d; output sizes above and below the input, and None."""
    dims = rng.randint(1, 3)
    kind = rng.choice(("Avg", "Max"))
    if dims > 1 and rng.random() < 0.4:
        out: Any = tuple(None if rng.random() < 0.3 else rng.randint(1, 7) for _ in range(dims))
    else:
        out = rng.randint(1 if rng.random() < 0.95 else 0, 7)
    return Case(
        category,
        f"Adaptive{kind}Pool{dims}d",
        {"output_size": out},
        (rng.randint(1, 2), rng.randint(1, 3), *_spatial(rng, dims)),
    )


def gen_linear(rng: random.Random, category: str = "linear") -> Case:
    """Linear on inputs of rank 2 to 4 (it acts on the last dimension)."""
    rank = rng.randint(2, 4)
    shape = tuple(rng.randint(1, 5) for _ in range(rank - 1)) + (rng.randint(1, 20),)
    args = dict(in_features=shape[-1], out_features=rng.randint(1, 20), bias=rng.random() < 0.7)
    return Case(category, "Linear", args, shape)


_PAD_KINDS = ("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad")


def gen_pad(rng: random.Random, category: str = "pad") -> Case:
    """Zero/Constant/Reflection/Replication/CircularPad 1d/2d/3d; int or per-side padding,
    sometimes negative (cropping), on batched and unbatched inputs."""
    dims = rng.randint(1, 3)
    kind = rng.choice(_PAD_KINDS)
    lo = -2 if rng.random() < (0.3 if kind in ("ZeroPad", "ConstantPad") else 0.15) else 0
    padding: Any = rng.randint(lo, 3) if rng.random() < 0.4 else tuple(rng.randint(lo, 3) for _ in range(2 * dims))
    args: dict[str, Any] = {"padding": padding}
    if kind == "ConstantPad":
        args["value"] = 0.5
    lead = (1, rng.randint(1, 2)) if rng.random() < 0.8 else (rng.randint(1, 2),)
    return Case(category, f"{kind}{dims}d", args, (*lead, *_spatial(rng, dims, 1, 6)))


_UPSAMPLE_MODES = {
    1: ("nearest", "linear", "area", "nearest-exact"),
    2: ("nearest", "bilinear", "bicubic", "area", "nearest-exact"),
    3: ("nearest", "trilinear", "area", "nearest-exact"),
}


def gen_upsample(rng: random.Random, category: str = "upsample") -> Case:
    """Upsample with size or scale_factor (output = floor(input × scale_factor)), every mode."""
    dims = rng.randint(1, 3)
    wrong_rank = rng.random() < 0.08  # e.g. bilinear on a 3-d input: refused
    mode = rng.choice(_UPSAMPLE_MODES[rng.choice([x for x in (1, 2, 3) if x != dims]) if wrong_rank else dims])
    args: dict[str, Any] = {"mode": mode}
    entries = dims + (rng.choice((-1, 1)) if rng.random() < 0.06 and dims > 1 else 0)  # wrong length: refused
    if rng.random() < 0.35:
        args["size"] = _per_dim(rng, entries, 1, 9, as_tuple=0.5 if entries == dims else 1.0)
    else:
        choices = (0.5, 1.5, 2.0, 3.0, 0.3, 1.7, 2.5, 0.75)
        args["scale_factor"] = (
            tuple(rng.choice(choices) for _ in range(entries))
            if entries != dims or (dims > 1 and rng.random() < 0.4)
            else rng.choice(choices)
        )
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and rng.random() < 0.5:
        args["align_corners"] = rng.random() < 0.5
    return Case(category, "Upsample", args, (1, rng.randint(1, 2), *_spatial(rng, dims, 1, 7)))


def gen_norm(rng: random.Random, category: str = "norm") -> Case:
    """BatchNorm, InstanceNorm (1d/2d/3d), LayerNorm, GroupNorm, LocalResponseNorm with
    matching feature counts and every affine / track_running_stats combination."""
    kind = rng.choice(("BatchNorm", "BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm", "LocalResponseNorm"))
    dims = rng.randint(1, 3)
    c = rng.randint(1, 6)
    shape = (rng.randint(1, 3), c, *_spatial(rng, dims, 1, 5))
    if kind in ("GroupNorm", "LocalResponseNorm") and rng.random() < 0.15:
        shape = shape[:2]  # GroupNorm takes [N, C]; LocalResponseNorm refuses it
    if kind in ("BatchNorm", "InstanceNorm"):
        if kind == "BatchNorm" and dims == 1 and rng.random() < 0.3:
            shape = shape[:2]  # BatchNorm1d also takes [N, C]
        args: dict[str, Any] = dict(num_features=c, affine=rng.random() < 0.5, track_running_stats=rng.random() < 0.5)
        return Case(category, f"{kind}{dims}d", args, shape)
    if kind == "LayerNorm":
        tail = rng.randint(1, len(shape) - 1)
        args = dict(
            normalized_shape=list(shape[-tail:]), elementwise_affine=rng.random() < 0.7, bias=rng.random() < 0.7
        )
        return Case(category, "LayerNorm", args, shape)
    if kind == "GroupNorm":
        g = rng.choice([x for x in range(1, c + 1) if c % x == 0])
        return Case(category, "GroupNorm", dict(num_groups=g, num_channels=c, affine=rng.random() < 0.7), shape)
    return Case(category, "LocalResponseNorm", dict(size=rng.randint(1, 5)), shape)


def gen_reshape(rng: random.Random, category: str = "reshape") -> Case:
    """Flatten(start_dim, end_dim) and Unflatten(dim, sizes) with and without -1."""
    shape = tuple(rng.randint(1, 4) for _ in range(rng.randint(2, 5)))
    rank = len(shape)
    if rng.random() < 0.5:
        a = rng.randint(-rank, rank - 1)
        b = rng.randint(-rank, rank - 1)
        return Case(category, "Flatten", dict(start_dim=a, end_dim=b), shape)
    dim = rng.randint(-rank, rank - 1)
    n = shape[dim]
    divisors = [x for x in range(1, n + 1) if n % x == 0]
    first = rng.choice(divisors)
    sizes = [first, n // first]
    if rng.random() < 0.3:
        sizes[rng.randint(0, 1)] = -1
    if rng.random() < 0.15:
        sizes[0] += 1  # a product that does not match
    return Case(category, "Unflatten", dict(dim=dim, unflattened_size=tuple(sizes)), shape)


def gen_elementwise(rng: random.Random, category: str = "elementwise") -> Case:
    """PReLU (its num_parameters are parameters) and a few shape-preserving layers."""
    shape = (rng.randint(1, 2), rng.randint(1, 4), *_spatial(rng, rng.randint(1, 2), 1, 5))
    kind = rng.choice(("PReLU", "PReLU", "ReLU", "GELU", "Softmax", "Dropout2d", "Hardswish"))
    if kind == "PReLU":
        return Case(category, "PReLU", {"num_parameters": rng.choice((1, shape[1], shape[1] + 1))}, shape)
    if kind == "Softmax":
        return Case(category, "Softmax", {"dim": rng.randint(-len(shape), len(shape) - 1)}, shape)
    return Case(category, kind, {}, shape)


# --- edge cases ------------------------------------------------------------------------


def gen_ceil_drop(rng: random.Random) -> Case:
    """Pooling in ceil_mode where the bare ceil formula gives one window too many: the
    last window would start in the right padding or past the input, and PyTorch drops it."""
    while True:
        n, k, s = rng.randint(1, 12), rng.randint(1, 5), rng.randint(1, 5)
        p = rng.randint(0, k // 2)
        naive = -(-(n + 2 * p - k) // s) + 1
        if naive >= 2 and (naive - 1) * s >= n + p:  # PyTorch's condition, written out here
            break
    family = rng.choice(("MaxPool", "AvgPool"))
    dims = rng.randint(1, 3) if n <= MAX_SIDE[3] else rng.randint(1, 2) if n <= MAX_SIDE[2] else 1
    k_t, s_t, p_t = (k,) + (rng.randint(1, 3),) * (dims - 1), (s,) + (1,) * (dims - 1), (p,) + (0,) * (dims - 1)
    spatial = (n, *_spatial(rng, dims - 1, 3, MAX_SIDE[dims]))
    args: dict[str, Any] = dict(kernel_size=k_t, stride=s_t, padding=p_t, ceil_mode=True)
    return Case("ceil_drop", f"{family}{dims}d", args, (1, 1, *spatial), {"naive": naive, "axis": 0})


def gen_pad_too_large(rng: random.Random) -> Case:
    """Padding PyTorch refuses: pooling padding over half the kernel (for MaxPool with
    dilation, within half the effective kernel but over half the undilated one), and
    conv/padding-layer paddings that reflect or wrap past the input."""
    r = rng.random()
    dims = rng.randint(1, 3)
    if r < 0.5:
        family = rng.choice(("MaxPool", "AvgPool"))
        k = rng.randint(1, 5)
        args: dict[str, Any] = dict(kernel_size=k, stride=rng.randint(1, 3), ceil_mode=rng.random() < 0.3)
        if family == "MaxPool" and rng.random() < 0.5:
            d = rng.randint(2, 3)
            k_e = d * (k - 1) + 1
            args["dilation"] = d
            args["padding"] = rng.randint(k // 2 + 1, max(k // 2 + 1, k_e // 2))
        else:
            args["padding"] = rng.randint(k // 2 + 1, k // 2 + 2)
        return Case("pad_too_large", f"{family}{dims}d", args, (1, 1, *_spatial(rng, dims, 4)))
    if r < 0.75:
        n = rng.randint(1, 5)
        mode = rng.choice(("reflect", "circular"))
        p = rng.randint(n - 1, n + 2)
        args = dict(in_channels=1, out_channels=1, kernel_size=rng.randint(1, 3), padding=p, padding_mode=mode)
        return Case("pad_too_large", f"Conv{dims}d", args, (1, 1, *(n,) * dims))
    n = rng.randint(1, 5)
    kind = rng.choice(("ReflectionPad", "CircularPad"))
    return Case("pad_too_large", f"{kind}{dims}d", {"padding": rng.randint(n - 1, n + 2)}, (1, 1, *(n,) * dims))


def gen_empty_output(rng: random.Random) -> Case:
    """Outputs that would have size ≤ 0: kernels larger than the padded input, upsampling
    to nothing, padding layers cropping everything."""
    dims = rng.randint(1, 3)
    n = rng.randint(1, 4)
    r = rng.random()
    if r < 0.35:
        k = rng.randint(n + 1, n + 4)
        args: dict[str, Any] = dict(
            in_channels=1, out_channels=2, kernel_size=k, padding=rng.randint(0, max(0, (k - n - 1) // 2)), dilation=1
        )
        if rng.random() < 0.3:
            args.update(kernel_size=2, dilation=rng.randint(n, n + 3), padding=0)
        return Case("empty_output", f"Conv{dims}d", args, (1, 1, *(n,) * dims))
    if r < 0.7:
        family = rng.choice(("MaxPool", "AvgPool"))
        k = rng.randint(n + 1, n + 5)
        args = dict(kernel_size=k, stride=rng.randint(1, 3), ceil_mode=rng.random() < 0.5)
        return Case("empty_output", f"{family}{dims}d", args, (1, 1, *(n,) * dims))
    if r < 0.85:
        return Case("empty_output", "Upsample", {"scale_factor": rng.choice((0.1, 0.2, 0.3))}, (1, 1, *(n,) * dims))
    kind = rng.choice(("ZeroPad", "ConstantPad"))
    args = {"padding": -rng.randint((n + 1) // 2, n)}
    if kind == "ConstantPad":
        args["value"] = 0.0
    return Case("empty_output", f"{kind}{dims}d", args, (1, 1, *(n,) * dims))


def gen_stride_skips(rng: random.Random) -> Case:
    """Strides larger than the kernel (or not dividing the input) so that some input rows
    are never read; convcalc must warn exactly when the brute-force reference says so."""
    dims = rng.randint(1, 3)
    k = rng.randint(1, 3)
    s = rng.randint(k + 1, k + 3) if rng.random() < 0.7 else rng.randint(2, 4)
    n = rng.randint(k + 1, MAX_SIDE[dims])
    if rng.random() < 0.6:
        args: dict[str, Any] = dict(
            in_channels=2,
            out_channels=2,
            kernel_size=k,
            stride=s,
            padding=rng.randint(0, 1),
            dilation=rng.choice((1, 1, 2)),
        )
        return Case("stride_skips", f"Conv{dims}d", args, (1, 2, *(n,) * dims))
    family = rng.choice(("MaxPool", "AvgPool"))
    args = dict(kernel_size=k, stride=s, padding=rng.randint(0, k // 2), ceil_mode=rng.random() < 0.5)
    return Case("stride_skips", f"{family}{dims}d", args, (1, 1, *(n,) * dims))


def gen_same_even(rng: random.Random) -> Case:
    """padding='same' with at least one even kernel (PyTorch pads the extra pixel after)."""
    case = gen_conv(rng, "same_even")
    dims = len(case.shape) - 2
    k = list(_tup(case.args["kernel_size"], dims))
    k[rng.randrange(dims)] = rng.choice((2, 4, 6))
    case.args.update(kernel_size=tuple(k), padding="same", stride=1)
    return case


def gen_same_dilated(rng: random.Random) -> Case:
    """padding='same' with dilation > 1 (total padding d·(k − 1), split as PyTorch does)."""
    case = gen_conv(rng, "same_dilated")
    case.args.update(padding="same", stride=1, dilation=rng.randint(2, 4))
    return case


def gen_same_strided(rng: random.Random) -> Case:
    """padding='same' with a stride > 1: PyTorch refuses it."""
    case = gen_conv(rng, "same_strided")
    case.args.update(padding="same", stride=rng.randint(2, 3))
    return case


def gen_bad_groups(rng: random.Random) -> Case:
    """groups that do not divide in_channels or out_channels (Conv and ConvTranspose),
    and GroupNorm num_groups not dividing num_channels."""
    g = rng.randint(2, 4)
    r = rng.random()
    dims = rng.randint(1, 3)
    if r < 0.8:
        c_in, c_out = g * rng.randint(1, 2), g * rng.randint(1, 2)
        if rng.random() < 0.5:
            c_in += rng.randint(1, g - 1)
        else:
            c_out += rng.randint(1, g - 1)
        family = rng.choice(("Conv", "ConvTranspose"))
        args = dict(in_channels=c_in, out_channels=c_out, kernel_size=rng.randint(1, 3), groups=g)
        return Case("bad_groups", f"{family}{dims}d", args, (1, c_in, *_spatial(rng, dims, 3, 6)))
    c = g * rng.randint(1, 2) + rng.randint(1, g - 1)
    return Case("bad_groups", "GroupNorm", dict(num_groups=g, num_channels=c), (1, c, *_spatial(rng, dims, 1, 4)))


def gen_bad_output_padding(rng: random.Random) -> Case:
    """ConvTranspose with output_padding not smaller than both stride and dilation
    (and, for contrast, ones that are smaller than only one of them)."""
    case = gen_conv_transpose(rng, "bad_output_padding")
    dims = len(case.shape) - 2
    s, d = list(case.args["stride"]), list(case.args["dilation"])
    op = list(case.args["output_padding"])
    i = rng.randrange(dims)
    if rng.random() < 0.7:
        op[i] = max(s[i], d[i]) + rng.randint(0, 1)  # invalid
    else:
        s[i], d[i] = rng.choice(((1, 3), (3, 1), (2, 2)))
        op[i] = max(s[i], d[i]) - 1  # valid: just under the larger of the two
    case.args.update(stride=tuple(s), dilation=tuple(d), output_padding=tuple(op))
    return case


def gen_channel_mismatch(rng: random.Random) -> Case:
    """A declared channel or feature count that is not the input's: Conv/ConvTranspose
    in_channels, Linear in_features, BatchNorm/InstanceNorm num_features, GroupNorm
    num_channels, LayerNorm normalized_shape."""
    r = rng.random()
    c = rng.randint(1, 4)
    wrong = c + rng.choice((-1, 1, 2)) if c > 1 else c + rng.randint(1, 2)
    dims = rng.randint(1, 3)
    shape = (rng.randint(1, 2), c, *_spatial(rng, dims, 3, 5))
    if r < 0.35:
        family = rng.choice(("Conv", "ConvTranspose"))
        return Case(
            "channel_mismatch",
            f"{family}{dims}d",
            dict(in_channels=wrong, out_channels=2, kernel_size=rng.randint(1, 3)),
            shape,
        )
    if r < 0.55:
        return Case(
            "channel_mismatch",
            "Linear",
            dict(in_features=shape[-1] + rng.randint(1, 3), out_features=3),
            shape[: rng.randint(2, len(shape))],
        )
    if r < 0.8:
        kind = rng.choice(("BatchNorm", "BatchNorm", "InstanceNorm"))
        args = dict(num_features=wrong, affine=rng.random() < 0.6, track_running_stats=rng.random() < 0.6)
        return Case("channel_mismatch", f"{kind}{dims}d", args, shape)
    if r < 0.9:
        return Case("channel_mismatch", "GroupNorm", dict(num_groups=1, num_channels=wrong), shape)
    return Case("channel_mismatch", "LayerNorm", dict(normalized_shape=[shape[-1] + 1]), shape)


def gen_bad_values(rng: random.Random) -> Case:
    """Non-positive kernel, stride or dilation and negative padding (conv, transposed,
    pools); and values some layers do not take: padding='same' for transposed convolution
    and pooling, divisor_override=0, padding_mode other than zeros for transposed
    convolution, align_corners with mode='nearest'."""
    family = rng.choice(("Conv", "ConvTranspose", "MaxPool", "AvgPool"))
    dims = rng.randint(1, 3)
    r = rng.random()
    if r < 0.08:
        return Case(
            "bad_values", "Upsample", dict(scale_factor=2, mode="nearest", align_corners=True), (1, 1, *(3,) * dims)
        )
    if r < 0.16:
        args: dict[str, Any] = dict(kernel_size=3, padding="same")
        if family.startswith("Conv"):
            family = "ConvTranspose"
            args.update(in_channels=1, out_channels=1)
        return Case("bad_values", f"{family}{dims}d", args, (1, 1, *(5,) * dims))
    if r < 0.22 and dims > 1:
        return Case("bad_values", f"AvgPool{dims}d", dict(kernel_size=2, divisor_override=0), (1, 1, *(4,) * dims))
    bad = rng.choice(("kernel_size", "stride", "dilation", "padding"))
    if family == "AvgPool" and bad == "dilation":
        bad = "stride"
    args = dict(kernel_size=2, stride=1, padding=0)
    if family != "AvgPool":
        args["dilation"] = 1
    if family.startswith("Conv"):
        args.update(in_channels=1, out_channels=1)
    args[bad] = -1 if bad == "padding" else rng.choice((0, -1))
    if family == "ConvTranspose" and rng.random() < 0.25:  # PyTorch supports only zeros
        args.update({bad: 1 if bad != "padding" else 0, "padding_mode": rng.choice(("reflect", "circular"))})
    return Case("bad_values", f"{family}{dims}d", args, (1, 1, *(5,) * dims))


def gen_transposed_zero(rng: random.Random) -> Case:
    """Transposed convolutions whose output would be exactly 0 or negative: padding larger
    than what (n − 1)·s + d·(k − 1) + 1 leaves."""
    dims = rng.randint(1, 3)
    n, k, s = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)
    full = (n - 1) * s + (k - 1) + 1
    p = (full + rng.randint(0, 2)) // 2 + (1 if full % 2 else 0)  # 2p ≥ full: output ≤ 0
    args = dict(in_channels=1, out_channels=rng.randint(1, 2), kernel_size=k, stride=s, padding=p)
    return Case("transposed_zero", f"ConvTranspose{dims}d", args, (1, 1, *(n,) * dims), {"full": full})


# --- acceptance: the ranks and values PyTorch takes (SPEC §3) and the values it refuses ---


def gen_instance_norm(rng: random.Random, category: str = "norm") -> Case:
    dims = rng.randint(1, 3)
    c = rng.randint(1, 5)
    args = dict(num_features=c, affine=rng.random() < 0.5, track_running_stats=rng.random() < 0.5)
    return Case(category, f"InstanceNorm{dims}d", args, (rng.randint(1, 2), c, *_spatial(rng, dims, 1, 5)))


def gen_lppool_in(rng: random.Random, category: str) -> Case:
    dims = rng.randint(1, 3)
    args = dict(norm_type=rng.choice((1, 2, float("inf"))), kernel_size=rng.randint(1, 3), ceil_mode=rng.random() < 0.3)
    return Case(category, f"LPPool{dims}d", args, (rng.randint(1, 2), rng.randint(1, 3), *_spatial(rng, dims)))


_UNBATCHED: tuple[Callable[[random.Random, str], Case], ...] = (
    gen_conv, gen_conv_transpose, gen_maxpool, gen_avgpool, gen_lppool_in, gen_adaptive, gen_instance_norm,
)  # fmt: skip


def gen_unbatched(rng: random.Random) -> Case:
    """Convolution, transposed convolution, max/avg/LP pooling, adaptive pooling and
    InstanceNorm on an unbatched ``[C, *spatial]`` input; one in five on a rank PyTorch
    refuses: ``[*spatial]`` or ``[1, N, C, *spatial]``."""
    case = rng.choice(_UNBATCHED)(rng, "unbatched")
    shape = case.shape[1:]
    r = rng.random()
    if r < 0.1:
        shape = shape[1:]
    elif r < 0.2:
        shape = (1, *case.shape)
    return Case("unbatched", case.type, case.args, shape)


def gen_pad_ranks(rng: random.Random) -> Case:
    """The padding layers on inputs of rank 1 to 6: ZeroPad and ConstantPad take any rank
    with the padded dimensions, the others ``[C, *spatial]`` and ``[N, C, *spatial]``."""
    case = gen_pad(rng, "pad_ranks")
    dims = int(case.type[-2])
    rank = rng.randint(1, 6)
    shape = tuple(rng.randint(1, 3) for _ in range(max(rank - dims, 0))) + case.shape[-dims:][-rank:]
    return Case("pad_ranks", case.type, case.args, shape)


def gen_dropout_ranks(rng: random.Random) -> Case:
    """Dropout1d/2d/3d on inputs of rank 1 to 6 (PyTorch 2.13 warns on, but takes, any rank
    for Dropout2d and Dropout3d; Dropout1d takes 2 and 3)."""
    shape = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 6)))
    return Case("dropout_ranks", f"Dropout{rng.randint(1, 3)}d", {"p": rng.choice((0.0, 0.3))}, shape)


def gen_adaptive_null(rng: random.Random) -> Case:
    """Adaptive pooling with null output sizes: null itself and a 1-d ``[null]`` are refused,
    a list of one entry per dimension with nulls taken (2-d and 3-d)."""
    dims = rng.randint(1, 3)
    r = rng.random()
    out: Any = (
        None if r < 0.3 else tuple(None if rng.random() < 0.6 else rng.randint(1, 4) for _ in range(dims))
    )
    kind = rng.choice(("Avg", "Max"))
    lead = (rng.randint(1, 2), rng.randint(1, 3)) if rng.random() < 0.7 else (rng.randint(1, 3),)
    return Case("adaptive_null", f"Adaptive{kind}Pool{dims}d", {"output_size": out}, (*lead, *_spatial(rng, dims)))


def gen_norm_eps(rng: random.Random) -> Case:
    """BatchNorm and InstanceNorm with eps < 0, 0 and > 0, with and without running statistics:
    batch_norm refuses eps < 0, and eps 0 where it uses the batch's statistics; InstanceNorm takes any."""
    kind = rng.choice(("BatchNorm", "BatchNorm", "InstanceNorm"))
    dims = rng.randint(1, 3)
    c = rng.randint(1, 4)
    args = dict(num_features=c, eps=rng.choice((-1e-3, 0.0, 0.0, 1e-5)), track_running_stats=rng.random() < 0.5,
                affine=rng.random() < 0.5)  # fmt: skip
    return Case("norm_eps", f"{kind}{dims}d", args, (2, c, *_spatial(rng, dims, 2, 4)))


def gen_activation_bounds(rng: random.Random) -> Case:
    """Hardtanh with max_val ≤ min_val (refused) and above; CELU and ELU with alpha 0 (CELU refuses it)."""
    shape = (rng.randint(1, 2), rng.randint(1, 4))
    if rng.random() < 0.5:
        lo = rng.choice((-2.0, -1.0, 0.0, 1.0))
        hi = lo + rng.choice((-1.0, 0.0, 0.5, 2.0))
        return Case("activation_bounds", "Hardtanh", dict(min_val=lo, max_val=hi), shape)
    return Case("activation_bounds", rng.choice(("CELU", "ELU")), dict(alpha=rng.choice((0.0, 0.0, 1.0, -0.5))), shape)


def gen_upsample_recompute(rng: random.Random) -> Case:
    """Upsample with recompute_scale_factor: true is refused with size, taken with scale_factor."""
    case = gen_upsample(rng, "upsample_recompute")
    args = {k: v for k, v in case.args.items() if k != "align_corners"}
    args["recompute_scale_factor"] = rng.choice((True, True, False, None))
    return Case("upsample_recompute", case.type, args, case.shape)


#: Acceptance categories: (accepted, rejected) that must each be at least this often realised.
MIN_ACCEPTANCE = {  # with this seed: 471/229, 118/132, 84/16, 53/47, 85/55, 64/36, 57/23
    "unbatched": (400, 180),
    "pad_ranks": (100, 100),
    "dropout_ranks": (70, 10),
    "adaptive_null": (40, 40),
    "norm_eps": (70, 45),
    "activation_bounds": (50, 30),
    "upsample_recompute": (45, 20),
}


#: (generator, number of cases): the random families, then the deliberate edge cases.
PLAN: list[tuple[Callable[[random.Random], Case], int]] = [
    (gen_conv, 700),
    (gen_conv_transpose, 350),
    (gen_maxpool, 350),
    (gen_avgpool, 300),
    (gen_adaptive, 120),
    (gen_linear, 100),
    (gen_pad, 200),
    (gen_upsample, 160),
    (gen_norm, 200),
    (gen_reshape, 80),
    (gen_elementwise, 40),
    (gen_ceil_drop, 120),
    (gen_pad_too_large, 120),
    (gen_empty_output, 130),
    (gen_stride_skips, 120),
    (gen_same_even, 80),
    (gen_same_dilated, 80),
    (gen_same_strided, 30),
    (gen_bad_groups, 90),
    (gen_bad_output_padding, 90),
    (gen_channel_mismatch, 110),
    (gen_bad_values, 60),
    (gen_transposed_zero, 60),
    (gen_unbatched, 700),
    (gen_pad_ranks, 250),
    (gen_dropout_ranks, 100),
    (gen_adaptive_null, 100),
    (gen_norm_eps, 140),
    (gen_activation_bounds, 100),
    (gen_upsample_recompute, 80),
]


def generate_cases(seed: int = SEED) -> list[Case]:
    rng = random.Random(seed)
    return [gen(rng) for gen, count in PLAN for _ in range(count)]


# ---------------------------------------------------------------------------------------
# Running one case on each side
# ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one side made of a case: an error, or shape/params/buffers (and macs/flops)."""

    error: str | None = None
    shape: tuple[int, ...] | None = None
    params: int = 0
    buffers: int = 0
    flops: int | None = None  # torch: FlopCounterMode's count; convcalc: 2·macs
    warnings: tuple[str, ...] = ()
    empty: bool = False  # torch returned a tensor with a 0-size dimension


def run_torch(case: Case, count_flops: bool) -> Outcome:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = getattr(torch.nn, case.type)(**case.args)
            module.eval()
            with torch.no_grad():
                x = torch.zeros(case.shape)
                if count_flops:
                    with FlopCounterMode(display=False) as counter:
                        y = module(x)
                else:
                    y = module(x)
    except TypeError as err:
        if "unexpected keyword" in str(err) or "missing" in str(err):
            raise AssertionError(f"generator bug: {case}: {err}") from err
        return Outcome(error=f"{type(err).__name__}: {err}")
    except (RuntimeError, ValueError, NotImplementedError, IndexError, AssertionError) as err:  # Hardtanh asserts
        return Outcome(error=f"{type(err).__name__}: {err}")
    shape = tuple(y.shape)
    if 0 in shape:
        return Outcome(error="torch returned an empty tensor", shape=shape, empty=True)
    params = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    flops = counter.get_total_flops() if count_flops else None
    return Outcome(shape=shape, params=params, buffers=buffers, flops=flops)


def run_convcalc(case: Case) -> Outcome:
    try:
        step = build(case.type, **case.args).forward(case.shape)
    except ConvCalcError as err:
        if err.exit_code != 1:
            return Outcome(error=f"exit code {err.exit_code} (expected 1): {err}", shape=())
        return Outcome(error=str(err))
    return Outcome(
        shape=step.output_shape, params=step.params, buffers=step.buffers, flops=2 * step.macs, warnings=step.warnings
    )


def compare(case: Case, ours: Outcome, theirs: Outcome) -> str | None:
    """The disagreement between convcalc and torch on one case, or None."""
    if theirs.error is not None:
        if ours.error is None:
            return f"torch rejects ({theirs.error.splitlines()[0]}), convcalc gives {ours.shape}"
        if ours.shape == ():  # rejected with the wrong exit code
            return ours.error
        return None
    if ours.error is not None:
        return f"convcalc rejects ({ours.error}), torch gives {theirs.shape}"
    got = (ours.shape, ours.params, ours.buffers)
    want = (theirs.shape, theirs.params, theirs.buffers)
    if got != want:
        return f"(shape, params, buffers): convcalc {got}, torch {want}"
    if theirs.flops is not None and theirs.flops != ours.flops:
        return f"flops: convcalc 2·macs = {ours.flops}, FlopCounterMode {theirs.flops}"
    return None


def torch_layout_dependent(case: Case) -> bool:
    """CircularPad whose wrap-around is longer than the input left after cropping the
    negative side (see the module docstring): per dimension, with sides (a, b) in
    PyTorch's order, a positive side larger than n + min(other side, 0)."""
    if not case.type.startswith("CircularPad"):
        return False
    dims = int(case.type[-2])
    pad = case.args["padding"]
    sides = pad if isinstance(pad, tuple) else (pad,) * (2 * dims)
    sizes = case.shape[-dims:][::-1]  # the first pair of sides pads the last dimension
    return any(a > n + min(b, 0) or b > n + min(a, 0) for n, a, b in zip(sizes, sides[0::2], sides[1::2]))


def unread_by_reference(case: Case) -> bool:
    """Whether the brute-force reference finds real input positions that no window reads
    (only for the stride_skips cases, which use int arguments)."""
    a = case.args
    dims = len(case.shape) - 2
    n = case.shape[2]
    k, s, p = a["kernel_size"], a["stride"], a["padding"]
    d = a.get("dilation", 1)
    ceil = a.get("ceil_mode", False)
    _, unread, _ = slide(n, k, s, p, p, d, ceil_mode=ceil)
    return bool(unread) and dims >= 1


def run_all(cases: list[Case]) -> tuple[list[str], Counter[str], Counter[str]]:
    """Run every case; return the disagreements, per-category counts and outcome counts."""
    problems: list[str] = []
    per_category: Counter[str] = Counter()
    tally: Counter[str] = Counter()
    flop_candidates = 0
    for case in cases:
        per_category[case.category] += 1
        is_dense = case.type.startswith("Conv") or case.type == "Linear"
        count_flops = False
        if is_dense:
            flop_candidates += 1
            count_flops = flop_candidates % FLOP_EVERY == 0
        theirs = run_torch(case, count_flops)
        if torch_layout_dependent(case):
            tally["torch_layout_dependent"] += 1
            theirs = Outcome(error="CircularPad wrap longer than the cropped input")
        ours = run_convcalc(case)
        problem = compare(case, ours, theirs)
        if problem:
            problems.append(f"{case}: {problem}")
            continue
        tally["torch rejects" if theirs.error else "torch accepts"] += 1
        if theirs.empty:
            tally["torch_empty"] += 1
        if theirs.flops is not None:
            tally["flops checked"] += 1
        tally.update(realised(case, ours, theirs))
    return problems, per_category, tally


def realised(case: Case, ours: Outcome, theirs: Outcome) -> list[str]:
    """Which edge cases this case really exercised, judged from torch's answer (and from
    the brute-force reference for unread input), not from convcalc's."""
    got = []
    if case.category == "ceil_drop" and theirs.error is None:
        assert theirs.shape is not None
        if theirs.shape[2] == case.note["naive"] - 1:  # torch dropped the naive last window
            got.append("realised: ceil_drop")
            if not any("ceil_mode" in w for w in ours.warnings):
                raise AssertionError(f"{case}: no ceil_mode warning in {ours.warnings}")
    elif case.category == "stride_skips" and theirs.error is None:
        unread = unread_by_reference(case)
        warned = any("never read" in w for w in ours.warnings)
        if unread != warned:
            raise AssertionError(f"{case}: reference says unread={unread}, convcalc warnings {ours.warnings}")
        if unread:
            got.append("realised: stride_skips")
    elif case.category in ("same_even", "same_dilated") and theirs.error is None:
        assert theirs.shape is not None
        if theirs.shape[2:] == case.shape[2:]:
            got.append(f"realised: {case.category}")
    elif (
        case.category
        in (
            "pad_too_large",
            "empty_output",
            "same_strided",
            "bad_groups",
            "channel_mismatch",
            "bad_values",
            "transposed_zero",
        )
        and theirs.error is not None
    ):
        got.append(f"realised: {case.category}")
    elif case.category == "bad_output_padding":
        got.append(f"realised: bad_output_padding {'rejected' if theirs.error else 'accepted'}")
    elif case.category in MIN_ACCEPTANCE:
        got.append(f"realised: {case.category} {'rejected' if theirs.error else 'accepted'}")
    return got


#: Minimum number of cases per edge category that must really exercise the edge
#: (torch rejects, torch drops the ceil window, the reference finds unread input, ...).
MIN_REALISED = {
    "ceil_drop": 100,
    "pad_too_large": 80,
    "empty_output": 100,
    "stride_skips": 80,
    "same_even": 60,
    "same_dilated": 60,
    "same_strided": 30,
    "bad_groups": 80,
    "bad_output_padding rejected": 50,
    "bad_output_padding accepted": 15,
    "channel_mismatch": 60,
    "bad_values": 50,
    "transposed_zero": 50,
}


def test_oracle_single_layers() -> None:
    cases = generate_cases()
    problems, per_category, tally = run_all(cases)
    summary = ", ".join(f"{k} {v}" for k, v in sorted((per_category + tally).items()))
    print(f"\n{len(cases)} oracle cases: {summary}")
    assert not problems, f"{len(problems)} disagreements with torch, e.g.:\n" + "\n".join(problems[:25])
    assert len(cases) >= 3000
    for name, minimum in MIN_REALISED.items():
        assert tally[f"realised: {name}"] >= minimum, (name, tally[f"realised: {name}"])
    for name, (accepted, rejected) in MIN_ACCEPTANCE.items():
        got = (tally[f"realised: {name} accepted"], tally[f"realised: {name} rejected"])
        assert got[0] >= accepted and got[1] >= rejected, (name, got, (accepted, rejected))
    assert tally["torch rejects"] >= 700 and tally["torch accepts"] >= 2000
    assert tally["flops checked"] >= 250


if __name__ == "__main__":  # python tests/test_oracle_layers.py: list every disagreement
    import sys

    found, categories, counts = run_all(generate_cases())
    print("\n".join(found))
    print(len(found), "disagreements;", dict(categories), dict(counts), file=sys.stderr)


# ---------------------------------------------------------------------------------------
# v2 layers (SPEC §2a) and LPPool: their own seed and plan, so the cases above stay the same
# ---------------------------------------------------------------------------------------

SEED_V2 = 20_250_214


class _Permute(torch.nn.Module):
    def __init__(self, dims: Any) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: Any) -> Any:
        return x.permute(self.dims)


class _Slice(torch.nn.Module):
    def __init__(self, dim: int, start: int = 0, end: int | None = None, step: int = 1) -> None:
        super().__init__()
        self.dim, self.index = dim, slice(start, end, step)

    def forward(self, x: Any) -> Any:
        dim = self.dim + x.dim() if self.dim < 0 else self.dim  # IndexError when out of range, as torch
        return x[(slice(None),) * dim + (self.index,)]


class _Scale(torch.nn.Module):
    """ConvNeXt's layer scale: ``x * gamma``, gamma ``init · ones(shape)``."""

    def __init__(self, shape: Any = None, init: float = 1.0, channels: int = 1, rank: int = 4) -> None:
        super().__init__()
        if shape is None and rank < 2:
            raise ValueError("the default shape [C, 1, …] needs a channel dimension")
        size = list(shape) if shape is not None else [channels] + [1] * (rank - 2)
        self.gamma = torch.nn.Parameter(init * torch.ones(size))

    def forward(self, x: Any) -> Any:
        return x * self.gamma


def _v2_module(case: Case) -> Any:
    if case.type == "Permute":
        return _Permute(**case.args)
    if case.type == "Slice":
        return _Slice(**case.args)
    if case.type == "Scale":
        return _Scale(**case.args, channels=case.shape[1] if len(case.shape) > 1 else 1, rank=len(case.shape))
    return getattr(torch.nn, case.type)(**case.args)


_MERGES = {
    "Add": lambda xs, args: sum(xs[1:], xs[0]),
    "Multiply": lambda xs, args: __import__("functools").reduce(lambda a, b: a * b, xs),
    "Concat": lambda xs, args: torch.cat(xs, dim=args.get("dim", 1)),
}


def run_torch_v2(case: Case) -> Outcome:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if case.type in _MERGES:
                y = _MERGES[case.type]([torch.zeros(s) for s in case.note["shapes"]], case.args)
                params = buffers = 0
            else:
                module = _v2_module(case).eval()
                with torch.no_grad():
                    y = module(torch.zeros(case.shape))
                params = sum(p.numel() for p in module.parameters())
                buffers = sum(b.numel() for b in module.buffers())
    except TypeError as err:
        if "unexpected keyword" in str(err) or "missing" in str(err):
            raise AssertionError(f"generator bug: {case}: {err}") from err
        return Outcome(error=f"{type(err).__name__}: {err}")
    except (RuntimeError, ValueError, NotImplementedError, IndexError, ZeroDivisionError) as err:
        return Outcome(error=f"{type(err).__name__}: {err}")
    shape = tuple(y.shape)
    if 0 in shape:
        return Outcome(error="torch returned an empty tensor", shape=shape, empty=True)
    return Outcome(shape=shape, params=params, buffers=buffers)


def run_convcalc_v2(case: Case) -> Outcome:
    try:
        layer = build(case.type, **case.args)
        if case.type in _MERGES:
            shapes = case.note["shapes"]
            step = layer.forward_many(shapes, [f"'t{i}'" for i in range(len(shapes))])  # type: ignore[attr-defined]
        else:
            step = layer.forward(case.shape)
    except ConvCalcError as err:
        if err.exit_code != 1:
            return Outcome(error=f"exit code {err.exit_code} (expected 1): {err}", shape=())
        return Outcome(error=str(err))
    return Outcome(shape=step.output_shape, params=step.params, buffers=step.buffers)


def _shape_v2(rng: random.Random, lo: int = 1, hi: int = 5) -> tuple[int, ...]:
    return tuple(rng.randint(1, 6) for _ in range(rng.randint(lo, hi)))


def gen_lppool(rng: random.Random) -> Case:
    """LPPool1d/2d/3d: norm_type (0, ±inf and negative included), kernel, stride, ceil_mode."""
    dims = rng.randint(1, 3)
    k: Any = _per_dim(rng, dims, 1, 4)
    if dims == 1 and rng.random() < 0.1:
        k = (k,)  # PyTorch's lp_pool1d refuses a list kernel_size
    args: dict[str, Any] = dict(
        norm_type=rng.choice((1, 2, 2, 3, 1.5, -1, 0, float("inf"), -float("inf"))), kernel_size=k
    )
    if rng.random() < 0.6:
        args["stride"] = _per_dim(rng, dims, 0 if rng.random() < 0.05 else 1, 3)
    if rng.random() < 0.4:
        args["ceil_mode"] = True
    return Case("lppool", f"LPPool{dims}d", args, (rng.randint(1, 2), rng.randint(1, 3), *_spatial(rng, dims)))


def gen_permute(rng: random.Random) -> Case:
    shape = _shape_v2(rng, 1, 5)
    dims = list(range(len(shape)))
    rng.shuffle(dims)
    dims = [d - len(shape) if rng.random() < 0.3 else d for d in dims]
    r = rng.random()
    if r < 0.1:
        dims = dims[:-1] or [0, 0]  # too few
    elif r < 0.2 and len(dims) > 1:
        dims[0] = dims[1]  # a duplicate
    elif r < 0.25:
        dims[0] = len(shape)  # out of range
    return Case("permute", "Permute", {"dims": dims}, shape)


def gen_slice(rng: random.Random) -> Case:
    shape = _shape_v2(rng, 1, 5)
    n = max(shape)
    args: dict[str, Any] = {"dim": rng.randint(-len(shape), len(shape) - 1)}
    if rng.random() < 0.7:
        args["start"] = rng.randint(-n - 2, n + 2)
    if rng.random() < 0.6:
        args["end"] = rng.choice((None, rng.randint(-n - 2, n + 2)))
    if rng.random() < 0.5:
        args["step"] = rng.choice((1, 2, 3, 0, -1)) if rng.random() < 0.9 else 1
    if rng.random() < 0.05:
        args["dim"] = len(shape)
    return Case("slice", "Slice", args, shape)


def gen_channel_shuffle(rng: random.Random) -> Case:
    shape = _shape_v2(rng, 2, 5)
    return Case("channel_shuffle", "ChannelShuffle", {"groups": rng.choice((1, 2, 3, 4, 0))}, shape)


def gen_pixel_shuffle(rng: random.Random) -> Case:
    r = rng.choice((1, 2, 2, 3, 0))
    shape = list(_shape_v2(rng, 2, 5))
    if len(shape) >= 3 and rng.random() < 0.6:
        shape[-3] = max(1, r * r * rng.randint(1, 2))
    if rng.random() < 0.5:
        return Case("pixel_shuffle", "PixelShuffle", {"upscale_factor": r}, tuple(shape))
    if len(shape) >= 3 and rng.random() < 0.6 and r:
        shape[-1], shape[-2] = r * rng.randint(1, 3), r * rng.randint(1, 3)
    return Case("pixel_unshuffle", "PixelUnshuffle", {"downscale_factor": r}, tuple(shape))


def gen_glu(rng: random.Random) -> Case:
    shape = tuple(rng.choice((1, 2, 3, 4, 6)) for _ in range(rng.randint(1, 4)))
    args = {"dim": rng.randint(-len(shape) - 1, len(shape))} if rng.random() < 0.8 else {}
    return Case("glu", "GLU", args, shape)


def gen_scale(rng: random.Random) -> Case:
    shape = _shape_v2(rng, 1, 5)
    args: dict[str, Any] = {}
    if rng.random() < 0.5:
        k = rng.randint(1, len(shape))
        gamma = [rng.choice((1, s, s + 1)) for s in shape[-k:]]
        args["shape"] = [1] * rng.randint(0, 1) + gamma
    if rng.random() < 0.3:
        args["init"] = 1e-6
    return Case("scale", "Scale", args, shape)


def _broadcastable_pair(rng: random.Random) -> list[tuple[int, ...]]:
    a = _shape_v2(rng, 1, 4)
    b = list(a[rng.randint(0, len(a) - 1) :])
    for i in range(len(b)):
        r = rng.random()
        b[i] = 1 if r < 0.3 else b[i] + 1 if r < 0.4 else b[i]
    if rng.random() < 0.2:
        a = tuple(1 if rng.random() < 0.3 else v for v in a)
    shapes = [a, tuple(b)]
    if rng.random() < 0.2:
        shapes.append(tuple(a[-1:]))
    rng.shuffle(shapes)
    return shapes


def gen_merge(rng: random.Random) -> Case:
    kind = rng.choice(("Add", "Multiply", "Concat"))
    if kind != "Concat":
        shapes = _broadcastable_pair(rng)
        return Case(f"merge_{kind.lower()}", kind, {}, shapes[0], {"shapes": shapes})
    first = _shape_v2(rng, 1, 4)
    dim = rng.randint(-len(first), len(first) - 1)
    shapes = [first]
    for _ in range(rng.randint(1, 2)):
        other = list(first)
        other[dim] = rng.randint(1, 4)
        if rng.random() < 0.15:
            j = rng.randint(0, len(other) - 1)
            other[j] += 1
        if rng.random() < 0.05:
            other.append(1)
        shapes.append(tuple(other))
    args = {"dim": dim} if rng.random() < 0.8 or dim % len(first) != 1 else {}
    return Case("merge_concat", "Concat", args, first, {"shapes": shapes})


PLAN_V2: list[tuple[Callable[[random.Random], Case], int]] = [
    (gen_lppool, 400),
    (gen_permute, 200),
    (gen_slice, 300),
    (gen_channel_shuffle, 150),
    (gen_pixel_shuffle, 300),
    (gen_glu, 150),
    (gen_scale, 200),
    (gen_merge, 450),
]


def run_all_v2(seed: int = SEED_V2) -> tuple[list[str], Counter[str]]:
    rng = random.Random(seed)
    problems: list[str] = []
    tally: Counter[str] = Counter()
    for gen, count in PLAN_V2:
        for _ in range(count):
            case = gen(rng)
            theirs, ours = run_torch_v2(case), run_convcalc_v2(case)
            problem = compare(case, ours, theirs)
            if problem:
                problems.append(f"{case} {case.note.get('shapes', '')}: {problem}")
                continue
            tally[f"{case.category} {'rejects' if theirs.error else 'accepts'}"] += 1
    return problems, tally


def test_oracle_v2_layers() -> None:
    problems, tally = run_all_v2()
    print("\nv2 oracle:", ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    assert not problems, f"{len(problems)} disagreements with torch, e.g.:\n" + "\n".join(problems[:25])
    for category in ("lppool", "permute", "slice", "channel_shuffle", "pixel_shuffle", "pixel_unshuffle", "glu",
                     "scale", "merge_add", "merge_multiply", "merge_concat"):
        assert tally[f"{category} accepts"] >= 30, (category, tally)
        assert tally[f"{category} rejects"] >= 5, (category, tally)
