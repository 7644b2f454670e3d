"""Comunicados pages: staff compose one (messages by the field, nothing saved on bad input; a confirmation with the
count of recipients), follow it (counts, each recipient's state); a comunicado to 3 of 4 clients reaches exactly
those 3 in the portal, on their home and at the SMTP server, and the fourth sees nothing by list, URL, guessed id,
attachment or home; reading marks it read for that login only."""
from __future__ import annotations

import uuid

from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import func, select

from conton.models import Announcement, AnnouncementRecipient
from conton.services import announcements, mail
from conton.services.base import unit
from tests.helpers import wait_until
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf

NO_ACCESS = 'Página não encontrada ou sem acesso'
PDF = real_pdf()


def setup():
    make_office('Contábil Aurora')
    admin = make_user('admin', name='Ana Admin')
    clients = [make_client(f'Cliente {c} Ltda', tax_regime='MEI' if c == 'D' else 'Simples Nacional')
               for c in 'ABCD']
    logins = {c.name[8]: make_user('client', client=c, name=f'Contato {c.name[8]}', email=f'{c.name[8].lower()}@x.test')
              for c in clients}
    return admin, clients, logins


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def content(user: User, marker: str) -> str:
    return user.find(marker=marker).elements.pop().content


async def send_to_three(admin, clients):
    attachment = await announcements.receive_attachment(actor_of(admin), SmallFileUpload(
        'tabela.pdf', 'application/pdf', PDF))
    return announcements.create(actor_of(admin), subject='Novo horário de atendimento', body='A partir de março,\n'
                                'atendemos das 8h às 17h.', audience='list', client_ids=[c.id for c in clients[:3]],
                                attachments=[attachment])


async def test_a_comunicado_to_three_of_four_reaches_exactly_those_three(user: User, smtp) -> None:
    admin, clients, logins = setup()
    row = await send_to_three(admin, clients)
    assert announcements.release() == 3 and mail.send_due() == 3
    assert sorted(m['To'] for m in smtp.messages) == ['a@x.test', 'b@x.test', 'c@x.test']
    attachment = announcements.get(actor_of(admin), row.id).attachments[0]

    await login(user, logins['B'])  # one of the three: home, list, the comunicado, its attachment
    await user.should_see(marker='home-announcements')
    assert 'Novo horário de atendimento' in content(user, 'home-announcements')
    await user.open('/portal/comunicados')
    await user.should_see(marker='portal-announcements')
    listed = content(user, 'portal-announcements')
    assert 'Novo horário de atendimento' in listed and 'Novo</span>' in listed
    await user.open(f'/portal/comunicados/{row.id}')
    await user.should_see(marker='announcement')
    assert 'atendemos das 8h às 17h.' in content(user, 'announcement')
    await user.should_see('tabela.pdf')
    response = await user.http_client.get(attachment.url)
    assert response.status_code == 200 and response.content == PDF
    await user.open('/')
    await user.should_see('Olá')
    assert 'Novo horário' not in content(user, 'home-announcements')  # read: no longer on the home
    assert announcements.unread(actor_of(logins['A']))[0] == 1  # the other clients' logins still have it unread


async def test_the_fourth_client_sees_nothing_by_any_entry(user: User) -> None:
    admin, clients, logins = setup()
    row = await send_to_three(admin, clients)
    attachment = announcements.get(actor_of(admin), row.id).attachments[0]
    await login(user, logins['D'])
    assert 'Comunicados não lidos' not in content(user, 'home-announcements')
    await user.open('/portal/comunicados')
    await user.should_see('Nenhum comunicado do escritório ainda.')
    for target in (row.id, uuid.uuid4(), 'x', attachment.id):
        await user.open(f'/portal/comunicados/{target}')
        await user.should_see('Comunicado não encontrado.')
        await user.should_not_see('Novo horário')
    for target in (attachment.id, row.id, uuid.uuid4()):
        response = await user.http_client.get(f'/comunicados/anexo/{target}')
        assert response.status_code == 404 and b'tabela' not in response.content
    await user.open(f'/comunicados/{row.id}')  # the staff page
    await user.should_see(NO_ACCESS)
    await user.open('/comunicados')
    await user.should_see(NO_ACCESS)
    drawer = content(user, 'notifications')
    assert 'Novo horário' not in drawer


async def test_anonymous_browser_gets_no_attachment(user: User) -> None:
    admin, clients, _ = setup()
    row = await send_to_three(admin, clients)
    attachment = announcements.get(actor_of(admin), row.id).attachments[0]
    response = await user.http_client.get(attachment.url, follow_redirects=False)
    assert response.status_code in (303, 307) and '/login' in response.headers['location']


