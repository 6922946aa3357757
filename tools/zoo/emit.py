"""Python data in convcalc's network format → readable YAML, the way a person writes it.

Layers with their arguments on one line (``- Conv2d: {name: conv1, out_channels: 64, k: 7}``),
blocks as indented mappings with their lists of layers beneath, short lists in brackets.
:func:`dump` is checked to round-trip through ``yaml.safe_load`` by the tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["dump"]

#: The keys of a block whose value is a list of layers (``branches``: a list of such lists).
LAYER_LISTS = ("layers", "body", "shortcut")
BLOCKS = ("Sequential", "Repeat", "Residual", "Concat", "Add", "Multiply", "Split")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """One value in YAML flow style."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text:  # 1e-06: YAML 1.1 (PyYAML, convcalc) reads it as a string
            text = text.replace("e", ".0e")
        return text if ("." in text or "e" in text or "inf" in text or "nan" in text) else text + ".0"
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__}")


def _is_block(entry: Any) -> bool:
    if not isinstance(entry, dict) or len(entry) != 1:
        return False
    ((kind, args),) = entry.items()
    return kind in BLOCKS and isinstance(args, dict) and any(k in args for k in (*LAYER_LISTS, "branches"))


def _entries(items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    if not items:
        return [pad + "[]"]
    lines = []
    for entry in items:
        lines += _entry(entry, indent)
    return lines


def _entry(entry: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(entry, str):
        return [f"{pad}- {entry}"]
    ((kind, args),) = entry.items()
    if not _is_block(entry):
        return [f"{pad}- {kind}" if not args else f"{pad}- {kind}: {scalar(args)}"]
    lines = [f"{pad}- {kind}:"]
    inner = " " * (indent + 4)
    for key, value in args.items():
        if key in LAYER_LISTS:
            if not value:
                lines.append(f"{inner}{key}: []")
            else:
                lines.append(f"{inner}{key}:")
                lines += _entries(value, indent + 6)
        elif key == "branches":
            lines.append(f"{inner}branches:")
            for branch in value:
                if not branch:
                    lines.append(f"{inner}  - []")
                else:
                    sub = _entries(branch, indent + 8)
                    lines.append(f"{inner}  - " + sub[0].lstrip())
                    lines += sub[1:]
        else:
            lines.append(f"{inner}{key}: {scalar(value)}")
    return lines


def dump(data: dict[str, Any], doc: str = "") -> str:
    """The network ``data`` as YAML, with ``doc`` as its header comment."""
    lines = [f"# {line}".rstrip() for line in doc.strip().splitlines()] if doc.strip() else []
    for key, value in data.items():
        if key == "layers":
            lines.append("layers:")
            lines += _entries(value, 2)
        else:
            lines.append(f"{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"
