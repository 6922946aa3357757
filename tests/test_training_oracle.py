"""``net --train`` against PyTorch 2.13.0 on the CPU (the measurements of
``tests/training_torch.py``): saved activations per row and in total, gradients, backward
FLOPs and the optimizer state of all seven optimizers after a real ``optimizer.step()``.

* Every built-in network, at batch 1 and 2, built from its torch twin (``tests/zoo_torch``,
  torchvision's module names): the totals, and each leaf module run once whose name is a
  row's qualname. On the CPU each network is analysed at its input with the spatial
  sizes divided by the largest of a few factors it accepts (the same size in torch): the
  rules do not depend on the size; the networks that accept no reduced size, or have over
  150 M parameters, are measured on the ``meta`` device (autograd runs and packs the same
  tensors, with no arithmetic) at their own size. The seven optimizers step on a set of
  networks that holds every layer class with parameters.
* Targeted networks for each rule and frozen variants of ResNet-18, built by
  ``graph_torch.GraphModule`` from the very description convcalc reads, compared row by row
  (a block row: what its own merge saves).
* 400 random graphs of ``test_oracle_graph``'s generator, row by row.
"""

from __future__ import annotations

import copy
import functools
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import convcalc
from convcalc import ConvCalcError
from convcalc.training import OPTIMIZERS, Training, train
from convcalc.zoo import zoo_names, zoo_path

torch = pytest.importorskip("torch")
yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_torch import GraphModule  # noqa: E402
from training_torch import OPTIMIZERS as TORCH_OPTIMIZERS  # noqa: E402
from training_torch import Measured, measure  # noqa: E402

from tests.zoo_torch import all_twins  # noqa: E402

pytestmark = pytest.mark.oracle

NAMES = zoo_names()


