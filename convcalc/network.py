"""Walk a tree of layers (Sequential / Repeat / Residual / Concat) over an input shape."""

from __future__ import annotations

import math
from typing import Any

from .bulk import paused_gc
from .errors import ConvCalcError, InputError, InvalidLayerError, LimitError
from .layers import MAX_NUMBER, RF, Flatten, Linear, Shape, suggest
from .report import DTYPE_BYTES, Report, Row, Totals
from .spec import Composite, LayerNode, Network, load, parse_shape, short_path

__all__ = ["analyze"]


def analyze(network: Any, *, input_shape: Any = None, dtype: str = "float32") -> Report:
    """Analyse a network: a path, YAML text, a built-in name (``"lenet"``) or a dict in
    the format of SPEC §2. ``input_shape`` overrides the network's ``input``.

    >>> report = analyze({"input": [1, 1, 28, 28],
    ...                   "layers": [{"Conv2d": {"out_channels": 6, "kernel_size": 5, "padding": 2}}]})
    >>> report.rows[0].output_shape, report.totals.params
    ((1, 6, 28, 28), 156)
    """
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise InputError(f"unknown dtype {dtype!r}{suggest(str(dtype), DTYPE_BYTES)}; choose from {', '.join(DTYPE_BYTES)}")
    if input_shape is not None:
        input_shape = parse_shape(input_shape, "input_shape")
    with paused_gc:  # a large network is millions of objects that all live to the end
        net = network if isinstance(network, Network) else load(network, input_shape=input_shape)
        shape = input_shape or net.input_shape
        assert shape is not None
        return _Walker(DTYPE_BYTES[dtype]).run(net, shape, dtype)


def _add_sums(parent: Row | Totals, child: Row) -> None:
    """A composite row holds the sums of its children (of its leaves, through its
    composites); the totals hold those of every leaf."""
    parent.params += child.params
    parent.buffers += child.buffers
    parent.macs += child.macs
    parent.activation_bytes += child.activation_bytes


def _initial_rf(shape: Shape) -> RF:
    return ((1, 1, 0.0),) * (len(shape) - 2) if len(shape) >= 3 else None


def _merge_rf(fields: list[RF]) -> RF:
    """Residual/Concat: per dimension, the largest receptive field over the paths."""
    if any(f is None for f in fields) or len({len(f) for f in fields}) != 1:  # type: ignore[arg-type]
        return None
    return tuple(max(dims, key=lambda t: t[0]) for dims in zip(*fields))  # type: ignore[arg-type]


