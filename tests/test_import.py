"""``import convcalc`` stays light: no typer, rich or yaml (SPEC §7), and never torch.

Checked in a fresh interpreter, since the test process itself has imported all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("typer", "rich", "yaml", "torch", "click")


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_convcalc_loads_no_typer_rich_or_yaml() -> None:
    modules = _modules_after("import convcalc")
    assert "convcalc" in modules and "convcalc.layers" in modules  # the check did run
    assert _heavy(modules) == []


def test_using_the_core_loads_no_typer_rich_or_yaml() -> None:
    code = (
        "import convcalc\n"
        "convcalc.build('Conv2d', out_channels=8, kernel_size=3).forward((1, 3, 32, 32))\n"
        "convcalc.analyze({'input': [1, 1, 28, 28], 'layers': [{'Conv2d': {'out_channels': 6, 'kernel_size': 5}}]})\n"
        "convcalc.same_padding(224, 7, 2)"
    )
    assert _heavy(_modules_after(code)) == []
