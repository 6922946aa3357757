"""convcalc's speed figures: ``python benchmarks/run.py [--runs N] [--quick]``.

Every figure is the median of at least 9 runs. Commands are timed interleaved with their
baselines (``python -c pass`` and ``python -c "import typer"``, the floor of any Typer
program), and every ratio is the median of the ratios of runs made side by side in the same
round, so that a shared, noisy machine slows both sides of a ratio alike.
Budgets (issue "Speed"): layer -q ≤ 1.2× the Typer floor; net resnet50 (json and table)
≤ 1.5×; a 10k-layer network end to end ≤ 1 s and 100k within 11× of 10k; ≥ 1,000,000
1-d output-size evaluations/s; ≥ 50,000 layers analysed/s inside a network. Section 6
measures the targets of the issue "Speed after the graph" beside them, each marked ``met``
or ``not met``: layer -q ≤ 1.1×, json ≤ 1.2×, the coloured table ≤ 1.3× the floor and
≤ 1.3× plain; a YAML file to JSON ≤ 1.5× loading it with PyYAML's C loader alone, and
linear from 10k to 200k layers; peak memory at 200k layers ≤ 300 MiB in every format;
``analyze`` of a dict ≤ 4× a hand-written loop of the same formulas.

How commands are run, so that the figures are what an installed convcalc costs:

- the ``convcalc`` console script of this interpreter (not a ``pyenv`` shim found on PATH,
  which adds a shell and a second program to every call), else ``python -m convcalc``;
- with bytecode caching on, in a private ``PYTHONPYCACHEPREFIX`` (``pip install`` compiles
  bytecode; an environment with ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile every
  module on every call, the baselines' included), warmed by one untimed run of each command;
- the table with ``FORCE_COLOR=1``, coloured as on a terminal; every other command with
  ``NO_COLOR=1``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import network_dict, write_network  # noqa: E402  (after the path is set)

PY = sys.executable
MIN_RUNS = 9
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")}
ENV.update({"NO_COLOR": "1", "COLUMNS": "120"})
TABLE_ENV = {**{k: v for k, v in ENV.items() if k != "NO_COLOR"}, "FORCE_COLOR": "1"}


def _cli() -> list[str]:
    """The console script installed beside this interpreter, else ``python -m convcalc``."""
    script = Path(PY).with_name("convcalc")
    return [str(script)] if script.is_file() else [PY, "-m", "convcalc"]


CLI = _cli()

#: A command to time: its argv and its environment.
Command = tuple[list[str], dict[str, str]]


def timed(command: Command) -> float:
    """Wall-clock seconds of one run of ``command``, which must succeed."""
    argv, env = command
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode()[-2000:]}")
    return elapsed


def interleaved(commands: dict[str, Command], runs: int) -> dict[str, list[float]]:
    """Seconds per command and round: one untimed warm-up run of each (file cache,
    bytecode), then ``runs`` rounds, each running every command once, in turn."""
    for command in commands.values():
        timed(command)
    samples: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median over rounds of ``top / bottom``, both timed in the same round."""
    return median([a / b for a, b in zip(samples[top], samples[bottom])])


def line(label: str, value: str, note: str = "", ok: bool | None = None) -> None:
    """One figure; with a budget, marked ``ok`` or ``OVER``."""
    mark = "" if ok is None else ("  ok" if ok else "  OVER")
    print(f"  {label:<50} {value:>12}  {note}{mark}".rstrip())


def bench_startup(runs: int, targets: list[str]) -> bool:
    print(f"1–2. Start-up, median of {runs} interleaved rounds")
    layer = ["layer", "--in", "224", "--k", "7", "--s", "2", "--p", "3", "-q"]
    t = interleaved(
        {
            "pass": ([PY, "-c", "pass"], ENV),
            "typer": ([PY, "-c", "import typer"], ENV),
            "layer": ([*CLI, *layer], ENV),
            "json": ([*CLI, "net", "resnet50", "--format", "json"], ENV),
            "table": ([*CLI, "net", "resnet50"], TABLE_ENV),
            # the same network as a user's own file: read by PyYAML, not from the zoo's snapshot
            "file": ([*CLI, "net", str(ROOT / "convcalc" / "zoo" / "resnet50.yaml"), "--format", "json"], ENV),
        },
        runs,
    )
    line("python -c pass", f"{median(t['pass']) * 1000:.1f} ms")
    line('python -c "import typer" (the Typer floor)', f"{median(t['typer']) * 1000:.1f} ms")
    ok = True
    for key, label, budget in (
        ("layer", "convcalc " + " ".join(layer), 1.2),
        ("json", "convcalc net resnet50 --format json", 1.5),
        ("table", "convcalc net resnet50 (the table, in colour)", 1.5),
    ):
        r = ratio(t, key, "typer")
        good = r <= budget
        ok &= good
        line(label, f"{median(t[key]) * 1000:.1f} ms")
        shown = f"  = {r:.2f}× the Typer floor ({ratio(t, key, 'pass'):.2f}× python -c pass)"
        line(shown, "", f"budget ≤ {budget}×", good)
    line("convcalc net PATH/resnet50.yaml --format json", f"{median(t['file']) * 1000:.1f} ms")
    line(f"  = {ratio(t, 'file', 'typer'):.2f}× the Typer floor (a user's file: YAML read by PyYAML)", "")
    for key, label, target in (("layer", "layer -q", 1.1), ("json", "net resnet50 --format json", 1.2),
                               ("table", "net resnet50, the coloured table", 1.3)):  # fmt: skip
        r = ratio(t, key, "typer")
        targets.append(_target(f"{label}: {r:.2f}× the Typer floor", f"≤ {target}×", r <= target))
    return ok


