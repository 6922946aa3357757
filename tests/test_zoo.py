"""The built-in networks: published parameter counts, golden JSON, and PyTorch itself.

Each zoo model is also written in plain PyTorch in ``tests/zoo_models.py`` (torchvision's
definitions, by hand, with its module names). The oracle tests run one forward pass per
model at batch 1 and compare params, buffers, FLOPs (``FlopCounterMode``) and every
Conv/Linear output shape, and match each row's ``qualname`` to the torch module of that
name (``layer1.0.downsample.0``), so that a row can be found in the ``state_dict``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import convcalc
from convcalc.zoo import ZOO_DIR, zoo_names, zoo_path

#: Parameter counts as published: torchvision's ``num_params`` in each model's weights
#: metadata, and D2L's LeNet-5 (6·(1·25+1) + 16·(6·25+1) + 120·401 + 84·121 + 10·85).
PUBLISHED = {
    "lenet": 61_706,
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "mobilenet_v2": 3_504_872,
    "squeezenet1_0": 1_248_424,
    "googlenet": 6_624_904,
}
ZOO = list(PUBLISHED)
COMPOSITES = {"Sequential", "Repeat", "Residual", "Concat"}


def test_lenet_hand_count_is_the_published_one() -> None:
    assert PUBLISHED["lenet"] == 6 * (1 * 25 + 1) + 16 * (6 * 25 + 1) + 120 * 401 + 84 * 121 + 10 * 85


def test_zoo_holds_the_networks_spec_4_promises() -> None:
    assert set(ZOO) <= set(zoo_names())
    assert zoo_names()[0] == "lenet"
    assert sorted(p.stem for p in ZOO_DIR.glob("*.yaml")) == sorted(zoo_names())
    assert zoo_path("no_such_net") is None and zoo_path("../zoo/lenet") is None


@pytest.mark.parametrize("name", ZOO)
def test_params_equal_the_published_count(name: str) -> None:
    totals = convcalc.analyze(name).totals
    assert totals.params == PUBLISHED[name]
    assert totals.trainable_params == PUBLISHED[name]


@pytest.mark.parametrize("name", ZOO)
def test_input_is_torchvisions(name: str) -> None:
    report = convcalc.analyze(name)
    assert report.input_shape == ((1, 1, 28, 28) if name == "lenet" else (1, 3, 224, 224))
    assert report.output_shape == ((1, 10) if name == "lenet" else (1, 1000))


@pytest.mark.parametrize("name", ZOO)
def test_loading_by_name_path_and_text_agree(name: str) -> None:
    path = zoo_path(name)
    assert path is not None
    by_name = convcalc.analyze(name).to_dict()
    assert convcalc.analyze(path).to_dict() == by_name
    assert convcalc.analyze(str(path)).to_dict() == by_name
    assert convcalc.analyze(path.read_text(encoding="utf-8")).to_dict() == by_name


def golden_text(report: dict[str, Any]) -> str:
    """JSON with one layer per line, so that a change shows as a readable diff."""
    parts = []
    for key, value in report.items():
        if key == "layers":
            rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in value)
            parts.append(f' "layers": [\n{rows}\n ]')
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


@pytest.mark.parametrize("name", ZOO)
def test_golden_json(name: str, golden: Any) -> None:
    report = convcalc.analyze(name).to_dict()
    text = golden_text(report)
    assert json.loads(text) == report
    golden(f"zoo/{name}.json", text)


@pytest.mark.parametrize("name", ZOO)
def test_totals_are_the_sums_of_the_layers(name: str) -> None:
    report = convcalc.analyze(name)
    leaves = [r for r in report.rows if r.type not in COMPOSITES]
    for key in ("params", "buffers", "macs", "flops", "activation_bytes"):
        assert getattr(report.totals, key) == sum(getattr(r, key) for r in leaves), key
    assert report.totals.flops == 2 * report.totals.macs
    assert report.totals.param_bytes == 4 * report.totals.params
    made = [r for r in leaves if not (r.layer.is_view() or r.layer.in_place())]  # views and in-place rows: 0 (SPEC §3)
    assert report.totals.activation_bytes == 4 * sum(math.prod(r.output_shape) for r in made)


# ---------------------------------------------------------------------------------------
# Against PyTorch
# ---------------------------------------------------------------------------------------


def measure_torch(name: str) -> dict[str, Any]:
    """One forward pass of the torch model at batch 1: params, buffers, FLOPs, the
    (type, output shape, params) of every Conv and Linear in execution order, the output."""
    torch = pytest.importorskip("torch")
    import zoo_models
    from torch.utils.flop_counter import FlopCounterMode

    model = zoo_models.FACTORIES[name]().eval()
    seen: list[tuple[str, tuple[int, ...], int]] = []

    def hook(module: Any, _inputs: Any, output: Any) -> None:
        seen.append((type(module).__name__, tuple(output.shape), sum(p.numel() for p in module.parameters())))

    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(hook)
    shape = (1, 1, 28, 28) if name == "lenet" else (1, 3, 224, 224)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        out = model(torch.zeros(shape))
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "flops": counter.get_total_flops(),
        "layers": seen,
        "output": tuple(out.shape),
    }


@pytest.mark.oracle
@pytest.mark.parametrize("name", ZOO)
def test_matches_torch(name: str) -> None:
    torch_side = measure_torch(name)
    report = convcalc.analyze(name)
    assert torch_side["params"] == PUBLISHED[name]
    assert report.totals.params == torch_side["params"]
    assert report.totals.buffers == torch_side["buffers"]
    assert report.totals.flops == torch_side["flops"]
    assert report.output_shape == torch_side["output"]
    ours = [(r.type, r.output_shape, r.params) for r in report.rows if r.type in ("Conv2d", "Linear")]
    assert len(ours) == len(torch_side["layers"])
    for i, (mine, theirs) in enumerate(zip(ours, torch_side["layers"], strict=True)):
        assert mine == theirs, f"Conv/Linear number {i + 1}: convcalc {mine}, torch {theirs}"


def torch_modules(name: str) -> dict[str, Any]:
    """The torch twin's modules by their names (``named_modules()``, the root left out)."""
    pytest.importorskip("torch")
    import zoo_models

    return {qualname: module for qualname, module in zoo_models.FACTORIES[name]().named_modules() if qualname}


