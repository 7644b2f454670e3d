"""Notifications: rows per recipient, counts per category, read marks, recipients, announced only after commit."""
import pytest

from conton.services import live, notifications
from conton.services.base import unit
from conton.services.errors import NotFound
from tests.factories import actor_of, make_client, make_office, make_user


@pytest.fixture(autouse=True)
def _office():
    make_office()


@pytest.fixture
def announced(monkeypatch):
    """What reaches the live backend (the one interface every push goes through)."""
    seen: list = []

    class Recorder:
        def publish(self, changes, notes) -> None:
            seen.extend(notes)

    monkeypatch.setattr(live, 'backend', Recorder())
    return seen


async def test_notify_writes_one_row_per_recipient_and_announces_after_commit(announced) -> None:
    """(async: announcing needs the running event loop, as in the app)"""
    a, b = make_user('admin'), make_user('staff')
    with unit() as session:
        items = notifications.notify(session, [a.id, b.id, a.id], 'agenda', 'DAS vence amanhã', 'Cliente X', '/agenda')
        assert announced == []  # not before the commit
    assert len(items) == 2
    assert sorted(i.user_id for i in announced) == sorted([a.id, b.id])
    drawer = notifications.drawer(actor_of(a))
    assert drawer.counts['agenda'] == 1 and sum(drawer.counts.values()) == 1
    assert [(i.title, i.body, i.link, i.read) for i in drawer.items] == [('DAS vence amanhã', 'Cliente X', '/agenda',
                                                                          False)]


async def test_a_transactions_changes_and_notifications_go_out_as_one_message(monkeypatch) -> None:
    """One publish per commit: the hub dispatches the views' update and the drawers' in one pass, views first."""
    calls: list = []

    class Recorder:
        def publish(self, changes, notes) -> None:
            calls.append((changes, notes))

    monkeypatch.setattr(live, 'backend', Recorder())
    a, client = make_user('admin'), make_client('Alfa Padaria Ltda')
    with unit() as session:
        live.announce(session, 'receivables', client_id=client.id)
        notifications.notify(session, [a.id], 'recebimentos', 'Nova cobrança')
        live.announce(session, 'receivables', client_id=client.id)  # the same change twice: once
        assert calls == []
    assert len(calls) == 1
    changes, notes = calls[0]
    assert changes == [live.Change('receivables', client.id)]
    assert [(i.user_id, i.title) for i in notes] == [(a.id, 'Nova cobrança')]


async def test_rolled_back_notifications_are_neither_stored_nor_announced(announced) -> None:
    a = make_user('admin')
    with pytest.raises(RuntimeError), unit() as session:
        notifications.notify(session, [a.id], 'agenda', 'Nunca')
        raise RuntimeError('falhou depois')
    assert announced == []
    assert notifications.drawer(actor_of(a)).items == []


def test_unknown_category_is_a_programming_error() -> None:
    a = make_user('admin')
    with pytest.raises(ValueError), unit() as session:
        notifications.notify(session, [a.id], 'fofoca', 'x')


def test_counts_and_marking_read() -> None:
    a = actor_of(make_user('admin'))
    other = actor_of(make_user('admin'))
    with unit() as session:
        notifications.notify(session, [a.user_id], 'agenda', 'A1')
        notifications.notify(session, [a.user_id], 'agenda', 'A2')
        notifications.notify(session, [a.user_id], 'recebimentos', 'R1')
        notifications.notify(session, [other.user_id], 'recebimentos', 'Do outro')
    counts = notifications.unread_counts(a)
    assert set(counts) == set(notifications.CATEGORY_LABELS)
    assert (counts['agenda'], counts['recebimentos'], counts['arquivos']) == (2, 1, 0)
    first = notifications.drawer(a).items[-1]
    notifications.mark_read(a, first.id)
    assert notifications.unread_counts(a)['agenda'] == 1
    notifications.mark_all_read(a, 'agenda')
    assert notifications.unread_counts(a)['agenda'] == 0 and notifications.unread_counts(a)['recebimentos'] == 1
    notifications.mark_all_read(a)
    assert sum(notifications.unread_counts(a).values()) == 0
    assert notifications.unread_counts(other)['recebimentos'] == 1  # untouched


def test_open_link_marks_read_and_refuses_anyone_elses() -> None:
    a = actor_of(make_user('admin'))
    b = actor_of(make_user('admin'))
    with unit() as session:
        mine = notifications.notify(session, [a.user_id], 'arquivos', 'Novo arquivo', link='/arquivos')[0]
        odd = notifications.notify(session, [a.user_id], 'arquivos', 'Estranho', link='https://evil.test/')[0]
    with pytest.raises(NotFound):
        notifications.open_link(b, mine.id)
    notifications.mark_read(b, mine.id)  # silently nothing
    assert notifications.unread_counts(a)['arquivos'] == 2
    assert notifications.open_link(a, mine.id) == '/arquivos'
    assert notifications.open_link(a, odd.id) == '/'  # never an outside address
    assert notifications.unread_counts(a)['arquivos'] == 0


def test_recipients() -> None:
    admin = make_user('admin')
    reader = make_user('staff', permissions={'receivables': 'read'})
    writer = make_user('staff', permissions={'receivables': 'write'})
    make_user('staff', permissions={'payables': 'write'})
    client = make_client()
    contact = make_user('client', client=client)
    make_user('client', client=make_client())
    with unit() as session:
        assert set(notifications.staff_users(session, 'receivables')) == {admin.id, reader.id, writer.id}
        assert set(notifications.staff_users(session, 'receivables', 'write')) == {admin.id, writer.id}
        assert set(notifications.staff_users(session, 'staff')) == {admin.id}  # not grantable: admins only
        assert notifications.client_users(session, client.id) == [contact.id]
