"""Network files: YAML text, a path or a dict → a tree of validated layers.

Errors name the place: ``layers[3].body[1] (#7, Conv2d, line 9): …`` (the YAML path, the
row number in the report, the type, the line). Every input is bounded (file size, YAML
nesting, block nesting, layer count after expansion, ``Repeat.times``), and each bound is
stated in the error that enforces it. YAML is imported only here, and only when a text
has to be read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .bulk import paused_gc
from .errors import ConvCalcError, InputError, InvalidLayerError, LimitError, Place
from .layers import build, check_type, show_int, suggest, to_int
from .network import BLOCK_TYPES, Block, LayerNode, Network, Ref
from .sizes import parse_shape

__all__ = ["LIMITS", "load", "parse_shape", "read_source"]

#: The bounds every network must respect (stated in the README and in each error).
LIMITS = {
    "file_bytes": 16 * 2**20,  # a network file or text
    "layers": 200_000,  # layers after expanding Repeat and aliases
    "depth": 100,  # nesting of composite blocks
    "yaml_depth": 1_000,  # nesting of YAML lists and mappings
    "repeat": 100_000,  # Repeat.times
    "yaml_nodes": 2_000_000,  # YAML values (scalars, lists, mappings) in a text
}


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping read from YAML, with the line of each key."""

    line: int | None = None
    key_lines: dict[Any, int] | None = None


class LineList(list):  # type: ignore[type-arg]
    """A list read from YAML, with the line of each item."""

    line: int | None = None
    item_lines: list[int] | None = None


# ---------------------------------------------------------------------------------------
# Reading YAML
# ---------------------------------------------------------------------------------------


def read_source(source: Any) -> tuple[Any, str | None]:
    """Decide what ``source`` is and return (parsed data, label for errors).

    A dict is taken as it is; a ``Path``, or a string naming an existing file or ending
    in .yaml/.yml, is read as a file (a file ``./resnet18`` wins over the built-in
    network, as in ``convcalc net``); a built-in network name (``lenet``) reads that
    network; any other string is YAML text.
    """
    if isinstance(source, dict):
        return source, None
    if isinstance(source, os.PathLike):
        return _parse(_read_file(Path(source)), str(source)), str(source)
    if not isinstance(source, str):
        raise InputError(f"a network is a path, YAML text or a dict, not {type(source).__name__}")
    if not source.strip():
        raise InputError("the network text is empty: give a path, a built-in name or YAML text")
    if "\n" not in source and len(source) < 4096:
        from .zoo import zoo_path

        # a file that exists wins over a built-in name, as for `convcalc net` (SPEC §4)
        if source.endswith((".yaml", ".yml")) or os.path.exists(source):
            return _parse(_read_file(Path(source)), source), source
        zoo = zoo_path(source)
        if zoo is not None:
            return _read_zoo(zoo, source), source
        if ":" not in source:  # no YAML network fits on one line without a colon
            from .zoo import zoo_names

            names = zoo_names()
            raise InputError(
                f"no such file or built-in network: '{source}'{suggest(source, names)} (built-in: {', '.join(names)})"
            )
    return _parse(source, None), None


def _read_zoo(path: Path, label: str) -> Any:
    """A built-in network's data: from its snapshot when that is current, else from its YAML.

    The snapshot (``resnet50.json`` beside ``resnet50.yaml``) is the data the YAML reader
    makes, its lines included, for the text whose CRC-32 it records: reading it needs
    neither PyYAML, whose import alone took longer than the rest of ``convcalc net
    resnet50``, nor its parse. ``pytest --update-golden`` rewrites the snapshots, and
    ``tests/test_zoo.py`` checks that they are current and equal to the YAML's data.
    """
    text = path.read_text(encoding="utf-8")
    try:
        import json
        import zlib

        stored = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if stored["crc32"] == zlib.crc32(text.encode("utf-8")):
            return thaw(stored["data"])
    except (OSError, ValueError, LookupError, TypeError):
        pass  # no snapshot, or not of this text: read the YAML
    return _parse(text, label)