@pytest.fixture(autouse=True, scope="module")
def _torch_threads() -> Any:
    """One thread: on a busy 2-core runner torch's pool spends most of its time waiting
    (a convolution measured 70 times slower with two)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _twin(name: str) -> Any:
    if name == "lenet":
        import zoo_models

        return zoo_models.lenet
    return all_twins()[name]


# ---------------------------------------------------------------------------------------
# What the twins run in training that the zoo's YAML (written for eval) does not
# ---------------------------------------------------------------------------------------


def _training_desc(name: str) -> dict[str, Any] | str:
    """The network as its twin runs in training: yolov8n's Detect returns the three raw
    head maps in training (no box decoding); every other network is its YAML."""
    if name != "yolov8n":
        return name
    desc = yaml.safe_load(zoo_path(name).read_text(encoding="utf-8"))
    last = next(
        i for i, e in enumerate(desc["layers"]) if isinstance(e, dict) and e.get("Concat", {}).get("name") == "p5"
    )
    desc["layers"] = desc["layers"][: last + 1]
    desc["outputs"] = ["p3", "p4", "p5"]
    return desc


def _stochastic_depth(model: Any, m: Measured) -> int:
    """Bytes packed inside torchvision's StochasticDepth (ConvNeXt, EfficientNet), a
    per-sample mask in training that the YAML writes as Identity (its eval form)."""
    return sum(m.saved_by[q] for q, mod in model.named_modules() if type(mod).__name__ == "StochasticDepth")


# ---------------------------------------------------------------------------------------
# Every built-in network
# ---------------------------------------------------------------------------------------

_FACTORS = (16, 12, 8, 6, 4, 3, 2)  # spatial sizes divided by these, the smallest accepted first
_LARGE = 150_000_000  # parameters: weight gradients this large cost seconds of CPU


@functools.cache
def _plan(name: str) -> tuple[str, tuple[int, ...]]:
    """Where and at what input a network is measured: on the CPU at its input with the
    spatial sizes divided by the largest factor at which convcalc trains it and its twin
    runs; on the meta device at its own size when no reduced size works (a Linear or an
    Upsample of a fixed size) or it has over 150 M parameters."""
    report = convcalc.analyze(name)
    shape = report.input_shape
    if report.totals.params <= _LARGE:
        for f in _FACTORS:
            trial = (2, shape[1], *(max(1, d // f) for d in shape[2:]))
            try:
                train(_training_desc(name), input_shape=trial)
                with warnings.catch_warnings(), torch.device("meta"), torch.no_grad():
                    warnings.simplefilter("ignore")
                    _twin(name)().eval()(torch.empty(trial))
            except (ConvCalcError, RuntimeError, ValueError):
                continue
            return "cpu", trial
    return "meta", (2, *shape[1:])


def _built(name: str, device: str) -> Any:
    """The twin on ``device``: made on meta, then given memory (every float filled with
    0.01: the values change nothing measured, and initialising 100 M weights costs seconds)."""
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        model = _twin(name)()
    if device == "meta":
        return model
    model = model.to_empty(device=device)
    with torch.no_grad():
        for t in [*model.parameters(), *model.buffers()]:
            if t.is_floating_point():
                t.fill_(0.01)
    return model


#: The built-in networks whose optimizer state is compared after a real step of each of
#: the seven optimizers (a step over 100 M parameters costs seconds, even on meta): every
#: layer class with parameters, the frozen DFL convolution of YOLOv8 and WaveNet's last
#: residual convolution, whose output no output reads (it gets no gradient, and so no
#: state but Adagrad's, made up front).
OPTIMIZER_NETWORKS = {
    "lenet", "alexnet", "resnet18", "mobilenet_v3_small", "convnext_tiny", "shufflenet_v2_x0_5", "regnet_y_400mf",
    "efficientnet_b0", "densenet121", "googlenet", "squeezenet1_0", "wavenet", "yolov8n", "dcgan_generator", "m5",
    "mnasnet0_5", "inception_v3",
}  # fmt: skip


def _leaf_rows(t: Training) -> dict[str, int]:
    return {r.qualname: f.saved_bytes for r, f in zip(t.report.rows, t.rows) if r.qualname and not r.composite}


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("name", NAMES)
def test_every_builtin_network_saves_what_autograd_saves(name: str, batch: int) -> None:
    device, planned = _plan(name)
    shape = (batch, *planned[1:])
    model = _built(name, device)
    x = torch.empty(shape, device="meta") if device == "meta" else torch.randn(shape)
    try:
        mine = train(_training_desc(name), input_shape=shape)
    except ConvCalcError as err:  # a BatchNorm of one value per channel at batch 1: torch refuses too
        assert batch == 1 and "refuses" in str(err), err
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            measure(model, x, optimizers=False)
        return
    steps = batch == 2 and name in OPTIMIZER_NETWORKS
    m = measure(model, x, optimizers=steps)
    t = mine.totals
    for optimizer, state in m.optimizer.items():
        assert state == train(_training_desc(name), input_shape=shape, optimizer=optimizer).totals.optimizer_bytes
    assert m.saved - _stochastic_depth(model, m) == t.saved_bytes
    assert m.grad == t.grad_bytes
    whole = t if name != "yolov8n" else train(name, input_shape=shape).totals  # with the DFL's frozen weights
    assert (m.params, m.buffers) == (whole.param_bytes, whole.buffer_bytes)
    assert m.backward_flops == t.backward_flops
    rows = _leaf_rows(mine)
    drop = {q for q, mod in model.named_modules() if type(mod).__name__ == "StochasticDepth"}
    once = {q: m.saved_by[q] for q in rows if m.calls[q] == 1 and q not in drop}
    assert once == {q: rows[q] for q in once}
    assert len(once) >= len(rows) // 2, "too few leaf modules compared"


# ---------------------------------------------------------------------------------------
# Targeted networks, row by row
# ---------------------------------------------------------------------------------------


class Traced(GraphModule):
    """GraphModule that knows which row is running: the innermost leaf or block."""

    def __init__(self, desc: dict[str, Any]) -> None:
        object.__setattr__(self, "where", [])
        super().__init__(desc)

    def _leaf(self, *args: Any) -> Any:
        self.where.append(args[3])  # path
        try:
            return super()._leaf(*args)
        finally:
            self.where.pop()

    def _block(self, *args: Any) -> Any:
        self.where.append(args[4])  # path
        try:
            return super()._block(*args)
        finally:
            self.where.pop()


def _own(t: Training) -> dict[str, int]:
    """Each row's own saved bytes (a block row: its merge's), the rows that save any."""
    rows = t.report.rows
    own = {r.path: f.saved_bytes for r, f in zip(rows, t.rows)}
    for r, f in zip(rows, t.rows):
        parent = r.path.rsplit(".", 1)[0] if "." in r.path else None
        while parent is not None and parent not in own:  # body/shortcut/branch lists are not rows
            parent = parent.rsplit(".", 1)[0] if "." in parent else None
        if parent is not None:
            own[parent] -= f.saved_bytes
    return {k: v for k, v in own.items() if v}


def check_rows(desc: dict[str, Any], optimizers: bool = True, dtype: str = "float32") -> tuple[Measured, Training]:
    """convcalc and torch agree on every row's saved bytes, the totals, the gradients,
    the backward FLOPs and (``optimizers``) each optimizer's state."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Traced(desc).to(getattr(torch, dtype))
        x = torch.randn(model.input_shape, dtype=getattr(torch, dtype))
        m = measure(model, x, owner=lambda: model.where[-1] if model.where else "", optimizers=optimizers)
    t = train(desc, dtype=dtype)
    assert {k: v for k, v in m.saved_by.items() if v} == _own(t)
    assert (m.saved, m.grad, m.backward_flops) == (t.totals.saved_bytes, t.totals.grad_bytes, t.totals.backward_flops)
    assert (m.params, m.buffers) == (t.totals.param_bytes, t.totals.buffer_bytes)
    for optimizer, state in m.optimizer.items():
        assert state == train(desc, dtype=dtype, optimizer=optimizer).totals.optimizer_bytes, optimizer
    return m, t


