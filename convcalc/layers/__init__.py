"""One class per layer family, normalised and validated once, when built.

A layer is built with :func:`build` from its PyTorch class name and PyTorch arguments
(``build("Conv2d", out_channels=6, kernel_size=5, padding=2)``). Building checks the
names and kinds of the arguments (errors with exit code 2) and the values PyTorch
rejects on their own (exit code 1); :meth:`Layer.forward` then checks the layer against
an input shape ``[N, C, *spatial]`` and returns a :class:`Step`: output shape, params,
buffers and MACs, with the warnings of SPEC §3. :meth:`Layer.receptive_field` maps the
receptive field of the input to that of the output.

The families live in modules laid out as ``torch/nn/modules/``: :mod:`.conv`,
:mod:`.pooling`, :mod:`.padding`, :mod:`.normalization`, :mod:`.activation`,
:mod:`.linear`, :mod:`.shape`, :mod:`.upsampling` and :mod:`.merge`; what they share is in
:mod:`.base`, and the interface of the sliding-window layers in :mod:`.sliding`. A new
layer is one class there and one line in :data:`LAYER_TYPES` below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InputError, InvalidLayerError
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    Elementwise,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    Inplace,
    LeakyReLU,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .base import (
    ALIASES,
    AXES,
    MAX_NUMBER,
    REQUIRED,
    RF,
    Arg,
    Layer,
    Shape,
    Step,
    arg,
    kind_name,
    normalised_defaults,
    show_int,
    show_value,
    suggest,
    to_int,
)
from .conv import Conv, ConvTranspose
from .linear import Linear, Scale
from .merge import Add, Concat, Merge, Multiply, broadcast
from .normalization import BatchNorm, BatchNorm1d, GroupNorm, InstanceNorm, LayerNorm, LocalResponseNorm
from .padding import CircularPad, ConstantPad, Pad, ReflectionPad, ReplicationPad, ZeroPad
from .pooling import (
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AdaptivePool,
    AvgPool,
    AvgPool1d,
    AvgPool3d,
    LPPool,
    LPPool1d,
    LPPool3d,
    MaxPool,
    Pool,
)
from .shape import ChannelShuffle, Flatten, Permute, PixelShuffle, PixelUnshuffle, Reshape, Slice, Unflatten
from .sliding import Relation, Sliding, Window
from .upsampling import Upsample

__all__ = [
    "ALIASES",
    "AXES",
    "ELU",
    "GELU",
    "GLU",
    "LAYER_TYPES",
    "MAX_NUMBER",
    "REQUIRED",
    "RF",
    "AdaptiveAvgPool",
    "AdaptiveMaxPool",
    "AdaptivePool",
    "Add",
    "Arg",
    "AvgPool",
    "AvgPool1d",
    "AvgPool3d",
    "BatchNorm",
    "BatchNorm1d",
    "ChannelShuffle",
    "CircularPad",
    "Concat",
    "ConstantPad",
    "Conv",
    "ConvTranspose",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Elementwise",
    "Flatten",
    "GroupNorm",
    "Hardtanh",
    "Inplace",
    "InstanceNorm",
    "LPPool",
    "LPPool1d",
    "LPPool3d",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "MaxPool",
    "Merge",
    "Multiply",
    "PReLU",
    "Pad",
    "Permute",
    "PixelShuffle",
    "PixelUnshuffle",
    "Pool",
    "ReflectionPad",
    "Relation",
    "ReplicationPad",
    "Reshape",
    "Scale",
    "Shape",
    "Slice",
    "Sliding",
    "Softmax",
    "Softplus",
    "Step",
    "Unflatten",
    "Upsample",
    "Window",
    "ZeroPad",
    "arg",
    "arg_schema",
    "broadcast",
    "build",
    "check_type",
    "register",
    "show_int",
    "show_value",
    "suggest",
    "to_int",
]

# ---------------------------------------------------------------------------------------
# The registry: PyTorch class name → (class, spatial dimensions)
# ---------------------------------------------------------------------------------------

LAYER_TYPES: dict[str, tuple[type[Layer], int]] = {}
for _d, _avg, _lp in ((1, AvgPool1d, LPPool1d), (2, AvgPool, LPPool), (3, AvgPool3d, LPPool3d)):
    LAYER_TYPES.update(
        {
            f"Conv{_d}d": (Conv, _d),
            f"ConvTranspose{_d}d": (ConvTranspose, _d),
            f"MaxPool{_d}d": (MaxPool, _d),
            f"AvgPool{_d}d": (_avg, _d),
            f"LPPool{_d}d": (_lp, _d),
            f"AdaptiveAvgPool{_d}d": (AdaptiveAvgPool, _d),
            f"AdaptiveMaxPool{_d}d": (AdaptiveMaxPool, _d),
            f"ZeroPad{_d}d": (ZeroPad, _d),
            f"ConstantPad{_d}d": (ConstantPad, _d),
            f"ReflectionPad{_d}d": (ReflectionPad, _d),
            f"ReplicationPad{_d}d": (ReplicationPad, _d),
            f"CircularPad{_d}d": (CircularPad, _d),
            f"BatchNorm{_d}d": (BatchNorm1d if _d == 1 else BatchNorm, _d),
            f"InstanceNorm{_d}d": (InstanceNorm, _d),
        }
    )
LAYER_TYPES.update(
    {
        "Linear": (Linear, 0),
        "Flatten": (Flatten, 0),
        "Unflatten": (Unflatten, 0),
        "Reshape": (Reshape, 0),
        "Upsample": (Upsample, 0),
        "GroupNorm": (GroupNorm, 0),
        "LayerNorm": (LayerNorm, 0),
        "LocalResponseNorm": (LocalResponseNorm, 0),
        "ReLU": (ReLU, 0),
        "ReLU6": (ReLU6, 0),
        "LeakyReLU": (LeakyReLU, 0),
        "PReLU": (PReLU, 0),
        "ELU": (ELU, 0),
        "SELU": (SELU, 0),
        "CELU": (CELU, 0),
        "GELU": (GELU, 0),
        "SiLU": (SiLU, 0),
        "Mish": (Mish, 0),
        "Sigmoid": (Sigmoid, 0),
        "Tanh": (Tanh, 0),
        "Hardswish": (Hardswish, 0),
        "Hardsigmoid": (Hardsigmoid, 0),
        "Hardtanh": (Hardtanh, 0),
        "Softplus": (Softplus, 0),
        "Softmax": (Softmax, 0),
        "LogSoftmax": (LogSoftmax, 0),
        "Dropout": (Dropout, 0),
        "Dropout1d": (Dropout1d, 0),
        "Dropout2d": (Dropout2d, 0),
        "Dropout3d": (Dropout3d, 0),
        "AlphaDropout": (AlphaDropout, 0),
        "Identity": (Identity, 0),
        "GLU": (GLU, 0),
        "Scale": (Scale, 0),
        "Permute": (Permute, 0),
        "Slice": (Slice, 0),
        "ChannelShuffle": (ChannelShuffle, 0),
        "PixelShuffle": (PixelShuffle, 0),
        "PixelUnshuffle": (PixelUnshuffle, 0),
        "Add": (Add, 0),
        "Multiply": (Multiply, 0),
        "Concat": (Concat, 0),
    }
)
del _d, _avg, _lp


def register(type_name: str, cls: type[Layer], dims: int = 0) -> None:
    """Add a layer type: ``register("LPPool2d", LPPool, 2)`` (the same as a line in
    :data:`LAYER_TYPES`)."""
    LAYER_TYPES[type_name] = (cls, dims)


def arg_schema(type_name: str) -> dict[str, tuple[Callable[[str, Any, int], Any], Any]]:
    """The accepted arguments of a layer type: name → (converter, default).

    >>> list(arg_schema("AvgPool1d")), list(arg_schema("AdaptiveAvgPool2d"))
    (['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'], ['output_size'])
    """
    return {name: (a.convert, a.default) for name, a in LAYER_TYPES[type_name][0].schema().items()}


def check_type(type_name: Any, rank: int | None = None) -> str:
    """The type name, or an InputError suggesting the nearest valid one (for a family
    without its suffix, the one for an input of ``rank`` dimensions; for Keras's names,
    PyTorch's)."""
    if not isinstance(type_name, str):
        raise InputError(f"a layer type must be a name, got {kind_name(type_name)}")
    if type_name not in LAYER_TYPES:
        from ..hints import type_hint

        hint = type_hint(type_name, LAYER_TYPES, rank) or suggest(type_name, LAYER_TYPES)
        raise InputError(f"unknown layer type '{type_name}'{hint}")
    return type_name


def build(type_name: str, /, **args: Any) -> Layer:
    """Build and validate one layer from its PyTorch class name and arguments.

    Accepts the short aliases ``k s p d g``. Raises :class:`InputError` (exit 2) for
    unknown names and values of the wrong kind, :class:`InvalidLayerError` (exit 1) for
    values PyTorch rejects.

    >>> build("Conv2d", in_channels=1, out_channels=8, kernel_size=(2, 3)).forward((1, 1, 7, 3)).output_shape
    (1, 8, 6, 1)
    >>> build("MaxPool1d", k=3, s=3, p=1, ceil_mode=True).forward((1, 1, 5)).output_shape
    (1, 1, 2)
    """
    check_type(type_name)
    cls, dims = LAYER_TYPES[type_name]
    schema = cls.schema()
    values: dict[str, Any] = {}
    try:
        for key, raw in args.items():
            name = ALIASES.get(key, key) if key not in schema else key
            if name not in schema:
                from ..hints import argument_hint

                raise InputError(f"unknown argument '{key}'{argument_hint(key, schema) or suggest(key, schema)}")
            if name in values:
                raise InputError(f"{name} is given twice ('{key}' is an alias of '{name}')")
            values[name] = schema[name].convert(name, raw, dims)
        defaults = normalised_defaults(cls, dims)
        fields = {}
        for name, a in schema.items():
            value = values[name] if name in values else defaults[name]
            if value is REQUIRED:
                raise InputError(f"missing argument {name}")
            fields[a.field or name] = value
        return cls(type_name, dims, **fields)
    except (InputError, InvalidLayerError) as err:
        raise err.at(err.where or type_name) from None
