"""The blocks of modern CNNs (SPEC §2a) against PyTorch, written as their authors write them.

Each reference below is plain PyTorch in the style of its source — torchvision's
MobileNetV3 ``InvertedResidual`` with ``SqueezeExcitation`` (Hardsigmoid gate), ShuffleNetV2's
``InvertedResidual`` (``x.chunk(2, dim=1)`` and ``channel_shuffle``; stride 2 with two
branches), ConvNeXt's ``CNBlock`` (``Permute``, ``LayerNorm``, ``layer_scale``), ultralytics'
``Conv``/``Bottleneck``/``C2f``/``SPPF``/``Concat`` in YOLOv8n's backbone and neck (three
outputs, run as ``DetectionModel._predict_once`` runs them) and a WaveNet stack of gated
residual blocks (causal convolution by left padding, ``tanh · sigmoid``, residual and skip
1×1 convolutions, the skips summed across blocks). Each is compared exactly with the
convcalc YAML of the same network: the output shape and parameters of every Conv and
Linear in execution order, total params, trainable params, buffers, FLOPs
(``FlopCounterMode``) and the output shapes.

The last tests check the merged receptive field (SPEC §2a: per spatial dimension the union
of the inputs' intervals when their jumps are equal, else null with a warning) against a
brute-force index walk: with every weight 1/fan-in, no bias and nothing that can cancel
(all weights positive, no max pooling), the input positions that output position ``i`` depends on are the
nonzero entries of the gradient of that output with respect to the input.
"""

from __future__ import annotations

import math
import random
from functools import partial
from typing import Any

import pytest
import yaml

import convcalc

torch = pytest.importorskip("torch")
from graph_torch import GraphModule, set_averaging  # noqa: E402
from torch import Tensor, nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

pytestmark = pytest.mark.oracle

DENSE = (nn.Conv1d, nn.Conv2d, nn.Linear)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Any:
    """Tiny tensors: one thread is fastest, and on a busy 2-core runner torch's thread
    pool otherwise spends most of its time waiting (5× slower measured)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------------------------
# Measuring both sides
# ---------------------------------------------------------------------------------------


def measure_torch(model: nn.Module, shape: tuple[int, ...]) -> dict[str, Any]:
    """One eval-mode forward pass: params, buffers, FLOPs, the (type, output shape, params)
    of every Conv and Linear in execution order, and the output shapes."""
    model.eval()
    seen: list[tuple[str, tuple[int, ...], int]] = []

    def hook(module: nn.Module, _inputs: Any, output: Tensor) -> None:
        kind = next(c.__name__ for c in type(module).__mro__ if c in DENSE)  # CausalConv1d is a Conv1d
        seen.append((kind, tuple(output.shape), sum(p.numel() for p in module.parameters())))

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, DENSE)]
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        out = model(torch.zeros(shape))
    for h in handles:
        h.remove()
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "flops": counter.get_total_flops(),
        "dense": seen,
        "outputs": [tuple(o.shape) for o in outs],
    }


def measure_convcalc(network: str | dict[str, Any]) -> dict[str, Any]:
    report = convcalc.analyze(network).to_dict()
    totals = report["totals"]
    dense = ("Conv1d", "Conv2d", "Linear")
    return {
        "params": totals["params"],
        "trainable_params": totals["trainable_params"],
        "buffers": totals["buffers"],
        "flops": totals["flops"],
        "dense": [(r["type"], tuple(r["output_shape"]), r["params"]) for r in report["layers"] if r["type"] in dense],
        "outputs": [tuple(o["output_shape"]) for o in report["outputs"]],
    }


def assert_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert len(ours["dense"]) == len(theirs["dense"]), (len(ours["dense"]), len(theirs["dense"]))
    for i, (mine, ref) in enumerate(zip(ours["dense"], theirs["dense"], strict=True)):
        assert mine == ref, f"Conv/Linear number {i + 1}: convcalc {mine}, torch {ref}"
    for key in ("params", "trainable_params", "buffers", "flops", "outputs"):
        assert ours[key] == theirs[key], (key, ours[key], theirs[key])


def as_yaml(desc: dict[str, Any]) -> str:
    """The description as the YAML text a user would write (and convcalc reads)."""
    return yaml.safe_dump(desc, sort_keys=False, default_flow_style=None, width=120)


# ---------------------------------------------------------------------------------------
# MobileNetV3: InvertedResidual with SqueezeExcitation (torchvision/models/mobilenetv3.py,
# torchvision/ops/misc.py)
# ---------------------------------------------------------------------------------------


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Conv2dNormActivation(nn.Sequential):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 groups: int = 1, norm_layer: Any = nn.BatchNorm2d, activation_layer: Any = nn.ReLU,
                 dilation: int = 1) -> None:  # fmt: skip
        padding = (kernel_size - 1) // 2 * dilation
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation, groups=groups,
                      bias=norm_layer is None)  # fmt: skip
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(inplace=True))
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, input_channels: int, squeeze_channels: int, activation: Any = nn.ReLU,
                 scale_activation: Any = nn.Sigmoid) -> None:  # fmt: skip
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input: Tensor) -> Tensor:
        scale = self.avgpool(input)
        scale = self.fc1(scale)
        scale = self.activation(scale)
        scale = self.fc2(scale)
        return self.scale_activation(scale)

    def forward(self, input: Tensor) -> Tensor:
        scale = self._scale(input)
        return scale * input


class InvertedResidualConfig:
    def __init__(self, input_channels: int, kernel: int, expanded_channels: int, out_channels: int, use_se: bool,
                 activation: str, stride: int, dilation: int, width_mult: float = 1.0) -> None:  # fmt: skip
        self.input_channels = _make_divisible(input_channels * width_mult, 8)
        self.kernel = kernel
        self.expanded_channels = _make_divisible(expanded_channels * width_mult, 8)
        self.out_channels = _make_divisible(out_channels * width_mult, 8)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation


SE_LAYER = partial(SqueezeExcitation, scale_activation=nn.Hardsigmoid)  # torchvision's default se_layer


class MBV3InvertedResidual(nn.Module):
    def __init__(self, cnf: InvertedResidualConfig, norm_layer: Any, se_layer: Any = SE_LAYER) -> None:
        super().__init__()
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        layers: list[nn.Module] = []
        activation_layer = nn.Hardswish if cnf.use_hs else nn.ReLU
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=activation_layer))  # fmt: skip
        stride = 1 if cnf.dilation > 1 else cnf.stride
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, kernel_size=cnf.kernel,
                                           stride=stride, dilation=cnf.dilation, groups=cnf.expanded_channels,
                                           norm_layer=norm_layer, activation_layer=activation_layer))  # fmt: skip
        if cnf.use_se:
            squeeze_channels = _make_divisible(cnf.expanded_channels // 4, 8)
            layers.append(se_layer(cnf.expanded_channels, squeeze_channels))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))  # fmt: skip
        self.block = nn.Sequential(*layers)

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        if self.use_res_connect:
            result += input
        return result


#: Five of mobilenet_v3_large's bneck rows: (in, kernel, expanded, out, SE, activation, stride, dilation).
MBV3_ROWS = [
    (24, 5, 72, 40, True, "RE", 2, 1),  # squeeze = _make_divisible(18, 8) = 24, not 16
    (40, 5, 120, 40, True, "RE", 1, 1),
    (40, 3, 240, 80, False, "HS", 2, 1),
    (80, 3, 480, 112, True, "HS", 1, 1),
    (112, 3, 672, 112, True, "HS", 1, 1),
]
MBV3_INPUT = (1, 24, 56, 56)

# One block written out by hand (the second row: stride 1, SE, residual), as a user would.
MBV3_BLOCK_YAML = """\
input: [1, 40, 28, 28]
layers:
  - Residual:
      name: "0"
      body:
        - Sequential:
            name: block
            layers:
              - Sequential:
                  name: "0"
                  layers: [Conv2d: {name: "0", out_channels: 120, k: 1, bias: false},
                           BatchNorm2d: {name: "1", eps: 0.001, momentum: 0.01}, ReLU: {name: "2", inplace: true}]
              - Sequential:
                  name: "1"
                  layers: [Conv2d: {name: "0", out_channels: 120, k: 5, p: 2, groups: 120, bias: false},
                           BatchNorm2d: {name: "1", eps: 0.001, momentum: 0.01}, ReLU: {name: "2", inplace: true}]
              - Multiply:                                  # SqueezeExcitation: scale * input
                  name: "2"
                  branches:
                    - []
                    - - AdaptiveAvgPool2d: {name: avgpool, output_size: 1}
                      - Conv2d: {name: fc1, out_channels: 32, k: 1}
                      - ReLU: {name: activation}
                      - Conv2d: {name: fc2, out_channels: 120, k: 1}
                      - Hardsigmoid: {name: scale_activation}
              - Sequential:
                  name: "3"
                  layers: [Conv2d: {name: "0", out_channels: 40, k: 1, bias: false},
                           BatchNorm2d: {name: "1", eps: 0.001, momentum: 0.01}]
