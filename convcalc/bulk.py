"""Bulk work without the cyclic garbage collector: :data:`paused_gc`.

Reading and analysing a large network makes millions of objects that all stay alive until
the end (YAML nodes, then layers, rows and their dicts). CPython's cyclic collector runs a
full collection each time the surviving heap grows by a quarter, and each one walks the
whole heap: at 100,000 layers that was more than half of the time of ``yaml.load`` and of
``Report.to_dict``, and it made the cost grow faster than the network. None of this work
makes reference cycles that need the collector (reference counting frees what it drops),
so the collector is paused while it runs and resumed after, to collect anything it missed.
"""

from __future__ import annotations

import gc

__all__ = ["paused_gc"]


class _PausedGC:
    """``with paused_gc:`` disables the cyclic collector for the block, and enables it
    again after, unless it was already disabled when the block began (by the caller, or
    by an enclosing block: the outermost one resumes it)."""

    __slots__ = ()

    def __enter__(self) -> bool:
        """Whether this block paused the collector (and will resume it)."""
        if gc.isenabled():
            gc.disable()
            _owners.append(True)
            return True
        _owners.append(False)
        return False

    def __exit__(self, *exc: object) -> None:
        if _owners.pop():
            gc.enable()


_owners: list[bool] = []
paused_gc = _PausedGC()