def _target(label: str, target: str, met: bool) -> str:
    return f"  {label:<62} target {target:<9} {'met' if met else 'NOT MET'}"


def bench_scaling(runs: int, sizes: tuple[int, ...]) -> bool:
    print(f"3. Generated networks end to end (convcalc net FILE --format json), median of {runs} interleaved rounds")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        commands: dict[str, Command] = {}
        for n in sizes:
            path = Path(tmp) / f"net{n}.yaml"
            write_network(path, n)
            commands[str(n)] = ([*CLI, "net", str(path), "--format", "json"], ENV)
        t = interleaved(commands, runs)
    for n in sizes:
        seconds = median(t[str(n)])
        good, budget = (seconds <= 1.0, "budget ≤ 1 s") if n == 10_000 else (None, "")
        ok &= good is not False
        line(f"{n:,} layers", f"{seconds * 1000:.0f} ms", f"{seconds / n * 1e6:.1f} µs/layer  {budget}".rstrip(), good)
    if 10_000 in sizes and 100_000 in sizes:
        growth = ratio(t, "100000", "10000")
        good = growth <= 11
        ok &= good
        line("100k / 10k", f"{growth:.2f}×", "budget ≤ 11×", good)
    return ok


def rate(work: Callable[[], int], runs: int) -> float:
    """Median over ``runs`` of (units of work done) / seconds, after one warm-up call."""
    work()
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        units = work()
        rates.append(units / (time.perf_counter() - start))
    return median(rates)


def bench_library(runs: int) -> bool:
    import convcalc
    from convcalc.arith import conv_out

    print(f"4. Library throughput (in process), median of {runs}")
    args = [(n, k, s, p, d) for n in range(8, 72) for k in (1, 3, 5) for s in (1, 2) for p in (0, 1) for d in (1, 2)]

    def evaluations() -> int:
        for _ in range(20):
            for n, k, s, p, d in args:
                conv_out(n, k, s, p, d)
        return 20 * len(args)

    evals = rate(evaluations, runs)
    ok = evals >= 1_000_000
    line("1-d output-size evaluations per second", f"{evals:,.0f}", "budget ≥ 1,000,000", ok)
    net = network_dict(10_000)
    layers = rate(lambda: len(convcalc.analyze(net).rows), runs)
    good = layers >= 50_000
    line("layers analysed per second (10k-layer dict)", f"{layers:,.0f}", "budget ≥ 50,000", good)
    return ok and good


#: torchinfo's side: what a user of torchinfo runs, in a fresh process (the models are the
#: torch definitions of the zoo in tests/zoo_models.py, which wants pytest only to skip).
TORCHINFO = """
import importlib, sys, types
sys.modules["pytest"] = types.SimpleNamespace(importorskip=importlib.import_module)
sys.path.insert(0, {tests!r})
import torchinfo
import zoo_models
torchinfo.summary(getattr(zoo_models, {factory!r})(), input_size={shape!r}, verbose=0)
"""


def bench_torchinfo(runs: int) -> None:
    print(f"5. Against torchinfo.summary in a fresh process, median of {runs} interleaved rounds")
    try:
        import torch  # noqa: F401
        import torchinfo  # noqa: F401
    except ImportError:
        print("  skipped: needs torch==2.13.0 and torchinfo (pip install -e '.[oracle,bench]')")
        return
    for name, shape in (("lenet", (1, 1, 28, 28)), ("resnet50", (1, 3, 224, 224))):
        code = TORCHINFO.format(tests=str(ROOT / "tests"), factory=name, shape=shape)
        t = interleaved({"torchinfo": ([PY, "-c", code], ENV), "convcalc": ([*CLI, "net", name], TABLE_ENV)}, runs)
        line(f"{name}: torchinfo.summary", f"{median(t['torchinfo']) * 1000:.0f} ms")
        line(f"{name}: convcalc net {name}", f"{median(t['convcalc']) * 1000:.0f} ms",
             f"torchinfo takes {ratio(t, 'torchinfo', 'convcalc'):.1f}× as long")


#: Peak resident memory of a command: run as a child of this script, which prints the
#: largest resident size of its children (Linux: KiB).
MAXRSS = "import resource, subprocess, sys\nsubprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n" \
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"  # fmt: skip
LOAD = "import sys, yaml\nwith open(sys.argv[1], encoding='utf-8') as f:\n    yaml.load(f, Loader=yaml.CSafeLoader)"


