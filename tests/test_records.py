"""Record classes (:mod:`convcalc.records`) behave as the dataclasses they replace: fields
from annotations in declaration order, defaults, equality by class and fields, hashing only
when frozen, read-only when frozen, a repr naming every field, pickling; and the layers,
rows and network nodes built on them keep that behaviour."""

from __future__ import annotations

import copy
import pickle
from typing import Any, ClassVar

import pytest

from convcalc import analyze, build
from convcalc.errors import Place
from convcalc.network import Block, LayerNode
from convcalc.records import Record
from convcalc.report import Row, Totals


class Point(Record, frozen=True):
    x: int
    y: int = 0
    KIND: ClassVar[str] = "point"


class Point3(Point):
    z: int = 0
    y: int = 7  # declared again: keeps its place, takes the new default


class Box(Record):
    items: list[Any]
    label: str = "box"


def test_fields_come_from_annotations_in_order_without_class_variables() -> None:
    assert Point._fields == ("x", "y") and Point.KIND == "point"
    assert Point3._fields == ("x", "y", "z")
    assert Point3(1) == Point3(1, 7, 0) and Point3(1).y == 7
    assert Point.__slots__ == ("x", "y") and Point3.__slots__ == ("z",)
    with pytest.raises(AttributeError):
        Point(1).other = 2  # type: ignore[attr-defined]  # slots: no instance dict


def test_construction_by_position_keyword_and_default() -> None:
    assert (Point(1).x, Point(1).y) == (1, 0)
    assert Point(y=2, x=1) == Point(1, 2)
    with pytest.raises(TypeError, match="missing argument 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected argument 'w'"):
        Point(1, w=3)
    with pytest.raises(TypeError, match="takes 2 arguments, got 3"):
        Point(1, 2, 3)


def test_equality_needs_the_same_class_and_equal_fields() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert Point(1, 7) != Point3(1, 7, 0)  # a subclass is another kind of record
    assert Point(1, 2) != (1, 2)


def test_frozen_records_are_read_only_and_hashable_mutable_ones_neither() -> None:
    p = Point(1, 2)
    with pytest.raises(AttributeError, match="cannot assign to field 'x'"):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete field 'y'"):
        del p.y
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    box = Box([1])
    box.label = "crate"
    assert box.label == "crate"
    with pytest.raises(TypeError, match="unhashable"):
        hash(box)


def test_repr_names_every_field() -> None:
    assert repr(Point3(1, 2, 3)) == "Point3(x=1, y=2, z=3)"
    assert repr(Box([1, 2])) == "Box(items=[1, 2], label='box')"


def test_pickle_and_copy_round_trip() -> None:
    for record in (Point3(1, 2, 3), Box([1, {"a": 2}], "b")):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.deepcopy(record) == record and copy.copy(record) == record


def test_layers_are_frozen_hashable_records_of_their_normalised_arguments() -> None:
    conv = build("Conv2d", out_channels=8, kernel_size=3, padding=1)
    assert conv == build("Conv2d", out_channels=8, k=3, p=1)  # aliases normalise to the same fields
    assert conv != build("Conv2d", out_channels=8, k=3, p=2)
    assert hash(conv) == hash(build("Conv2d", out_channels=8, k=(3, 3), p=(1, 1)))
    assert conv.kernel_size == (3, 3) and conv.padding == (1, 1) and conv.stride == (1, 1)
    assert repr(conv).startswith("Conv(type='Conv2d', dims=2, in_channels=None, out_channels=8, kernel_size=(3, 3)")
    with pytest.raises(AttributeError):
        conv.stride = (2, 2)  # type: ignore[misc]
    pad = build("ZeroPad2d", padding=1)
    assert pad.value == 0.0  # a field with a default that ZeroPad2d does not take as an argument
    for layer in (conv, pad, build("ReLU", inplace=True), build("AvgPool1d", kernel_size=2)):
        assert pickle.loads(pickle.dumps(layer)) == layer


def test_a_layer_checks_its_fields_when_built_directly() -> None:
    conv = build("Conv1d", out_channels=4, kernel_size=3)
    values = dict(zip(type(conv)._fields, conv._values()))
    values["stride"] = (0,)
    with pytest.raises(ValueError, match="stride must be ≥ 1, got 0"):
        type(conv)(**values)


def test_report_rows_and_nodes_are_mutable_records() -> None:
    row = Row(1, "0", None, "ReLU", 0, (1, 2))
    assert (row.output_shape, row.params, row.receptive_field, row.arguments, row.where) == ((), 0, None, {}, Place())
    assert row.arguments is not Row(2, "1", None, "ReLU", 0, (1, 2)).arguments  # a dict of its own
    row.params += 5
    assert row == Row(1, "0", None, "ReLU", 0, (1, 2), params=5) and row != Row(1, "0", None, "ReLU", 0, (1, 3))
    assert Totals(params=3) == Totals(3) and Totals().to_dict()["flops"] == 0
    node = Block("Sequential", "block", "layers[0]", 3, [])
    assert (node.lists, node.sources, node.trainable, node.dim, node.times) == ([], None, None, 1, 1)
    assert LayerNode(build("ReLU"), None, "layers[1]", 4).line == 4
    report = analyze({"input": [1, 1, 4, 4], "layers": ["ReLU"]})
    assert pickle.loads(pickle.dumps(report)).to_dict() == report.to_dict()