"""


def mbv3_yaml_block(cnf: InvertedResidualConfig, index: int) -> dict[str, Any]:
    """One InvertedResidual as convcalc entries, module for module."""
    act = "Hardswish" if cnf.use_hs else "ReLU"
    bn = {"eps": 0.001, "momentum": 0.01}

    def cna(out: int, k: int, s: int = 1, groups: int = 1, activation: bool = True, name: str = "0") -> dict[str, Any]:
        conv: dict[str, Any] = {"name": "0", "out_channels": out, "k": k, "bias": False}
        if k > 1:
            conv["p"] = (k - 1) // 2 * cnf.dilation
        if s > 1:
            conv["s"] = s
        if groups > 1:
            conv["groups"] = groups
        if cnf.dilation > 1:
            conv["d"] = cnf.dilation
        layers: list[Any] = [{"Conv2d": conv}, {"BatchNorm2d": {"name": "1", **bn}}]
        if activation:
            layers.append({act: {"name": "2", "inplace": True}})
        return {"Sequential": {"name": name, "layers": layers}}

    layers: list[Any] = []
    if cnf.expanded_channels != cnf.input_channels:
        layers.append(cna(cnf.expanded_channels, 1, name=str(len(layers))))
    stride = 1 if cnf.dilation > 1 else cnf.stride
    layers.append(cna(cnf.expanded_channels, cnf.kernel, stride, cnf.expanded_channels, name=str(len(layers))))
    if cnf.use_se:
        squeeze = _make_divisible(cnf.expanded_channels // 4, 8)
        gate = [
            {"AdaptiveAvgPool2d": {"name": "avgpool", "output_size": 1}},
            {"Conv2d": {"name": "fc1", "out_channels": squeeze, "k": 1}},
            {"ReLU": {"name": "activation"}},
            {"Conv2d": {"name": "fc2", "out_channels": cnf.expanded_channels, "k": 1}},
            {"Hardsigmoid": {"name": "scale_activation"}},
        ]
        layers.append({"Multiply": {"name": str(len(layers)), "branches": [[], gate]}})
    layers.append(cna(cnf.out_channels, 1, activation=False, name=str(len(layers))))
    block = {"Sequential": {"name": "block", "layers": layers}}
    if cnf.stride == 1 and cnf.input_channels == cnf.out_channels:
        return {"Residual": {"name": str(index), "body": [block]}}
    return {"Sequential": {"name": str(index), "layers": [block]}}


def test_mobilenet_v3_block_with_squeeze_excitation_by_hand() -> None:
    norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
    model = MBV3InvertedResidual(InvertedResidualConfig(*MBV3_ROWS[1]), norm)
    theirs = measure_torch(model, (1, 40, 28, 28))
    ours = measure_convcalc(MBV3_BLOCK_YAML)
    assert_same(ours, theirs)
    assert theirs["params"] == 40 * 120 + 240 + 120 * 25 + 240 + (120 * 32 + 32) + (32 * 120 + 120) + 120 * 40 + 80


def test_mobilenet_v3_inverted_residuals() -> None:
    norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
    configs = [InvertedResidualConfig(*row) for row in MBV3_ROWS]
    model = nn.Sequential(*(MBV3InvertedResidual(c, norm) for c in configs))
    desc = {"input": list(MBV3_INPUT), "layers": [mbv3_yaml_block(c, i) for i, c in enumerate(configs)]}
    theirs = measure_torch(model, MBV3_INPUT)
    assert_same(measure_convcalc(as_yaml(desc)), theirs)
    assert theirs["outputs"] == [(1, 112, 14, 14)]
    report = convcalc.analyze(desc)
    gates = [r for r in report.rows if r.type == "Multiply"]
    assert len(gates) == 4 and all(r.composite for r in gates)
    # the squeeze width of the first SE is _make_divisible(72 // 4, 8) = 24
    fc1 = [r for r in report.rows if r.name == "fc1"]
    assert fc1[0].output_shape == (1, 24, 1, 1)


# ---------------------------------------------------------------------------------------
# ShuffleNetV2 (torchvision/models/shufflenetv2.py)
# ---------------------------------------------------------------------------------------


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(batchsize, num_channels, height, width)


class ShuffleInvertedResidual(nn.Module):
    def __init__(self, inp: int, oup: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        branch_features = oup // 2
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True),
            )
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if (self.stride > 1) else branch_features, branch_features, kernel_size=1, stride=1,
                      padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
        )  # fmt: skip

    @staticmethod
    def depthwise_conv(i: int, o: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       bias: bool = False) -> nn.Conv2d:  # fmt: skip
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


# ShuffleNetV2 x1.0, stage2: 24 → 116 channels, one stride-2 unit and three stride-1 units.
SHUFFLE_YAML = """\
input: [1, 24, 56, 56]
layers:
  - Sequential:
      name: "0"
      layers:
        - Concat:                      # torch.cat((branch1(x), branch2(x)), dim=1)
            dim: 1
            branches:
              - - Conv2d: {out_channels: 24, k: 3, s: 2, p: 1, groups: 24, bias: false}
                - BatchNorm2d
                - Conv2d: {out_channels: 58, k: 1, bias: false}
                - BatchNorm2d
                - ReLU: {inplace: true}
              - - Conv2d: {out_channels: 58, k: 1, bias: false}
                - BatchNorm2d
                - ReLU: {inplace: true}
                - Conv2d: {out_channels: 58, k: 3, s: 2, p: 1, groups: 58, bias: false}
                - BatchNorm2d
                - Conv2d: {out_channels: 58, k: 1, bias: false}
                - BatchNorm2d
                - ReLU: {inplace: true}
        - ChannelShuffle: {groups: 2}
  - Repeat:
      times: 3
      layers:
        - Split:                       # x1, x2 = x.chunk(2, dim=1); torch.cat((x1, branch2(x2)), dim=1)
            dim: 1
            chunks: 2
            branches:
              - []
              - - Conv2d: {out_channels: 58, k: 1, bias: false}
                - BatchNorm2d
                - ReLU: {inplace: true}
                - Conv2d: {out_channels: 58, k: 3, p: 1, groups: 58, bias: false}
                - BatchNorm2d
                - Conv2d: {out_channels: 58, k: 1, bias: false}
                - BatchNorm2d
                - ReLU: {inplace: true}
        - ChannelShuffle: {groups: 2}
