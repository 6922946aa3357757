"""The networks beyond ImageNet classification, with their reference implementations' module names.

Segmentation: the original U-Net, torchvision's fcn_resnet50 and deeplabv3_resnet50 (with and
without their aux head). Detection: ultralytics YOLOv8n. Generation: the PyTorch DCGAN tutorial's
generator and discriminator. Video: C3D and torchvision's r2plus1d_18. Audio: the torchaudio
tutorial's M5 and a gated WaveNet. And ZF Net, as Zeiler & Fergus's Fig. 3 gives it.

Where a model is a graph whose tensors are read from outside the block that makes them (an aux
head on ``layer3``, YOLO's neck, WaveNet's skip sum), its rows are written at the top level with
dotted names (``backbone.layer3``, ``model.6``, ``skip_convs.3``): a name is visible only in its
own list and the lists inside it, and a dotted name gives the same qualname as nesting would.
"""

from __future__ import annotations

from typing import Any

from ..model import ZooModel

__all__ = ["models"]

Layer = dict[str, Any] | str


# -- layers -------------------------------------------------------------------------------


def conv(kind: str, name: str | None, out: int, k: int | list[int], s: int | list[int] = 1,
         p: int | list[int] = 0, *, d: int = 1, bias: bool = True, source: str | int | None = None,
         trainable: bool = True) -> dict[str, Any]:  # fmt: skip
    """A ``Conv1d``/``Conv2d``/``Conv3d``/``ConvTranspose2d`` row (``kind``) reading ``source``
    (default: the previous entry); PyTorch's defaults left out."""
    args: dict[str, Any] = {} if name is None else {"name": name}
    if source is not None:
        args["from"] = source
    args.update({"out_channels": out, "k": k})
    if s != 1:
        args["s"] = s
    if p != 0:
        args["p"] = p
    if d != 1:
        args["d"] = d
    if not bias:
        args["bias"] = False
    if not trainable:
        args["trainable"] = False
    return {kind: args}


def conv2d(name: str | None, out: int, k: int, s: int = 1, p: int = 0, **extra: Any) -> dict[str, Any]:
    return conv("Conv2d", name, out, k, s, p, **extra)


def named(kind: str, name: str | None, **args: Any) -> Layer:
    """A layer with no parameters: named when it is a module of the reference, bare when it is
    something its forward() does (F.relu, torch.flatten)."""
    if name is None and not args:
        return kind
    return {kind: ({} if name is None else {"name": name}) | args}


def seq(name: str | None, layers: list[Layer], **extra: Any) -> dict[str, Any]:
    return {"Sequential": ({} if name is None else {"name": name}) | extra | {"layers": layers}}


# -- U-Net --------------------------------------------------------------------------------

UNET_WIDTHS = (64, 128, 256, 512, 1024)  # channels of the five levels (Fig. 1)
UNET_CLASSES = 2
UNET_INPUT = 572


def double_conv(out: int) -> dict[str, Any]:
    """Pytorch-UNet's ``DoubleConv`` as the paper has it: two unpadded 3×3 convolutions with bias,
    each followed by a ReLU, and no batch norm (``double_conv.0`` … ``.3``)."""
    return seq("double_conv", [
        conv2d("0", out, 3), named("ReLU", "1", inplace=True),
        conv2d("2", out, 3), named("ReLU", "3", inplace=True),
    ])  # fmt: skip


def unet() -> dict[str, Any]:
    """Contracting path ``inc``, ``down1..4`` (2×2 max pool, then a DoubleConv); expanding path
    ``up1..4``: a 2×2 up-convolution halving the channels, the centre crop of the skip tensor
    (two Slices), ``torch.cat([skip, up], 1)`` and a DoubleConv; ``outc`` a 1×1 convolution."""
    size = UNET_INPUT - 4
    layers: list[Layer] = [seq("inc", [double_conv(UNET_WIDTHS[0])])]
    sizes = {"inc": size}
    for i, width in enumerate(UNET_WIDTHS[1:], start=1):
        down = [named("MaxPool2d", "0", k=2), seq("1", [double_conv(width)])]
        layers.append(seq(f"down{i}", [seq("maxpool_conv", down)]))
        size = size // 2 - 4
        sizes[f"down{i}"] = size
    for i, width in enumerate(reversed(UNET_WIDTHS[:-1]), start=1):
        skip = "inc" if i == 4 else f"down{4 - i}"
        size *= 2
        start = (sizes[skip] - size) // 2
        up = [
            conv("ConvTranspose2d", "up", width, 2, 2),
            {"Slice": {"from": skip, "dim": 2, "start": start, "end": start + size}},
            {"Slice": {"dim": 3, "start": start, "end": start + size}},
            {"Concat": {"from": [-1, "up"], "dim": 1}},
            seq("conv", [double_conv(width)]),
        ]
        layers.append(seq(f"up{i}", up))
        size -= 4
    layers.append(seq("outc", [conv2d("conv", UNET_CLASSES, 1)]))
    return {"name": "U-Net", "input": [1, 1, UNET_INPUT, UNET_INPUT], "layers": layers}


# -- FCN and DeepLabV3 (torchvision/models/segmentation) -------------------------------------

