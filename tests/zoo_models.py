"""The zoo's networks in plain PyTorch: LeNet-5 here, the others from ``tests/zoo_torch``.

The twins of the generated networks (``tests/zoo_torch/<family>.py``) follow torchvision's
source module for module, with its attribute names, so that ``named_modules()`` gives its
module names (``layer1.0.downsample.0``, ``features.1.conv.0.0``, ``inception3a.branch2.0.conv``),
which the zoo's YAML names reproduce as ``qualname``. Weight initialisation is left at
PyTorch's defaults: it changes no shape, count or FLOP. One factory per zoo name
(``zoo_models.resnet50()``); ``tests/test_zoo.py`` and ``benchmarks/run.py`` use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from zoo_torch import all_twins  # noqa: E402  (after torch: the twins need it)

__all__ = ["FACTORIES", "lenet"]


# -- LeNet-5 (D2L 7.6: Sigmoid and average pooling, 1×28×28) ------------------------------


def lenet() -> nn.Module:
    """D2L's nn.Sequential, its layers named as convcalc's lenet names its rows (the
    layers with parameters: conv1, conv2, fc1…fc3; the rest keep their positions)."""
    from collections import OrderedDict

    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, kernel_size=5, padding=2)), ("1", nn.Sigmoid()),
        ("2", nn.AvgPool2d(kernel_size=2, stride=2)),
        ("conv2", nn.Conv2d(6, 16, kernel_size=5)), ("4", nn.Sigmoid()), ("5", nn.AvgPool2d(kernel_size=2, stride=2)),
        ("6", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)), ("8", nn.Sigmoid()),
        ("fc2", nn.Linear(120, 84)), ("10", nn.Sigmoid()),
        ("fc3", nn.Linear(84, 10)),
    ]))  # fmt: skip


FACTORIES: dict[str, Callable[[], nn.Module]] = {
    "lenet": lenet,
    **{name: all_twins()[name] for name in
       ("alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "squeezenet1_0", "googlenet")},
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """``zoo_models.resnet50`` is the factory of that zoo network."""
    try:
        return FACTORIES[name]
    except KeyError:
        raise AttributeError(name) from None
