"""The shell in a real browser: phone-sized home without sideways overflow, phone menu, drawer, live push."""
from selenium.webdriver.common.by import By

from tests.browser.conftest import browser_login, no_sideways_overflow, wait_for, wait_text
from tests.factories import PASSWORD, make_client, make_office, make_user


def test_home_on_a_phone_has_no_sideways_overflow(app_server, browser):
    make_office('Escritório Contábil com um Nome Bem Comprido Ltda')
    admin = make_user('admin', name='Administradora')
    client = make_client('Cliente Portal Ltda')
    login = make_user('client', client=client, name='Contato do Cliente')
    for account in (admin, login):
        driver = browser(390, 844)
        browser_login(driver, app_server, account.email, PASSWORD)
        wait_text(driver, 'Olá')
        assert no_sideways_overflow(driver)
        menu = driver.find_element(By.CSS_SELECTOR, 'details.conton-side summary')
        assert menu.is_displayed()  # the phone menu replaces the top menu
        assert not driver.find_element(By.CSS_SELECTOR, '.conton-nav').is_displayed()
        menu.click()
        wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, '.conton-side .panel a[href="/perfil"]').is_displayed())
        assert no_sideways_overflow(driver)
    # the client's menu has no office tools
    assert not driver.find_elements(By.CSS_SELECTOR, '.conton-side a[href="/clientes"]')


def test_desktop_drawer_shows_notifications_and_marks_read(app_server, browser):
    from conton.services import notifications
    from conton.services.base import unit
    make_office()
    admin = make_user('admin')
    with unit() as session:
        notifications.notify(session, [admin.id], 'recebimentos', 'Pagamento recebido', 'R$ 10,00', '/perfil')
    driver = browser(1280, 800)
    browser_login(driver, app_server, admin.email, PASSWORD)
    wait_text(driver, 'Pagamento recebido')
    assert driver.find_element(By.XPATH, "//*[contains(text(), 'Pagamento recebido')]").is_displayed()
    driver.find_element(By.XPATH, "//form[@class='conton-post']/button[contains(., 'Pagamento recebido')]").click()
    wait_for(driver, lambda d: d.current_url.endswith('/perfil'))
    assert notifications.unread_counts(notifications_actor(admin))['recebimentos'] == 0


def notifications_actor(user):
    from tests.factories import actor_of
    return actor_of(user)


def test_login_stays_on_site_and_the_post_buttons_work(app_server, browser):
    """A hostile redirect_to ends on this site's home; 'Marcar todas como lidas' and 'Sair' are POST forms that a
    click submits (and the sanitised drawer HTML keeps); the session is over after 'Sair'."""
    from conton.services import notifications
    from conton.services.base import unit
    make_office()
    admin = make_user('admin')
    with unit() as session:
        notifications.notify(session, [admin.id], 'agenda', 'Prazo da DCTFWeb', '', '/agenda')
    driver = browser(1280, 800)
    driver.get(app_server.url('/login?redirect_to=/%5Cexample.com'))  # Chromium reads '/\\example.com' as //example.com
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type=email]'))
    driver.find_element(By.CSS_SELECTOR, 'input[type=email]').send_keys(admin.email)
    driver.find_element(By.CSS_SELECTOR, 'input[type=password]').send_keys(PASSWORD)
    driver.find_element(By.XPATH, "//button[contains(., 'Entrar')]").click()
    wait_text(driver, 'Acesso Rápido')
    assert driver.current_url == app_server.url('/')

    driver.get(app_server.url('/perfil'))
    wait_text(driver, 'Prazo da DCTFWeb')
    driver.find_element(By.XPATH, "//button[contains(., 'Marcar todas como lidas')]").click()
    wait_for(driver, lambda d: not d.find_elements(By.XPATH, "//button[contains(., 'Marcar todas como lidas')]"))
    assert driver.current_url == app_server.url('/perfil')  # back to the page it was clicked on
    from tests.factories import actor_of
    assert sum(notifications.unread_counts(actor_of(admin)).values()) == 0

    driver.find_element(By.CSS_SELECTOR, 'span[aria-label="Usuário"]').click()  # opens the user menu (focus)
    sair = driver.find_element(By.XPATH, "//div[contains(@class, 'conton-dd-menu')]//button[normalize-space(.)='Sair']")
    wait_for(driver, lambda d: sair.is_displayed())
    sair.click()
    wait_text(driver, 'Acesse sua conta')
    driver.get(app_server.url('/perfil'))
    wait_text(driver, 'Acesse sua conta')
