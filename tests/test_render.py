"""convcalc.render: human numbers, columns, the table layout and every format.

Expected numbers are worked out by hand here (118 K is 117,600 to three digits); the
formats are checked against the report they come from (json is ``to_dict``, plain and csv
read back to the same numbers) and against width limits."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc import analyze
from convcalc.errors import ConvCalcError
from convcalc.render import COLUMNS, DEFAULT_COLUMNS, Format, parse_columns, render, render_zoo
from convcalc.render.columns import labels
from convcalc.render.numbers import binary, join_x, si, thousands
from convcalc.render.table import cell_len, layout
from convcalc.zoo import catalogue, zoo_names

BLOCKS = Path(__file__).parent / "data" / "blocks.yaml"


# ---------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0"),
        (999, "999"),
        (1000, "1.00 K"),
        (117_600, "118 K"),  # 117.6 K to three digits
        (9_994, "9.99 K"),
        (9_995, "10.0 K"),  # rounds up into the next width
        (99_950, "100 K"),
        (999_499, "999 K"),
        (999_500, "1.00 M"),  # 999.5 K would print as 1000 K: the next unit instead
        (4_089_184_256, "4.09 G"),
        (15_470_264_320, "15.5 G"),
        (-2_500, "-2.50 K"),
    ],
)
def test_si(n: int, text: str) -> None:
    assert si(n) == text


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.00 KiB"),
        (18_816, "18.4 KiB"),  # 18816 / 1024 = 18.375
        (102_236_160, "97.5 MiB"),  # 97.5 · 1024²
        (3 * 2**30, "3.00 GiB"),
    ],
)
def test_binary(n: int, text: str) -> None:
    assert binary(n) == text


def test_thousands_and_shapes() -> None:
    assert thousands(61706) == "61,706" and thousands(0) == "0"
    assert join_x((1, 3, 224, 224)) == "1×3×224×224" and join_x((5,), "x") == "5"


# ---------------------------------------------------------------------------------------
# columns and labels
# ---------------------------------------------------------------------------------------


def test_parse_columns() -> None:
    assert parse_columns("layer, PARAMS,#,rf") == ("layer", "params", "index", "rf")
    assert parse_columns("layer,layer") == ("layer",)
    assert set(DEFAULT_COLUMNS) <= set(COLUMNS)
    for bad, words in (("layer,parms", "did you mean 'params'"), (" , ", "at least one column")):
        with pytest.raises(ConvCalcError) as caught:
            parse_columns(bad)
        assert caught.value.exit_code == 2 and words in str(caught.value)


def test_every_column_has_a_title_and_help() -> None:
    for column in COLUMNS.values():
        assert column.title and column.help


def test_labels_are_names_or_paths_relative_to_the_block() -> None:
    """A name, else the path within the block; nothing for an unnamed top-level row."""
    report = analyze(str(BLOCKS))
    by_path = {row.path: labels(report.rows)[row.index] for row in report.rows}
    assert by_path["0"] == "stem"  # named
    assert by_path["1"] == ""  # top level, unnamed: its position beside the row number is left out
    assert by_path["3.0.body.0"] == "body.0"  # inside block1 (3.0)
    assert by_path["3.1.shortcut.0"] == "shortcut.0"
    assert by_path["4.1.0"] == "1.0"  # Concat branch 1, layer 0
    assert by_path["5"] == "" and by_path["5.3"] == "3"  # an unnamed Repeat, and its fourth layer


# ---------------------------------------------------------------------------------------
# table layout
# ---------------------------------------------------------------------------------------


def test_cell_len_counts_wide_characters_twice() -> None:
    assert cell_len("abc") == 3 and cell_len("1×6") == 3 and cell_len("卷积") == 4



def test_cell_len_fast_path_takes_only_one_cell_characters() -> None:
    """Every character the fast path measures as one cell is one by the character-by-character
    rule (combining marks 0, East Asian wide and full-width 2), and text with any other
    character takes the rule."""
    import convcalc.render.table as table

    narrow = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and table._NARROW.fullmatch(chr(c))]
    assert len(narrow) > 1300 and {"×", "·", "—", "…", "→", "−", "│", "├", "└", "─"} <= set(narrow)
    assert [ch for ch in narrow if table._char_cells(ch) != 1] == []
    assert cell_len("a\u0301×") == 2 and cell_len("│卷") == 3 and cell_len("⌚×") == 3

def test_layout_gaps_header_split_and_shrinking() -> None:
    titles = ["name", "receptive field", "n"]
    rows = [["a" * 20, "3×3", "1"], ["b", "15×15", "22"]]
    wide = layout(titles, rows, right=[False, False, True], shrink=[True, False, False], width=100)
    assert wide.gap == 2 and wide.widths == [20, 15, 2] and len(wide.headers) == 1
    # 20 + 15 + 2 + 4 = 41 > 35: the title splits over two lines (rf column 9 wide)
    split = layout(titles, rows, right=[False, False, True], shrink=[True, False, False], width=35)
    assert split.headers == [["", "receptive", ""], ["name", "field", "n"]] and split.widths == [20, 9, 2]
    assert split.width <= 35
    narrow = layout(titles, rows, right=[False, False, True], shrink=[True, False, False], width=25)
    assert narrow.gap == 1 and narrow.width == 25 and narrow.widths[0] == 25 - 9 - 2 - 2
    assert narrow.line(rows[0]).startswith("a" * 6 + "…" + "a" * 5 + " ")  # shortened in the middle
    assert narrow.line(rows[1]).endswith(" 22")  # numbers to the right


@pytest.mark.parametrize("width", [60, 80, 100, 160])
@pytest.mark.parametrize("name", zoo_names())
def test_tables_fit_the_width(name: str, width: int) -> None:
    """Every table fits 80 columns and more; at 60, where some cannot (the numbers take
    more), a table is as wide as its numbers need, and no number is cut."""
    report = analyze(name)
    text = render(report, Format.table, width=width)
    lines = text.split("\n\n")[0].splitlines()  # the warnings, wrapped on their own, follow
    if width >= 80:
        assert max(cell_len(line) for line in lines) <= width
    params = {str(row.index): thousands(row.params) for row in report.rows}
    body = [line.split() for line in lines if line.split() and line.split()[0] in params]
    assert len(body) == len(report.rows)
    assert all(params[cells[0]] in cells for cells in body)  # each row's params, whole
    assert "\x1b[" not in text


def test_colour_only_when_asked() -> None:
    report = analyze("lenet")
    plain = render(report, Format.table, width=100)
    coloured = render(report, Format.table, width=100, color=True)
    assert "\x1b[" not in plain and "\x1b[1m" in coloured
    # the same characters once the escape codes are taken out
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).rstrip() == plain.rstrip()


def _rich_emit(lines: list[tuple[str, str | None]], width: int) -> str:
    """The coloured table as Rich wrote it before the table wrote its own escape codes."""
    from rich.console import Console
    from rich.segment import Segment, Segments
    from rich.style import Style

    out = io.StringIO()
    console = Console(
        file=out, width=width, force_terminal=True, color_system="auto", highlight=False, emoji=False, markup=False,
        legacy_windows=False, force_jupyter=False, force_interactive=False,
    )
    segments = []
    for text, style in lines:
        segments += [Segment(text, Style.parse(style) if style else None), Segment.line()]
    console.print(Segments(segments), soft_wrap=True)
    return out.getvalue()


@pytest.mark.parametrize(
    "env",
    [{"TERM": "xterm-256color"}, {"TERM": "xterm", "COLORTERM": "truecolor"}, {}],
    ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()) or "no TERM",
)
def test_the_colour_codes_are_the_ones_rich_writes(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether to colour is the terminal's decision (a dumb TERM, NO_COLOR: tests/test_terminal.py);
    asked to, the table writes what Rich writes."""
    pytest.importorskip("rich")
    import convcalc.render.table as table

    for name in ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seen: list[list[tuple[str, str | None]]] = []
    emit = table._emit

    def spy(lines: list[tuple[str, str | None]], color: bool) -> str:
        seen.append(lines)
        return emit(lines, color)

    monkeypatch.setattr(table, "_emit", spy)
    reports = [analyze(str(BLOCKS)), analyze("lenet")]
    coloured = [render(r, Format.table, width=w, color=True) for r in reports for w in (100, 40)]
    coloured.append(render_zoo(catalogue()[:1], Format.table, width=60, color=True))
    assert {style for lines in seen for _, style in lines} == {"bold", None}  # warnings go to stderr
    lines = seen[0]
    lines += [("", "bold"), ("ctrl \x1b[31m\x07\ttab", "yellow"), ("wide 中文", "bold")]
    coloured[0] = emit(lines, True)
    assert coloured == [_rich_emit(lines, 1000) for lines in seen]


