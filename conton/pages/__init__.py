"""Importing this package registers every page (one module per tool)."""
import importlib
import pkgutil


def register_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f'{__name__}.{info.name}')
