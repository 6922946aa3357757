"""The built-in networks: YAML files in this folder, and their catalogue.

``catalogue.json`` (written by ``python -m tools.zoo.generate``, checked by the tests)
holds each network's family, task, input, outputs, params, MACs and published figures,
so that ``convcalc zoo`` lists 90 networks without reading 90 files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["TASKS", "ZOO_DIR", "catalogue", "zoo_names", "zoo_path"]

ZOO_DIR = Path(__file__).parent

#: The tasks of the built-in networks, as ``convcalc zoo --task`` takes them.
TASKS = ("classification", "segmentation", "detection", "generation", "video", "audio")


def zoo_names() -> list[str]:
    """The names of the built-in networks, in a stable order (LeNet first)."""
    names = sorted(p.stem for p in ZOO_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "lenet", n))


def zoo_path(name: str) -> Path | None:
    """The file of a built-in network, or None."""
    if not name.replace("_", "").isalnum():
        return None
    path = ZOO_DIR / f"{name}.yaml"
    try:
        return path if path.is_file() else None
    except OSError:  # a name too long for the file system
        return None


def catalogue() -> list[dict[str, Any]]:
    """One entry per built-in network (``name``, ``title``, ``family``, ``task``,
    ``input_shape``, ``outputs``, ``params``, ``macs``, ``published``), family by family
    in the catalogue's order (ResNet-18 before ResNet-101). A network missing from the
    catalogue file is analysed instead, and listed last."""
    try:
        stored = json.loads((ZOO_DIR / "catalogue.json").read_text(encoding="utf-8"))["networks"]
    except (OSError, ValueError, LookupError):
        stored = []
    names = set(zoo_names())
    out = [entry for entry in stored if entry["name"] in names]
    listed = {entry["name"] for entry in out}
    for name in zoo_names():
        if name not in listed:
            from ..network import analyze

            report = analyze(name)
            entry = {
                "name": name, "title": report.name, "family": "other", "task": "classification",
                "input_shape": list(report.input_shape), "outputs": [list(o.output_shape) for o in report.outputs],
                "params": report.totals.params, "macs": report.totals.macs, "published": None,
            }  # fmt: skip
            out.append(entry)
    return out