def freeze(data: Any) -> Any:
    """Data read from YAML as JSON values, the lines kept, for :func:`thaw`: a mapping is
    ``["map", line, [[key, value], …], [[key, line], …]]``, a list ``["seq", line, [[line,
    item], …]]``, a mapping or list met again (a YAML alias) ``["ref", n]``, the n-th met
    (depth first). Without recursion: the data may nest as deep as YAML allows."""
    seen: dict[int, int] = {}
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(data, root, 0)]  # (value, where its frozen form goes, at)
    while stack:
        v, into, at = stack.pop()
        if isinstance(v, (LineDict, LineList)):
            if id(v) in seen:
                into[at] = ["ref", seen[id(v)]]
                continue
            seen[id(v)] = len(seen)
            if isinstance(v, LineDict):
                pairs = [[k, None] for k in v]
                into[at] = ["map", v.line, pairs, [[k, n] for k, n in (v.key_lines or {}).items()]]
            else:
                pairs = [[n, None] for n, _ in zip(v.item_lines or [], v)]
                into[at] = ["seq", v.line, pairs]
            values = v.values() if isinstance(v, LineDict) else v
            stack.extend(reversed([(x, pair, 1) for pair, x in zip(pairs, values)]))
        elif v is None or isinstance(v, (str, int, float)):
            into[at] = v
        else:
            raise TypeError(f"a snapshot holds no {type(v).__name__}")
    return root[0]


def thaw(frozen: Any) -> Any:
    """The data :func:`freeze` was given: :class:`LineDict` and :class:`LineList` with
    their lines, a YAML alias again the same object (without recursion, as :func:`freeze`)."""
    made: list[Any] = []
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(frozen, root, 0)]
    while stack:
        v, into, at = stack.pop()
        if not isinstance(v, list):
            into[at] = v
            continue
        if v[0] == "ref":
            into[at] = made[v[1]]
            continue
        out: Any
        if v[0] == "map":
            out = LineDict()
            out.line = v[1]
            for k, _ in v[2]:
                out[k] = None  # the keys in order; the values are filled in below
            out.key_lines = dict(v[3])
            children = [(x, out, k) for k, x in v[2]]
        else:
            out = LineList([None] * len(v[2]))
            out.line = v[1]
            out.item_lines = [n for n, _ in v[2]]
            children = [(x, out, i) for i, (_, x) in enumerate(v[2])]
        made.append(out)
        into[at] = out
        stack.extend(reversed(children))
    return root[0]


def _read_file(path: Path) -> str:
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a network file")
        limit = LIMITS["file_bytes"]
        size = path.stat().st_size
        if size > limit:
            raise LimitError(f"{path} is {size:,} bytes; network files are limited to {limit:,} bytes")
        with path.open("rb") as stream:  # at most limit + 1 bytes: /dev/zero or a pipe report no size
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise LimitError(f"{path} holds more than {limit:,} bytes; network files are limited to {limit:,} bytes")
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"{path} is not UTF-8 text (byte {err.start}, line {line})") from None


#: Texts longer than this are scanned on the parser's event stream before they are built.
SCAN_BYTES = 2**18  # 256 KiB: listing more layers than the bound takes at least 400 kB
#: Keys whose list holds layers (``Sequential: [...]`` included); ``branches`` holds lists of them.
_LAYER_LISTS = frozenset(("layers", "body", "shortcut", "Sequential"))