"""


def test_shufflenet_v2_units() -> None:
    model = nn.Sequential(ShuffleInvertedResidual(24, 116, 2), *(ShuffleInvertedResidual(116, 116, 1) for _ in range(3)))
    theirs = measure_torch(model, (1, 24, 56, 56))
    assert_same(measure_convcalc(SHUFFLE_YAML), theirs)
    assert theirs["outputs"] == [(1, 116, 28, 28)]
    # nn.ChannelShuffle (convcalc's layer) is torchvision's channel_shuffle
    x = torch.randn(1, 116, 3, 3)
    assert torch.equal(nn.ChannelShuffle(2)(x), channel_shuffle(x, 2))


# ---------------------------------------------------------------------------------------
# ConvNeXt (torchvision/models/convnext.py)
# ---------------------------------------------------------------------------------------


class Permute(nn.Module):  # torchvision.ops.misc.Permute
    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return torch.permute(x, self.dims)


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    def __init__(self, dim: int, layer_scale: float, norm_layer: Any = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            norm_layer(dim),
            nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = nn.Identity()  # StochasticDepth: the identity in eval mode

    def forward(self, input: Tensor) -> Tensor:
        result = self.layer_scale * self.block(input)
        result = self.stochastic_depth(result)
        result += input
        return result


# ConvNeXt-T: the three blocks of stage 1 (dim 96), the downsampling layer, one block at 192.
CONVNEXT_YAML = """\
input: [1, 96, 28, 28]
layers:
  - Repeat:
      times: 3
      layers:
        - Residual:
            body:
              - Conv2d: {out_channels: 96, kernel_size: 7, padding: 3, groups: 96}
              - Permute: {dims: [0, 2, 3, 1]}
              - LayerNorm: {eps: 1.0e-6}
              - Linear: {out_features: 384}
              - GELU
              - Linear: {out_features: 96}
              - Permute: {dims: [0, 3, 1, 2]}
              - Scale: {init: 1.0e-6}            # layer_scale: nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)
  - Permute: {dims: [0, 2, 3, 1]}                # LayerNorm2d
  - LayerNorm: {eps: 1.0e-6}
  - Permute: {dims: [0, 3, 1, 2]}
  - Conv2d: {out_channels: 192, kernel_size: 2, stride: 2}
  - Residual:
      body:
        - Conv2d: {out_channels: 192, kernel_size: 7, padding: 3, groups: 192}
        - Permute: {dims: [0, 2, 3, 1]}
        - LayerNorm: {eps: 1.0e-6}
        - Linear: {out_features: 768}
        - GELU
        - Linear: {out_features: 192}
        - Permute: {dims: [0, 3, 1, 2]}
        - Scale: {shape: [192, 1, 1], init: 1.0e-6}
