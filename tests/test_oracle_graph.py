"""Oracle for graphs (SPEC §2a): random DAG networks, each built in PyTorch 2.13.0 and in convcalc.

The networks come from ``random.Random(SEED)`` so that the set is the same on every run.
Each is one description dict; :class:`graph_torch.GraphModule` builds it from torch
modules (inferring channels from real tensors), :func:`convcalc.analyze` reads the same
dict, and the two are compared:

* acceptance: torch raises (or returns a tensor with a 0-size dimension) ⇔ convcalc raises
  :class:`convcalc.ConvCalcError` with ``exit_code`` 1;
* otherwise, row by row in walk order: path, type, depth, ``composite``, name,
  ``qualname``, output shape, params, trainable params, buffers, FLOPs (FlopCounterMode's
  count for the row's module, eval mode; a block's, the sum of its leaves') and ``inputs``
  (the rows read, compared as the tensors they denote: a Sequential's or Repeat's output
  is its last child's); the ``outputs``; the totals (params, trainable, buffers, FLOPs).

The generator draws named references (shadowed names, names of enclosing lists, ``input``,
negative indexes), skip connections across blocks, the merge layers with equal and
broadcast shapes (the SE gate ``[N, C, H, W] × [N, C, 1, 1]``, lower-rank operands), node
and branch forms, ``Split``, ``Slice``, ``Permute``, ``ChannelShuffle``, ``PixelShuffle``,
``PixelUnshuffle``, ``GLU``, ``Scale``, ConvNeXt-style channels-last MLPs, frozen entries and
blocks and several outputs, and, in some networks, one deliberately invalid feature
(shapes that do not broadcast, a Split into fewer pieces than branches, an empty Slice,
...). The per-feature counts are asserted so that coverage cannot shrink silently.

A second test checks the reference errors (unknown names, forward references, names
of other lists, indexes before the start of a list): both sides refuse, convcalc with
exit 2 and, for an unknown name, the nearest defined name in the message.
"""

from __future__ import annotations

import copy
import random
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

import convcalc
from convcalc import ConvCalcError

torch = pytest.importorskip("torch")
from graph_torch import DescriptionError, GraphModule  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

pytestmark = pytest.mark.oracle

