"""The e-mail outbox against a real local SMTP server (aiosmtpd): delivery, retries with back-off, the admin views."""
import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from nicegui.testing import User as SimUser
from sqlmodel import select

from conton import clock
from conton.models import OutboxEmail
from conton.services import auth, mail, users
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied
from tests.factories import actor_of, make_client, make_office, make_user
from tests.helpers import wait_for_see


@pytest.fixture(autouse=True)
def _office():
    make_office('Contábil Exemplo')


def _rows() -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail).order_by(OutboxEmail.created_at)).all())


def _text(message) -> str:
    return message.get_body(preferencelist=('plain',)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=('html',)).get_content()


def _queue(to: str = 'fulano@exemplo.test', subject: str = 'Assunto de teste', **kwargs) -> OutboxEmail:
    with unit() as session:
        return mail.queue(session, to, subject, ['Primeiro parágrafo.', 'Segundo <b>parágrafo</b> & cia.'], **kwargs)


async def test_welcome_mail_arrives_and_its_link_sets_the_password(smtp, user: SimUser) -> None:
    admin = actor_of(make_user('admin'))
    users.create_staff(admin, name='Joana Lima', email='joana@exemplo.test', permissions={'clients': 'read'})
    assert mail.send_due() == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message['To'] == 'joana@exemplo.test'
    assert message['Subject'] == 'Bem-vindo(a) ao portal Contábil Exemplo'
    assert 'Contábil Exemplo' in message['From'] and 'escritorio@conton.test' in message['From']
    text = _text(message)
    assert 'Seu login é o e-mail joana@exemplo.test' in text and 'Contábil Exemplo' in text
    assert 'Contábil Exemplo' in _html(message) and 'Definir minha senha' in _html(message)
    row = _rows()[0]
    assert (row.status, row.attempts, row.last_error) == ('sent', 1, '') and row.sent_at is not None

    link = re.search(r'http://conton\.test(/definir-senha/\S+)', text).group(1)
    await user.open(link)
    await wait_for_see(user, 'Olá, Joana Lima. Seu login é joana@exemplo.test.')
    user.find('Nova senha (mínimo 8 caracteres)').type('joana tem uma senha boa')
    user.find('Repita a senha').type('joana tem uma senha boa')
    user.find('Salvar senha e entrar').click()
    await wait_for_see(user, 'Acesso Rápido')
    assert auth.authenticate('joana@exemplo.test', 'joana tem uma senha boa', '10.0.0.1')
    await user.open('/sair')
    await user.open(link)  # single use
    await wait_for_see(user, 'Este link não é mais válido')


def test_html_escapes_text_and_the_text_part_carries_the_link(smtp) -> None:
    _queue(link=('Abrir', 'http://conton.test/x?a=1&b=2'))
    mail.send_due()
    message = smtp.messages[0]
    body = _html(message)
    assert 'Segundo &lt;b&gt;parágrafo&lt;/b&gt; &amp; cia.' in body and '<b>parágrafo' not in body
    assert 'href="http://conton.test/x?a=1&amp;b=2"' in body
    assert 'Segundo <b>parágrafo</b> & cia.' in _text(message)
    assert 'Abrir: http://conton.test/x?a=1&b=2' in _text(message)


def test_attachments_are_sent(smtp) -> None:
    _queue(attachments=[('recibo.pdf', 'application/pdf', b'%PDF-1.4 teste')])
    mail.send_due()
    parts = [p for p in smtp.messages[0].iter_attachments()]
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ('recibo.pdf', 'application/pdf', b'%PDF-1.4 teste')]


