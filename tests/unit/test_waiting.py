"""The one way tests wait (tests/helpers.py): for a condition, as long as the machine needs, up to a deadline that
only ends a broken test. Deterministic: the condition turns true after a number of looks, not after some time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import DEADLINE, join_pool, wait_until, wait_until_sync


def turns_true_after(looks: int):
    seen = []

    def condition():
        seen.append(1)
        return len(seen) if len(seen) >= looks else None
    return condition, seen


async def test_waits_past_a_fixed_number_of_tries_and_returns_the_value_at_once() -> None:
    condition, seen = turns_true_after(25)  # NiceGUI's should_see gives up after 3
    assert await wait_until(condition, 'the 25th look') == 25
    assert len(seen) == 25  # no look after the condition held


async def test_async_conditions_are_awaited() -> None:
    condition, _ = turns_true_after(5)

    async def async_condition():
        return condition()
    assert await wait_until(async_condition, 'the 5th look') == 5


async def test_a_condition_that_never_holds_fails_with_what_was_awaited() -> None:
    with pytest.raises(AssertionError, match='waited 0 s for: the boleto'):
        await wait_until(lambda: False, 'the boleto', deadline=0)
    with pytest.raises(AssertionError, match='waited 0 s for: built lazily'):
        await wait_until(lambda: False, lambda: 'built lazily', deadline=0)


def test_sync_version_for_threads_and_browsers() -> None:
    condition, seen = turns_true_after(7)
    assert wait_until_sync(condition, 'the 7th look') == 7 and len(seen) == 7
    with pytest.raises(AssertionError, match='waited 0 s for: a PDF'):
        wait_until_sync(lambda: None, 'a PDF', deadline=0)


def test_the_deadline_is_generous() -> None:
    assert DEADLINE >= 30


def test_join_pool_waits_for_the_thread_still_at_work() -> None:
    """What the page tests do after the app stopped: a thread still drawing (here: held by an event) is waited for."""
    release, finished = threading.Event(), []
    pool = ThreadPoolExecutor()
    pool.submit(lambda: release.wait() and finished.append(True))
    pool.shutdown(wait=False)  # what NiceGUI's reset does at the end of a test
    with pytest.raises(AssertionError, match='waited 0 s for: the drawing'):
        join_pool(pool, 'the drawing', deadline=0)
    assert finished == []
    release.set()
    join_pool(pool, 'the drawing')
    assert finished == [True]
