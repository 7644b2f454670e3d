"""The Arquivos and Protocolos journey in real browsers (issue 10): the client, on a phone, uploads a file in
/portal/arquivos and sees its progress -> the staff member's open page shows the notification live -> staff sends a
protocol with a document uploaded in /protocolos/novo -> it appears in the client's open Protocolos list without a
reload; the client opens it -> the staff member's open protocol page shows "Visualizado" without a reload. No phone
page scrolls sideways."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from conton.services import protocols
from tests.browser.conftest import (browser_login, no_sideways_overflow, settle, visible_text, wait_for,
                                    wait_text)
from tests.browser.test_journey_finance import drawer_text
from tests.browser.test_journey_foundation import click_button, field
from tests.factories import PASSWORD, actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf

CLIENT_NAME = 'Padaria Pão Dourado Ltda'
UPLOAD_NAME = 'Extrato bancário outubro.pdf'
GUIDE_NAME = 'DAS outubro 2026.pdf'
TITLE = 'Guia do DAS de outubro'

# Records every text the uploader shows (uploads.in_portuguese writes the progress there: '1,2 MB de 3 MB · 37%'),
# so the test
# can tell that the progress was shown, even when the upload is over before the next poll (in sessionStorage: the
# page moves to 'Meus envios' once the upload is stored).
WATCH_PROGRESS = """
sessionStorage.setItem('progress', '[]');
const seen = text => sessionStorage.setItem('progress',
  JSON.stringify(JSON.parse(sessionStorage.getItem('progress')).concat([text])));
const watch = () => document.querySelectorAll('.q-uploader__subtitle').forEach(el => {
  if (el.__watched) return; el.__watched = true;
  new MutationObserver(() => seen(el.innerText)).observe(el, {childList: true, subtree: true, characterData: true});
});
watch(); new MutationObserver(watch).observe(document.body, {childList: true, subtree: true});
"""


def big_pdf(size: int) -> bytes:
    """A valid PDF made `size` bytes long (a comment before its end marker), so the upload takes a few chunks."""
    pdf = real_pdf()
    end = pdf.rindex(b'%%EOF')
    return pdf[:end] + b'%' + b'x' * (size - len(pdf) - 2) + b'\n' + pdf[end:]


def file_input(driver):
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.q-uploader input[type=file]'),
             message='the uploader has no file input')
    return driver.find_elements(By.CSS_SELECTOR, '.q-uploader input[type=file]')[0]


def region(driver, css: str) -> str:
    return driver.execute_script(f"const el = document.querySelector({css!r}); return el ? el.innerText : ''")


def test_upload_notice_protocol_and_visualizado_live(app_server, browser, tmp_path):
    app = app_server
    make_office('Contábil Jornada')
    staff = make_user('staff', name='Carla Documentos', permissions={'files': 'write', 'protocols': 'write',
                                                                     'clients': 'read'})
    client = make_client(CLIENT_NAME)
    login = make_user('client', client=client, name='Olavo Padeiro')
    upload = tmp_path / UPLOAD_NAME
    upload.write_bytes(big_pdf(6 * 1024 * 1024))
    guide = tmp_path / GUIDE_NAME
    guide.write_bytes(real_pdf())
    client_driver = staff_driver = None
    try:
        # staff keeps a page open, with the notification drawer (open on a wide screen)
        staff_driver = browser(1280, 900)
        browser_login(staff_driver, app, staff.email, PASSWORD)
        staff_driver.get(app.url('/protocolos'))
        wait_text(staff_driver, 'Nenhum protocolo enviado ainda.')
        settle(staff_driver)

        # the client, on a phone, uploads a file into the office's inbox and sees its progress
        client_driver = browser(390, 844)
        browser_login(client_driver, app, login.email, PASSWORD)
        client_driver.get(app.url('/portal/arquivos'))
        wait_text(client_driver, 'Enviar arquivos ao escritório')
        settle(client_driver)
        assert no_sideways_overflow(client_driver)
        client_driver.execute_script(WATCH_PROGRESS)
        file_input(client_driver).send_keys(str(upload))
        wait_for(client_driver, lambda d: UPLOAD_NAME in region(d, '.conton-fin'),
                 message='the upload is not listed in Meus envios')
        shown = client_driver.execute_script("return JSON.parse(sessionStorage.getItem('progress') || '[]')")
        assert any(re.search(r' · [1-9]\d*%', text) for text in shown), shown  # some progress, in pt-BR numbers
        assert not any(re.search(r'\d\.\d|B /', text) for text in shown), shown  # not Quasar's '1.2MB / 37.50%'
        assert no_sideways_overflow(client_driver)

        # the staff member's open page shows the notification without a reload
        wait_for(staff_driver, lambda d: f'{CLIENT_NAME} enviou um arquivo' in drawer_text(d),
                 message='the upload notification did not arrive live')
        assert UPLOAD_NAME in drawer_text(staff_driver)

        # the client keeps its Protocolos list open
        client_driver.get(app.url('/portal/protocolos'))
        wait_text(client_driver, 'Nenhum protocolo recebido ainda.')
        settle(client_driver)

        # staff sends a protocol with a guide uploaded on the form
        staff_driver.get(app.url(f'/protocolos/novo?cliente={client.id}'))
        wait_text(staff_driver, 'Dos arquivos do cliente')
        field(staff_driver, 'Título (opcional)').send_keys(TITLE)
        field(staff_driver, 'Competência (mm/aaaa)').send_keys('102026')
        field(staff_driver, 'Valor (R$, opcional)').send_keys('1.234,56')
        file_input(staff_driver).send_keys(str(guide))
        wait_text(staff_driver, 'Recebidos para enviar com o protocolo:')
        wait_for(staff_driver, lambda d: GUIDE_NAME in region(d, '.conton-uploaded'), message='the guide not listed')
        click_button(staff_driver, 'Enviar protocolo')
        wait_text(staff_driver, 'Protocolo enviado; o cliente foi avisado.')
        wait_for(staff_driver, lambda d: '/protocolos/' in d.current_url and 'novo' not in d.current_url,
                 message='did not open the protocol')
        wait_for(staff_driver, lambda d: 'Enviado' in region(d, '.conton-protocol-head'),
                 message='the protocol page does not show Enviado')
        settle(staff_driver)
        [row] = protocols.search(actor_of(staff)).rows

        # it appears in the client's open list without a reload; the client opens it
        wait_for(client_driver, lambda d: TITLE in region(d, '.conton-fin'), message='the protocol did not arrive live')
        assert no_sideways_overflow(client_driver)
        client_driver.find_element(By.LINK_TEXT, TITLE).click()
        wait_text(client_driver, 'Confirmar recebimento')
        wait_text(client_driver, GUIDE_NAME)
        assert no_sideways_overflow(client_driver)
        settle(client_driver)

        # the staff member's open page shows "Visualizado" without a reload, with who opened it
        wait_for(staff_driver, lambda d: 'Visualizado' in region(d, '.conton-protocol-head'),
                 message='Visualizado did not arrive live')
        wait_text(staff_driver, 'por Olavo Padeiro')
        assert protocols.get(actor_of(staff), row.id).protocol.status == 'visualizado'
        assert 'Carla' not in region(client_driver, '.conton-protocol-head')
        assert '127.0.0.1' not in visible_text(client_driver)  # the IPs are for the office's eyes
    except Exception:
        for name, driver in (('client', client_driver), ('staff', staff_driver)):
            if driver is not None:
                driver.save_screenshot(str(tmp_path / f'documents-{name}.png'))
                driver.save_screenshot(f'/tmp/jd-{name}.png')
        raise