def test_server_down_keeps_the_message_queued_then_sends_it_later(smtp) -> None:
    start = clock.now()
    clock.set_now(start)
    smtp.controller.stop()
    _queue()
    assert mail.send_due() == 0
    row = _rows()[0]
    assert row.status == 'queued' and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > clock.now()

    controller = Controller(smtp, hostname='127.0.0.1', port=smtp.port)  # the server comes back
    controller.start()
    try:
        assert mail.send_due() == 0  # not yet: back-off
        assert smtp.messages == []
        clock.set_now(row.next_attempt_at + timedelta(seconds=1))
        assert mail.send_due() == 1
    finally:
        controller.stop()
    row = _rows()[0]
    assert (row.status, row.attempts, row.last_error) == ('sent', 2, '')
    assert smtp.messages[0]['Subject'] == 'Assunto de teste'


def test_closed_port_backs_off_and_finally_fails(smtp, monkeypatch) -> None:
    from tests.conftest import free_port
    from conton import config
    monkeypatch.setenv('CONTON_SMTP_PORT', str(free_port()))  # nobody listens there
    config.reset_settings()
    clock.set_now(clock.now())
    _queue()
    waits = []
    for _ in range(mail.MAX_ATTEMPTS):
        assert mail.send_due() == 0
        row = _rows()[0]
        waits.append(row.next_attempt_at - clock.now())
        clock.set_now(row.next_attempt_at)
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)] and max(waits) == timedelta(hours=1)
    row = _rows()[0]
    assert (row.status, row.attempts) == ('failed', mail.MAX_ATTEMPTS)
    assert mail.send_due() == 0  # failed messages wait for a person
    admin = actor_of(make_user('admin'))
    mail.retry(admin, row.id)
    monkeypatch.setenv('CONTON_SMTP_PORT', str(smtp.port))
    config.reset_settings()
    assert mail.send_due() == 1
    assert _rows()[0].status == 'sent'


def test_without_smtp_messages_stay_queued_and_readable() -> None:
    assert not mail.smtp_configured()
    _queue()
    assert mail.send_due() == 0
    row = _rows()[0]
    assert (row.status, row.attempts) == ('queued', 0)
    admin = actor_of(make_user('admin'))
    page = mail.search(admin)
    assert page.total == 1 and page.counts == {'queued': 1}
    assert 'Primeiro parágrafo.' in mail.get(admin, row.id).text


def test_one_broken_message_does_not_stop_the_others(smtp) -> None:
    _queue(to='primeiro@exemplo.test')
    _queue(to='não é um endereço')
    _queue(to='terceiro@exemplo.test')
    sent = mail.send_due()
    by_to = {r.to_addr: r for r in _rows()}
    assert {m['To'] for m in smtp.messages} >= {'primeiro@exemplo.test', 'terceiro@exemplo.test'}
    assert by_to['primeiro@exemplo.test'].status == by_to['terceiro@exemplo.test'].status == 'sent'
    assert sent == len(smtp.messages)


def test_search_filters_and_permissions() -> None:
    _queue(to='ana@exemplo.test', subject='Boleto de março')
    _queue(to='bruno@exemplo.test', subject='Recibo')
    with unit() as session:
        session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == 'bruno@exemplo.test')).one().status = 'failed'
    admin = actor_of(make_user('admin'))
    assert [r.to_addr for r in mail.search(admin, status='failed').rows] == ['bruno@exemplo.test']
    assert [r.to_addr for r in mail.search(admin, text='MARÇO').rows] == ['ana@exemplo.test']
    assert [r.to_addr for r in mail.search(admin, text='ANA@').rows] == ['ana@exemplo.test']
    assert mail.search(admin).counts == {'queued': 1, 'failed': 1}

    reader = actor_of(make_user('staff', permissions={'emails': 'read'}))
    nobody = actor_of(make_user('staff', permissions={'clients': 'write'}))
    client = actor_of(make_user('client', client=make_client()))
    assert mail.search(reader).total == 2
    row = mail.search(reader, status='failed').rows[0]
    with pytest.raises(PermissionDenied):
        mail.retry(reader, row.id)
    for actor in (nobody, client):
        with pytest.raises(PermissionDenied):
            mail.search(actor)
        with pytest.raises(PermissionDenied):
            mail.get(actor, row.id)
    with pytest.raises(NotFound):
        mail.get(admin, '00000000-0000-0000-0000-000000000000')
