"""E-mails (outbox log, message view, Reenviar, SMTP banner) and Auditoria (filters, pages)."""
from datetime import date, datetime, timedelta, timezone

import pytest
from nicegui.testing import User
from sqlmodel import select

from conton.models import AuditLog, OutboxEmail
from conton.services import audit, mail, users
from conton.services.base import unit
from conton.services.errors import PermissionDenied
from tests.factories import actor_of, login, make_office, make_user


def _queue(to: str, subject: str, status: str = 'queued', error: str = '', attempts: int = 0) -> OutboxEmail:
    with unit() as session:
        row = mail.queue(session, to, subject, [f'Texto de {subject}.'])
        row.status, row.last_error, row.attempts = status, error, attempts
        return row


def _mail(row_id) -> OutboxEmail:
    with unit() as session:
        return session.get(OutboxEmail, row_id)


# --- E-mails ------------------------------------------------------------------------------------------------------

async def test_without_smtp_the_banner_explains_and_messages_are_readable(user: User) -> None:
    make_office()
    admin = make_user('admin')
    staff = users.create_staff(actor_of(admin), name='Joana Lima', email='joana@exemplo.test', permissions={})
    await login(user, admin)
    await user.open('/emails')
    await user.should_see('O envio de e-mails (SMTP) não está configurado.')
    await user.should_see('CONTON_SMTP_HOST')
    await user.should_see('joana@exemplo.test')
    await user.should_see('Na fila (1)')
    row = next(r for r in mail.search(actor_of(admin)).rows)
    await user.open(f'/emails/{row.id}')
    await user.should_see('Bem-vindo(a) ao portal Escritório Modelo')
    await user.should_see('Seu login é o e-mail joana@exemplo.test')
    await user.should_see('/definir-senha/')  # the administrator can hand the link over
    await user.should_see('Tentativas')
    await user.should_see('Reenviar')
    assert staff.email == 'joana@exemplo.test'


async def test_list_filters_by_status_and_text(user: User) -> None:
    make_office()
    admin = make_user('admin')
    _queue('ana@exemplo.test', 'Boleto de março')
    _queue('bruno@exemplo.test', 'Recibo de fevereiro', status='failed', error='Connection refused', attempts=12)
    _queue('carla@exemplo.test', 'Aviso de agenda', status='sent', attempts=1)
    await login(user, admin)
    await user.open('/emails')
    for text in ('Boleto de março', 'Recibo de fevereiro', 'Aviso de agenda', 'Todos (3)', 'Falharam (1)'):
        await user.should_see(text)
    assert 'href="/emails?situacao=failed"' in user.find(marker='status-filter').elements.pop().content
    await user.open('/emails?situacao=failed')
    await user.should_see('Connection refused')
    await user.should_not_see('Boleto de março')
    await user.open('/emails?situacao=failed&q=ana')  # both filters at once
    await user.should_see('Nenhuma mensagem encontrada.')
    await user.open('/emails?q=CARLA')
    await user.should_see('Aviso de agenda')
    await user.should_not_see('Recibo de fevereiro')
    await user.open('/emails?q=ninguem')
    await user.should_see('Nenhuma mensagem encontrada.')


async def test_resend_a_failed_message_then_it_is_sent(user: User, smtp) -> None:
    make_office()
    admin = make_user('admin')
    row = _queue('bruno@exemplo.test', 'Recibo de fevereiro', status='failed', error='Connection refused',
                 attempts=12)
    await login(user, admin)
    await user.open(f'/emails/{row.id}')
    await user.should_not_see('O envio de e-mails (SMTP) não está configurado.')
    await user.should_see('Connection refused')
    await user.should_see('Falhou')
    user.find('Reenviar').click()
    await user.should_see('Mensagem de volta à fila')
    assert _mail(row.id).status == 'queued'
    assert mail.send_due() == 1
    assert smtp.messages[0]['Subject'] == 'Recibo de fevereiro'
    await user.open(f'/emails/{row.id}')
    await user.should_see('Enviado em')
    await user.should_not_see('Reenviar')  # a sent message is not re-sent from here


async def test_staff_reader_sees_no_password_links_and_cannot_resend(user: User) -> None:
    make_office()
    admin = make_user('admin')
    reader = make_user('staff', permissions={'emails': 'read'})
    users.create_staff(actor_of(admin), name='Joana Lima', email='joana@exemplo.test', permissions={})
    row = mail.search(actor_of(admin)).rows[0]
    await login(user, reader)
    await user.open(f'/emails/{row.id}')
    await user.should_see('Seu login é o e-mail joana@exemplo.test')
    await user.should_see('link oculto')
    text = user.find(marker='email-text').elements.pop().text
    assert '/definir-senha/[link oculto' in text and _mail(row.id).text != text
    await user.should_not_see('Reenviar')
    with pytest.raises(PermissionDenied):
        mail.retry(actor_of(reader), row.id)


