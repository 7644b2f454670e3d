"""services/readcache.py, the app's one cache: out-of-process writes are bounded by TTL, and a value read inside a unit
of work that began before a write is not stored (its snapshot may predate that write)."""
from sqlmodel import select, update

from conton.models import Client
from conton.services import readcache
from conton.services.base import unit
from tests.factories import make_client, make_office


def test_a_value_is_computed_again_after_ttl(monkeypatch) -> None:
    readcache.clear()
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert readcache.memo('t.ttl', 1, ('client',), compute) == 1
    assert readcache.memo('t.ttl', 1, ('client',), compute) == 1  # kept
    monkeypatch.setattr(readcache, 'TTL', 0.0)  # as if a minute passed (a CLI may have written meanwhile)
    assert readcache.memo('t.ttl', 1, ('client',), compute) == 2


def test_a_read_in_a_unit_that_began_before_a_write_is_not_kept() -> None:
    make_office()
    client = make_client('Alfa Padaria Ltda')
    readcache.clear()
    names = lambda session: tuple(session.exec(select(Client.name)).all())  # noqa: E731
    with unit() as reader:
        reader.exec(select(Client.id)).all()  # the unit has begun (its snapshot is taken)
        with unit() as writer:
            writer.exec(update(Client).where(Client.id == client.id).values(name='Alfa Renomeada Ltda'))
        readcache.memo_in(reader, 't.snapshot', 1, ('client',), lambda: names(reader))
    with unit() as fresh:
        assert readcache.memo_in(fresh, 't.snapshot', 1, ('client',), lambda: names(fresh)) == ('Alfa Renomeada Ltda',)
        calls = []
        assert readcache.memo_in(fresh, 't.snapshot', 1, ('client',),
                                 lambda: calls.append(1) or ()) == ('Alfa Renomeada Ltda',)  # now kept
        assert calls == []
