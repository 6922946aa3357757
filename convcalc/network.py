"""The network as a graph, and the one walk that analyses it.

A network is a list of entries. An entry is a layer (:class:`LayerNode`) or a block
(:class:`Block`: Sequential, Repeat, Residual, and the branch forms Concat, Add, Multiply
and Split) holding lists of entries. Each entry reads the previous entry's output unless
its ``from:`` names other tensors (:class:`Ref`): a name, a negative index in its own
list, or the network input; merge layers (Add, Multiply, node-form Concat) read several.
The YAML reader (:mod:`convcalc.spec`) builds these objects; :func:`analyze` walks them
once, numbering the rows as it goes, over an input shape.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .bulk import paused_gc
from .errors import ConvCalcError, InputError, InvalidLayerError, LimitError, Place
from .layers import MAX_NUMBER, RF, Layer, Shape, if_loaded, suggest
from .records import Record
from .report import DTYPE_BYTES, Output, Report, Row, Totals

if TYPE_CHECKING:
    from .layers import Merge

__all__ = ["BLOCK_TYPES", "Block", "LayerNode", "Network", "Ref", "analyze"]

#: The block types: each holds lists of entries (SPEC §2, §2a).
BLOCK_TYPES = ("Sequential", "Repeat", "Residual", "Concat", "Add", "Multiply", "Split")


class Ref(Record, frozen=True):
    """One tensor an entry reads, as written in ``from:``: a ``name``, a negative
    ``index`` in the entry's own list (-1: the previous entry), or neither: the network
    input."""

    name: str | None = None
    index: int | None = None

    def __str__(self) -> str:
        return repr(self.name) if self.name is not None else "input" if self.index is None else str(self.index)


class LayerNode(Record):
    """One validated layer at its place in the file."""

    layer: Layer
    name: str | None
    where: str  # the YAML path: "layers[3].body[1]"
    line: int | None
    sources: tuple[Ref, ...] | None  # from:, None for the previous entry
    trainable: bool | None  # trainable:, None to inherit
    training_only: bool  # training_only: a branch that runs only in training (an auxiliary head)

    def __init__(  # written out: one node is built per layer of the file
        self,
        layer: Layer,
        name: str | None,
        where: str,
        line: int | None,
        sources: tuple[Ref, ...] | None = None,
        trainable: bool | None = None,
        training_only: bool = False,
    ) -> None:
        self.layer = layer
        self.name = name
        self.where = where
        self.line = line
        self.sources = sources
        self.trainable = trainable
        self.training_only = training_only


class Block(Record):
    """A block and its (unexpanded) lists of entries: ``lists`` is ``[layers]`` for
    Sequential and Repeat, ``[body]`` or ``[body, shortcut]`` for Residual, the branches
    for Concat, Add, Multiply and Split. ``merge`` is the layer that joins the branches'
    outputs (Concat, Add or Multiply); Split cuts its input along ``dim`` into ``chunks``
    pieces or pieces of ``sizes``, one per branch, and concatenates the outputs."""

    type: str
    name: str | None
    where: str
    line: int | None
    lists: list[list[Any]]
    sources: tuple[Ref, ...] | None = None
    trainable: bool | None = None
    training_only: bool = False
    times: int = 1  # Repeat
    start: int = 0  # Repeat: the number of its first repetition, for {i} in names
    merge: Any = None  # a Merge layer: branch forms and Split
    dim: int = 1  # Split
    chunks: int | None = None  # Split
    sizes: tuple[int, ...] | None = None  # Split


class Network(Record):
    """A whole network as read: its name, input shape, top-level entries, the number of
    rows after expansion, its declared outputs and every name it defines (with its place,
    to tell a reference forward from an unknown name)."""

    name: str | None
    input_shape: tuple[int, ...] | None
    layers: list[Any]
    count: int
    outputs: tuple[tuple[str, int | None], ...] | None = None  # (name, line)
    names: dict[str, Place] | None = None


def analyze(network: Any, *, input_shape: Any = None, dtype: str = "float32", batch: int | None = None) -> Report:
    """Analyse a network: a path, YAML text, a built-in name (``"lenet"``) or a dict in
    the format of SPEC §2. ``input_shape`` overrides the network's ``input``; ``batch``
    then replaces its first dimension.

    >>> report = analyze({"input": [1, 1, 28, 28],
    ...                   "layers": [{"Conv2d": {"out_channels": 6, "kernel_size": 5, "padding": 2}}]})
    >>> report.rows[0].output_shape, report.totals.params
    ((1, 6, 28, 28), 156)
    """
    from .sizes import parse_dtype, parse_shape

    dtype = parse_dtype(dtype)  # fp16, bf16, … are aliases
    if input_shape is not None:
        input_shape = parse_shape(input_shape, "input_shape")
    with paused_gc:  # a large network is millions of objects that all live to the end
        if isinstance(network, Network):
            net = network
        else:
            from .spec import load

            net = load(network, input_shape=input_shape)
        shape = input_shape or net.input_shape
        if shape is None:
            raise InputError("the network has no input shape: give input_shape")
        if batch is not None:
            if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_NUMBER:
                raise InputError(f"batch must be a whole number ≥ 1, got {batch!r}")
            shape = (batch, *shape[1:])
        return _Walker(DTYPE_BYTES[dtype], net).run(shape, dtype)


def _add_sums(parent: Row | Totals, child: Row) -> None:
    """A block row holds the sums of its children (of its leaves, through its blocks);
    the totals hold those of every leaf."""
    parent.params += child.params
    parent.trainable_params += child.trainable_params
    parent.buffers += child.buffers
    parent.macs += child.macs
    parent.activation_bytes += child.activation_bytes


def _initial_rf(shape: Shape) -> RF:
    return ((1, 1, 0.0),) * (len(shape) - 2) if len(shape) >= 3 else None


def _rf_in(layer: Layer, x: Tensor) -> RF:
    """The receptive field ``layer`` starts from. A field has an entry per spatial
    dimension of ``[N, C, *spatial]`` (``len(shape) − 2``), or of ``[C, *spatial]``
    (``len(shape) − 1``) after a layer that read its input unbatched (SPEC §3); a field is
    carried from one reading to the other only while it is the identity (no layer has
    combined positions yet), else it is null. Layers that keep any field take it as it is."""
    rf, rank = x.rf, len(x.shape)
    if layer.unbatched(x.shape):
        if rf is None and x.source == "input":
            return ((1, 1, 0.0),) * (rank - 1)
        return rf if rf is None or len(rf) == rank - 1 else _identity(rf, rank - 1)
    if rf is not None and len(rf) == rank - 1 and type(layer).receptive_field is not Layer.receptive_field:
        return _identity(rf, rank - 2)
    return rf


def _identity(rf: tuple[tuple[int, int, float], ...], n: int) -> RF:
    return ((1, 1, 0.0),) * n if n > 0 and all(step == (1, 1, 0.0) for step in rf) else None


_AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def merge_rf(fields: list[RF]) -> tuple[RF, str | None]:
    """The receptive field after a merge, and a warning when it is undefined for a reason
    the user may not expect: per spatial dimension the union of the inputs' fields (the
    smallest interval holding each input's interval of output 0) when their jumps are
    equal. Inputs without a field (after global pooling, say) make it undefined.

    >>> merge_rf([((5, 1, 0.0),), ((5, 1, -2.0),)])   # a centred and a causal 5-tap branch
    (((7, 1, -1.0),), None)
    >>> merge_rf([((3, 2, 0.5),), ((1, 1, 0.0),)])[1]
    'receptive field undefined after this merge: its inputs step 2 and 1 input pixels along the length'
    """
    if any(f is None for f in fields) or len({len(f) for f in fields if f is not None}) != 1:
        return None, None
    dims = []
    for axis, per_input in enumerate(zip(*[f for f in fields if f is not None])):
        jumps = sorted({j for _, j, _ in per_input}, reverse=True)
        if len(jumps) > 1:
            names = _AXES.get(len(fields[0] or ()), ())
            along = f" along the {names[axis]}" if axis < len(names) else f" along spatial dimension {axis}"
            steps = " and ".join(str(j) for j in jumps)
            return None, f"receptive field undefined after this merge: its inputs step {steps} input pixels{along}"
        lo = min(st - (r - 1) / 2 for r, _, st in per_input)
        hi = max(st + (r - 1) / 2 for r, _, st in per_input)
        dims.append((int(round(hi - lo)) + 1, jumps[0], (lo + hi) / 2))
    return tuple(dims), None


class Tensor(Record):
    """A value on an edge of the graph: its shape and receptive field, the path of the
    row that made it (``"input"`` for the network input) and how messages name it."""

    shape: Shape
    rf: RF
    source: str
    name: str | None

    def __init__(self, shape: Shape, rf: RF, source: str, name: str | None = None) -> None:
        self.shape = shape
        self.rf = rf
        self.source = source
        self.name = name

    @property
    def label(self) -> str:
        """How a message names the tensor: ``'conv2'``, ``row 3.1`` or ``the input``."""
        if self.name is not None:
            return f"'{self.name}'"
        return "the input" if self.source == "input" else f"row {self.source}"


class _Frame:
    """One list being walked: its input, its entries' outputs so far, and its names."""

    __slots__ = ("input", "names", "outputs")

    def __init__(self, input: Tensor) -> None:
        self.input = input
        self.outputs: list[Tensor] = []
        self.names: dict[str, Tensor] = {}


