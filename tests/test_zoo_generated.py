"""The generated built-in networks (``tools/zoo``): committed files equal to the
generator's, the published figures matched exactly, and each network equal to its torch
twin (``tests/zoo_torch``) — params, buffers, FlopCounterMode FLOPs, the output shape of
every Conv/Linear row, and the qualname of every row with parameters.

The twins are built on PyTorch's ``meta`` device: shapes, parameter counts and FLOPs with
no arithmetic done, so that even RegNetY-128GF at 384×384 costs milliseconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import convcalc
from convcalc.zoo import ZOO_DIR

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.zoo.emit import dump  # noqa: E402
from tools.zoo.families import all_models  # noqa: E402
from tools.zoo.generate import catalogue, expected_files  # noqa: E402

MODELS = {m.name: m for m in all_models()}
PUBLISHED = json.loads((ZOO_DIR / "published.json").read_text(encoding="utf-8"))
FIGURES = {**PUBLISHED["models"], **PUBLISHED["other_models"]}


def test_committed_files_are_what_the_generator_writes() -> None:
    stale = [str(p.relative_to(ROOT)) for p, text in expected_files().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]  # fmt: skip
    assert not stale, f"run python -m tools.zoo.generate: {stale}"
    assert (ZOO_DIR / "catalogue.json").read_text(encoding="utf-8") == catalogue(list(MODELS.values()))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_yaml_reads_back_as_the_generators_data(name: str) -> None:
    yaml = pytest.importorskip("yaml")
    model = MODELS[name]
    assert yaml.safe_load(dump(model.data, model.doc)) == model.data


@pytest.mark.parametrize("name", sorted(n for n, m in MODELS.items() if m.published))
def test_published_figures(name: str) -> None:
    model = MODELS[name]
    figures = FIGURES[model.published]  # type: ignore[index]
    totals = convcalc.analyze(name).totals
    assert totals.params == figures["num_params"]
    if "gflops" in figures:
        assert round(totals.macs / 1e9, 3) == figures["gflops"], totals.macs


def _twin_figures(name: str, shape: tuple[int, ...]) -> dict[str, Any]:
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    from tests.zoo_torch import all_twins

    twins = all_twins()
    if name not in twins:
        pytest.fail(f"no torch twin for {name}")
    with torch.device("meta"):
        model = twins[name]()
        x = torch.empty(shape)
    model.eval()
    shapes: dict[str, tuple[int, ...]] = {}
    hooks = []
    for qualname, module in model.named_modules():
        if isinstance(module, (torch.nn.modules.conv._ConvNd, torch.nn.Linear)):
            hooks.append(module.register_forward_hook(
                lambda m, i, o, q=qualname: shapes.setdefault(q, tuple(o.shape)) and None))  # None: keep the output  # fmt: skip
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    for hook in hooks:
        hook.remove()
    direct = {
        q: sum(p.numel() for p in m.parameters(recurse=False))
        for q, m in model.named_modules()
        if any(True for _ in m.parameters(recurse=False))
    }
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "flops": counter.get_total_flops(),
        "shapes": shapes,
        "direct": direct,
    }


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(MODELS))
def test_equal_to_its_torch_twin(name: str) -> None:
    report = convcalc.analyze(name)
    twin = _twin_figures(name, report.input_shape)
    totals = report.totals
    assert (totals.params, totals.buffers) == (twin["params"], twin["buffers"])
    assert totals.flops == twin["flops"]  # a twin in eval mode runs no training-only branch, as the totals
    leaves = [r for r in report.rows if not r.composite and not r.training_only]
    mine = {r.qualname: r.output_shape for r in leaves if r.type.startswith(("Conv", "Linear"))}
    assert twin["shapes"] == mine
    with_params = {r.qualname: r.params for r in report.rows if not r.composite and r.params}
    assert with_params == twin["direct"]


#: The networks the zoo promises: torchvision's 68 convolutional classification models and
#: the networks beyond classification.
TORCHVISION = (
    "alexnet vgg11 vgg11_bn vgg13 vgg13_bn vgg16 vgg16_bn vgg19 vgg19_bn resnet18 resnet34 resnet50 resnet101 "
    "resnet152 resnext50_32x4d resnext101_32x8d resnext101_64x4d wide_resnet50_2 wide_resnet101_2 densenet121 "
    "densenet161 densenet169 densenet201 squeezenet1_0 squeezenet1_1 googlenet inception_v3 mobilenet_v2 "
    "mobilenet_v3_small mobilenet_v3_large mnasnet0_5 mnasnet0_75 mnasnet1_0 mnasnet1_3 shufflenet_v2_x0_5 "
    "shufflenet_v2_x1_0 shufflenet_v2_x1_5 shufflenet_v2_x2_0 efficientnet_b0 efficientnet_b1 efficientnet_b2 "
    "efficientnet_b3 efficientnet_b4 efficientnet_b5 efficientnet_b6 efficientnet_b7 efficientnet_v2_s "
    "efficientnet_v2_m efficientnet_v2_l regnet_x_400mf regnet_x_800mf regnet_x_1_6gf regnet_x_3_2gf regnet_x_8gf "
    "regnet_x_16gf regnet_x_32gf regnet_y_400mf regnet_y_800mf regnet_y_1_6gf regnet_y_3_2gf regnet_y_8gf "
    "regnet_y_16gf regnet_y_32gf regnet_y_128gf convnext_tiny convnext_small convnext_base convnext_large"
).split()
BEYOND = (
    "unet fcn_resnet50 fcn_resnet50_noaux deeplabv3_resnet50 deeplabv3_resnet50_noaux yolov8n dcgan_generator "
    "dcgan_discriminator c3d r2plus1d_18 m5 wavenet zfnet"
).split()


def test_every_promised_network_is_built_in_and_checked() -> None:
    assert len(TORCHVISION) == 68 == len(PUBLISHED["models"])
    assert set(TORCHVISION) == set(PUBLISHED["models"])
    assert set(MODELS) == {*TORCHVISION, *BEYOND}
    # each torchvision model is checked against its own published figures at their crop size
    for name in TORCHVISION:
        assert MODELS[name].published == name
        crop = PUBLISHED["models"][name]["crop_size"]
        assert MODELS[name].data["input"] == [1, 3, crop, crop], name


def test_inception_v3s_auxiliary_head_counts_in_params_not_in_macs() -> None:
    totals = convcalc.analyze("inception_v3").totals
    figures = PUBLISHED["models"]["inception_v3"]
    assert totals.params == figures["num_params"] and totals.training_only_params == 3_326_696
    assert round(totals.macs / 1e9, 3) == figures["gflops"]
    assert totals.training_only_macs > 0
