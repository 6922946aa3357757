"""``net --train`` without torch: the figures' arithmetic and properties, ``--fit``, the
formats, the errors; and the inference memory of SPEC §3 (views and in-place layers, the
peak). The figures themselves are checked against PyTorch in ``test_training_oracle.py``."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from typer.testing import CliRunner

import convcalc
from convcalc import ConvCalcError, InputError, InvalidLayerError
from convcalc.cli import app
from convcalc.training import OPTIMIZERS, parse_bytes, train

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None, "TERM": "dumb"}
runner = CliRunner()


def run(*args: str, code: int = 0, input: str | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), env=ENV, input=input)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    return result


CONV = {"Conv2d": {"out_channels": 8, "k": 3, "p": 1}}


def net(*layers: object, input: list[int] | None = None) -> dict[str, object]:
    return {"input": input or [2, 4, 8, 8], "layers": list(layers)}


# ---------------------------------------------------------------------------------------
# Inference memory (SPEC §3)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer",
    ["Flatten", {"Unflatten": {"dim": 1, "unflattened_size": [2, 4]}}, {"Reshape": {"shape": [-1]}},
     {"Permute": {"dims": [0, 2, 3, 1]}}, {"Slice": {"dim": 1, "end": 4}}, "Identity", "Dropout", "Dropout2d",
     {"ReLU": {"inplace": True}}, {"ReLU6": {"inplace": True}}, {"LeakyReLU": {"inplace": True}},
     {"ELU": {"inplace": True}}, {"Hardtanh": {"inplace": True}}, {"SiLU": {"inplace": True}},
     {"Dropout": {"inplace": True}}],
)  # fmt: skip
def test_views_and_in_place_layers_allocate_nothing(layer: object) -> None:
    report = convcalc.analyze(net(CONV, layer))
    assert [r.activation_bytes for r in report.rows] == [2 * 8 * 8 * 8 * 4, 0]


@pytest.mark.parametrize("layer", ["ReLU", "Sigmoid", {"ReLU": {"inplace": False}}, {"ChannelShuffle": {"groups": 2}}])
def test_other_layers_allocate_their_output(layer: object) -> None:
    assert convcalc.analyze(net(CONV, layer)).rows[1].activation_bytes == 2 * 8 * 8 * 8 * 4


def test_conv_relu_in_place_flatten_is_one_tensor() -> None:
    """The issue's example: Conv2d → ReLU(inplace) → Flatten holds one tensor, and the peak is
    the input and that tensor, while the convolution runs."""
    t = convcalc.analyze(net(CONV, {"ReLU": {"inplace": True}}, "Flatten")).totals
    conv, x = 2 * 8 * 64 * 4, 2 * 4 * 64 * 4
    assert t.activation_bytes == conv
    assert t.peak_activation_bytes == x + conv


def test_peak_of_lenet_by_hand() -> None:
    """Conv 6×28×28 (18,816 B) and its Sigmoid are alive together: 37,632 B, the most."""
    assert convcalc.analyze("lenet").totals.peak_activation_bytes == 2 * 6 * 28 * 28 * 4


def test_peak_of_a_skip_keeps_the_skip_alive() -> None:
    """x → a (kept for the sum) → b → c → a + c: while c is made, a and b are alive too."""
    layers = [{"Conv2d": {"name": "a", "out_channels": 8, "k": 1}}, {"Conv2d": {"out_channels": 8, "k": 1}},
              {"Conv2d": {"out_channels": 8, "k": 1}}, {"Add": {"from": ["a", -1]}}]  # fmt: skip
    t = convcalc.analyze(net(*layers)).totals
    one = 2 * 8 * 64 * 4
    assert t.peak_activation_bytes == 3 * one  # a, b, c while c is made; a, c and the sum next
    chain = convcalc.analyze(net(*layers[:3])).totals
    assert chain.peak_activation_bytes == 2 * one  # no skip: only a layer's input and output


def test_peak_counts_the_outputs_to_the_end_and_skips_training_only_branches() -> None:
    layers = [{"Conv2d": {"name": "head", "out_channels": 8, "k": 1}}, {"Conv2d": {"out_channels": 2, "k": 1}},
              {"Conv2d": {"out_channels": 2, "k": 1}}]  # fmt: skip
    both = convcalc.analyze({**net(*layers), "outputs": ["head", layers[-1] and "head"]}).totals
    one = 2 * 8 * 64 * 4
    assert both.peak_activation_bytes >= one
    aux = {"Sequential": {"from": "head", "training_only": True, "layers": [{"Conv2d": {"out_channels": 64, "k": 1}}]}}
    with_aux = convcalc.analyze(net(*layers, aux, {"Identity": {"from": -2}})).totals
    without = convcalc.analyze(net(*layers)).totals
    assert with_aux.peak_activation_bytes == without.peak_activation_bytes


@pytest.mark.parametrize("name", ["resnet18", "googlenet", "shufflenet_v2_x1_0", "convnext_tiny", "yolov8n"])
def test_peak_is_between_the_largest_step_and_the_sum(name: str) -> None:
    report = convcalc.analyze(name)
    t = report.totals
    x = math.prod(report.input_shape) * 4
    assert max(r.activation_bytes for r in report.rows if not r.composite) < t.peak_activation_bytes
    assert t.peak_activation_bytes <= t.activation_bytes + x


# ---------------------------------------------------------------------------------------
# The figures' arithmetic
# ---------------------------------------------------------------------------------------


def test_gradients_and_optimizer_state_of_lenet() -> None:
    """61,706 trainable parameters in 10 tensors (5 weights, 5 biases)."""
    params = 61_706
    for optimizer, (per, counter) in OPTIMIZERS.items():
        t = train("lenet", optimizer=optimizer).totals
        assert t.grad_bytes == t.param_bytes == 4 * params
        assert t.optimizer_bytes == per * 4 * params + (40 if counter else 0), optimizer
    assert [OPTIMIZERS[o][0] for o in ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")] == [
        0, 1, 1, 1, 1, 2, 2]  # fmt: skip


def test_train_bytes_is_the_sum_of_its_parts() -> None:
    t = train("resnet18", batch=4, optimizer="adamw").totals
    assert t.train_bytes == t.param_bytes + t.grad_bytes + t.optimizer_bytes + t.saved_bytes + t.buffer_bytes
    assert t.step_flops == t.forward_flops + t.backward_flops
    assert t.buffer_bytes == (9620 - 20) * 4 + 20 * 8  # 20 BatchNorms: running statistics, int64 num_batches_tracked


def test_block_rows_hold_their_childrens_sums() -> None:
    t = train("resnet18", batch=2)
    by_path = {r.path: (r, f) for r, f in zip(t.report.rows, t.rows)}
    for row, figures in by_path.values():
        if row.composite:
            children = [f for r, f in by_path.values() if r.path.startswith(row.path + ".") and not r.composite]
            assert figures.saved_bytes == sum(c.saved_bytes for c in children)
            assert figures.grad_bytes == sum(c.grad_bytes for c in children)
            assert figures.backward_flops == sum(c.backward_flops for c in children)


@pytest.mark.parametrize(
    "name", ["lenet", "resnet18", "mobilenet_v2", "convnext_tiny", "shufflenet_v2_x0_5", "googlenet"]
)
def test_train_bytes_grows_linearly_in_the_batch(name: str) -> None:
    """Everything grows with the batch but parameters, gradients, optimizer state, buffers
    and BatchNorm's two statistics per channel."""
    figures = [train(name, batch=n, optimizer="adam") for n in (1, 2, 3, 5)]
    saved = [f.totals.saved_bytes for f in figures]
    slope = saved[1] - saved[0]
    assert saved == [saved[0] + (n - 1) * slope for n in (1, 2, 3, 5)]
    stats = sum(
        2 * r.output_shape[1] * 4 for r in figures[0].report.rows if isinstance(r.layer, convcalc.layers.BatchNorm)
    )
    assert saved[0] - slope == stats  # the batch-independent part of the saved bytes
    fixed = {
        (f.totals.param_bytes, f.totals.grad_bytes, f.totals.optimizer_bytes, f.totals.buffer_bytes) for f in figures
    }
    assert len(fixed) == 1


