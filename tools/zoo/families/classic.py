"""The classic CNNs as torchvision builds them: AlexNet, VGG, ResNet, ResNeXt, Wide ResNet,
DenseNet, SqueezeNet, GoogLeNet and Inception v3 (``torchvision/models/{alexnet,vgg,resnet,
densenet,squeezenet,googlenet,inception}.py``).

Each family is its configuration table (torchvision's ``cfgs``, ``layers``/``groups``/
``width_per_group``, ``block_config``…) and one function per block type; every row is
named as torchvision's module, so that its ``qualname`` is a ``state_dict`` prefix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import ZooModel

__all__ = ["models"]

PUBLISHED = Path(__file__).resolve().parents[3] / "convcalc" / "zoo" / "published.json"
NUM_CLASSES = 1000

Layer = dict[str, Any] | str


# -- layers -------------------------------------------------------------------------------


def conv(name: str, out: int, k: int | list[int], s: int = 1, p: int | list[int] = 0, *,
         groups: int = 1, bias: bool = True) -> dict[str, Any]:  # fmt: skip
    """A Conv2d row; the arguments at PyTorch's defaults are left out."""
    args: dict[str, Any] = {"name": name, "out_channels": out, "k": k}
    if s != 1:
        args["s"] = s
    if p != 0:
        args["p"] = p
    if groups != 1:
        args["g"] = groups
    if not bias:
        args["bias"] = False
    return {"Conv2d": args}


def bn(name: str, eps: float | None = None) -> dict[str, Any]:
    return {"BatchNorm2d": {"name": name} if eps is None else {"name": name, "eps": eps}}


def relu(name: str | None = None) -> Layer:
    """A ReLU module (named), or torchvision's functional ``F.relu`` (no module: no name)."""
    return "ReLU" if name is None else {"ReLU": {"name": name}}


def maxpool(name: str, k: int, s: int, p: int = 0, *, ceil: bool = False) -> dict[str, Any]:
    args: dict[str, Any] = {"name": name, "k": k, "s": s}
    if p:
        args["p"] = p
    if ceil:
        args["ceil_mode"] = True
    return {"MaxPool2d": args}


def linear(name: str, out: int) -> dict[str, Any]:
    return {"Linear": {"name": name, "out_features": out}}


def dropout(name: str, p: float) -> dict[str, Any]:
    return {"Dropout": {"name": name, "p": p}}


def avgpool(size: int) -> dict[str, Any]:
    """The classifier's ``avgpool``: nn.AdaptiveAvgPool2d((size, size))."""
    return {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": [size, size]}}


def seq(name: str, layers: list[Layer]) -> dict[str, Any]:
    return {"Sequential": {"name": name, "layers": layers}}


def concat(name: str | None, branches: list[list[Layer]], source: str | None = None) -> dict[str, Any]:
    """torch.cat of the branches' outputs along the channels (named as the module whose
    forward() does the cat, or unnamed when it is not a module of its own); ``source``:
    the tensor it reads when that is not the previous entry's output."""
    args: dict[str, Any] = {} if name is None else {"name": name}
    if source is not None:
        args["from"] = source
    return {"Concat": {**args, "dim": 1, "branches": branches}}


def network(title: str, crop: int, layers: list[Layer]) -> dict[str, Any]:
    return {"name": title, "input": [1, 3, crop, crop], "layers": layers}


# -- AlexNet ------------------------------------------------------------------------------


def alexnet() -> dict[str, Any]:
    features = [
        conv("0", 64, 11, 4, 2), relu("1"), maxpool("2", 3, 2),
        conv("3", 192, 5, p=2), relu("4"), maxpool("5", 3, 2),
        conv("6", 384, 3, p=1), relu("7"),
        conv("8", 256, 3, p=1), relu("9"),
        conv("10", 256, 3, p=1), relu("11"), maxpool("12", 3, 2),
    ]  # fmt: skip
    classifier = [
        dropout("0", 0.5), linear("1", 4096), relu("2"),
        dropout("3", 0.5), linear("4", 4096), relu("5"),
        linear("6", NUM_CLASSES),
    ]  # fmt: skip
    return network("AlexNet", 224, [seq("features", features), avgpool(6), "Flatten", seq("classifier", classifier)])


# -- VGG ----------------------------------------------------------------------------------

#: torchvision's ``cfgs``: numbers are 3×3 convolutions (padding 1) of that many channels, M a 2×2 max pool.
VGG_CFGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}
VGGS = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}


