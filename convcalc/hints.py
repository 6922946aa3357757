"""Hints for names that are close to right in another way than spelling: a PyTorch family
without its dimension suffix (``BatchNorm`` → ``BatchNorm2d`` on a 4-d input) and Keras's
names (``Dense`` → ``Linear``, ``filters`` → ``out_channels``). Imported only when a name
is unknown; each function returns the hint that follows the error, or ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["argument_hint", "type_hint"]

#: Keras layer → what to write in convcalc (PyTorch's names); ``{d}``: the dimension suffix.
_KERAS_TYPES = {
    "Dense": "Linear: {out_features: …}",
    "Conv{d}DTranspose": "ConvTranspose{d}d",
    "MaxPooling{d}D": "MaxPool{d}d",
    "AveragePooling{d}D": "AvgPool{d}d",
    "MaxPool{d}D": "MaxPool{d}d",
    "AvgPool{d}D": "AvgPool{d}d",
    "GlobalAveragePooling{d}D": "AdaptiveAvgPool{d}d: {output_size: 1} and then Flatten",
    "GlobalMaxPooling{d}D": "AdaptiveMaxPool{d}d: {output_size: 1} and then Flatten",
    "GlobalAvgPool{d}D": "AdaptiveAvgPool{d}d: {output_size: 1} and then Flatten",
    "GlobalMaxPool{d}D": "AdaptiveMaxPool{d}d: {output_size: 1} and then Flatten",
    "ZeroPadding{d}D": "ZeroPad{d}d",
    "UpSampling{d}D": "Upsample: {scale_factor: …}",
    "SpatialDropout{d}D": "Dropout{d}d",
    "DepthwiseConv{d}D": "Conv{d}d with groups equal to in_channels",
    "SeparableConv{d}D": "a Conv{d}d with groups equal to in_channels, then a Conv{d}d with k: 1",
    "BatchNormalization": "BatchNorm2d (BatchNorm1d for [N, C] and [N, C, L], BatchNorm3d for 5-d inputs)",
    "LayerNormalization": "LayerNorm",
    "GroupNormalization": "GroupNorm",
    "Activation": "the activation's own layer, e.g. ReLU",
    "Concatenate": "Concat: {from: [...], dim: 1} (channels are dimension 1)",
    "InputLayer": "the network's top-level input: [N, C, H, W]",
    "Input": "the network's top-level input: [N, C, H, W]",
}

#: Keras argument → PyTorch's (when the layer has it), or advice.
_KERAS_ARGS = {
    "filters": "out_channels",
    "units": "out_features",
    "strides": "stride",
    "dilation_rate": "dilation",
    "pool_size": "kernel_size",
    "use_bias": "bias",
    "rate": "p",
    "epsilon": "eps",
    "target_shape": "shape",
    "size": "scale_factor",
}
_KERAS_ADVICE = {
    "activation": "Keras's activation= is a layer of its own in PyTorch: add it after this one (- ReLU)",
    "input_shape": "the input shape is the network's top-level input: [N, C, H, W] (channels first)",
    "data_format": "convcalc follows PyTorch: channels first, [N, C, H, W]",
    "depth_multiplier": "a depthwise convolution is a Conv with groups equal to in_channels "
    "(out_channels: depth_multiplier·in_channels)",
    "kernel_initializer": "initialisers change no shape or count: leave them out",
    "bias_initializer": "initialisers change no shape or count: leave them out",
    "kernel_regularizer": "regularisers change no shape or count: leave them out",
}

#: The dimension suffix PyTorch's class names carry for an input of each rank.
_SUFFIX = {3: "1d", 4: "2d", 5: "3d"}


def _keras_type(name: str) -> str | None:
    if name in _KERAS_TYPES:
        return _KERAS_TYPES[name]
    for d in "123":
        for pattern, target in _KERAS_TYPES.items():
            if "{d}" in pattern and pattern.replace("{d}", d) == name:
                return target.replace("{d}", d)
    return None


def type_hint(name: str, types: Iterable[str], rank: int | None = None) -> str:
    """A hint for the unknown layer type ``name``: a family without its suffix (the one for
    an input of ``rank`` dimensions when known, else 2d), or a Keras name.

    >>> type_hint("BatchNorm", ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"], 4)[:29]
    "; did you mean 'BatchNorm2d'?"
    >>> type_hint("Dense", [])
    "; Keras's Dense is written Linear: {out_features: …} (convcalc uses PyTorch's names)"
    """
    if not isinstance(name, str) or len(name) > 40:
        return ""
    known = set(types)
    if f"{name}2d" in known:
        suffix = _SUFFIX.get(rank or 4, "2d")
        if rank == 2 and f"{name}1d" in known and name.startswith("BatchNorm"):
            suffix = "1d"  # BatchNorm1d also takes [N, C]
        if f"{name}{suffix}" not in known:
            suffix = "2d"
        ranks = {3: "2-d and 3-d" if name.startswith("BatchNorm") else "3-d", 4: "4-d", 5: "5-d"}
        variants = ", ".join(f"{name}{s} for {ranks[r]}" for r, s in _SUFFIX.items() if f"{name}{s}" in known)
        on = f"; the network's input is {rank}-d" if rank else ""
        return (
            f"; did you mean '{name}{suffix}'? (PyTorch's class names carry the spatial dimensions: "
            f"{variants} inputs{on})"
        )
    keras = _keras_type(name)
    if keras is not None:
        return f"; Keras's {name} is written {keras} (convcalc uses PyTorch's names)"
    return ""


def argument_hint(key: str, schema: Iterable[str]) -> str:
    """A hint for the unknown argument ``key`` when it is Keras's name of one in ``schema``.

    >>> argument_hint("filters", ["in_channels", "out_channels", "kernel_size"])
    "; Keras's filters is PyTorch's out_channels"
    """
    if not isinstance(key, str):
        return ""
    target = _KERAS_ARGS.get(key)
    if target is not None and target in set(schema):
        return f"; Keras's {key} is PyTorch's {target}"
    advice = _KERAS_ADVICE.get(key)
    return f"; {advice}" if advice else ""
