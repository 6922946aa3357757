"""RegNet X and Y as torchvision builds them (``torchvision/models/regnet.py``).

Each model is five numbers (depth, w_0, w_a, w_m, group width; RegNet-Y adds SE ratio
0.25); :func:`block_params` turns them into stages the way torchvision's
``BlockParams.from_init_params`` does: a quantised linear width per block, consecutive
equal widths forming a stage, then the widths made divisible by the group widths.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import ZooModel

__all__ = ["Stage", "block_params", "make_divisible", "models"]

PUBLISHED = Path(__file__).resolve().parents[3] / "convcalc" / "zoo" / "published.json"

#: ``BlockParams.from_init_params(depth, w_0, w_a, w_m, group_width)`` of each builder.
REGNET_X: dict[str, tuple[int, int, float, float, int]] = {
    "regnet_x_400mf": (22, 24, 24.48, 2.54, 16),
    "regnet_x_800mf": (16, 56, 35.73, 2.28, 16),
    "regnet_x_1_6gf": (18, 80, 34.01, 2.25, 24),
    "regnet_x_3_2gf": (25, 88, 26.31, 2.25, 48),
    "regnet_x_8gf": (23, 80, 49.56, 2.88, 120),
    "regnet_x_16gf": (22, 216, 55.59, 2.1, 128),
    "regnet_x_32gf": (23, 320, 69.86, 2.0, 168),
}
#: The same for RegNet-Y, whose blocks all have ``se_ratio=0.25``.
REGNET_Y: dict[str, tuple[int, int, float, float, int]] = {
    "regnet_y_400mf": (16, 48, 27.89, 2.09, 8),
    "regnet_y_800mf": (14, 56, 38.84, 2.4, 16),
    "regnet_y_1_6gf": (27, 48, 20.71, 2.65, 24),
    "regnet_y_3_2gf": (21, 80, 42.63, 2.66, 24),
    "regnet_y_8gf": (17, 192, 76.82, 2.19, 56),
    "regnet_y_16gf": (18, 200, 106.23, 2.48, 112),
    "regnet_y_32gf": (20, 232, 115.89, 2.53, 232),
    "regnet_y_128gf": (27, 456, 160.83, 2.52, 264),
}
SE_RATIO = 0.25
STEM_WIDTH = 32
QUANT = 8  # block widths are multiples of 8
STRIDE = 2  # every stage starts with a stride-2 block
BOTTLENECK = 1.0  # torchvision's bottleneck multiplier: w_b = width_out


@dataclass(frozen=True)
class Stage:
    depth: int
    width: int
    group_width: int


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """torchvision's ``_make_divisible``: the nearest multiple of ``divisor``, not below 90 % of ``v``."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def block_params(depth: int, w_0: int, w_a: float, w_m: float, group_width: int) -> list[Stage]:
    """The stages of ``BlockParams.from_init_params`` (bottleneck multiplier 1.0).

    Block i has the continuous width ``w_0 + i·w_a``, quantised in log space to
    ``w_0·w_m^round(log_{w_m}(width/w_0))`` and rounded to a multiple of 8 (``round`` is
    half-to-even, as ``torch.round``); a run of equal widths is a stage. Then
    ``_adjust_widths_groups_compatibilty``: the group width is clamped to the stage width
    and the width made divisible by it.
    """
    widths: list[int] = []
    for i in range(depth):
        capacity = round(math.log((i * w_a + w_0) / w_0) / math.log(w_m))
        widths.append(int(round(w_0 * w_m**capacity / QUANT) * QUANT))
    runs: list[list[int]] = []  # [width, depth] of each run of equal widths
    for w in widths:
        if runs and runs[-1][0] == w:
            runs[-1][1] += 1
        else:
            runs.append([w, 1])
    stages = []
    for w, d in runs:
        w_bot = int(w * BOTTLENECK)
        gw = min(group_width, w_bot)
        stages.append(Stage(d, int(make_divisible(w_bot, gw) / BOTTLENECK), gw))
    return stages


# -- layers -------------------------------------------------------------------------------


def conv_norm_act(name: str, out: int, k: int, stride: int = 1, groups: int = 1, act: bool = True) -> dict[str, Any]:
    """torchvision's ``Conv2dNormActivation``: ``.0`` Conv2d (no bias), ``.1`` BatchNorm2d, ``.2`` ReLU."""
    conv: dict[str, Any] = {"name": "0", "out_channels": out, "k": k}
    if stride != 1:
        conv["s"] = stride
    if k > 1:
        conv["p"] = (k - 1) // 2
    if groups != 1:
        conv["g"] = groups
    conv["bias"] = False
    layers: list[Any] = [{"Conv2d": conv}, {"BatchNorm2d": {"name": "1"}}]
    if act:
        layers.append({"ReLU": {"name": "2", "inplace": True}})
    return {"Sequential": {"name": name, "layers": layers}}


