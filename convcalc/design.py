"""Input-size questions about a whole network: ``net --sweep`` and ``net --rf-at``.

* :func:`sweep` analyses a network at each of several input sizes, the network read
  once: which sizes it accepts (else the short reason), the output shapes, MACs, FLOPs,
  activation and peak bytes, and which rows leave input unread.
* :func:`rf_at` finds the input region that one output position of a row depends on:
  per spatial dimension the first and last input index, clipped to each tensor's bounds
  and before clipping. The region is carried backwards from the row to the input, through
  every layer (asked by class: sliding windows, transposed convolution's scatter,
  Upsample's index formulas, adaptive pooling's windows, padding, slicing, merges, the
  blocks of the file), as a set of index intervals per dimension of each tensor.

Both work on the report rows (:attr:`Row.layer`, :attr:`Row.inputs`, shapes) and, for
the blocks, on the :class:`~convcalc.network.Network` read by :func:`convcalc.spec.load`.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import arith
from .errors import ConvCalcError, InputError, InvalidLayerError, Place
from .layers import (
    AXES,
    GLU,
    MAX_NUMBER,
    AdaptivePool,
    BatchNorm,
    Concat,
    Conv,
    ConvTranspose,
    Elementwise,
    Flatten,
    GroupNorm,
    InstanceNorm,
    LayerNorm,
    Linear,
    Merge,
    Pad,
    Permute,
    PixelShuffle,
    PixelUnshuffle,
    Reshape,
    Slice,
    Sliding,
    Softmax,
    Unflatten,
    Upsample,
)
from .layers.padding import CircularPad, ReflectionPad, ReplicationPad
from .network import Block, Network
from .report import Report, Row

__all__ = ["Extent", "Region", "SweepRow", "Sweep", "parse_sweep", "region", "rf_at", "sweep"]

Shape = tuple[int, ...]

#: The most input sizes one sweep analyses.
MAX_SIZES = 10_000
#: Output positions enumerated one by one per interval; a longer run is taken whole (its hull).
_ENUMERATED = 1 << 16
#: Intervals kept per dimension; more are merged into their hull.
_MAX_PARTS = 4096


# ---------------------------------------------------------------------------------------
# --sweep
# ---------------------------------------------------------------------------------------


class SweepRow(NamedTuple):
    """The network at one input shape: accepted (``reason`` None) with its figures, or
    rejected with the short reason. ``unread``: the rows (qualname or path) whose windows
    leave some input row or column unread."""

    input_shape: Shape
    reason: str | None
    outputs: tuple[Shape, ...] = ()
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0
    peak_bytes: int = 0
    unread: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_shape": list(self.input_shape),
            "accepted": self.accepted,
            "reason": self.reason,
            "outputs": [list(s) for s in self.outputs],
            "macs": self.macs,
            "flops": self.flops,
            "activation_bytes": self.activation_bytes,
            "peak_activation_bytes": self.peak_bytes,
            "unread": list(self.unread),
        }


class Sweep(NamedTuple):
    """The answer of :func:`sweep`: the network's name, dtype and one row per size."""

    name: str | None
    dtype: str
    rows: tuple[SweepRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"convcalc": 1, "name": self.name, "dtype": self.dtype, "sweep": [r.to_dict() for r in self.rows]}


def parse_sweep(text: str) -> list[tuple[int, ...]]:
    """``224,320,640``, ``160..640:32`` (from, to, step) and ``320x240`` items → sizes.

    >>> parse_sweep("224, 300x200, 32..64:16")
    [(224,), (300, 200), (32,), (48,), (64,)]
    """
    from .sizes import parse_sizes

    sizes: list[tuple[int, ...]] = []
    for item in text.split(","):
        item = item.strip()
        if ".." in item:
            span, _, step_text = item.partition(":")
            lo, _, hi = span.partition("..")
            try:
                a, b, step = int(lo), int(hi), int(step_text) if step_text else 1
            except ValueError:
                raise InputError(f"--sweep: {item!r} is not a range like 160..640:32") from None
            if a < 1 or b < a or step < 1 or b > MAX_NUMBER:
                raise InputError(f"--sweep: {item!r} must go up from a size ≥ 1 by a step ≥ 1")
            if (b - a) // step + 1 + len(sizes) > MAX_SIZES:
                raise InputError(f"--sweep: over {MAX_SIZES:,} sizes")
            sizes += [(v,) for v in range(a, b + 1, step)]
        else:
            sizes.append(parse_sizes(item, "--sweep", text_rule="takes sizes like 224, 320x240 or 160..640:32"))
        if len(sizes) > MAX_SIZES:
            raise InputError(f"--sweep: over {MAX_SIZES:,} sizes")
    if any(v < 1 for s in sizes for v in s):
        raise InputError("--sweep: every size must be ≥ 1")
    return sizes


