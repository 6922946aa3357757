"""convcalc: shape and arithmetic calculator for convolutional networks.

The formulas of :mod:`convcalc.arith` work on one spatial dimension; :func:`build` makes a
validated layer from its PyTorch name and arguments; :func:`analyze` walks a whole network.
Every error is a :class:`ConvCalcError` (a ``ValueError``) whose ``exit_code`` is the
command-line exit code. This module imports neither typer, rich nor yaml.
"""

from __future__ import annotations

from .arith import (
    adaptive_windows,
    ceil_mode_drops,
    conv_out,
    coverage,
    effective_kernel,
    pool_out,
    rf_step,
    same_padding,
    transposed_conv_out,
    transposed_same_padding,
)
from .errors import ConvCalcError, InputError, InvalidLayerError, LimitError
from .layers import LAYER_TYPES, Layer, Step, build
from .network import analyze
from .report import Report, Row, Totals
from .spec import LIMITS

__version__ = "0.1.0"

__all__ = [
    "LAYER_TYPES",
    "LIMITS",
    "Report",
    "Row",
    "Totals",
    "analyze",
    "ConvCalcError",
    "InputError",
    "InvalidLayerError",
    "Layer",
    "LimitError",
    "Step",
    "__version__",
    "adaptive_windows",
    "build",
    "ceil_mode_drops",
    "conv_out",
    "coverage",
    "effective_kernel",
    "pool_out",
    "rf_step",
    "same_padding",
    "transposed_conv_out",
    "transposed_same_padding",
]