def _scan(text: str) -> None:
    """Refuse, before PyYAML builds anything, texts nested deeper than the YAML depth bound
    (libyaml's composer recurses once per level and overflows the C stack far below the file
    bound: ``- - - … - x`` 100,000 levels deep is 200 kB), holding more YAML values than the
    node bound, or listing more layers than the layer bound (a flood of ``- ReLU`` lines:
    building 1.7 million of them from 15 MiB takes 5 s and 800 MB; refusing them here takes a
    fraction of a second, in the memory of the text).

    One pass over libyaml's event stream, which keeps its own stack and builds no nodes,
    stopping at the first bound crossed. The layers counted are the items of the lists under
    ``layers``/``body``/``shortcut``/``Sequential`` and of each ``branches`` list, each once
    (an alias counts one, a Repeat its layers once): a lower bound of the rows, so a text
    refused here would be refused later. Small texts skip the pass when a cheap upper bound
    of their nesting is within the bound: each flow level needs a bracket, each block level
    a column of its line (a bracket opens at most two levels: ``[a: [b: …]]``).
    """
    depth_limit, node_limit, layer_limit = LIMITS["yaml_depth"], LIMITS["yaml_nodes"], LIMITS["layers"]
    if len(text) <= SCAN_BYTES:
        widest = max(map(len, text.splitlines()), default=0)
        if 2 * (text.count("[") + text.count("{") + widest + 1) <= depth_limit:
            return
    import yaml

    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    # per open collection: [is a mapping, next node is a key, the last key, items are layers, items are branches]
    stack: list[list[Any]] = []
    nodes = layers = 0
    try:
        events: Any = yaml.parse(text, Loader=_loader_base())  # typed Any: the loop reads marks and values
        for event in events:
            kind = type(event)
            if kind in ends:
                stack.pop()
                if stack and stack[-1][0]:
                    stack[-1][1] = not stack[-1][1]
                continue
            if kind is not scalar and kind is not alias and kind is not seq_start and kind is not map_start:
                continue
            nodes += 1
            line = event.start_mark.line + 1
            if nodes > node_limit:
                raise LimitError(f"the YAML holds more than {node_limit:,} values (line {line}), the limit")
            key = None
            if stack:
                parent = stack[-1]
                if parent[0] and parent[1]:
                    parent[2] = event.value if kind is scalar else None
                elif parent[0]:
                    key = parent[2]
                elif parent[3]:
                    layers += 1
                    if layers > layer_limit:
                        raise LimitError(
                            f"the network has more than {layer_limit:,} layers (line {line} holds one more), the limit"
                        )
            if kind is seq_start or kind is map_start:
                if len(stack) >= depth_limit:
                    raise LimitError(f"YAML nested deeper than {depth_limit:,} levels (line {line}), the limit")
                in_branches = bool(stack) and not stack[-1][0] and stack[-1][4]
                is_seq = kind is seq_start
                stack.append([not is_seq, True, None, is_seq and (key in _LAYER_LISTS or in_branches),
                              is_seq and key == "branches"])  # fmt: skip
            elif stack and stack[-1][0]:
                stack[-1][1] = not stack[-1][1]
    except yaml.YAMLError as err:
        _check_parser_depth(err)
        return  # the real parse reports the syntax error with its place