def _unread_rows(report: Report) -> tuple[str, ...]:
    """The rows whose windows leave some real input position unread (SPEC §3)."""
    found = []
    for row in report.rows:
        layer = row.layer
        if not isinstance(layer, Sliding) or layer.transposed or len(row.input_shape) != len(row.output_shape):
            continue
        for n, o, w in zip(row.input_shape[2:], row.output_shape[2:], layer.windows()):
            if w.s == 1 and w.d == 1:
                continue
            cov = arith.coverage(n, w.k, w.s, w.pl, w.d, o, w.pr)
            if cov is not None and cov.unread:
                found.append(row.qualname or row.name or row.path)
                break
    return tuple(found)


def _short(err: ConvCalcError) -> str:
    """``#7 Conv2d: output size would be 0 × 0: …`` (the row and type, not the YAML path)."""
    where = err.where
    if isinstance(where, Place) and (where.row or where.type):
        head = " ".join(x for x in (f"#{where.row}" if where.row else "", where.type or "") if x)
        return f"{head}: {err.detail}"
    return err.detail


def sweep(
    network: Any,
    sizes: Sequence[Sequence[int] | int] | str,
    *,
    input_shape: Any = None,
    dtype: str = "float32",
    batch: int | None = None,
) -> Sweep:
    """The network at each input size, read once: a size replaces the last dimensions of
    the input shape (one number: every spatial dimension; ``HxW``: the last two).

    >>> s = sweep("lenet", [28, 3])
    >>> [(r.input_shape, r.accepted, r.outputs) for r in s.rows]
    [((1, 1, 28, 28), True, ((1, 10),)), ((1, 1, 3, 3), False, ())]
    >>> s.rows[1].reason[:58]
    '#4 Conv2d: output size would be 0 × 0: input 1 × 1 is smal'
    """
    from .network import analyze
    from .sizes import parse_shape
    from .spec import load

    wanted = parse_sweep(sizes) if isinstance(sizes, str) else [(s,) if isinstance(s, int) else tuple(s) for s in sizes]
    if not wanted:
        raise InputError("--sweep needs at least one size")
    base = None if input_shape is None else parse_shape(input_shape, "input_shape")
    net = network if isinstance(network, Network) else load(network, input_shape=base)
    shape = base or net.input_shape
    if shape is None:
        raise InputError("the network has no input shape: give input_shape")
    rows = []
    spatial = len(shape) - 2
    for size in wanted:
        if spatial < 1 or len(size) > spatial:  # one size: every spatial dimension; k sizes: the last k
            raise InputError(f"--sweep: {'x'.join(map(str, size))} does not fit the input shape {list(shape)}")
        last = size * spatial if len(size) == 1 else size
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in last):
            raise InputError(f"--sweep: sizes must be whole numbers ≥ 1, got {list(size)}")
        now = (*shape[: len(shape) - len(last)], *last)
        try:
            report = analyze(net, input_shape=now, dtype=dtype, batch=batch)
        except ConvCalcError as err:
            if err.exit_code != 1:
                raise
            rows.append(SweepRow(now if batch is None else (batch, *now[1:]), _short(err)))
            continue
        t = report.totals
        peak = getattr(t, "peak_activation_bytes", t.activation_bytes)
        outputs = tuple(o.output_shape for o in report.outputs)
        rows.append(
            SweepRow(report.input_shape, None, outputs, t.macs, t.flops, t.activation_bytes, peak, _unread_rows(report))
        )
    return Sweep(net.name, dtype, tuple(rows))


# ---------------------------------------------------------------------------------------
# --rf-at: index sets
# ---------------------------------------------------------------------------------------

