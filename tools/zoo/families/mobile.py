"""The mobile networks of torchvision: MobileNetV2/V3, MNASNet, ShuffleNetV2, EfficientNet B0–B7 and V2.

Each network is written from torchvision's config tables (torchvision 0.28.0,
``torchvision/models/{mobilenetv2,mobilenetv3,mnasnet,shufflenetv2,efficientnet}.py``) by
one function per block type, with torchvision's module names, so that every row with
parameters has the qualname of its torchvision module (``features.4.block.2.fc1``).
What torchvision does in ``forward()`` (the residual ``+``, ``scale * x``, ``torch.cat``,
``chunk``, ``channel_shuffle``, ``x.mean([2, 3])``, ``torch.flatten``) is an unnamed row or
a merge; EfficientNet's StochasticDepth (identity in eval, no parameters) is left out.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

from ..model import ZooModel

Layer = dict[str, Any] | str

_PUBLISHED_JSON = Path(__file__).resolve().parents[3] / "convcalc" / "zoo" / "published.json"
_PUBLISHED = json.loads(_PUBLISHED_JSON.read_text(encoding="utf-8"))


def crop(key: str) -> int:
    """The crop size of the first published weights of ``key``."""
    return int(_PUBLISHED["models"][key]["crop_size"])


def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """torchvision's ``_make_divisible``: round to a multiple of ``divisor``, not below 90 % of ``v``."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


# -- layers -------------------------------------------------------------------------------


def conv(name: str | None, out: int, k: int, s: int = 1, g: int = 1, p: int | None = None, bias: bool = False) -> Layer:
    """A Conv2d; padding ``(k - 1) // 2`` unless given, as Conv2dNormActivation pads."""
    p = (k - 1) // 2 if p is None else p
    args: dict[str, Any] = {} if name is None else {"name": name}
    args.update({"out_channels": out, "k": k})
    if s != 1:
        args["s"] = s
    if p:
        args["p"] = p
    if g != 1:
        args["g"] = g
    if not bias:
        args["bias"] = False
    return {"Conv2d": args}


def bn(name: str, norm: dict[str, Any]) -> Layer:
    """A BatchNorm2d with the family's eps/momentum (``norm``: only what differs from PyTorch's defaults)."""
    return {"BatchNorm2d": {"name": name, **norm}}


def act(kind: str, name: str) -> Layer:
    return {kind: {"name": name}}


def seq(name: str, layers: list[Layer]) -> Layer:
    return {"Sequential": {"name": name, "layers": layers}}


def cna(name: str, out: int, k: int, s: int = 1, g: int = 1, activation: str | None = "ReLU",
        norm: dict[str, Any] | None = None) -> Layer:  # fmt: skip
    """torchvision.ops.Conv2dNormActivation: ``.0`` Conv2d (no bias), ``.1`` BatchNorm2d, ``.2`` activation."""
    layers = [conv("0", out, k, s, g), bn("1", norm or {})]
    if activation is not None:
        layers.append(act(activation, "2"))
    return seq(name, layers)


def squeeze_excitation(name: str, channels: int, squeeze: int, activation: str, scale: str) -> Layer:
    """torchvision.ops.SqueezeExcitation: ``x * scale_activation(fc2(activation(fc1(avgpool(x)))))``."""
    gate = [
        {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": 1}},
        conv("fc1", squeeze, 1, bias=True),
        act(activation, "activation"),
        conv("fc2", channels, 1, bias=True),
        act(scale, "scale_activation"),
    ]
    return {"Multiply": {"name": name, "branches": [[], gate]}}


def block(name: str, residual: bool, layers: list[Layer]) -> Layer:
    """A module of torchvision whose forward is ``layers(x)``, plus ``x`` when ``residual``."""
    if residual:
        return {"Residual": {"name": name, "body": layers}}
    return seq(name, layers)


def classifier_head(pool_name: str | None, layers: list[Layer]) -> list[Layer]:
    """Global average pooling (a module, or ``x.mean``/F.adaptive_avg_pool2d in forward()), flatten, classifier."""
    pool: dict[str, Any] = {"output_size": 1} if pool_name is None else {"name": pool_name, "output_size": 1}
    return [{"AdaptiveAvgPool2d": pool}, "Flatten", *layers]


def dropout_linear(p: float) -> Layer:
    """The ``classifier`` of most of them: ``.0`` Dropout, ``.1`` Linear to the 1000 ImageNet classes."""
    return seq("classifier", [{"Dropout": {"name": "0", "p": p}}, {"Linear": {"name": "1", "out_features": 1000}}])


# -- MobileNetV2 ----------------------------------------------------------------------------

#: [t (expansion), c (channels), n (blocks), s (stride of the first)]
MOBILENET_V2 = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
]  # fmt: skip


