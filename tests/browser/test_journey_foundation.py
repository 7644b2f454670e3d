"""Issue 2's journey in a real browser: the admin creates a client with a portal login; the welcome e-mail arrives
at a real SMTP server; the client opens its set-password link, sets a password and lands on the client home."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conton.services import mail
from tests.browser.conftest import browser_login, no_sideways_overflow, wait_for, wait_text
from tests.factories import PASSWORD, make_office, make_user


def field(driver, label: str):
    """The native input of the Quasar field with this label (inside dialogs too)."""
    xpath = (f"//label[.//div[contains(@class,'q-field__label') and normalize-space(text())='{label}']]"
             "//input | //label[.//div[contains(@class,'q-field__label') and normalize-space(text())="
             f"'{label}']]//textarea")
    wait_for(driver, lambda d: [e for e in d.find_elements(By.XPATH, xpath) if e.is_displayed()],
             message=f'field {label!r} not found')
    return next(e for e in driver.find_elements(By.XPATH, xpath) if e.is_displayed())


def choose(driver, label: str, option: str) -> None:
    xpath = f"//label[.//div[contains(@class,'q-field__label') and normalize-space(text())='{label}']]"
    wait_for(driver, lambda d: d.find_elements(By.XPATH, xpath), message=f'select {label!r} not found')
    driver.find_element(By.XPATH, xpath).click()
    xpath = f"//div[contains(@class,'q-menu')]//div[contains(@class,'q-item')][.//span[normalize-space(text())='{option}']]"
    wait_for(driver, lambda d: d.find_elements(By.XPATH, xpath), message=f'option {option!r} not found')
    driver.find_element(By.XPATH, xpath).click()


def click_button(driver, text: str) -> None:
    xpath = f"//button[.//span[normalize-space(text())='{text}']]"
    wait_for(driver, lambda d: [e for e in d.find_elements(By.XPATH, xpath) if e.is_displayed()],
             message=f'button {text!r} not found')
    next(e for e in driver.find_elements(By.XPATH, xpath) if e.is_displayed()).click()


def test_admin_creates_client_login_and_client_sets_password(smtp, app_server, browser):
    make_office('Contábil Jornada')
    admin = make_user('admin', name='Dona do Escritório')
    staff_driver = browser(1280, 900)
    browser_login(staff_driver, app_server, admin.email, PASSWORD)
    staff_driver.get(app_server.url('/clientes/novo'))
    field(staff_driver, 'CNPJ').send_keys('11222333000181')
    field(staff_driver, 'Razão social').send_keys('Padaria Jornada Ltda')
    choose(staff_driver, 'Regime tributário', 'Simples Nacional')
    field(staff_driver, 'E-mail').send_keys('financeiro@padaria.test')
    field(staff_driver, 'Honorários mensais (R$)').send_keys('450,00')
    click_button(staff_driver, 'Cadastrar cliente')
    wait_text(staff_driver, 'Acessos ao portal')
    click_button(staff_driver, 'Adicionar acesso')
    field(staff_driver, 'Nome da pessoa').send_keys('Paula Padeira')
    field(staff_driver, 'E-mail (será o login)').send_keys('paula@padaria.test')
    click_button(staff_driver, 'Criar acesso e enviar e-mail')
    wait_text(staff_driver, 'paula@padaria.test')

    assert mail.send_due() >= 1
    welcome = next(m for m in smtp.messages if m['To'] == 'paula@padaria.test')
    text = welcome.get_body(('plain',)).get_content()
    assert PASSWORD not in text  # never a password in an e-mail
    link = re.search(r'(http://127\.0\.0\.1:\d+/definir-senha/[\w-]+)', text).group(1)

    client_driver = browser(390, 844)
    client_driver.get(link)
    wait_text(client_driver, 'paula@padaria.test')
    field(client_driver, 'Nova senha (mínimo 8 caracteres)').send_keys('pão quentinho toda manhã')
    field(client_driver, 'Repita a senha').send_keys('pão quentinho toda manhã' + Keys.TAB)
    click_button(client_driver, 'Salvar senha e entrar')
    wait_text(client_driver, 'Portal do cliente')
    wait_text(client_driver, 'Olá, Paula Padeira')
    assert no_sideways_overflow(client_driver)

    # the link is single-use: a second visit says so
    client_driver.get(link)
    wait_text(client_driver, 'não é mais válido')
