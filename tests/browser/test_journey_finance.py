"""The finance journey in real browsers: staff creates a charge -> the client, already on its home page, sees it
arrive live in the notification drawer -> staff records the payment -> the client downloads the recibo (a real PDF
in the browser's download folder, with the client's name and the amount in words). The client never reaches the
staff page."""
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from selenium.webdriver.common.by import By

from conton.services import extenso, office
from conton.services.base import unit
from tests.browser.conftest import browser_login, no_sideways_overflow, settle, visible_text, wait_for, wait_text
from tests.browser.test_journey_foundation import click_button, field
from tests.conftest import require_tools
from tests.factories import PASSWORD, make_client, make_user
from tests.helpers import wait_until_sync

CLIENT_NAME = 'Oficina Engrenagem Dourada Ltda'
DESCRIPTION = 'Abertura de filial'
AMOUNT = '1.234,56'
AMOUNT_CENTS = 123456

require_tools('pdftotext')


def make_finance_office() -> None:
    """An office with bank and PIX settings (the values of services/demo.py), so boleto and PIX are available."""
    with unit() as session:
        off = office.ensure(session)
        off.legal_name, off.trade_name = 'Contabilidade Jornada Ltda', 'Contábil Jornada'
        off.document, off.city, off.uf = '11222333000181', 'São Paulo', 'SP'
        off.cep, off.street, off.number, off.district = '01310100', 'Avenida Paulista', '1000', 'Bela Vista'
        off.bank_code, off.agencia, off.conta, off.conta_dv, off.carteira = '341', '1234', '12345', '6', '109'
        off.convenio, off.pix_key, off.pix_key_type = '12345', 'financeiro@contabil.exemplo', 'email'
        off.accountant_name, off.accountant_cpf, off.crc_number, off.crc_uf = \
            'Maria Helena Costa', '52998224725', '1SP123456', 'SP'
    office.reset_cache()


def drawer_text(driver) -> str:
    return driver.execute_script(
        "const el = document.querySelector('.conton-notes'); return el ? el.innerText : ''").replace('\xa0', ' ')


def pick_option(driver, label: str, typed: str, option_part: str) -> None:
    """A searchable select: type part of the text, then click the matching option of the q-menu."""
    field(driver, label).send_keys(typed)
    xpath = (f"//div[contains(@class,'q-menu')]//div[contains(@class,'q-item')]"
             f"[contains(normalize-space(.), '{option_part}')]")
    wait_for(driver, lambda d: [e for e in d.find_elements(By.XPATH, xpath) if e.is_displayed()],
             message=f'option {option_part!r} not offered')
    next(e for e in driver.find_elements(By.XPATH, xpath) if e.is_displayed()).click()
    wait_for(driver, lambda d: option_part in (field(d, label).get_attribute('value') or ''),
             message=f'{option_part!r} not selected')


def wait_download(folder):
    def arrived():
        done = [p for p in folder.glob('*.pdf') if p.stat().st_size > 0]
        return done[0] if done and not list(folder.glob('*.crdownload')) else None

    return wait_until_sync(arrived, lambda: f'a PDF in {folder}: {[p.name for p in folder.iterdir()]}')


