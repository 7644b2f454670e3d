"""The Pedidos de documentos journey in real browsers: staff asks a client for two documents through the dialog -> both
appear in the client's open portal page (a phone) without a reload -> the client answers one with "Nada a enviar
este mês" and staff's open list shows it live -> the office's reminder time comes: the server's own reminder sweep
(its scheduler runs here, every 5 s) reminds the client of the document still missing, live in its drawer, and never
of the one it answered. The unanswered request is the control: its reminder and the answered one's are due at the
same moment and swept together, so the first one arriving proves the second one did not come."""
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from sqlmodel import select

from conton import clock
from conton.models import Notification
from conton.services import office_settings
from conton.services.base import unit
from tests.browser.conftest import (browser_login, no_sideways_overflow, running_app, settle, visible_text,
                                    wait_for, wait_text)
from tests.browser.test_journey_finance import drawer_text, pick_option
from tests.browser.test_journey_foundation import click_button, field
from tests.factories import PASSWORD, actor_of, make_client, make_office, make_user

CLIENT_NAME = 'Mercearia Boa Safra Ltda'
ANSWERED, MISSING = 'Extrato bancário do mês', 'Notas fiscais de entrada'
REMINDER_WAIT = 5 * 60  # only to end a broken test: the reminders are due within two minutes, swept every 5 s


@pytest.fixture
def scheduled_server(db, tmp_path):
    """The app with its scheduler running: the reminder sweep is the server's own, as in production."""
    with running_app(tmp_path, scheduler=True, CONTON_REMINDER_SWEEP_SECONDS='5') as app:
        yield app


def ask(driver, title: str, due: str) -> None:
    click_button(driver, 'Novo pedido')
    wait_text(driver, 'Novo pedido de documentos')
    pick_option(driver, 'Cliente', 'Safra', CLIENT_NAME)
    field(driver, 'O que o cliente deve enviar (ex.: Extrato bancário 10/2026)').send_keys(title)
    field(driver, 'Prazo').send_keys(due)
    for label in ('Lembrar a cada (dias)', 'Máximo de lembretes'):
        element = field(driver, label)
        element.send_keys('\ue009a')  # select all (Ctrl+A), then type over it
        element.send_keys('1')
    click_button(driver, 'Enviar pedido')
    wait_text(driver, 'Pedido enviado; o cliente foi avisado.')
    wait_for(driver, lambda d: 'Novo pedido de documentos' not in visible_text(d), message='the dialog stayed open')


def test_nada_a_enviar_stops_the_reminder_that_still_comes_for_the_missing_document(scheduled_server, browser,
                                                                                      tmp_path):
    app = scheduled_server
    clock.set_now(None)
    now = clock.local(clock.now())
    if now.hour == 23 and now.minute >= 50:
        pytest.skip('the reminder time would fall on the next day')
    make_office('Contábil Jornada')
    admin = make_user('admin', name='Dona Escritório')
    staff = make_user('staff', name='Carla Documentos', permissions={'docrequests': 'write', 'clients': 'read'})
    client = make_client(CLIENT_NAME)
    login = make_user('client', client=client, name='Olga Safra')
    office_settings.set(actor_of(admin), 'docrequests.remind_time', '23:59')  # not before the answer (set below)
    due = now.strftime('%d%m%Y')
    client_driver = staff_driver = None
    try:
        # the client, on a phone, keeps its Documentos page open
        client_driver = browser(390, 844)
        browser_login(client_driver, app, login.email, PASSWORD)
        client_driver.get(app.url('/portal/documentos'))
        wait_text(client_driver, 'Nenhum documento pendente.')
        settle(client_driver)

        # staff asks for two documents due today, reminded once a day, at most once
        staff_driver = browser(1280, 900)
        browser_login(staff_driver, app, staff.email, PASSWORD)
        settle(staff_driver)
        staff_driver.get(app.url('/pedidos-documentos'))
        wait_text(staff_driver, 'Nenhum pedido de documentos ainda.')
        ask(staff_driver, ANSWERED, due)
        ask(staff_driver, MISSING, due)
        wait_for(staff_driver, lambda d: MISSING in visible_text(d), message='the list does not show the request')

        # both arrive in the client's open page without a reload; the phone page fits its width
        wait_for(client_driver, lambda d: ANSWERED in visible_text(d) and MISSING in visible_text(d),
                 message='the requests did not arrive live')
        assert f'Prazo: {now:%d/%m/%Y}' in visible_text(client_driver)
        assert no_sideways_overflow(client_driver)

        # the client answers one: nada a enviar, with a comment
        link = client_driver.find_element(By.XPATH, f"//div[contains(@class,'card')][.//b[text()='{ANSWERED}']]"
                                                    "//a[normalize-space(.)='Responder']")
        link.click()
        wait_text(client_driver, 'Nada a enviar este mês')
        field(client_driver, 'Comentário (opcional)').send_keys('Conta sem movimento.')
        click_button(client_driver, 'Nada a enviar este mês')
        wait_text(client_driver, 'Resposta registrada: nada a enviar este mês.')
        wait_text(client_driver, 'Respondidos e encerrados')
        assert no_sideways_overflow(client_driver)
        wait_for(staff_driver, lambda d: 'Nada a enviar' in visible_text(d), message='staff did not see the answer')

        # the office's reminder time: the next minute after the answer, so both reminders fall due at once
        at = clock.local(clock.now()) + timedelta(minutes=1)
        office_settings.set(actor_of(admin), 'docrequests.remind_time', at.strftime('%H:%M'))
        settle(client_driver)
        client_driver.find_element(By.CSS_SELECTOR, '.conton-bell').click()
        wait_for(client_driver, lambda d: d.find_element(By.CSS_SELECTOR, '.conton-notes').is_displayed(),
                 message='drawer did not open')
        wait_for(client_driver, lambda d: f'Lembrete: envie {MISSING}' in drawer_text(d), timeout=REMINDER_WAIT,
                 message='the reminder of the missing document did not arrive live')
        assert f'Lembrete: envie {ANSWERED}' not in drawer_text(client_driver)
        with unit() as session:
            titles = session.exec(select(Notification.title).where(Notification.user_id == login.id)).all()
        assert sorted(t for t in titles if t.startswith('Lembrete')) == [f'Lembrete: envie {MISSING}']
        assert 'Carla' not in visible_text(client_driver)
        assert no_sideways_overflow(client_driver)
        client_driver.save_screenshot(str(tmp_path / 'client.png'))
        settle(client_driver)
    except Exception:
        for name, driver in (('client', client_driver), ('staff', staff_driver)):
            if driver is not None:
                driver.save_screenshot(f'/tmp/h5/journey-{name}.png')
        raise