SEED = 20_250_611


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Any:
    """Tiny tensors: one thread is fastest, and on a busy 2-core runner torch's thread
    pool otherwise spends most of its time waiting (5× slower measured)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
N_NETWORKS = 1600
NAMES = ("a", "b", "x", "skip", "feat", "p3")
CHANNELS = (2, 4, 6, 8)

Shape = tuple[int, ...]


# ---------------------------------------------------------------------------------------
# The generator. It tracks shapes only roughly (it knows the layers it emits); the truth
# is torch's. A shape of None means "unknown": the generator then picks simple layers.
# ---------------------------------------------------------------------------------------


@dataclass
class GFrame:
    """A list being generated: its input shape and the (name, shape) of its entries so far."""

    input: Shape | None
    parent: GFrame | None
    entries: list[tuple[str | None, Shape | None]] = field(default_factory=list)
    target: Shape | None = None  # the shape "shape"/"spatial" modes keep (default: the input)

    @property
    def want(self) -> Shape | None:
        return self.target or self.input

    @property
    def current(self) -> Shape | None:
        return self.entries[-1][1] if self.entries else self.input


@dataclass
class Net:
    desc: dict[str, Any]
    features: Counter[str]
    bad: str | None  # the deliberately invalid feature, if any


def broadcast(a: Shape | None, b: Shape | None) -> Shape | None:
    if a is None or b is None:
        return None
    out = []
    for x, y in zip(reversed((1,) * (len(b) - len(a)) + a), reversed((1,) * (len(a) - len(b)) + b), strict=True):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(reversed(out))


def fits(shape: Shape | None, want: Shape | None, mode: str) -> bool:
    """Whether a tensor of ``shape`` may stand where ``mode`` requires the list input ``want``."""
    if mode == "any":
        return True
    if shape is None or want is None or len(shape) != len(want):
        return False
    if mode == "shape":
        return shape == want
    return shape[0] == want[0] and shape[2:] == want[2:]  # "spatial": channels may change


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.features: Counter[str] = Counter()
        self.bad: str | None = None
        self.net_input: Shape = ()

    # -- helpers ----------------------------------------------------------------------

    def feat(self, *names: str) -> None:
        self.features.update(names)

    def may_bad(self, what: str, p: float = 0.12) -> bool:
        """Whether to make this feature deliberately invalid (at most one per network)."""
        if self.bad is None and self.rng.random() < p:
            self.bad = what
            return True
        return False

    def visible(self, frame: GFrame) -> list[tuple[Any, Shape | None, str]]:
        """References usable from the next entry of ``frame``: (ref, shape, kind)."""
        refs: list[tuple[Any, Shape | None, str]] = []
        n = len(frame.entries)
        for k in range(1, min(n + 1, 4) + 1):
            refs.append((-k, frame.entries[n - k][1] if k <= n else frame.input, "index"))
        seen: set[str] = set()
        f: GFrame | None = frame
        outer = False
        while f is not None:
            names = [name for name, _ in f.entries if name is not None]
            for name, shape in reversed(f.entries):
                if name is not None and name not in seen:
                    seen.add(name)
                    kind = "outer" if outer else "name"
                    if names.count(name) > 1 or name in {m for m, _ in (f.parent.entries if f.parent else [])}:
                        kind += "+shadow"
                    refs.append((name, shape, kind))
            f, outer = f.parent, True
        refs.append(("input", self.net_input, "input"))
        return refs

    def note_ref(self, kind: str, ref: Any) -> None:
        if kind.startswith("outer"):
            self.feat("ref: enclosing list")
        elif kind.startswith("name"):
            self.feat("ref: name")
        elif kind == "input":
            self.feat("ref: input")
        elif isinstance(ref, int) and ref < -1:
            self.feat("ref: negative index")
        if kind.endswith("+shadow"):
            self.feat("ref: shadowed name")

    def name(self, p: float = 0.35) -> str | None:
        return self.rng.choice(NAMES) if self.rng.random() < p else None

    # -- the network --------------------------------------------------------------------

    def network(self) -> Net:
        rng = self.rng
        self.features, self.bad = Counter(), None
        rank = 4 if rng.random() < 0.8 else 3
        shape = (1 if rng.random() < 0.85 else 2, rng.choice((2, 3, 4, 6, 8)), *(rng.randint(4, 10) for _ in range(rank - 2)))
        self.net_input = shape
        top = GFrame(shape, None)
        layers = self.items(top, rng.randint(3, 8), "any", 0)
        desc: dict[str, Any] = {"input": list(shape), "layers": layers}
        named = []
        for i, (name, _) in enumerate(top.entries):
            if name is not None and all(n != name for n, _ in top.entries[i + 1 :]) and name not in named:
                named.append(name)
        if len(named) >= 2 and rng.random() < 0.45:
            desc["outputs"] = rng.sample(named, rng.randint(2, min(3, len(named))))
            self.feat("outputs: several")
        elif named and rng.random() < 0.1:
            desc["outputs"] = [rng.choice(named)]
            self.feat("outputs: one")
        return Net(desc, self.features, self.bad)

    def items(self, frame: GFrame, count: int, mode: str, depth: int) -> list[Any]:
        """``count`` entries (some macros give several) appended to ``frame``; with
        ``mode`` "shape" or "spatial" every entry keeps the list input's shape (or spatial size)."""
        out: list[Any] = []
        for _ in range(count):
            out += self.entry(frame, mode, depth)
        return out

    def add(self, frame: GFrame, entry: Any, shape: Shape | None, name: str | None = None) -> list[Any]:
        frame.entries.append((name, shape))
        return [entry]

    def entry(self, frame: GFrame, mode: str, depth: int) -> list[Any]:
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            return self.merge_node(frame, mode)
        if r < 0.19:
            return self.se_node(frame, mode)
        if r < 0.22 and mode != "shape":
            return self.rank_broadcast(frame)
        if r < 0.26 and mode != "any":
            return self.convnext_mlp(frame)
        if r < 0.28:
            return self.causal_conv(frame, mode)
        if r < 0.44 and depth < 2:
            return self.block(frame, mode, depth)
        return self.leaf_entry(frame, mode)

    # -- leaves -------------------------------------------------------------------------

    def leaf_entry(self, frame: GFrame, mode: str) -> list[Any]:
        rng = self.rng
        ref: Any = None
        src = frame.current
        if rng.random() < 0.3:
            options = [(rf, sh, kind) for rf, sh, kind in self.visible(frame) if rf != -1 and fits(sh, frame.want, mode)]
            if options:
                weights = [3 if kind.startswith(("name", "outer")) else 1 for _, _, kind in options]
                ref, src, kind = rng.choices(options, weights)[0]
                self.note_ref(kind, ref)
        kind, args, shape = self.leaf(src, mode)
        name = self.name()
        if name:
            args["name"] = name
        if ref is not None:
            args["from"] = ref
        if rng.random() < 0.06:
            args["trainable"] = False
            self.feat("frozen: layer")
        return self.add(frame, {kind: args} if args else kind, shape, name)

    def leaf(self, shape: Shape | None, mode: str) -> tuple[str, dict[str, Any], Shape | None]:
        """A leaf layer for an input of ``shape``: (type, args, output shape)."""
        rng = self.rng
        if shape is None or min(shape) <= 0:
            return rng.choice(("ReLU", "Identity", "Sigmoid")), {}, shape
        rank = len(shape)
        n, c = shape[0], shape[1]
        sp = shape[2:]
        menu: list[tuple[str, float]] = [("act", 3), ("scale", 1.2), ("slice", 1.2), ("glu", 0.6)]
        if rank >= 3:
            menu += [("conv", 4), ("norm", 1.5), ("shuffle", 1), ("permute", 1), ("pool", 1)]
        if rank == 4:
            menu += [("pixel", 1.2), ("upsample", 0.4), ("adaptive", 0.3)]
        if rank == 3:
            menu += [("causal", 0.8)]
        if rank == 2:
            menu += [("linear", 3), ("norm", 1)]
        if rank == 4 and rng.random() < 0.3:
            menu += [("linear", 0.6)]
        if mode == "any":
            menu += [("flatten", 0.15)] if rank >= 3 else []
        kinds, weights = zip(*menu, strict=True)
        what = rng.choices(kinds, weights)[0]
        keep = mode == "shape"
        if what == "act":
            kind = rng.choice(("ReLU", "SiLU", "GELU", "Sigmoid", "Hardsigmoid", "Hardswish", "Tanh", "Identity",
                               "Dropout", "PReLU", "LeakyReLU"))  # fmt: skip
            args: dict[str, Any] = {}
            if kind == "PReLU" and rng.random() < 0.5:
                args["num_parameters"] = c
            return kind, args, shape
        if what == "scale":
            self.feat("layer: Scale")
            if rng.random() < 0.55:
                return "Scale", ({"init": 1e-6} if rng.random() < 0.5 else {}), shape
            options = [(c,) + (1,) * (rank - 2), (1,), (shape[-1],), (1, c) + (1,) * (rank - 2)]
            scale_shape = list(rng.choice(options))
            if self.may_bad("Scale shape that does not broadcast", 0.15):
                scale_shape = [c + 1] + [1] * (rank - 2)
            else:
                self.feat("layer: Scale explicit shape")
            return "Scale", {"shape": scale_shape}, shape
        if what == "slice" and not keep:
            self.feat("layer: Slice")
            dim = rng.choice((1, -1, 1, rank - 1) if rank > 2 and mode == "any" else (1, -1) if rank == 2 else (1,))
            size = shape[dim]
            args = {"dim": dim}
            start = rng.choice((0, 1, -1, -size, size - 1, -size - 2, size + 1, None, 2))
            end = rng.choice((None, None, size, size - 1, -1, 2 * size, -size - 3, 1))
            step = rng.choice((1, 1, 1, 2, 3))
            if self.may_bad("Slice step < 1", 0.03):
                step = rng.choice((0, -1))
            if start is not None:
                args["start"] = start
            if end is not None or rng.random() < 0.3:
                args["end"] = end
            if step != 1 or rng.random() < 0.3:
                args["step"] = step
            length = len(range(*slice(start, end, step).indices(size))) if step > 0 else 0
            if length == 0 and step > 0 and not self.may_bad("empty Slice", 0.25):
                args.pop("end", None)
                args["start"] = start = 0
                length = len(range(*slice(start, None, step).indices(size)))
            out = list(shape)
            out[dim] = length
            return "Slice", args, tuple(out)
        if what == "glu" and not keep:
            self.feat("layer: GLU")
            dims = ((1, -1) if mode == "any" else (1,)) if rank > 2 else (-1,)
            even = [d for d in dims if shape[d] % 2 == 0]
            if even and not self.may_bad("GLU on an odd size", 0.05):
                dim = rng.choice(even)
            elif not even:
                self.bad = self.bad or "GLU on an odd size"
                dim = dims[0]
            else:
                dim = rng.choice(dims)
            out = list(shape)
            out[dim] //= 2
            return "GLU", ({"dim": dim} if dim != -1 or rng.random() < 0.5 else {}), tuple(out)
        if what == "conv":
            dims = rank - 2
            oc = c if keep else rng.choice(CHANNELS)
            k = rng.choice((1, 3, 3)) if dims == 2 else rng.choice((1, 3, 5))
            s = 1 if mode != "any" else rng.choice((1, 1, 2))
            p = k // 2 if (mode != "any" or rng.random() < 0.8) else 0
            args = {"out_channels": oc, "k": k}
            if s != 1:
                args["s"] = s
            if p:
                args["p"] = p
            if rng.random() < 0.25:
                g = rng.choice([g for g in (2, 3, c) if c % g == 0 and oc % g == 0] or [1])
                if g > 1:
                    args["groups"] = g
                    self.feat("layer: grouped conv")
            if rng.random() < 0.3:
                args["bias"] = False
            if rng.random() < 0.015 and self.may_bad("in_channels mismatch", 1.0):
                args["in_channels"] = c + 1
            elif rng.random() < 0.1:
                args["in_channels"] = c
            out_sp = tuple((x + 2 * p - k) // s + 1 for x in sp)
            return f"Conv{dims}d", args, (n, oc, *out_sp)
        if what == "norm":
            if rank == 2:
                return rng.choice(("BatchNorm1d", "LayerNorm")), {}, shape
            r = rng.random()
            if r < 0.45:
                return f"BatchNorm{rank - 2}d", {}, shape
            if r < 0.7:
                groups = [g for g in (1, 2, 3, 4) if c % g == 0]
                return "GroupNorm", {"num_groups": rng.choice(groups)}, shape
            if r < 0.85:
                return "LayerNorm", ({"eps": 1e-6} if rng.random() < 0.5 else {}), shape
            return "LayerNorm", {"normalized_shape": list(shape[1:])}, shape
        if what == "shuffle":
            self.feat("layer: ChannelShuffle")
            divisors = [g for g in (2, 3, 4) if c % g == 0]
            if divisors and not self.may_bad("ChannelShuffle groups not dividing", 0.05):
                return "ChannelShuffle", {"groups": rng.choice(divisors)}, shape
            self.bad = self.bad or "ChannelShuffle groups not dividing"
            return "ChannelShuffle", {"groups": rng.choice([g for g in (2, 3, 4, 5) if c % g] or [c + 1])}, shape
        if what == "permute":
            self.feat("layer: Permute")
            if mode != "any":  # there and back as one Permute is not shape-preserving: a transposition of two equal sizes
                same = [i for i in range(1, rank) for j in range(i + 1, rank) if shape[i] == shape[j]]
                if not same:
                    return "Identity", {}, shape
                dims = list(range(rank))
                i = same[0]
                j = next(j for j in range(i + 1, rank) if shape[i] == shape[j])
                dims[i], dims[j] = dims[j], dims[i]
                return "Permute", {"dims": dims}, shape
            dims = [0] + rng.sample(range(1, rank), rank - 1)
            if rng.random() < 0.1:
                dims = rng.sample(range(rank), rank)
                self.feat("layer: Permute of the batch")
            if rng.random() < 0.2:
                dims = [d - rank if rng.random() < 0.5 else d for d in dims]
                self.feat("layer: Permute negative dims")
            if self.may_bad("Permute of the wrong length", 0.06):
                dims = dims[:-1]
                return "Permute", {"dims": dims}, None
            return "Permute", {"dims": dims}, tuple(shape[d] for d in dims)
        if what == "pool":
            dims = rank - 2
            if mode != "any" or rng.random() < 0.5:
                return f"AvgPool{dims}d", {"kernel_size": 3, "stride": 1, "padding": 1}, shape
            return f"MaxPool{dims}d", {"kernel_size": 2}, (n, c, *(x // 2 for x in sp))
        if what == "pixel" and mode == "any":
            can = {"up": c % 4 == 0, "down": all(x % 2 == 0 for x in sp)}
            valid = [w for w, ok in can.items() if ok]
            way = rng.choice(valid) if valid else rng.choice(("up", "down"))
            if valid and self.bad is None and rng.random() < 0.08:  # deliberately the invalid one, if any
                way = rng.choice([w for w, ok in can.items() if not ok] or [way])
            if not can[way]:
                self.bad = self.bad or ("PixelShuffle channels" if way == "up" else "PixelUnshuffle size") + " not divisible"
            if way == "up":
                self.feat("layer: PixelShuffle")
                return "PixelShuffle", {"upscale_factor": 2}, (n, c // 4, *(2 * x for x in sp))
            self.feat("layer: PixelUnshuffle")
            return "PixelUnshuffle", {"downscale_factor": 2}, (n, 4 * c, *(x // 2 for x in sp))
        if what == "upsample" and not keep and mode == "any":
            return "Upsample", {"scale_factor": 2, "mode": "nearest"}, (n, c, *(2 * x for x in sp))
        if what == "adaptive" and mode == "any":
            return "AdaptiveAvgPool2d", {"output_size": 1}, (n, c, 1, 1)
        if what == "causal" and mode == "any":
            self.feat("layer: causal padding")
            return "ZeroPad1d", {"padding": [2, 0]}, (n, c, sp[0] + 2)
        if what == "linear" and (not keep or rank == 2):
            out = shape[-1] if keep else rng.choice((3, 4, 8))
            if mode == "spatial" and rank > 2:
                out = shape[-1]
            return "Linear", {"out_features": out, "bias": rng.random() < 0.8}, (*shape[:-1], out)
        if what == "flatten" and rank >= 3:
            self.feat("layer: Flatten")
            size = 1
            for x in shape[1:]:
                size *= x
            return "Flatten", {}, (n, size)
        return rng.choice(("ReLU", "Identity", "Hardswish")), {}, shape

    # -- merges -------------------------------------------------------------------------

    def merge_node(self, frame: GFrame, mode: str) -> list[Any]:
        """``Add``/``Multiply``/``Concat`` with a ``from:`` list: the previous entry and one
        or two earlier tensors (of this list or enclosing ones); when no earlier tensor fits,
        a fresh one from a layer applied to the current one."""
        rng = self.rng
        cur = frame.current
        kind = rng.choice(("Add", "Add", "Multiply", "Concat")) if mode != "shape" else rng.choice(("Add", "Multiply"))
        out: list[Any] = []
        visible = [(rf, sh, k) for rf, sh, k in self.visible(frame) if rf != -1]
        if kind == "Concat":
            dim = 1 if rng.random() < 0.8 or cur is None else -1

            def ok(sh: Shape | None) -> bool:
                return cur is not None and sh is not None and len(sh) == len(cur) and all(
                    a == b for i, (a, b) in enumerate(zip(sh, cur, strict=True)) if i != dim % len(cur)
                )
        else:

            def ok(sh: Shape | None) -> bool:
                b = broadcast(cur, sh)
                return b is not None and (mode == "any" or b == cur)

        partners = [(rf, sh, k) for rf, sh, k in visible if ok(sh)]
        bad = False
        if partners and rng.random() < 0.8:
            picks = rng.sample(partners, min(len(partners), rng.choice((1, 1, 2))))
            for rf, _, k in picks:
                self.note_ref(k, rf)
            refs = [-1] + [rf for rf, _, _ in picks]
            shapes = [cur] + [sh for _, sh, _ in picks]
            if rng.random() < 0.5:
                refs.reverse()
                shapes.reverse()
            self.feat("merge: earlier tensors")
        else:
            wrong = [(rf, sh, k) for rf, sh, k in visible if sh is not None and not ok(sh)]
            if wrong and mode == "any" and self.may_bad(f"{kind} of shapes that do not fit", 0.3):
                rf, sh, k = rng.choice(wrong)
                refs, shapes, bad = [-1, rf], [cur, sh], True
            else:  # y = f(x); merge(x, y)
                if cur is None:
                    return self.leaf_entry(frame, mode)
                lkind, largs, lshape = self.leaf(cur, "shape" if kind != "Concat" else "spatial")
                out += self.add(frame, {lkind: largs} if largs else lkind, lshape)
                refs, shapes = [-2, -1], [cur, lshape]
                self.feat("merge: x and f(x)")
        if kind == "Concat":
            shape = None if any(s is None for s in shapes) or bad else (
                (*cur[:dim % len(cur)], sum(s[dim] for s in shapes), *cur[dim % len(cur) + 1 :]) if cur else None
            )  # fmt: skip
            args: dict[str, Any] = {"from": refs, "dim": dim}
            self.feat("merge: Concat node" + (" (last dim)" if dim == -1 else ""))
        else:
            shape = None
            if not bad:
                shape = shapes[0]
                for s in shapes[1:]:
                    shape = broadcast(shape, s)
                if shape != cur or any(s != cur for s in shapes):
                    self.feat(f"merge: {kind} broadcast")
            args = {"from": refs}
            self.feat(f"merge: {kind} node")
        if len(refs) > 2:
            self.feat("merge: three tensors")
        name = self.name(0.3)
        if name:
            args["name"] = name
        return out + self.add(frame, {kind: args}, shape, name)

    def se_node(self, frame: GFrame, mode: str) -> list[Any]:
        """x · gate(x), the gate as five entries and a ``Multiply`` node (or the branch
        form, in :meth:`block`). A gate of the wrong width does not broadcast."""
        rng = self.rng
        cur = frame.current
        if cur is None or len(cur) < 3:
            return self.leaf_entry(frame, mode)
        c, rank = cur[1], len(cur)
        width = c
        if self.may_bad("SE gate of the wrong width", 0.05):
            width = c + 1
        gate_shape = (cur[0], width) + (1,) * (rank - 2)
        squeeze = max(1, c // 2)
        out: list[Any] = []
        xname = None
        if frame.entries and frame.entries[-1][0] and rng.random() < 0.5:
            xname = frame.entries[-1][0]
        gate = [
            {f"AdaptiveAvgPool{rank - 2}d": {"output_size": 1}},
            {f"Conv{rank - 2}d": {"out_channels": squeeze, "k": 1}},
            "ReLU",
            {f"Conv{rank - 2}d": {"out_channels": width, "k": 1}},
            rng.choice(("Sigmoid", "Hardsigmoid")),
        ]
        shapes = [(cur[0], c) + (1,) * (rank - 2), (cur[0], squeeze) + (1,) * (rank - 2)]
        shapes += [shapes[-1], gate_shape, gate_shape]
        for g, s in zip(gate, shapes, strict=True):
            out += self.add(frame, g, s)
        x_ref = xname if xname else -6
        refs = [x_ref, -1] if rng.random() < 0.7 else [-1, x_ref]
        kind = "Multiply" if rng.random() < 0.8 else "Add"
        self.feat("merge: SE gate node", f"merge: {kind} broadcast", f"merge: {kind} node")
        name = self.name(0.3)
        args: dict[str, Any] = {"from": refs}
        if name:
            args["name"] = name
        return out + self.add(frame, {kind: args}, None if width != c else cur, name)

    def rank_broadcast(self, frame: GFrame) -> list[Any]:
        """A merge of a rank-2 tensor with the rank-3/4 one it came from: Flatten, Linear
        to the last size, Multiply (broadcast from the right: fine at batch 1)."""
        cur = frame.current
        if cur is None or len(cur) < 3:
            return self.leaf_entry(frame, "any")
        out = self.add(frame, "Flatten", None)
        out += self.add(frame, {"Linear": {"out_features": cur[-1]}}, (cur[0], cur[-1]))
        kind = self.rng.choice(("Add", "Multiply"))
        self.feat("merge: lower rank broadcast")
        if cur[0] != 1:
            self.bad = self.bad or "lower rank broadcast over a batch"
        return out + self.add(frame, {kind: {"from": [-3, -1]}}, broadcast(cur, (cur[0], cur[-1])))

    def causal_conv(self, frame: GFrame, mode: str) -> list[Any]:
        """WaveNet's causal convolution: left padding (k − 1)·d, then the dilated convolution."""
        cur = frame.current
        if cur is None or len(cur) != 3 or min(cur) <= 0:
            return self.leaf_entry(frame, mode)
        k, d = self.rng.choice((2, 3, 5)), self.rng.choice((1, 2, 4))
        oc = cur[1] if mode == "shape" else self.rng.choice(CHANNELS)
        self.feat("block: causal conv")
        out = self.add(frame, {"ZeroPad1d": {"padding": [(k - 1) * d, 0]}}, (cur[0], cur[1], cur[2] + (k - 1) * d))
        return out + self.add(frame, {"Conv1d": {"out_channels": oc, "k": k, "d": d}}, (cur[0], oc, cur[2]))

    def convnext_mlp(self, frame: GFrame) -> list[Any]:
        """ConvNeXt's channels-last MLP: Permute, LayerNorm, Linear 4×, GELU, Linear,
        Permute back, Scale (shape-preserving)."""
        cur = frame.current
        if cur is None or len(cur) != 4:
            return self.leaf_entry(frame, "shape")
        n, c, h, w = cur
        last = (n, h, w, c)
        steps = [
            ({"Permute": {"dims": [0, 2, 3, 1]}}, last),
            ({"LayerNorm": {"eps": 1e-6}}, last),
            ({"Linear": {"out_features": 4 * c}}, (n, h, w, 4 * c)),
            ("GELU", (n, h, w, 4 * c)),
            ({"Linear": {"out_features": c}}, last),
            ({"Permute": {"dims": [0, 3, 1, 2]}}, cur),
            ({"Scale": {"init": 1e-6}}, cur),
        ]
        self.feat("block: ConvNeXt MLP")
        out: list[Any] = []
        for e, s in steps:
            out += self.add(frame, e, s)
        return out

    # -- blocks -------------------------------------------------------------------------

    def block(self, frame: GFrame, mode: str, depth: int) -> list[Any]:
        rng = self.rng
        cur = frame.current
        ref: Any = None
        if rng.random() < 0.15:
            options = [(rf, sh, k) for rf, sh, k in self.visible(frame) if rf != -1 and fits(sh, frame.want, mode)]
            if options:
                ref, cur, k = rng.choice(options)
                self.note_ref(k, ref)
                self.feat("ref: from on a block")
        spatial_ok = cur is not None and len(cur) >= 3 and min(cur) > 0
        menu = ["Sequential", "Repeat", "Residual"]
        if spatial_ok:
            menu += ["Add", "Multiply", "Split", "Split", "Residual"] + (["Concat"] if mode != "shape" else [])
        kind = rng.choice(menu)
        args: dict[str, Any] = {}
        shape: Shape | None = cur
        inner = depth + 1
        if kind == "Sequential":
            sub = GFrame(cur, frame)
            args["layers"] = self.items(sub, rng.randint(1, 4), mode, inner)
            shape = sub.current
        elif kind == "Repeat":
            sub = GFrame(cur, frame)
            args["times"] = rng.randint(1, 3)
            args["layers"] = self.items(sub, rng.randint(1, 3), "shape", inner)
            self.feat("block: Repeat with names" if any(nm for nm, _ in sub.entries) else "block: Repeat")
        elif kind == "Residual":
            body = GFrame(cur, frame)
            if spatial_ok and mode == "any" and rng.random() < 0.4:
                n, c, *sp = cur  # type: ignore[misc]
                oc, s = rng.choice(CHANNELS), rng.choice((1, 2))
                dims = len(sp)
                conv = f"Conv{dims}d"
                first_shape = (n, oc, *((x - 1) // s + 1 for x in sp))
                b = self.add(body, {conv: {"out_channels": oc, "k": 3, "s": s, "p": 1, "bias": False}}, first_shape)
                body.target = first_shape
                b += self.items(body, rng.randint(0, 2), "shape", inner)
                sc_s = s
                if self.may_bad("Residual of different shapes", 0.15):
                    sc_s = 3 - s
                shortcut = [{conv: {"out_channels": oc, "k": 1, "s": sc_s, "bias": False}}, f"BatchNorm{dims}d"]
                args = {"body": b, "shortcut": shortcut}
                shape = first_shape
                self.feat("block: Residual with shortcut")
            else:
                args = {"body": self.items(body, rng.randint(1, 3), "shape", inner)}
        elif kind == "Concat":
            branches = []
            channels = 0
            for _ in range(rng.randint(2, 3)):
                sub = GFrame(cur, frame)
                branch = [] if rng.random() < 0.2 else self.items(sub, rng.randint(1, 3), "spatial", inner)
                branches.append(branch)
                channels += sub.current[1] if sub.current else 0
            if self.may_bad("Concat branches of different sizes", 0.1):
                branches[-1] = branches[-1] + [{f"MaxPool{len(cur) - 2}d": {"kernel_size": 2}}]  # type: ignore[arg-type]
            args = {"dim": 1, "branches": branches}
            shape = (cur[0], channels, *cur[2:]) if cur else None
            self.feat("block: Concat branches")
        elif kind in ("Add", "Multiply"):
            sub = GFrame(cur, frame)
            if rng.random() < 0.5:  # the SE gate in branch form
                assert cur is not None
                rank = len(cur)
                width = cur[1] + (1 if self.may_bad(f"{kind} branches that do not broadcast", 0.2) else 0)
                gate = [
                    {f"AdaptiveAvgPool{rank - 2}d": {"output_size": 1}},
                    {f"Conv{rank - 2}d": {"out_channels": max(1, cur[1] // 2), "k": 1}},
                    rng.choice(("ReLU", "SiLU")),
                    {f"Conv{rank - 2}d": {"out_channels": width, "k": 1}},
                    rng.choice(("Sigmoid", "Hardsigmoid")),
                ]
                branches = [[], gate] if rng.random() < 0.8 else [gate, []]
                self.feat(f"block: {kind} branches broadcast")
                if kind == "Multiply":
                    self.feat("block: SE gate branches")
            else:
                branches = [self.items(sub, rng.randint(1, 2), "shape", inner)]
                sub2 = GFrame(cur, frame)
                branches.append([] if rng.random() < 0.5 else self.items(sub2, rng.randint(1, 2), "shape", inner))
                if rng.random() < 0.2:
                    sub3 = GFrame(cur, frame)
                    branches.append(self.items(sub3, 1, "shape", inner))
                    self.feat("block: three branches")
            args = {"branches": branches}
            self.feat(f"block: {kind} branches")
        elif kind == "Split":
            assert cur is not None
            dim = 1 if rng.random() < 0.75 else -1
            size = cur[dim]
            count = rng.choice((2, 2, 3))
            if rng.random() < 0.5:
                args = {"dim": dim, "chunks": count}
                piece = -(-size // count)
                sizes = [min(piece, size - i * piece) for i in range(-(-size // piece))]
                self.feat("block: Split chunks" + (" uneven" if size % count else ""))
            else:
                cuts = sorted(rng.sample(range(1, size), count - 1)) if size > count else []
                sizes = [b - a for a, b in zip([0, *cuts], [*cuts, size], strict=True)] if cuts else [size]
                if self.may_bad("Split sizes not summing", 0.1):
                    sizes = [*sizes[:-1], sizes[-1] + 1]
                args = {"dim": dim, "sizes": list(sizes)}
                self.feat("block: Split sizes")
            if len(sizes) != count and "sizes" not in args:
                self.bad = self.bad or "Split into fewer pieces than branches"
            elif "sizes" in args:
                count = len(sizes)
            branches = []
            total = 0
            for i in range(count):
                pshape = list(cur)
                pshape[dim] = sizes[i] if i < len(sizes) else 0
                sub = GFrame(tuple(pshape), frame)
                piece_mode = "spatial" if dim == 1 and mode != "shape" else "shape"
                branch = [] if rng.random() < 0.35 else self.items(sub, rng.randint(1, 2), piece_mode, inner)
                branches.append(branch)
                total += sub.current[dim] if sub.current else 0
            args["branches"] = branches
            out = list(cur)
            out[dim] = total
            shape = tuple(out)
            self.feat("block: Split" + (" (last dim)" if dim == -1 else ""))
        name = self.name(0.4)
        if name:
            args["name"] = name
        if ref is not None:
            args["from"] = ref
        if rng.random() < 0.08:
            args["trainable"] = False
            self.feat("frozen: block")
            inner_leaf = _a_leaf(args)
            if inner_leaf is not None and rng.random() < 0.35:
                inner_leaf["trainable"] = True
                self.feat("frozen: block with a trainable entry")
        if not fits(shape, frame.input, mode):
            shape = shape  # the generator's shape model may be off: torch decides
        return self.add(frame, {kind: args}, shape, name)


def _a_leaf(args: dict[str, Any]) -> dict[str, Any] | None:
    """The argument mapping of some leaf entry inside a block's lists (the first found)."""
    lists = [args.get(k) for k in ("layers", "body", "shortcut")] + list(args.get("branches") or [])
    for items in lists:
        for item in items or []:
            if isinstance(item, dict):
                ((kind, inner),) = item.items()
                if kind in ("Sequential", "Repeat", "Residual", "Split") or "branches" in inner:
                    found = _a_leaf(inner)
                    if found is not None:
                        return found
                elif "trainable" not in inner:
                    return inner
    return None


def generate(seed: int = SEED, count: int = N_NETWORKS) -> list[Net]:
    gen = Gen(random.Random(seed))
    return [gen.network() for _ in range(count)]


# ---------------------------------------------------------------------------------------
# Running both sides and comparing
# ---------------------------------------------------------------------------------------


@dataclass
class TorchSide:
    model: GraphModule | None = None
    error: str | None = None
    flops: int = 0
    row_flops: dict[str, int] = field(default_factory=dict)  # leaf row path → FlopCounterMode's count


def run_torch(net: Net) -> TorchSide:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = GraphModule(net.desc)
            counter = FlopCounterMode(display=False)
            with torch.no_grad(), counter:
                model(torch.zeros(model.input_shape))
    except DescriptionError as err:
        raise AssertionError(f"generator bug: {err}\n{net.desc}") from err
    except (RuntimeError, ValueError, IndexError) as err:
        return TorchSide(error=f"{type(err).__name__}: {str(err).splitlines()[0]}")
    empty = [r for r in model.rows if 0 in r.output_shape]
    if empty:
        return TorchSide(error=f"torch gives an empty tensor at row {empty[0].path} ({empty[0].type})")
    per_module = {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
    row_flops = {r.path: per_module.get("GraphModule.leaves." + r.path.replace(".", "/"), 0) for r in model.leaf_rows()}
    return TorchSide(model=model, flops=counter.get_total_flops(), row_flops=row_flops)


def compare_rows(model: GraphModule, report: dict[str, Any], flops: int, row_flops: dict[str, int]) -> list[str]:
    """Every disagreement between torch's rows and convcalc's JSON (``row_flops``: each
    leaf row's FlopCounterMode count; a block's is the sum of the leaves under it)."""
    problems: list[str] = []
    theirs = report["layers"]
    tensor_of = model.tensor_of()
    if len(theirs) != len(model.rows):
        problems.append(
            f"{len(theirs)} rows, torch {len(model.rows)}: convcalc "
            f"{[(r['path'], r['type']) for r in theirs]}, torch {[(r.path, r.type) for r in model.rows]}"
        )
    for mine, row in zip(model.rows, theirs, strict=False):
        where = f"row {row.get('index')} ({row['path']} {row['type']})"
        if (row["path"], row["type"]) != (mine.path, mine.type):
            problems.append(f"{where}: torch has {mine.path} {mine.type} here")
            break
        got = (tuple(row["output_shape"]), row["params"], row["trainable_params"], row["buffers"], row["flops"])
        below = f"{mine.path}."
        mine_flops = sum(f for p, f in row_flops.items() if p == mine.path or p.startswith(below))
        want = (mine.output_shape, mine.params, mine.trainable_params, mine.buffers, mine_flops)
        if got != want:
            problems.append(f"{where}: (shape, params, trainable, buffers, flops) convcalc {got}, torch {want}")
        if (row["depth"], row["composite"], row["name"], row["qualname"]) != (
            mine.depth, mine.composite, mine.name, mine.qualname
        ):
            problems.append(f"{where}: (depth, composite, name, qualname) convcalc "
                            f"{(row['depth'], row['composite'], row['name'], row['qualname'])}, "
                            f"torch {(mine.depth, mine.composite, mine.name, mine.qualname)}")  # fmt: skip
        read = row["inputs"]
        if len(read) != len(mine.inputs) or any(
            "#" not in t and tensor_of.get(p, f"?{p}") != t for p, t in zip(read, mine.inputs, strict=False)
        ):
            problems.append(f"{where}: inputs {read}, torch reads the tensors of {mine.inputs}")
    totals = report["totals"]
    got_t = (totals["params"], totals["trainable_params"], totals["buffers"], totals["flops"])
    want_t = (
        sum(r.params for r in model.leaf_rows()),
        sum(r.trainable_params for r in model.leaf_rows()),
        sum(r.buffers for r in model.leaf_rows()),
        flops,
    )
    if got_t != want_t:
        problems.append(f"totals (params, trainable, buffers, flops): convcalc {got_t}, torch {want_t}")
    outs = [(o["name"], o["path"], tuple(o["output_shape"])) for o in report.get("outputs", [])]
    if outs != model.outputs:
        problems.append(f"outputs: convcalc {outs}, torch {model.outputs}")
    return problems


def check(net: Net) -> tuple[str, list[str]]:
    """('accepted' | 'rejected', problems) for one network."""
    side = run_torch(net)
    try:
        report = convcalc.analyze(copy.deepcopy(net.desc)).to_dict()
    except ConvCalcError as err:
        if side.error is None:
            return "accepted", [f"convcalc rejects (exit {err.exit_code}: {err}), torch accepts"]
        if err.exit_code != 1:
            return "rejected", [f"convcalc exit {err.exit_code} ({err}), torch rejects ({side.error}): expected exit 1"]
        return "rejected", []
    if side.error is not None:
        return "rejected", [f"torch rejects ({side.error}), convcalc accepts"]
    assert side.model is not None
    return "accepted", compare_rows(side.model, report, side.flops, side.row_flops)


def run_all(nets: list[Net]) -> tuple[list[str], Counter[str]]:
    problems: list[str] = []
    tally: Counter[str] = Counter()
    for i, net in enumerate(nets):
        outcome, found = check(net)
        tally[outcome] += 1
        if found:
            problems.append(f"network {i}: {found[0]}" + (f" (+{len(found) - 1} more)" if len(found) > 1 else "")
                            + f"\n    {net.desc}")  # fmt: skip
            continue
        if outcome == "accepted":
            tally.update(net.features.keys())
        elif net.bad:
            tally[f"refused: {net.bad}"] += 1
        else:
            tally["refused: other"] += 1
    return problems, tally


#: Minimum number of accepted networks that exercise each feature (torch accepted them and
#: every row was compared), and of refusals per invalid feature: about 2/3 of what the
#: seed gives (in the comments), so that a generator change cannot shrink coverage unnoticed.
MIN_FEATURES = {
    "block: Add branches": 75,  # 119
    "block: Add branches broadcast": 30,  # 51
    "block: Concat branches": 45,  # 72
    "block: ConvNeXt MLP": 45,  # 73
    "block: Multiply branches": 65,  # 105
    "block: Multiply branches broadcast": 30,  # 49
    "block: Repeat": 45,  # 76
    "block: Repeat with names": 40,  # 64
    "block: Residual with shortcut": 35,  # 55
    "block: SE gate branches": 30,  # 49
    "block: Split": 100,  # 160
    "block: Split (last dim)": 35,  # 60
    "block: Split chunks": 55,  # 90
    "block: Split chunks uneven": 15,  # 25
    "block: Split sizes": 70,  # 112
    "block: causal conv": 50,  # 83
    "block: three branches": 10,  # 20
    "frozen: block": 40,  # 69
    "frozen: block with a trainable entry": 15,  # 24
    "frozen: layer": 170,  # 266
    "layer: ChannelShuffle": 175,  # 273
    "layer: Flatten": 20,  # 36
    "layer: GLU": 75,  # 123
    "layer: Permute": 180,  # 281
    "layer: Permute negative dims": 30,  # 53
    "layer: Permute of the batch": 10,  # 22
    "layer: PixelShuffle": 35,  # 60
    "layer: PixelUnshuffle": 25,  # 46
    "layer: Scale": 200,  # 310
    "layer: Scale explicit shape": 95,  # 147
    "layer: Slice": 160,  # 248
    "layer: causal padding": 20,  # 37
    "layer: grouped conv": 140,  # 221
    "merge: Add broadcast": 85,  # 134
    "merge: Add node": 275,  # 428
    "merge: Concat node": 100,  # 156
    "merge: Concat node (last dim)": 10,  # 21
    "merge: Multiply broadcast": 230,  # 354
    "merge: Multiply node": 310,  # 481
    "merge: SE gate node": 260,  # 406
    "merge: earlier tensors": 315,  # 487
    "merge: lower rank broadcast": 105,  # 165
    "merge: three tensors": 75,  # 116
    "merge: x and f(x)": 155,  # 243
    "outputs: one": 50,  # 77
    "outputs: several": 145,  # 230
    "ref: enclosing list": 90,  # 139
    "ref: from on a block": 90,  # 143
    "ref: input": 370,  # 573
    "ref: name": 250,  # 387
    "ref: negative index": 360,  # 554
    "ref: shadowed name": 30,  # 49
}
MIN_REFUSED = {
    "Add branches that do not broadcast": 9,  # 16
    "Add of shapes that do not fit": 22,  # 38
    "ChannelShuffle groups not dividing": 23,  # 39
    "Concat branches of different sizes": 8,  # 14
    "Concat of shapes that do not fit": 9,  # 15
    "GLU on an odd size": 12,  # 20
    "Multiply branches that do not broadcast": 8,  # 14
    "Multiply of shapes that do not fit": 12,  # 21
    "Permute of the wrong length": 8,  # 14
    "PixelShuffle channels not divisible": 30,  # 50
    "PixelUnshuffle size not divisible": 29,  # 49
    "Residual of different shapes": 6,  # 11
    "SE gate of the wrong width": 22,  # 37
    "Scale shape that does not broadcast": 21,  # 36
    "Slice step < 1": 6,  # 10
    "Split into fewer pieces than branches": 13,  # 23
    "Split sizes not summing": 4,  # 8
    "empty Slice": 11,  # 19
    "in_channels mismatch": 18,  # 31
    "lower rank broadcast over a batch": 18,  # 30
}


def test_oracle_graphs() -> None:
    nets = generate()
    problems, tally = run_all(nets)
    print(f"\n{len(nets)} graph networks: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    assert not problems, f"{len(problems)} disagreements with torch, e.g.:\n" + "\n".join(problems[:12])
    assert len(nets) >= 1500
    assert tally["accepted"] >= 950 and tally["rejected"] >= 450, tally  # 1074 and 526 with this seed
    short = {k: (tally[k], v) for k, v in MIN_FEATURES.items() if tally[k] < v}
    assert not short, f"features exercised less than required (got, minimum): {short}"
    short = {k: (tally[f"refused: {k}"], v) for k, v in MIN_REFUSED.items() if tally[f"refused: {k}"] < v}
    assert not short, f"invalid features refused less often than required (got, minimum): {short}"


# ---------------------------------------------------------------------------------------
# Hand-picked edges the generator does not reach, compared the same way
# ---------------------------------------------------------------------------------------

I4 = [1, 4, 6, 6]


def _xfail(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=reason)


ACCEPTED, REFUSED = "accepted", "rejected"
EDGES: list[Any] = [
    ("Repeat: each repetition's name lookups start afresh (all three read the outer a)",
     {"input": I4, "layers": [{"Conv2d": {"name": "a", "out_channels": 4, "k": 1}}, {"Repeat": {"times": 3, "layers": [
         {"ReLU": {"from": "a"}}, {"Conv2d": {"name": "a", "out_channels": 4, "k": 3, "p": 1}}]}}]}, ACCEPTED),
    ("Repeat: -2 from a repetition's second entry is that repetition's input",
     {"input": I4, "layers": [{"Repeat": {"times": 2, "layers": [{"Conv2d": {"out_channels": 4, "k": 1}},
                                                                  {"Add": {"from": [-1, -2]}}]}}]}, ACCEPTED),
    ("torch.chunk of 5 into 3: pieces 2, 2, 1",
     {"input": [1, 5, 4, 4], "layers": [{"Split": {"dim": 1, "chunks": 3, "branches": [[], ["ReLU"], [
         {"Conv2d": {"out_channels": 3, "k": 1}}]]}}]}, ACCEPTED),
    ("torch.chunk of 4 into 3 gives 2 pieces",
     {"input": I4, "layers": [{"Split": {"dim": 1, "chunks": 3, "branches": [[], [], []]}}]}, REFUSED),
    ("Split along the batch and along a spatial dimension",
     {"input": [2, 4, 6, 6], "layers": [{"Split": {"dim": 0, "chunks": 2, "branches": [[], ["ReLU"]]}},
                                        {"Split": {"dim": 2, "sizes": [2, 4], "branches": [[], [
                                            {"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}]]}}]}, ACCEPTED),
    ("a piece of size 0 through an identity branch",
     {"input": I4, "layers": [{"Split": {"dim": 1, "sizes": [0, 4], "branches": [[], []]}}]}, ACCEPTED),
    ("Concat node of batches 2 and 1 along the channels",
     {"input": I4, "layers": [{"ReLU": {"name": "a"}}, {"Concat": {"from": ["a", "input"], "dim": 0}},
                              {"Concat": {"from": [-1, "a"], "dim": 1}}]}, REFUSED),
    ("Concat node along the batch, then of three tensors of the same batch",
     {"input": I4, "layers": [{"ReLU": {"name": "a"}}, {"Concat": {"from": ["a", "input"], "dim": 0}},
                              {"Concat": {"from": [-1, -1, -1], "dim": 1}}]}, ACCEPTED),
    ("Slice along the batch; out-of-range ends clamp",
     {"input": [3, 4, 6, 6], "layers": [{"Slice": {"dim": 0, "start": 1}},
                                        {"Slice": {"dim": -1, "start": -100, "end": 100, "step": 4}}]}, ACCEPTED),
    ("both operands broadcast: [1, 1, 1, 6] × [1, 4, 6, 1]",
     {"input": I4, "layers": [{"AdaptiveAvgPool2d": {"name": "row", "output_size": [1, None]}},
                              {"Slice": {"dim": 1, "end": 1}},
                              {"AdaptiveAvgPool2d": {"from": "input", "output_size": [None, 1]}},
                              {"Multiply": {"from": [-2, -1]}}]}, ACCEPTED),
    ("Scale whose shape broadcasts the output wider: [2, 1, 1, 1] × [1, 4, 6, 6]",
     {"input": I4, "layers": [{"Scale": {"shape": [2, 1, 1, 1]}}]}, ACCEPTED),
    ("PixelShuffle on 5-d and on 3-d input (torch reads the last three dimensions)",
     {"input": [4, 4, 4, 3, 3], "layers": [{"PixelShuffle": {"upscale_factor": 2}},
                                           {"Flatten": {"start_dim": 0, "end_dim": 2}},
                                           {"PixelShuffle": {"upscale_factor": 2}}]}, ACCEPTED),
    ("GroupNorm with one value per group",
     {"input": [1, 3, 1], "layers": [{"GroupNorm": {"num_groups": 3}}]}, REFUSED),
    ("frozen Repeat; trainable: true inside a frozen branch form",
     {"input": I4, "layers": [{"Repeat": {"times": 2, "trainable": False, "layers": [
         {"Add": {"trainable": True, "branches": [[], [{"Conv2d": {"out_channels": 4, "k": 1}}]]}}, "BatchNorm2d"]}}]},
     ACCEPTED),
    ("outputs: a block, the same name twice",
     {"input": I4, "layers": [{"Sequential": {"name": "s", "layers": ["ReLU"]}}, "Sigmoid"], "outputs": ["s", "s"]},
     ACCEPTED),
    pytest.param("Scale with shape [] (a scalar: torch.full((), init))",
                 {"input": I4, "layers": [{"Scale": {"shape": []}}]}, ACCEPTED),
    pytest.param("Slice with start: null and step: null (Python's slice rules)",
                 {"input": I4, "layers": [{"Slice": {"dim": 1, "start": None, "end": 2, "step": None}}]}, ACCEPTED),
    pytest.param("Conv2d on an unbatched [C, H, W] input (SPEC §3)",
                 {"input": [4, 6, 6], "layers": [{"Conv2d": {"out_channels": 2, "k": 3}}, {"MaxPool2d": {"k": 2}}]},
                 ACCEPTED),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "desc", "expected"), EDGES, ids=[e.values[0] if hasattr(e, "marks") else e[0] for e in EDGES]
)
def test_edges_match_torch(what: str, desc: dict[str, Any], expected: str) -> None:
    outcome, problems = check(Net(desc, Counter(), None))
    assert not problems, f"{what}: {problems}"
    assert outcome == expected, f"{what}: torch {outcome} it (the case is meant to be {expected})"


# ---------------------------------------------------------------------------------------
# Reference errors: both sides refuse; convcalc with exit 2 and the nearest name
# ---------------------------------------------------------------------------------------

CONV = {"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}


def _named(name: str) -> dict[str, Any]:
    return {"Conv2d": {"name": name, "out_channels": 4, "k": 3, "p": 1}}


REFERENCE_ERRORS: list[tuple[str, dict[str, Any], str | None]] = [
    ("unknown name", {"layers": [_named("stem"), {"Add": {"from": [-1, "stme"]}}]}, "stem"),
    ("unknown name in from", {"layers": [_named("feature"), {"ReLU": {"from": "featur"}}]}, "feature"),
    ("forward reference", {"layers": [{"Add": {"from": [-1, "later"]}}, _named("later")]}, None),
    ("forward reference, same list", {"layers": [CONV, {"ReLU": {"from": "b"}}, {"Sigmoid": {"name": "b"}}]}, None),
    ("inner name from outside",
     {"layers": [{"Sequential": {"name": "blk", "layers": [_named("inner")]}}, {"Add": {"from": [-1, "inner"]}}]},
     None),
    ("name of a sibling branch",
     {"layers": [{"Concat": {"dim": 1, "branches": [[_named("left")], [{"ReLU": {"from": "left"}}]]}}]}, None),
    ("own name", {"layers": [CONV, {"Add": {"name": "me", "from": [-1, "me"]}}]}, None),
    ("index before the list", {"layers": [CONV, {"Add": {"from": [-1, -3]}}]}, None),
    ("index before a nested list",
     {"layers": [CONV, {"Sequential": {"layers": [{"ReLU": {"from": -2}}]}}]}, None),
    ("Repeat body name from the previous repetition",
     {"layers": [CONV, {"Repeat": {"times": 2, "layers": [{"Add": {"from": [-1, "r"]}}, {"ReLU": {"name": "r"}}]}}]},
     None),
    ("outputs: unknown name", {"layers": [_named("head")], "outputs": ["haed"]}, "head"),
]


@pytest.mark.parametrize(("what", "desc", "nearest"), REFERENCE_ERRORS, ids=[w for w, _, _ in REFERENCE_ERRORS])
def test_reference_errors(what: str, desc: dict[str, Any], nearest: str | None) -> None:
    desc = {"input": [1, 4, 6, 6], **desc}
    with pytest.raises(DescriptionError):
        GraphModule(copy.deepcopy(desc))
    with pytest.raises(ConvCalcError) as caught:
        convcalc.analyze(copy.deepcopy(desc))
    codes = (1, 2) if what.startswith("index") else (2,)  # SPEC fixes exit 2 for names, nothing for indexes
    assert caught.value.exit_code in codes, (what, caught.value.exit_code, str(caught.value))
    if nearest is not None:
        assert nearest in str(caught.value), (what, str(caught.value))


def test_non_broadcastable_merge_names_both_shapes_and_sources() -> None:
    desc = {
        "input": [1, 4, 6, 6],
        "layers": [
            {"Conv2d": {"name": "wide", "out_channels": 6, "k": 1}},
            {"Conv2d": {"name": "narrow", "from": "input", "out_channels": 4, "k": 1}},
            {"Add": {"from": ["wide", "narrow"]}},
        ],
    }
    with pytest.raises(RuntimeError):
        GraphModule(copy.deepcopy(desc))
    with pytest.raises(ConvCalcError) as caught:
        convcalc.analyze(desc)
    message = str(caught.value)
    assert caught.value.exit_code == 1
    for part in ("wide", "narrow", "6", "4"):
        assert part in message, message


if __name__ == "__main__":  # python tests/test_oracle_graph.py: every disagreement and the tally
    import sys

    torch.set_num_threads(1)
    found, counts = run_all(generate())
    print("\n".join(found))
    print(len(found), "disagreements;", dict(sorted(counts.items())), file=sys.stderr)
