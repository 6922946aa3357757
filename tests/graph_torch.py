"""A torch ``nn.Module`` built from the very description dict convcalc reads (SPEC §2, §2a).

``GraphModule(desc)`` interprets a network description — the ``layers`` list with leaf
layers ``{Type: {args}}`` or bare type names, ``Sequential``, ``Repeat``, ``Residual``,
``Concat: {branches}``, ``Add``/``Multiply: {branches}``, ``Split``, the merge layers
``Add``/``Multiply``/``Concat`` with a ``from:`` list, ``from:`` names, negative indexes and
``input``, ``trainable: false`` and ``outputs:`` — with PyTorch modules only. Shapes are
inferred the way a user of PyTorch would: the module is built during a first forward pass
over ``torch.zeros(input)``, each layer created when its input tensor exists
(``in_channels``, ``in_features``, ``num_features``, ``num_channels`` and LayerNorm's
``normalized_shape`` taken from it when left out), as ``torch.nn.Lazy*`` modules do.

Every leaf row is one torch module (in ``self.leaves``, keyed by the row's path); block
rows are walked by the interpreter. Each forward pass records, in ``self.rows``, one
:class:`Row` per row of convcalc's table, in convcalc's walk order (a block's row before
its children's), with the output shape, parameters, trainable parameters and buffers,
and the tensors read (``inputs``, as ids; see :meth:`GraphModule.tensor_of`).

``trainable: false`` freezes an entry (a block: all of it, as ``block.requires_grad_(False)``);
an explicit ``trainable: true`` inside a frozen block unfreezes that entry again.

Name scoping is SPEC §2a's: a name refers to the most recent earlier entry of that name in
the current list, then in the enclosing lists (entries before the enclosing entry); each
``Repeat`` repetition binds its names afresh; a negative index counts the entries of the
same list, ``-k`` from the first entry of a nested list reaching that list's input when
``k`` is one more than the entries before it. A description error (unknown name, forward
reference, index out of range, unknown type) raises :class:`DescriptionError`; anything
PyTorch refuses raises what PyTorch raises (``RuntimeError``, ``ValueError``, ...).

What the interpreter adds to PyTorch, each as the PyTorch code people write it:

* ``Residual``: ``body(x) + shortcut(x)`` with the v1 contract's equal-shapes check;
* ``Split``: ``pieces = x.chunk(chunks, dim)`` (or ``x.split(sizes, dim)``) unpacked onto
  the branches, so that fewer pieces than branches (``torch.chunk`` of 6 into 4 gives 3)
  raises ``ValueError`` as ``a, b, c, d = x.chunk(4, 1)`` would; then ``torch.cat``;
* ``Slice``: ``x[..., start:end:step]`` along ``dim``; ``Permute``: torchvision.ops.Permute;
  ``Scale``: ``x * nn.Parameter(torch.full(shape, init))`` with shape ``[C, 1, …, 1]`` by
  default (ConvNeXt's layer scale); ``Reshape``: ``x.reshape(N, *shape)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

torch = pytest.importorskip("torch")  # collected by --doctest-modules: skipped, not an error, without torch
nn = torch.nn

__all__ = ["BLOCKS", "DescriptionError", "GraphModule", "Row", "entry_parts", "set_averaging"]

ALIASES = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}
META = ("name", "from", "trainable")
BLOCKS = ("Sequential", "Repeat", "Residual", "Concat", "Add", "Multiply", "Split")


class DescriptionError(Exception):
    """The description itself is wrong (what convcalc reports with exit 2)."""


def entry_parts(item: Any) -> tuple[str, dict[str, Any]]:
    """``"ReLU"`` or ``{"Conv2d": {...}}`` → (type, a copy of the argument mapping)."""
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict) and len(item) == 1:
        ((kind, args),) = item.items()
        if args is None:
            return kind, {}
        if isinstance(args, dict):
            return kind, dict(args)
        if kind == "Sequential" and isinstance(args, list):  # `Sequential: [...]`, the short form
            return kind, {"layers": args}
    raise DescriptionError(f"not a layer entry: {item!r}")


def _canonical(args: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in args.items():
        key = ALIASES.get(key, key)
        if isinstance(value, list):  # YAML lists as the tuples torch.nn's signatures name
            value = tuple(value)
        out[key] = value
    return out


# ---------------------------------------------------------------------------------------
# The layers torch.nn lacks (written as torchvision and model code write them)
# ---------------------------------------------------------------------------------------


class Merge(nn.Module):
    """``Add``/``Multiply`` of two or more tensors, left to right, with broadcasting."""

    def __init__(self, op: str) -> None:
        super().__init__()
        self.op = op

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x if self.op == "Add" else out * x
        return out


class Cat(nn.Module):
    """Node-form ``Concat`` (ultralytics' ``Concat``): ``torch.cat(xs, dim)``."""

    def __init__(self, dim: int = 1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, self.dim)


class Permute(nn.Module):
    """torchvision.ops.misc.Permute."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.permute(x, self.dims)


class Slice(nn.Module):
    """``x[..., start:end:step]`` along ``dim``."""

    def __init__(self, dim: int, start: int | None = 0, end: int | None = None, step: int | None = 1) -> None:
        super().__init__()
        self.dim, self.slice = dim, slice(start, end, step)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        index: list[Any] = [slice(None)] * x.dim()
        index[self.dim] = self.slice  # IndexError for a dim out of range, as x[...] gives
        return x[tuple(index)]


class Scale(nn.Module):
    """A learned elementwise multiplier (ConvNeXt's ``layer_scale``)."""

    def __init__(self, shape: tuple[int, ...], init: float = 1.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full(tuple(shape), float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


class Reshape(nn.Module):
    """``x.reshape(N, *shape)``: keeps the batch dimension."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


_INFER_CHANNELS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
_INFER_FEATURES = (
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
)  # fmt: skip


def make_leaf(kind: str, args: dict[str, Any], xs: list[torch.Tensor]) -> nn.Module:
    """The torch module of one leaf row, its input-dependent arguments inferred from ``xs``."""
    a = _canonical(args)
    shape = tuple(xs[0].shape)
    if kind in ("Add", "Multiply"):
        return Merge(kind)
    if kind == "Concat":
        return Cat(**a)
    unbatched = len(shape) == int(kind[-2]) + 1 if kind[-1:] == "d" and kind[-2:-1].isdigit() else False
    if kind in _INFER_CHANNELS:
        a.setdefault("in_channels", shape[0] if unbatched else shape[1])
    elif kind == "Linear":
        a.setdefault("in_features", shape[-1])
    elif kind in _INFER_FEATURES:  # InstanceNorm takes [C, *spatial] unbatched too
        a.setdefault("num_features", shape[0] if unbatched and kind.startswith("Instance") else shape[1])
    elif kind == "GroupNorm":
        a.setdefault("num_channels", shape[1])
    elif kind == "LayerNorm":
        a.setdefault("normalized_shape", shape[-1:])
    elif kind == "Scale":
        default = (shape[1],) + (1,) * (len(shape) - 2)
        a["shape"] = tuple(a["shape"]) if a.get("shape") is not None else default
        return Scale(**a)
    elif kind == "Permute":
        return Permute(**a)
    elif kind == "Slice":
        return Slice(**a)
    elif kind == "Reshape":
        return Reshape(**a)
    cls = getattr(nn, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise DescriptionError(f"unknown layer type {kind!r}")
    try:
        return cls(**a)
    except TypeError as err:
        if "unexpected keyword" in str(err) or "missing" in str(err):
            raise DescriptionError(f"{kind}: {err}") from err
        raise


def set_averaging(module: nn.Module) -> None:
    """Every weight to 1/fan-in and every bias to 0, for brute-force receptive fields:
    nothing can cancel (all weights positive) and activations stay near 1, so that no
    saturating gate (tanh, sigmoid) flattens a gradient to 0."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            else:
                p.fill_(1.0 / (p[0].numel() if p.dim() > 1 else 1))


# ---------------------------------------------------------------------------------------
# Rows and the interpreter
# ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One row of convcalc's table as torch sees it."""

    path: str
    type: str
    name: str | None
    depth: int
    composite: bool
    inputs: list[str] = field(default_factory=list)  # tensor ids read (see GraphModule.tensor_of)
    tensor: str = ""  # the id of the tensor this row's output is
    qualname: str | None = None  # names of the enclosing named blocks and its own, dotted
    output_shape: tuple[int, ...] = ()
    params: int = 0
    trainable_params: int = 0
    buffers: int = 0
    module: nn.Module | None = None  # leaf rows
    leaves: list[nn.Module] = field(default_factory=list)  # block rows: the leaf modules under it
    output: torch.Tensor | None = None  # kept only with GraphModule(keep_outputs=True)


@dataclass
class Value:
    tensor: torch.Tensor
    id: str  # the path of the row that made it, "input", or "<split path>#<i>" for a piece


@dataclass
class Frame:
    """One list being walked: its input and the (name, value) of its entries so far."""

    input: Value
    parent: Frame | None
    entries: list[tuple[str | None, Value]] = field(default_factory=list)


class GraphModule(nn.Module):
    """The description as a torch module; ``forward(x)`` returns the tuple of outputs."""

    def __init__(
        self, desc: dict[str, Any], input_shape: tuple[int, ...] | None = None, keep_outputs: bool = False
    ) -> None:
        super().__init__()
        if not isinstance(desc, dict) or not isinstance(desc.get("layers"), list):
            raise DescriptionError("a network is a mapping with a `layers` list")
        self.desc = desc
        self.input_shape = tuple(input_shape or desc["input"])
        self.leaves = nn.ModuleDict()
        self.keep_outputs = keep_outputs
        self.rows: list[Row] = []
        self.outputs: list[tuple[str | None, str, tuple[int, ...]]] = []  # (name, path, shape)
        self._building = True
        was = torch.is_grad_enabled()
        torch.set_grad_enabled(False)
        try:
            self.forward(torch.zeros(self.input_shape))
        finally:
            torch.set_grad_enabled(was)
        self._building = False

    # -- public helpers -------------------------------------------------------------

    def tensor_of(self) -> dict[str, str]:
        """Path of each row (and "input") → the id of the tensor it outputs. A Sequential's
        or Repeat's output is its last child's; every other row makes its own tensor."""
        return {"input": "input", **{r.path: r.tensor for r in self.rows}}

    def leaf_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.composite]

    # -- the walk -------------------------------------------------------------------

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        self.rows = []
        self._scope: list[str] = []  # names of the enclosing named blocks
        self._input = Value(x, "input")
        top = Frame(self._input, None)
        self._walk_list(self.desc["layers"], top, "", 0, frozen=False)
        if not top.entries:
            raise DescriptionError("an empty network")
        names = self.desc.get("outputs")
        tops = {r.path: r for r in self.rows if r.depth == 0}
        chosen: list[tuple[str | None, str, Value]] = []
        if names is None:
            name, value = top.entries[-1]
            chosen.append((name, str(len(top.entries) - 1), value))
        else:
            for wanted in names:
                for i in range(len(top.entries) - 1, -1, -1):
                    if top.entries[i][0] == wanted:
                        chosen.append((wanted, str(i), top.entries[i][1]))
                        break
                else:
                    raise DescriptionError(f"outputs: unknown name {wanted!r}")
        self.outputs = [(n, p, tuple(tops[p].output_shape)) for n, p, _ in chosen]
        return tuple(v.tensor for _, _, v in chosen)

    def _resolve(self, ref: Any, frame: Frame) -> Value:
        if ref is None:
            ref = -1
        if ref == "input":
            return self._input
        if isinstance(ref, bool):
            raise DescriptionError(f"from: {ref!r}")
        if isinstance(ref, int):
            if ref >= 0:
                raise DescriptionError(f"from: {ref} (a reference is a name, a negative index or `input`)")
            position = len(frame.entries) + ref
            if position == -1:
                return frame.input
            if position < -1:
                raise DescriptionError(f"from: {ref} reaches before the start of its list")
            return frame.entries[position][1]
        if isinstance(ref, str):
            f: Frame | None = frame
            while f is not None:
                for name, value in reversed(f.entries):
                    if name == ref:
                        return value
                f = f.parent
            raise DescriptionError(f"from: unknown name {ref!r}")
        raise DescriptionError(f"from: {ref!r}")

    def _walk_list(self, items: Any, frame: Frame, prefix: str, depth: int, frozen: bool, start: int = 0) -> Value:
        """Walk one list in ``frame``; entry ``i`` gets path ``prefix + str(start + i)``."""
        if not isinstance(items, list):
            raise DescriptionError(f"{prefix or 'layers'}: not a list")
        out = frame.input
        for i, item in enumerate(items):
            kind, args = entry_parts(item)
            name = args.pop("name", None)
            ref = args.pop("from", None)
            trainable = args.pop("trainable", None)  # an explicit value overrides the enclosing block's
            entry_frozen = frozen if trainable is None else trainable is False
            path = f"{prefix}{start + i}"
            if isinstance(ref, list):
                if kind not in ("Add", "Multiply", "Concat") or "branches" in args:
                    raise DescriptionError(f"{path}: only a merge layer takes a list in from:")
                sources = [self._resolve(r, frame) for r in ref]
                if len(sources) < 2:
                    raise DescriptionError(f"{path}: a merge takes two or more tensors")
            else:
                if kind in ("Add", "Multiply") and "branches" not in args:
                    raise DescriptionError(f"{path}: a merge layer needs a from: list")
                sources = [self._resolve(ref, frame)]
            out = self._entry(kind, args, sources, frame, path, depth, entry_frozen, name)
            frame.entries.append((name, out))
        return out

    def _entry(
        self, kind: str, args: dict[str, Any], sources: list[Value], frame: Frame, path: str, depth: int,
        frozen: bool, name: str | None,
    ) -> Value:  # fmt: skip
        composite = kind in ("Sequential", "Repeat", "Residual", "Split") or (
            kind in ("Concat", "Add", "Multiply") and "branches" in args
        )
        row = Row(path, kind, name, depth, composite, inputs=[v.id for v in sources])
        row.qualname = ".".join([*self._scope, str(name)]) if name is not None else None
        self.rows.append(row)
        first = len(self.rows)
        if composite:
            self._scope += [str(name)] if name is not None else []
            try:
                value = self._block(kind, args, sources[0], frame, path, depth, frozen)
            finally:
                if name is not None:
                    self._scope.pop()
            row.leaves = [r.module for r in self.rows[first:] if r.module is not None]
        else:
            value = self._leaf(kind, args, sources, path, frozen, row)
            row.leaves = [row.module] if row.module is not None else []
        row.tensor = value.id
        row.output_shape = tuple(value.tensor.shape)
        if self.keep_outputs:
            row.output = value.tensor
        row.params = sum(p.numel() for m in row.leaves for p in m.parameters())
        row.trainable_params = sum(p.numel() for m in row.leaves for p in m.parameters() if p.requires_grad)
        row.buffers = sum(b.numel() for m in row.leaves for b in m.buffers())
        return value

    def _leaf(self, kind: str, args: dict[str, Any], sources: list[Value], path: str, frozen: bool, row: Row) -> Value:
        key = path.replace(".", "/")
        xs = [v.tensor for v in sources]
        if self._building:
            module = make_leaf(kind, args, xs)
            module.eval()
            if frozen:
                module.requires_grad_(False)
            self.leaves[key] = module
        module = self.leaves[key]
        row.module = module
        return Value(module(*xs), path)

    def _block(self, kind: str, args: dict[str, Any], source: Value, frame: Frame, path: str, depth: int,
               frozen: bool) -> Value:  # fmt: skip
        inner = depth + 1
        if kind == "Sequential":
            return self._walk_list(args.get("layers", []), Frame(source, frame), f"{path}.", inner, frozen)
        if kind == "Repeat":
            body = args.get("layers", [])
            times = args.get("times")
            if not isinstance(times, int) or isinstance(times, bool) or times < 1:
                raise DescriptionError(f"{path}: Repeat.times must be a positive integer")
            value = source
            for rep in range(times):
                value = self._walk_list(body, Frame(value, frame), f"{path}.", inner, frozen, start=rep * len(body))
            return value
        if kind == "Residual":
            a = self._walk_list(args.get("body", []), Frame(source, frame), f"{path}.body.", inner, frozen)
            b = self._walk_list(args.get("shortcut", []) or [], Frame(source, frame), f"{path}.shortcut.", inner,
                                frozen)  # fmt: skip
            if a.tensor.shape != b.tensor.shape:
                raise ValueError(f"Residual: body {list(a.tensor.shape)} and shortcut {list(b.tensor.shape)} differ")
            return Value(a.tensor + b.tensor, path)
        branches = args.get("branches")
        if not isinstance(branches, list) or not branches:
            raise DescriptionError(f"{path}: {kind} needs branches")
        if kind == "Split":
            dim = args.get("dim", 1)
            if ("chunks" in args) == ("sizes" in args):
                raise DescriptionError(f"{path}: Split takes chunks or sizes")
            if "chunks" in args:
                pieces = torch.chunk(source.tensor, args["chunks"], dim)
            else:
                pieces = torch.split(source.tensor, list(args["sizes"]), dim)
            if len(pieces) != len(branches):
                raise ValueError(f"Split: {len(pieces)} pieces for {len(branches)} branches")
            outs = [
                self._walk_list(b, Frame(Value(piece, f"{path}#{i}"), frame), f"{path}.{i}.", inner, frozen)
                for i, (piece, b) in enumerate(zip(pieces, branches, strict=True))
            ]
            return Value(torch.cat([o.tensor for o in outs], dim), path)
        outs = [self._walk_list(b, Frame(source, frame), f"{path}.{i}.", inner, frozen) for i, b in enumerate(branches)]
        tensors = [o.tensor for o in outs]
        if kind == "Concat":
            return Value(torch.cat(tensors, args.get("dim", 1)), path)
        return Value(Merge(kind)(*tensors), path)