def test_the_renderers_do_not_import_rich_for_plain_text() -> None:
    code = (
        "import sys\nfrom convcalc import analyze\nfrom convcalc.render import render, Format\n"
        "r = analyze({'input': [1, 1, 8], 'layers': ['ReLU']})\n"
        "for f in Format: render(r, f)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'yaml', 'typer')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------------------


def test_json_is_to_dict_and_depth_filters_rows() -> None:
    report = analyze(str(BLOCKS))
    assert json.loads(render(report, Format.json)) == report.to_dict()
    top = json.loads(render(report, Format.json, depth=0))
    assert [row["path"] for row in top["layers"]] == [r.path for r in report.rows if r.depth == 0]
    assert top["totals"] == report.to_dict()["totals"]


def test_plain_and_csv_carry_the_exact_numbers() -> None:
    report = analyze(str(BLOCKS))
    keys = ("index", "path", "depth", "params", "buffers", "macs", "flops", "memory", "rf", "input", "output")
    plain = [line.split("\t") for line in render(report, Format.plain, columns=keys).splitlines()]
    rows = list(csv.reader(io.StringIO(render(report, Format.csv, columns=keys))))
    assert plain[0] == rows[0] == list(keys)
    for row, p, c in zip(report.rows, plain[1:], rows[1:]):
        want = [str(row.index), row.path, str(row.depth), str(row.params), str(row.buffers), str(row.macs),
                str(row.flops), str(row.activation_bytes)]
        assert p[:8] == c[:8] == want
        rf = "x".join(str(size) for size, _, _ in row.receptive_field) if row.receptive_field else None
        assert p[8] == (rf or "-") and c[8] == (rf or "")
        assert p[10] == "x".join(str(v) for v in row.output_shape)


def test_names_with_separators_survive_csv_plain_and_markdown() -> None:
    report = analyze({"input": [1, 2, 4], "layers": [{"ReLU": {"name": "a,b|c\td"}}]})
    (row,) = list(csv.DictReader(io.StringIO(render(report, Format.csv))))
    assert row["layer"] == "a,b|c\td"
    assert render(report, Format.plain).splitlines()[1].split("\t")[1] == "a,b|c d"
    assert "a,b\\|c\\td" in render(report, Format.markdown)  # a control character escaped, as in the table


def test_markdown_totals_and_warnings() -> None:
    report = analyze(str(BLOCKS))
    text = render(report, Format.markdown)
    assert "| **39,874** |" in text and "- Total params: 39,874" in text
    assert len(report.warnings) == 2 and "shortcut[0]" not in text  # the warnings go to stderr


def test_zoo_formats() -> None:
    entries = [e for e in catalogue() if e["name"] == "lenet"]
    assert json.loads(render_zoo(entries, Format.json))["networks"][0]["params"] == 61706
    assert render_zoo(entries, Format.plain).splitlines()[1] == "lenet\tLeNet-5\t1x1x28x28\t61706\t416520\tLeNet\t" \
        "classification\t"
    table = render_zoo(entries, Format.table, width=80)
    assert "61,706" in table and "0.00042" in table and "LeNet" in table


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.lists(st.integers(0, 20), min_size=8, max_size=8),
    st.integers(0, 400),
)
def test_shrinking_takes_one_cell_at_a_time_from_the_widest(
    widths: list[int], shrink: list[bool], floors: list[int], over: int
) -> None:
    """:func:`_shrink`'s whole rounds give what taking one cell at a time from the widest
    column (the first on a tie) gives."""
    from convcalc.render.table import _shrink

    columns = [i for i in range(len(widths)) if shrink[i]]
    expected, left = list(widths), over
    while left > 0:
        candidates = [i for i in columns if expected[i] > floors[i]]
        if not candidates:
            break
        expected[max(candidates, key=lambda i: expected[i])] -= 1
        left -= 1
    got = list(widths)
    _shrink(got, columns, floors, over)
    assert got == expected