def mobilenet_v2() -> ZooModel:
    def inverted_residual(name: str, inp: int, oup: int, stride: int, t: int) -> Layer:
        hidden = int(round(inp * t))
        layers = [] if t == 1 else [cna("0", hidden, 1, activation="ReLU6")]
        layers += [
            cna(str(len(layers)), hidden, 3, stride, g=hidden, activation="ReLU6"),
            conv(str(len(layers) + 1), oup, 1),
            {"BatchNorm2d": {"name": str(len(layers) + 2)}},
        ]
        return block(name, stride == 1 and inp == oup, [seq("conv", layers)])

    channels, last = make_divisible(32), make_divisible(1280)
    features = [cna("0", channels, 3, 2, activation="ReLU6")]
    for t, c, n, s in MOBILENET_V2:
        for i in range(n):
            features.append(inverted_residual(str(len(features)), channels, c, s if i == 0 else 1, t))
            channels = c
    features.append(cna(str(len(features)), last, 1, activation="ReLU6"))
    # F.adaptive_avg_pool2d(x, (1, 1)) and torch.flatten in forward()
    head = [{"AdaptiveAvgPool2d": {"output_size": [1, 1]}}, "Flatten", dropout_linear(0.2)]
    data = {"name": "MobileNetV2", "input": [1, 3, crop("mobilenet_v2"), crop("mobilenet_v2")],
            "layers": [seq("features", features), *head]}  # fmt: skip
    doc = """MobileNetV2 as torchvision.models.mobilenet_v2 defines it (Sandler et al. 2018, arXiv:1801.04381),
width 1.0. An InvertedResidual (`features.1` … `features.17`) holds one nn.Sequential, `conv`: a 1×1
expansion (not when t = 1), a depthwise 3×3 and a linear 1×1 projection; it adds its input when it keeps
the shape. A Conv2dNormActivation is Conv2d, BatchNorm2d, ReLU6 (`.0`, `.1`, `.2`). Module names are
torchvision's (`features.2.conv.1.0`); forward() pools with F.adaptive_avg_pool2d and flattens."""
    return ZooModel("mobilenet_v2", "MobileNetV2", "classification", doc, data, "mobilenet_v2")


# -- MobileNetV3 ----------------------------------------------------------------------------