Parts = tuple[tuple[int, int], ...]  # sorted, disjoint, non-adjacent closed intervals


class Span(NamedTuple):
    """The region along one dimension of a tensor: the index intervals it covers within
    the tensor (``parts``, maybe empty: only padding), and its extent before clipping."""

    parts: Parts
    lo: int
    hi: int


def _merge(intervals: list[tuple[int, int]], n: int | None) -> Parts:
    """Clip to ``[0, n − 1]`` (``n`` None: no clipping), sort and merge; over
    :data:`_MAX_PARTS` intervals become their hull."""
    if n is not None:
        intervals = [(max(a, 0), min(b, n - 1)) for a, b in intervals]
    intervals = sorted((a, b) for a, b in intervals if a <= b)
    out: list[tuple[int, int]] = []
    for a, b in intervals:
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    if len(out) > _MAX_PARTS:
        return ((out[0][0], out[-1][1]),)
    return tuple(out)


def _full(n: int) -> Span:
    return Span(((0, n - 1),), 0, n - 1)


def _union(a: Span, b: Span) -> Span:
    return Span(_merge([*a.parts, *b.parts], None), min(a.lo, b.lo), max(a.hi, b.hi))


def _per_output(parts: Parts, source: Callable[[int], list[tuple[int, int]]], n: int) -> Parts:
    """The input intervals of each output index in ``parts`` (``source(o)``), clipped to
    ``n``; a run of over :data:`_ENUMERATED` outputs is taken as its two ends' hull
    (``source`` is monotone for every layer that uses this)."""
    found: list[tuple[int, int]] = []
    for a, b in parts:
        if b - a < _ENUMERATED:
            for o in range(a, b + 1):
                found += source(o)
        else:
            first, last = source(a), source(b)
            found.append((min(x for x, _ in first), max(y for _, y in last)))
    return _merge(found, n)


def _window(span: Span, k: int, s: int, pl: int, d: int, n: int) -> Span:
    """A sliding window: output ``o`` reads ``o·s − pl + j·d`` for taps ``j < k``."""
    found: list[tuple[int, int]] = []
    for a, b in span.parts:
        if d == 1 and k >= s or a == b and d == 1:
            found.append((a * s - pl, b * s - pl + k - 1))
        elif (b - a + 1) * k > _ENUMERATED:
            found.append((a * s - pl, b * s - pl + (k - 1) * d))
        elif s == 1:
            found += [(a - pl + j * d, b - pl + j * d) for j in range(k)]
        else:
            found += [(o * s - pl + j * d,) * 2 for o in range(a, b + 1) for j in range(k)]
    return Span(_merge(found, n), span.lo * s - pl, span.hi * s - pl + (k - 1) * d)