def test_a_huge_name_is_laid_out_at_once() -> None:
    report = analyze({"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "k": 3, "name": "x" * 2_000_000}}]})
    text = render(report, Format.table, width=80)  # in whole rounds: one cell at a time took 4 s
    assert max(cell_len(line) for line in text.splitlines()) <= 80 and "xxx…xxx" in text


def test_names_stay_on_their_row_and_markdown_shows_html_as_text() -> None:
    """A name with a tab or a newline is escaped in the table (one line a row, as in
    messages); in markdown a name's HTML is text, not markup (``_repr_html_`` escapes too)."""
    report = analyze({"name": "n<i>", "input": [1, 3, 8, 8], "layers": [
        {"Conv2d": {"out_channels": 4, "k": 3, "name": "a\tb\nc"}}, {"Conv2d": {"out_channels": 4, "k": 3, "name": "<i>x</i>"}}]})  # fmt: skip
    table = render(report, Format.table, width=100, columns=("layer", "qualname", "output"))
    rows = [line for line in table.splitlines() if "1×4×" in line]
    assert len(rows) == 2 and rows[0].split() == ["a\\tb\\nc", "a\\tb\\nc", "1×4×6×6"] and "\t" not in table
    markdown = report._repr_markdown_()
    assert "&lt;i&gt;x&lt;/i&gt;" in markdown and "<i>" not in markdown and "a\\tb\\nc" in markdown
    assert "&lt;i&gt;x&lt;/i&gt;" in report._repr_html_()


def test_an_unnamed_row_among_named_ones_shows_no_position() -> None:
    """In the built-in ResNets the ReLU after a block's sum is the block list's entry 1,
    beside the block named ``1``: among named rows an unnamed one shows no label (not a
    second ``1``); among unnamed ones, its position."""
    from convcalc.render.columns import labels

    report = analyze("resnet18")
    shown = labels(report.rows)
    layer1 = [row for row in report.rows if row.path.startswith(report.rows[4].path + ".") and row.depth == 1]
    assert [(shown[r.index], r.type) for r in layer1] == [("0", "Residual"), ("", "ReLU"), ("1", "Residual"), ("", "ReLU")]
    block = analyze({"input": [1, 2, 8], "layers": [{"Sequential": ["ReLU", "ReLU"]}]})
    assert [labels(block.rows)[r.index] for r in block.rows] == ["", "0", "1"]  # no names: the positions
    block = analyze({"input": [1, 2, 8], "layers": [{"Sequential": ["ReLU", {"ReLU": {"name": "act"}}]}]})
    assert [labels(block.rows)[r.index] for r in block.rows] == ["", "", "act"]
