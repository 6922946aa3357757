"""The families of built-in networks. Each module defines ``models() -> list[ZooModel]``."""

from __future__ import annotations

import importlib
import pkgutil

from ..model import ZooModel

__all__ = ["all_models"]


def all_models() -> list[ZooModel]:
    """Every generated network, family by family (modules in alphabetical order)."""
    found: list[ZooModel] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += module.models()
    names = [m.name for m in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"networks defined twice: {sorted(duplicates)}")
    return found
