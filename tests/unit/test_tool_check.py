"""A missing Debian program (browser, barcode reader, poppler) stops the run at once with one line naming the package,
instead of a FileNotFoundError stack trace from inside a test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TOOL_PACKAGES, declared_tools, missing_tools


def test_every_tool_present_needs_nothing() -> None:
    assert missing_tools(['zbarimg', 'chromium'], which=lambda name: f'/usr/bin/{name}') is None


def test_missing_tools_are_named_with_their_debian_packages() -> None:
    message = missing_tools(['pdftotext', 'zbarimg', 'pdftoppm', 'chromedriver'],
                            which=lambda name: None if name != 'pdftotext' else '/usr/bin/pdftotext')
    assert message == ('Missing chromedriver, pdftoppm, zbarimg: install with '
                       '`sudo apt-get install chromium-driver poppler-utils zbar-tools` '
                       '(or run `make test`, which installs them as root).')


def test_every_module_that_runs_a_tool_declares_it() -> None:
    """A test module that runs one of these programs (or imports a conftest that does) declares it, so the session
    check sees it before anything runs."""
    for path in (ROOT / 'tests').rglob('*.py'):
        if path in (Path(__file__).resolve(), ROOT / 'tests' / 'conftest.py'):
            continue
        source = path.read_text(encoding='utf-8')
        runs = {tool for tool in TOOL_PACKAGES if re.search(rf"\[\s*'{tool}'", source)}
        declared = declared_tools([path, *(p / 'conftest.py' for p in path.parents if (p / 'conftest.py').is_file())])
        assert runs <= declared, f'{path.relative_to(ROOT)} runs {sorted(runs - declared)} without require_tools(...)'
    assert declared_tools([ROOT / 'tests' / 'browser' / 'conftest.py']) == {'chromium', 'chromedriver'}


def test_run_without_the_tools_stops_with_one_line(tmp_path: Path) -> None:
    """The real thing: pytest on the PDF tests with none of the programs on PATH, on two workers as `make test`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')}
    env['PATH'] = str(tmp_path)  # an empty folder: no zbarimg, no poppler
    result = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-n', '2', '-p', 'no:randomly',
                             'tests/pdf'], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert 'Traceback' not in output and 'FileNotFoundError' not in output, output
    assert 'Missing pdfinfo, pdftoppm, pdftotext, zbarimg: install with ' \
           '`sudo apt-get install poppler-utils zbar-tools`' in output, output
    assert 'passed' not in output and 'failed' not in output, output