async def test_staff_compose_sends_after_confirming_the_count(user: User) -> None:
    admin, _, logins = setup()
    await login(user, admin)
    await user.open('/comunicados/novo')
    await user.should_see(marker='subject')
    user.find(marker='subject').type('Prazo do IRPF')
    user.find(marker='body').type('Envie seus documentos até 30/04.')
    user.find(marker='audience').elements.pop().value = 'regime'
    user.find(marker='regime').elements.pop().value = 'Simples Nacional'
    await user.should_see('Vai para 3 clientes, 3 logins.')
    user.find(marker='send').click()
    await user.should_see(marker='confirm-yes')
    await user.should_see('Enviar “Prazo do IRPF” para 3 clientes, 3 logins?')
    user.find(marker='confirm-yes').click()
    await user.should_see(marker='notice')
    await user.should_see('Comunicado enviado')
    with unit() as session:
        item = session.exec(select(Announcement)).one()
        assert (item.subject, item.audience, item.audience_value, item.recipients) == \
            ('Prazo do IRPF', 'regime', 'Simples Nacional', 3)
    await user.should_see(marker='recipients')
    table = content(user, 'recipients')
    assert 'Cliente A Ltda' in table and 'Cliente D Ltda' not in table
    await user.open('/comunicados')
    await user.should_see(marker='announcements')
    listed = content(user, 'announcements')
    assert 'Prazo do IRPF' in listed and '3 clientes, 3 logins' in listed


async def test_bad_input_shows_by_the_field_and_saves_nothing(user: User) -> None:
    admin, _, _ = setup()
    await login(user, admin)
    await user.open('/comunicados/novo')
    await user.should_see(marker='subject')
    user.find(marker='body').type('Texto')
    user.find(marker='audience').elements.pop().value = 'list'
    user.find(marker='send').click()
    await user.should_see('Confira os campos destacados.')
    subject = user.find(marker='subject').elements.pop()
    clients = user.find(marker='clients').elements.pop()
    assert subject.error == 'Informe o assunto.' and clients.error == 'Escolha pelo menos um cliente.'
    user.find(marker='when').elements.pop().value = 'later'
    user.find(marker='subject').type('Aviso')
    user.find(marker='audience').elements.pop().value = 'all'
    user.find('Data').type('01/01/2020')
    user.find('Hora').type('10:00')
    user.find(marker='send').click()
    await user.should_see('Agendar “Aviso” para 4 clientes, 4 logins?')
    user.find(marker='confirm-yes').click()
    day = user.find('Data').elements.pop()
    await wait_until(lambda: day.error == 'Escolha um momento no futuro (ou envie agora).', 'the message by Data')
    assert count(Announcement) == 0 and count(AnnouncementRecipient) == 0


async def test_read_only_staff_follows_but_cannot_send_or_cancel(user: User) -> None:
    admin, clients, _ = setup()
    row = announcements.create(actor_of(admin), subject='Agendado', body='x', audience='all', send_on='20/12/2026',
                               send_time='09:00')
    reader = make_user('staff', permissions={'announcements': 'read'})
    await login(user, reader)
    await user.open('/comunicados')
    await user.should_see('Agendado')
    await user.should_not_see(marker='new-announcement')
    await user.should_not_see(marker='pace')
    await user.open(f'/comunicados/{row.id}')
    await user.should_see('Os destinatários são escolhidos no momento do envio')
    await user.should_not_see(marker='cancel')
    await user.open('/comunicados/novo')
    await user.should_see(NO_ACCESS)
    await user.open(f'/comunicados/{uuid.uuid4()}')
    await user.should_see(NO_ACCESS)


async def test_admin_cancels_a_scheduled_one_and_sets_the_pace(user: User) -> None:
    admin, _, _ = setup()
    row = announcements.create(actor_of(admin), subject='Agendado', body='x', audience='all', send_on='20/12/2026',
                               send_time='09:00')
    await login(user, admin)
    await user.open(f'/comunicados/{row.id}')
    user.find(marker='cancel').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Envio cancelado.')
    assert announcements.get(actor_of(admin), row.id).row.status == 'cancelado'
    await user.open('/comunicados')
    user.find(marker='pace').elements.pop().value = True
    batch = user.find('E-mails por lote').elements.pop()
    batch.value = '0'
    user.find(marker='pace-save').click()
    await user.should_see('Confira os campos destacados.')
    assert batch.error == 'Informe um número de 1 a 1000.'
    batch.value = '200'
    user.find('Pausa entre lotes (segundos)').elements.pop().value = '600'
    user.find(marker='pace-save').click()
    await user.should_see('Ritmo de envio salvo.')
    assert announcements.throttle() == announcements.Throttle(200, 600)