SEG_CLASSES = 21  # COCO_WITH_VOC_LABELS_V1
SEG_INPUT = 520
#: resnet50(replace_stride_with_dilation=[False, True, True]): (planes, blocks, stride, dilate).
RESNET50_STAGES = ((64, 3, 1, False), (128, 4, 2, False), (256, 6, 2, True), (512, 3, 2, True))
ASPP_RATES = (12, 24, 36)
ASPP_CHANNELS = 256


def bottleneck(name: str, planes: int, stride: int, dilation: int, downsample: bool) -> dict[str, Any]:
    """torchvision's Bottleneck: ``relu(body(x) + shortcut(x))``; the 3×3 conv2 carries the stride
    and the dilation (padding = dilation)."""
    body = [
        conv2d("conv1", planes, 1, bias=False), named("BatchNorm2d", "bn1"), named("ReLU", "relu", inplace=True),
        conv2d("conv2", planes, 3, stride, dilation, d=dilation, bias=False), named("BatchNorm2d", "bn2"),
        named("ReLU", "relu", inplace=True),
        conv2d("conv3", planes * 4, 1, bias=False), named("BatchNorm2d", "bn3"),
    ]  # fmt: skip
    residual: dict[str, Any] = {"body": body}
    if downsample:
        downsample_layers = [conv2d("0", planes * 4, 1, stride, bias=False), named("BatchNorm2d", "1")]
        residual["shortcut"] = [seq("downsample", downsample_layers)]
    return seq(name, [{"Residual": residual}, named("ReLU", "relu", inplace=True)])


def dilated_resnet50_backbone() -> list[Layer]:
    """IntermediateLayerGetter(resnet50(replace_stride_with_dilation=[False, True, True])): the
    ResNet-50 up to layer4 (no avgpool, no fc); ``_make_layer`` turns the stride 2 of layer3 and
    layer4 into dilation, the first block of a stage keeping the previous dilation."""
    layers: list[Layer] = [
        conv2d("backbone.conv1", 64, 7, 2, 3, bias=False), named("BatchNorm2d", "backbone.bn1"),
        named("ReLU", "backbone.relu", inplace=True), named("MaxPool2d", "backbone.maxpool", k=3, s=2, p=1),
    ]  # fmt: skip
    inplanes, dilation = 64, 1
    for i, (planes, blocks, stride, dilate) in enumerate(RESNET50_STAGES, start=1):
        previous = dilation
        if dilate:
            dilation *= stride
            stride = 1
        stage = [bottleneck("0", planes, stride, previous, stride != 1 or inplanes != planes * 4)]
        stage += [bottleneck(str(j), planes, 1, dilation, False) for j in range(1, blocks)]
        layers.append(seq(f"backbone.layer{i}", stage))
        inplanes = planes * 4
    return layers


