"""The built-in example networks, as YAML files in this folder."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ZOO_DIR", "zoo_names", "zoo_path"]

ZOO_DIR = Path(__file__).parent


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