class _Walker:
    def __init__(self, nbytes: int, net: Network) -> None:
        self.nbytes = nbytes
        self.net = net
        self.rows: list[Row] = []
        self.leaves: list[Row] = []
        self.warnings: list[str] = []
        self.flatten: tuple[Shape, Shape] | None = None  # the last Flatten's input and output
        self.repeats: list[tuple[int, int]] = []  # (repetition, times) of each Repeat being walked
        self.numbers: list[int] = []  # what {i} stands for in each Repeat being walked
        self.open: list[Row] = []  # the block rows being walked, innermost last
        self.frames: list[_Frame] = []  # the lists being walked, innermost last
        self.qualname: list[str] = []  # the names of the enclosing named blocks
        self.seen: dict[str, Place] = {}  # every name walked so far, in any list
        self.aux = 0  # how many training-only entries enclose the one being walked
        # the classes the walk treats apart, () for a family not loaded (no layer is one)
        self.merge_cls = if_loaded("Merge")
        self.linear_cls = if_loaded("Linear")
        self.flatten_cls = if_loaded("Flatten")
        self.reshape_cls = if_loaded("Reshape")
        self.adaptive_cls = if_loaded("AdaptivePool")
        # (layer, input shape) → its Step: a network repeats its layers (one object each,
        # :mod:`convcalc.spec`) on the same shapes, and a layer's forward depends on nothing else
        self.steps: dict[tuple[int, Shape], Any] = {}

    def run(self, shape: Shape, dtype: str) -> Report:
        net = self.net
        top = _Frame(Tensor(shape, _initial_rf(shape), "input"))
        last = self._list(net.layers, top, 0, "", False)
        outputs = [Output(last.name, last.source, last.shape)]
        if net.outputs is not None:
            outputs = [self._output(name, line, top) for name, line in net.outputs]
        totals = Totals()
        for row in self.leaves:
            if row.training_only:  # its parameters are the model's, its cost is training's only
                totals.params += row.params
                totals.trainable_params += row.trainable_params
                totals.buffers += row.buffers
                totals.training_only_params += row.params
                totals.training_only_macs += row.macs
            else:
                _add_sums(totals, row)
        totals.flops = 2 * totals.macs
        totals.param_bytes = totals.params * self.nbytes
        report = Report(net.name, shape, dtype, self.rows, totals, self.warnings)
        report.outputs = outputs
        from .memory import peak_bytes

        totals.peak_activation_bytes = peak_bytes(net, report, self.nbytes)
        return report

    def _output(self, name: str, line: int | None, top: _Frame) -> Output:
        """A declared output: a name defined at the top level, or ``input``."""
        if name == "input":
            return Output(None, "input", top.input.shape)
        found = top.names.get(name)
        if found is None:
            where = Place("outputs", None, None, line)
            raise self._unknown(name, [top], where, "outputs")
        return Output(name, found.source, found.shape)

    # -- lists and references ----------------------------------------------------------

    def _list(
        self,
        nodes: list[Any],
        frame: _Frame,
        depth: int,
        prefix: str,
        frozen: bool,
        offset: int = 0,
    ) -> Tensor:
        """Walk one list from ``frame.input`` (its rows numbered from ``offset`` in their
        block: a Repeat's later repetitions go on counting); the last entry's output, or
        the input if the list is empty. A list (each repetition of a Repeat too) binds its
        names afresh; inside a Repeat, ``{i}`` in a name is the number of the innermost
        repetition (``start``, ``start + 1``, …)."""
        self.frames.append(frame)
        current = frame.input
        for i, node in enumerate(nodes):
            name = node.name
            if self.repeats and name is not None and "{i}" in name:
                name = name.replace("{i}", str(self.numbers[-1]))
            current = self._entry(node, name, i, frame, depth, f"{prefix}{offset + i}", frozen)
            frame.outputs.append(current)
            if name is not None:
                frame.names[name] = current
        self.frames.pop()
        return current

    def _entry(self, node: Any, name: str | None, i: int, frame: _Frame, depth: int, path: str, frozen: bool) -> Tensor:
        where = self._place(node, node.layer.type if isinstance(node, LayerNode) else node.type)
        inputs = [frame.outputs[-1] if frame.outputs else frame.input]
        if node.sources is not None:
            inputs = [self._resolve(ref, i, frame, where) for ref in node.sources]
        if node.trainable is not None:
            frozen = not node.trainable
        if name is not None:
            self.seen.setdefault(name, where)
        self.aux += node.training_only
        if isinstance(node, LayerNode):
            out = self._leaf(node, name, inputs, depth, path, frozen, where)
        else:
            out = self._block(node, name, inputs, depth, path, frozen, where)
        self.aux -= node.training_only
        return out

    def _resolve(self, ref: Ref, i: int, frame: _Frame, where: Place) -> Tensor:
        if ref.name is not None:
            for open_frame in reversed(self.frames):
                found = open_frame.names.get(ref.name)
                if found is not None:
                    return found
            raise self._unknown(ref.name, self.frames, where, "from")
        if ref.index is None:
            return self.frames[0].input
        j = i + ref.index
        if j >= 0:
            return frame.outputs[j]
        if j == -1:
            return frame.input
        raise InvalidLayerError(
            f"from: {ref.index} reaches {-j - 1} {'entry' if j == -2 else 'entries'} before the start of its list "
            f"(this is entry {i + 1}; -{i + 1} is the list's input): use a name to reach further",
            where=where,
        ).at(where)

    def _unknown(self, name: str, frames: list[_Frame], where: Place, key: str) -> ConvCalcError:
        """A reference to a name that is not visible here: defined later (a reference
        forward, which would make a cycle), inside another block, or nowhere."""
        seen = self.seen.get(name)
        if seen is not None:
            return InputError(
                f"{key}: '{name}' is defined inside a block ({seen}): a name is visible in its own list and the "
                "lists inside it; name the block to use its output",
                where=where,
            )
        later = (self.net.names or {}).get(name)
        if later is not None:
            return InputError(
                f"{key}: '{name}' is defined later ({later}): an entry can only read earlier entries", where=where
            )
        visible = {n for f in frames for n in f.names}
        hint = suggest(name, sorted(visible)) if visible else ""
        defined = "" if visible else " (no names are defined before it)"
        return InputError(f"{key}: unknown name '{name}'{hint}{defined}", where=where)

    def _place(self, node: Any, type_name: str) -> Place:
        return Place(node.where, len(self.rows) + 1, type_name, node.line, tuple(self.repeats) if self.repeats else ())

    # -- layers ------------------------------------------------------------------------

    def _leaf(
        self, node: LayerNode, name: str | None, inputs: list[Tensor], depth: int, path: str, frozen: bool, where: Place
    ) -> Tensor:
        layer = node.layer
        x = inputs[0]
        try:
            if isinstance(layer, self.merge_cls):
                if len(inputs) < 2:
                    raise InputError(
                        f"{layer.type} merges two or more tensors: list them in from:, e.g. from: [-1, skip]"
                    )
                step = layer.forward_many([t.shape for t in inputs], [t.label for t in inputs])
            else:
                if len(inputs) != 1:
                    raise InputError(f"{layer.type} reads one tensor; from: lists {len(inputs)}")
                key = (id(layer), x.shape)
                step = self.steps.get(key)
                if step is None:
                    step = self.steps[key] = layer.forward(x.shape)
        except ConvCalcError as err:
            raise self._explain(err, layer, x.shape).at(where) from None
        out = step.output_shape
        if max(out) > MAX_NUMBER:
            dim = next(i for i, v in enumerate(out) if v > MAX_NUMBER)
            raise LimitError(
                f"the output size along dimension {dim} is over 2^40 ({MAX_NUMBER:,}), the limit of any number",
                where=where,
            )
        warnings = step.warnings
        if isinstance(layer, self.linear_cls):
            note = layer.flatten_note(x.shape, x.rf, isinstance(self._producer(x), self.adaptive_cls))
            warnings += (note,) if note else ()
        if len(inputs) > 1:
            rf, note = (
                merge_rf([t.rf for t in inputs]) if all(len(t.shape) == len(out) for t in inputs) else (None, None)
            )
            if note:
                warnings += (note,)
            sources = tuple([t.source for t in inputs])
        else:
            rf_in = _rf_in(layer, x)
            rf = layer.receptive_field(rf_in) if rf_in is not None and len(out) == len(x.shape) else None
            sources = (x.source,)
        if rf is not None and len(rf) not in (len(out) - 2, len(out) - 1):
            rf = None
        params = step.params
        rows = self.rows
        row = Row(
            len(rows) + 1,
            path,
            name,
            layer.type,
            depth,
            x.shape,
            out,
            params,
            step.buffers,
            step.macs,
            2 * step.macs,
            0 if layer.is_view() or layer.in_place() else math.prod(out) * self.nbytes,
            rf,
            warnings,
            False,
            layer.arguments(),
            where,
            0 if frozen else params,
            sources,
            None if name is None else self._qualname(name),
            self.aux > 0,
            layer,
        )
        rows.append(row)
        self.leaves.append(row)
        if warnings:
            self.warnings.extend(f"{where}: {w}" for w in warnings)
        if self.open:
            _add_sums(self.open[-1], row)
        if isinstance(layer, self.flatten_cls):
            self.flatten = (x.shape, out)
        return Tensor(out, rf, path, name)

    def _qualname(self, name: str | None) -> str | None:
        if name is None:
            return None
        return ".".join((*self.qualname, name)) if self.qualname else name

    def _producer(self, x: Tensor) -> Layer | None:
        """The layer of the row that made ``x``, when it is the last layer row."""
        last = self.leaves[-1] if self.leaves else None
        return last.layer if last is not None and last.path == x.source else None

    def _explain(self, err: ConvCalcError, layer: Any, shape: Shape) -> ConvCalcError:
        """A Linear whose in_features does not match what a Flatten made (directly, or
        through shape-preserving layers such as Dropout): say both numbers in the
        network's terms. A layer that fails on what a Reshape with the batch in its
        shape made: say so (the mistake is at the Reshape)."""
        last = self.leaves[-1] if self.leaves else None
        if last is not None and isinstance(last.layer, self.reshape_cls) and last.output_shape == shape:
            note = last.layer.batch_note(shape[1:])
            if note is not None:
                return type(err)(f"{err.detail}; the Reshape before it (#{last.index}): {note}", where=err.where)
        if isinstance(layer, self.linear_cls) and self.flatten is not None and self.flatten[1] == shape:
            flat_in, flat_out = self.flatten
            dim = len(flat_out) - 1  # the flattened dimension is the last one, where Linear acts
            parts = flat_in[dim : dim + len(flat_in) - len(flat_out) + 1]
            if layer.in_features not in (None, shape[-1]) and len(parts) > 1 and math.prod(parts) == shape[-1]:
                return InvalidLayerError(
                    f"Flatten gives {'·'.join(str(p) for p in parts)} = {shape[-1]} features; Linear expects "
                    f"in_features={layer.in_features} (leave in_features out to infer it)"
                )
        return err

    # -- blocks ------------------------------------------------------------------------

    def _block(
        self, node: Block, name: str | None, inputs: list[Tensor], depth: int, path: str, frozen: bool, where: Place
    ) -> Tensor:
        if len(inputs) != 1:
            raise InputError(f"a {node.type} block reads one tensor; from: lists {len(inputs)}", where=where)
        x = inputs[0]
        row = Row(
            len(self.rows) + 1, path, name, node.type, depth, x.shape, composite=True, where=where,
            inputs=(x.source,), qualname=self._qualname(name), training_only=self.aux > 0,
        )  # fmt: skip
        self.rows.append(row)
        self.open.append(row)  # each child adds its sums to it: linear in the rows, whatever the depth
        if name is not None:
            self.qualname.append(name)
        kind = node.type
        inner = depth + 1
        note = None
        if kind == "Sequential":
            out = self._list(node.lists[0], _Frame(x), inner, f"{path}.", frozen)
            shape, rf = out.shape, out.rf
        elif kind == "Repeat":
            out = x
            n = len(node.lists[0])
            self.repeats.append((0, node.times))
            for t in range(node.times):
                self.repeats[-1] = (t + 1, node.times)
                self.numbers.append(node.start + t)
                out = self._list(node.lists[0], _Frame(out), inner, f"{path}.", frozen, t * n)
                self.numbers.pop()
            self.repeats.pop()
            shape, rf = out.shape, out.rf
        elif kind == "Residual":
            body = self._list(node.lists[0], _Frame(x), inner, f"{path}.body.", frozen)
            short = x
            if len(node.lists) > 1:
                short = self._list(node.lists[1], _Frame(x), inner, f"{path}.shortcut.", frozen)
            if body.shape != short.shape:
                raise InvalidLayerError(
                    f"the body gives {list(body.shape)} but the shortcut gives {list(short.shape)}: "
                    "a residual sum needs "
                    "equal shapes"
                    + ("" if len(node.lists) > 1 else " (add a shortcut, e.g. a 1×1 Conv with the body's stride)"),
                    where=where,
                )
            shape = body.shape
            rf, note = merge_rf([body.rf, short.rf])
        else:
            shape, rf, note = self._branches(node, x, inner, path, frozen, where)
        row.output_shape = shape
        row.receptive_field = rf
        row.flops = 2 * row.macs
        if note is not None:
            row.warnings = (note,)
            self.warnings.append(f"{where}: {note}")
        if name is not None:
            self.qualname.pop()
        self.open.pop()
        if self.open:
            _add_sums(self.open[-1], row)
        return Tensor(shape, rf, path, name)

    def _branches(
        self, node: Block, x: Tensor, depth: int, path: str, frozen: bool, where: Place
    ) -> tuple[Shape, RF, str | None]:
        """Concat, Add, Multiply and Split: each branch from the block's input (Split: from
        its piece of it), the outputs joined by the block's merge layer."""
        pieces = [x] * len(node.lists)
        if node.type == "Split":
            pieces = self._split(node, x, where)
        outs = [
            self._list(branch, _Frame(piece), depth, f"{path}.{b}.", frozen)
            for b, (branch, piece) in enumerate(zip(node.lists, pieces))
        ]
        if node.type in ("Concat", "Split"):
            out_shape = _concat_branches([o.shape for o in outs], node.dim, where)
        elif len(outs) == 1:  # a sum or product of one branch is that branch
            out_shape = outs[0].shape
        else:
            merge: Merge = node.merge
            try:
                out_shape = merge.forward_many(
                    [o.shape for o in outs], [f"branch {b}" for b in range(len(outs))]
                ).output_shape
            except ConvCalcError as err:
                raise err.at(where) from None
        if any(len(o.shape) != len(out_shape) for o in outs):
            return out_shape, None, None
        rf, note = merge_rf([o.rf for o in outs])
        return out_shape, rf, note

    def _split(self, node: Block, x: Tensor, where: Place) -> list[Tensor]:
        """The pieces of ``x`` that ``torch.chunk`` or ``torch.split`` gives, one per branch."""
        shape = x.shape
        rank = len(shape)
        if not -rank <= node.dim < rank:
            raise InvalidLayerError(
                f"dim={node.dim} is out of range for the {rank}-d input {list(shape)} (expected {-rank} to {rank - 1})",
                where=where,
            )
        dim = node.dim % rank
        n = shape[dim]
        if node.sizes is not None:
            sizes = list(node.sizes)
            if sum(sizes) != n:
                raise InvalidLayerError(
                    f"sizes {sizes} add up to {sum(sizes)}, but the input {list(shape)} has {n} along dim {node.dim}",
                    where=where,
                )
        else:
            chunks = node.chunks or 1
            size = -(-n // chunks)  # torch.chunk: pieces of ⌈n/chunks⌉, the last smaller, maybe fewer pieces
            sizes = [min(size, n - start) for start in range(0, n, size)]
        if len(sizes) != len(node.lists):
            how = f"sizes {list(node.sizes)}" if node.sizes is not None else f"torch.chunk into {node.chunks}"
            raise InvalidLayerError(
                f"{how} cuts the {n} positions along dim {node.dim} into {len(sizes)} "
                f"piece{'s' if len(sizes) != 1 else ''} {sizes}, but there are {len(node.lists)} branches",
                where=where,
            )
        rf = x.rf if dim < 2 and (x.rf is None or len(x.rf) == rank - 2) else None
        return [Tensor((*shape[:dim], s, *shape[dim + 1 :]), rf, x.source, x.name) for s in sizes]


def _concat_branches(outs: list[Shape], dim: int, where: Place) -> Shape:
    """``torch.cat`` of the branches' outputs along ``dim``."""
    rank = len(outs[0])
    if not -rank <= dim < rank:
        raise InvalidLayerError(f"dim={dim} is out of range for {rank}-d outputs", where=where)
    d = dim % rank
    for b, out in enumerate(outs):
        if len(out) != rank or any(x != y for i, (x, y) in enumerate(zip(out, outs[0])) if i != d):
            raise InvalidLayerError(
                f"branch {b} gives {list(out)} but branch 0 gives {list(outs[0])}: torch.cat along dim {dim} "
                "needs equal sizes in every other dimension",
                where=where,
            )
    return (*outs[0][:d], sum(out[d] for out in outs), *outs[0][d + 1 :])