def net(*layers: Any, input: list[int] | None = None, **extra: Any) -> dict[str, Any]:
    return {"input": input or [2, 4, 8, 8], "layers": list(layers), **extra}


CONV = {"Conv2d": {"out_channels": 4, "k": 3, "p": 1}}
ACTIVATIONS = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
               "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus", "PReLU", "Identity"]  # fmt: skip
IN_PLACE = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "CELU", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Hardtanh"]

TARGETED: dict[str, dict[str, Any]] = {
    **{f"{a}": net(CONV, a) for a in ACTIVATIONS},
    **{f"{a} in place": net(CONV, {a: {"inplace": True}}) for a in IN_PLACE},
    **{f"{a} in place after BatchNorm": net(CONV, "BatchNorm2d", {a: {"inplace": True}}) for a in IN_PLACE},
    "in place at the input (no gradient yet)": net({"ReLU": {"inplace": True}}, CONV),
    "Softmax": net(CONV, {"Softmax": {"dim": 1}}),
    "LogSoftmax": net(CONV, {"LogSoftmax": {"dim": -1}}),
    "GLU": net(CONV, {"GLU": {"dim": 1}}),
    "Dropout": net(CONV, "Dropout"),
    "Dropout in place": net(CONV, {"Dropout": {"inplace": True}}),
    "AlphaDropout": net(CONV, "AlphaDropout"),
    "Dropout2d": net(CONV, "Dropout2d"),
    "Dropout2d in place": net(CONV, {"Dropout2d": {"inplace": True}}),
    "Dropout1d": net({"Conv1d": {"out_channels": 4, "k": 3}}, "Dropout1d", input=[2, 4, 9]),
    "Dropout3d": net({"Conv3d": {"out_channels": 4, "k": 3}}, "Dropout3d", input=[2, 4, 5, 5, 5]),
    "MaxPool2d": net(CONV, {"MaxPool2d": {"k": 2}}),
    "MaxPool2d padded ceil": net(CONV, {"MaxPool2d": {"k": 3, "s": 2, "p": 1, "ceil_mode": True}}),
    "MaxPool1d": net({"Conv1d": {"out_channels": 4, "k": 3}}, {"MaxPool1d": {"k": 2}}, input=[2, 4, 9]),
    "MaxPool3d": net({"Conv3d": {"out_channels": 4, "k": 1}}, {"MaxPool3d": {"k": 2}}, input=[2, 4, 4, 4, 4]),
    "AvgPool2d": net(CONV, {"AvgPool2d": {"k": 2}}),
    "AvgPool1d": net({"Conv1d": {"out_channels": 4, "k": 3}}, {"AvgPool1d": {"k": 2}}, input=[2, 4, 9]),
    "AvgPool3d": net({"Conv3d": {"out_channels": 4, "k": 1}}, {"AvgPool3d": {"k": 2}}, input=[2, 4, 4, 4, 4]),
    "LPPool2d": net(CONV, {"LPPool2d": {"norm_type": 2, "k": 2}}),
    "LPPool2d inf": net(CONV, {"LPPool2d": {"norm_type": float("inf"), "k": 2}}),
    "LPPool1d": net({"Conv1d": {"out_channels": 4, "k": 3}}, {"LPPool1d": {"norm_type": 3, "k": 2}}, input=[2, 4, 9]),
    "AdaptiveAvgPool2d to 1": net(CONV, {"AdaptiveAvgPool2d": {"output_size": 1}}),
    "AdaptiveAvgPool2d to 3": net(CONV, {"AdaptiveAvgPool2d": {"output_size": 3}}),
    "AdaptiveAvgPool2d to [null, 1]": net(CONV, {"AdaptiveAvgPool2d": {"output_size": [None, 1]}}),
    "AdaptiveAvgPool1d to 1": net(
        {"Conv1d": {"out_channels": 4, "k": 3}}, {"AdaptiveAvgPool1d": {"output_size": 1}}, input=[2, 4, 9]
    ),  # fmt: skip
    "AdaptiveAvgPool3d to 1": net(
        {"Conv3d": {"out_channels": 4, "k": 1}}, {"AdaptiveAvgPool3d": {"output_size": 1}}, input=[2, 4, 4, 4, 4]
    ),  # fmt: skip
    "AdaptiveMaxPool2d": net(CONV, {"AdaptiveMaxPool2d": {"output_size": 2}}),
    **{
        f"Upsample {m}": net(CONV, {"Upsample": {"scale_factor": 2, "mode": m}})
        for m in ("nearest", "bilinear", "bicubic", "area", "nearest-exact")
    },  # fmt: skip
    "Upsample linear": net(
        {"Conv1d": {"out_channels": 4, "k": 3}}, {"Upsample": {"scale_factor": 2, "mode": "linear"}}, input=[2, 4, 9]
    ),  # fmt: skip
    "Upsample trilinear": net(
        {"Conv3d": {"out_channels": 4, "k": 1}}, {"Upsample": {"size": 6, "mode": "trilinear"}}, input=[2, 4, 4, 4, 4]
    ),  # fmt: skip
    **{
        f"{p}": net(CONV, {p: {"padding": 1}})
        for p in ("ZeroPad2d", "ReflectionPad2d", "ReplicationPad2d", "CircularPad2d")
    },  # fmt: skip
    "ConstantPad2d": net(CONV, {"ConstantPad2d": {"padding": 1, "value": 0.5}}),
    "BatchNorm2d": net(CONV, "BatchNorm2d"),
    "BatchNorm2d without affine": net(CONV, {"BatchNorm2d": {"affine": False}}),
    "BatchNorm2d without running statistics": net(CONV, {"BatchNorm2d": {"track_running_stats": False}}),
    "BatchNorm1d on [N, C]": net("Flatten", {"Linear": {"out_features": 6}}, "BatchNorm1d"),
    "BatchNorm1d on [N, C, L]": net({"Conv1d": {"out_channels": 4, "k": 3}}, "BatchNorm1d", input=[2, 4, 9]),
    "BatchNorm3d": net({"Conv3d": {"out_channels": 4, "k": 1}}, "BatchNorm3d", input=[2, 4, 3, 3, 3]),
    "BatchNorm first (on the input)": net("BatchNorm2d", CONV),
    "LayerNorm": net(CONV, "LayerNorm"),
    "LayerNorm over two dims": net(CONV, {"LayerNorm": {"normalized_shape": [8, 8]}}),
    "LayerNorm without affine": net(CONV, {"LayerNorm": {"elementwise_affine": False}}),
    "LayerNorm without bias": net(CONV, {"LayerNorm": {"bias": False}}),
    "GroupNorm": net(CONV, {"GroupNorm": {"num_groups": 2}}),
    "GroupNorm without affine": net(CONV, {"GroupNorm": {"num_groups": 4, "affine": False}}),
    "InstanceNorm2d": net(CONV, "InstanceNorm2d"),
    "InstanceNorm2d affine": net(CONV, {"InstanceNorm2d": {"affine": True}}),
    "InstanceNorm2d running statistics": net(CONV, {"InstanceNorm2d": {"track_running_stats": True}}),
    "InstanceNorm1d": net({"Conv1d": {"out_channels": 4, "k": 3}}, "InstanceNorm1d", input=[2, 4, 9]),
    "LocalResponseNorm": net(CONV, {"LocalResponseNorm": {"size": 3}}),
    "LocalResponseNorm 3-d": net(
        {"Conv1d": {"out_channels": 4, "k": 3}}, {"LocalResponseNorm": {"size": 2}}, input=[2, 4, 9]
    ),  # fmt: skip
    "Linear on 2-d": net("Flatten", {"Linear": {"out_features": 5}}, "ReLU", {"Linear": {"out_features": 3}}),
    "Linear on 3-d": net({"Conv1d": {"out_channels": 4, "k": 3}}, {"Linear": {"out_features": 5}}, input=[2, 4, 9]),
    "Linear on 4-d": net(CONV, {"Linear": {"out_features": 5}}),
    "Linear after Permute (a copy)": net(CONV, {"Permute": {"dims": [0, 2, 3, 1]}}, {"Linear": {"out_features": 5}}),
    "Linear frozen": net(CONV, "Flatten", {"Linear": {"out_features": 5, "trainable": False}}),
    "Linear first (on the input)": net("Flatten", {"Linear": {"out_features": 5}}),
    "Linear without bias": net("Flatten", {"Linear": {"out_features": 5, "bias": False}}),
    "Flatten after Permute (a copy)": net(CONV, {"Permute": {"dims": [0, 2, 3, 1]}}, "Flatten", "ReLU"),
    "Reshape": net(CONV, {"Reshape": {"shape": [16, -1]}}, "Sigmoid"),
    "Unflatten": net(CONV, {"Unflatten": {"dim": 1, "unflattened_size": [2, 2]}}, "Tanh"),
    "Permute": net(CONV, {"Permute": {"dims": [0, 2, 3, 1]}}, "LayerNorm", {"Permute": {"dims": [0, 3, 1, 2]}}, CONV),
    "Slice": net(CONV, {"Slice": {"dim": 1, "start": 1, "end": 3}}, CONV),
    "Slice with a step": net(CONV, {"Slice": {"dim": 3, "step": 2}}, "Sigmoid"),
    "ChannelShuffle": net(CONV, {"ChannelShuffle": {"groups": 2}}, CONV),
    "PixelShuffle": net(CONV, {"PixelShuffle": {"upscale_factor": 2}}, "ReLU"),
    "PixelUnshuffle": net(CONV, {"PixelUnshuffle": {"downscale_factor": 2}}, "ReLU"),
    "Scale": net(CONV, "Scale"),
    "Scale on the input": net("Scale", CONV),
    "Scale frozen": net(CONV, {"Scale": {"trainable": False}}),
    "Scale last dim after Permute": net(CONV, {"Permute": {"dims": [0, 2, 3, 1]}}, {"Scale": {"shape": [4]}}),
    "ConvTranspose2d": net(CONV, {"ConvTranspose2d": {"out_channels": 3, "k": 3, "s": 2}}),
    "Conv3d": net({"Conv3d": {"out_channels": 4, "k": 3}}, input=[2, 4, 5, 5, 5]),
    "grouped Conv2d": net(CONV, {"Conv2d": {"out_channels": 8, "k": 3, "g": 2}}),
    "depthwise Conv2d": net(CONV, {"Conv2d": {"out_channels": 4, "k": 3, "g": 4}}),
    "depthwise Conv2d frozen": net(CONV, {"Conv2d": {"out_channels": 4, "k": 3, "g": 4, "trainable": False}}, CONV),
    "grouped ConvTranspose2d": net(CONV, {"ConvTranspose2d": {"out_channels": 4, "k": 2, "s": 2, "g": 2}}),
    **{  # F.conv of F.pad(x, mode): the padded copy, and reflection and replication keep x too
        f"Conv2d padding_mode {mode}": net(
            CONV, {"Conv2d": {"out_channels": 4, "k": 3, "p": [1, 2], "padding_mode": mode}}
        )
        for mode in ("reflect", "replicate", "circular")
    },
    "Conv1d padding_mode reflect, padding 0 (still a copy)": net(
        {"Conv1d": {"out_channels": 4, "k": 3}},
        {"Conv1d": {"out_channels": 4, "k": 3, "padding_mode": "reflect"}},
        input=[2, 4, 9],
    ),
    "Conv3d padding_mode replicate, same": net(
        {"Conv3d": {"out_channels": 4, "k": 1}},
        {"Conv3d": {"out_channels": 4, "k": 2, "padding": "same", "padding_mode": "replicate"}},
        input=[2, 4, 5, 5, 5],
    ),
    "Conv2d padding_mode reflect first (on the input)": net(
        {"Conv2d": {"out_channels": 4, "k": 3, "p": 1, "padding_mode": "reflect"}}, "ReLU"
    ),
    "Conv2d padding_mode reflect frozen": net(
        CONV, {"Conv2d": {"out_channels": 4, "k": 3, "p": 1, "padding_mode": "reflect", "trainable": False}}
    ),
    "residual add": net(CONV, {"Residual": {"body": [CONV, "BatchNorm2d", "ReLU", CONV]}}, "ReLU"),
    "residual with a shortcut": net(
        CONV,
        {
            "Residual": {
                "body": [{"Conv2d": {"out_channels": 8, "k": 3, "s": 2, "p": 1}}],
                "shortcut": [{"Conv2d": {"out_channels": 8, "k": 1, "s": 2}}],
            }
        },
    ),
    "Concat branches": net(
        CONV, {"Concat": {"branches": [[CONV, "ReLU"], [{"MaxPool2d": {"k": 3, "s": 1, "p": 1}}], []]}}, CONV
    ),  # fmt: skip
    "Concat node": net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Conv2d": {"out_channels": 4, "k": 1}},
        {"Concat": {"from": ["a", -1]}},
        "Sigmoid",
    ),  # fmt: skip
    "Add node": net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Conv2d": {"out_channels": 4, "k": 1}},
        {"Add": {"from": ["a", -1]}},
        "Tanh",
    ),  # fmt: skip
    "Multiply gate (SE)": net(
        CONV,
        {
            "Multiply": {
                "branches": [
                    [],
                    [
                        {"AdaptiveAvgPool2d": {"output_size": 1}},
                        {"Conv2d": {"out_channels": 2, "k": 1}},
                        "ReLU",
                        {"Conv2d": {"out_channels": 4, "k": 1}},
                        "Hardsigmoid",
                    ],
                ]
            }
        },
    ),  # fmt: skip
    "Multiply node, broadcast": net(
        {"Conv2d": {"name": "x", "out_channels": 4, "k": 1}},
        {"AdaptiveAvgPool2d": {"output_size": 1}},
        "Sigmoid",
        {"Multiply": {"from": ["x", -1]}},
    ),
    "Multiply of three": net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Conv2d": {"name": "b", "out_channels": 4, "k": 1}},
        {"Conv2d": {"out_channels": 4, "k": 1}},
        {"Multiply": {"from": ["a", "b", -1]}},
    ),  # fmt: skip
    "Multiply with the input (no gradient there)": net(CONV, {"Multiply": {"from": ["input", -1]}}),
    "Split (ShuffleNet)": net(
        CONV,
        {
            "Split": {
                "dim": 1,
                "chunks": 2,
                "branches": [[], [{"Conv2d": {"out_channels": 2, "k": 1}}, "BatchNorm2d", "ReLU"]],
            }
        },
        {"ChannelShuffle": {"groups": 2}},
    ),  # fmt: skip
    "Split by sizes into Linear": net(
        CONV,
        "Flatten",
        {
            "Split": {
                "dim": 1,
                "sizes": [100, 156],
                "branches": [[{"Linear": {"out_features": 3}}], [{"Linear": {"out_features": 3}}]],
            }
        },
    ),
    "Split at batch 1 (contiguous pieces)": net(
        CONV,
        {
            "Split": {
                "dim": 1,
                "chunks": 2,
                "branches": [
                    [],
                    [
                        {"Permute": {"dims": [0, 2, 3, 1]}},
                        {"Linear": {"out_features": 2}},
                        {"Permute": {"dims": [0, 3, 1, 2]}},
                    ],
                ],
            }
        },
        input=[1, 4, 8, 8],
    ),  # fmt: skip
    "a dead end (not an output)": net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Conv2d": {"out_channels": 4, "k": 1}},
        "ReLU",
        {"Conv2d": {"from": "a", "out_channels": 2, "k": 1}},
    ),
    "two outputs": net(
        {"Conv2d": {"name": "a", "out_channels": 4, "k": 1}},
        {"Linear": {"name": "b", "out_features": 3}},
        outputs=["a", "b"],
    ),  # fmt: skip
}


