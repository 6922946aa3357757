"""``paused_gc`` pauses the cyclic garbage collector for a block and always gives it back
as it was: enabled after the outermost block, untouched when the caller had disabled it,
also when the block raises; and analysing a network leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from convcalc import ConvCalcError, analyze
from convcalc.bulk import paused_gc


@pytest.fixture(autouse=True)
def _restore_gc():  # type: ignore[no-untyped-def]
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_block_runs_without_the_collector_which_comes_back_after() -> None:
    gc.enable()
    with paused_gc as paused:
        assert paused and not gc.isenabled()
        with paused_gc as inner:  # nested: the outermost block resumes it
            assert not inner and not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    with paused_gc as paused:
        assert not paused
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(KeyError), paused_gc:
        raise KeyError("x")
    assert gc.isenabled()


def test_analyze_leaves_the_collector_as_it_found_it() -> None:
    gc.enable()
    analyze("input: [1, 1, 8, 8]\nlayers: [{Conv2d: {out_channels: 2, kernel_size: 3}}, ReLU]")
    assert gc.isenabled()
    with pytest.raises(ConvCalcError):
        analyze("input: [1, 1, 2, 2]\nlayers: [{Conv2d: {out_channels: 2, kernel_size: 3}}]")
    assert gc.isenabled()
    gc.disable()
    analyze("input: [1, 1, 8, 8]\nlayers: [ReLU]")
    assert not gc.isenabled()
