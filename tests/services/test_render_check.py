"""The page render's one login read (services.base.rendering_as): the render's later service calls skip re-reading
the login, and nothing outside that render does — not another task, a worker thread, the same task after the
render, another login or an older session of the same login."""
import asyncio
from dataclasses import replace

import pytest
from sqlmodel import update

from conton import db
from conton.models import User
from conton.services import clients
from conton.services.base import end_render, rendering_as, unit
from conton.services.errors import AuthExpired
from tests.factories import actor_of, make_office, make_user


@pytest.fixture(autouse=True)
def _office():
    make_office()


def _disable(user_id) -> None:
    with unit() as session:
        session.exec(update(User).where(User.id == user_id).values(active=False))


def _statements(call) -> int:
    before = db.query_counter['n']
    call()
    return db.query_counter['n'] - before


async def test_a_render_reads_the_login_once_and_what_follows_reads_it_again() -> None:
    actor = actor_of(make_user('admin'))
    checked = _statements(lambda: clients.search(actor))
    rendering_as(actor)
    try:
        assert _statements(lambda: clients.search(actor)) == checked - 1  # the render's own call: no login read
        _disable(actor.user_id)
        with unit(actor):  # still the render that began before the change
            pass

        async def other_task() -> None:
            with unit(actor):
                pass
        with pytest.raises(AuthExpired):  # an event handler, timer or live push: another task
            await asyncio.create_task(other_task())
        with pytest.raises(AuthExpired):  # a worker thread (run.io_bound) started by the render
            await asyncio.to_thread(lambda: clients.search(actor))
    finally:
        end_render()
    with pytest.raises(AuthExpired):  # the same task once the render is over
        clients.search(actor)


async def test_only_the_login_and_session_that_began_the_render_skip_the_read() -> None:
    first, second = actor_of(make_user('admin')), actor_of(make_user('admin'))
    rendering_as(first)
    try:
        _disable(second.user_id)
        with pytest.raises(AuthExpired):
            clients.search(second)
        with pytest.raises(AuthExpired):  # another session of the render's own login (e.g. an older cookie)
            clients.search(replace(first, session_version=first.session_version + 1))
    finally:
        end_render()


async def test_the_flag_closes_for_tasks_that_copied_it() -> None:
    actor = actor_of(make_user('admin'))
    rendering_as(actor)
    end_render()
    _disable(actor.user_id)
    with pytest.raises(AuthExpired):
        clients.search(actor)