def vgg_features(cfg: list[int | str], batch_norm: bool) -> list[Layer]:
    """``make_layers``: one flat nn.Sequential, so its rows are named by their index there."""
    layers: list[Layer] = []
    for v in cfg:
        if v == "M":
            layers.append(maxpool(str(len(layers)), 2, 2))
            continue
        assert isinstance(v, int)
        layers.append(conv(str(len(layers)), v, 3, p=1))  # the bias stays, with or without BN
        if batch_norm:
            layers.append(bn(str(len(layers))))
        layers.append(relu(str(len(layers))))
    return layers


def vgg(title: str, cfg: list[int | str], batch_norm: bool) -> dict[str, Any]:
    classifier = [
        linear("0", 4096), relu("1"), dropout("2", 0.5),
        linear("3", 4096), relu("4"), dropout("5", 0.5),
        linear("6", NUM_CLASSES),
    ]  # fmt: skip
    features = seq("features", vgg_features(cfg, batch_norm))
    return network(title, 224, [features, avgpool(7), "Flatten", seq("classifier", classifier)])


# -- ResNet, ResNeXt, Wide ResNet -------------------------------------------------------

#: model → (title, block, blocks per stage, groups, width_per_group), as torchvision's builders.
RESNETS: dict[str, tuple[str, str, list[int], int, int]] = {
    "resnet18": ("ResNet-18", "basic", [2, 2, 2, 2], 1, 64),
    "resnet34": ("ResNet-34", "basic", [3, 4, 6, 3], 1, 64),
    "resnet50": ("ResNet-50", "bottleneck", [3, 4, 6, 3], 1, 64),
    "resnet101": ("ResNet-101", "bottleneck", [3, 4, 23, 3], 1, 64),
    "resnet152": ("ResNet-152", "bottleneck", [3, 8, 36, 3], 1, 64),
    "resnext50_32x4d": ("ResNeXt-50 32x4d", "bottleneck", [3, 4, 6, 3], 32, 4),
    "resnext101_32x8d": ("ResNeXt-101 32x8d", "bottleneck", [3, 4, 23, 3], 32, 8),
    "resnext101_64x4d": ("ResNeXt-101 64x4d", "bottleneck", [3, 4, 23, 3], 64, 4),
    "wide_resnet50_2": ("Wide ResNet-50-2", "bottleneck", [3, 4, 6, 3], 1, 128),
    "wide_resnet101_2": ("Wide ResNet-101-2", "bottleneck", [3, 4, 23, 3], 1, 128),
}
EXPANSION = {"basic": 1, "bottleneck": 4}
V1_5 = "ResNet v1.5: the stride is on the 3×3 convolution, not on the first 1×1"
STAGE_PLANES = (64, 128, 256, 512)


def basic_block(planes: int, stride: int) -> list[Layer]:
    """BasicBlock's body: two 3×3 convolutions, the first with the block's stride."""
    return [
        conv("conv1", planes, 3, stride, 1, bias=False), bn("bn1"), relu("relu"),
        conv("conv2", planes, 3, p=1, bias=False), bn("bn2"),
    ]  # fmt: skip


def bottleneck(planes: int, stride: int, groups: int, width_per_group: int) -> list[Layer]:
    """Bottleneck's body (ResNet v1.5: the stride is on the 3×3, which is grouped in ResNeXt).
    torchvision has one ReLU module, ``relu``, called after bn1 and bn2 (and after the sum)."""
    width = int(planes * (width_per_group / 64.0)) * groups
    return [
        conv("conv1", width, 1, bias=False), bn("bn1"), relu("relu"),
        conv("conv2", width, 3, stride, 1, groups=groups, bias=False), bn("bn2"), relu("relu"),
        conv("conv3", planes * EXPANSION["bottleneck"], 1, bias=False), bn("bn3"),
    ]  # fmt: skip


