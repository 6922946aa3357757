"""``convcalc layer --draw``: the pictures, as golden files under tests/golden/draw/ (one per
case: padding, unread cells, the ceil_mode window PyTorch drops, a window past the
padding, dilation gaps with many outputs, transposed convolution's scatter, 2-d grids,
per-dimension strips, ASCII and colour), and the drawing's data against a window-sliding
reference."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from convcalc import build
from convcalc.cli import app
from convcalc.draw import SHOWN, Scatter, Strip, strips
from convcalc.render.draw import draw_text

runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "80", "FORCE_COLOR": None, "TERM": "dumb"}

CASES = {
    "conv_padding": "--in 7 --k 3 --s 2 --p 1",
    "unread": "--in 9 --k 2 --s 2",
    "ceil_dropped": "--type maxpool --in 5 --k 3 --s 3 --p 1 --ceil-mode",
    "ceil_past_the_input": "--type maxpool --in 5 --k 2 --ceil-mode",
    "dilation_many_outputs": "--in 30 --k 3 --d 3 --p 2",
    "wide_input": "--in 224 --k 7 --s 2 --p 3",
    "transposed": "--type transpose --in 4 --k 3 --s 2 --p 1 --output-padding 1",
    "transposed_gaps": "--type transpose --in 5 --k 2 --s 3 --d 2 --p 1",
    "grid": "--in 6,6 --k 3 --s 2 --p 1",
    "grid_unread": "--in 9,7 --k 3,2 --s 2,3 --d 2,1",
    "per_dimension": "--type maxpool --in 7,40 --k 2,3 --ceil-mode",
    "each_dimension": "--in 5,6,7 --k 3 --s 1,2,1",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_draw_golden(name: str, golden) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["layer", *CASES[name].split(), "--draw"], env=ENV)
    assert result.exit_code == 0, result.stderr
    golden(f"draw/{name}.txt", result.stdout)
    assert "warning" not in result.stdout


def test_ascii_and_colour(golden) -> None:  # type: ignore[no-untyped-def]
    layer = build("MaxPool1d", kernel_size=3, stride=3, padding=1, dilation=1, ceil_mode=True)
    pictures = strips(layer, (5,))
    head = "MaxPool1d(kernel_size=3, stride=3, padding=1, ceil_mode=True) · input 5 → output 2"
    text = draw_text(head, pictures, ascii=True)
    assert text.isascii()
    golden("draw/ascii.txt", text)
    coloured = draw_text(head, pictures, color=True)
    assert "\x1b[32m■\x1b[0m" in coloured and "\x1b[33m▫\x1b[0m" in coloured
    golden("draw/colour.txt", coloured)


def test_ascii_when_stdout_cannot_encode_unicode() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1", "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "convcalc", "layer", "--in", "9", "--k", "2", "--s", "2", "--draw"],
        capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("ascii")
    assert "input     o o o o o o o o x" in out and "out 0     # #" in out
    assert b"warning: input positions never read" in done.stderr


def test_draw_needs_an_input_and_is_its_own_answer() -> None:
    result = runner.invoke(app, ["layer", "--k", "3", "--draw"], env=ENV)
    assert result.exit_code == 2 and "--draw needs --in" in result.stderr
    result = runner.invoke(app, ["layer", "--in", "5", "--k", "3", "--draw", "--json"], env=ENV)
    assert result.exit_code == 2


def _reference_read(n: int, k: int, s: int, p: int, d: int, out: int) -> set[int]:
    return {o * s - p + j * d for o in range(out) for j in range(k)}


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "d", "ceil"),
    [(7, 3, 2, 1, 1, False), (9, 2, 2, 0, 1, False), (30, 3, 1, 2, 3, False), (5, 3, 3, 1, 1, True),
     (11, 2, 3, 1, 2, True), (40, 1, 4, 0, 1, False)],
)  # fmt: skip
def test_strip_data_against_a_sliding_reference(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> None:
    kind = "MaxPool1d" if ceil or p <= k // 2 else "Conv1d"
    args = {"kernel_size": k, "stride": s, "padding": p, "dilation": d}
    layer = build(kind, **args, **({"ceil_mode": ceil} if kind == "MaxPool1d" else {"out_channels": 1}))
    (strip,) = strips(layer, (n,))
    assert isinstance(strip, Strip)
    out = layer.forward((1, 1, n)).output_shape[-1]
    assert strip.out == out
    read = _reference_read(n, k, s, p, d, out)
    assert {x for x in range(n) if strip.is_unread(x)} == set(range(n)) - read
    assert strip.unread == len(set(range(n)) - read)
    drawn = [o for o, _ in strip.windows]
    assert drawn == (list(range(out)) if out <= 2 * SHOWN + 1 else [*range(SHOWN), *range(out - SHOWN, out)])
    for o, taps in strip.windows:
        assert taps == tuple(o * s - p + j * d for j in range(k))
    if strip.dropped is not None:  # the bare ceil formula's extra window, which PyTorch leaves out
        assert strip.dropped[0] == out * s - p and strip.dropped[0] >= n


def test_scatter_data() -> None:
    layer = build("ConvTranspose1d", out_channels=1, kernel_size=2, stride=3, dilation=2, padding=1)
    (sc,) = strips(layer, (5,))
    assert isinstance(sc, Scatter)
    assert sc.out == layer.forward((1, 1, 5)).output_shape[-1] == 13
    assert sc.rows[1] == (1, (2, 4))
    written = {i * 3 - 1 + j * 2 for i in range(5) for j in range(2)}
    assert {o for o in range(13) if sc.is_unwritten(o)} == set(range(13)) - written
    assert sc.unwritten == len(set(range(13)) - written) == 5