@pytest.mark.parametrize(("name", "budget"), [("lenet", "4MiB"), ("resnet18", "2GiB"), ("resnet50", "24GiB"),
                                              ("mobilenet_v2", "8GB"), ("convnext_tiny", 10**10)])  # fmt: skip
def test_fit_gives_the_largest_batch(name: str, budget: str | int) -> None:
    t = train(name, optimizer="adam", fit=budget)
    assert t.fit is not None and t.fit.batch >= 1
    limit = parse_bytes(budget)
    assert t.batch == t.fit.batch and t.fit.train_bytes == t.totals.train_bytes <= limit
    after = train(name, optimizer="adam", batch=t.fit.batch + 1).totals.train_bytes
    assert t.fit.next_train_bytes == after > limit


def test_the_fit_line_says_the_spare_and_the_next_batchs_excess() -> None:
    out = run("net", "lenet", "--train", "--optimizer", "adam", "--fit", "4MiB").stdout
    fit = train("lenet", optimizer="adam", fit="4MiB").fit
    assert fit is not None and fit.next_train_bytes is not None
    line = " ".join(out[out.index("Fit:") :].split("Not counted")[0].split())
    spare, excess = 4 * 2**20 - fit.train_bytes, fit.next_train_bytes - 4 * 2**20
    assert line == (f"Fit: batch {fit.batch} is the largest that fits 4.00 MiB, {spare / 1024:.1f} KiB to spare; "
                    f"batch {fit.batch + 1} would need {excess / 1024:.1f} KiB more")  # fmt: skip
    huge = train("lenet", fit=2**60)  # every batch convcalc takes fits: there is no next batch
    assert huge.fit is not None and huge.fit.next_train_bytes is None
    assert huge.fit.batch == convcalc.layers.MAX_NUMBER
    out = run("net", "lenet", "--train", "--fit", str(2**60)).stdout
    assert "the largest convcalc takes, fits" in out


