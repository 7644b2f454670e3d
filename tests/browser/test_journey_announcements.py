"""The Comunicados journey in real browsers: two client logins keep their portal home open on phones — one of a client
in the Simples Nacional, one of a MEI; staff writes a comunicado to the Simples Nacional clients (3 of the 4) and
sends it after the confirmation with the count -> the first client's open home and bell show it without a reload,
it reads it (the attachment-free text, then the list shows it read) -> the MEI client's tab shows nothing, nor its
list, nor the comunicado's URL -> the e-mails reach the SMTP server for exactly the 3 clients' logins."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from sqlmodel import func, select

from conton.models import OutboxEmail
from conton.services import mail
from conton.services.base import unit
from tests.browser.conftest import browser_login, no_sideways_overflow, settle, visible_text, wait_for, wait_text
from tests.browser.test_journey_foundation import choose, click_button, field
from tests.factories import PASSWORD, make_client, make_office, make_user
from tests.helpers import wait_until_sync

SUBJECT = 'Novo prazo para os documentos de março'


def bell_count(driver) -> str:
    words = driver.find_element(By.CSS_SELECTOR, '.conton-bell').text.split()
    return words[-1] if words and words[-1].isdigit() else ''  # the text is the icon's name, then the count


def test_a_comunicado_to_three_of_four_clients_reaches_exactly_those_three(smtp, app_server, browser, tmp_path):
    app = app_server
    make_office('Contábil Jornada')
    staff = make_user('staff', name='Carla Comunicados', permissions={'announcements': 'write'})
    clients = {c: make_client(f'Empresa {c} Ltda', tax_regime='MEI' if c == 'D' else 'Simples Nacional')
               for c in 'ABCD'}
    logins = {c: make_user('client', client=client, name=f'Contato {c}', email=f'contato.{c.lower()}@empresa.test')
              for c, client in clients.items()}
    reader = outsider = staff_driver = None
    try:
        reader, outsider = browser(390, 844), browser(390, 844)
        for driver, who in ((reader, 'A'), (outsider, 'D')):
            browser_login(driver, app, logins[who].email, PASSWORD)
            wait_text(driver, 'Portal do cliente')
            settle(driver)
            assert 'Comunicados não lidos' not in visible_text(driver)

        staff_driver = browser(1280, 900)
        browser_login(staff_driver, app, staff.email, PASSWORD)
        settle(staff_driver)
        staff_driver.get(app.url('/comunicados/novo'))
        field(staff_driver, 'Assunto').send_keys(SUBJECT)
        field(staff_driver, 'Texto').send_keys('Os documentos de março devem chegar até o dia 5 de abril.')
        staff_driver.find_element(By.XPATH, "//div[contains(@class,'q-radio')][.//div[normalize-space(text())="
                                            "'Por regime tributário']]").click()
        choose(staff_driver, 'Regime tributário', 'Simples Nacional')
        wait_text(staff_driver, 'Vai para 3 clientes, 3 logins.')
        staff_driver.save_screenshot(str(tmp_path / 'compose.png'))
        click_button(staff_driver, 'Enviar comunicado')
        wait_text(staff_driver, f'Enviar “{SUBJECT}” para 3 clientes, 3 logins?')
        click_button(staff_driver, 'Enviar')
        wait_text(staff_driver, 'Comunicado enviado')
        wait_text(staff_driver, 'Empresa C Ltda')
        assert 'Empresa D Ltda' not in visible_text(staff_driver)

        # the reader's open home shows it live, with the bell's count
        wait_text(reader, 'Comunicados não lidos (1)')
        assert SUBJECT in visible_text(reader)
        wait_for(reader, lambda d: bell_count(d) == '1', message='the bell did not count the comunicado')
        assert no_sideways_overflow(reader)
        reader.find_element(By.XPATH, f"//a[.//b[normalize-space(text())='{SUBJECT}']]").click()
        wait_text(reader, 'Os documentos de março devem chegar até o dia 5 de abril.')
        url = reader.current_url
        assert no_sideways_overflow(reader)
        settle(reader)
        reader.get(app.url('/portal/comunicados'))
        wait_text(reader, SUBJECT)
        assert reader.find_elements(By.CSS_SELECTOR, '.conton-days .conton-tag') == []  # read now: no 'Novo' tag
        settle(reader)

        # the fourth client's open tab got nothing, and its list and the comunicado's URL show nothing
        assert SUBJECT not in visible_text(outsider) and 'Comunicados não lidos' not in visible_text(outsider)
        assert bell_count(outsider) == ''
        outsider.get(app.url('/portal/comunicados'))
        wait_text(outsider, 'Nenhum comunicado do escritório ainda.')
        settle(outsider)
        outsider.get(url)
        wait_text(outsider, 'Comunicado não encontrado.')
        assert SUBJECT not in visible_text(outsider)
        settle(outsider)

        # the e-mails: queued by the page right after the send, sent by the outbox to exactly the three logins
        def queued() -> bool:
            with unit() as session:
                return session.exec(select(func.count()).select_from(OutboxEmail)).one() == 3
        wait_until_sync(queued, 'the three e-mails in the outbox')
        assert mail.send_due() == 3
        assert sorted(m['To'] for m in smtp.messages) == ['contato.a@empresa.test', 'contato.b@empresa.test',
                                                          'contato.c@empresa.test']
        assert all(m['Subject'] == SUBJECT for m in smtp.messages)
        staff_driver.get(app.url('/comunicados'))
        wait_text(staff_driver, SUBJECT)
        settle(staff_driver)
    except Exception:
        for name, driver in (('reader', reader), ('outsider', outsider), ('staff', staff_driver)):
            if driver is not None:
                driver.save_screenshot(f'/tmp/h6/journey-{name}.png')
        raise