async def test_a_draft_is_saved_reopened_sent_and_another_deleted(user: User) -> None:
    admin, clients, logins = setup()
    await login(user, admin)
    await user.open('/comunicados/novo')
    await user.should_see(marker='subject')
    user.find(marker='save-draft').click()
    await user.should_see('Informe o assunto.')  # a draft needs its subject; nothing saved
    assert count(Announcement) == 0
    user.find(marker='subject').type('Prazo do IRPF')
    user.find(marker='save-draft').click()
    await user.should_see(marker='notice')
    await user.should_see('Rascunho salvo')
    with unit() as session:
        item = session.exec(select(Announcement)).one()
    assert (item.status, item.recipients) == ('rascunho', 0) and count(AnnouncementRecipient) == 0
    await user.should_see('Um rascunho não vai para ninguém')
    await user.open('/comunicados?situacao=rascunho')
    await user.should_see(marker='announcements')
    assert 'Prazo do IRPF' in content(user, 'announcements') and 'Rascunhos (1)' in content(user, 'announcements')
    # reopened with what was written, completed and sent
    await user.open(f'/comunicados/{item.id}')
    user.find(marker='edit').click()
    await user.should_see(marker='subject')
    assert user.find(marker='subject').elements.pop().value == 'Prazo do IRPF'
    user.find(marker='body').type('Envie seus documentos até 30/04.')
    user.find(marker='audience').elements.pop().value = 'list'
    user.find(marker='clients').elements.pop().value = [str(clients[1].id)]
    await user.should_see('Vai para 1 cliente, 1 login.')
    user.find(marker='send').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Comunicado enviado')
    with unit() as session:
        item = session.get(Announcement, item.id)
        assert (item.status, item.recipients, item.body) == ('enviando', 1, 'Envie seus documentos até 30/04.')
        assert [r.user_id for r in session.exec(select(AnnouncementRecipient)).all()] == [logins['B'].id]
    await user.should_not_see(marker='edit')
    await user.open(f'/comunicados/{item.id}/editar')
    await user.should_see(marker='not-editable')
    # another draft, deleted
    other = announcements.create(actor_of(admin), subject='Rascunho velho', body='', audience='all', draft=True)
    await user.open(f'/comunicados/{other.id}')
    user.find(marker='delete-draft').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Rascunho excluído.')
    assert count(Announcement) == 1


async def test_a_scheduled_one_is_edited_before_it_goes(user: User) -> None:
    admin, _, _ = setup()
    row = announcements.create(actor_of(admin), subject='Agendado', body='x', audience='all', send_on='20/12/2026',
                               send_time='09:00')
    await login(user, admin)
    await user.open(f'/comunicados/{row.id}/editar')
    await user.should_see(marker='subject')
    assert user.find(marker='when').elements.pop().value == 'later'
    time_input = user.find('Hora').elements.pop()
    assert time_input.value == '09:00'
    time_input.value = '14:15'
    user.find(marker='send').click()
    await user.should_see(marker='confirm-yes')
    await user.should_see('Agendar “Agendado” para 4 clientes, 4 logins?')
    user.find(marker='confirm-yes').click()
    await user.should_see('Comunicado agendado para 20/12/2026 14:15')
    assert announcements.get(actor_of(admin), row.id).row.status == 'agendado' and count(Announcement) == 1


async def test_a_missing_responsible_is_told_by_its_own_field(user: User) -> None:
    admin, _, _ = setup()
    await login(user, admin)
    await user.open('/comunicados/novo')
    await user.should_see(marker='subject')
    user.find(marker='subject').type('Aviso')
    user.find(marker='body').type('Texto')
    user.find(marker='audience').elements.pop().value = 'responsible'
    user.find(marker='send').click()
    staff = user.find(marker='responsible').elements.pop()
    await wait_until(lambda: staff.error == 'Escolha o responsável.', 'the message by Responsável')
    assert count(Announcement) == 0


async def test_two_logins_of_one_client_keep_their_own_unread_badge_live(create_user) -> None:
    """The home badge 'não lidos' is each login's own: when one login reads the comunicado, the live update of the
    home page tells the other login's tab its own count, not the reader's."""
    admin, clients, logins = setup()
    other = make_user('client', client=clients[0], name='Outro contato A', email='a2@x.test')
    created = await send_to_three(admin, clients)
    reader, keeper = create_user(), create_user()
    await login(reader, logins['A'])
    await login(keeper, other)
    for tab in (reader, keeper):
        await wait_until(lambda tab=tab: 'title="1 não lidos"' in content(tab, 'quick-access'), 'the unread badge')
    announcements.read(actor_of(logins['A']), created.id)
    await wait_until(lambda: 'não lidos' not in content(reader, 'quick-access'), "the reader's badge, live")
    await reader.open('/')  # the reader's own page again: its badge stays cleared
    assert 'não lidos' not in content(reader, 'quick-access')
    assert 'title="1 não lidos"' in content(keeper, 'quick-access')  # the other login has not read it