def test_fit_says_when_not_even_batch_1_fits() -> None:
    t = train("resnet50", optimizer="adam", fit="100MiB")
    assert t.fit is not None and t.fit.batch == 0 and t.batch == 1
    assert t.fit.train_bytes == train("resnet50", optimizer="adam").totals.train_bytes > 100 * 2**20
    out = run("net", "resnet50", "--train", "--optimizer", "adam", "--fit", "100MiB").stdout
    assert "not even batch 1 fits 100 MiB" in out


def test_half_precision_halves_the_tensors_but_not_the_indices() -> None:
    desc = net(CONV, "BatchNorm2d", "ReLU", {"MaxPool2d": {"k": 2}}, "Flatten", {"Linear": {"out_features": 3}})
    full, half = train(desc), train(desc, dtype="bfloat16")
    indices = 2 * 8 * 4 * 4 * 8  # the max pooling's int64 indices
    assert half.totals.saved_bytes == (full.totals.saved_bytes - indices) // 2 + indices
    assert (half.totals.param_bytes, half.totals.grad_bytes) == (
        full.totals.param_bytes // 2,
        full.totals.grad_bytes // 2,
    )


def test_nothing_is_saved_before_the_first_trainable_layer() -> None:
    desc = net({"Conv2d": {"out_channels": 8, "k": 3, "p": 1, "trainable": False}}, "BatchNorm2d", "ReLU")
    t = train(desc)
    assert [f.saved_bytes for f in t.rows] == [0, 2 * 8 * 64 * 4 + 2 * 8 * 4, 2 * 8 * 64 * 4]
    assert t.rows[0].backward_flops == 0  # neither its input nor its weight needs a gradient


@pytest.mark.parametrize(
    ("text", "size"),
    [("24GiB", 24 * 2**30), ("24 GiB", 24 * 2**30), ("16GB", 16 * 10**9), ("1.5G", 3 * 2**29), ("512", 512),
     ("8kb", 8000), ("2TiB", 2 * 2**40), ("7b", 7)],
)  # fmt: skip
def test_parse_bytes(text: str, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["", "GiB", "24 gibibytes", "-1GB", "0", "1.5", "x"])
def test_parse_bytes_refuses(text: str) -> None:
    with pytest.raises(InputError, match="--fit"):
        parse_bytes(text)


def test_errors() -> None:
    with pytest.raises(InputError, match="unknown optimizer 'adma'; did you mean 'adam'"):
        train("lenet", optimizer="adma")
    with pytest.raises(InputError, match="give --batch or --fit, not both"):
        train("lenet", batch=4, fit="1GiB")
    with pytest.raises(InputError, match="floating-point dtype"):
        train("lenet", dtype="int8")
    with pytest.raises(InvalidLayerError, match="refuses to normalise .* in training mode") as err:
        train("inception_v3")  # AuxLogits: a BatchNorm over [1, 768, 1, 1]
    assert err.value.exit_code == 1
    assert train("inception_v3", batch=2).totals.saved_bytes > 0
    with pytest.raises(ConvCalcError):
        train({"input": [1, 3], "layers": ["Bogus"]})


# ---------------------------------------------------------------------------------------
# The command line, every format
# ---------------------------------------------------------------------------------------


def test_the_table_has_a_saved_column_and_the_training_footer() -> None:
    out = run("net", "resnet18", "--train", "--batch", "4", "--optimizer", "adam", "--depth", "0").stdout
    head = out.splitlines()[1]
    assert head.split()[-1] == "saved"
    for words in ("parameters", "gradients", "optimizer state", "saved activations", "buffers", "total",
                  "FLOPs per step", "Largest saved", "Not counted", "62 step counters", "backward temporaries",
                  "the input batch unless a layer saves it"):  # fmt: skip
        assert words in out, words


@pytest.mark.parametrize("fmt", ["plain", "csv"])
def test_delimited_columns_sum_to_the_totals(fmt: str) -> None:
    out = run("net", "googlenet", "--train", "--batch", "2", "--format", fmt, "--leaves").stdout
    rows = list(csv.reader(io.StringIO(out), delimiter="\t" if fmt == "plain" else ","))
    header, body = rows[0], rows[1:]
    t = train("googlenet", batch=2).totals
    sums = {key: sum(int(r[header.index(key)]) for r in body) for key in ("saved", "grad", "backward")}
    assert sums == {"saved": t.saved_bytes, "grad": t.grad_bytes, "backward": t.backward_flops}