def resnet(title: str, block: str, depths: list[int], groups: int, width_per_group: int) -> dict[str, Any]:
    """A block is ``relu(body(x) + shortcut(x))``: a Residual named as torchvision's block,
    then the ReLU (unnamed: the same ``relu`` module, applied after the sum in forward())."""
    expansion = EXPANSION[block]
    inplanes = 64
    layers: list[Layer] = [conv("conv1", 64, 7, 2, 3, bias=False), bn("bn1"), relu("relu"), maxpool("maxpool", 3, 2, 1)]
    for i, (planes, depth) in enumerate(zip(STAGE_PLANES, depths, strict=True)):
        stage: list[Layer] = []
        for j in range(depth):
            stride = 2 if i > 0 and j == 0 else 1
            if block == "basic":
                body = basic_block(planes, stride)
            else:
                body = bottleneck(planes, stride, groups, width_per_group)
            residual: dict[str, Any] = {"name": str(j), "body": body}
            if j == 0 and (stride != 1 or inplanes != planes * expansion):
                downsample = [conv("0", planes * expansion, 1, stride, bias=False), bn("1")]
                residual["shortcut"] = [seq("downsample", downsample)]
            stage += [{"Residual": residual}, relu()]
            inplanes = planes * expansion
        layers.append(seq(f"layer{i + 1}", stage))
    layers += [avgpool(1), "Flatten", linear("fc", NUM_CLASSES)]
    return network(title, 224, layers)


# -- DenseNet -----------------------------------------------------------------------------

#: model → (growth_rate, block_config, num_init_features); bn_size 4, drop_rate 0 throughout.
DENSENETS: dict[str, tuple[int, tuple[int, ...], int]] = {
    "densenet121": (32, (6, 12, 24, 16), 64),
    "densenet161": (48, (6, 12, 36, 24), 96),
    "densenet169": (32, (6, 12, 32, 32), 64),
    "densenet201": (32, (6, 12, 48, 32), 64),
}
BN_SIZE = 4


def dense_layer(i: int, growth_rate: int) -> list[Layer]:
    """``denselayer{i}`` concatenated to its input: ``cat([x, layer(x)], 1)``."""
    layer = [
        bn("norm1"), relu("relu1"), conv("conv1", BN_SIZE * growth_rate, 1, bias=False),
        bn("norm2"), relu("relu2"), conv("conv2", growth_rate, 3, p=1, bias=False),
    ]  # fmt: skip
    return [concat(None, [[], [seq(f"denselayer{i}", layer)]])]


def transition(i: int, out: int) -> dict[str, Any]:
    return seq(f"transition{i}", [bn("norm"), relu("relu"), conv("conv", out, 1, bias=False),
                                  {"AvgPool2d": {"name": "pool", "k": 2, "s": 2}}])  # fmt: skip


def densenet(title: str, growth_rate: int, block_config: tuple[int, ...], num_init_features: int) -> dict[str, Any]:
    features: list[Layer] = [
        conv("conv0", num_init_features, 7, 2, 3, bias=False), bn("norm0"), relu("relu0"), maxpool("pool0", 3, 2, 1),
    ]  # fmt: skip
    channels = num_init_features
    for i, depth in enumerate(block_config, start=1):
        block: list[Layer] = []
        for j in range(1, depth + 1):
            block += dense_layer(j, growth_rate)
        features.append(seq(f"denseblock{i}", block))
        channels += depth * growth_rate
        if i != len(block_config):
            channels //= 2
            features.append(transition(i, channels))
    features.append(bn("norm5"))
    layers: list[Layer] = [
        seq("features", features),
        relu(),  # F.relu, F.adaptive_avg_pool2d and torch.flatten in forward()
        {"AdaptiveAvgPool2d": {"output_size": [1, 1]}},
        "Flatten",
        linear("classifier", NUM_CLASSES),
    ]
    return network(title, 224, layers)


# -- SqueezeNet ---------------------------------------------------------------------------

#: ``features`` of each version: a stem convolution (out, k), then Fire modules
#: (squeeze, expand1x1, expand3x3) and "M" (MaxPool2d(3, 2, ceil_mode=True)), in order.
SQUEEZENETS: dict[str, tuple[str, tuple[int, int], list[tuple[int, int, int] | str]]] = {
    "squeezenet1_0": ("SqueezeNet 1.0", (96, 7), [
        (16, 64, 64), (16, 64, 64), (32, 128, 128), "M",
        (32, 128, 128), (48, 192, 192), (48, 192, 192), (64, 256, 256), "M", (64, 256, 256),
    ]),
    "squeezenet1_1": ("SqueezeNet 1.1", (64, 3), [
        (16, 64, 64), (16, 64, 64), "M", (32, 128, 128), (32, 128, 128), "M",
        (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256),
    ]),
}  # fmt: skip


