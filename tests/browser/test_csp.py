"""The Content-Security-Policy in a real browser: the pages still work under it (websocket, Vue templates, Quasar
styles, the logo) and Chromium reports no violation; another site cannot frame the login page."""
import functools
import http.server
import threading

from selenium.webdriver.common.by import By

from tests.browser.conftest import browser_login, settle, wait_for, wait_text
from tests.factories import PASSWORD, make_client, make_office, make_user

RECORD_VIOLATIONS = '''window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));'''


def test_pages_work_under_the_csp_without_violations(app_server, browser):
    make_office()
    make_client('Cliente Visível Ltda')
    admin = make_user('admin')
    driver = browser(1280, 800)
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': RECORD_VIOLATIONS})
    browser_login(driver, app_server, admin.email, PASSWORD)
    wait_text(driver, 'Olá')
    for path, text in (('/clientes', 'Cliente Visível Ltda'), ('/meus-dados', 'Logotipo'),
                       ('/recebimentos', 'Recebimentos'), ('/clientes/novo', 'Razão social')):
        driver.get(app_server.url(path))
        wait_text(driver, text)
        settle(driver)  # the websocket connected: connect-src allows it
        assert driver.execute_script('return window.__csp') == [], path
    field = driver.find_element(By.XPATH, "//label[contains(., 'Razão social')]//input")
    field.send_keys('Digitado no navegador')  # Vue reacts (templates compiled in the browser need 'unsafe-eval')
    wait_for(driver, lambda d: field.get_attribute('value') == 'Digitado no navegador')
    assert driver.execute_script('return window.__csp') == []


def test_another_site_cannot_frame_the_login_page(app_server, browser, tmp_path):
    make_office()
    make_user('admin')
    (tmp_path / 'frame.html').write_text(f'<iframe id="f" src="{app_server.url("/login")}" '
                                         f'onload="window.framed = true"></iframe>')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler) as other_site:
        threading.Thread(target=other_site.serve_forever, daemon=True).start()
        driver = browser(1280, 800)
        driver.get(f'http://localhost:{other_site.server_address[1]}/frame.html')  # another site
        wait_for(driver, lambda d: d.execute_script('return window.framed === true'), 15, 'the frame did not load')
        driver.switch_to.frame(driver.find_element(By.ID, 'f'))
        # Chromium refused to render it (frame-ancestors 'none', X-Frame-Options: DENY): its error page is there
        assert driver.execute_script('return location.href').startswith('chrome-error://')
        assert not driver.find_elements(By.CSS_SELECTOR, 'input[type=password]')
        other_site.shutdown()