def _freeze_all(desc: dict[str, Any]) -> dict[str, Any]:
    desc = copy.deepcopy(desc)
    desc.pop("trainable", None)
    desc["layers"] = [{"Sequential": {"trainable": False, "layers": desc["layers"]}}]
    return desc


TARGETED["everything frozen"] = _freeze_all(
    net(CONV, "BatchNorm2d", "ReLU", "Flatten", {"Linear": {"out_features": 2}})
)


@pytest.mark.parametrize("what", sorted(TARGETED))
def test_targeted(what: str) -> None:
    m, t = check_rows(TARGETED[what])
    assert m.calls  # the measurement ran


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float64"])
def test_targeted_at_other_dtypes(dtype: str) -> None:
    """At 16 bits on the CPU every saved tensor is at the dtype, normalisation's statistics
    included (not float32), and max pooling's indices stay int64. The networks whose layers
    torch's CPU kernels lack at the dtype are left out (e.g. half-precision bicubic)."""
    compared = 0
    for what in sorted(TARGETED):
        try:
            check_rows(TARGETED[what], optimizers=what in ("BatchNorm2d", "LayerNorm", "Scale"), dtype=dtype)
        except RuntimeError as err:
            assert "not implemented for" in str(err), (what, err)
            continue
        compared += 1
    assert compared >= 0.8 * len(TARGETED), compared
    check_rows(_resnet18(set(), size=32), optimizers=False, dtype=dtype)