def fire(name: str, squeeze: int, e1: int, e3: int) -> dict[str, Any]:
    """Fire: a 1×1 squeeze, then a 1×1 and a 3×3 expansion concatenated."""
    expand1x1 = [conv("expand1x1", e1, 1), relu("expand1x1_activation")]
    expand3x3 = [conv("expand3x3", e3, 3, p=1), relu("expand3x3_activation")]
    return seq(name, [conv("squeeze", squeeze, 1), relu("squeeze_activation"), concat(None, [expand1x1, expand3x3])])


def squeezenet(title: str, stem: tuple[int, int], modules: list[tuple[int, int, int] | str]) -> dict[str, Any]:
    features: list[Layer] = [conv("0", stem[0], stem[1], 2), relu("1"), maxpool("2", 3, 2, ceil=True)]
    for m in modules:
        name = str(len(features))
        features.append(maxpool(name, 3, 2, ceil=True) if m == "M" else fire(name, *m))
    classifier = [
        dropout("0", 0.5), conv("1", NUM_CLASSES, 1), relu("2"),  # conv "1" is torchvision's final_conv
        {"AdaptiveAvgPool2d": {"name": "3", "output_size": [1, 1]}},
    ]  # fmt: skip
    return network(title, 224, [seq("features", features), seq("classifier", classifier), "Flatten"])


# -- GoogLeNet and Inception v3 ---------------------------------------------------------


def basic_conv(name: str, out: int, k: int | list[int], s: int = 1, p: int | list[int] = 0) -> dict[str, Any]:
    """BasicConv2d: ``conv`` (no bias), ``bn`` (eps 0.001), then F.relu (no module)."""
    return seq(name, [conv("conv", out, k, s, p, bias=False), bn("bn", 0.001), relu()])


#: After the stem: Inception modules (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) and
#: max pools (their kernel size; stride 2, ceil_mode), as torchvision's GoogLeNet declares them.
GOOGLENET: list[tuple[str, tuple[int, ...] | int]] = [
    ("inception3a", (64, 96, 128, 16, 32, 32)),
    ("inception3b", (128, 128, 192, 32, 96, 64)),
    ("maxpool3", 3),
    ("inception4a", (192, 96, 208, 16, 48, 64)),
    ("inception4b", (160, 112, 224, 24, 64, 64)),
    ("inception4c", (128, 128, 256, 24, 64, 64)),
    ("inception4d", (112, 144, 288, 32, 64, 64)),
    ("inception4e", (256, 160, 320, 32, 128, 128)),
    ("maxpool4", 2),
    ("inception5a", (256, 160, 320, 32, 128, 128)),
    ("inception5b", (384, 192, 384, 48, 128, 128)),
]


def inception_v1(
    name: str, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int, ch5x5: int, pool_proj: int
) -> dict[str, Any]:
    """GoogLeNet's Inception: four branches concatenated. Its "5×5" branch is a 3×3 in
    torchvision (pytorch/vision#906), kept so that the published weights load."""
    return concat(name, [
        [basic_conv("branch1", ch1x1, 1)],
        [seq("branch2", [basic_conv("0", ch3x3red, 1), basic_conv("1", ch3x3, 3, p=1)])],
        [seq("branch3", [basic_conv("0", ch5x5red, 1), basic_conv("1", ch5x5, 3, p=1)])],
        [seq("branch4", [maxpool("0", 3, 1, 1, ceil=True), basic_conv("1", pool_proj, 1)])],
    ])  # fmt: skip


