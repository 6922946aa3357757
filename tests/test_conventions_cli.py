"""``net --conventions`` and ``net --convention NAME`` on the command line, in every format
(no torch needed: the figures themselves are checked against the tools in
``tests/test_conventions.py``)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import convcalc
from convcalc.cli import app
from convcalc.conventions import COUNTERS

ENV = {"NO_COLOR": "1", "COLUMNS": "80", "FORCE_COLOR": None, "TERM": "dumb"}
runner = CliRunner()

# ResNet-18 at 1×3×224×224: each counter's figure, as the tools themselves report it (fvcore 0.1.5,
# ptflops 0.7.5, ultralytics-thop 2.2.3, torchinfo 1.8.0 run on the network built from torch modules)
RESNET18 = {
    "torch": 3_628_146_688,
    "fvcore": 1_819_065_856,
    "ptflops": 1_825_313_768,
    "ptflops-aten": 1_814_074_344,
    "thop": 1_824_033_792,
    "ultralytics": 3_648_067_584,
    "torchinfo": 1_814_083_944,
    "torchvision": 1_814_073_344,
}


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env=ENV)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout if code == 0 else result.stderr


def test_json_has_every_counter() -> None:
    data = json.loads(run("net", "resnet18", "--conventions", "--format", "json"))
    assert data["name"] == "ResNet-18" and data["macs"] == 1_814_073_344
    got = {c["name"]: c["value"] for c in data["conventions"]}
    assert got == RESNET18
    thop = next(c for c in data["conventions"] if c["name"] == "thop")
    assert {d["type"] for d in thop["differences"]} == {"BatchNorm2d", "AdaptiveAvgPool2d"}
    assert sum(d["amount"] for d in thop["differences"]) == RESNET18["thop"] - RESNET18["torchvision"]


@pytest.mark.parametrize("fmt", ["plain", "csv"])
def test_delimited_exact(fmt: str) -> None:
    text = run("net", "resnet18", "--conventions", "--format", fmt)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if fmt == "plain" else ","))
    assert rows[0][:6] == ["counter", "label", "unit", "kind", "value", "macs"]
    assert {r[0]: int(r[4]) for r in rows[1:]} == RESNET18
    assert {r[0]: int(r[5]) for r in rows[1:]}["ultralytics"] == RESNET18["thop"]  # GFLOPs halved: MACs


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_people_formats_show_each_tools_unit(fmt: str) -> None:
    text = run("net", "resnet18", "--conventions", "--format", fmt)
    for shown in ("3.63 GFLOPs", "1.83 GMac", "1.82 G MACs", "3.65 GFLOPs", "1.81 G mult-adds", "1.81 GFLOPS"):
        assert shown in text, shown
    assert "BatchNorm2d" in text and "ReLU" in text  # where ptflops differs


def test_convention_changes_the_macs_columns_and_the_json() -> None:
    data = json.loads(run("net", "resnet18", "--convention", "ptflops", "--format", "json"))
    assert data["totals"]["macs"] == RESNET18["ptflops"] and data["totals"]["convention"] == "ptflops"
    assert data["totals"]["flops"] == 2 * RESNET18["ptflops"]
    relu = next(r for r in data["layers"] if r["type"] == "ReLU")
    assert relu["convention"] == "ptflops" and relu["macs"] == 2 * 64 * 112 * 112  # module hook and F.relu
    flops = json.loads(run("net", "resnet18", "--convention", "ultralytics", "--format", "json"))["totals"]
    assert (flops["flops"], flops["macs"]) == (RESNET18["ultralytics"], RESNET18["thop"])
    table = run("net", "resnet18", "--convention", "thop", "--depth", "0")
    assert "MACs: 1.82 G (1,824,033,792)" in table
    plain = run("net", "resnet18", "--convention", "fvcore", "--format", "plain", "--leaves", "--columns", "type,macs")
    assert sum(int(line.split("\t")[1]) for line in plain.splitlines()[1:]) == RESNET18["fvcore"]


def test_unknown_counter_is_exit_2_with_a_suggestion() -> None:
    err = run("net", "lenet", "--convention", "ptflop", code=2)
    assert "unknown counter 'ptflop'; did you mean 'ptflops'?" in err


def test_python_api() -> None:
    report = convcalc.analyze("resnet18")
    assert {c.counter.name: c.value for c in convcalc.counter_totals(report)} == RESNET18
    assert convcalc.with_convention(report, "torchinfo").totals.macs == RESNET18["torchinfo"]
    assert set(convcalc.COUNTERS) == set(COUNTERS) == set(RESNET18)