class _Walker:
    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes
        self.rows: list[Row] = []
        self.leaves: list[Row] = []
        self.flatten: tuple[Shape, Shape] | None = None  # the last Flatten's input and output
        self.repeats: list[str] = []  # "repeat 2 of 3" for each Repeat being walked
        self.open: list[Row] = []  # the composite rows being walked, innermost last

    def run(self, net: Network, shape: Shape, dtype: str) -> Report:
        rf = _initial_rf(shape)
        self._seq(net.layers, shape, rf, 0, "")
        totals = Totals()
        warnings = []
        for row in self.leaves:
            _add_sums(totals, row)
            warnings.extend(f"{row.where}: {w}" for w in row.warnings)
        totals.trainable_params = totals.params
        totals.flops = 2 * totals.macs
        totals.param_bytes = totals.params * self.nbytes
        return Report(net.name, shape, dtype, self.rows, totals, warnings)

    # -- sequences ---------------------------------------------------------------------

    def _seq(self, nodes: list[Any], shape: Shape, rf: RF, depth: int, prefix: str) -> tuple[Shape, RF]:
        for i, node in enumerate(nodes):
            shape, rf = self._node(node, shape, rf, depth, f"{prefix}{i}")
        return shape, rf

    def _node(self, node: Any, shape: Shape, rf: RF, depth: int, path: str) -> tuple[Shape, RF]:
        if isinstance(node, LayerNode):
            return self._leaf(node, shape, rf, depth, path)
        return self._composite(node, shape, rf, depth, path)

    def _where(self, node: Any, type_name: str) -> str:
        """``layers[3].body[1] (#7, Conv2d, line 9, repeat 2 of 3)``: the YAML path, the
        row number, the type, the line, and which repetition of each enclosing Repeat."""
        bits = [f"#{len(self.rows) + 1}", type_name]
        if node.line:
            bits.append(f"line {node.line}")
        bits.extend(self.repeats)
        return f"{short_path(node.where)} ({', '.join(bits)})"

    def _leaf(self, node: LayerNode, shape: Shape, rf: RF, depth: int, path: str) -> tuple[Shape, RF]:
        layer = node.layer
        where = self._where(node, layer.type)
        try:
            step = layer.forward(shape)
        except ConvCalcError as err:
            raise self._explain(err, layer, shape).at(where) from None
        out = step.output_shape
        if any(v > MAX_NUMBER for v in out):
            dim = next(i for i, v in enumerate(out) if v > MAX_NUMBER)
            raise LimitError(
                f"the output size along dimension {dim} is over 2^40 ({MAX_NUMBER:,}), the limit of any number",
                where=where,
            )
        rf = layer.receptive_field(rf) if rf is not None and len(out) == len(shape) else None
        if rf is not None and len(rf) != len(out) - 2:
            rf = None
        row = Row(
            len(self.rows) + 1,
            path,
            node.name,
            layer.type,
            depth,
            shape,
            out,
            step.params,
            step.buffers,
            step.macs,
            2 * step.macs,
            math.prod(out) * self.nbytes,
            rf,
            step.warnings,
            False,
            layer.arguments(),
            where,
        )
        self.rows.append(row)
        self.leaves.append(row)
        if self.open:
            _add_sums(self.open[-1], row)
        if isinstance(layer, Flatten):
            self.flatten = (shape, out)
        return out, rf

    def _explain(self, err: ConvCalcError, layer: Any, shape: Shape) -> ConvCalcError:
        """A Linear whose in_features does not match what a Flatten made (directly, or
        through shape-preserving layers such as Dropout): say both numbers in the
        network's terms."""
        if isinstance(layer, Linear) and self.flatten is not None and self.flatten[1] == shape:
            flat_in, flat_out = self.flatten
            dim = len(flat_out) - 1  # the flattened dimension is the last one, where Linear acts
            parts = flat_in[dim : dim + len(flat_in) - len(flat_out) + 1]
            if layer.in_features not in (None, shape[-1]) and len(parts) > 1 and math.prod(parts) == shape[-1]:
                return InvalidLayerError(
                    f"Flatten gives {'·'.join(str(p) for p in parts)} = {shape[-1]} features; Linear expects "
                    f"in_features={layer.in_features} (leave in_features out to infer it)"
                )
        return err

    # -- composites --------------------------------------------------------------------

    def _composite(self, node: Composite, shape: Shape, rf: RF, depth: int, path: str) -> tuple[Shape, RF]:
        where = self._where(node, node.type)
        row = Row(len(self.rows) + 1, path, node.name, node.type, depth, shape, composite=True, where=where)
        self.rows.append(row)
        self.open.append(row)  # each child adds its sums to it: linear in the rows, whatever the depth
        if node.type == "Sequential":
            out, out_rf = self._seq(node.children, shape, rf, depth + 1, f"{path}.")
        elif node.type == "Repeat":
            out, out_rf = shape, rf
            n = len(node.children)
            self.repeats.append("")
            for t in range(node.times):
                self.repeats[-1] = f"repeat {t + 1} of {node.times}"
                for i, child in enumerate(node.children):
                    out, out_rf = self._node(child, out, out_rf, depth + 1, f"{path}.{t * n + i}")
            self.repeats.pop()
        elif node.type == "Residual":
            out, out_rf = self._seq(node.children, shape, rf, depth + 1, f"{path}.body.")
            short, short_rf = shape, rf
            if node.shortcut is not None:
                short, short_rf = self._seq(node.shortcut, shape, rf, depth + 1, f"{path}.shortcut.")
            if out != short:
                raise InvalidLayerError(
                    f"the body gives {list(out)} but the shortcut gives {list(short)}: a residual sum needs equal "
                    "shapes" + ("" if node.shortcut is not None else " (add a shortcut, e.g. a 1×1 Conv with the body's stride)"),
                    where=where,
                )
            out_rf = _merge_rf([out_rf, short_rf])
        else:
            out, out_rf = self._concat(node, shape, rf, depth, path, where)
        row.output_shape = out
        row.receptive_field = out_rf
        row.flops = 2 * row.macs
        self.open.pop()
        if self.open:
            _add_sums(self.open[-1], row)
        return out, out_rf

    def _concat(self, node: Composite, shape: Shape, rf: RF, depth: int, path: str, where: str) -> tuple[Shape, RF]:
        outs: list[Shape] = []
        fields: list[RF] = []
        for b, branch in enumerate(node.branches):
            out, out_rf = self._seq(branch, shape, rf, depth + 1, f"{path}.{b}.")
            outs.append(out)
            fields.append(out_rf)
        rank = len(outs[0])
        if not -rank <= node.dim < rank:
            raise InvalidLayerError(f"dim={node.dim} is out of range for {rank}-d outputs", where=where)
        dim = node.dim % rank
        for b, out in enumerate(outs):
            if len(out) != rank or any(a != c for i, (a, c) in enumerate(zip(out, outs[0])) if i != dim):
                raise InvalidLayerError(
                    f"branch {b} gives {list(out)} but branch 0 gives {list(outs[0])}: torch.cat along dim {node.dim} "
                    f"needs equal sizes in every other dimension",
                    where=where,
                )
        total = sum(out[dim] for out in outs)
        return (*outs[0][:dim], total, *outs[0][dim + 1 :]), _merge_rf(fields)
