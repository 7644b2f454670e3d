"""Real-browser journeys: the app runs as a subprocess on 127.0.0.1 (same database as the test), driven by
Debian's headless Chromium through Selenium."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS, free_port, require_tools
from tests.helpers import DEADLINE, wait_until_sync

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMEDRIVER = shutil.which('chromedriver') or '/usr/bin/chromedriver'

require_tools('chromium', 'chromedriver')


# A journey runs once, on PostgreSQL when the run has it (else SQLite): what it adds to the page tests is the real
# browser and server, and each journey takes 10-30 s. Both backends are covered, per statement, by the service and
# page tests, which run on each.
JOURNEY_BACKEND = BACKENDS[-1]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = [item for item in items if item.path.is_relative_to(HERE) and hasattr(item, 'callspec')
             and item.callspec.params.get('db', JOURNEY_BACKEND) != JOURNEY_BACKEND]
    if other:
        config.hook.pytest_deselected(items=other)
        dropped = set(other)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(autouse=True)
def _database(db):
    return db


class App:
    def __init__(self, base: str, proc: subprocess.Popen, log: Path) -> None:
        self.base, self.proc, self.log = base, proc, log

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def running_app(tmp_path, *, scheduler: bool = False, **settings: str) -> Iterator[App]:
    """The app on a free loopback port with this test's database and data folder (and its scheduler if asked)."""
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    env = {k: v for k, v in os.environ.items() if k not in ('PYTEST_CURRENT_TEST', 'CONTON_NO_SCHEDULER')}
    env.update(CONTON_PORT=str(port), CONTON_HOST='127.0.0.1', CONTON_BASE_URL=base, **settings)
    if not scheduler:
        env['CONTON_NO_SCHEDULER'] = '1'
    log = tmp_path / 'server.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)

    def answers() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f'the app did not start:\n{log.read_text()}')
        try:
            return httpx.get(f'{base}/login', timeout=DEADLINE).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until_sync(answers, lambda: f'the app to answer /login:\n{log.read_text()}', 2 * DEADLINE)
    yield App(base, proc, log)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    errors = [line for line in log.read_text().splitlines() if 'Traceback' in line or 'ERROR' in line]
    assert not errors, log.read_text()


@pytest.fixture
def app_server(db, tmp_path):
    """Start the app on a free loopback port with this test's database and data folder."""
    with running_app(tmp_path) as app:
        yield app


def make_driver(width: int, height: int):
    os.environ.setdefault('SE_OFFLINE', 'true')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                f'--window-size={width},{height}', '--lang=pt-BR'):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    if width < 600:
        driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                               {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': True})
    driver.implicitly_wait(0)
    return driver


@pytest.fixture
def browser():
    drivers = []

    def open_browser(width: int = 1280, height: int = 800):
        driver = make_driver(width, height)
        drivers.append(driver)
        return driver

    yield open_browser
    for driver in drivers:
        driver.quit()


def wait_for(driver, predicate, timeout: float = DEADLINE, message: str = ''):
    """Return as soon as `predicate(driver)` holds; the deadline only ends a broken test (tests/helpers.py)."""
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: predicate(d), message)


def visible_text(driver) -> str:
    return driver.execute_script('return document.body.innerText')


def wait_text(driver, text: str, timeout: float = DEADLINE) -> None:
    wait_for(driver, lambda d: text in visible_text(d), timeout, f'text {text!r} not shown')


def browser_login(driver, app: App, email: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    driver.get(app.url('/login'))
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type=email]'))
    driver.find_element(By.CSS_SELECTOR, 'input[type=email]').send_keys(email)
    driver.find_element(By.CSS_SELECTOR, 'input[type=password]').send_keys(password)
    driver.find_element(By.XPATH, "//button[contains(., 'Entrar')]").click()
    wait_for(driver, lambda d: '/login' not in d.current_url, message='login did not leave /login')


def no_sideways_overflow(driver) -> bool:
    return driver.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1')


def settle(driver) -> None:
    """Wait until the page's websocket handshake is done. Call it before navigating away from, or closing, a page
    that was just loaded. (No pause after it: the frame no longer asks the browser anything on connect, see the
    right drawer's show-if-above in pages/frame.py, so there is no request left to answer.)"""
    wait_for(driver, lambda d: d.execute_script('return window.did_handshake === true'),
             message='the page did not connect its websocket')
