"""The Agenda journey in real browsers: the client keeps its portal Agenda open on a phone; staff creates an event
shared with that client, with a reminder 1 minute before, through the dialog -> the event appears in the client's
open tab without a reload -> the server's own reminder sweep (the scheduler runs in this journey) delivers the
reminder to the client's drawer, live. The phone-size list view never scrolls sideways; the staff month view shows
the event."""
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from conton import clock
from tests.browser.conftest import (browser_login, no_sideways_overflow, running_app, settle, visible_text,
                                    wait_for, wait_text)
from tests.browser.test_journey_finance import drawer_text, pick_option
from tests.browser.test_journey_foundation import choose, click_button, field
from tests.factories import PASSWORD, make_client, make_office, make_user

TITLE = 'Assinatura do contrato social'
CLIENT_NAME = 'Padaria Pão Dourado Ltda'
REMINDER_WAIT = 4 * 60  # only to end a broken test: the reminder is due within a minute, swept every 5 s


@pytest.fixture
def scheduled_server(db, tmp_path):
    """The app with its scheduler running: the reminder sweep is the server's own, as in production (a sweep in the
    test process would not reach the server's open tabs); it sweeps every 5 s here."""
    with running_app(tmp_path, scheduler=True, CONTON_REMINDER_SWEEP_SECONDS='5') as app:
        yield app


def calendar_text(driver) -> str:
    return driver.execute_script("const el = document.querySelector('.conton-days, .conton-cal');"
                                 "return el ? el.innerText : ''")


def test_shared_event_and_its_reminder_reach_the_clients_open_tab(scheduled_server, browser, tmp_path):
    app = scheduled_server
    make_office('Contábil Jornada')
    staff = make_user('staff', name='Carla Agenda', permissions={'agenda': 'write', 'clients': 'read'})
    client = make_client(CLIENT_NAME, tax_regime='Simples Nacional')
    login = make_user('client', client=client, name='Olavo Padeiro')
    clock.set_now(None)
    now = clock.local(clock.now())
    start = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)  # the reminder: 1 minute before
    end = start + timedelta(minutes=30)
    client_driver = staff_driver = None
    try:
        # the client, on a phone, keeps its Agenda open (list view) with the drawer open over it
        client_driver = browser(390, 844)
        browser_login(client_driver, app, login.email, PASSWORD)
        client_driver.get(app.url('/portal/agenda'))
        wait_text(client_driver, 'Nenhum compromisso ou prazo nas próximas semanas.')
        settle(client_driver)
        assert no_sideways_overflow(client_driver)
        client_driver.find_element(By.CSS_SELECTOR, '.conton-bell').click()
        wait_for(client_driver, lambda d: d.find_element(By.CSS_SELECTOR, '.conton-notes').is_displayed(),
                 message='drawer did not open')

        # staff creates the event in the dialog
        staff_driver = browser(1280, 900)
        browser_login(staff_driver, app, staff.email, PASSWORD)
        settle(staff_driver)
        staff_driver.get(app.url('/agenda?vista=mes'))
        click_button(staff_driver, 'Novo evento')
        wait_text(staff_driver, 'Lembretes')
        field(staff_driver, 'Título').send_keys(TITLE)
        day = field(staff_driver, 'Início')
        day.clear()
        day.send_keys(start.strftime('%d%m%Y'))
        for label, value in (('Hora', start.strftime('%H%M')), ('Hora de término', end.strftime('%H%M'))):
            element = field(staff_driver, label)
            element.send_keys('\ue009a')  # select all (Ctrl+A), then type over it
            element.send_keys(value)
        if end.date() != start.date():
            field(staff_driver, 'Fim (outro dia)').send_keys(end.strftime('%d%m%Y'))
        pick_option(staff_driver, 'Cliente (opcional)', 'Dourado', CLIENT_NAME)
        choose(staff_driver, 'Quando', 'Personalizado')
        field(staff_driver, 'Minutos antes').send_keys('1')
        staff_driver.find_element(By.XPATH, "//div[contains(@class,'q-checkbox')][.//div[normalize-space(text())="
                                            "'Ao cliente']]").click()
        staff_driver.save_screenshot(str(tmp_path / 'dialog.png'))
        click_button(staff_driver, 'Salvar')
        wait_text(staff_driver, 'Evento salvo.')
        wait_for(staff_driver, lambda d: TITLE in calendar_text(d), message='the month does not show the event')

        # the client's open tab shows it without a reload, and the phone list still fits
        wait_for(client_driver, lambda d: TITLE in calendar_text(d), message='the event did not arrive live')
        assert start.strftime('%H:%M') in calendar_text(client_driver)
        assert no_sideways_overflow(client_driver)

        # the server's sweep sends the reminder (due 1 minute before the start) to the client's drawer, live
        wait_for(client_driver, lambda d: f'Lembrete: {TITLE}' in drawer_text(d), timeout=REMINDER_WAIT,
                 message='the reminder did not arrive live in the drawer')
        bell = client_driver.find_element(By.CSS_SELECTOR, '.conton-bell')
        assert bell.text.split()[-1] == '2', bell.text  # the new-event notice and the reminder
        assert 'Carla' not in visible_text(client_driver)  # the office's reminder settings stay the office's
        assert no_sideways_overflow(client_driver)
        settle(client_driver)
    except Exception:
        for name, driver in (('client', client_driver), ('staff', staff_driver)):
            if driver is not None:
                driver.save_screenshot(f'/tmp/ja-{name}.png')
        raise


