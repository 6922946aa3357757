"""convcalc's speed figures: ``python benchmarks/run.py [--runs N] [--quick]``.

Every figure is the median of at least 9 runs. Commands are timed interleaved with their
baselines (``python -c pass`` and ``python -c "import typer"``, the floor of any Typer
program), so that ratios compare runs made side by side on a shared, noisy machine.
Budgets (issue "Speed"): layer -q ≤ 1.2× the Typer floor; net resnet50 (json and table)
≤ 1.5×; a 10k-layer network end to end ≤ 1 s and 100k within 11× of 10k; ≥ 1,000,000
1-d output-size evaluations/s; ≥ 50,000 layers analysed/s inside a network.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import write_network  # noqa: E402

PY = sys.executable
CONVCALC = shutil.which("convcalc")
CLI = [CONVCALC] if CONVCALC else [PY, "-m", "convcalc"]
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
    return elapsed


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median seconds per command, the commands run in turn, `runs` rounds."""
    samples: dict[str, list[float]] = {k: [] for k in commands}
    for cmd in commands.values():  # warm the file cache
        timed(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    return {k: statistics.median(v) for k, v in samples.items()}


def line(label: str, value: str, budget: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else ("  ok" if ok else "  OVER BUDGET")
    print(f"  {label:<52} {value:>14}  {budget}{mark}")


def bench_startup(runs: int) -> bool:
    print("1–2. Start-up, median of", runs, "interleaved runs")
    t = interleaved(
        {
            "pass": [PY, "-c", "pass"],
            "typer": [PY, "-c", "import typer"],
            "layer": [*CLI, "layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q"],
            "json": [*CLI, "net", "resnet50", "--format", "json"],
            "table": [*CLI, "net", "resnet50"],
        },
        runs,
    )
    line('python -c pass', f"{t['pass'] * 1000:.1f} ms")
    line('python -c "import typer" (the Typer floor)', f"{t['typer'] * 1000:.1f} ms")
    ok = True
    for key, label, budget in (
        ("layer", "convcalc layer --in 224 --k 7 --s 2 --p 3 -q", 1.2),
        ("json", "convcalc net resnet50 --format json", 1.5),
        ("table", "convcalc net resnet50 (Rich table)", 1.5),
    ):
        ratio = t[key] / t["typer"]
        good = ratio <= budget
        ok &= good
        line(label, f"{t[key] * 1000:.1f} ms")
        line(f"  = {ratio:.2f}× the Typer floor, {t[key] / t['pass']:.2f}× python -c pass", "", f"budget ≤ {budget}×", good)
    return ok


def bench_scaling(runs: int, sizes: tuple[int, ...]) -> bool:
    print(f"3. Generated networks, end to end (convcalc net FILE --format json), median of {runs}")
    ok = True
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"net{n}.yaml"
            write_network(path, n)
            medians[n] = statistics.median(timed([*CLI, "net", str(path), "--format", "json"]) for _ in range(runs))
            per = medians[n] / n * 1e6
            good = None
            budget = ""
            if n == 10_000:
                good, budget = medians[n] <= 1.0, "budget ≤ 1 s"
                ok &= good
            line(f"{n:,} layers", f"{medians[n] * 1000:.0f} ms", f"({per:.1f} µs/layer) {budget}", good)
    if 10_000 in medians and 100_000 in medians:
        growth = medians[100_000] / medians[10_000]
        good = growth <= 11
        ok &= good
        line("100k / 10k", f"{growth:.2f}×", "budget ≤ 11×", good)
    return ok


def bench_library(runs: int) -> bool:
    import convcalc
    from convcalc.arith import conv_out

    print(f"4. Library throughput, median of {runs}")
    args = [(n, k, s, p, d) for n in range(8, 72) for k in (1, 3, 5) for s in (1, 2) for p in (0, 1) for d in (1, 2)]
    evals = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(10):
            for n, k, s, p, d in args:
                conv_out(n, k, s, p, d)
        evals.append(10 * len(args) / (time.perf_counter() - start))
    rate = statistics.median(evals)
    ok = rate >= 1_000_000
    line("1-d output-size evaluations per second", f"{rate:,.0f}", "budget ≥ 1,000,000", ok)

    from benchmarks.generate import network_dict

    net = network_dict(10_000)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        report = convcalc.analyze(net)
        rates.append(len(report.rows) / (time.perf_counter() - start))
    rate = statistics.median(rates)
    good = rate >= 50_000
    line("layers analysed per second (10k-layer dict)", f"{rate:,.0f}", "budget ≥ 50,000", good)
    return ok and good


TORCHINFO = """
import sys, torch, torchinfo
sys.path.insert(0, {tests!r})
import zoo_models
model = getattr(zoo_models, {factory!r})()
torchinfo.summary(model, input_size={shape!r}, verbose=0)
"""


def bench_torchinfo(runs: int) -> None:
    print(f"5. Against torchinfo in a fresh process, median of {runs}")
    try:
        import torch  # noqa: F401
        import torchinfo  # noqa: F401
    except ImportError:
        print("  skipped: needs torch==2.13.0 and torchinfo (pip install -e '.[oracle]' torchinfo)")
        return
    for name, factory, shape in (("lenet", "lenet", (1, 1, 28, 28)), ("resnet50", "resnet50", (1, 3, 224, 224))):
        code = TORCHINFO.format(tests=str(ROOT / "tests"), factory=factory, shape=shape)
        t = interleaved({"torchinfo": [PY, "-c", code], "convcalc": [*CLI, "net", name]}, runs)
        line(f"{name}: torchinfo.summary", f"{t['torchinfo'] * 1000:.0f} ms")
        line(f"{name}: convcalc net {name}", f"{t['convcalc'] * 1000:.0f} ms", f"{t['torchinfo'] / t['convcalc']:.1f}× faster")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (at least 9 for the record)")
    parser.add_argument("--quick", action="store_true", help="skip the 100k-layer network and torchinfo")
    opts = parser.parse_args()
    print(f"convcalc benchmarks — {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"command: {' '.join(CLI)}")
    ok = bench_startup(opts.runs)
    ok &= bench_scaling(opts.runs, (1_000, 10_000) if opts.quick else (1_000, 10_000, 100_000))
    ok &= bench_library(opts.runs)
    if not opts.quick:
        bench_torchinfo(opts.runs)
    print("all budgets hold" if ok else "SOME BUDGETS DO NOT HOLD")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