@pytest.mark.parametrize("kind", ["Dropout", "Dropout2d", "AlphaDropout"])
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_dropout_of_nothing_and_of_everything(kind: str, p: float) -> None:
    """p = 0 is the identity; p = 1 a product with zero (GraphModule reads ``p`` as padding:
    the twin is written out)."""
    model = torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1), getattr(torch.nn, kind)(p))
    m = measure(model, torch.randn(2, 4, 8, 8))
    t = train(net(CONV, {kind: {"p": p}}))
    assert {k: v for k, v in m.saved_by.items() if v} == _own(t)
    assert (m.saved, m.grad, m.backward_flops) == (t.totals.saved_bytes, t.totals.grad_bytes, t.totals.backward_flops)


def test_targeted_networks_cover_every_rule() -> None:
    """Every rule registered in convcalc.training is reached by a targeted network."""
    from convcalc.training import _rule

    seen = set()
    for desc in TARGETED.values():
        for row in train(desc).report.rows:
            if row.layer is not None:
                seen.add(_rule.dispatch(type(row.layer)))
    missing = {f.__name__ for f in set(_rule.registry.values()) - seen} - {"_rule"}
    assert not missing


def _resnet18(frozen: dict[str, Any], size: int = 64) -> dict[str, Any]:
    """ResNet-18 from the zoo at ``size``×``size``, batch 2, with ``trainable: false`` on the
    top-level entries named in ``frozen`` (``"*"``: all of them)."""
    desc = yaml.safe_load(zoo_path("resnet18").read_text(encoding="utf-8"))
    desc["input"] = [2, 3, size, size]
    for entry in desc["layers"]:
        if not isinstance(entry, dict):
            continue
        ((kind, args),) = entry.items()
        if args.get("name") in frozen or "*" in frozen:
            args["trainable"] = False
    return desc


