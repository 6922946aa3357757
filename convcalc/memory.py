"""The tensors of a walk, in the order PyTorch makes them, and the inference peak.

:func:`steps` lays a walked network out as the operations a forward pass runs: one per
layer row, and one for each block's own work that has no row of its own (a Residual's
sum, the ``torch.cat`` of Concat and Split, the product of a Multiply, and the pieces Split
cuts, which are :class:`~convcalc.layers.Slice` views). Tensors are numbered, 0 being the
network input; a Sequential's or Repeat's output is its last entry's tensor.
:func:`peak_bytes` frees each tensor after its last reader (SPEC §3); the training figures
(:mod:`convcalc.training`) walk the same steps.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from .layers import Layer, Shape, build
from .records import Record

if TYPE_CHECKING:
    from .report import Report, Row

__all__ = ["Step", "peak_bytes", "steps"]

@functools.cache
def _residual_merge() -> Layer:
    """The merge of a Residual, ``body(x) + shortcut(x)``: built when one is first walked."""
    return build("Add")


class Step(Record):
    """One operation of the forward pass: the row it belongs to (a block's row for the
    block's own work), the layer that does it, the tensors it reads, the one it makes and
    that one's shape."""

    row: Row
    layer: Layer
    inputs: tuple[int, ...]
    output: int
    shape: Shape

    def __init__(self, row: Row, layer: Layer, inputs: tuple[int, ...], output: int, shape: Shape) -> None:
        self.row, self.layer, self.inputs, self.output, self.shape = row, layer, inputs, output, shape


class _Layout:
    """Walks the network's entries beside its rows (the walk order is the rows' order)."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = iter(rows)
        self.steps: list[Step] = []
        self.tensor: dict[str, int] = {"input": 0}  # row path → the tensor it outputs
        self.count = 1

    def _new(self) -> int:
        self.count += 1
        return self.count - 1

    def walk(self, nodes: list[Any], first: int) -> int:
        from .network import LayerNode

        outs: list[int] = []
        for i, node in enumerate(nodes):
            row = next(self.rows)
            if node.sources is None:
                ins: tuple[int, ...] = (outs[-1] if outs else first,)
            else:
                ins = tuple(self._source(ref, path, i, outs, first) for ref, path in zip(node.sources, row.inputs))
            if isinstance(node, LayerNode):
                out = self._new()
                self.steps.append(Step(row, node.layer, ins, out, row.output_shape))
            else:
                out = self._block(node, row, ins[0])
            self.tensor[row.path] = out
            outs.append(out)
        return outs[-1] if outs else first

    def _source(self, ref: Any, path: str, i: int, outs: list[int], first: int) -> int:
        if ref.index is not None:  # -1 from the first entry is the list's own input (a Split piece)
            j = i + ref.index
            return outs[j] if j >= 0 else first
        return self.tensor[path]

    def _block(self, node: Any, row: Row, x: int) -> int:
        kind = node.type
        if kind == "Sequential":
            return self.walk(node.lists[0], x)
        if kind == "Repeat":
            for _ in range(node.times):
                x = self.walk(node.lists[0], x)
            return x
        if kind == "Residual":
            body = self.walk(node.lists[0], x)
            short = self.walk(node.lists[1], x) if len(node.lists) > 1 else x
            return self._merge(row, _residual_merge(), (body, short), row.output_shape)
        pieces = [x] * len(node.lists)
        if kind == "Split":
            pieces = [self._piece(row, cut, x) for cut in _cuts(node, row.input_shape)]
        outs = tuple(self.walk(branch, piece) for branch, piece in zip(node.lists, pieces))
        if len(outs) == 1 and kind in ("Add", "Multiply"):  # a sum or product of one branch is that branch
            return outs[0]
        return self._merge(row, node.merge, outs, row.output_shape)

    def _merge(self, row: Row, layer: Layer, ins: tuple[int, ...], shape: Shape) -> int:
        out = self._new()
        self.steps.append(Step(row, layer, ins, out, shape))
        return out

    def _piece(self, row: Row, cut: tuple[Layer, Shape], x: int) -> int:
        return self._merge(row, cut[0], (x,), cut[1])


def _cuts(node: Any, shape: Shape) -> list[tuple[Layer, Shape]]:
    """The pieces of a Split as the Slice views ``torch.chunk`` or ``torch.split`` make,
    and their shapes (a piece may be empty)."""
    dim = node.dim % len(shape)
    n = shape[dim]
    if node.sizes is not None:
        sizes = list(node.sizes)
    else:
        size = -(-n // (node.chunks or 1))
        sizes = [min(size, n - start) for start in range(0, n, size)]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [
        (build("Slice", dim=dim, start=s, end=s + k), (*shape[:dim], k, *shape[dim + 1 :]))
        for s, k in zip(starts, sizes)
    ]


def steps(net: Any, report: Report) -> tuple[list[Step], dict[str, int]]:
    """The forward pass of a walked network (``net`` as :func:`convcalc.analyze` read it),
    and the tensor each row path outputs."""
    layout = _Layout(report.rows)
    layout.walk(net.layers, 0)
    return layout.steps, layout.tensor


def peak_bytes(net: Any, report: Report, nbytes: int) -> int:
    """The most bytes of tensors alive at once in inference: each tensor is made by its
    step (a view or an in-place layer makes none) and freed after its last reader; the
    network input lives until its last reader, the outputs to the end. Training-only
    entries do not run.

    >>> import convcalc
    >>> r = convcalc.analyze({"input": [1, 1, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "k": 1}},
    ...                       {"ReLU": {"inplace": True}}, "Flatten", {"Linear": {"out_features": 2}}]})
    >>> r.totals.peak_activation_bytes  # the input and the conv's output, while the conv runs
    1280
    """
    order, tensor = steps(net, report)
    order = [s for s in order if not s.row.training_only]
    storage: dict[int, int] = {0: 0}  # tensor → the tensor whose storage it is (itself when new)
    size = {0: math.prod(report.input_shape) * nbytes}
    last = {0: -1}
    for i, step in enumerate(order):
        layer = step.layer
        if layer.is_view() or layer.in_place():
            storage[step.output] = storage[step.inputs[0]]
        else:
            storage[step.output] = step.output
            size[step.output] = math.prod(step.shape) * nbytes
        for t in step.inputs:
            last[storage[t]] = i
        last.setdefault(storage[step.output], i)
    end = len(order)
    for out in report.outputs:
        if tensor[out.path] in storage:
            last[storage[tensor[out.path]]] = end
    freed: dict[int, list[int]] = {}
    for s, i in last.items():
        freed.setdefault(i, []).append(s)
    live = peak = size[0]
    for i, step in enumerate(order):
        s = storage[step.output]
        if s == step.output:
            live += size[s]
        peak = max(peak, live)
        live -= sum(size[t] for t in freed.get(i, ()))
    return peak
