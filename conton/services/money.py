"""Moved to `conton.br.money` (money parsing and arithmetic, pure Brazilian pieces); kept so that existing imports
keep working."""

from ..br.money import *  # noqa: F401,F403
from ..br.money import __all__  # noqa: F401
