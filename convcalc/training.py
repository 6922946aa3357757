"""Training figures (SPEC §4 ``net --train``): what PyTorch's autograd keeps for the
backward pass, gradients, optimizer state, backward FLOPs, and the largest batch that fits.

The forward pass is laid out as :mod:`convcalc.memory` lays it out; this module follows
each tensor through it as PyTorch 2.13.0 holds it on the CPU in training mode: its storage
(views and in-place layers share their input's; a new storage is counted once, at its full
size, by the first row that saves it), its strides (a Linear saves a copy of an input no
view makes a matrix of; a Flatten of one copies), and whether it requires a gradient
(nothing before the first trainable layer on a path does). What each layer class saves is
one rule below, registered by class; the rules were measured with
``torch.autograd.graph.saved_tensors_hooks`` and are checked so in ``tests/test_training_oracle.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from .errors import InputError, InvalidLayerError
from .layers import (
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AvgPool1d,
    BatchNorm,
    ChannelShuffle,
    CircularPad,
    Concat,
    Conv,
    ConvTranspose,
    Flatten,
    GroupNorm,
    InstanceNorm,
    Layer,
    LayerNorm,
    Linear,
    LocalResponseNorm,
    LPPool,
    MaxPool,
    Merge,
    Multiply,
    Permute,
    PixelShuffle,
    PixelUnshuffle,
    ReflectionPad,
    ReplicationPad,
    Reshape,
    Scale,
    Shape,
    Slice,
    Unflatten,
    Upsample,
    ZeroPad,
)
from .layers.activation import (
    ELU,
    GELU,
    GLU,
    SELU,
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .records import Record

if TYPE_CHECKING:
    from .memory import Step
    from .report import Report, Row

__all__ = ["OPTIMIZERS", "Fit", "Training", "TrainingRow", "TrainingTotals", "parse_bytes", "train"]

#: Optimizer state per trainable element, in parameters' worth (SPEC §4), and whether a
#: float32 step counter is kept per parameter tensor.
OPTIMIZERS: dict[str, tuple[int, bool]] = {
    "sgd": (0, False),
    "momentum": (1, False),
    "nesterov": (1, False),
    "rmsprop": (1, True),
    "adagrad": (1, True),
    "adam": (2, True),
    "adamw": (2, True),
}

#: The floating dtypes autograd trains in (on the CPU every saved tensor but max pooling's
#: int64 indices is at the dtype: normalisation's statistics too, at 16 bits).
_FLOATING = ("float32", "float", "float16", "half", "bfloat16", "float64", "double")
_INT64 = 8  # max pooling's indices, BatchNorm's num_batches_tracked
_STEP_BYTES = 4  # an optimizer's float32 step counter


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------


class TrainingRow(Record):
    """The training figures of one row (a block row: its children's sums and its own)."""

    saved_bytes: int = 0
    grad_bytes: int = 0
    optimizer_bytes: int = 0
    backward_flops: int = 0

    def to_dict(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in self._fields}


class TrainingTotals(Record):
    """The figures of SPEC §4: ``train_bytes`` = params + gradients + optimizer state +
    saved activations + buffers; ``step_flops`` = forward + backward FLOPs. The forward
    FLOPs count training-only entries, which run in training."""

    param_bytes: int = 0
    grad_bytes: int = 0
    optimizer_bytes: int = 0
    saved_bytes: int = 0
    buffer_bytes: int = 0
    train_bytes: int = 0
    forward_flops: int = 0
    backward_flops: int = 0
    step_flops: int = 0

    def to_dict(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in self._fields}


class Fit(Record):
    """``--fit``: the budget in bytes, the largest batch whose ``train_bytes`` fits it (0:
    not even batch 1), ``train_bytes`` at that batch (at batch 1 when none fits), and at
    the next batch, which does not fit (None when none fits, or the batch is convcalc's
    limit on sizes)."""

    budget: int
    batch: int
    train_bytes: int
    next_train_bytes: int | None = None

    def to_dict(self) -> dict[str, int | None]:
        return {
            "budget_bytes": self.budget,
            "batch": self.batch,
            "train_bytes": self.train_bytes,
            "next_train_bytes": self.next_train_bytes,
        }


class Training(Record):
    """What :func:`train` returns: the analysis at the batch trained, the optimizer, one
    :class:`TrainingRow` per row of the report, the totals, and the ``--fit`` answer."""

    report: Report
    optimizer: str
    rows: list[TrainingRow]
    totals: TrainingTotals
    state_tensors: int = 0  # the parameter tensors the optimizer keeps state for (a step counter each)
    fit: Fit | None = None

    @property
    def batch(self) -> int:
        return self.report.input_shape[0]

    def largest(self, n: int = 3) -> list[tuple[Row, int]]:
        """The ``n`` layer rows that save the most bytes, most first."""
        pairs = [(row, t.saved_bytes) for row, t in zip(self.report.rows, self.rows) if not row.composite]
        pairs = [p for p in pairs if p[1] > 0]
        return sorted(pairs, key=lambda p: -p[1])[:n]

    def to_dict(self, rows: list[Row] | None = None) -> dict[str, Any]:
        """The JSON of SPEC §5 with the training figures: each layer gains ``saved_bytes``,
        ``grad_bytes``, ``optimizer_bytes`` and ``backward_flops``, the totals the figures
        of :class:`TrainingTotals`, and ``training`` says the batch, the optimizer, the
        largest rows by saved bytes and the ``--fit`` answer."""
        data = self.report.to_dict()
        figures = {row.index: t for row, t in zip(self.report.rows, self.rows)}
        shown = self.report.rows if rows is None else rows
        data["layers"] = [{**row.to_dict(), **figures[row.index].to_dict()} for row in shown]
        data["totals"].update(self.totals.to_dict())
        data["training"] = {
            "batch": self.batch,
            "optimizer": self.optimizer,
            "largest_saved": [
                {"index": row.index, "path": row.path, "qualname": row.qualname, "type": row.type, "saved_bytes": saved}
                for row, saved in self.largest()
            ],
            "fit": None if self.fit is None else self.fit.to_dict(),
        }
        return data


# ---------------------------------------------------------------------------------------
# Tensors: a storage, a shape and strides, and whether a gradient flows
# ---------------------------------------------------------------------------------------


class _Storage:
    """One allocation; identity is the object."""

    __slots__ = ("nbytes",)

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes


class _Tensor:
    __slots__ = ("rg", "shape", "storage", "strides")

    def __init__(self, storage: _Storage, shape: Shape, strides: Shape, rg: bool) -> None:
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.rg = rg  # requires_grad


def _contiguous(shape: Shape) -> Shape:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def _is_contiguous(t: _Tensor) -> bool:
    """``Tensor.is_contiguous()``: dimensions of size 1 do not count."""
    expected = 1
    for size, stride in zip(reversed(t.shape), reversed(t.strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def _dense(shape: Shape, order: list[int]) -> Shape:
    """Strides of a dense tensor whose dimensions lie in memory in ``order``, outermost first."""
    strides = [0] * len(shape)
    step = 1
    for d in reversed(order):
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def _like(t: _Tensor, shape: Shape) -> Shape:
    """An elementwise result's strides: the input's layout (TensorIterator keeps the order
    of the input's dimensions in memory)."""
    if shape != t.shape or _is_contiguous(t):
        return _contiguous(shape)
    order = sorted(range(len(shape)), key=lambda d: -t.strides[d])
    return _dense(shape, order)


def _channels_last(t: _Tensor) -> bool:
    """``suggest_memory_format() == channels_last`` (ATen's is_channels_last_strides_2d/3d)."""
    rank = len(t.shape)
    if rank not in (4, 5) or t.strides[1] == 0:
        return False
    low = 0
    for d in (1, 3, 2, 0) if rank == 4 else (1, 4, 3, 2, 0):
        if t.shape[d] == 0 or t.strides[d] < low or (d == 0 and low == t.strides[1]):
            return False
        low = t.strides[d] * (t.shape[d] if t.shape[d] > 1 else 1)
    return True


def _format(t: _Tensor, shape: Shape) -> Shape:
    """A convolution's, pooling's or normalisation's result: channels-last when the input
    suggests it, else contiguous."""
    if _channels_last(t) and len(shape) == len(t.shape):
        return _dense(shape, [0, 2, 3, 1] if len(shape) == 4 else [0, 2, 3, 4, 1])
    return _contiguous(shape)


def _view_strides(t: _Tensor, shape: Shape) -> Shape | None:
    """The strides of ``t.view(shape)``, or None when only a copy can give that shape
    (ATen's ``computeStride``)."""
    old, strides = t.shape, t.strides
    if math.prod(old) == 0 or not old:
        return _contiguous(shape)
    new = [0] * len(shape)
    view_d = len(shape) - 1
    base = strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                new[view_d] = view_numel * base
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base = strides[d - 1]
                tensor_numel = view_numel = 1
    return tuple(new) if view_d == -1 else None


# ---------------------------------------------------------------------------------------
# The pass
# ---------------------------------------------------------------------------------------


class _Pass:
    """One forward pass in training mode; the rules read and write the step being run
    through its attributes: ``x`` (the first input), ``ins``, ``shape`` (of the output),
    ``rg`` (whether the output requires a gradient), ``trains`` (the layer's parameters do)."""

    def __init__(self, itemsize: int) -> None:
        self.itemsize = itemsize
        self.kept: set[_Storage] = set()  # the storages saved so far (by identity)
        self.saved = 0
        self.flops = 0
        self.live = True
        self.layer: Any = None
        self.row: Any = None
        self.x: _Tensor = _Tensor(_Storage(0), (), (), False)
        self.ins: list[_Tensor] = []
        self.shape: Shape = ()
        self.rg = False
        self.trains = False

    # what a rule calls

    def keep(self, t: _Tensor | _Storage) -> None:
        """Autograd saves ``t``: its storage counts once, here if no earlier step saved it."""
        if not self.rg:
            return
        storage = t.storage if isinstance(t, _Tensor) else t
        if storage not in self.kept:
            self.kept.add(storage)
            self.saved += storage.nbytes

    def keep_new(self, elements: int, itemsize: int | None = None) -> None:
        """Autograd saves a tensor the layer makes for it (a mask, statistics, a copy)."""
        self.keep(_Storage(elements * (self.itemsize if itemsize is None else itemsize)))

    def new(self, strides: Shape | None = None) -> _Tensor:
        """The layer's output, a new tensor (contiguous unless ``strides`` says otherwise)."""
        shape = self.shape
        strides = _contiguous(shape) if strides is None else strides
        return _Tensor(_Storage(math.prod(shape) * self.itemsize), shape, strides, self.rg)

    def same(self) -> _Tensor:
        """The output is the input itself (in place), or a view with the input's strides."""
        return _Tensor(self.x.storage, self.shape, self.x.strides, self.rg)

    def view(self, strides: Shape) -> _Tensor:
        return _Tensor(self.x.storage, self.shape, strides, self.rg)

    def backward(self, macs: int) -> None:
        """A convolution or matmul: 2·MACs for the input's gradient if it needs one, and for
        the weight's if it trains (FlopCounterMode's convention)."""
        if self.live:
            self.flops += 2 * macs * (int(self.x.rg) + int(self.trains))

    # the walk

    def run(self, step: Step, ins: list[_Tensor], trains: bool, live: bool) -> _Tensor:
        self.layer, self.row, self.ins, self.x, self.shape = step.layer, step.row, ins, ins[0], step.shape
        self.trains, self.live = trains, live
        self.rg = trains or any(t.rg for t in ins)
        self.saved = self.flops = 0
        try:
            return _rule(step.layer, self)
        except NotImplementedError:
            raise InvalidLayerError(
                f"--train does not know what PyTorch's autograd keeps for {step.layer.type}", where=step.row.where
            ) from None


# ---------------------------------------------------------------------------------------
# The rules, one per layer class (measured on PyTorch 2.13.0, CPU, training mode)
# ---------------------------------------------------------------------------------------


@singledispatch
def _rule(layer: Layer, p: _Pass) -> _Tensor:
    raise NotImplementedError


@_rule.register(Conv)
@_rule.register(ConvTranspose)  # whose padding_mode can only be zeros
def _conv(layer: Conv | ConvTranspose, p: _Pass) -> _Tensor:
    if not isinstance(layer, Conv) or layer.padding_mode == "zeros":
        p.keep(p.x)  # the input, for the weight's gradient (and kept whenever a gradient flows)
    else:  # F.conv of F.pad(x, mode): a padded copy (even with padding 0), which the convolution saves
        if layer.padding_mode != "circular" and p.x.rg:
            p.keep(p.x)  # reflection and replication padding keep their input
        padded = math.prod(p.x.shape[: -layer.dims]) * math.prod(
            n + left + right for n, (left, right) in zip(p.x.shape[-layer.dims :], layer.pads())
        )
        p.keep_new(padded)
    p.backward(p.row.macs)
    return p.new(_format(p.x, p.shape))


@_rule.register(Linear)
def _linear(layer: Linear, p: _Pass) -> _Tensor:
    if p.trains:  # the input, for the weight's gradient, reshaped to a matrix: a view, else a copy
        x = p.x
        if _view_strides(x, (math.prod(x.shape[:-1]), x.shape[-1])) is not None:
            p.keep(x)
        else:
            p.keep_new(math.prod(x.shape))
    p.backward(p.row.macs)
    return p.new()


def _single_value(layer: BatchNorm, p: _Pass) -> None:
    """In training mode PyTorch normalises by the input's own statistics, and refuses
    to when there is a single value per channel (exit 1, as for any layer PyTorch rejects)."""
    if layer._values_per_channel(p.x.shape) == 1:
        single, stats = layer._single_value(p.x.shape)
        raise InvalidLayerError(
            f"{single}, which PyTorch refuses to normalise by {stats} in training mode: use a larger batch or input",
            where=p.row.where,
        )


@_rule.register(BatchNorm)
def _batch_norm(layer: BatchNorm, p: _Pass) -> _Tensor:
    _single_value(layer, p)
    p.keep(p.x)
    channels = p.x.shape[1] if len(p.x.shape) > 1 else 1
    p.keep_new(channels)  # the batch's mean
    p.keep_new(channels)  # and inverse standard deviation
    return p.new(_format(p.x, p.shape))


@_rule.register(InstanceNorm)
def _instance_norm(layer: InstanceNorm, p: _Pass) -> _Tensor:
    """Batch norm over ``[1, N·C, *spatial]``: statistics per sample and channel, and the
    weight repeated per sample when affine."""
    _single_value(layer, p)
    unbatched = len(p.x.shape) == layer.dims + 1
    per = p.x.shape[0] if unbatched else p.x.shape[0] * p.x.shape[1]
    p.keep(p.x)
    p.keep_new(per)
    p.keep_new(per)
    if layer.affine:
        p.keep_new(per)
    if layer.track_running_stats:  # the running statistics repeated per sample, kept by batch_norm
        p.keep_new(per)
        p.keep_new(per)
    return p.new(_format(p.x, p.shape))


@_rule.register(LayerNorm)
def _layer_norm(layer: LayerNorm, p: _Pass) -> _Tensor:
    groups = math.prod(p.x.shape[: len(p.x.shape) - len(layer.normalized_shape or (1,))])
    p.keep(p.x)
    p.keep_new(groups)  # mean and 1/std per normalised group
    p.keep_new(groups)
    return p.new()


@_rule.register(GroupNorm)
def _group_norm(layer: GroupNorm, p: _Pass) -> _Tensor:
    """The input made contiguous (in its suggested memory format: a copy of a strided
    view), and two statistics per sample and group."""
    groups = p.x.shape[0] * layer.num_groups
    if _is_contiguous(p.x) or _channels_last(p.x):
        p.keep(p.x)
    else:
        p.keep_new(math.prod(p.x.shape))
    p.keep_new(groups)
    p.keep_new(groups)
    return p.new(_format(p.x, p.shape))


@_rule.register(LocalResponseNorm)
def _local_response_norm(layer: LocalResponseNorm, p: _Pass) -> _Tensor:
    """``x / (k + α·avg_pool(pad(x²)))^β`` (``F.local_response_norm``): x, the padded
    squares, the power's base and the divisor."""
    x = p.x
    elements = math.prod(x.shape)
    p.keep(x)
    p.keep_new(elements // x.shape[1] * (x.shape[1] + layer.size - 1))
    p.keep_new(elements)
    p.keep_new(elements)
    return p.new(_like(x, p.shape))


# -- activations ----------------------------------------------------------------------------


def _saves_output(layer: Layer, p: _Pass) -> _Tensor:
    """ReLU, Sigmoid, Tanh, Softmax: the result (in place: the input's storage)."""
    out = p.same() if layer.in_place() else p.new(_like(p.x, p.shape))
    p.keep(out)
    return out


@_rule.register(ReLU)
@_rule.register(Sigmoid)
@_rule.register(Tanh)
def _relu(layer: ReLU, p: _Pass) -> _Tensor:
    return _saves_output(layer, p)


@_rule.register(Softmax)  # LogSoftmax too
def _softmax(layer: Softmax, p: _Pass) -> _Tensor:
    out = p.new()
    p.keep(out)
    return out


@_rule.register(LeakyReLU)
@_rule.register(ELU)  # CELU (a subclass) too
@_rule.register(SELU)
def _saves_input_or_result(layer: Layer, p: _Pass) -> _Tensor:
    """The input; in place, the result, which is the same storage."""
    p.keep(p.x)
    return p.same() if layer.in_place() else p.new(_like(p.x, p.shape))


@_rule.register(ReLU6)
@_rule.register(Hardtanh)
@_rule.register(SiLU)
@_rule.register(Mish)
@_rule.register(Hardswish)
@_rule.register(Hardsigmoid)
def _saves_input_or_copy(layer: Layer, p: _Pass) -> _Tensor:
    """The input; in place, a copy of it made before it is overwritten."""
    if layer.in_place():
        p.keep_new(math.prod(p.x.shape))
        return p.same()
    p.keep(p.x)
    return p.new(_like(p.x, p.shape))


@_rule.register(GELU)
@_rule.register(Softplus)
@_rule.register(PReLU)
def _saves_input(layer: Layer, p: _Pass) -> _Tensor:
    p.keep(p.x)
    return p.new(_like(p.x, p.shape))


@_rule.register(GLU)
def _glu(layer: GLU, p: _Pass) -> _Tensor:
    p.keep(p.x)
    return p.new()


@_rule.register(Identity)
def _identity(layer: Identity, p: _Pass) -> _Tensor:
    return p.same()


@_rule.register(Dropout)  # AlphaDropout too
def _dropout(layer: Dropout, p: _Pass) -> _Tensor:
    """A mask of the input's size and dtype (on the CPU); p = 0 is the identity, p = 1 a
    product with a zero scalar."""
    if layer.p == 0:
        return p.same()
    p.keep_new(1 if layer.p == 1 else math.prod(p.x.shape))
    return p.same() if layer.in_place() else p.new(_like(p.x, p.shape))


@_rule.register(AlphaDropout)
def _alpha_dropout(layer: AlphaDropout, p: _Pass) -> _Tensor:
    if layer.p == 0:
        return p.same()
    p.keep_new(1 if layer.p == 1 else math.prod(p.x.shape))
    return p.new(_like(p.x, p.shape))


@_rule.register(Dropout1d)
@_rule.register(Dropout2d)
@_rule.register(Dropout3d)
def _feature_dropout(layer: Dropout, p: _Pass) -> _Tensor:
    """A mask per sample and channel (``[N, C, 1, …]``; one per channel unbatched)."""
    if layer.p == 0:
        return p.same()
    shape = p.x.shape
    spatial = {Dropout1d: 1, Dropout2d: 2, Dropout3d: 3}[type(layer)]
    batch = len(shape) - spatial - 1  # 1 batched, 0 unbatched
    if type(layer) is Dropout2d and len(shape) == 3:  # PyTorch takes a 3-d input as [N, C, L]
        batch = 1
    p.keep_new(1 if layer.p == 1 else math.prod(shape[: batch + 1]))
    return p.same() if layer.in_place() else p.new(_like(p.x, p.shape))


# -- pooling, padding, resampling -----------------------------------------------------------


@_rule.register(MaxPool)
@_rule.register(AdaptiveMaxPool)
def _max_pool(layer: Layer, p: _Pass) -> _Tensor:
    p.keep(p.x)
    p.keep_new(math.prod(p.shape), _INT64)  # the indices of the maxima
    return p.new(_format(p.x, p.shape))


@_rule.register(AvgPool1d)  # AvgPool2d, AvgPool3d
def _avg_pool(layer: AvgPool1d, p: _Pass) -> _Tensor:
    p.keep(p.x)
    return p.new(_format(p.x, p.shape))


@_rule.register(AdaptiveAvgPool)
def _adaptive_avg_pool(layer: AdaptiveAvgPool, p: _Pass) -> _Tensor:
    """To 1 × … × 1 PyTorch takes the mean, which keeps nothing; else the input."""
    if any(size != 1 for size in p.shape[2:]):
        p.keep(p.x)
    return p.new(_format(p.x, p.shape))


@_rule.register(LPPool)
def _lp_pool(layer: LPPool, p: _Pass) -> _Tensor:
    """``F.lp_pool2d``: ``(sign(a)·relu(|a|)·∏k)^(1/p)`` with ``a = avg_pool(x^p)``: x, x^p
    and four tensors of the output's size; for p = ±∞ a max pooling of ``|x|``: x, |x|
    and the indices."""
    inputs, outputs = math.prod(p.x.shape), math.prod(p.shape)
    p.keep(p.x)
    p.keep_new(inputs)
    if math.isinf(layer.norm_type):
        p.keep_new(outputs, _INT64)
    else:
        for _ in range(4):
            p.keep_new(outputs)
    return p.new(_format(p.x, p.shape))


@_rule.register(Upsample)
def _upsample(layer: Upsample, p: _Pass) -> _Tensor:
    """Interpolation keeps nothing; ``mode: area`` is an adaptive average pooling."""
    if layer.mode == "area" and any(size != 1 for size in p.shape[2:]):
        p.keep(p.x)
    return p.new(_format(p.x, p.shape))


@_rule.register(ZeroPad)  # ConstantPad (a subclass) too
@_rule.register(CircularPad)
@_rule.register(ChannelShuffle)
@_rule.register(PixelShuffle)
@_rule.register(PixelUnshuffle)
def _keeps_nothing(layer: Layer, p: _Pass) -> _Tensor:
    return p.new(_format(p.x, p.shape))


@_rule.register(ReflectionPad)
@_rule.register(ReplicationPad)
def _pad_saves_input(layer: Layer, p: _Pass) -> _Tensor:
    p.keep(p.x)
    return p.new(_format(p.x, p.shape))


# -- shapes: views, or a copy when the strides allow no view --------------------------------


@_rule.register(Flatten)
@_rule.register(Reshape)
def _reshape(layer: Layer, p: _Pass) -> _Tensor:
    strides = _view_strides(p.x, p.shape)
    return p.new() if strides is None else p.view(strides)


@_rule.register(Unflatten)
def _unflatten(layer: Unflatten, p: _Pass) -> _Tensor:
    strides = _view_strides(p.x, p.shape)
    return p.view(strides if strides is not None else _contiguous(p.shape))


@_rule.register(Permute)
def _permute(layer: Permute, p: _Pass) -> _Tensor:
    order = [d % len(p.x.shape) for d in layer.dims_order]
    return p.view(tuple(p.x.strides[d] for d in order))


@_rule.register(Slice)
def _slice(layer: Slice, p: _Pass) -> _Tensor:
    dim = layer.dim % len(p.x.shape)
    strides = list(p.x.strides)
    strides[dim] *= layer.step or 1
    return p.view(tuple(strides))


# -- merges and the layer scale ------------------------------------------------------------


@_rule.register(Merge)  # Add (and a Residual's sum) keeps nothing
def _add(layer: Merge, p: _Pass) -> _Tensor:
    return p.new(_like(p.x, p.shape))


@_rule.register(Concat)
def _concat(layer: Concat, p: _Pass) -> _Tensor:
    return p.new(_format(p.x, p.shape))


@_rule.register(Multiply)
def _multiply(layer: Multiply, p: _Pass) -> _Tensor:
    """Left to right: each product keeps the other factor of each factor that needs a
    gradient (the running product, a new tensor, when there are three or more)."""
    acc = p.ins[0]
    for i, b in enumerate(p.ins[1:], start=1):
        if acc.rg:
            p.keep(b)
        if b.rg:
            p.keep(acc)
        if i < len(p.ins) - 1:
            shape = _broadcast(acc.shape, b.shape)
            acc = _Tensor(_Storage(math.prod(shape) * p.itemsize), shape, _contiguous(shape), acc.rg or b.rg)
    return p.new(_like(p.x, p.shape))


def _broadcast(a: Shape, b: Shape) -> Shape:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return tuple(max(x, y) for x, y in zip(a, b))


@_rule.register(Scale)
def _scale(layer: Scale, p: _Pass) -> _Tensor:
    """``x · γ``: x, when γ trains (γ itself, a parameter, when x needs a gradient)."""
    if p.trains:
        p.keep(p.x)
    return p.new(_like(p.x, p.shape))


# ---------------------------------------------------------------------------------------
# Parameters, buffers, optimizer state
# ---------------------------------------------------------------------------------------


@singledispatch
def _parameter_tensors(layer: Layer) -> int:
    """How many parameter tensors the layer has (an optimizer keeps a step per tensor)."""
    return 0


@_parameter_tensors.register(Conv)
@_parameter_tensors.register(ConvTranspose)
@_parameter_tensors.register(Linear)
def _weight_and_bias(layer: Conv | ConvTranspose | Linear) -> int:
    return 2 if layer.bias else 1


@_parameter_tensors.register(BatchNorm)  # InstanceNorm too
def _norm_tensors(layer: BatchNorm) -> int:
    return 2 if layer.affine else 0


@_parameter_tensors.register(GroupNorm)
def _group_norm_tensors(layer: GroupNorm) -> int:
    return 2 if layer.affine else 0


@_parameter_tensors.register(LayerNorm)
def _layer_norm_tensors(layer: LayerNorm) -> int:
    return (2 if layer.bias else 1) if layer.elementwise_affine else 0


@_parameter_tensors.register(PReLU)
@_parameter_tensors.register(Scale)
def _one_tensor(layer: Layer) -> int:
    return 1


def _buffer_bytes(row: Row, itemsize: int) -> int:
    """Running statistics at the dtype; BatchNorm's ``num_batches_tracked`` is an int64."""
    if row.buffers and isinstance(row.layer, BatchNorm) and row.layer.track_running_stats:
        return (row.buffers - 1) * itemsize + _INT64
    return row.buffers * itemsize


# ---------------------------------------------------------------------------------------
# The analysis
# ---------------------------------------------------------------------------------------


def _training_outputs(report: Report, tensor: dict[str, int]) -> set[int]:
    """The tensors the loss sums: the network's outputs and each training-only entry's
    output (an auxiliary head is an output in training)."""
    outs = {tensor[o.path] for o in report.outputs}
    open_aux: str | None = None
    for row in report.rows:
        if row.training_only and (open_aux is None or not row.path.startswith(open_aux + ".")):
            open_aux = row.path
            outs.add(tensor[row.path])
    return outs


def _live(steps: list[Step], outputs: set[int]) -> list[bool]:
    """Whether each step leads to an output (the backward pass runs through it)."""
    live = set(outputs)
    flags = [False] * len(steps)
    for i in range(len(steps) - 1, -1, -1):
        if steps[i].output in live:
            flags[i] = True
            live.update(steps[i].inputs)
    return flags


def _parents(rows: list[Row]) -> list[int | None]:
    """The position of each row's block row (None at the top level)."""
    parents: list[int | None] = []
    stack: list[int] = []
    for i, row in enumerate(rows):
        del stack[row.depth :]
        parents.append(stack[-1] if stack else None)
        stack.append(i)
    return parents


def _analyse(net: Any, report: Report, optimizer: str) -> Training:
    from .memory import steps
    from .report import DTYPE_BYTES

    itemsize = DTYPE_BYTES[report.dtype]
    order, tensor = steps(net, report)
    outputs = _training_outputs(report, tensor)
    live = _live(order, outputs)
    p = _Pass(itemsize)
    shape = report.input_shape
    tensors = {0: _Tensor(_Storage(math.prod(shape) * itemsize), shape, _contiguous(shape), False)}
    position = {row.index: i for i, row in enumerate(report.rows)}
    figures = [TrainingRow() for _ in report.rows]
    for step, alive in zip(order, live):
        row = step.row
        trains = row.trainable_params > 0 and not row.composite
        tensors[step.output] = p.run(step, [tensors[t] for t in step.inputs], trains, alive)
        mine = figures[position[row.index]]
        mine.saved_bytes += p.saved
        mine.backward_flops += p.flops
    per_element, counter = OPTIMIZERS[optimizer]
    live_rows = {step.row.index for step, alive in zip(order, live) if alive}
    totals = TrainingTotals()
    state_tensors = 0
    for row, mine in zip(report.rows, figures):
        if row.composite:
            continue
        totals.param_bytes += row.params * itemsize
        totals.buffer_bytes += _buffer_bytes(row, itemsize)
        trainable = row.trainable_params
        if trainable and (row.index in live_rows or optimizer == "adagrad"):  # Adagrad's state is made up front
            if row.index in live_rows:
                mine.grad_bytes = trainable * itemsize
            count = _parameter_tensors(row.layer)
            state_tensors += count
            mine.optimizer_bytes = per_element * trainable * itemsize + (_STEP_BYTES * count if counter else 0)
    parents = _parents(report.rows)
    for i in range(len(report.rows) - 1, -1, -1):
        parent = parents[i]
        if parent is not None:
            up, mine = figures[parent], figures[i]
            up.saved_bytes += mine.saved_bytes
            up.grad_bytes += mine.grad_bytes
            up.optimizer_bytes += mine.optimizer_bytes
            up.backward_flops += mine.backward_flops
    for row, mine in zip(report.rows, figures):
        if row.depth == 0:
            totals.saved_bytes += mine.saved_bytes
            totals.grad_bytes += mine.grad_bytes
            totals.optimizer_bytes += mine.optimizer_bytes
            totals.backward_flops += mine.backward_flops
    totals.train_bytes = (
        totals.param_bytes + totals.grad_bytes + totals.optimizer_bytes + totals.saved_bytes + totals.buffer_bytes
    )
    totals.forward_flops = 2 * (report.totals.macs + report.totals.training_only_macs)
    totals.step_flops = totals.forward_flops + totals.backward_flops
    return Training(report, optimizer, figures, totals, state_tensors)


_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_UNITS.update({f"{u}ib": v for u, v in list(_UNITS.items()) if u not in ("", "b")})
_UNITS.update({"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12})
_BYTES = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def parse_bytes(value: Any, what: str = "--fit") -> int:
    """A memory size: bytes, or a number with a unit: KiB, MiB, GiB, TiB (and K, M, G, T)
    are powers of 1024, kB, MB, GB, TB powers of 1000.

    >>> parse_bytes("24GiB"), parse_bytes("1.5 G"), parse_bytes("16GB"), parse_bytes(4096)
    (25769803776, 1610612736, 16000000000, 4096)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise InputError(f"{what} must be at least 1 byte, got {value}")
        return value
    match = _BYTES.fullmatch(value) if isinstance(value, str) else None
    if match is None or match.group(2).lower() not in _UNITS:
        raise InputError(f"{what} takes a memory size like 24GiB, 16GB or 8000000000, got {value!r}")
    exact = Fraction(match.group(1)) * _UNITS[match.group(2).lower()]
    if exact.denominator != 1 or exact < 1:
        raise InputError(f"{what} must be a whole number of bytes, at least 1, got {value!r}")
    return int(exact)


def _load(network: Any, input_shape: Any) -> Any:
    from .network import Network

    if isinstance(network, Network):
        return network
    from .sizes import parse_shape
    from .spec import load

    return load(network, input_shape=None if input_shape is None else parse_shape(input_shape, "input_shape"))


def train(
    network: Any,
    *,
    input_shape: Any = None,
    dtype: str = "float32",
    batch: int | None = None,
    optimizer: str = "sgd",
    fit: int | str | None = None,
) -> Training:
    """The training figures of ``network`` (what :func:`convcalc.analyze` takes) at its
    input's batch size, or ``batch``, with ``optimizer`` (SPEC §4 ``net --train``). With
    ``fit`` (bytes, or text like ``"24GiB"``), the figures at the largest batch whose
    ``train_bytes`` fit, and :attr:`Training.fit` says which (batch 0 and the figures at
    batch 1 when none does).

    >>> t = train("lenet", batch=64, optimizer="adam")
    >>> t.totals.grad_bytes, t.totals.optimizer_bytes    # 61,706 params; 10 tensors' steps
    (246824, 493688)
    >>> train("lenet", optimizer="adam", fit="4MiB").fit.batch
    90
    """
    from .network import analyze

    name = optimizer.lower() if isinstance(optimizer, str) else optimizer  # torch's class names too: Adam, SGD
    if name not in OPTIMIZERS:
        from .layers import suggest

        raise InputError(
            f"unknown optimizer {optimizer!r}{suggest(str(optimizer), OPTIMIZERS)}; choose from {', '.join(OPTIMIZERS)}"
        )
    optimizer = name
    if fit is not None and batch is not None:
        raise InputError("--fit finds the batch size itself: give --batch or --fit, not both")
    if dtype not in _FLOATING:
        raise InputError(
            f"training needs a floating-point dtype (autograd computes no gradients in {dtype}): "
            f"choose from {', '.join(_FLOATING)}"
        )
    budget = None if fit is None else parse_bytes(fit)
    net = _load(network, input_shape)

    def at(n: int | None) -> Training:
        return _analyse(net, analyze(net, input_shape=input_shape, dtype=dtype, batch=n), optimizer)

    if budget is None:
        return at(batch)
    return _fit(at, budget)


def _fit(at: Callable[[int], Training], budget: int) -> Training:
    """The largest batch whose ``train_bytes`` ≤ ``budget``: from the figures at batches 1
    and 2 (``train_bytes`` is affine in the batch but for strides that change at batch 1),
    then checked exactly at the batch found and the next."""
    from .layers import MAX_NUMBER

    one = at(1)
    if one.totals.train_bytes > budget:
        one.fit = Fit(budget, 0, one.totals.train_bytes)
        return one
    slope = at(2).totals.train_bytes - one.totals.train_bytes
    lo, hi = 1, MAX_NUMBER + 1  # fits at lo; hi: known not to fit (or past the limit)
    guess = MAX_NUMBER if slope <= 0 else min(MAX_NUMBER, 1 + (budget - one.totals.train_bytes) // slope)
    best, over = one, None  # the figures at lo, and train_bytes at hi
    for candidate in (guess, guess + 1):  # usually exact: fits at guess, not at guess + 1
        if lo < candidate < hi:
            found = at(candidate)
            if found.totals.train_bytes <= budget:
                lo, best = candidate, found
            else:
                hi, over = candidate, found.totals.train_bytes
    while hi - lo > 1:  # when the guess was off: bisect
        mid = (lo + hi) // 2
        found = at(mid)
        if found.totals.train_bytes <= budget:
            lo, best = mid, found
        else:
            hi, over = mid, found.totals.train_bytes
    best.fit = Fit(budget, lo, best.totals.train_bytes, over)
    return best