async def test_unknown_message_is_not_found(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/emails/00000000-0000-0000-0000-000000000000')
    await user.should_see('Página não encontrada ou sem acesso')


# --- Auditoria ----------------------------------------------------------------------------------------------------

def _audit(action: str, detail: str, at: datetime, email: str = 'alguem@exemplo.test', ip: str = '10.0.0.9') -> None:
    with unit() as session:
        session.add(AuditLog(at=at, user_email=email, action=action, entity='cliente', entity_id='abc', detail=detail,
                             ip=ip))


async def test_audit_lists_logins_and_filters(user: User) -> None:
    make_office()
    admin = make_user('admin')
    base = datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc)  # 12:00 in São Paulo
    _audit('create', 'Cliente Padaria criado', base - timedelta(days=5))
    _audit('delete', 'Cliente Mercearia excluído', base - timedelta(days=1))
    _audit('update', 'Cliente Padaria alterado', base)
    await user.open('/login')
    user.find('E-mail').type(admin.email)
    user.find('Senha').type('senha errada demais')
    user.find('Entrar').click()
    await user.should_see('E-mail ou senha incorretos.')
    await login(user, admin)

    await user.open('/auditoria')
    for text in ('Falha de login', 'Login', 'Cliente Padaria criado', 'Cliente Mercearia excluído', admin.email):
        await user.should_see(text)
    await user.open('/auditoria?acao=login_failed')
    await user.should_see('Falha de login')
    await user.should_not_see('Cliente Padaria criado')
    await user.open('/auditoria?q=padaria')
    await user.should_see('Cliente Padaria criado')
    await user.should_see('Cliente Padaria alterado')
    await user.should_not_see('Mercearia')
    await user.open('/auditoria?de=2026-03-08&ate=2026-03-09')
    await user.should_see('Cliente Mercearia excluído')
    await user.should_not_see('Padaria')

    await user.open('/auditoria')  # the same as the filter form sends it (dd/mm/aaaa, as typed)
    form = user.find(marker='filters').elements.pop().content
    assert 'method="get" action="/auditoria"' in form and 'name="de"' in form and 'name="acao"' in form
    await user.open('/auditoria?q=&acao=&de=09%2F03%2F2026&ate=09%2F03%2F2026')
    await user.should_see('Cliente Mercearia excluído')
    await user.should_not_see('Cliente Padaria alterado')


async def test_audit_period_errors_show_next_to_the_field(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    _audit('update', 'Cliente Padaria alterado', datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc))
    await user.open('/auditoria?de=31%2F02%2F2026')
    await user.should_see('Data inválida em “De”: use dd/mm/aaaa. A lista abaixo não usa esta data.')
    form = user.find(marker='filters').elements.pop().content
    assert 'value="31/02/2026"' in form and 'aria-invalid="true"' in form
    await user.should_see('Cliente Padaria alterado')  # the list without the bad date
    await user.open('/auditoria?de=10%2F03%2F2026&ate=01%2F03%2F2026')
    await user.should_see('A data final (“Até”) é anterior à inicial (“De”). A lista abaixo não usa a data final.')
    await user.should_see('Cliente Padaria alterado')


async def test_audit_pages(user: User) -> None:
    make_office()
    admin = make_user('admin')
    base = datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc)
    for i in range(120):
        _audit('update', f'registro número {i:03d}', base + timedelta(minutes=i))
    await login(user, admin)
    await user.open('/auditoria?acao=update')
    await user.should_see('registro número 119')
    await user.should_not_see('registro número 069')
    await user.should_see('120 registros')
    assert 'href="/auditoria?acao=update&amp;pagina=2"' in user.find(marker='audit-table').elements.pop().content
    await user.open('/auditoria?acao=update&pagina=2')
    await user.should_see('registro número 069')
    await user.should_not_see('registro número 119')


def test_audit_search_by_local_days() -> None:
    make_office()
    admin = actor_of(make_user('admin'))
    late = datetime(2026, 3, 10, 2, 30, tzinfo=timezone.utc)  # still 9 March in São Paulo (23:30)
    _audit('update', 'noite de segunda', late)
    assert [r.detail for r in audit.search(admin, start=date(2026, 3, 9), end=date(2026, 3, 9)).rows] == [
        'noite de segunda']
    assert audit.search(admin, start=date(2026, 3, 10)).rows == []


def test_audit_needs_permission() -> None:
    make_office()
    for who in (make_user('staff', permissions={'clients': 'write'}), make_user('staff')):
        with pytest.raises(PermissionDenied):
            audit.search(actor_of(who))
    assert audit.search(actor_of(make_user('staff', permissions={'audit': 'read'}))).total == 0


async def test_tools_without_permission_are_closed(user: User) -> None:
    make_office()
    staff = make_user('staff', permissions={'clients': 'write'})
    await login(user, staff)
    for path in ('/emails', '/auditoria', '/funcionarios', '/emails/00000000-0000-0000-0000-000000000000'):
        await user.open(path)
        await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see('CONTON_SMTP_HOST')
    with unit() as session:
        assert session.exec(select(OutboxEmail)).all() == []


async def test_help_pages(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    for slug, title in (('funcionarios', 'Funcionários'), ('emails', 'E-mails'), ('auditoria', 'Auditoria')):
        await user.open(f'/ajuda/{slug}')
        await user.should_see(f'Abrir {title}')
    await user.open('/ajuda/emails')
    from nicegui import ui
    assert 'CONTON_SMTP_HOST' in user.find(ui.markdown).elements.pop().content
