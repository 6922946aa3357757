"""``import convcalc`` stays light: no typer, rich or yaml (SPEC §7), and never torch.

Checked in a fresh interpreter, since the test process itself has imported all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("typer", "rich", "yaml", "torch", "click")


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_convcalc_loads_no_typer_rich_or_yaml() -> None:
    modules = _modules_after("import convcalc")
    assert "convcalc" in modules  # the check did run
    assert _heavy(modules) == []
    modules = _modules_after("import convcalc\nconvcalc.build, convcalc.analyze, convcalc.LIMITS, convcalc.conv_out")
    assert {"convcalc.layers", "convcalc.network", "convcalc.spec", "convcalc.arith"} <= modules
    assert _heavy(modules) == []


def test_using_the_core_loads_no_typer_rich_or_yaml() -> None:
    code = (
        "import convcalc\n"
        "convcalc.build('Conv2d', out_channels=8, kernel_size=3).forward((1, 3, 32, 32))\n"
        "convcalc.analyze({'input': [1, 1, 28, 28], 'layers': [{'Conv2d': {'out_channels': 6, 'kernel_size': 5}}]})\n"
        "convcalc.same_padding(224, 7, 2)"
    )
    assert _heavy(_modules_after(code)) == []


def test_import_convcalc_does_no_avoidable_work() -> None:
    """Start-up cost: ``import convcalc`` imports its modules on first use (PEP 562); the
    layer classes are records, not dataclasses (whose per-class code generation was most
    of ``import convcalc``); difflib waits for a misspelt name."""
    assert {m for m in _modules_after("import convcalc") if m.startswith("convcalc")} == {"convcalc"}
    modules = _modules_after("import convcalc\nconvcalc.analyze({'input': [1, 1, 8], 'layers': ['ReLU']})")
    assert "convcalc.records" in modules
    assert not {"dataclasses", "difflib"} & modules
    code = (
        "import convcalc\ntry:\n    convcalc.build('Conv2d', out_channel=8, kernel_size=3)\n"
        "except convcalc.ConvCalcError:\n    pass"
    )
    assert "difflib" in _modules_after(code)  # the suggestion did load it


def test_every_public_name_is_there_lazily() -> None:
    import importlib

    import convcalc

    for name in convcalc.__all__:
        assert getattr(convcalc, name) is not None, name
    assert set(convcalc.__all__) <= set(dir(convcalc))
    assert convcalc.build is importlib.import_module("convcalc.layers").build
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        convcalc.nothing  # noqa: B018
    namespace: dict[str, object] = {}
    exec("from convcalc import *", namespace)  # noqa: S102 - the star import is what is tested
    assert namespace["analyze"] is convcalc.analyze and "ConvCalcError" in namespace


def test_net_lenet_loads_no_feature_module() -> None:
    """The v2 questions' modules load only for their options (``--conventions``, ``--convention``)."""
    run = "import sys\nfrom convcalc.cli import main\nsys.argv = ['convcalc', 'net', 'lenet', '{}']\ntry:\n    main()\nexcept SystemExit:\n    pass"
    feature = {"convcalc.conventions", "convcalc.render.conventions"}
    assert not feature & _modules_after(run.format("--format=plain"))
    assert feature <= _modules_after(run.format("--conventions"))


def test_the_design_questions_load_only_when_asked() -> None:
    """``convcalc net lenet`` (and ``import convcalc``) load none of the modules of solve,
    --draw, --sweep and --rf-at; each of those commands loads its own."""
    mine = {"convcalc.solve", "convcalc.draw", "convcalc.design", "convcalc.render.draw", "convcalc.render.solve",
            "convcalc.render.design"}  # fmt: skip
    run = "import sys\nfrom convcalc.cli import main\ntry:\n    main({args})\nexcept SystemExit:\n    pass"
    assert not mine & _modules_after("import convcalc")
    assert not mine & _modules_after(run.format(args=["net", "lenet", "--format", "plain"]))
    assert not mine & _modules_after(run.format(args=["layer", "--in", "9", "--k", "3"]))
    assert {"convcalc.solve", "convcalc.render.solve"} <= _modules_after(run.format(args=["solve", "--in", "9", "--out", "3"]))
    drawn = _modules_after(run.format(args=["layer", "--in", "9", "--k", "3", "--draw"]))
    assert {"convcalc.draw", "convcalc.render.draw"} <= drawn and "convcalc.design" not in drawn


