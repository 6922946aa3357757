"""The snapshots of the built-in networks (``convcalc/zoo/NAME.json``): current for their
YAML, equal to what the YAML reader makes (values, types, lines, shared aliases), and used
only when current. ``pytest --update-golden`` rewrites them from the YAML."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import convcalc
from convcalc.spec import LineDict, LineList, _parse, freeze, read_source, thaw
from convcalc.zoo import ZOO_DIR, zoo_names


def _same(a: Any, b: Any, pairs: dict[int, int]) -> None:
    """``a`` and ``b`` are equal, of the same types, with the same lines, and share their
    objects alike (``pairs``: id in ``a`` → id in ``b`` for every mapping and list seen)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, (LineDict, LineList)):
        if id(a) in pairs:
            assert pairs[id(a)] == id(b)  # an alias is the same object on both sides
            return
        assert id(b) not in pairs.values()
        pairs[id(a)] = id(b)
        assert a.line == b.line
        if isinstance(a, LineDict):
            assert list(a) == list(b) and a.key_lines == b.key_lines
            assert [type(k) for k in a] == [type(k) for k in b]
            for key in a:
                _same(a[key], b[key], pairs)
        else:
            assert len(a) == len(b) and a.item_lines == b.item_lines
            for x, y in zip(a, b, strict=True):
                _same(x, y, pairs)
    else:
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def _snapshot(text: str) -> dict[str, Any]:
    return {"crc32": zlib.crc32(text.encode("utf-8")), "data": freeze(_parse(text, None))}


@pytest.mark.parametrize("name", zoo_names())
def test_each_snapshot_is_current_and_equal_to_its_yaml(name: str, request: pytest.FixtureRequest) -> None:
    yaml_path = ZOO_DIR / f"{name}.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    path = yaml_path.with_suffix(".json")
    if request.config.getoption("--update-golden"):
        path.write_text(json.dumps(_snapshot(text), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["crc32"] == zlib.crc32(text.encode("utf-8")), f"{path} is stale: run pytest --update-golden"
    _same(_parse(text, None), thaw(stored["data"]), {})
    _same(_parse(text, None), read_source(name)[0], {})  # and read_source takes it


def test_freeze_and_thaw_keep_types_lines_and_aliases() -> None:
    text = (
        "name: x\ninput: [1, 3, 8, 8]\nlayers:\n  - &block {Conv2d: {out_channels: 4, k: 3, bias: false}}\n"
        "  - *block\n  - Dropout: {p: 0.5}\n  - Linear: {out_features: .inf}\n  - {3: null, true: ~, 2.5: -0.0}\n"
    )
    data = _parse(text, None)
    back = thaw(json.loads(json.dumps(freeze(data))))
    _same(data, back, {})
    assert back["layers"][0] is back["layers"][1]  # the alias: one object, as YAML made it
    # an alias is its anchor's node: its line is the anchor's (4), not the alias's own (5)
    assert back["layers"].item_lines == [4, 4, 6, 7, 8] and back["layers"][2].key_lines == {"Dropout": 6}
    with pytest.raises(TypeError):
        freeze(_parse("when: 2024-01-01", None))  # a date has no JSON form: no snapshot


def test_a_stale_or_broken_snapshot_falls_back_to_the_yaml(tmp_path: Path) -> None:
    """A zoo folder whose snapshots are stale, broken or missing still gives the YAML's
    data (the same report as the real zoo), read by PyYAML."""
    zoo = tmp_path / "zoo"
    zoo.mkdir()
    for name in ("lenet", "alexnet", "vgg16"):
        (zoo / f"{name}.yaml").write_text((ZOO_DIR / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    stale = json.loads((ZOO_DIR / "lenet.json").read_text(encoding="utf-8"))
    stale["crc32"] += 1
    (zoo / "lenet.json").write_text(json.dumps(stale), encoding="utf-8")
    (zoo / "alexnet.json").write_text('{"crc32": 1, "data": ', encoding="utf-8")  # vgg16: none
    code = (
        "import json, sys\nimport convcalc.zoo as z\nfrom pathlib import Path\nz.ZOO_DIR = Path(sys.argv[1])\n"
        "import convcalc\n"
        "print(json.dumps({n: convcalc.analyze(n).to_dict() for n in ('lenet', 'alexnet', 'vgg16')}))\n"
        "print('yaml' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(zoo)], capture_output=True, text=True, check=True)
    reports, used_yaml = done.stdout.splitlines()
    assert used_yaml == "True"
    assert json.loads(reports) == {n: convcalc.analyze(n).to_dict() for n in ("lenet", "alexnet", "vgg16")}


def test_a_built_in_network_is_read_without_yaml() -> None:
    code = "import sys, convcalc\nconvcalc.analyze('resnet50')\nprint('yaml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
