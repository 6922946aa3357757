"""ConvNeXt as torchvision builds it (``torchvision/models/convnext.py``).

A stem (4×4 stride-4 conv + LayerNorm2d), four stages of CNBlocks with a downsampling
LayerNorm2d + 2×2 stride-2 conv between them, then avgpool and the classifier.
"""

from __future__ import annotations

from typing import Any

from ..model import ZooModel

__all__ = ["models"]

#: ``(title, stage widths, stage depths, stochastic_depth_prob)`` of each builder's
#: ``CNBlockConfig`` list (input_channels, out_channels = the next stage's, num_layers).
CONVNEXT: dict[str, tuple[str, list[int], list[int], float]] = {
    "convnext_tiny": ("ConvNeXt-T", [96, 192, 384, 768], [3, 3, 9, 3], 0.1),
    "convnext_small": ("ConvNeXt-S", [96, 192, 384, 768], [3, 3, 27, 3], 0.4),
    "convnext_base": ("ConvNeXt-B", [128, 256, 512, 1024], [3, 3, 27, 3], 0.5),
    "convnext_large": ("ConvNeXt-L", [192, 384, 768, 1536], [3, 3, 27, 3], 0.5),
}
EPS = 1e-6  # of every LayerNorm
LAYER_SCALE = 1e-6  # the initial value of each block's layer_scale
CROP = 224


def layer_norm_2d(name: str) -> list[Any]:
    """torchvision's ``LayerNorm2d``: a LayerNorm over the channels of an N×C×H×W tensor,
    which its forward writes as permute → layer_norm → permute back."""
    return [
        {"Permute": {"dims": [0, 2, 3, 1]}},
        {"LayerNorm": {"name": name, "eps": EPS}},
        {"Permute": {"dims": [0, 3, 1, 2]}},
    ]


def cn_block(index: int, dim: int) -> dict[str, Any]:
    """``CNBlock``: ``x + stochastic_depth(layer_scale · block(x))``.

    The block module (``features.1.0``) owns ``layer_scale`` itself, so the Scale row
    carries its name; its children are ``0.block`` and ``0.stochastic_depth`` (the
    Residual is unnamed: it is the block's forward, not a module).
    """
    block = [
        {"Conv2d": {"name": "0", "out_channels": dim, "k": 7, "p": 3, "g": dim}},
        {"Permute": {"name": "1", "dims": [0, 2, 3, 1]}},
        {"LayerNorm": {"name": "2", "eps": EPS}},
        {"Linear": {"name": "3", "out_features": 4 * dim}},
        {"GELU": {"name": "4"}},
        {"Linear": {"name": "5", "out_features": dim}},
        {"Permute": {"name": "6", "dims": [0, 3, 1, 2]}},
    ]
    body = [
        {"Sequential": {"name": f"{index}.block", "layers": block}},
        {"Scale": {"name": str(index), "init": LAYER_SCALE}},
        {"Identity": {"name": f"{index}.stochastic_depth"}},  # StochasticDepth: the identity in eval
    ]
    return {"Residual": {"body": body}}


def convnext(title: str, dims: list[int], depths: list[int]) -> dict[str, Any]:
    stem = [{"Conv2d": {"name": "0", "out_channels": dims[0], "k": 4, "s": 4}}, *layer_norm_2d("1")]
    features: list[Any] = [{"Sequential": {"name": "0", "layers": stem}}]
    for i, (dim, depth) in enumerate(zip(dims, depths)):
        blocks = [cn_block(j, dim) for j in range(depth)]
        features.append({"Sequential": {"name": str(2 * i + 1), "layers": blocks}})
        if i + 1 < len(dims):
            down = [*layer_norm_2d("0"), {"Conv2d": {"name": "1", "out_channels": dims[i + 1], "k": 2, "s": 2}}]
            features.append({"Sequential": {"name": str(2 * i + 2), "layers": down}})
    classifier = [*layer_norm_2d("0"), {"Flatten": {"name": "1"}}, {"Linear": {"name": "2", "out_features": 1000}}]
    return {
        "name": title,
        "input": [1, 3, CROP, CROP],
        "layers": [
            {"Sequential": {"name": "features", "layers": features}},
            {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": 1}},
            {"Sequential": {"name": "classifier", "layers": classifier}},
        ],
    }


def _doc(name: str, title: str, dims: list[int], depths: list[int], sd_prob: float) -> str:
    return "\n".join([
        f"{title} as torchvision.models.{name} builds it (Liu et al. 2022, \"A ConvNet for the 2020s\"):",
        f"widths {dims}, depths {depths}. A CNBlock is `x + stochastic_depth(layer_scale · block(x))`,",
        "block = depthwise 7×7, Permute to channels-last, LayerNorm, Linear 4×, GELU, Linear, Permute back;",
        "the Scale row is the block module itself (`features.1.0`, owner of layer_scale), its children are",
        f"`features.1.0.block.*`; StochasticDepth (p up to {sd_prob}) is the identity in eval. LayerNorm2d",
        "(stem, downsampling, classifier) is Permute · LayerNorm · Permute. Names are torchvision's.",
    ])  # fmt: skip


def models() -> list[ZooModel]:
    found = []
    for name, (title, dims, depths, sd_prob) in CONVNEXT.items():
        doc = _doc(name, title, dims, depths, sd_prob)
        found.append(ZooModel(name, "ConvNeXt", "classification", doc, convnext(title, dims, depths), name))
    return found
