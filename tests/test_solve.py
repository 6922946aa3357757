"""convcalc.solve: every single layer that maps one size to another.

Completeness and exactness within the bounds are checked by brute force: every candidate
(k, s, p, d[, output_padding][, ceil_mode]) of the bounds is computed with
:mod:`convcalc.arith` and PyTorch's validity rules written out here, and the set that
gives the target must be exactly what :func:`solve` lists. Then torch 2.13.0 checks a
sample: each listed layer, built as a torch module, gives the target, its unread inputs
are the inputs with a zero gradient, and the candidates it leaves out do not give it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from typer.testing import CliRunner

from convcalc import InvalidLayerError, arith
from convcalc.cli import app
from convcalc.solve import Solution, parse_choices, solve

runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}

Key = tuple[int, int, Any, int, int, bool]


def _key(sol: Solution) -> Key:
    return (sol.kernel_size, sol.stride, sol.padding, sol.dilation, sol.output_padding, sol.ceil_mode)


def brute(kind: str, n: int, m: int) -> set[Key]:
    """Every layer of the default bounds giving n → m, from the formulas and PyTorch's
    rules: pooling padding ≤ k // 2, transposed output_padding < max(s, d); ceil_mode only
    where floor mode does not already give m; a 1-tap kernel with dilation 1 only."""
    found: set[Key] = set()
    for k in range(1, 12):
        for d in range(1, 5) if kind != "avgpool" else (1,):
            if k == 1 and d > 1:
                continue
            k_e = d * (k - 1) + 1
            for s in range(1, 9):
                for p in range(k_e + 1):
                    if kind == "conv":
                        if arith.conv_out(n, k, s, p, d) == m:
                            found.add((k, s, p, d, 0, False))
                    elif kind == "transpose":
                        for op in range(max(s, d)):
                            if arith.transposed_conv_out(n, k, s, p, d, op) == m:
                                found.add((k, s, p, d, op, False))
                    elif p <= k // 2:
                        floor = arith.pool_out(n, k, s, p, d, False)
                        if floor == m:
                            found.add((k, s, p, d, 0, False))
                        elif arith.pool_out(n, k, s, p, d, True) == m:
                            found.add((k, s, p, d, 0, True))
    if kind == "conv" and n == m:  # padding="same" with an odd total
        found |= {(k, 1, "same", d, 0, False) for k in range(2, 12, 2) for d in (1, 3)}
    return found


CASES = [
    ("conv", 224, 56), ("conv", 224, 112), ("conv", 7, 7), ("conv", 8, 8), ("conv", 28, 14), ("conv", 9, 4),
    ("conv", 1, 1), ("conv", 5, 9), ("conv", 100, 13), ("transpose", 16, 32), ("transpose", 7, 14),
    ("transpose", 3, 3), ("transpose", 1, 8), ("transpose", 10, 5), ("maxpool", 5, 2), ("maxpool", 5, 3),
    ("maxpool", 112, 56), ("maxpool", 7, 4), ("avgpool", 9, 5), ("avgpool", 6, 3), ("avgpool", 32, 8),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "n", "m"), CASES)
def test_solve_finds_exactly_the_layers_of_the_brute_force(kind: str, n: int, m: int) -> None:
    want = brute(kind, n, m)
    solved = solve(n, m, kind)
    got = [_key(sol) for sol in solved.solutions[0]]
    assert len(got) == len(set(got))
    assert set(got) == want
    assert solved.type == {"conv": "Conv1d", "transpose": "ConvTranspose1d", "maxpool": "MaxPool1d",
                           "avgpool": "AvgPool1d"}[kind]  # fmt: skip


def test_random_sizes_against_the_brute_force() -> None:
    rng = random.Random(12)
    checked = 0
    for _ in range(40):
        kind = rng.choice(["conv", "transpose", "maxpool", "avgpool"])
        n = rng.randint(1, 60)
        m = rng.randint(1, 2 * n + 10) if kind == "transpose" else rng.randint(1, n + 4)
        want = brute(kind, n, m)
        try:
            got = {_key(sol) for sol in solve(n, m, kind).solutions[0]}
        except InvalidLayerError:
            got = set()
        assert got == want, (kind, n, m)
        checked += bool(want)
    assert checked > 20  # most of them have solutions


def _unread(n: int, sol: Solution) -> int:
    """Input positions no window reads, one window at a time."""
    read = set()
    k_e = sol.dilation * (sol.kernel_size - 1) + 1
    p = int(sol.padding)
    out = arith.conv_out(n, sol.kernel_size, sol.stride, p, sol.dilation)
    for o in range(out):
        read |= {o * sol.stride + j * sol.dilation - p for j in range(sol.kernel_size)}
    assert k_e >= 1
    return n - len(read & set(range(n)))


def test_the_order_is_simplest_first_and_the_marks_are_right() -> None:
    found = solve(224, 112).solutions[0]
    assert [(s.kernel_size, s.stride, s.padding, s.dilation) for s in found[:4]] == [
        (1, 2, 0, 1), (2, 2, 0, 1), (2, 2, 1, 2), (2, 2, 1, 3)
    ]  # fmt: skip
    # the stride that is in/out comes before every other
    ratio = [s.stride == 2 for s in found]
    assert ratio == sorted(ratio, reverse=True)
    for sol in found:
        if sol.padding != "same":
            assert sol.unread == _unread(224, sol)
    same = [s for s in solve(28, 28).solutions[0] if s.same]
    assert {(s.kernel_size, s.padding, s.dilation) for s in same if s.kernel_size <= 4} == {
        (1, 0, 1), (3, 1, 1), (3, 2, 2), (3, 3, 3), (3, 4, 4), (2, "same", 1), (2, 1, 2), (2, "same", 3), (2, 2, 4),
        (4, "same", 1), (4, 3, 2), (4, "same", 3), (4, 6, 4),
    }  # fmt: skip
    assert all(s.stride == 1 for s in same)
    pool = {_key(s): s for s in solve(5, 3, "maxpool").solutions[0]}
    assert pool[2, 2, 0, 1, 0, True].ceil_mode  # 5 → 2 in floor mode, 3 only with ceil_mode
    assert (2, 2, 0, 1, 0, False) not in pool


def test_bounds_fix_or_bound_the_search() -> None:
    solved = solve((224, 224), (112, 112), "conv", kernel_size=(3, 5, 7), stride=(2,))
    assert {(s.kernel_size, s.stride) for s in solved.solutions[0]} == {(3, 2), (5, 2), (7, 2)}
    assert solved.alike and solved.type == "Conv2d"
    assert [s.padding for s in solve(64, 32, kernel_size=(3,), dilation=(1,)).solutions[0]] == [1]
    assert solve(64, 32, padding=(0,), dilation=(1,)).solutions[0][0].kernel_size == 1
    assert parse_choices("1,3..5,3", "--k") == (1, 3, 4, 5)
    with pytest.raises(Exception, match="--k takes whole numbers or ranges"):
        parse_choices("3;5", "--k")


def test_per_dimension_answers_when_dimensions_differ() -> None:
    solved = solve((224, 220), (112, 110), "Conv2d", kernel_size=(3,))
    assert not solved.alike
    assert [len(found) for found in solved.solutions] == [4, 4]
    assert solve((16, 20, 8), (8, 10, 4), "conv", kernel_size=(3,), stride=(2,), dilation=(1,)).type == "Conv3d"


def test_no_solution_names_the_nearest_outputs() -> None:
    with pytest.raises(InvalidLayerError, match=r"no Conv1d maps 224 to 3 within .*nearest output it reaches is 23 "
                       r"\(k=11, s=8, p=0, d=4\)") as err:  # fmt: skip
        solve(224, 3)
    assert err.value.exit_code == 1
    with pytest.raises(
        InvalidLayerError, match=r"reaches are 29 \(k=3, s=8, p=2, d=1\) and 32 \(k=3, s=7, p=0, d=1\)$"
    ):
        solve(224, 30, kernel_size=(3,), stride=(7, 8), dilation=(1,))


def test_the_command_line() -> None:
    result = runner.invoke(app, ["solve", "--in", "64", "--out", "32", "--k", "3", "--d", "1", "-q"], env=ENV)
    assert (result.exit_code, result.stdout) == (0, "3 2 1 1\n")
    result = runner.invoke(
        app, ["solve", "--type", "transpose", "--in", "16", "--out", "32", "--k", "4", "-q"], env=ENV
    )
    assert (result.exit_code, result.stdout) == (0, "4 2 1 1 0\n")
    result = runner.invoke(app, ["solve", "--type", "maxpool", "--in", "5", "--out", "3", "--k", "2", "--d", "1"],
                           env=ENV)  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].split() == ["2", "2", "0", "1", "ceil_mode"]
    result = runner.invoke(app, ["solve", "--in", "224", "--out", "56", "--json"], env=ENV)
    import json

    data = json.loads(result.stdout)
    assert data["type"] == "Conv1d" and data["dimensions"][0]["solutions"][0]["kernel_size"] == 1
    result = runner.invoke(app, ["solve", "--in", "224", "--out", "3"], env=ENV)
    assert result.exit_code == 1 and "nearest output" in result.stderr and result.stdout == ""
    result = runner.invoke(app, ["solve", "--in", "224", "--out", "56", "--k", "x"], env=ENV)
    assert result.exit_code == 2


@pytest.mark.oracle
def test_solutions_against_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(3)
    agreed = 0
    for kind, n, m in CASES:
        solved = solve(n, m, kind).solutions[0]
        listed = {_key(s) for s in solved}
        sample = rng.sample(list(solved), min(12, len(solved)))
        for sol in sample:
            got, grad, out = _torch_run(torch, kind, n, sol)
            assert got == m, (kind, n, m, sol)
            if kind == "conv":
                assert sol.unread == int((grad == 0).sum()), (kind, n, sol)
            if kind == "transpose":
                assert sol.unwritten == int((out == 0).sum()), (kind, n, sol)
            agreed += 1
        # candidates it leaves out: torch refuses them or gives another size
        for _ in range(20):
            k, s, d = rng.randint(1, 11), rng.randint(1, 8), rng.randint(1, 4) if kind != "avgpool" else 1
            if k == 1:
                d = 1
            p = rng.randint(0, d * (k - 1) + 1)
            ceil = kind in ("maxpool", "avgpool") and rng.random() < 0.5
            op = rng.randint(0, max(s, d) - 1) if kind == "transpose" else 0
            key = (k, s, p, d, op, ceil)
            if key in listed:
                continue
            probe = Solution(k, s, p, d, op, ceil, 0, False)
            try:
                got, _, _ = _torch_run(torch, kind, n, probe)
            except RuntimeError:
                continue
            # ceil_mode where floor already gives m is the same layer listed without it
            assert got != m or (ceil and (k, s, p, d, op, False) in listed), (kind, n, m, key)
            agreed += 1
    print(f"\n{agreed} torch agreements")
    assert agreed > 300


def _torch_run(torch: Any, kind: str, n: int, sol: Solution) -> tuple[int, Any, Any]:
    """Output size, input gradient of the output's sum and the output, for input ones."""
    nn = torch.nn
    args = dict(kernel_size=sol.kernel_size, stride=sol.stride, padding=sol.padding)
    if kind == "conv":
        module = nn.Conv1d(1, 1, dilation=sol.dilation, bias=False, **args)
    elif kind == "transpose":
        module = nn.ConvTranspose1d(1, 1, dilation=sol.dilation, output_padding=sol.output_padding, bias=False,
                                    **args)  # fmt: skip
    elif kind == "maxpool":
        module = nn.MaxPool1d(dilation=sol.dilation, ceil_mode=sol.ceil_mode, **args)
    else:
        module = nn.AvgPool1d(ceil_mode=sol.ceil_mode, **args)
    if kind in ("conv", "transpose"):
        with torch.no_grad():
            module.weight.fill_(1.0)
    x = torch.ones(1, 1, n, requires_grad=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = module(x)
    y.sum().backward()
    return y.shape[-1], x.grad[0, 0], y.detach()[0, 0]
