"""Numbers and shapes as people read them: the only place with thousands separators,
units (``4.09 G``, ``97.5 MiB``) and the dash for "undefined".

Machine formats (plain, csv, json) never go through :func:`si` or :func:`binary`:
they print exact integers.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DASH", "binary", "join_x", "shape", "si", "thousands"]

#: Shown where a value is undefined (a receptive field after Flatten, say).
DASH = "—"

_SI = ("", " K", " M", " G", " T", " P", " E")
_BINARY = (" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB")


def thousands(n: int) -> str:
    """``61706`` → ``61,706``.

    >>> thousands(138357544)
    '138,357,544'
    """
    return f"{n:,}"


def _three_digits(value: float) -> str:
    """Three significant digits without an exponent: 4.09, 97.5, 118."""
    if value < 9.995:
        return f"{value:.2f}"
    if value < 99.95:
        return f"{value:.1f}"
    return f"{value:.0f}"


def _scaled(n: int, base: int, units: tuple[str, ...], limit: float) -> str:
    if n < 0:
        return "-" + _scaled(-n, base, units, limit)
    step = 0
    value = float(n)
    while step + 1 < len(units) and round(value, 2 if value < 10 else 1 if value < 100 else 0) >= limit:
        value /= base
        step += 1
    return _three_digits(value) + units[step] if step or base == 1024 else str(n)


def si(n: int) -> str:
    """A count with a decimal unit and three significant digits (MACs, FLOPs).

    >>> si(999), si(117600), si(4089184256), si(999_999)
    ('999', '118 K', '4.09 G', '1.00 M')
    """
    return _scaled(n, 1000, _SI, 1000)


def binary(n: int) -> str:
    """A size in bytes with a binary unit and three significant digits.

    >>> binary(812), binary(18816), binary(102_236_160)
    ('812 B', '18.4 KiB', '97.5 MiB')
    """
    if 0 <= n < 1024:
        return f"{n} B"
    return _scaled(n, 1024, _BINARY, 1024)


def join_x(values: Iterable[object], sep: str = "×") -> str:
    """``(1, 6, 28, 28)`` → ``1×6×28×28`` (``sep="x"`` for plain and csv).

    >>> join_x((5, 5)), join_x((1, 6, 28, 28), "x")
    ('5×5', '1x6x28x28')
    """
    return sep.join(str(v) for v in values)


def shape(values: Iterable[int]) -> str:
    """A shape as a list: ``[1, 6, 28, 28]``."""
    return "[" + ", ".join(str(v) for v in values) + "]"
