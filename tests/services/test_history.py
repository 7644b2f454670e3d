"""A client's history: atendimentos, solicitações, pedidos de documentos, protocolos and files of that client only,
newest first, by kind and period, paged on the server in a few statements whatever the size; only the kinds the
staff member may read; never for a client login; the PDF of a period."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from conton import clock
from conton.models import ClientRequest, DocFile, DocRequest, Protocol, RequestCategory, RequestMessage
from conton.services import history, servicelog
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied
from tests.conftest import require_tools
from tests.factories import actor_of, make_client, make_office, make_user
from tests.pdf.readers import pdf_text

require_tools('pdftotext')

UTC = timezone.utc


def at(day: int, hour: int = 13, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def seed():
    make_office()
    clock.set_now(at(20))
    admin = actor_of(make_user('admin', name='Ana Admin'))
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    with unit() as session:
        category = session.exec(select(RequestCategory).where(RequestCategory.name == 'Certidão')).first()
        if category is None:  # PostgreSQL tests start from TRUNCATEd tables
            category = RequestCategory(name='Certidão', position=1)
            session.add(category)
            session.flush()
        admin_id = admin.user_id
        request = ClientRequest(number=7, client_id=alfa.id, subject='Certidão negativa', category_id=category.id,
                                opened_by=admin_id, opened_side='office', created_at=at(2), assignee_id=admin_id)
        session.add(request)
        session.flush()
        session.add_all([RequestMessage(request_id=request.id, author_id=admin_id, author_side='office', body='Oi',
                                        created_at=at(2, 14)),
                         RequestMessage(request_id=request.id, author_id=admin_id, author_side='office', body='Nota',
                                        internal=True, created_at=at(2, 15))])
        session.add(DocRequest(client_id=alfa.id, competence='2026-02', title='Extrato bancário 02/2026',
                               due_date=date(2026, 3, 5), created_at=at(1)))
        session.add(Protocol(client_id=alfa.id, kind='guia', title='DAS 02/2026', due_date=date(2026, 3, 20),
                             created_at=at(6)))
        for name, origin, deleted in (('balanco.pdf', '', None), ('anexo.pdf', 'request', None),
                                      ('apagado.pdf', '', at(9))):
            session.add(DocFile(client_id=alfa.id, original_name=name, size=2048, mime='application/pdf',
                                type_label='PDF', sha256='0' * 64, stored_name=uuid.uuid4().hex, sender_side='client',
                                origin=origin, deleted_at=deleted, created_at=at(8)))
        # Beta's things: never in Alfa's history
        session.add(DocRequest(client_id=beta.id, title='Beta extrato', due_date=date(2026, 3, 5), created_at=at(3)))
        session.add(Protocol(client_id=beta.id, kind='guia', title='Beta DAS', created_at=at(3)))
    clock.set_now(at(4))
    servicelog.create(admin, client_id=str(alfa.id), channel='whatsapp', subject='Pedido de extrato',
                      duration_minutes=10, happened_on=date(2026, 3, 4))
    gone = servicelog.create(admin, client_id=str(alfa.id), channel='telefone', subject='Apagado',
                             duration_minutes=5)
    servicelog.delete(admin, gone.id)
    servicelog.create(admin, client_id=str(beta.id), channel='telefone', subject='Beta ligou', duration_minutes=5)
    clock.set_now(at(20))
    return admin, alfa, beta


def test_every_kind_in_time_order_and_only_that_clients(db) -> None:
    admin, alfa, beta = seed()
    found = history.page(admin, alfa.id)
    assert [(r.kind, r.title_text) for r in found.rows] == [
        ('arquivo', 'balanco.pdf'), ('protocolo', 'DAS 02/2026'), ('atendimento', 'Pedido de extrato'),
        ('solicitacao', '#7 Certidão negativa'), ('pedido', 'Extrato bancário 02/2026')]
    assert found.total == 5 and found.client_name == 'Alfa Padaria Ltda'
    assert found.counts == {'arquivo': 1, 'protocolo': 1, 'atendimento': 1, 'solicitacao': 1, 'pedido': 1}
    by_kind = {r.kind: r for r in found.rows}
    assert by_kind['atendimento'].when == '04/03/2026' and 'WhatsApp' in by_kind['atendimento'].detail
    assert by_kind['atendimento'].status_label == 'Interno'
    assert by_kind['solicitacao'].count == 2 and by_kind['solicitacao'].status_label == 'Aberta'
    assert 'competência 02/2026' in by_kind['pedido'].detail and by_kind['pedido'].status_label == 'Pendente'
    assert by_kind['protocolo'].status_label == 'Enviado'
    assert by_kind['arquivo'].status_label == 'Enviado pelo cliente' and '2 KB' in by_kind['arquivo'].detail
    assert by_kind['atendimento'].url.startswith('/atendimentos?atendimento=')
    beta_rows = history.page(admin, beta.id).rows
    assert sorted(r.title for r in beta_rows) == ['Beta DAS', 'Beta extrato', 'Beta ligou']


def test_filters_by_kind_and_period_and_pages(db) -> None:
    admin, alfa, _ = seed()
    only = history.page(admin, alfa.id, kind='atendimento')
    assert [r.title for r in only.rows] == ['Pedido de extrato'] and only.total == 1
    assert only.counts['protocolo'] == 1  # the counts stay per kind in the period
    march_2_to_6 = history.page(admin, alfa.id, start=date(2026, 3, 2), end=date(2026, 3, 6))
    assert [r.kind for r in march_2_to_6.rows] == ['protocolo', 'atendimento', 'solicitacao']
    assert history.page(admin, alfa.id, start=date(2026, 3, 4), end=date(2026, 3, 4)).total == 1
    assert history.page(admin, alfa.id, end=date(2026, 2, 28)).total == 0
    first = history.page(admin, alfa.id, per_page=2)
    second = history.page(admin, alfa.id, per_page=2, page=2)
    third = history.page(admin, alfa.id, per_page=2, page=3)
    past = history.page(admin, alfa.id, per_page=2, page=99)
    assert (first.pages, [len(p.rows) for p in (first, second, third)]) == (3, [2, 2, 1])
    assert len({r.id for p in (first, second, third) for r in p.rows}) == 5
    assert past.page == 3 and [r.id for r in past.rows] == [r.id for r in third.rows]


def test_a_page_costs_a_few_statements(db) -> None:
    admin, alfa, _ = seed()
    before = db_count()
    history.page(admin, alfa.id)
    assert db_count() - before <= 4  # the login's check, the client, the page with its total, the counts


def db_count() -> int:
    from conton.db import query_counter
    return query_counter['n']


def test_only_the_kinds_the_staff_member_may_read(db) -> None:
    _, alfa, _ = seed()
    staff = actor_of(make_user('staff', permissions={'servicelog': 'read', 'files': 'read'}))
    found = history.page(staff, alfa.id)
    assert {r.kind for r in found.rows} == {'atendimento', 'arquivo'} and found.kinds == ('atendimento', 'arquivo')
    assert history.page(staff, alfa.id, kind='protocolo').total == 2  # a kind it may not read: what it may
    with pytest.raises(PermissionDenied):
        history.page(actor_of(make_user('staff', permissions={'files': 'write'})), alfa.id)


def test_never_for_a_client_login(db) -> None:
    _, alfa, _ = seed()
    login = actor_of(make_user('client', client=alfa))
    for call in (lambda: history.page(login, alfa.id), lambda: history.pdf(login, alfa.id)):
        with pytest.raises(PermissionDenied):
            call()


def test_unknown_client_is_not_found(db) -> None:
    admin, _, _ = seed()
    for target in ('00000000-0000-0000-0000-000000000000', 'x'):
        with pytest.raises(NotFound):
            history.page(admin, target)


def test_pdf_of_a_period(db, tmp_path) -> None:
    admin, alfa, _ = seed()
    name, data = history.pdf(admin, alfa.id, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert name == 'historico-alfa-padaria-ltda-20260301-20260331.pdf' and data.startswith(b'%PDF')
    text = pdf_text(data, tmp_path)
    for expected in ('Histórico do cliente', 'Alfa Padaria Ltda', '01/03/2026 a 31/03/2026', '5 registros',
                     'Pedido de extrato', '#7 Certidão negativa', 'DAS 02/2026', 'balanco.pdf', 'Interno'):
        assert expected in text, expected
    for absent in ('Beta', 'Apagado', 'anexo.pdf', 'apagado.pdf'):
        assert absent not in text
    _, only = history.pdf(admin, alfa.id, kind='protocolo')
    text = pdf_text(only, tmp_path)
    assert 'DAS 02/2026' in text and 'Pedido de extrato' not in text and '1 registro' in text


def test_a_long_history_pages_each_entry_once(db) -> None:
    """A client with many entries: pages cover them exactly once, newest first."""
    admin, alfa, _ = seed()
    clock.set_now(at(20))
    for n in range(1, 26):
        servicelog.create(admin, client_id=str(alfa.id), channel='telefone', subject=f'Ligação {n}',
                          duration_minutes=n, happened_on=date(2026, 3, 20) - timedelta(days=n % 10))
    seen = []
    for p in range(1, 5):
        seen += [r.id for r in history.page(admin, alfa.id, page=p, per_page=9).rows]
    assert len(seen) == len(set(seen)) == 30
    rows = history.page(admin, alfa.id, per_page=200).rows
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
