"""A catalogue of named bad inputs — network files and command lines — each with its exact
exit code and the words its message must contain: the layer's place (YAML path, row
number ``#``, type, YAML line), the offending value, and the fix where one exists.

Every file is run twice: through the library (``convcalc.analyze(path)``) and through the
command line (``convcalc net FILE``), which must say the same in one or two stderr lines.
A few of the worst are run again in a real process. The expected words are written from
SPEC §6 and the file texts below (lines counted by hand), not copied from the code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fuzz_strategies import laughs
from typer.testing import CliRunner

import convcalc
from convcalc.cli import app

RUNNER = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "CONVCALC_DEBUG": ""}
LIMIT = 16 * 2**20


@dataclass(frozen=True)
class Bad:
    """One bad input: a file's content (``text``, or ``make`` for a special file), or a
    command line (``argv``, with ``{file}`` standing for the file), with the exit code and
    the words of its message."""

    name: str
    code: int
    words: tuple[str, ...]
    text: str | bytes | None = None
    make: Callable[[Path], Path] | None = None
    argv: tuple[str, ...] | None = None
    stdin: bytes | None = None


def net(*layers: str, input: str = "[1, 3, 8, 8]") -> str:
    """A network file: line 1 ``input``, line 2 ``layers:``, then one line per entry (line 3 on)."""
    return f"input: {input}\nlayers:\n" + "".join(f"  {line}\n" for line in layers)


def deep(levels: int) -> str:
    return "input: [1, 3, 8, 8]\nlayers: [" + "{Sequential: [" * levels + "ReLU" + "]}" * levels + "]\n"


def directory(tmp: Path) -> Path:
    path = tmp / "a_directory"
    path.mkdir()
    return path


def over_16_mib(tmp: Path) -> Path:
    path = tmp / "big.yaml"
    with path.open("wb") as f:  # sparse: no need to write the bytes
        f.truncate(LIMIT + 1)
    return path


def missing(tmp: Path) -> Path:
    return tmp / "missing.yaml"


def dev_zero(tmp: Path) -> Path:
    return Path("/dev/zero")  # no size to read from the file system: refused after the bound


# fmt: off
FILES = [
    # -- unreadable: exit 2 ---------------------------------------------------------------
    Bad("yaml syntax error", 2, ("YAML syntax error at line 5, column 1", "did not find expected ',' or '}'",
                                 "flow mapping from line 3, column 13"),
        net("- Conv2d: {out_channels: 4, k: 3", "- ReLU")),
    Bad("yaml tab indentation", 2, ("YAML error at line 3, column 1", "a tab", "YAML does not allow tabs in indentation",
                                    "indent with spaces"),
        "input: [1, 3, 8, 8]\nlayers:\n\t- ReLU\n"),
    Bad("yaml 1.1 octal", 2, ("line 3, column 34", "010 is read by YAML 1.1 as 8 (octal) and by YAML 1.2 as 10",
                              "write 8, or 10 without the leading 0"),
        net("- Conv2d: {out_channels: 4, k: 010}")),
    Bad("yaml 1.1 base 60", 2, ("line 3, column 34", "1:3 is read by YAML 1.1 as 63 (base 60)", "as text by YAML 1.2",
                                "write 63"),
        net("- Conv2d: {out_channels: 4, k: 1:3}")),
    Bad("yaml 1.1 binary", 2, ("line 3, column 34", "0b11 is read by YAML 1.1 as 3 (binary)", "write 3"),
        net("- Conv2d: {out_channels: 4, k: 0b11}")),
    Bad("yaml 1.2 exponent", 2, ("layers[0] (#1, BatchNorm2d, line 3)", "eps must be a number", "'1e-5'",
                                 "YAML 1.1 reads 1e-5 as text: write 1.0e-5"),
        net("- BatchNorm2d: {eps: 1e-5}")),
    Bad("kernel_size nested 990 levels", 2, ("layers[0] (#1, Conv2d, line 3)", "kernel_size has 1 entry [[[[…]]]]",
                                             "give one number or 2"),
        net("- Conv2d: {out_channels: 4, kernel_size: " + "[" * 990 + "3" + "]" * 990 + "}")),
    Bad("padding_mode nested 990 levels", 2, ("layers[0] (#1, Conv2d, line 3)", "padding_mode must be one of",
                                              "got a list"),
        net("- Conv2d: {out_channels: 4, k: 3, padding_mode: " + "[" * 990 + "zeros" + "]" * 990 + "}")),
    Bad("Pad padding nested 990 levels", 2, ("layers[0] (#1, ZeroPad2d, line 3)", "padding has 1 entry [[[[…]]]]"),
        net("- ZeroPad2d: {padding: " + "[" * 990 + "1" + "]" * 990 + "}")),
    Bad("output_size nested 990 levels", 2, ("layers[0] (#1, AdaptiveAvgPool2d, line 3)",
                                             "output_size has 1 entry [[[[…]]]]"),
        net("- AdaptiveAvgPool2d: {output_size: " + "[" * 990 + "1" + "]" * 990 + "}")),
    Bad("16 MB layer name", 2, ("layers[0] (#1, line 3)", "unknown layer type 'QQQQ", "characters cut"),
        net("- " + "Q" * (LIMIT - 100))),
    Bad("Keras layer name", 2, ("layers[0] (#1, line 3)", "unknown layer type 'Dense'", "Keras's Dense is written Linear"),
        net("- Flatten", input="[1, 3, 8, 8]").replace("Flatten", "Dense: {units: 10}")),
    Bad("Keras argument name", 2, ("layers[0] (#1, Conv2d, line 3)", "unknown argument 'filters'",
                                   "Keras's filters is PyTorch's out_channels"),
        net("- Conv2d: {filters: 4, kernel_size: 3}")),
    Bad("BatchNorm without its suffix", 2, ("layers[0] (#1, line 3)", "unknown layer type 'BatchNorm'",
                                            "did you mean 'BatchNorm2d'?", "the network's input is 4-d"),
        net("- BatchNorm")),
    Bad("control character", 2, ("line 3, column 7", "#x0007"), net("- Re\x07LU")),
    Bad("not utf-8", 2, ("not UTF-8", "byte 48", "line 3"), b"input: [1, 3, 8, 8]\nlayers:\n  - ReLU: {name: caf\xe9}\n"),
    Bad("a directory", 2, ("is a directory, not a network file",), make=directory),
    Bad("a missing file", 2, ("no such file", "missing.yaml"), make=missing),
    Bad("over 16 MiB", 2, ("16,777,217 bytes", "limited to 16,777,216 bytes"), make=over_16_mib),
    Bad("an endless device", 2, ("/dev/zero holds more than 16,777,216 bytes",), make=dev_zero),
    Bad("empty file", 2, ("a network must be a mapping with 'input' and 'layers'", "got empty"), ""),
    Bad("top-level list", 2, ("a network must be a mapping", "got a list"), "- ReLU\n- ReLU\n"),
    Bad("missing input", 2, ("no 'input'", "input: [1, 3, 224, 224]", "--input"), "layers:\n  - ReLU\n"),
    Bad("missing layers", 2, ("no 'layers'",), "input: [1, 3, 8, 8]\n"),
    Bad("unknown top-level key", 2, ("line 3", "unknown key 'layer' at the top level", "did you mean 'layers'?"),
        "input: [1, 3, 8, 8]\nlayers: []\nlayer: []\n"),
    Bad("duplicate key", 2, ("line 3", "duplicate key 'input' (first on line 1)"),
        "input: [1, 3, 8, 8]\nlayers: [ReLU]\ninput: [1, 3, 4, 4]\n"),
    Bad("input with a zero", 2, ("input (line 1)", "every size must be ≥ 1", "[1, 3, 0, 8]"), net("- ReLU", input="[1, 3, 0, 8]")),
    Bad("input of nine dimensions", 2, ("input (line 1)", "9 dimensions", "at most 8"), net("- ReLU", input="[1, 1, 1, 1, 1, 1, 1, 1, 1]")),
    Bad("input of the wrong kind", 2, ("input (line 1)", "must be an integer", "a float (8.5)"), net("- ReLU", input="[1, 3, 8.5, 8]")),
    Bad("misspelled type", 2, ("layers[0] (#1, line 3)", "unknown layer type 'Conv2D'", "did you mean 'Conv2d'?"),
        net("- Conv2D: {out_channels: 4, k: 3}")),
    Bad("misspelled type in capitals", 2, ("layers[1] (#2, line 4)", "unknown layer type 'RELU'", "did you mean 'ReLU'?"),
        net("- Flatten", "- RELU")),
    Bad("misspelled type in lower case", 2, ("layers[0] (#1, line 3)", "unknown layer type 'flatten'", "did you mean 'Flatten'?"),
        net("- flatten")),
    Bad("misspelled argument", 2, ("layers[0] (#1, Conv2d, line 3)", "unknown argument 'kernal_size'", "did you mean 'kernel_size'?"),
        net("- Conv2d: {out_channels: 4, kernal_size: 3}")),
    Bad("missing argument", 2, ("layers[0] (#1, Conv2d, line 3)", "missing argument kernel_size"), net("- Conv2d: {out_channels: 4}")),
    Bad("stride: two", 2, ("layers[0] (#1, Conv2d, line 3)", "stride must be an integer", "'two'"),
        net("- Conv2d: {out_channels: 4, k: 3, stride: two}")),
    Bad("kernel_size: yes", 2, ("layers[0] (#1, Conv2d, line 3)", "kernel_size must be an integer", "a boolean (true)"),
        net("- Conv2d: {out_channels: 4, kernel_size: yes}")),
    Bad("kernel_size: 2.5", 2, ("layers[0] (#1, Conv2d, line 3)", "kernel_size must be an integer", "a float (2.5)"),
        net("- Conv2d: {out_channels: 4, kernel_size: 2.5}")),
    Bad("pooling padding: two", 2, ("layers[0] (#1, MaxPool2d, line 3)", "padding", "'two'"),
        net("- MaxPool2d: {kernel_size: 3, padding: two}")),
    Bad("kernel tuple of the wrong length", 2, ("layers[0] (#1, Conv2d, line 3)", "kernel_size has 3 entries [3, 3, 3]",
                                                "2 spatial dimensions", "give one number or 2"),
        net("- Conv2d: {out_channels: 4, kernel_size: [3, 3, 3]}")),
    Bad("number over 2^40", 2, ("layers[0] (#1, Conv2d, line 3)", "out_channels=2199023255552", "limited to ±2^40"),
        net("- Conv2d: {out_channels: 2199023255552, k: 3}")),
    Bad("integer of 5,000 digits", 2, ("line 3, column 28", "the integer '99999", "characters cut", "limited to ±2^40"),
        net("- Conv2d: {out_channels: " + "9" * 5000 + ", k: 3}")),
    Bad("a tag PyYAML cannot make", 2, ("line 3, column 37", "cannot read 'maybe' as a boolean"),
        net("- Conv2d: {out_channels: 4, bias: !!bool maybe, k: 3}")),
    Bad("a date that does not exist", 2, ("line 3, column 28", "cannot read '2001-02-30' as a date"),
        net("- Conv2d: {out_channels: 2001-02-30, k: 3}")),
    Bad("an empty tagged integer", 2, ("line 1, column 8", "cannot read '' as an integer"),
        "input: !!int\nlayers: [ReLU]\n"),
    Bad("an unsafe tag", 2, ("YAML syntax error at line 1, column 8", "could not determine a constructor",
                             "python/object"),
        "input: !!python/object/apply:os.system [echo hi]\nlayers: [ReLU]\n"),
    Bad("arguments indented wrong", 2, ("layers[0] (#1, line 3)", "got the keys Conv2d, out_channels",
                                        "indent the arguments under the type?"),
        net("- Conv2d:", "  out_channels: 4")),
    Bad("arguments not a mapping", 2, ("layers[0] (#1, Conv2d, line 3)", "arguments must be a mapping", "got 3"),
        net("- Conv2d: 3")),
    Bad("a number for a layer", 2, ("layers[1] (#2, line 4)", "a layer is a type name or a one-key mapping", "got 5"),
        net("- ReLU", "- 5")),
    Bad("unknown block argument", 2, ("layers[0] (#1, Sequential, line 3)", "unknown argument 'layer'",
                                      "did you mean 'layers'?"),
        net("- Sequential: {layer: [ReLU]}")),
    Bad("Repeat without times", 2, ("layers[0] (#1, Repeat, line 3)", "missing argument times"),
        net("- Repeat: {layers: [ReLU]}")),
    Bad("Repeat.times of 10^12", 2, ("layers[1] (#2, Repeat, line 4)", "times=1,000,000,000,000",
                                     "over the limit of 100,000"),
        net("- ReLU", "- Repeat: {times: 1000000000000, layers: [ReLU]}")),
    Bad("3,000-deep nesting", 2, ("YAML nested deeper than 1,000 levels", "the limit"), deep(3000)),
    Bad("150 nested blocks", 2, ("blocks nested deeper than 100 levels, the limit",), deep(150)),
    Bad("billion laughs", 2, ("the network expands to more than 200,000 layers", "after Repeat and YAML aliases",
                              "the limit"), laughs(10, 9)),
    Bad("a block that contains itself", 2, ("layers[0]", "a YAML alias refers to a block that contains it"),
        net("- &a {Sequential: [ReLU, *a]}")),
    Bad("output over 2^40", 2, ("layers[0] (#1, Upsample, line 3)", "2^40"),
        net("- Upsample: {scale_factor: 1.0e+300}")),
    # -- rejected by PyTorch's rules: exit 1 ------------------------------------------------
    Bad("Reshape with the batch in its shape", 1, ("layers[1] (#2, Conv2d, line 4)", "got 5-d [1, 1, 1, 28, 28]",
                                                    "the Reshape before it (#1)", "Reshape's shape excludes the batch",
                                                    "write shape: [1, 28, 28]"),
        net("- Reshape: {shape: [-1, 1, 28, 28]}", "- Conv2d: {out_channels: 4, k: 3}", input="[1, 784]")),
    Bad("adaptive pooling output_size null", 1, ("layers[0] (#1, AdaptiveAvgPool2d, line 3)", "output_size=null",
                                                 "a list of 2 with null for each size to keep"),
        net("- AdaptiveAvgPool2d: {output_size: null}")),
    Bad("1-d adaptive pooling output_size [null]", 1, ("layers[0] (#1, AdaptiveMaxPool1d, line 3)",
                                                       "output_size=[null] is not accepted"),
        net("- AdaptiveMaxPool1d: {output_size: [null]}", input="[1, 3, 8]")),
    Bad("BatchNorm eps < 0", 1, ("layers[0] (#1, BatchNorm2d, line 3)", "eps must be ≥ 0, got -0.001"),
        net("- BatchNorm2d: {eps: -0.001}")),
    Bad("BatchNorm eps 0 without running statistics", 1, ("layers[0] (#1, BatchNorm2d, line 3)",
                                                          "eps=0 with track_running_stats=false"),
        net("- BatchNorm2d: {eps: 0, track_running_stats: false}")),
    Bad("Hardtanh max_val ≤ min_val", 1, ("layers[0] (#1, Hardtanh, line 3)", "max_val=0.5 must be greater than min_val=0.5"),
        net("- Hardtanh: {min_val: 0.5, max_val: 0.5}")),
    Bad("CELU alpha 0", 1, ("layers[0] (#1, CELU, line 3)", "alpha must not be 0"), net("- CELU: {alpha: 0}")),
    Bad("Upsample recompute_scale_factor with size", 1, ("layers[0] (#1, Upsample, line 3)",
                                                         "recompute_scale_factor=true is not meaningful with size"),
        net("- Upsample: {size: 16, recompute_scale_factor: true}")),
    Bad("input of the wrong rank", 1, ("layers[0] (#1, Conv2d, line 3)", "expects a 4-d input [N, C, H, W]",
                                       "or 3-d [C, H, W] without the batch", "got 2-d [3, 28]"),
        net("- Conv2d: {out_channels: 4, k: 3}", input="[3, 28]")),
    Bad("stride 0", 1, ("layers[0] (#1, Conv2d, line 3)", "stride must be ≥ 1, got 0"),
        net("- Conv2d: {out_channels: 4, k: 3, stride: 0}")),
    Bad("negative padding", 1, ("layers[0] (#1, Conv2d, line 3)", "padding must be ≥ 0, got -1"),
        net("- Conv2d: {out_channels: 4, k: 3, padding: -1}")),
    Bad("groups 0", 1, ("layers[0] (#1, Conv2d, line 3)", "groups must be ≥ 1, got 0"),
        net("- Conv2d: {out_channels: 4, k: 3, groups: 0}")),
    Bad("groups not dividing out_channels", 1, ("layers[0] (#1, Conv2d, line 3)", "groups=4 does not divide out_channels=6",
                                                "6 % 4 = 2"),
        net("- Conv2d: {out_channels: 6, k: 1, groups: 4}", input="[1, 8, 4, 4]")),
    Bad("groups not dividing the input channels", 1, ("layers[0] (#1, Conv2d, line 3)",
                                                      "groups=2 does not divide the 3 input channels"),
        net("- Conv2d: {out_channels: 4, k: 1, groups: 2}")),
    Bad("same with stride 2", 1, ("layers[0] (#1, Conv2d, line 3)", "padding='same' needs stride 1",
                                  "use an integer padding", "convcalc same"),
        net("- Conv2d: {out_channels: 4, k: 3, padding: same, stride: 2}")),
    Bad("pooling padding over half the kernel", 1, ("layers[0] (#1, MaxPool2d, line 3)", "padding 2",
                                                    "more than half the kernel size 3", "at most 1"),
        net("- MaxPool2d: {kernel_size: 3, padding: 2}")),
    Bad("output shrinking to 0 three layers in", 1, ("layers[2] (#3, Conv2d, line 5)", "output size would be 0 × 0",
                                                     "input 3 × 3 is smaller than the kernel 5 × 5",
                                                     "padding 1 × 1 would give an output"),
        net("- Conv2d: {out_channels: 4, k: 3}", "- MaxPool2d: {k: 2}", "- Conv2d: {out_channels: 4, k: 5}")),
    Bad("Residual shape mismatch", 1, ("layers[0] (#1, Residual, line 3)", "the body gives [1, 8, 4, 4]",
                                       "the shortcut gives [1, 3, 8, 8]", "add a shortcut"),
        net("- Residual: {body: [{Conv2d: {out_channels: 8, k: 3, s: 2, p: 1}}]}")),
    Bad("Concat shape mismatch", 1, ("layers[0] (#1, Concat, line 3)", "branch 1 gives [1, 3, 4, 4]",
                                     "branch 0 gives [1, 3, 8, 8]", "torch.cat along dim 1"),
        net("- Concat: {branches: [[ReLU], [{MaxPool2d: {k: 2}}]]}")),
    Bad("Concat dim out of range", 1, ("layers[0] (#1, Concat, line 3)", "dim=4 is out of range for 4-d outputs"),
        net("- Concat: {dim: 4, branches: [[ReLU]]}")),
    Bad("Linear after Flatten with the wrong in_features", 1,
        ("layers[2] (#3, Linear, line 5)", "Flatten gives 16·6·6 = 576 features", "in_features=400",
         "leave in_features out to infer it"),
        net("- Flatten", "- Dropout", "- Linear: {in_features: 400, out_features: 10}", input="[1, 16, 6, 6]")),
    Bad("BatchNorm num_features mismatch", 1, ("layers[1] (#2, BatchNorm2d, line 4)", "num_features=16",
                                               "the input has 8 channels"),
        net("- Conv2d: {out_channels: 8, k: 3}", "- BatchNorm2d: {num_features: 16}")),
    Bad("Repeat.times -1", 1, ("layers[0] (#1, Repeat, line 3)", "times must be ≥ 1, got -1"),
        net("- Repeat: {times: -1, layers: [ReLU]}")),
    Bad("reflect padding over the input", 1, ("layers[0] (#1, Conv2d, line 3)", "padding_mode='reflect'",
                                              "padding 4, input 4"),
        net("- Conv2d: {out_channels: 2, k: 3, padding: 4, padding_mode: reflect}", input="[1, 1, 4, 4]")),
    Bad("output_padding too large", 1, ("layers[0] (#1, ConvTranspose2d, line 3)", "output_padding=2",
                                        "smaller than the stride (2) or the dilation (1)", "at most 1"),
        net("- ConvTranspose2d: {out_channels: 2, k: 3, s: 2, output_padding: 2}")),
    Bad("an error in the second repetition", 1, ("layers[0].layers[0] (#3, Conv2d, line 3, repeat 2 of 3)",
                                                 "output size would be"),
        net("- Repeat: {times: 3, layers: [{Conv2d: {out_channels: 3, k: 3, s: 2}}]}", input="[1, 3, 5, 5]")),
]

COMMAND_LINES = [
    Bad("layer --k 0", 1, ("kernel_size must be ≥ 1, got 0",), argv=("layer", "--in", "8", "--k", "0")),
    Bad("layer --s two", 2, ("--s takes whole numbers like 3, 3,5 or 3x5", "'two'"),
        argv=("layer", "--in", "5", "--k", "3", "--s", "two")),
    Bad("layer --in 0", 2, ("--in", "every size must be ≥ 1", "[0]"), argv=("layer", "--in", "0", "--k", "3")),
    Bad("layer kernel over the input", 1, ("output size would be 0", "input 5 is smaller than the kernel 7",
                                          "padding 1 would give an output"),
        argv=("layer", "--in", "5", "--k", "7")),
    Bad("layer --in as the whole tensor", 2, ("--in has 4 values but Conv2d has 2 spatial dimensions",
                                              "--in takes the spatial sizes only", "--in 7,3 --batch 2",
                                              "--c-in 1"),
        argv=("layer", "--type", "Conv2d", "--in", "2,1,7,3", "--k", "3")),
    Bad("net --dtype unknown", 2, ("unknown dtype 'fp17'", "fp16"), argv=("net", "lenet", "--dtype", "fp17")),
    Bad("layer --batch 0", 2, ("--batch must be ≥ 1, got 0",), argv=("layer", "--k", "3", "--batch", "0")),
    Bad("layer groups not dividing", 1, ("groups=2 does not divide in_channels=3",),
        argv=("layer", "--in", "8", "--k", "3", "--c-in", "3", "--c-out", "4", "--groups", "2")),
    Bad("layer --k over 2^40", 2, ("--k=2199023255553", "limited to ±2^40"), argv=("layer", "--k", "2199023255553")),
    Bad("layer --c-out of 5,000 digits", 2, ("--c-out",), argv=("layer", "--k", "3", "--c-in", "3", "--c-out", "9" * 5000)),
    Bad("layer --type Conv4d", 2, ("'Conv4d'", "did you mean 'Conv3d'?"), argv=("layer", "--type", "Conv4d", "--k", "3")),
    Bad("layer same padding with stride 2", 1, ("padding='same' needs stride 1", "convcalc same"),
        argv=("layer", "--k", "3", "--p", "same", "--s", "2")),
    Bad("layer four dimensions", 2, ("--k has 4 values", "1 to 3 spatial dimensions"), argv=("layer", "--k", "3,3,3,3")),
    Bad("layer maxpool padding over half", 1, ("padding 2", "more than half the kernel size 3", "at most 1"),
        argv=("layer", "--type", "maxpool", "--in", "8", "--k", "3", "--p", "2")),
    Bad("layer output_padding too large", 1, ("output_padding=2", "at most 1"),
        argv=("layer", "--type", "transpose", "--in", "4", "--k", "3", "--s", "2", "--output-padding", "2")),
    Bad("layer --explain with --json", 2, ("--explain and --json are alternatives",),
        argv=("layer", "--k", "3", "--explain", "--json")),
    Bad("layer without --k", 2, ("Missing option '--k'",), argv=("layer", "--in", "8")),
    Bad("layer unknown option", 2, ("No such option: --kk",), argv=("layer", "--k", "3", "--kk", "4")),
    Bad("misspelled command", 2, ("No such command 'lyer'", "Did you mean 'layer'?"), argv=("lyer",)),
    Bad("same --s 0", 1, ("stride must be ≥ 1, got 0",), argv=("same", "--in", "5", "--k", "3", "--s", "0")),
    Bad("same --out 0", 2, ("--out", "every size must be ≥ 1"), argv=("same", "--in", "224", "--k", "7", "--out", "0")),
    Bad("net --input with zeros", 2, ("every size must be ≥ 1", "[1, 3, 0, 0]"),
        argv=("net", "lenet", "--input", "1,3,0,0")),
    Bad("net --dtype float128", 2, ("unknown dtype 'float128'", "float32"), argv=("net", "lenet", "--dtype", "float128")),
    Bad("net --format xml", 2, ("'xml' is not one of",), argv=("net", "lenet", "--format", "xml")),
    Bad("net --depth -1", 2, ("--depth must be ≥ 0, got -1",), argv=("net", "lenet", "--depth", "-1")),
    Bad("net --columns nope", 2, ("unknown column 'nope'",), argv=("net", "lenet", "--columns", "nope")),
    Bad("net misspelled built-in", 2, ("'lenett'", "did you mean 'lenet'?"), argv=("net", "lenett")),
    Bad("net stdin not utf-8", 2, ("standard input is not UTF-8",), argv=("net", "-"), stdin=b"input: [1, 3, 8, 8]\nname: \xff\n"),
    Bad("net stdin over 16 MiB", 2, ("standard input is over 16,777,216 bytes",), argv=("net", "-"), stdin=b"#" * (LIMIT + 1)),
]

# fmt: on

ALL = FILES + COMMAND_LINES


def test_the_catalogue_holds_at_least_40_named_cases() -> None:
    names = [bad.name for bad in ALL]
    assert len(names) >= 40 and len(set(names)) == len(names)


def write(bad: Bad, tmp: Path) -> Path:
    if bad.make is not None:
        return bad.make(tmp)
    path = tmp / "network.yaml"
    if isinstance(bad.text, bytes):
        path.write_bytes(bad.text)
    else:
        path.write_text(bad.text or "", encoding="utf-8")
    return path


def check_words(message: str, bad: Bad) -> None:
    for word in bad.words:
        assert word in message, f"{bad.name}: {word!r} not in {message!r}"


@pytest.mark.parametrize("bad", FILES, ids=[b.name for b in FILES])
def test_bad_file_through_the_library(bad: Bad, tmp_path: Path) -> None:
    path = write(bad, tmp_path)
    with pytest.raises(convcalc.ConvCalcError) as info:
        convcalc.analyze(path)
    err = info.value
    assert err.exit_code == bad.code, f"{bad.name}: {err}"
    assert "\n" not in str(err) and len(str(err)) <= 1000
    check_words(str(err), bad)


def cli(argv: list[str], stdin: bytes | None = None) -> Any:
    result = RUNNER.invoke(app, argv, input=stdin, env=ENV)
    lines = result.stderr.splitlines()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), result.stderr
    assert all(len(line) <= 1000 for line in lines), [len(line) for line in lines]
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("bad", FILES, ids=[b.name for b in FILES])
def test_bad_file_through_the_command_line(bad: Bad, tmp_path: Path) -> None:
    result = cli(["net", str(write(bad, tmp_path))])
    assert result.exit_code == bad.code, (bad.name, result.stderr)
    check_words(" ".join(result.stderr.split()), bad)


@pytest.mark.parametrize("bad", COMMAND_LINES, ids=[b.name for b in COMMAND_LINES])
def test_bad_command_line(bad: Bad) -> None:
    result = cli(list(bad.argv or ()), bad.stdin)
    assert result.exit_code == bad.code, (bad.name, result.stderr)
    check_words(" ".join(result.stderr.split()), bad)


def test_a_dict_nested_3000_deep_through_the_library() -> None:
    layers: Any = ["ReLU"]
    for _ in range(3000):
        layers = [{"Sequential": layers}]
    with pytest.raises(convcalc.LimitError) as info:
        convcalc.analyze({"input": [1, 3, 8, 8], "layers": layers})
    assert info.value.exit_code == 2 and "blocks nested deeper than 100 levels, the limit" in str(info.value)
    assert len(str(info.value)) < 200  # the path is shortened


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"input": [1, 3, 8, 8], "layers": [{"Conv2d": {"out_channels": 10**5000, "k": 3}}]},
         ("layers[0] (#1, Conv2d)", "out_channels=1.0×10^5000", "limited to ±2^40")),
        ({"input": [1, 3, 8, 8], "layers": [{"Repeat": {"times": 10**5000, "layers": ["ReLU"]}}]},
         ("layers[0] (#1, Repeat)", "times=1.0×10^5000", "over the limit of 100,000")),
        ({"input": [1, 3, 8, 8], "layers": ["x" * 10**6]}, ("unknown layer type 'xxx", "characters cut")),
        ("input: [1, 3, 8, 8]\nlayers: [Re\ud800LU]\n", ("not valid Unicode", "surrogate", "line 2")),
        ("input: [1, 3, 8, 8]\nlayers: !!map [ReLU]\n", ("line 2, column 9", "cannot read a sequence as a mapping")),
    ],
    ids=["integer of 5,000 digits", "Repeat.times of 5,000 digits", "a type name of a million characters",
         "an unpaired surrogate", "!!map on a list"],
)  # fmt: skip
def test_python_only_inputs(source: Any, words: tuple[str, ...]) -> None:
    """What a Python caller can pass but no file can hold: huge integers, surrogates."""
    with pytest.raises(convcalc.ConvCalcError) as info:
        convcalc.analyze(source)
    assert info.value.exit_code == 2 and "\n" not in str(info.value) and len(str(info.value)) <= 1000
    for word in words:
        assert word in str(info.value), (word, str(info.value))


PROCESS = ["a directory", "an endless device", "billion laughs", "3,000-deep nesting", "not utf-8"]


@pytest.mark.parametrize("name", PROCESS)
def test_the_worst_files_in_a_real_process(name: str, tmp_path: Path) -> None:
    bad = next(b for b in FILES if b.name == name)
    done = subprocess.run(
        [sys.executable, "-m", "convcalc", "net", str(write(bad, tmp_path))],
        capture_output=True, text=True, timeout=60, env={**os.environ, **ENV}, check=False,
    )  # fmt: skip
    assert done.returncode == bad.code, done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    check_words(done.stderr, bad)
