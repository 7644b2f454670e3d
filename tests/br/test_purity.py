"""`conton.br` and `conton.pdf` stay pure: importing any of their modules, alone in a fresh interpreter, loads no
NiceGUI, no SQLModel/SQLAlchemy and nothing from conton's services, models, pages or database. A module added to
either package is checked automatically (the list is read from the folders)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FORBIDDEN = ('nicegui', 'sqlmodel', 'sqlalchemy', 'conton.services', 'conton.models', 'conton.pages', 'conton.db')
PURE_PACKAGES = ('br', 'pdf')

_CHECK = '''
import importlib, json, sys
importlib.import_module(sys.argv[1])
forbidden = tuple(sys.argv[2:])
print(json.dumps(sorted(name for name in sys.modules if any(name == f or name.startswith(f + '.') for f in forbidden))))
'''


def pure_modules() -> list[str]:
    names = []
    for package in PURE_PACKAGES:
        for path in sorted((ROOT / 'conton' / package).glob('*.py')):
            names.append(f'conton.{package}' if path.stem == '__init__' else f'conton.{package}.{path.stem}')
    return names


def imported_forbidden(module: str) -> list[str]:
    """The forbidden modules that importing `module` in a fresh interpreter loads."""
    result = subprocess.run([sys.executable, '-c', _CHECK, module, *FORBIDDEN], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_module_is_found() -> None:
    modules = set(pure_modules())
    assert {'conton.br', 'conton.br.boleto', 'conton.br.pix', 'conton.br.extenso', 'conton.br.money',
            'conton.br.documents', 'conton.br.calendar', 'conton.pdf', 'conton.pdf.boleto', 'conton.pdf.recibo',
            'conton.pdf.table', 'conton.pdf.qr', 'conton.pdf.common'} <= modules


@pytest.mark.parametrize('module', pure_modules())
def test_module_imports_nothing_impure(module: str) -> None:
    assert imported_forbidden(module) == []


def test_the_check_sees_an_impure_import() -> None:
    """The same check on a service module (the old home of the PIX code, now a re-export) does find services."""
    found = imported_forbidden('conton.services.pix')
    assert 'conton.services' in found and 'conton.services.pix' in found