def fcn_head(name: str, in_channels: int, **extra: Any) -> dict[str, Any]:
    """torchvision's FCNHead: 3×3 conv to in/4 channels, BN, ReLU, Dropout(0.1), 1×1 conv to the classes."""
    return seq(name, [
        conv2d("0", in_channels // 4, 3, p=1, bias=False), named("BatchNorm2d", "1"), named("ReLU", "2"),
        named("Dropout", "3", p=0.1), conv2d("4", SEG_CLASSES, 1),
    ], **extra)  # fmt: skip


def deeplab_head(feature_size: int) -> dict[str, Any]:
    """DeepLabHead: ASPP (``classifier.0``: a 1×1 branch, three atrous 3×3 branches and the image
    pooling branch, concatenated and projected), then 3×3 conv, BN, ReLU, 1×1 conv. ASPPPooling
    ends with ``F.interpolate(size=x.shape[-2:], mode="bilinear")`` back to the feature size."""

    def cbr(out: int, k: int, rate: int = 1) -> list[Layer]:
        padding = rate if k == 3 else 0
        return [conv2d("0", out, k, p=padding, d=rate, bias=False), named("BatchNorm2d", "1"), named("ReLU", "2")]

    branches = [[seq("0", cbr(ASPP_CHANNELS, 1))]]
    branches += [[seq(str(i), cbr(ASPP_CHANNELS, 3, rate))] for i, rate in enumerate(ASPP_RATES, start=1)]
    pooling = [
        named("AdaptiveAvgPool2d", "0", output_size=1), conv2d("1", ASPP_CHANNELS, 1, bias=False),
        named("BatchNorm2d", "2"), named("ReLU", "3"),
        named("Upsample", None, size=[feature_size, feature_size], mode="bilinear", align_corners=False),
    ]  # fmt: skip
    branches.append([seq(str(len(ASPP_RATES) + 1), pooling)])
    project = [
        conv2d("0", ASPP_CHANNELS, 1, bias=False), named("BatchNorm2d", "1"), named("ReLU", "2"),
        named("Dropout", "3", p=0.5),
    ]  # fmt: skip
    aspp = seq("0", [{"Concat": {"name": "convs", "dim": 1, "branches": branches}}, seq("project", project)])
    return seq("classifier", [
        aspp, conv2d("1", ASPP_CHANNELS, 3, p=1, bias=False), named("BatchNorm2d", "2"), named("ReLU", "3"),
        conv2d("4", SEG_CLASSES, 1),
    ])  # fmt: skip


def segmentation(title: str, head: str, aux: bool) -> dict[str, Any]:
    """``_SimpleSegmentationModel``: backbone, classifier on layer4 and, with ``aux``, FCNHead(1024)
    on layer3; each output resized to the input by ``F.interpolate(size, mode="bilinear",
    align_corners=False)``. ``out`` and ``aux`` name the outputs as torchvision's result dict keys."""
    feature_size = (SEG_INPUT + 1) // 2  # conv1, stride 2
    feature_size = (feature_size + 1) // 2  # maxpool, stride 2
    feature_size = (feature_size + 1) // 2  # layer2, stride 2; layer3 and layer4 are dilated
    resize = {"size": [SEG_INPUT, SEG_INPUT], "mode": "bilinear", "align_corners": False}
    layers = dilated_resnet50_backbone()
    layers.append(deeplab_head(feature_size) if head == "deeplabv3" else fcn_head("classifier", 2048))
    layers.append(named("Upsample", "out", **resize))
    data: dict[str, Any] = {"name": title, "input": [1, 3, SEG_INPUT, SEG_INPUT], "layers": layers}
    if aux:
        layers += [fcn_head("aux_classifier", 1024, **{"from": "backbone.layer3"}), named("Upsample", "aux", **resize)]
        data["outputs"] = ["out", "aux"]
    return data


# -- YOLOv8n (ultralytics) ----------------------------------------------------------------

YOLO_DEPTH, YOLO_WIDTH, YOLO_MAX_CHANNELS = 0.33, 0.25, 1024  # yolov8.yaml, scales: n
YOLO_CLASSES = 80
YOLO_INPUT = 640
REG_MAX = 16  # Detect's DFL bins
#: yolov8.yaml, backbone + head: (from, repeats, module, args), as ultralytics writes them.
YOLOV8: list[tuple[int | list[int], int, str, list[Any]]] = [
    (-1, 1, "Conv", [64, 3, 2]),  # 0-P1/2
    (-1, 1, "Conv", [128, 3, 2]),  # 1-P2/4
    (-1, 3, "C2f", [128, True]),
    (-1, 1, "Conv", [256, 3, 2]),  # 3-P3/8
    (-1, 6, "C2f", [256, True]),
    (-1, 1, "Conv", [512, 3, 2]),  # 5-P4/16
    (-1, 6, "C2f", [512, True]),
    (-1, 1, "Conv", [1024, 3, 2]),  # 7-P5/32
    (-1, 3, "C2f", [1024, True]),
    (-1, 1, "SPPF", [1024, 5]),  # 9
    (-1, 1, "Upsample", [None, 2, "nearest"]),
    ([-1, 6], 1, "Concat", [1]),  # cat backbone P4
    (-1, 3, "C2f", [512]),  # 12
    (-1, 1, "Upsample", [None, 2, "nearest"]),
    ([-1, 4], 1, "Concat", [1]),  # cat backbone P3
    (-1, 3, "C2f", [256]),  # 15 (P3/8-small)
    (-1, 1, "Conv", [256, 3, 2]),
    ([-1, 12], 1, "Concat", [1]),  # cat head P4
    (-1, 3, "C2f", [512]),  # 18 (P4/16-medium)
    (-1, 1, "Conv", [512, 3, 2]),
    ([-1, 9], 1, "Concat", [1]),  # cat head P5
    (-1, 3, "C2f", [1024]),  # 21 (P5/32-large)
    ([15, 18, 21], 1, "Detect", [YOLO_CLASSES]),  # Detect(P3, P4, P5)
]


def make_divisible(x: float, divisor: int) -> int:
    return int(-(-x // divisor) * divisor)  # math.ceil(x / divisor) * divisor


def yolo_conv(name: str, out: int, k: int = 1, s: int = 1, **extra: Any) -> dict[str, Any]:
    """ultralytics ``Conv``: Conv2d (autopad k // 2, no bias), BatchNorm2d (eps 1e-3, momentum
    0.03 as ``initialize_weights`` sets them), SiLU."""
    return seq(name, [
        conv2d("conv", out, k, s, k // 2, bias=False), named("BatchNorm2d", "bn", eps=0.001, momentum=0.03),
        named("SiLU", "act"),
    ], **extra)  # fmt: skip


def c2f(name: str, out: int, n: int, shortcut: bool) -> dict[str, Any]:
    """``C2f``: cv1 (1×1 to 2c), ``chunk(2, 1)``, n Bottlenecks ``m.i`` (two 3×3 Convs, plus the
    input when ``shortcut``) on the last piece, each on the previous one's output, then cv2 (1×1)
    on the concatenation of both pieces and every Bottleneck's output."""
    c = int(out * 0.5)
    layers: list[Layer] = [
        yolo_conv("cv1", 2 * c),
        {"Slice": {"from": "cv1", "dim": 1, "start": 0, "end": c}},
        {"Slice": {"from": "cv1", "dim": 1, "start": c}},
    ]
    for i in range(n):
        convs: list[Layer] = [yolo_conv("cv1", c, 3), yolo_conv("cv2", c, 3)]
        layers.append(seq(f"m.{i}", [{"Residual": {"body": convs}}] if shortcut else convs))
    layers.append({"Concat": {"from": [-(n + 2), -(n + 1), *(f"m.{i}" for i in range(n))], "dim": 1}})
    layers.append(yolo_conv("cv2", out))
    return seq(name, layers)


def sppf(name: str, c1: int, out: int, k: int) -> dict[str, Any]:
    """``SPPF``: cv1 (1×1 to c1/2), the same max pool ``m`` three times in a row, cv2 on the
    concatenation of the four."""
    pool = named("MaxPool2d", "m", k=k, s=1, p=k // 2)
    return seq(name, [yolo_conv("cv1", c1 // 2), pool, pool, pool, {"Concat": {"from": [-4, -3, -2, -1], "dim": 1}},
                      yolo_conv("cv2", out)])  # fmt: skip


def detect(name: str, sources: list[str], channels: list[int], strides: list[int]) -> list[Layer]:
    """``Detect``: per scale, ``cv2.i`` (box: two 3×3 Convs, 1×1 Conv2d to 4·16) and ``cv3.i``
    (classes: two 3×3 Convs, 1×1 Conv2d to 80), concatenated (``p3``…``p5``). In eval mode the
    three maps are flattened and concatenated (8400 anchors), the box part goes through the DFL
    (softmax over 16 bins, then a frozen 1×1 conv with weights 0…15) and the classes through a
    sigmoid; ``y`` is ``cat(dbox, cls)``. dist2bbox and × strides are elementwise: not rows."""
    c2 = max(16, channels[0] // 4, REG_MAX * 4)
    c3 = max(channels[0], min(YOLO_CLASSES, 100))
    layers: list[Layer] = []
    outputs = []
    for i, (source, stride) in enumerate(zip(sources, strides, strict=True)):
        box = [yolo_conv("0", c2, 3), yolo_conv("1", c2, 3), conv2d("2", 4 * REG_MAX, 1)]
        cls = [yolo_conv("0", c3, 3), yolo_conv("1", c3, 3), conv2d("2", YOLO_CLASSES, 1)]
        outputs.append(f"p{stride.bit_length() - 1}")  # stride 8 → p3
        layers += [
            seq(f"{name}.cv2.{i}", box, **{"from": source}),
            seq(f"{name}.cv3.{i}", cls, **{"from": source}),
            {"Concat": {"name": outputs[-1], "from": [-2, -1], "dim": 1}},
        ]
    no = YOLO_CLASSES + 4 * REG_MAX
    layers += [{"Reshape": {"from": source, "shape": [no, -1]}} for source in outputs]
    layers += [
        {"Concat": {"from": [-3, -2, -1], "dim": 2}},  # x_cat: (1, 144, 8400)
        {"Slice": {"dim": 1, "start": 0, "end": 4 * REG_MAX}},  # box
        {"Reshape": {"shape": [4, REG_MAX, -1]}},
        {"Permute": {"dims": [0, 2, 1, 3]}},
        {"Softmax": {"dim": 1}},
        conv2d(f"{name}.dfl.conv", 1, 1, bias=False, trainable=False),  # requires_grad_(False): weights 0…15
        {"Reshape": {"shape": [4, -1]}},  # dbox
        {"Slice": {"from": -7, "dim": 1, "start": 4 * REG_MAX}},  # cls
        "Sigmoid",
        {"Concat": {"name": "y", "from": [-3, -1], "dim": 1}},
    ]
    return layers


def yolov8n() -> dict[str, Any]:
    """``parse_model``: repeats ``max(round(n · depth), 1)``, channels ``make_divisible(min(c,
    max_channels) · width, 8)``; every module is ``model.i`` of DetectionModel's nn.Sequential."""
    channels: list[int] = []  # of each module's output, as parse_model's ch
    strides: list[int] = []
    layers: list[Layer] = []
    for i, (source, repeats, module, args) in enumerate(YOLOV8):
        name = f"model.{i}"
        n = max(round(repeats * YOLO_DEPTH), 1)
        c1, stride = (channels[-1], strides[-1]) if channels else (3, 1)
        if module in ("Conv", "C2f", "SPPF"):
            out = make_divisible(min(args[0], YOLO_MAX_CHANNELS) * YOLO_WIDTH, 8)
            if module == "Conv":
                layers.append(yolo_conv(name, out, args[1], args[2]))
                stride *= args[2]
            elif module == "C2f":
                layers.append(c2f(name, out, n, bool(args[1:] and args[1])))
            else:
                layers.append(sppf(name, c1, out, args[1]))
        elif module == "Upsample":
            out, stride = c1, stride // args[1]
            layers.append(named("Upsample", name, scale_factor=args[1], mode=args[2]))
        elif module == "Concat":
            assert isinstance(source, list)
            out = sum(channels[j] for j in source)  # channels[-1]: the previous module's
            sources = [-1 if j == -1 else f"model.{j}" for j in source]
            layers.append({"Concat": {"name": name, "from": sources, "dim": args[0]}})
        else:  # Detect
            assert isinstance(source, list)
            sources = [f"model.{j}" for j in source]
            layers += detect(name, sources, [channels[j] for j in source], [strides[j] for j in source])
            out = c1
        channels.append(out)
        strides.append(stride)
    return {
        "name": "YOLOv8n",
        "input": [1, 3, YOLO_INPUT, YOLO_INPUT],
        "layers": layers,
        "outputs": ["y", "p3", "p4", "p5"],
    }


# -- DCGAN (the PyTorch DCGAN tutorial) -----------------------------------------------------

NZ, NGF, NDF, NC = 100, 64, 64, 3


def dcgan_generator() -> dict[str, Any]:
    """``Generator.main``: ConvTranspose2d 4×4 (stride 1, then 2, padding 1) with BN and ReLU,
    1 → 4 → 8 → 16 → 32 → 64, Tanh."""
    widths = [NGF * 8, NGF * 4, NGF * 2, NGF]
    main: list[Layer] = []
    for i, width in enumerate(widths):
        first = i == 0
        main += [
            conv("ConvTranspose2d", str(len(main)), width, 4, 1 if first else 2, 0 if first else 1, bias=False),
            named("BatchNorm2d", str(len(main) + 1)), named("ReLU", str(len(main) + 2), inplace=True),
        ]  # fmt: skip
    main += [conv("ConvTranspose2d", str(len(main)), NC, 4, 2, 1, bias=False), named("Tanh", str(len(main) + 1))]
    return {"name": "DCGAN generator", "input": [1, NZ, 1, 1], "layers": [seq("main", main)]}


def dcgan_discriminator() -> dict[str, Any]:
    """``Discriminator.main``: Conv2d 4×4 stride 2 padding 1 with LeakyReLU(0.2) (BN from the
    second), 64 → 32 → 16 → 8 → 4, then a 4×4 conv to one logit and Sigmoid."""
    widths = [NDF, NDF * 2, NDF * 4, NDF * 8]
    main: list[Layer] = []
    for i, width in enumerate(widths):
        main.append(conv2d(str(len(main)), width, 4, 2, 1, bias=False))
        if i:
            main.append(named("BatchNorm2d", str(len(main))))
        main.append(named("LeakyReLU", str(len(main)), negative_slope=0.2, inplace=True))
    main += [conv2d(str(len(main)), 1, 4, 1, 0, bias=False), named("Sigmoid", str(len(main) + 1))]
    return {"name": "DCGAN discriminator", "input": [1, NC, 64, 64], "layers": [seq("main", main)]}


# -- C3D and R(2+1)D-18 (video) -------------------------------------------------------------

#: C3D (Tran et al. 2015, Fig. 1): convolution groups (name, widths) and the pool after each.
C3D_GROUPS = (("conv1", [64]), ("conv2", [128]), ("conv3", [256, 256]), ("conv4", [512, 512]), ("conv5", [512, 512]))
C3D_CLASSES = 487  # Sports-1M


def c3d() -> dict[str, Any]:
    """3×3×3 convolutions (padding 1) with one shared ``relu``; pool1 is 1×2×2 (keeps the time),
    pool2..5 2×2×2, pool5 padded (0, 1, 1) so that 7×7 → 4×4 and 512·1·4·4 = 8192 feed fc6."""
    layers: list[Layer] = []
    for g, (group, widths) in enumerate(C3D_GROUPS, start=1):
        for j, width in enumerate(widths):
            name = group if len(widths) == 1 else f"{group}{'ab'[j]}"
            layers += [conv("Conv3d", name, width, 3, p=1), named("ReLU", "relu")]
        pool = {"k": [1, 2, 2], "s": [1, 2, 2]} if g == 1 else {"k": 2, "s": 2}
        if g == len(C3D_GROUPS):
            pool["p"] = [0, 1, 1]
        layers.append(named("MaxPool3d", f"pool{g}", **pool))
    layers += [
        "Flatten",  # h.view(-1, 8192)
        {"Linear": {"name": "fc6", "out_features": 4096}}, named("ReLU", "relu"), named("Dropout", "dropout", p=0.5),
        {"Linear": {"name": "fc7", "out_features": 4096}}, named("ReLU", "relu"), named("Dropout", "dropout", p=0.5),
        {"Linear": {"name": "fc8", "out_features": C3D_CLASSES}}, named("Softmax", "softmax", dim=1),
    ]  # fmt: skip
    return {"name": "C3D", "input": [1, 3, 16, 112, 112], "layers": layers}


def conv2plus1d(name: str, out: int, mid: int, stride: int) -> dict[str, Any]:
    """``Conv2Plus1D``: a 1×3×3 spatial conv to ``midplanes``, BN, ReLU, a 3×1×1 temporal conv."""
    return seq(name, [
        conv("Conv3d", "0", mid, [1, 3, 3], [1, stride, stride], [0, 1, 1], bias=False),
        named("BatchNorm3d", "1"), named("ReLU", "2", inplace=True),
        conv("Conv3d", "3", out, [3, 1, 1], [stride, 1, 1], [1, 0, 0], bias=False),
    ])  # fmt: skip


def video_basic_block(name: str, inplanes: int, planes: int, stride: int) -> dict[str, Any]:
    """``BasicBlock`` of video/resnet.py: ``relu(conv2(conv1(x)) + residual)``, midplanes
    ``(in·out·27) // (in·9 + 3·out)`` (the parameters of a full 3×3×3 conv)."""
    mid = (inplanes * planes * 3 * 3 * 3) // (inplanes * 3 * 3 + 3 * planes)
    body = [
        seq(
            "conv1",
            [conv2plus1d("0", planes, mid, stride), named("BatchNorm3d", "1"), named("ReLU", "2", inplace=True)],
        ),  # fmt: skip
        seq("conv2", [conv2plus1d("0", planes, mid, 1), named("BatchNorm3d", "1")]),
    ]
    residual: dict[str, Any] = {"body": body}
    if stride != 1 or inplanes != planes:
        downsample = [conv("Conv3d", "0", planes, 1, stride, bias=False), named("BatchNorm3d", "1")]
        residual["shortcut"] = [seq("downsample", downsample)]
    return seq(name, [{"Residual": residual}, named("ReLU", "relu", inplace=True)])


def r2plus1d_18() -> dict[str, Any]:
    stem = [
        conv("Conv3d", "0", 45, [1, 7, 7], [1, 2, 2], [0, 3, 3], bias=False), named("BatchNorm3d", "1"),
        named("ReLU", "2", inplace=True),
        conv("Conv3d", "3", 64, [3, 1, 1], 1, [1, 0, 0], bias=False), named("BatchNorm3d", "4"),
        named("ReLU", "5", inplace=True),
    ]  # fmt: skip
    layers: list[Layer] = [seq("stem", stem)]
    inplanes = 64
    for i, planes in enumerate((64, 128, 256, 512), start=1):
        stride = 1 if i == 1 else 2
        blocks = [video_basic_block("0", inplanes, planes, stride), video_basic_block("1", planes, planes, 1)]
        layers.append(seq(f"layer{i}", blocks))
        inplanes = planes
    layers += [
        named("AdaptiveAvgPool3d", "avgpool", output_size=[1, 1, 1]), "Flatten",
        {"Linear": {"name": "fc", "out_features": 400}},
    ]  # fmt: skip
    return {"name": "R(2+1)D-18", "input": [1, 3, 16, 112, 112], "layers": layers}


# -- M5 and WaveNet (audio) ---------------------------------------------------------------

M5_INPUT = 8000  # one second resampled to 8 kHz
M5_CLASSES = 35  # Speech Commands labels
M5_CHANNELS = 32


def m5() -> dict[str, Any]:
    """Conv1d 80 stride 16, then three 3-wide convs, each with BN, F.relu and MaxPool1d(4);
    ``F.avg_pool1d(x, x.shape[-1])`` over what is left, ``permute(0, 2, 1)``, fc1, log_softmax(dim=2)."""
    layers: list[Layer] = []
    length = M5_INPUT
    for i, (width, k, s) in enumerate([(M5_CHANNELS, 80, 16), (M5_CHANNELS, 3, 1), (2 * M5_CHANNELS, 3, 1),
                                       (2 * M5_CHANNELS, 3, 1)], start=1):  # fmt: skip
        layers += [conv("Conv1d", f"conv{i}", width, k, s), named("BatchNorm1d", f"bn{i}"), "ReLU",
                   named("MaxPool1d", f"pool{i}", k=4)]  # fmt: skip
        length = ((length - k) // s + 1) // 4
    layers += [
        named("AvgPool1d", None, k=length), {"Permute": {"dims": [0, 2, 1]}},
        {"Linear": {"name": "fc1", "out_features": M5_CLASSES}}, named("LogSoftmax", None, dim=2),
    ]  # fmt: skip
    return {"name": "M5", "input": [1, 1, M5_INPUT], "layers": layers}


#: WaveNetModel(layers=10, blocks=2, dilation_channels=32, residual_channels=32, skip_channels=256,
#: end_channels=256, classes=256, kernel_size=2, bias=False): vincentherrmann/pytorch-wavenet's
#: defaults with two blocks (stacks) instead of four.
WAVENET = {
    "layers": 10, "blocks": 2, "dilation": 32, "residual": 32, "skip": 256, "end": 256, "classes": 256, "kernel": 2,
}  # fmt: skip
WAVENET_SAMPLES = 16000  # one second at 16 kHz, μ-law one-hot


def wavenet() -> dict[str, Any]:
    """start_conv; per layer i (dilation 2^(i mod 10)): left-pad by (k−1)·d, filter and gate
    convolutions, ``tanh(filter) · sigmoid(gate)``, skip_convs.i and residual_convs.i on the
    product, the residual added to the layer's input; the skips summed, ReLU, end_conv_1, ReLU,
    end_conv_2."""
    w = WAVENET
    k = w["kernel"]
    layers: list[Layer] = [conv("Conv1d", "start_conv", w["residual"], 1, bias=False)]
    for i in range(w["blocks"] * w["layers"]):
        d = 2 ** (i % w["layers"])
        layers += [
            {"ConstantPad1d": {"padding": [(k - 1) * d, 0], "value": 0.0}},
            conv("Conv1d", f"filter_convs.{i}", w["dilation"], k, d=d, bias=False), "Tanh",
            conv("Conv1d", f"gate_convs.{i}", w["dilation"], k, d=d, bias=False, source=-3), "Sigmoid",
            {"Multiply": {"from": [-3, -1]}},
            conv("Conv1d", f"skip_convs.{i}", w["skip"], 1, bias=False),
            conv("Conv1d", f"residual_convs.{i}", w["residual"], 1, bias=False, source=-2),
            {"Add": {"from": [-1, -9]}},  # + the layer's input (the entry before the padding)
        ]  # fmt: skip
    layers += [
        {"Add": {"from": [f"skip_convs.{i}" for i in range(w["blocks"] * w["layers"])]}},
        "ReLU", conv("Conv1d", "end_conv_1", w["end"], 1), "ReLU", conv("Conv1d", "end_conv_2", w["classes"], 1),
    ]  # fmt: skip
    return {"name": "WaveNet", "input": [1, w["classes"], WAVENET_SAMPLES], "layers": layers}


# -- ZF Net ---------------------------------------------------------------------------------


def zfnet() -> dict[str, Any]:
    """Fig. 3 of Zeiler & Fergus: 96 7×7/2, 256 5×5/2, 384, 384, 256 3×3; ReLU, 3×3/2 max pool and
    contrast normalisation after layers 1 and 2, a pool after layer 5; FC 4096, 4096, 1000."""
    lrn = {"size": 5, "alpha": 0.0001, "beta": 0.75, "k": 2.0}
    features = [
        conv2d("0", 96, 7, 2, 1), named("ReLU", "1", inplace=True), named("MaxPool2d", "2", k=3, s=2, ceil_mode=True),
        named("LocalResponseNorm", "3", **lrn),
        conv2d("4", 256, 5, 2), named("ReLU", "5", inplace=True), named("MaxPool2d", "6", k=3, s=2, ceil_mode=True),
        named("LocalResponseNorm", "7", **lrn),
        conv2d("8", 384, 3, p=1), named("ReLU", "9", inplace=True),
        conv2d("10", 384, 3, p=1), named("ReLU", "11", inplace=True),
        conv2d("12", 256, 3, p=1), named("ReLU", "13", inplace=True),
        named("MaxPool2d", "14", k=3, s=2),
    ]  # fmt: skip
    classifier = [
        named("Dropout", "0", p=0.5), {"Linear": {"name": "1", "out_features": 4096}}, named("ReLU", "2", inplace=True),
        named("Dropout", "3", p=0.5), {"Linear": {"name": "4", "out_features": 4096}}, named("ReLU", "5", inplace=True),
        {"Linear": {"name": "6", "out_features": 1000}},
    ]  # fmt: skip
    layers = [seq("features", features), "Flatten", seq("classifier", classifier)]
    return {"name": "ZF Net", "input": [1, 3, 224, 224], "layers": layers}


# -- the catalogue ------------------------------------------------------------------------

DOCS = {
    "unet": """\
U-Net (Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical Image
Segmentation", Fig. 1): 572×572×1 → 388×388×2, 23 unpadded convolutions with bias, no batch norm.
Module names follow milesial/Pytorch-UNet (UNet(n_channels=1, n_classes=2, bilinear=False):
inc, down1..4.maxpool_conv, up1..4.up/conv, outc), adapted to the paper: padding=0, no BatchNorm
(double_conv.0 conv, .1 ReLU, .2 conv, .3 ReLU), and Up crops the skip tensor to the centre
(two Slices) instead of padding the upsampled one.""",
    "fcn_resnet50": """\
FCN-ResNet50 as torchvision.models.segmentation.fcn_resnet50 builds it (Long et al. 2015),
21 classes at 520×520, with the aux head (aux_loss=True, as its COCO_WITH_VOC_LABELS_V1 weights
load it): the published num_params and GFLOPS include it. Backbone: resnet50 with
replace_stride_with_dilation=[False, True, True] (output stride 8); classifier = FCNHead(2048)
on layer4, aux_classifier = FCNHead(1024) on layer3; both resized to the input (bilinear).
Names are torchvision's (backbone.layer4.0.conv2, classifier.0, aux_classifier.4).""",
    "fcn_resnet50_noaux": """\
FCN-ResNet50 as torchvision.models.segmentation.fcn_resnet50(aux_loss=False) builds it
(Long et al. 2015), 21 classes at 520×520, without the aux head (32,957,013 params; the
published figures are for the model with it: see fcn_resnet50). Backbone: resnet50 with
replace_stride_with_dilation=[False, True, True]; classifier = FCNHead(2048), resized to the
input (bilinear). Names are torchvision's (backbone.layer4.0.conv2, classifier.4).""",
    "deeplabv3_resnet50": """\
DeepLabV3-ResNet50 as torchvision.models.segmentation.deeplabv3_resnet50 builds it (Chen et al.
2017), 21 classes at 520×520, with the aux head (aux_loss=True, as its COCO_WITH_VOC_LABELS_V1
weights load it): the published num_params and GFLOPS include it. Backbone: dilated resnet50
(output stride 8); classifier = DeepLabHead(2048): ASPP rates 12, 24, 36 and image pooling;
aux_classifier = FCNHead(1024) on layer3. Names are torchvision's (classifier.0.convs.4.1).""",
    "deeplabv3_resnet50_noaux": """\
DeepLabV3-ResNet50 as torchvision.models.segmentation.deeplabv3_resnet50(aux_loss=False) builds
it (Chen et al. 2017), 21 classes at 520×520, without the aux head (39,638,869 params; the
published figures are for the model with it: see deeplabv3_resnet50). Backbone: dilated resnet50
(output stride 8); classifier = DeepLabHead(2048): ASPP rates 12, 24, 36 and image pooling.
Names are torchvision's (backbone.layer3.5.conv2, classifier.0.convs.4.1, classifier.0.project.0).""",
    "yolov8n": """\
YOLOv8n as ultralytics builds it from ultralytics/cfg/models/v8/yolov8.yaml at scale n (depth
0.33, width 0.25, max_channels 1024), 80 classes at 640×640. Modules and names are ultralytics'
(DetectionModel.model: model.0.conv, model.2.m.0.cv1.conv, model.22.cv2.0.0.conv): Conv =
Conv2d+BN+SiLU, C2f, SPPF, Upsample, Concat, Detect with DFL (its conv frozen: trainable false).
Outputs as the eval forward returns them: y (1×84×8400: boxes and class scores) and the three
scales' maps p3, p4, p5 (box+class, 144 channels).""",
    "dcgan_generator": """\
DCGAN generator (Radford, Metz & Chintala 2015) as the PyTorch DCGAN tutorial writes it
(pytorch/tutorials beginner_source/dcgan_faces_tutorial.py): nz=100, ngf=64, nc=3, a 100-d
latent vector (as 100×1×1) to a 3×64×64 image through five 4×4 transposed convolutions.
Names are the tutorial's: Generator.main, an nn.Sequential (main.0 … main.13).""",
    "dcgan_discriminator": """\
DCGAN discriminator (Radford, Metz & Chintala 2015) as the PyTorch DCGAN tutorial writes it
(pytorch/tutorials beginner_source/dcgan_faces_tutorial.py): ndf=64, nc=3, a 3×64×64 image to
one probability through five 4×4 convolutions with LeakyReLU(0.2).
Names are the tutorial's: Discriminator.main, an nn.Sequential (main.0 … main.12).""",
    "c3d": """\
C3D (Tran et al. 2015, "Learning Spatiotemporal Features with 3D Convolutional Networks"):
16 frames of 112×112, eight 3×3×3 convolutions, five max pools, fc6/fc7 4096, fc8 487 classes
(Sports-1M). Names follow the common PyTorch port, DavideA/c3d-pytorch C3D_model.py (conv1,
pool1, conv3a … fc8, one shared relu and dropout module; its softmax, nn.Softmax(), takes dim 1).""",
    "r2plus1d_18": """\
R(2+1)D-18 as torchvision.models.video.r2plus1d_18 builds it (Tran et al. 2018, "A Closer Look
at Spatiotemporal Convolutions for Action Recognition"), 400 Kinetics classes, on 16 frames of
112×112 (the clip at which its published GFLOPS are reproduced). Each 3×3×3 conv is a Conv2Plus1D:
1×3×3 to midplanes, BN, ReLU, 3×1×1. Names are torchvision's (stem.3, layer2.0.conv1.0.3).""",
    "m5": """\
M5 (Dai et al. 2017, "Very Deep Convolutional Neural Networks for Raw Waveforms") as the
torchaudio tutorial "Speech Command Classification with torchaudio" writes it: M5(n_input=1,
n_output=35, stride=16, n_channel=32) on one second of audio at 8 kHz (1×1×8000).
Names are the tutorial's (conv1, bn1, pool1 … fc1); its F.relu, F.avg_pool1d, permute and
log_softmax are unnamed rows.""",
    "wavenet": """\
A gated WaveNet (van den Oord et al. 2016): 2 stacks × 10 layers, dilations 1 … 512, kernel 2,
32 residual and dilation channels, 256 skip and end channels, 256 μ-law classes, on one second
at 16 kHz one-hot (1×256×16000). Names follow vincentherrmann/pytorch-wavenet (WaveNetModel(
layers=10, blocks=2): start_conv, filter_convs.i, gate_convs.i, skip_convs.i, residual_convs.i,
end_conv_1/2, no bias but the end convs); its dilate() reshaping is written as Conv1d(dilation=d)
on a causally left-padded input (ConstantPad1d((d, 0))), so every layer keeps the full length.""",
    "zfnet": """\
ZF Net (Zeiler & Fergus 2013, "Visualizing and Understanding Convolutional Networks", Fig. 3)
at 224×224: 96 7×7/2, 256 5×5/2, 384, 384, 256 3×3, FC 4096, 4096, 1000. Caveat: the figure's
224 → 110 first layer needs padding 1 (unpadded gives 109), and its 55 and 13 after the pools
need ceil_mode (Caffe's rounding); the paper states neither. Contrast normalisation is written
as AlexNet's LocalResponseNorm(5, 1e-4, 0.75, 2). Names follow torchvision's AlexNet layout
(features.0 … features.14, classifier.0 … classifier.6), there being no reference code.""",
}

#: name → (builder, family, task, published key).
MODELS: dict[str, tuple[Any, str, str, str | None]] = {
    "unet": (unet, "U-Net", "segmentation", "unet"),
    "fcn_resnet50": (lambda: segmentation("FCN-ResNet50", "fcn", True), "FCN", "segmentation", "fcn_resnet50"),
    "fcn_resnet50_noaux": (lambda: segmentation("FCN-ResNet50 (no aux)", "fcn", False), "FCN", "segmentation", None),
    "deeplabv3_resnet50": (
        lambda: segmentation("DeepLabV3-ResNet50", "deeplabv3", True),
        "DeepLabV3",
        "segmentation",
        "deeplabv3_resnet50",
    ),  # fmt: skip
    "deeplabv3_resnet50_noaux": (
        lambda: segmentation("DeepLabV3-ResNet50 (no aux)", "deeplabv3", False),
        "DeepLabV3",
        "segmentation",
        None,
    ),  # fmt: skip
    "yolov8n": (yolov8n, "YOLO", "detection", "yolov8n"),
    "dcgan_generator": (dcgan_generator, "DCGAN", "generation", None),
    "dcgan_discriminator": (dcgan_discriminator, "DCGAN", "generation", None),
    "c3d": (c3d, "C3D", "video", None),
    "r2plus1d_18": (r2plus1d_18, "Video ResNet", "video", "r2plus1d_18"),
    "m5": (m5, "M5", "audio", None),
    "wavenet": (wavenet, "WaveNet", "audio", None),
    "zfnet": (zfnet, "ZF Net", "classification", None),
}


def models() -> list[ZooModel]:
    return [
        ZooModel(name, family, task, DOCS[name], build(), published)
        for name, (build, family, task, published) in MODELS.items()
    ]