def googlenet() -> dict[str, Any]:
    layers: list[Layer] = [
        basic_conv("conv1", 64, 7, 2, 3), maxpool("maxpool1", 3, 2, ceil=True),
        basic_conv("conv2", 64, 1), basic_conv("conv3", 192, 3, p=1), maxpool("maxpool2", 3, 2, ceil=True),
    ]  # fmt: skip
    for name, spec in GOOGLENET:
        layers.append(maxpool(name, spec, 2, ceil=True) if isinstance(spec, int) else inception_v1(name, *spec))
    layers += [avgpool(1), "Flatten", dropout("dropout", 0.2), linear("fc", NUM_CLASSES)]
    return network("GoogLeNet", 224, layers)


def pool3x3(kind: str, s: int, p: int = 0) -> dict[str, Any]:
    """F.avg_pool2d / F.max_pool2d(kernel_size=3) in forward(): no module, no name."""
    return {kind: {"k": 3, "s": s, "p": p} if p else {"k": 3, "s": s}}


def inception_a(name: str, pool_features: int) -> dict[str, Any]:
    return concat(name, [
        [basic_conv("branch1x1", 64, 1)],
        [basic_conv("branch5x5_1", 48, 1), basic_conv("branch5x5_2", 64, 5, p=2)],
        [basic_conv("branch3x3dbl_1", 64, 1), basic_conv("branch3x3dbl_2", 96, 3, p=1),
         basic_conv("branch3x3dbl_3", 96, 3, p=1)],
        [pool3x3("AvgPool2d", 1, 1), basic_conv("branch_pool", pool_features, 1)],
    ])  # fmt: skip


def inception_b(name: str) -> dict[str, Any]:
    return concat(name, [
        [basic_conv("branch3x3", 384, 3, 2)],
        [basic_conv("branch3x3dbl_1", 64, 1), basic_conv("branch3x3dbl_2", 96, 3, p=1),
         basic_conv("branch3x3dbl_3", 96, 3, 2)],
        [pool3x3("MaxPool2d", 2)],
    ])  # fmt: skip


def inception_c(name: str, c7: int) -> dict[str, Any]:
    """Factorised 7×7 convolutions: (1, 7) and (7, 1) pairs."""

    def c1x7(name: str, out: int) -> dict[str, Any]:
        return basic_conv(name, out, [1, 7], p=[0, 3])

    def c7x1(name: str, out: int) -> dict[str, Any]:
        return basic_conv(name, out, [7, 1], p=[3, 0])

    return concat(name, [
        [basic_conv("branch1x1", 192, 1)],
        [basic_conv("branch7x7_1", c7, 1), c1x7("branch7x7_2", c7), c7x1("branch7x7_3", 192)],
        [basic_conv("branch7x7dbl_1", c7, 1), c7x1("branch7x7dbl_2", c7), c1x7("branch7x7dbl_3", c7),
         c7x1("branch7x7dbl_4", c7), c1x7("branch7x7dbl_5", 192)],
        [pool3x3("AvgPool2d", 1, 1), basic_conv("branch_pool", 192, 1)],
    ])  # fmt: skip


def inception_d(name: str, source: str) -> dict[str, Any]:
    return concat(name, [
        [basic_conv("branch3x3_1", 192, 1), basic_conv("branch3x3_2", 320, 3, 2)],
        [basic_conv("branch7x7x3_1", 192, 1), basic_conv("branch7x7x3_2", 192, [1, 7], p=[0, 3]),
         basic_conv("branch7x7x3_3", 192, [7, 1], p=[3, 0]), basic_conv("branch7x7x3_4", 192, 3, 2)],
        [pool3x3("MaxPool2d", 2)],
    ], source)  # fmt: skip


def inception_e(name: str) -> dict[str, Any]:
    """Expanded filter banks: a (1, 3) and a (3, 1) convolution of the same tensor, concatenated."""

    def split(a: str, b: str) -> dict[str, Any]:
        return concat(None, [[basic_conv(a, 384, [1, 3], p=[0, 1])], [basic_conv(b, 384, [3, 1], p=[1, 0])]])

    return concat(name, [
        [basic_conv("branch1x1", 320, 1)],
        [basic_conv("branch3x3_1", 384, 1), split("branch3x3_2a", "branch3x3_2b")],
        [basic_conv("branch3x3dbl_1", 448, 1), basic_conv("branch3x3dbl_2", 384, 3, p=1),
         split("branch3x3dbl_3a", "branch3x3dbl_3b")],
        [pool3x3("AvgPool2d", 1, 1), basic_conv("branch_pool", 192, 1)],
    ])  # fmt: skip


