"""Benchmark harness: a real server subprocess on loopback (CONTON_BENCH=1 adds the per-request SQL count header
and the bare comparison page), a login through headless Chromium, timed GETs with httpx, memory per open tab."""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, database_url: str = '', start_timeout: float = 60) -> None:
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'}
        env.update(CONTON_DATA_DIR=str(data_dir), CONTON_PORT=str(self.port), CONTON_HOST='127.0.0.1',
                   CONTON_BASE_URL=self.base, CONTON_BENCH='1', CONTON_NO_SCHEDULER='1')
        if database_url:
            env['CONTON_DATABASE_URL'] = database_url
        self.log = tempfile.NamedTemporaryFile(prefix='conton-bench-', suffix='.log', delete=False)
        self.proc = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + start_timeout
        while time.time() < deadline:
            try:
                httpx.get(f'{self.base}/login', timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()  # never leave a half-started server behind
        raise RuntimeError(f'server did not start; see {self.log.name}')

    def rss_kib(self) -> int:
        for line in Path(f'/proc/{self.proc.pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def browser(size: str = '1280,800'):
    os.environ.setdefault('SE_OFFLINE', 'true')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                f'--window-size={size}'):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service('/usr/bin/chromedriver'))


def login_cookies(driver, base: str, email: str, password: str) -> dict[str, str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get(f'{base}/login')
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[type=email]')))
    driver.find_element(By.CSS_SELECTOR, 'input[type=email]').send_keys(email)
    driver.find_element(By.CSS_SELECTOR, 'input[type=password]').send_keys(password)
    driver.find_element(By.XPATH, "//button[contains(., 'Entrar')]").click()
    WebDriverWait(driver, 30).until(lambda d: '/login' not in d.current_url)
    return {c['name']: c['value'] for c in driver.get_cookies()}


@dataclass
class Timing:
    name: str
    path: str
    median_ms: float
    p90_ms: float
    queries: int
    status: int


def time_page(client: httpx.Client, name: str, path: str, runs: int = 30, warmup: int = 3) -> Timing:
    samples, queries, status = [], 0, 0
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        status = response.status_code
        queries = int(response.headers.get('X-Conton-Queries', '-1'))
        if i >= warmup:
            samples.append(elapsed)
    samples.sort()
    return Timing(name, path, statistics.median(samples), samples[int(len(samples) * 0.9) - 1], queries, status)


def interleaved(client: httpx.Client, pages: list[tuple[str, str]], runs: int = 30) -> list[Timing]:
    """Time pages round-robin (so machine noise hits each the same), after a warm-up of each."""
    for _, path in pages:
        for _ in range(3):
            client.get(path)
    samples: dict[str, list[float]] = {name: [] for name, _ in pages}
    meta: dict[str, tuple[int, int]] = {}
    for _ in range(runs):
        for name, path in pages:
            t0 = time.perf_counter()
            response = client.get(path)
            samples[name].append((time.perf_counter() - t0) * 1000)
            meta[name] = (int(response.headers.get('X-Conton-Queries', '-1')), response.status_code)
    out = []
    for name, path in pages:
        s = sorted(samples[name])
        out.append(Timing(name, path, statistics.median(s), s[int(len(s) * 0.9) - 1], *meta[name]))
    return out


def memory_per_tab(server: Server, cookies: dict[str, str], path: str, tabs: int = 20) -> float:
    """KiB of server memory per connected tab: RSS after opening `tabs` tabs minus before, divided."""
    import gc  # noqa: F401
    driver = browser()
    try:
        driver.get(f'{server.base}/login')
        for name, value in cookies.items():
            driver.add_cookie({'name': name, 'value': value})
        driver.get(server.base + path)  # warm the page once
        time.sleep(2)
        before = server.rss_kib()
        for _ in range(tabs):
            driver.switch_to.new_window('tab')
            driver.get(server.base + path)
        time.sleep(5)
        after = server.rss_kib()
        return (after - before) / tabs
    finally:
        driver.quit()


def report(rows: list[Timing], bare: Timing) -> str:
    lines = [f'{"page":<34} {"median ms":>10} {"p90 ms":>8} {"× bare":>7} {"SQL":>4} {"HTTP":>5}']
    for t in rows:
        lines.append(f'{t.name:<34} {t.median_ms:>10.1f} {t.p90_ms:>8.1f} {t.median_ms / bare.median_ms:>7.2f} '
                     f'{t.queries:>4} {t.status:>5}')
    return '\n'.join(lines)
