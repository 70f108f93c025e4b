"""The cycle collector is paused while a large document is built, and back on (having collected) after."""

from __future__ import annotations

import gc

import pytest

from base.collection import builds_many_objects, cycle_collection_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def _cycle() -> None:
    a: list = []
    a.append(a)


def test_inside_the_block_nothing_is_collected_on_its_own_and_the_cycles_go_after():
    collected = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and collected.append(info["generation"]))
    try:
        with cycle_collection_paused():
            assert not gc.isenabled()
            for _ in range(50_000):  # far past gen 0's threshold (700 allocations)
                _cycle()
            assert collected == []
            # gen 0's count is allocations less frees, of every thread in the process: a thread a
            # test before left running can free a few objects meanwhile (49,994 once)
            assert gc.get_count()[0] > 50 * gc.get_threshold()[0]
        assert gc.isenabled()
        assert collected == [1]  # one collection of the young objects, at the end
        assert gc.get_count()[0] < 700
    finally:
        gc.callbacks.pop()


def test_an_error_inside_still_turns_the_collector_back_on():
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError("build failed")
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_collector_off_until_the_outer_one_ends():
    @builds_many_objects
    def inner() -> bool:
        return gc.isenabled()

    with cycle_collection_paused():
        assert inner() is False
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_caller_that_had_turned_the_collector_off_keeps_it_off():
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()