def test_charge_live_notice_payment_and_recibo_download(app_server, browser, tmp_path):
    make_finance_office()
    staff = make_user('staff', name='Carla Financeiro', permissions={'receivables': 'write', 'clients': 'read'})
    client = make_client(CLIENT_NAME, tax_regime='Simples Nacional')
    login = make_user('client', client=client, name='Olavo Oficina')
    downloads = tmp_path / 'downloads'
    downloads.mkdir()

    # the client logs in on a phone and stays on its home page, drawer open
    client_driver = browser(390, 844)
    client_driver.execute_cdp_cmd('Browser.setDownloadBehavior',
                                  {'behavior': 'allow', 'downloadPath': str(downloads)})
    try:
        browser_login(client_driver, app_server, login.email, PASSWORD)
        wait_text(client_driver, 'Olá, Olavo Oficina')
        assert no_sideways_overflow(client_driver)
        client_driver.find_element(By.CSS_SELECTOR, '.conton-bell').click()
        wait_for(client_driver, lambda d: d.find_element(By.CSS_SELECTOR, '.conton-notes').is_displayed(),
                 message='drawer did not open')
        assert DESCRIPTION not in drawer_text(client_driver)

        # staff creates the charge
        staff_driver = browser(1280, 900)
        browser_login(staff_driver, app_server, staff.email, PASSWORD)
        settle(staff_driver)
        staff_driver.get(app_server.url('/recebimentos'))
        click_button(staff_driver, 'Nova cobrança')
        wait_text(staff_driver, 'Valor total (R$)')
        pick_option(staff_driver, 'Cliente', 'Engrenagem', CLIENT_NAME)
        field(staff_driver, 'Descrição (ex.: Abertura de empresa)').send_keys(DESCRIPTION)
        field(staff_driver, 'Valor total (R$)').send_keys(AMOUNT)
        due = date.today() + timedelta(days=10)
        field(staff_driver, 'Vencimento (1ª parcela)').send_keys(due.strftime('%d%m%Y'))
        click_button(staff_driver, 'Salvar')
        wait_text(staff_driver, 'Cobrança incluída; o cliente foi avisado.')

        # the client's drawer shows it without a reload (pushed over the client's websocket)
        wait_for(client_driver, lambda d: f'Nova cobrança: {DESCRIPTION}' in drawer_text(d),
                 message='the new charge did not arrive live in the drawer')
        assert 'R$ 1.234,56' in drawer_text(client_driver)
        bell = client_driver.find_element(By.CSS_SELECTOR, '.conton-bell')
        assert bell.text.split()[-1] == '1', bell.text  # the unread count (after the icon's ligature name)

        # staff opens the charge (list filtered by the client, so any due month shows) and records the payment
        staff_driver.get(app_server.url(f'/recebimentos?cliente={quote("Engrenagem")}'))
        wait_text(staff_driver, DESCRIPTION)
        staff_driver.find_element(By.CSS_SELECTOR, 'table.conton-fin a.open').click()  # the row's link
        wait_text(staff_driver, 'Dar baixa')
        click_button(staff_driver, 'Dar baixa')
        wait_text(staff_driver, 'A baixa emite um recibo numerado e avisa o cliente.')
        assert field(staff_driver, 'Valor recebido (R$)').get_attribute('value') == AMOUNT  # 1.234,56, as everywhere
        click_button(staff_driver, 'Confirmar baixa')
        wait_text(staff_driver, 'Baixa registrada; recibo emitido.')
        wait_text(staff_driver, 'Recibo nº 000001')  # the detail reopens with the recibo

        # the payment notice also arrives live
        wait_for(client_driver, lambda d: 'Pagamento recebido — recibo disponível' in drawer_text(d),
                 message='the payment notice did not arrive live')

        # the client opens Financeiro, sees the paid charge and downloads the recibo
        client_driver.get(app_server.url('/portal/financeiro'))
        wait_text(client_driver, 'Pagas')
        wait_text(client_driver, 'Nenhuma cobrança em aberto. Obrigado!')
        paid = client_driver.find_element(By.XPATH, "//*[normalize-space(text())='Pagas']/following::div"
                                                    "[contains(@class,'conton-charge-card')][1]")
        card = paid.text.replace('\xa0', ' ')
        assert DESCRIPTION in card and 'R$ 1.234,56' in card and 'PIX' in card, card
        assert no_sideways_overflow(client_driver)
        click_button(client_driver, 'Recibo nº 000001')
        pdf = wait_download(downloads)
        assert pdf.name == 'recibo-000001.pdf'
        assert pdf.read_bytes().startswith(b'%PDF')
        text = subprocess.run(['pdftotext', '-layout', str(pdf), '-'], capture_output=True, text=True,
                              check=True).stdout
        flat = ' '.join(text.split())
        assert CLIENT_NAME in flat
        words = extenso.reais(Decimal(AMOUNT_CENTS) / 100)
        assert words == 'mil duzentos e trinta e quatro reais e cinquenta e seis centavos'
        assert f'R$ 1.234,56 ({words})' in flat, flat
        assert 'RECIBO Nº 000001' in flat and DESCRIPTION in flat and 'pago via PIX' in flat

        # the client never sees the staff page
        client_driver.get(app_server.url('/recebimentos'))
        wait_text(client_driver, 'Página não encontrada ou sem acesso')
        assert DESCRIPTION not in visible_text(client_driver)
        settle(client_driver)  # let the last page finish connecting before the browsers close
    except Exception:
        for name, driver in (('client', client_driver), ('staff', locals().get('staff_driver'))):
            if driver is not None:
                driver.save_screenshot(f'/tmp/jf-{name}.png')
        raise