def squeeze_excitation(channels: int, squeeze: int) -> dict[str, Any]:
    """``f.se``: torchvision's ``SqueezeExcitation``, ``x · sigmoid(fc2(relu(fc1(avgpool(x)))))``."""
    gate = [
        {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": 1}},
        {"Conv2d": {"name": "fc1", "out_channels": squeeze, "k": 1}},
        {"ReLU": {"name": "activation"}},
        {"Conv2d": {"name": "fc2", "out_channels": channels, "k": 1}},
        {"Sigmoid": {"name": "scale_activation"}},
    ]
    return {"Multiply": {"name": "se", "branches": [[], gate]}}


def res_bottleneck_block(
    name: str, width_in: int, width_out: int, stride: int, group_width: int, se_ratio: float | None
) -> dict[str, Any]:
    """``ResBottleneckBlock``: ``activation(proj(x) + f(x))``, ``f`` = 1×1, grouped 3×3 [+ SE], 1×1;
    ``proj`` (1×1 conv + BN) when the width or the resolution changes."""
    w_b = int(round(width_out * BOTTLENECK))
    f = [conv_norm_act("a", w_b, 1), conv_norm_act("b", w_b, 3, stride, w_b // group_width)]
    if se_ratio:
        f.append(squeeze_excitation(w_b, int(round(se_ratio * width_in))))  # from the block's input width
    f.append(conv_norm_act("c", width_out, 1, act=False))
    residual: dict[str, Any] = {"body": [{"Sequential": {"name": "f", "layers": f}}]}
    if width_in != width_out or stride != 1:
        residual["shortcut"] = [conv_norm_act("proj", width_out, 1, stride, act=False)]
    block = [{"Residual": residual}, {"ReLU": {"name": "activation", "inplace": True}}]
    return {"Sequential": {"name": name, "layers": block}}


def regnet(title: str, stages: list[Stage], se_ratio: float | None, crop: int) -> dict[str, Any]:
    trunk = []
    width = STEM_WIDTH
    for i, stage in enumerate(stages, start=1):
        blocks = []
        for j in range(stage.depth):
            stride = STRIDE if j == 0 else 1
            block = res_bottleneck_block(f"block{i}-{j}", width, stage.width, stride, stage.group_width, se_ratio)
            blocks.append(block)
            width = stage.width
        trunk.append({"Sequential": {"name": f"block{i}", "layers": blocks}})
    return {
        "name": title,
        "input": [1, 3, crop, crop],
        "layers": [
            conv_norm_act("stem", STEM_WIDTH, 3, 2),
            {"Sequential": {"name": "trunk_output", "layers": trunk}},
            {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": 1}},
            "Flatten",
            {"Linear": {"name": "fc", "out_features": 1000}},
        ],
    }


def _title(name: str) -> str:
    """``regnet_y_1_6gf`` → ``RegNetY-1.6GF``."""
    _, kind, *size = name.split("_")
    return f"RegNet{kind.upper()}-{'.'.join(size).upper()}"


def _doc(name: str, config: tuple[int, int, float, float, int], stages: list[Stage], se: bool) -> str:
    depth, w_0, w_a, w_m, gw = config
    lines = [
        f'{_title(name)} as torchvision.models.{name} builds it (Radosavovic et al. 2020, "Designing',
        f'Network Design Spaces"): BlockParams.from_init_params(depth={depth}, w_0={w_0}, w_a={w_a}, w_m={w_m},',
        f"group_width={gw}{', se_ratio=0.25' if se else ''}) gives stages of depths {[s.depth for s in stages]}, "
        f"widths {[s.width for s in stages]}.",
        "A block is `activation(proj(x) + f(x))`: a Residual (body f = 1×1, grouped 3×3, "
        + ("SE, 1×1;" if se else "1×1;"),
        "shortcut proj on each stage's first block), then the ReLU. Names are torchvision's",
        "(`trunk_output.block2.block2-0.f.b.0`), as in its state_dict.",
    ]
    return "\n".join(lines)


def models() -> list[ZooModel]:
    crops = {k: v["crop_size"] for k, v in json.loads(PUBLISHED.read_text(encoding="utf-8"))["models"].items()}
    found = []
    for table, se_ratio in ((REGNET_X, None), (REGNET_Y, SE_RATIO)):
        for name, config in table.items():
            stages = block_params(*config)
            data = regnet(_title(name), stages, se_ratio, crops[name])
            doc = _doc(name, config, stages, bool(se_ratio))
            found.append(ZooModel(name, "RegNet", "classification", doc, data, name))
    return found