def inception_aux() -> dict[str, Any]:
    """``AuxLogits`` (InceptionAux(768)): runs on Mixed_6e's output in training mode only."""
    layers: list[Layer] = [
        {"AvgPool2d": {"k": 5, "s": 3}},  # F.avg_pool2d in forward()
        basic_conv("conv0", 128, 1), basic_conv("conv1", 768, 5),
        {"AdaptiveAvgPool2d": {"output_size": [1, 1]}}, "Flatten",  # F.adaptive_avg_pool2d, torch.flatten
        linear("fc", NUM_CLASSES),
    ]  # fmt: skip
    return {"Sequential": {"name": "AuxLogits", "from": "Mixed_6e", "training_only": True, "layers": layers}}


def inception_v3() -> dict[str, Any]:
    layers: list[Layer] = [
        basic_conv("Conv2d_1a_3x3", 32, 3, 2), basic_conv("Conv2d_2a_3x3", 32, 3),
        basic_conv("Conv2d_2b_3x3", 64, 3, p=1), maxpool("maxpool1", 3, 2),
        basic_conv("Conv2d_3b_1x1", 80, 1), basic_conv("Conv2d_4a_3x3", 192, 3), maxpool("maxpool2", 3, 2),
        inception_a("Mixed_5b", 32), inception_a("Mixed_5c", 64), inception_a("Mixed_5d", 64),
        inception_b("Mixed_6a"),
        inception_c("Mixed_6b", 128), inception_c("Mixed_6c", 160), inception_c("Mixed_6d", 160),
        inception_c("Mixed_6e", 192),
        inception_aux(),
        inception_d("Mixed_7a", "Mixed_6e"),  # after the AuxLogits branch, it reads Mixed_6e again
        inception_e("Mixed_7b"), inception_e("Mixed_7c"),
        avgpool(1), dropout("dropout", 0.5), "Flatten", linear("fc", NUM_CLASSES),
    ]  # fmt: skip
    return network("Inception v3", 299, layers)


# -- the catalogue ------------------------------------------------------------------------

DOCS = {
    "alexnet": """\
AlexNet as torchvision.models.alexnet defines it (the one-GPU variant of arXiv:1404.5997).
Each row is named as in torchvision (`features.0`, `classifier.1`): its state_dict keys.""",
    "vgg": """\
{title} (configuration {cfg} of arXiv:1409.1556) as torchvision.models.{name} defines it:
3×3 convolutions with padding 1, {bn}.
torchvision's `features` is one flat nn.Sequential, so its rows are named by their index
there (`features.0`, `features.{last}`): PyTorch's module names, as in its state_dict keys.""",
    "resnet": """\
{title} as torchvision.models.{name} defines it ({paper}).
{kind}s {depths}{detail}.
A block is `relu(body(x) + shortcut(x))`: a Residual named as torchvision's block (`layer2.0`),
then the ReLU. The first block of a stage that changes the size or the channels has
torchvision's `downsample` (1×1 convolution with the block's stride, then batch norm) as its
shortcut. The names are torchvision's (`layer2.0.conv1`, `layer2.0.downsample.0`): state_dict keys.""",
    "densenet": """\
{title} as torchvision.models.{name} defines it (DenseNet-BC, arXiv:1608.06993): growth
rate {growth}, dense blocks of {config} layers, bottlenecks of 4 × growth, compression 0.5.
A dense layer's output is concatenated to its input: a Concat of the identity and the layer.
The final ReLU, pooling and flatten are functional in torchvision (unnamed rows). The names
are torchvision's (`features.denseblock3.denselayer1.conv2`), as in its state_dict keys.""",
    "squeezenet": """\
{title} as torchvision.models.{name} defines it (arXiv:1602.07360{v11}).
A Fire module squeezes the channels with a 1×1 convolution, then concatenates a 1×1 and
a 3×3 expansion: a Concat of two branches. Its max pools use ceil_mode. The names are
torchvision's (`features.3` is a Fire, `features.3.expand3x3` its 3×3 convolution), as in
its state_dict keys.""",
    "googlenet": """\
GoogLeNet (Inception v1, arXiv:1409.4842) as torchvision.models.googlenet defines it, without
the auxiliary heads (as published: loading its weights sets aux1 = aux2 = None), and with
transform_input=False. BasicConv2d is Conv2d without bias (`conv`), BatchNorm2d with eps 0.001
(`bn`), then F.relu (no module, so no name). An Inception module concatenates four branches; the
"5×5" branch is in fact a 3×3 convolution in torchvision (kept so that its weights load), as here.
The names are torchvision's (`inception3a.branch2.0.conv`), as in its state_dict keys.""",
    "inception_v3": """\
Inception v3 (arXiv:1512.00567) as torchvision.models.inception_v3 defines it, at 299×299.
BasicConv2d is Conv2d without bias (`conv`), BatchNorm2d with eps 0.001 (`bn`), then F.relu.
AuxLogits runs on Mixed_6e's output in training only: `training_only: true`, so its parameters
count (the published 27,161,264 include them) and its MACs are reported apart (the published
5.713 GMACs are eval mode's). The names are torchvision's (`Mixed_6b.branch7x7dbl_3.conv`,
`AuxLogits.conv1.bn`), as in its state_dict keys.""",
}


