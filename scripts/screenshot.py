#!/usr/bin/env python3
"""Log in and take headless-Chromium screenshots of pages.

    .venv/bin/python scripts/screenshot.py --base http://127.0.0.1:8101 --email admin@demo.conton \
        --password demo-conton-2026 --size 1280x800 --out /tmp/shots /clientes /clientes/novo

Start a demo server first: `scripts/dev-server 8101 &` (wait ~5 s). Each path is saved as
<out>/<path-with-dashes>-<size>.png; pass --size 390x844 for a phone. --no-login for public pages.
Also prints, per page, whether the page overflows sideways (scrollWidth > innerWidth).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

os.environ.setdefault('SE_OFFLINE', 'true')


def driver(size: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                f'--window-size={size.replace("x", ",")}', '--hide-scrollbars', '--lang=pt-BR'):
        options.add_argument(arg)
    w, h = (int(v) for v in size.split('x'))
    d = webdriver.Chrome(options=options, service=Service('/usr/bin/chromedriver'))
    d.set_window_size(w, h)
    if w < 600:  # emulate a phone viewport precisely
        d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {'width': w, 'height': h, 'deviceScaleFactor': 1,
                                                                 'mobile': True})
    return d


def login(d: webdriver.Chrome, base: str, email: str, password: str) -> None:
    d.get(f'{base}/login')
    time.sleep(1.5)
    d.find_element(By.CSS_SELECTOR, 'input[type=email]').send_keys(email)
    d.find_element(By.CSS_SELECTOR, 'input[type=password]').send_keys(password)
    d.find_element(By.XPATH, "//button[contains(., 'Entrar')]").click()
    time.sleep(2.5)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--base', required=True)
    p.add_argument('--email', default='admin@demo.conton')
    p.add_argument('--password', default='demo-conton-2026')
    p.add_argument('--size', default='1280x800')
    p.add_argument('--out', default='/tmp/shots')
    p.add_argument('--wait', type=float, default=2.0)
    p.add_argument('--no-login', action='store_true')
    p.add_argument('--full', action='store_true', help='capture the full page height')
    p.add_argument('paths', nargs='+')
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    d = driver(a.size)
    try:
        if not a.no_login:
            login(d, a.base, a.email, a.password)
        for path in a.paths:
            d.get(a.base + path)
            time.sleep(a.wait)
            if a.full:
                height = d.execute_script('return document.body.scrollHeight')
                w = int(a.size.split('x')[0])
                d.set_window_size(w, min(height + 100, 6000))
            name = (path.strip('/').replace('/', '-') or 'home') + f'-{a.size}.png'
            d.save_screenshot(str(out / name))
            overflow = d.execute_script('return document.documentElement.scrollWidth > window.innerWidth')
            print(f'{out / name}  overflow-x={overflow}')
    finally:
        d.quit()


if __name__ == '__main__':
    main()
