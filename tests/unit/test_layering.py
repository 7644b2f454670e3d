"""The layers of conton/pages/, read from the source with `ast`: a tool page imports no other tool page (shared
pieces live in common, frame, widgets and listing) and no table from conton.models (services return read models),
and no page module carries CSS of its own (it is all in assets/conton.css)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / 'conton' / 'pages'
SHARED = {'common', 'frame', 'widgets', 'listing'}
# Pages that still take ORM rows from their service (issue 8 §3: the services are to return read models, like
# services.receivables.ChargeRow). The list may only shrink: a page leaves it when its import of conton.models goes.
MODELS_PENDING = {'clients.py', 'emails.py', 'office.py', 'staff.py', 'suppliers.py'}


def page_modules() -> list[Path]:
    return sorted(p for p in PAGES.glob('*.py') if p.stem != '__init__')


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import of a page module, resolved against conton.pages."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ['conton', 'pages'][:max(0, 3 - node.level)] if node.level else []
            module = '.'.join(base + ([node.module] if node.module else []))
            if node.module is None or (node.level == 1 and module == 'conton.pages'):
                out += [(node.lineno, f'{module}.{a.name}') for a in node.names]  # from . import listing
            else:
                out.append((node.lineno, module))
    return out


def violations(path: Path) -> list[str]:
    found = []
    for line, module in imported(path):
        if module == 'conton.models' or module.startswith('conton.models.'):
            found.append(f'{path.name}:{line} imports {module}')
        parts = module.split('.')
        if parts[:2] == ['conton', 'pages'] and len(parts) > 2 and parts[2] not in SHARED and parts[2] != path.stem:
            found.append(f'{path.name}:{line} imports the page {module}')
    return found


def test_no_page_imports_another_page_or_the_models() -> None:
    found = [v for p in page_modules() for v in violations(p)]
    pending = {v.split(':')[0] for v in found if v.endswith(' imports conton.models')}
    assert [v for v in found if v.split(':')[0] not in MODELS_PENDING or 'imports the page' in v] == []
    assert pending == MODELS_PENDING, 'a page no longer imports conton.models: take it off MODELS_PENDING'


def test_no_page_module_holds_a_style_sheet() -> None:
    assert [p.name for p in page_modules() if re.search(r'<style\b', p.read_text())] == []


def test_the_check_sees_what_it_must_refuse(tmp_path) -> None:
    """The checker itself: every form of a forbidden import is caught, the allowed ones are not."""
    sample = tmp_path / 'sample.py'
    sample.write_text('from .receivables import pix_block\nfrom . import clients, listing\nfrom ..models import User\n'
                      'import conton.models.people\nfrom conton.pages.emails import x\nfrom .widgets import confirm\n'
                      'from .common import action\nfrom ..services import mail\n')
    assert violations(sample) == [
        'sample.py:1 imports the page conton.pages.receivables', 'sample.py:2 imports the page conton.pages.clients',
        'sample.py:3 imports conton.models', 'sample.py:4 imports conton.models.people',
        'sample.py:5 imports the page conton.pages.emails']