def test_the_training_figures_load_only_with_train() -> None:
    """``convcalc net lenet`` loads neither ``convcalc.training`` nor its renderer (the inference
    peak's ``convcalc.memory`` it does load); ``--train`` loads both."""
    mine = {"convcalc.training", "convcalc.render.training"}
    run = "import sys\nfrom convcalc.cli import main\ntry:\n    main({args})\nexcept SystemExit:\n    pass"
    assert not mine & _modules_after("import convcalc\nconvcalc.analyze('lenet')")
    plain = _modules_after(run.format(args=["net", "lenet", "--format", "plain"]))
    assert not mine & plain and "convcalc.memory" in plain
    assert mine <= _modules_after(run.format(args=["net", "lenet", "--train", "--format", "plain"]))


def test_the_hints_load_only_for_an_unknown_name() -> None:
    """``convcalc.hints`` (Keras names, family suffixes) loads only when a type or an
    argument is unknown."""
    run = "import sys\nfrom convcalc.cli import main\ntry:\n    main({args})\nexcept SystemExit:\n    pass"
    assert "convcalc.hints" not in _modules_after(run.format(args=["net", "lenet", "--format", "plain"]))
    assert "convcalc.hints" not in _modules_after("import convcalc\nconvcalc.analyze('lenet')")
    assert "convcalc.hints" in _modules_after(
        "import convcalc\ntry:\n    convcalc.analyze({'input': [1, 3, 8, 8], 'layers': ['Dense']})\nexcept ValueError:\n    pass"
    )


def test_a_layer_family_loads_when_first_used() -> None:
    """``convcalc layer`` loads the family of its layer only; a network loads the families of
    its layers; every family class is there by name (``convcalc.layers.ReLU``)."""
    import importlib

    import convcalc.layers as layers
    from convcalc.layers import FAMILIES, LAYER_TYPES, SLIDING_FAMILIES, Layer, Sliding, if_loaded

    run = "import sys\nfrom convcalc.cli import main\ntry:\n    main({args})\nexcept SystemExit:\n    pass"

    def families(modules: set[str]) -> set[str]:
        return {m.rsplit(".", 1)[1] for m in modules if m.rsplit(".", 1)[0] == "convcalc.layers"} & set(FAMILIES)

    assert families(_modules_after("import convcalc.layers")) == set()
    assert families(_modules_after(run.format(args=["layer", "--in", "224", "--k", "7", "--s", "2", "-q"]))) == {"conv"}
    maxpool = run.format(args=["layer", "--type", "maxpool", "--in", "224", "--k", "3", "--s", "2", "-q"])
    assert families(_modules_after(maxpool)) == {"conv", "pooling"}  # pooling's padding rule is conv's
    chain = "import convcalc\nconvcalc.analyze({'input': [1, 3, 8, 8], 'layers': [{'Conv2d': {'out_channels': 4, 'k': 3}}, 'ReLU']})"
    assert families(_modules_after(chain)) == {"conv", "activation"}
    for family in FAMILIES:
        module = importlib.import_module(f"convcalc.layers.{family}")
        defined = {n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, Layer)
                   and v.__module__ == module.__name__ and not n.startswith("_")}  # fmt: skip
        for name in defined:
            assert getattr(layers, name) is getattr(module, name) is if_loaded(name), name
    for name in LAYER_TYPES:
        cls, _ = LAYER_TYPES[name]
        if issubclass(cls, Sliding):  # what `layer` and `solve` take, with only these families loaded
            assert LAYER_TYPES.family(name) in SLIDING_FAMILIES, name
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        layers.Nothing  # noqa: B018
