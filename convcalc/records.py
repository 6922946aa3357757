"""Record classes: fields declared by annotations and kept in ``__slots__``, compared,
hashed and shown as dataclasses are, without dataclasses' code generation.

``@dataclass(slots=True)`` compiles five or six methods per class and then builds the
class a second time: about 0.7 ms a class, most of ``import convcalc`` with its twenty-odd
layer classes, paid on every ``convcalc layer`` call. :class:`Record` makes the slots as
the class is created and shares one generic ``__init__``/``__eq__``/``__repr__``; a class
that is built per row of a large network writes its own ``__init__`` for speed.

>>> class Point(Record, frozen=True):
...     x: int
...     y: int = 0
>>> Point(1), Point(1, 2) == Point(x=1, y=2), hash(Point(3)) == hash(Point(3))
(Point(x=1, y=0), True, True)
>>> Point(1).x = 5
Traceback (most recent call last):
AttributeError: cannot assign to field 'x'
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["Record"]

_MISSING = object()


class _RecordType(type):
    """Turns the annotations of a class body (``ClassVar`` ones aside) into its fields:
    inherited fields first, a field declared again keeps its first place, and a value
    given in the body becomes the field's default."""

    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any], frozen: bool | None = None) -> type:
        fields: list[str] = []
        defaults: dict[str, Any] = {}
        for base in reversed(bases):
            fields += [f for f in getattr(base, "_fields", ()) if f not in fields]
            defaults.update(getattr(base, "_defaults", {}))
        own = []
        for field, annotation in ns.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            if field in ns:
                defaults[field] = ns.pop(field)
            if field not in fields:
                fields.append(field)
                own.append(field)
        ns["__slots__"] = (*own, *ns.pop("_cache_slots", ()))  # caches: slots that are not fields
        ns["_fields"] = tuple(fields)
        ns["_defaults"] = defaults
        if frozen:
            ns.update(__hash__=_hash, __setattr__=_refuse_set, __delattr__=_refuse_delete)
        return super().__new__(mcs, name, bases, ns)


def _hash(self: Any) -> int:
    return hash(self._values())


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise AttributeError(f"cannot assign to field '{name}'")


def _refuse_delete(self: Any, name: str) -> None:
    raise AttributeError(f"cannot delete field '{name}'")


class Record(metaclass=_RecordType):
    """Base of convcalc's records. ``class R(Record, frozen=True)`` makes instances
    read-only and hashable; otherwise they are mutable and unhashable, as dataclasses."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    __hash__ = None  # type: ignore[assignment]  # mutable records are unhashable; frozen ones hash their fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments, got {len(args)}")
        put = object.__setattr__
        for field, value in zip(fields, args):
            put(self, field, value)
        for field in fields[len(args) :]:
            value = kwargs.pop(field, _MISSING)
            if value is _MISSING:
                value = self._defaults.get(field, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{type(self).__name__}() missing argument '{field}'")
            put(self, field, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got an unexpected argument '{next(iter(kwargs))}'")
        self._validate()

    def _validate(self) -> None:
        """Checks the fields once they are set; by default, none."""

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, f) for f in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        fields = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._values())
