"""Sizes and shapes as users write them, read by one function for every way in.

``--in 28x28``, ``--k 3,5``, ``--input 1X1X28X28``, ``input_shape="1,3,224,224"``, the
``112 112`` that ``-q`` prints and a YAML ``input: [1, 3, 224, 224]`` all go through
:func:`parse_sizes`; :func:`parse_shape` adds the rules of an input shape.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ConvCalcError, InputError, Place

__all__ = ["DTYPE_ALIASES", "MAX_RANK", "parse_dtype", "parse_shape", "parse_sizes"]

#: The most dimensions an input shape may have.
MAX_RANK = 8

#: What separates the numbers of a size written as text: commas, x/X/×, spaces.
_SEPARATORS = re.compile(r"\s*[,x×X]\s*|\s+")


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return f"a boolean ({str(v).lower()})"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, (list, tuple)):
        return "a list"
    if v is None:
        return "nothing"
    return repr(v)


def parse_sizes(
    value: Any,
    what: str,
    *,
    text_rule: str = "takes whole numbers like 3, 3,5 or 3x5 (one per dimension)",
    list_rule: str = "must be whole numbers like 3, [3, 5] or 3x5 (one per dimension)",
) -> tuple[int, ...]:
    """Whole numbers, one per dimension, from text (``28``, ``28,28``, ``28x28``, ``28 28``)
    or from a list of integers; exit 2 for anything else. Values are not range-checked
    beyond convcalc's number bound: the caller knows what they mean.

    >>> parse_sizes("28x28", "--in"), parse_sizes("3, 5", "--k"), parse_sizes("112 112", "--in")
    ((28, 28), (3, 5), (112, 112))
    >>> parse_sizes("1X1X28X28", "--input"), parse_sizes([1, 3, 8], "input")
    ((1, 1, 28, 28), (1, 3, 8))
    >>> parse_sizes("3;5", "--k")
    Traceback (most recent call last):
    convcalc.errors.InputError: --k takes whole numbers like 3, 3,5 or 3x5 (one per dimension), got '3;5'
    """
    from .layers import to_int

    if isinstance(value, str):
        text = value.strip()
        parts = _SEPARATORS.split(text) if text else [""]
        values = []
        for part in parts:
            try:
                values.append(int(part))
            except ValueError:
                raise InputError(f"{what} {text_rule}, got {value!r}") from None
        value = values
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(f"{what} {list_rule}, got {_describe(value)}")
    return tuple(to_int(what, v) for v in value)


def parse_shape(value: Any, what: str = "input", line: int | None = None) -> tuple[int, ...]:
    """An input shape ``[N, C, *spatial]``: 1 to 8 integers ≥ 1, written as for
    :func:`parse_sizes`.

    >>> parse_shape("1,3,224,224"), parse_shape([1, 1, 28, 28], "input", line=2)
    ((1, 3, 224, 224), (1, 1, 28, 28))
    """
    at = Place(what, line=line) if line else None  # "input (line 2)"
    named = "" if at else f"{what} "  # the place names it already
    if isinstance(value, int) and not isinstance(value, bool):
        raise InputError(f"{named}must be a list of integers like [1, 3, 224, 224], got {value!r}", where=at)
    try:
        shape = parse_sizes(
            value,
            what,
            text_rule="must be integers like 1,3,224,224",
            list_rule="must be a list of integers like [1, 3, 224, 224]",
        )
    except ConvCalcError as err:
        raise (err if at is None else err.at(at)) from None
    if len(shape) > MAX_RANK:
        raise InputError(f"{named}has {len(shape)} dimensions; at most {MAX_RANK} are supported", where=at)
    if any(v < 1 for v in shape):
        raise InputError(f"{named.strip() + ': ' if named else ''}every size must be ≥ 1, got {list(shape)}", where=at)
    return shape


#: Other names of the element types (as PyTorch, NumPy and mixed-precision docs write them).
DTYPE_ALIASES = {
    "fp32": "float32", "f32": "float32", "fp16": "float16", "f16": "float16", "bf16": "bfloat16",
    "fp64": "float64", "f64": "float64", "i8": "int8", "u8": "uint8", "i16": "int16", "i32": "int32",
    "i64": "int64",
}  # fmt: skip


def parse_dtype(value: Any) -> str:
    """An element type: a name of ``DTYPE_BYTES`` or an alias (``fp16``, ``bf16``,
    ``torch.float16``, any case); its name in ``DTYPE_BYTES``.

    >>> parse_dtype("fp16"), parse_dtype("BF16"), parse_dtype("torch.float64"), parse_dtype("half")
    ('float16', 'bfloat16', 'float64', 'half')
    """
    from .layers import show_value, suggest
    from .report import DTYPE_BYTES

    if isinstance(value, str):
        name = value.strip().lower().removeprefix("torch.")
        name = DTYPE_ALIASES.get(name, name)
        if name in DTYPE_BYTES:
            return name
    hint = suggest(value, [*DTYPE_BYTES, *DTYPE_ALIASES]) if isinstance(value, str) else ""
    choose = f"choose from {', '.join(DTYPE_BYTES)} (or {', '.join(DTYPE_ALIASES)})"
    # "…; did you mean 'float16'? Choose from …", not "…?; choose from …"
    raise InputError(f"unknown dtype {show_value(value)}{hint} {choose.capitalize()}" if hint else
                     f"unknown dtype {show_value(value)}; {choose}")  # fmt: skip
