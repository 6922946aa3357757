"""The long fuzz run: ``nice python benchmarks/fuzz_long.py [--examples 100000]``.

``--refusals 5`` instead times the refusal of each hostile file of the issue, in fresh
processes, with the peak memory it adds.

Runs ``tests/test_fuzz.py`` with ``CONVCALC_FUZZ_EXAMPLES`` set, so that the given number
of hypothesis examples is spread over its tests in the proportions of the CI run, and
prints, per test: the examples that passed, failed and were discarded, the time spent, and
the categories drawn (hypothesis events: defect kinds, exit codes, bound shapes). Exits
with pytest's status, so a failure found by the long run fails the script too; the
falsifying example is in the pytest output that precedes the summary.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_statistics(text: str) -> list[dict[str, object]]:
    """Per test: passing/failing/invalid examples, seconds and events, from pytest's
    ``--hypothesis-show-statistics`` report."""
    tests: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    for line in text.splitlines():
        head = re.match(r"^(\S+::\S+):\s*$", line)
        if head:
            current = {"test": head.group(1).split("::")[-1], "passing": 0, "failing": 0, "invalid": 0,
                       "seconds": 0.0, "events": []}  # fmt: skip
            tests.append(current)
            continue
        if current is None:
            continue
        phase = re.search(r"during \w+ phase \(([\d.]+) seconds\)", line)
        if phase:
            current["seconds"] = float(current["seconds"]) + float(phase.group(1))  # type: ignore[arg-type]
        # "10 passing examples, 0 failing examples, 2 invalid examples" (older hypothesis) or
        # "10 passing, 0 failing, and 2 invalid test cases" (6.170 and newer)
        counts = re.search(r"(\d+) passing(?: examples?)?, (\d+) failing(?: examples?)?,(?: and)? (\d+) invalid", line)
        if counts:
            for key, value in zip(("passing", "failing", "invalid"), counts.groups()):
                current[key] = int(current[key]) + int(value)  # type: ignore[call-overload]
        found = re.match(r"^\s+\* ([\d.<>~]+%), (.+)$", line)
        if found and not found.group(2).startswith(("Draw for ", "Retried draw")):  # hypothesis' own notes
            current["events"].append(f"{found.group(2)} {found.group(1)}")  # type: ignore[union-attr]
    return tests


# ---------------------------------------------------------------------------------------
# How fast, and in how little memory, hostile files are refused
# ---------------------------------------------------------------------------------------

_MEASURE = """
import sys, time
import convcalc
source = sys.argv[1]
if source.startswith("dict:"):
    layers = ["ReLU"]
    for _ in range(int(source[5:])):
        layers = [{"Sequential": layers}]
    source = {"input": [1, 3, 8, 8], "layers": layers}
def rss_kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field))
before = rss_kib("VmRSS:")  # now, after the import (the peak so far may be higher)
start = time.perf_counter()
try:
    convcalc.analyze(source)
    outcome = "accepted"
except convcalc.ConvCalcError as err:
    outcome = f"exit {err.exit_code}: {str(err)[:90]}"
