"""What a new user saw on a phone (issue 8 §5): a field's hint over the text below it, upper-case buttons beside
sentence-case ones, and Clientes/Fornecedores as tables scrolling sideways (now cards, as Recebimentos)."""
from selenium.webdriver.common.by import By

from conton.models import Office
from conton.services.base import unit
from tests.browser.conftest import browser_login, no_sideways_overflow, settle, wait_for, wait_text
from tests.factories import PASSWORD, make_client, make_office, make_supplier, make_user

PHONE = (390, 844)


def test_a_long_hint_pushes_the_next_line_down_and_buttons_keep_their_case(app_server, browser):
    make_office()
    with unit() as session:
        office = session.get(Office, 1)
        office.pix_key, office.pix_key_type = 'financeiro@escritorio.test', 'email'
    admin = make_user('admin')
    driver = browser(*PHONE)
    browser_login(driver, app_server, admin.email, PASSWORD)
    driver.get(app_server.url('/meus-dados?aba=boletos'))
    wait_text(driver, 'Tipo da chave: E-mail.')
    settle(driver)
    hint = driver.find_element(By.XPATH, "//div[contains(@class, 'q-field__messages')]"
                                         "[contains(., 'chave aleatória')]")
    below = driver.find_element(By.XPATH, "//*[normalize-space(text())='Tipo da chave: E-mail.']")
    hint_box, below_box = hint.rect, below.rect
    assert hint_box['height'] > 20  # the hint wraps on a phone...
    assert hint_box['y'] + hint_box['height'] <= below_box['y'] + 1  # ...and the line below starts under it
    assert no_sideways_overflow(driver)
    buttons = driver.execute_script(
        "return [...document.querySelectorAll('.q-btn')].map(b => getComputedStyle(b).textTransform)")
    assert buttons and set(buttons) == {'none'}
    assert 'Salvar dados de cobrança' in driver.execute_script('return document.body.innerText')


def test_clientes_and_fornecedores_are_cards_on_a_phone(app_server, browser):
    make_office()
    admin = make_user('admin')
    for n in range(3):
        make_client(f'Construtora Ipê Amarelo e Filhos Número {n} Ltda', fee_cents=123456)
        make_supplier(f'Companhia de Energia Elétrica do Estado {n}')
    driver = browser(*PHONE)
    browser_login(driver, app_server, admin.email, PASSWORD)
    for path, column in (('/clientes', 'Honorários'), ('/fornecedores', 'Telefone')):
        driver.get(app_server.url(path))
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'table.conton-fin tbody tr'))
        settle(driver)
        assert no_sideways_overflow(driver), path
        assert not driver.find_element(By.CSS_SELECTOR, 'table.conton-fin thead').is_displayed()  # cards, no header
        width = driver.execute_script('return window.innerWidth')
        cells = driver.find_elements(By.CSS_SELECTOR, f'table.conton-fin td[data-label="{column}"], '
                                                      'table.conton-fin td.st')
        assert len(cells) == 6
        for cell in cells:  # every card shows them, inside the screen
            assert cell.is_displayed() and cell.rect['x'] + cell.rect['width'] <= width + 1, path