FROZEN = {
    "the first half": {"conv1", "bn1", "layer1", "layer2"},
    "a middle block": {"layer3"},
    "the first norm": {"bn1"},
    "the classifier only": {"fc"},
    "everything": {"*"},
}


@pytest.mark.parametrize("what", sorted(FROZEN))
def test_frozen_resnet18(what: str) -> None:
    m, t = check_rows(_resnet18(FROZEN[what]))
    full = train(_resnet18(set()))
    if what == "everything":
        assert (t.totals.saved_bytes, t.totals.grad_bytes, t.totals.backward_flops) == (0, 0, 0)
    else:
        assert 0 < t.totals.saved_bytes <= full.totals.saved_bytes
        assert t.totals.grad_bytes < full.totals.grad_bytes
        assert t.totals.backward_flops <= full.totals.backward_flops  # a frozen norm has no FLOPs


def test_frozen_first_half_saves_nothing_before_layer3() -> None:
    t = train(_resnet18(FROZEN["the first half"]))
    before = [
        f.saved_bytes for r, f in zip(t.report.rows, t.rows) if r.depth == 0 and r.name in FROZEN["the first half"]
    ]
    assert before == [0, 0, 0, 0]


# ---------------------------------------------------------------------------------------
# Random graphs
# ---------------------------------------------------------------------------------------


