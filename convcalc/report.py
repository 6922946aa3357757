"""Result records: numbers only, no strings formatted for display."""

from __future__ import annotations

from typing import Any

from .bulk import paused_gc
from .records import Record

__all__ = ["DTYPE_BYTES", "Report", "Row", "Totals"]

#: Bytes per element of each ``dtype`` accepted by :func:`convcalc.analyze`.
DTYPE_BYTES = {
    "float32": 4,
    "float": 4,
    "float16": 2,
    "half": 2,
    "bfloat16": 2,
    "float64": 8,
    "double": 8,
    "int8": 1,
    "uint8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
}

RF = tuple[tuple[int, int, float], ...] | None


class Row(Record):
    """One row of the report: a layer, or a composite with its children's sums."""

    index: int
    path: str
    name: str | None
    type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int
    receptive_field: RF
    warnings: tuple[str, ...]
    composite: bool
    arguments: dict[str, Any]
    where: str  # the place in the source, e.g. "layers[3].body[1] (#7, Conv2d, line 9)"

    def __init__(  # written out (defaults here): one is built per row, 100,000 for a large network
        self,
        index: int,
        path: str,
        name: str | None,
        type: str,
        depth: int,
        input_shape: tuple[int, ...],
        output_shape: tuple[int, ...] = (),
        params: int = 0,
        buffers: int = 0,
        macs: int = 0,
        flops: int = 0,
        activation_bytes: int = 0,
        receptive_field: RF = None,
        warnings: tuple[str, ...] = (),
        composite: bool = False,
        arguments: dict[str, Any] | None = None,
        where: str = "",
    ) -> None:
        self.index = index
        self.path = path
        self.name = name
        self.type = type
        self.depth = depth
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.params = params
        self.buffers = buffers
        self.macs = macs
        self.flops = flops
        self.activation_bytes = activation_bytes
        self.receptive_field = receptive_field
        self.warnings = warnings
        self.composite = composite
        self.arguments = {} if arguments is None else arguments
        self.where = where

    def to_dict(self) -> dict[str, Any]:
        rf = self.receptive_field
        return {
            "index": self.index,
            "path": self.path,
            "name": self.name,
            "type": self.type,
            "depth": self.depth,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "params": self.params,
            "buffers": self.buffers,
            "macs": self.macs,
            "flops": self.flops,
            "activation_bytes": self.activation_bytes,
            "receptive_field": None
            if rf is None
            else {
                "size": [r for r, _, _ in rf],
                "jump": [j for _, j, _ in rf],
                "start": [float(s) for _, _, s in rf],
            },
            "warnings": list(self.warnings),
        }


class Totals(Record):
    params: int = 0
    trainable_params: int = 0
    buffers: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0
    param_bytes: int = 0

    def to_dict(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in self._fields}


class Report(Record):
    """What :func:`convcalc.analyze` returns; ``to_dict()`` is the JSON of SPEC §5."""

    name: str | None
    input_shape: tuple[int, ...]
    dtype: str
    rows: list[Row]
    totals: Totals
    warnings: list[str]

    @property
    def output_shape(self) -> tuple[int, ...]:
        top = [r for r in self.rows if r.depth == 0]
        return top[-1].output_shape if top else self.input_shape

    def to_dict(self) -> dict[str, Any]:
        with paused_gc:  # a dict and four lists per row, all kept
            layers = [r.to_dict() for r in self.rows]
        return {
            "convcalc": 1,
            "name": self.name,
            "input_shape": list(self.input_shape),
            "dtype": self.dtype,
            "layers": layers,
            "totals": self.totals.to_dict(),
            "warnings": list(self.warnings),
        }
