"""Result records: numbers only, no strings formatted for display."""

from __future__ import annotations

from typing import Any

from .bulk import paused_gc
from .errors import Place
from .records import Record

__all__ = ["DTYPE_BYTES", "Output", "Report", "Row", "Totals"]

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
    where: Place  # the place in the source: layers[3].body[1] (#7, Conv2d, line 9)
    trainable_params: int  # params that train: 0 under trainable: false
    inputs: tuple[str, ...]  # the paths of the rows it reads ("input": the network input)
    qualname: str | None  # the dotted names of the enclosing named blocks and its own
    training_only: bool  # inside a training_only entry: its cost is not in the totals
    layer: Any  # the Layer of a layer row (None for a block row): for analyses that ask it by class

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
        where: Place | None = None,
        trainable_params: int = 0,
        inputs: tuple[str, ...] = (),
        qualname: str | None = None,
        training_only: bool = False,
        layer: Any = None,
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
        self.where = Place() if where is None else where
        self.trainable_params = trainable_params
        self.inputs = inputs
        self.qualname = qualname
        self.training_only = training_only
        self.layer = layer

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
            "composite": self.composite,
            "inputs": list(self.inputs),
            "qualname": self.qualname,
            "trainable_params": self.trainable_params,
            "training_only": self.training_only,
        }


class Output(Record, frozen=True):
    """One output of the network: the name it was declared by (None for the default,
    the last entry, when unnamed), the path of the row that makes it, and its shape."""

    name: str | None
    path: str
    output_shape: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "output_shape": list(self.output_shape)}


class Totals(Record):
    params: int = 0
    trainable_params: int = 0
    buffers: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0
    param_bytes: int = 0
    peak_activation_bytes: int = 0  # the most bytes of tensors alive at once in inference (SPEC §3)
    training_only_params: int = 0  # of rows under training_only: in params, as published counts have them
    training_only_macs: int = 0  # of rows under training_only: not in macs, flops or activation_bytes

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
    outputs: list[Output] = []

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The shape of the (first) output."""
        if self.outputs:
            return self.outputs[0].output_shape
        top = [r for r in self.rows if r.depth == 0]
        return top[-1].output_shape if top else self.input_shape

    def __str__(self) -> str:
        """The table of ``convcalc net``: plain text without colour, as wide as the terminal
        (100 columns when there is none, as in a notebook), in what ``sys.stdout`` can show."""
        import shutil
        import sys

        from .render import Format, render

        width = shutil.get_terminal_size((100, 24)).columns
        encoding: str | None = getattr(sys.stdout, "encoding", None) or "utf-8"
        try:
            "─×…·—".encode(encoding or "utf-8")
            encoding = None  # it shows every character
        except (UnicodeEncodeError, LookupError):
            pass
        return render(self, Format.table, width=width, encoding=encoding).rstrip("\n")

    def _repr_markdown_(self) -> str:
        """The report in a notebook's markdown cell: ``--format markdown``."""
        from .render import Format, render

        return render(self, Format.markdown)

    def _repr_html_(self) -> str:
        """The report in a notebook: the markdown table's content as an HTML table."""
        from .render import DEFAULT_COLUMNS
        from .render.columns import labels
        from .render.text import html

        return html(self, self.rows, labels(self.rows), DEFAULT_COLUMNS)

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
            "outputs": [o.to_dict() for o in self.outputs],
        }
