"""What a family module gives the generator: one :class:`ZooModel` per built-in network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ZooModel"]


@dataclass
class ZooModel:
    """A built-in network as the generator writes it.

    ``data`` is the network in convcalc's format (``name``, ``input``, ``layers``, maybe
    ``outputs``): plain dicts, lists, strings and numbers, in the order they are written.
    ``doc`` becomes the file's header comment (a few lines: what the network is, whose
    definition it follows and its module names). ``family`` groups the catalogue
    (``ResNet``), ``task`` is one of classification, segmentation, detection, generation,
    video, audio; ``published`` names the key of the published figures (in
    ``convcalc/zoo/published.json``) it is checked against, or None.
    """

    name: str
    family: str
    task: str
    doc: str
    data: dict[str, Any]
    published: str | None = None
    notes: list[str] = field(default_factory=list)
