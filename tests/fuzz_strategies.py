"""Hypothesis strategies of the fuzz suite (``tests/test_fuzz.py``).

* :func:`valid_networks` draws a network that PyTorch accepts, built layer by layer over
  a shape this module tracks itself (the output size of every layer is worked out here,
  from PyTorch's documented formulas, not by convcalc), so a test knows the expected
  output shape, row count, and each row's YAML path, JSON path and row number.
* :func:`defective_networks` takes such a network and gives it exactly one defect of a
  known kind — a value of the wrong kind, an unknown or missing name, a number over the
  bounds, a value PyTorch rejects, a layer that does not fit the shape before it, a broken
  block — with the exit code it must cause and the words its message must contain.
* :func:`chaotic_networks` puts hostile values (:func:`hostile_values`) anywhere, with no
  expectation but "a result or a ConvCalcError".
* :func:`yaml_soup` and :func:`damaged_yaml` draw texts that are barely YAML.
* :func:`hostile_structures` draws the bound-testing shapes: deep nesting, aliased
  "billion laughs", huge ``Repeat.times``, recursive aliases.
* :func:`command_lines` draws an argv for each command of the CLI.

:class:`NetCase` renders a network both as a dict and as YAML text, one layer per line,
and remembers the line of each entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = [
    "MISSING",
    "NetCase",
    "Node",
    "chaotic_networks",
    "command_lines",
    "damaged_yaml",
    "defective_networks",
    "hostile_structures",
    "hostile_values",
    "valid_networks",
    "yaml_soup",
]

Shape = tuple[int, ...]
MISSING: Any = object()

COMPOSITES = ("Sequential", "Repeat", "Residual", "Concat")
ELEMENTWISE = ("ReLU", "ReLU6", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "Hardswish", "Identity", "Dropout")
ALIASES = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}

# The kinds of the arguments this module writes (from PyTorch's signatures, SPEC §1).
INT_ARGS = {"out_channels", "in_channels", "groups", "out_features", "in_features", "num_groups",
            "divisor_override", "num_features"}  # fmt: skip
OPTIONAL_INT = {"in_channels", "in_features", "num_features", "divisor_override"}  # null means "infer"/"none"
PER_DIM_ARGS = {"kernel_size", "stride", "padding", "dilation", "output_padding"}
BOOL_ARGS = {"bias", "ceil_mode", "count_include_pad", "affine", "track_running_stats", "inplace"}
REQUIRED = {
    "Conv": ("out_channels", "kernel_size"),
    "ConvTranspose": ("out_channels", "kernel_size"),
    "MaxPool": ("kernel_size",),
    "AvgPool": ("kernel_size",),
    "AdaptiveAvgPool": ("output_size",),
    "AdaptiveMaxPool": ("output_size",),
    "ZeroPad": ("padding",),
    "Linear": ("out_features",),
    "GroupNorm": ("num_groups",),
}
COMPOSITE_REQUIRED = {"Sequential": ("layers",), "Repeat": ("times", "layers"), "Residual": ("body",),
                      "Concat": ("branches",)}  # fmt: skip
#: Names no layer of PyTorch takes: each must be refused as an unknown argument.
MISSPELLED = ("kernal_size", "strides", "paddding", "dilations", "out_channel", "in_channel", "bais", "group",
              "kernel", "ceilmode", "out_feature", "inplace_", "padding_modes", "outputpadding", "num_feature",
              "kernel_sizes", "Stride", "OUT_CHANNELS")  # fmt: skip


def family(type_name: str) -> str:
    """``Conv2d`` → ``Conv``; ``Linear`` → ``Linear``."""
    return type_name[:-2] if type_name[-2:] in ("1d", "2d", "3d") else type_name


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------

HUGE_INTS = (2**40 + 1, -(2**40) - 1, 10**13, 2**63, -(2**63), 10**30, 10**4000, 2**40)
ODD_STRINGS = ("two", "", " ", "3", "3.0", "same", "valid", "yes", "null", "1e3", "0x10", "∞", "３", "Conv2d",
               "'", "-", "[1, 2]", "{a: 1}", "*a", "&a", "!!int 3")  # fmt: skip


def hostile_scalars() -> st.SearchStrategy[Any]:
    """Zero, negative, huge and float numbers, booleans, strings, null."""
    return st.one_of(
        st.integers(-3, 9),
        st.sampled_from(HUGE_INTS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from((2.5, 2.0, -0.0, 1e308, 1e-300, 0.5)),
        st.booleans(),
        st.none(),
        st.sampled_from(ODD_STRINGS),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
    )


def hostile_values() -> st.SearchStrategy[Any]:
    """A hostile scalar, or a small list or mapping of them (nested a little)."""
    return st.recursive(
        hostile_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(("a", "k", "layers", "ReLU", "1")), inner, max_size=3),
        ),
        max_leaves=6,
    )


def flow(value: Any) -> str:
    """One YAML flow value on one line (``{a: 1}``, ``[1, 2]``, ``.nan``, ``'3'``)."""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=2**30, allow_unicode=True).rstrip("\n")
    return yaml.safe_dump([value], default_flow_style=True, width=2**30, allow_unicode=True).rstrip("\n")[1:-1]


# ---------------------------------------------------------------------------------------
# The network tree
# ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """One entry of a generated network: a layer, or a composite block and its lists.

    ``blocks`` holds ``(key, items)`` pairs: ``layers`` for Sequential and Repeat, ``body``
    and ``shortcut`` for Residual, one ``branches`` pair per branch for Concat. ``raw``,
    when set, is written instead of the entry (a broken entry). The places (``where``,
    ``path``, ``row``) are filled by :meth:`NetCase.annotate`, ``line`` by the YAML text.
    """

    type: str
    args: dict[str, Any] | None = None  # leaf: its arguments (None: a bare name); composite: name/times/dim
    blocks: list[tuple[str, list[Node]]] = field(default_factory=list)
    plain: bool = False  # a Sequential written as a plain list
    shape_in: Shape = ()
    shape_out: Shape = ()
    meta: dict[str, Any] = field(default_factory=dict)  # per-dimension k/s/p/d as generated
    raw: Any = MISSING
    where: str = ""  # YAML path: layers[3].body[1]
    path: str = ""  # JSON path: 3.body.1
    row: int = 0
    line: int = 0
    anchor: str = ""  # YAML text: this leaf's arguments are "&name" (first) or "*name" (alias)

    @property
    def composite(self) -> bool:
        return self.type in COMPOSITES and self.raw is MISSING

    def data(self) -> Any:
        """The entry as the network format writes it (SPEC §2)."""
        if self.raw is not MISSING:
            return self.raw
        if not self.composite:
            return self.type if self.args is None else {self.type: dict(self.args)}
        if self.plain:
            return {self.type: [n.data() for n in self.blocks[0][1]]}
        args: dict[str, Any] = dict(self.args or {})
        for key, items in self.blocks:
            if key == "branches":
                args.setdefault("branches", []).append([n.data() for n in items])
            else:
                args[key] = [n.data() for n in items]
        return {self.type: args}


def walk(nodes: list[Node]) -> list[tuple[Node, list[Node], int]]:
    """Every entry in the order of the report's rows, with its list and position."""
    out: list[tuple[Node, list[Node], int]] = []
    for i, node in enumerate(nodes):
        out.append((node, nodes, i))
        if node.composite:
            for _, items in node.blocks:
                out.extend(walk(items))
    return out