@pytest.mark.oracle
@pytest.mark.parametrize("name", ZOO)
def test_qualnames_are_the_torch_module_names_of_the_rows_with_parameters(name: str) -> None:
    """Every layer row with parameters is named as its torch module, with its parameters:
    {qualname: params} over those rows equals {module name: its own parameters' elements}
    over the torch modules that hold parameters directly."""
    ours: dict[str, int] = {}
    for row in convcalc.analyze(name).rows:
        if row.params > 0 and not row.composite:
            assert row.qualname is not None, f"row {row.path} ({row.type}) has parameters but no qualname"
            assert row.qualname not in ours, f"two rows are named {row.qualname}"
            ours[row.qualname] = row.params
    theirs = {}
    for qualname, module in torch_modules(name).items():
        direct = sum(p.numel() for p in module.parameters(recurse=False))
        if direct > 0:
            theirs[qualname] = direct
    assert ours == theirs


@pytest.mark.oracle
@pytest.mark.parametrize("name", ZOO)
def test_every_qualname_is_a_torch_module_of_the_same_kind(name: str) -> None:
    """Rows without parameters too: a named layer row is the torch module of its qualname,
    of the same class (ReLU is ``features.1``), and a named block row is a torch module
    with the same parameters and buffers (``layer1.0`` is a BasicBlock, ``features.3`` a
    Fire). Rows for what torchvision does in forward() (torch.flatten, F.relu, the block's
    final ReLU after the residual sum) have no name, hence no qualname."""
    modules = torch_modules(name)
    named = 0
    for row in convcalc.analyze(name).rows:
        if row.qualname is None:
            continue
        named += 1
        assert row.qualname in modules, f"row {row.path} ({row.type}): torch has no module {row.qualname}"
        module = modules[row.qualname]
        if not row.composite:
            assert type(module).__name__ == row.type, row.qualname
        assert row.params == sum(p.numel() for p in module.parameters()), row.qualname
        assert row.buffers == sum(b.numel() for b in module.buffers()), row.qualname
    assert named > 0