def test_json_has_every_figure() -> None:
    data = json.loads(run("net", "lenet", "--train", "--format", "json", "--optimizer", "rmsprop").stdout)
    t = train("lenet", optimizer="rmsprop")
    assert data["totals"]["train_bytes"] == t.totals.train_bytes
    assert {"saved_bytes", "grad_bytes", "optimizer_bytes", "buffer_bytes", "backward_flops", "step_flops",
            "peak_activation_bytes"} <= set(data["totals"])  # fmt: skip
    assert all({"saved_bytes", "grad_bytes", "optimizer_bytes", "backward_flops"} <= set(r) for r in data["layers"])
    assert sum(r["saved_bytes"] for r in data["layers"]) == t.totals.saved_bytes  # lenet: every row a layer
    assert data["training"]["optimizer"] == "rmsprop" and data["training"]["batch"] == 1
    fit = json.loads(run("net", "lenet", "--train", "--format", "json", "--fit", "8MiB").stdout)["training"]["fit"]
    assert fit["budget_bytes"] == 8 * 2**20 and fit["batch"] > 1


def test_markdown_and_columns() -> None:
    out = run("net", "lenet", "--train", "--format", "markdown").stdout
    assert "| saved |" in out and "- Training memory at batch 1" in out
    out = run("net", "lenet", "--train", "--format", "plain", "--columns", "layer,grad").stdout
    assert out.splitlines()[0] == "layer\tgrad"
    out = run("net", "lenet", "--train", "--format", "plain", "--columns", "layer").stdout
    assert out.splitlines()[0] == "layer\tsaved"


def test_command_line_errors() -> None:
    assert "needs --train" in run("net", "lenet", "--columns", "layer,saved", code=2).stderr
    assert "needs --train" in run("net", "lenet", "--optimizer", "adam", code=2).stderr
    assert "did you mean 'adam'" in run("net", "lenet", "--train", "--optimizer", "adma", code=2).stderr
    assert "--fit takes a memory size" in run("net", "lenet", "--train", "--fit", "lots", code=2).stderr
    assert "refuses to normalise" in run("net", "inception_v3", "--train", code=1).stderr
    assert "not both" in run("net", "lenet", "--train", "--batch", "4", "--fit", "1GiB", code=2).stderr
    assert "--convention does not apply to --train" in run(
        "net", "lenet", "--train", "--convention", "fvcore", code=2
    ).stderr  # fmt: skip
    assert "needs --train" in run("net", "lenet", "--fit", "1GiB", code=2).stderr


@pytest.mark.parametrize(("given", "name"), [("Adam", "adam"), ("SGD", "sgd"), ("RMSprop", "rmsprop"),
                                             ("AdamW", "adamw"), ("Adagrad", "adagrad")])  # fmt: skip
def test_optimizers_by_torchs_class_names(given: str, name: str) -> None:
    assert train("lenet", optimizer=given).optimizer == name
    assert train("lenet", optimizer=given).totals == train("lenet", optimizer=name).totals
    out = run("net", "lenet", "--train", "--optimizer", given, "--format", "json").stdout
    assert json.loads(out)["training"]["optimizer"] == name


def test_the_footer_names_a_row_by_its_qualname_else_its_number() -> None:
    stem = {"Conv2d": {"name": "stem", "out_channels": 8, "k": 3, "p": 1}}
    desc = net(stem, "ReLU", {"MaxPool2d": {"k": 2}}, input=[2, 2, 8, 8])
    t = train(desc)
    from convcalc.render.training import summary

    line = next(x for x in summary(t) if x.startswith("Largest saved"))
    saved = [f.saved_bytes for f in t.rows]
    assert saved == [2 * 2 * 64 * 4, 2 * 8 * 64 * 4, 2 * 8 * 16 * 8]  # the input; ReLU's output; int64 indices
    assert line == "Largest saved: #2 ReLU 4.00 KiB, #3 MaxPool2d 2.00 KiB, stem Conv2d 1.00 KiB"
    largest = json.loads(run("net", "-", "--train", "--format", "json", input=json.dumps(desc)).stdout)
    assert [r["index"] for r in largest["training"]["largest_saved"]] == [2, 3, 1]
    assert largest["training"]["largest_saved"][2]["qualname"] == "stem"


def test_the_python_api() -> None:
    t = convcalc.train("lenet", batch=3, optimizer="adam")
    assert isinstance(t, convcalc.Training) and t.batch == 3
    assert t.to_dict()["totals"]["train_bytes"] == t.totals.train_bytes