@dataclass(eq=False)
class NetCase:
    """A generated network, what analysing it must give, and its two renderings."""

    nodes: list[Node]
    input: Any
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # top-level keys added (unknown ones)
    omit: tuple[str, ...] = ()  # top-level keys left out
    layers_raw: Any = MISSING  # written instead of the layers list
    output: Shape = ()  # expected output shape (code 0)
    code: int = 0  # expected exit code: 0 accepted, 1 rejected by PyTorch's rules, 2 unreadable
    words: list[str] = field(default_factory=list)  # the message must contain each
    place: tuple[Node, str | None] | None = None  # the entry the message must name, and the type it shows
    line_of: Any = None  # in YAML, "line N" of: a Node, "input", or ("key", name)
    kind: str = "valid"  # the defect's name, for statistics
    key_lines: dict[str, int] = field(default_factory=dict)

    def annotate(self) -> int:
        """Fill every entry's YAML path, JSON path and row number; return the row count."""
        counter = [0]

        def go(items: list[Node], where: str, path: str) -> None:
            for i, node in enumerate(items):
                node.where, node.path = f"{where}[{i}]", f"{path}{i}"
                counter[0] += 1
                node.row = counter[0]
                if not node.composite:
                    continue
                before = counter[0]
                branch = 0
                for key, sub in node.blocks:
                    if key == "layers":
                        go(sub, f"{node.where}.layers", f"{node.path}.")
                    elif key == "branches":
                        go(sub, f"{node.where}.branches[{branch}]", f"{node.path}.{branch}.")
                        branch += 1
                    else:
                        go(sub, f"{node.where}.{key}", f"{node.path}.{key}.")
                times = (node.args or {}).get("times")
                if node.type == "Repeat" and type(times) is int and times > 1:  # later repetitions: counted
                    counter[0] += (times - 1) * (counter[0] - before)

        go(self.nodes, "layers", "")
        return counter[0]

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        if "input" not in self.omit:
            out["input"] = self.input
        if "layers" not in self.omit:
            out["layers"] = [n.data() for n in self.nodes] if self.layers_raw is MISSING else self.layers_raw
        out.update(self.extra)
        return out

    def text(self, anchors: bool = False) -> str:
        """The network as YAML, one layer per line (``- Conv2d: {…}``), blocks indented;
        with ``anchors``, a leaf's arguments equal to an earlier leaf's become an alias
        (``*a1``) of them (``&a1``). Sets each entry's ``line`` and ``key_lines``."""
        lines: list[str] = []
        if anchors:
            self._anchor()
        if self.name is not None:
            lines.append(f"name: {flow(self.name)}")
        if "input" not in self.omit:
            lines.append(f"input: {flow(self.input)}")
            self.key_lines["input"] = len(lines)
        if "layers" not in self.omit:
            if self.layers_raw is not MISSING:
                lines.append(f"layers: {flow(self.layers_raw)}")
            elif not self.nodes:
                lines.append("layers: []")
            else:
                lines.append("layers:")
                self.key_lines["layers"] = len(lines)
                self._emit(self.nodes, 2, lines)
        for key, value in self.extra.items():
            lines.append(f"{flow(key)}: {flow(value)}")
            self.key_lines[key] = len(lines)
        return "\n".join(lines) + "\n"

    def _anchor(self) -> None:
        seen: dict[str, Node] = {}
        for node, _, _ in walk(self.nodes):
            node.anchor = ""
            if node.composite or node.raw is not MISSING or not node.args or node is (self.place or (None,))[0]:
                continue
            key = flow(node.args)
            first = seen.get(key)
            if first is None:
                seen[key] = node
            else:
                first.anchor = first.anchor or f"&a{len(seen)}_{first.row}"
                node.anchor = "*" + first.anchor[1:]

    def _emit(self, items: list[Node], indent: int, lines: list[str]) -> None:
        pad = " " * indent
        for node in items:
            node.line = len(lines) + 1
            if not node.composite:
                if node.anchor.startswith("*"):
                    lines.append(f"{pad}- {flow(node.type)}: {node.anchor}")
                elif node.anchor:
                    lines.append(f"{pad}- {flow(node.type)}: {node.anchor} {flow(node.args)}")
                else:
                    lines.append(f"{pad}- {flow(node.data())}")
                continue
            if node.plain:
                sub = node.blocks[0][1]
                lines.append(f"{pad}- {node.type}:" + ("" if sub else " []"))
                self._emit(sub, indent + 4, lines)
                continue
            lines.append(f"{pad}- {node.type}:" + ("" if node.args or node.blocks else " {}"))
            for key, value in (node.args or {}).items():
                lines.append(f"{pad}    {flow(key)}: {flow(value)}")
            if any(key == "branches" for key, _ in node.blocks):
                lines.append(f"{pad}    branches:")
            for key, sub in node.blocks:
                if key == "branches":
                    lines.append(f"{pad}      -" + ("" if sub else " []"))
                    self._emit(sub, indent + 8, lines)
                else:
                    lines.append(f"{pad}    {key}:" + ("" if sub else " []"))
                    self._emit(sub, indent + 6, lines)

    def expected_words(self, yaml_text: bool) -> list[str]:
        """The words the error message must contain (after :meth:`text` when ``yaml_text``)."""
        words = list(self.words)
        if self.place is not None:
            node, shown = self.place
            prefix = f"{node.where} (#{node.row}" + (f", {shown}" if shown else "")
            words.append(prefix + (f", line {node.line}" if yaml_text else ""))
        if yaml_text and self.line_of is not None:
            if isinstance(self.line_of, Node):
                words.append(f"line {self.line_of.line}")
            elif self.line_of == "input":
                words.append(f"input (line {self.key_lines['input']})")
            else:
                words.append(f"line {self.key_lines[self.line_of[1]]}")
        return words


# ---------------------------------------------------------------------------------------
# Valid networks: every layer checked against the shape before it, here
# ---------------------------------------------------------------------------------------


def _per_dim(draw: st.DrawFn, values: list[int], name: str, args: dict[str, Any], alias: str | None,
             default: int | None) -> None:  # fmt: skip
    """Write a per-dimension argument as PyTorch takes it: one int, or a list."""
    if default is not None and all(v == default for v in values) and draw(st.booleans()):
        return
    key = alias if alias and draw(st.booleans()) else name
    args[key] = values[0] if len(set(values)) == 1 and draw(st.booleans()) else list(values)


