"""Waiting in tests: one deadline, the same for every test, that only ends a broken test and never measures speed.

Everything that happens after a click (a handler running as a task, `run.io_bound` work on a thread, a push from
another tab) takes as long as the machine needs: a test waits for the condition it expects and goes on the moment
it holds. `user.should_see` / `user.should_not_see` wait this way in every test that uses NiceGUI's `user` fixture
(see `patient_user_checks`), so their `retries` argument means nothing; `wait_until` is for any other condition.
"""
from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

DEADLINE = 30.0  # seconds: generous on a loaded 2-core machine, so that only a broken test ever reaches it
POLL = 0.05  # seconds between two looks at a condition that has no event to await


async def wait_until(condition: Callable[[], Any], what: str | Callable[[], str], deadline: float = DEADLINE) -> Any:
    """Return the first truthy result of `condition()` (a plain or async callable), checked now and then every
    POLL seconds; raise AssertionError with `what` (a text, or a callable building it) after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f'waited {deadline:.0f} s for: {what() if callable(what) else what}')
        await asyncio.sleep(POLL)


def wait_until_sync(condition: Callable[[], Any], what: str | Callable[[], str], deadline: float = DEADLINE) -> Any:
    """`wait_until` for code outside the event loop (threads, a browser driven through Selenium, a subprocess)."""
    end = time.monotonic() + deadline
    while not (result := condition()):
        if time.monotonic() > end:
            raise AssertionError(f'waited {deadline:.0f} s for: {what() if callable(what) else what}')
        time.sleep(POLL)
    return result


async def wait_for_see(user: Any, target: Any = None, *, kind: Any = None, marker: Any = None, content: Any = None,
                       deadline: float = DEADLINE) -> None:
    """Wait until `user` (NiceGUI's simulated user) sees an element or notification matching the filter."""
    await wait_until(lambda: user._sees(target, kind, marker, content),
                     lambda: 'at least one ' + user._build_error_message(target, kind, marker, content), deadline)


async def wait_for_not_see(user: Any, target: Any = None, *, kind: Any = None, marker: Any = None,
                           content: Any = None, deadline: float = DEADLINE) -> None:
    """Wait until nothing on `user`'s page matches the filter (returns at once when nothing does)."""
    await wait_until(lambda: not user._sees(target, kind, marker, content),
                     lambda: 'no ' + user._build_error_message(target, kind, marker, content), deadline)


async def _should_see(self: Any, target: Any = None, *, kind: Any = None, marker: Any = None, content: Any = None,
                      retries: int | None = None) -> None:
    await wait_for_see(self, target, kind=kind, marker=marker, content=content)


async def _should_not_see(self: Any, target: Any = None, *, kind: Any = None, marker: Any = None, content: Any = None,
                          retries: int | None = None) -> None:
    await wait_for_not_see(self, target, kind=kind, marker=marker, content=content)


def patient_user_checks(monkeypatch: Any) -> None:
    """Make `User.should_see` / `should_not_see` wait up to DEADLINE instead of NiceGUI's 3 fixed tries of 0.1 s
    (0.3 s in all, which a loaded machine misses). Called by an autouse fixture wherever the `user` fixture is used."""
    from nicegui.testing import User
    monkeypatch.setattr(User, 'should_see', _should_see)
    monkeypatch.setattr(User, 'should_not_see', _should_not_see)


def join_pool(pool: Any, what: str, deadline: float = DEADLINE) -> None:
    """Wait until every thread of a ThreadPoolExecutor has finished its work (NiceGUI's `run.io_bound` pool: its
    reset at the end of a test shuts it down without waiting, so a thread still drawing a QR code would otherwise
    run on into the next test's database). The deadline only stops a test whose thread hangs."""
    import threading
    joiner = threading.Thread(target=pool.shutdown, kwargs={'wait': True}, daemon=True)
    joiner.start()
    joiner.join(deadline)
    if joiner.is_alive():
        raise AssertionError(f'waited {deadline:.0f} s for: {what}')


async def wait_for_task(task: Awaitable[Any], what: str, deadline: float = DEADLINE) -> Any:
    """Await background work (a task, a future) to its end; the deadline only stops a test that hangs."""
    try:
        return await asyncio.wait_for(task, deadline)
    except TimeoutError:
        raise AssertionError(f'waited {deadline:.0f} s for: {what}') from None


def bell_count(shell_html: str) -> str:
    """The unread count on the bell in the frame's notifications element ('' when there is none)."""
    bell = re.search(r'<label[^>]*conton-bell[^>]*>(.*?)</label>', shell_html, re.DOTALL)
    count = re.search(r'<span class="n">(\d+)</span>', bell.group(1)) if bell else None
    return count.group(1) if count else ''
