"""Published figures of the networks beyond classification that test_zoo_generated.py does not
check: FLOPs given as ``flops_g`` (torch FlopCounterMode GFLOPs, 2 × MACs, rounded as
published: YOLOv8n's 8.74 at 640) and trainable-parameter counts (``trainable_params``: the
parameters with gradients, YOLOv8n's frozen DFL conv left out)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import convcalc
from convcalc.zoo import ZOO_DIR

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.zoo.families.beyond import models  # noqa: E402

FIGURES = json.loads((ZOO_DIR / "published.json").read_text(encoding="utf-8"))["other_models"]
PUBLISHED = {m.name: FIGURES[m.published] for m in models() if m.published}


@pytest.mark.parametrize("name", sorted(n for n, f in PUBLISHED.items() if "flops_g" in f))
def test_published_flops(name: str) -> None:
    figures = PUBLISHED[name]
    totals = convcalc.analyze(name).totals
    decimals = len(str(figures["flops_g"]).split(".")[1])
    assert round(totals.flops / 1e9, decimals) == figures["flops_g"], totals.flops


@pytest.mark.parametrize("name", sorted(n for n, f in PUBLISHED.items() if "trainable_params" in f))
def test_published_trainable_params(name: str) -> None:
    totals = convcalc.analyze(name).totals
    assert (totals.params, totals.trainable_params) == (
        PUBLISHED[name]["num_params"],
        PUBLISHED[name]["trainable_params"],
    )
