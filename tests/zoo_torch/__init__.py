"""Torch twins of the generated built-in networks, one module per family.

Each module defines ``TWINS: dict[str, Callable[[], nn.Module]]``: the network written in
plain PyTorch, module for module and with the module names of its reference
implementation (torchvision's, for its models), so that ``named_modules()`` gives the
qualnames of convcalc's rows. torchvision itself does not load beside the oracle's torch,
so the twins are written out from its source. A twin whose forward returns several
tensors returns them as a tuple, in the order of the network's ``outputs:``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["all_twins"]


def all_twins() -> dict[str, Callable[[], Any]]:
    found: dict[str, Callable[[], Any]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.update(module.TWINS)
    return found