def hand_loop(net: dict[str, Any]) -> tuple[int, int]:
    """The generated network's rows by its formulas written out by hand, each row what
    ``analyze`` gives (output shape, params, buffers, MACs, FLOPs, activation bytes,
    receptive field): the floor of any analysis of these layers in Python. Returns the
    total params and MACs."""
    n, c, h, w = net["input"]
    rf, rows = 1, []
    for entry in net["layers"]:
        params = buffers = macs = 0
        if isinstance(entry, dict):  # Conv2d, stride 1
            a = entry["Conv2d"]
            k, p, out = a["kernel_size"], a["padding"], a["out_channels"]
            h, w = h + 2 * p - k + 1, w + 2 * p - k + 1
            params, macs, c, rf = out * c * k * k, n * out * h * w * c * k * k, out, rf + k - 1
        elif entry == "BatchNorm2d":
            params, buffers = 2 * c, 2 * c + 1
        rows.append(((n, c, h, w), params, buffers, macs, 2 * macs, 4 * n * c * h * w, (rf, rf)))
    return sum(r[1] for r in rows), sum(r[3] for r in rows)


def bench_targets(runs: int, quick: bool, targets: list[str]) -> None:
    import convcalc

    print(f"6. Targets of the issue 'Speed after the graph', median of {runs} interleaved rounds")
    sizes = (10_000,) if quick else (10_000, 100_000, 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        commands: dict[str, Command] = {}
        for n in sizes:
            path = Path(tmp) / f"net{n}.yaml"
            write_network(path, n)
            commands[f"json{n}"] = ([*CLI, "net", str(path), "--format", "json"], ENV)
            commands[f"load{n}"] = ([PY, "-c", LOAD, str(path)], ENV)
        small = Path(tmp) / f"net{sizes[0]}.yaml"
        commands["table"] = ([*CLI, "net", str(small)], TABLE_ENV)
        commands["plain"] = ([*CLI, "net", str(small), "--format", "plain"], ENV)
        t = interleaved(commands, runs)
        for n in sizes:
            r = ratio(t, f"json{n}", f"load{n}")
            label = f"{n:,} layers, YAML file to JSON: {r:.2f}× yaml.load(CSafeLoader)"
            targets.append(_target(label, "≤ 1.5×", r <= 1.5))
        if len(sizes) > 1:
            growth = (median(t["json200000"]) / 200_000) / (median(t["json10000"]) / 10_000)
            targets.append(_target(f"per-layer time at 200k / at 10k: {growth:.2f}", "≤ 1.1", growth <= 1.1))
        r = ratio(t, "table", "plain")
        targets.append(_target(f"{sizes[0]:,} layers, coloured table: {r:.2f}× plain", "≤ 1.3×", r <= 1.3))
        big = Path(tmp) / f"net{sizes[-1]}.yaml"
        for fmt in ("table", "plain", "csv", "json"):
            env = TABLE_ENV if fmt == "table" else ENV
            done = subprocess.run([PY, "-c", MAXRSS, *CLI, "net", str(big), "--format", fmt], env=env,
                                  capture_output=True, text=True, check=True)  # fmt: skip
            mib = int(done.stdout.split()[-1]) / 1024
            targets.append(_target(f"{sizes[-1]:,} layers, --format {fmt}: peak memory {mib:.0f} MiB", "≤ 300 MiB",
                                   mib <= 300))  # fmt: skip
    net = network_dict(10_000)
    assert hand_loop(net) == (convcalc.analyze(net).totals.params, convcalc.analyze(net).totals.macs)
    by_hand = rate(lambda: hand_loop(net) and 10_000, runs)
    analysed = rate(lambda: len(convcalc.analyze(net).rows), runs)
    r = by_hand / analysed
    targets.append(_target(f"analyze(10k-layer dict): {r:.1f}× a hand-written loop", "≤ 4×", r <= 4))
    for text in targets:
        print(text)


def machine() -> str:
    """CPU model, cores, Python and OS, for the record."""
    cpu = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"runs per figure (at least {MIN_RUNS})")
    parser.add_argument("--quick", action="store_true",
                        help="skip the 100k- and 200k-layer networks and torchinfo")  # fmt: skip
    opts = parser.parse_args()
    if opts.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}: every figure is a median of at least {MIN_RUNS} runs")
    print(f"convcalc benchmarks on {machine()}")
    print(f"command: {' '.join(CLI)}")
    with tempfile.TemporaryDirectory(prefix="convcalc-pyc-") as pyc:
        ENV["PYTHONPYCACHEPREFIX"] = TABLE_ENV["PYTHONPYCACHEPREFIX"] = pyc
        targets: list[str] = []
        ok = bench_startup(opts.runs, targets)
        ok &= bench_scaling(opts.runs, (1_000, 10_000) if opts.quick else (1_000, 10_000, 100_000))
        ok &= bench_library(opts.runs)
        if not opts.quick:
            bench_torchinfo(opts.runs)
        bench_targets(opts.runs, opts.quick, targets)
    print("all budgets hold" if ok else "SOME BUDGETS ARE OVER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
