"""Issue 11's Solicitações journey in a real browser: a client login on a phone opens a request with an attachment;
the office's open list shows it without a reload; staff open it and reply; the reply appears in the client's open
thread without a reload. The phone pages do not overflow sideways."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from conton.services import requests
from tests.browser.conftest import browser_login, no_sideways_overflow, settle, visible_text, wait_for, wait_text
from tests.browser.test_journey_foundation import choose, click_button, field
from tests.factories import PASSWORD, actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


def test_client_opens_a_request_with_an_attachment_staff_reply_and_the_client_sees_it_live(app_server, browser,
                                                                                            tmp_path):
    make_office('Contábil Jornada')
    admin = make_user('admin', name='Ana do Escritório')
    padaria = make_client('Padaria Jornada Ltda')
    login = make_user('client', client=padaria, name='Paula Padeira')
    requests.categories(actor_of(admin))  # the office's list (an emptied test database has none yet)
    attachment = tmp_path / 'contrato-social.pdf'
    attachment.write_bytes(real_pdf())

    staff = browser(1280, 900)
    browser_login(staff, app_server, admin.email, PASSWORD)
    staff.get(app_server.url('/solicitacoes'))
    wait_text(staff, 'Nenhuma solicitação em aberto.')
    settle(staff)

    client = browser(390, 844)
    browser_login(client, app_server, login.email, PASSWORD)
    client.get(app_server.url('/portal/solicitacoes/nova'))
    field(client, 'Assunto').send_keys('Alteração do endereço da sede')
    choose(client, 'Categoria', 'Alteração contratual')
    field(client, 'Descreva o que você precisa').send_keys('Mudamos de endereço. Segue o contrato atual.')
    upload = client.find_element(By.CSS_SELECTOR, '.q-uploader input[type=file]')
    upload.send_keys(str(attachment))
    wait_text(client, 'Anexos: contrato-social.pdf')
    assert no_sideways_overflow(client)
    click_button(client, 'Enviar solicitação')
    wait_for(client, lambda d: '/portal/solicitacoes/' in d.current_url and '/nova' not in d.current_url,
             message='the thread did not open')
    wait_text(client, 'contrato-social.pdf')
    wait_text(client, 'Mudamos de endereço.')
    assert no_sideways_overflow(client)
    settle(client)

    # the office's open list shows it without a reload
    wait_text(staff, 'Alteração do endereço da sede')
    assert 'Padaria Jornada Ltda' in visible_text(staff)
    staff.find_element(By.LINK_TEXT, 'Alteração do endereço da sede').click()
    wait_text(staff, 'contrato-social.pdf')
    field(staff, 'Responder').send_keys('Recebido! Vamos protocolar na Junta nesta semana.')
    click_button(staff, 'Enviar')
    wait_text(staff, 'Vamos protocolar na Junta')

    # and the client's open thread shows the reply without a reload
    wait_text(client, 'Vamos protocolar na Junta nesta semana.')
    wait_text(client, 'Em andamento')
    assert no_sideways_overflow(client)
