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
layer is one class there and one line in :data:`LAYER_TYPES` below; a family's module is
imported when one of its types is first used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, MutableMapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..errors import InputError, InvalidLayerError
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
from .sliding import Relation, Sliding, Window

if TYPE_CHECKING:  # the families load on first use (:data:`FAMILIES`, :func:`__getattr__`)
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
    from .upsampling import Upsample

__all__ = [
    "ALIASES",
    "AXES",
    "CELU",
    "ELU",
    "FAMILIES",
    "GELU",
    "GLU",
    "LAYER_TYPES",
    "MAX_NUMBER",
    "REQUIRED",
    "RF",
    "SELU",
    "SLIDING_FAMILIES",
    "AdaptiveAvgPool",
    "AdaptiveMaxPool",
    "AdaptivePool",
    "Add",
    "AlphaDropout",
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
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
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
    "LogSoftmax",
    "MaxPool",
    "Merge",
    "Mish",
    "Multiply",
    "PReLU",
    "Pad",
    "Permute",
    "PixelShuffle",
    "PixelUnshuffle",
    "Pool",
    "ReLU",
    "ReLU6",
    "ReflectionPad",
    "Relation",
    "ReplicationPad",
    "Reshape",
    "Scale",
    "Shape",
    "SiLU",
    "Sigmoid",
    "Slice",
    "Sliding",
    "Softmax",
    "Softplus",
    "Step",
    "Tanh",
    "Unflatten",
    "Upsample",
    "Window",
    "ZeroPad",
    "arg",
    "arg_schema",
    "broadcast",
    "build",
    "check_type",
    "if_loaded",
    "register",
    "show_int",
    "show_value",
    "suggest",
    "to_int",
]

# ---------------------------------------------------------------------------------------
# The families, loaded on first use
# ---------------------------------------------------------------------------------------

#: The family modules. Each layer type's line in :data:`LAYER_TYPES` says its family and
#: class; these are the other names the families define for other modules (their bases
#: and helpers). A family is imported when one of its names is first used: importing all
#: nine took a third of ``convcalc layer``, which needs two.
FAMILIES: dict[str, tuple[str, ...]] = {
    "activation": ("Elementwise", "Inplace"),
    "conv": (),
    "linear": (),
    "merge": ("Merge", "broadcast"),
    "normalization": (),
    "padding": ("Pad",),
    "pooling": ("AdaptivePool", "Pool"),
    "shape": (),
    "upsampling": (),
}
_FAMILY_OF = {name: family for family, names in FAMILIES.items() for name in names}  # and each type's class
#: The families of the sliding-window layers (:class:`Sliding`), which ``convcalc layer``
#: and ``solve`` take: they need no other family loaded.
SLIDING_FAMILIES = ("conv", "pooling")


def __getattr__(name: str) -> Any:
    """A family's class (``convcalc.layers.Conv``), its module imported on first use."""
    family = _FAMILY_OF.get(name)
    if family is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def if_loaded(name: str) -> Any:
    """The family class ``name`` if its module is loaded, else ``()``, which no ``isinstance``
    matches: a check that a layer is a Linear need not load the linear family, since no layer
    is of a family that was never loaded."""
    module = sys.modules.get(f"{__name__}.{_FAMILY_OF[name]}")
    return () if module is None else getattr(module, name)


# ---------------------------------------------------------------------------------------
# The registry: PyTorch class name → (class, spatial dimensions)
# ---------------------------------------------------------------------------------------


class _Registry(MutableMapping[str, tuple[type[Layer], int]]):
    """PyTorch class name → (class, spatial dimensions), each class looked up (its family
    loaded) when its name is first used; :meth:`family` says where a name lives unloaded."""

    def __init__(self) -> None:
        self._where: dict[str, tuple[str | None, str, int]] = {}  # name → (family, class, dims)
        self._known: dict[str, tuple[type[Layer], int]] = {}

    def add(self, type_name: str, family: str, cls: str, dims: int) -> None:
        owner = _FAMILY_OF.setdefault(cls, family)  # where __getattr__ finds the class
        assert family in FAMILIES and owner == family, (cls, family)
        self._where[type_name] = (family, cls, dims)

    def family(self, type_name: str) -> str | None:
        """The family module of a built-in type (None for one added by :func:`register`)."""
        return self._where[type_name][0]

    def dims(self, type_name: str) -> int:
        """The spatial dimensions of a type, its family left unloaded."""
        return self._where[type_name][2]

    def __getitem__(self, type_name: str) -> tuple[type[Layer], int]:
        try:
            return self._known[type_name]
        except KeyError:
            family, cls, dims = self._where[type_name]
            found = self._known[type_name] = (getattr(import_module(f"{__name__}.{family}"), cls), dims)
            return found

    def __setitem__(self, type_name: str, value: tuple[type[Layer], int]) -> None:
        self._where[type_name] = (None, value[0].__name__, value[1])
        self._known[type_name] = value

    def __delitem__(self, type_name: str) -> None:
        del self._where[type_name]
        self._known.pop(type_name, None)

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


LAYER_TYPES = _Registry()
for _d in (1, 2, 3):
    for _name, _family, _cls in (
        ("Conv", "conv", "Conv"),
        ("ConvTranspose", "conv", "ConvTranspose"),
        ("MaxPool", "pooling", "MaxPool"),
        ("AvgPool", "pooling", {1: "AvgPool1d", 2: "AvgPool", 3: "AvgPool3d"}[_d]),
        ("LPPool", "pooling", {1: "LPPool1d", 2: "LPPool", 3: "LPPool3d"}[_d]),
        ("AdaptiveAvgPool", "pooling", "AdaptiveAvgPool"),
        ("AdaptiveMaxPool", "pooling", "AdaptiveMaxPool"),
        ("ZeroPad", "padding", "ZeroPad"),
        ("ConstantPad", "padding", "ConstantPad"),
        ("ReflectionPad", "padding", "ReflectionPad"),
        ("ReplicationPad", "padding", "ReplicationPad"),
        ("CircularPad", "padding", "CircularPad"),
        ("BatchNorm", "normalization", "BatchNorm1d" if _d == 1 else "BatchNorm"),
        ("InstanceNorm", "normalization", "InstanceNorm"),
    ):
        LAYER_TYPES.add(f"{_name}{_d}d", _family, _cls, _d)
for _family, _names in (  # in the order of the README's list and of suggestions
    ("linear", ("Linear",)),
    ("shape", ("Flatten", "Unflatten", "Reshape")),
    ("upsampling", ("Upsample",)),
    ("normalization", ("GroupNorm", "LayerNorm", "LocalResponseNorm")),
    ("activation", ("ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
                    "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus", "Softmax", "LogSoftmax", "Dropout",
                    "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "Identity", "GLU")),
    ("linear", ("Scale",)),
    ("shape", ("Permute", "Slice", "ChannelShuffle", "PixelShuffle", "PixelUnshuffle")),
    ("merge", ("Add", "Multiply", "Concat")),
):  # fmt: skip
    for _name in _names:
        LAYER_TYPES.add(_name, _family, _name, 0)
del _d, _name, _family, _cls, _names


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
