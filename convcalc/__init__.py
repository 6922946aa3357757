"""convcalc: shape and arithmetic calculator for convolutional networks.

The formulas of :mod:`convcalc.arith` work on one spatial dimension; :func:`build` makes a
validated layer from its PyTorch name and arguments; :func:`analyze` walks a whole network.
Every error is a :class:`ConvCalcError` (a ``ValueError``) whose ``exit_code`` is the
command-line exit code. This module imports neither typer, rich nor yaml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .conventions import COUNTERS, counter_totals, with_convention
    from .design import rf_at, sweep
    from .errors import ConvCalcError, InputError, InvalidLayerError, LimitError
    from .layers import LAYER_TYPES, Layer, Step, build
    from .network import analyze
    from .report import Report, Row, Totals
    from .solve import solve
    from .spec import LIMITS
    from .training import Training, train

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import convcalc`` costs nothing and a command loads only the modules it needs.
_HOMES = {
    **dict.fromkeys(
        (
            "adaptive_windows",
            "ceil_mode_drops",
            "conv_out",
            "coverage",
            "effective_kernel",
            "pool_out",
            "rf_step",
            "same_padding",
            "transposed_conv_out",
            "transposed_same_padding",
        ),
        "arith",
    ),
    **dict.fromkeys(("ConvCalcError", "InputError", "InvalidLayerError", "LimitError"), "errors"),
    **dict.fromkeys(("LAYER_TYPES", "Layer", "Step", "build"), "layers"),
    "analyze": "network",
    **dict.fromkeys(("rf_at", "sweep"), "design"),
    "solve": "solve",
    **dict.fromkeys(("COUNTERS", "counter_totals", "with_convention"), "conventions"),
    **dict.fromkeys(("Report", "Row", "Totals"), "report"),
    "LIMITS": "spec",
    **dict.fromkeys(("Training", "train"), "training"),
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__version__ = "0.1.0"

__all__ = [
    "COUNTERS",
    "LAYER_TYPES",
    "LIMITS",
    "ConvCalcError",
    "InputError",
    "InvalidLayerError",
    "Layer",
    "LimitError",
    "Report",
    "Row",
    "Step",
    "Totals",
    "Training",
    "__version__",
    "adaptive_windows",
    "analyze",
    "build",
    "ceil_mode_drops",
    "conv_out",
    "counter_totals",
    "coverage",
    "effective_kernel",
    "pool_out",
    "rf_at",
    "rf_step",
    "same_padding",
    "solve",
    "sweep",
    "train",
    "transposed_conv_out",
    "transposed_same_padding",
    "with_convention",
]