"""


def test_convnext_blocks() -> None:
    model = nn.Sequential(
        *(CNBlock(96, 1e-6) for _ in range(3)),
        nn.Sequential(LayerNorm2d(96, eps=1e-6), nn.Conv2d(96, 192, kernel_size=2, stride=2)),
        CNBlock(192, 1e-6),
    )
    theirs = measure_torch(model, (1, 96, 28, 28))
    assert_same(measure_convcalc(CONVNEXT_YAML), theirs)
    report = convcalc.analyze(CONVNEXT_YAML)
    linears = [r for r in report.rows if r.type == "Linear"]
    assert linears[0].output_shape == (1, 28, 28, 384)  # channels-last
    scales = [r for r in report.rows if r.type == "Scale"]
    assert [r.params for r in scales] == [96, 96, 96, 192] and all(r.macs == 0 for r in scales)
    assert all(r.activation_bytes == 0 for r in report.rows if r.type == "Permute")  # a view


# ---------------------------------------------------------------------------------------
# YOLOv8n backbone and neck (ultralytics/nn/modules/{conv,block}.py, cfg/models/v8/yolov8.yaml)
# ---------------------------------------------------------------------------------------


def autopad(k: int, p: int | None = None, d: int = 1) -> int:
    if d > 1:
        k = d * (k - 1) + 1
    if p is None:
        p = k // 2
    return p


class Conv(nn.Module):
    default_act = nn.SiLU()

    def __init__(self, c1: int, c2: int, k: int = 1, s: int = 1, p: int | None = None, g: int = 1, d: int = 1,
                 act: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = self.default_act if act is True else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c1: int, c2: int, shortcut: bool = True, g: int = 1, k: tuple[int, int] = (3, 3),
                 e: float = 0.5) -> None:  # fmt: skip
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, k[0], 1)
        self.cv2 = Conv(c_, c2, k[1], 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x: Tensor) -> Tensor:
        return x + self.cv2(self.cv1(x)) if self.add else self.cv2(self.cv1(x))


class C2f(nn.Module):
    def __init__(self, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> None:
        super().__init__()
        self.c = int(c2 * e)
        self.cv1 = Conv(c1, 2 * self.c, 1, 1)
        self.cv2 = Conv((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, self.c, shortcut, g, k=(3, 3), e=1.0) for _ in range(n))

    def forward(self, x: Tensor) -> Tensor:
        y = list(self.cv1(x).chunk(2, 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1: int, c2: int, k: int = 5) -> None:
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_ * 4, c2, 1, 1)
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x: Tensor) -> Tensor:
        y = [self.cv1(x)]
        y.extend(self.m(y[-1]) for _ in range(3))
        return self.cv2(torch.cat(y, 1))


class Concat(nn.Module):
    def __init__(self, dimension: int = 1) -> None:
        super().__init__()
        self.d = dimension

    def forward(self, x: list[Tensor]) -> Tensor:
        return torch.cat(x, self.d)


#: yolov8.yaml (from, repeats, module, args), scaled as YOLOv8n: depth 0.33, width 0.25.
YOLOV8 = [
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
]
YOLO_OUTPUTS = (15, 18, 21)
YOLO_INPUT = (1, 3, 128, 160)


def _scaled(c: int) -> int:
    return math.ceil(min(c, 1024) * 0.25 / 8) * 8  # ultralytics make_divisible(min(c2, max_channels) * width, 8)


def _repeats(n: int) -> int:
    return max(round(n * 0.33), 1) if n > 1 else n


class YOLONeck(nn.Module):
    """ultralytics' parse_model + DetectionModel._predict_once, without the Detect head:
    returns the three feature maps Detect would read."""

    def __init__(self) -> None:
        super().__init__()
        ch = [3]
        modules = []
        for i, (f, n, kind, args) in enumerate(YOLOV8):
            n = _repeats(n)
            if kind in ("Conv", "C2f", "SPPF"):
                c1, c2 = ch[f], _scaled(args[0])
                if kind == "Conv":
                    m: nn.Module = Conv(c1, c2, *args[1:])
                elif kind == "C2f":
                    m = C2f(c1, c2, n, *args[1:])
                else:
                    m = SPPF(c1, c2, *args[1:])
            elif kind == "Upsample":
                m, c2 = nn.Upsample(*args), ch[f]
            else:
                m, c2 = Concat(*args), sum(ch[x] for x in f)
            m.f, m.i = f, i  # type: ignore[assignment]
            modules.append(m)
            if i == 0:
                ch = []
            ch.append(c2)
        self.model = nn.Sequential(*modules)

    def forward(self, x: Tensor) -> tuple[Tensor, ...]:
        y: list[Any] = []  # ultralytics keeps only the outputs in self.save; keeping all changes nothing
        for m in self.model:
            if m.f != -1:
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x)
        return tuple(y[i] for i in YOLO_OUTPUTS)


def yolo_desc() -> dict[str, Any]:
    """The same network as convcalc entries; top-level names are ultralytics' layer
    indexes as strings, so that ``from: [-1, "6"]`` reads as yolov8.yaml's ``[-1, 6]``."""

    def conv(c2: int, k: int = 1, s: int = 1, name: str = "conv", src: Any = None) -> dict[str, Any]:
        conv2d: dict[str, Any] = {"name": "conv", "out_channels": c2, "kernel_size": k, "bias": False}
        if s > 1:
            conv2d["stride"] = s
        if k > 1:
            conv2d["padding"] = autopad(k)
        args: dict[str, Any] = {"name": name, "layers": [{"Conv2d": conv2d}, {"BatchNorm2d": {"name": "bn"}},
                                                         {"SiLU": {"name": "act"}}]}  # fmt: skip
        if src is not None:
            args["from"] = src
        return {"Sequential": args}

    def c2f(c2: int, n: int, shortcut: bool, name: str) -> dict[str, Any]:
        c = int(c2 * 0.5)
        layers: list[Any] = [
            conv(2 * c, name="cv1"),
            {"Slice": {"name": "y0", "from": "cv1", "dim": 1, "start": 0, "end": c}},  # cv1(x).chunk(2, 1)
            {"Slice": {"name": "y1", "from": "cv1", "dim": 1, "start": c}},
        ]
        ys = ["y0", "y1"]
        for j in range(n):
            body = [conv(c, 3, name="cv1"), conv(c, 3, name="cv2")]
            if shortcut:
                layers.append({"Residual": {"name": f"m{j}", "from": ys[-1], "body": body}})
            else:
                layers.append({"Sequential": {"name": f"m{j}", "from": ys[-1], "layers": body}})
            ys.append(f"m{j}")
        layers += [{"Concat": {"from": ys, "dim": 1}}, conv(c2, name="cv2")]
        return {"Sequential": {"name": name, "layers": layers}}

    def sppf(c1: int, c2: int, name: str) -> dict[str, Any]:
        pool = {"kernel_size": 5, "stride": 1, "padding": 2}
        layers = [
            conv(c1 // 2, name="cv1"),
            {"MaxPool2d": {"name": "m1", **pool}},
            {"MaxPool2d": {"name": "m2", **pool}},
            {"MaxPool2d": {"name": "m3", **pool}},
            {"Concat": {"from": ["cv1", "m1", "m2", "m3"], "dim": 1}},
            conv(c2, name="cv2"),
        ]
        return {"Sequential": {"name": name, "layers": layers}}

    layers: list[Any] = []
    ch = 3
    channels: list[int] = []
    for i, (f, n, kind, args) in enumerate(YOLOV8):
        n, name = _repeats(n), str(i)
        if kind == "Conv":
            entry, ch = conv(_scaled(args[0]), args[1], args[2], name=name), _scaled(args[0])
        elif kind == "C2f":
            entry, ch = c2f(_scaled(args[0]), n, bool(args[1:] and args[1]), name), _scaled(args[0])
        elif kind == "SPPF":
            entry, ch = sppf(ch, _scaled(args[0]), name), _scaled(args[0])
        elif kind == "Upsample":
            entry = {"Upsample": {"name": name, "scale_factor": 2, "mode": "nearest"}}
        else:
            assert isinstance(f, list)
            entry = {"Concat": {"name": name, "from": [-1 if j == -1 else str(j) for j in f], "dim": 1}}
            ch = sum(channels[j] for j in f)
        channels.append(ch)
        layers.append(entry)
    return {"name": "YOLOv8n neck", "input": list(YOLO_INPUT), "layers": layers,
            "outputs": [str(i) for i in YOLO_OUTPUTS]}  # fmt: skip


def test_yolov8_c2f_sppf_neck_with_three_outputs() -> None:
    model = YOLONeck()
    theirs = measure_torch(model, YOLO_INPUT)
    assert theirs["outputs"] == [(1, 64, 16, 20), (1, 128, 8, 10), (1, 256, 4, 5)]
    text = as_yaml(yolo_desc())
    ours = measure_convcalc(text)
    assert_same(ours, theirs)
    report = convcalc.analyze(text).to_dict()
    assert [o["name"] for o in report["outputs"]] == ["15", "18", "21"]
    assert [o["path"] for o in report["outputs"]] == ["15", "18", "21"]
    # the Concat that joins the upsampled P5 with backbone P4 reads rows 10 and 6
    cat = next(r for r in report["layers"] if r["name"] == "11")
    assert cat["inputs"] == ["10", "6"] and not cat["composite"]


# ---------------------------------------------------------------------------------------
# WaveNet: gated residual blocks with skip connections (van den Oord et al. 2016, §2.3–2.4)
# ---------------------------------------------------------------------------------------


class CausalConv1d(nn.Conv1d):
    """A dilated convolution that sees only the past: left padding (k − 1)·d."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1) -> None:
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        self.left = (kernel_size - 1) * dilation

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(F.pad(x, (self.left, 0)))


class GatedResidualBlock(nn.Module):
    def __init__(self, residual: int, gate: int, skip: int, kernel_size: int, dilation: int) -> None:
        super().__init__()
        self.filter_conv = CausalConv1d(residual, gate, kernel_size, dilation)
        self.gate_conv = CausalConv1d(residual, gate, kernel_size, dilation)
        self.res_conv = nn.Conv1d(gate, residual, 1)
        self.skip_conv = nn.Conv1d(gate, skip, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = torch.tanh(self.filter_conv(x)) * torch.sigmoid(self.gate_conv(x))
        return x + self.res_conv(z), self.skip_conv(z)


class WaveNet(nn.Module):
    def __init__(self, residual: int = 16, gate: int = 32, skip: int = 32, classes: int = 256,
                 dilations: tuple[int, ...] = (1, 2, 4, 8), kernel_size: int = 2) -> None:  # fmt: skip
        super().__init__()
        self.causal = CausalConv1d(1, residual, kernel_size)
        self.blocks = nn.ModuleList(GatedResidualBlock(residual, gate, skip, kernel_size, d) for d in dilations)
        self.head = nn.Sequential(nn.ReLU(), nn.Conv1d(skip, skip, 1), nn.ReLU(), nn.Conv1d(skip, classes, 1))

    def forward(self, x: Tensor) -> Tensor:
        x = self.causal(x)
        skips = []
        for block in self.blocks:
            x, s = block(x)
            skips.append(s)
        return self.head(sum(skips))


def wavenet_desc(dilations: tuple[int, ...] = (1, 2, 4, 8), length: int = 200, node_form: bool = False) -> dict[str, Any]:
    """The WaveNet above; the gate as a ``Multiply`` of two branches, or (``node_form``)
    as a ``Multiply`` node reading the named tanh and sigmoid outputs."""
    layers: list[Any] = [
        {"ZeroPad1d": {"padding": [1, 0]}},
        {"Conv1d": {"name": "x0", "out_channels": 16, "kernel_size": 2}},
    ]
    for b, d in enumerate(dilations, 1):
        layers.append({"ZeroPad1d": {"name": f"pad{b}", "from": f"x{b - 1}", "padding": [d, 0]}})
        if node_form:
            layers += [
                {"Conv1d": {"out_channels": 32, "kernel_size": 2, "dilation": d}},
                {"Tanh": {"name": f"tanh{b}"}},
                {"Conv1d": {"from": f"pad{b}", "out_channels": 32, "kernel_size": 2, "dilation": d}},
                "Sigmoid",
                {"Multiply": {"name": f"z{b}", "from": [f"tanh{b}", -1]}},
            ]
        else:
            layers.append({"Multiply": {"name": f"z{b}", "branches": [  # tanh(filter(x)) · sigmoid(gate(x))
                [{"Conv1d": {"name": "filter_conv", "out_channels": 32, "kernel_size": 2, "dilation": d}}, "Tanh"],
                [{"Conv1d": {"name": "gate_conv", "out_channels": 32, "kernel_size": 2, "dilation": d}}, "Sigmoid"],
            ]}})  # fmt: skip
        layers += [
            {"Conv1d": {"name": f"r{b}", "out_channels": 16, "kernel_size": 1}},
            {"Add": {"name": f"x{b}", "from": [f"x{b - 1}", -1]}},
            {"Conv1d": {"name": f"s{b}", "from": f"z{b}", "out_channels": 32, "kernel_size": 1}},
        ]
    layers += [
        {"Add": {"name": "skips", "from": [f"s{b}" for b in range(1, len(dilations) + 1)]}},
        "ReLU",
        {"Conv1d": {"out_channels": 32, "kernel_size": 1}},
        "ReLU",
        {"Conv1d": {"name": "logits", "out_channels": 256, "kernel_size": 1}},
    ]
    return {"name": "WaveNet", "input": [1, 1, length], "layers": layers}


@pytest.mark.parametrize("node_form", [False, True], ids=["gate-branches", "gate-node"])
def test_wavenet_gated_blocks_with_skip_sum(node_form: bool) -> None:
    theirs = measure_torch(WaveNet(), (1, 1, 200))
    ours = measure_convcalc(as_yaml(wavenet_desc(node_form=node_form)))
    assert_same(ours, theirs)
    assert theirs["outputs"] == [(1, 256, 200)]
    report = convcalc.analyze(wavenet_desc(node_form=node_form)).to_dict()
    skips = next(r for r in report["layers"] if r["name"] == "skips")
    by_name = {r["name"]: r["path"] for r in report["layers"] if r["name"]}
    assert skips["inputs"] == [by_name[f"s{b}"] for b in range(1, 5)]
    assert skips["params"] == skips["macs"] == 0 and skips["output_shape"] == [1, 32, 200]
    # the causal stack: output t reads inputs t − 16 … t (1 + 1 + 1 + 2 + 4 + 8 = 17, all in the past)
    logits = report["layers"][-1]
    assert logits["receptive_field"] == {"size": [17], "jump": [1], "start": [-8.0]}
    assert expected_fields(wavenet_desc(node_form=node_form))[logits["path"]] == ([17], [1], [-8.0])
    assert assert_fields_match(wavenet_desc(node_form=node_form)) == len(report["layers"])


# ---------------------------------------------------------------------------------------
# Receptive field at merges against a brute-force index walk (autograd)
# ---------------------------------------------------------------------------------------


def brute_spans(tensor: Tensor, x: Tensor, positions: list[tuple[int, ...]]) -> list[list[tuple[int, int]] | None]:
    """For each output position, per spatial dimension, the first and last input index
    that ``tensor[b, :, *position]`` (summed over channels) has a nonzero gradient for,
    or None when it reads padding only. Position ``b`` is read from batch element ``b``:
    the elements are independent (no batch statistics), so one backward pass serves all."""
    loss = sum(tensor[(b, slice(None), *p)].sum() for b, p in enumerate(positions))
    (grad,) = torch.autograd.grad(loss, x, retain_graph=True)
    result: list[list[tuple[int, int]] | None] = []
    for b in range(len(positions)):
        nonzero = grad[b].abs().sum(0)  # over channels: [*spatial]
        spans: list[tuple[int, int]] | None = []
        for dim in range(nonzero.dim()):
            other = [d for d in range(nonzero.dim()) if d != dim]
            hit = torch.nonzero(nonzero.sum(other) if other else nonzero).flatten().tolist()
            if not hit:
                spans = None
                break
            spans.append((hit[0], hit[-1]))  # type: ignore[union-attr]
        result.append(spans)
    return result


def expected_fields(desc: dict[str, Any]) -> dict[str, Any]:
    """path → (size, jump, start) per spatial dimension for every row with a spatial
    output, from the gradients of three neighbouring output positions m − 1, m, m + 1
    around the middle; "clipped" when the three spans are not translates of each other
    (some padding, of the input or of a tensor inside, cut a field short) or touch the
    input's border, and for outputs of fewer than 3 positions."""
    model = GraphModule(desc, keep_outputs=True)
    set_averaging(model)
    x = torch.ones((3, *model.input_shape[1:]), requires_grad=True)
    found: dict[str, Any] = {}
    with torch.enable_grad():
        model(x)
        for row in model.rows:
            out = row.output
            assert out is not None
            if out.dim() < 3:
                continue
            sizes = tuple(out.shape[2:])
            if min(sizes) < 3:
                found[row.path] = "clipped"
                continue
            mid = tuple(n // 2 for n in sizes)
            spans = brute_spans(out, x, [tuple(m + step for m in mid) for step in (-1, 0, 1)])
            if any(s is None for s in spans):
                found[row.path] = "clipped"
                continue
            before, here, after = spans  # type: ignore[misc]
            size, jump, start = [], [], []
            for (lo0, hi0), (lo, hi), (lo2, hi2), m, n in zip(before, here, after, mid, x.shape[2:], strict=True):
                j = lo2 - lo
                if (lo - lo0, hi - hi0, hi2 - hi) != (j, j, j) or lo0 == 0 or hi2 == n - 1:
                    break
                size.append(hi - lo + 1)
                jump.append(j)
                start.append((lo + hi) / 2 - m * j)
            else:
                found[row.path] = (size, jump, start)
                continue
            found[row.path] = "clipped"
    return found


def assert_fields_match(desc: dict[str, Any]) -> int:
    """Every row's receptive field against the brute force; returns the rows compared."""
    expected = expected_fields(desc)
    report = convcalc.analyze(desc).to_dict()
    compared = 0
    for row in report["layers"]:
        want = expected.get(row["path"])
        if want is None or want == "clipped":
            continue
        got = row["receptive_field"]
        assert got is not None, f"row {row['path']} ({row['type']}): convcalc null, brute force {want}\n{desc}"
        size, jump, start = want
        assert got["size"] == size, (row["path"], row["type"], got, want, desc)
        assert (got["jump"], got["start"]) == (jump, start), (row["path"], row["type"], got, want, desc)
        compared += 1
    return compared


def test_concat_of_a_centred_and_a_causal_five_tap_branch_reads_seven_positions() -> None:
    desc = {
        "input": [1, 1, 32],
        "layers": [{"Concat": {"dim": 1, "branches": [
            [{"Conv1d": {"out_channels": 1, "kernel_size": 5, "padding": 2, "bias": False}}],
            [{"ZeroPad1d": {"padding": [4, 0]}}, {"Conv1d": {"out_channels": 1, "kernel_size": 5, "bias": False}}],
        ]}}],
    }  # fmt: skip
    expected = expected_fields(desc)
    assert expected["0"] == ([7], [1], [-1.0])  # PyTorch: output t reads t − 4 … t + 2
    assert convcalc.analyze(desc).to_dict()["layers"][0]["receptive_field"] == {"size": [7], "jump": [1], "start": [-1.0]}
    assert assert_fields_match(desc) == 4


def test_merged_field_with_different_jumps_is_null_with_a_warning() -> None:
    desc = {
        "input": [1, 2, 16],
        "layers": [{"Concat": {"dim": 1, "branches": [
            [{"Conv1d": {"out_channels": 2, "kernel_size": 2, "stride": 2, "bias": False}}],  # 8 outputs, jump 2
            [{"Conv1d": {"out_channels": 2, "kernel_size": 9, "bias": False}}],  # 8 outputs, jump 1
        ]}}, {"Conv1d": {"out_channels": 2, "kernel_size": 3, "bias": False}}],
    }  # fmt: skip
    report = convcalc.analyze(desc).to_dict()
    assert report["layers"][0]["output_shape"] == [1, 4, 8]
    assert report["layers"][0]["receptive_field"] is None
    assert report["layers"][-1]["receptive_field"] is None
    warned = report["warnings"] + [w for r in report["layers"] for w in r.get("warnings", [])]
    assert any("receptive" in str(w).lower() for w in warned), warned


def rf_branch(rng: random.Random, dims: int, stride: int, channels: int = 2) -> list[Any]:
    """A branch that keeps the length (⌊(n − 1)/stride⌋ + 1 outputs) and shifts its field:
    centred, causal, anti-causal or any split of the padding, possibly two convolutions."""
    conv, pad = f"Conv{dims}d", f"ZeroPad{dims}d"
    out: list[Any] = []
    for i in range(rng.choice((1, 1, 2))):
        k, d = rng.choice((1, 2, 3, 4, 5)), rng.choice((1, 1, 2))
        s = stride if i == 0 else 1
        span = d * (k - 1)
        if span % 2 == 0 and rng.random() < 0.4:
            out.append({conv: {"out_channels": channels, "kernel_size": k, "dilation": d, "stride": s, "padding": span // 2,
                               "bias": False}})  # fmt: skip
            continue
        sides: list[int] = []
        for _ in range(dims):
            left = rng.randint(0, span)
            sides += [left, span - left]
        out.append({pad: {"padding": sides}})
        out.append({conv: {"out_channels": channels, "kernel_size": k, "dilation": d, "stride": s, "bias": False}})
    return out


def rf_network(rng: random.Random) -> dict[str, Any]:
    """Stages of plain layers and merges (Concat/Add/Multiply branches, Residual, Split,
    node-form merges of named tensors), every branch of a merge with the same stride."""
    dims = 1 if rng.random() < 0.7 else 2
    side = 160 if dims == 1 else 48
    layers: list[Any] = [{f"Conv{dims}d": {"out_channels": 2, "kernel_size": 1, "bias": False}}]
    if dims == 2 and rng.random() < 0.3:  # space-to-depth: jump 2, field 2 × 2
        layers += [{"PixelUnshuffle": {"downscale_factor": 2}}, {"Conv2d": {"out_channels": 2, "kernel_size": 1}}]
    for stage in range(rng.randint(2, 4)):
        kind = rng.choice(("plain", "pool", "slice", "Concat", "Add", "Multiply", "Residual", "Split", "node"))
        stride = rng.choice((1, 1, 2))
        if kind == "plain":
            layers += rf_branch(rng, dims, stride)
        elif kind == "pool":
            layers.append({f"AvgPool{dims}d": {"kernel_size": rng.choice((2, 3)), "stride": rng.choice((1, 2))}})
        elif kind == "slice":  # x[..., start::step] along a spatial dimension: a shift and a stride
            dim = rng.choice(range(2, 2 + dims)) if rng.random() < 0.5 else -1
            layers.append({"Slice": {"dim": dim, "start": rng.randint(0, 3), "step": rng.choice((1, 2))}})
            if rng.random() < 0.3:
                layers.append({"ChannelShuffle": {"groups": 2}})
        elif kind in ("Concat", "Add", "Multiply"):
            branches = [rf_branch(rng, dims, stride) for _ in range(rng.randint(2, 3))]
            if stride == 1 and rng.random() < 0.3:
                branches[0] = []
            args: dict[str, Any] = {"branches": branches}
            if kind == "Concat":
                args["dim"] = 1
            layers.append({kind: args})
            if kind == "Concat":  # back to 2 channels
                layers.append({f"Conv{dims}d": {"out_channels": 2, "kernel_size": 1, "bias": False}})
        elif kind == "Residual":
            layers.append({"Residual": {"body": rf_branch(rng, dims, 1)}})
        elif kind == "Split":
            # convcalc keeps one field per tensor (the union over its channels); a 1×1
            # convolution first gives every channel that field, so that each piece has it
            layers.append({f"Conv{dims}d": {"out_channels": 2, "kernel_size": 1, "bias": False}})
            branches = [rf_branch(rng, dims, stride, 1), rf_branch(rng, dims, stride, 1)]
            layers.append({"Split": {"dim": 1, "chunks": 2, "branches": branches}})
        else:
            name = f"t{stage}"
            layers.append({"Identity": {"name": name}})
            layers += rf_branch(rng, dims, 1)
            merge = rng.choice(("Add", "Multiply", "Concat"))
            args = {"from": [name, -1] if rng.random() < 0.5 else [-1, name]}
            if merge == "Concat":
                args["dim"] = 1
            layers.append({merge: args})
            if merge == "Concat":
                layers.append({f"Conv{dims}d": {"out_channels": 2, "kernel_size": 1, "bias": False}})
    return {"input": [1, 2, *([side] * dims)], "layers": layers}


def test_merged_receptive_fields_equal_a_brute_force_walk() -> None:
    rng = random.Random(20_250_612)
    rows = 0
    merges = 0
    for _ in range(80):
        desc = rf_network(rng)
        rows += assert_fields_match(desc)
        merges += sum(1 for e in desc["layers"] if next(iter(e)) in ("Concat", "Add", "Multiply", "Residual", "Split"))
    assert rows >= 1000 and merges >= 100, (rows, merges)
