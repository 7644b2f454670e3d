"""Moved to `conton.br.boleto` (boleto codes, pure Brazilian pieces); kept so that existing imports keep working."""

from ..br.boleto import *  # noqa: F401,F403
from ..br.boleto import __all__  # noqa: F401
