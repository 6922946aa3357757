"""Generated networks of any length, for the scaling benchmark.

Each layer is written out (no Repeat), so reading the file is part of the cost:
Conv2d 3×3 (padding 1) → BatchNorm2d → ReLU, over and over, on a 1×16×32×32 input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_CYCLE = (
    ("Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1, "bias": False}),
    ("BatchNorm2d", {}),
    ("ReLU", {}),
)


def network_dict(n: int) -> dict[str, Any]:
    """A network of ``n`` layers as a dict."""
    layers: list[Any] = []
    for i in range(n):
        kind, args = _CYCLE[i % len(_CYCLE)]
        layers.append({kind: dict(args)} if args else kind)
    return {"name": f"generated-{n}", "input": [1, 16, 32, 32], "layers": layers}


def write_network(path: Path, n: int) -> None:
    """The same network as YAML, one layer per line."""
    lines = [f"name: generated-{n}", "input: [1, 16, 32, 32]", "layers:"]
    for i in range(n):
        kind, args = _CYCLE[i % len(_CYCLE)]
        if args:
            inner = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in args.items())
            lines.append(f"  - {kind}: {{{inner}}}")
        else:
            lines.append(f"  - {kind}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