def _check_parser_depth(err: Exception) -> None:
    """libyaml (PyYAML ≥ 6.0.4 with the C loader) stops at its own nesting bound, 1,000
    levels like convcalc's: report it as convcalc's bound, not as a syntax error."""
    if "maximum nesting depth" in (getattr(err, "problem", None) or ""):
        mark = getattr(err, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise LimitError(f"YAML nested deeper than {LIMITS['yaml_depth']:,} levels{line}, the limit") from None


def _loader_base() -> type:
    import yaml

    loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


_LOADER: type | None = None


def _loader() -> type:
    """A safe YAML loader (the C one when available) that records line numbers and
    refuses duplicate keys."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class Loader(_loader_base()):  # type: ignore[misc]
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            """PyYAML's scalar constructors raise plain ValueError, KeyError, … on values
            their tag cannot take (``!!int abc``, ``!!bool x``, ``2001-02-30``, an integer of
            over 4,300 digits): report them at their place, as the syntax errors are."""
            try:
                return super().construct_object(node, deep)
            except ConvCalcError:
                raise
            except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as err:
                raise _unreadable(node, err) from None

    def construct_map(loader: Any, node: Any) -> Any:
        if not isinstance(node, yaml.MappingNode):
            raise _unreadable(node, None)
        data = LineDict()
        data.line = node.start_mark.line + 1
        yield data
        explicit = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        loader.flatten_mapping(node)  # merged pairs (`<<: *base`) first, then the explicit ones
        merged = len(node.value) - explicit
        lines: dict[Any, int] = {}
        for i, (key_node, value_node) in enumerate(node.value):
            key = loader.construct_object(key_node, deep=False)
            try:
                hash(key)
            except TypeError:
                raise InputError(
                    "a mapping key must be a plain value", where=Place(line=key_node.start_mark.line + 1)
                ) from None
            if key in lines and i >= merged and lines[key] > 0:
                raise InputError(
                    f"duplicate key '{key}' (first on line {lines[key]})",
                    where=Place(line=key_node.start_mark.line + 1),
                )
            # an explicit key overrides a merged one silently, as YAML's merge key defines;
            # merged keys are marked negative so that only explicit duplicates are errors
            lines[key] = key_node.start_mark.line + 1 if i >= merged else -(key_node.start_mark.line + 1)
            data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines = {k: abs(v) for k, v in lines.items()}

    def construct_seq(loader: Any, node: Any) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            raise _unreadable(node, None)
        data = LineList()
        data.line = node.start_mark.line + 1
        yield data
        data.extend(loader.construct_object(child, deep=False) for child in node.value)
        data.item_lines = [child.start_mark.line + 1 for child in node.value]

    def construct_int(loader: Any, node: Any) -> Any:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
        text = node.value
        if not text.isdigit() or (text[0] == "0" and len(text) > 1):  # plain decimals read alike
            reading = _yaml12_number(text, int)
            if reading != value:
                raise _yaml11_only(node, value, reading)
        return value

    def construct_float(loader: Any, node: Any) -> Any:
        value = yaml.SafeLoader.construct_yaml_float(loader, node)
        if "_" in node.value or ":" in node.value:  # the forms only YAML 1.1 reads as numbers
            raise _yaml11_only(node, value, None)
        return value

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    _LOADER = Loader
    return Loader


def _yaml12_number(text: str, kind: type) -> int | float | None:
    """What YAML 1.2's core schema reads ``text`` as, when a number of ``kind``; else None
    (text). Integers: decimal (leading zeros allowed), ``0o`` octal, ``0x`` hex, no ``_``."""
    import re

    if kind is int:
        if re.fullmatch(r"[-+]?[0-9]+", text):
            return int(text, 10)
        if re.fullmatch(r"0o[0-7]+|0x[0-9a-fA-F]+", text):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return None
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text):
        return float(text)
    return None


def _yaml11_only(node: Any, value: Any, reading: int | float | None) -> InputError:
    """A number that YAML 1.1 (PyYAML) and YAML 1.2 read differently: refused, not guessed."""
    text = node.value
    place = Place(line=node.start_mark.line + 1, column=node.start_mark.column + 1)
    if reading is not None:  # 010: octal in 1.1, decimal in 1.2
        return InputError(
            f"{text} is read by YAML 1.1 as {value} (octal) and by YAML 1.2 as {reading}; write {value}, "
            f"or {reading} without the leading 0",
            where=place,
        )
    why = (
        "base 60" if ":" in text else "binary" if "0b" in text else "digits grouped by _" if "_" in text
        else "a signed hexadecimal"
    )  # fmt: skip
    return InputError(f"{text} is read by YAML 1.1 as {value} ({why}) and as text by YAML 1.2; write {value}",
                      where=place)  # fmt: skip


_TAG_KINDS = {"int": "an integer", "float": "a number", "bool": "a boolean", "timestamp": "a date",
              "map": "a mapping", "seq": "a list", "null": "null", "str": "a string"}  # fmt: skip


def _unreadable(node: Any, err: Exception | None) -> InputError:
    """A YAML value its tag cannot make (``!!int abc``, ``!!map [1]``), at its place."""
    mark = node.start_mark
    tag = str(node.tag).rsplit(":", 1)[-1]
    kind = _TAG_KINDS.get(tag, f"'{node.tag}'")
    value = repr(node.value) if isinstance(node.value, str) else f"a {type(node).__name__[:-4].lower()}"
    place = Place(line=mark.line + 1, column=mark.column + 1)
    if tag == "int" and isinstance(err, ValueError) and "digits" in str(err):
        return LimitError(f"the integer {value} is out of range: numbers are limited to ±2^40 ({2**40:,})", where=place)
    return InputError(f"cannot read {value} as {kind}", where=place)


def _parse(text: str, label: str | None) -> Any:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as err:  # a str from Python can hold what no file can
        line = text.count("\n", 0, err.start) + 1
        raise InputError(f"the network text is not valid Unicode (an unpaired surrogate on line {line})") from None
    if size > LIMITS["file_bytes"]:
        raise LimitError(f"the network text is over {LIMITS['file_bytes']:,} bytes, the limit")
    _scan(text)
    import yaml

    try:
        with paused_gc:  # the node graph of a large file is millions of objects
            return yaml.load(text, Loader=_loader())  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        _check_parser_depth(err)
        mark = err.problem_mark or err.context_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        what = (err.problem or err.context or "syntax error").strip()
        if mark is not None and _line_at(text, mark.line)[mark.column : mark.column + 1] == "\t":
            prefix = f"{label}: " if label else ""
            raise InputError(
                f"{prefix}YAML error at {place}: a tab; YAML does not allow tabs in indentation "
                "(nor before a value): indent with spaces"
            ) from None
        start = err.context_mark
        if err.problem and err.context and start is not None and mark is not None and start.line != mark.line:
            # the mistake is often where the construct began: an unclosed bracket lines above
            what += f" ({err.context.strip()} from line {start.line + 1}, column {start.column + 1})"
        prefix = f"{label}: " if label else ""
        raise InputError(f"{prefix}YAML syntax error at {place}: {what}") from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, at a character index
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        prefix = f"{label}: " if label else ""
        what = str(err).splitlines()[0]
        raise InputError(f"{prefix}YAML error at line {line}, column {column}: {what}") from None
    except yaml.YAMLError as err:
        raise InputError(f"YAML error: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise LimitError(f"YAML nested too deeply (the limit is {LIMITS['yaml_depth']:,} levels)") from None
    except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as err:  # not a ConvCalcError
        if isinstance(err, ConvCalcError):
            raise
        raise InputError(f"YAML error: {type(err).__name__}: {err}") from None


def _line_at(text: str, line: int) -> str:
    """Line ``line`` (from 0) of ``text``, found without splitting the whole text."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


# ---------------------------------------------------------------------------------------
# Data → the graph
# ---------------------------------------------------------------------------------------


def _line_of(container: Any, key: Any) -> int | None:
    if isinstance(container, LineList) and container.item_lines is not None and isinstance(key, int):
        return container.item_lines[key] if key < len(container.item_lines) else None
    if isinstance(container, LineDict) and container.key_lines is not None:
        return container.key_lines.get(key)
    return None


def _is_list(v: Any) -> bool:
    return isinstance(v, (list, tuple))


def load(source: Any, *, input_shape: Any = None) -> Network:
    """Read a network (path, YAML text, built-in name or dict) into a :class:`Network`.

    ``input_shape``, when given, replaces the network's ``input`` (which may then be absent).
    The rows after expansion are counted as the graph is built, each aliased YAML list
    built once, so that a "billion laughs" text is refused in time proportional to its size.
    """
    data, _label = read_source(source)
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else "empty" if data is None else f"a {type(data).__name__}"
        raise InputError(f"a network must be a mapping with 'input' and 'layers', got {got}")
    for key in data:
        if key not in _TOP_KEYS:
            line = _line_of(data, key)
            raise InputError(
                f"unknown key '{key}' at the top level{suggest(str(key), _TOP_KEYS)}",
                where=Place(line=line) if line else None,
            )
    name = data.get("name")
    if name is not None and not isinstance(name, (str, int, float)):
        raise InputError(f"name must be a string, got {_describe(name)}")
    shape = input_shape if input_shape is not None else data.get("input")
    if shape is None:
        raise InputError(
            "the network has no 'input' (e.g. input: [1, 3, 224, 224]); give one in the file or with --input"
        )
    shape = parse_shape(shape, "input" if input_shape is None else "input_shape", _line_of(data, "input"))
    layers = data.get("layers")
    if layers is None:
        raise InputError("the network has no 'layers' list")
    builder = _Builder(len(shape))
    nodes = builder.layer_list(layers, "layers", _line_of(data, "layers"), 0)
    outputs = _outputs(data)
    return Network(None if name is None else str(name), shape, nodes, builder.rows, outputs, builder.names)


def _outputs(data: Any) -> tuple[tuple[str, int | None], ...] | None:
    """The top-level ``outputs:``: a name or a list of names (numbers are names too)."""
    if "outputs" not in data:
        return None
    value = data["outputs"]
    line = _line_of(data, "outputs")
    where = Place("outputs", None, None, line)
    items = value if _is_list(value) else [value]
    if not items:
        raise InputError("outputs must name at least one entry", where=where)
    out = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise InputError(f"outputs lists names of entries, got {_describe(item)}", where=where)
        out.append((str(item), _line_of(value, i) or line))
    return tuple(out)


#: ``defs`` holds anything (YAML anchors to reuse with ``*name``); the analysis ignores it.
_TOP_KEYS = ("name", "input", "layers", "outputs", "defs")
_BLOCK_ARGS = {
    "Sequential": ("layers",),
    "Repeat": ("times", "start", "layers"),
    "Residual": ("body", "shortcut"),
    "Concat": ("dim", "branches"),
    "Add": ("branches",),
    "Multiply": ("branches",),
    "Split": ("dim", "chunks", "sizes", "branches"),
}
_BLOCK_REQUIRED = {
    "Sequential": ("layers",),
    "Repeat": ("times", "layers"),
    "Residual": ("body",),
    "Concat": ("branches",),
    "Add": ("branches",),
    "Multiply": ("branches",),
    "Split": ("branches",),
}
#: Types that are a block when written with ``branches`` and a merge layer otherwise.
_BRANCH_OR_MERGE = frozenset(("Concat", "Add", "Multiply"))


def _too_many_times(here: Place, times: int) -> LimitError:
    """The error of a ``Repeat.times`` over its bound, at ``here``."""
    return LimitError(f"times={show_int(times, commas=True)} is over the limit of {LIMITS['repeat']:,}", where=here)


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return f"a boolean ({str(v).lower()})"
    if isinstance(v, dict):
        return "a mapping"
    if _is_list(v):
        return "a list"
    if v is None:
        return "nothing"
    return repr(v)


def _ref(value: Any, here: Place) -> Ref:
    """One ``from:`` item: ``input``, a name, or a negative index (a number ≥ 0 can only
    be a name: ``name: 0`` is common in PyTorch's module names)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(
            f"from: takes a name, a negative index (-1: the previous entry) or 'input', got {_describe(value)}",
            where=here,
        )
    if isinstance(value, int):
        if value < 0:
            return Ref(None, to_int("from", value))
        return Ref(str(value))
    return Ref() if value == "input" else Ref(value)


class _Builder:
    """Data → :class:`LayerNode`/:class:`Block` graph. ``rows`` counts the rows the walk
    will number up to the entry being built (a Repeat's later repetitions and an aliased
    list met again are counted, not built again), so that errors found here carry the
    walk's ``#index``, and the layer bound is checked as the count grows."""

    def __init__(self, rank: int | None = None) -> None:
        self.rank = rank  # of the network's input: which BatchNorm?d to suggest for "BatchNorm"
        self.rows = 0
        self.names: dict[str, Place] = {}  # every name, at its first definition
        self._built: dict[int, tuple[list[Any], int]] = {}  # id(YAML list) → (entries, rows)
        self._height: dict[int, int] = {}  # id(entries) → how deeply blocks nest in them
        self._busy: set[int] = set()
        self._layers: dict[Any, Any] = {}  # (type, arguments) → the layer built: a network repeats its layers

    def _count(self, where: str, line: int | None) -> None:
        if self.rows > LIMITS["layers"]:
            raise LimitError(
                f"the network expands to more than {LIMITS['layers']:,} layers (after Repeat and YAML aliases), "
                "the limit",
                where=Place(where, None, None, line),
            )

    def layer_list(self, items: Any, where: str, line: int | None, depth: int) -> list[Any]:
        if not _is_list(items):
            raise InputError(f"must be a list of layers, got {_describe(items)}", where=Place(where, None, None, line))
        key = id(items)
        built = self._built.get(key)
        if built is not None:  # a YAML alias of a list built before: the same entries
            nodes, rows = built
            if depth + self._height[id(nodes)] > LIMITS["depth"]:
                raise LimitError(
                    f"blocks nested deeper than {LIMITS['depth']} levels, the limit",
                    where=Place(where, None, None, line),
                )
            self.rows += rows
            self._count(where, line)
            return nodes
        if key in self._busy:
            raise InputError("a YAML alias refers to a block that contains it", where=Place(where, None, None, line))
        self._busy.add(key)
        start = self.rows
        nodes = []
        for i, item in enumerate(items):
            nodes.append(self.entry(item, f"{where}[{i}]", _line_of(items, i) or line, depth))
            self._count(where, line)
        self._busy.discard(key)
        self._built[key] = (nodes, self.rows - start)
        self._height[id(nodes)] = max(
            (
                1 + max(self._height[id(sub)] for sub in n.lists) if isinstance(n, Block) and n.lists else 0
                for n in nodes
            ),
            default=0,
        )
        return nodes

    def entry(self, item: Any, where: str, line: int | None, depth: int) -> Any:
        self.rows += 1
        if isinstance(item, str):
            type_name, args = item, None
        elif isinstance(item, dict):
            if len(item) != 1:
                keys = ", ".join(str(k) for k in item) or "none"
                raise InputError(
                    "a layer is a type name or a one-key mapping {Type: {arguments}}, "
                    f"got the keys {keys} (indent the arguments under the type?)",
                    where=Place(where, self.rows, None, line),
                )
            ((type_name, args),) = item.items()
        else:
            raise InputError(
                f"a layer is a type name or a one-key mapping, got {_describe(item)}",
                where=Place(where, self.rows, None, line),
            )
        if type_name in _BLOCK_ARGS and (
            type_name not in _BRANCH_OR_MERGE or not isinstance(args, dict) or "from" not in args or "branches" in args
        ):
            return self.block(type_name, args, where, line, depth)
        try:
            check_type(type_name, self.rank)
        except ConvCalcError as err:
            hint = suggest(str(type_name), BLOCK_TYPES) if isinstance(type_name, str) else ""
            detail = err.detail if not hint or "did you mean" in err.detail else err.detail + hint
            raise type(err)(detail, where=Place(where, self.rows, None, line)) from None
        here = Place(where, self.rows, type_name, line)
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise InputError(
                f"the arguments must be a mapping like {{kernel_size: 3}}, got {_describe(args)}", where=here
            )
        args = dict(args)
        name, sources, trainable, training_only = self._entry_keys(args, here, where)
        for key in args:
            if not isinstance(key, str):
                raise InputError(f"argument names must be strings, got {_describe(key)}", where=here)
        key = _layer_key(type_name, args)
        layer = self._layers.get(key) if key is not None else None
        if layer is None:
            try:
                layer = build(type_name, **args)
            except ConvCalcError as err:
                arg_line = _first_line(item, type_name, err)
                raise err.at(Place(where, self.rows, type_name, arg_line or line)) from None
            if key is not None:
                self._layers[key] = layer  # layers are immutable: the same one serves every such entry
        return LayerNode(layer, name, where, line, sources, trainable, training_only)

    def _entry_keys(self, args: dict[str, Any], here: Place, where: str) -> tuple[str | None, Any, bool | None, bool]:
        """Take ``name``, ``from``, ``trainable`` and ``training_only`` out of an entry's arguments."""
        name = _row_name(args.pop("name", None), here)
        if name is not None:
            self.names.setdefault(name, here)
        sources = None
        if "from" in args:
            value = args.pop("from")
            items = value if _is_list(value) else [value]
            if not items:
                raise InputError("from: lists no tensor", where=here)
            sources = tuple(_ref(v, here) for v in items)
        trainable = args.pop("trainable", None)
        if trainable is not None and not isinstance(trainable, bool):
            raise InputError(f"trainable must be true or false, got {_describe(trainable)}", where=here)
        training_only = args.pop("training_only", False)
        if not isinstance(training_only, bool):
            raise InputError(f"training_only must be true or false, got {_describe(training_only)}", where=here)
        return name, sources, trainable, training_only

    def block(self, type_name: str, args: Any, where: str, line: int | None, depth: int) -> Block:
        here = Place(where, self.rows, type_name, line)
        if depth >= LIMITS["depth"]:
            raise LimitError(f"blocks nested deeper than {LIMITS['depth']} levels, the limit", where=here)
        if _is_list(args) and type_name == "Sequential":
            args = {"layers": args}
        allowed = ("name", *_BLOCK_ARGS[type_name], "from", "trainable", "training_only")
        if not isinstance(args, dict):
            raise InputError(f"expects a mapping of {', '.join(allowed)}, got {_describe(args)}", where=here)
        for key in args:
            if key not in allowed:
                raise InputError(f"unknown argument '{key}'{suggest(str(key), allowed)}", where=here)
        for key in _BLOCK_REQUIRED[type_name]:
            if key not in args:
                node_form = (
                    " (or from: with the tensors to merge, the node form)" if type_name in _BRANCH_OR_MERGE else ""
                )
                raise InputError(f"missing argument {key}{node_form}", where=here)
        args = dict(args)
        name, sources, trainable, training_only = self._entry_keys(args, here, where)
        node = Block(type_name, name, where, line, [], sources, trainable, training_only)

        def sub(key: str) -> list[Any]:
            return self.layer_list(args[key], f"{where}.{key}", _line_of(args, key) or line, depth + 1)

        if type_name == "Sequential":
            node.lists = [sub("layers")]
        elif type_name == "Repeat":
            raw = args["times"]
            if isinstance(raw, int) and not isinstance(raw, bool) and raw > LIMITS["repeat"]:
                raise _too_many_times(here, raw)
            try:
                times = to_int("times", raw)
            except ConvCalcError as err:
                raise err.at(here) from None
            if times < 1:
                raise InvalidLayerError(f"times must be ≥ 1, got {times}", where=here)
            if times > LIMITS["repeat"]:
                raise _too_many_times(here, times)
            node.times = times
            try:
                node.start = to_int("start", args.get("start", 0))
            except ConvCalcError as err:
                raise err.at(here) from None
            if node.start < 0:
                raise InvalidLayerError(f"start must be ≥ 0, got {node.start}", where=here)
            before = self.rows
            node.lists = [sub("layers")]
            self.rows += (times - 1) * (self.rows - before)
            self._count(where, line)
        elif type_name == "Residual":
            node.lists = [sub("body")]
            if args.get("shortcut") is not None:
                node.lists.append(sub("shortcut"))
        else:
            node.lists = self._branches(args, where, line, depth, here)
            node.merge = self._merge(type_name, args, node, here)
        return node

    def _branches(self, args: dict[str, Any], where: str, line: int | None, depth: int, here: Place) -> list[list[Any]]:
        branches = args["branches"]
        if not _is_list(branches) or not branches:
            raise InputError(f"branches must be a non-empty list of layer lists, got {_describe(branches)}", where=here)
        return [
            self.layer_list(branch, f"{where}.branches[{i}]", _line_of(branches, i) or line, depth + 1)
            for i, branch in enumerate(branches)
        ]

    def _merge(self, type_name: str, args: dict[str, Any], node: Block, here: Place) -> Any:
        """The layer that joins a branch form's outputs; Split's cut, checked."""
        try:
            dim = to_int("dim", args.get("dim", 1))
            if type_name == "Split":
                node.dim = dim
                chunks, sizes = args.get("chunks"), args.get("sizes")
                if (chunks is None) == (sizes is None):
                    raise InputError("give exactly one of chunks and sizes")
                if chunks is not None:
                    node.chunks = to_int("chunks", chunks)
                    if node.chunks < 1:
                        raise InvalidLayerError(f"chunks must be ≥ 1, got {node.chunks}")
                else:
                    if not _is_list(sizes) or not sizes:
                        raise InputError(f"sizes must be a list of piece sizes like [58, 58], got {_describe(sizes)}")
                    node.sizes = tuple(to_int("sizes", v) for v in sizes)
                    if any(v < 0 for v in node.sizes):
                        raise InvalidLayerError(f"sizes must be ≥ 0, got {list(node.sizes)}")
                return _merge_layer("Concat", dim=dim)
            node.dim = dim
            if type_name == "Concat":
                return _merge_layer("Concat", dim=dim)
            return _merge_layer(type_name)
        except ConvCalcError as err:
            raise err.at(here) from None


def _layer_key(type_name: str, args: dict[str, Any]) -> Any:
    """What makes two entries the same layer: the type and each argument's value with its
    type (``1`` and ``true`` build different layers, or one of them none); None when a
    value is neither a scalar nor a flat list of them (built each time).

    >>> _layer_key("Conv2d", {"k": [3, 3], "bias": True}) == _layer_key("Conv2d", {"k": [3, 3], "bias": 1})
    False
    """
    key: list[Any] = [type_name]
    for name, value in args.items():
        if isinstance(value, list):
            if not all(isinstance(v, _SCALARS) for v in value):
                return None
            key.append((name, list, *((type(v), v) for v in value)))
        elif isinstance(value, _SCALARS):
            key.append((name, type(value), value))
        else:
            return None
    return tuple(key)


_SCALARS = (str, int, float, type(None))  # bool is an int


def _merge_layer(type_name: str, **args: Any) -> Any:
    from .layers import LAYER_TYPES

    return build(type_name, **args) if type_name in LAYER_TYPES else None


def _row_name(name: Any, here: Place) -> str | None:
    """The ``name`` argument of an entry at ``here``: a string (a number is taken as text)."""
    if name is not None and (isinstance(name, bool) or not isinstance(name, (str, int))):
        raise InputError(f"name must be a string, got {_describe(name)}", where=here)
    return None if name is None else str(name)


def _first_line(item: Any, type_name: str, err: ConvCalcError) -> int | None:
    """The line of the argument an error speaks of, when it names one."""
    raw = item.get(type_name) if isinstance(item, dict) else None
    if not isinstance(raw, LineDict) or not raw.key_lines:
        return None
    for key, key_line in raw.key_lines.items():
        if isinstance(key, str) and (f"'{key}'" in err.detail or err.detail.startswith(key)):
            return key_line
    return None