elapsed = time.perf_counter() - start
grown = rss_kib("VmHWM:") - before
print(f"{elapsed * 1000:.1f}\t{grown / 1024:.1f}\t{outcome}")
"""


def hostile_files(folder: Path) -> dict[str, str]:
    """The hostile inputs of the issue (and two near the bounds), as files or sources."""
    limit = 16 * 2**20
    texts = {
        "billion laughs (9^10 layers, 717 bytes)": "input: [1, 3, 8, 8]\nlayers:\n  - &l0 {Sequential: ["
        + ", ".join(["ReLU"] * 9) + "]}\n" + "".join(
            f"  - &l{i} {{Sequential: [{', '.join([f'*l{i - 1}'] * 9)}]}}\n" for i in range(1, 10)),
        "3,000-deep nesting (YAML)": "input: [1, 3, 8, 8]\nlayers: [" + "{Sequential: [" * 3000 + "ReLU"
        + "]}" * 3000 + "]\n",
        "100,000-deep list (YAML)": "input: [1, 3, 8, 8]\nlayers:\n  - " + "- " * 100_000 + "ReLU\n",
        "Repeat.times 10^12": "input: [1, 3, 8, 8]\nlayers:\n  - Repeat: {times: 1000000000000, layers: [ReLU]}\n",
        "an integer of 5,000 digits": "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: " + "9" * 5000
        + ", k: 3}\n",
        "15 MiB of '- ReLU' (1.7 million layers, under the size bound)": "input: [1, 3, 8, 8]\nlayers:\n"
        + "  - ReLU\n" * (15 * 2**20 // 9),
        "15 MiB of [ReLU, ReLU, …] on one line (3.1 million layers)": "input: [1, 3, 8, 8]\nlayers: ["
        + "ReLU, " * (15 * 2**20 // 6) + "]\n",
        "15 MiB of sizes in the input shape (5.2 million values)": "input: [" + "1, " * (15 * 2**20 // 3)
        + "]\nlayers: [ReLU]\n",
    }  # fmt: skip
    sources = {}
    for i, (name, text) in enumerate(texts.items()):
        path = folder / f"hostile{i}.yaml"
        path.write_text(text, encoding="utf-8")
        sources[name] = str(path)
    big = folder / "big.yaml"
    with big.open("wb") as f:
        f.truncate(limit + 1)
    sources["a 16 MiB + 1 byte file"] = str(big)
    sources["/dev/zero (no size: read up to the bound)"] = "/dev/zero"
    sources["a Python dict nested 3,000 deep"] = "dict:3000"
    return sources


def refusals(runs: int) -> None:
    """Time (median of ``runs``) and peak memory added, per hostile input, each in a fresh process."""
    import statistics
    import tempfile

    print(f"{'input':<66} {'ms':>8} {'MiB':>7}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, source in hostile_files(Path(folder)).items():
            results = []
            for _ in range(runs):
                done = subprocess.run(
                    [sys.executable, "-c", _MEASURE, source], capture_output=True, text=True, check=False
                )
                results.append(
                    done.stdout.strip().split("\t") if done.returncode == 0 else ["nan", "nan", done.stderr[-200:]]
                )
            ms = statistics.median(float(r[0]) for r in results)
            mib = max(float(r[1]) for r in results)
            print(f"{name:<66} {ms:>8.1f} {mib:>7.1f}  {results[0][2]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000, help="hypothesis examples in all (default 100,000)")
    parser.add_argument("--deadline-ms", type=int, default=2000, help="per-example deadline (default 2000 ms)")
    parser.add_argument("-k", default=None, help="only the tests matching this pytest expression")
    parser.add_argument("--refusals", type=int, metavar="RUNS", default=0,
                        help="instead: time the refusal of each hostile file (median of RUNS processes)")  # fmt: skip
    args = parser.parse_args()
    if args.refusals:
        refusals(args.refusals)
        return 0
    env = {
        **os.environ,
        "CONVCALC_FUZZ_EXAMPLES": str(args.examples),
        "CONVCALC_FUZZ_DEADLINE_MS": str(args.deadline_ms),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
               "-W", "ignore::DeprecationWarning", "tests/test_fuzz.py"]  # fmt: skip
    if args.k:
        command += ["-k", args.k]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    tests = parse_statistics(done.stdout)
    total = sum(int(t["passing"]) + int(t["failing"]) for t in tests)  # type: ignore[call-overload]
    print(f"\nconvcalc long fuzz: {args.examples:,} examples asked, {total:,} run in {wall:,.0f} s wall "
          f"(deadline {args.deadline_ms} ms per example)")  # fmt: skip
    print(f"{'test':<70} {'passing':>9} {'failing':>8} {'invalid':>8} {'seconds':>8}")
    for t in tests:
        print(f"{t['test']:<70} {t['passing']:>9,} {t['failing']:>8} {t['invalid']:>8} {float(t['seconds']):>8.1f}")  # type: ignore[arg-type]
        for e in t["events"]:  # type: ignore[attr-defined]
            print(f"    {e}")
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    print(f"pytest: {summary} (exit {done.returncode})")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