#: (in, kernel, expanded, out, SE, activation, stride): torchvision's bneck_conf rows, width 1.0.
MOBILENET_V3 = {
    "mobilenet_v3_large": ([
        (16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2), (24, 3, 72, 24, False, "RE", 1),
        (24, 5, 72, 40, True, "RE", 2), (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
        (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
        (80, 3, 184, 80, False, "HS", 1), (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
        (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1), (160, 5, 960, 160, True, "HS", 1),
    ], 1280),
    "mobilenet_v3_small": ([
        (16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2), (24, 3, 88, 24, False, "RE", 1),
        (24, 5, 96, 40, True, "HS", 2), (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
        (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1), (48, 5, 288, 96, True, "HS", 2),
        (96, 5, 576, 96, True, "HS", 1), (96, 5, 576, 96, True, "HS", 1),
    ], 1024),
}  # fmt: skip
MOBILENET_V3_NORM = {"eps": 0.001, "momentum": 0.01}


def mobilenet_v3(key: str) -> ZooModel:
    setting, last_channel = MOBILENET_V3[key]
    norm = MOBILENET_V3_NORM

    def inverted_residual(name: str, inp: int, k: int, exp: int, out: int, se: bool, nl: str, stride: int) -> Layer:
        activation = "Hardswish" if nl == "HS" else "ReLU"
        layers = [] if exp == inp else [cna("0", exp, 1, activation=activation, norm=norm)]
        layers.append(cna(str(len(layers)), exp, k, stride, g=exp, activation=activation, norm=norm))
        if se:
            layers.append(squeeze_excitation(str(len(layers)), exp, make_divisible(exp // 4, 8), "ReLU", "Hardsigmoid"))
        layers.append(cna(str(len(layers)), out, 1, activation=None, norm=norm))
        return block(name, stride == 1 and inp == out, [seq("block", layers)])

    features = [cna("0", setting[0][0], 3, 2, activation="Hardswish", norm=norm)]
    for row in setting:
        features.append(inverted_residual(str(len(features)), *row))
    last_conv = 6 * setting[-1][3]
    features.append(cna(str(len(features)), last_conv, 1, activation="Hardswish", norm=norm))
    classifier = seq("classifier", [
        {"Linear": {"name": "0", "out_features": last_channel}}, act("Hardswish", "1"),
        {"Dropout": {"name": "2", "p": 0.2}}, {"Linear": {"name": "3", "out_features": 1000}},
    ])  # fmt: skip
    size = key.rsplit("_", 1)[1]
    title = f"MobileNetV3-{size.capitalize()}"
    data = {"name": title, "input": [1, 3, crop(key), crop(key)],
            "layers": [seq("features", features), *classifier_head("avgpool", [classifier])]}  # fmt: skip
    doc = f"""{title} as torchvision.models.{key} defines it (Howard et al. 2019,
arXiv:1905.02244), width 1.0. An InvertedResidual (`features.1` … `features.{len(features) - 2}`) holds
one nn.Sequential, `block`: a 1×1 expansion (when it widens), a depthwise k×k, in some blocks a
squeeze-and-excitation gate (`x * hardsigmoid(...)`, a Multiply) and a linear 1×1 projection; ReLU or
Hardswish; it adds its input when it keeps the shape. BatchNorm2d eps 0.001, momentum 0.01. Module
names are torchvision's (`features.4.block.2.fc1`)."""
    return ZooModel(key, "MobileNetV3", "classification", doc, data, key)


# -- MNASNet --------------------------------------------------------------------------------

#: (kernel, first stride, expansion, repeats) of the six stacks ``layers.8`` … ``layers.13``.
MNASNET_STACKS = [(3, 2, 3, 3), (5, 2, 3, 3), (5, 2, 6, 3), (3, 1, 6, 2), (5, 2, 6, 4), (3, 1, 6, 1)]
MNASNET_ALPHA = {"mnasnet0_5": 0.5, "mnasnet0_75": 0.75, "mnasnet1_0": 1.0, "mnasnet1_3": 1.3}
MNASNET_NORM = {"momentum": 0.0003}  # 1 - 0.9997, TensorFlow's 0.9997


def round_to_multiple_of(val: float, divisor: int, round_up_bias: float = 0.9) -> int:
    new_val = max(divisor, int(val + divisor / 2) // divisor * divisor)
    return new_val if new_val >= round_up_bias * val else new_val + divisor


def mnasnet(key: str) -> ZooModel:
    alpha = MNASNET_ALPHA[key]
    depths = [round_to_multiple_of(d * alpha, 8) for d in [32, 16, 24, 40, 80, 96, 192, 320]]
    norm = MNASNET_NORM

    def inverted_residual(name: str, inp: int, out: int, k: int, stride: int, t: int) -> Layer:
        mid = inp * t
        layers = [
            conv("0", mid, 1), bn("1", norm), act("ReLU", "2"),
            conv("3", mid, k, stride, g=mid, p=k // 2), bn("4", norm), act("ReLU", "5"),
            conv("6", out, 1), bn("7", norm),
        ]  # fmt: skip
        return block(name, inp == out and stride == 1, [seq("layers", layers)])

    layers: list[Layer] = [
        conv("0", depths[0], 3, 2), bn("1", norm), act("ReLU", "2"),
        conv("3", depths[0], 3, g=depths[0]), bn("4", norm), act("ReLU", "5"),
        conv("6", depths[1], 1), bn("7", norm),
    ]  # fmt: skip
    for i, (k, s, t, repeats) in enumerate(MNASNET_STACKS):
        inp, out = depths[i + 1], depths[i + 2]
        stack = [inverted_residual("0", inp, out, k, s, t)]
        stack += [inverted_residual(str(j), out, out, k, 1, t) for j in range(1, repeats)]
        layers.append(seq(str(len(layers)), stack))
    layers += [conv(str(len(layers)), 1280, 1), bn(str(len(layers) + 1), norm), act("ReLU", str(len(layers) + 2))]
    classifier = dropout_linear(0.2)
    title = f"MNASNet-{alpha:g}"
    data = {"name": title, "input": [1, 3, crop(key), crop(key)],
            "layers": [seq("layers", layers), *classifier_head(None, [classifier])]}  # fmt: skip
    doc = f"""MNASNet-B1, depth multiplier {alpha:g}, as torchvision.models.{key} defines it (Tan et al. 2019,
arXiv:1807.11626; the `_version = 2` stem, scaled by alpha). One flat nn.Sequential `layers`: the stem,
six stacks of _InvertedResidual (`layers.8` … `layers.13`, each with its own `layers`: 1×1 expand,
depthwise k×k, linear 1×1; the input added when the shape is kept) and a 1×1 conv to 1280.
BatchNorm2d momentum 0.0003; forward() pools with x.mean([2, 3]). Module names are torchvision's."""
    return ZooModel(key, "MNASNet", "classification", doc, data, key)


# -- ShuffleNetV2 ---------------------------------------------------------------------------

SHUFFLENET_REPEATS = [4, 8, 4]
SHUFFLENET_CHANNELS = {
    "shufflenet_v2_x0_5": [24, 48, 96, 192, 1024],
    "shufflenet_v2_x1_0": [24, 116, 232, 464, 1024],
    "shufflenet_v2_x1_5": [24, 176, 352, 704, 1024],
    "shufflenet_v2_x2_0": [24, 244, 488, 976, 2048],
}


def shufflenet_v2(key: str) -> ZooModel:
    def inverted_residual(name: str, inp: int, oup: int, stride: int) -> Layer:
        bf = oup // 2
        branch2 = seq("branch2", [
            conv("0", bf, 1, p=0), {"BatchNorm2d": {"name": "1"}}, act("ReLU", "2"),
            conv("3", bf, 3, stride, g=bf, p=1), {"BatchNorm2d": {"name": "4"}},
            conv("5", bf, 1, p=0), {"BatchNorm2d": {"name": "6"}}, act("ReLU", "7"),
        ])  # fmt: skip
        if stride == 1:  # x1, x2 = x.chunk(2, dim=1); torch.cat((x1, branch2(x2)))
            unit: Layer = {"Split": {"dim": 1, "chunks": 2, "branches": [[], [branch2]]}}
        else:  # torch.cat((branch1(x), branch2(x)))
            branch1 = seq("branch1", [
                conv("0", inp, 3, stride, g=inp, p=1), {"BatchNorm2d": {"name": "1"}},
                conv("2", bf, 1, p=0), {"BatchNorm2d": {"name": "3"}}, act("ReLU", "4"),
            ])  # fmt: skip
            unit = {"Concat": {"dim": 1, "branches": [[branch1], [branch2]]}}
        return seq(name, [unit, {"ChannelShuffle": {"groups": 2}}])  # channel_shuffle(out, 2) in forward()

    channels = SHUFFLENET_CHANNELS[key]
    layers: list[Layer] = [
        seq("conv1", [conv("0", channels[0], 3, 2, p=1), {"BatchNorm2d": {"name": "1"}}, act("ReLU", "2")]),
        {"MaxPool2d": {"name": "maxpool", "k": 3, "s": 2, "p": 1}},
    ]
    inp = channels[0]
    for stage, (repeats, oup) in enumerate(zip(SHUFFLENET_REPEATS, channels[1:4], strict=True), start=2):
        units = [inverted_residual(str(i), inp if i == 0 else oup, oup, 2 if i == 0 else 1) for i in range(repeats)]
        layers.append(seq(f"stage{stage}", units))
        inp = oup
    layers.append(seq("conv5", [conv("0", channels[4], 1, p=0), {"BatchNorm2d": {"name": "1"}}, act("ReLU", "2")]))
    layers += classifier_head(None, [{"Linear": {"name": "fc", "out_features": 1000}}])
    width = key.removeprefix("shufflenet_v2_").replace("_", ".")  # x0.5
    title = f"ShuffleNetV2-{width}"
    data = {"name": title, "input": [1, 3, crop(key), crop(key)], "layers": layers}
    doc = f"""ShuffleNetV2 {width[1:]}× as torchvision.models.{key} defines it
(Ma et al. 2018, arXiv:1807.11164). A stride-1 InvertedResidual splits its input in two halves (x.chunk),
keeps one and runs `branch2` on the other; a stride-2 one runs `branch1` and `branch2` on the whole input;
the halves are concatenated and channel-shuffled (groups 2), all in forward(): a Split or Concat and a
ChannelShuffle. forward() pools with x.mean([2, 3]). Module names are torchvision's (`stage2.0.branch1.0`)."""
    return ZooModel(key, "ShuffleNetV2", "classification", doc, data, key)


# -- EfficientNet B0–B7 and V2 -------------------------------------------------------------

#: (block, expand ratio, kernel, stride, in, out, layers): torchvision's _efficientnet_conf.
EFFICIENTNET_B = [
    ("MBConv", 1, 3, 1, 32, 16, 1), ("MBConv", 6, 3, 2, 16, 24, 2), ("MBConv", 6, 5, 2, 24, 40, 2),
    ("MBConv", 6, 3, 2, 40, 80, 3), ("MBConv", 6, 5, 1, 80, 112, 3), ("MBConv", 6, 5, 2, 112, 192, 4),
    ("MBConv", 6, 3, 1, 192, 320, 1),
]  # fmt: skip
EFFICIENTNET_V2 = {
    "efficientnet_v2_s": [
        ("FusedMBConv", 1, 3, 1, 24, 24, 2), ("FusedMBConv", 4, 3, 2, 24, 48, 4), ("FusedMBConv", 4, 3, 2, 48, 64, 4),
        ("MBConv", 4, 3, 2, 64, 128, 6), ("MBConv", 6, 3, 1, 128, 160, 9), ("MBConv", 6, 3, 2, 160, 256, 15),
    ],
    "efficientnet_v2_m": [
        ("FusedMBConv", 1, 3, 1, 24, 24, 3), ("FusedMBConv", 4, 3, 2, 24, 48, 5), ("FusedMBConv", 4, 3, 2, 48, 80, 5),
        ("MBConv", 4, 3, 2, 80, 160, 7), ("MBConv", 6, 3, 1, 160, 176, 14), ("MBConv", 6, 3, 2, 176, 304, 18),
        ("MBConv", 6, 3, 1, 304, 512, 5),
    ],
    "efficientnet_v2_l": [
        ("FusedMBConv", 1, 3, 1, 32, 32, 4), ("FusedMBConv", 4, 3, 2, 32, 64, 7), ("FusedMBConv", 4, 3, 2, 64, 96, 7),
        ("MBConv", 4, 3, 2, 96, 192, 10), ("MBConv", 6, 3, 1, 192, 224, 19), ("MBConv", 6, 3, 2, 224, 384, 25),
        ("MBConv", 6, 3, 1, 384, 640, 7),
    ],
}  # fmt: skip
#: (width_mult, depth_mult) of B0 … B7.
EFFICIENTNET_SCALE = {
    "efficientnet_b0": (1.0, 1.0), "efficientnet_b1": (1.0, 1.1), "efficientnet_b2": (1.1, 1.2),
    "efficientnet_b3": (1.2, 1.4), "efficientnet_b4": (1.4, 1.8), "efficientnet_b5": (1.6, 2.2),
    "efficientnet_b6": (1.8, 2.6), "efficientnet_b7": (2.0, 3.1),
}  # fmt: skip


def mbconv(name: str, inp: int, out: int, t: float, k: int, stride: int, norm: dict[str, Any]) -> Layer:
    """MBConv: [1×1 expand], depthwise k×k, squeeze-and-excitation (squeeze = input // 4), linear 1×1."""
    expanded = make_divisible(inp * t, 8)
    layers = [] if expanded == inp else [cna("0", expanded, 1, activation="SiLU", norm=norm)]
    layers.append(cna(str(len(layers)), expanded, k, stride, g=expanded, activation="SiLU", norm=norm))
    layers.append(squeeze_excitation(str(len(layers)), expanded, max(1, inp // 4), "SiLU", "Sigmoid"))
    layers.append(cna(str(len(layers)), out, 1, activation=None, norm=norm))
    return block(name, stride == 1 and inp == out, [seq("block", layers)])


def fused_mbconv(name: str, inp: int, out: int, t: float, k: int, stride: int, norm: dict[str, Any]) -> Layer:
    """FusedMBConv: a k×k expanding conv and a linear 1×1 (or one k×k conv when t = 1); no SE."""
    expanded = make_divisible(inp * t, 8)
    if expanded != inp:
        layers = [
            cna("0", expanded, k, stride, activation="SiLU", norm=norm),
            cna("1", out, 1, activation=None, norm=norm),
        ]
    else:
        layers = [cna("0", out, k, stride, activation="SiLU", norm=norm)]
    return block(name, stride == 1 and inp == out, [seq("block", layers)])


def efficientnet(key: str) -> ZooModel:
    if key in EFFICIENTNET_SCALE:
        width, depth = EFFICIENTNET_SCALE[key]
        setting = [(b, t, k, s, make_divisible(i * width, 8), make_divisible(o * width, 8), int(math.ceil(n * depth)))
                   for b, t, k, s, i, o, n in EFFICIENTNET_B]  # fmt: skip
        last_channel = 4 * setting[-1][5]
        norm = {"eps": 0.001, "momentum": 0.01} if key[-2:] in ("b5", "b6", "b7") else {}
        dropout = {"b0": 0.2, "b1": 0.2, "b2": 0.3, "b3": 0.3, "b4": 0.4, "b5": 0.4, "b6": 0.5, "b7": 0.5}[key[-2:]]
        family, title = "EfficientNet", f"EfficientNet-{key[-2:].upper()}"
        paper = "Tan & Le 2019, arXiv:1905.11946"
    else:
        setting = EFFICIENTNET_V2[key]
        last_channel = 1280
        norm = {"eps": 0.001}
        dropout = {"s": 0.2, "m": 0.3, "l": 0.4}[key[-1]]
        family, title = "EfficientNetV2", f"EfficientNetV2-{key[-1].upper()}"
        paper = "Tan & Le 2021, arXiv:2104.00298"
    features = [cna("0", setting[0][4], 3, 2, activation="SiLU", norm=norm)]
    for kind, t, k, s, inp, out, n in setting:
        make = mbconv if kind == "MBConv" else fused_mbconv
        stage = [make(str(j), inp if j == 0 else out, out, t, k, s if j == 0 else 1, norm) for j in range(n)]
        features.append(seq(str(len(features)), stage))
    features.append(cna(str(len(features)), last_channel, 1, activation="SiLU", norm=norm))
    classifier = dropout_linear(dropout)
    size = crop(key)
    data = {"name": title, "input": [1, 3, size, size],
            "layers": [seq("features", features), *classifier_head("avgpool", [classifier])]}  # fmt: skip
    last = len(features) - 2
    mb = ("MBConv blocks (a 1×1 expansion, a depthwise k×k, squeeze-and-excitation with SiLU and a sigmoid gate, "
          "a Multiply, and a linear 1×1)")  # fmt: skip
    if family == "EfficientNetV2":
        fused = "FusedMBConv blocks (a k×k expanding conv and a linear 1×1)"
        stages = f"`features.1` … `.3` hold {fused}, `.4` … `.{last}` {mb}"
        example = "features.4.0.block.2.fc1"
    else:
        stages, example = f"`features.1` … `.{last}` hold {mb}", "features.2.0.block.2.fc1"
    doc = textwrap.fill(
        f"{title} as torchvision.models.{key} defines it ({paper}), at its crop size {size}. {stages}, each "
        "with one nn.Sequential `block`; a block adds its input when it keeps the shape. SiLU activations; "
        "StochasticDepth (identity in eval, no parameters) is left out. Module names are torchvision's "
        f"(`{example}`).",
        width=104,
        break_on_hyphens=False,
    )
    return ZooModel(key, family, "classification", doc, data, key)


def models() -> list[ZooModel]:
    return [
        mobilenet_v2(),
        *(mobilenet_v3(key) for key in ("mobilenet_v3_small", "mobilenet_v3_large")),
        *(mnasnet(key) for key in MNASNET_ALPHA),
        *(shufflenet_v2(key) for key in SHUFFLENET_CHANNELS),
        *(efficientnet(key) for key in EFFICIENTNET_SCALE),
        *(efficientnet(key) for key in EFFICIENTNET_V2),
    ]