@st.composite
def _conv(draw: st.DrawFn, shape: Shape, mode: str) -> Node:
    """A convolution; ``mode`` "spatial" keeps the spatial sizes, "exact" also the channels."""
    dims, c = len(shape) - 2, shape[1]
    groups = draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0])) if draw(st.booleans()) else 1
    out_c = c if mode == "exact" else groups * draw(st.integers(1, 4))
    use_same = draw(st.integers(0, 4)) == 0
    ks, ss, ps, ds, outs = [], [], [], [], []
    for n in shape[2:]:
        d = draw(st.integers(1, 2))
        if mode != "any" and not use_same:
            k = draw(st.sampled_from([1, 3, 5]))
            s, p = 1, d * (k - 1) // 2
        else:
            k = draw(st.integers(1, 5))
            s = 1 if use_same else draw(st.integers(1, 3))
            need = max(0, -(-(d * (k - 1) + 1 - n) // 2))  # padding so that the padded input holds a window
            p = draw(st.integers(need, need + 2))
        ks.append(k), ss.append(s), ps.append(p), ds.append(d)
        outs.append(n if use_same else (n + 2 * p - d * (k - 1) - 1) // s + 1)
    args: dict[str, Any] = {"out_channels": out_c}
    if draw(st.booleans()):
        args["in_channels"] = c
    _per_dim(draw, ks, "kernel_size", args, "k", None)
    _per_dim(draw, ss, "stride", args, "s", 1)
    if use_same:
        args["padding" if draw(st.booleans()) else "p"] = "same"
    else:
        _per_dim(draw, ps, "padding", args, "p", 0)
    _per_dim(draw, ds, "dilation", args, "d", 1)
    if groups > 1 or draw(st.booleans()):
        args["groups" if draw(st.booleans()) else "g"] = groups
    if draw(st.booleans()):
        args["bias"] = draw(st.booleans())
    if not use_same and all(p < n for p, n in zip(ps, shape[2:])) and draw(st.integers(0, 5)) == 0:
        args["padding_mode"] = "reflect"
    meta = {"k": ks, "s": ss, "p": ps, "d": ds, "groups": groups}
    return Node(f"Conv{dims}d", args, shape_in=shape, shape_out=(shape[0], out_c, *outs), meta=meta)


@st.composite
def _transposed(draw: st.DrawFn, shape: Shape) -> Node:
    dims = len(shape) - 2
    out_c = draw(st.integers(1, 4))
    ks, ss, ps, ds, ops, outs = [], [], [], [], [], []
    for n in shape[2:]:
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        op = draw(st.integers(0, max(s, d) - 1))
        full = (n - 1) * s + d * (k - 1) + op + 1  # before padding is taken off
        p = draw(st.integers(0, min(2, (full - 1) // 2)))
        ks.append(k), ss.append(s), ps.append(p), ds.append(d), ops.append(op)
        outs.append(full - 2 * p)
    args: dict[str, Any] = {"out_channels": out_c}
    _per_dim(draw, ks, "kernel_size", args, "k", None)
    _per_dim(draw, ss, "stride", args, "s", 1)
    _per_dim(draw, ps, "padding", args, "p", 0)
    _per_dim(draw, ops, "output_padding", args, None, 0)
    _per_dim(draw, ds, "dilation", args, "d", 1)
    meta = {"k": ks, "s": ss, "p": ps, "d": ds}
    return Node(f"ConvTranspose{dims}d", args, shape_in=shape, shape_out=(shape[0], out_c, *outs), meta=meta)


@st.composite
def _pool(draw: st.DrawFn, shape: Shape, mode: str) -> Node:
    """MaxPool / AvgPool; PyTorch's rule: padding at most half the kernel; in ceil mode a
    last window that would start in the right padding is dropped (Pool.h)."""
    dims = len(shape) - 2
    kind = draw(st.sampled_from(["MaxPool", "AvgPool"]))
    if kind == "AvgPool" and dims == 3 and mode != "any" and min(shape[2:]) < 3:
        kind = "MaxPool"  # AvgPool3d alone needs the unpadded input to hold the kernel
    ceil = draw(st.booleans()) if mode == "any" else False
    ks, ss, ps, ds, outs = [], [], [], [], []
    explicit_stride = mode != "any" or draw(st.booleans())
    for n in shape[2:]:
        if mode != "any":
            k, s, p, d = 3, 1, 1, 1
        else:
            k, d = draw(st.integers(1, 4)), draw(st.integers(1, 2)) if kind == "MaxPool" else 1
            p = draw(st.integers(0, k // 2))
            if n + 2 * p < d * (k - 1) + 1 or (kind == "AvgPool" and dims == 3 and n < k):
                k, d, p = 1, 1, 0
            s = draw(st.integers(1, 3)) if explicit_stride else k
        span = n + 2 * p - d * (k - 1) - 1
        out = (-(-span // s) if ceil else span // s) + 1
        if ceil and (out - 1) * s >= n + p:
            out -= 1
        ks.append(k), ss.append(s), ps.append(p), ds.append(d), outs.append(out)
    args: dict[str, Any] = {}
    _per_dim(draw, ks, "kernel_size", args, "k", None)
    if explicit_stride:
        _per_dim(draw, ss, "stride", args, "s", None)
    _per_dim(draw, ps, "padding", args, "p", 0)
    if kind == "MaxPool":
        _per_dim(draw, ds, "dilation", args, "d", 1)
    if ceil or draw(st.booleans()):
        args["ceil_mode"] = ceil
    if kind == "AvgPool" and draw(st.booleans()):
        args["count_include_pad"] = draw(st.booleans())
    if kind == "AvgPool" and dims > 1 and draw(st.integers(0, 3)) == 0:
        args["divisor_override"] = draw(st.integers(1, 9))
    meta = {"k": ks, "s": ss, "p": ps, "d": ds}
    return Node(f"{kind}{dims}d", args, shape_in=shape, shape_out=(*shape[:2], *outs), meta=meta)


@st.composite
def _leaf(draw: st.DrawFn, shape: Shape, mode: str) -> Node:
    """One layer valid on ``shape``: "any" changes anything, "spatial" keeps the spatial
    sizes (and the rank), "exact" keeps the whole shape."""
    rank, c = len(shape), shape[1]
    dims = rank - 2
    spatial = math.prod(shape[2:])
    options = ["elementwise", "elementwise", "layernorm"]
    if rank >= 3:
        options += ["conv", "conv", "pool", "batchnorm", "groupnorm"]
        if mode == "any":
            options += ["transposed", "adaptive", "pad", "flatten"]
            if max(shape[2:]) <= 12:
                options.append("upsample")
    else:
        options += ["linear", "linear"] + (["batchnorm"] if shape[0] > 1 else [])
    choice = draw(st.sampled_from(options))
    if choice == "elementwise":
        name = draw(st.sampled_from(ELEMENTWISE))
        extra = {"LeakyReLU": {"negative_slope": 0.2}, "Dropout": {"p": 0.25}, "GELU": {"approximate": "tanh"}}
        args = extra.get(name) if draw(st.booleans()) else None
        return Node(name, args, shape_in=shape, shape_out=shape)
    if choice == "layernorm":
        m = draw(st.integers(1, rank - 1))
        args = {"normalized_shape": list(shape[rank - m :])} if draw(st.booleans()) or m > 1 else None
        return Node("LayerNorm", args, shape_in=shape, shape_out=shape)
    if choice == "conv":
        return draw(_conv(shape, mode))
    if choice == "transposed":
        return draw(_transposed(shape))
    if choice == "pool":
        return draw(_pool(shape, mode))
    if choice == "batchnorm":
        args = {"num_features": c} if draw(st.booleans()) else None
        return Node(f"BatchNorm{max(dims, 1)}d", args, shape_in=shape, shape_out=shape)
    if choice == "groupnorm":
        groups = [g for g in range(1, c + 1) if c % g == 0 and shape[0] * (c // g) * spatial > 1]
        if not groups:
            return Node("ReLU", None, shape_in=shape, shape_out=shape)
        return Node("GroupNorm", {"num_groups": draw(st.sampled_from(groups))}, shape_in=shape, shape_out=shape)
    if choice == "adaptive":
        entry = st.integers(1, 4) if dims == 1 else st.one_of(st.none(), st.integers(1, 4))  # torch: no null in 1-d
        sizes = [draw(entry) for _ in range(dims)]
        if all(s is not None for s in sizes) and len(set(sizes)) == 1 and draw(st.booleans()):
            arg: Any = sizes[0]
        else:
            arg = sizes
        outs = tuple(n if o is None else o for n, o in zip(shape[2:], sizes))
        kind = draw(st.sampled_from(["AdaptiveAvgPool", "AdaptiveMaxPool"]))
        return Node(f"{kind}{dims}d", {"output_size": arg}, shape_in=shape, shape_out=(*shape[:2], *outs))
    if choice == "pad":
        sides = [draw(st.integers(0, 2)) for _ in range(2 * dims)]  # left, right, top, bottom, front, back
        arg = sides[0] if len(set(sides)) == 1 and draw(st.booleans()) else sides
        pairs = list(reversed([(sides[2 * i], sides[2 * i + 1]) for i in range(dims)]))  # outermost first
        outs = tuple(n + a + b for n, (a, b) in zip(shape[2:], pairs))
        return Node(f"ZeroPad{dims}d", {"padding": arg}, shape_in=shape, shape_out=(*shape[:2], *outs))
    if choice == "upsample":
        if draw(st.booleans()):
            factor = draw(st.sampled_from([2, 1.5, 3]))
            outs = tuple(math.floor(n * factor) for n in shape[2:])
            return Node("Upsample", {"scale_factor": factor}, shape_in=shape, shape_out=(*shape[:2], *outs))
        size = draw(st.integers(1, 16))
        return Node("Upsample", {"size": size}, shape_in=shape, shape_out=(*shape[:2], *(size,) * dims))
    if choice == "flatten":
        args = {"start_dim": 1} if draw(st.booleans()) else None
        return Node("Flatten", args, shape_in=shape, shape_out=(shape[0], math.prod(shape[1:])))
    out = shape[-1] if mode == "exact" else draw(st.integers(1, 16))  # linear
    args = {"out_features": out}
    if draw(st.booleans()):
        args["in_features"] = shape[-1]
    return Node("Linear", args, shape_in=shape, shape_out=(*shape[:-1], out))


@st.composite
def _sequence(draw: st.DrawFn, shape: Shape, depth: int, mode: str, max_items: int = 3) -> tuple[list[Node], Shape]:
    """0..max_items entries from ``shape``; returns them and the shape they give."""
    items: list[Node] = []
    for _ in range(draw(st.integers(0, max_items))):
        node = draw(_entry(shape, depth, mode))
        items.append(node)
        shape = node.shape_out
    return items, shape


@st.composite
def _entry(draw: st.DrawFn, shape: Shape, depth: int, mode: str) -> Node:
    kinds = ["leaf"] * 4 + (["Sequential", "Repeat", "Residual", "Concat"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(_leaf(shape, mode))
    name = {"name": draw(st.sampled_from(["block", "layer1", "stem", "b2"]))} if draw(st.booleans()) else {}
    if kind == "Sequential":
        items, out = draw(_sequence(shape, depth + 1, mode))
        plain = not name and draw(st.booleans())
        return Node("Sequential", name, [("layers", items)], plain=plain, shape_in=shape, shape_out=out)
    if kind == "Repeat":
        items, _ = draw(_sequence(shape, depth + 1, "exact"))
        times = draw(st.integers(1, 3))
        return Node("Repeat", {**name, "times": times}, [("layers", items)], shape_in=shape, shape_out=shape)
    if kind == "Residual":
        if mode == "any" and len(shape) >= 3 and draw(st.booleans()):  # a ResNet downsampling block
            out_c = draw(st.integers(1, 8))
            dims = len(shape) - 2
            down = tuple((n - 1) // 2 + 1 for n in shape[2:])
            out = (shape[0], out_c, *down)
            first = Node(f"Conv{dims}d", {"out_channels": out_c, "k": 3, "s": 2, "p": 1}, shape_in=shape,
                         shape_out=out, meta={"k": [3] * dims, "s": [2] * dims, "p": [1] * dims, "d": [1] * dims})  # fmt: skip
            rest, _ = draw(_sequence(out, depth + 1, "exact", 2))
            short = Node(f"Conv{dims}d", {"out_channels": out_c, "k": 1, "s": 2, "bias": False}, shape_in=shape,
                         shape_out=out, meta={"k": [1] * dims, "s": [2] * dims, "p": [0] * dims, "d": [1] * dims})  # fmt: skip
            return Node("Residual", name, [("body", [first, *rest]), ("shortcut", [short])], shape_in=shape,
                        shape_out=out)  # fmt: skip
        body, out = draw(_sequence(shape, depth + 1, "exact" if mode == "exact" else "spatial"))
        blocks = [("body", body)]
        if out != shape:
            if len(shape) >= 3:
                conv = Node(f"Conv{len(shape) - 2}d", {"out_channels": out[1], "kernel_size": 1, "bias": False},
                            shape_in=shape, shape_out=out,
                            meta={"k": [1] * (len(shape) - 2), "s": [1] * (len(shape) - 2),
                                  "p": [0] * (len(shape) - 2), "d": [1] * (len(shape) - 2)})  # fmt: skip
            else:
                conv = Node("Linear", {"out_features": out[-1]}, shape_in=shape, shape_out=out)
            blocks.append(("shortcut", [conv]))
        elif draw(st.booleans()):
            blocks.append(
                ("shortcut", draw(st.sampled_from([[], [Node("Identity", None, shape_in=shape, shape_out=shape)]])))
            )
        return Node("Residual", name, blocks, shape_in=shape, shape_out=out)
    # Concat along the channels (dim 1, or the same counted from the end)
    spatial_mode = "exact" if mode == "exact" else "spatial"
    count = 1 if mode == "exact" else draw(st.integers(1, 3))
    branches, channels = [], 0
    for _ in range(count):
        items, out = draw(_sequence(shape, depth + 1, spatial_mode, 2))
        branches.append(("branches", items))
        channels += out[1]
    args = dict(name)
    dim = draw(st.sampled_from([1, 1, 1 - len(shape), None]))
    if dim is not None:
        args["dim"] = dim
    return Node("Concat", args, branches, shape_in=shape, shape_out=(shape[0], channels, *shape[2:]))


@st.composite
def valid_networks(draw: st.DrawFn) -> NetCase:
    """A network PyTorch accepts, with its expected output shape; its entries annotated."""
    dims = draw(st.integers(1, 3))
    side = {1: 24, 2: 16, 3: 7}[dims]
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 6)), *[draw(st.integers(1, side)) for _ in range(dims)])
    nodes: list[Node] = []
    out = shape
    for _ in range(draw(st.integers(1, 6))):
        node = draw(_entry(out, 0, "any"))
        nodes.append(node)
        out = node.shape_out
    name = draw(st.one_of(st.none(), st.sampled_from(["net", "LeNet-5", "ünïcode", "12"])))
    case = NetCase(nodes, list(shape), name=name, output=out)
    case.annotate()
    return case


# ---------------------------------------------------------------------------------------
# One defect of a known kind
# ---------------------------------------------------------------------------------------


def _leaves(case: NetCase) -> list[Node]:
    return [n for n, _, _ in walk(case.nodes) if not n.composite]


def _name(node: Node, key: str) -> str:
    """The argument a key names: an alias (``k``) means the long name, unless the layer has
    an argument of that name itself (Dropout's ``p``)."""
    return key if node.type in ELEMENTWISE else ALIASES.get(key, key)


def _arg_key(node: Node, name: str) -> str | None:
    """The key under which ``node`` holds argument ``name`` (the name or its alias)."""
    for key in node.args or {}:
        if _name(node, key) == name:
            return key
    return None


def _expect(case: NetCase, kind: str, code: int, node: Node | None, shown: str | None, *words: str,
            line_of: Any = None) -> NetCase:  # fmt: skip
    """Record what the defect must cause: the exit code, the words, the entry named in the
    place (with the type the place shows), and in YAML the line (when no entry is named)."""
    case.kind, case.code, case.words = kind, code, list(words)
    case.place = None if node is None else (node, shown)
    case.line_of = line_of
    case.annotate()
    return case


def _value_words(value: Any) -> list[str]:
    """How a message shows an offending value of the wrong kind."""
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, str) and value:
        return [repr(value)]
    if isinstance(value, float):
        return [repr(value)]
    return []


@st.composite
def _wrong_kind(draw: st.DrawFn, case: NetCase) -> NetCase:
    candidates = [(n, k) for n in _leaves(case) for k in n.args or {}
                  if _name(n, k) in INT_ARGS | PER_DIM_ARGS | BOOL_ARGS and n.raw is MISSING]  # fmt: skip
    if not candidates:
        return draw(_unknown_name(case))
    node, key = draw(st.sampled_from(candidates))
    name = _name(node, key)
    dims = len(node.shape_in) - 2
    entries = 2 * dims if family(node.type) == "ZeroPad" else dims  # a padding layer: two sides a dimension
    if name in BOOL_ARGS:
        value = draw(st.sampled_from([0, 1, "yes", "true", 2.5, None, [True]]))
    elif name in INT_ARGS:
        wrong = [True, False, 2.5, 3.0, "two", "3", [3], {}]
        value = draw(st.sampled_from(wrong + ([] if name in OPTIONAL_INT else [None])))
    else:
        wrong = [True, 2.5, 2.0, "two", "3", {}, [], [1] * (entries + 1)]
        if dims >= 1:
            wrong.append([*([1] * (dims - 1)), draw(st.sampled_from([True, 1.5, "1"]))])
        if name == "padding" and family(node.type) == "Conv":
            wrong.append("half")
        elif name == "stride" and family(node.type) in ("MaxPool", "AvgPool"):
            pass  # null is the default there
        else:
            wrong.append(None)
        value = draw(st.sampled_from(wrong))
    node.args[key] = value  # type: ignore[index]
    words = [name, *_value_words(value)]
    if isinstance(value, list) and len(value) != entries and name in PER_DIM_ARGS:
        words.append(f"has {len(value)} entries")
    return _expect(case, "wrong kind", 2, node, node.type, *words)


@st.composite
def _unknown_name(draw: st.DrawFn, case: NetCase) -> NetCase:
    leaves = [n for n in _leaves(case) if n.raw is MISSING]
    if not leaves:
        return draw(_broken_top(case))
    node = draw(st.sampled_from(leaves))
    if draw(st.booleans()):  # an unknown argument
        key = draw(st.one_of(st.sampled_from(MISSPELLED), st.from_regex(r"x_[a-z_]{0,8}", fullmatch=True)))
        node.args = {**(node.args or {}), key: draw(st.integers(1, 3))}
        return _expect(case, "unknown argument", 2, node, node.type, f"unknown argument '{key}'")
    original = node.type
    node.type = draw(st.sampled_from([original.lower(), original.upper()]).filter(lambda t: t != original))
    return _expect(
        case, "unknown type", 2, node, None, f"unknown layer type '{node.type}'", f"did you mean '{original}'?"
    )


@st.composite
def _missing(draw: st.DrawFn, case: NetCase) -> NetCase:
    candidates = [(n, name) for n in _leaves(case) for name in REQUIRED.get(family(n.type), ())
                  if _arg_key(n, name) is not None]  # fmt: skip
    if not candidates:
        return draw(_unknown_name(case))
    node, name = draw(st.sampled_from(candidates))
    del node.args[_arg_key(node, name)]  # type: ignore[arg-type, union-attr]
    return _expect(case, "missing argument", 2, node, node.type, f"missing argument {name}")


@st.composite
def _over_bound(draw: st.DrawFn, case: NetCase) -> NetCase:
    candidates = [(n, k) for n in _leaves(case) for k in n.args or {} if _name(n, k) in INT_ARGS | PER_DIM_ARGS]
    repeats = [n for n, _, _ in walk(case.nodes) if n.composite and n.type == "Repeat"]
    if repeats and (not candidates or draw(st.booleans())):
        node = draw(st.sampled_from(repeats))
        times = draw(st.sampled_from([100_001, 10**12, 2**63, 10**100]))
        node.args["times"] = times  # type: ignore[index]
        return _expect(case, "over a bound", 2, node, "Repeat", "times=", "is over the limit of 100,000")
    if not candidates:
        case.input = [*case.input[:-1], 2**40 + 1]
        return _expect(case, "over a bound", 2, None, None, "2^40", line_of="input")
    node, key = draw(st.sampled_from(candidates))
    value = draw(st.sampled_from(HUGE_INTS[:-1]))
    dims = len(node.shape_in) - 2
    per_dim = _name(node, key) in PER_DIM_ARGS and family(node.type) != "ZeroPad"
    node.args[key] = [value] * dims if per_dim and draw(st.booleans()) else value  # type: ignore[index]
    shown = f"={value}" if abs(value) < 10**70 else "×10^4000"  # written 1.0×10^4000
    return _expect(case, "over a bound", 2, node, node.type, _name(node, key), shown, "2^40")


@st.composite
def _out_of_range(draw: st.DrawFn, case: NetCase) -> NetCase:
    """A value PyTorch's constructors or shape checks reject: exit 1."""
    options: list[tuple[Node, str]] = []
    for n in _leaves(case):
        fam = family(n.type)
        if fam in ("Conv", "ConvTranspose"):
            options += [(n, a) for a in ("kernel_size", "stride", "dilation", "groups", "padding", "out_channels")]
            if fam == "ConvTranspose":
                options.append((n, "output_padding"))
        elif fam in ("MaxPool", "AvgPool"):
            options += [(n, a) for a in ("kernel_size", "stride", "padding", "half")]
            if fam == "MaxPool":
                options.append((n, "dilation"))
        elif fam == "GroupNorm":
            options.append((n, "num_groups"))
    repeats = [n for n, _, _ in walk(case.nodes) if n.composite and n.type == "Repeat"]
    options += [(n, "times") for n in repeats]
    if not options:
        return draw(_shape_misfit(case))
    node, name = draw(st.sampled_from(options))
    if name == "times":
        node.args["times"] = draw(st.integers(-5, 0))  # type: ignore[index]
        return _expect(case, "out of range", 1, node, "Repeat", "times must be ≥ 1")
    args = node.args  # type: ignore[assignment]
    for key in [k for k in args if ALIASES.get(k, k) in (name, "padding" if name == "half" else name)]:
        del args[key]
    dims = len(node.shape_in) - 2
    if name == "half":  # pooling padding over half the kernel, in one dimension
        axis = draw(st.integers(0, dims - 1))
        pads = list(node.meta["p"])
        pads[axis] = node.meta["k"][axis] // 2 + draw(st.integers(1, 2))
        args["padding"] = pads
        return _expect(case, "out of range", 1, node, node.type, f"padding {pads[axis]}", "more than half")
    if name == "groups":
        out_c = args["out_channels"]
        groups = draw(st.sampled_from([0, -1, out_c + 1]))
        args["groups"] = groups
        words = ["groups must be ≥ 1"] if groups < 1 else [f"groups={groups} does not divide"]
        return _expect(case, "out of range", 1, node, node.type, *words)
    if name == "out_channels":
        args["out_channels"] = draw(st.integers(-9, -1))
        return _expect(case, "out of range", 1, node, node.type, "out_channels must be ≥ 1")
    if name == "num_groups":
        args["num_groups"] = draw(st.integers(-3, 0))
        return _expect(case, "out of range", 1, node, node.type, "num_groups must be ≥ 1")
    if name == "output_padding":
        bad = [max(s, d) + draw(st.integers(0, 2)) for s, d in zip(node.meta["s"], node.meta["d"])]
        args["output_padding"] = bad
        return _expect(case, "out of range", 1, node, node.type, "output_padding=", "must be smaller than the stride")
    low = 0 if name == "padding" else 1
    bad = draw(st.integers(low - 3, low - 1))
    if dims > 1 and draw(st.booleans()):  # one dimension out of range
        short = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d"}[name]
        value: Any = [*node.meta[short][: dims - 1], bad]
    else:
        value = bad
    if name == "kernel_size" and family(node.type) in ("MaxPool", "AvgPool"):
        args.pop("padding", None)  # a pooling padding is checked against the kernel too: one defect only
        args.pop("p", None)
    args[name] = value
    return _expect(case, "out of range", 1, node, node.type, f"{name} must be ≥ {low}")


@st.composite
def _shape_misfit(draw: st.DrawFn, case: NetCase) -> NetCase:
    """A layer inserted where it does not fit the shape before it: found by the walk, exit 1."""
    spots: list[tuple[list[Node], int, Shape]] = []
    for node, items, i in walk(case.nodes):
        spots.append((items, i, node.shape_in))
    spots.append((case.nodes, len(case.nodes), case.output))
    items, i, shape = draw(st.sampled_from(spots))
    rank = len(shape)
    choices = ["rank"]
    if rank >= 3:
        choices += ["kernel", "batchnorm", "in_channels"] + (["groups"] if True else [])
    else:
        choices += ["in_features"]
    what = draw(st.sampled_from(choices))
    if what == "rank":
        dims = draw(st.sampled_from([d for d in (1, 2, 3) if rank not in (d + 1, d + 2)]))  # [C, *spatial] is taken
        node = Node(f"Conv{dims}d", {"out_channels": 2, "kernel_size": 1}, shape_in=shape)
        words = [f"expects a {dims + 2}-d input"]
    elif what == "kernel":
        dims = rank - 2
        axis = draw(st.integers(0, dims - 1))
        ks = [1] * dims
        ks[axis] = shape[2 + axis] + draw(st.integers(1, 3))
        node = Node(f"Conv{dims}d", {"out_channels": 2, "kernel_size": ks}, shape_in=shape)
        words = ["output size would be", "smaller than the kernel"]
    elif what == "batchnorm":
        wrong = shape[1] + draw(st.integers(1, 3))
        node = Node(f"BatchNorm{rank - 2}d", {"num_features": wrong}, shape_in=shape)
        words = [f"num_features={wrong} but the input has {shape[1]} channel"]
    elif what == "in_channels":
        wrong = shape[1] + draw(st.integers(1, 3))
        node = Node(f"Conv{rank - 2}d", {"in_channels": wrong, "out_channels": 2, "kernel_size": 1}, shape_in=shape)
        words = [f"in_channels={wrong} but the input has {shape[1]} channel"]
    elif what == "groups":
        c = shape[1]
        groups = draw(st.sampled_from([g for g in range(2, c + 3) if c % g]))
        node = Node(f"Conv{rank - 2}d", {"out_channels": groups, "kernel_size": 1, "groups": groups}, shape_in=shape)
        words = [f"groups={groups} does not divide the {c} input channels"]
    else:
        wrong = shape[-1] + draw(st.integers(1, 3))
        node = Node("Linear", {"in_features": wrong, "out_features": 2}, shape_in=shape)
        words = [f"in_features={wrong}"]
    items.insert(i, node)
    return _expect(case, "shape misfit", 1, node, node.type, *words)


@st.composite
def _broken_entry(draw: st.DrawFn, case: NetCase) -> NetCase:
    """An entry that is not a layer: wrong structure, exit 2."""
    nodes = [n for n, _, _ in walk(case.nodes)]
    node = draw(st.sampled_from(nodes))
    how = draw(
        st.sampled_from(["two keys", "not a layer", "arguments", "name"] + (["composite"] if node.composite else []))
    )
    if how == "two keys":
        node.raw = {**(node.data() if isinstance(node.data(), dict) else {node.type: None}), "stride": 2}
        return _expect(case, "broken entry", 2, node, None, "a type name or a one-key mapping")
    if how == "not a layer":
        value = draw(st.sampled_from([5, 2.5, None, True, [1, 2], ["ReLU"]]))
        node.raw = value
        return _expect(case, "broken entry", 2, node, None, "a layer is a type name or a one-key mapping")
    if how == "name":
        if node.composite and node.plain:
            node.plain = False
        node.args = {**(node.args or {}), "name": draw(st.sampled_from([[1], {"a": 1}, 2.5]))}
        return _expect(case, "broken entry", 2, node, node.type, "name must be a string")
    if how == "arguments" and not node.composite:
        node.raw = {node.type: draw(st.sampled_from([3, "k3", [3, 3], True]))}
        return _expect(case, "broken entry", 2, node, node.type, "must be a mapping")
    if how == "arguments":
        node.raw = {node.type: draw(st.sampled_from([3, "x", True]))}
        return _expect(case, "broken entry", 2, node, node.type, "expects a mapping of")
    node.plain = False
    required = COMPOSITE_REQUIRED[node.type]
    sub = draw(st.sampled_from(["missing", "unknown", "times", "dim", "branches"]))
    if sub == "times" and node.type == "Repeat":
        node.args["times"] = draw(st.sampled_from(["3", 2.5, True, None, [2]]))  # type: ignore[index]
        return _expect(case, "broken entry", 2, node, "Repeat", "times must be an integer")
    if sub == "dim" and node.type == "Concat":
        node.args = {**(node.args or {}), "dim": draw(st.sampled_from(["one", 1.0, False, [1]]))}
        return _expect(case, "broken entry", 2, node, "Concat", "dim must be an integer")
    if sub == "branches" and node.type == "Concat":
        node.blocks = []
        node.args = {**(node.args or {}), "branches": draw(st.sampled_from([[], "ReLU", 3, {}]))}
        return _expect(case, "broken entry", 2, node, "Concat", "branches must be a non-empty list")
    if sub == "unknown":
        key = draw(st.sampled_from(["layer", "time", "bodies", "branch", "shortcuts", "x"]))
        node.args = {**(node.args or {}), key: 1}
        return _expect(case, "broken entry", 2, node, node.type, f"unknown argument '{key}'")
    key = draw(st.sampled_from(required))
    if key == "times":
        node.args = {k: v for k, v in (node.args or {}).items() if k != "times"}
    else:
        node.blocks = [(k, items) for k, items in node.blocks if k != key]
    return _expect(case, "broken entry", 2, node, node.type, f"missing argument {key}")


@st.composite
def _broken_block(draw: st.DrawFn, case: NetCase) -> NetCase:
    """A Residual or Concat whose paths give shapes that cannot be summed or joined: exit 1."""
    blocks = [n for n, _, _ in walk(case.nodes) if n.composite and n.type in ("Residual", "Concat")]
    fits = []
    for n in blocks:
        if n.type == "Residual" and n.shape_out != n.shape_in:
            fits.append((n, "residual"))
        if n.type == "Concat" and len(n.shape_in) >= 3 and max(n.shape_in[2:]) > 1:
            fits.append((n, "concat"))
    if not fits:
        return draw(_shape_misfit(case))
    node, what = draw(st.sampled_from(fits))
    if what == "residual":
        node.blocks = [(k, items) for k, items in node.blocks if k != "shortcut"]
        return _expect(case, "broken block", 1, node, "Residual", "a residual sum needs equal shapes", "add a shortcut")
    shape = node.shape_in
    dims = len(shape) - 2
    axis = max(range(dims), key=lambda a: shape[2 + a])
    ks = [1] * dims
    ks[axis] = 2
    pool = Node(f"MaxPool{dims}d", {"kernel_size": ks, "stride": 1}, shape_in=shape)  # one shorter along axis
    node.blocks = [*node.blocks, ("branches", [pool])]
    branch = len(node.blocks) - 1
    return _expect(case, "broken block", 1, node, "Concat", f"branch {branch} gives", "torch.cat")


@st.composite
def _broken_top(draw: st.DrawFn, case: NetCase) -> NetCase:
    """The top level: unknown keys, no input, an input of the wrong kind, no layers list."""
    how = draw(st.sampled_from(["unknown key", "no input", "input", "no layers", "layers"]))
    if how == "unknown key":
        key = draw(st.sampled_from(["layer", "inputs", "Layers", "model", "version"]))
        case.extra[key] = 1
        return _expect(case, "broken top", 2, None, None, f"unknown key '{key}' at the top level", line_of=("key", key))
    if how == "no input":
        case.omit = ("input",)
        return _expect(case, "broken top", 2, None, None, "no 'input'", "input: [1, 3, 224, 224]", line_of=None)
    if how == "no layers":
        case.omit = ("layers",)
        return _expect(case, "broken top", 2, None, None, "no 'layers'", line_of=None)
    if how == "layers":
        case.layers_raw = draw(st.sampled_from([{"ReLU": None}, 3, "ReLU", True]))
        return _expect(case, "broken top", 2, None, None, "must be a list of layers", line_of=None)
    bad, words = draw(st.sampled_from([
        ([*case.input[:-1], 2.5], ["input", "2.5"]),
        ([*case.input[:-1], 0], ["every size must be ≥ 1"]),
        ([*case.input[:-1], -3], ["every size must be ≥ 1"]),
        ([*case.input[:-1], True], ["input", "true"]),
        ([*case.input[:-1], "8"], ["input", "'8'"]),
        ([], ["input", "a list of integers"]),
        ([1] * 9, ["9 dimensions", "at most 8"]),
        ("1,3,eight", ["input", "must be integers like 1,3,224,224"]),
        ({"n": 1}, ["input", "a list of integers"]),
        (True, ["input", "a list of integers"]),
    ]))  # fmt: skip
    case.input = bad
    return _expect(case, "broken top", 2, None, None, *words, line_of="input")


DEFECTS = {
    "wrong kind": _wrong_kind,
    "unknown name": _unknown_name,
    "missing argument": _missing,
    "over a bound": _over_bound,
    "out of range": _out_of_range,
    "shape misfit": _shape_misfit,
    "broken entry": _broken_entry,
    "broken block": _broken_block,
    "broken top": _broken_top,
}


@st.composite
def defective_networks(draw: st.DrawFn) -> NetCase:
    """A valid network with exactly one defect: ``code``, ``words`` and ``place`` say
    what analysing it must report."""
    case = draw(valid_networks())
    return draw(DEFECTS[draw(st.sampled_from(sorted(DEFECTS)))](case))


@st.composite
def chaotic_networks(draw: st.DrawFn) -> Any:
    """A network dict whose arguments, entries or top level are hostile values anywhere."""
    case = draw(valid_networks())
    nodes = [n for n, _, _ in walk(case.nodes)]
    for _ in range(draw(st.integers(1, 4))):
        node = draw(st.sampled_from(nodes))
        where = draw(st.sampled_from(["arg", "arg", "entry", "args", "top"]))
        if where == "arg" and node.args:
            key = draw(st.sampled_from(sorted(node.args)))
            node.args[key] = draw(hostile_values())
        elif where == "arg":
            node.args = {
                draw(st.sampled_from(["k", "stride", "out_channels", "p", "times", "layers"])): draw(hostile_values())
            }
        elif where == "entry":
            node.raw = draw(hostile_values())
        elif where == "args":
            node.raw = {node.type: draw(hostile_values())}
        else:
            key = draw(st.sampled_from(["input", "name", "layers", "extra"]))
            if key == "input":
                case.input = draw(st.one_of(hostile_values(), st.lists(hostile_scalars(), max_size=9)))
            elif key == "name":
                case.name = draw(hostile_values())
            elif key == "layers":
                case.layers_raw = draw(hostile_values())
            else:
                case.extra[draw(st.sampled_from(["extra", "input ", "1"]))] = draw(hostile_values())
    case.kind = "chaos"
    return case


# ---------------------------------------------------------------------------------------
# Texts that are barely YAML
# ---------------------------------------------------------------------------------------

YAML_TOKENS = ("input: [1, 3, 8, 8]\n", "layers:\n", "  - ReLU\n", "  - Conv2d: {out_channels: 4, k: 3}\n",
               "- ", "  ", "\t", "\n", ": ", ", ", "[", "]", "{", "}", "&a ", "*a", "*b", "<<: ", "? ", "|\n",
               ">\n", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "!!int ", "!!float ", "!!bool ",
               "!!str ", "!!map ", "!!seq ", "!!set ", "!!omap ", "!!binary ", "!!timestamp ", "!!null ",
               "!!python/object:os.system ", "!foo ", "'", '"', "#", "\\", "~", "null", "yes", "no", ".nan",
               ".inf", "-.inf", "0x1F", "0o17", "017", "0b101", "1_000", "1:30", "2001-02-30", "2001-12-14t21:59:43",
               "1e3", "1.0e+400", "9" * 40, "Sequential", "Repeat", "times", "Residual", "body", "shortcut",
               "Concat", "branches", "kernel_size", "stride", "\ufeff", "\x85", "\u2028", "é", "\x00", "\x07",
               "\r\n", "\r")  # fmt: skip


def yaml_soup() -> st.SearchStrategy[str]:
    """Fragments of YAML syntax, network words and odd characters, run together."""
    return st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=3)), max_size=30).map("".join)


@st.composite
def damaged_yaml(draw: st.DrawFn) -> str:
    """A valid network's YAML text with a few cuts, insertions and swapped lines."""
    case = draw(valid_networks())
    text = case.text(anchors=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["cut", "insert", "swap", "indent", "number"]))
        lines = text.split("\n")
        if how == "cut":
            a = draw(st.integers(0, len(text)))
            text = text[:a] + text[a + draw(st.integers(1, 12)) :]
        elif how == "insert":
            a = draw(st.integers(0, len(text)))
            text = text[:a] + draw(st.sampled_from(YAML_TOKENS)) + text[a:]
        elif how == "swap" and len(lines) > 2:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif how == "indent":
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = draw(st.sampled_from(["", " ", "   ", "\t"])) + lines[i].lstrip(" ")
            text = "\n".join(lines)
        else:
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            if digits:
                a = draw(st.sampled_from(digits))
                text = text[:a] + flow(draw(hostile_scalars())) + text[a + 1 :]
    return text


# ---------------------------------------------------------------------------------------
# Bound-testing shapes
# ---------------------------------------------------------------------------------------


SMALL = 20_000  # rows an accepted bound-testing network may have


@dataclass
class Hostile:
    """A text or dict built to test a bound, and what it must give."""

    kind: str
    source: Any
    rows: int | None  # rows when accepted (within the bounds), else None
    code: int = 0
    words: tuple[str, ...] = ()


def laughs(levels: int, breadth: int) -> str:
    """Level 0 is a Sequential of ``breadth`` ReLUs; each next level, a Sequential of
    ``breadth`` aliases of the one below."""
    lines = ["input: [1, 3, 8, 8]", "layers:", "  - &l0 {Sequential: [" + ", ".join(["ReLU"] * breadth) + "]}"]
    for i in range(1, levels):
        lines.append(f"  - &l{i} {{Sequential: [" + ", ".join([f"*l{i - 1}"] * breadth) + "]}")
    return "\n".join(lines) + "\n"


def laughs_rows(levels: int, breadth: int) -> int:
    """Rows of :func:`laughs`: level i has r_i = 1 + breadth·r_(i−1) rows, r_0 = 1 + breadth."""
    total, r = 0, 1
    for _ in range(levels):
        r = 1 + breadth * r
        total += r
    return total


REAL_LAYER_LIMIT = 200_000


@st.composite
def hostile_structures(draw: st.DrawFn, limits: dict[str, int]) -> Hostile:
    """One of the bound-testing shapes, sized around the ``limits`` in force. With limits
    smaller than the real ones the test scans every text (as texts over ``SCAN_BYTES`` are),
    so the scan's counts decide first."""
    scanned = limits["layers"] < REAL_LAYER_LIMIT
    kind = draw(st.sampled_from(["laughs", "deep yaml", "deep blocks", "repeat", "recursive alias", "deep dict",
                                 "flood", "values"]))  # fmt: skip
    if kind == "flood":  # n layers listed, one a line or all on one line: 9 + n YAML values
        edge = min(limits["layers"], limits["yaml_nodes"] - 9, SMALL)
        n = draw(st.one_of(st.integers(0, edge + 3), st.integers(max(0, edge - 2), edge + 3)) if scanned
                 else st.integers(0, SMALL))  # fmt: skip
        if draw(st.booleans()):
            text = "input: [1, 3, 8, 8]\nlayers:\n" + "  - ReLU\n" * n if n else "input: [1, 3, 8, 8]\nlayers: []\n"
        else:
            text = "input: [1, 3, 8, 8]\nlayers: [" + ", ".join(["ReLU"] * n) + "]\n"
        # the scan counts values and layers in step: the k-th ReLU is value 9 + k
        first_node, first_layer = limits["yaml_nodes"] - 8, limits["layers"] + 1
        if n >= min(first_node, first_layer):
            if first_node <= first_layer:
                return Hostile(kind, text, None, 2, (f"more than {limits['yaml_nodes']:,} values",))
            return Hostile(kind, text, None, 2, (f"more than {limits['layers']:,} layers",))
        return Hostile(kind, text, n)
    if kind == "values":  # an input shape of m sizes: 6 + m YAML values
        edge = limits["yaml_nodes"] - 6
        near = scanned and limits["yaml_nodes"] <= SMALL
        m = draw(st.one_of(st.integers(0, 12), st.integers(max(0, edge - 2), edge + 2)) if near
                 else st.integers(0, SMALL))  # fmt: skip
        text = "input: [" + ", ".join(["1"] * m) + "]\nlayers: [ReLU]\n"
        if 6 + m > limits["yaml_nodes"]:
            return Hostile(kind, text, None, 2, (f"more than {limits['yaml_nodes']:,} values",))
        if not 1 <= m <= 8:
            return Hostile(kind, text, None, 2, ("input (line 1)",))
        return Hostile(kind, text, 1)
    if kind == "laughs":
        levels, breadth = draw(st.integers(1, 12)), draw(st.integers(1, 10))
        while levels > 1 and SMALL < laughs_rows(levels, breadth) <= limits["layers"]:
            levels -= 1  # accepted networks stay small enough to walk in milliseconds
        rows = laughs_rows(levels, breadth)
        too_many, too_deep = rows > limits["layers"], levels > limits["depth"]  # level i nests i + 1 blocks
        if too_many or too_deep:
            words = () if too_many and too_deep else (f"more than {limits['layers']:,} layers",) if too_many else (
                f"nested deeper than {limits['depth']} levels",)  # fmt: skip
            return Hostile(kind, laughs(levels, breadth), None, 2, words)
        return Hostile(kind, laughs(levels, breadth), rows)
    if kind in ("deep blocks", "deep dict"):
        depth = draw(st.one_of(st.integers(0, limits["depth"] + 2), st.integers(0, 3000)))
        if kind == "deep blocks" and depth <= 300 and draw(st.booleans()):  # block style, one level a line
            lines = ["input: [1, 3, 8, 8]", "layers:"]
            for i in range(depth):
                lines.append("  " * (i + 1) + "- Sequential:")
            lines.append("  " * (depth + 1) + "- ReLU")
            source: Any = "\n".join(lines) + "\n"
        elif kind == "deep blocks":
            source = "input: [1, 3, 8, 8]\nlayers: [" + "{Sequential: [" * depth + "ReLU" + "]}" * depth + "]\n"
        else:
            inner: Any = ["ReLU"]
            for _ in range(depth):
                inner = [{"Sequential": inner}]
            source = {"input": [1, 3, 8, 8], "layers": inner}
        if kind == "deep blocks" and scanned:  # the scan meets level i's mapping as the i-th layer listed,
            # then pushes it (2i deep) and its list (2i + 1 deep); the ReLU is layer depth + 1
            y, most = limits["yaml_depth"], limits["layers"]
            at_depth = next((i for i in range(1, depth + 1) if 2 * i + 1 >= y), None)
            if most + 1 <= depth + 1 and (at_depth is None or most + 1 <= at_depth):
                return Hostile(kind, source, None, 2, (f"more than {most:,} layers",))
        yaml_levels = 2 * depth + 2 if kind == "deep blocks" else 0  # each block: a mapping and a list
        if yaml_levels > limits["yaml_depth"]:
            return Hostile(kind, source, None, 2, (f"YAML nested deeper than {limits['yaml_depth']:,} levels",))
        if depth > limits["depth"]:  # found on the way down, before the rows are added up
            return Hostile(kind, source, None, 2, (f"nested deeper than {limits['depth']} levels",))
        if depth + 1 > limits["layers"]:
            return Hostile(kind, source, None, 2, (f"more than {limits['layers']:,} layers",))
        return Hostile(kind, source, depth + 1)
    if kind == "deep yaml":  # - - - … - ReLU, or [[[[…]]]]
        depth = draw(st.one_of(st.integers(1, 50), st.integers(1, 5000)))
        if draw(st.booleans()):
            text = "input: [1, 3, 8, 8]\nlayers:\n  - " + "- " * depth + "ReLU\n"
        else:
            text = "input: [1, 3, 8, 8]\nlayers: [" + "[" * depth + "ReLU" + "]" * depth + "]\n"
        if depth + 2 > limits["yaml_depth"]:
            return Hostile(kind, text, None, 2, (f"YAML nested deeper than {limits['yaml_depth']:,} levels",))
        return Hostile(kind, text, None, 2, ("a layer is a type name or a one-key mapping",))
    if kind == "repeat":
        times = draw(st.one_of(st.integers(1, 40), st.integers(limits["repeat"] - 2, limits["repeat"] + 2),
                               st.sampled_from([10**12, 2**63, 10**40])))  # fmt: skip
        body = draw(st.integers(0, 3))
        if SMALL < 1 + times * body <= limits["layers"] and times <= limits["repeat"]:
            body = 0  # accepted networks stay small
        text = f"input: [1, 3, 8, 8]\nlayers:\n  - Repeat: {{times: {times}, layers: [{', '.join(['ReLU'] * body)}]}}\n"
        rows = 1 + times * body
        if scanned and 1 + body > limits["layers"]:  # the Repeat and its layers, each listed once
            return Hostile(kind, text, None, 2, (f"more than {limits['layers']:,} layers",))
        if times > limits["repeat"]:
            return Hostile(kind, text, None, 2, (f"times={times:,} is over the limit of {limits['repeat']:,}",))
        if rows > limits["layers"]:
            return Hostile(kind, text, None, 2, (f"more than {limits['layers']:,} layers",))
        return Hostile(kind, text, rows)
    text = draw(st.sampled_from([
        "input: [1, 3, 8, 8]\nlayers: &a\n  - Sequential: *a\n",
        "input: [1, 3, 8, 8]\nlayers:\n  - &a {Sequential: [ReLU, *a]}\n",
        "input: [1, 3, 8, 8]\nlayers:\n  - &a {Residual: {body: [*a]}}\n",
        "input: [1, 3, 8, 8]\nlayers:\n  - &a {Concat: {branches: [[ReLU], [*a]]}}\n",
        "input: [1, 3, 8, 8]\nlayers:\n  - &a {Repeat: {times: 2, layers: [*a]}}\n",
    ]))  # fmt: skip
    # the loop is found two or three blocks deep: a smaller depth bound may refuse it first
    words = ("a YAML alias refers to a block that contains it",) if limits["depth"] > 3 and limits["layers"] > 3 else ()
    return Hostile(kind, text, None, 2, words)


# ---------------------------------------------------------------------------------------
# Command lines
# ---------------------------------------------------------------------------------------

SIZE_TEXTS = ("3", "3,5", "3x5", "3×5", "3X5", "1,2,3", "1,2,3,4", "0", "-1", "-3,3", "2.5", "two", "", " ", ",",
              "3,", "x", "1099511627777", "99999999999999999999", "same", "valid", "SAME", "３", "1_0", "+3",
              "0x10", "1e3", "7" * 5000)  # fmt: skip
TYPE_TEXTS = ("conv", "transpose", "maxpool", "avgpool", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
              "ConvTranspose2d", "MaxPool3d", "AvgPool1d", "AvgPool3d", "Linear", "ReLU", "conv2d", "", "Conv4d",
              "Sequential", "pool")  # fmt: skip
INT_TEXTS = ("1", "2", "3", "4", "0", "-1", "1099511627777", "2.5", "x", "", "1e3", "9" * 5000)


def _int_text() -> st.SearchStrategy[str]:
    """Mostly a small count, now and then not a count."""
    return st.one_of(st.integers(1, 8).map(str), st.integers(1, 8).map(str), st.sampled_from(INT_TEXTS))


def _size_text() -> st.SearchStrategy[str]:
    """Mostly sizes as the options take them (``28``, ``3,5``, ``3x5``), now and then not."""
    ints = st.lists(st.integers(1, 40), min_size=1, max_size=3)
    wild = st.lists(st.integers(-2, 40), min_size=1, max_size=4)
    return st.one_of(
        ints.map(lambda v: ",".join(map(str, v))),
        ints.map(lambda v: "x".join(map(str, v))),
        st.integers(1, 9).map(str),
        wild.map(lambda v: ",".join(map(str, v))),
        st.sampled_from(SIZE_TEXTS),
        st.text(max_size=4),
    )


OPTIONS = {
    "layer": {"--k": _size_text, "--kernel-size": _size_text, "--type": lambda: st.sampled_from(TYPE_TEXTS),
              "-t": lambda: st.sampled_from(TYPE_TEXTS), "--in": _size_text, "--s": _size_text, "--stride": _size_text,
              "--p": _size_text, "--padding": _size_text, "--d": _size_text, "--dilation": _size_text,
              "--output-padding": _size_text, "--c-in": _int_text,
              "--c-out": _int_text, "--groups": _int_text,
              "-g": _int_text, "--batch": _int_text,
              "-n": _int_text, "--ceil-mode": None, "--no-bias": None, "--explain": None,
              "--json": None, "-q": None, "--quiet": None},
    "same": {"--in": _size_text, "--k": _size_text, "--kernel-size": _size_text, "--s": _size_text,
             "--d": _size_text, "--out": _size_text, "--type": lambda: st.sampled_from(TYPE_TEXTS), "--json": None,
             "-q": None},
    "net": {"--input": lambda: st.sampled_from(("1,3,224,224", "1,3,32,32", "1x1x28x28", "8,3,64,64", "1,3,0,0",
                                                "1,3", "abc", "", "1,2,3,4,5,6,7,8,9", "1,3,1099511627777,1",
                                                "1,1,28,28", "2,1,28,28", "-1,1,28,28")),
            "-i": lambda: st.sampled_from(("1,1,28,28", "1,3,8,8", "0")),
            "--format": lambda: st.sampled_from(("table", "plain", "csv", "json", "markdown", "xml", "", "JSON")),
            "-f": lambda: st.sampled_from(("plain", "json", "yaml")),
            "--dtype": lambda: st.sampled_from(("float32", "float16", "bfloat16", "float64", "int8", "float128", "", "f32")),
            "--depth": lambda: st.sampled_from(("0", "1", "2", "-1", "99", "x", "1099511627777")),
            "--columns": lambda: st.sampled_from(("layer,output,params", "params", "", ",", "nope", "#,layer,MACs",
                                                  "layer,,params", "rf,memory", "LAYER"))},
    "zoo": {"--format": lambda: st.sampled_from(("table", "plain", "csv", "json", "markdown", "xml")), "-q": None},
}  # fmt: skip
JUNK = ("--kk", "--in", "-x", "--", "extra", "--help", "-h", "--version", "--k=3", "--in=", "-q=1")


@st.composite
def command_lines(draw: st.DrawFn, command: str, sources: tuple[str, ...] = ()) -> list[str]:
    """An argv for ``command``: its options (well or badly formed) in any order, now and
    then an unknown option or a stray word; for ``net``, a source among ``sources``."""
    options = OPTIONS[command]
    argv: list[str] = [command]
    names = draw(st.lists(st.sampled_from(sorted(options)), max_size=6))
    if command in ("layer", "same") and draw(st.integers(0, 4)):
        names = ["--k", *names] if command == "layer" else ["--in", "--k", *names]
    for name in names:
        maker = options[name]
        argv.append(name)
        if maker is not None:
            argv.append(draw(maker()))
    if command == "net" and sources:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(sources)))
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(JUNK)))
    return argv