def models() -> list[ZooModel]:
    crops = {k: v["crop_size"] for k, v in json.loads(PUBLISHED.read_text(encoding="utf-8"))["models"].items()}
    found = [ZooModel("alexnet", "AlexNet", "classification", DOCS["alexnet"], alexnet(), "alexnet")]
    for base, cfg in VGGS.items():
        for batch_norm in (False, True):
            name = base + ("_bn" if batch_norm else "")
            title = f"VGG-{base[3:]}" + ("-BN" if batch_norm else "")
            data = vgg(title, VGG_CFGS[cfg], batch_norm)
            last = data["layers"][0]["Sequential"]["layers"][-1]["MaxPool2d"]["name"]
            bn_text = "each followed by batch norm (they keep their bias)" if batch_norm else "no batch norm"
            doc = DOCS["vgg"].format(title=title, cfg=cfg, name=name, bn=bn_text, last=last)
            found.append(ZooModel(name, "VGG", "classification", doc, data, name))
    for name, (title, block, depths, groups, wpg) in RESNETS.items():
        family = "ResNeXt" if groups > 1 else "WideResNet" if wpg > 64 else "ResNet"
        kind = "BasicBlock" if block == "basic" else "Bottleneck"
        paper = {"ResNet": "arXiv:1512.03385", "ResNeXt": "arXiv:1611.05431", "WideResNet": "arXiv:1605.07146"}[family]
        detail = {
            "ResNet": " of two 3×3 convolutions" if block == "basic" else "; " + V1_5,
            "ResNeXt": f" whose 3×3 convolution has {groups} groups of width {wpg} (v1.5: the stride on it)",
            "WideResNet": f" {wpg // 64}× as wide inside (width_per_group {wpg}; v1.5: the stride on the 3×3)",
        }[family]
        doc = DOCS["resnet"].format(title=title, name=name, paper=paper, kind=kind, depths=depths, detail=detail)
        found.append(ZooModel(name, family, "classification", doc, resnet(title, block, depths, groups, wpg), name))
    for name, (growth, config, init) in DENSENETS.items():
        title = f"DenseNet-{name[8:]}"
        doc = DOCS["densenet"].format(title=title, name=name, growth=growth, config=list(config))
        found.append(ZooModel(name, "DenseNet", "classification", doc, densenet(title, growth, config, init), name))
    for name, (title, stem, modules) in SQUEEZENETS.items():
        v11 = ", v1.1 of its repository" if name.endswith("1_1") else ""
        doc = DOCS["squeezenet"].format(title=title, name=name, v11=v11)
        found.append(ZooModel(name, "SqueezeNet", "classification", doc, squeezenet(title, stem, modules), name))
    found.append(ZooModel("googlenet", "GoogLeNet", "classification", DOCS["googlenet"], googlenet(), "googlenet"))
    found.append(ZooModel("inception_v3", "InceptionV3", "classification", DOCS["inception_v3"], inception_v3(),
                          "inception_v3"))  # fmt: skip
    for model in found:
        crop = crops[model.published or model.name]
        assert model.data["input"] == [1, 3, crop, crop], (model.name, crop)
    return found