def test_random_graphs() -> None:
    from test_oracle_graph import generate

    compared = problems = 0
    failures = []
    for network in generate(count=400):
        desc = network.desc
        try:
            mine = train(desc)
        except ConvCalcError:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = Traced(desc)
                m = measure(model, torch.randn(model.input_shape),
                            owner=lambda model=model: model.where[-1] if model.where else "", optimizers=False)  # fmt: skip
        except (RuntimeError, ValueError, IndexError) as err:
            failures.append(f"torch refused what convcalc trains: {err}\n{desc}")
            continue
        compared += 1
        got = ({k: v for k, v in m.saved_by.items() if v}, m.grad, m.backward_flops)
        want = (_own(mine), mine.totals.grad_bytes, mine.totals.backward_flops)
        if got != want:
            problems += 1
            failures.append(f"torch {got}\nconvcalc {want}\n{desc}")
    assert not failures, f"{len(failures)} of {compared} disagree, e.g.:\n" + "\n\n".join(failures[:3])
    assert compared >= 200


# ---------------------------------------------------------------------------------------
# The README's example, at its full size
# ---------------------------------------------------------------------------------------


def test_the_readmes_resnet50_figure_is_pytorchs() -> None:
    """``convcalc net resnet50 --train --batch 64 --optimizer adam``: every part of
    ``train_bytes`` as torch holds it at 64×3×224×224 (on the meta device: the same
    tensors, no arithmetic), and the README shows that total."""
    model = _built("resnet50", "meta")
    m = measure(model, torch.empty((64, 3, 224, 224), device="meta"))
    t = train("resnet50", batch=64, optimizer="adam").totals
    parts = (m.params, m.grad, m.optimizer["adam"], m.saved, m.buffers)
    assert parts == (t.param_bytes, t.grad_bytes, t.optimizer_bytes, t.saved_bytes, t.buffer_bytes)
    assert m.backward_flops == t.backward_flops
    assert sum(parts) == t.train_bytes
    assert f"{t.train_bytes:,} bytes" in (ROOT / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# FlopCounterMode's grouped-convolution count, apart
# ---------------------------------------------------------------------------------------


def test_flop_counter_counts_a_grouped_weight_gradient_groups_times() -> None:
    """A depthwise 3×3 convolution of 8 channels on 2×8×10×10 (output 8×8): MACs =
    2·8·8·8·(8/8)·9 = 9,216. Its input gradient is 2·MACs, its weight gradient 2·MACs too;
    FlopCounterMode (torch 2.13.0) reports the weight gradient 8 times."""
    from torch.utils.flop_counter import FlopCounterMode

    conv = torch.nn.Conv2d(8, 8, 3, groups=8, bias=False)
    x = torch.randn(2, 8, 10, 10, requires_grad=True)
    y = conv(x)
    with FlopCounterMode(display=False) as counter:
        y.sum().backward()
    macs = 2 * 8 * 8 * 8 * 1 * 9
    assert counter.get_total_flops() == 2 * macs + 8 * 2 * macs
    desc = {
        "input": [2, 8, 10, 10],
        "layers": [
            {"Conv2d": {"out_channels": 8, "k": 1}},
            {"Conv2d": {"out_channels": 8, "k": 3, "g": 8, "bias": False}},
        ],
    }
    t = train(desc)
    first = 2 * (2 * 8 * 100 * 8)  # the 1×1 convolution: weight gradient only (its input needs none)
    assert t.totals.backward_flops == first + 2 * macs + 2 * macs


def test_the_seven_optimizers_are_convcalcs() -> None:
    assert set(TORCH_OPTIMIZERS) == set(OPTIMIZERS)


# ---------------------------------------------------------------------------------------
# Inference: which outputs are views of their input or their input itself (SPEC §3)
# ---------------------------------------------------------------------------------------


_SHORT = {"Dropout": "p", "AlphaDropout": "p", "Dropout1d": "p", "Dropout2d": "p", "Dropout3d": "p",
          "LocalResponseNorm": "k"}  # fmt: skip


def _for_graph_module(value: Any) -> Any:
    """The description without dropout's ``p`` and LocalResponseNorm's ``k``, which
    GraphModule reads as the aliases of padding and kernel_size; neither changes which
    outputs are views."""
    if isinstance(value, list):
        return [_for_graph_module(v) for v in value]
    if isinstance(value, dict):
        return {k: ({a: b for a, b in v.items() if a != _SHORT[k]} if k in _SHORT and isinstance(v, dict)
                    else _for_graph_module(v)) for k, v in value.items()}  # fmt: skip
    return value


def _shares(desc: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(path, type, whether torch's output shares its input's storage) of each one-input
    leaf row, in eval mode on the meta device."""
    with warnings.catch_warnings(), torch.device("meta"), torch.no_grad():
        warnings.simplefilter("ignore")
        model = GraphModule(_for_graph_module(desc), keep_outputs=True).eval()
        x = torch.empty(model.input_shape)
        model(x)
    tensors = {"input": x, **{r.tensor: r.output for r in model.rows if r.output is not None}}
    found = []
    for r in model.leaf_rows():
        if len(r.inputs) == 1 and r.inputs[0] in tensors and r.output is not None:
            same = r.output.untyped_storage()._cdata == tensors[r.inputs[0]].untyped_storage()._cdata
            found.append((r.path, r.type, same))
    return found


def _no_new_tensor(desc: dict[str, Any]) -> dict[str, bool]:
    return {r.path: r.activation_bytes == 0 for r in convcalc.analyze(desc).rows if not r.composite}


#: A network of each family (each of the others repeats its blocks): building a description
#: in torch costs seconds for the largest.
FAMILIES = [
    "lenet", "alexnet", "vgg11_bn", "resnet18", "resnext50_32x4d", "densenet121", "squeezenet1_1", "googlenet",
    "inception_v3", "convnext_tiny", "mobilenet_v2", "mobilenet_v3_small", "mnasnet0_5", "shufflenet_v2_x0_5",
    "efficientnet_b0", "efficientnet_v2_s", "regnet_x_400mf", "regnet_y_400mf", "fcn_resnet50", "r2plus1d_18",
    "c3d", "dcgan_generator", "dcgan_discriminator", "m5", "unet", "wavenet", "yolov8n", "zfnet",
]  # fmt: skip


@pytest.mark.parametrize("name", [n for n in FAMILIES if n in NAMES])
def test_activation_bytes_are_zero_exactly_where_torch_makes_no_tensor(name: str) -> None:
    desc = yaml.safe_load(zoo_path(name).read_text(encoding="utf-8"))
    mine = _no_new_tensor(desc)
    theirs = _shares(desc)
    assert theirs, "no row compared"
    assert {p: same for p, _, same in theirs} == {p: mine[p] for p, _, _ in theirs}


def test_activation_bytes_of_random_graphs() -> None:
    """As above, over the generator's graphs. Two kinds of row are told apart: a Flatten or
    Reshape that PyTorch must copy (after a Permute, say) counts 0, as SPEC §3 says; a
    shuffle that moves nothing is a view in PyTorch, a new tensor in convcalc."""
    from test_oracle_graph import generate

    compared = copies = trivial = 0
    wrong = []
    for network in generate(count=400):
        try:
            mine = _no_new_tensor(network.desc)
            theirs = _shares(network.desc)
        except (ConvCalcError, RuntimeError, ValueError, IndexError):
            continue
        for path, kind, same in theirs:
            if kind in ("Flatten", "Reshape") and not same:
                copies += 1
                assert mine[path]
            elif kind in ("ChannelShuffle", "PixelShuffle", "PixelUnshuffle") and same:
                trivial += 1  # one channel per group, or a factor of 1: torch returns a view
                assert not mine[path]
            elif mine[path] != same:
                wrong.append((path, kind, same, network.desc))
            compared += 1
    assert not wrong, wrong[:3]
    assert compared >= 1000 and copies + trivial < compared // 20, (compared, copies, trivial)
