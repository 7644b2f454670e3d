"""No test imports a page module at collection: NiceGUI's `user` fixture re-registers a page's routes by importing
its module again, and only drops from sys.modules the modules whose pages it registered — a page module imported
outside it (at collection, or by a test without the fixture) stays imported and its routes are never registered in
the rest of that worker's tests (every /auditoria test failed that way once)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE_MODULES = {p.stem for p in (ROOT / 'conton' / 'pages').glob('*.py') if '@ui.page' in p.read_text(encoding='utf-8')}
TOP_LEVEL = re.compile(r'^(?:from conton\.pages\.(\w+) import|import conton\.pages\.(\w+)|from conton\.pages import ([\w, ]+))',
                       re.MULTILINE)


def test_no_test_module_imports_a_page_module_at_top_level() -> None:
    assert {'audit', 'files', 'agenda'} <= PAGE_MODULES  # the scan finds the pages
    found = []
    for path in (ROOT / 'tests').rglob('*.py'):
        for a, b, names in TOP_LEVEL.findall(path.read_text(encoding='utf-8')):
            modules = {a, b} | {n.strip() for n in names.split(',')}
            found += [f'{path.relative_to(ROOT)}: conton.pages.{m}' for m in modules & PAGE_MODULES]
    assert found == []