def _scatter(span: Span, k: int, s: int, pl: int, d: int, n: int) -> Span:
    """Transposed convolution: output ``o`` gets input ``i`` through tap ``j`` when
    ``o = i·s − pl + j·d``; for the outputs ``[a, b]`` and one tap the inputs are the whole
    interval ``[⌈(a + pl − j·d)/s⌉, ⌊(b + pl − j·d)/s⌋]``."""
    found: list[tuple[int, int]] = []
    taps = range(k) if k <= _ENUMERATED else (0, k - 1)
    for a, b in span.parts:
        for j in taps:
            found.append((-(-(a + pl - j * d) // s), (b + pl - j * d) // s))
    lo, hi = -(-(span.lo + pl - (k - 1) * d) // s), (span.hi + pl) // s
    return Span(_merge(found, n), lo, hi)


def _f32(x: float) -> float:
    """``x`` rounded to the nearest float32 (the ``float`` of PyTorch's CPU kernels)."""
    return float(struct.unpack("f", struct.pack("f", x))[0])


def _resample(span: Span, mode: str, align: bool, scale: float | None, n: int, m: int, single: bool) -> Span:
    """Upsample from ``n`` to ``m`` along one dimension, with PyTorch's index formulas of
    ``aten/src/ATen/native/UpSample.h`` (opmath ``float`` for float32/16 inputs, ``double``
    for float64): ``nearest_idx``, ``nearest_exact_idx``, ``area_pixel_compute_scale``,
    ``area_pixel_compute_source_index`` and ``guard_index_and_lambda``; an input tap whose
    weight is exactly 0 is not read (bicubic at an integral source index reads one pixel).
    ``area`` is adaptive average pooling. Before clipping, the same formulas unclamped."""
    rnd = _f32 if single else float
    if mode == "area":
        return _adaptive(span, n, m)

    def scales_value() -> float:  # compute_scales_value<scalar_t>
        return rnd(1.0 / scale) if scale is not None and scale > 0 else rnd(rnd(float(n)) / m)

    if mode in ("nearest", "nearest-exact"):
        fscale = _f32(1.0 / scale) if scale is not None and scale > 0 else _f32(_f32(float(n)) / m)

        def index(o: int, clamp: bool) -> tuple[int, int]:
            if mode == "nearest":
                if m == n:
                    i = o
                elif m == 2 * n:
                    i = o >> 1
                else:
                    i = math.floor(_f32(_f32(float(o)) * fscale))
            else:
                i = math.floor(_f32((o + 0.5) * fscale))
            i = min(i, n - 1) if clamp else i
            return i, i

    else:
        cubic = mode == "bicubic"
        aligned = rnd(rnd(float(n - 1)) / (m - 1)) if m > 1 else 0.0
        ratio = aligned if align else scales_value()

        def index(o: int, clamp: bool) -> tuple[int, int]:
            if not cubic and m == n:  # compute_source_index_and_lambda: a copy
                return o, o
            if align:
                real = rnd(ratio * rnd(float(o)))
            else:
                real = rnd(rnd(ratio * rnd(o + 0.5)) - 0.5)
                if not cubic and real < 0 and clamp:
                    real = 0.0
            i = math.floor(real)
            if clamp:
                i = min(i, n - 1)
            lam = rnd(real - i)
            if clamp:
                lam = min(max(lam, 0.0), 1.0)
            if cubic:
                return (i, i) if lam == 0 else (i - 1, i + 2)
            if not clamp:
                return (i, i) if lam == 0 else (i, i + 1)
            j = i + (1 if i < n - 1 else 0)
            first = i if rnd(1.0 - lam) != 0 else j
            last = j if lam != 0 else i
            return first, last

    def source(o: int) -> list[tuple[int, int]]:
        return [index(o, True)]

    parts = _per_output(span.parts, source, n)
    lo = index(span.lo, False)[0] if span.lo >= 0 else index(0, False)[0] - _scaled(-span.lo, n, m)
    hi = index(span.hi, False)[1] if span.hi < m else index(m - 1, False)[1] + _scaled(span.hi - m + 1, n, m)
    return Span(parts, lo, hi)


def _scaled(distance: int, n: int, m: int) -> int:
    """A distance past an edge of the output, in input positions (rounded out)."""
    return -(-distance * n // m)


def _adaptive(span: Span, n: int, m: int) -> Span:
    """Adaptive pooling from ``n`` to ``m``: output ``o`` reads ``[⌊o·n/m⌋, ⌈(o + 1)·n/m⌉)``
    (``start_index``/``end_index`` of ``aten/src/ATen/native/AdaptivePooling.h``)."""

    def start(o: int) -> int:
        return (o * n) // m

    def end(o: int) -> int:
        return -(-((o + 1) * n) // m) - 1

    parts = _merge([(start(a), end(b)) for a, b in span.parts], n)
    lo = start(max(span.lo, 0)) - _scaled(max(0, -span.lo), n, m)
    hi = end(min(span.hi, m - 1)) + _scaled(max(0, span.hi - m + 1), n, m)
    return Span(parts, lo, hi)


def _shift(span: Span, before: int, n: int, fold: Callable[[int], int] | None) -> Span:
    """Padding ``before`` positions: output ``o`` is input ``o − before``; outside the
    input, ``fold`` maps it in (reflect, replicate, circular) or it reads nothing."""

    def source(o: int) -> list[tuple[int, int]]:
        i = o - before
        if 0 <= i < n:
            return [(i, i)]
        return [] if fold is None else [(fold(i),) * 2]

    found: list[tuple[int, int]] = []
    for a, b in span.parts:
        inner = (max(a - before, 0), min(b - before, n - 1))
        found.append(inner)
        if fold is not None:
            edges = [o for o in range(a, min(b, a + _ENUMERATED) + 1) if not 0 <= o - before < n]
            edges += [o for o in range(max(a, b - _ENUMERATED), b + 1) if not 0 <= o - before < n]
            for o in edges:
                found += source(o)
    return Span(_merge(found, n), span.lo - before, span.hi - before)


# ---------------------------------------------------------------------------------------
# --rf-at: one layer at a time
# ---------------------------------------------------------------------------------------

Region = tuple[Span, ...]  # one Span per dimension of a tensor, batch and channels included


def _mixed(dims: Sequence[int], shape: Shape, region: Region) -> Region:
    """Every position of ``dims`` (a layer that mixes them: Linear, LayerNorm, …)."""
    return tuple(_full(shape[i]) if i in dims else r for i, r in enumerate(region))


def _through_leaf(row: Row, region: Region, shapes: list[Shape], single: bool) -> list[Region]:
    """The region of each input of a layer row, from the region of its output. Decided by
    the layer's class."""
    layer = row.layer
    x = shapes[0]
    rank = len(x)
    out = row.output_shape
    if isinstance(layer, Concat):
        return _pieces(region, layer.dim % rank, shapes)
    if isinstance(layer, Merge):
        return [_from_merge(region, out, s) for s in shapes]
    if isinstance(layer, Sliding):
        dims = layer.dims
        step = _scatter if isinstance(layer, ConvTranspose) else _window
        spans = [step(r, w.k, w.s, w.pl, w.d, n) for r, w, n in zip(region[-dims:], layer.windows(), x[-dims:])]
        c = rank - dims - 1  # the channels: every one of them for a convolution, the same for pooling
        channels = _full(x[c]) if isinstance(layer, (Conv, ConvTranspose)) else region[c]
        return [(*region[:c], channels, *spans)]
    if isinstance(layer, AdaptivePool):
        return [(*region[:2], *(_adaptive(r, n, m) for r, n, m in zip(region[2:], x[2:], out[2:])))]
    if isinstance(layer, Upsample):
        return [_through_upsample(layer, region, x, out, single)]
    if isinstance(layer, Pad):
        return [_through_pad(layer, region, x)]
    if isinstance(layer, Softmax):
        dim = layer.dim if layer.dim is not None else (0 if rank in (0, 1, 3) else 1)
        return [_mixed((dim % rank,), x, region)]
    if isinstance(layer, GroupNorm) or isinstance(layer, InstanceNorm) and not layer.track_running_stats:
        return [_mixed(tuple(range(2, rank)), x, region)]  # statistics over the whole plane
    if isinstance(layer, LayerNorm):
        norm = layer.normalized_shape or x[-1:]
        return [_mixed(tuple(range(rank - len(norm), rank)), x, region)]
    if isinstance(layer, Linear):
        return [_mixed((rank - 1,), x, region)]
    if isinstance(layer, GLU):
        a = layer.dim % rank
        half = out[a]
        doubled = Span(_merge([*region[a].parts, *((p + half, q + half) for p, q in region[a].parts)], x[a]),
                       region[a].lo, region[a].hi + half)  # fmt: skip
        return [(*region[:a], doubled, *region[a + 1 :])]
    if isinstance(layer, Slice):
        a = layer.dim % rank
        begin, _, every = slice(layer.start, layer.end, layer.step).indices(x[a])
        return [(*region[:a], _window(region[a], 1, every, -begin, 1, x[a]), *region[a + 1 :])]
    if isinstance(layer, Permute):
        order = layer._order(rank)
        back: list[Span] = [_full(1)] * rank
        for q, i in enumerate(order):
            back[i] = region[q]
        return [tuple(back)]
    if isinstance(layer, PixelShuffle):
        up = layer.upscale_factor
        return [(*region[:-3], _full(x[-3]), *(_div(sp, up, n) for sp, n in zip(region[-2:], x[-2:])))]
    if isinstance(layer, PixelUnshuffle):
        down = layer.downscale_factor
        spans = [_window(sp, down, down, 0, 1, n) for sp, n in zip(region[-2:], x[-2:])]
        return [(*region[:-3], _full(x[-3]), *spans)]
    if isinstance(layer, (Flatten, Unflatten, Reshape)):
        if x[:1] + x[2:] == out[:1] + out[2:] and len(x) == len(out):
            return [(region[0], _full(x[1]), *region[2:])]
        raise InvalidLayerError(
            f"--rf-at cannot follow positions back through {layer.type} (row {row.path}), which reshapes the "
            "spatial dimensions"
        )
    if isinstance(layer, (Elementwise, BatchNorm)) or len(out) == len(x):
        # elementwise layers, per-channel normalisation, channel shuffles and gates keep positions
        if out[2:] != x[2:]:
            raise InvalidLayerError(  # pragma: no cover - every layer that changes positions is handled above
                f"--rf-at does not know how {layer.type} (row {row.path}) moves positions"
            )
        return [(region[0], _full(x[1]), *region[2:])]
    raise InvalidLayerError(f"--rf-at cannot follow positions back through {layer.type} (row {row.path})")


def _div(span: Span, r: int, n: int) -> Span:
    """Output ``o`` of PixelShuffle reads input ``⌊o/r⌋``."""
    return Span(_merge([(a // r, b // r) for a, b in span.parts], n), span.lo // r, span.hi // r)


def _from_merge(region: Region, out: Shape, shape: Shape) -> Region:
    """One input of Add or Multiply, broadcast as PyTorch does: a missing or size-1
    dimension is index 0 for every output."""
    pad = len(out) - len(shape)
    spans = list(region[pad:])
    for i, n in enumerate(shape):
        if n == 1 and out[i + pad] != 1:
            spans[i] = Span(((0, 0),) if spans[i].parts else (), 0, 0)
    return tuple(spans)


def _pieces(region: Region, dim: int, shapes: Sequence[Shape]) -> list[Region]:
    """The region of each concatenated piece along ``dim`` (each starts where the one
    before ends); before clipping, the first piece keeps what lies before the start and
    the last what lies past the end. A piece the region misses gets ``()``."""
    r = region[dim]
    found: list[Region] = []
    offset = 0
    for i, shape in enumerate(shapes):
        n = shape[dim]
        parts = _merge([(a - offset, b - offset) for a, b in r.parts], n)
        lo = r.lo - offset if i == 0 else max(r.lo - offset, 0)
        hi = r.hi - offset if i == len(shapes) - 1 else min(r.hi - offset, n - 1)
        found.append((*region[:dim], Span(parts, lo, hi), *region[dim + 1 :]) if lo <= hi else ())
        offset += n
    return found


def _through_upsample(layer: Upsample, region: Region, x: Shape, out: Shape, single: bool) -> Region:
    factor = layer.scale_factor
    spatial = len(x) - 2
    if factor is None or layer.recompute_scale_factor:
        scales: tuple[float | None, ...] = (None,) * spatial
    else:
        scales = factor if isinstance(factor, tuple) else (float(factor),) * spatial
    align = bool(layer.align_corners)
    spans = [
        _resample(r, layer.mode, align, sc, n, m, single) for r, sc, n, m in zip(region[2:], scales, x[2:], out[2:])
    ]
    return (*region[:2], *spans)


def _through_pad(layer: Pad, region: Region, x: Shape) -> Region:
    rank = len(x)
    spans = list(region)
    for (before, _), i in zip(layer._sides(), range(rank - layer.dims, rank)):
        n = x[i]
        fold: Callable[[int], int] | None = None
        if isinstance(layer, ReflectionPad):

            def fold(j: int, n: int = n) -> int:
                return -j if j < 0 else 2 * (n - 1) - j

        elif isinstance(layer, ReplicationPad):

            def fold(j: int, n: int = n) -> int:
                return min(max(j, 0), n - 1)

        elif isinstance(layer, CircularPad):

            def fold(j: int, n: int = n) -> int:
                return j % n

        spans[i] = _shift(region[i], before, n, fold)
    return tuple(spans)


# ---------------------------------------------------------------------------------------
# --rf-at: the walk backwards
# ---------------------------------------------------------------------------------------


class Extent(NamedTuple):
    """The region along one spatial dimension of the input: the first and last index it
    reads (None: only padding), and the same before clipping."""

    axis: str
    first: int | None
    last: int | None
    first_unclipped: int
    last_unclipped: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


class RegionAnswer(NamedTuple):
    """The answer of :func:`rf_at`: which row and position, and the input extents."""

    name: str | None
    input_shape: Shape
    row: Row
    position: tuple[int, ...]
    extents: tuple[Extent, ...]

    def to_dict(self) -> dict[str, Any]:
        row = self.row
        return {
            "convcalc": 1,
            "name": self.name,
            "input_shape": list(self.input_shape),
            "of": {
                "index": row.index,
                "path": row.path,
                "name": row.name,
                "qualname": row.qualname,
                "type": row.type,
                "output_shape": list(row.output_shape),
            },  # fmt: skip
            "position": list(self.position),
            "region": [e.to_dict() for e in self.extents],
        }


def _blocks(net: Network) -> dict[str, tuple[Block, list[list[str]]]]:
    """Each block's path → the block and, per list, the paths of its entries (as the
    walker numbers them: a Repeat's repetitions go on counting)."""
    found: dict[str, tuple[Block, list[list[str]]]] = {}

    def walk(nodes: list[Any], prefix: str, offset: int = 0) -> list[str]:
        paths = []
        for i, node in enumerate(nodes):
            path = f"{prefix}{offset + i}"
            paths.append(path)
            if isinstance(node, Block):
                lists: list[list[str]] = []
                if node.type == "Sequential":
                    lists = [walk(node.lists[0], f"{path}.")]
                elif node.type == "Repeat":
                    n = len(node.lists[0])
                    lists = [[p for t in range(node.times) for p in walk(node.lists[0], f"{path}.", t * n)]]
                elif node.type == "Residual":
                    lists = [walk(node.lists[0], f"{path}.body.")]
                    if len(node.lists) > 1:
                        lists.append(walk(node.lists[1], f"{path}.shortcut."))
                else:
                    lists = [walk(branch, f"{path}.{b}.") for b, branch in enumerate(node.lists)]
                found[path] = (node, lists)
        return paths

    walk(net.layers, "")
    return found


def _target(report: Report, of: str | None) -> Row:
    spatial = [r for r in report.rows if len(r.output_shape) >= 3 and not r.training_only]
    if of is None:
        if not spatial:
            raise InputError("no row of the network has a spatial output")
        top = [r for r in spatial if r.depth == 0]
        return (top or spatial)[-1]
    for key in ("qualname", "name", "path"):
        hits = [r for r in report.rows if getattr(r, key) == of]
        if hits:
            row = hits[-1]
            if len(row.output_shape) < 3:
                shape = list(row.output_shape)
                raise InputError(f"--of {of}: row {row.path} ({row.type}) has no spatial output {shape}")
            return row
    from .layers import suggest

    names = [r.qualname or r.name for r in report.rows if r.qualname or r.name]
    raise InputError(f"--of: no row named or at path '{of}'{suggest(of, [n for n in names if n])}")


def region(report: Report, net: Network, position: Sequence[int], of: str | None = None) -> RegionAnswer:
    """The input region that output ``position`` of row ``of`` (a qualname, name or path;
    by default the last top-level row with a spatial output) depends on, per spatial
    dimension; ``report`` is ``analyze(net)``."""
    row = _target(report, of)
    out = row.output_shape
    spatial = len(out) - 2
    pos = tuple(position) * spatial if len(position) == 1 else tuple(position)
    if len(pos) != spatial:
        raise InputError(f"--rf-at has {len(position)} indices; row {row.path} has {spatial} spatial dimensions")
    for axis, i, n in zip(AXES.get(spatial, ("dim",) * spatial), pos, out[2:]):
        if not 0 <= i < n:
            raise InputError(f"--rf-at: index {i} along the {axis} is outside the output (0 to {n - 1})")
    single = report.dtype not in ("float64", "double")
    rows = {r.path: r for r in report.rows}
    blocks = _blocks(net)
    done = {r.path: r.index for r in report.rows}  # a block's output is made after its last descendant
    for r in report.rows:
        parts = r.path.split(".")
        for i in range(1, len(parts)):
            ancestor = rows.get(".".join(parts[:i]))
            if ancestor is not None and ancestor.composite:
                done[ancestor.path] = max(done[ancestor.path], r.index)
    shapes = {p: r.output_shape for p, r in rows.items()}
    shapes["input"] = report.input_shape

    start = (Span(((0, 0),), 0, 0), _full(out[1]), *(Span(((i, i),), i, i) for i in pos))
    pending: dict[str, Region] = {row.path: start}

    def add(path: str, reg: Region) -> None:
        if not reg or not all(s.parts for s in reg[:2]):
            return  # another batch element, or channels the region does not reach
        if not all(s.parts for s in reg[2:]):  # only padding along some dimension: no input position
            reg = (*reg[:2], *(Span((), s.lo, s.hi) for s in reg[2:]))
        old = pending.get(path)
        pending[path] = reg if old is None else tuple(_union(a, b) for a, b in zip(old, reg))

    def order(path: str) -> tuple[int, int]:
        return done[path], -rows[path].depth

    while set(pending) - {"input"}:
        path = max((p for p in pending if p != "input"), key=order)
        reg = pending.pop(path)
        r = rows[path]
        if r.composite:
            _through_block(r, blocks[path], reg, rows, shapes, add)
            continue
        ins = [shapes[p] for p in r.inputs]
        for p, back in zip(r.inputs, _through_leaf(r, reg, ins, single)):
            add(p, back)
    found = pending.get("input")
    axes = AXES.get(spatial, tuple(f"dim {i}" for i in range(spatial)))
    extents = []
    if found is None:  # pragma: no cover - every output is made from the input
        raise InvalidLayerError(f"row {row.path} does not depend on the network input")
    for i, axis in enumerate(axes):
        s = found[2 + i]
        first, last = (s.parts[0][0], s.parts[-1][1]) if s.parts else (None, None)
        extents.append(Extent(axis, first, last, s.lo, s.hi))
    return RegionAnswer(report.name, report.input_shape, row, pos, tuple(extents))


def _through_block(
    row: Row,
    block: tuple[Block, list[list[str]]],
    reg: Region,
    rows: dict[str, Row],
    shapes: dict[str, Shape],
    add: Callable[[str, Region], None],
) -> None:
    """A block's output region, handed to the tensors that make it: the last entry of each
    list (the block's input for an empty one), with the offsets of Concat and Split along
    their dimension and Add/Multiply's broadcasting."""
    node, lists = block
    if node.type == "Split" and node.dim % len(row.output_shape) >= 2:
        raise InvalidLayerError(f"--rf-at cannot follow a Split along a spatial dimension (row {row.path})")
    source = row.inputs[0]
    last = [paths[-1] if paths else source for paths in lists]
    out = row.output_shape
    if node.type in ("Sequential", "Repeat"):
        add(last[0], reg)
        return
    if node.type == "Residual":
        if len(last) == 1:
            last.append(source)
        for p in last:
            add(p, reg)
        return
    if node.type in ("Add", "Multiply"):
        for p in last:
            add(p, _from_merge(reg, out, shapes[p]))
        return
    for p, piece in zip(last, _pieces(reg, node.dim % len(out), [shapes[p] for p in last])):
        add(p, piece)


def rf_at(
    network: Any,
    position: Sequence[int] | int,
    *,
    of: str | None = None,
    input_shape: Any = None,
    dtype: str = "float32",
    batch: int | None = None,
) -> RegionAnswer:
    """The input region output ``position`` (``I`` or ``(I, J, …)``) of row ``of`` depends
    on: the Python form of ``convcalc net FILE --rf-at I,J --of NAME``.

    >>> answer = rf_at("lenet", (0, 0), of="2")
    >>> [(e.first, e.last, e.first_unclipped, e.last_unclipped) for e in answer.extents]
    [(0, 3, -2, 3), (0, 3, -2, 3)]
    """
    from .network import analyze
    from .sizes import parse_shape
    from .spec import load

    base = None if input_shape is None else parse_shape(input_shape, "input_shape")
    net = network if isinstance(network, Network) else load(network, input_shape=base)
    report = analyze(net, input_shape=base, dtype=dtype, batch=batch)
    return region(report, net, (position,) if isinstance(position, int) else tuple(position), of)
